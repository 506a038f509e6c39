"""People, the cohorts trainees belong to, and their server-side sign-in sessions."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.extensions import db

TRAINEE = "trainee"
SUPERVISOR = "supervisor"
ADMIN = "admin"
ROLES = (TRAINEE, SUPERVISOR, ADMIN)


class Cohort(db.Model):
    """A group of trainees hired together, with the probation length that applies to them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    probation_days: Mapped[int] = mapped_column(default=90)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    trainees: Mapped[list[User]] = relationship(back_populates="cohort")


class User(UserMixin, db.Model):
    """A trainee, supervisor or admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    hire_date: Mapped[date | None]
    probation_end: Mapped[date | None]
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort | None] = relationship(back_populates="trainees")
    supervisor: Mapped[User | None] = relationship(remote_side=[id], back_populates="trainees")
    trainees: Mapped[list[User]] = relationship(back_populates="supervisor")

    @property
    def is_active(self) -> bool:
        """Disabled accounts are refused by Flask-Login."""
        return self.active

    @property
    def is_trainee(self) -> bool:
        return self.role == TRAINEE

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class LoginSession(db.Model):
    """One sign-in; the cookie only names it, so ending it here ends it everywhere."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
