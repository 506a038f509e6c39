"""Reads for curriculum pages: the live release, lesson pages, progress and search."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from sqlalchemy import Row, Select, bindparam, select

from training.core.json_rows import json_rows
from training.core.statements import read
from training.core.worker_cache import BoundedCache
from training.curriculum import search
from training.curriculum.models import ContentRelease, LessonPage, LessonProgress
from training.curriculum.progress import PathState, build_path
from training.curriculum.release import Release, parse_release
from training.curriculum.services import add_glossary_to_search
from training.extensions import db


@dataclass(frozen=True)
class LiveRelease:
    """The release being served, parsed once per worker."""

    id: int
    release: Release

    @property
    def curriculum(self):
        return self.release.curriculum


# Parsed releases by content version. A version's files never change, so a worker may keep
# what it parsed; only which release is live (and which version an id holds) is read from the
# database on each request.
_parsed: dict[str, Release] = {}
_KEEP = 8

# Statements that most pages run, built once: SQLAlchemy finds a statement's compiled form by a
# cache key it works out once per statement object. Built anew on each request, a statement
# cost about four times its execution on SQLite (construction and cache key, ~200 against
# ~50 µs).
_LIVE_RELEASE = (
    select(ContentRelease.id, ContentRelease.version)
    .order_by(ContentRelease.activated_at.desc())
    .limit(1)
)
_RELEASE_VERSION = select(ContentRelease.version).where(ContentRelease.id == bindparam("id"))
# What a trainee's path is laid out from, as two columns of one row: the lessons completed, as one
# JSON array of [module, lesson] (decoded once, where a row per lesson had its times decoded each),
# and the key of the lesson opened last (the newest of the user's index on opening times).
_completed = (
    select(json_rows(LessonProgress.module_slug, LessonProgress.lesson_slug))
    .where(LessonProgress.user_id == bindparam("user_id"), LessonProgress.completed_at.is_not(None))
    .scalar_subquery()
    .label("completed")
)
_last_opened = (
    select(LessonProgress.module_slug + "/" + LessonProgress.lesson_slug)
    .where(LessonProgress.user_id == bindparam("user_id"))
    .order_by(LessonProgress.last_opened_at.desc())
    .limit(1)
    .scalar_subquery()
    .label("last_opened")
)
_PROGRESS = select(_completed, _last_opened)


def live_release() -> LiveRelease | None:
    """The release every worker should serve right now, or None before the first sync."""
    row = read(_LIVE_RELEASE).first()
    return _loaded(*row) if row else None


def release_by_id(release_id: int) -> LiveRelease:
    """A stored release, parsed (and kept) on first use.

    A stored release never changes its version, so a request asks which version an id holds
    once, however many of its records (an attempt, its questions, a conversation) need it.
    """
    known = g.setdefault("release_versions", {})
    if release_id not in known:
        known[release_id] = read(_RELEASE_VERSION, {"id": release_id}).scalar()
    return _loaded(release_id, known[release_id])


def release_with_version(release_id: int, version: str) -> LiveRelease:
    """A stored release whose version the caller has just read along with other columns:
    ``release_by_id`` will not ask for it again in this request."""
    g.setdefault("release_versions", {})[release_id] = version
    return _loaded(release_id, version)


def _loaded(release_id: int, version: str) -> LiveRelease:
    if version not in _parsed:
        files = db.session.scalar(select(ContentRelease.files).filter_by(id=release_id))
        release = parse_release(files)
        add_glossary_to_search(release.curriculum)
        if len(_parsed) >= _KEEP:
            _parsed.pop(next(iter(_parsed)))
        _parsed[version] = release
    return LiveRelease(release_id, _parsed[version])


# The lesson's page in the wanted language first, the other language only when that one is
# missing; the columns the page shows, not the search columns.
_LESSON_PAGE = (
    select(LessonPage.lang, LessonPage.title, LessonPage.html, LessonPage.toc)
    .where(
        LessonPage.release_id == bindparam("release_id"),
        LessonPage.module_slug == bindparam("module_slug"),
        LessonPage.lesson_slug == bindparam("lesson_slug"),
    )
    .order_by((LessonPage.lang == bindparam("lang")).desc())
    .limit(1)
)


def lesson_page(release_id: int, module_slug: str, lesson_slug: str, lang: str):
    """The rendered lesson in `lang`, else in the other language; with a fallback flag."""
    page = read(
        _LESSON_PAGE,
        {
            "release_id": release_id,
            "module_slug": module_slug,
            "lesson_slug": lesson_slug,
            "lang": lang,
        },
    ).first()
    if page is None:
        return None, False
    return page, page.lang != lang


def path_for(user_id: int, live: LiveRelease) -> PathState:
    """The trainee's path through the live curriculum."""
    completed, last_opened = read(_PROGRESS, {"user_id": user_id}).one()
    return _path_of(live, completed, last_opened)


