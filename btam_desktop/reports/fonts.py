"""Fonts for every script, chosen character by character, and text made ready to print.

The fonts live in ``resources/fonts/`` (licences beside them, see its README). Each style
(regular, bold, italic, bold italic) has a chain: Noto Sans first (Latin with every diacritic,
Vietnamese included, Greek, Cyrillic), then Noto Sans Arabic, Noto Sans Hebrew, Noto Sans
Devanagari, WenQuanYi Micro Hei (Chinese, Japanese kana, Korean hangul) and Symbola
(monochrome emoji and symbols). A character is printed with the first font of the chain that
has it; reportlab embeds only the glyphs used (subset fonts).

Right-to-left text: Arabic letters are joined (presentation forms, by ``arabic_reshaper``) and
every line holding Hebrew or Arabic is put in visual order by the Unicode bidirectional
algorithm (``python-bidi``), so a Hebrew or Arabic name inside an English sentence reads
correctly. Devanagari needs real shaping (conjuncts, vowel signs placed before the consonant):
paragraphs holding it are shaped by HarfBuzz through reportlab (see :func:`needs_shaping`).

A character no font has is never replaced silently: :func:`unprintable` lists such characters
so the program can say so before printing; on paper they show as a hollow square.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi import get_display
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import paragraph as rl_paragraph

ENV_OVERRIDE = "BTAM_RESOURCES_DIR"

FONT = "BtamSans"
FONT_BOLD = "BtamSans-Bold"
FONT_ITALIC = "BtamSans-Italic"
FONT_BOLD_ITALIC = "BtamSans-BoldItalic"

#: What a character no font can draw is printed as (the program warns before printing).
MISSING_MARK = "\u25a1"


@dataclass(frozen=True)
class _Face:
    name: str
    file: str
    subfont: int = 0


# The four faces of the main family, then the fallback chain of each: (regular, bold).
_MAIN = {
    FONT: "NotoSans-Regular.ttf",
    FONT_BOLD: "NotoSans-Bold.ttf",
    FONT_ITALIC: "NotoSans-Italic.ttf",
    FONT_BOLD_ITALIC: "NotoSans-BoldItalic.ttf",
}
_FALLBACKS: tuple[tuple[_Face, _Face], ...] = (
    (
        _Face("BtamArabic", "NotoSansArabic-Regular.ttf"),
        _Face("BtamArabic-Bold", "NotoSansArabic-Bold.ttf"),
    ),
    (
        _Face("BtamHebrew", "NotoSansHebrew-Regular.ttf"),
        _Face("BtamHebrew-Bold", "NotoSansHebrew-Bold.ttf"),
    ),
    (
        _Face("BtamDevanagari", "NotoSansDevanagari-Regular.ttf"),
        _Face("BtamDevanagari-Bold", "NotoSansDevanagari-Bold.ttf"),
    ),
    (_Face("BtamCJK", "wqy-microhei.ttc"), _Face("BtamCJK", "wqy-microhei.ttc")),
    (_Face("BtamSymbols", "Symbola.ttf"), _Face("BtamSymbols", "Symbola.ttf")),
)
_BOLD_FACES = {FONT_BOLD, FONT_BOLD_ITALIC}

_lock = threading.Lock()
_ready = False


def fonts_dir() -> Path:
    """``resources/fonts``: next to the bundled modules in a frozen build, at the repository
    root in a checkout; ``BTAM_RESOURCES_DIR`` overrides both."""
    candidates: list[Path] = []
    override = os.environ.get(ENV_OVERRIDE)
    if override:
        candidates.append(Path(override) / "fonts")
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources" / "fonts")
    candidates.append(Path(__file__).resolve().parents[2] / "resources" / "fonts")
    for candidate in candidates:
        if (candidate / _MAIN[FONT]).is_file():
            return candidate
    searched = ", ".join(str(c) for c in candidates)
    raise FileNotFoundError(f"BTAM Desktop fonts not found (looked in: {searched})")


_reportlab_to_unicode = ttfonts.makeToUnicodeCMap
_reportlab_shape_word = rl_paragraph.shapeFragWord


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode map, with characters beyond U+FFFF (emoji) written as UTF-16
    surrogate pairs, as PDF requires; reportlab writes five hex digits, which readers and
    text extraction take for a different character."""
    cmap = str(_reportlab_to_unicode(fontname, subset))
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            cmap = cmap.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>")
    return cmap


