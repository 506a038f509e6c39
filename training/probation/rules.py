"""Decide how far a trainee is from confirmation (转正) under the probation policy.

Pure: the app gathers the evidence as plain values (``Evidence``) and ``readiness`` turns it into
one status per criterion plus an overall state. The supervisor still decides; this only tells
them (and the trainee) whether everything the policy asks for is in place.

A criterion is ``met``, ``not_met`` or ``pending``. Pending means it cannot be judged because the
feature that produces its evidence is not available yet (today only the live role-play), so it
does not block readiness: nobody can be held back by a test that cannot be taken. Once the
feature is available, a missing or too-low result is ``not_met`` and does block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .schema import (
    Criterion,
    FinalExamCriterion,
    LessonsCriterion,
    LiveRoleplayCriterion,
    ModuleQuizzesCriterion,
    Policy,
    ScenariosCriterion,
    TypingCriterion,
)

MET, NOT_MET, PENDING = "met", "not_met", "pending"
CRITERION_STATES = (MET, NOT_MET, PENDING)
DECIDED, READY, OVERDUE, IN_PROGRESS = "decided", "ready", "overdue", "in_progress"
READINESS_STATES = (DECIDED, READY, OVERDUE, IN_PROGRESS)
CONFIRMED, EXTENDED, FAILED, REVOKED = "confirmed", "extended", "failed", "revoked"
OUTCOMES = (CONFIRMED, EXTENDED, FAILED, REVOKED)
# Outcomes that end probation. An extension does not: the trainee carries on towards the new
# probation_end (which the app stores), and can become ready or overdue again. A revocation
# withdraws a confirmation; like a fail, only a new confirmation reverses it.
FINAL_OUTCOMES = (CONFIRMED, FAILED, REVOKED)
# Once decided, the one decision that may follow each final outcome (a reversal).
REVERSALS = {CONFIRMED: REVOKED, FAILED: CONFIRMED, REVOKED: CONFIRMED}
# Progress of an unmet criterion stays below 1, so only a met criterion shows a full bar.
_BELOW_ONE = 0.999


@dataclass(frozen=True)
class ScenarioResult:
    """A trainee's assessed-mode record in one scenario (practice runs never count)."""

    best_score: float  # best assessed score, percent
    passed: bool  # some assessed run reached the scenario's own pass mark
    # The most recent assessed run broke a fatal rule (off-platform, data leak, rude). Only the
    # latest counts: a mistake followed by a clean run is learnt from, one left standing is not.
    fatal: bool = False


@dataclass(frozen=True)
class TypingScore:
    """The typing attempt the app chose as the trainee's best (passing if any, else fastest)."""

    chars_per_minute: float
    accuracy: float  # percent


@dataclass(frozen=True)
class Decision:
    """A supervisor's recorded decision about a trainee's probation."""

    outcome: str  # confirmed | extended | failed | revoked
    decided_on: date

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, not {self.outcome!r}")

    @property
    def final(self) -> bool:
        """Tell whether this decision ends probation (an extension does not)."""
        return self.outcome in FINAL_OUTCOMES


@dataclass(frozen=True)
class Evidence:
    """Everything the rules look at, gathered by the app for one trainee as plain values."""

    hire_date: date | None
    probation_end: date | None
    lessons_total: int = 0
    lessons_done: int = 0
    quizzes_total: int = 0
    quizzes_passed: int = 0
    exam_best: float | None = None  # best final-exam score, percent; None = never taken
    required_scenarios: tuple[str, ...] = ()  # slugs of the scenarios marked required
    # slug -> assessed record; scenarios never assessed are simply absent.
    scenario_results: Mapping[str, ScenarioResult] = field(default_factory=dict, hash=False)
    typing_best: TypingScore | None = None
    live_roleplay_best: float | None = None  # percent; None = no supervised session scored
    live_roleplay_available: bool = False  # the live role-play feature exists in this install
    decision: Decision | None = None  # the latest decision, if any

    def __post_init__(self) -> None:
        for name in ("lessons_total", "lessons_done", "quizzes_total", "quizzes_passed"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True)
