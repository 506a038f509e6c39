"""Helpers for the quiz tests: answer forms built the way the page shows each question, HTML
readers for what the page holds, and quick set-up through the real services."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from training.curriculum import queries as curriculum_queries
from training.curriculum.queries import release_by_id
from training.curriculum.services import complete_lesson, sync_content
from training.extensions import db
from training.quizzes import grading
from training.quizzes.answers import field_name
from training.quizzes.models import QuizAttempt
from training.quizzes.queries import attempt_secret
from training.quizzes.schema import Question
from training.quizzes.services import start_attempt, submit_attempt

# Messages in the default (Chinese) interface.
ALREADY_SUBMITTED = "本次作答已经提交过，答案未作改动。"
TIME_WAS_UP = "时间已到：只评了截止前保存的答案。"
TIME_IS_UP = "时间到：已按你保存的答案评分。"
NO_ATTEMPTS_LEFT = "这个测验的作答次数已用完。"
TRY_AGAIN_FROM = "你可以在 "
KEY_HIDDEN_NOTICE = "重考才有意义"  # part of the review's "answers are shown once ..." notice
CORRECT_ANSWER = "正确答案："
PASSED, NOT_PASSED = "已通过", "未通过"
FIX_BEFORE_SUBMIT = "有些答案需要修改后才能提交；本次没有提交。"


# --------------------------------------------------------------------------- the bank


def bank_of(attempt: QuizAttempt):
    """The question bank of the release the attempt was taken on."""
    return release_by_id(attempt.release_id).release.quizzes


def questions_of(attempt: QuizAttempt) -> list[Question]:
    bank = bank_of(attempt)
    return [bank.question(qid) for qid in attempt.question_ids]


def views_of(attempt: QuizAttempt, lang: str = "zh") -> dict[str, dict]:
    """Question id -> what the page shows of it, in the attempt's order."""
    secret = attempt_secret(attempt)
    return {
        q.id: grading.present(q, lang, attempt.seed, secret=secret) for q in questions_of(attempt)
    }


def wrong_answer(question: Question, secret: str) -> Any:
    """An answer that is not fully right (scores 0 where the type allows it)."""
    right = grading.correct_answer(question, secret=secret)
    kind = question.type
    if kind in ("single", "case"):
        return next(o.id for o in question.data.options if o.id != right)
    if kind == "multiple":
        wrong = [o.id for o in question.data.options if o.id not in right]
        return wrong[:1] or right[:1]
    if kind == "true_false":
        return not right
    if kind == "ordering":
        return right[1:] + right[:1]  # every item one place out
    if kind == "matching":
        lefts, rights = list(right), list(right.values())
        return dict(zip(lefts, rights[1:] + rights[:1], strict=True))
    if kind == "short":
        return "我不知道"
    raise AssertionError(kind)


def right_answers(attempt: QuizAttempt, *, wrong=(), skip=()) -> dict[str, Any]:
    """Question id -> answer: right for every question, except `wrong` ones and `skip`ped ones."""
    answers = {}
    secret = attempt_secret(attempt)
    for question in questions_of(attempt):
        if question.id in skip:
            continue
        answers[question.id] = (
            wrong_answer(question, secret)
            if question.id in wrong
            else grading.correct_answer(question, secret=secret)
        )
    return answers


# --------------------------------------------------------------------------- forms


def answer_fields(view: dict, answer: Any) -> dict[str, str | list[str]]:
    """The form fields a trainee fills in on the page to give `answer` to the shown question."""
    kind = view["type"]
    if kind in ("single", "case", "short"):
        return {field_name(view): answer}
    if kind == "multiple":
        return {field_name(view): list(answer)}
    if kind == "true_false":
        return {field_name(view): "true" if answer else "false"}
    if kind == "ordering":
        # One select per shown item holding its 1-based position (None: a position left empty).
        return {field_name(view, item_id): str(n) for n, item_id in enumerate(answer, 1) if item_id}
    if kind == "matching":
        return {field_name(view, left): right for left, right in answer.items()}
    raise AssertionError(kind)


def form_for(attempt: QuizAttempt, answers: dict[str, Any], lang: str = "zh") -> dict:
    """The posted form giving these answers (question id -> answer) on the attempt's page."""
    views = views_of(attempt, lang)
    form: dict[str, str | list[str]] = {}
    for question_id, answer in answers.items():
        form |= answer_fields(views[question_id], answer)
    return form


def right_form(attempt: QuizAttempt, **kwargs) -> dict:
    return form_for(attempt, right_answers(attempt, **kwargs))


# --------------------------------------------------------------------------- the page


def main_html(response) -> str:
    """The page's <main>, where the quiz lives (the header holds the user menu and languages)."""
    page = response.get_data(as_text=True)
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def flashes(response) -> list[str]:
    return [
        unescape(m)
        for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', main_html(response))
    ]


def input_values(html: str, name: str) -> list[str]:
    """Values of the radio/checkbox/text inputs called `name`, in page order."""
    pattern = rf'<input type="\w+" name="{re.escape(name)}" value="([^"]*)"'
    return [unescape(v) for v in re.findall(pattern, html)]


