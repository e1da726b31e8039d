"""Tiny depth and pose models with random weights, saved as the folders users bring.

Built in code (no download): a DPT depth model on a two-layer ViT, a Depth Anything model on a
two-layer DINOv2, and a ViTPose model on a two-layer backbone, each with its image processor
and ``.safetensors`` weights.
"""

from __future__ import annotations

from pathlib import Path


def save_tiny_dpt(folder: Path, seed: int = 0) -> Path:
    """A DPT (MiDaS-like) depth model whose processor works at 32×32."""
    import torch
    from transformers import DPTConfig, DPTForDepthEstimation, DPTImageProcessorPil

    torch.manual_seed(seed)
    config = DPTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=16,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=32,
        backbone_out_indices=[0, 1, 2, 3],
        neck_hidden_sizes=[8, 8, 8, 8],
        fusion_hidden_size=8,
        head_in_index=-1,
        reassemble_factors=[4, 2, 1, 0.5],
    )
    model = DPTForDepthEstimation(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    DPTImageProcessorPil(size={"height": 32, "width": 32}, keep_aspect_ratio=False).save_pretrained(
        folder
    )
    return folder


def save_tiny_depth_anything(folder: Path, seed: int = 0) -> Path:
    """A Depth Anything (v1/v2 architecture) model on a tiny DINOv2, at 28×28."""
    import torch
    from transformers import (
        DepthAnythingConfig,
        DepthAnythingForDepthEstimation,
        Dinov2Config,
        DPTImageProcessorPil,
    )

    torch.manual_seed(seed)
    backbone = Dinov2Config(
        image_size=28,
        patch_size=14,
        hidden_size=16,
        num_hidden_layers=4,
        num_attention_heads=2,
        intermediate_size=32,
        out_indices=[1, 2, 3, 4],
        reshape_hidden_states=False,
    )
    config = DepthAnythingConfig(
        backbone_config=backbone,
        reassemble_hidden_size=16,
        patch_size=14,
        neck_hidden_sizes=[8, 8, 8, 8],
        fusion_hidden_size=8,
        head_hidden_size=8,
    )
    model = DepthAnythingForDepthEstimation(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    DPTImageProcessorPil(
        size={"height": 28, "width": 28},
        keep_aspect_ratio=True,
        ensure_multiple_of=14,
        resample=3,
    ).save_pretrained(folder)
    return folder


def save_tiny_vitpose(folder: Path, seed: int = 0) -> Path:
    """A ViTPose model (17 COCO keypoints) on a two-layer ViT, at 64×48."""
    import torch
    from transformers import (
        VitPoseBackboneConfig,
        VitPoseConfig,
        VitPoseForPoseEstimation,
        VitPoseImageProcessorPil,
    )

    torch.manual_seed(seed)
    backbone = VitPoseBackboneConfig(
        image_size=[64, 48],
        patch_size=[16, 16],
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        mlp_ratio=2,
        out_indices=[2],
    )
    config = VitPoseConfig(backbone_config=backbone, num_labels=17, scale_factor=4)
    model = VitPoseForPoseEstimation(config).eval()
    model.save_pretrained(folder, safe_serialization=True)
    VitPoseImageProcessorPil(size={"height": 64, "width": 48}).save_pretrained(folder)
    return folder
