"""Submitting: exactly one result per attempt, and the server's clock decides what is late."""

import threading
from collections import Counter
from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.quizzes.helpers import (
    ALREADY_SUBMITTED,
    TIME_IS_UP,
    TIME_WAS_UP,
    flashes,
    form_for,
    questions_of,
    right_answers,
    right_form,
    start,
    submit,
)
from training.clock import utcnow
from training.extensions import db
from training.quizzes import grading, queries, services
from training.quizzes.models import SUBMITTED, AttemptAnswer, QuizAttempt, ReviewCard
from training.quizzes.queries import attempt_secret


def _answers(attempt):
    rows = AttemptAnswer.query.filter_by(attempt_id=attempt.id).all()
    return {row.question_id: (row.answer, row.score) for row in rows}


def _count_grading(monkeypatch):
    graded = []
    grade = services._grade
    monkeypatch.setattr(
        services,
        "_grade",
        lambda attempt, *rows: (graded.append(attempt.id), grade(attempt, *rows)),
    )
    return graded


def test_double_submit_grades_once(signed_in, live_content, monkeypatch):
    graded = _count_grading(monkeypatch)
    attempt = start(signed_in, "welcome")
    first = submit(signed_in, attempt, right_form(attempt), follow_redirects=True)
    assert first.status_code == 200 and ALREADY_SUBMITTED not in flashes(first)
    assert attempt.status == SUBMITTED and attempt.score_percent == 100 and attempt.passed
    before = _answers(attempt)

    # A double click sends the same form again; a second tab sends other answers.
    again = submit(signed_in, attempt, right_form(attempt), follow_redirects=True)
    assert flashes(again) == [ALREADY_SUBMITTED]
    other = submit(signed_in, attempt, form_for(attempt, {}), follow_redirects=True)
    assert flashes(other) == [ALREADY_SUBMITTED]
    wrong = right_form(attempt, wrong=attempt.question_ids)
    assert flashes(submit(signed_in, attempt, wrong, follow_redirects=True)) == [ALREADY_SUBMITTED]

    assert graded == [attempt.id]
    assert attempt.score_percent == 100 and attempt.passed
    assert _answers(attempt) == before


def test_two_clients_submitting_get_one_result(app, signed_in, trainee, live_content, monkeypatch):
    graded = _count_grading(monkeypatch)
    attempt = start(signed_in, "welcome")
    phone = app.test_client()
    phone.post("/login", data={"username": trainee.username, "password": PASSWORD})
    laptop_form = right_form(attempt, wrong=attempt.question_ids[:1])
    phone_form = right_form(attempt, wrong=attempt.question_ids)
    assert signed_in.get(f"/attempts/{attempt.id}").status_code == 200
    assert phone.get(f"/attempts/{attempt.id}").status_code == 200

    laptop = submit(signed_in, attempt, laptop_form, follow_redirects=True)
    late = submit(phone, attempt, phone_form, follow_redirects=True)
    assert ALREADY_SUBMITTED not in flashes(laptop)
    assert flashes(late) == [ALREADY_SUBMITTED]
    assert graded == [attempt.id]
    assert attempt.score_percent > 90  # the laptop's answers, not the phone's


