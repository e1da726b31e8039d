"""Parameters in PNG files: ours read back exactly, A1111's and ComfyUI's recognised."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin

from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata.infotext import format_infotext, parse_infotext
from sdstudio.engine.metadata.png_chunks import (
    ImageReadError,
    MetadataSource,
    metadata_from_texts,
    png_info,
    read_metadata,
)
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import restore_settings, settings_from_infotext

RECORD = GenerationRecord(
    prompt="a lighthouse,\nstormy sea: dramatic",
    negative_prompt="",
    steps=12,
    cfg_scale=5.5,
    seed=4242,
    width=64,
    height=48,
    scheduler="Euler a",
    sampler="Euler a",
    model_name="demo",
    model_path="/models/demo",
    model_hash="0123456789",
    preview={"kind": "latent", "every": 2},
)
A1111_PARAMETERS = (
    'portrait of a knight, "gothic"\nhighly detailed\n'
    "Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 8, Seed: 77, "
    'Size: 512x768, Model hash: abcdef1234, Model: "my, model", Denoising strength: 0.4'
)


def write_png(path: Path, texts: dict[str, str]) -> Path:
    info = PngImagePlugin.PngInfo()
    for name, text in texts.items():
        info.add_text(name, text)
    Image.new("RGB", (8, 8), "white").save(path, pnginfo=info)
    return path


def saved_texts(record: GenerationRecord) -> dict[str, str]:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG", pnginfo=png_info(record))
    buffer.seek(0)
    with Image.open(buffer) as image:
        return dict(image.text)


def test_our_png_gives_back_the_same_record(tmp_path: Path) -> None:
    path = tmp_path / "ours.png"
    Image.new("RGB", (64, 48)).save(path, pnginfo=png_info(RECORD))
    metadata = read_metadata(path)
    assert (metadata.source, metadata.record) == (MetadataSource.SDSTUDIO, RECORD)


def test_our_parameters_chunk_parses_back_to_the_same_values() -> None:
    parsed = parse_infotext(saved_texts(RECORD)["parameters"])
    assert (parsed.prompt, parsed.negative_prompt) == (RECORD.prompt, "")
    assert {k: parsed.params[k] for k in ("Steps", "Sampler", "CFG scale", "Seed", "Size")} == {
        "Steps": "12",
        "Sampler": "Euler a",
        "CFG scale": "5.5",
        "Seed": "4242",
        "Size": "64x48",
    }


@settings(max_examples=40)
@given(st.text(), st.text())
def test_any_prompt_survives_the_png_record(prompt: str, negative: str) -> None:
    record = GenerationRecord(prompt=prompt, negative_prompt=negative)
    assert metadata_from_texts(saved_texts(record)).record == record


def test_a1111_png_is_read_as_a1111(tmp_path: Path) -> None:
    metadata = read_metadata(write_png(tmp_path / "a.png", {"parameters": A1111_PARAMETERS}))
    assert metadata.source is MetadataSource.A1111
    assert metadata.infotext.params["Model"] == "my, model"


def test_comfyui_png_keeps_its_json_raw(tmp_path: Path) -> None:
    graph = json.dumps({"3": {"class_type": "KSampler", "inputs": {"seed": 5}}})
    metadata = read_metadata(write_png(tmp_path / "c.png", {"prompt": graph}))
    assert (metadata.source, metadata.texts["prompt"]) == (MetadataSource.COMFYUI, graph)


def test_damaged_record_falls_back_to_parameters(tmp_path: Path) -> None:
    path = write_png(tmp_path / "d.png", {"sdstudio": "{not json", "parameters": A1111_PARAMETERS})
    assert read_metadata(path).source is MetadataSource.A1111


def test_png_without_parameters_says_so(tmp_path: Path) -> None:
    metadata = read_metadata(write_png(tmp_path / "n.png", {"Software": "GIMP"}))
    assert (metadata.has_parameters, metadata.texts) == (False, {"Software": "GIMP"})


def test_non_image_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("not a picture")
    with pytest.raises(ImageReadError, match="not an image"):
        read_metadata(path)


def test_restore_from_our_record_reproduces_the_request() -> None:
    settings = restore_settings(metadata_from_texts(saved_texts(RECORD))).settings
    assert GenerationRequest(**settings) == GenerationRequest(
        prompt=RECORD.prompt, steps=12, cfg_scale=5.5, seed=4242, width=64, height=48,
        scheduler="Euler a",
    )  # fmt: skip


def test_restore_from_a1111_reads_every_supported_setting() -> None:
    restored = settings_from_infotext(parse_infotext(A1111_PARAMETERS))
    assert restored.settings == {
        "prompt": 'portrait of a knight, "gothic"\nhighly detailed',
        "negative_prompt": "",
        "steps": 30,
        "cfg_scale": 8.0,
        "seed": 77,
        "width": 512,
        "height": 768,
        "strength": 0.4,
        "scheduler": "DPM++ 2M Karras",
        "clip_skip": 1,  # A1111 leaves these out at their defaults
        "guidance_rescale": 0.0,
        "pad_prompt_lengths": False,
        "masked_content": "original",
        "inpaint_area": "whole",
        "hires_upscaler": "",  # no hires fix
        "hires_resize_x": 0,
        "hires_resize_y": 0,
        "hires_steps": 0,
        "hires_sampler": "",
        "hires_prompt": "",
        "hires_negative_prompt": "",
    }


def test_restore_skips_values_sdstudio_cannot_use_and_says_why() -> None:
    text = "a fox\nSteps: many, Sampler: DPM++ SDE, CFG scale: 7, Seed: 1, Size: 500x500"
    restored = settings_from_infotext(parse_infotext(text))
    assert "steps" not in restored.settings and "width" not in restored.settings
    assert restored.settings["seed"] == 1
    assert any("DPM++ SDE" in reason for reason in restored.skipped)
    assert any("multiple of 8" in reason for reason in restored.skipped)


_A1111_KEYS = [
    "Steps",
    "Sampler",
    "Schedule type",
    "CFG scale",
    "Seed",
    "Size",
    "Denoising strength",
]
_VALUES = (
    st.text()
    | st.integers().map(str)
    | st.floats().map(str)
    | st.sampled_from(["64x64", "Euler a", "Karras"])
)
_SETTINGS_TEXT = st.builds(
    format_infotext, st.text(), st.text(), st.dictionaries(st.sampled_from(_A1111_KEYS), _VALUES)
)


@given(st.text() | _SETTINGS_TEXT)
def test_restored_settings_from_any_text_make_a_valid_request(text: str) -> None:
    settings = settings_from_infotext(parse_infotext(text)).settings
    GenerationRequest(**{"prompt": "", **settings})
