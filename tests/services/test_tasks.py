"""Tasks from dates and recurrences, with time frozen; overdue across zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from btam_desktop.services.app import Btam
from btam_desktop.services.plans import InterventionInput, PlanInput, Recurrence
from btam_desktop.services.tasks import (
    Bucket,
    TaskKind,
    local_today,
    occurrences,
)
from tests.services.test_plans import managed_case

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def test_weekly_occurrences_keep_their_weekday_across_daylight_saving() -> None:
    # US clocks go back on 2026-11-01; the Monday check-in stays on Mondays.
    dates = occurrences(date(2026, 10, 19), Recurrence.WEEKLY, date(2026, 11, 16))
    assert dates == [date(2026, 10, 19) + timedelta(weeks=k) for k in range(5)]
    assert {d.weekday() for d in dates} == {0}


def test_monthly_occurrences_clamp_to_the_end_of_short_months() -> None:
    dates = occurrences(date(2026, 1, 31), Recurrence.MONTHLY, date(2026, 4, 30))
    assert dates == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_local_today_depends_on_the_team_time_zone() -> None:
    moment = datetime(2026, 3, 9, 3, 30, tzinfo=UTC)  # evening of the 8th in New York
    assert local_today(moment, NEW_YORK) == date(2026, 3, 8)
    assert local_today(moment, BERLIN) == date(2026, 3, 9)
    # Across the US spring-forward night the date still advances exactly once.
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)
    after = datetime(2026, 3, 8, 7, 1, tzinfo=UTC)
    assert local_today(before, NEW_YORK) == local_today(after, NEW_YORK) == date(2026, 3, 8)


def test_tasks_from_plan_dates_and_recurrences(coordinator: Btam) -> None:
    me = coordinator.actor.account_id
    case_id = managed_case(coordinator)
    start = date(2026, 10, 5)  # a Monday
    plan = coordinator.plans.save(
        case_id,
        PlanInput(
            goals="g",
            next_reassessment_on=date(2026, 11, 20),
            interventions=[
                InterventionInput(
                    "Weekly check-in",
                    responsible_id=me,
                    start_on=start,
                    recurrence=Recurrence.WEEKLY,
                ),
                InterventionInput("Parent meeting", responsible_id=me, due_on=date(2026, 11, 3)),
                InterventionInput("Later item", due_on=date(2026, 12, 30)),
            ],
        ),
    )
    coordinator.plans.approve(plan.id)
    frozen_today = date(2026, 11, 4)  # a Wednesday
    tasks = coordinator.tasks.tasks(frozen_today)
    by_kind = {(t.kind, t.due_on) for t in tasks}
    assert (TaskKind.CHECK_IN, date(2026, 11, 2)) in by_kind  # missed Monday: overdue
    assert (TaskKind.CHECK_IN, date(2026, 11, 9)) in by_kind  # next Monday: this week
    assert (TaskKind.INTERVENTION_DUE, date(2026, 11, 3)) in by_kind
    assert all(t.title != "Later item" for t in tasks)
    buckets = {t.title: t.bucket(frozen_today) for t in tasks if t.due_on <= frozen_today}
    assert buckets["Parent meeting"] == Bucket.OVERDUE
    assert case_id in coordinator.tasks.overdue_case_ids(frozen_today)
    for task in tasks:
        text = task.notification_text(frozen_today)
        assert "Jamie" not in text and task.title not in text
        assert text.startswith(f"Case {task.case_number}")


def test_logging_a_check_in_clears_the_missed_occurrence(coordinator: Btam) -> None:
    from btam_desktop.services.plans import MonitoringInput

    case_id = managed_case(coordinator)
    start = date.today() - timedelta(days=14)
    plan = coordinator.plans.save(
        case_id,
        PlanInput(
            interventions=[
                InterventionInput("Check-in", start_on=start, recurrence=Recurrence.WEEKLY)
            ]
        ),
    )
    coordinator.plans.approve(plan.id)
    key = coordinator.plans.interventions(plan.id)[0].key
    today = date.today()
    assert any(t.due_on <= today for t in coordinator.tasks.tasks(today))
    coordinator.plans.log_monitoring(
        case_id, MonitoringInput(today, "Seen, doing well", intervention_key=key)
    )
    assert all(t.due_on > today for t in coordinator.tasks.tasks(today) if t.intervention_key)


def test_expiring_certifications_are_coordinator_tasks(coordinator: Btam, as_role) -> None:
    me = coordinator.actor.account_id
    coordinator.team.add_training(
        me,
        "BTAM basics",
        "Center",
        date.today() - timedelta(days=300),
        date.today() + timedelta(days=10),
    )
    kinds = [t.kind for t in coordinator.tasks.tasks(horizon_days=30)]
    assert TaskKind.CERTIFICATION in kinds
    member = as_role("member")
    assert TaskKind.CERTIFICATION not in [t.kind for t in member.tasks.tasks(horizon_days=30)]
