#!/usr/bin/env python3
"""Render the application icon (resources/app/btam.svg) to every size the installers need.

    .venv/bin/python packaging/make_icons.py

Writes, and the results are committed (so a build needs neither Qt's SVG renderer at build time
nor this script):

- resources/app/btam-{16..256}.png   window icon sizes, read by the program (ui/icons.py)
- packaging/icons/btam-{16..512}.png  the Linux hicolor icons for the .deb
- packaging/icons/btam.ico            Windows: the .exe files, the installer, the Start menu
- packaging/icons/btam.icns           macOS: the .app bundle

Qt draws the SVG (so the icon looks exactly as the program draws it); Pillow packs the PNGs
into the .ico and .icns containers.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "app" / "btam.svg"
APP_DIR = ROOT / "resources" / "app"
PACKAGING_DIR = ROOT / "packaging" / "icons"
WINDOW_SIZES = (16, 24, 32, 48, 64, 128, 256)
LINUX_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(size: int) -> bytes:
    """The SVG drawn at size x size pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"{SOURCE} is not a valid SVG file")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def write(path: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    print(f"wrote {path.relative_to(ROOT)} ({len(data) // 1024 or 1} KB)")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    sizes = sorted({*WINDOW_SIZES, *LINUX_SIZES, *ICO_SIZES, *ICNS_SIZES})
    pngs = {size: render_png(size) for size in sizes}
    for size in WINDOW_SIZES:
        write(APP_DIR / f"btam-{size}.png", pngs[size])
    for size in LINUX_SIZES:
        write(PACKAGING_DIR / f"btam-{size}.png", pngs[size])

    images = {size: Image.open(io.BytesIO(pngs[size])).convert("RGBA") for size in sizes}
    largest_ico = images[max(ICO_SIZES)]
    ico = io.BytesIO()
    largest_ico.save(
        ico,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    write(PACKAGING_DIR / "btam.ico", ico.getvalue())
    icns = io.BytesIO()
    images[max(ICNS_SIZES)].save(
        icns,
        format="ICNS",
        append_images=[images[s] for s in ICNS_SIZES if s != max(ICNS_SIZES)],
    )
    write(PACKAGING_DIR / "btam.icns", icns.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
