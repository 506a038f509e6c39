"""Writes for the curriculum: publishing a release and recording a trainee's progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import bindparam, select, update

from training.clock import utcnow
from training.curriculum import search
from training.curriculum.models import ContentRelease, LessonPage, LessonProgress
from training.curriculum.release import Release, parse_release
from training.curriculum.rendering import render_markdown
from training.extensions import db


@dataclass(frozen=True)
class SyncResult:
    """What a sync did: nothing, re-activated a stored release, or published a new one."""

    release_id: int
    version: str
    action: str  # "unchanged" | "reactivated" | "published"


def sync_content(*, files: Mapping[str, str]) -> SyncResult:
    """Publish the tree as the live release, all or nothing.

    An invalid tree raises ContentError before anything is written, so the last good
    release stays live; an unchanged tree is a no-op.
    """
    release = parse_release(files)
    _serialise_syncs()
    live = db.session.scalar(
        select(ContentRelease).order_by(ContentRelease.activated_at.desc()).limit(1)
    )
    if live is not None and live.version == release.version:
        result = SyncResult(live.id, live.version, "unchanged")
        db.session.rollback()  # ends the lock
        return result
    stored = db.session.scalar(select(ContentRelease).filter_by(version=release.version))
    try:
        if stored is not None:
            stored.activated_at = utcnow()
            action = "reactivated"
        else:
            stored = ContentRelease(version=release.version, files=dict(files))
            db.session.add(stored)
            db.session.flush()
            db.session.add_all(_lesson_pages(stored.id, release))
            action = "published"
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return SyncResult(stored.id, stored.version, action)


# Any fixed number: the PostgreSQL advisory lock that content syncs queue on.
SYNC_LOCK_KEY = 5105_2026


def _serialise_syncs() -> None:
    """Make a sync that starts while another runs wait for it, then see what it published.

    PostgreSQL: an advisory lock held until the transaction ends. SQLite: a write that matches
    nothing still takes the database's write lock, which also lasts until the transaction ends.
    """
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": SYNC_LOCK_KEY})
    else:
        table = ContentRelease.__table__
        db.session.execute(sa.update(table).where(sa.false()).values(version=table.c.version))


# Rendered pages by (version, link patterns): rendering and segmenting a release takes a
# second or two, so a process that syncs the same version again (tests, reactivation) reuses it.
_rendered: dict[tuple[str, tuple[str, str]], tuple[dict, ...]] = {}


def _lesson_pages(release_id: int, release: Release) -> list[LessonPage]:
    key = (release.version, _link_paths())
    if key not in _rendered:
        _rendered.clear()
        _rendered[key] = _render_pages(release, key[1])
    return [LessonPage(release_id=release_id, **page) for page in _rendered[key]]


def _link_paths() -> tuple[str, str]:
    """URL patterns for lesson and glossary links (built without a request)."""
    adapter = current_app.url_map.bind(
        "localhost", script_name=current_app.config.get("APPLICATION_ROOT", "/")
    )
    lesson = adapter.build("curriculum.lesson", {"module_slug": "MODULE", "lesson_slug": "LESSON"})
    glossary = adapter.build("curriculum.glossary")
    return lesson, glossary


def _render_pages(release: Release, link_paths: tuple[str, str]) -> tuple[dict, ...]:
    lesson_path, glossary_path = link_paths
    curriculum = release.curriculum
    add_glossary_to_search(curriculum)

    def resolve(kind: str, target: str) -> str:
        if kind == "glossary":
            return f"{glossary_path}#term-{target}"
        key, _, section = target.partition("#")
        module_slug, _, lesson_slug = key.partition("/")
        url = lesson_path.replace("MODULE", module_slug).replace("LESSON", lesson_slug)
        return f"{url}#{section}" if section else url

    pages = []
    for lesson in curriculum.lessons():
        for lang, text in lesson.texts.items():
            rendered = render_markdown(text.body, resolve)
            pages.append(
                {
                    "module_slug": lesson.module_slug,
                    "lesson_slug": lesson.slug,
                    "lang": lang,
                    "title": text.title,
                    "html": rendered.html,
                    "toc": [list(item) for item in rendered.toc],
                    "search_terms": " ".join(search.terms(text.body, lang)),
                    "title_terms": " ".join(search.terms(text.title, lang)),
                }
            )
    return tuple(pages)


def add_glossary_to_search(curriculum) -> None:
    """Teach the Chinese segmenter the shop's own terms so they are found whole."""
    search.add_shop_terms(t for term in curriculum.glossary for t in term.term.values())


# Run on every lesson view: built once (see curriculum.queries), and as a Core statement on the
# table, which skips the ORM's bulk-update bookkeeping (the session holds no progress rows).
_TOUCH_OPENED = (
    update(LessonProgress.__table__)
    .where(
        LessonProgress.__table__.c.user_id == bindparam("the_user_id"),
        LessonProgress.__table__.c.module_slug == bindparam("the_module_slug"),
        LessonProgress.__table__.c.lesson_slug == bindparam("the_lesson_slug"),
    )
    .values(last_opened_at=bindparam("now"))
)


def record_lesson_opened(*, user_id: int, release_id: int, module_slug: str, lesson_slug: str):
    """Remember the lesson a trainee opened, for "continue where you left off".

    Every lesson view writes this, so the usual case is one UPDATE, without reading first.
    """
    now = utcnow()
    touched = (
        db.session.connection()
        .execute(
            _TOUCH_OPENED,
            {
                "the_user_id": user_id,
                "the_module_slug": module_slug,
                "the_lesson_slug": lesson_slug,
                "now": now,
            },
        )
        .rowcount
    )
    if not touched:
        progress = _progress_row(user_id, module_slug, lesson_slug, release_id)
        progress.last_opened_at = now
    db.session.commit()


def complete_lesson(*, user_id: int, release_id: int, module_slug: str, lesson_slug: str, now=None):
    """Mark a lesson completed in the given release (completing twice changes nothing)."""
    progress = _progress_row(user_id, module_slug, lesson_slug, release_id)
    if progress.completed_at is None:
        progress.completed_at = now or utcnow()
        progress.release_id = release_id
    db.session.commit()


def _progress_row(user_id, module_slug, lesson_slug, release_id) -> LessonProgress:
    progress = db.session.scalar(
        select(LessonProgress).filter_by(
            user_id=user_id, module_slug=module_slug, lesson_slug=lesson_slug
        )
    )
    if progress is None:
        progress = LessonProgress(
            user_id=user_id,
            module_slug=module_slug,
            lesson_slug=lesson_slug,
            release_id=release_id,
        )
        db.session.add(progress)
    return progress
