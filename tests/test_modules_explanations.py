"""Explanations are data files, found from a checkout and from a frozen app alike."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from sdstudio.engine.modules import explanation_for, load_architecture
from sdstudio.engine.modules.explanations import explanations_dir, load_explanations
from sdstudio.engine.resources import resources_dir

REQUIRED = [
    "ResnetBlock2D",
    "Transformer2DModel",
    "BasicTransformerBlock",
    "Attention.self",
    "Attention.cross",
    "FeedForward",
    "GEGLU",
    "Downsample2D",
    "Upsample2D",
    "Timesteps",
    "TimestepEmbedding",
    "CrossAttnDownBlock2D",
    "UNetMidBlock2DCrossAttn",
    "CrossAttnUpBlock2D",
    "CLIPEncoderLayer",
    "CLIPAttention",
    "CLIPMLP",
    "QuickGELUActivation",
    "GroupNorm",
    "LayerNorm",
    "Encoder",
    "Decoder",
]


def test_every_common_block_type_is_explained() -> None:
    table = load_explanations()

    assert [key for key in REQUIRED if key not in table] == []
    assert all(len(table[key].text) > 100 for key in REQUIRED)


def test_cross_and_self_attention_get_different_explanations() -> None:
    root = load_architecture("sd15").tree()
    block = root.find("unet.down_blocks.0.attentions.0.transformer_blocks.0")

    assert explanation_for(block.find("attn2")).title == "Cross-attention"
    assert explanation_for(block.find("attn1")).title == "Self-attention"


def test_a_new_file_adds_an_explanation_without_code(tmp_path: Path) -> None:
    (tmp_path / "Mystery.md").write_text("# A mystery block\nkeys: MysteryBlock\n\nIt does things.")

    explanation = load_explanations(tmp_path)["MysteryBlock"]

    assert (explanation.title, explanation.text) == ("A mystery block", "It does things.")


def test_frozen_app_reads_resources_from_meipass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(explanations_dir(), tmp_path / "resources" / "explanations")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)

    assert resources_dir() == tmp_path / "resources"
    assert "ResnetBlock2D" in load_explanations(explanations_dir())
