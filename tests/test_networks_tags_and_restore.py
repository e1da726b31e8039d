"""<lora:…> tags as A1111 writes them, file metadata for the panel, and restoring a picture's
LoRAs by name or by hash."""

from __future__ import annotations

import pytest

from sdstudio.engine.errors import RequestError
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.restore import settings_from_infotext
from sdstudio.engine.networks.file_info import network_info
from sdstudio.engine.networks.hashes import lora_hash
from sdstudio.engine.networks.library import NetworkFile, NetworkKind, find_network
from sdstudio.engine.prompts.network_tags import LoraTag, network_tags, without_network_tags
from tests.networks_fixtures import write_wide_lora


def test_tags_give_names_and_weights_and_leave_the_text() -> None:
    prompt = "a cat <lora:Detail:0.8>, <lora:ink:0.5:1.2> <lora:plain> <hypernet:old:1>"
    found = network_tags(prompt)
    assert found.loras == (
        LoraTag("Detail", 0.8, 0.8),
        LoraTag("ink", 0.5, 1.2),
        LoraTag("plain", 1.0, 1.0),
    )
    assert found.unsupported == ("<hypernet:old:1>",)
    assert without_network_tags(prompt) == "a cat ,   "


def test_named_weights_are_read_as_a1111_writes_them() -> None:
    assert network_tags("<lora:x:te=0.3:unet=0.9>").loras == (LoraTag("x", 0.3, 0.9),)


def test_a_weight_that_is_not_a_number_is_a_clear_error() -> None:
    with pytest.raises(RequestError, match="must be a number"):
        network_tags("<lora:detail:strong>")


def test_a_name_finds_its_file_whatever_the_case(tmp_path) -> None:
    path = write_wide_lora(tmp_path / "Detail_Tweaker.safetensors")
    found = find_network(NetworkKind.LORA, "detail_tweaker", [tmp_path])
    assert found is not None and found.path == path
    assert find_network(NetworkKind.LORA, str(path), []) == found


def test_a_pickled_lora_is_not_offered(tmp_path) -> None:
    (tmp_path / "old.pt").write_bytes(b"\x80\x04")
    assert find_network(NetworkKind.LORA, "old", [tmp_path]) is None


def test_panel_metadata_comes_from_the_header(tmp_path) -> None:
    import torch
    from safetensors.torch import save_file

    from tests.networks_fixtures import training_metadata

    path = tmp_path / "shapes.safetensors"
    save_file({"x": torch.zeros(1)}, str(path), metadata=training_metadata())
    (tmp_path / "shapes.preview.png").write_bytes(b"")
    info = network_info(NetworkFile(NetworkKind.LORA, path))
    assert info.base_model == "sd_v1"
    assert info.resolution == "128x128"
    assert info.trigger_words == ("red circle", "shapes", "blue")
    assert NetworkFile(NetworkKind.LORA, path).preview_image == tmp_path / "shapes.preview.png"


def _infotext(prompt: str, hashes: str) -> str:
    return f'{prompt}\nSteps: 20, Sampler: Euler, Seed: 1, Size: 512x512, Lora hashes: "{hashes}"'


def test_restoring_finds_a_renamed_lora_by_its_hash(tmp_path, monkeypatch) -> None:
    loras = tmp_path / "models" / "loras"
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path))
    path = write_wide_lora(loras / "renamed_here.safetensors")
    text = _infotext("a cat <lora:original_name:0.7>", f"original_name: {lora_hash(path)}")
    restored = settings_from_infotext(parse_infotext(text))
    assert restored.settings["prompt"] == "a cat <lora:renamed_here:0.7>"
    assert restored.skipped == []


def test_restoring_lists_loras_that_are_missing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path))
    text = _infotext("a cat <lora:gone:0.7>", "gone: 0123456789ab")
    restored = settings_from_infotext(parse_infotext(text))
    assert restored.settings["prompt"] == "a cat <lora:gone:0.7>"
    assert len(restored.skipped) == 1
    assert "'gone'" in restored.skipped[0] and "0123456789ab" in restored.skipped[0]


def test_restoring_lists_embeddings_that_are_missing(tmp_path, monkeypatch) -> None:
    from tests.networks_fixtures import write_embedding

    monkeypatch.setenv("SDSTUDIO_HOME", str(tmp_path))
    write_embedding(tmp_path / "models" / "embeddings" / "here.pt", 16)
    text = 'a cat, here, gone\nSteps: 20, Seed: 1, TI hashes: "here: 111111111111, gone: abc"'
    restored = settings_from_infotext(parse_infotext(text))
    assert restored.skipped == [
        f"embedding 'gone' (hash abc) is not in {tmp_path / 'models' / 'embeddings'}"
    ]
