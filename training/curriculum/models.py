"""Published content releases, their rendered lesson pages, and each trainee's progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from training.clock import utcnow
from training.extensions import db


class ContentRelease(db.Model):
    """One version of the content tree, kept forever so past work can point at it.

    The live release is the one activated last; every worker reads that pointer from the
    database, so all workers and hosts serve the same release without restarting.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    files: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LessonPage(db.Model):
    """A lesson in one language, rendered and sanitised once when its release is synced."""

    __table_args__ = (UniqueConstraint("release_id", "module_slug", "lesson_slug", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"), index=True)
    module_slug: Mapped[str] = mapped_column(String(64))
    lesson_slug: Mapped[str] = mapped_column(String(64))
    lang: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    html: Mapped[str] = mapped_column(Text)
    toc: Mapped[list] = mapped_column(JSON)
    search_terms: Mapped[str] = mapped_column(Text)
    title_terms: Mapped[str] = mapped_column(Text)


class LessonProgress(db.Model):
    """A trainee's record of one lesson, keyed by slugs so it survives new releases."""

    __table_args__ = (
        UniqueConstraint("user_id", "module_slug", "lesson_slug"),
        # The supervisor's console reads every trainee's latest lesson at once.
        Index("ix_lesson_progress_user_opened", "user_id", "last_opened_at"),
        # ... and counts every trainee's completed lessons from the index alone.
        Index(
            "ix_lesson_progress_user_completed",
            "user_id",
            "completed_at",
            "module_slug",
            "lesson_slug",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    module_slug: Mapped[str] = mapped_column(String(64))
    lesson_slug: Mapped[str] = mapped_column(String(64))
    # The release the trainee last read or completed the lesson in.
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"))
    last_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    @property
    def key(self) -> str:
        return f"{self.module_slug}/{self.lesson_slug}"