def test_replayed_submit_changes_nothing(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    form = right_form(attempt, wrong=attempt.question_ids[:2])
    response = submit(signed_in, attempt, form)
    assert response.headers["Location"] == f"/attempts/{attempt.id}/review"
    score, cards = attempt.score_percent, {c.question_id: c.card for c in ReviewCard.query}
    assert set(cards) == set(attempt.question_ids[:2])
    # The same request again, later (a proxy retry, the back button and "resend").
    replay = submit(signed_in, attempt, form)
    assert replay.headers["Location"] == f"/attempts/{attempt.id}/review"
    assert flashes(signed_in.get(replay.headers["Location"])) == [ALREADY_SUBMITTED]
    assert attempt.score_percent == score
    assert {c.question_id: c.card for c in ReviewCard.query} == cards  # not reviewed twice
    assert QuizAttempt.query.count() == 1


def test_a_stale_second_submitter_cannot_change_graded_answers(app, trainee, live_content):
    """Two workers load the open attempt; one grades it; the other's answers must not land."""
    attempt = services.start_attempt(user_id=trainee.id, quiz_slug="welcome", live=live_content)
    assert attempt.is_open  # this worker's copy, loaded before the other worker submits
    with app.app_context():  # another worker, with its own database session
        other = db.session.get(QuizAttempt, attempt.id)
        result = services.submit_attempt(attempt=other, answers=right_answers(other))
        assert result.graded_now
    graded = {
        row.question_id: (row.answer, row.score)
        for row in db.session.execute(
            db.select(AttemptAnswer).filter_by(attempt_id=attempt.id)
        ).scalars()
    }
    late = services.submit_attempt(
        attempt=attempt, answers=right_answers(attempt, wrong=attempt.question_ids)
    )
    assert not late.graded_now
    db.session.expire_all()
    assert _answers(attempt) == graded
    assert attempt.score_percent == 100


def test_a_stale_autosave_cannot_change_graded_answers(app, trainee, live_content):
    attempt = services.start_attempt(user_id=trainee.id, quiz_slug="welcome", live=live_content)
    assert attempt.is_open
    with app.app_context():
        other = db.session.get(QuizAttempt, attempt.id)
        services.submit_attempt(attempt=other, answers=right_answers(other))
    with pytest.raises(services.AttemptClosed):
        services.save_answers(
            attempt=attempt, answers=right_answers(attempt, wrong=attempt.question_ids)
        )
    db.session.expire_all()
    assert all(score == 1.0 for _, score in _answers(attempt).values())
    answers = right_answers(attempt)
    assert all(answer == answers[qid] for qid, (answer, _) in _answers(attempt).items())


def test_the_pages_read_every_kind_of_answer_back_as_it_was_saved(trainee, live_content):
    """The take page and the review read an attempt's answers in one JSON array: each kind of
    answer, its score and its right-or-wrong flag come back as the database holds them."""
    attempt = services.start_attempt(user_id=trainee.id, quiz_slug="welcome", live=live_content)
    assert queries.attempt_with_answers(attempt.id).answers == ()

    questions = questions_of(attempt)
    # Skip a question of a kind the quiz asks more than once, whatever order it was drawn in.
    asked = Counter(question.type for question in questions)
    skipped = next(question.id for question in reversed(questions) if asked[question.type] > 1)
    answers = right_answers(attempt, wrong=attempt.question_ids[::2], skip={skipped})
    kinds = {question.type for question in questions if question.id in answers}
    assert kinds >= {"single", "multiple", "true_false", "ordering", "matching", "short"}
    services.save_answers(attempt=attempt, answers=answers)
    read = queries.attempt_with_answers(attempt.id)
    assert read.attempt.id == attempt.id
    assert {a.question_id: (a.answer, a.score, a.correct) for a in read.answers} == {
        question_id: (answer, None, None) for question_id, answer in answers.items()
    }

    services.submit_attempt(attempt=attempt, answers=answers)
    db.session.expire_all()
    stored = db.session.scalars(db.select(AttemptAnswer).filter_by(attempt_id=attempt.id))
    saved = queries.attempt_with_answers(attempt.id).answers
    assert {a.question_id: (a.answer, a.score, a.correct) for a in saved} == {
        row.question_id: (row.answer, row.score, row.correct) for row in stored
    }
    assert {a.correct for a in saved} == {True, False}
    assert all(type(a.correct) is bool for a in saved)


# --------------------------------------------------------------------------- time limit


def _expire(attempt, minutes_ago=1):
    attempt.deadline_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()


def test_a_stale_submit_is_refused_and_only_saved_answers_are_graded(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=20)
    saved = dict(list(right_answers(attempt).items())[:3])
    assert (
        signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, saved)).status_code
        == 200
    )
    _expire(attempt)

    # The browser's timer was off; it submits every answer right after the deadline.
    response = submit(signed_in, attempt, right_form(attempt), follow_redirects=True)
    assert flashes(response) == [TIME_WAS_UP]
    assert attempt.status == SUBMITTED
    assert attempt.submitted_at == attempt.deadline_at
    assert {qid for qid, (answer, _) in _answers(attempt).items() if answer is not None} == set(
        saved
    )
    assert attempt.score_percent == round(300 / len(attempt.question_ids), 2)
    assert not attempt.passed


