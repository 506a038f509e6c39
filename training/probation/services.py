"""Gathering a trainee's evidence, the typing test, and recording probation decisions."""

from __future__ import annotations

import logging
import random
import secrets
from datetime import date

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from training.accounts.models import User
from training.clock import today, utcnow
from training.core.security import log_safe
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, release_by_id
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.queries import QuizResults, evidence_of, last_activities
from training.probation.typing_test import score_typing
from training.quizzes.queries import QuizSummary

log = logging.getLogger(__name__)


class DecisionRefused(ValueError):
    """A decision the rules do not allow; the message key says why."""


class DecisionConflict(DecisionRefused):
    """Someone else recorded a decision on this trainee since the form was shown."""


def latest_decision(trainee_id: int) -> ProbationDecision | None:
    """The most recent decision on a trainee."""
    query = select(ProbationDecision).filter_by(trainee_id=trainee_id)
    return db.session.scalar(query.order_by(ProbationDecision.id.desc()).limit(1))


# Built once: the supervisor's trainee page reads it on every view.
_DECISIONS_OF = (
    select(ProbationDecision)
    .where(ProbationDecision.trainee_id == bindparam("trainee_id"))
    .options(joinedload(ProbationDecision.decided_by))
    .order_by(ProbationDecision.id.desc())
)


def decisions_of(trainee_id: int) -> list[ProbationDecision]:
    """Every decision on a trainee, newest first, with who decided (the audit trail)."""
    return list(db.session.scalars(_DECISIONS_OF, {"trainee_id": trainee_id}))


def gather_evidence(
    trainee: User,
    live: LiveRelease,
    path: PathState | None = None,
    quizzes: QuizSummary | None = None,
) -> rules.Evidence:
    """Everything the policy looks at, for one trainee: the cohort's batch read, for one."""
    # The trainee's home page has already laid out the path and summed up the quizzes; reuse
    # them rather than query again.
    done = {trainee.id: sum(m.done for m in path.modules)} if path else None
    results = None
    if quizzes is not None:
        bank = live.release.quizzes
        results = {
            trainee.id: QuizResults(
                passed=len(quizzes.passed & bank.quizzes.keys()),
                exam_best=quizzes.best.get(bank.exam.slug) if bank.exam else None,
                failing=False,  # a console flag: the policy does not read it
            )
        }
    return evidence_of([trainee], live, lessons_done=done, quizzes=results)[trainee.id]


def readiness_of(
    trainee: User,
    live: LiveRelease,
    on: date | None = None,
    path: PathState | None = None,
    quizzes: QuizSummary | None = None,
) -> rules.Readiness:
    """The trainee's readiness under the live release's policy."""
    evidence = gather_evidence(trainee, live, path, quizzes)
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
    override: bool = False,
    seen_sequence: int | None = None,
) -> ProbationDecision:
    """Record a supervisor's decision with the evidence behind it (one transaction).

    Confirming needs a trainee who is ready, or an explicit ``override`` (the reason says why);
    extending needs a later end date; once decided, only the reversal fits (revoke a
    confirmation, confirm after a fail or a revocation); nobody decides on themselves. With
    ``seen_sequence`` (the decision form's), a decision recorded since that form was shown
    makes this one a conflict: nothing is written. The entry is also written to the log.
    """
    if decided_by.id == trainee.id:
        raise DecisionRefused("self")
    if not reason.strip():
        raise DecisionRefused("reason")
    _lock(trainee)
    try:
        sequence = current_sequence(trainee.id)
        if seen_sequence is not None and seen_sequence != sequence:
            raise DecisionConflict("conflict")
        current = readiness_of(trainee, live)
        _check(current, trainee, outcome, new_end, override)
    except DecisionRefused:
        db.session.rollback()
        raise
    decision = ProbationDecision(
        trainee_id=trainee.id,
        sequence=sequence + 1,
        decided_by_id=decided_by.id,
        previous_state=_state_before(current),
        outcome=outcome,
        override=outcome == rules.CONFIRMED and not current.confirmable,
        reason=reason.strip()[:2000],
        previous_end=trainee.probation_end,
        new_end=new_end if outcome == rules.EXTENDED else None,
        evidence=_snapshot(current),
        verification_code=_verification_code() if outcome == rules.CONFIRMED else None,
        decided_at=utcnow(),
    )
    if outcome == rules.EXTENDED:
        trainee.probation_end = new_end
    db.session.add(decision)
    try:
        db.session.commit()
    except IntegrityError as clash:
        db.session.rollback()
        taken = select(ProbationDecision.id).filter_by(trainee_id=trainee.id, sequence=sequence + 1)
        if db.session.scalar(taken) is not None:
            # Another decision took this sequence number first (where no lock held it back).
            raise DecisionConflict("conflict") from clash
        raise
    except Exception:
        db.session.rollback()
        raise
    _log_decision(decision, trainee, decided_by)
    return decision


