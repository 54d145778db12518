#!/usr/bin/env python3
"""Make the two large fallback fonts in resources/fonts/ smaller without losing a character.

The print fonts form a chain (btam_desktop/reports/fonts.py): a character is drawn with the
first font of the chain that has it, Noto Sans first, then Noto Sans Arabic, Hebrew and
Devanagari, then WenQuanYi Micro Hei (CJK), then Symbola (emoji and symbols). Both of the last
two also carry Latin, Greek, Cyrillic, punctuation and more that an earlier font already
draws, so those glyphs are never used. This script removes them, with TrueType hinting (screen
grid-fitting instructions, which printing does not need) and glyph names, and keeps only the
first face of the WenQuanYi collection (the one the program registers):

    python packaging/slim_fonts.py \
        --symbola /usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf \
        --wqy /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

(the defaults: Debian's fonts-symbola and fonts-wqy-microhei). Before writing, it checks that
every character of the original fonts is still drawn by the same font of the chain; it writes
nothing if one is not. Needs fontTools (pinned in requirements/constraints.txt, dev extra)
and reportlab.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from reportlab.pdfbase import ttfonts

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "resources" / "fonts"
DEFAULT_SYMBOLA = Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
DEFAULT_WQY = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# The chain's earlier fonts, per style of the main family: (main face, fallbacks before CJK).
EARLIER = {
    "regular": ("NotoSans-Regular.ttf", "Regular"),
    "bold": ("NotoSans-Bold.ttf", "Bold"),
    "italic": ("NotoSans-Italic.ttf", "Regular"),
    "bold italic": ("NotoSans-BoldItalic.ttf", "Bold"),
}
SCRIPT_FONTS = ("NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari")
# A space stays inside a run of a fallback font (fonts.runs), so every font keeps it.
ALWAYS_KEPT = {0x20}


def chars_of(path: Path, subfont: int = 0) -> set[int]:
    """The characters the program can draw with a font: read as reportlab (which prints)
    reads it, not as fontTools would, so both agree on what an earlier font covers."""
    face = ttfonts.TTFontFace(str(path), subfontIndex=subfont)
    return set(face.charToGlyph)


def covered_before_cjk() -> set[int]:
    """Characters an earlier font draws in every style (so the CJK font never does)."""
    sets = []
    for main, weight in EARLIER.values():
        covered = chars_of(FONTS / main)
        for script in SCRIPT_FONTS:
            covered |= chars_of(FONTS / f"{script}-{weight}.ttf")
        sets.append(covered)
    return set.intersection(*sets)


def slim(font: TTFont, keep: set[int]) -> TTFont:
    options = subset.Options()
    options.hinting = False
    options.glyph_names = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables = [*options.drop_tables, "FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(keep))
    subsetter.subset(font)
    return font


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbola", type=Path, default=DEFAULT_SYMBOLA)
    parser.add_argument("--wqy", type=Path, default=DEFAULT_WQY)
    args = parser.parse_args(argv)

    before_cjk = covered_before_cjk()
    wqy_chars = chars_of(args.wqy)
    symbola_chars = chars_of(args.symbola)
    wqy_keep = (wqy_chars - before_cjk) | (wqy_chars & ALWAYS_KEPT)
    symbola_keep = (symbola_chars - before_cjk - wqy_chars) | (symbola_chars & ALWAYS_KEPT)

    collection = TTCollection()
    collection.fonts = [slim(TTCollection(str(args.wqy)).fonts[0], wqy_keep)]
    targets = {
        FONTS / "wqy-microhei.ttc": collection,
        FONTS / "Symbola.ttf": slim(TTFont(args.symbola), symbola_keep),
    }
    partial = {target: target.with_name(f".{target.name}.part") for target in targets}
    try:
        for target, font in targets.items():
            font.save(str(partial[target]))
        # Every character is still drawn by the same font of the chain.
        new_wqy = chars_of(partial[FONTS / "wqy-microhei.ttc"])
        new_symbola = chars_of(partial[FONTS / "Symbola.ttf"])

        def drawn_by(code: int, wqy: set[int], symbola: set[int]) -> str | None:
            if code in before_cjk:
                return "earlier"
            return "wqy" if code in wqy else "symbola" if code in symbola else None

        changed = [
            f"U+{code:04X}"
            for code in sorted(wqy_chars | symbola_chars)
            if drawn_by(code, wqy_chars, symbola_chars) != drawn_by(code, new_wqy, new_symbola)
        ]
        if changed:
            print(f"slim_fonts: these characters would change font: {', '.join(changed[:20])}")
            return 1
        for target in targets:
            before = target.stat().st_size if target.exists() else 0
            partial[target].replace(target)
            after = target.stat().st_size
            print(f"{target.name}: {before / 2**20:.2f} MiB -> {after / 2**20:.2f} MiB")
    finally:
        for path in partial.values():
            path.unlink(missing_ok=True)
    print(
        f"WenQuanYi Micro Hei keeps {len(new_wqy)} of {len(wqy_chars)} characters, Symbola "
        f"{len(new_symbola)} of {len(symbola_chars)}; the others are drawn by an earlier font "
        f"(checked for all {len(wqy_chars | symbola_chars)} characters)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
