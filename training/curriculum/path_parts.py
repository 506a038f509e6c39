"""The path page's module headers and lesson lines, rendered once per worker and state.

The path shows every module (a dozen) and lesson (some sixty) of the curriculum. What a module
header or a lesson line says depends on the release, the language and the trainee's progress,
but for a given module or lesson only through a few values (completed, locked; lessons done,
minutes left, modules still missing). Rendering each line and header per request, with its
URL and translations, was a third of the page; here each is rendered the first time a worker
needs it in that state and then reused for every trainee in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import get_template_attribute, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from training.curriculum.links import lesson_url
from training.curriculum.progress import ModuleState, PathState
from training.curriculum.queries import LiveRelease

_TEMPLATE = "curriculum/_path_parts.html"
_LESSON_STATES = ((False, False), (False, True), (True, False), (True, True))
# Headers by state, per content version and language: a module of n lessons in a path taken in order
# has about n + 1 states; the bound only stops progress in odd orders from growing it forever.
_MAX_HEADERS = 2000
_MAX_VARIANTS = 16


@dataclass
class _Parts:
    """Everything pre-rendered for one content version, language, URL root and page (path or
    preview)."""

    lines: dict[str, dict[tuple[bool, bool], Markup]]  # lesson key -> (completed, locked) -> li
    numbers: dict[str, int]  # module slug -> its number on the page
    quiz_links: dict[str, str]  # module slug -> its quiz's overview URL
    headers: dict[tuple, Markup] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleParts:
    """What the page template puts around a module's own dynamic parts."""

    header: Markup
    lessons: Markup
    quiz_link: str


_variants: dict[tuple, _Parts] = {}


def module_parts(
    live: LiveRelease, state: PathState, lang: str, *, preview: bool = False
) -> dict[str, ModuleParts]:
    """Each module's rendered header and lesson list for this path, by module slug."""
    parts = _parts_of(live, lang, preview)
    header = None
    result = {}
    for module_state in state.modules:
        slug = module_state.module.slug
        key = (
            slug,
            module_state.done,
            module_state.minutes_left,
            module_state.missing_prerequisites,
        )
        rendered = parts.headers.get(key)
        if rendered is None:
            header = header or get_template_attribute(_TEMPLATE, "module_header")
            rendered = _header(parts, key, header, module_state, live, lang)
        lessons = Markup("").join(
            parts.lines[ls.lesson.key][ls.completed, ls.locked] for ls in module_state.lessons
        )
        result[slug] = ModuleParts(rendered, lessons, parts.quiz_links[slug])
    return result


def _header(parts: _Parts, key: tuple, macro, module_state: ModuleState, live, lang) -> Markup:
    if len(parts.headers) >= _MAX_HEADERS:
        parts.headers.clear()
    number = parts.numbers[module_state.module.slug]
    rendered = parts.headers[key] = Markup(macro(module_state, number, live.curriculum, lang))
    return rendered


def _parts_of(live: LiveRelease, lang: str, preview: bool) -> _Parts:
    # The content version (a hash of the files) fixes titles and lengths, the interface locale
    # the labels' language, the URL root the links.
    key = (live.release.version, lang, str(get_locale()), request.script_root, preview)
    parts = _variants.get(key)
    if parts is None:
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
        parts = _Parts(
            lines=lines,
            numbers={module.slug: number for number, module in enumerate(modules, 1)},
            quiz_links={m.slug: url_for("quizzes.overview", slug=m.slug) for m in modules},
        )
        if len(_variants) >= _MAX_VARIANTS:
            _variants.clear()
        _variants[key] = parts
    return parts