def test_autosave_after_the_deadline_saves_nothing(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    _expire(attempt)
    response = signed_in.post(f"/attempts/{attempt.id}/save", data=right_form(attempt))
    assert response.status_code == 409 and response.get_json()["saved"] is False
    assert _answers(attempt) == {}


def test_opening_an_expired_attempt_grades_what_was_saved(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    saved = dict(list(right_answers(attempt).items())[:1])
    signed_in.post(f"/attempts/{attempt.id}/save", data=form_for(attempt, saved))
    _expire(attempt)
    response = signed_in.get(f"/attempts/{attempt.id}")
    assert response.headers["Location"] == f"/attempts/{attempt.id}/review"
    assert flashes(signed_in.get(response.headers["Location"])) == [TIME_IS_UP]
    assert attempt.status == SUBMITTED and attempt.score_percent > 0


def test_submit_in_time_is_graded_normally(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    attempt.deadline_at = utcnow() + timedelta(seconds=30)
    db.session.commit()
    response = submit(signed_in, attempt, right_form(attempt), follow_redirects=True)
    assert flashes(response) == []
    assert attempt.passed and attempt.score_percent == 100


def test_racing_submissions_grade_once(app, trainee, live_content):
    """Two workers submit the same attempt at the same moment (real threads and connections)."""
    attempt = services.start_attempt(user_id=trainee.id, quiz_slug="welcome", live=live_content)
    right, wrong = right_answers(attempt), right_answers(attempt, wrong=attempt.question_ids)
    attempt_id = attempt.id
    barrier = threading.Barrier(2)
    results, failures = {}, []

    def worker(name, answers):
        try:
            with app.app_context():
                mine = db.session.get(QuizAttempt, attempt_id)
                assert mine.is_open
                barrier.wait(timeout=10)
                results[name] = services.submit_attempt(attempt=mine, answers=answers).graded_now
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [
        threading.Thread(target=worker, args=("right", right)),
        threading.Thread(target=worker, args=("wrong", wrong)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(results.values()) == [False, True]
    winner = right if results["right"] else wrong
    db.session.expire_all()
    stored = _answers(attempt)
    assert {qid: answer for qid, (answer, _) in stored.items()} == {
        qid: grading.validate(question, winner[qid], secret=attempt_secret(attempt))
        for qid, question in zip(attempt.question_ids, questions_of(attempt), strict=True)
    }
    assert attempt.score_percent == (100 if winner is right else 0)


@pytest.mark.parametrize("round_", range(5))
def test_two_quizzes_of_one_trainee_submitted_at_once_both_grade(
    app, trainee, live_content, round_
):
    """A module quiz and the exam (which draws that module's questions) submitted in the same
    instant from two tabs: both are graded, and every missed question has one review card."""
    started = [
        services.start_attempt(user_id=trainee.id, quiz_slug=slug, live=live_content)
        for slug in ("welcome", "final-exam")
    ]
    module_questions = set(started[0].question_ids)
    shared = module_questions & set(started[1].question_ids)
    assert shared, "the exam draws from the module quizzes"
    answers = {
        attempt.id: right_answers(attempt, wrong=attempt.question_ids) for attempt in started
    }
    barrier = threading.Barrier(2)
    graded, failures = [], []

    def worker(attempt_id):
        try:
            with app.app_context():
                mine = db.session.get(QuizAttempt, attempt_id)
                barrier.wait(timeout=10)
                result = services.submit_attempt(attempt=mine, answers=answers[attempt_id])
                graded.append(result.graded_now)
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(attempt.id,)) for attempt in started]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert graded == [True, True]
    db.session.expire_all()
    cards = ReviewCard.query.filter_by(user_id=trainee.id).all()
    missed = module_questions | set(started[1].question_ids)
    assert sorted(card.question_id for card in cards) == sorted(missed)
