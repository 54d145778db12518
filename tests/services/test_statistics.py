"""Annual statistics on the demo vault, checked against counts made here with plain SQL."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from btam_desktop.domain.enums import ReportChannel, ThreatExpression
from btam_desktop.services.app import Btam, unlock
from btam_desktop.services.demo import create_demo_vault
from btam_desktop.services.statistics import FEWER_THAN, STILL_OPEN
from tests.services.conftest import CHEAP


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stats") / "demo"
    create_demo_vault(folder, kdf_params=CHEAP).lock()
    return folder


@pytest.fixture
def demo(demo_folder: Path) -> Iterator[Btam]:
    app = unlock(demo_folder, "demo", "demo")
    yield app
    app.lock()


def _sql(app: Btam, query: str, **params: object) -> list[tuple[object, ...]]:
    return [tuple(r) for r in app.vault.execute_raw(query, params)]


def test_statistics_match_counts_computed_independently(demo: Btam) -> None:
    year = max(int(r[0]) for r in _sql(demo, "SELECT year FROM case_file"))
    stats = demo.statistics.annual(year, suppress_small=False)
    cases = _sql(demo, "SELECT id, setting, site, status FROM case_file WHERE year = :y", y=year)
    assert stats.total == len(cases) >= 8

    def section(key: str) -> dict[str, int]:
        return {label: n for label, n in stats.section(key).counts if n}

    assert section("setting") == {
        k.capitalize(): v for k, v in Counter(c[1] for c in cases).items()
    }
    assert section("site") == dict(Counter(str(c[2]) or "(no site given)" for c in cases))

    reports = _sql(
        demo,
        "SELECT case_id, channel, expressed_as FROM concern_report WHERE id IN "
        "(SELECT MIN(id) FROM concern_report WHERE case_id IN "
        "(SELECT id FROM case_file WHERE year = :y) GROUP BY case_id)",
        y=year,
    )
    channels = Counter(ReportChannel(str(r[1])).label for r in reports)
    assert section("channel") == dict(channels)
    expressed: Counter[str] = Counter()
    for r in reports:
        forms = json.loads(str(r[2]))
        expressed.update(ThreatExpression(f).label for f in forms)
        if not forms:
            expressed["Not recorded"] += 1
    assert section("expressed") == dict(expressed)

    closed = [c for c in cases if c[3] in ("closed", "closed_no_threat")]
    closure_levels = dict(
        _sql(
            demo,
            "SELECT case_id, level FROM level_decision WHERE source = 'closure' "
            "AND case_id IN (SELECT id FROM case_file WHERE year = :y) ORDER BY id",
            y=year,
        )
    )
    labels = {lv.code: lv.label for lv in demo.scale("scale.four-level").levels}
    expected_levels = Counter(labels[str(closure_levels[c[0]])] for c in closed)
    expected_levels[STILL_OPEN] = len(cases) - len(closed)
    assert section("closure_level") == dict(expected_levels)
    assert section("days_open")[STILL_OPEN] == len(cases) - len(closed)
    assert sum(section("days_open").values()) == len(cases)

    strategies = _sql(
        demo,
        "SELECT pi.strategy, COUNT(*) FROM plan_intervention pi JOIN management_plan mp "
        "ON mp.id = pi.plan_id WHERE mp.case_id IN (SELECT id FROM case_file WHERE year = :y) "
        "AND mp.version = (SELECT "
        "MAX(version) FROM management_plan m2 WHERE m2.case_id = mp.case_id) "
        "GROUP BY pi.strategy",
        y=year,
    )
    names = {
        "subject": "Person of concern",
        "target": "Targets",
        "environment": "Environment or system",
        "precipitating": "Precipitating events",
    }
    assert section("strategy") == {names[str(s)]: int(str(n)) for s, n in strategies}
    assert sum(section("strategy").values()) > 0

    screened = _sql(
        demo,
        "SELECT COUNT(DISTINCT case_id) FROM assessment WHERE form_kind = 'screening' "
        "AND status = 'completed' AND case_id IN (SELECT id FROM case_file WHERE year = :y)",
        y=year,
    )[0][0]
    assert section("screening").get("No completed screening", 0) == len(cases) - int(str(screened))
    assert sum(section("month").values()) == len(cases)


def test_small_counts_are_shown_as_fewer_than_five_unless_turned_off(demo: Btam) -> None:
    year = max(int(r[0]) for r in _sql(demo, "SELECT year FROM case_file"))
    audited_before = sum(1 for e in demo.audit_events() if e.action == "stats.annual")
    suppressed = demo.statistics.annual(year)
    rows = list(csv.reader(io.StringIO(suppressed.to_csv().decode("utf-8-sig"))))
    assert rows[0] == ["Section", "Category", "Cases"]
    small = [r for r in rows[1:] if len(r) == 3 and r[2] == FEWER_THAN]
    assert small, "the demo vault has small groups"
    assert not any(r[2] in ("1", "2", "3", "4") for r in rows[1:] if len(r) == 3)
    shown = demo.statistics.annual(year, suppress_small=False)
    raw = list(csv.reader(io.StringIO(shown.to_csv().decode("utf-8-sig"))))
    assert not any(r[2] == FEWER_THAN for r in raw[1:] if len(r) == 3)
    # No names or case numbers in the file.
    text = suppressed.to_csv().decode("utf-8-sig")
    for number in (str(r[0]) for r in _sql(demo, "SELECT number FROM case_file")):
        assert number not in text
    assert "fictional" not in text.lower().replace("(fictional demo)", "")
    events = [e for e in demo.audit_events() if e.action == "stats.annual"]
    assert len(events) == audited_before + 2