def checked_values(html: str, name: str) -> list[str]:
    pattern = rf'<input type="\w+" name="{re.escape(name)}" value="([^"]*)" checked'
    return [unescape(v) for v in re.findall(pattern, html)]


def text_value(html: str, name: str) -> str | None:
    match = re.search(rf'<input type="text" name="{re.escape(name)}" value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def select_options(html: str, name: str) -> tuple[list[str], str | None]:
    """(option values, the selected value) of the select called `name`."""
    match = re.search(rf'<select name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select {name}"
    options = re.findall(r'<option value="([^"]*)"\s*(selected)?\s*>', match.group(1))
    chosen = [value for value, selected in options if selected]
    return [value for value, _ in options], (chosen[0] if chosen else None)


def shown_answer(html: str, view: dict) -> Any:
    """Read back the answer the page has filled in for a question (None if nothing is)."""
    kind = view["type"]
    name = field_name(view)
    if kind in ("single", "case"):
        values = checked_values(html, name)
        return values[0] if values else None
    if kind == "multiple":
        return sorted(checked_values(html, name)) or None
    if kind == "true_false":
        values = checked_values(html, name)
        return {"true": True, "false": False}[values[0]] if values else None
    if kind == "short":
        return text_value(html, name) or None
    if kind == "ordering":
        positions = {
            item["id"]: select_options(html, field_name(view, item["id"]))[1]
            for item in view["items"]
        }
        if not any(positions.values()):
            return None
        order = [None] * len(positions)
        for item_id, position in positions.items():
            if position:
                order[int(position) - 1] = item_id
        return order
    if kind == "matching":
        chosen = {
            left["id"]: select_options(html, field_name(view, left["id"]))[1]
            for left in view["lefts"]
        }
        return {left: right for left, right in chosen.items() if right} or None
    raise AssertionError(kind)


def question_order(html: str, attempt: QuizAttempt) -> list[str]:
    """The attempt's question ids in the order the page shows them (by their first field)."""
    positions = {}
    for question_id, view in views_of(attempt).items():
        names = [field_name(view)] + [
            field_name(view, part["id"]) for part in view.get("items", []) + view.get("lefts", [])
        ]
        found = [html.find(f'name="{name}"') for name in names]
        found = [index for index in found if index >= 0]
        assert found, f"{question_id} is not on the page"
        positions[question_id] = min(found)
    return sorted(positions, key=positions.get)


def prompt_order(html: str, attempt: QuizAttempt, lang: str = "zh") -> list[str]:
    """The attempt's question ids in the order their prompts appear on a page."""
    from markupsafe import escape

    positions = {
        qid: html.find(str(escape(v["prompt"]))) for qid, v in views_of(attempt, lang).items()
    }
    assert all(index >= 0 for index in positions.values()), positions
    return sorted(positions, key=positions.get)


# --------------------------------------------------------------------------- set-up


def attempt_from(response) -> QuizAttempt:
    """The attempt a start/practice/review response redirected to."""
    assert response.status_code == 302, response.status_code
    path = urlsplit(response.headers["Location"]).path
    match = re.fullmatch(r"/attempts/(\d+)", path)
    assert match, path
    return db.session.get(QuizAttempt, int(match.group(1)))


def start(client, slug: str) -> QuizAttempt:
    """Start (or resume) a quiz as the signed-in trainee, through the route."""
    return attempt_from(client.post(f"/quizzes/{slug}/start"))


def submit(client, attempt: QuizAttempt, form: dict, **kwargs):
    return client.post(f"/attempts/{attempt.id}/submit", data=form, **kwargs)


def take_quiz(user, slug: str, live, **kwargs) -> QuizAttempt:
    """Start and submit a quiz through the services: right answers except `wrong`/`skip`."""
    attempt = start_attempt(user_id=user.id, quiz_slug=slug, live=live)
    submit_attempt(attempt=attempt, answers=right_answers(attempt, **kwargs))
    return attempt


def pass_every_module_quiz(user, live) -> None:
    for slug in live.release.quizzes.quizzes:
        assert take_quiz(user, slug, live).passed


def complete_module(user, live, slug: str) -> None:
    module = live.curriculum.module(slug)
    for lesson in module.lessons:
        complete_lesson(
            user_id=user.id, release_id=live.id, module_slug=slug, lesson_slug=lesson.slug
        )


def move_back(attempt: QuizAttempt, **delta) -> None:
    """Pretend the attempt was started (and submitted) `delta` earlier."""
    shift = timedelta(**delta)
    db.session.refresh(attempt)
    attempt.started_at -= shift
    if attempt.submitted_at:
        attempt.submitted_at -= shift
    if attempt.deadline_at:
        attempt.deadline_at -= shift
    db.session.commit()


def publish(files: dict[str, str]):
    """Publish a content tree as the live release and return it."""
    sync_content(files=files)
    return curriculum_queries.live_release()
