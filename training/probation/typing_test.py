"""Score a typing test: speed and accuracy of copying a passage (000 ch.4: 50 characters a minute).

What counts is the text the trainee submitted, not keystrokes: for Chinese that is what the
input method committed, so typing pinyin and picking a character counts as one character, as
the manual's "50 a minute" means it. Characters are counted after Unicode NFKC folding (so a
full-width comma typed for a half-width one, or the other way round, is not an error):

- Chinese (``zh``): every character except whitespace. Spaces between Chinese characters are
  not typed in practice, so they neither count nor make an error.
- English (``en``): every character including spaces, with runs of whitespace (a double space,
  a trailing newline) counted as one space, as typing tests for alphabetic text do.

Accuracy compares the typed text with the passage character by character using difflib: the
characters in matching blocks are correct; the part of the passage the trainee attempted ends
where the typed text ends in that alignment. Accuracy is correct / max(attempted passage
characters, typed characters), so typing the first half without a mistake is 100% accurate
(but earns only half the speed), while skipped, extra or wrong characters all lower it.
Speed is correct characters per minute, so errors never raise it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from training.curriculum.schema import LANGS

from .schema import MAX_PLAUSIBLE_CPM, TypingCriterion

_WHITESPACE_RE = re.compile(r"\s+")
# More than this many times the passage is not an attempt at it (and would be slow to compare).
MAX_TYPED_RATIO = 2
MAX_TYPED_SLACK = 50


class TooFast(ValueError):
    """Typed faster than anyone can by hand: pasted, or a forged time."""


class TooLong(ValueError):
    """Far more text than the passage: not a copy of it."""


@dataclass(frozen=True)
class TypingResult:
    """The outcome of one typing test, in plain numbers the app stores and the page phrases."""

    chars_per_minute: float
    accuracy_percent: float
    correct_chars: int
    typed_chars: int
    passage_chars: int
    seconds: float

    @property
    def completed(self) -> float:
        """Return the share (0..1) of the passage typed correctly, for a progress bar."""
        return self.correct_chars / self.passage_chars if self.passage_chars else 0.0

    def passed(self, criterion: TypingCriterion) -> bool:
        """Tell whether this result meets both thresholds of the policy's typing criterion."""
        return (
            self.chars_per_minute >= criterion.chars_per_minute
            and self.accuracy_percent >= criterion.accuracy
        )


def normalise(text: str, lang: str) -> str:
    """Return ``text`` as the test compares it: NFKC-folded, whitespace handled per language."""
    _check_lang(lang)
    folded = unicodedata.normalize("NFKC", text)
    if lang == "zh":
        return _WHITESPACE_RE.sub("", folded)
    return _WHITESPACE_RE.sub(" ", folded).strip()


def count_chars(text: str, lang: str) -> int:
    """Count the characters of ``text`` the way the typing test does (see the module docstring)."""
    return len(normalise(text, lang))


def score_typing(passage: str, typed: str, seconds: float, lang: str) -> TypingResult:
    """Score ``typed`` as a copy of ``passage`` made in ``seconds``; ValueError if implausible.

    Refused: a time that is not a positive number, typing faster than MAX_PLAUSIBLE_CPM
    characters a minute (pasted, or a forged time) and text far longer than the passage.
    """
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise ValueError("seconds must be a number")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"seconds must be a positive number, not {seconds!r}")
    target = normalise(passage, lang)
    attempt = normalise(typed, lang)
    if not target:
        raise ValueError("the passage is empty")
    minutes = seconds / 60
    # Checked on what was typed, right or wrong: nobody types 500 characters a minute by hand.
    typed_per_minute = len(attempt) / minutes
    if typed_per_minute > MAX_PLAUSIBLE_CPM:
        raise TooFast(
            f"implausible typing speed: {typed_per_minute:.0f} characters a minute "
            f"(at most {MAX_PLAUSIBLE_CPM})"
        )
    if len(attempt) > MAX_TYPED_RATIO * len(target) + MAX_TYPED_SLACK:
        raise TooLong("the typed text is far longer than the passage")
    correct, attempted = _align(target, attempt)
    denominator = max(attempted, len(attempt))
    accuracy = 100 * correct / denominator if denominator else 0.0
    return TypingResult(
        chars_per_minute=correct / minutes,
        accuracy_percent=accuracy,
        correct_chars=correct,
        typed_chars=len(attempt),
        passage_chars=len(target),
        seconds=float(seconds),
    )


def _align(target: str, attempt: str) -> tuple[int, int]:
    """Return (matching characters, length of the passage prefix the attempt covers)."""
    if not attempt:
        return 0, 0
    # autojunk would treat frequent characters (spaces, "e", "的") in long texts as junk and
    # refuse to match them, which would punish correct typing.
    matcher = SequenceMatcher(None, target, attempt, autojunk=False)
    blocks = [block for block in matcher.get_matching_blocks() if block.size]
    correct = sum(block.size for block in blocks)
    if not blocks:
        # Nothing matches: the attempt covers as much of the passage as its own length.
        return 0, min(len(attempt), len(target))
    last = blocks[-1]
    # Typed characters after the last match are taken as attempts at the characters that follow
    # it in the passage (wrong ones), so trailing errors widen the attempted part.
    trailing = len(attempt) - (last.b + last.size)
    return correct, min(len(target), last.a + last.size + trailing)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
