"""The case list on 100,000 cases: the team server over loopback next to the local vault.

    .venv/bin/python bench/bench_server.py [--cases 100000] [--runs 5] [--url URL]

Fills a vault (SQLCipher, in a temporary folder) and a team server database with the same
synthetic cases (a title, a site, a status, a level, an owner; a concern report of 18 words,
one case in a thousand with the rare word "zephyrine"; a subject), through the services' own
sessions, so the server's copy is sealed and blind-indexed as in real use. Without ``--url`` a
throwaway PostgreSQL is started on 127.0.0.1 (the system package, as the tests use); with it,
an empty database given by the URL is used.

Then times, through the services (what the Cases page calls), the median of --runs:
the first page (200 rows) in several sorts, filters, whole-word search for a rare and a common
word, the count, and every id of the list in order (``list_ids``, what the page asks once).
Prints one table: vault ms, server ms, server / vault.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from btam_desktop.domain.enums import CaseSetting, CaseStatus, PersonRole, Priority, ReportChannel
from btam_desktop.domain.models import Case, ConcernReport, Person
from btam_desktop.services.app import Btam, NewTeam, create_team_vault
from btam_desktop.services.cases import CaseQuery, CaseSort
from btam_desktop.services.team_server import create_team_server
from btam_desktop.store.crypto import KdfParams

CHEAP = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
WORDS = [
    "hallway",
    "locker",
    "message",
    "threat",
    "weapon",
    "friend",
    "teacher",
    "bus",
    "lunch",
    "gym",
    "class",
    "phone",
    "video",
    "drawing",
    "notebook",
    "text",
    "group",
    "chat",
    "parent",
    "coach",
    "office",
    "library",
    "field",
    "cafeteria",
    "recess",
    "angry",
    "upset",
    "quiet",
    "bullied",
    "joked",
    "posted",
    "said",
    "wrote",
    "showed",
    "brought",
    "left",
    "followed",
    "warned",
]
SITES = ["Maple Grove High", "Cedar Middle", "Birch Elementary", "District Office"]
LEVELS = [None, "low", "moderate", "high", "imminent"]
RANKS = {None: None, "low": 0, "moderate": 1, "high": 2, "imminent": 3}
CHUNK = 2000


def team() -> NewTeam:
    return NewTeam(
        team_name="Bench",
        setting=CaseSetting.SCHOOL,
        scale_id="scale.four-level",
        username="bench",
        display_name="Bench Coordinator",
        password="bench password 1",
    )


def fill(app: Btam, count: int, seed: int, progress: Callable[[int], None]) -> None:
    rng = random.Random(seed)
    owner = app.actor.account_id
    today = date.today()
    sequence: dict[int, int] = {}
    done = 0
    while done < count:
        batch = min(CHUNK, count - done)
        with app.vault.write() as session:
            cases = []
            for _ in range(batch):
                opened = datetime.now(UTC) - timedelta(days=rng.randint(0, 4 * 365))
                sequence[opened.year] = sequence.get(opened.year, 0) + 1
                seq = sequence[opened.year]
                level = rng.choice(LEVELS)
                status = rng.choice(list(CaseStatus))
                cases.append(
                    Case(
                        number=f"{opened.year}-{seq:05d}",
                        year=opened.year,
                        sequence=seq,
                        title=f"Synthetic {rng.choice(WORDS)} concern {seq}",
                        setting=CaseSetting.SCHOOL.value,
                        site=rng.choice(SITES),
                        status=status.value,
                        priority=rng.choice(list(Priority)).value,
                        level_scale="scale.four-level",
                        level=level,
                        level_rank=RANKS[level],
                        owner_id=owner,
                        opened_at=opened,
                        next_review_on=today + timedelta(days=rng.randint(-30, 60)),
                        updated_at=opened,
                    )
                )
            session.add_all(cases)
            session.flush()
            for case in cases:
                words = " ".join(rng.choice(WORDS) for _ in range(18))
                if rng.random() < 0.001:
                    words += " zephyrine"
                session.add(
                    ConcernReport(
                        case_id=case.id,
                        received_at=case.opened_at,
                        channel=ReportChannel.IN_PERSON.value,
                        narrative=words,
                    )
                )
                session.add(
                    Person(
                        case_id=case.id,
                        role=PersonRole.SUBJECT.value,
                        full_name=f"Synthetic Person {case.id}",
                    )
                )
        done += batch
        progress(done)


QUERIES: list[tuple[str, Callable[[Btam], object]]] = [
    ("first page, newest first", lambda a: a.cases.list_page(CaseQuery(), 0, 200)),
    (
        "first page, by level",
        lambda a: a.cases.list_page(CaseQuery(sort=CaseSort.LEVEL), 0, 200),
    ),
    (
        "first page, by site",
        lambda a: a.cases.list_page(CaseQuery(sort=CaseSort.SITE), 0, 200),
    ),
    (
        "first page, by title (server: sorted here)",
        lambda a: a.cases.list_page(CaseQuery(sort=CaseSort.TITLE), 0, 200),
    ),
    (
        "filter: open cases",
        lambda a: a.cases.list_page(CaseQuery(open_only=True), 0, 200),
    ),
    (
        "filter: one site, high level",
        lambda a: a.cases.list_page(CaseQuery(site=SITES[1], levels={"high"}), 0, 200),
    ),
    (
        "search: rare word",
        lambda a: a.cases.list_page(CaseQuery(text="zephyrine"), 0, 200),
    ),
    (
        "search: common word",
        lambda a: a.cases.list_page(CaseQuery(text="locker"), 0, 200),
    ),
    (
        "search: two common words",
        lambda a: a.cases.list_page(CaseQuery(text="locker threat"), 0, 200),
    ),
    ("count: all cases", lambda a: a.cases.list_count(CaseQuery())),
    ("count: common word", lambda a: a.cases.list_count(CaseQuery(text="locker"))),
    ("list_ids: whole list", lambda a: a.cases.list_ids(CaseQuery())),
    (
        "list_ids: by title (server: sorted here)",
        lambda a: a.cases.list_ids(CaseQuery(sort=CaseSort.TITLE)),
    ),
]


def timed(app: Btam, query: Callable[[Btam], object], runs: int) -> float:
    query(app)  # warm: pools, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        query(app)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--url", help="an empty database on a PostgreSQL server")
    args = parser.parse_args()

    postgres = None
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url
        if url is None:
            from tests.server.throwaway_postgres import ThrowawayPostgres

            postgres = ThrowawayPostgres.start()
            url = postgres.url(postgres.fresh_database("bench"))
        try:
            vault, _ = create_team_vault(Path(scratch) / "vault", team(), kdf_params=CHEAP)
            server, _ = create_team_server(url, team(), kdf_params=CHEAP)
            for name, app in (("vault", vault), ("server", server)):
                start = time.perf_counter()

                def show(done: int, name: str = name) -> None:
                    print(f"\rfilling the {name}: {done}/{args.cases}", end="", file=sys.stderr)

                fill(app, args.cases, seed=16, progress=show)
                print(
                    f"\rfilled the {name} with {args.cases} cases in "
                    f"{time.perf_counter() - start:.0f} s",
                    file=sys.stderr,
                )
            # What autovacuum does soon after a bulk load anyway: without planner statistics
            # the first queries would be timed on a server that has not looked at its tables.
            with server.vault.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
            if postgres is not None:
                size = server.vault.execute_raw("SELECT pg_database_size(current_database())")
                print(f"server database size: {size[0][0] / 1e6:.0f} MB", file=sys.stderr)
            print(f"\n{args.cases} cases, median of {args.runs} runs (ms)\n")
            print("| query | vault | server | server / vault |\n| --- | ---: | ---: | ---: |")
            for label, query in QUERIES:
                local = timed(vault, query, args.runs)
                remote = timed(server, query, args.runs)
                print(f"| {label} | {local:.1f} | {remote:.1f} | {remote / local:.1f}x |")
            vault.lock()
            server.lock()
        finally:
            if postgres is not None:
                postgres.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
