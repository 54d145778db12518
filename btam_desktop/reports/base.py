"""What every BTAM document shares: paper, fonts, styles, page header and footer, metadata.

Documents are built in memory and returned as PDF bytes; nothing is written to disk here.

- Fonts: Noto Sans with fallbacks for other scripts (reports/fonts.py, resources/fonts),
  embedded (subset) in every PDF, so a printout looks the same on Windows, macOS and Linux.
- Pages: Letter or A4; a header with the team name and the document title; a footer with a
  confidentiality line and "Page X of Y" (the total is known only once the document is laid
  out, so the header and footer are drawn when the canvas is saved).
- Metadata: title, author (the team name) and subject. Builders never put a person's name in
  them, and never in a suggested file name either.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as _RLParagraph

from btam_desktop.domain.formatting import format_date, format_datetime, plural
from btam_desktop.reports.fonts import FONT as FONT
from btam_desktop.reports.fonts import FONT_BOLD as FONT_BOLD
from btam_desktop.reports.fonts import FONT_BOLD_ITALIC as FONT_BOLD_ITALIC
from btam_desktop.reports.fonts import FONT_ITALIC as FONT_ITALIC
from btam_desktop.reports.fonts import draw as draw_text
from btam_desktop.reports.fonts import (
    embolden,
    has_rtl,
    joined,
    markup,
    needs_shaping,
    prepare,
)
from btam_desktop.reports.fonts import register_fonts as register_fonts
from btam_desktop.reports.fonts import width as text_width

ProgressCallback = Callable[[int, int, str], None]

#: pdfium (pypdfium2, used to show and print these PDFs) is not thread-safe: every use of it in
#: this process, on any thread, holds this lock.
PDFIUM_LOCK = threading.Lock()

# reportlab keeps some process-wide state (fonts, caches); one document is laid out at a time.
_BUILD_LOCK = threading.Lock()

# ---- paper -----------------------------------------------------------------------------------

PAPER_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}

MARGIN_X = 50.0  # about 0.7 inch
MARGIN_TOP = 66.0
MARGIN_BOTTOM = 62.0


def page_size(paper: str) -> tuple[float, float]:
    """The page size in points for ``"letter"`` or ``"a4"``; ValueError for anything else."""
    try:
        return PAPER_SIZES[paper.strip().lower()]
    except (KeyError, AttributeError):
        raise ValueError(f"paper must be 'letter' or 'a4', not {paper!r}") from None


def content_width(paper: str) -> float:
    """The width of the text area between the margins."""
    return page_size(paper)[0] - 2 * MARGIN_X


# ---- fonts -----------------------------------------------------------------------------------
# Noto Sans with per-character fallback to other scripts' fonts (see reports/fonts.py).

_SHAPED_STYLES: dict[str, ParagraphStyle] = {}


def safe_text(text: str) -> str:
    """``text`` as it will be drawn: normalized, right-to-left runs in visual order, a
    hollow square for any character no font has (never a silent '?'; see
    :func:`btam_desktop.reports.fonts.unprintable` to warn before printing)."""
    return prepare(text)


def para(text: object) -> str:
    """Plain text as Paragraph markup: line breaks kept, every script in a font that has it."""
    value = prepare("" if text is None else str(text))
    return markup(value.strip("\n"))


class Paragraph(_RLParagraph):  # type: ignore[misc]  # reportlab is untyped
    """A reportlab Paragraph that shapes its text with HarfBuzz when a script needs it
    (Devanagari); other text skips shaping, which costs time on long narratives."""

    def __init__(
        self, text: str | None, style: ParagraphStyle | None = None, *args: Any, **kw: Any
    ):
        if style is not None and text:
            text = embolden(text, whole=style.fontName in (FONT_BOLD, FONT_BOLD_ITALIC))
            if needs_shaping(text):
                style = _shaped(style)
        super().__init__(text, style, *args, **kw)


class BidiParagraph(Paragraph):
    """Text holding Hebrew or Arabic that may run over several lines. The lines are found in
    reading (logical) order first and only then each put in visual order, so a long Arabic
    narrative reads from its first line down, not from its last."""

    def __init__(self, text: str | None, style: ParagraphStyle | None = None, *a: Any, **kw: Any):
        self._logical = text if isinstance(text, str) and "frags" not in kw else None
        self._laid_for: float | None = None
        markup_text = para(text) if self._logical is not None else text
        self._rtl = _starts_right_to_left(text or "")
        if self._logical is not None and style is not None and self._rtl:
            style = _right_aligned(style)  # a Hebrew or Arabic paragraph sits on the right
        super().__init__(markup_text, style, *a, **kw)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        if self._logical is not None and self._laid_for != aw:
            room = (aw - self.style.leftIndent - self.style.rightIndent) * 0.97
            lines = _logical_lines(self._logical, self.style.fontName, self.style.fontSize, room)
            # every line keeps the paragraph's direction, whatever letter it starts with
            lines_markup = (markup(prepare(line, self._rtl).strip("\n")) for line in lines)
            Paragraph.__init__(self, "<br/>".join(lines_markup), self.style)
            self._laid_for = aw
        return super().wrap(aw, ah)  # type: ignore[no-any-return]


_RIGHT_STYLES: dict[str, ParagraphStyle] = {}


def _right_aligned(style: ParagraphStyle) -> ParagraphStyle:
    found = _RIGHT_STYLES.get(style.name)
    if found is None or found.parent is not style:
        found = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        _RIGHT_STYLES[style.name] = found
    return found


def _starts_right_to_left(text: str) -> bool:
    """The paragraph direction of the bidi algorithm: that of its first strong letter."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _logical_lines(text: str, font: str, size: float, room: float) -> list[str]:
    """``text`` broken into lines of at most ``room`` points, in reading order."""
    lines: list[str] = []
    for logical in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        current: list[str] = []
        used = 0.0
        space = text_width(" ", font, size)
        for word in logical.split(" "):
            need = text_width(joined(word), font, size)  # the order does not change the width
            if current and used + space + need > room:
                lines.append(" ".join(current))
                current, used = [], 0.0
            used += (space if current else 0.0) + need
            current.append(word)
        lines.append(" ".join(current))
    return lines


