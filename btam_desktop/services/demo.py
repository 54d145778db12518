"""A demo vault of clearly fictional cases across every stage, password ``demo``.

Large case counts add synthetic cases in bulk so the benchmarks have a big vault to work on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import col

from btam_desktop.domain.enums import (
    CaseSetting,
    CaseStatus,
    DangerAnswer,
    DisclosureBasis,
    DisclosureRecipient,
    InformationSource,
    NoteCategory,
    PathwayStage,
    PersonRole,
    Priority,
    Reliability,
    ReportChannel,
    Role,
    ThreatDirectness,
    ThreatExpression,
    ThreatType,
    TimelineCategory,
    YesNoUnknown,
)
from btam_desktop.domain.models import Case, ConcernReport, Person
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction
from btam_desktop.services.app import Btam, NewTeam, create_team_vault
from btam_desktop.services.cases import IntakeInput, PersonInput
from btam_desktop.services.records import DisclosureInput, TimelineInput
from btam_desktop.store import crypto, search

DEMO_PASSWORD = "demo"  # noqa: S105 - the fictional demo vault, documented
DEMO_COORDINATOR = "demo"
DEMO_MEMBER = "morgan"
DEMO_VIEWER = "casey"
DEMO_TEAM = "Maple Grove Unified (fictional demo)"

_SITES = ["Maple Grove High", "Cedar Middle", "Birch Elementary", "District Office"]


def _ago(days: int, hours: int = 0) -> datetime:
    return utcnow() - timedelta(days=days, hours=hours)


# Each story: title, site, narrative, quote, expression, directness, danger, people, path.
#: Fictional people named in many scripts, so every printed document can be checked with
#: them (Latin with diacritics, Vietnamese, Cyrillic, Greek, Arabic, Hebrew, Chinese,
#: Japanese, Korean, Devanagari, emoji). They belong to the "Repeated harassment" case.
MULTISCRIPT_PEOPLE: list[tuple[str, str, str]] = [
    ("target", "Zoë Øvergård-Ñúñez", "Grade 8"),
    ("target", "Nguyễn Thị Minh Khai", "Grade 8"),
    ("witness", "Ольга Петрова", "Grade 8"),
    ("witness", "Γιώργος Παπαδόπουλος", "Grade 7"),
    ("target", "محمد بن علي الحسن", "Grade 8"),
    ("parent_guardian", "דוד כהן", "Parent"),
    ("witness", "王小明", "Grade 8"),
    ("witness", "山田 太郎", "Grade 8"),
    ("parent_guardian", "김민준", "Parent"),
    ("witness", "अनन्या शर्मा", "Grade 8"),
    ("other", "Sam 🌟 Rivers", "Bus driver"),
]

#: A note that mixes right-to-left names with English in one line.
MULTISCRIPT_NOTE = (
    "Met محمد بن علي الحسن with his father דוד כהן (family friend, interpreter) on Tuesday; "
    "王小明 and 김민준 were present. Follow-up with अनन्या शर्मा next week."
)

_STORIES: list[dict[str, object]] = [
    {
        "title": "Note found in library book return",
        "site": "Maple Grove High",
        "narrative": "A librarian found an unsigned note in the returns bin saying that "
        "'everyone will be sorry on Friday'. No author identified yet.",
        "quote": "everyone will be sorry on Friday",
        "expressed": [ThreatExpression.WRITTEN],
        "directness": ThreatDirectness.VEILED,
        "people": [],
        "path": [],
        "days": 1,
    },
    {
        "title": "Comment in gym class after a dispute",
        "site": "Cedar Middle",
        "narrative": "After losing a game, a seventh grader told a classmate he would 'get him "
        "after school'. Both students were separated by the teacher.",
        "quote": "I'll get you after school",
        "expressed": [ThreatExpression.VERBAL],
        "directness": ThreatDirectness.DIRECT,
        "people": [
            ("subject", "Drew Fictional", "Grade 7"),
            ("target", "Pat Placeholder", "Grade 7"),
        ],
        "path": [WorkflowAction.START_SCREENING],
        "days": 3,
    },
    {
        "title": "Joke about a school fire, resolved",
        "site": "Birch Elementary",
        "narrative": "A fourth grader joked that the school should burn down so there would be "
        "no test. She apologised at once and explained it was a joke.",
        "quote": "I wish the school would burn down",
        "expressed": [ThreatExpression.VERBAL],
        "directness": ThreatDirectness.INDIRECT,
        "people": [("subject", "Robin Madeup", "Grade 4")],
        "path": [WorkflowAction.START_SCREENING, WorkflowAction.SCREEN_OUT],
        "days": 20,
    },
    {
        "title": "Social media post showing a weapon",
        "site": "Maple Grove High",
        "narrative": "Several students reported an online post by a junior showing a rifle with "
        "the caption 'counting down'. The student has recently been suspended.",
        "quote": "counting down",
        "expressed": [ThreatExpression.SOCIAL_MEDIA, ThreatExpression.VISUAL],
        "directness": ThreatDirectness.VEILED,
        "channel": ReportChannel.SOCIAL_MEDIA,
        "danger": DangerAnswer.NOT_SURE,
        "people": [
            ("subject", "Casey Notreal", "Grade 11"),
            ("parent_guardian", "Jamie Notreal", "Parent"),
        ],
        "path": [WorkflowAction.START_SCREENING, WorkflowAction.SCREEN_TO_ASSESSMENT],
        "days": 6,
        "level": "high",
    },
    {
        "title": "Repeated harassment of a former friend",
        "site": "Cedar Middle",
        "narrative": "An eighth grader has sent many messages to a former friend saying she "
        "will 'make her pay'. The target is frightened to come to school.",
        "quote": "you will pay for this",
        "expressed": [ThreatExpression.ELECTRONIC],
        "directness": ThreatDirectness.DIRECT,
        "people": [
            ("subject", "Quinn Example", "Grade 8"),
            ("target", "Avery Sample", "Grade 8"),
            *MULTISCRIPT_PEOPLE,
        ],
        "note": MULTISCRIPT_NOTE,
        "confidential": True,
        "path": [
            WorkflowAction.START_SCREENING,
            WorkflowAction.SCREEN_TO_ASSESSMENT,
            WorkflowAction.START_MANAGEMENT,
        ],
        "days": 40,
        "level": "moderate",
    },
    {
        "title": "Student in crisis after family loss",
        "site": "Maple Grove High",
        "narrative": "A teacher reported a senior writing about wanting to 'end it all and take "
        "others along'. Counselor met the student the same day.",
        "quote": "end it all and take others along",
        "expressed": [ThreatExpression.WRITTEN],
        "directness": ThreatDirectness.INDIRECT,
        "conditional": True,
        "people": [("subject", "Morgan Invented", "Grade 12")],
        "path": [
            WorkflowAction.START_SCREENING,
            WorkflowAction.SCREEN_TO_ASSESSMENT,
            WorkflowAction.START_MANAGEMENT,
            WorkflowAction.START_MONITORING,
        ],
        "days": 90,
        "level": "moderate",
    },
    {
        "title": "Threat to a teacher, managed and closed",
        "site": "Cedar Middle",
        "narrative": "A student told a teacher 'you'll regret failing me'. Assessment found a "
        "grievance but no planning; a support plan was completed.",
        "quote": "you'll regret failing me",
        "expressed": [ThreatExpression.VERBAL],
        "directness": ThreatDirectness.DIRECT,
        "people": [("subject", "Sky Unreal", "Grade 8"), ("target", "Mr. Teacher Sample", "Staff")],
        "path": [
            WorkflowAction.START_SCREENING,
            WorkflowAction.SCREEN_TO_ASSESSMENT,
            WorkflowAction.START_MANAGEMENT,
            WorkflowAction.CLOSE,
        ],
        "days": 200,
        "level": "low",
    },
    {
        "title": "Anonymous tip about a planned fight",
        "site": "District Office",
        "narrative": "The tip line received a message that a fight is planned in the parking "
        "lot on Monday. No names were given.",
        "quote": "",
        "expressed": [ThreatExpression.ELECTRONIC],
        "directness": ThreatDirectness.INDIRECT,
        "people": [],
        "path": [WorkflowAction.START_SCREENING, WorkflowAction.SCREEN_TO_MONITORING],
        "days": 12,
        "level": "low",
        "anonymous": True,
    },
]


DemoSetUp = Callable[[NewTeam, "crypto.KdfParams | None"], tuple[Btam, str]]


def create_demo_vault(
    folder: Path,
    cases: int = 0,
    *,
    kdf_params: crypto.KdfParams | None = None,
    seed: int = 2026,
    progress: Callable[[int, int, str], None] | None = None,
) -> Btam:
    """Create the demo vault and return it open as the demo coordinator."""

    def set_up(team: NewTeam, params: crypto.KdfParams | None) -> tuple[Btam, str]:
        return create_team_vault(folder, team, kdf_params=params, enforce_password_policy=False)

    return _create_demo(set_up, cases, kdf_params, seed, progress)


def create_demo_server(
    url: str,
    cases: int = 0,
    *,
    kdf_params: crypto.KdfParams | None = None,
    seed: int = 2026,
    progress: Callable[[int, int, str], None] | None = None,
) -> Btam:
    """The same demo team and cases on an empty team server database (``btam demo --server``);
    returns it open as the demo coordinator."""
    from btam_desktop.services.team_server import create_team_server

    def set_up(team: NewTeam, params: crypto.KdfParams | None) -> tuple[Btam, str]:
        return create_team_server(url, team, kdf_params=params, enforce_password_policy=False)

    return _create_demo(set_up, cases, kdf_params, seed, progress)


def _create_demo(
    set_up: DemoSetUp,
    cases: int,
    kdf_params: crypto.KdfParams | None,
    seed: int,
    progress: Callable[[int, int, str], None] | None,
) -> Btam:
    rng = random.Random(seed)  # noqa: S311 - fictional data, not security
    app, _recovery = set_up(
        NewTeam(
            team_name=DEMO_TEAM,
            setting=CaseSetting.SCHOOL,
            scale_id="scale.four-level",
            username=DEMO_COORDINATOR,
            display_name="Dana Demo (coordinator)",
            password=DEMO_PASSWORD,
        ),
        kdf_params,
    )
    params = kdf_params or app.vault.keyfile.slots[0].kdf
    member = app.team.add_member(
        DEMO_MEMBER,
        "Morgan Member (counselor)",
        Role.MEMBER,
        DEMO_PASSWORD,
        team_role="School counselor",
        kdf_params=params,
        enforce_password_policy=False,
    )
    app.team.add_member(
        DEMO_VIEWER,
        "Casey Viewer (principal)",
        Role.VIEWER,
        DEMO_PASSWORD,
        team_role="Principal",
        kdf_params=params,
        enforce_password_policy=False,
    )
    assert member.id is not None
    try:
        _fill(app, member.id, cases, rng, progress)
    except BaseException:
        app.vault.lock()  # never leave a half-made demo vault open and locked to others
        raise
    return app


def _fill(
    app: Btam,
    member_id: int,
    cases: int,
    rng: random.Random,
    progress: Callable[[int, int, str], None] | None,
) -> None:
    app.team.add_training(
        member_id,
        "Behavioral threat assessment basics",
        "State school safety center",
        date.today() - timedelta(days=300),
        date.today() + timedelta(days=30),
    )
    settings = app.settings()
    settings.contact_name = "Maple Grove threat assessment team"
    settings.contact_phone = "555-0100 (fictional)"
    settings.contact_email = "safety@example.org"
    settings.report_instructions = "Tell any adult you trust, or use the anonymous tip line."
    app.save_settings(settings)
    from btam_desktop.services.plans import ContactInput

    app.plans.add_contact(
        ContactInput("Coach Rivera (fictional)", "Coach", "Maple Grove athletics", "ext. 214")
    )
    app.plans.add_contact(
        ContactInput(
            "Officer Lane (fictional)", "School resource officer", "City police", "555-0111"
        )
    )
    for story in _STORIES:
        _add_story(app, story, member_id)
    if cases > len(_STORIES):
        _add_synthetic(app, cases - len(_STORIES), rng, progress)


_SCREENING_FINDS = {
    WorkflowAction.SCREEN_OUT: ThreatType.TRANSIENT.value,
    WorkflowAction.SCREEN_TO_MONITORING: ThreatType.TRANSIENT.value,
    WorkflowAction.SCREEN_TO_ASSESSMENT: ThreatType.SUBSTANTIVE.value,
}


def _add_story(app: Btam, story: dict[str, object], member_id: int) -> None:
    days = int(story["days"])  # type: ignore[call-overload]
    people = [
        PersonInput(role=PersonRole(role), full_name=name, grade_or_position=grade)
        for role, name, grade in story["people"]  # type: ignore[attr-defined]
    ]
    anonymous = bool(story.get("anonymous"))
    danger = story.get("danger", DangerAnswer.NO)
    assert isinstance(danger, DangerAnswer)
    channel = story.get(
        "channel", ReportChannel.ANONYMOUS_TIP_LINE if anonymous else ReportChannel.IN_PERSON
    )
    assert isinstance(channel, ReportChannel)
    case = app.cases.report_concern(
        IntakeInput(
            received_at=_ago(days),
            channel=channel,
            narrative=str(story["narrative"]),
            setting=CaseSetting.SCHOOL,
            site=str(story["site"]),
            title=str(story["title"]),
            reporter=PersonInput(PersonRole.REPORTER, anonymous=True, contact="Tip #1042")
            if anonymous
            else PersonInput(
                PersonRole.REPORTER,
                full_name="Lee Reporter (fictional)",
                confidential=bool(story.get("confidential")),
            ),
            subjects=[p for p in people if p.role == PersonRole.SUBJECT],
            targets=[p for p in people if p.role != PersonRole.SUBJECT],
            threat_quote=str(story["quote"]),
            expressed_as=list(story["expressed"]),  # type: ignore[call-overload]
            directness=story["directness"],  # type: ignore[arg-type]
            known_to_target=YesNoUnknown.YES if people else YesNoUnknown.UNKNOWN,
            conditional=bool(story.get("conditional")),
            danger_answer=danger,
            emergency_notice_shown_at=_ago(days) if danger.needs_emergency else None,
            emergency_called=YesNoUnknown.YES if danger.needs_emergency else None,
            emergency_called_by="School resource officer (fictional)"
            if danger.needs_emergency
            else "",
            emergency_called_at=_ago(days) if danger.needs_emergency else None,
        )
    )
    assert case.id is not None
    app.cases.set_members(case.id, [member_id])
    app.records.add_timeline_entry(
        case.id,
        TimelineInput(
            occurred_at=_ago(days, 2),
            category=TimelineCategory.CONCERNING_BEHAVIOR,
            description="Reported behavior, as described by the first reporter.",
            source=InformationSource.REPORT,
            obtained_how="Intake conversation",
            reliability=Reliability.PROBABLE,
            pathway_stage=PathwayStage.GRIEVANCE,
        ),
    )
    app.records.add_note(case.id, NoteCategory.CONTACT_ATTEMPT, "Called home; left a message.")
    if story.get("note"):
        app.records.add_note(case.id, NoteCategory.INTERVIEW, str(story["note"]))
    level = story.get("level")
    for action in story["path"]:  # type: ignore[attr-defined]
        request = MoveRequest(
            action=action,
            reason="Demo: decision recorded for illustration.",
            screeners=("demo", "morgan")
            if action
            in (
                WorkflowAction.SCREEN_OUT,
                WorkflowAction.SCREEN_TO_ASSESSMENT,
                WorkflowAction.SCREEN_TO_MONITORING,
            )
            else (),
            closure_level="low"
            if action in (WorkflowAction.SCREEN_OUT, WorkflowAction.CLOSE)
            else None,
            threat_type=_SCREENING_FINDS.get(action, ""),
        )
        if action == WorkflowAction.START_MANAGEMENT and level:
            app.cases.decide_level(case.id, str(level), "Demo: team decision after assessment.")
            finished = WorkflowAction.CLOSE in story["path"]  # type: ignore[operator]
            _add_plan(app, case.id, member_id, days, finished=finished)
        if action == WorkflowAction.CLOSE:
            _complete_closure_checklist(app, case.id)
        app.cases.move(case.id, request)
    if level and app.cases.get(case.id).level is None:
        app.cases.decide_level(case.id, str(level), "Demo: initial screening judgement.")
    if story.get("level") in ("high", "moderate"):
        if app.plans.in_force(case.id) is None:  # an approved plan sets the review date itself
            app.cases.update(case.id, next_review_on=date.today() + timedelta(days=days % 9 - 3))
        app.records.add_disclosure(
            case.id,
            DisclosureInput(
                disclosed_at=_ago(max(days - 1, 0)),
                recipient_kind=DisclosureRecipient.PARENT_GUARDIAN,
                recipient_name="Parent or guardian (fictional)",
                information_disclosed="The concern reported and the school's support plan.",
                purpose="Enlist the family in the safety and support plan.",
                legal_basis=DisclosureBasis.HEALTH_SAFETY_EMERGENCY,
                articulable_threat="Reported statement of intent to harm, with access concerns.",
            ),
        )


def _add_plan(app: Btam, case_id: int, member_id: int, days: int, *, finished: bool) -> None:
    """An approved management plan with a weekly check-in, as a team would write it."""
    from btam_desktop.services.plans import (
        InterventionInput,
        InterventionStatus,
        MonitoringInput,
        PlanInput,
        Recurrence,
        RepeatRule,
        Strategy,
    )

    start = date.today() - timedelta(days=min(days, 28))
    me = app.actor.account_id
    still_open = InterventionStatus.DONE if finished else InterventionStatus.PLANNED
    running = InterventionStatus.DONE if finished else InterventionStatus.IN_PROGRESS
    plan = app.plans.save(
        case_id,
        PlanInput(
            goals="Reduce the grievance behind the statements; keep the people named safe; "
            "connect the student with a trusted adult.",
            supervision="Counselor checks in every Monday; teachers report any change the "
            "same day to the coordinator.",
            safety_plan="The student named knows whom to tell and has a changed lunch period.",
            # The oldest demo case shows what a missed reassessment looks like.
            next_reassessment_on=date.today() + timedelta(days=21 if days < 60 else -3),
            monitoring_days=60,
            interventions=[
                InterventionInput(
                    "Weekly check-in with the school counselor",
                    Strategy.SUBJECT,
                    member_id,
                    start_on=start,
                    recurrence=Recurrence.WEEKLY,
                    status=running,
                    catalog_ref="btam.catalog.school#check_in",
                ),
                InterventionInput(
                    "Meeting with the parents or guardians",
                    Strategy.SUBJECT,
                    me,
                    due_on=start + timedelta(days=3),
                    status=InterventionStatus.DONE,
                    catalog_ref="btam.catalog.school#parent_meeting",
                ),
                InterventionInput(
                    "Safety plan reviewed with the student targeted",
                    Strategy.TARGET,
                    member_id,
                    due_on=date.today() + timedelta(days=2),
                    status=still_open,
                    catalog_ref="btam.catalog.school#target_safety_plan",
                ),
                InterventionInput(
                    "Staff on the student's schedule told what to watch for",
                    Strategy.ENVIRONMENT,
                    me,
                    due_on=start + timedelta(days=1),
                    status=InterventionStatus.DONE,
                    catalog_ref="btam.catalog.school#staff_alerted",
                ),
                InterventionInput(
                    "Check in with the coach after practice",
                    Strategy.SUBJECT,
                    responsible_contact_id=app.plans.contacts()[0].id,
                    start_on=start,
                    due_on=date.today() - timedelta(days=1),
                    repeat=RepeatRule(Recurrence.WEEKDAYS, weekdays=(1, 3)),
                    status=InterventionStatus.DONE,
                ),
                InterventionInput(
                    "Extra support around the disciplinary hearing",
                    Strategy.PRECIPITATING,
                    member_id,
                    due_on=date.today() + timedelta(days=9),
                    status=still_open,
                    catalog_ref="btam.catalog.school#discipline_support",
                ),
            ],
        ),
    )
    assert plan.id is not None
    app.plans.approve(plan.id)
    key = app.plans.interventions(plan.id)[0].key
    app.plans.log_monitoring(
        case_id,
        MonitoringInput(
            start + timedelta(days=7),
            "Calm and talkative; attended every class this week (fictional).",
            intervention_key=key,
        ),
    )


def _demo_answer(item: Any) -> Any:
    """A plausible answer for a required item of a fictional case."""
    kind = item.type
    choices: list[Any] = list(getattr(item, "choices", ()))
    if kind == "yes_no_unknown":
        return "yes"
    if kind == "single_choice":
        return choices[0].id
    if kind == "multiple_choice":
        return [choices[0].id]
    if kind == "checklist":
        return [c.id for c in choices]
    if kind == "date":
        return date.today().isoformat()
    if kind in ("number", "rating"):
        low = getattr(item, "min", None)
        return low if low is not None else 1
    return "Recorded for the demo (fictional)."


def _complete_closure_checklist(app: Btam, case_id: int) -> None:
    from btam_desktop.domain.forms import Answers, missing_required
    from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID

    draft = app.assessments.start(case_id, CLOSURE_CHECKLIST_ID)
    assert draft.id is not None
    definition = app.assessments.definition(draft)
    answers = Answers()
    for _ in range(10):
        missing = missing_required(definition, answers)
        if not missing:
            break
        for gap in missing:
            answers = answers.with_answer(gap.item_id, _demo_answer(definition.item(gap.item_id)))
    app.assessments.complete(
        draft.id,
        answers,
        decided_level=None,
        rationale="",
        participants=[app.actor.username],
    )


_WORDS = [
    "hallway",
    "locker",
    "message",
    "threat",
    "weapon",
    "fight",
    "bus",
    "cafeteria",
    "online",
    "post",
    "friend",
    "argument",
    "teacher",
    "grade",
    "suspension",
    "anger",
    "joke",
    "apology",
    "rumor",
    "lunch",
    "parking",
    "practice",
    "team",
    "schedule",
    "counselor",
    "meeting",
    "family",
    "stress",
    "worry",
    "video",
    "drawing",
    "notebook",
    "phone",
    "text",
    "group",
    "chat",
]


def _add_synthetic(
    app: Btam,
    count: int,
    rng: random.Random,
    progress: Callable[[int, int, str], None] | None,
) -> None:
    """Bulk insert synthetic cases (core inserts, then one FTS rebuild): fast for 100k."""
    statuses = list(CaseStatus)
    levels = [None, "low", "moderate", "high", "imminent"]
    ranks = {None: None, "low": 0, "moderate": 1, "high": 2, "imminent": 3}
    priorities = list(Priority)
    settings = list(CaseSetting)
    owners = [m.id for m in app.team.members() if m.role != Role.VIEWER.value]
    chunk = 5000
    done = 0
    today = date.today()
    with app.vault.write() as session:
        from sqlalchemy import func, select

        start_seq: dict[int, int] = {}
        for year in range(today.year - 4, today.year + 1):
            last = session.execute(
                select(func.max(Case.sequence)).where(Case.year == year)  # type: ignore[arg-type]
            ).scalar()
            start_seq[year] = int(last or 0)
        app.ctx.audit(session, "demo.generate", "vault", "", f"{count} synthetic cases")
    while done < count:
        batch = min(chunk, count - done)
        case_rows: list[dict[str, Any]] = []
        for _ in range(batch):
            opened = datetime.now(UTC) - timedelta(days=rng.randint(0, 4 * 365))
            year = opened.year
            start_seq[year] = start_seq.get(year, 0) + 1
            seq = start_seq[year]
            level = rng.choice(levels)
            status = rng.choice(statuses)
            priority = rng.choice(priorities)
            case_rows.append(
                {
                    "number": f"{year}-{seq:05d}" if seq > 9999 else f"{year}-{seq:04d}",
                    "year": year,
                    "sequence": seq,
                    "title": f"Synthetic {rng.choice(_WORDS)} concern",
                    "setting": rng.choice(settings).value,
                    "site": rng.choice(_SITES),
                    "status": status.value,
                    "priority": priority.value,
                    "priority_rank": priority.rank,
                    "level_scale": "scale.four-level",
                    "level": level,
                    "level_rank": ranks[level],
                    "owner_id": rng.choice(owners),
                    "opened_at": opened,
                    "closed_at": opened + timedelta(days=30) if status.is_closed else None,
                    "closure_reason": "synthetic" if status.is_closed else "",
                    "next_review_on": today + timedelta(days=rng.randint(-30, 60))
                    if not status.is_closed
                    else None,
                    "legal_hold": False,
                    "threat_type": rng.choice(["", "transient", "substantive"])
                    if status != CaseStatus.REPORTED
                    else "",
                    "updated_at": opened,
                }
            )
        with app.vault.write() as session:
            # A team server seals content as the ORM writes it, so rows go in as objects there;
            # a vault takes fast core inserts and one search rebuild at the end.
            sealed = session.get_bind().dialect.name == "postgresql"
            if sealed:
                made = [Case(**row) for row in case_rows]
                session.add_all(made)
                session.flush()
                ids = [int(c.id or 0) for c in made]
            else:
                result = session.execute(insert(Case).returning(col(Case.id)), case_rows)
                ids = [r[0] for r in result]
            reports: list[dict[str, Any]] = []
            people: list[dict[str, Any]] = []
            for case_id in ids:
                words = " ".join(rng.choice(_WORDS) for _ in range(18))
                if rng.random() < 0.001:
                    words += " zephyrine"  # a rare word for search benchmarks
                reports.append(
                    {
                        "case_id": case_id,
                        "received_at": datetime.now(UTC) - timedelta(days=rng.randint(0, 900)),
                        "channel": ReportChannel.IN_PERSON.value,
                        "reporter_anonymous": False,
                        "narrative": words,
                        "threat_quote": "",
                        "expressed_as": [],
                        "directness": "none",
                        "known_to_target": "unknown",
                        "immediate_danger": False,
                        "danger_answer": "no",
                        "created_at": utcnow(),
                    }
                )
                people.append(
                    {
                        "case_id": case_id,
                        "role": PersonRole.SUBJECT.value,
                        "full_name": f"Synthetic Person {case_id}",
                        "anonymous": False,
                        "affiliation": "",
                        "grade_or_position": f"Grade {rng.randint(6, 12)}",
                        "contact": "",
                        "notes": "",
                        "created_at": utcnow(),
                    }
                )
            if sealed:
                session.add_all([ConcernReport(**r) for r in reports])
                session.add_all([Person(**p) for p in people])
            else:
                session.execute(insert(ConcernReport), reports)
                session.execute(insert(Person), people)
        done += batch
        if progress:
            progress(done, count, "Adding synthetic cases")
    with app.vault.write() as session:
        if (
            session.get_bind().dialect.name != "postgresql"
        ):  # the server's index is kept as rows go in
            search.rebuild_from_tables(session.connection())
