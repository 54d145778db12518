"""Closed vocabularies used by the tables. Stored as their string values."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CaseSetting(StrEnum):
    SCHOOL = "school"
    WORKPLACE = "workplace"
    CAMPUS = "campus"
    COMMUNITY = "community"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class CaseStatus(StrEnum):
    REPORTED = "reported"
    SCREENING = "screening"
    CLOSED_NO_THREAT = "closed_no_threat"
    ASSESSMENT = "assessment"
    MANAGEMENT = "management"
    MONITORING = "monitoring"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            "reported": "Reported",
            "screening": "Screening",
            "closed_no_threat": "Closed: no threat",
            "assessment": "Assessment",
            "management": "Management",
            "monitoring": "Monitoring",
            "closed": "Closed",
        }[self.value]

    @property
    def is_closed(self) -> bool:
        return self in (CaseStatus.CLOSED, CaseStatus.CLOSED_NO_THREAT)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def rank(self) -> int:
        return ["low", "normal", "high", "urgent"].index(self.value)


class PersonRole(StrEnum):
    SUBJECT = "subject"
    REPORTER = "reporter"
    TARGET = "target"
    WITNESS = "witness"
    PARENT_GUARDIAN = "parent_guardian"
    OTHER = "other"

    @property
    def label(self) -> str:
        return (
            "Parent or guardian" if self is PersonRole.PARENT_GUARDIAN else self.value.capitalize()
        )


class ReportChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    ONLINE_FORM = "online_form"
    ANONYMOUS_TIP_LINE = "anonymous_tip_line"
    SOCIAL_MEDIA = "social_media"
    OTHER = "other"

    @property
    def label(self) -> str:
        if self is ReportChannel.SOCIAL_MEDIA:
            return "Social media or messaging app"
        return self.value.replace("_", " ").capitalize()


class ThreatExpression(StrEnum):
    """The medium a threat was expressed in (one axis; directness and condition are others)."""

    VERBAL = "verbal"
    WRITTEN = "written"
    ELECTRONIC = "electronic"
    SOCIAL_MEDIA = "social_media"
    VISUAL = "visual"
    BEHAVIORAL = "behavioral"

    @property
    def label(self) -> str:
        return {
            "verbal": "Spoken",
            "written": "Written",
            "electronic": "Electronic (email, text)",
            "social_media": "Social media or messaging",
            "visual": "Drawing or picture",
            "behavioral": "Gesture or action",
        }[self.value]


class DangerAnswer(StrEnum):
    """ "Is anyone in immediate danger right now?" Not sure is treated exactly like yes."""

    YES = "yes"
    NO = "no"
    NOT_SURE = "not_sure"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "not_sure": "Not sure"}[self.value]

    @property
    def needs_emergency(self) -> bool:
        return self is not DangerAnswer.NO


class ThreatType(StrEnum):
    """What screening found: a transient threat (no lasting intent) or a substantive one."""

    TRANSIENT = "transient"
    SUBSTANTIVE = "substantive"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ReporterPrivacy(StrEnum):
    """Named: may be shared. Confidential: known to the team, withheld from subject and family.
    Anonymous: identity unknown."""

    NAMED = "named"
    CONFIDENTIAL = "confidential"
    ANONYMOUS = "anonymous"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ThreatDirectness(StrEnum):
    """Direct, indirect or veiled. CONDITIONAL is kept for reports made before conditional
    became its own yes/no field; the intake no longer offers it."""

    DIRECT = "direct"
    INDIRECT = "indirect"
    VEILED = "veiled"
    CONDITIONAL = "conditional"
    NONE = "none"

    @property
    def label(self) -> str:
        return "No threat expressed" if self is ThreatDirectness.NONE else self.value.capitalize()


class YesNoUnknown(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PathwayStage(StrEnum):
    """Calhoun and Weston's pathway to violence (stage names are facts)."""

    GRIEVANCE = "grievance"
    VIOLENT_IDEATION = "violent_ideation"
    RESEARCH_PLANNING = "research_planning"
    PREPARATION = "preparation"
    PROBING_BREACHING = "probing_breaching"
    ATTACK = "attack"

    @property
    def label(self) -> str:
        return {
            "grievance": "Grievance",
            "violent_ideation": "Violent ideation",
            "research_planning": "Research and planning",
            "preparation": "Preparation",
            "probing_breaching": "Probing and breaching",
            "attack": "Attack",
        }[self.value]


class TimelineCategory(StrEnum):
    CONCERNING_BEHAVIOR = "concerning_behavior"
    COMMUNICATION = "communication"
    STRESSOR = "stressor"
    INCIDENT = "incident"
    PROTECTIVE = "protective"
    INTERVENTION = "intervention"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class InformationSource(StrEnum):
    INTERVIEW = "interview"
    RECORDS = "records"
    SOCIAL_MEDIA = "social_media"
    LAW_ENFORCEMENT = "law_enforcement"
    OBSERVATION = "observation"
    REPORT = "report"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Reliability(StrEnum):
    CONFIRMED = "confirmed"
    PROBABLE = "probable"
    POSSIBLE = "possible"
    DOUBTFUL = "doubtful"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class NoteCategory(StrEnum):
    CONTACT_ATTEMPT = "contact_attempt"
    INTERVIEW = "interview"
    CONSULTATION = "consultation"
    DECISION = "decision"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class DisclosureRecipient(StrEnum):
    PARENT_GUARDIAN = "parent_guardian"
    TARGET = "target"
    LAW_ENFORCEMENT = "law_enforcement"
    ADMINISTRATION = "administration"
    MENTAL_HEALTH = "mental_health"
    RECEIVING_ORGANIZATION = "receiving_organization"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "parent_guardian": "Parent or guardian",
            "target": "Target or their family",
            "law_enforcement": "Law enforcement",
            "administration": "Administration",
            "mental_health": "Mental-health provider",
            "receiving_organization": "Another school or agency (case transfer)",
            "other": "Other",
        }[self.value]


class DisclosureBasis(StrEnum):
    """Why a disclosure was lawful. FERPA's health-or-safety exception needs more fields."""

    HEALTH_SAFETY_EMERGENCY = "health_safety_emergency"
    CONSENT = "consent"
    SCHOOL_OFFICIAL = "school_official"
    LAW_ENFORCEMENT_UNIT_RECORD = "law_enforcement_unit_record"
    COURT_ORDER = "court_order"
    EMPLOYER_POLICY = "employer_policy"
    RECORDS_TRANSFER = "records_transfer"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "health_safety_emergency": "Health or safety emergency (FERPA 99.31(a)(10))",
            "consent": "Written consent",
            "school_official": "School official with legitimate interest",
            "law_enforcement_unit_record": "Law-enforcement unit record",
            "court_order": "Court order or subpoena",
            "employer_policy": "Employer policy",
            "records_transfer": "Records sent to the school or agency now responsible "
            "(FERPA 99.31(a)(2), or as state law requires)",
            "other": "Other",
        }[self.value]


class LevelSource(StrEnum):
    DECISION = "decision"
    SCREENING = "screening"
    CLOSURE = "closure"
    ASSESSMENT = "assessment"