class CriterionStatus:
    """Where a trainee stands on one criterion; ``detail`` holds plain values for the UI."""

    key: str
    state: str  # met | not_met | pending
    progress: float  # 0..1; 1 exactly when met
    detail: Mapping[str, Any] = field(hash=False)


@dataclass(frozen=True)
class Readiness:
    """The overall picture: every criterion in policy order, the state and what to do next."""

    state: str  # decided | ready | overdue | in_progress
    criteria: tuple[CriterionStatus, ...]
    # Days until probation_end (0 on the day, negative once it has passed); None without one.
    days_left: int | None
    # Key of the first criterion not met, in policy order; None when nothing is missing.
    next_step: str | None
    # hire_date + minimum_days; None when the hire date is unknown.
    earliest_confirmation: date | None
    minimum_days_reached: bool
    overdue: bool  # probation_end has passed without a final decision (also when ready)
    decision: Decision | None

    @property
    def unmet(self) -> tuple[str, ...]:
        """Keys of the criteria not met, in policy order (pending ones do not count)."""
        return tuple(status.key for status in self.criteria if status.state == NOT_MET)

    @property
    def confirmable(self) -> bool:
        """Whether the evidence alone allows confirmation, decided or not: nothing unmet and
        the minimum days passed. Confirming otherwise is an override."""
        return not self.unmet and self.minimum_days_reached

    def status(self, key: str) -> CriterionStatus | None:
        """Return the status of criterion ``key``, or None when the policy does not require it."""
        return next((status for status in self.criteria if status.key == key), None)


def readiness(policy: Policy, evidence: Evidence, today: date) -> Readiness:
    """Judge ``evidence`` against ``policy`` on ``today``: criterion statuses and overall state.

    The state is ``decided`` when a final decision (confirmed or failed) exists; else ``ready``
    when no criterion is ``not_met`` and minimum_days have passed since hiring; else ``overdue``
    when probation_end has passed; else ``in_progress``. Ready wins over overdue because the
    supervisor's next action is then to confirm; ``overdue`` is still set on the result.
    """
    statuses = tuple(_judge(criterion, evidence) for criterion in policy.criteria)
    if evidence.hire_date is None:
        earliest = None
        # Without a hire date only a zero minimum can be known to have passed.
        reached = policy.minimum_days == 0
    else:
        earliest = evidence.hire_date + timedelta(days=policy.minimum_days)
        reached = today >= earliest
    end = evidence.probation_end
    days_left = (end - today).days if end is not None else None
    decision = evidence.decision
    final = decision is not None and decision.final
    overdue = not final and end is not None and today > end
    next_step = next((status.key for status in statuses if status.state == NOT_MET), None)
    if final:
        state = DECIDED
    elif next_step is None and reached:
        state = READY
    elif overdue:
        state = OVERDUE
    else:
        state = IN_PROGRESS
    return Readiness(
        state=state,
        criteria=statuses,
        days_left=days_left,
        next_step=next_step,
        earliest_confirmation=earliest,
        minimum_days_reached=reached,
        overdue=overdue,
        decision=decision,
    )


# --------------------------------------------------------------------------- one criterion


def _judge(criterion: Criterion, evidence: Evidence) -> CriterionStatus:
    if isinstance(criterion, LessonsCriterion):
        return _count(
            criterion.key, evidence.lessons_done, evidence.lessons_total, done_name="done"
        )
    if isinstance(criterion, ModuleQuizzesCriterion):
        return _count(
            criterion.key, evidence.quizzes_passed, evidence.quizzes_total, done_name="passed"
        )
    if isinstance(criterion, FinalExamCriterion):
        return _score(criterion.key, evidence.exam_best, criterion.min_score)
    if isinstance(criterion, ScenariosCriterion):
        return _scenarios(criterion, evidence)
    if isinstance(criterion, TypingCriterion):
        return _typing(criterion, evidence.typing_best)
    if isinstance(criterion, LiveRoleplayCriterion):
        status = _score(criterion.key, evidence.live_roleplay_best, criterion.min_score)
        detail = {**status.detail, "available": evidence.live_roleplay_available}
        if status.state == NOT_MET and not evidence.live_roleplay_available:
            # It cannot be taken (or retaken) here, so it cannot be held against anyone.
            return CriterionStatus(status.key, PENDING, status.progress, detail)
        return CriterionStatus(status.key, status.state, status.progress, detail)
    raise TypeError(f"unknown criterion {criterion!r}")


