"""Depth and normal maps from a transformers depth-estimation model in a folder.

The depth preprocessors (A1111's ``depth_midas``, ``depth_anything``, ``depth_anything_v2``,
``depth_zoe``) all run the model in the depth folder (:mod:`annotator_weights`): which one is
the user's choice of weights, any model ``AutoModelForDepthEstimation`` reads (DPT/MiDaS,
Depth Anything v1 and v2, ZoeDepth…). As in A1111 the map is the predicted depth at the
picture's size, spread to 0–255 with near white and far black, in the three channels. Models
that predict metric distance (ZoeDepth, Depth Anything's metric variants: far is larger) are
turned around so near is white as well.

``normal_midas`` (A1111's module ``normal_map``) derives surface normals from that depth as
A1111 does (:func:`normal_from_depth`).
"""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
from PIL import Image

from sdstudio.engine.controlnet_preprocessors.annotator_models import (
    loaded_annotator,
    model_failure,
)
from sdstudio.engine.controlnet_preprocessors.annotator_weights import DEPTH
from sdstudio.engine.controlnet_preprocessors.pixels import rgb_array, rgb_image

NORMAL_Z = 2.0 * math.pi  # A1111's ``a``: how steep a depth step must be to tilt a normal
WORKING_SIDE = 512  # A1111's default "Preprocessor Resolution": the normals' short side


def predicted_depth(image: Image.Image, folder: Path, size: tuple[int, int]) -> np.ndarray:
    """The model's depth of ``image`` as ``float32`` at ``size`` (width, height), larger
    nearer (relative inverse depth, as MiDaS gives it)."""
    import torch

    annotator = loaded_annotator(DEPTH, folder)
    picture = rgb_image(rgb_array(image))
    width, height = size
    try:
        with annotator.lock, torch.inference_mode():
            inputs = annotator.processor(images=picture, return_tensors="pt")
            outputs = annotator.model(**inputs)
            depth = _post_processed(annotator.processor, outputs, picture.size, (height, width))
            depth = depth.to(torch.float32).reshape(height, width).cpu().numpy()
    except (RuntimeError, ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
        raise model_failure(DEPTH, folder, error) from error
    if _predicts_distance(annotator.model.config):
        depth = depth.max() - depth
    return np.ascontiguousarray(depth, dtype=np.float32)


def depth_map(image: Image.Image, folder: Path) -> Image.Image:
    """A1111's depth map: the predicted depth at the picture's size, min to max spread over
    0–255 (near white, far black), gray in RGB. A depth without any variation is black."""
    depth = predicted_depth(image, folder, image.size)
    return rgb_image(_spread(depth) * 255.0)


def normal_from_depth(depth: np.ndarray, background_threshold: float = 0.4) -> np.ndarray:
    """A1111's ``normal_midas`` arithmetic on a depth array (larger nearer): ``H×W×3`` uint8.

    The depth's x and y slopes (OpenCV's 3×3 Sobel on the raw values) and a constant
    ``z = 2π`` make a vector per pixel, scaled to length 1 and mapped from −1..1 to 0..255.
    Where the depth, spread over 0..1, is below ``background_threshold`` the slopes are
    dropped, so the far background comes out facing the viewer. The channels are written as
    A1111 writes them, z first: red is z, green the y slope (downwards), blue the x slope
    (rightwards), so a surface facing the viewer is (255, 127, 127) and one rising to the right
    is bluer.
    """
    import cv2

    raw = np.asarray(depth, dtype=np.float32)
    x = cv2.Sobel(raw, cv2.CV_32F, 1, 0, ksize=3)
    y = cv2.Sobel(raw, cv2.CV_32F, 0, 1, ksize=3)
    background = _spread(raw) < background_threshold
    x[background] = 0.0
    y[background] = 0.0
    z = np.full_like(x, NORMAL_Z)
    normal = np.stack([x, y, z], axis=2)
    normal /= np.sqrt(np.sum(normal**2, axis=2, keepdims=True))
    pixels = (normal * 127.5 + 127.5).clip(0, 255).astype(np.uint8)
    return np.ascontiguousarray(pixels[:, :, ::-1])


def normal_map(image: Image.Image, folder: Path, bg_threshold: float = 0.4) -> Image.Image:
    """Normals from the model's depth at A1111's working size (short side 512, where the
    slopes are measured), brought to the picture's size."""
    import cv2

    scale = WORKING_SIDE / min(image.size)
    working = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    depth = predicted_depth(image, folder, working)
    normals = normal_from_depth(depth, bg_threshold)
    if working != image.size:
        normals = cv2.resize(normals, image.size, interpolation=cv2.INTER_LINEAR)
    return rgb_image(normals)


def _spread(depth: np.ndarray) -> np.ndarray:
    """``depth`` moved and scaled to 0..1 (all 0 when it is flat)."""
    low, high = float(depth.min()), float(depth.max())
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return np.zeros_like(depth, dtype=np.float32)
    return ((depth - low) / (high - low)).astype(np.float32)


def _post_processed(processor, outputs, source: tuple[int, int], target: tuple[int, int]):
    """The predicted depth at ``target`` (height, width), the processor's padding removed
    where it pads (ZoeDepth); a plain bicubic resize for a processor without the step."""
    import torch

    post = getattr(processor, "post_process_depth_estimation", None)
    if post is not None:
        parameters = inspect.signature(post).parameters
        options = {"target_sizes": [target]}
        if "source_sizes" in parameters:
            options["source_sizes"] = [(source[1], source[0])]
        return post(outputs, **options)[0]["predicted_depth"]
    depth = outputs.predicted_depth
    if depth.dim() == 3:
        depth = depth[:, None]
    resized = torch.nn.functional.interpolate(
        depth, size=target, mode="bicubic", align_corners=False
    )
    return resized[0, 0]


def _predicts_distance(config) -> bool:
    """Metric models: larger is farther."""
    return (
        getattr(config, "model_type", "") == "zoedepth"
        or getattr(config, "depth_estimation_type", "relative") == "metric"
    )
