"""Between HTML forms and answers: read a question's answer from form fields, and describe an
answer in words for the review. Pure: works on the presentation dicts of `grading.present`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

FIELD_PREFIX = "q-"
# Lists each question the page shows, so a question left empty there means "no answer now"
# (a cleared text, every box unticked) rather than "not on this form".
SHOWN_FIELD = "shown"

GetOne = Callable[[str], str | None]
GetList = Callable[[str], list[str]]


class FormAnswerError(ValueError):
    """The fields of one question do not make an answer (e.g. two items in one position)."""


def field_name(view: Mapping[str, Any], part: str | None = None) -> str:
    """The form field name of a question (or of one part of it)."""
    return f"{FIELD_PREFIX}{view['id']}" + (f"-{part}" if part else "")


def from_form(view: Mapping[str, Any], get: GetOne, get_list: GetList) -> Any:
    """The answer the fields hold for this question, or None when it is left unanswered."""
    kind = view["type"]
    name = field_name(view)
    if kind in ("single", "case", "true_false", "short") and len(get_list(name)) > 1:
        raise FormAnswerError("one answer only")
    if kind in ("single", "case"):
        return get(name) or None
    if kind == "multiple":
        return get_list(name) or None
    if kind == "true_false":
        value = get(name) or ""
        if value not in ("", "true", "false"):
            raise FormAnswerError("true or false")
        return {"true": True, "false": False}.get(value)
    if kind == "short":
        value = (get(name) or "").strip()
        return value or None
    # An ordering or a matching filled in part is kept as far as it goes.
    if kind == "ordering":
        count = len(view["items"])
        positions = {item["id"]: get(field_name(view, item["id"])) for item in view["items"]}
        given = {item_id: value for item_id, value in positions.items() if value}
        if not given:
            return None
        if len(set(given.values())) != len(given):
            raise FormAnswerError("each position may be used once")
        try:
            numbers = {item_id: int(value) for item_id, value in given.items()}
        except ValueError as error:
            raise FormAnswerError("positions are numbers") from error
        if not all(1 <= number <= count for number in numbers.values()):
            raise FormAnswerError(f"positions run from 1 to {count}")
        order: list[str | None] = [None] * count
        for item_id, number in numbers.items():
            order[number - 1] = item_id
        return order
    if kind == "matching":
        chosen = {left["id"]: get(field_name(view, left["id"])) for left in view["lefts"]}
        return {left: right for left, right in chosen.items() if right} or None
    raise FormAnswerError(f"unknown question type {kind}")


def expected_fields(views: list[Mapping[str, Any]]) -> set[str]:
    """Every answer field name the attempt's form may send."""
    names = set()
    for view in views:
        names.add(field_name(view))
        for part in view.get("items", []) + view.get("lefts", []):
            names.add(field_name(view, part["id"]))
    return names


def describe(view: Mapping[str, Any], answer: Any, true_false_labels: tuple[str, str]) -> list[str]:
    """An answer as the lines of text the trainee chose, for the review page."""
    if answer is None:
        return []
    kind = view["type"]
    if kind in ("single", "case", "multiple"):
        chosen = answer if isinstance(answer, list) else [answer]
        return [option["text"] for option in view["options"] if option["id"] in chosen]
    if kind == "true_false":
        return [true_false_labels[0] if answer else true_false_labels[1]]
    if kind == "short":
        return [str(answer)]
    if kind == "ordering":
        texts = {item["id"]: item["text"] for item in view["items"]}
        return [
            f"{n}. {texts.get(item_id, '?') if item_id else '—'}"
            for n, item_id in enumerate(answer, 1)
        ]
    if kind == "matching":
        lefts = {left["id"]: left["text"] for left in view["lefts"]}
        rights = {right["id"]: right["text"] for right in view["rights"]}
        return [f"{lefts.get(k, '?')} → {rights.get(v, '?')}" for k, v in answer.items()]
    return [str(answer)]
