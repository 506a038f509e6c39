"""Attempt rules: when a trainee may start an attempt and when the answer key is shown.

Pure: takes the quiz settings, the trainee's past attempts and the time, returns decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from training.quizzes.schema import QuizSettings


@dataclass(frozen=True)
class PastAttempt:
    """What the rules need to know of an earlier assessed attempt."""

    submitted_at: datetime
    passed: bool


@dataclass(frozen=True)
class StartDecision:
    """Whether a new assessed attempt may start; if not, why and from when."""

    allowed: bool
    reason: str = ""  # "no_attempts_left" | "wait" | ""
    available_at: datetime | None = None
    attempts_left: int | None = None  # None = unlimited


def attempts_left(settings: QuizSettings, taken: int) -> int | None:
    """Assessed attempts still allowed after ``taken`` submitted ones, or None when unlimited."""
    if not settings.max_attempts:
        return None
    return max(0, settings.max_attempts - taken)


def may_start(settings: QuizSettings, past: list[PastAttempt], now: datetime) -> StartDecision:
    """Apply the attempt limit and the wait after a failed attempt."""
    left = attempts_left(settings, len(past))
    if left == 0:
        return StartDecision(False, "no_attempts_left", attempts_left=0)
    last = max(past, key=lambda attempt: attempt.submitted_at, default=None)
    if last is not None and not last.passed and settings.retake_delay_minutes:
        available = last.submitted_at + timedelta(minutes=settings.retake_delay_minutes)
        if now < available:
            return StartDecision(False, "wait", available, left)
    return StartDecision(True, attempts_left=left)


def deadline(settings: QuizSettings, started_at: datetime) -> datetime | None:
    """When an attempt started now must be submitted (None: no time limit)."""
    if not settings.time_limit_minutes:
        return None
    return started_at + timedelta(minutes=settings.time_limit_minutes)


def shows_key(settings: QuizSettings, *, passed: bool, attempts_left: int | None) -> bool:
    """Whether the review may show the correct answers, so retakes stay meaningful."""
    policy = settings.review
    if policy == "always":
        return True
    if policy == "after_pass":
        return passed or attempts_left == 0
    if policy == "after_last_attempt":
        return attempts_left == 0
    return False
