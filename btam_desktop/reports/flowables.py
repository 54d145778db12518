"""Small drawing pieces for forms filled in by hand: check boxes, writing lines, date and
number boxes, rating scales, section bars and shaded panels."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table

from btam_desktop.reports.base import (
    ACCENT,
    ACCENT_LIGHT,
    FONT,
    FONT_BOLD,
    HAIRLINE,
    INK,
    MUTED,
    SHADE,
    WRITE_LINE,
    Paragraph,
    hex_of,
    para,
    safe_text,
    styles,
    table_style,
)
from btam_desktop.reports.fonts import draw as draw_text
from btam_desktop.reports.fonts import width as text_width

_MUTED = hex_of(MUTED)
BOX = 9.0  # side of a check box, in points
BOX_LINE = 0.8


def draw_box(canv: Any, x: float, y: float, size: float = BOX) -> None:
    canv.saveState()
    canv.setStrokeColor(INK)
    canv.setLineWidth(BOX_LINE)
    canv.setFillColor(colors.white)
    canv.rect(x, y, size, size, stroke=1, fill=1)
    canv.restoreState()


class Check(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A check box followed by a label that wraps under itself."""

    def __init__(self, label_markup: str, style: Any = None, *, gap: float = 5.0) -> None:
        super().__init__()
        self.style = style or styles().choice
        self.para = Paragraph(label_markup, self.style)
        self.gap = gap
        self._para_h = 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        _, self._para_h = self.para.wrap(max(aw - BOX - self.gap, 20), ah)
        self.width = aw
        self.height = max(self._para_h, BOX + 1)
        return aw, self.height

    def draw(self) -> None:
        top = self.height
        # the box sits on the first line, its bottom a little under the baseline
        first_baseline = top - self.style.fontSize
        draw_box(self.canv, 0, first_baseline - 1.6)
        self.para.drawOn(self.canv, BOX + self.gap, top - self._para_h)


