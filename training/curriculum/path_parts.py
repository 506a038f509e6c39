"""The path page's module cards, rendered once per worker and state.

The path shows every module (a dozen) and lesson (some sixty) of the curriculum. What a module's
card says depends on the release, the language and the trainee's progress, but for a given
module only through a few values: each lesson's state (completed, locked), the modules it still
waits for and its quiz's result. Rendering each card per request, with its lesson lines, URLs
and translations, was half of the page; here each lesson line and each card is rendered the
first time a worker needs it in that state and then reused for every trainee in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import get_template_attribute, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from training.core.worker_cache import BoundedCache
from training.curriculum.links import lesson_url
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease

_TEMPLATE = "curriculum/_path_parts.html"
_LESSON_STATES = ((False, False), (False, True), (True, False), (True, True))
# Cards by state, per content version and language: a module of n lessons in a path taken in
# order has about n + 1 states (times a few quiz results); the bound only stops progress in odd
# orders from growing it for ever.
_MAX_CARDS = 4000
_MAX_VARIANTS = 16


@dataclass
class _Parts:
    """Everything pre-rendered for one content version, language, URL root and page (path or
    preview)."""

    lines: dict[str, dict[tuple[bool, bool], Markup]]  # lesson key -> (completed, locked) -> li
    numbers: dict[str, int]  # module slug -> its number on the page
    quiz_links: dict[str, str]  # module slug -> its quiz's overview URL
    cards: BoundedCache[Markup] = field(default_factory=lambda: BoundedCache(_MAX_CARDS))


_variants: BoundedCache[_Parts] = BoundedCache(_MAX_VARIANTS)


def module_cards(
    live: LiveRelease, state: PathState, lang: str, quizzes=None, *, preview: bool = False
) -> Markup:
    """Every module's card on this path, in order; with its quiz's links and result when
    ``quizzes`` (the trainee's ``QuizSummary``) is given."""
    parts = _parts_of(live, lang, preview)
    cards = []
    for module_state in state.modules:
        slug = module_state.module.slug
        lessons = tuple((ls.completed, ls.locked) for ls in module_state.lessons)
        quiz = _quiz_result(quizzes, slug)
        key = (slug, lessons, module_state.missing_prerequisites, quiz)
        cards.append(
            parts.cards.kept(
                key,
                lambda state=module_state, quiz=quiz: _render_card(live, lang, parts, state, quiz),
            )
        )
    return Markup("\n").join(cards)


def _render_card(live: LiveRelease, lang: str, parts: _Parts, state, quiz) -> Markup:
    lines = Markup("").join(
        parts.lines[ls.lesson.key][ls.completed, ls.locked] for ls in state.lessons
    )
    slug = state.module.slug
    return Markup(
        get_template_attribute(_TEMPLATE, "module_card")(
            state, parts.numbers[slug], live.curriculum, lang, lines, quiz, parts.quiz_links[slug]
        )
    )


def _quiz_result(quizzes, slug: str) -> tuple[bool, str | None] | None:
    """(passed, best score as shown) for a module with a quiz, None for one without (or for no
    trainee)."""
    if quizzes is None or slug not in quizzes.quiz_slugs:
        return None
    best = quizzes.best.get(slug)
    return slug in quizzes.passed, None if best is None else f"{best:.0f}"


def _parts_of(live: LiveRelease, lang: str, preview: bool) -> _Parts:
    # The content version (a hash of the files) fixes titles and lengths, the interface locale
    # the labels' language, the URL root the links.
    key = (live.release.version, lang, str(get_locale()), request.script_root, preview)
    return _variants.kept(key, lambda: _render_parts(live, lang, preview))


def _render_parts(live: LiveRelease, lang: str, preview: bool) -> _Parts:
    line = get_template_attribute(_TEMPLATE, "lesson_line")
    lines = {}
    for lesson in live.curriculum.lessons():
        title = lesson.text(lang)[0].title
        href = lesson_url(lesson.module_slug, lesson.slug)
        minutes = _("%(minutes)s min", minutes=lesson.minutes)
        lines[lesson.key] = {
            (completed, locked): Markup(line(title, href, minutes, completed, locked, preview))
            for completed, locked in _LESSON_STATES
        }
    modules = live.curriculum.modules
    return _Parts(
        lines=lines,
        numbers={module.slug: number for number, module in enumerate(modules, 1)},
        quiz_links={m.slug: url_for("quizzes.overview", slug=m.slug) for m in modules},
    )