def _shape_indic_words_only(word: list[object], *args: object, **kwargs: object) -> object:
    """reportlab shapes every word of a shaped paragraph with HarfBuzz. Only Indic words need
    it: Arabic and Hebrew words are already joined and in visual order (HarfBuzz would turn
    them back), and other words gain nothing but cost time."""
    text = "".join(str(piece[1]) for piece in word[1:] if isinstance(piece, tuple))
    if not _SHAPED_SCRIPTS.search(text):
        return word
    return _reportlab_shape_word(word, *args, **kwargs)


def register_fonts() -> None:
    """Register every face once per process (safe to call from any thread)."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        rl_paragraph.shapeFragWord = _shape_indic_words_only
        folder = fonts_dir()
        for name, file_name in _MAIN.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file_name)))
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC
        )
        for regular, bold in _FALLBACKS:
            for face in {regular, bold}:
                if face.name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(
                        TTFont(face.name, str(folder / face.file), subfontIndex=face.subfont)
                    )
            # <b> and <i> inside a run of this script pick the right face.
            pdfmetrics.registerFontFamily(
                regular.name,
                normal=regular.name,
                bold=bold.name,
                italic=regular.name,
                boldItalic=bold.name,
            )
        _ready = True


@cache
def _cmap(font_name: str) -> frozenset[int]:
    register_fonts()
    return frozenset(pdfmetrics.getFont(font_name).face.charToGlyph)


def chain(primary: str) -> tuple[str, ...]:
    """The fonts tried, in order, for text set in ``primary`` (a main-family face)."""
    bold = primary in _BOLD_FACES
    main = primary if primary in _MAIN else FONT
    return (main, *(b.name if bold else r.name for r, b in _FALLBACKS))


# Characters that take no room and need no glyph: joiners, marks of direction, variation
# selectors. They are dropped before drawing (bidi ordering has already used them).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufe00-\ufe0f\ufeff]")


@lru_cache(maxsize=65536)
def font_for(char: str, primary: str = FONT) -> str | None:
    """The first font of ``primary``'s chain that can draw ``char``; None if none can."""
    code = ord(char)
    for name in chain(primary):
        if code in _cmap(name):
            return name
    return None