def text_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text; one holding right-to-left text wraps in reading order."""
    if has_rtl(text):
        return BidiParagraph(text, style)
    return Paragraph(para(text), style)


def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    shaped = _SHAPED_STYLES.get(style.name)
    if shaped is None or shaped.parent is not style:
        shaped = ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)
        _SHAPED_STYLES[style.name] = shaped
    return shaped


# ---- long text -------------------------------------------------------------------------------

#: A paragraph longer than this is laid out in pieces of about this size: reportlab re-wraps
#: the rest of a paragraph at every page break, so one huge paragraph costs the square of
#: its length.
CHUNK_CHARS = 2500
#: How much of each long text an abridged document keeps (about three pages).
ABRIDGED_CHARS = 9000
_CHARS_PER_PAGE = 4200  # a full page of body text, for "about N pages" in the abridged note


def _chunks(line: str) -> Iterator[str]:
    while len(line) > CHUNK_CHARS:
        window = line[: CHUNK_CHARS + 200]
        # end a piece at a sentence if one ends near the limit, else at a space
        cut = max(window.rfind(". ", CHUNK_CHARS - 600), window.rfind("\u3002", CHUNK_CHARS - 600))
        cut = cut + 1 if cut > 0 else window.rfind(" ", CHUNK_CHARS // 2)
        if cut <= 0:
            cut = CHUNK_CHARS
        yield line[:cut]
        line = line[cut:].lstrip(" ")
    if line:
        yield line


def long_text(
    text: str | None,
    style: ParagraphStyle,
    *,
    abridge: bool = False,
    where: str = "",
    empty: str = "",
) -> list[Flowable]:
    """Flowables for a text of any length: one paragraph per line, a huge line in pieces, so
    layout time grows with the length. ``abridge`` keeps the first :data:`ABRIDGED_CHARS`
    characters and says how much was left out and where the full text is (``where``)."""
    value = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not value.strip():
        return [Paragraph(empty, style)] if empty else []
    out: list[Flowable] = []
    used = 0
    left_out = 0
    blank = False
    for line in value.split("\n"):
        if not line.strip():
            blank = True
            continue
        for piece in _chunks(line):
            if abridge and used >= ABRIDGED_CHARS:
                left_out += len(piece)
                continue
            if blank and out:
                out.append(Spacer(1, style.leading * 0.45))
            blank = False
            out.append(text_paragraph(piece, style))
            used += len(piece)
    if left_out:
        pages = max(1, round(left_out / _CHARS_PER_PAGE))
        where_text = f" The full text is in {where}." if where else ""
        out.append(
            Paragraph(
                f"<i>[Abridged: {plural(left_out, 'more character')} (about "
                f"{plural(pages, 'page')}) are left out here.{para(where_text)}]</i>",
                styles().note,
            )
        )
    return out


# ---- colors and styles -----------------------------------------------------------------------

INK = colors.HexColor("#1d232b")
MUTED = colors.HexColor("#5b6470")
ACCENT = colors.HexColor("#1f4e79")
ACCENT_LIGHT = colors.HexColor("#e7eef6")
RULE = colors.HexColor("#aeb7c2")
HAIRLINE = colors.HexColor("#d3d9e0")
SHADE = colors.HexColor("#f3f5f8")
WRITE_LINE = colors.HexColor("#8e98a4")
ALERT = colors.HexColor("#b3261e")
ALERT_LIGHT = colors.HexColor("#fbeceb")


def hex_of(color: colors.Color) -> str:
    """'#rrggbb' for use in Paragraph markup."""
    return "#" + str(color.hexval())[2:]


TAG_STYLES = {
    # flag: (text, text color, background)
    "risk_factor": ("RISK", "#8a3b00", "#fde7d6"),
    "protective_factor": ("PROTECTIVE", "#1e5631", "#dcefe0"),
    "red_flag": ("RED FLAG", "#ffffff", "#b3261e"),
}


def tag(flag: str) -> str:
    """Inline markup for a small marker tag (risk factor, protective factor, red flag)."""
    text, fg, bg = TAG_STYLES[flag]
    return (
        f'<font name="{FONT_BOLD}" size="6.5" color="{fg}" backColor="{bg}">'
        f"&nbsp;{text.replace(' ', '&nbsp;')}&nbsp;</font>"
    )


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    body_bold: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    note: ParagraphStyle
    item: ParagraphStyle
    item_help: ParagraphStyle
    choice: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_head: ParagraphStyle
    cell_muted: ParagraphStyle
    bullet: ParagraphStyle
    center: ParagraphStyle


ITEM_INDENT = 30.0


@cache
def styles() -> Styles:
    register_fonts()
    base = ParagraphStyle(
        "btam-body",
        fontName=FONT,
        fontSize=9.5,
        leading=12.8,
        textColor=INK,
        alignment=TA_LEFT,
        bulletFontName=FONT,
    )

    def make(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(f"btam-{name}", parent=base, **kw)

    return Styles(
        title=make("title", fontName=FONT_BOLD, fontSize=18, leading=22, textColor=ACCENT),
        subtitle=make("subtitle", fontSize=10, leading=13.5, textColor=MUTED),
        h1=make("h1", fontName=FONT_BOLD, fontSize=11.5, leading=14.5, textColor=ACCENT),
        h2=make("h2", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=INK, spaceBefore=4),
        body=base,
        body_bold=make("body-bold", fontName=FONT_BOLD),
        small=make("small", fontSize=8.5, leading=11),
        muted=make("muted", fontSize=8, leading=10.5, textColor=MUTED),
        note=make("note", fontName=FONT_ITALIC, fontSize=8, leading=10.5, textColor=MUTED),
        item=make(
            "item",
            fontSize=9.5,
            leading=12.5,
            leftIndent=ITEM_INDENT,
            bulletIndent=0,
            bulletFontName=FONT_BOLD,
            bulletFontSize=9,
        ),
        item_help=make(
            "item-help",
            fontName=FONT_ITALIC,
            fontSize=8,
            leading=10.3,
            textColor=MUTED,
            leftIndent=ITEM_INDENT,
        ),
        choice=make("choice", fontSize=8.8, leading=11.2),
        cell=make("cell", fontSize=8.3, leading=10.4),
        cell_bold=make("cell-bold", fontName=FONT_BOLD, fontSize=8.3, leading=10.4),
        cell_head=make(
            "cell-head", fontName=FONT_BOLD, fontSize=7.8, leading=9.6, textColor=ACCENT
        ),
        cell_muted=make("cell-muted", fontSize=7.6, leading=9.6, textColor=MUTED),
        bullet=make("bullet", leftIndent=12, bulletIndent=2, bulletFontName=FONT),
        center=make("center", alignment=TA_CENTER),
    )


def table_style(commands: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    """A TableStyle whose plain-string cells use the embedded font (not reportlab's default
    Helvetica, which would not be embedded)."""
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 8.3),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            *commands,
        ]
    )


# ---- formatting values -----------------------------------------------------------------------

# The team's date format, the same as on screen (domain.formatting): "4 Mar 2026, 14:05".
fmt_date = format_date
fmt_datetime = format_datetime


def utc_offset_label() -> str:
    """'UTC-05:00': the offset the times in a document are shown in."""
    offset = datetime.now().astimezone().utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def label_of(enum_type: Any, value: str | None) -> str:
    """The label of a stored enum value, or the value itself if it is not (or no longer) known."""
    if not value:
        return ""
    try:
        member = enum_type(value)
    except ValueError:
        member = None
    label = getattr(member, "label", None)
    return str(label) if label else value.replace("_", " ").capitalize()


# ---- file names ------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


def _clean_name_part(text: str) -> str:
    return re.sub(r"\s+", " ", _UNSAFE_NAME.sub("-", text)).strip(" .-")


def suggested_file_name(
    kind: str,
    case_number: str | None = None,
    *,
    form_id: str | None = None,
    version: str | None = None,
    audience: str | None = None,
    on: date | None = None,
) -> str:
    """A file name for saving a document, never holding a person's name.

    ``kind``: ``case_summary``, ``blank_checklist``, ``recovery_sheet``, ``handout``,
    ``meeting_agenda``, ``assessment`` (case number, form id and version) or ``plan`` (case
    number and plan version) (spaces work as well as underscores).

    >>> suggested_file_name("case_summary", "2026-0042")
    '2026-0042 case summary.pdf'
    >>> suggested_file_name("blank_checklist", form_id="btam.screening", version="1.0.0")
    'blank checklist - btam.screening v1.0.0.pdf'
    >>> suggested_file_name("assessment", "2026-0042", form_id="btam.screening", version="1.0.0")
    '2026-0042 assessment - btam.screening v1.0.0.pdf'
    >>> suggested_file_name("plan", "2026-0042", version="2")
    '2026-0042 management plan v2.pdf'
    """
    key = kind.strip().lower().replace(" ", "_").replace("-", "_")
    day = (on or date.today()).isoformat()
    if key == "case_summary":
        name = f"{case_number} case summary" if case_number else "case summary"
    elif key == "blank_checklist":
        name = "blank checklist"
        if form_id:
            name += f" - {form_id}" + (f" v{version}" if version else "")
    elif key == "recovery_sheet":
        name = f"vault recovery sheet {day}"
    elif key == "handout":
        name = "recognize and report handout" + (f" - {audience}" if audience else "")
    elif key == "meeting_agenda":
        name = f"team meeting agenda {day}"
    elif key == "assessment":
        name = f"{case_number} assessment" if case_number else "assessment"
        if form_id:
            name += f" - {form_id}" + (f" v{version}" if version else "")
    elif key == "plan":
        name = f"{case_number} management plan" if case_number else "management plan"
        if version:
            name += f" v{version}"
    else:
        name = key.replace("_", " ") + (f" {case_number}" if case_number else "")
    return (_clean_name_part(name) or "document") + ".pdf"


# ---- the page frame: header, footer, metadata ------------------------------------------------

CONFIDENTIAL_LINE = (
    "Confidential: threat assessment record. Do not copy or disclose except as the law allows."
)
PRODUCER = "BTAM Desktop"


def confidential_line(settings: Any) -> str:
    """The team's own confidentiality line (Settings), or the standard wording."""
    return str(getattr(settings, "confidentiality_line", "") or "").strip() or CONFIDENTIAL_LINE