# The live release with what the trainee's path is laid out from, in one row: the path and every
# lesson page need both. Other features add their own columns to it (``live_path_with``), so the
# trainee's home page reads what it shows in one statement.
_live = _LIVE_RELEASE.subquery()
LIVE_PATH = select(_live.c.id, _live.c.version, _completed, _last_opened).select_from(_live)


def live_path(user_id: int) -> tuple[LiveRelease, PathState] | None:
    """The live release and the trainee's path through it (None before the first sync)."""
    found = live_path_with(LIVE_PATH, user_id)
    return found[:2] if found else None


def live_path_with(
    statement: Select, user_id: int, **params
) -> tuple[LiveRelease, PathState, Row] | None:
    """``live_path`` by ``statement``, ``LIVE_PATH`` with more columns, and the row it read them
    in (None before the first sync)."""
    row = read(statement, {"user_id": user_id, **params}).first()
    if row is None:
        return None
    live = _loaded(row.id, row.version)
    return live, _path_of(live, row.completed, row.last_opened), row


# Laid-out paths by content version, completed lessons and the lesson last opened. Trainees who
# take the lessons in order share a few states per lesson, and laying a path out walks every
# lesson's prerequisites (on every path and lesson page); the bound only stops odd orders from
# growing it for ever.
_paths: BoundedCache[PathState] = BoundedCache(4000)


def _path_of(live: LiveRelease, completed_lessons, last_opened: str | None) -> PathState:
    """The path from the completed lessons' [module, lesson] and the key of the one opened last."""
    completed = frozenset(f"{module}/{lesson}" for module, lesson in completed_lessons or ())
    key = (live.release.version, completed, last_opened)
    return _paths.kept(key, lambda: build_path(live.curriculum, completed, last_opened))


@dataclass(frozen=True)
class SearchHit:
    module_slug: str
    lesson_slug: str
    lang: str
    title: str
    score: float


def search_lessons(live: LiveRelease, query: str, lang: str, limit: int = 20) -> list[SearchHit]:
    """Lessons in either language matching the query, best first, one hit per lesson."""
    query_terms = search.terms(query, lang)
    if not query_terms:
        return []
    rows = db.session.execute(
        select(
            LessonPage.module_slug,
            LessonPage.lesson_slug,
            LessonPage.lang,
            LessonPage.title,
            LessonPage.search_terms,
            LessonPage.title_terms,
        ).filter_by(release_id=live.id)
    ).all()
    best: dict[tuple[str, str], SearchHit] = {}
    for module_slug, lesson_slug, page_lang, title, terms, title_terms in rows:
        score = search.score(query_terms, terms.split(), title_terms.split())
        if score <= 0:
            continue
        # Prefer the reader's language when both versions match.
        score += 0.01 if page_lang == lang else 0.0
        key = (module_slug, lesson_slug)
        if key not in best or best[key].score < score:
            best[key] = SearchHit(module_slug, lesson_slug, page_lang, title, score)
    return sorted(best.values(), key=lambda hit: -hit.score)[:limit]


def neighbours(curriculum, lesson) -> tuple:
    """The lessons before and after this one along the whole path."""
    lessons = curriculum.lessons()
    index = lessons.index(lesson)
    before = lessons[index - 1] if index > 0 else None
    after = lessons[index + 1] if index + 1 < len(lessons) else None
    return before, after


def next_open_lesson(user_id: int, live: LiveRelease, *, after) -> dict | None:
    """URL values of the next lesson the trainee can open after `after`, if any."""
    state = path_for(user_id, live)
    lessons = live.curriculum.lessons()
    for candidate in lessons[lessons.index(after) + 1 :]:
        lesson_state = state.lesson(candidate.key)
        if not lesson_state.locked and not lesson_state.completed:
            return {"module_slug": candidate.module_slug, "lesson_slug": candidate.slug}
    return None
