"""Forms are never trusted: tampered, foreign or malformed answers are refused whole, and
nobody reaches another trainee's attempt."""

import pytest

from tests.factories import PASSWORD, make_admin, make_supervisor, make_trainee
from tests.quizzes.helpers import (
    FIX_BEFORE_SUBMIT,
    form_for,
    main_html,
    questions_of,
    right_answers,
    right_form,
    start,
    submit,
    take_quiz,
    views_of,
)
from training.quizzes.answers import field_name
from training.quizzes.models import OPEN, AttemptAnswer


def _of_type(attempt, kind):
    question = next(q for q in questions_of(attempt) if q.type == kind)
    return question, views_of(attempt)[question.id]


def _saved(attempt):
    return AttemptAnswer.query.filter_by(attempt_id=attempt.id).count()


def _good(attempt, but):
    """A right answer to some other question, posted alongside the bad one."""
    other = next(qid for qid in attempt.question_ids if qid != but)
    return form_for(attempt, {other: right_answers(attempt)[other]})


def _bad_forms(attempt):
    """(label, form) pairs a browser showing this attempt could never send honestly."""
    single, single_view = _of_type(attempt, "single")
    multiple, multiple_view = _of_type(attempt, "multiple")
    true_false, true_false_view = _of_type(attempt, "true_false")
    ordering, ordering_view = _of_type(attempt, "ordering")
    matching, matching_view = _of_type(attempt, "matching")
    short, short_view = _of_type(attempt, "short")
    items = [item["id"] for item in ordering_view["items"]]
    lefts = [left["id"] for left in matching_view["lefts"]]
    rights = [right["id"] for right in matching_view["rights"]]
    forms = {
        "foreign option": (single, {field_name(single_view): "zz"}),
        "two answers to a single choice": (single, {field_name(single_view): _ids(single)[:2]}),
        "repeated multiple pick": (
            multiple,
            {field_name(multiple_view): [_ids(multiple)[0], _ids(multiple)[0]]},
        ),
        "foreign multiple pick": (multiple, {field_name(multiple_view): [_ids(multiple)[0], "zz"]}),
        "true/false not a boolean": (true_false, {field_name(true_false_view): "maybe"}),
        "duplicate positions": (
            ordering,
            {field_name(ordering_view, item): "1" for item in items},
        ),
        "position not a number": (
            ordering,
            {field_name(ordering_view, item): str(n) for n, item in enumerate(items, 1)}
            | {field_name(ordering_view, items[0]): "first"},
        ),
        "position out of range": (
            ordering,
            {field_name(ordering_view, item): str(n * 10) for n, item in enumerate(items, 1)},
        ),
        "foreign right side": (
            matching,
            {
                field_name(matching_view, left): right
                for left, right in zip(lefts, rights, strict=True)
            }
            | {field_name(matching_view, lefts[0]): "r0000000000"},
        ),
        "right side used twice": (
            matching,
            {field_name(matching_view, left): rights[0] for left in lefts},
        ),
        "short answer too long": (short, {field_name(short_view): "五" * 201}),
    }
    return {
        label: form | _good(attempt, but=question.id) for label, (question, form) in forms.items()
    }


def _ids(question):
    return [option.id for option in question.data.options]


BAD = [
    "foreign option",
    "two answers to a single choice",
    "repeated multiple pick",
    "foreign multiple pick",
    "true/false not a boolean",
    "duplicate positions",
    "position not a number",
    "position out of range",
    "foreign right side",
    "right side used twice",
    "short answer too long",
]


@pytest.mark.parametrize("label", BAD)
def test_bad_answers_are_refused_and_nothing_is_saved(signed_in, live_content, label):
    attempt = start(signed_in, "welcome")
    form = _bad_forms(attempt)[label]
    response = signed_in.post(f"/attempts/{attempt.id}/save", data=form)
    assert response.status_code == 400
    assert response.get_json()["saved"] is False and response.get_json()["errors"]
    assert _saved(attempt) == 0

    response = submit(signed_in, attempt, form)
    assert response.status_code == 400
    assert FIX_BEFORE_SUBMIT in main_html(response)
    assert attempt.status == OPEN and _saved(attempt) == 0


