"""Fixtures and helpers for the document tests: a demo vault, and reading PDFs back with
pypdfium2 (text, metadata, page sizes) without writing them anywhere."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from btam_desktop.reports.base import PDFIUM_LOCK
from btam_desktop.services.app import Btam
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.store.crypto import KdfParams

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
LETTER = (612.0, 792.0)
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Btam]:
    """The demo vault, open as the demo coordinator; shared by the tests of one module."""
    app = create_demo_vault(tmp_path_factory.mktemp("reports") / "v", kdf_params=CHEAP)
    try:
        yield app
    finally:
        app.lock()


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Btam]:
    """A demo vault of the test's own, for tests that add to it."""
    app = create_demo_vault(tmp_path / "v", kdf_params=CHEAP)
    try:
        yield app
    finally:
        app.lock()


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page, whitespace collapsed to single spaces."""
    with PDFIUM_LOCK:
        return _pages_text(pdf)


def _pages_text(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            try:
                out.append(re.sub(r"\s+", " ", textpage.get_text_range()))
            finally:
                textpage.close()
                page.close()
        return out
    finally:
        doc.close()


def pdf_text(pdf: bytes) -> str:
    return " ".join(pdf_pages_text(pdf))


def words(text: str) -> str:
    """``text`` with whitespace collapsed, to compare with extracted PDF text."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_metadata(pdf: bytes) -> dict[str, str]:
    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            return {k: str(v) for k, v in doc.get_metadata_dict().items()}
        finally:
            doc.close()


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    with PDFIUM_LOCK:
        return _page_sizes(pdf)


def _page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        sizes = []
        for index in range(len(doc)):
            page = doc[index]
            sizes.append(tuple(round(v, 2) for v in page.get_size()))
            page.close()
        return sizes  # type: ignore[return-value]
    finally:
        doc.close()


def assert_fonts_embedded(pdf: bytes) -> None:
    """TrueType font programs are embedded, and no font is used that is not."""
    assert b"/FontFile2" in pdf
    for standard in (b"/Helvetica", b"/Times-Roman", b"/Courier", b"/ZapfDingbats", b"/Symbol"):
        assert standard not in pdf, f"{standard!r} is used but not embedded"


def same_size(actual: tuple[float, float], expected: tuple[float, float]) -> bool:
    return abs(actual[0] - expected[0]) < 1 and abs(actual[1] - expected[1]) < 1


# ---- every script: reading printed names back -------------------------------------------

_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdftotext(pdf: bytes) -> str:
    """The text poppler's pdftotext extracts (it puts Hebrew and Arabic back in logical
    order), compatibility forms folded (joined Arabic letters become plain letters), bidi
    marks dropped, whitespace collapsed."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext is missing: install poppler-utils (listed in .ci/apt-packages.txt)"
    done = subprocess.run(
        [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    )
    text = unicodedata.normalize("NFKC", done.stdout.decode("utf-8"))
    return words(_BIDI_MARKS.sub("", text))


def pdf_fonts(pdf: bytes) -> list[tuple[str, bool, bool]]:
    """(font name, embedded, subset) of every font the PDF uses, from its font dictionaries
    (poppler's pdffonts)."""
    tool = shutil.which("pdffonts")
    assert tool, "pdffonts is missing: install poppler-utils (listed in .ci/apt-packages.txt)"
    done = subprocess.run([tool, "-"], input=pdf, capture_output=True, check=True)
    fonts = []
    for line in done.stdout.decode("utf-8").splitlines()[2:]:
        parts = line.split()
        # name type encoding emb sub uni object-id generation
        name, emb, sub = parts[0], parts[-5], parts[-4]
        fonts.append((name, emb == "yes", sub == "yes"))
    return fonts


def assert_fonts_embedded_and_subset(pdf: bytes) -> set[str]:
    """Every font is embedded and subset; returns the font names without subset tags."""
    fonts = pdf_fonts(pdf)
    assert fonts, "the PDF uses no font"
    for name, embedded, subset in fonts:
        assert embedded and subset, f"{name} is not embedded as a subset"
    return {name.split("+", 1)[-1] for name, _, _ in fonts}


def assert_printed(stored: str, extracted: str, fonts: set[str]) -> None:
    """``stored`` (a name or text as the vault holds it) is in ``extracted`` (from
    :func:`pdftotext`).

    Where the extractor allows, the whole string is compared. pdftotext re-orders right-to-left
    runs itself and moves the punctuation next to them (the page shows "(family" where the text
    reads "( ... family"), so a string with Hebrew or Arabic is compared word by word without
    the punctuation around each word. Devanagari is shaped into conjunct glyphs that text
    extraction cannot map back: there every character must have a font, the script's font
    must be embedded, and the other words must be in the text."""
    from btam_desktop.reports.fonts import needs_shaping, unprintable

    wanted = words(unicodedata.normalize("NFKC", stored))
    assert not unprintable(stored), f"no font for part of {stored!r}"
    if not needs_shaping(stored) and not _RTL.search(stored):
        assert wanted in extracted, f"{stored!r} is not in the printed text"
        return
    if needs_shaping(stored):
        assert any("Devanagari" in name for name in fonts), "the Devanagari font is missing"
    for word in wanted.split():
        token = word.strip("()[]{}\u2014-,;.:!?\"'")
        if token and not needs_shaping(token):
            assert token in extracted, f"{token!r} (of {stored!r}) is not in the printed text"


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
