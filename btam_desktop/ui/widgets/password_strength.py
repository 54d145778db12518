"""A password strength estimate in plain words, and the meter that shows it while typing.

The estimator is deliberately simple and conservative: it counts characters and character kinds,
then discounts what attackers try first: the most common passwords, common words with letters
swapped for digits, keyboard walks ("qwerty", "1qaz"), sequences ("abcd", "4321"), repeats
("aaaa", "abcabc") and years. It is advice, not policy: the vault service enforces the rules.
The meter never keeps the password it was given.
"""

from __future__ import annotations

import math
import re
from functools import cache

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from btam_desktop.ui.theme import current_colors, set_style_role

STRENGTH_LABELS = ("Too short", "Weak", "Fair", "Strong", "Very strong")
MIN_LENGTH = 10  # the vault refuses shorter passwords (store.vault.MIN_PASSWORD_LENGTH)

# Lower-case, digits-and-symbols-stripped forms. A small sample of what tops every leaked list.
_COMMON_PASSWORDS = frozenset(
    """
    password passwort motdepasse contrasena qwerty qwertz azerty asdf zxcv qwertyuiop
    asdfghjkl letmein welcome admin administrator root login guest default changeme secret
    iloveyou loveme love lovely monkey dragon football baseball soccer hockey basketball
    sunshine princess shadow master superman batman spiderman starwars pokemon trustno
    whatever freedom hello charlie michael jessica ashley daniel thomas jordan hunter ranger
    buster killer pepper ginger tigger maggie lucky summer winter spring autumn computer
    internet samsung google apple microsoft windows linux school teacher student counselor
    counsellor principal office company access security flower cheese chocolate cookie
    banana orange purple silver golden diamond heaven angel family friends mother father
    baby blessed jesus christ god matrix mustang harley ferrari corvette yankees cowboys
    liverpool chelsea arsenal abc abcd abcdef abcdefg abcdefgh abcdefghi abcdefghij
    letmeinnow passw0rd p@ssword test tester testing user username temp temporary qazwsx
    zaqxsw 123456 1234567 12345678 123456789 1234567890 0987654321 87654321 11111111
    00000000 12341234 11223344 123123123 12121212 696969 147258369 159753 20202020
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words too common to count for much when they appear inside a longer password.
_COMMON_WORDS = frozenset(
    word
    for word in _COMMON_PASSWORDS
    | set(
        """
    january february march april june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday pass word qwer
    """.split()  # noqa: SIM905
    )
    if len(word) >= 4
)

_LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "+": "t",
    }
)

_KEYBOARD_ROWS = (
    "`1234567890-=",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qwertzuiop",
    "yxcvbnm",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7",
)
_MIN_WALK = 4
_YEAR = re.compile(r"(19|20)\d\d")


@cache
def _walk_fragments() -> frozenset[str]:
    fragments: set[str] = set()
    for row in _KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for start in range(len(line)):
                for end in range(start + _MIN_WALK, len(line) + 1):
                    fragments.add(line[start:end])
    return frozenset(fragments)


def _character_pool(text: str) -> int:
    pool = 0
    if any(c.islower() for c in text):
        pool += 26
    if any(c.isupper() for c in text):
        pool += 26
    if any(c.isdigit() for c in text):
        pool += 10
    if any(not c.isalnum() and c.isascii() for c in text):
        pool += 33
    if any(not c.isascii() for c in text):
        pool += 100
    return max(pool, 10)


def _mark(spans: list[tuple[int, int, str]], start: int, end: int, kind: str) -> None:
    spans.append((start, end, kind))


def _find_predictable(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) for every predictable stretch of the password."""
    lowered = text.lower()
    spans: list[tuple[int, int, str]] = []
    n = len(text)

    # Keyboard walks: the longest walk fragment starting at each position.
    fragments = _walk_fragments()
    i = 0
    while i < n:
        best = 0
        for end in range(i + _MIN_WALK, n + 1):
            if lowered[i:end] in fragments:
                best = end
        if best:
            _mark(spans, i, best, "walk")
            i = best
        else:
            i += 1

    # Runs: the same character, or steps of +1 / -1 through letters or digits.
    i = 0
    while i < n - 2:
        step = ord(lowered[i + 1]) - ord(lowered[i])
        same_kind = lowered[i].isdigit() == lowered[i + 1].isdigit()
        if step in (-1, 0, 1) and same_kind and lowered[i].isalnum():
            end = i + 2
            while (
                end < n
                and ord(lowered[end]) - ord(lowered[end - 1]) == step
                and lowered[end].isdigit() == lowered[i].isdigit()
            ):
                end += 1
            if end - i >= 3:
                _mark(spans, i, end, "repeat" if step == 0 else "sequence")
                i = end
                continue
        i += 1

    # Common words, also with digits/symbols standing in for letters.
    unleet = lowered.translate(_LEET)
    for word in _COMMON_WORDS:
        for haystack in (lowered, unleet):
            start = haystack.find(word)
            while start != -1:
                _mark(spans, start, start + len(word), "word")
                start = haystack.find(word, start + 1)

    for match in _YEAR.finditer(text):
        _mark(spans, match.start(), match.end(), "year")

    # The whole password is one chunk said several times ("abcabc", "passpass").
    for size in range(2, n // 2 + 1):
        if n % size == 0 and lowered == lowered[:size] * (n // size):
            _mark(spans, size, n, "repeat")
            break
    return spans


def _is_common_password(text: str) -> bool:
    """A leaked-list favourite, maybe dressed up with a capital, digits or "!" at the ends."""
    lowered = text.lower()
    if lowered in _COMMON_PASSWORDS:
        return True
    core = lowered.strip("0123456789!@#$%^&*?.,_-+ ")
    return bool(core) and (core in _COMMON_PASSWORDS or core.translate(_LEET) in _COMMON_PASSWORDS)


_HINTS = {
    "walk": 'Avoid keyboard patterns such as "qwerty" or "1qaz".',
    "sequence": 'Avoid sequences such as "abc" or "123".',
    "repeat": "Avoid repeated characters or repeating the same part.",
    "word": "Avoid common words and names, even with letters swapped for digits.",
    "year": "Avoid years and dates: they are among the first things tried.",
}
_HINT_ORDER = ("walk", "sequence", "repeat", "word", "year")


def estimate_password_strength(text: str) -> tuple[int, str]:
    """Score 0..4 (see STRENGTH_LABELS) and one plain-words hint on how to improve it."""
    if len(text) < MIN_LENGTH:
        return 0, (
            f"Use at least {MIN_LENGTH} characters. A short sentence of unrelated words is "
            "easy to remember and hard to guess."
        )
    if _is_common_password(text):
        return 1, "This is one of the most common passwords. Choose something nobody would guess."

    spans = _find_predictable(text)
    # Each predictable stretch is worth about two random characters, however long it is.
    cost = [1.0] * len(text)
    for start, end, _kind in sorted(spans, key=lambda s: s[1] - s[0], reverse=True):
        if all(c == 1.0 for c in cost[start:end]):
            for index in range(start, end):
                cost[index] = 0.0
            cost[start] = 2.0 if end - start > 2 else float(end - start)
    effective_length = sum(cost)
    bits = effective_length * math.log2(_character_pool(text))
    if all((c.isalpha() and c.islower()) or c == " " for c in text):
        bits *= 0.6  # lower-case words: far more guessable than random letters

    if bits < 35:
        score = 1
    elif bits < 55:
        score = 2
    elif bits < 75:
        score = 3
    else:
        score = 4
    if len(text) < 10:
        score = min(score, 2)
    elif len(text) < 12:
        score = min(score, 3)

    kinds = {kind for _s, _e, kind in spans}
    for kind in _HINT_ORDER:
        if kind in kinds and score < 4:
            return score, _HINTS[kind]
    if score >= 4:
        return score, "Good: long and hard to guess."
    if text.isalpha() or all(c.isalpha() or c == " " for c in text):
        return score, "Make it longer with another unrelated word, or mix in digits or symbols."
    return score, "Make it longer: a few more characters or another unrelated word."


class _StrengthBar(QWidget):
    """Four segments filled according to the score, coloured weak (red) to strong (green)."""

    SEGMENTS = 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._score = 0
        self.setAccessibleName("Password strength bar")
        self.setMinimumHeight(6)
        self.setFixedHeight(6)

    def set_score(self, score: int) -> None:
        self._score = max(0, min(score, self.SEGMENTS))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(160, 6)

    def paintEvent(self, event: QPaintEvent) -> None:
        colors = current_colors()
        fill = QColor(colors.strength[max(self._score - 1, 0)])
        track = QColor(colors.track)
        gap = 4.0
        width = (self.width() - gap * (self.SEGMENTS - 1)) / self.SEGMENTS
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        for segment in range(self.SEGMENTS):
            painter.setBrush(fill if segment < self._score else track)
            rect = QRectF(segment * (width + gap), 0, width, self.height())
            painter.drawRoundedRect(rect, 3, 3)
        painter.end()


class PasswordStrengthMeter(QWidget):
    """Bar, verdict ("Fair") and a hint; follows a QLineEdit when attached to one."""

    strength_changed = Signal(int)

    def __init__(self, line_edit: QLineEdit | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Password strength")
        self._score = 0
        self._bar = _StrengthBar(self)
        self._verdict = QLabel(self)
        self._verdict.setAccessibleName("Password strength verdict")
        self._verdict.setTextFormat(Qt.TextFormat.PlainText)
        self._verdict.setMinimumWidth(self._verdict.fontMetrics().horizontalAdvance("Very strong"))
        self._verdict.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        font = self._verdict.font()
        font.setBold(True)
        self._verdict.setFont(font)
        self._hint = QLabel(self)
        self._hint.setAccessibleName("Password advice")
        self._hint.setTextFormat(Qt.TextFormat.PlainText)
        self._hint.setWordWrap(True)
        set_style_role(self._hint, "muted")

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.setSpacing(10)
        top.addWidget(self._bar, 1, Qt.AlignmentFlag.AlignVCenter)
        top.addWidget(self._verdict)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self._hint)

        self.set_password("")
        if line_edit is not None:
            self.attach(line_edit)

    def attach(self, line_edit: QLineEdit) -> None:
        """Re-evaluate on every keystroke in ``line_edit``."""
        line_edit.textChanged.connect(self.set_password)
        self.set_password(line_edit.text())

    def set_password(self, text: str) -> None:
        score, hint = estimate_password_strength(text)
        verdict = STRENGTH_LABELS[score] if text else ""
        self._bar.set_score(score if text else 0)
        self._verdict.setText(verdict)
        self._verdict.setForegroundRole(QPalette.ColorRole.WindowText)
        self._hint.setText(hint)
        self.setAccessibleDescription(f"{verdict}. {hint}" if verdict else hint)
        if score != self._score:
            self._score = score
            self.strength_changed.emit(score)

    def score(self) -> int:
        return self._score

    def verdict_text(self) -> str:
        return self._verdict.text()

    def hint_text(self) -> str:
        return self._hint.text()
