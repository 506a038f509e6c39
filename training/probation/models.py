"""Typing tests and the supervisor's probation decisions (kept as an audit trail)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
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
    """A decision on a trainee's probation, and the audit log of them: who, when (UTC), the
    state before and after, the reason and the evidence. Rows are only ever added: a reversal
    (revoking a confirmation, confirming after a fail) is a new row."""

    __table_args__ = (UniqueConstraint("trainee_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # 1, 2, 3 ... per trainee. The decision form carries the number it saw; the unique pair
    # (trainee_id, sequence) lets only one of two decisions made on the same view be written.
    sequence: Mapped[int]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The probation's state before this decision (a readiness state, or the previous final
    # outcome); ``outcome`` is the state after it.
    previous_state: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    # Confirmed although not every criterion was met (the reason says why).
    override: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_end: Mapped[date | None]
    new_end: Mapped[date | None]
    # The readiness the supervisor saw when deciding: the evidence behind the decision.
    evidence: Mapped[dict] = mapped_column(JSON)
    # On a confirmation: the code printed on the certificate that anyone can check at
    # /verify/<code>. Random, so codes cannot be guessed or counted through.
    verification_code: Mapped[str | None] = mapped_column(String(32), unique=True)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    decided_by: Mapped[User] = relationship(foreign_keys=[decided_by_id])


class AuditEntryChanged(RuntimeError):
    """Something tried to change or delete a recorded decision."""


@event.listens_for(ProbationDecision, "before_update")
@event.listens_for(ProbationDecision, "before_delete")
def _refuse_change(_mapper, _connection, decision: ProbationDecision) -> None:
    """The audit log is append-only: no code path may edit or delete an entry."""
    raise AuditEntryChanged(f"probation decision {decision.id} is part of the audit log")
