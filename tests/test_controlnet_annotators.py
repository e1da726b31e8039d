"""Depth, normal and pose preprocessors with tiny random models saved as users bring them:
the maps' form, A1111's normal arithmetic and OpenPose's drawing exactly, and the refusals
that say where weights go."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sdstudio.engine.controlnet_preprocessors import (
    AnnotatorUnavailable,
    AnnotatorWeights,
    default_annotator_dir,
    preprocess,
)
from sdstudio.engine.controlnet_preprocessors.annotator_models import loaded_annotator
from sdstudio.engine.controlnet_preprocessors.depth import normal_from_depth
from sdstudio.engine.controlnet_preprocessors.pose import (
    COLOURS,
    LIMBS,
    OPENPOSE_KEYPOINTS,
    draw_openpose,
    limb_colour,
    openpose_from_coco,
)
from sdstudio.engine.errors import RequestError
from sdstudio.engine.generation.controlnet.prepared_unit import UnitChoice
from tests.helpers import gray_channel, libraries_loaded_by
from tests.tiny_annotators import save_tiny_depth_anything, save_tiny_dpt, save_tiny_vitpose

FACING = (255, 127, 127)  # a normal facing the viewer, as A1111 writes it (z, y, x)


@pytest.fixture(scope="module")
def dpt_folder(tmp_path_factory) -> Path:
    return save_tiny_dpt(tmp_path_factory.mktemp("dpt"))


@pytest.fixture(scope="module")
def depth_anything_folder(tmp_path_factory) -> Path:
    return save_tiny_depth_anything(tmp_path_factory.mktemp("depth-anything"))


@pytest.fixture(scope="module")
def vitpose_folder(tmp_path_factory) -> Path:
    return save_tiny_vitpose(tmp_path_factory.mktemp("vitpose"))


def _picture(size: tuple[int, int] = (90, 60)) -> Image.Image:
    picture = Image.new("RGB", size, (30, 60, 90))
    ImageDraw.Draw(picture).ellipse((20, 10, 60, 50), fill="white")
    return picture


# -- depth ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["depth", "depth_midas", "depth_anything_v2", "depth_zoe"])
def test_depth_from_a_dpt_folder_is_a_gray_map_of_the_picture_size_spanning_0_to_255(
    dpt_folder: Path, name: str
) -> None:
    result = preprocess(name, _picture(), annotators=AnnotatorWeights(depth=dpt_folder))

    assert result.size == (90, 60)
    depth = gray_channel(result)
    assert depth.min() == 0 and depth.max() == 255


def test_depth_from_a_depth_anything_folder_is_a_gray_map_of_the_picture_size(
    depth_anything_folder: Path,
) -> None:
    weights = AnnotatorWeights(depth=depth_anything_folder)

    result = preprocess("depth_anything", _picture((50, 70)), annotators=weights)

    assert result.size == (50, 70)
    depth = gray_channel(result)
    assert depth.min() == 0 and depth.max() == 255


def test_a_unit_choice_passes_the_folders_to_its_preprocessor(dpt_folder: Path) -> None:
    choice = UnitChoice(preprocessor="depth")
    weights = AnnotatorWeights(depth=dpt_folder)

    made = choice.control_map(_picture(), weights)

    assert np.array_equal(
        np.asarray(made), np.asarray(preprocess("depth", _picture(), annotators=weights))
    )


def test_the_model_of_a_folder_is_loaded_once_and_kept(dpt_folder: Path) -> None:
    assert loaded_annotator("depth", dpt_folder) is loaded_annotator("depth", dpt_folder)


def test_missing_weights_name_the_default_folder_preferences_and_the_none_way() -> None:
    folder = default_annotator_dir("depth")
    assert folder == Path(os.environ["SDSTUDIO_HOME"]) / "models" / "annotators" / "depth"

    with pytest.raises(RequestError) as refused:
        preprocess("depth", _picture())

    message = str(refused.value)
    assert str(folder) in message
    assert "Preferences → ControlNet preprocessors" in message
    assert "a depth map (near is white, far is black)" in message
    assert 'choose the preprocessor "none"' in message


def test_a_chosen_pose_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-pose-here"

    with pytest.raises(AnnotatorUnavailable) as refused:
        preprocess("openpose", _picture(), annotators=AnnotatorWeights(pose=missing))

    message = str(refused.value)
    assert f"in {missing}, the folder chosen in Preferences → ControlNet preprocessors" in message
    assert "it does not exist" in message
    assert "an OpenPose skeleton picture" in message


def test_a_folder_with_only_pickled_weights_is_refused_unopened(tmp_path: Path) -> None:
    folder = tmp_path / "pickled-depth"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "dpt"}))
    (folder / "preprocessor_config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"not to be unpickled")

    with pytest.raises(AnnotatorUnavailable) as refused:
        preprocess("depth", _picture(), annotators=AnnotatorWeights(depth=folder))

    message = str(refused.value)
    assert str(folder) in message
    assert "only pickle-based weights (pytorch_model.bin)" in message
    assert ".safetensors" in message


def test_a_folder_whose_weights_do_not_load_is_refused_with_a_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "broken-depth"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "no-such-model"}))
    (folder / "preprocessor_config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"\0" * 16)

    with pytest.raises(AnnotatorUnavailable, match=f"Could not load the depth model in {folder}"):
        preprocess("depth", _picture(), annotators=AnnotatorWeights(depth=folder))


def test_a_depth_model_given_as_the_pose_model_is_refused(dpt_folder: Path) -> None:
    with pytest.raises(AnnotatorUnavailable, match="not a ViTPose model"):
        preprocess("openpose", _picture(), annotators=AnnotatorWeights(pose=dpt_folder))


# -- normals -------------------------------------------------------------------------------


def _ramp(width: int = 40, height: int = 20) -> np.ndarray:
    """Depth rising one step per column: far at the left, near at the right."""
    return np.tile(np.arange(width, dtype=np.float32), (height, 1))


def test_a_surface_rising_to_the_right_is_blue_with_a1111s_arithmetic() -> None:
    normals = normal_from_depth(_ramp(), background_threshold=0.0)

    inner = normals[:, 1:-1].reshape(-1, 3)
    # Sobel's slope of a 1-per-pixel ramp is 8; with z = 2π the unit normal is
    # (8, 0, 2π) / |…|, written z, y, x.
    length = math.hypot(8.0, 2 * math.pi)
    expected = [
        int(2 * math.pi / length * 127.5 + 127.5),
        127,
        int(8.0 / length * 127.5 + 127.5),
    ]
    assert (inner == expected).all()
    assert expected[2] > 200 and expected[1] == 127  # blue: the slope is along x
    assert (normals[:, 0] == FACING).all()  # the border repeats: no slope there


def test_the_background_threshold_turns_far_areas_to_face_the_viewer() -> None:
    depth = _ramp()
    spread = depth / depth.max()

    normals = normal_from_depth(depth, background_threshold=0.4)

    far = spread < 0.4
    assert (normals[far] == FACING).all()
    near_inner = ~far
    near_inner[:, -1] = False
    assert (normals[near_inner][:, 2] > 200).all()


def test_flat_depth_faces_the_viewer_everywhere() -> None:
    normals = normal_from_depth(np.full((8, 8), 3.0, np.float32), background_threshold=0.0)

    assert (normals.reshape(-1, 3) == FACING).all()


def test_normal_midas_from_a_depth_folder_is_a_picture_of_the_picture_size(
    dpt_folder: Path,
) -> None:
    result = preprocess(
        "normal_midas", _picture(), annotators=AnnotatorWeights(depth=dpt_folder), bg_threshold=0.1
    )

    assert result.mode == "RGB" and result.size == (90, 60)
    assert (np.asarray(result)[..., 0] >= 127).all()  # z never points away


def test_the_background_threshold_is_checked_like_a1111s_slider(dpt_folder: Path) -> None:
    with pytest.raises(RequestError, match="Normal Background Threshold must be between 0 and 1"):
        preprocess(
            "normal_map", _picture(), annotators=AnnotatorWeights(depth=dpt_folder), bg_threshold=2
        )


# -- pose ----------------------------------------------------------------------------------


def _index(name: str) -> int:
    return OPENPOSE_KEYPOINTS.index(name)


def test_the_drawing_puts_each_limbs_colour_at_its_midpoint_and_black_far_away() -> None:
    points: list[tuple[float, float] | None] = [None] * 18
    points[_index("neck")] = (60.0, 30.0)
    points[_index("right_shoulder")] = (30.0, 30.0)
    points[_index("right_elbow")] = (30.0, 70.0)
    points[_index("left_hip")] = (90.0, 90.0)  # its limb to the neck is drawn too

    pixels = np.asarray(draw_openpose(points, 128, 112))

    assert pixels.shape == (112, 128, 3)
    neck_to_shoulder = LIMBS.index((_index("neck"), _index("right_shoulder")))
    upper_arm = LIMBS.index((_index("right_shoulder"), _index("right_elbow")))
    neck_to_hip = LIMBS.index((_index("neck"), _index("left_hip")))
    assert tuple(pixels[30, 45]) == limb_colour(neck_to_shoulder) == (153, 0, 0)
    assert tuple(pixels[50, 30]) == limb_colour(upper_arm) == (153, 102, 0)
    assert tuple(pixels[60, 75]) == limb_colour(neck_to_hip) == (0, 153, 153)
    assert tuple(pixels[30, 60]) == COLOURS[_index("neck")]  # joints in full colour, on top
    assert tuple(pixels[70, 30]) == COLOURS[_index("right_elbow")]
    assert tuple(pixels[34, 45]) == limb_colour(neck_to_shoulder)  # 8 px thick
    assert tuple(pixels[36, 45]) == (0, 0, 0)
    assert (pixels[100:, :20] == 0).all() and (pixels[:10, 100:] == 0).all()


def test_a_limb_with_a_missing_end_is_not_drawn() -> None:
    points: list[tuple[float, float] | None] = [None] * 18
    points[_index("right_shoulder")] = (30.0, 30.0)  # no elbow: a dot, no arm

    pixels = np.asarray(draw_openpose(points, 64, 64))

    assert tuple(pixels[30, 30]) == COLOURS[_index("right_shoulder")]
    assert int(np.count_nonzero(pixels.any(axis=2))) < 60  # the dot only (radius 4)


def test_coco_keypoints_become_openposes_eighteen_with_the_neck_between_the_shoulders() -> None:
    points = np.array([[i * 10.0, i * 5.0] for i in range(17)], dtype=np.float32)
    scores = np.full(17, 0.9, dtype=np.float32)
    scores[9] = 0.1  # the left wrist, unsure

    openpose = openpose_from_coco(points, scores)

    assert len(openpose) == 18
    assert openpose[_index("nose")] == (0.0, 0.0)
    assert openpose[_index("neck")] == (55.0, 27.5)  # shoulders at (50, 25) and (60, 30)
    assert openpose[_index("right_shoulder")] == (60.0, 30.0)
    assert openpose[_index("left_shoulder")] == (50.0, 25.0)
    assert openpose[_index("right_eye")] == (20.0, 10.0)
    assert openpose[_index("left_ear")] == (30.0, 15.0)
    assert openpose[_index("right_ankle")] == (160.0, 80.0)
    assert openpose[_index("left_wrist")] is None


def test_an_unsure_shoulder_leaves_the_neck_out() -> None:
    points = np.zeros((17, 2), dtype=np.float32)
    scores = np.full(17, 0.9, dtype=np.float32)
    scores[5] = 0.0

    assert openpose_from_coco(points, scores)[_index("neck")] is None


def test_openpose_from_a_vitpose_folder_is_a_picture_of_the_picture_size(
    vitpose_folder: Path,
) -> None:
    result = preprocess(
        "openpose", _picture((70, 90)), annotators=AnnotatorWeights(pose=vitpose_folder)
    )

    assert result.mode == "RGB"
    assert result.size == (70, 90)


# -- start-up cost -------------------------------------------------------------------------


def test_importing_the_preprocessors_loads_no_model_library() -> None:
    imports = "import sdstudio.engine.controlnet_preprocessors"

    assert libraries_loaded_by(imports, {"cv2", "torch", "transformers"}) == []
