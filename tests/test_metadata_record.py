"""The generation record: exact JSON round trips, lenient reading, and what it says in infotext."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from sdstudio import __version__
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.metadata.infotext import parse_infotext
from sdstudio.engine.metadata.record import GenerationRecord, RecordError, record_for
from sdstudio.engine.previews.settings import PreviewSettings

_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.text()
_JSON = st.recursive(
    _JSON_SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
RECORDS = st.builds(
    GenerationRecord,
    prompt=st.text(),
    negative_prompt=st.text(),
    steps=st.integers(1, 10_000),
    cfg_scale=_FLOATS,
    seed=st.integers(0, 2**32 - 1),
    width=st.integers(8, 4096),
    height=st.integers(8, 4096),
    scheduler=st.text(),
    sampler=st.text(),
    img2img=st.booleans(),
    strength=_FLOATS,
    model_name=st.text(),
    model_path=st.text(),
    model_hash=st.none() | st.text("0123456789abcdef", min_size=10, max_size=10),
    device=st.none() | st.text(),
    preview=st.none() | st.dictionaries(st.text(), _JSON, max_size=4),
)


@given(RECORDS)
def test_json_round_trip_is_exact(record: GenerationRecord) -> None:
    assert GenerationRecord.from_json(record.to_json()) == record


@given(RECORDS)
def test_json_is_ascii_so_it_fits_a_latin1_text_chunk(record: GenerationRecord) -> None:
    assert record.to_json().isascii()


@given(st.text() | _JSON.map(json.dumps))
def test_any_text_is_a_record_or_a_record_error(text: str) -> None:
    try:
        record = GenerationRecord.from_json(text)
    except RecordError:
        return
    assert isinstance(record.prompt, str)


def test_missing_keys_take_defaults_and_unknown_keys_are_ignored() -> None:
    record = GenerationRecord.from_json('{"prompt": "a fox", "seed": 9, "from_the_future": 1}')
    assert (record.prompt, record.seed, record.steps) == ("a fox", 9, 20)


def test_wrong_type_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="steps"):
        GenerationRecord.from_json('{"prompt": "a fox", "steps": "twenty"}')


def test_infotext_has_the_a1111_settings_line() -> None:
    record = GenerationRecord(
        prompt="a fox", seed=123, sampler="Euler a", model_name="demo", model_hash="0123456789"
    )
    assert record.infotext().split("\n")[-1] == (
        "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 123, Size: 512x512, "
        f"Model hash: 0123456789, Model: demo, Version: sdstudio {__version__}"
    )


def test_infotext_leaves_out_unknown_hash_and_txt2img_strength() -> None:
    params = parse_infotext(GenerationRecord(prompt="a fox").infotext()).params
    assert "Model hash" not in params and "Denoising strength" not in params


def test_img2img_infotext_has_denoising_strength() -> None:
    record = GenerationRecord(prompt="a fox", img2img=True, strength=0.55)
    assert parse_infotext(record.infotext()).params["Denoising strength"] == "0.55"


def test_preview_settings_dataclass_is_stored_as_plain_json(demo_model) -> None:
    request = GenerationRequest(prompt="a fox", width=64, height=64)
    preview = PreviewSettings(kind="latent", every_n_steps=2)
    record = record_for(request, demo_model, seed=1, preview=preview)
    stored = json.loads(record.to_json())["preview"]
    assert (stored["kind"], stored["every_n_steps"]) == ("latent", 2)


def test_record_for_names_the_scheduler_that_ran(demo_model) -> None:
    request = GenerationRequest(prompt="a fox", seed=5, width=64, height=64, batch_count=3)
    record = record_for(request, demo_model, seed=7, model_hash="abcdef0123")
    assert (record.scheduler, record.sampler) == ("Default", "Euler")  # the demo ships Euler
    assert (record.seed, record.model_name, record.model_hash) == (7, "demo", "abcdef0123")
    assert record.model_path == str(demo_model.source)


def test_the_record_names_the_models_family(demo_model) -> None:
    record = record_for(GenerationRequest(prompt="a fox", width=64, height=64), demo_model, seed=1)
    assert GenerationRecord.from_json(record.to_json()).model_family == "sd1"


def test_img2img_infotext_keeps_a1111_order() -> None:
    record = GenerationRecord(
        prompt="a fox",
        steps=12,
        cfg_scale=5.5,
        seed=123,
        width=640,
        height=448,
        sampler="Euler a",
        img2img=True,
        strength=0.4,
        model_name="demo",
        model_hash="0123456789",
    )
    assert record.infotext().split("\n")[-1] == (
        "Steps: 12, Sampler: Euler a, CFG scale: 5.5, Seed: 123, Size: 640x448, "
        "Model hash: 0123456789, Model: demo, Denoising strength: 0.4, "
        f"Version: sdstudio {__version__}"
    )


def test_strength_one_with_an_init_image_is_recorded_as_txt2img(demo_model) -> None:
    """At strength 1.0 the init image is not used, so the image is a txt2img one."""
    init = Image.new("RGB", (64, 64), (200, 30, 30))
    request = GenerationRequest(prompt="a fox", width=64, height=64, init_image=init, strength=1.0)
    assert not request.is_img2img
    record = record_for(request, demo_model, seed=1)
    assert json.loads(record.to_json())["img2img"] is False
    assert "Denoising strength" not in parse_infotext(record.infotext()).params


def test_strength_below_one_with_an_init_image_is_recorded_as_img2img(demo_model) -> None:
    init = Image.new("RGB", (64, 64), (200, 30, 30))
    request = GenerationRequest(prompt="a fox", width=64, height=64, init_image=init, strength=0.99)
    assert request.is_img2img
    record = record_for(request, demo_model, seed=1)
    assert json.loads(record.to_json())["img2img"] is True
    assert parse_infotext(record.infotext()).params["Denoising strength"] == "0.99"
