"""The recovery sheet: the vault's recovery key on paper, for the coordinator's safe.

The key appears only on the page, never in the PDF's metadata or in a suggested file name.
"""

from __future__ import annotations

from datetime import date

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer

from btam_desktop.reports.base import (
    ALERT,
    ALERT_LIGHT,
    FONT,
    FONT_BOLD,
    INK,
    MUTED,
    RULE,
    SHADE,
    DocInfo,
    Paragraph,
    build_pdf,
    content_width,
    fmt_date,
    hex_of,
    para,
    styles,
)
from btam_desktop.reports.flowables import FillRow, SectionBar, panel
from btam_desktop.reports.tables import key_value_table

GROUP = 4
# Crockford base32, as the vault makes its keys; other characters are dropped from display.
_KEY_CHARS = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

SAFEKEEPING_LINE = (
    "Secret: vault recovery key. Keep in a locked safe. Do not copy, photograph or scan."
)


def key_groups(recovery_key: str) -> list[str]:
    """The key in groups of four characters, as shown to a person: ['ABCD', 'EFGH', ...]."""
    chars = [ch for ch in recovery_key.upper() if ch.isalnum()]
    if not chars:
        raise ValueError("the recovery key is empty")
    text = "".join(chars)
    return [text[i : i + GROUP] for i in range(0, len(text), GROUP)]


class KeyGrid(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """The key large, one character per cell (like a typewriter), four groups to a row,
    numbered so two people can read it to each other."""

    CELL_W = 25.0
    CELL_H = 34.0
    GROUP_GAP = 16.0
    FONT_SIZE = 21.0

    def __init__(self, groups: list[str], per_row: int = 4) -> None:
        super().__init__()
        self.groups = groups
        self.per_row = per_row

    def _rows(self) -> list[list[tuple[int, str]]]:
        numbered = list(enumerate(self.groups, start=1))
        return [numbered[i : i + self.per_row] for i in range(0, len(numbered), self.per_row)]

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        group_w = self.CELL_W * GROUP
        while self.per_row > 1 and self.per_row * (group_w + self.GROUP_GAP) > aw:
            self.per_row -= 1
        self.width = aw
        self.height = len(self._rows()) * (self.CELL_H + 18) + 4
        return aw, self.height

    def draw(self) -> None:
        canv = self.canv
        group_w = self.CELL_W * GROUP
        row_w = self.per_row * group_w + (self.per_row - 1) * self.GROUP_GAP
        left = (self.width - row_w) / 2
        y_top = self.height - 2
        for row in self._rows():
            x = left
            cell_bottom = y_top - 12 - self.CELL_H
            for number, group in row:
                canv.setFont(FONT, 7)
                canv.setFillColor(MUTED)
                canv.drawString(x, y_top - 8, f"group {number}")
                for ch in group.ljust(GROUP):
                    canv.setStrokeColor(RULE)
                    canv.setFillColor(SHADE)
                    canv.setLineWidth(0.7)
                    canv.rect(x, cell_bottom, self.CELL_W, self.CELL_H, stroke=1, fill=1)
                    canv.setFillColor(INK)
                    canv.setFont(FONT_BOLD, self.FONT_SIZE)
                    w = stringWidth(ch, FONT_BOLD, self.FONT_SIZE)
                    canv.drawString(x + (self.CELL_W - w) / 2, cell_bottom + 10, ch)
                    x += self.CELL_W
                x += self.GROUP_GAP
            y_top -= self.CELL_H + 18


def build_recovery_sheet(
    team_name: str,
    vault_path: str,
    recovery_key: str,
    paper: str = "letter",
    vault_key: str = "",
) -> bytes:
    """One page to keep in a safe: the recovery key, what it is for, and who stored it where.
    ``vault_key`` is the fingerprint of the vault's public signing key (the root of trust)."""
    st = styles()
    width = content_width(paper)
    groups = key_groups(recovery_key)
    typed = "-".join(groups)
    unusual = sorted({ch for ch in "".join(groups) if ch not in _KEY_CHARS})

    story: list[Flowable] = [
        Paragraph("Vault recovery key", st.title),
        Spacer(1, 3),
        Paragraph(para(team_name), st.subtitle),
        Spacer(1, 10),
        panel(
            [
                Paragraph(
                    f'<font color="{hex_of(ALERT)}"><b>Anyone who holds this key can open '
                    "the vault and read every case in it, without a password.</b></font> "
                    "Keep this sheet in a locked safe. Do not copy, photograph, scan or email it, "
                    "and do not keep it with the computer.",
                    st.body,
                )
            ],
            width,
            background=ALERT_LIGHT,
            border=ALERT,
        ),
        Spacer(1, 14),
        KeepTogether(
            [
                SectionBar("", "The recovery key"),
                Spacer(1, 10),
                KeyGrid(groups),
                Spacer(1, 6),
                Paragraph(
                    f'Type it as: <font name="{FONT_BOLD}" size="12">{para(typed)}</font>',
                    st.center,
                ),
                Spacer(1, 4),
                Paragraph(
                    "The key uses the digits 0 to 9 and the letters A to Z except I, L, O and U, "
                    "so 0 is always zero and 1 is always one. Upper or lower case both work; the "
                    "dashes may be left out.",
                    st.muted,
                ),
            ]
        ),
        Spacer(1, 14),
        SectionBar("", "What it is for"),
        Spacer(1, 6),
        Paragraph(
            "The vault keeps the team's case records encrypted. Each team member opens it with "
            "their own user name and password. This key is the way back in when that is no "
            "longer possible: a member who forgot their password can set a new one with it, "
            "and the team can reach its records if the coordinator leaves or every password is "
            "lost. Nobody else, including the makers of BTAM Desktop, can recover a lost key "
            "or open the vault without one.",
            st.body,
        ),
        Spacer(1, 6),
        Paragraph(
            "If this sheet is lost, or someone who should not have it may have seen it, tell "
            "the team coordinator at once.",
            st.body,
        ),
        Spacer(1, 14),
        KeepTogether(
            [
                SectionBar("", "This vault"),
                Spacer(1, 6),
                key_value_table(
                    [
                        ("Team", para(team_name)),
                        ("Vault folder", para(vault_path)),
                        ("Key created", para(fmt_date(date.today()))),
                        *([("Vault signing key", para(vault_key))] if vault_key else []),
                    ],
                    width,
                    columns=1,
                ),
                Spacer(1, 14),
                Paragraph("<b>Stored</b> (fill in by hand)", st.small),
                Spacer(1, 4),
                FillRow([("Stored by", 0.55), ("Date", 0.45)]),
                Spacer(1, 4),
                FillRow([("Where (which safe)", 1.0)]),
                Spacer(1, 4),
                FillRow([("Checked by", 0.55), ("Date", 0.45)]),
            ]
        ),
    ]
    if unusual:  # a key typed by hand with characters the vault never uses
        story.append(Spacer(1, 6))
        story.append(
            Paragraph(
                f"Note: the key holds {', '.join(unusual)}, which a vault key never uses; "
                "check it against the screen.",
                st.note,
            )
        )
    info = DocInfo(
        title="Vault recovery sheet",
        team_name=team_name,
        subject="Recovery key for a BTAM Desktop vault",
        confidential_line=SAFEKEEPING_LINE,
        footer_note="Keep in a locked safe \u00b7 Created " + fmt_date(date.today()),
    )
    return build_pdf(story, info, paper)


__all__ = ["build_recovery_sheet", "key_groups"]
