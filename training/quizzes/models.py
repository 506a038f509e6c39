"""Quiz attempts with their saved answers, each trainee's standing per quiz, spaced-review
cards and regrade records."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    case,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.core.standings import StandingRewrite, keep_standing
from training.extensions import db

OPEN, SUBMITTED = "open", "submitted"
ASSESSED, PRACTICE, REVIEW = "assessed", "practice", "review"


class QuizAttempt(db.Model):
    """One sitting of a quiz or the exam, pinned to the content release it was taken on."""

    # The supervisor's console groups every trainee's attempts at once; these let it read the
    # index alone (results per quiz, latest activity) instead of every attempt row.
    __table_args__ = (
        Index(
            "ix_quiz_attempt_results",
            "user_id",
            "quiz_slug",
            "mode",
            "status",
            "passed",
            "score_percent",
            "submitted_at",
        ),
        Index("ix_quiz_attempt_user_started", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    quiz_slug: Mapped[str] = mapped_column(String(64), index=True)
    mode: Mapped[str] = mapped_column(String(16), default=ASSESSED)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"))
    # The questions in the order shown, and the seed that reproduces each option shuffle.
    question_ids: Mapped[list] = mapped_column(JSON)
    seed: Mapped[int]
    # Keys the ids of the parts whose order is the answer (see queries.attempt_secret).
    secret: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default=OPEN, index=True)
    score_percent: Mapped[float | None]
    passed: Mapped[bool | None]

    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status == OPEN


class AttemptAnswer(db.Model):
    """The trainee's latest answer to one question of an attempt, and its grade once submitted."""

    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    answer: Mapped[dict | list | str | bool | None] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
    score: Mapped[float | None]
    correct: Mapped[bool | None]

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class ReviewCard(db.Model):
    """A missed question in the trainee's spaced-review queue (an FSRS card)."""

    __table_args__ = (UniqueConstraint("user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    card: Mapped[dict] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(index=True)


class Regrade(db.Model):
    """A deliberate re-grade of an attempt: the score before and after, kept for audit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"))
    old_score: Mapped[float]
    new_score: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizStanding(db.Model):
    """A trainee's assessed record on one quiz, aggregated from their submitted attempts.

    Rewritten whenever an assessed attempt is submitted or re-graded (``core.standings``), so
    the console reads one row per trainee and quiz instead of every attempt.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    quiz_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    best_score: Mapped[float | None]  # percent
    fails: Mapped[int]  # submitted attempts that failed
    last_pass_at: Mapped[datetime | None]  # None: never passed
    last_fail_at: Mapped[datetime | None]


def refresh_quiz_standings(connection: Connection, keys: Collection[tuple] | None) -> None:
    """Rewrite the standings of the (trainee id, quiz slug) ``keys``, every one when None."""
    _quiz_standings().rewrite(connection, keys)


@functools.cache
def _quiz_standings() -> StandingRewrite:
    attempt = QuizAttempt.__table__.c
    failed = attempt.passed.is_(False)
    rows = (
        select(
            attempt.user_id,
            attempt.quiz_slug,
            func.max(attempt.score_percent).label("best_score"),
            func.sum(case((failed, 1), else_=0)).label("fails"),
            func.max(case((attempt.passed, attempt.submitted_at))).label("last_pass_at"),
            func.max(case((failed, attempt.submitted_at))).label("last_fail_at"),
        )
        .where(attempt.mode == ASSESSED, attempt.status == SUBMITTED)
        .group_by(attempt.user_id, attempt.quiz_slug)
    )
    return StandingRewrite(QuizStanding.__table__, rows, key=(attempt.user_id, attempt.quiz_slug))


keep_standing(
    QuizAttempt,
    refresh=refresh_quiz_standings,
    key=lambda attempt: (attempt.user_id, attempt.quiz_slug),
    counts=lambda attempt: attempt.mode == ASSESSED and attempt.status == SUBMITTED,
)