class InlineChecks(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Check boxes with short labels side by side ("[ ] Yes  [ ] No  [ ] Unknown")."""

    def __init__(
        self,
        labels: Sequence[str],
        *,
        size: float = 8.8,
        spacing: float = 13.0,
        align_right: bool = False,
    ) -> None:
        super().__init__()
        self.labels = [safe_text(label) for label in labels]
        self.size = size
        self.spacing = spacing
        self.align_right = align_right
        self._lines: list[list[tuple[str, float]]] = []

    def _item_width(self, label: str) -> float:
        return BOX + 4 + text_width(label, FONT, self.size)

    def natural_width(self) -> float:
        widths = [self._item_width(label) for label in self.labels]
        return sum(widths) + self.spacing * (len(widths) - 1)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._lines = [[]]
        used = 0.0
        for label in self.labels:
            w = self._item_width(label)
            if self._lines[-1] and used + self.spacing + w > aw:
                self._lines.append([])
                used = 0.0
            used += (self.spacing if self._lines[-1] else 0) + w
            self._lines[-1].append((label, w))
        self.width = aw
        self.height = len(self._lines) * 15.0
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        y = self.height - 11.5
        for line in self._lines:
            total = sum(w for _, w in line) + self.spacing * (len(line) - 1)
            x = self.width - total if self.align_right else 0.0
            for label, w in line:
                draw_box(canv, x, y - 1.4)
                canv.setFillColor(INK)
                draw_text(canv, x + BOX + 4, y, label, FONT, self.size)
                x += w + self.spacing
            y -= 15.0


class WriteLines(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Ruled lines to write on."""

    def __init__(self, count: int, *, gap: float = 19.0, indent: float = 0.0) -> None:
        super().__init__()
        self.count = max(1, count)
        self.gap = gap
        self.indent = indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = self.count * self.gap + 2
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        fits = int((ah - 2) // self.gap)
        if fits < 2 or fits >= self.count:
            return []
        return [
            WriteLines(fits, gap=self.gap, indent=self.indent),
            WriteLines(self.count - fits, gap=self.gap, indent=self.indent),
        ]

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeColor(WRITE_LINE)
        canv.setLineWidth(0.5)
        for n in range(self.count):
            y = self.height - (n + 1) * self.gap
            canv.line(self.indent, y, self.width, y)
        canv.restoreState()


class FillRow(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Labels each followed by a line to write on, side by side: 'Date: ____  By: ____'.

    ``fields`` holds (label, share of the width) pairs.
    """

    def __init__(
        self,
        fields: Sequence[tuple[str, float]],
        *,
        indent: float = 0.0,
        size: float = 8.8,
        height: float = 21.0,
        bold: bool = False,
    ) -> None:
        super().__init__()
        self.fields = [(safe_text(label), share) for label, share in fields]
        self.indent = indent
        self.size = size
        self.row_height = height
        self.font = FONT_BOLD if bold else FONT

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = self.row_height
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        total_share = sum(share for _, share in self.fields) or 1.0
        usable = self.width - self.indent
        gap = 14.0
        x = self.indent
        y = 6.0
        for index, (label, share) in enumerate(self.fields):
            seg = usable * share / total_share - (gap if index < len(self.fields) - 1 else 0)
            canv.setFillColor(INK)
            start = x + draw_text(canv, x, y, label, self.font, self.size) + 4
            canv.saveState()
            canv.setStrokeColor(WRITE_LINE)
            canv.setLineWidth(0.6)
            canv.line(start, y - 2, x + seg, y - 2)
            canv.restoreState()
            x += seg + gap


class DateBoxes(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """Digit boxes for a date: __ / __ / ____, with 'month day year' written under them."""

    CELL = 12.0

    def __init__(
        self,
        order: str = "mdy",
        *,
        indent: float = 0.0,
        captions: tuple[str, str, str] = ("month", "day", "year"),
    ) -> None:
        super().__init__()
        self.order = order
        self.indent = indent
        self.captions = captions

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = self.CELL + 12
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        month, day, year = self.captions
        parts = {"m": (month, 2), "d": (day, 2), "y": (year, 4)}
        x = self.indent
        y = 9.0
        canv.saveState()
        for index, key in enumerate(self.order):
            caption, digits = parts[key]
            start = x
            canv.setStrokeColor(INK)
            canv.setLineWidth(BOX_LINE)
            for _ in range(digits):
                canv.rect(x, y, self.CELL, self.CELL + 1, stroke=1, fill=0)
                x += self.CELL
            canv.setFont(FONT, 6.5)
            canv.setFillColor(MUTED)
            canv.drawCentredString((start + x) / 2, y - 8, caption)
            if index < len(self.order) - 1:
                canv.setFont(FONT, 11)
                canv.setFillColor(INK)
                canv.drawCentredString(x + 6, y + 2, "/")
                x += 12
        canv.restoreState()


class NumberBox(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A box to write a number in, with its unit and allowed range beside it."""

    def __init__(self, unit: str = "", hint: str = "", *, indent: float = 0.0) -> None:
        super().__init__()
        self.unit = safe_text(unit)
        self.hint = safe_text(hint)
        self.indent = indent

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = 20.0
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        box_w = 78.0
        canv.saveState()
        canv.setStrokeColor(INK)
        canv.setLineWidth(BOX_LINE)
        canv.rect(self.indent, 2, box_w, 16, stroke=1, fill=0)
        x = self.indent + box_w + 6
        if self.unit:
            canv.setFillColor(INK)
            x += draw_text(canv, x, 7, self.unit, FONT, 8.8) + 8
        if self.hint:
            canv.setFillColor(MUTED)
            draw_text(canv, x, 7, self.hint, FONT, 7.8)
        canv.restoreState()


class RatingBoxes(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A row of boxes for a rating from ``low`` to ``high``, numbers above, labels below."""

    def __init__(self, low: int, high: int, labels: dict[int, str], *, indent: float = 0.0):
        super().__init__()
        self.low = low
        self.high = high
        self.labels = dict(labels)  # para() prepares them for drawing
        self.indent = indent
        self._cell = 30.0
        self._label_paras: list[tuple[float, Paragraph, float]] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        count = self.high - self.low + 1
        usable = aw - self.indent
        self._cell = min(46.0, usable / count)
        self.width = aw
        style = styles().cell_muted
        self._label_paras = []
        label_h = 0.0
        values = sorted(v for v in self.labels if self.low <= v <= self.high)
        centers = {v: self.indent + (v - self.low + 0.5) * self._cell for v in values}
        left_edge, right_edge = self.indent, self.indent + count * self._cell
        for index, value in enumerate(values):
            center = centers[value]
            before = centers[values[index - 1]] if index > 0 else None
            after = centers[values[index + 1]] if index + 1 < len(values) else None
            # Each label gets the room up to half way to its labelled neighbours; the end
            # labels line up with the outer edges of the first and last boxes.
            left = left_edge if before is None else (before + center) / 2 + 2
            right = right_edge if after is None else (center + after) / 2 - 2
            if before is None and after is None:
                left, right = center - 80, center + 80
            if value == self.low and value != self.high:
                align, x, width = TA_LEFT, left_edge, min(right - left_edge, 110.0)
            elif value == self.high and value != self.low:
                width = min(right_edge - left, 110.0)
                align, x = TA_RIGHT, right_edge - width
            else:
                half = min(center - left, right - center, 80.0)
                align, x, width = TA_CENTER, center - half, 2 * half
            p = Paragraph(para(self.labels[value]), _aligned(style, align))
            _, h = p.wrap(max(width, 20.0), ah)
            label_h = max(label_h, h)
            self._label_paras.append((x, p, h))
        self._label_h = label_h
        self.height = 10 + 13 + (label_h + 3 if label_h else 0) + 2
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        box = min(13.0, self._cell - 6)
        canv.saveState()
        for offset in range(self.high - self.low + 1):
            center = self.indent + (offset + 0.5) * self._cell
            canv.setFont(FONT_BOLD, 8)
            canv.setFillColor(INK)
            canv.drawCentredString(center, top - 8, str(self.low + offset))
            canv.setStrokeColor(INK)
            canv.setLineWidth(BOX_LINE)
            canv.rect(center - box / 2, top - 10 - 2 - box, box, box, stroke=1, fill=0)
        canv.restoreState()
        label_top = top - 10 - 2 - box - 3
        for x, p, h in self._label_paras:
            p.drawOn(canv, x, label_top - h)


_ALIGNED_CACHE: dict[tuple[str, int], ParagraphStyle] = {}


def _aligned(style: ParagraphStyle, alignment: int) -> ParagraphStyle:
    key = (style.name, alignment)
    if key not in _ALIGNED_CACHE:
        _ALIGNED_CACHE[key] = ParagraphStyle(
            f"{style.name}-a{alignment}", parent=style, alignment=alignment
        )
    return _ALIGNED_CACHE[key]


class SectionBar(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A tinted band with the section number and title."""

    def __init__(self, number: str, title: str, *, color: Any = ACCENT) -> None:
        super().__init__()
        st = styles().h1
        number_markup = f'<font color="{_MUTED}">{number}</font>&nbsp;&nbsp;' if number else ""
        self.para = Paragraph(number_markup + para(title), st)
        self.color = color
        self._ph = 0.0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        _, self._ph = self.para.wrap(aw - 16, ah)
        self.width = aw
        self.height = self._ph + 9
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillColor(ACCENT_LIGHT)
        canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canv.setFillColor(self.color)
        canv.rect(0, 0, 3.2, self.height, stroke=0, fill=1)
        canv.restoreState()
        self.para.drawOn(canv, 10, 4.5)


def panel(
    content: Sequence[Flowable],
    width: float,
    *,
    background: Any = SHADE,
    border: Any = None,
    stripe: Any = HAIRLINE,
    padding: float = 7.0,
) -> Table:
    """A shaded box around ``content`` that may break across pages."""
    table = Table([[list(content)]], colWidths=[width], splitInRow=1)
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("LEFTPADDING", (0, 0), (-1, -1), padding + 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding + 2),
        ("TOPPADDING", (0, 0), (-1, -1), padding - 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if border is not None:
        commands.append(("BOX", (0, 0), (-1, -1), 0.8, border))
    elif stripe is not None:
        commands.append(("LINEBEFORE", (0, 0), (0, -1), 2.4, stripe))
    table.setStyle(table_style(commands))
    return table


def check_grid(
    labels: Sequence[str], width: float, *, columns: int | None = None, style: Any = None
) -> Table:
    """Check boxes with (markup) labels in aligned columns; the column count follows the
    longest label unless given."""
    st = style or styles().choice
    if columns is None:
        longest = max(
            (text_width(_plain(label), FONT, st.fontSize) for label in labels), default=0.0
        )
        need = longest + BOX + 5 + 10
        columns = 1
        for candidate in (4, 3, 2):
            if need <= width / candidate and len(labels) >= candidate:
                columns = candidate
                break
    cells = [Check(label, st) for label in labels]
    rows = [cells[i : i + columns] for i in range(0, len(cells), columns)]
    if rows and len(rows[-1]) < columns:
        rows[-1] = rows[-1] + [""] * (columns - len(rows[-1]))  # type: ignore[list-item]
    table = Table(rows, colWidths=[width / columns] * columns, hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _plain(markup: str) -> str:
    text = re.sub(r"<[^>]+>", "", markup)
    return text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<")


class LevelSwatch(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A small color square (for a level of concern), drawn inline in a table cell."""

    def __init__(self, color: str, size: float = 8.0) -> None:
        super().__init__()
        self.color = colors.HexColor(color)
        self.size = size

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setFillColor(self.color)
        self.canv.setStrokeColor(INK)
        self.canv.setLineWidth(0.4)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=1)
        self.canv.restoreState()


def indented(flowable: Flowable, indent: float, width: float) -> Table:
    """``flowable`` moved right by ``indent`` (a one-row table: safe inside KeepTogether)."""
    table = Table([["", flowable]], colWidths=[indent, width - indent], hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table
