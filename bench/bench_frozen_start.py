"""Time from starting the built (frozen) program to its unlock screen being on screen.

    python3 bench/bench_frozen_start.py [--program "dist/BTAM Desktop/btam"] [--runs 7]
                                        [--platform offscreen|xcb]

Makes a vault with the program itself (``btam init``, in a temporary folder), then starts
``btam --vault DIR`` again and again with ``BTAM_STARTUP_PROBE=1``: the program prints one line
once the unlock screen has been shown and processed its first events, and quits. The time is
measured from outside, from starting the process to that line. The first run after the vault
is made is reported separately ("first"): it is the closest to a cold start this script can get
without root (the operating system's file cache is not emptied). With ``--platform xcb`` it runs
on a virtual X display (Xvfb), which loads the real X11 plugin. Also prints the bundle's size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE_LINE = "btam-startup: unlock screen shown"


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise SystemExit("--platform xcb needs Xvfb (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = pipe.readline().strip()
    return server, f":{display}"


def time_to_unlock_screen(program: Path, vault: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(program), "--vault", str(vault)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stderr is not None
    seconds = -1.0
    for line in process.stderr:
        if PROBE_LINE in line:
            seconds = time.perf_counter() - start
            break
    process.wait(timeout=60)
    if seconds < 0:
        raise SystemExit(f"the program exited ({process.returncode}) without the probe line")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program", type=Path, default=ROOT / "dist" / "BTAM Desktop" / "btam")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", choices=["offscreen", "xcb"], default="offscreen")
    args = parser.parse_args()
    program: Path = args.program
    if sys.platform == "win32" and program.suffix != ".exe":
        program = program.with_suffix(".exe")
    if not program.exists():
        raise SystemExit(f"{program} is missing: build it first (python3 packaging/build.py)")
    bundle = program.parent
    files = sum(1 for p in bundle.rglob("*") if p.is_file())
    print(f"bundle: {bundle} — {folder_size(bundle) / 2**20:.1f} MiB in {files} files")

    server = None
    with tempfile.TemporaryDirectory(prefix="btam-start-bench-") as scratch:
        home = Path(scratch)
        env = {
            **os.environ,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "QT_QPA_PLATFORM": args.platform,
            "BTAM_STARTUP_PROBE": "1",
        }
        if args.platform == "xcb":
            server, display = start_xvfb()
            env["DISPLAY"] = display
        try:
            vault = home / "vault"
            subprocess.run(
                [
                    str(program),
                    "init",
                    "--vault",
                    str(vault),
                    "--team",
                    "Bench team",
                    "--user",
                    "bench",
                    "--password-stdin",
                ],
                input="correct horse battery staple 42\n",
                capture_output=True,
                text=True,
                env={**env, "BTAM_STARTUP_PROBE": ""},
                check=True,
            )
            first = time_to_unlock_screen(program, vault, env)
            runs = [time_to_unlock_screen(program, vault, env) for _ in range(args.runs)]
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    print(f"platform: {args.platform}")
    print(f"first start after making the vault: {first:.2f} s")
    print(
        f"start to unlock screen over {len(runs)} runs: median {statistics.median(runs):.2f} s, "
        f"min {min(runs):.2f} s, max {max(runs):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
