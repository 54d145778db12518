#!/usr/bin/env python3
"""Build the BTAM Desktop program folder with PyInstaller, smoke-test it, and on Linux package
it as a .deb.

    python3 packaging/build.py                  set up, build, smoke-test (Linux: and the .deb)
    python3 packaging/build.py --smoke-only     smoke-test an earlier build
    python3 packaging/build.py --clean          rebuild from scratch (PyInstaller's cache too)
    python3 packaging/build.py --package none   the folder only
    sudo python3 packaging/build.py --install-test dist/btam-desktop_0.1.0_amd64.deb
                                                install a .deb with apt on this machine and run
                                                btam --self-test offscreen and under Xvfb

The Windows installer (Inno Setup) and the macOS .dmg are made from the folder by
packaging/windows/ and packaging/macos/ (see packaging/README.md).

The build runs in its own virtual environment, build/venv (never the development .venv), with
the program's dependencies at the versions pinned in requirements/constraints.txt and
PyInstaller at the versions pinned below. The program is analysed from this checkout; it is not
installed. The result is "dist/BTAM Desktop/" (on macOS also "dist/BTAM Desktop.app").

The smoke tests run the built program, from a temporary folder, with its home and data
folders pointed at that temporary folder: --version, forms check, demo (a real encrypted
vault, so the bundled migrations run), audit verify, print forms (the bundled fonts), the
team-server driver (an address where no server listens), and the window on the demo vault,
offscreen, for a few seconds (and on Linux also on a virtual X display when Xvfb is
installed). Then the size budget (130 MiB, --size-budget): the installed .deb on Linux, the
program folder elsewhere. Exit code 0 when all passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "btam.spec"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
APP_NAME = "BTAM Desktop"
# The build tools, pinned here because requirements/constraints.txt covers the program only.
BUILD_PINS = ("pyinstaller==6.22.3", "pyinstaller-hooks-contrib==2026.9", "altgraph==0.17.5")
EXE_SUFFIX = ".exe" if os.name == "nt" else ""
# The budget for what a person installs (issue 15): the installed .deb on Linux (the
# folder without the system libraries its Depends bring), the program folder elsewhere.
SIZE_BUDGET_MIB = 130
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def program_dependencies() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def ensure_build_environment(folder: Path) -> Path:
    """build/venv with the pinned dependencies and PyInstaller; reinstalled when pins change."""
    python = venv_python(folder)
    if not python.exists():
        print(f"== creating the build environment in {folder}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS):
        digest.update(path.read_bytes())
    digest.update("\n".join(BUILD_PINS).encode())
    stamp = folder / ".btam-build-installed"
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        print("== installing pinned dependencies and PyInstaller", flush=True)
        pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run(
            [*pip, "-c", str(CONSTRAINTS), *program_dependencies(), *BUILD_PINS], check=True
        )
        stamp.write_text(digest.hexdigest())
    return python


def build(python: Path, dist: Path, work: Path, clean: bool) -> float:
    command = [str(python), "-m", "PyInstaller", str(SPEC), "--noconfirm"]
    command += ["--distpath", str(dist), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    print(f"== {' '.join(command)}", flush=True)
    start = time.monotonic()
    subprocess.run(command, check=True, cwd=ROOT)
    return time.monotonic() - start


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# ---- smoke tests ---------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    ok: bool
    seconds: float
    detail: str


class SmokeTests:
    """Runs the built program the way a person would, in a throwaway home."""

    def __init__(self, app_dir: Path, scratch: Path, gui_seconds: float) -> None:
        self.app_dir = app_dir
        self.program = app_dir / f"btam{EXE_SUFFIX}"
        self.scratch = scratch
        self.gui_seconds = gui_seconds
        self.outcomes: list[Outcome] = []

    def environment(self, home: Path, platform: str = "offscreen") -> dict[str, str]:
        env = dict(os.environ)
        for name in ("BTAM_RESOURCES_DIR", "PYTHONPATH", "PYTHONHOME", "QT_PLUGIN_PATH"):
            env.pop(name, None)  # the bundle must find everything by itself
        env.update(
            {
                "QT_QPA_PLATFORM": platform,
                "HOME": str(home),
                "USERPROFILE": str(home),
                "XDG_DATA_HOME": str(home / "data"),
                "XDG_CONFIG_HOME": str(home / "config"),
                "XDG_CACHE_HOME": str(home / "cache"),
                "APPDATA": str(home / "AppData" / "Roaming"),
                "LOCALAPPDATA": str(home / "AppData" / "Local"),
                # platformdirs asks Windows itself unless these are set
                "WIN_PD_OVERRIDE_APPDATA": str(home / "AppData" / "Roaming"),
                "WIN_PD_OVERRIDE_LOCAL_APPDATA": str(home / "AppData" / "Local"),
            }
        )
        home.mkdir(parents=True, exist_ok=True)
        return env

    def run(
        self, args: Sequence[str], stdin: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.program), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.scratch,
            env=self.environment(self.scratch / "home"),
        )

    def check(self, name: str, test: Callable[[], str]) -> None:
        start = time.monotonic()
        try:
            detail, ok = test(), True
        except Exception as error:  # a failed check is reported, and the others still run
            detail, ok = f"{type(error).__name__}: {error}", False
        outcome = Outcome(name, ok, time.monotonic() - start, detail)
        self.outcomes.append(outcome)
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {name} ({outcome.seconds:.1f} s): {detail}", flush=True)

    @staticmethod
    def expect(result: subprocess.CompletedProcess[str], text: str) -> str:
        if result.returncode != 0 or text not in result.stdout:
            raise AssertionError(
                f"exit {result.returncode}, expected {text!r} in the output\n"
                f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
            )
        return result.stdout.strip().splitlines()[0]

    def version(self) -> str:
        init = (ROOT / "btam_desktop" / "__init__.py").read_text(encoding="utf-8")
        version = init.split('__version__ = "', 1)[1].split('"', 1)[0]
        return self.expect(self.run(["--version"]), f"{APP_NAME} {version}")

    def forms_check(self) -> str:
        forms = self.app_dir / "_internal" / "forms"
        if not any(forms.rglob("*.yaml")):
            raise AssertionError(f"no forms bundled in {forms}")
        return self.expect(self.run(["forms", "check", str(forms)]), "valid")

    def demo(self) -> str:
        vault = self.scratch / "vault"
        line = self.expect(self.run(["demo", "--vault", str(vault)]), "Demo vault with")
        header = (vault / "vault.db").read_bytes()[:16]
        if header == SQLITE_PLAIN_HEADER:
            raise AssertionError("vault.db is a plain SQLite file, not encrypted")
        return f"{line}; vault.db is encrypted"

    def audit(self) -> str:
        args = ["audit", "verify", "--vault", str(self.scratch / "vault"), "--user", "demo"]
        result = self.run([*args, "--password-stdin"], stdin="demo\n")
        return self.expect(result, "Head hash:")

    def print_forms(self) -> str:
        out = self.scratch / "pdf"
        line = self.expect(self.run(["print", "forms", "--out", str(out)]), "Wrote")
        pdfs = sorted(out.glob("*.pdf"))
        if not pdfs:
            raise AssertionError(f"no PDF in {out}")
        for pdf in pdfs:
            data = pdf.read_bytes()
            if not data.startswith(b"%PDF") or b"NotoSans" not in data:
                raise AssertionError(f"{pdf.name} is not a PDF with the bundled Noto fonts")
        return f"{line}; each embeds Noto Sans"

    def team_server_driver(self) -> str:
        """The team-server driver loads its libpq (on Linux the system's) and reports a server
        that is not there in plain words: a local port nobody listens on."""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"postgresql://btam@127.0.0.1:{port}/btam"
        args = ["audit", "verify", "--server", url, "--user", "demo", "--password-stdin"]
        result = self.run(args, stdin="demo\n", timeout=60)
        if result.returncode == 0 or "cannot be reached" not in result.stderr:
            raise AssertionError(
                f"exit {result.returncode}, expected 'cannot be reached'\n"
                f"stdout: {result.stdout.strip()}\nstderr: {result.stderr.strip()}"
            )
        if "Traceback" in result.stderr or "psycopg" in result.stderr:
            raise AssertionError(f"the driver failed: {result.stderr.strip()}")
        return "libpq loaded; an absent server is reported as 'cannot be reached'"

    def window(self, platform: str, extra_env: dict[str, str] | None = None) -> str:
        """The window on the demo vault must still be running, quietly, after a few seconds."""
        home = self.scratch / f"home-{platform}"
        env = {**self.environment(home, platform), **(extra_env or {})}
        process = subprocess.Popen(
            [str(self.program), "--demo"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.scratch,
            env=env,
        )
        try:
            process.wait(timeout=self.gui_seconds)
        except subprocess.TimeoutExpired:
            still_running = True
            process.terminate()
        else:
            still_running = False
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
        if not still_running:
            raise AssertionError(
                f"exit {process.returncode} before {self.gui_seconds:.0f} s: {err.strip()}"
            )
        if any(word in err for word in ("Traceback", "Error", "Could not load")):
            raise AssertionError(f"problems on stderr: {err.strip()}")
        vaults = [p for p in home.rglob("demo-vault") if (p / "vault.db").exists()]
        if not vaults:
            raise AssertionError(f"the demo vault was not created under {home}")
        return f"still running after {self.gui_seconds:.0f} s, no errors; demo vault created"

    def window_on_x11(self, xvfb: str) -> str:
        """The same on a virtual X display: loads the real xcb platform plugin."""
        read_fd, write_fd = os.pipe()
        server = subprocess.Popen(
            [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        try:
            with os.fdopen(read_fd) as pipe:
                display = pipe.readline().strip()
            if not display:
                raise AssertionError("Xvfb did not start")
            return self.window("xcb", {"DISPLAY": f":{display}", "WAYLAND_DISPLAY": ""})
        finally:
            server.terminate()
            server.wait(timeout=30)

    def self_test(self) -> str:
        result = self.run(["--self-test"])
        return self.expect(result, "Self-test passed.").replace("\n", " ") + (
            f"; {sum(1 for line in result.stdout.splitlines() if line.startswith('ok'))} checks ok"
        )

    def run_all(self) -> bool:
        if not self.program.exists():
            print(f"FAIL the built program is missing: {self.program}")
            return False
        self.check("btam --version", self.version)
        self.check("btam --self-test (offscreen)", self.self_test)
        self.check("btam forms check <bundled forms>", self.forms_check)
        self.check("btam demo --vault DIR", self.demo)
        self.check("btam audit verify --password-stdin", self.audit)
        self.check("btam print forms --out DIR", self.print_forms)
        self.check("btam audit verify --server (no server there)", self.team_server_driver)
        self.check("btam --demo (offscreen)", lambda: self.window("offscreen"))
        xvfb = shutil.which("Xvfb")
        if sys.platform.startswith("linux") and xvfb:
            self.check("btam --demo (X11 on Xvfb)", lambda: self.window_on_x11(xvfb))
        elif sys.platform.startswith("linux"):
            print("skip btam --demo on X11: Xvfb is not installed", flush=True)
        return all(o.ok for o in self.outcomes)


# ---- Linux: the .deb ---------------------------------------------------------------------


def program_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def within_budget(label: str, size_bytes: int, budget_mib: float) -> bool:
    mib = size_bytes / 2**20
    ok = mib <= budget_mib
    verdict = "within" if ok else "OVER"
    print(f"== {label}: {mib:.1f} MiB, {verdict} the {budget_mib:g} MiB budget", flush=True)
    return ok


def make_deb(app_dir: Path, out_dir: Path) -> tuple[Path, int]:
    """The .deb and its installed size in bytes."""
    sys.path.insert(0, str(ROOT / "packaging" / "linux"))
    from deb import build_deb  # packaging/linux/deb.py

    start = time.monotonic()
    result = build_deb(app_dir, out_dir, program_version())
    size = result.path.stat().st_size / 2**20
    print(
        f"== {result.path.name}: {size:.0f} MiB to download, "
        f"{result.installed_kib / 1024:.0f} MiB installed, built in "
        f"{time.monotonic() - start:.0f} s",
        flush=True,
    )
    print(f"== Depends: {', '.join(result.depends)}", flush=True)
    print(
        f"== left out of /opt (from those packages instead): {len(result.left_out)} libraries",
        flush=True,
    )
    return result.path, result.installed_kib * 1024


def run_self_test(program: str, env: dict[str, str], label: str) -> bool:
    start = time.monotonic()
    result = subprocess.run(
        [program, "--self-test"], capture_output=True, text=True, env=env, timeout=300
    )
    seconds = time.monotonic() - start
    ok = result.returncode == 0 and "Self-test passed." in result.stdout
    print(f"{'ok  ' if ok else 'FAIL'} {program} --self-test ({label}, {seconds:.1f} s)")
    for line in result.stdout.splitlines():
        print(f"     {line}")
    noise = [line for line in result.stderr.splitlines() if "propagateSizeHints" not in line]
    if noise:
        print("     stderr: " + "\n     stderr: ".join(noise))
    return ok and not any(w in result.stderr for w in ("Traceback", "Could not load"))


def install_test(deb: Path) -> int:
    """Install the .deb with apt (pulling in its Depends), then self-test the installed copy."""
    if os.geteuid() != 0:
        print("--install-test installs a package: run it as root (sudo).")
        return 2
    subprocess.run(
        [
            "apt-get",
            "install",
            "-y",
            "-q",
            "--reinstall",
            "--no-install-recommends",
            str(deb.resolve()),
        ],
        check=True,
    )
    program = "/usr/bin/btam"
    with tempfile.TemporaryDirectory(prefix="btam-deb-test-") as scratch:
        home = Path(scratch)
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "XDG_RUNTIME_DIR": str(home),
            "LANG": "C.UTF-8",
        }
        ok = run_self_test(program, {**env, "QT_QPA_PLATFORM": "offscreen"}, "offscreen")
        xvfb = shutil.which("Xvfb")
        if xvfb:
            read_fd, write_fd = os.pipe()
            server = subprocess.Popen(
                [
                    xvfb,
                    "-displayfd",
                    str(write_fd),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(write_fd,),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            os.close(write_fd)
            try:
                with os.fdopen(read_fd) as pipe:
                    display = pipe.readline().strip()
                x_env = {**env, "DISPLAY": f":{display}", "QT_QPA_PLATFORM": "xcb"}
                ok = run_self_test(program, x_env, "X11 on Xvfb, xcb plugin") and ok
            finally:
                server.terminate()
                server.wait(timeout=30)
        else:
            print("skip the X11 self-test: Xvfb is not installed (apt-get install xvfb)")
    for tool, args in (
        ("desktop-file-validate", ["/usr/share/applications/org.btamdesktop.BtamDesktop.desktop"]),
        (
            "appstreamcli",
            [
                "validate",
                "--no-net",
                "--pedantic",
                "/usr/share/metainfo/org.btamdesktop.BtamDesktop.metainfo.xml",
            ],
        ),
    ):
        if shutil.which(tool):
            checked = subprocess.run([tool, *args], capture_output=True, text=True)
            print(f"{tool}: exit {checked.returncode} {checked.stdout.strip()}")
    print("== installed package passed" if ok else "== INSTALLED PACKAGE FAILED", flush=True)
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / "build" / "venv")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--smoke-only", action="store_true", help="test an existing build")
    parser.add_argument("--no-smoke", action="store_true", help="build without testing")
    parser.add_argument("--gui-seconds", type=float, default=10.0)
    parser.add_argument(
        "--package",
        choices=["auto", "deb", "none"],
        default="auto",
        help="auto: a .deb on Debian/Ubuntu (when dpkg-deb is there), nothing elsewhere",
    )
    parser.add_argument(
        "--install-test", type=Path, metavar="DEB", help="install DEB here and self-test it"
    )
    parser.add_argument(
        "--size-budget",
        type=float,
        default=SIZE_BUDGET_MIB,
        metavar="MIB",
        help="fail when the installed .deb (Linux) or the program folder is larger",
    )
    args = parser.parse_args(argv)
    if args.install_test:
        return install_test(args.install_test)

    app_dir = args.dist.resolve() / APP_NAME
    if not args.smoke_only:
        try:
            python = ensure_build_environment(args.venv.resolve())
            seconds = build(python, args.dist.resolve(), args.work.resolve(), args.clean)
        except subprocess.CalledProcessError as error:
            print(f"FAIL the build stopped: {error}")
            return 1
        print(f"== built {app_dir} in {seconds:.0f} s", flush=True)
    if app_dir.is_dir():
        files = sum(1 for p in app_dir.rglob("*") if p.is_file())
        print(f"== size: {folder_size(app_dir) / 2**20:.0f} MiB in {files} files", flush=True)
    if not args.no_smoke:
        with tempfile.TemporaryDirectory(prefix="btam-smoke-") as scratch:
            ok = SmokeTests(app_dir, Path(scratch), args.gui_seconds).run_all()
        print("== all smoke tests passed" if ok else "== SMOKE TESTS FAILED", flush=True)
        if not ok:
            return 1
    linux_deb = sys.platform.startswith("linux") and shutil.which("dpkg-deb") is not None
    if args.package == "deb" or (args.package == "auto" and linux_deb):
        deb, installed = make_deb(app_dir, args.dist.resolve())
        print(
            f"== to install and self-test it here: sudo {sys.executable} {__file__} "
            f"--install-test {deb}",
            flush=True,
        )
        if not within_budget("installed size of the .deb", installed, args.size_budget):
            return 1
    elif not sys.platform.startswith("linux") and app_dir.is_dir():
        if not within_budget("program folder", folder_size(app_dir), args.size_budget):
            return 1
    else:
        print("== the size budget is checked on the .deb (this run made none)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
