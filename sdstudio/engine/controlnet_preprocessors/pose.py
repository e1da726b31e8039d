"""OpenPose skeletons from a ViTPose model in a folder, drawn as A1111's openpose draws them.

ViTPose (transformers' ``VitPoseForPoseEstimation``) finds the 17 COCO keypoints of the person
in a box; the whole picture is that box, so it poses **one person per picture**. The keypoints
become OpenPose's 18 (the neck is the shoulders' midpoint) and are drawn as the OpenPose
ControlNet was trained to read them (:func:`draw_openpose`): 17 limbs as filled ellipses 8 px
thick in OpenPose's colours at 60 %, then each joint as a dot of radius 4 in its full colour,
on black. Keypoints the model is unsure of (score below :data:`MIN_SCORE`) are left out, with
their limbs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from sdstudio.engine.controlnet_preprocessors.annotator_models import (
    loaded_annotator,
    model_failure,
)
from sdstudio.engine.controlnet_preprocessors.annotator_weights import POSE, AnnotatorUnavailable
from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image

Point = tuple[float, float]
MIN_SCORE = 0.3  # DWPose's cut; below it a keypoint is more often wrong than right
LIMB_HALF_WIDTH = 4  # px: OpenPose's "stickwidth"
JOINT_RADIUS = 4
LIMB_SHADE = 0.6  # limbs are drawn darker than the joints

# OpenPose's 18 body keypoints, in its order.
OPENPOSE_KEYPOINTS = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder",
    "left_elbow", "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip",
    "left_knee", "left_ankle", "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip
# Where each comes from among COCO's 17 (nose 0, eyes 1-2, ears 3-4, shoulders 5-6, elbows
# 7-8, wrists 9-10, hips 11-12, knees 13-14, ankles 15-16; left before right); None: the neck.
_FROM_COCO = (0, None, 6, 8, 10, 5, 7, 9, 12, 14, 16, 11, 13, 15, 2, 1, 4, 3)
_SHOULDERS = (5, 6)  # COCO's left and right shoulder
# The limbs OpenPose draws, as pairs of the indices above: neck to shoulders, arms, neck to
# hips, legs, neck to nose, then the face.
LIMBS = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
    (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
)  # fmt: skip
# OpenPose's colours (RGB): limb i is drawn in COLOURS[i] (at 60 %), keypoint i in COLOURS[i].
COLOURS = (
    (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
    (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
    (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
)  # fmt: skip


def limb_colour(limb: int) -> tuple[int, int, int]:
    """The colour limb ``limb`` is drawn in: its OpenPose colour at 60 %."""
    red, green, blue = (int(channel * LIMB_SHADE) for channel in COLOURS[limb])
    return red, green, blue


def draw_openpose(keypoints: Sequence[Point | None], width: int, height: int) -> Image.Image:
    """OpenPose's body drawing of 18 ``keypoints`` (pixels; None: not found) on black.

    Each limb whose two ends are found is a filled ellipse from end to end, 8 px thick, in
    :func:`limb_colour` (later limbs over earlier ones); then each keypoint found is a dot of
    radius 4 in its full colour, over the limbs.
    """
    import cv2

    if len(keypoints) != len(OPENPOSE_KEYPOINTS):
        raise ValueError(f"expected {len(OPENPOSE_KEYPOINTS)} keypoints, got {len(keypoints)}")
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    for index, (start, end) in enumerate(LIMBS):
        first, second = keypoints[start], keypoints[end]
        if first is None or second is None:
            continue
        centre = (int((first[0] + second[0]) / 2), int((first[1] + second[1]) / 2))
        length = math.hypot(first[0] - second[0], first[1] - second[1])
        angle = math.degrees(math.atan2(first[1] - second[1], first[0] - second[0]))
        polygon = cv2.ellipse2Poly(
            centre, (int(length / 2), LIMB_HALF_WIDTH), int(angle), 0, 360, 1
        )
        cv2.fillConvexPoly(canvas, polygon, limb_colour(index))
    for index, point in enumerate(keypoints):
        if point is not None:
            centre = (int(point[0]), int(point[1]))
            cv2.circle(canvas, centre, JOINT_RADIUS, COLOURS[index], thickness=-1)
    return rgb_image(canvas)


def openpose_from_coco(
    points: np.ndarray, scores: np.ndarray, min_score: float = MIN_SCORE
) -> list[Point | None]:
    """COCO's 17 keypoints (``points`` 17×2 in pixels, ``scores`` 17) as OpenPose's 18: the
    neck is the shoulders' midpoint when both are found; a keypoint scored below
    ``min_score`` is None."""
    found = [
        (float(points[i][0]), float(points[i][1])) if float(scores[i]) >= min_score else None
        for i in range(len(points))
    ]
    left, right = (found[i] for i in _SHOULDERS)
    neck = None
    if left is not None and right is not None:
        neck = ((left[0] + right[0]) / 2, (left[1] + right[1]) / 2)
    return [neck if coco is None else found[coco] for coco in _FROM_COCO]


def coco_keypoints(image: Image.Image, folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """The ViTPose model's 17 COCO keypoints (pixels) and their scores, for the whole picture
    taken as one person's box."""
    import torch

    annotator = loaded_annotator(POSE, folder)
    picture = rgb_image(rgb_array(image))
    boxes = [[[0.0, 0.0, float(picture.width), float(picture.height)]]]  # x, y, w, h
    try:
        with annotator.lock, torch.inference_mode():
            inputs = annotator.processor(images=picture, boxes=boxes, return_tensors="pt")
            extra = {}
            if getattr(annotator.model.config.backbone_config, "num_experts", 1) > 1:
                extra["dataset_index"] = torch.zeros(1, dtype=torch.long)  # COCO's head
            outputs = annotator.model(**inputs, **extra)
            person = annotator.processor.post_process_pose_estimation(outputs, boxes=boxes)[0][0]
            points = person["keypoints"].to(torch.float32).cpu().numpy().reshape(-1, 2)
            scores = person["scores"].to(torch.float32).cpu().numpy().reshape(-1)
    except (RuntimeError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise model_failure(POSE, folder, error) from error
    return points, scores


def openpose(image: Image.Image, folder: Path) -> Image.Image:
    """The skeleton of the one person in ``image``, at its size."""
    points, scores = coco_keypoints(image, folder)
    if len(points) != len(_FROM_COCO) - 1:
        raise AnnotatorUnavailable(
            f"The pose model in {folder} gives {len(points)} keypoints, not COCO's 17: "
            "openpose needs a ViTPose model trained on COCO."
        )
    return draw_openpose(openpose_from_coco(points, scores), image.width, image.height)
