"""Blank checklists: any form definition (built-in or a team's own) printed for filling in by
hand at the team-meeting table."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    Spacer,
    Table,
)

from btam_desktop.domain.forms import (
    AnyItem,
    FormDefinition,
    FormRegistry,
    LevelScale,
    Section,
)
from btam_desktop.domain.forms.schema import NumberItem, RatingItem
from btam_desktop.domain.forms.wording import describe_condition, number_hint
from btam_desktop.reports.base import (
    ACCENT,
    ALERT,
    CONFIDENTIAL_LINE,
    FONT_BOLD,
    HAIRLINE,
    ITEM_INDENT,
    MUTED,
    RULE,
    DocInfo,
    Paragraph,
    build_pdf,
    content_width,
    hex_of,
    para,
    printed_on_note,
    styles,
    table_style,
    tag,
)
from btam_desktop.reports.flowables import (
    DateBoxes,
    FillRow,
    InlineChecks,
    NumberBox,
    RatingBoxes,
    SectionBar,
    WriteLines,
    check_grid,
    indented,
    panel,
)

_MUTED = hex_of(MUTED)

KIND_LABELS = {
    "intake": "Intake",
    "screening": "Screening",
    "assessment": "Assessment",
    "interview": "Interview guide",
    "checklist": "Checklist",
    "catalog": "Catalog",
}
SETTING_LABELS = {
    "school": "schools",
    "workplace": "workplaces",
    "campus": "campuses",
    "community": "the community",
}
YES_NO_COLUMN = 146.0
LONG_TEXT_LINES = 4
SIGNATURE_ROWS = 5
FLAG_LEGEND = {
    "risk_factor": "a risk factor when present (answered yes or ticked)",
    "protective_factor": "a protective factor when present",
    "red_flag": "needs the team's attention at once",
}


# ---- scales --------------------------------------------------------------------------------


@cache
def _builtin_registry() -> FormRegistry:
    return FormRegistry.load(None)


def _scale_for(form: FormDefinition, scale: LevelScale | None) -> LevelScale | None:
    if scale is not None or form.scale is None:
        return scale
    try:
        return _builtin_registry().scale(form.scale)
    except KeyError:
        return None


# ---- items ---------------------------------------------------------------------------------


def _label_markup(item: AnyItem) -> str:
    markup = f'<font name="{FONT_BOLD}">{para(item.label)}</font>'
    if item.required:
        markup += f'<font color="{hex_of(ALERT)}"> *</font>'
    for flag in item.flags:
        markup += " " + tag(flag)
    return markup


def _choice_markup(choice: Any, include_guidance: bool) -> str:
    markup = para(choice.label)
    for flag in ("risk_factor", "protective_factor", "red_flag"):
        if getattr(choice, flag):
            markup += " " + tag(flag)
    if include_guidance and choice.help:
        markup += f'<br/><font size="7.4" color="{_MUTED}">{para(choice.help)}</font>'
    return markup


_HINTS = {
    "single_choice": "tick one",
    "multiple_choice": "tick all that apply",
    "checklist": "tick each one when done",
}


def _number_hint(item: NumberItem) -> str:
    hint = number_hint(item)
    return f"({hint})" if hint else ""


def _item_block(
    form: FormDefinition,
    item: AnyItem,
    number: str,
    width: float,
    *,
    include_guidance: bool,
    date_order: str,
) -> list[Flowable]:
    st = styles()
    head = _label_markup(item)
    hint = _HINTS.get(item.type)
    if hint:
        head += f' <font size="7.6" color="{_MUTED}">({hint})</font>'
    stack: list[Flowable] = [Paragraph(head, st.item, bulletText=number)]
    if item.show_if is not None:
        stack.append(
            Paragraph(
                f"{words_for(form.language, 'Answer only if')} "
                f"{para(describe_condition(form, item.show_if))}.",
                st.item_help,
            )
        )
    if include_guidance and item.help:
        stack.append(Paragraph(para(item.help), st.item_help))

    answer_width = width - ITEM_INDENT
    body: list[Flowable] = []
    if item.type == "yes_no_unknown":
        row = Table(
            [
                [
                    stack,
                    InlineChecks(
                        [words_for(form.language, t) for t in ("Yes", "No", "Unknown")],
                        align_right=True,
                    ),
                ]
            ],
            colWidths=[width - YES_NO_COLUMN, YES_NO_COLUMN],
        )
        row.setStyle(
            table_style(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (0, 0), 10),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        body.append(row)
    else:
        body.extend(stack)
        body.append(Spacer(1, 3))
        if item.type in _HINTS:
            labels = [_choice_markup(c, include_guidance) for c in item.options]
            body.append(indented(check_grid(labels, answer_width), ITEM_INDENT, width))
        elif item.type == "short_text":
            body.append(WriteLines(1, indent=ITEM_INDENT, gap=17))
        elif item.type == "long_text":
            body.append(WriteLines(LONG_TEXT_LINES, indent=ITEM_INDENT))
        elif item.type == "date":
            lang = form.language
            captions = (words_for(lang, "month"), words_for(lang, "day"), words_for(lang, "year"))
            body.append(DateBoxes(date_order, indent=ITEM_INDENT, captions=captions))
        elif isinstance(item, NumberItem):
            body.append(NumberBox(item.unit, _number_hint(item), indent=ITEM_INDENT))
        elif isinstance(item, RatingItem):
            rating_labels = {entry.value: entry.label for entry in item.labels}
            body.append(RatingBoxes(item.min, item.max, rating_labels, indent=ITEM_INDENT))
    if item.ask_source:
        source_label = words_for(form.language, "Source and reliability:")
        body.append(FillRow([(source_label, 1.0)], indent=ITEM_INDENT, size=8.2))
    return body


_NUMBERED_TITLE = re.compile(r"^\s*\d+[.):]")


def numbering(form: FormDefinition) -> list[tuple[str, list[str]]]:
    """Section and item numbers: '2' and '2.1, 2.2 ...'; or, when the form's own section
    titles carry numbers (like '2. Communications'), no section number and items counted
    straight through the form (1, 2, 3 ...), so the printed numbers never contradict them."""
    if any(_NUMBERED_TITLE.match(section.title) for section in form.sections):
        out: list[tuple[str, list[str]]] = []
        count = 0
        for section in form.sections:
            numbers = [str(count + n) for n in range(1, len(section.items) + 1)]
            count += len(section.items)
            out.append(("", numbers))
        return out
    return [
        (str(s), [f"{s}.{n}" for n in range(1, len(section.items) + 1)])
        for s, section in enumerate(form.sections, start=1)
    ]


def _guidance_flowables(text: str) -> list[Flowable]:
    """Guidance text: paragraphs split by blank lines, lines starting with '- ' as bullets."""
    st = styles()
    blocks: list[tuple[str, str]] = []  # (kind, text)
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            blocks.append(("break", ""))
        elif line.startswith(("- ", "* ")):
            blocks.append(("bullet", line[2:].strip()))
        elif blocks and blocks[-1][0] in ("para", "bullet"):
            kind, previous = blocks[-1]
            blocks[-1] = (kind, f"{previous} {line}")
        else:
            blocks.append(("para", line))
    out: list[Flowable] = []
    small = st.small
    for kind, value in blocks:
        if kind == "para":
            out.append(Paragraph(para(value), small))
            out.append(Spacer(1, 3))
        elif kind == "bullet":
            out.append(Paragraph(para(value), _bullet_small(), bulletText="\u2022"))
            out.append(Spacer(1, 1.5))
    while out and isinstance(out[-1], Spacer):
        out.pop()
    return out


@cache
def _bullet_small() -> ParagraphStyle:
    return ParagraphStyle("btam-bullet-small", parent=styles().small, leftIndent=12, bulletIndent=2)


def _section(
    form: FormDefinition,
    section: Section,
    section_number: str,
    item_numbers: list[str],
    width: float,
    *,
    include_guidance: bool,
    date_order: str,
) -> list[Flowable]:
    st = styles()
    head: list[Flowable] = [SectionBar(section_number, section.title), Spacer(1, 5)]
    if section.show_if is not None:
        head.append(
            Paragraph(
                f"{words_for(form.language, 'Fill in this section only if')} "
                f"{para(describe_condition(form, section.show_if))}.",
                st.note,
            )
        )
        head.append(Spacer(1, 4))
    if include_guidance and section.guidance:
        head.append(panel(_guidance_flowables(section.guidance), width))
        head.append(Spacer(1, 7))
    out: list[Flowable] = [CondPageBreak(140)]
    blocks = [
        _item_block(
            form,
            item,
            number,
            width,
            include_guidance=include_guidance,
            date_order=date_order,
        )
        for number, item in zip(item_numbers, section.items, strict=True)
    ]
    for n, block in enumerate(blocks):
        separator: list[Flowable] = (
            [HRFlowable(width="100%", thickness=0.4, color=HAIRLINE, spaceBefore=5, spaceAfter=6)]
            if n < len(blocks) - 1
            else [Spacer(1, 4)]
        )
        if n == 0:
            # the heading and guidance stay with the first item
            out.append(KeepTogether([*head, *block]))
        else:
            out.append(KeepTogether(block))
        out.extend(separator)
    if not blocks:
        out.extend(head)
    out.append(Spacer(1, 10))
    return out


# ---- the whole form ------------------------------------------------------------------------


# The printed words around a form's own text, for forms written in Spanish (the form's own
# labels come from its file). Translation awaiting review by a native-speaking school
# professional, like the Spanish forms themselves.
_SPANISH = {
    "Yes": "Sí",
    "No": "No",
    "Unknown": "No se sabe",
    "Source and reliability:": "Fuente y fiabilidad:",
    "Case no.": "Caso n.º",
    "Date": "Fecha",
    "Completed by": "Completado por",
    "Interview guide": "Guía de entrevista",
    "form": "formulario",
    "version": "versión",
    "for schools": "para escuelas",
    "for workplaces": "para lugares de trabajo",
    "for campuses": "para campus universitarios",
    "for the community": "para la comunidad",
    "a risk factor when present (answered yes or ticked)": (
        "factor de riesgo si está presente (respuesta sí o marcado)"
    ),
    "a protective factor when present": "factor de protección si está presente",
    "needs the team's attention at once": "requiere la atención inmediata del equipo",
    "Answer only if": "Responda solo si",
    "Fill in this section only if": "Complete esta sección solo si",
    "month": "mes",
    "day": "día",
    "year": "año",
    "confidential": (
        "Confidencial: registro de evaluación de amenazas. No lo copie ni lo divulgue salvo "
        "en lo que la ley permita."
    ),
    "Follows": "Se basa en",
    "Please note.": "Tenga en cuenta.",
    "Team members present": "Miembros del equipo presentes",
    "Name": "Nombre",
    "Role on the team": "Función en el equipo",
    "Signature": "Firma",
    "Entered into BTAM Desktop by": "Registrado en BTAM Desktop por",
    "on": "el",
    "yes_no_legend": (
        "Marque <b>Sí</b>, <b>No</b> o <b>No se sabe</b> en cada pregunta; <b>No se sabe</b> "
        "señala información que falta conseguir."
    ),
    "required_legend": "hace falta una respuesta.",
    "source_legend": "Anote de dónde viene cada respuesta y qué tan fiable es.",
}
_ENGLISH_LEGENDS = {
    "yes_no_legend": (
        "Tick <b>Yes</b>, <b>No</b> or <b>Unknown</b> for each question; "
        "<b>Unknown</b> marks an information gap to close."
    ),
    "required_legend": "an answer is needed.",
    "source_legend": "Write where each answer comes from and how reliable it is.",
}


def words_for(language: str, text: str) -> str:
    """``text`` (a fixed English word of the printed form) in ``language``."""
    if language == "es":
        return _SPANISH.get(text, _ENGLISH_LEGENDS.get(text, text))
    return _ENGLISH_LEGENDS.get(text, text)


def _front_matter(form: FormDefinition, width: float, include_guidance: bool) -> list[Flowable]:
    st = styles()
    lang = form.language

    def w(text: str) -> str:
        return words_for(lang, text)

    out: list[Flowable] = [Paragraph(para(form.title), st.title), Spacer(1, 3)]
    kind_label = KIND_LABELS.get(form.kind, form.kind.capitalize())
    meta = [w(kind_label), f"{w('form')} {form.id}"]
    meta.append(f"{w('version')} {form.version}")
    if form.setting != "any":
        meta.append(w(f"for {SETTING_LABELS.get(form.setting, form.setting)}"))
    if not form.builtin and form.origin == "custom":
        meta.append("the team's own form")
    out.append(Paragraph(para("  \u00b7  ".join(meta)), st.subtitle))
    out.append(Spacer(1, 8))
    if form.summary and include_guidance:
        out.append(Paragraph(para(form.summary), st.body))
        out.append(Spacer(1, 8))
    out.append(
        FillRow([(w("Case no."), 0.28), (w("Date"), 0.27), (w("Completed by"), 0.45)], bold=True)
    )
    out.append(Spacer(1, 8))
    if form.follows:
        follows: list[Flowable] = [Paragraph(f"<b>{w('Follows')}</b>", st.small), Spacer(1, 2)]
        follows.extend(
            Paragraph(para(text), _bullet_small(), bulletText="\u2022") for text in form.follows
        )
        out.extend(follows)
        out.append(Spacer(1, 7))
    out.append(
        panel(
            [Paragraph(f"<b>{w('Please note.')}</b> {para(form.disclaimer)}", st.small)],
            width,
            background=None,
            border=RULE,
        )
    )
    if form.license:
        out.append(Spacer(1, 4))
        out.append(Paragraph(para(form.license), st.muted))
    out.append(Spacer(1, 6))
    out.append(_legend(form))
    out.append(Spacer(1, 12))
    return out


def _legend(form: FormDefinition) -> Flowable:
    st = styles()
    items = form.all_items()
    parts = []
    if any(item.type == "yes_no_unknown" for item in items):
        parts.append(words_for(form.language, "yes_no_legend"))
    if any(item.required for item in items):
        parts.append(
            f'<font color="{hex_of(ALERT)}"><b>*</b></font> '
            + words_for(form.language, "required_legend")
        )
    present = {
        flag
        for item in items
        for flag in ("risk_factor", "protective_factor", "red_flag")
        if getattr(item, flag) or any(getattr(c, flag) for c in item.options)
    }
    for flag in ("red_flag", "risk_factor", "protective_factor"):
        if flag in present:
            parts.append(f"{tag(flag)} {words_for(form.language, FLAG_LEGEND[flag])}.")
    if any(item.ask_source for item in items):
        parts.append(words_for(form.language, "source_legend"))
    return Paragraph(" &nbsp; ".join(parts), st.muted)


def _decision_block(
    form: FormDefinition, scale: LevelScale | None, width: float, include_guidance: bool
) -> list[Flowable]:
    st = styles()
    out: list[Flowable] = [
        CondPageBreak(220),
        SectionBar("", "Level of concern: the team's decision"),
        Spacer(1, 6),
    ]
    if include_guidance and (form.rules or form.default_level):
        lines: list[Flowable] = [
            Paragraph(
                "<b>How this form suggests a level.</b> The first rule that holds gives the "
                "suggestion; the team decides.",
                st.small,
            ),
            Spacer(1, 3),
        ]
        for rule in form.rules:
            label = _level_label(scale, rule.level)
            text = f"<b>{para(label)}</b> if {para(describe_condition(form, rule.when))}."
            if rule.note:
                text += f' <i><font color="{_MUTED}">{para(rule.note)}</font></i>'
            lines.append(Paragraph(text, _bullet_small(), bulletText="\u2022"))
        if form.default_level:
            lines.append(
                Paragraph(
                    f"Otherwise <b>{para(_level_label(scale, form.default_level))}</b>.",
                    _bullet_small(),
                    bulletText="\u2022",
                )
            )
        out.append(panel(lines, width))
        out.append(Spacer(1, 8))
    decision: list[Flowable] = [
        FillRow([("Level the form suggests:", 1.0)], bold=True),
        Spacer(1, 6),
        Paragraph("<b>Level the team decides</b> (tick one)", st.body),
        Spacer(1, 3),
    ]
    if scale is not None:
        labels = []
        for level in scale.levels:
            text = f"<b>{para(level.label)}</b>"
            if include_guidance and level.description:
                text += f'<br/><font size="7.4" color="{_MUTED}">{para(level.description)}</font>'
            labels.append(text)
        columns = 1 if include_guidance else min(len(labels), 4)
        decision.append(check_grid(labels, width, columns=columns))
        decision.append(Spacer(1, 2))
        decision.append(Paragraph(f"Scale: {para(scale.title)} ({para(scale.id)})", st.muted))
    else:
        decision.append(FillRow([("Level:", 1.0)]))
    decision.extend(
        [
            Spacer(1, 6),
            Paragraph(
                "<b>Rationale.</b> The facts the decision rests on; needed in every case, and "
                "especially when the decision differs from the suggestion.",
                st.small,
            ),
            WriteLines(4),
            Spacer(1, 4),
            FillRow([("Decided on", 0.5), ("Next review on", 0.5)]),
        ]
    )
    out.append(KeepTogether(decision))
    out.append(Spacer(1, 12))
    return out


def _level_label(scale: LevelScale | None, code: str) -> str:
    if scale is not None and scale.has_level(code):
        return scale.level(code).label
    return code.replace("_", " ").capitalize()


def signature_block(
    width: float, title: str = "Team members present", *, language: str = "en"
) -> list[Flowable]:
    """A table to write names, roles, signatures and dates in."""
    st = styles()

    def w(text: str) -> str:
        return words_for(language, text)

    title = w(title)
    head = [
        Paragraph(w("Name"), st.cell_head),
        Paragraph(w("Role on the team"), st.cell_head),
        Paragraph(w("Signature"), st.cell_head),
        Paragraph(w("Date"), st.cell_head),
    ]
    rows: list[list[Any]] = [head] + [["", "", "", ""] for _ in range(SIGNATURE_ROWS)]
    table = Table(
        rows,
        colWidths=[width * 0.32, width * 0.24, width * 0.28, width * 0.16],
        rowHeights=[16] + [24] * SIGNATURE_ROWS,
    )
    table.setStyle(
        table_style(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, RULE),
                ("LINEBEFORE", (1, 0), (-1, -1), 0.4, HAIRLINE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ]
        )
    )
    return [
        KeepTogether(
            [
                SectionBar("", title),
                Spacer(1, 6),
                table,
                Spacer(1, 10),
                FillRow([(w("Entered into BTAM Desktop by"), 0.65), (w("on"), 0.35)]),
            ]
        )
    ]


def build_blank_checklist(
    definition: FormDefinition,
    team_name: str,
    *,
    include_guidance: bool = True,
    paper: str = "letter",
    scale: LevelScale | None = None,
    confidential_line: str | None = None,
) -> bytes:
    """A blank form to fill in by hand, as PDF bytes. ``confidential_line``: the team's own
    wording for the foot of each page (Settings); the standard line when not given.

    ``scale`` is the level scale the form decides on (looked up among the built-in scales when
    not given; a team's own scale should be passed in, e.g. ``registry.scale_for(form)``).
    """
    width = content_width(paper)
    date_order = "dmy" if paper.strip().lower() == "a4" else "mdy"
    story: list[Flowable] = _front_matter(definition, width, include_guidance)
    for section, (section_number, item_numbers) in zip(
        definition.sections, numbering(definition), strict=True
    ):
        story.extend(
            _section(
                definition,
                section,
                section_number,
                item_numbers,
                width,
                include_guidance=include_guidance,
                date_order=date_order,
            )
        )
    level_scale = _scale_for(definition, scale)
    if definition.scale is not None:
        story.extend(_decision_block(definition, level_scale, width, include_guidance))
    story.extend(signature_block(width, language=definition.language))
    info = DocInfo(
        title=f"{definition.title} (blank form)",
        team_name=team_name,
        subject=f"Blank form {definition.id} version {definition.version}",
        header_right=definition.title,
        footer_note=printed_on_note(f"{definition.id} version {definition.version}"),
        case_field=True,
        language=definition.language,
        confidential_line=confidential_line
        or (words_for("es", "confidential") if definition.language == "es" else CONFIDENTIAL_LINE),
        keywords=("threat assessment", "blank form", definition.id),
    )
    return build_pdf(story, info, paper)


__all__ = ["build_blank_checklist", "describe_condition", "signature_block"]
