"""Assessments: screenings, full assessments, interviews and checklists filled in for a case.

A draft is saved as the team works. Completing it stores the answers with the exact form
definition (by content hash), the rules' suggestion and the team's decision; adds the level to
the case's history; writes the audit event; and moves the case's workflow as the form says,
all in one transaction. A completed assessment never changes: a correction is an amendment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col

from btam_desktop.domain.enums import CaseStatus, LevelSource
from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    Suggestion,
    evaluate,
    findings,
    information_gaps,
    missing_required,
    validate_answers,
)
from btam_desktop.domain.forms.rules import Findings, InformationGap, MissingAnswer
from btam_desktop.domain.models import Assessment, Case, FormSnapshot
from btam_desktop.domain.types import utcnow
from btam_desktop.domain.workflow import MoveRequest, WorkflowAction, why_not
from btam_desktop.services.cases import CLOSURE_CHECKLIST_ID, CaseService, ClosingNeed
from btam_desktop.services.conflicts import EditConflictError, display_name
from btam_desktop.services.context import ServiceContext
from btam_desktop.services.permissions import Permission
from btam_desktop.services.scales import registry, scale
from btam_desktop.store.errors import NotFoundError, ValidationError
from btam_desktop.store.search import IndexedSession

DRAFT = "draft"
_SCREENING_OUTCOMES = frozenset(
    {
        WorkflowAction.SCREEN_OUT,
        WorkflowAction.SCREEN_TO_ASSESSMENT,
        WorkflowAction.SCREEN_TO_MONITORING,
    }
)
COMPLETED = "completed"


@dataclass(frozen=True)
class Review:
    """What the summary page shows before completing."""

    suggestion: Suggestion
    findings: Findings
    gaps: list[InformationGap]
    missing: list[MissingAnswer]
    problems: list[str]
    workflow_action: WorkflowAction | None
    workflow_note: str
    # What the move about to be made still needs (closing: open plan items, the checklist).
    move_needs: tuple[ClosingNeed, ...] = ()


# A case already past assessment: a reassessment's "next step" is optional there.
_UNDER_MANAGEMENT = frozenset({CaseStatus.MANAGEMENT, CaseStatus.MONITORING})


class AssessmentService:
    def __init__(self, ctx: ServiceContext, cases: CaseService) -> None:
        self.ctx = ctx
        self.cases = cases

    # ---- reading -----------------------------------------------------------------------------
    def for_case(self, case_id: int) -> list[Assessment]:
        """Every assessment of a case, drafts included, newest first."""
        with self.ctx.read() as session:
            rows = session.execute(
                select(Assessment)
                .where(col(Assessment.case_id) == case_id)
                .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc())
            ).scalars()
            return list(rows)

    def get(self, assessment_id: int) -> Assessment:
        with self.ctx.read() as session:
            found = session.get(Assessment, assessment_id)
        if found is None:
            raise NotFoundError("That assessment")
        return found

    def definition(self, assessment: Assessment) -> FormDefinition:
        """The definition the assessment was made with, even if the form file changed since."""
        with self.ctx.read() as session:
            snapshot = session.get(FormSnapshot, assessment.form_hash)
        if snapshot is None:
            raise NotFoundError("The form definition of that assessment")
        return FormDefinition.from_dict(dict(snapshot.definition))

    def answers(self, assessment: Assessment) -> Answers:
        return Answers.from_dict(dict(assessment.answers))

    def amended_by(self, assessment_id: int) -> list[Assessment]:
        with self.ctx.read() as session:
            return list(
                session.execute(
                    select(Assessment).where(col(Assessment.amends_id) == assessment_id)
                ).scalars()
            )

    # ---- drafts ------------------------------------------------------------------------------
    def start(self, case_id: int, form_id: str, version: str | None = None) -> Assessment:
        try:
            definition = registry(self.ctx).form(form_id, version)
        except KeyError as exc:
            raise ValidationError(
                f"The form “{form_id}” is not installed. Choose another form."
            ) from exc
        with self.ctx.write(Permission.WORK_CASES, "case", case_id) as session:
            case = session.get(Case, case_id)
            if case is None:
                raise NotFoundError("That case")
            if CaseStatus(case.status).is_closed:
                raise ValidationError("This case is closed. Reopen it before assessing again.")
            self._snapshot(session, definition)
            assessment = self._new(case_id, definition)
            session.add(assessment)
            session.flush()
            self.ctx.audit(
                session,
                "assessment.start",
                "assessment",
                assessment.id,
                definition.id,
                case_id=case_id,
            )
            return assessment

    def _snapshot(self, session: IndexedSession, definition: FormDefinition) -> None:
        if session.get(FormSnapshot, definition.content_hash) is None:
            session.add(
                FormSnapshot(
                    content_hash=definition.content_hash,
                    form_id=definition.id,
                    version=definition.version,
                    definition=definition.to_dict(),
                )
            )
            session.flush()

    def _new(self, case_id: int, definition: FormDefinition) -> Assessment:
        return Assessment(
            case_id=case_id,
            form_id=definition.id,
            form_version=definition.version,
            form_hash=definition.content_hash,
            form_title=definition.title,
            form_kind=definition.kind,
            status=DRAFT,
            created_by_id=self.ctx.actor.account_id,
        )

    def save_draft(
        self,
        assessment_id: int,
        answers: Answers,
        participants: Sequence[str] | None = None,
        *,
        expected_revision: int | None = None,
    ) -> Assessment:
        """Keep the answers so far. ``expected_revision`` is the ``revision`` of the draft as
        the person opened or last saved it: when someone else saved it since, nothing is saved
        and ``EditConflictError`` says who, and when."""
        with self.ctx.write(Permission.WORK_CASES, "assessment", assessment_id) as session:
            assessment = self._draft(session, assessment_id, expected_revision)
            assessment.answers = dict(answers.to_dict())
            if participants is not None:
                assessment.participants = list(participants)
            assessment.updated_at = utcnow()
            assessment.updated_by_id = self.ctx.actor.account_id
            assessment.revision += 1
            session.add(assessment)
            return assessment

    def discard_draft(self, assessment_id: int) -> None:
        with self.ctx.write(Permission.WORK_CASES, "assessment", assessment_id) as session:
            assessment = self._draft(session, assessment_id)
            session.delete(assessment)
            self.ctx.audit(
                session,
                "assessment.discard",
                "assessment",
                assessment_id,
                "draft",
                case_id=assessment.case_id,
            )

    def _draft(
        self, session: IndexedSession, assessment_id: int, expected_revision: int | None = None
    ) -> Assessment:
        assessment = session.get(Assessment, assessment_id)
        if assessment is None:
            raise NotFoundError("That assessment")
        if expected_revision is not None and assessment.revision != expected_revision:
            raise _stale(session, assessment)
        if assessment.status != DRAFT:
            raise ValidationError(
                "A completed assessment cannot be changed. Start an amendment to correct it; "
                "the original stays in the record."
            )
        return assessment

    # ---- summary and completion --------------------------------------------------------------
    def review(self, assessment: Assessment, answers: Answers | None = None) -> Review:
        definition = self.definition(assessment)
        given = answers if answers is not None else self.answers(assessment)
        form_scale = scale(self.ctx, definition.scale) if definition.scale else None
        suggestion = evaluate(definition, given, form_scale)
        action, note = self._outcome(definition, given, assessment.case_id)
        missing = missing_required(definition, given)
        outcome = definition.outcome
        if outcome is not None and self._outcome_moot(definition, assessment.case_id):
            # Under management the case does not move with a reassessment: its "next step"
            # is not asked for (answering it still records the team's view).
            pointless = {outcome.decision_item, outcome.reason_item}
            missing = [m for m in missing if m.item_id not in pointless]
            if not isinstance(given.value(outcome.decision_item), str):
                note = (
                    "The case is already under management, so this reassessment need not "
                    "choose a next step: without one, the plan and its review date carry on."
                )
        needs: tuple[ClosingNeed, ...] = ()
        if action == WorkflowAction.CLOSE:
            needs = tuple(
                n
                for n in self.cases.closing_needs(assessment.case_id)
                if not (n.where == "checklist" and definition.id == CLOSURE_CHECKLIST_ID)
            )
        return Review(
            suggestion=suggestion,
            findings=findings(definition, given),
            gaps=information_gaps(definition, given),
            missing=missing,
            problems=[p.message for p in validate_answers(definition, given)],
            workflow_action=action,
            workflow_note=note,
            move_needs=needs,
        )

    def waived_items(self, assessment: Assessment) -> frozenset[str]:
        """Required items not asked for in this case's situation (a reassessment's next step
        under management)."""
        definition = self.definition(assessment)
        outcome = definition.outcome
        if outcome is None or not self._outcome_moot(definition, assessment.case_id):
            return frozenset()
        return frozenset(i for i in (outcome.decision_item, outcome.reason_item) if i)

    def _outcome_moot(self, definition: FormDefinition, case_id: int) -> bool:
        """True when the form's next step need not be answered: the case is already under
        management or monitoring, where a reassessment leaves it as it is unless the team
        chooses a step that moves it (closing, say)."""
        if definition.outcome is None:
            return False
        return CaseStatus(self.cases.get(case_id).status) in _UNDER_MANAGEMENT

    def _outcome(
        self, definition: FormDefinition, answers: Answers, case_id: int
    ) -> tuple[WorkflowAction | None, str]:
        if definition.outcome is None:
            return None, ""
        decision = answers.value(definition.outcome.decision_item)
        if not isinstance(decision, str):
            return None, "The decision is not answered yet."
        mapped = definition.outcome.action_for(decision)
        if mapped is None:
            return None, ""
        action = WorkflowAction(mapped)
        status = CaseStatus(self.cases.get(case_id).status)
        if status == CaseStatus.REPORTED and action in _SCREENING_OUTCOMES:
            # Completing a screening of a reported case means the screening has started.
            return action, f"Completing this will start the screening, then: {action.label}."
        problem = why_not(status, action)
        if problem:
            return None, (
                f"The case is {status.label.lower()}, so this outcome does not move it; "
                "the decision is recorded with the assessment."
            )
        return action, f"Completing this will move the case: {action.label}."

    def complete(
        self,
        assessment_id: int,
        answers: Answers,
        *,
        decided_level: str | None,
        rationale: str,
        participants: Sequence[str],
        expected_revision: int | None = None,
    ) -> Assessment:
        assessment = self.get(assessment_id)
        if expected_revision is not None and assessment.revision != expected_revision:
            with self.ctx.read() as session:  # said before any question of the older copy
                raise _stale(session, assessment)
        if assessment.status != DRAFT:
            raise ValidationError("This assessment is already completed.")
        definition = self.definition(assessment)
        review = self.review(assessment, answers)
        if review.missing:
            names = ", ".join(f"“{m.label}”" for m in review.missing[:5])
            raise ValidationError(f"Answer the required questions first: {names}.")
        if review.problems:
            raise ValidationError(review.problems[0])
        if not participants:
            raise ValidationError("Name who took part in this assessment.")
        case = self.cases.get(assessment.case_id)
        suggested = review.suggestion.level
        same_scale = definition.scale == case.level_scale
        if definition.suggests_level and decided_level is None:
            raise ValidationError("Record the team's decision on the level of concern.")
        if decided_level is not None:
            differs = not same_scale or decided_level != suggested
            if differs and not rationale.strip():
                raise ValidationError(
                    "The team's level differs from the suggestion (or uses another scale), so "
                    "write the rationale: the facts that led the team to its decision."
                )
        action = review.workflow_action
        if action is not None:
            assert case.id is not None
            self.cases.require_move(action, case.id)
        with self.ctx.write(Permission.WORK_CASES, "assessment", assessment_id) as session:
            stored = self._draft(session, assessment_id, expected_revision)
            stored_case = session.get(Case, stored.case_id)
            assert stored_case is not None
            stored.answers = dict(answers.to_dict())
            stored.participants = list(participants)
            stored.suggested_level = suggested
            stored.suggestion = review.suggestion.explanation
            stored.decided_level = decided_level
            stored.decision_scale = stored_case.level_scale if decided_level else None
            stored.decision_rationale = rationale.strip()
            stored.workflow_action = action.value if action else None
            stored.status = COMPLETED
            stored.completed_at = utcnow()
            stored.completed_by_id = self.ctx.actor.account_id
            stored.updated_at = stored.completed_at
            stored.updated_by_id = self.ctx.actor.account_id
            stored.revision += 1
            session.add(stored)
            if decided_level is not None:
                text = rationale.strip() or f"Agreed with the suggestion of {definition.title}."
                self.cases.record_level(
                    session, stored_case, decided_level, text, LevelSource.ASSESSMENT
                )
            self.ctx.audit(
                session,
                "assessment.complete",
                "assessment",
                assessment_id,
                f"{definition.id} {definition.version} for case id {stored_case.id}",
                case_id=stored_case.id,
            )
            if action is not None:
                if stored_case.status == CaseStatus.REPORTED.value:
                    self.cases.apply_move(
                        session, stored_case, MoveRequest(WorkflowAction.START_SCREENING)
                    )
                reason = self._reason(definition, answers) or rationale.strip()
                self.cases.apply_move(
                    session,
                    stored_case,
                    MoveRequest(
                        action,
                        reason=reason or f"Outcome of {definition.title}.",
                        closure_level=decided_level
                        if action in (WorkflowAction.SCREEN_OUT, WorkflowAction.CLOSE)
                        else None,
                        # Screeners belong to a screening decision, not to a plan or closure.
                        screeners=tuple(participants) if action in _SCREENING_OUTCOMES else (),
                    ),
                )
            return stored

    def _reason(self, definition: FormDefinition, answers: Answers) -> str:
        if definition.outcome is None or definition.outcome.reason_item is None:
            return ""
        value = answers.value(definition.outcome.reason_item)
        return value.strip() if isinstance(value, str) else ""

    def amend(self, assessment_id: int, reason: str) -> Assessment:
        """Start a correction: a new draft with the same answers, linked to the original."""
        if not reason.strip():
            raise ValidationError("Say what is being corrected and why.")
        original = self.get(assessment_id)
        if original.status != COMPLETED:
            raise ValidationError("Only a completed assessment is amended; edit the draft.")
        with self.ctx.write(Permission.WORK_CASES, "assessment", assessment_id) as session:
            amendment = Assessment(
                case_id=original.case_id,
                form_id=original.form_id,
                form_version=original.form_version,
                form_hash=original.form_hash,
                form_title=original.form_title,
                form_kind=original.form_kind,
                status=DRAFT,
                answers=dict(original.answers),
                participants=list(original.participants),
                amends_id=original.id,
                amendment_reason=reason.strip(),
                created_by_id=self.ctx.actor.account_id,
            )
            session.add(amendment)
            session.flush()
            self.ctx.audit(
                session,
                "assessment.amend",
                "assessment",
                amendment.id,
                f"amends {original.id}",
                case_id=original.case_id,
            )
            return amendment


def _stale(session: IndexedSession, assessment: Assessment) -> EditConflictError:
    """Drafts are saved every few seconds without an audit event; the row says who saved last."""
    editor = assessment.updated_by_id or assessment.created_by_id
    who = display_name(session, account_id=editor) if editor else "Someone"
    what = "completed it" if assessment.status != DRAFT else "answers"
    return EditConflictError(
        who, what, assessment.updated_at, "this assessment", assessment.revision
    )
