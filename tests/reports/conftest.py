"""Fixtures and helpers for the document tests: a demo vault, and reading PDFs back with
pypdfium2 (text, metadata, page sizes) without writing them anywhere."""

from __future__ import annotations

import re
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
