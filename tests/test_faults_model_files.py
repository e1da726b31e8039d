"""Hostile or damaged model files and caches: a message naming the file, never code run from
them, never a traceback; a damaged cache is rebuilt and never stops a run."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import uuid
from pathlib import Path

import pytest

from sdstudio.cli import main
from sdstudio.engine.errors import ModelLoadError
from sdstudio.engine.metadata import model_hash
from sdstudio.engine.metadata.model_hash import ModelHasher
from sdstudio.engine.models.demo.model import demo_model_dir
from sdstudio.engine.models.families import SD1
from sdstudio.engine.models.families.config_files import family_config_dir
from sdstudio.engine.models.inpainting_config import inpainting_config_dir
from sdstudio.engine.models.load_options import LoadOptions
from sdstudio.engine.models.loading import load_model
from sdstudio.engine.paths import cache_dir
from tests.model_sources_fixtures import copy_model_folder, write_code_running_pickle

SDSTUDIO_SOURCES = Path(__file__).resolve().parents[1] / "sdstudio"
DEEP = "[" * 200_000 + "]" * 200_000
DAMAGED_JSON = {
    "a list": "[1, 2]",
    "a string": '"hello"',
    "invalid JSON": "{broken",
    "200k deep": DEEP,
}


@pytest.fixture
def model_folder(tmp_path: Path) -> Path:
    return copy_model_folder(demo_model_dir(), tmp_path / "my-model")


def edit_index(folder: Path, **entries: object) -> None:
    index_file = folder / "model_index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    index.update(entries)
    index_file.write_text(json.dumps(index), encoding="utf-8")


def code_running_module(where: Path, marker: Path) -> str:
    """A module on ``sys.path`` whose import creates ``marker``; its (unique) name."""
    name = f"fault_probe_{uuid.uuid4().hex[:8]}"
    (where / f"{name}.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    return name


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def generate_args(folder: Path, out: Path) -> list[str]:
    return [
        "generate", "--model", str(folder), "--prompt", "a red circle", "--steps", "1",
        "--width", "64", "--height", "64", "--device", "cpu", "--out", str(out),
    ]  # fmt: skip


# -- classes named in model_index.json ----------------------------------------------------------


def test_modules_reports_a_foreign_module_and_never_imports_it(
    model_folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(sys.modules, "this", raising=False)
    edit_index(model_folder, zen=["this", "X"])

    code, out, err = cli(capsys, "modules", "--model", str(model_folder), "--depth", "0")

    assert code == 0
    assert "Beautiful is better than ugly" not in out
    assert "this" not in sys.modules
    assert "'zen' component 'X' from 'this'" in err
    assert re.search(r"^unet +UNet2DConditionModel", out, re.M)  # the rest is still shown


def test_a_module_beside_the_folder_named_as_a_component_never_runs(
    model_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    marker = tmp_path / "code-ran"
    monkeypatch.syspath_prepend(str(tmp_path))  # as `python -m sdstudio` run from there
    module = code_running_module(tmp_path, marker)
    edit_index(model_folder, unet=[module, "UNet2DConditionModel"])

    code, out, err = cli(capsys, "modules", "--model", str(model_folder), "--depth", "0")
    with pytest.raises(ModelLoadError) as refused:
        load_model(str(model_folder), device="cpu")

    assert not marker.exists()
    assert code == 0 and f"'unet' component 'UNet2DConditionModel' from '{module}'" in err
    assert re.search(r"^vae +AutoencoderKL", out, re.M)
    assert not re.search(r"^unet ", out, re.M)
    assert f"'unet' component 'UNet2DConditionModel' from '{module}'" in str(refused.value)
    assert "cannot be loaded without it" in str(refused.value)


def test_an_optional_foreign_component_is_left_out_and_the_model_loads(
    model_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "code-ran"
    monkeypatch.syspath_prepend(str(tmp_path))
    module = code_running_module(tmp_path, marker)
    (model_folder / "image_encoder").mkdir()
    edit_index(model_folder, image_encoder=[module, "Encoder"], zen=["this", "X"])

    model = load_model(str(model_folder), device="cpu")

    assert not marker.exists()
    assert model.pipeline.image_encoder is None
    assert model.pipeline.unet is not None


def test_an_sd15_index_with_a_safety_checker_it_did_not_ship_still_lists_and_loads(
    model_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hub copies of SD 1.5 name diffusers' safety checker package but come without it."""
    edit_index(
        model_folder,
        safety_checker=["stable_diffusion", "StableDiffusionSafetyChecker"],
        feature_extractor=["transformers", "CLIPImageProcessor"],
    )

    code, out, err = cli(capsys, "modules", "--model", str(model_folder), "--depth", "0")
    model = load_model(str(model_folder), device="cpu")

    assert code == 0 and re.search(r"^unet +UNet2DConditionModel", out, re.M)
    assert "has no safety_checker/ folder; left out" in err
    assert model.pipeline.safety_checker is None


