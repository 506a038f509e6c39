"""Question parts of the take page and the review, rendered once per worker and content version.

What a quiz page says of a question (its options, its correct answer, its explanation and the
lesson to revise) is fixed by the content version and the language; only which options are
ticked, the answer given and its grade differ between trainees. Laying those parts out per
request (an escape and a look-up per option, a translation and a URL per question) was about a
third of each page's template time. Here each part is rendered the first time a worker needs
it, keyed by what it is made from, and reused; an ordering's or a matching's rows, whose field
names and values are the attempt's own, are then filled in with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from flask import get_template_attribute, request
from flask_babel import get_locale
from markupsafe import Markup, escape

from training.core.worker_cache import BoundedCache
from training.curriculum.queries import LiveRelease
from training.quizzes import answers, grading
from training.quizzes.schema import Question

_TEMPLATE = "quizzes/_fragments.html"
# About a thousand questions per content version and language.
_MAX_ENTRIES = 8000

# An ordering's steps and a matching's items carry ids of the attempt's own (so the page does
# not give the key away), which a line rendered once cannot hold: it is rendered with these
# marks where they go, and each request puts its ids in. The content in a line is escaped, so
# the marks occur nowhere else.
_NAME, _VALUE, _OPTIONS = Markup("<name>"), Markup("<value>"), Markup("<options>")

# (content version, language, question id) -> option id -> (line unticked, line ticked)
_option_lines: BoundedCache[dict[str, tuple[Markup, Markup]]] = BoundedCache(_MAX_ENTRIES)
# (content version, language, question id) -> step text -> its row by position (0: none)
_ordering_rows: BoundedCache[dict[str, tuple[str, ...]]] = BoundedCache(_MAX_ENTRIES)
# (content version, language, question id) -> the rows (left text -> (before, after) the
# options) and the options (right text -> (unselected, selected))
_matching_rows: BoundedCache[tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]] = (
    BoundedCache(_MAX_ENTRIES)
)


def answer_lines(version: str, lang: str, views: Iterable[Mapping[str, Any]], current: Mapping):
    """The answer fields of each choice, ordering and matching question, in the view's order
    and filled in as the answers in ``current`` say, by question id."""
    return {
        view["id"]: _LINES_OF[view["type"]](version, lang, view, current.get(view["id"]))
        for view in views
        if view["type"] in _LINES_OF
    }


def _option_lines_of(version: str, lang: str, view: Mapping[str, Any], answer) -> Markup:
    lines = _option_lines.kept((version, lang, view["id"]), lambda: _render_option_lines(view))
    if view["type"] == "multiple":
        chosen = set(answer or ())
    else:
        chosen = {answer} if isinstance(answer, str) else set()
    return Markup("\n").join(
        lines[option["id"]][option["id"] in chosen] for option in view["options"]
    )


def _ordering_rows_of(version: str, lang: str, view: Mapping[str, Any], answer) -> Markup:
    rows = _ordering_rows.kept((version, lang, view["id"]), lambda: _render_ordering_rows(view))
    positions = {step: n for n, step in reversed(list(enumerate(answer or (), start=1)))}
    lines = []
    for item, field in _fields(view, view["items"]):
        by_position = rows[item["text"]]
        # A position past the last (a longer answer than the steps) selects none.
        position = positions.get(item["id"], 0)
        row = by_position[position] if position < len(by_position) else by_position[0]
        lines.append(_filled(row, _NAME, field))
    return Markup("\n".join(lines))


def _matching_rows_of(version: str, lang: str, view: Mapping[str, Any], answer) -> Markup:
    rows, options = _matching_rows.kept(
        (version, lang, view["id"]), lambda: _render_matching_rows(view)
    )
    chosen = answer or {}
    lines = []
    for left, field in _fields(view, view["lefts"]):
        before, after = rows[left["text"]]
        match = chosen.get(left["id"])
        choices = "".join(
            _filled(options[right["text"]][right["id"] == match], _VALUE, right["id"])
            for right in view["rights"]
        )
        lines.append(_filled(before, _NAME, field) + choices + after)
    return Markup("\n".join(lines))


_LINES_OF = {
    "single": _option_lines_of,
    "case": _option_lines_of,
    "multiple": _option_lines_of,
    "ordering": _ordering_rows_of,
    "matching": _matching_rows_of,
}


def _fields(view, parts):
    return ((part, answers.field_name(view, part["id"])) for part in parts)


def _filled(line: str, mark: str, value: str) -> str:
    """``line`` (HTML) with the attempt's ``value`` where ``mark`` is."""
    return line.replace(mark, escape(value))


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


def _render_ordering_rows(view: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    row, count = get_template_attribute(_TEMPLATE, "ordering_row"), len(view["items"])
    return {
        item["text"]: tuple(str(row(_NAME, item, count, n)) for n in range(count + 1))
        for item in view["items"]
    }


def _render_matching_rows(view: Mapping[str, Any]):
    row = get_template_attribute(_TEMPLATE, "matching_row")
    option = get_template_attribute(_TEMPLATE, "matching_option")
    rows = {
        left["text"]: tuple(str(row(_NAME, left, _OPTIONS)).split(_OPTIONS))
        for left in view["lefts"]
    }
    options = {
        right["text"]: (str(option(_VALUE, right, False)), str(option(_VALUE, right, True)))
        for right in view["rights"]
    }
    return rows, options


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
