"""Nothing on an attempt's or a conversation's page lets a trainee work out the answer, even
with the content files in hand; and what the page shows as cleared is what is saved.

The wider checks (no key, explanation, rubric or model answer in any page or JSON during an
attempt or a conversation) are tests/quizzes/test_take.py and tests/roleplay/test_secrets.py.
"""

import hashlib

from tests.quizzes.helpers import (
    form_for,
    questions_of,
    right_answers,
    start,
    submit,
    views_of,
)
from tests.roleplay.helpers import option_values, workbench
from tests.roleplay.helpers import start as start_conversation
from training.extensions import db
from training.quizzes import grading
from training.quizzes.answers import SHOWN_FIELD
from training.quizzes.models import AttemptAnswer
from training.quizzes.queries import attempt_secret
from training.quizzes.services import start_practice


def _unkeyed(question_id: str, kind: str, part_id: str) -> str:
    """The id an unkeyed hash of the written id would give: what anyone could compute."""
    return kind[0] + hashlib.sha256(f"{question_id}\0{kind}\0{part_id}".encode()).hexdigest()


def test_hidden_order_ids_cannot_be_computed_from_the_content(signed_in):
    attempt = start(signed_in, "welcome")
    html = signed_in.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    checked = 0
    for question in questions_of(attempt):
        parts = {"ordering": ("item", "items"), "matching": ("right", "pairs")}.get(question.type)
        if parts is None:
            continue
        kind, field = parts
        for part in getattr(question.data, field):
            # The unkeyed id (the first 10 hex digits were shown before) is nowhere.
            assert _unkeyed(question.id, kind, part.id)[:11] not in html
            checked += 1
    assert checked, "the welcome quiz has an ordering or matching question"


def test_each_attempt_shows_other_ids(signed_in, live_content):
    first = start(signed_in, "welcome")
    second = start_practice(
        user_id=first.user_id,
        quiz_slug="welcome",
        question_ids=first.question_ids,
        live=live_content,
    )
    hidden = [q for q in questions_of(first) if q.type in ("ordering", "matching")][0]
    answer = grading.correct_answer(hidden, secret=attempt_secret(first))
    assert answer != grading.correct_answer(hidden, secret=attempt_secret(second))


def test_choice_mode_values_reveal_neither_the_written_ids_nor_their_order(client, auth, people):
    auth.login("amy")
    pages = []
    for _ in range(6):
        conversation = start_conversation(client, input="choice")
        values = option_values(workbench(client, conversation).get_data(as_text=True))
        assert len(values) == 4 and not set(values) & {"a", "b", "c", "d"}
        pages.append(values)
    assert len({value for page in pages for value in page}) == 24  # no value recurs


def test_a_cleared_answer_is_saved_as_cleared(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    answers = right_answers(attempt)
    shown = {SHOWN_FIELD: list(attempt.question_ids)}
    assert signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, answers) | shown)
    short = [
        qid for qid, view in views_of(attempt).items() if view["type"] in ("short", "multiple")
    ]
    assert short, "the welcome quiz has a short-answer or multiple-choice question"
    # The trainee empties those answers (text deleted, every box unticked): the page posts
    # the form without them.
    cleared = {qid: answer for qid, answer in answers.items() if qid not in short}
    response = signed_in.post(
        f"/attempts/{attempt.id}/save", data=form_for(attempt, cleared) | shown
    )
    assert response.status_code == 200
    db.session.expire_all()
    saved = {
        row.question_id for row in db.session.query(AttemptAnswer).filter_by(attempt_id=attempt.id)
    }
    assert saved == set(cleared)
    # And a submission graded now counts them unanswered.
    submit(signed_in, attempt, form_for(attempt, cleared) | shown)
    db.session.refresh(attempt)
    assert attempt.score_percent < 100
