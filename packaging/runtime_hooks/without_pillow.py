"""Runtime hook (frozen program only): stands in for Pillow, which the bundle leaves out.

reportlab imports ``PIL.Image`` when it loads, but uses it only to put pictures into a PDF,
which BTAM Desktop never does: its documents are text and drawn lines, and pictures are shown
by Qt. Pillow and its image libraries are 6 MiB of the bundle, so packaging/btam.spec excludes
them and this hook gives reportlab a module to import. Anything that really uses it gets an
error saying why (tests/test_packaging.py checks that the program uses no image API).
"""

import sys
import types


class _LeftOut(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise RuntimeError(
            f"PIL.Image.{name}: this build of BTAM Desktop leaves out Pillow (no pictures in "
            "printed documents); see packaging/runtime_hooks/without_pillow.py"
        )


if "PIL" not in sys.modules:
    _image = _LeftOut("PIL.Image")
    _pil = types.ModuleType("PIL")
    _pil.__path__ = []  # a package, so "import PIL.Image" finds the submodule below
    _pil.Image = _image  # type: ignore[attr-defined]
    sys.modules["PIL"] = _pil
    sys.modules["PIL.Image"] = _image
