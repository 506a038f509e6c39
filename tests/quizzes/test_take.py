"""Taking a quiz: the page never carries the key, orders are shuffled per attempt and kept,
answers autosave and come back on reload."""

import hashlib
import re
from html import unescape

from markupsafe import escape

from tests.quizzes.helpers import (
    form_for,
    input_values,
    main_html,
    prompt_order,
    question_order,
    questions_of,
    right_answers,
    right_form,
    select_options,
    shown_answer,
    start,
    submit,
    views_of,
)
from training.extensions import db
from training.quizzes import grading
from training.quizzes.answers import SHOWN_FIELD, field_name
from training.quizzes.models import AttemptAnswer
from training.quizzes.queries import attempt_secret


def _page(client, attempt):
    response = client.get(f"/attempts/{attempt.id}")
    assert response.status_code == 200
    return main_html(response)


def test_take_page_holds_no_answer_key(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    html = _page(signed_in, attempt)
    assert "correct" not in html.lower()
    # What a reader sees, less the questions' own words.
    visible = unescape(re.sub(r"<[^>]+>", " ", html))
    for view in views_of(attempt).values():
        for text in [view["prompt"], view.get("situation", "")] + [
            part["text"]
            for key in ("options", "items", "lefts", "rights")
            for part in view.get(key, [])
        ]:
            visible = visible.replace(text, " ")
    for question in questions_of(attempt):
        view = views_of(attempt)[question.id]
        for lang in ("zh", "en"):
            assert escape(question.explanation[lang]) not in html, question.id
        key = grading.correct_answer(question, secret=attempt_secret(attempt))
        if question.type == "short":
            for accepted in question.data.accepted["zh"] + question.data.accepted["en"]:
                assert f'value="{escape(accepted)}"' not in html
                assert accepted not in visible, accepted
        elif question.type == "ordering":
            shown = [
                re.search(rf'name="{field_name(view)}-(\w+)"', chunk).group(1)
                for chunk in re.findall(rf'<select name="{field_name(view)}-\w+"', html)
            ]
            assert sorted(shown) == sorted(key) and shown != key
            # The written item ids (which follow the right order) are not on the page either.
            for item in question.data.items:
                assert f'-{item.id}"' not in html and f'"{item.id}"' not in html
        elif question.type == "matching":
            for left in view["lefts"]:
                values, chosen = select_options(html, field_name(view, left["id"]))
                # Every left offers the same rights in the same order: nothing points at a pair.
                assert values == [""] + [right["id"] for right in view["rights"]]
                assert chosen is None
        elif question.type in ("single", "case", "multiple"):
            assert sorted(input_values(html, field_name(view))) == sorted(
                o.id for o in question.data.options
            )


def test_question_and_option_order_is_shuffled_per_attempt_and_kept(signed_in, live_content):
    first = start(signed_in, "welcome")
    written = [q.id for q in live_content.release.quizzes.quiz("welcome").questions]
    first_page = _page(signed_in, first)
    first_order = question_order(first_page, first)
    assert first_order == first.question_ids and sorted(first_order) == sorted(written)
    # Reloading shows the same order: it is stored with the attempt, not drawn per request.
    assert question_order(_page(signed_in, first), first) == first_order
    first_options = _option_orders(first_page, first)
    assert submit(signed_in, first, right_form(first)).status_code == 302

    second = start(signed_in, "welcome")  # passed with attempts left: a second is allowed
    assert second.id != first.id and second.seed != first.seed
    second_page = _page(signed_in, second)
    assert question_order(second_page, second) != first_order
    assert _option_orders(second_page, second) != first_options
    assert question_order(second_page, second) != written

    # The review lists the questions in the order the take page showed them.
    review = main_html(signed_in.get(f"/attempts/{first.id}/review"))
    assert prompt_order(review, first) == first_order


def _option_orders(html, attempt):
    return {
        qid: input_values(html, field_name(view))
        for qid, view in views_of(attempt).items()
        if view["type"] in ("single", "case", "multiple")
    }


def test_options_are_shown_in_the_attempt_order_not_the_written_one(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    html = _page(signed_in, attempt)
    orders = _option_orders(html, attempt)
    written = {
        q.id: [o.id for o in q.data.options] for q in questions_of(attempt) if q.id in orders
    }
    assert orders == {qid: [o["id"] for o in views_of(attempt)[qid]["options"]] for qid in orders}
    assert orders != written


def test_the_page_follows_a_change_of_interface_language(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    questions = questions_of(attempt)
    in_chinese = _page(signed_in, attempt)
    signed_in.post("/language", data={"locale": "en"})
    in_english = _page(signed_in, attempt)
    for question in questions:
        assert str(escape(question.prompt["zh"])) in in_chinese
        assert str(escape(question.prompt["en"])) in in_english
        assert str(escape(question.prompt["zh"])) not in in_english
    # The same shuffle in either language: an option's place does not move.
    assert _option_orders(in_chinese, attempt) == _option_orders(in_english, attempt)


def test_answers_autosave_and_a_reload_shows_them(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    answers = right_answers(attempt)
    response = signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, answers))
    assert response.status_code == 200 and response.get_json() == {"saved": True, "errors": {}}
    html = _page(signed_in, attempt)
    for question_id, view in views_of(attempt).items():
        assert _same(attempt, question_id, shown_answer(html, view), answers[question_id])


def test_an_autosave_changes_and_clears_saved_answers_and_keeps_the_rest(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    first, second, third = attempt.question_ids[:3]
    answers = right_answers(attempt)
    saved = {question_id: answers[question_id] for question_id in (first, second, third)}
    signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, saved))

    changed = right_answers(attempt, wrong={first})[first]
    form = form_for(attempt, {first: changed}) | {SHOWN_FIELD: [first, second]}
    response = signed_in.post(f"/attempts/{attempt.id}/save", data=form)
    assert response.get_json() == {"saved": True, "errors": {}}

    html = _page(signed_in, attempt)
    views = views_of(attempt)
    assert _same(attempt, first, shown_answer(html, views[first]), changed)
    assert shown_answer(html, views[second]) is None  # cleared: shown empty, row gone
    assert _same(attempt, third, shown_answer(html, views[third]), answers[third])
    rows = AttemptAnswer.query.filter_by(attempt_id=attempt.id)
    assert sorted(row.question_id for row in rows) == sorted([first, third])


def test_an_ordering_and_a_matching_filled_in_part_are_kept(signed_in, live_content):
    """Work in progress survives a reload, a row set back to "—" keeps the others, and a
    submission grades the rows filled."""
    attempt = start(signed_in, "welcome")
    questions = {question.type: question for question in questions_of(attempt)}
    ordering, matching = questions["ordering"], questions["matching"]
    secret = attempt_secret(attempt)
    steps = grading.correct_answer(ordering, secret=secret)
    pairs = grading.correct_answer(matching, secret=secret)
    first_left, second_left = list(pairs)[:2]
    partly = {
        ordering.id: [steps[0], None, steps[2]] + [None] * (len(steps) - 3),
        matching.id: {first_left: pairs[first_left], second_left: pairs[second_left]},
    }
    save = signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, partly))
    assert save.get_json() == {"saved": True, "errors": {}}
    views = views_of(attempt)
    html = _page(signed_in, attempt)
    assert shown_answer(html, views[ordering.id]) == partly[ordering.id]
    assert shown_answer(html, views[matching.id]) == partly[matching.id]

    # One step and one item set back to "—": the rest stays.
    less = {
        ordering.id: [steps[0]] + [None] * (len(steps) - 1),
        matching.id: {second_left: pairs[second_left]},
    }
    form = form_for(attempt, less) | {
        field_name(views[ordering.id], steps[2]): "",
        field_name(views[matching.id], first_left): "",
    }
    assert signed_in.post(f"/attempts/{attempt.id}/save", data=form).status_code == 200
    html = _page(signed_in, attempt)
    assert shown_answer(html, views[ordering.id]) == less[ordering.id]
    assert shown_answer(html, views[matching.id]) == less[matching.id]

    submit(signed_in, attempt, {})
    graded = {
        row.question_id: (row.score, row.correct)
        for row in AttemptAnswer.query.filter_by(attempt_id=attempt.id)
    }
    assert graded[ordering.id] == (1 / len(steps), False)
    assert graded[matching.id] == (1 / len(pairs), False)
    review = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert "2. —" in review