def test_a_checkpoints_config_folder_cannot_name_a_module_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """diffusers' single-file loader imports whatever library the config folder names."""
    from tests.model_sources_fixtures import write_original_layout_checkpoint
    from tests.random_sd_model import build_random_sd_pipeline

    marker = tmp_path / "code-ran"
    monkeypatch.syspath_prepend(str(tmp_path))
    module = code_running_module(tmp_path, marker)
    pipeline = build_random_sd_pipeline()
    configs = tmp_path / "configs"
    pipeline.save_pretrained(configs, safe_serialization=True)
    edit_index(configs, vae=[module, "AutoencoderKL"])
    checkpoint = write_original_layout_checkpoint(pipeline, tmp_path / "tiny.safetensors")

    with pytest.raises(ModelLoadError) as refused:
        load_model(str(checkpoint), device="cpu", options=LoadOptions(config_dir=configs))

    assert f"'vae' component 'AutoencoderKL' from '{module}'" in str(refused.value)
    assert not marker.exists()


def test_no_loader_asks_for_remote_code_or_a_custom_pipeline() -> None:
    asking = re.compile(r"trust_remote_code\s*=\s*True|custom_pipeline\s*=")
    offenders = [
        str(path.relative_to(SDSTUDIO_SOURCES))
        for path in SDSTUDIO_SOURCES.rglob("*.py")
        if asking.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# -- pickles behind a sharded index -------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "weights", "shard"),
    [
        ("unet", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model-00001.bin"),
        ("text_encoder", "model.safetensors", "pytorch_model-00001-of-00001.bin"),
        ("vae", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model-1.SAFETENSORS"),
    ],
)
def test_a_sharded_index_that_points_at_a_pickle_is_refused_before_unpickling(
    model_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    component: str,
    weights: str,
    shard: str,
) -> None:
    import torch

    unpickled: list[object] = []
    monkeypatch.setattr(torch, "load", lambda *args, **kwargs: unpickled.append(args))
    marker = tmp_path / "code-ran"
    where = model_folder / component
    (where / weights).unlink()
    write_code_running_pickle(where / shard, marker)
    index = {"metadata": {}, "weight_map": {"some.weight": shard}}
    (where / f"{weights}.index.json").write_text(json.dumps(index), encoding="utf-8")

    with pytest.raises(ModelLoadError) as refused:
        load_model(str(model_folder), device="cpu")

    assert f"names the weights file {shard}, which is not a .safetensors file" in str(refused.value)
    assert str(where / f"{weights}.index.json") in str(refused.value)
    assert unpickled == [] and not marker.exists()


def test_a_vae_folder_whose_index_points_at_a_pickle_is_refused(
    model_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """diffusers follows an index even beside a whole .safetensors file."""
    import torch

    unpickled: list[object] = []
    monkeypatch.setattr(torch, "load", lambda *args, **kwargs: unpickled.append(args))
    vae = model_folder / "vae"
    write_code_running_pickle(vae / "diffusion_pytorch_model-00001.bin", tmp_path / "code-ran")
    index = {"metadata": {}, "weight_map": {"some.weight": "diffusion_pytorch_model-00001.bin"}}
    index_file = vae / "diffusion_pytorch_model.safetensors.index.json"
    index_file.write_text(json.dumps(index), encoding="utf-8")

    with pytest.raises(ModelLoadError, match="diffusion_pytorch_model-00001.bin, which is not"):
        load_model("demo", device="cpu", options=LoadOptions(vae=vae))

    assert unpickled == [] and not (tmp_path / "code-ran").exists()


def test_a_shard_outside_the_folder_is_refused(model_folder: Path) -> None:
    where = model_folder / "unet"
    (where / "diffusion_pytorch_model.safetensors").rename(model_folder / "elsewhere.safetensors")
    index = {"weight_map": {"some.weight": "../elsewhere.safetensors"}}
    index_file = where / "diffusion_pytorch_model.safetensors.index.json"
    index_file.write_text(json.dumps(index), encoding="utf-8")

    with pytest.raises(ModelLoadError, match="outside its folder"):
        load_model(str(model_folder), device="cpu")


# -- JSON that is not an object -----------------------------------------------------------------


@pytest.mark.parametrize("damage", DAMAGED_JSON, ids=list(DAMAGED_JSON))
@pytest.mark.parametrize("file", ["model_index.json", "unet/config.json"])
def test_damaged_json_is_named_by_generate_and_modules(
    model_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    file: str,
    damage: str,
) -> None:
    (model_folder / file).write_text(DAMAGED_JSON[damage], encoding="utf-8")
    out_file = tmp_path / "picture.png"

    generated = cli(capsys, *generate_args(model_folder, out_file))
    listed = cli(capsys, "modules", "--model", str(model_folder), "--depth", "0")

    for code, _, err in (generated, listed):
        assert code == 2
        assert f"sdstudio: error: {model_folder / file} is damaged" in err
        assert "Traceback" not in err
    assert not out_file.exists()


def test_a_tokenizer_file_nested_too_deeply_is_named(model_folder: Path) -> None:
    (model_folder / "tokenizer" / "vocab.json").write_text(DEEP, encoding="utf-8")

    with pytest.raises(ModelLoadError, match=r"tokenizer/vocab\.json is damaged \(nested"):
        load_model(str(model_folder), device="cpu")


# -- caches -------------------------------------------------------------------------------------


def sha10(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


@pytest.mark.parametrize("damage", DAMAGED_JSON, ids=list(DAMAGED_JSON))
def test_a_damaged_hash_cache_is_ignored_and_written_anew(tmp_path: Path, damage: str) -> None:
    cache_file = cache_dir() / "model-hashes.json"
    cache_file.write_text(DAMAGED_JSON[damage], encoding="utf-8")
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights")

    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"weights")
    cached = json.loads(cache_file.read_text(encoding="utf-8"))
    assert cached[str(weights.resolve())]["sha256"] == hashlib.sha256(b"weights").hexdigest()


def test_a_cached_hash_that_is_not_a_sha256_is_computed_again(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights")
    stat = weights.stat()
    entry = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": "not-a-hash"}
    (cache_dir() / "model-hashes.json").write_text(
        json.dumps({str(weights.resolve()): entry}), encoding="utf-8"
    )

    assert ModelHasher().hash_if_ready(weights, wait=10) == sha10(b"weights")


def test_a_failing_hash_gives_no_hash_instead_of_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path) -> str:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(model_hash, "file_sha256", broken)
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"weights")
    hasher = ModelHasher()
    hasher.start(weights).exception(timeout=10)  # it has failed before the run asks

    assert hasher.hash_if_ready(weights, wait=10) is None


def test_a_damaged_inpainting_config_copy_is_made_again() -> None:
    shipped = family_config_dir(SD1)
    copy = inpainting_config_dir(shipped)
    (copy / "unet" / "config.json").write_text("[1, 2]", encoding="utf-8")
    leftover = copy.with_name(copy.name + ".partial")  # a build killed half-way
    (leftover / "unet").mkdir(parents=True)

    again = inpainting_config_dir(shipped)

    unet = json.loads((again / "unet" / "config.json").read_text(encoding="utf-8"))
    index = json.loads((again / "model_index.json").read_text(encoding="utf-8"))
    assert again == copy
    assert unet["in_channels"] == 9
    assert index["_class_name"] == "StableDiffusionInpaintPipeline"
    assert not leftover.exists()


def test_an_inpainting_config_copy_changed_to_name_a_module_is_made_again(
    tmp_path: Path,
) -> None:
    shipped = family_config_dir(SD1)
    copy = inpainting_config_dir(shipped)
    edit_index(copy, unet=["fault_probe", "UNet2DConditionModel"])
    (copy / "unet" / "fault_probe.py").write_text("raise SystemExit\n", encoding="utf-8")

    again = inpainting_config_dir(shipped)

    index = json.loads((again / "model_index.json").read_text(encoding="utf-8"))
    assert index["unet"] == ["diffusers", "UNet2DConditionModel"]
    assert not (again / "unet" / "fault_probe.py").exists()


def test_an_unwritable_config_cache_does_not_stop_the_load() -> None:
    (cache_dir() / "model_configs").write_text("not a folder", encoding="utf-8")

    copy = inpainting_config_dir(family_config_dir(SD1))

    unet = json.loads((copy / "unet" / "config.json").read_text(encoding="utf-8"))
    assert unet["in_channels"] == 9


def test_a_taesd_folder_whose_index_points_at_a_pickle_is_refused(tmp_path: Path) -> None:
    from sdstudio.engine.previews.taesd import load_taesd
    from sdstudio.engine.previews.taesd_weights import TaesdUnavailable

    folder = tmp_path / "taesd"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"_class_name": "AutoencoderTiny"}))
    (folder / "diffusion_pytorch_model.bin").write_bytes(b"not really a pickle")
    index = {"metadata": {}, "weight_map": {"decoder.x": "diffusion_pytorch_model.bin"}}
    (folder / "diffusion_pytorch_model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(TaesdUnavailable, match="not a .safetensors file"):
        load_taesd(folder)


def test_a_lora_whose_tag_list_is_nested_too_deeply_is_listed_without_trigger_words(
    tmp_path: Path,
) -> None:
    """The panel reads kohya's ``ss_tag_frequency`` JSON from a stranger's LoRA header."""
    import torch
    from safetensors.torch import save_file

    from sdstudio.engine.networks.file_info import network_info
    from sdstudio.engine.networks.library import NetworkFile, NetworkKind

    path = tmp_path / "deep.safetensors"
    metadata = {"ss_tag_frequency": DEEP, "ss_base_model_version": "sd_v1"}
    save_file({"lora_unet_x.alpha": torch.tensor(1.0)}, str(path), metadata=metadata)

    info = network_info(NetworkFile(NetworkKind.LORA, path))

    assert info.trigger_words == () and info.base_model == "sd_v1" and info.problem == ""