@pytest.mark.parametrize("name", ["q-conduct-shift-handover", "q-welcome-core-group-x", "q-"])
def test_a_tampered_field_name_is_a_bad_request(signed_in, live_content, name):
    attempt = start(signed_in, "welcome")
    form = right_form(attempt) | {name: "a"}
    assert signed_in.post(f"/attempts/{attempt.id}/save", data=form).status_code == 400
    assert submit(signed_in, attempt, form).status_code == 400
    assert attempt.status == OPEN and _saved(attempt) == 0


def test_an_answer_to_a_question_of_another_quiz_is_refused(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    conduct = live_content.release.quizzes.quiz("conduct").questions[0]
    form = {f"q-{conduct.id}": "a"}
    assert signed_in.post(f"/attempts/{attempt.id}/save", data=form).status_code == 400
    assert _saved(attempt) == 0


@pytest.fixture
def strangers_attempts(live_content):
    """An open and a submitted attempt of a trainee under another supervisor."""
    other = make_trainee("bob", supervisor=make_supervisor("sue"))
    submitted = take_quiz(other, "welcome", live_content)
    from training.quizzes.services import start_attempt

    open_attempt = start_attempt(user_id=other.id, quiz_slug="conduct", live=live_content)
    return open_attempt, submitted


def test_another_trainees_attempt_is_not_found(signed_in, strangers_attempts):
    open_attempt, submitted = strangers_attempts
    for attempt in strangers_attempts:
        assert signed_in.get(f"/attempts/{attempt.id}").status_code == 404
        assert signed_in.post(f"/attempts/{attempt.id}/save", data={}).status_code == 404
        assert signed_in.post(f"/attempts/{attempt.id}/submit", data={}).status_code == 404
        assert signed_in.get(f"/attempts/{attempt.id}/review").status_code == 404
        assert signed_in.post(f"/attempts/{attempt.id}/practice").status_code == 404
    assert signed_in.get("/attempts/999999").status_code == 404
    assert open_attempt.status == OPEN


def test_supervisors_see_only_their_own_trainees_reviews(
    app, client, auth, trainee, live_content, strangers_attempts
):
    mine = take_quiz(trainee, "welcome", live_content, wrong=["welcome-core-group"])
    _, theirs = strangers_attempts
    auth.login("sam")  # the trainee's supervisor
    response = client.get(f"/attempts/{mine.id}/review")
    assert response.status_code == 200
    html = main_html(response)
    assert 'action="/attempts' not in html  # no "retake what I missed" for the supervisor
    assert "学员的答案：" in html and "你的答案：" not in html
    # Whose review it is, and the way to their trainee page.
    assert f'学员：<a href="/supervisor/trainees/{trainee.id}">{trainee.name}</a>' in html
    assert client.get(f"/attempts/{theirs.id}/review").status_code == 404
    open_attempt, _ = strangers_attempts
    assert client.get(f"/attempts/{open_attempt.id}/review").status_code == 404
    # Taking, saving and submitting are the trainee's alone.
    assert client.get(f"/attempts/{mine.id}").status_code == 403
    assert client.post(f"/attempts/{mine.id}/submit").status_code == 403

    admin = app.test_client()
    make_admin()
    admin.post("/login", data={"username": "boss", "password": PASSWORD})
    assert admin.get(f"/attempts/{theirs.id}/review").status_code == 200
    assert admin.get(f"/attempts/{open_attempt.id}/review").status_code == 404


def test_mistakes_the_page_allows_are_explained_in_the_trainees_language(signed_in, live_content):
    """Two steps in one position, or one match chosen twice, can happen with the real page."""
    attempt = start(signed_in, "welcome")
    forms = _bad_forms(attempt)
    english = {"Accept-Language": "en"}
    ordering, _ = _of_type(attempt, "ordering")
    matching, _ = _of_type(attempt, "matching")
    for label, question, message in [
        ("duplicate positions", ordering, "Give each step a different position."),
        ("right side used twice", matching, "Choose a different match for each item."),
    ]:
        save = signed_in.post(f"/attempts/{attempt.id}/save", data=forms[label], headers=english)
        assert save.get_json()["errors"] == {question.id: message}
        page = submit(signed_in, attempt, forms[label], headers=english)
        assert page.status_code == 400 and message in main_html(page)
