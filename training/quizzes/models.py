"""Quiz attempts with their saved answers, spaced-review cards and regrade records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
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
