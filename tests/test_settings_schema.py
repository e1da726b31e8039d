"""The settings schema is the one list of settings: the request, the record, infotext and the
command line all follow it, so a new field shows up everywhere without further code."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, fields

import pytest

from sdstudio.cli.settings_arguments import (
    add_generation_arguments,
    add_setting_arguments,
    destination,
    setting_values,
)
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.request import GenerationRequest
from sdstudio.engine.generation.settings import (
    SECTIONS,
    flat_settings,
    number_text,
    setting,
    setting_fields,
)
from sdstudio.engine.metadata.infotext_settings import read_settings_params, settings_params
from sdstudio.engine.metadata.record import GenerationRecord
from sdstudio.engine.metadata.restore import settings_from_record


@dataclass(frozen=True)
class SeedDeltaSettings:
    """A section as a later change might add one."""

    seed_delta: int = setting(
        1,
        label="Noise seed delta",
        minimum=1,
        maximum=12,
        infotext="ENSD",
        help="A1111 eta noise seed delta",
    )


WITH_SEED_DELTA = (*SECTIONS, SeedDeltaSettings)


def test_the_request_has_every_setting_in_schema_order_with_the_prompt_first() -> None:
    assert [spec.name for spec in fields(GenerationRequest)] == [
        each.name for each in setting_fields()
    ]
    assert all(issubclass(GenerationRequest, section) for section in SECTIONS)
    request = GenerationRequest("a cat", steps=2)
    assert (request.prompt, request.steps) == ("a cat", 2)


@pytest.mark.parametrize(
    "each", [each for each in setting_fields() if each.setting.maximum is not None]
)
def test_a_value_above_a_settings_maximum_is_refused_naming_it(each) -> None:
    too_big = each.setting.maximum + (8 if each.value_type is int else 0.5)
    with pytest.raises(RequestError) as refused:
        GenerationRequest(**{each.name: too_big})
    message = str(refused.value)
    assert each.setting.label_in_sentence in message
    assert number_text(each.setting.maximum) in message


def test_prompts_longer_than_the_limit_are_refused() -> None:
    limit = next(each.setting.max_length for each in setting_fields() if each.name == "prompt")
    GenerationRequest("x" * limit)
    with pytest.raises(RequestError, match="prompt must be at most"):
        GenerationRequest("x" * (limit + 1))


def test_the_record_json_has_every_recorded_setting_and_no_other() -> None:
    stored = json.loads(GenerationRecord("a fox").to_json())
    for each in setting_fields():
        assert (each.name in stored) == each.setting.recorded, each.name
    assert "batch_count" not in stored and "init_image" not in stored


def test_restoring_a_record_gives_back_every_recorded_setting() -> None:
    record = GenerationRecord(
        "a fox",
        negative_prompt="fog",
        steps=9,
        scheduler="DDIM",
        cfg_scale=3.5,
        seed=77,
        width=320,
        height=192,
        strength=0.3,
    )
    restored = settings_from_record(record)
    recorded = {each.name for each in setting_fields() if each.setting.recorded}
    assert set(restored.settings) == recorded and restored.skipped == []
    assert all(restored.settings[name] == getattr(record, name) for name in recorded)


def test_every_setting_has_a_command_line_option() -> None:
    parser = argparse.ArgumentParser()
    add_generation_arguments(parser)
    args = parser.parse_args(["--prompt", "a cat"])
    for each in setting_fields():
        assert hasattr(args, destination(each)), each.name


def test_a_new_section_gets_an_option_typed_and_defaulted_from_its_field() -> None:
    parser = argparse.ArgumentParser()
    add_setting_arguments(parser, sections=(SeedDeltaSettings,))
    assert parser.parse_args([]).seed_delta == 1
    args = parser.parse_args(["--seed-delta", "2"])
    assert setting_values(args, sections=(SeedDeltaSettings,)) == {"seed_delta": 2}
    with pytest.raises(SystemExit):
        parser.parse_args(["--seed-delta", "two"])


def test_a_new_section_is_written_to_and_read_from_infotext() -> None:
    params = settings_params({"seed_delta": 2, "steps": 5}, sections=WITH_SEED_DELTA)
    assert params == {"Steps": "5", "ENSD": "2"}
    read, skipped = read_settings_params(params, sections=WITH_SEED_DELTA)
    assert (read["steps"], read["seed_delta"], skipped) == (5, 2, [])


def test_a_new_section_is_a_field_of_values_built_from_the_schema() -> None:
    recorded = flat_settings("Recorded", lambda s: s.recorded, sections=WITH_SEED_DELTA)
    assert recorded(prompt="a fox").seed_delta == 1
    assert "seed_delta" in {spec.name for spec in fields(recorded)}


def test_settings_sharing_an_infotext_key_are_written_as_one_value() -> None:
    assert settings_params({"width": 640, "height": 448}) == {"Size": "640x448"}
    found, skipped = read_settings_params({"Size": "640x448x3"})
    assert (
        "width" not in found
        and "height" not in found
        and skipped == ["Size '640x448x3' is not a value sdstudio can use"]
    )