@dataclass(frozen=True)
class DocInfo:
    """What the page frame and the PDF metadata show. Never a person's name."""

    title: str
    team_name: str
    subject: str
    header_right: str = ""  # defaults to the title
    footer_note: str = ""  # a small second footer line (form id and version, print date)
    case_field: bool = False  # a "Case no. ______" blank in the header (blank forms)
    confidential_line: str | None = CONFIDENTIAL_LINE
    keywords: tuple[str, ...] = ()
    language: str = "en"  # of the page frame's own words ("Page 1 of 2", "Case no.")


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` (prepared for drawing) shortened with an ellipsis to fit ``width``."""
    text = safe_text(text)
    if text_width(text, font, size) <= width:
        return text
    # halve the overshoot first: a long team name or title is cut in a few steps
    while len(text) > 8 and text_width(text[: len(text) // 2], font, size) > width:
        text = text[: len(text) // 2]
    while text and text_width(text + "\u2026", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "\u2026"


def _draw_right(canv: Canvas, x_end: float, y: float, text: str, font: str, size: float) -> None:
    draw_text(canv, x_end - text_width(text, font, size), y, text, font, size)


def draw_page_frame(canv: Canvas, info: DocInfo, page: int, total: int) -> None:
    """Header and footer of one page (called once the page count is known)."""
    width, height = canv._pagesize
    left, right = MARGIN_X, width - MARGIN_X
    canv.saveState()
    # header
    top = height - 34
    canv.setFillColor(ACCENT)
    usable = right - left
    team = _fit(info.team_name, FONT_BOLD, 8.5, usable * 0.45)
    draw_text(canv, left, top, team, FONT_BOLD, 8.5)
    canv.setFillColor(MUTED)
    right_text = info.header_right or info.title
    x_end = right
    if info.case_field:
        field_w = 92.0
        label = "Caso n.º" if info.language == "es" else "Case no."
        label_w = text_width(label, FONT, 8.5)
        draw_text(canv, right - field_w, top, label, FONT, 8.5)
        canv.setStrokeColor(WRITE_LINE)
        canv.setLineWidth(0.6)
        canv.line(right - field_w + label_w + 4, top - 2, right, top - 2)
        x_end = right - field_w - 14
    room = x_end - left - text_width(team, FONT_BOLD, 8.5) - 18
    _draw_right(canv, x_end, top, _fit(right_text, FONT, 8.5, max(room, 40)), FONT, 8.5)
    canv.setStrokeColor(RULE)
    canv.setLineWidth(0.6)
    canv.line(left, top - 8, right, top - 8)
    # footer
    base = 40
    canv.setStrokeColor(RULE)
    canv.line(left, base + 10, right, base + 10)
    canv.setFillColor(INK)
    of_total = str(total) if total else "\u2026"  # 0: not known yet (a first-pages preview)
    page_text = (
        f"Página {page} de {of_total}" if info.language == "es" else f"Page {page} of {of_total}"
    )
    _draw_right(canv, right, base, page_text, FONT_BOLD, 8)
    room = usable - text_width(page_text, FONT_BOLD, 8) - 16
    if info.confidential_line:
        canv.setFillColor(INK)
        line = _fit(info.confidential_line, FONT_BOLD, 7.2, room)
        draw_text(canv, left, base, line, FONT_BOLD, 7.2)
    if info.footer_note:
        canv.setFillColor(MUTED)
        draw_text(canv, left, base - 10, _fit(info.footer_note, FONT, 6.8, usable), FONT, 6.8)
    canv.restoreState()


class _PagedCanvas(Canvas):  # type: ignore[misc]  # reportlab is untyped
    """Holds every page back until the end, then draws header and footer with the total."""

    def __init__(self, *args: Any, info: DocInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._info = info
        self._pages: list[dict[str, Any]] = []
        self.total_unknown = False  # a first-pages preview: "Page 1 of …"

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            draw_page_frame(self, self._info, number, 0 if self.total_unknown else total)
            Canvas.showPage(self)
        self._pages.clear()
        Canvas.save(self)


class _EnoughPages(Exception):
    """Stops laying out once a first-pages preview has its pages."""


class _Document(BaseDocTemplate):  # type: ignore[misc]  # reportlab is untyped
    def __init__(
        self,
        buffer: BytesIO,
        on_page: Callable[[int], None] | None,
        max_pages: int | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(buffer, **kw)
        self._on_page = on_page
        self._max_pages = max_pages

    def afterPage(self) -> None:
        if self._on_page is not None:
            self._on_page(self.page)
        if self._max_pages is not None and self.page >= self._max_pages:
            raise _EnoughPages


def build_pdf(
    story: Sequence[Flowable],
    info: DocInfo,
    paper: str = "letter",
    *,
    on_page: Callable[[int], None] | None = None,
    max_pages: int | None = None,
) -> bytes:
    """Lay out ``story`` on pages with the BTAM frame and return the PDF bytes.

    ``on_page(page_number)`` is called after each page is laid out (for progress).
    ``max_pages`` stops after that many pages: a quick first look, whose pages say
    "Page 1 of …" since the total is not known.
    """
    return build_pdf_counted(story, info, paper, on_page=on_page, max_pages=max_pages)[0]


def build_pdf_counted(
    story: Sequence[Flowable],
    info: DocInfo,
    paper: str = "letter",
    *,
    on_page: Callable[[int], None] | None = None,
    max_pages: int | None = None,
) -> tuple[bytes, int]:
    """Like :func:`build_pdf`, also returning the number of pages."""
    register_fonts()
    size = page_size(paper)
    buffer = BytesIO()
    doc = _Document(
        buffer,
        on_page,
        max_pages,
        pagesize=size,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=_metadata(info.title),
        author=_metadata(info.team_name),
        subject=_metadata(info.subject),
        creator=PRODUCER,
        producer=PRODUCER,
        keywords=list(info.keywords),
        pageCompression=1,
        lang="es" if info.language == "es" else "en-US",
        displayDocTitle=1,
        initialFontName=FONT,
        initialFontSize=9.5,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        size[0] - 2 * MARGIN_X,
        size[1] - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], pagesize=size)])

    def canvasmaker(*args: Any, **kwargs: Any) -> Canvas:
        return _PagedCanvas(*args, info=info, **kwargs)

    with _BUILD_LOCK:
        try:
            doc.build(list(story), canvasmaker=canvasmaker)
        except _EnoughPages:
            # the last page is drawn but not yet ended: end it, then write what there is
            doc.canv.total_unknown = True
            doc.canv.showPage()
            doc.canv.save()
    return buffer.getvalue(), doc.page


def _metadata(text: str) -> str:
    # metadata is read by software, not drawn: logical order, no joining forms
    return unicodedata.normalize("NFC", text)


def printed_on_note(extra: str = "") -> str:
    """'Printed 4 Mar 2026 from BTAM Desktop' (plus ``extra``), for the footer."""
    text = f"Printed {fmt_date(date.today())} from BTAM Desktop"
    return f"{extra} \u00b7 {text}" if extra else text
