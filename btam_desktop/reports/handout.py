"""A one-page 'recognize and report' handout for staff, students or parents: what concerning
behavior looks like, that reporting is about help rather than punishment, and how to reach
the team. In this project's own words, from the facts in PROTOCOLS.md."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from btam_desktop.reports.base import (
    ACCENT,
    ALERT,
    FONT_BOLD,
    DocInfo,
    Paragraph,
    build_pdf_counted,
    content_width,
    para,
    styles,
    table_style,
)
from btam_desktop.reports.flowables import FillRow, SectionBar, panel
from btam_desktop.reports.handout_es import LABELS_ES, PLACES_ES, words_es
from btam_desktop.services.settings import TeamSettings

AUDIENCES = ("staff", "students", "parents")
#: Languages each audience's handout is written in.
HANDOUT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "staff": ("en",),
    "students": ("en", "es"),
    "parents": ("en", "es"),
}


@dataclass(frozen=True)
class _Words:
    subtitle: str
    look_for_intro: str
    signs: tuple[str, ...]
    not_about: str
    say_it: str
    next_steps: str
    extra_title: str = ""
    extra: tuple[str, ...] = ()


_PLACES = {
    "school": "our school",
    "workplace": "our workplace",
    "campus": "our campus",
    "community": "our community",
}


def _words(audience: str, place: str) -> _Words:
    if audience == "students":
        return _Words(
            subtitle=f"Help keep {place} safe. If something worries you, tell someone.",
            look_for_intro="Tell an adult you trust if someone:",
            signs=(
                "threatens to hurt someone, out loud, in writing, in a drawing, with a gesture, "
                "or online, even if it sounds like a joke or starts with \u201cif\u201d",
                "says they plan to hurt people, or that something bad will happen on a certain "
                "day (\u201cdon\u2019t come in on Friday\u201d)",
                "is very interested in weapons or in past attacks while being angry at someone "
                "or wanting revenge",
                "tells friends, or posts, about plans or thoughts of hurting others",
                "changes a lot: pulls away from everyone, gets much angrier, or gives away "
                "things that matter to them",
                "seems hopeless or desperate, or talks about hurting themselves",
                "is trying to get a weapon, or is watching or following a person or a place",
            ),
            not_about=(
                "Telling is not snitching. It is not about punishment or getting someone in "
                "trouble: it is about getting help early, for the person who is struggling and "
                "for anyone who could get hurt. Most people who say scary things never act on "
                "them, but they often need help."
            ),
            say_it="If you see something or hear something, say something.",
            next_steps=(
                "A team of trained adults looks at every report. They find out more, talk with "
                "the people involved, and work out what help is needed. They share what you "
                "tell them only with people who need to know to keep everyone safe."
            ),
        )
    if audience == "parents":
        return _Words(
            subtitle=(
                f"Helping keep {place} safe: what to watch for, and how to tell us about it."
            ),
            look_for_intro="Please tell us if your child, or another child, or anyone:",
            signs=(
                "makes a threat in any form: spoken, written, drawn, acted out, or sent by "
                "text or social media; direct, hinted at, or \u201cif this happens, I "
                "will\u2026\u201d",
                "says they intend to hurt someone, or hints that something will happen on a "
                "certain day",
                "shows a growing interest in weapons, violence or past attacks together with "
                "a grievance, a wish for revenge, or a feeling of being wronged",
                "tells others about plans or violent thoughts (this \u201cleakage\u201d is "
                "often how concerns come to light)",
                "changes in worrying ways: withdraws, is much angrier, drops activities, or "
                "gives away belongings",
                "seems desperate or hopeless, or talks about suicide",
                "tries to get a weapon, or watches, follows or tests the security of a person "
                "or a place",
            ),
            not_about=(
                "Reporting is not about punishment. It is about getting help early, for the "
                "young person who is struggling and for anyone who could be harmed. Most "
                "people who make a threat never carry it out; the team looks at the whole "
                "situation, not just the words."
            ),
            say_it="If you see something, say something. You do not need to be sure.",
            next_steps=(
                "A trained team (for example a counselor, an administrator and a school "
                "resource officer) looks at every report, gathers information, and decides "
                "what support and safety steps are needed. Parents and guardians are usually "
                "part of the plan."
            ),
            extra_title="At home",
            extra=(
                "Talk with your child about what they see and hear online and at school.",
                "Keep firearms locked and unloaded, with ammunition stored separately, and "
                "keep medications secure.",
            ),
        )
    return _Words(
        subtitle=f"Helping keep {place} safe: warning signs, and how to report them.",
        look_for_intro="Report it when someone:",
        signs=(
            "makes a threat in any form: spoken, written, drawn, a gesture, or electronic "
            "(email, text, social media); direct, indirect, veiled, or conditional "
            "(\u201cif \u2026 then \u2026\u201d)",
            "states an intent to harm someone, or hints at a day or a place",
            "shows an interest in weapons, attacks or attackers that comes together with a "
            "grievance or a wish for revenge",
            "lets plans or violent thoughts leak out to friends, colleagues or online (leakage)",
            "changes in behavior in ways that worry you: withdrawal, anger, falling "
            "performance, giving things away",
            "seems desperate or in despair, or talks of suicide",
            "plans or prepares: researches a target, tries to get a weapon, rehearses, or "
            "watches or probes a place",
        ),
        not_about=(
            "Reporting is not about punishment or discipline. It is about getting help early "
            "and preventing harm. Making a threat is not the same as posing one: the team "
            "looks at behavior and context, not just words, and most situations are resolved "
            "with support."
        ),
        say_it="If you see something, say something. You do not need to be certain.",
        next_steps=(
            "The threat assessment team follows up every report. It gathers information "
            "lawfully, assesses the situation as a whole, and puts a plan in place to manage "
            "any risk and support the people involved. Reports are shared only with people "
            "who need to know."
        ),
    )


@dataclass(frozen=True)
class _HandoutStyles:
    title: ParagraphStyle
    body: ParagraphStyle
    body_bold: ParagraphStyle
    bullet: ParagraphStyle
    label: ParagraphStyle
    banner: ParagraphStyle
    banner_title: ParagraphStyle


@cache
def _hs(size: float = 10.5) -> _HandoutStyles:
    """Larger type than the case documents: a handout is read standing at a notice board."""
    st = styles()
    leading = round(size * 1.38, 1)
    body = ParagraphStyle(
        f"btam-handout-body-{size}", parent=st.body, fontSize=size, leading=leading
    )
    return _HandoutStyles(
        title=ParagraphStyle("btam-handout-title", parent=st.title, fontSize=24, leading=29),
        body=body,
        body_bold=ParagraphStyle("btam-handout-bold", parent=body, fontName=FONT_BOLD),
        bullet=ParagraphStyle("btam-handout-bullet", parent=body, leftIndent=14, bulletIndent=2),
        label=ParagraphStyle(
            "btam-handout-label", parent=st.muted, fontSize=size - 2, leading=leading
        ),
        banner=ParagraphStyle("btam-handout-banner", parent=body, textColor=colors.white),
        banner_title=ParagraphStyle(
            "btam-handout-banner-title",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=21,
            textColor=colors.white,
        ),
    )


def _t(language: str, text: str) -> str:
    return LABELS_ES.get(text, text) if language == "es" else text


def _contact_block(
    settings: TeamSettings, width: float, st: _HandoutStyles, language: str = "en"
) -> list[Flowable]:
    rows: list[list[object]] = []
    for label, value in (
        (_t(language, "Contact"), settings.contact_name),
        (_t(language, "Phone"), settings.contact_phone),
        (_t(language, "Email"), settings.contact_email),
        (_t(language, "Where"), settings.contact_address),
    ):
        if value.strip():
            rows.append(
                [
                    Paragraph(para(label), st.label),
                    Paragraph(f"<b>{para(value)}</b>", st.body),
                ]
            )
    out: list[Flowable] = []
    if rows:
        label_w = 56 if language == "es" else 46
        table = Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT")
        table.setStyle(
            table_style(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        out.append(table)
    else:
        out.extend(
            [
                Paragraph(_t(language, "Write the team's contact details here:"), st.label),
                Spacer(1, 4),
                FillRow([(_t(language, "Contact"), 1.0)]),
                FillRow([(_t(language, "Phone"), 1.0)]),
                FillRow([(_t(language, "Email"), 1.0)]),
            ]
        )
    if settings.report_instructions.strip():
        out.append(Spacer(1, 5))
        out.append(Paragraph(para(settings.report_instructions), st.body))
    return out


def build_recognize_and_report_handout(
    settings: TeamSettings, audience: str = "staff", paper: str = "letter", language: str = "en"
) -> bytes:
    """A handout for ``audience`` ('staff', 'students' or 'parents') with the team's contact
    details from ``settings``, in ``language`` ('en', or 'es' for students and parents).
    Meant to be copied and posted, so it carries no confidentiality line."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {', '.join(AUDIENCES)}, not {audience!r}")
    if language not in HANDOUT_LANGUAGES[audience]:
        raise ValueError(
            f"the handout for {audience} is written in "
            f"{', '.join(HANDOUT_LANGUAGES[audience])}, not {language!r}"
        )
    # One page is the point of a handout: step the type down until it fits.
    pdf = b""
    for size in (10.5, 10.0, 9.5, 9.0):
        story = _handout_story(settings, audience, paper, _hs(size), language)
        pdf, pages = build_pdf_counted(*story)
        if pages == 1:
            break
    return pdf


