"""Build the Debian package from the PyInstaller folder ("dist/BTAM Desktop/").

The package installs

    /opt/btam-desktop/                       the program folder
    /usr/bin/btam                            a link to /opt/btam-desktop/btam
    /usr/share/applications/org.btamdesktop.BtamDesktop.desktop
    /usr/share/metainfo/org.btamdesktop.BtamDesktop.metainfo.xml
    /usr/share/icons/hicolor/*/apps/org.btamdesktop.BtamDesktop.png|svg
    /usr/share/doc/btam-desktop/copyright    points to the licences inside the program folder

Libraries that PyInstaller copied from the build machine and that a Debian package provides
(libX11, libcups, libssl, libstdc++ ...) are left out of /opt and named in ``Depends:``
instead, together with every system library the remaining files link to, found with ``ldd``
on every shared object (Qt's platform plugins included) and mapped to its package with
``dpkg -S``, plus the libraries opened by name at run time (``RUNTIME_LIBRARIES``: libpq for
the team server). That is how the xcb plugin's libxcb-icccm4, libxcb-keysyms1, libxcb-cursor0
and libxkbcommon-x11-0 end up as dependencies, so apt installs them with the program. Libraries
that are not on the build machine are mapped through ``KNOWN_PACKAGES``; an unknown one stops
the build with a message naming it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PACKAGE = "btam-desktop"
INSTALL_DIR = Path("/opt") / PACKAGE
APP_ID = "org.btamdesktop.BtamDesktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
MAINTAINER = "BTAM Desktop maintainers <btam-desktop@localhost>"

# Libraries Qt's plugins need that a build machine may lack, by soname -> Debian package.
# (Debian 12 names; Ubuntu 22.04 and later use the same.)
KNOWN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libwayland-client.so.0": "libwayland-client0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libcups.so.2": "libcups2",
}
# Libraries the program opens by name at run time (ctypes), which ldd cannot see: soname ->
# Debian package. psycopg's pure-Python layer loads the system libpq for the team server
# (the Linux build leaves out psycopg_binary's private copy; see packaging/btam.spec).
RUNTIME_LIBRARIES = {"libpq.so.5": "libpq5"}
# Never a dependency of their own: the C library is there on every system (still listed
# through libc6, which owns it).
_LOADER = re.compile(r"^(ld-linux|linux-vdso)")


@dataclass(frozen=True)
class DebResult:
    path: Path
    depends: list[str]
    left_out: list[str]
    installed_kib: int


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def owning_package(path: Path) -> str | None:
    """The Debian package that installed ``path`` (resolving /lib -> /usr/lib), or None."""
    candidates = [str(path), str(path.resolve())]
    for candidate in list(candidates):
        if candidate.startswith("/lib"):
            candidates.append("/usr" + candidate)
        if candidate.startswith("/usr/lib"):
            candidates.append(candidate.removeprefix("/usr"))
    for candidate in candidates:
        out = _run("dpkg-query", "-S", candidate)
        for line in out.splitlines():
            package, _, owned = line.partition(": ")
            if owned.strip() == candidate:
                return package.split(":")[0].strip()
    return None


def system_library_path(name: str) -> Path | None:
    """Where the build machine's dynamic loader finds ``name`` (ldconfig's cache)."""
    for line in _run("ldconfig", "-p").splitlines():
        parts = line.strip().split(" => ")
        if len(parts) == 2 and parts[0].split(" ")[0] == name and "x86-64" in parts[0]:
            return Path(parts[1])
    for line in _run("ldconfig", "-p").splitlines():
        parts = line.strip().split(" => ")
        if len(parts) == 2 and parts[0].split(" ")[0] == name:
            return Path(parts[1])
    return None


def linked_libraries(files: Iterable[Path], search: list[Path]) -> dict[str, Path | None]:
    """soname -> where it resolves outside the bundle (None: not found) for all ``files``."""
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(str(p) for p in search))
    found: dict[str, Path | None] = {}
    for file in files:
        result = subprocess.run(
            ["ldd", str(file)], capture_output=True, text=True, env=env, check=False
        )
        for line in result.stdout.splitlines():
            # "libfoo.so.1 => /path/with spaces/libfoo.so.1 (0x...)" or "=> not found"
            match = re.match(r"\s*(\S+)\s+=>\s+(.*?)(?:\s+\(0x[0-9a-f]+\))?\s*$", line)
            if not match:
                continue
            name, where = match.groups()
            if _LOADER.match(name):
                continue
            if where == "not found":
                found.setdefault(name, None)
                continue
            resolved = Path(where)
            if not any(resolved.is_relative_to(s) for s in search):
                found[name] = resolved
    return found


def _bundled_system_libraries(internal: Path) -> dict[Path, str]:
    """Top-level libraries PyInstaller copied from the system -> their Debian package."""
    owned: dict[Path, str] = {}
    for path in sorted(internal.glob("*.so*")):
        if not is_elf(path) or path.name.startswith("libpython"):
            continue
        source = system_library_path(path.name)
        package = owning_package(source) if source is not None else None
        if package:
            owned[path] = package
    return owned


def _package_version(package: str) -> str:
    return _run("dpkg-query", "-W", "-f", "${Version}", package).strip()


def _upstream(version: str) -> str:
    """'2.36-9+deb12u4' -> '2.36' (a lower bound any later build also satisfies)."""
    without_epoch = version.split(":", 1)[-1]
    return re.split(r"[-+~]", without_epoch, maxsplit=1)[0]


def resolve_depends(app_dir: Path) -> tuple[list[str], list[Path]]:
    """(Depends entries, bundled libraries to leave out) for the folder at ``app_dir``."""
    internal = app_dir / "_internal"
    left_out = _bundled_system_libraries(internal)
    packages = set(left_out.values())
    elves = [p for p in app_dir.rglob("*") if p.is_file() and is_elf(p) and p not in left_out]
    search = sorted({p.parent for p in elves} | {internal})
    # ldd must not find the left-out copies: look at a tree without them.
    with tempfile.TemporaryDirectory(prefix="btam-deb-ldd-") as scratch:
        hidden = Path(scratch)
        for path in left_out:
            shutil.move(str(path), hidden / path.name)
        try:
            needed = linked_libraries(elves, search)
        finally:
            for path in left_out:
                shutil.move(str(hidden / path.name), path)
    for name in RUNTIME_LIBRARIES:
        needed.setdefault(name, system_library_path(name))
    unknown = []
    for name, where in sorted(needed.items()):
        package = owning_package(where) if where is not None else None
        package = package or KNOWN_PACKAGES.get(name) or RUNTIME_LIBRARIES.get(name)
        if package is None:
            unknown.append(name)
        else:
            packages.add(package)
    if unknown:
        raise SystemExit(
            "These libraries are needed but neither installed here nor known to "
            f"packaging/linux/deb.py: {', '.join(unknown)}. Install them on the build machine "
            "(see packaging/README.md) or add them to KNOWN_PACKAGES."
        )
    depends = []
    for package in sorted(packages):
        version = _package_version(package)
        depends.append(f"{package} (>= {_upstream(version)})" if version else package)
    return depends, sorted(left_out)


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _copy_tree(source: Path, target: Path, skip: set[Path]) -> None:
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        destination = target / relative
        if path in skip:
            continue
        if path.is_symlink():
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.symlink_to(os.readlink(path))
        elif path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            destination.chmod(0o755 if os.access(path, os.X_OK) else 0o644)


def control_text(version: str, depends: list[str], installed_kib: int, arch: str) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        "Section: utils\n"
        "Priority: optional\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        "Recommends: gnome-keyring | kwalletmanager\n"
        "Homepage: https://example.invalid/btam-desktop\n"
        "Description: offline, encrypted behavioral threat assessment for small teams\n"
        " BTAM Desktop helps a school or workplace threat assessment team run each case\n"
        " from the first report of concern to closure, with a guided assessment, a\n"
        " management plan, printed checklists and an audit trail. Every record is\n"
        " encrypted on this computer with SQLCipher; the program makes no network\n"
        " connections.\n"
    )


def build_deb(app_dir: Path, out_dir: Path, version: str) -> DebResult:
    """Make ``out_dir/btam-desktop_<version>_<arch>.deb`` from the PyInstaller folder."""
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb is missing: build the .deb on Debian or Ubuntu.")
    arch = _run("dpkg", "--print-architecture").strip() or "amd64"
    depends, left_out = resolve_depends(app_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    with tempfile.TemporaryDirectory(prefix="btam-deb-") as scratch:
        root = Path(scratch) / "root"
        program = root / INSTALL_DIR.relative_to("/")
        _copy_tree(app_dir, program, set(left_out))
        (root / "usr/bin").mkdir(parents=True)
        (root / "usr/bin/btam").symlink_to(INSTALL_DIR / "btam")
        share = root / "usr/share"
        desktop = (HERE / f"{APP_ID}.desktop").read_text(encoding="utf-8")
        _write(share / "applications" / f"{APP_ID}.desktop", desktop)
        today = dt.datetime.now(dt.UTC).date().isoformat()
        metainfo = (HERE / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
        metainfo = metainfo.replace("@VERSION@", version).replace("@DATE@", today)
        _write(share / "metainfo" / f"{APP_ID}.metainfo.xml", metainfo)
        icons = ROOT / "packaging" / "icons"
        for size in ICON_SIZES:
            folder = share / "icons/hicolor" / f"{size}x{size}" / "apps"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(icons / f"btam-{size}.png", folder / f"{APP_ID}.png")
        scalable = share / "icons/hicolor/scalable/apps"
        scalable.mkdir(parents=True)
        shutil.copyfile(ROOT / "resources" / "app" / "btam.svg", scalable / f"{APP_ID}.svg")
        _write(
            share / "doc" / PACKAGE / "copyright",
            "BTAM Desktop\n\n"
            "The program and the licence notices of every part it ships (Qt and PySide6 under\n"
            "the LGPL-3.0, SQLCipher, SQLite, OpenSSL, ICU, Python, reportlab, the fonts and\n"
            "every Python package) are in:\n\n"
            f"    {INSTALL_DIR}/_internal/licences/LICENCES.txt\n\n"
            "and in the program under Help > About.\n",
        )
        for folder in [root, *root.rglob("*")]:
            if folder.is_dir() and not folder.is_symlink():
                folder.chmod(0o755)
        installed = sum(
            p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()
        )
        installed_kib = installed // 1024
        _write(root / "DEBIAN" / "control", control_text(version, depends, installed_kib, arch))
        partial = target.with_name(f".{target.name}.part")
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(partial)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        os.replace(partial, target)
    return DebResult(target, depends, [p.name for p in left_out], installed_kib)
