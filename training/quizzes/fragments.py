"""Question parts of the take page and the review, rendered once per worker and content version.

What a quiz page says of a question (its options, its correct answer, its explanation and the
lesson to revise) is fixed by the content version and the language; only which options are
ticked, the answer given and its grade differ between trainees. Laying those parts out per
request (an escape and a look-up per option, a translation and a URL per question) was about a
third of each page's template time. Here each part is rendered the first time a worker needs
it, keyed by what it is made from, and reused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from flask import get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup

from training.core.worker_cache import BoundedCache
from training.curriculum.queries import LiveRelease
from training.quizzes import answers, grading
from training.quizzes.schema import Question

CHOICE_TYPES = frozenset({"single", "case", "multiple"})
_TEMPLATE = "quizzes/_fragments.html"
# About a thousand questions per content version and language.
_MAX_ENTRIES = 8000

# (content version, language, question id) -> option id -> (line unticked, line ticked)
_option_lines: BoundedCache[dict[str, tuple[Markup, Markup]]] = BoundedCache(_MAX_ENTRIES)


def option_lines(version: str, lang: str, views: Iterable[Mapping[str, Any]], current: Mapping):
    """Each choice question's options as form lines, in the view's order and ticked as the
    answers in ``current`` say, by question id."""
    lines_by_question = {}
    for view in views:
        kind = view["type"]
        if kind not in CHOICE_TYPES:
            continue
        lines = _option_lines.kept(
            (version, lang, view["id"]), lambda view=view: _render_option_lines(view)
        )
        answer = current.get(view["id"])
        if kind == "multiple":
            chosen = set(answer or ())
            ticked = [option["id"] in chosen for option in view["options"]]
        else:
            ticked = [option["id"] == answer for option in view["options"]]
        lines_by_question[view["id"]] = Markup("\n").join(
            lines[option["id"]][tick] for option, tick in zip(view["options"], ticked, strict=True)
        )
    return lines_by_question


def _render_option_lines(view: Mapping[str, Any]) -> dict[str, tuple[Markup, Markup]]:
    line = get_template_attribute(_TEMPLATE, "option_line")
    name = answers.field_name(view)
    return {
        option["id"]: (
            Markup(line(view["type"], name, option, False)),
            Markup(line(view["type"], name, option, True)),
        )
        for option in view["options"]
    }


@lru_cache(maxsize=256)
def position_options(count: int, position: int | None) -> Markup:
    """An ordering row's choices of position, 1 to ``count``, with ``position`` selected."""
    return Markup(get_template_attribute(_TEMPLATE, "position_options")(count, position))


class ReviewParts(NamedTuple):
    """What the review shows of a question whatever the answer: the correct answer's lines and
    the teaching (the explanation and a link to the lesson's section)."""

    key: Markup
    teaching: Markup


# (content version, language, interface locale, URL root, question id) -> parts
_review_parts: BoundedCache[ReviewParts] = BoundedCache(_MAX_ENTRIES)


def review_parts(live: LiveRelease, lang: str, questions: Iterable[Question]) -> list[ReviewParts]:
    """Each question's fixed review parts in ``lang``, as the release ``live`` words them."""
    # The locale translates "Revise:", the URL root prefixes the lesson's address.
    variant = (live.release.version, lang, str(get_locale()), request.script_root)
    return [
        _review_parts.kept(
            (*variant, question.id), lambda q=question: _render_review_parts(live, lang, q)
        )
        for question in questions
    ]


def _render_review_parts(live: LiveRelease, lang: str, question: Question) -> ReviewParts:
    key_lines = get_template_attribute(_TEMPLATE, "key_lines")
    teaching = get_template_attribute(_TEMPLATE, "teaching")
    lesson = live.curriculum.lesson_by_key(question.lesson)
    title = lesson.text(lang)[0].title if lesson else None
    return ReviewParts(
        key=Markup(key_lines(grading.key(question, lang))),
        teaching=Markup(teaching(question.explanation[lang], lesson, title, question.section)),
    )
