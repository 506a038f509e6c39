"""Read-only aggregates for the supervisor's pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from training.clock import utcnow
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, live_release, path_for
from training.extensions import db
from training.probation import rules
from training.probation.services import decisions_of, last_activity, readiness_of
from training.quizzes.models import ASSESSED, QuizAttempt
from training.quizzes.services import weakest_topics_of
from training.roleplay.models import Conversation
from training.roleplay.queries import conversations_of

INACTIVE_DAYS = 3
REPEATED_FAILS = 3
ENDING_SOON_DAYS = 7


@dataclass(frozen=True)
class TraineeRecord:
    """What a supervisor sees of one trainee's work so far."""

    live: LiveRelease | None
    path: PathState | None
    attempts: list[QuizAttempt]
    weakest_topics: list[tuple[str, float, int]]
    readiness: rules.Readiness | None
    decisions: list
    conversations: list[Conversation]


def trainee_record(trainee) -> TraineeRecord:
    """Lessons, quiz attempts, conversations, weakest topics and readiness of a trainee."""
    user_id = trainee.id
    live = live_release()
    attempts = list(
        db.session.scalars(
            select(QuizAttempt).filter_by(user_id=user_id).order_by(QuizAttempt.started_at.desc())
        )
    )
    return TraineeRecord(
        live=live,
        path=path_for(user_id, live) if live else None,
        attempts=attempts,
        weakest_topics=weakest_topics_of(user_id=user_id, live=live)[:5] if live else [],
        readiness=readiness_of(trainee, live) if live else None,
        decisions=decisions_of(user_id),
        conversations=conversations_of(user_id),
    )


@dataclass(frozen=True)
class CohortRow:
    """One line of the supervisor's "my trainees" table."""

    trainee: object
    readiness: rules.Readiness | None  # None before any content is published
    areas: dict[str, float]  # criterion key -> progress 0..1
    last_activity: object
    flags: tuple[str, ...]


def _repeated_fails(user_id: int) -> bool:
    rows = db.session.execute(
        select(QuizAttempt.quiz_slug, db.func.count())
        .filter_by(user_id=user_id, mode=ASSESSED, passed=False)
        .group_by(QuizAttempt.quiz_slug)
    ).all()
    return any(count >= REPEATED_FAILS for _, count in rows)


def _inactive(trainee, activity: datetime | None, now: datetime) -> bool:
    if activity is not None:
        return (now - activity).days >= INACTIVE_DAYS
    # Nothing done yet: idle since hiring, so a trainee's first days are not flagged.
    return trainee.hire_date is None or (now.date() - trainee.hire_date).days >= INACTIVE_DAYS


def cohort_rows(trainees, live: LiveRelease | None) -> list[CohortRow]:
    """Readiness, progress per area, last activity and at-risk flags of each trainee."""
    now = utcnow()
    rows = []
    for trainee in trainees:
        readiness = readiness_of(trainee, live) if live else None
        if readiness is None:
            rows.append(CohortRow(trainee, None, {}, last_activity(trainee.id), ()))
            continue
        activity = last_activity(trainee.id)
        flags = []
        # A decided probation (confirmed or failed) is over: nothing about it is at risk.
        if readiness.state != rules.DECIDED:
            if _inactive(trainee, activity, now):
                flags.append("inactive")
            if _repeated_fails(trainee.id):
                flags.append("failing")
            ending = readiness.days_left is not None and readiness.days_left <= ENDING_SOON_DAYS
            if ending and readiness.state != rules.READY:
                flags.append("ending")
        areas = {c.key: c.progress for c in readiness.criteria}
        rows.append(CohortRow(trainee, readiness, areas, activity, tuple(flags)))
    return rows


def _days_left(row: CohortRow):
    days = row.readiness.days_left if row.readiness else None
    return (days is None, days or 0)


SORTS = {
    "name": lambda row: row.trainee.name,
    "days_left": _days_left,
    "readiness": lambda row: -sum(row.areas.values()),
    "activity": lambda row: row.last_activity or datetime.min,
}
