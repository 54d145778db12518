"""``btam export|import|transfer|stats`` from a terminal: exit codes, stdin order, refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from btam_desktop import cli
from btam_desktop.store import crypto

CHEAP = crypto.KdfParams(time_cost=1, memory_kib=8, parallelism=1)
PASSPHRASE = "harbor violet thimble orchard"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "tune_params", lambda *a, **k: CHEAP)
    monkeypatch.setattr(crypto, "DEFAULT_PARAMS", CHEAP)


def run(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(tmp_path: Path, monkeypatch, capsys) -> Path:
    folder = tmp_path / "demo"
    code, _out, err = run(monkeypatch, capsys, ["demo", "--vault", str(folder)])
    assert code == 0, err
    return folder


def new_vault(tmp_path: Path, monkeypatch, capsys, name: str) -> Path:
    folder = tmp_path / name
    code, _o, err = run(
        monkeypatch,
        capsys,
        [
            "init",
            "--vault",
            str(folder),
            "--team",
            "Other Team",
            "--user",
            "lead",
            "--password-stdin",
        ],
        "lead password 1\n",
    )
    assert code == 0, err
    return folder


def numbers(folder: Path, monkeypatch, capsys) -> list[str]:
    out_file = folder.parent / f"{folder.name}-list.csv"
    code, _o, err = run(
        monkeypatch,
        capsys,
        [
            "export",
            "cases",
            "--vault",
            str(folder),
            "--user",
            "demo",
            "--format",
            "csv",
            "--out",
            str(out_file),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out_file.read_text("utf-8-sig"))))
    return [r[0] for r in rows[1:]]


def test_export_json_and_csv_then_import_json_elsewhere(
    demo: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    target = tmp_path / "all.json"
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "export",
            "cases",
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--format",
            "json",
            "--out",
            str(target),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 0, err
    assert "NOT encrypted" in out
    document = json.loads(target.read_bytes())
    assert document["format"] == "btam-case-export" and len(document["cases"]) >= 8
    assert not list(tmp_path.glob("*.writing"))

    other = new_vault(tmp_path, monkeypatch, capsys, "other")
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "import",
            "cases",
            str(target),
            "--vault",
            str(other),
            "--user",
            "lead",
            "--dry-run",
            "--password-stdin",
        ],
        "lead password 1\n",
    )
    assert code == 0, err
    assert "dry run" in out
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "import",
            "cases",
            str(target),
            "--vault",
            str(other),
            "--user",
            "lead",
            "--password-stdin",
        ],
        "lead password 1\n",
    )
    assert code == 0, err
    assert out.count("->") == len(document["cases"])


def test_import_csv_with_a_mapping_file_and_bad_rows(
    demo: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    sheet = tmp_path / "old.csv"
    sheet.write_text("Ref;Name of case;When\nA1;Hallway remark;2025-01-10\nA2;;13/13/2025\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps({"source_number": "Ref", "title": "Name of case", "opened": "When"})
    )
    before = numbers(demo, monkeypatch, capsys)
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "import",
            "cases",
            str(sheet),
            "--mapping",
            str(mapping),
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 1
    assert "Row 3: the title is empty" in err and "13/13/2025" in err
    assert "Nothing was imported" in out
    assert numbers(demo, monkeypatch, capsys) == before
    sheet.write_text("Ref;Name of case;When\nA1;Hallway remark;2025-01-10\n")
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "import",
            "cases",
            str(sheet),
            "--mapping",
            str(mapping),
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 0, err
    assert "Imported 1 cases: 2025-" in out


def test_transfer_with_password_then_passphrase_on_stdin(
    demo: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    first = numbers(demo, monkeypatch, capsys)[0]
    package = tmp_path / "move.btamtransfer"
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "transfer",
            "export",
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--case",
            first,
            "--out",
            str(package),
            "--to",
            "Lincoln High",
            "--password-stdin",
            "--passphrase-stdin",
        ],
        f"demo\n{PASSPHRASE}\n",
    )
    assert code == 0, err
    assert "Sealed 1 cases" in out
    other = new_vault(tmp_path, monkeypatch, capsys, "other")
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "transfer",
            "import",
            str(package),
            "--vault",
            str(other),
            "--user",
            "lead",
            "--password-stdin",
            "--passphrase-stdin",
        ],
        "lead password 1\nnot the passphrase at all\n",
    )
    assert code == 1
    assert "passphrase is wrong, or the package was changed" in err
    assert "Traceback" not in err
    damaged = tmp_path / "damaged.btamtransfer"
    data = bytearray(package.read_bytes())
    data[-5] ^= 0x40
    damaged.write_bytes(bytes(data))
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "transfer",
            "import",
            str(damaged),
            "--vault",
            str(other),
            "--user",
            "lead",
            "--password-stdin",
            "--passphrase-stdin",
        ],
        f"lead password 1\n{PASSPHRASE}\n",
    )
    assert code == 1 and "changed or damaged" in err
    code, out, err = run(
        monkeypatch,
        capsys,
        [
            "transfer",
            "import",
            str(package),
            "--vault",
            str(other),
            "--user",
            "lead",
            "--password-stdin",
            "--passphrase-stdin",
        ],
        f"lead password 1\n{PASSPHRASE}\n",
    )
    assert code == 0, err
    assert f"{first} (there) ->" in out


def test_transfer_refuses_a_weak_passphrase(demo: Path, tmp_path: Path, monkeypatch, capsys):
    first = numbers(demo, monkeypatch, capsys)[0]
    package = tmp_path / "p.btamtransfer"
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "transfer",
            "export",
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--case",
            first,
            "--out",
            str(package),
            "--password-stdin",
            "--passphrase-stdin",
        ],
        "demo\nsecret\n",
    )
    assert code == 1 and "at least 12 characters" in err
    assert not package.exists()


def test_stats_writes_csv_and_pdf_and_viewers_are_refused(
    demo: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    year = numbers(demo, monkeypatch, capsys)[0][:4]
    out_csv, out_pdf = tmp_path / "s.csv", tmp_path / "s.pdf"
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "stats",
            "--vault",
            str(demo),
            "--user",
            "demo",
            "--year",
            year,
            "--out",
            str(out_csv),
            "--pdf",
            str(out_pdf),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 0, err
    assert out_csv.read_text("utf-8-sig").startswith("Section,Category,Cases")
    assert out_pdf.read_bytes().startswith(b"%PDF")
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "stats",
            "--vault",
            str(demo),
            "--user",
            "casey",
            "--year",
            year,
            "--out",
            str(tmp_path / "v.csv"),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 1 and "may not produce annual statistics" in err
    assert not (tmp_path / "v.csv").exists()
    code, _out, err = run(
        monkeypatch,
        capsys,
        [
            "export",
            "cases",
            "--vault",
            str(demo),
            "--user",
            "morgan",
            "--format",
            "json",
            "--out",
            str(tmp_path / "m.json"),
            "--password-stdin",
        ],
        "demo\n",
    )
    assert code == 1 and "may not export or transfer" in err