def _handout_story(
    settings: TeamSettings, audience: str, paper: str, st: _HandoutStyles, language: str = "en"
) -> tuple[list[Flowable], DocInfo, str]:
    width = content_width(paper)
    if language == "es":
        place = PLACES_ES.get(settings.default_setting, "nuestra comunidad")
        words = _Words(**words_es(audience, place))  # type: ignore[arg-type]
    else:
        place = _PLACES.get(settings.default_setting, "our community")
        words = _words(audience, place)

    def t(text: str) -> str:
        return _t(language, text)

    emergency = panel(
        [
            Paragraph(para(t("Danger right now? Call 911.")), st.banner_title),
            Spacer(1, 3),
            Paragraph(
                para(LABELS_ES["emergency"])
                if language == "es"
                else "If someone is hurt, has a weapon, or says they are about to hurt someone, "
                "call 911 (or your local emergency number) first. Then tell the team.",
                st.banner,
            ),
        ],
        width,
        background=ALERT,
        stripe=None,
        padding=9,
    )
    signs = [Paragraph(para(sign), st.bullet, bulletText="\u2022") for sign in words.signs]
    left_col: list[Flowable] = [
        SectionBar("", t("What to look for")),
        Spacer(1, 5),
        Paragraph(para(words.look_for_intro), st.body_bold),
        Spacer(1, 3),
    ]
    for sign in signs:
        left_col.extend([sign, Spacer(1, 2.5)])
    col_gap = 16.0
    right_w = width * 0.41
    left_w = width - right_w - col_gap
    right_col: list[Flowable] = [
        SectionBar("", t("How to report")),
        Spacer(1, 5),
        *_contact_block(settings, right_w, st, language),
        Spacer(1, 10),
        panel(
            [Paragraph(f"<b>{para(words.say_it)}</b>", st.body)],
            right_w,
            stripe=ACCENT,
        ),
    ]
    if words.extra:
        right_col.extend([Spacer(1, 10), SectionBar("", words.extra_title), Spacer(1, 5)])
        for line in words.extra:
            right_col.extend(
                [Paragraph(para(line), st.bullet, bulletText="\u2022"), Spacer(1, 2.5)]
            )
    columns = Table([[left_col, right_col]], colWidths=[left_w + col_gap, right_w])
    columns.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), col_gap),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    title = {
        "staff": "Recognize and report",
        "students": "See something? Say something.",
        "parents": "Recognize and report",
    }[audience]
    header = "For parents and guardians" if audience == "parents" else f"For {audience}"
    if language == "es":
        title = LABELS_ES[f"title {audience}"]
        header = LABELS_ES[f"header {audience}"]
    story: list[Flowable] = [
        Paragraph(para(title), st.title),
        Spacer(1, 3),
        Paragraph(para(words.subtitle), styles().subtitle),
        Spacer(1, 10),
        emergency,
        Spacer(1, 12),
        columns,
        Spacer(1, 12),
        KeepTogether(
            [
                SectionBar("", t("It is about help, not punishment")),
                Spacer(1, 5),
                Paragraph(para(words.not_about), st.body),
            ]
        ),
        Spacer(1, 10),
        KeepTogether(
            [
                SectionBar("", t("What happens after you report")),
                Spacer(1, 5),
                Paragraph(para(words.next_steps), st.body),
            ]
        ),
    ]
    info = DocInfo(
        title=title,
        team_name=settings.team_name,
        subject=f"Recognize and report handout for {audience}",
        header_right=header,
        confidential_line=None,
        footer_note=t("Please share and post this page."),
        keywords=("threat assessment", "handout", audience),
        language=language,
    )
    return story, info, paper


__all__ = ["AUDIENCES", "build_recognize_and_report_handout"]
