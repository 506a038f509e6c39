"""Where a reply's feedback sends the trainee: the lesson that teaches the rule a point is for.

The engine names each rule's lesson by key (``module/lesson#section``); a page shows it as a
link titled in the conversation's language, from the release the reply was scored on, with the
seed manuals' sections behind the rule as the link's title. A worker renders each citation once
per release, language and interface language: a workbench shows several on every turn.
"""

from collections.abc import Callable, Mapping
from typing import Any

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from training.core.worker_cache import BoundedCache
from training.curriculum.links import lesson_url
from training.curriculum.queries import LiveRelease
from training.curriculum.schema import Curriculum

_citations: BoundedCache[Markup] = BoundedCache(4096)
_SOURCE = Markup('<small class="source">— {}</small>')
_LINK = Markup('<a href="{}" title="{}" target="_blank" rel="noopener">{}</a>')


def cited_lesson(curriculum: Curriculum | None, key: str, lang: str) -> tuple[str, str] | None:
    """(address, title) of the lesson ``key`` names, or None when there is none to link."""
    lesson_key, _sep, section = (key or "").partition("#")
    lesson = curriculum.lesson_by_key(lesson_key) if curriculum and lesson_key else None
    if lesson is None:
        return None
    href = lesson_url(lesson.module_slug, lesson.slug)
    return (f"{href}#{section}" if section else href), lesson.text(lang)[0].title


def citer(live: LiveRelease | None, lang: str) -> Callable[[Mapping[str, Any]], Markup]:
    """What a page shows after each saved point of a conversation scored on ``live``: the
    lesson, or for a turn saved before points named it, the sources it was saved with."""
    curriculum = live.curriculum if live else None
    context = (live.release.version if live else None, lang, str(get_locale()), request.script_root)

    def cite(point: Mapping[str, Any]) -> Markup:
        lesson, source = point.get("lesson") or "", point.get("source") or ""
        return _citations.kept(
            (*context, lesson, source), lambda: _citation(curriculum, lesson, source, lang)
        )

    return cite


def _citation(curriculum: Curriculum | None, lesson: str, source: str, lang: str) -> Markup:
    cited = cited_lesson(curriculum, lesson, lang)
    if cited:
        # The catalogue's wording is trusted as Jinja trusts it; the link is escaped.
        link = _LINK.format(cited[0], source, cited[1])
        return _SOURCE.format(Markup(_("Lesson: %(title)s", title=link)))
    return _SOURCE.format(source) if source else Markup("")
