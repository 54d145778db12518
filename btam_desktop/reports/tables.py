"""Data tables for reports: a header row repeated on every page, light row lines, and the
helpers that turn record values into table cells."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable, Table

from btam_desktop.reports.base import (
    ACCENT,
    HAIRLINE,
    SHADE,
    BidiParagraph,
    Paragraph,
    para,
    styles,
    table_style,
)
from btam_desktop.reports.fonts import has_rtl

# Cells longer than this may be taller than a page: the table then splits inside rows.
LONG_CELL_CHARS = 1800


def cell(text: object, *, bold: bool = False, muted: bool = False) -> Paragraph:
    st = styles()
    style = st.cell_bold if bold else st.cell_muted if muted else st.cell
    value = "" if text is None else str(text)
    if len(value) > 40 and has_rtl(value):
        return BidiParagraph(value, style)  # several lines: wrapped in reading order
    return Paragraph(para(text), style)


def cell_markup(markup: str, *, muted: bool = False) -> Paragraph:
    st = styles()
    return Paragraph(markup, st.cell_muted if muted else st.cell)


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    longest_text: int = 0,
    zebra: bool = True,
) -> Table:
    """A table whose header row repeats on each page it runs onto."""
    st = styles()
    head = [Paragraph(para(h), st.cell_head) for h in headers]
    data: list[list[Any]] = [head, *[list(r) for r in rows]]
    table = Table(
        data,
        colWidths=list(widths),
        repeatRows=1,
        splitInRow=1 if longest_text > LONG_CELL_CHARS else 0,
        hAlign="LEFT",
    )
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LINEBELOW", (0, 0), (-1, 0), 0.9, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.35, HAIRLINE),
    ]
    if zebra and len(data) > 3:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, SHADE]))
    table.setStyle(table_style(commands))
    return table


def key_value_table(
    pairs: Sequence[tuple[str, Flowable | str]], width: float, *, columns: int = 2
) -> Table:
    """Label and value pairs, ``columns`` pairs to a row; a value may be markup or a flowable."""
    st = styles()
    label_w = 92.0
    value_w = width / columns - label_w
    rows: list[list[Any]] = []
    for start in range(0, len(pairs), columns):
        row: list[Any] = []
        for label, value in pairs[start : start + columns]:
            row.append(Paragraph(para(label), st.cell_muted))
            row.append(value if not isinstance(value, str) else Paragraph(value, st.cell))
        while len(row) < 2 * columns:
            row.append("")
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w] * columns, hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LINEBELOW", (0, 0), (-1, -1), 0.35, HAIRLINE),
            ]
        )
    )
    return table