def _count(key: str, done: int, total: int, *, done_name: str) -> CriterionStatus:
    # Completions of lessons or quizzes a newer release dropped may still be counted by the
    # app; they cannot make more than everything done.
    done = min(done, total)
    progress = done / total if total else 1.0
    state = MET if done >= total else NOT_MET
    return CriterionStatus(key, state, progress, {done_name: done, "total": total})


def _score(key: str, best: float | None, min_score: int) -> CriterionStatus:
    detail = {"best": best, "min_score": min_score}
    if best is None:
        return CriterionStatus(key, NOT_MET, 0.0, detail)
    if best >= min_score:
        return CriterionStatus(key, MET, 1.0, detail)
    return CriterionStatus(key, NOT_MET, _ratio(best, min_score), detail)


def _scenarios(criterion: ScenariosCriterion, evidence: Evidence) -> CriterionStatus:
    required = evidence.required_scenarios
    results = evidence.scenario_results
    best_scores = []  # of the required scenarios assessed so far
    todo = []  # required scenarios that do not count yet
    fatal = 0
    # One pass: this runs for every trainee of a cohort each time the console is shown.
    for slug in required:
        result = results.get(slug)
        if result is None:
            todo.append(slug)
            continue
        best_scores.append(result.best_score)
        fatal += 1 if result.fatal else 0
        if not result.passed or (criterion.no_fatal and result.fatal):
            todo.append(slug)
    todo = tuple(todo)
    passed = len(required) - len(todo)
    # The mean of the best scores of the required scenarios assessed so far; the rule that all
    # of them must pass already covers the ones not yet tried.
    average = sum(best_scores) / len(best_scores) if best_scores else None
    # With no required scenarios there is nothing to average, so only a real average can fail.
    average_ok = (
        criterion.average_at_least == 0
        or not required
        or (average is not None and average >= criterion.average_at_least)
    )
    met = not todo and average_ok
    if met:
        progress = 1.0
    else:
        shares = [passed / len(required) if required else 1.0]
        if criterion.average_at_least:
            shares.append(_ratio(average or 0.0, criterion.average_at_least))
        # The weakest part decides, so the bar never looks full while something is missing.
        progress = min(min(shares), _BELOW_ONE)
    detail = {
        "passed": passed,
        "total": len(required),
        "average": average,
        "average_at_least": criterion.average_at_least,
        "fatal": fatal,
        "todo": todo,
    }
    return CriterionStatus(criterion.key, MET if met else NOT_MET, progress, detail)


def typing_meets(criterion: TypingCriterion, score: TypingScore) -> bool:
    """Tell whether a typing result reaches both the speed and the accuracy the policy asks."""
    return (
        score.chars_per_minute >= criterion.chars_per_minute
        and score.accuracy >= criterion.accuracy
    )


def _typing(criterion: TypingCriterion, best: TypingScore | None) -> CriterionStatus:
    detail = {
        "chars_per_minute": best.chars_per_minute if best else None,
        "accuracy": best.accuracy if best else None,
        "min_chars_per_minute": criterion.chars_per_minute,
        "min_accuracy": criterion.accuracy,
    }
    if best is None:
        return CriterionStatus(criterion.key, NOT_MET, 0.0, detail)
    if typing_meets(criterion, best):
        return CriterionStatus(criterion.key, MET, 1.0, detail)
    progress = min(
        _ratio(best.chars_per_minute, criterion.chars_per_minute),
        _ratio(best.accuracy, criterion.accuracy),
    )
    return CriterionStatus(criterion.key, NOT_MET, progress, detail)


def _ratio(value: float, target: float) -> float:
    """Return value / target clamped to 0.._BELOW_ONE."""
    return max(0.0, min(value / target, _BELOW_ONE))