def test_a_lost_connection_is_just_a_reload(app, signed_in, live_content, trainee):
    attempt = start(signed_in, "welcome")
    half = dict(list(right_answers(attempt).items())[:5])
    assert (
        signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, half)).status_code
        == 200
    )
    # Later answers changed the first ones: the latest save wins.
    first_id = attempt.question_ids[0]
    changed = {first_id: half[first_id]}
    signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, changed))

    # The browser is gone; the trainee signs in again elsewhere and starts the quiz again.
    other = app.test_client()
    other.post("/login", data={"username": trainee.username, "password": "correct-horse-42"})
    assert start(other, "welcome").id == attempt.id  # resumed, not a new attempt
    html = main_html(other.get(f"/attempts/{attempt.id}"))
    views = views_of(attempt)
    for question_id in attempt.question_ids:
        expected = half.get(question_id)
        shown = shown_answer(html, views[question_id])
        if expected is None:
            assert shown is None, question_id
        else:
            assert _same(attempt, question_id, shown, expected)
    assert AttemptAnswer.query.filter_by(attempt_id=attempt.id).count() == 5

    # Submitting with nothing on the form grades the saved answers.
    response = submit(other, attempt, {})
    assert response.status_code == 302
    assert attempt.score_percent > 0


def test_a_new_secret_key_keeps_saved_orderings_and_matchings(app, signed_in, live_content):
    attempt = start(signed_in, "welcome")
    hidden = [q.id for q in questions_of(attempt) if q.type in ("ordering", "matching")]
    assert hidden, "the quiz has parts whose order is the answer"
    answers = right_answers(attempt)
    saved = signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, answers))
    assert saved.get_json() == {"saved": True, "errors": {}}
    # The key is changed (after a leak, say); the old one stays a fallback for sign-ins.
    app.config["SECRET_KEY_FALLBACKS"] = [app.config["SECRET_KEY"]]
    app.config["SECRET_KEY"] = "a-new-key-after-a-leak"
    html = _page(signed_in, attempt)
    for question_id in hidden:
        shown = shown_answer(html, views_of(attempt)[question_id])
        assert _same(attempt, question_id, shown, answers[question_id]), question_id
    # Submitted with nothing more, the saved answers are graded right.
    assert submit(signed_in, attempt, {}).status_code == 302
    db.session.refresh(attempt)
    assert attempt.score_percent == 100
    review = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert "wrong-badge" not in review


def _same(attempt, question_id, shown, given) -> bool:
    """The page shows the answer that was given (multiple choices in any order)."""
    question = questions_of(attempt)[attempt.question_ids.index(question_id)]
    secret = attempt_secret(attempt)
    return shown is not None and grading.validate(
        question, shown, secret=secret
    ) == grading.validate(question, given, secret=secret)


def test_overview_offers_to_resume_the_open_attempt(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    html = main_html(signed_in.get("/quizzes/welcome"))
    assert f'href="/attempts/{attempt.id}"' in html
    assert "/quizzes/welcome/start" not in html


def test_matching_answers_cannot_be_computed_from_the_page(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    html = _page(signed_in, attempt)
    for question in questions_of(attempt):
        if question.type != "matching":
            continue
        view = views_of(attempt)[question.id]
        lefts = [left["id"] for left in view["lefts"]]
        assert all(f'name="{field_name(view, left)}"' in html for left in lefts)
        # What anyone reading the page (and grading.py's docstring) can do:
        guessed = {
            left: "r" + hashlib.sha256(f"{question.id}\0right\0{left}".encode()).hexdigest()[:10]
            for left in lefts
        }
        assert guessed != grading.correct_answer(question, secret=attempt_secret(attempt))
