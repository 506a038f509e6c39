"""Read-only aggregates for the supervisor's pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, live_release, path_for
from training.extensions import db
from training.quizzes.models import QuizAttempt
from training.quizzes.services import weakest_topics_of


@dataclass(frozen=True)
class TraineeRecord:
    """What a supervisor sees of one trainee's work so far."""

    live: LiveRelease | None
    path: PathState | None
    attempts: list[QuizAttempt]
    weakest_topics: list[tuple[str, float, int]]


def trainee_record(user_id: int) -> TraineeRecord:
    """Lessons, quiz attempts and weakest topics of a trainee."""
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
    )
