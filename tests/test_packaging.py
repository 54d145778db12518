"""packaging/btam.spec bundles every file the program reads at run time, where it will look.

Fast: the spec runs with stand-ins for PyInstaller's build steps (no PyInstaller, nothing built),
and the files it names are copied into a throwaway folder laid out like the frozen program, on
which the program's own path functions are then called. packaging/build.py builds for real.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import btam_desktop
from btam_desktop.domain.forms.loader import definition_files
from btam_desktop.domain.forms.registry import builtin_forms_dir
from btam_desktop.store import migrate
from btam_desktop.ui import resources

# The folder holding the btam_desktop package: the repository here, sys._MEIPASS when frozen.
ROOT = Path(btam_desktop.__file__).resolve().parents[1]
PACKAGE = ROOT / "btam_desktop"
SPEC = ROOT / "packaging" / "btam.spec"

# Binaries as PyInstaller's analysis would list them on Linux: (destination, source, type),
# with the shared libraries each one needs. The GTK theme and VNC plugins are to be dropped,
# with the libraries only they need; everything else must stay.
FAKE_NEEDS = {
    "libpython3.11.so.1.0": ["libz.so.1"],
    "PySide6/QtGui.abi3.so": ["libQt6Gui.so.6"],
    "PySide6/Qt/lib/libQt6Gui.so.6": ["libfontconfig.so.1"],
    "libfontconfig.so.1": [],
    "libz.so.1": [],
    "PySide6/Qt/plugins/platforms/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
    "PySide6/Qt/lib/libQt6XcbQpa.so.6": [],
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so": ["libgtk-3.so.0", "libcairo.so.2"],
    "libcairo.so.2": [],
    "PySide6/Qt/plugins/platforms/libqvnc.so": ["libQt6Network.so.6"],
    "PySide6/Qt/lib/libQt6Network.so.6": [],
    "pypdfium2_raw/libpdfium.so": [],
}
FAKE_BINARIES = [
    (dest, f"/src/{dest}", "EXTENSION" if ".abi3." in dest else "BINARY") for dest in FAKE_NEEDS
]
FAKE_DATAS = [
    ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ("libQt6Network.so.6", "PySide6/Qt/lib/libQt6Network.so.6", "SYMLINK"),
    ("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA"),
    ("forms/screening/screening.yaml", "/src/screening.yaml", "DATA"),
]
DROPPED = {
    "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "libcairo.so.2",
    "PySide6/Qt/plugins/platforms/libqvnc.so",
    "PySide6/Qt/lib/libQt6Network.so.6",
}


class _Recorder:
    """Stands in for one of PyInstaller's build steps and remembers how it was called."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs
        self.scripts: list[Any] = []
        self.pure: list[Any] = []
        self.binaries = list(FAKE_BINARIES)
        self.datas = list(FAKE_DATAS)


def _fake_bindepend() -> types.ModuleType:
    module = types.ModuleType("PyInstaller.depend.bindepend")

    def get_imports(filename: str, search_paths: object = None) -> list[tuple[str, None]]:
        return [(name, None) for name in FAKE_NEEDS[filename.removeprefix("/src/")]]

    module.get_imports = get_imports  # type: ignore[attr-defined]
    return module


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The spec's namespace after running it with recorders for PyInstaller's classes."""
    calls: dict[str, list[_Recorder]] = {"EXE": [], "COLLECT": [], "BUNDLE": []}

    def recorder(kind: str) -> type[_Recorder]:
        class Step(_Recorder):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                calls.setdefault(kind, []).append(self)

        return Step

    bindepend = _fake_bindepend()
    depend = types.ModuleType("PyInstaller.depend")
    depend.bindepend = bindepend  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {
        "__name__": "btam_spec",
        "SPECPATH": str(SPEC.parent),
        "workpath": str(tmp_path_factory.mktemp("pyinstaller-work")),
        **{kind: recorder(kind) for kind in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")},
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "PyInstaller", types.ModuleType("PyInstaller"))
        patch.setitem(sys.modules, "PyInstaller.depend", depend)
        patch.setitem(sys.modules, "PyInstaller.depend.bindepend", bindepend)
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)  # noqa: S102
        namespace["_calls"] = calls
        yield namespace


@pytest.fixture(scope="module")
def bundle(spec: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the frozen program's data: every (source, folder) the spec lists."""
    root = tmp_path_factory.mktemp("bundle")
    for source, folder in spec["DATAS"]:
        target = root / folder / Path(source).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return root


