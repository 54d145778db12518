"""Read-only HTML of a filled form, shared by the wizard's summary and the viewer: answers by
section with their sources, the factors found, and the information gaps.

All text is escaped; nothing from a form file or an answer is ever read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from btam_desktop.domain.forms import (
    Answers,
    FormDefinition,
    InformationGap,
    is_empty,
    visible_items,
    visible_sections,
)
from btam_desktop.domain.forms.rules import Findings
from btam_desktop.ui.theme import current_colors
from btam_desktop.ui.wizard.util import answer_text, esc, numbered, source_text


def _muted(text: str) -> str:
    return f'<span style="color:{current_colors().muted_fg};">{text}</span>'


def _multiline(text: str) -> str:
    return esc(text).replace("\n", "<br>")


def answers_html(definition: FormDefinition, answers: Answers) -> str:
    """Every shown question by section with its answer, source and reliability."""
    shown = {item.id for item in visible_items(definition, answers)}
    parts: list[str] = []
    for number, section in enumerate(visible_sections(definition, answers), start=1):
        items = [item for item in section.items if item.id in shown]
        if not items:
            continue
        parts.append(f"<h3>{esc(numbered(number, section.title))}</h3>")
        for item in items:
            entry = answers.get(item.id)
            value = entry.value if entry is not None else None
            if is_empty(value):
                shown_value = _muted("<i>Not answered</i>")
            else:
                shown_value = _multiline(answer_text(definition, item.id, value))
            parts.append(
                '<p style="margin-top:6px; margin-bottom:0px;">'
                f"<b>{esc(item.label)}</b><br>{shown_value}</p>"
            )
            if entry is not None:
                source = source_text(entry.source, entry.source_detail, entry.reliability)
                if source:
                    parts.append(
                        f'<p style="margin-top:0px; margin-bottom:0px;">{_muted(esc(source))}</p>'
                    )
    if not parts:
        return f"<p>{_muted('No questions were answered.')}</p>"
    return "".join(parts)


def _list(entries: Sequence[str], empty: str) -> str:
    if not entries:
        return f"<p>{_muted(esc(empty))}</p>"
    return "<ul>" + "".join(f"<li>{esc(e)}</li>" for e in entries) + "</ul>"


def findings_html(found: Findings) -> str:
    """Red flags, risk factors and protective factors present in the answers."""
    colors = current_colors()
    danger = colors.danger_border if colors.dark else colors.danger_bg
    parts: list[str] = ["<h2>What the answers show</h2>"]
    if found.red_flags:
        parts.append(f'<h3 style="color:{danger};">Red flags ({len(found.red_flags)})</h3>')
        parts.append(_list([f.label for f in found.red_flags], ""))
    parts.append(f"<h3>Risk factors found ({len(found.risk_factors)})</h3>")
    parts.append(_list([f.label for f in found.risk_factors], "None of the risk factors."))
    parts.append(f"<h3>Protective factors found ({len(found.protective_factors)})</h3>")
    parts.append(
        _list([f.label for f in found.protective_factors], "None of the protective factors.")
    )
    return "".join(parts)


def gaps_html(gaps: Sequence[InformationGap]) -> str:
    """Every shown question answered "unknown", left empty, or not fully ticked."""
    header = f"<h3>Information gaps ({len(gaps)})</h3>"
    if not gaps:
        return header + f"<p>{_muted('No gaps: every question shown has an answer.')}</p>"
    unknown = [g.label for g in gaps if g.reason == "unknown"]
    unanswered = [g.label for g in gaps if g.reason == "unanswered"]
    incomplete = [g.message for g in gaps if g.reason == "incomplete"]
    parts = [header]
    if unknown:
        parts.append("<p><b>Answered “unknown”:</b></p>" + _list(unknown, ""))
    if unanswered:
        parts.append("<p><b>Not answered:</b></p>" + _list(unanswered, ""))
    if incomplete:
        parts.append("<p><b>Not fully ticked:</b></p>" + _list(incomplete, ""))
    return "".join(parts)


def document_css() -> str:
    """A little style for the read-only documents (QTextDocument's CSS subset)."""
    return (
        "h2 { margin-top: 18px; margin-bottom: 4px; }"
        "h3 { margin-top: 14px; margin-bottom: 4px; }"
        "p { margin-top: 4px; margin-bottom: 4px; }"
        "ul { margin-top: 2px; margin-bottom: 4px; }"
    )
