"""The two large fallback fonts are slimmed (packaging/slim_fonts.py) without losing a character:
they hold only what no earlier font of the chain draws, carry no hinting, and still print every
script and symbol family a counselor may type."""

from __future__ import annotations

from fontTools.ttLib import TTCollection, TTFont
from reportlab.pdfbase import pdfmetrics

from btam_desktop.reports import fonts

HINTING_TABLES = {"fpgm", "prep", "cvt ", "hdmx", "LTSH", "VDMX"}


def _chars(name: str) -> set[int]:
    fonts.register_fonts()
    return set(pdfmetrics.getFont(name).face.charToGlyph)


def test_fallback_fonts_hold_only_what_no_earlier_font_draws() -> None:
    """A character every style's earlier fonts draw is never taken from a later font, so a
    later font need not have it (one that only the upright faces have stays, for italics)."""
    for late in ("BtamCJK", "BtamSymbols"):
        drawn_earlier_in_every_style = []
        for primary in (fonts.FONT, fonts.FONT_BOLD, fonts.FONT_ITALIC, fonts.FONT_BOLD_ITALIC):
            chain = fonts.chain(primary)
            earlier: set[int] = set()
            for name in chain[: chain.index(late)]:
                earlier |= _chars(name)
            drawn_earlier_in_every_style.append(earlier)
        drawn_earlier = set.intersection(*drawn_earlier_in_every_style)
        # a space stays inside a fallback run; reportlab maps U+00A0 to the space glyph
        shared = _chars(late) & drawn_earlier - {0x20, 0xA0}
        # fontTools keeps the character of a glyph that a kept glyph is built from (three
        # mathematical signs in Symbola); they are never drawn from it, and cost nothing
        assert len(shared) <= 3, f"{late} repeats {len(shared)} characters"


def test_the_slimmed_fonts_carry_no_hinting_and_one_face() -> None:
    folder = fonts.fonts_dir()
    symbola = TTFont(folder / "Symbola.ttf")
    collection = TTCollection(str(folder / "wqy-microhei.ttc"))
    assert len(collection.fonts) == 1  # the face the program registers (subfont 0)
    for font in (symbola, collection.fonts[0]):
        assert not HINTING_TABLES & set(font.keys())
        assert font["post"].formatType == 3.0  # no glyph names
    # still large fonts: the slimming removed duplicates, not whole scripts
    assert len(_chars("BtamSymbols")) > 6000
    assert len(_chars("BtamCJK")) > 30000


def test_every_script_and_symbol_family_still_prints() -> None:
    samples = {
        "BtamCJK": "王小明 鬱 龘 김민준 힣 ひらがな カタカナ ☎ ✔ ♛",
        "BtamSymbols": "👍 😀 🙂 🚒 ✉ ⌛ ⚠ ⛔ ❤ 🔪 💣 ☠ 𝓙𝓪𝓴𝓮 𝐁𝐨𝐥𝐝 🀄",
        "BtamSans": "Zoë Øvergård-Ñúñez Nguyễn Иван Ελένη",
    }
    for expected, text in samples.items():
        assert fonts.unprintable(text) == []
        for char in text.replace(" ", ""):
            assert fonts.font_for(char) == expected, f"U+{ord(char):04X}"
