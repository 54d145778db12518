"""The de-identified annual summary for the team and for state reporting.

It counts the cases opened in one calendar year (the year in their case number). Only counts
leave the vault: no names, numbers, titles or dates of single cases. Counts from 1 to 4 are shown
as "fewer than 5" unless the team turns that off, so a small group cannot be picked out.
"""

from __future__ import annotations

import csv
import io
import statistics as pystats
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    LevelSource,
    ReportChannel,
    ThreatExpression,
)
from btam_desktop.domain.models import (
    Assessment,
    Case,
    ConcernReport,
    LevelDecision,
    ManagementPlan,
    PlanIntervention,
)
from btam_desktop.domain.types import utcnow
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.plans import Strategy
from btam_desktop.services.scales import scale
from btam_desktop.services.settings import load_settings
from btam_desktop.store.errors import ValidationError

SMALL_COUNT = 5
FEWER_THAN = f"fewer than {SMALL_COUNT}"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
DAYS_OPEN_BANDS = (
    (7, "0 to 7 days"),
    (30, "8 to 30 days"),
    (90, "31 to 90 days"),
    (180, "91 to 180 days"),
)
MORE_THAN_180 = "More than 180 days"
STILL_OPEN = "Still open"
SCREENING_OUTCOMES = {
    "transient": "Transient",
    "substantive": "Substantive",
    "cannot_tell": "Cannot tell (treated as substantive)",
}
NO_SCREENING = "No completed screening"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    counts: list[tuple[str, int]]
    note: str = ""


@dataclass
class AnnualStatistics:
    year: int
    team_name: str
    total: int
    sections: list[Section]
    suppress_small: bool = True
    median_days_open: float | None = None
    generated_at: datetime = field(default_factory=utcnow)

    def shown(self, count: int) -> str:
        if self.suppress_small and 0 < count < SMALL_COUNT:
            return FEWER_THAN
        return str(count)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def to_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["Section", "Category", "Cases"])
        writer.writerow(["Summary", f"Cases opened in {self.year}", self.shown(self.total)])
        if self.median_days_open is not None:
            writer.writerow(
                ["Summary", "Median days open (closed cases)", f"{self.median_days_open:g}"]
            )
        for section in self.sections:
            for label, count in section.counts:
                writer.writerow([section.title, label, self.shown(count)])
        writer.writerow([])
        writer.writerow(["Team", self.team_name, ""])
        writer.writerow(["Generated", self.generated_at.strftime("%Y-%m-%d %H:%M UTC"), ""])
        if self.suppress_small:
            writer.writerow(
                ["Note", f"Counts from 1 to {SMALL_COUNT - 1} are shown as “{FEWER_THAN}”.", ""]
            )
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _ordered(
    counter: Counter[str], order: list[str], rest_last: Sequence[str] = ()
) -> list[tuple[str, int]]:
    """Known categories in their natural order (zeros included), then any others by name."""
    rows = [(label, counter.get(label, 0)) for label in order]
    extra = sorted(k for k in counter if k not in order and k not in rest_last)
    rows += [(k, counter[k]) for k in extra]
    rows += [(k, counter.get(k, 0)) for k in rest_last if counter.get(k, 0)]
    return rows


