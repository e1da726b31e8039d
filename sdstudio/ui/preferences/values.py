"""What the Preferences dialog edits, as one plain value read from and written to settings.ini."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sdstudio.engine.networks.library import NetworkKind, network_folders
from sdstudio.ui.server.server_settings import (
    ServerChoice,
    read_server_choice,
    write_server_choice,
)
from sdstudio.ui.settings_store import SettingsStore


@dataclass(frozen=True)
class Preferences:
    """Folders (None: the default in SDSTUDIO_HOME), TAESD weights ("" : the default
    folder), the ControlNet preprocessors' depth and pose model folders (None: the default
    in ``SDSTUDIO_HOME/models/annotators``), where models run, their memory savers, the look
    of the window and the server queued jobs may go to."""

    output_dir: Path | None = None
    lora_dir: Path | None = None
    embeddings_dir: Path | None = None
    taesd_path: str = ""
    taesdxl_path: str = ""
    allow_taesd_download: bool = False
    depth_weights: Path | None = None
    pose_weights: Path | None = None
    device: str = "auto"
    attention_slicing: bool = False
    vae_tiling: bool = False
    cpu_offload: bool = False
    theme: str = "system"
    server: ServerChoice = ServerChoice()


def read_preferences(store: SettingsStore) -> Preferences:
    """The stored preferences; the keys are the ones the rest of the window reads."""
    memory = store.load_options()
    return Preferences(
        output_dir=store.output_dir,
        lora_dir=store.lora_dir,
        embeddings_dir=store.embeddings_dir,
        taesd_path=store.taesd_path("taesd"),
        taesdxl_path=store.taesd_path("taesdxl"),
        allow_taesd_download=store.allow_taesd_download,
        depth_weights=store.annotator_dir("depth"),
        pose_weights=store.annotator_dir("pose"),
        device=store.device,
        attention_slicing=memory.attention_slicing,
        vae_tiling=memory.vae_tiling,
        cpu_offload=memory.cpu_offload,
        theme=store.theme,
        server=read_server_choice(store),
    )


def write_preferences(store: SettingsStore, preferences: Preferences) -> None:
    """Store ``preferences`` (already checked) and write the file now."""
    store.output_dir = preferences.output_dir
    store.lora_dir = preferences.lora_dir
    store.embeddings_dir = preferences.embeddings_dir
    store.set_taesd_path("taesd", preferences.taesd_path)
    store.set_taesd_path("taesdxl", preferences.taesdxl_path)
    store.allow_taesd_download = preferences.allow_taesd_download
    store.set_annotator_dir("depth", preferences.depth_weights)
    store.set_annotator_dir("pose", preferences.pose_weights)
    store.device = preferences.device
    store.set_load_option("attention_slicing", preferences.attention_slicing)
    store.set_load_option("vae_tiling", preferences.vae_tiling)
    store.set_load_option("cpu_offload", preferences.cpu_offload)
    store.theme = preferences.theme
    store.sync()
    write_server_choice(store, preferences.server)


def listed_network_folders(store: SettingsStore) -> dict[NetworkKind, list[Path]]:
    """The folders the LoRA and embeddings panel lists: the chosen one first, then the
    one in ``SDSTUDIO_HOME/models`` (the order a job searches them in)."""
    chosen = store.network_folders()
    return {
        NetworkKind.LORA: network_folders(NetworkKind.LORA, chosen.loras),
        NetworkKind.EMBEDDING: network_folders(NetworkKind.EMBEDDING, chosen.embeddings),
    }