def current_sequence(trainee_id: int) -> int:
    """The sequence number of the trainee's latest decision (0 before the first)."""
    query = select(func.max(ProbationDecision.sequence)).filter_by(trainee_id=trainee_id)
    return db.session.scalar(query) or 0


def _lock(trainee: User) -> None:
    """Hold the trainee's row (PostgreSQL; the whole database on SQLite) until the transaction
    ends, then read it afresh: two decisions sent at once (a double click, two supervisors) are
    judged one after the other, so the second sees the first."""
    table = User.__table__
    db.session.execute(
        update(table).where(table.c.id == trainee.id).values(probation_end=table.c.probation_end)
    )
    db.session.refresh(trainee)


def _check(
    current: rules.Readiness, trainee: User, outcome: str, new_end: date | None, override: bool
) -> None:
    if outcome not in rules.OUTCOMES:
        raise DecisionRefused("outcome")
    if current.state == rules.DECIDED:
        if rules.REVERSALS.get(current.decision.outcome) != outcome:
            raise DecisionRefused("decided")
    elif outcome == rules.REVOKED:
        raise DecisionRefused("nothing_to_revoke")
    if outcome == rules.CONFIRMED and not current.confirmable and not override:
        raise DecisionRefused("not_ready")
    if outcome == rules.EXTENDED and (new_end is None or new_end <= today()):
        raise DecisionRefused("new_end")
    if outcome == rules.EXTENDED and trainee.probation_end and new_end <= trainee.probation_end:
        # Moving the end earlier (or not at all) is no extension, yet would be recorded as one.
        raise DecisionRefused("not_later")


def _state_before(readiness: rules.Readiness) -> str:
    """The probation's state as the audit log names it: the final outcome once decided."""
    if readiness.state == rules.DECIDED:
        return readiness.decision.outcome
    return readiness.state


def _snapshot(readiness: rules.Readiness) -> dict:
    return {
        "state": readiness.state,
        "unmet": list(readiness.unmet),
        "minimum_days_reached": readiness.minimum_days_reached,
        "criteria": [
            {"key": c.key, "state": c.state, "progress": c.progress, "detail": dict(c.detail)}
            for c in readiness.criteria
        ],
    }


def _verification_code() -> str:
    """A certificate's public code: 16 random bytes, about 2**128 possibilities."""
    return secrets.token_urlsafe(16)


def _log_decision(decision: ProbationDecision, trainee: User, decided_by: User) -> None:
    """One line per decision in the application log; the reason cannot add lines of its own."""
    log.info(
        "probation decision %s: trainee=%s by=%s %s -> %s override=%s reason=%s",
        decision.id,
        trainee.id,
        decided_by.id,
        decision.previous_state,
        decision.outcome,
        decision.override,
        log_safe(decision.reason),
    )


def last_activity(user_id: int):
    """When the trainee last did anything we record (lesson, quiz, conversation, typing)."""
    return last_activities([user_id]).get(user_id)