def _relative_files(folder: Path, pattern: str = "**/*") -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_analysis_gets_the_data_folders_and_the_program(spec: dict[str, Any]) -> None:
    analysis = spec["a"]
    assert analysis.args[0] == [str(PACKAGE / "__main__.py")]
    assert analysis.kwargs["datas"] is spec["DATAS"]
    assert analysis.kwargs["hiddenimports"] == spec["HIDDEN_IMPORTS"]
    assert analysis.kwargs["excludes"] == spec["EXCLUDES"]
    folders = {folder.split("/")[0] for _source, folder in spec["DATAS"]}
    assert {"forms", "resources", "btam_desktop"} <= folders
    # The promised layout: dist/BTAM Desktop/btam, a console program (windowed in the macOS .app).
    (collect,) = spec["_calls"]["COLLECT"]
    assert collect.kwargs["name"] == "BTAM Desktop"
    programs = {exe.kwargs["name"]: exe.kwargs for exe in spec["_calls"]["EXE"]}
    assert programs["btam"]["console"] is (sys.platform != "darwin")
    assert programs["btam"]["upx"] is False


def test_the_frozen_program_finds_the_builtin_forms(bundle: Path) -> None:
    # builtin_forms_dir() is "<folder holding btam_desktop>/forms"; frozen, that folder is the
    # bundle's root, so the forms must sit at <bundle>/forms.
    assert builtin_forms_dir() == ROOT / "forms"
    shipped = {p.relative_to(ROOT / "forms") for p in definition_files(ROOT / "forms")}
    bundled = {p.relative_to(bundle / "forms") for p in definition_files(bundle / "forms")}
    assert len(shipped) >= 10
    assert bundled == shipped


