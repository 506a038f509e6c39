"""Typing tests and the supervisor's probation decisions (kept as an audit trail)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from training.clock import utcnow
from training.extensions import db


class TypingAttempt(db.Model):
    """One timed typing test; the server's clock, not the browser's, measures it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"))
    passage_id: Mapped[str] = mapped_column(String(80))
    lang: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    typed: Mapped[str | None] = mapped_column(Text)
    chars_per_minute: Mapped[float | None]
    accuracy: Mapped[float | None]
    passed: Mapped[bool | None]


class ProbationDecision(db.Model):
    """A decision on a trainee's probation; rows are only ever added, never changed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_end: Mapped[date | None]
    new_end: Mapped[date | None]
    # The readiness the supervisor saw when deciding: the evidence behind the decision.
    evidence: Mapped[dict] = mapped_column(JSON)
