"""A smaller ICU data library for the Linux build (PySide6's libicudata.so.73 is 31 MiB).

Qt on Linux links ICU for collation (sorting text the way a language expects: QCollator,
localeAwareCompare), legacy text encodings (QStringDecoder) and time-zone display names. The
program uses only collation, indirectly: it reads and writes UTF-8 through Python, and names
no time zone through Qt. Qt has its own locale data and word breaking. So ICU's names of
languages, countries, currencies, units and time zones, its transliterators, spelled-out
numbers, Unicode character names, break iterators with their dictionaries, legacy code-page
converters and the per-locale date and number formats of the main tree (Qt formats dates and
numbers from its own locale data) are removed from the data package with ICU's own
``icupkg``; collation, locale fallback, break rules and the rest stay, so sorting still
follows each language. The result is linked into a library with the same soname exporting
the same ``icudt73_dat`` symbol.

Needs ``icupkg`` (Debian: icu-devtools) and a C compiler; without them the build keeps the full
library and says so. ``tests/test_packaging.py`` checks the list below against what Qt needs;
``packaging/build.py``'s self-test exercises collation in the frozen program.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

SONAME_PATTERN = re.compile(r"^libicudata\.so\.(\d+)$")
# Items removed from the data package (prefixes and suffixes of item names).
DROP_FOLDERS = ("unit/", "curr/", "zone/", "lang/", "region/", "translit/", "rbnf/", "brkitr/")
DROP_SUFFIXES = (".cnv",)
DROP_NAMES = ("unames.icu",)


# The main tree's locale bundles (de.res, zh_Hant_TW.res ...): date, number and calendar
# formats, which Qt takes from its own locale data. Collation has its own tree (coll/), and the
# tree's root.res, pool.res and res_index.res stay, as do likelySubtags, keyTypeData etc.
LOCALE_BUNDLE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z0-9]+)*\.res$")
KEPT_NAMES = ("res_index.res",)


def dropped(item: str) -> bool:
    if item in KEPT_NAMES:
        return False
    return (
        item.startswith(DROP_FOLDERS)
        or item.endswith(DROP_SUFFIXES)
        or item in DROP_NAMES
        or LOCALE_BUNDLE.match(item) is not None
    )


def _data_symbol(library: Path, major: str) -> tuple[int, int]:
    """(file offset, size) of the icudt<major>_dat symbol in the library."""
    symbols = subprocess.run(
        ["readelf", "-Ws", "--dyn-syms", str(library)], capture_output=True, text=True, check=True
    ).stdout
    name = f"icudt{major}_dat"
    for line in symbols.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[7] == name:
            address, size = int(fields[1], 16), int(fields[2], 0)
            break
    else:
        raise ValueError(f"{library.name} exports no {name}")
    sections = subprocess.run(
        ["readelf", "-SW", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            start, offset = int(fields[3], 16), int(fields[4], 16)
            return address - start + offset, size
    raise ValueError(f"{library.name} has no .rodata section")


def trim_icu_data(library: Path, work: Path) -> Path | None:
    """A trimmed copy of ``library`` in ``work``, or None (with a message) if not possible."""
    match = SONAME_PATTERN.match(library.name)
    tools = [shutil.which(t) for t in ("icupkg", "cc", "readelf")]
    if match is None or not all(tools):
        print(f"trim_icu: keeping the full {library.name} (needs icupkg, cc and readelf)")
        return None
    major = match.group(1)
    work.mkdir(parents=True, exist_ok=True)
    offset, size = _data_symbol(library, major)
    with library.open("rb") as handle:
        handle.seek(offset)
        data = handle.read(size)
    full = work / f"icudt{major}l.dat"
    full.write_bytes(data)
    items = subprocess.run(
        ["icupkg", "-l", str(full)], capture_output=True, text=True, check=True
    ).stdout.split()
    removed = [item for item in items if dropped(item)]
    listing = work / "removed.txt"
    listing.write_text("\n".join(removed) + "\n", encoding="utf-8")
    # icupkg names the package after its output file ("icudt73l"): keep that name, or ICU
    # finds none of the items (collation fails with U_FILE_ACCESS_ERROR).
    small = work / "trimmed" / full.name
    small.parent.mkdir(exist_ok=True)
    subprocess.run(["icupkg", "-r", str(listing), str(full), str(small)], check=True)
    assembly = work / "icudata.S"
    assembly.write_text(
        "    .section .rodata\n"
        "    .balign 16\n"
        f"    .globl icudt{major}_dat\n"
        f"    .type icudt{major}_dat, @object\n"
        f"icudt{major}_dat:\n"
        f'    .incbin "{small.relative_to(work).as_posix()}"\n'
        f"    .size icudt{major}_dat, . - icudt{major}_dat\n"
        '    .section .note.GNU-stack,"",@progbits\n',
        encoding="utf-8",
    )
    output = work / library.name
    subprocess.run(
        [
            "cc",
            "-shared",
            "-nostdlib",
            f"-Wl,-soname,{library.name}",
            "-o",
            str(output),
            assembly.name,
        ],
        check=True,
        cwd=work,
    )
    before, after = library.stat().st_size, output.stat().st_size
    print(
        f"trim_icu: {library.name} {before / 2**20:.1f} MiB -> {after / 2**20:.1f} MiB "
        f"({len(removed)} of {len(items)} data items removed)"
    )
    return output
