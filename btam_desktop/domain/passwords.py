"""How guessable a password is, in plain words, and the one password policy of the program.

The estimator is deliberately simple and conservative: it counts characters and character kinds,
then discounts what attackers try first: the most common passwords, common words with letters
swapped for digits, keyboard walks ("qwerty", "1qaz"), sequences ("abcd", "4321"), repeats
("aaaa", "abcabc") and years. :func:`password_problem` is the policy: the vault refuses every
new password it objects to, whichever way the password arrives (setup, Add member, a reset with
the recovery key, the command line).
"""

from __future__ import annotations

import math
import re
from functools import cache

STRENGTH_LABELS = ("Too short", "Weak", "Fair", "Strong", "Very strong")
MIN_LENGTH = 10

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


MIN_SCORE = 2  # "Fair" or better


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, in words a person can act on; None when it may."""
    score, hint = estimate_password_strength(password)
    if len(password) < MIN_LENGTH:
        return hint
    if score < MIN_SCORE:
        return f"This password is too easy to guess. {hint}"
    return None