class StatisticsService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def years(self) -> list[int]:
        with self.ctx.read() as session:
            rows = session.execute(
                select(col(Case.year)).distinct().order_by(col(Case.year).desc())
            )
            return [int(r[0]) for r in rows.all()]

    def annual(self, year: int, *, suppress_small: bool = True) -> AnnualStatistics:
        self.ctx.require(Permission.STATISTICS, "statistics")
        if not 1900 < year < 3000:
            raise ValidationError("Give the year as four digits, e.g. 2026.")
        settings = load_settings(self.ctx)
        with self.ctx.read() as session:
            cases = [
                r[0]
                for r in session.execute(
                    select(Case).where(col(Case.year) == year).order_by(col(Case.id))
                ).all()
            ]
            ids = [c.id for c in cases]
            first_report: dict[int, ConcernReport] = {}
            screening: dict[int, str] = {}
            closure_level: dict[int, str] = {}
            strategies: Counter[str] = Counter()
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                for (report,) in session.execute(
                    select(ConcernReport)
                    .where(col(ConcernReport.case_id).in_(chunk))
                    .order_by(col(ConcernReport.id).desc())
                ).all():
                    first_report[report.case_id] = report  # the last one written wins: lowest id
                for (assessment,) in session.execute(
                    select(Assessment)
                    .where(
                        col(Assessment.case_id).in_(chunk),
                        col(Assessment.form_kind) == "screening",
                        col(Assessment.status) == "completed",
                    )
                    .order_by(col(Assessment.id))
                ).all():
                    screening[assessment.case_id] = str(
                        assessment.answers.get("classification", "")
                    )
                for (decision,) in session.execute(
                    select(LevelDecision)
                    .where(
                        col(LevelDecision.case_id).in_(chunk),
                        col(LevelDecision.source) == LevelSource.CLOSURE.value,
                    )
                    .order_by(col(LevelDecision.id))
                ).all():
                    closure_level[decision.case_id] = decision.level
                latest = (
                    select(
                        col(ManagementPlan.case_id),
                        func.max(col(ManagementPlan.version)).label("v"),
                    )
                    .where(col(ManagementPlan.case_id).in_(chunk))
                    .group_by(col(ManagementPlan.case_id))
                    .subquery()
                )
                for (strategy,) in session.execute(
                    select(col(PlanIntervention.strategy))
                    .join(ManagementPlan, col(ManagementPlan.id) == col(PlanIntervention.plan_id))
                    .join(
                        latest,
                        (latest.c.case_id == col(ManagementPlan.case_id))
                        & (latest.c.v == col(ManagementPlan.version)),
                    )
                ).all():
                    strategies[_label(Strategy, strategy)] += 1
        level_labels: dict[str, str] = {}
        for case in cases:
            if case.level_scale not in level_labels:
                try:
                    for level in scale(self.ctx, case.level_scale).levels:
                        level_labels.setdefault(level.code, level.label)
                except ValidationError:
                    pass
        settings_c: Counter[str] = Counter()
        sites: Counter[str] = Counter()
        months: Counter[str] = Counter()
        channels: Counter[str] = Counter()
        expressed: Counter[str] = Counter()
        outcomes: Counter[str] = Counter()
        closing: Counter[str] = Counter()
        days: Counter[str] = Counter()
        closed_days: list[int] = []
        for case in cases:
            settings_c[_label(CaseSetting, case.setting)] += 1
            sites[case.site or "(no site given)"] += 1
            months[MONTHS[case.opened_at.astimezone().month - 1]] += 1
            report = first_report.get(case.id or 0)
            channels[_label(ReportChannel, report.channel) if report else "No report"] += 1
            forms = list(report.expressed_as) if report else []
            for how in forms:
                expressed[_label(ThreatExpression, how)] += 1
            if not forms:
                expressed["Not recorded"] += 1
            outcome = screening.get(case.id or 0)
            outcomes[
                SCREENING_OUTCOMES.get(outcome, "Screened, outcome not recorded")
                if outcome is not None
                else NO_SCREENING
            ] += 1
            if CaseStatus(case.status).is_closed:
                code = closure_level.get(case.id or 0) or case.level
                closing[level_labels.get(code, code) if code else "Not recorded"] += 1
                end = case.closed_at or case.updated_at
                span = max((end - case.opened_at).days, 0)
                closed_days.append(span)
                days[
                    next(
                        (label for limit, label in DAYS_OPEN_BANDS if span <= limit), MORE_THAN_180
                    )
                ] += 1
            else:
                closing[STILL_OPEN] += 1
                days[STILL_OPEN] += 1
        sections = [
            Section("setting", "Setting", _ordered(settings_c, [s.label for s in CaseSetting])),
            Section("site", "Site", sorted(sites.items())),
            Section("month", "Month opened", _ordered(months, list(MONTHS))),
            Section(
                "channel",
                "How the concern was reported",
                _ordered(channels, [c.label for c in ReportChannel], ["No report"]),
            ),
            Section(
                "expressed",
                "How the threat was expressed",
                _ordered(expressed, [e.label for e in ThreatExpression], ["Not recorded"]),
                "A case can count under more than one way.",
            ),
            Section(
                "screening",
                "Screening outcome",
                _ordered(
                    outcomes,
                    list(SCREENING_OUTCOMES.values()),
                    ["Screened, outcome not recorded", NO_SCREENING],
                ),
                "From the latest completed screening of each case.",
            ),
            Section(
                "closure_level",
                "Level of concern at closure",
                _ordered(
                    closing,
                    sorted(set(level_labels.values()), key=list(level_labels.values()).index),
                    ["Not recorded", STILL_OPEN],
                ),
            ),
            Section(
                "strategy",
                "Interventions by strategy",
                _ordered(strategies, [s.label for s in Strategy]),
                "Interventions in the latest version of each case's plan.",
            ),
            Section(
                "days_open",
                "Days open",
                _ordered(
                    days, [label for _, label in DAYS_OPEN_BANDS] + [MORE_THAN_180], [STILL_OPEN]
                ),
            ),
        ]
        result = AnnualStatistics(
            year=year,
            team_name=settings.team_name,
            total=len(cases),
            sections=sections,
            suppress_small=suppress_small,
            median_days_open=pystats.median(closed_days) if closed_days else None,
        )
        with self.ctx.vault.write() as session:
            self.ctx.audit(
                session,
                "stats.annual",
                "statistics",
                str(year),
                "annual statistics" + ("" if suppress_small else " (small counts shown)"),
            )
        return result


def _label(enum: type, value: str) -> str:
    try:
        return str(enum(value).label)
    except ValueError:
        return value.replace("_", " ").capitalize()
