"""Gathering a trainee's evidence, the typing test, and recording probation decisions."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select, update

from training.accounts.models import User
from training.clock import today, utcnow
from training.curriculum.models import LessonProgress
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, path_for, release_by_id
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.typing_test import score_typing
from training.quizzes.models import QuizAttempt
from training.quizzes.queries import best_scores, passed_quizzes
from training.roleplay.live_queries import live_roleplay_best_of
from training.roleplay.models import ASSESSED, Conversation


class DecisionRefused(ValueError):
    """A decision the rules do not allow; the message key says why."""


def latest_decision(trainee_id: int) -> ProbationDecision | None:
    """The most recent decision on a trainee."""
    query = select(ProbationDecision).filter_by(trainee_id=trainee_id)
    return db.session.scalar(query.order_by(ProbationDecision.id.desc()).limit(1))


def decisions_of(trainee_id: int) -> list[ProbationDecision]:
    """Every decision on a trainee, newest first (the audit trail)."""
    query = select(ProbationDecision).filter_by(trainee_id=trainee_id)
    return list(db.session.scalars(query.order_by(ProbationDecision.id.desc())))


def _scenario_results(user_id: int) -> dict[str, rules.ScenarioResult]:
    rows = db.session.scalars(
        select(Conversation)
        .filter(
            Conversation.user_id == user_id,
            Conversation.mode == ASSESSED,
            Conversation.finished_at.is_not(None),
        )
        .order_by(Conversation.finished_at)
    )
    results: dict[str, rules.ScenarioResult] = {}
    for conversation in rows:
        earlier = results.get(conversation.scenario_slug)
        results[conversation.scenario_slug] = rules.ScenarioResult(
            best_score=max(conversation.score or 0.0, earlier.best_score if earlier else 0.0),
            passed=bool(conversation.passed) or bool(earlier and earlier.passed),
            fatal=conversation.fatal,  # rows come oldest first, so the latest run wins
        )
    return results


def _typing_best(user_id: int) -> rules.TypingScore | None:
    attempts = db.session.scalars(
        select(TypingAttempt).filter(
            TypingAttempt.user_id == user_id, TypingAttempt.submitted_at.is_not(None)
        )
    ).all()
    if not attempts:
        return None
    best = max(attempts, key=lambda a: (bool(a.passed), a.chars_per_minute or 0.0))
    return rules.TypingScore(best.chars_per_minute or 0.0, best.accuracy or 0.0)


def gather_evidence(
    trainee: User, live: LiveRelease, path: PathState | None = None
) -> rules.Evidence:
    """Everything the policy looks at, for one trainee, from the live release and the records."""
    # The trainee's home page has already laid out the path; reuse it rather than query again.
    path = path or path_for(trainee.id, live)
    bank = live.release.quizzes
    passed = passed_quizzes(trainee.id)
    exam_slug = bank.exam.slug if bank.exam else None
    decision = latest_decision(trainee.id)
    return rules.Evidence(
        hire_date=trainee.hire_date,
        probation_end=trainee.probation_end,
        lessons_total=sum(m.total for m in path.modules),
        lessons_done=sum(m.done for m in path.modules),
        quizzes_total=len(bank.quizzes),
        quizzes_passed=len(set(bank.quizzes) & passed),
        exam_best=best_scores(trainee.id).get(exam_slug) if exam_slug else None,
        required_scenarios=tuple(s.slug for s in live.release.scenarios.values() if s.required),
        scenario_results=_scenario_results(trainee.id),
        typing_best=_typing_best(trainee.id),
        live_roleplay_best=live_roleplay_best_of([trainee.id]).get(trainee.id),
        live_roleplay_available=True,
        decision=rules.Decision(decision.outcome, decision.decided_at.date()) if decision else None,
    )


def readiness_of(
    trainee: User, live: LiveRelease, on: date | None = None, path: PathState | None = None
) -> rules.Readiness:
    """The trainee's readiness under the live release's policy."""
    evidence = gather_evidence(trainee, live, path)
    return rules.readiness(live.release.probation, evidence, on or today())


def start_typing(*, user_id: int, live: LiveRelease, lang: str) -> TypingAttempt:
    """A typing test on a random passage of the policy in the chosen language."""
    passages = live.release.probation.typing.passages_in(lang)
    attempt = TypingAttempt(
        user_id=user_id,
        release_id=live.id,
        passage_id=random.choice(passages).id,
        lang=lang,
        started_at=utcnow(),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def passage_of(attempt: TypingAttempt):
    """The passage a typing attempt was given."""
    return release_by_id(attempt.release_id).release.probation.typing.passage(attempt.passage_id)


def submit_typing(*, attempt: TypingAttempt, typed: str, now=None) -> TypingAttempt:
    """Score a typing test once, timed from when the passage was shown."""
    if attempt.submitted_at is not None:
        return attempt
    now = now or utcnow()
    live = release_by_id(attempt.release_id)
    # Typing after the time is up earns nothing extra: the whole time taken counts. (Capping it
    # at the limit would credit text typed after the limit as if typed within it.)
    seconds = (now - attempt.started_at).total_seconds()
    result = score_typing(passage_of(attempt).text, typed, seconds, attempt.lang)
    criterion = live.release.probation.criterion("typing")
    attempt.submitted_at = now
    attempt.typed = typed[:5000]
    attempt.chars_per_minute = round(result.chars_per_minute, 1)
    attempt.accuracy = round(result.accuracy_percent, 1)
    attempt.passed = result.passed(criterion) if criterion else None
    db.session.commit()
    return attempt


def record_decision(
    *,
    trainee: User,
    decided_by: User,
    outcome: str,
    reason: str,
    live: LiveRelease,
    new_end: date | None = None,
) -> ProbationDecision:
    """Record a supervisor's decision with the evidence behind it (one transaction).

    Confirming needs a trainee who is ready; extending needs a later end date; a trainee
    already confirmed or failed takes no further decision; nobody decides on themselves.
    """
    if decided_by.id == trainee.id:
        raise DecisionRefused("self")
    if not reason.strip():
        raise DecisionRefused("reason")
    _lock(trainee)
    try:
        current = readiness_of(trainee, live)
        _check(current, trainee, outcome, new_end)
    except DecisionRefused:
        db.session.rollback()
        raise
    decision = ProbationDecision(
        trainee_id=trainee.id,
        decided_by_id=decided_by.id,
        outcome=outcome,
        reason=reason.strip()[:2000],
        previous_end=trainee.probation_end,
        new_end=new_end if outcome == rules.EXTENDED else None,
        evidence=_snapshot(current),
    )
    if outcome == rules.EXTENDED:
        trainee.probation_end = new_end
    db.session.add(decision)
    db.session.commit()
    return decision


def _lock(trainee: User) -> None:
    """Hold the trainee's row (PostgreSQL; the whole database on SQLite) until the transaction
    ends, then read it afresh: two decisions sent at once (a double click, two supervisors) are
    judged one after the other, so the second sees the first."""
    table = User.__table__
    db.session.execute(
        update(table).where(table.c.id == trainee.id).values(probation_end=table.c.probation_end)
    )
    db.session.refresh(trainee)


def _check(current: rules.Readiness, trainee: User, outcome: str, new_end: date | None) -> None:
    if current.state == rules.DECIDED:
        raise DecisionRefused("decided")
    if outcome == rules.CONFIRMED and current.state != rules.READY:
        raise DecisionRefused("not_ready")
    if outcome == rules.EXTENDED and (new_end is None or new_end <= today()):
        raise DecisionRefused("new_end")
    if outcome == rules.EXTENDED and trainee.probation_end and new_end <= trainee.probation_end:
        # Moving the end earlier (or not at all) is no extension, yet would be recorded as one.
        raise DecisionRefused("not_later")
    if outcome not in rules.OUTCOMES:
        raise DecisionRefused("outcome")


def _snapshot(readiness: rules.Readiness) -> dict:
    return {
        "state": readiness.state,
        "criteria": [
            {"key": c.key, "state": c.state, "progress": c.progress, "detail": dict(c.detail)}
            for c in readiness.criteria
        ],
    }


def last_activity(user_id: int):
    """When the trainee last did anything we record (lesson, quiz, conversation, typing)."""
    candidates = [
        db.session.scalar(
            select(func.max(LessonProgress.last_opened_at)).filter_by(user_id=user_id)
        ),
        db.session.scalar(select(func.max(QuizAttempt.started_at)).filter_by(user_id=user_id)),
        db.session.scalar(select(func.max(Conversation.started_at)).filter_by(user_id=user_id)),
        db.session.scalar(select(func.max(TypingAttempt.started_at)).filter_by(user_id=user_id)),
    ]
    found = [c for c in candidates if c]
    return max(found) if found else None