def _printable(char: str) -> bool:
    return char in "\n\t " or font_for(char) is not None


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` that no font can print, in order of appearance
    (invisible formatting characters do not count)."""
    text = unicodedata.normalize("NFC", text)
    seen: dict[str, None] = {}
    for char in _INVISIBLE.sub("", text):
        if char not in seen and not _printable(char) and unicodedata.category(char) != "Cc":
            seen[char] = None
    return list(seen)


def describe_chars(chars: Iterable[str]) -> str:
    """'U+1F9FF NAZAR AMULET, U+E000' for a message."""
    parts = []
    for char in chars:
        name = unicodedata.name(char, "")
        parts.append(f"U+{ord(char):04X} {name}".strip())
    return ", ".join(parts)


_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_ARABIC_CHARS = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
_SHAPED_SCRIPTS = re.compile("[\u0900-\u0dff\ua8e0-\ua8ff]")  # Indic scripts


def needs_shaping(text: str) -> bool:
    """Whether ``text`` holds a script that must be shaped by HarfBuzz (Devanagari and the
    other Indic scripts)."""
    return bool(_SHAPED_SCRIPTS.search(text))


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds Hebrew or Arabic (right-to-left) letters."""
    return bool(_RTL_CHARS.search(text))


@lru_cache(maxsize=65536)
def _joined_word(word: str) -> str:
    return str(arabic_reshaper.reshape(word))


def joined(text: str) -> str:
    """Arabic letters in their joining forms, in logical order (other text unchanged).
    Letters join only within a word, so words are shaped one at a time, and remembered:
    the reshaper is slow, and a narrative repeats its words."""
    if not _ARABIC_CHARS.search(text):
        return text
    return " ".join(_joined_word(w) if _ARABIC_CHARS.search(w) else w for w in text.split(" "))


def visual_line(line: str, rtl: bool | None = None) -> str:
    """One line in the order it is drawn: Arabic joined, right-to-left runs reversed
    (left-to-right text keeps its order). Lines with no Hebrew or Arabic are unchanged.
    ``rtl``: the paragraph's direction when the line is part of a longer paragraph (by
    default, that of the line's first letter)."""
    if not _RTL_CHARS.search(line):
        return line
    line = joined(line)
    base = None if rtl is None else ("R" if rtl else "L")
    return str(get_display(line, base_dir=base))


def prepare(text: str, rtl: bool | None = None) -> str:
    """``text`` (logical order, any normalization) as it will be drawn: NFC, each line in
    visual order, invisible characters dropped, no-font characters as :data:`MISSING_MARK`.
    ``rtl``: see :func:`visual_line`."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _RTL_CHARS.search(text):
        text = "\n".join(visual_line(line, rtl) for line in text.split("\n"))
    text = _INVISIBLE.sub("", text)
    if text.isascii():
        return text
    return "".join(ch if _printable(ch) or ch in "\n\t" else MISSING_MARK for ch in text)


def runs(text: str, primary: str = FONT) -> Iterator[tuple[str, str]]:
    """``(font, piece)`` runs of already prepared ``text``: each piece in one font. Spaces and
    other characters every font has stay in the current run."""
    if text.isascii():
        yield primary, text
        return
    current = primary
    start = 0
    for index, char in enumerate(text):
        if char in " \n\t" or char.isascii():
            font = primary if char.isascii() and char not in " \n\t" else current
        else:
            font = font_for(char, primary) or primary
        if font != current:
            if index > start:
                yield current, text[start:index]
            current, start = font, index
    if start < len(text):
        yield current, text[start:]


def markup(text: str, primary: str = FONT) -> str:
    """Prepared ``text`` as Paragraph markup: escaped, fallback fonts named per run, line
    breaks as <br/>. Fallback fonts are named by family so <b> and <i> still apply."""
    parts: list[str] = []
    for font, piece in runs(text, primary):
        escaped = escape(piece).replace("\n", "<br/>")
        if font == primary:
            parts.append(escaped)
        else:
            parts.append(f'<font name="{_family(font)}">{escaped}</font>')
    return "".join(parts)


def _family(font: str) -> str:
    return font.removesuffix("-Bold")


_FALLBACK_TAG = re.compile('<font name="(Btam(?:Arabic|Hebrew|Devanagari))">')


_BOLD_SPAN = re.compile(r"<b>.*?</b>", re.DOTALL)


def embolden(markup_text: str, *, whole: bool = True) -> str:
    """Markup whose fallback runs use the bold faces: all of them (``whole``, for a paragraph
    set in bold) or those inside <b>...</b>."""
    if '<font name="Btam' not in markup_text:
        return markup_text
    if whole:
        return _FALLBACK_TAG.sub(r'<font name="\1-Bold">', markup_text)
    return _BOLD_SPAN.sub(lambda m: embolden(m.group(0)), markup_text)


def width(text: str, font: str, size: float) -> float:
    """The drawn width of prepared ``text`` set in ``font`` with fallbacks."""
    return float(sum(pdfmetrics.stringWidth(piece, f, size) for f, piece in runs(text, font)))


def draw(canv: object, x: float, y: float, text: str, font: str, size: float) -> float:
    """Draw prepared ``text`` from ``x`` on the baseline ``y`` with fallback fonts; returns
    the width drawn. The canvas's font is left as ``font``."""
    start = x
    for run_font, piece in runs(text, font):
        canv.setFont(run_font, size)  # type: ignore[attr-defined]
        canv.drawString(x, y, piece)  # type: ignore[attr-defined]
        x += pdfmetrics.stringWidth(piece, run_font, size)
    canv.setFont(font, size)  # type: ignore[attr-defined]
    return x - start