def test_the_frozen_program_finds_its_resources(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(resources.ENV_OVERRIDE, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    resources.resources_dir.cache_clear()
    try:
        assert resources.resources_dir() == bundle / "resources"
        assert resources.resource_path("styles", "app.qss").is_file()
        icons = {p.name for p in resources.icons_dir().glob("*.svg")}
    finally:
        resources.resources_dir.cache_clear()
    assert icons == {p.name for p in (ROOT / "resources" / "icons").glob("*.svg")}
    assert _relative_files(bundle / "resources") == _relative_files(ROOT / "resources")


def test_the_frozen_program_finds_every_migration(bundle: Path) -> None:
    from alembic.script import ScriptDirectory

    relative = migrate.MIGRATIONS_DIR.relative_to(ROOT)
    assert relative.as_posix() == "btam_desktop/store/migrations"
    source = _relative_files(migrate.MIGRATIONS_DIR)
    assert {"env.py", "script.py.mako"} <= source
    assert any(name.startswith("versions/") for name in source)
    assert _relative_files(bundle / relative) == source
    # Alembic reads the bundled copy and finds the same revisions as the program does.
    scripts = ScriptDirectory(str(bundle / relative))
    assert {s.revision for s in scripts.walk_revisions()} == migrate.known_revisions()
    assert scripts.get_current_head() == migrate.head_revision()


def test_the_frozen_program_finds_the_report_fonts(spec: dict[str, Any], bundle: Path) -> None:
    # reports/fonts.py: fonts_dir() is resources/fonts (under sys._MEIPASS when frozen), and
    # _MAIN and _FALLBACKS name the files it registers.
    source = (PACKAGE / "reports" / "fonts.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    font_files: set[str] = set()
    fonts_dir_source = ""
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign) and any(
            name in ast.unparse(node).split("=")[0] for name in ("_MAIN", "_FALLBACKS")
        ):
            for const in ast.walk(node):
                if isinstance(const, ast.Constant) and str(const.value).endswith((".ttf", ".ttc")):
                    font_files.add(str(const.value))
        if isinstance(node, ast.FunctionDef) and node.name == "fonts_dir":
            fonts_dir_source = ast.unparse(node)
    assert "NotoSans-Regular.ttf" in font_files and "wqy-microhei.ttc" in font_files
    assert "_MEIPASS" in fonts_dir_source
    assert "'fonts'" in fonts_dir_source
    bundled = bundle / "resources" / "fonts"
    assert font_files <= {p.name for p in bundled.iterdir()}
    licences = {p.name for p in bundled.iterdir() if p.name.startswith("LICENSE")}
    assert {"LICENSE-Noto-OFL.txt", "LICENSE-WenQuanYi.txt", "LICENSE-Symbola.txt"} <= licences


def test_every_module_named_in_a_string_is_bundled(spec: dict[str, Any]) -> None:
    # A module imported by a name in a string would be invisible to PyInstaller's analysis and
    # quietly skipped when missing. The program imports its own modules plainly (the tabs, the
    # forms page and the recovery sheet once were strings); any string left must be bundled.
    named: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        named.update(re.findall(r"[\"'](btam_desktop(?:\.\w+)+)[\"']", path.read_text("utf-8")))
    modules = {
        name
        for name in named
        if (ROOT / name.replace(".", "/")).with_suffix(".py").is_file()
        or (ROOT / name.replace(".", "/") / "__init__.py").is_file()
    }
    assert not {"btam_desktop.ui.plan.plan_tab", "btam_desktop.reports.recovery_sheet"} & modules
    assert modules <= set(spec["HIDDEN_IMPORTS"])
    # The migrations are read from files by Alembic, not imported from the archive.
    assert not [m for m in spec["APP_MODULES"] if m.startswith("btam_desktop.store.migrations")]
    assert {"alembic.op", "sqlmodel", "btam_desktop.domain.types"} <= set(spec["HIDDEN_IMPORTS"])


def test_nothing_the_program_imports_is_excluded(spec: dict[str, Any]) -> None:
    imported: set[str] = set()
    pattern = re.compile(r"^\s*(?:from|import)\s+([\w.]+)", re.MULTILINE)
    for path in PACKAGE.rglob("*.py"):
        imported.update(pattern.findall(path.read_text("utf-8")))
    excluded = set(spec["EXCLUDES"])
    clashes = sorted(
        name for name in imported if any(name == ex or name.startswith(f"{ex}.") for ex in excluded)
    )
    assert clashes == []
    assert {"PySide6.QtSvg", "PySide6.QtPrintSupport", "PySide6.QtDBus"} <= imported


def test_the_linux_trim_drops_only_unused_plugins_and_their_libraries(
    spec: dict[str, Any],
) -> None:
    kept = {dest for dest, _src, _code in spec["_without_unreachable_libraries"](FAKE_BINARIES)}
    assert kept == set(FAKE_NEEDS) - DROPPED
    if sys.platform.startswith("linux"):  # the spec applied it to the analysis too
        assert {dest for dest, _src, _code in spec["a"].binaries} == kept
        assert {dest for dest, _src, _code in spec["a"].datas} == {
            "libQt6Gui.so.6",
            "forms/screening/screening.yaml",
        }


# -- installers (issue 15): what can be checked without Windows, a Mac or a full build ----------

PACKAGING = ROOT / "packaging"


def _pyproject_version() -> str:
    import tomllib

    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def test_one_version_everywhere(spec: dict[str, Any]) -> None:
    version = _pyproject_version()
    assert btam_desktop.__version__ == version
    assert spec["VERSION"] == version
    assert spec["INFO_PLIST"]["CFBundleShortVersionString"] == version
    iss = (PACKAGING / "windows" / "btam.iss").read_text(encoding="utf-8")
    assert re.search(r'#define AppVersion "([^"]+)"', iss).group(1) == version  # type: ignore[union-attr]


def test_the_inno_setup_script_is_per_user_and_points_at_real_files(
    spec: dict[str, Any],
) -> None:
    script = PACKAGING / "windows" / "btam.iss"
    text = script.read_text(encoding="utf-8")
    defines = dict(re.findall(r'#define (\w+) "([^"]*)"', text))
    assert "PrivilegesRequired=lowest" in text.splitlines()
    assert "DefaultDirName={autopf}\\{#AppName}" in text  # %LOCALAPPDATA%\Programs per user
    # The uninstaller never deletes anything it did not install: no delete sections at all.
    sections = set(re.findall(r"^\[(\w+)\]", text, re.MULTILINE))
    assert sections == {"Setup", "Languages", "Tasks", "Files", "Icons", "Run", "Code"}
    assert "{localappdata}\\{#AppName}" not in text.split("[Code]")[0]
    # Files the script names, relative to the script's folder.
    icon = re.search(r"^SetupIconFile=(.+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert (script.parent / icon.replace("\\", "/")).is_file()
    source = defines["SourceDir"].replace("\\", "/")
    assert (script.parent / source).resolve() == ROOT / "dist" / spec["APP_NAME"]
    (collect,) = spec["_calls"]["COLLECT"]
    assert collect.kwargs["name"] == spec["APP_NAME"] == defines["AppName"]
    # The Start-menu shortcut opens the windowed program the spec builds on Windows.
    spec_text = SPEC.read_text(encoding="utf-8")
    assert defines["AppExe"] == f"{spec['APP_NAME']}.exe" and "name=APP_NAME," in spec_text
    assert defines["CliExe"] == "btam.exe" and 'name="btam",' in spec_text
    assert re.search(
        r'^Name: "\{autoprograms\}\\\{#AppName\}"; Filename: "\{app\}\\\{#AppExe\}"',
        text,
        re.MULTILINE,
    )
    assert "UNSIGNED" in text  # an unsigned build says so in its file name


def test_the_windows_and_macos_workflows_name_real_files() -> None:
    import yaml

    for name in ("windows.yml", "macos.yml"):
        workflow = yaml.safe_load((PACKAGING / "ci" / name).read_text(encoding="utf-8"))
        steps = next(iter(workflow["jobs"].values()))["steps"]
        commands = "\n".join(str(step.get("run", "")) for step in steps)
        for path in re.findall(r"packaging[\\/][\w\\/.-]+", commands):
            assert (ROOT / path.replace("\\", "/")).exists(), f"{name}: {path}"
        assert "--self-test" in commands
    windows = (PACKAGING / "ci" / "windows.yml").read_text(encoding="utf-8")
    assert "the uninstaller removed a vault" in windows


def test_the_mac_bundle_keys_icon_and_signing_script(spec: dict[str, Any]) -> None:
    import plistlib

    plist = spec["INFO_PLIST"]
    assert plist["NSHighResolutionCapable"] is True
    assert plist["NSRequiresAquaSystemAppearance"] is False  # follows dark mode
    assert (PACKAGING / "icons" / "btam.icns").is_file()
    entitlements = plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())
    assert entitlements == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    script = PACKAGING / "macos" / "sign_and_notarize.sh"
    text = script.read_text(encoding="utf-8")
    assert 'ENTITLEMENTS="packaging/macos/entitlements.plist"' in text
    assert "--options runtime" in text and "--timestamp" in text
    assert "notarytool submit" in text and "stapler staple" in text
    assert "UNSIGNED" in text
    signing = [line for line in text.splitlines() if "codesign --force" in line]
    assert signing and not any("--deep" in line for line in signing)
    if shutil.which("bash"):
        import subprocess

        subprocess.run(["bash", "-n", str(script)], check=True)


def test_the_icons_exist_in_every_size() -> None:
    from PIL import Image

    icons = PACKAGING / "icons"
    with Image.open(icons / "btam.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(icons / "btam.icns") as icns:
        assert icns.format == "ICNS"
    for size in (16, 48, 128, 256, 512):
        with Image.open(icons / f"btam-{size}.png") as png:
            assert png.size == (size, size)
    assert (ROOT / "resources" / "app" / "btam.svg").is_file()
    assert (ROOT / "resources" / "app" / "btam-64.png").is_file()


def test_the_linux_desktop_entry_and_appstream_metadata() -> None:
    import configparser
    import sys as _sys
    import xml.etree.ElementTree as ET

    linux = PACKAGING / "linux"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(linux / "org.btamdesktop.BtamDesktop.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"].split()[0] == "btam" and desktop["Icon"] == "org.btamdesktop.BtamDesktop"
    assert desktop["Type"] == "Application" and desktop["Terminal"] == "false"
    meta = ET.parse(linux / "org.btamdesktop.BtamDesktop.metainfo.xml").getroot()  # noqa: S314  (our own file)
    assert meta.findtext("id") == "org.btamdesktop.BtamDesktop"
    assert meta.findtext("launchable") == "org.btamdesktop.BtamDesktop.desktop"
    assert meta.find("releases/release").get("version") == "@VERSION@"  # type: ignore[union-attr]
    _sys.path.insert(0, str(linux))
    try:
        import deb
        import trim_icu
    finally:
        _sys.path.remove(str(linux))
    assert meta.findtext("id") == deb.APP_ID  # files, icons and Qt's desktop file name agree
    app_source = (PACKAGE / "ui" / "app.py").read_text(encoding="utf-8")
    assert f'setDesktopFileName("{deb.APP_ID}")' in app_source
    for size in deb.ICON_SIZES:
        assert (PACKAGING / "icons" / f"btam-{size}.png").is_file()
    # the X11 plugin's libraries map to their Debian packages even where not installed
    assert deb.KNOWN_PACKAGES["libxcb-icccm.so.4"] == "libxcb-icccm4"
    assert deb.KNOWN_PACKAGES["libxcb-keysyms.so.1"] == "libxcb-keysyms1"
    # ICU: collation and locale data stay, names and converters go
    for kept in ("coll/de.res", "coll/ucadata.icu", "root.res", "res_index.res", "pool.res"):
        assert not trim_icu.dropped(kept), kept
    for gone in (
        "lang/de.res",
        "zone/fr.res",
        "curr/en.res",
        "ibm-1390_P110-2003.cnv",
        "brkitr/cjdict.dict",
        "unames.icu",
    ):
        assert trim_icu.dropped(gone), gone


def test_the_bundle_carries_the_licence_notices(spec: dict[str, Any]) -> None:
    import json

    licences = [Path(src) for src, folder in spec["DATAS"] if folder == "licences"]
    assert {p.name for p in licences} == {"components.json", "LICENCES.txt"}
    index = next(p for p in licences if p.name == "components.json")
    listed = {c["name"]: c for c in json.loads(index.read_text("utf-8"))["components"]}
    for name in ("Qt", "SQLCipher", "reportlab", "Bitstream Vera fonts", "Python", "cryptography"):
        assert listed[name]["text"], name
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in listed["Qt"]["text"]
    assert "pytest" not in listed and "mypy" not in listed  # development tools are not shipped


# -- size (issue 15): what the bundle leaves out is shown unused --------------------------------

WITHOUT_PILLOW = PACKAGING / "runtime_hooks" / "without_pillow.py"


def test_pillow_is_left_out_and_nothing_prints_a_picture(spec: dict[str, Any]) -> None:
    """The spec drops Pillow; the program never uses an image API that would need it
    (reportlab's ImageReader or platypus Image, canvas.drawImage in the reports)."""
    assert "PIL" in spec["EXCLUDES"]
    assert str(WITHOUT_PILLOW) in spec["a"].kwargs["runtime_hooks"]
    uses = re.compile(r"\bPIL\b|ImageReader|from reportlab\.platypus[\w.]* import [^\n]*\bImage\b")
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text("utf-8")
        assert not uses.search(text), path
        if PACKAGE / "reports" in path.parents:
            assert not re.search(r"\.draw(Inline)?Image\(", text), path


def test_the_reports_print_with_the_stand_in_for_pillow(tmp_path: Path) -> None:
    """With the runtime hook in place of Pillow (as in the frozen program), a checklist and a
    handout with every script print, and Pillow itself is never loaded."""
    import subprocess

    script = f"""
import runpy, sys
runpy.run_path({str(WITHOUT_PILLOW)!r})
from btam_desktop.domain.forms import FormRegistry
from btam_desktop.reports import build_blank_checklist, build_recognize_and_report_handout
from btam_desktop.services.settings import TeamSettings
registry = FormRegistry.load(None)
form = registry.forms()[0]
team = "Maple Grove · 安全チーム · צוות · فريق · टीम 👍"
pdfs = [
    build_blank_checklist(form, team, scale=registry.scale_for(form)),
    build_recognize_and_report_handout(TeamSettings(team_name=team), "parents"),
]
assert all(pdf.startswith(b"%PDF") and len(pdf) > 5000 for pdf in pdfs)
assert "PIL._imaging" not in sys.modules
try:
    sys.modules["PIL.Image"].open("x.png")
except RuntimeError as error:
    assert "leaves out Pillow" in str(error)
else:
    raise AssertionError("the stand-in opened an image")
print("printed", len(pdfs))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "printed 2" in result.stdout


# -- Windows installer (issue 15): what can be checked without Inno Setup -----------------------

# Inno Setup [Code] functions that delete, move or empty files and folders.
INNO_DELETING_CALLS = re.compile(
    r"\b(DelTree|DeleteFile|DelayDeleteFile|RemoveDir|RenameFile|SaveStringToFile|"
    r"SaveStringsToFile|FileCopy|Exec|ShellExec)\b",
    re.IGNORECASE,
)


def _inno_sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        header = re.match(r"^\[(\w+)\]\s*$", line)
        if header:
            current = header.group(1)
            sections[current] = []
        elif current and line.strip() and not line.lstrip().startswith(";"):
            sections[current].append(line)
    return sections


def test_the_windows_uninstaller_never_touches_a_vault_or_a_backup() -> None:
    text = (PACKAGING / "windows" / "btam.iss").read_text(encoding="utf-8")
    sections = _inno_sections(text)
    for forbidden in ("UninstallDelete", "InstallDelete", "UninstallRun", "Dirs", "Registry"):
        assert forbidden not in sections, forbidden
    code = "\n".join(sections["Code"])
    assert not INNO_DELETING_CALLS.search(code)
    # Everything installed goes into the program folder ({app}), from the built folder only.
    (files_line,) = sections["Files"]
    assert 'Source: "{#SourceDir}\\*"' in files_line and 'DestDir: "{app}"' in files_line
    assert "uninsneveruninstall" not in files_line.lower()
    # The shortcuts open the windowed program inside {app}, nothing else.
    for icon in sections["Icons"]:
        assert re.search(r'Filename: "\{app\}\\\{#AppExe\}"', icon), icon
    # Per user, no administrator; a folder holding a vault is refused as the program folder.
    setup = dict(line.split("=", 1) for line in sections["Setup"] if "=" in line)
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["PrivilegesRequiredOverridesAllowed"] == "dialog"
    assert "HoldsVault(WizardDirValue)" in code and "'backups'" in code


def test_the_windows_version_information(spec: dict[str, Any], tmp_path: Path) -> None:
    text = (PACKAGING / "windows" / "btam.iss").read_text(encoding="utf-8")
    setup = dict(line.split("=", 1) for line in _inno_sections(text)["Setup"] if "=" in line)
    version = _pyproject_version()
    # Inno wants four numbers in VersionInfoVersion: "0.1.0" + ".0".
    assert setup["VersionInfoVersion"] == "{#AppVersion}.0"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    for key in ("VersionInfoProductName", "VersionInfoCompany", "VersionInfoCopyright"):
        assert setup[key].strip(), key
    # The .exe files' own version resource, as the spec writes it for PyInstaller.
    spec["workpath"] = str(tmp_path)
    resource = Path(spec["_windows_version_file"]()).read_text(encoding="utf-8")
    numbers = (*(int(n) for n in version.split(".")), 0)
    assert f"filevers={numbers}" in resource and f"prodvers={numbers}" in resource
    for field in ("FileVersion", "ProductVersion"):
        assert f"StringStruct('{field}', '{version}')" in resource
    assert "StringStruct('OriginalFilename', 'btam.exe')" in resource


def test_every_file_the_spec_and_installers_name_exists(spec: dict[str, Any]) -> None:
    for source, _folder in spec["DATAS"]:
        assert Path(source).is_file(), source
    for hook in spec["a"].kwargs["runtime_hooks"]:
        assert Path(hook).is_file(), hook
    for name in ("btam.ico", "btam.icns"):
        assert (PACKAGING / "icons" / name).is_file()
    script = (PACKAGING / "macos" / "sign_and_notarize.sh").read_text(encoding="utf-8")
    assert (ROOT / "packaging" / "macos" / "entitlements.plist").is_file()
    assert "Versions/" in script  # Qt frameworks signed through their versioned folder


def test_the_readme_names_every_linux_library_the_package_depends_on_by_name() -> None:
    """The packages the .deb names without finding them on the build machine (Qt's plugin
    libraries, libpq) are in the README's install command, so a plain folder works too."""
    linux = PACKAGING / "linux"
    sys.path.insert(0, str(linux))
    try:
        import deb
    finally:
        sys.path.remove(str(linux))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Linux: the system libraries Qt needs", 1)[1].split("\n## ", 1)[0]
    command = section.split("```sh", 1)[1].split("```", 1)[0]
    named = set(command.replace("\\", " ").split()) - {"sudo", "apt", "install"}
    wanted = set(deb.KNOWN_PACKAGES.values()) | set(deb.RUNTIME_LIBRARIES.values())
    assert wanted - {"libopengl0"} <= named  # libOpenGL only if a plugin links it
    assert {"libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0", "libpq5"} <= named


def test_what_is_left_out_is_not_listed_in_about(spec: dict[str, Any]) -> None:
    import json

    index = next(Path(src) for src, _ in spec["DATAS"] if Path(src).name == "components.json")
    names = {c["name"].casefold() for c in json.loads(index.read_text("utf-8"))["components"]}
    assert "pillow" not in names and "reportlab" in names
    if sys.platform.startswith("linux"):
        assert "psycopg-binary" not in names and "psycopg" in names
