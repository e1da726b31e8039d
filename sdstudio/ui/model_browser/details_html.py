"""The details pane's text: one node's facts, tensors, shapes, Q/K/V and explanation."""

from __future__ import annotations

from html import escape

from sdstudio.engine.modules import NodeDetails, format_shape
from sdstudio.engine.modules.shape_records import format_named_shapes

PROJECTION_COLUMNS = ("Role", "Layer", "Features", "Input from", "Shapes")


def details_html(details: NodeDetails) -> str:
    parts = [f"<h3>{escape(details.path)}</h3>", _table(details.facts)]
    if details.tensors:
        rows = [
            (t.name + ("" if t.is_parameter else " (buffer)"), f"{format_shape(t.shape)} {t.dtype}")
            for t in details.tensors
        ]
        parts += ["<h4>Own tensors</h4>", _table(rows)]
    if details.shapes is not None:
        rows = [
            ("Input", format_named_shapes(details.shapes.inputs) or "—"),
            ("Output", format_named_shapes(details.shapes.outputs) or "—"),
        ]
        if details.shapes.calls > 1:
            rows.append(("Calls per pass", str(details.shapes.calls)))
        parts += ["<h4>Shapes in one pass</h4>", _table(rows)]
    if details.projections:
        parts.append(_projections_html(details))
    if details.explanation is not None:
        parts += [
            f"<h4>{escape(details.explanation.title)}</h4>",
            _paragraphs(details.explanation.text),
        ]
    return "\n".join(parts)


def _projections_html(details: NodeDetails) -> str:
    if details.cross_attention:
        intro = (
            "Cross-attention: the queries (Q) come from the image, the keys (K) and values (V) "
            "from the text — the prompt's embeddings."
        )
    else:
        side = details.projections[0].source
        intro = f"Self-attention: Q, K and V all come from the same {side} tokens."
    header = (
        "<tr>" + "".join(f"<th align='left'>{name}</th>" for name in PROJECTION_COLUMNS) + "</tr>"
    )
    rows = []
    for p in details.projections:
        seen = (
            f"{format_shape(p.input_shape)} → {format_shape(p.output_shape)}"
            if p.input_shape is not None and p.output_shape is not None
            else "—"
        )
        rows.append(
            f"<tr><td>{p.role}</td><td>{p.layer}</td>"
            f"<td>in_features={p.in_features} → out_features={p.out_features}</td>"
            f"<td>{p.source}</td><td>{seen}</td></tr>"
        )
    # Room between the columns, so a narrow pane that wraps a cell still reads as a table.
    table = f"<table cellspacing='0' cellpadding='4'>{header}{''.join(rows)}</table>"
    return f"<h4>Where Q, K and V come from</h4><p>{escape(intro)}</p>{table}"


def _table(rows: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>" for label, value in rows
    )
    return f"<table cellspacing='0' cellpadding='2'>{cells}</table>"


def _paragraphs(text: str) -> str:
    """Blank-line separated paragraphs; lines starting with ``- `` become a list."""
    blocks = []
    for block in text.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{escape(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append(f"<p>{escape(' '.join(lines))}</p>")
    return "".join(blocks)
