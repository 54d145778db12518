"""Export, import, transfer and annual statistics on a demo vault with synthetic cases.

python bench/bench_exchange.py [CASES]      (default 5000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from btam_desktop.domain.enums import CaseSetting
from btam_desktop.services.app import NewTeam, create_team_vault
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.services.spreadsheet import cases_csv
from btam_desktop.store.crypto import KdfParams

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    print(f"{label:<42} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        app = create_demo_vault(Path(tmp) / "demo", cases=cases, kdf_params=CHEAP)
        app.transfer.kdf_params = KdfParams(time_cost=3, memory_kib=64 * 1024, parallelism=2)
        ids = app.exchange.all_case_ids()
        print(f"vault with {len(ids)} cases")
        data = timed("export JSON (all cases)", lambda: app.exchange.export_json(ids))
        print(f"{'  size':<42} {len(data) / 1e6:8.2f} MB")
        csv_data = timed("export CSV (all cases)", lambda: cases_csv(app.ctx, ids))
        print(f"{'  size':<42} {len(csv_data) / 1e6:8.2f} MB")
        year = max(app.statistics.years())
        timed(f"annual statistics {year}", lambda: app.statistics.annual(year))
        package = Path(tmp) / "p.btamtransfer"
        timed(
            "transfer: seal 100 cases (Argon2id 64 MiB)",
            lambda: app.transfer.send(ids[:100], "bench passphrase words", "Bench", package),
        )
        other, _ = create_team_vault(
            Path(tmp) / "other",
            NewTeam(
                "Other", CaseSetting.SCHOOL, "scale.four-level", "oth", "Oth", "other password 1"
            ),
            kdf_params=CHEAP,
        )
        preview = timed("import JSON: preview", lambda: other.exchange.preview_json(data))
        timed("import JSON: one transaction", lambda: other.exchange.import_json(preview))
        other.lock()
        app.lock()


if __name__ == "__main__":
    main()
