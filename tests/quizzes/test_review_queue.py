"""Spaced review: missed questions enter the trainee's queue and come back when due."""

from datetime import timedelta

from tests.quizzes.helpers import (
    CORRECT_ANSWER,
    attempt_from,
    flashes,
    main_html,
    right_form,
    start,
    submit,
    take_quiz,
)
from training.clock import utcnow
from training.extensions import db
from training.quizzes.models import REVIEW, QuizAttempt, ReviewCard

DUE = "有 {} 道题待复习。"
NONE_DUE = "目前没有待复习的题。"


def _make_due(user_id):
    for card in ReviewCard.query.filter_by(user_id=user_id):
        card.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_missed_questions_enter_the_queue(signed_in, trainee, live_content):
    attempt = start(signed_in, "welcome")
    wrong, skipped = attempt.question_ids[:3], attempt.question_ids[3:4]
    submit(signed_in, attempt, right_form(attempt, wrong=wrong, skip=skipped))
    cards = ReviewCard.query.filter_by(user_id=trainee.id).all()
    assert sorted(card.question_id for card in cards) == sorted(wrong + skipped)
    assert all(card.due_at > attempt.submitted_at for card in cards)
    # Not due yet: the path says none are, and offers no review.
    path = main_html(signed_in.get("/path"))
    assert NONE_DUE in path and 'action="/review"' not in path


def test_the_path_shows_due_reviews_and_starts_a_session(signed_in, trainee, live_content):
    attempt = start(signed_in, "welcome")
    wrong = attempt.question_ids[:3]
    submit(signed_in, attempt, right_form(attempt, wrong=wrong))
    _make_due(trainee.id)
    path = main_html(signed_in.get("/path"))
    assert DUE.format(3) in path and 'action="/review"' in path
    signed_in.post("/language", data={"locale": "en"})
    assert "3 questions are due for review." in main_html(signed_in.get("/path"))
    signed_in.post("/language", data={"locale": "zh_CN"})

    review = attempt_from(signed_in.post("/review"))
    assert review.mode == REVIEW and sorted(review.question_ids) == sorted(wrong)
    assert review.deadline_at is None
    assert "间隔复习" in main_html(signed_in.get(f"/attempts/{review.id}"))

    # Answered right, the cards move on and are no longer due.
    submit(signed_in, review, right_form(review))
    assert review.score_percent == 100 and review.passed is None
    assert NONE_DUE in main_html(signed_in.get("/path"))
    assert all(card.due_at > utcnow() for card in ReviewCard.query)
    # A review session is not an attempt at the quiz.
    assert QuizAttempt.query.filter_by(quiz_slug="welcome").count() == 1


def test_nothing_due_says_so(signed_in, live_content):
    response = signed_in.post("/review", follow_redirects=True)
    assert flashes(response) == ["目前没有需要复习的题，做得好！"]
    assert QuizAttempt.query.count() == 0


def test_known_questions_do_not_enter_the_queue(trainee, live_content):
    take_quiz(trainee, "welcome", live_content)
    assert ReviewCard.query.count() == 0


def test_a_review_does_not_give_away_the_key_of_a_quiz_still_to_retake(
    signed_in, trainee, live_content
):
    """A missed question is due for review a minute later, well before the retake."""
    attempt = start(signed_in, "welcome")
    submit(signed_in, attempt, right_form(attempt, wrong=attempt.question_ids[:5]))
    assert not attempt.passed
    _make_due(trainee.id)
    review = attempt_from(signed_in.post("/review"))
    submit(signed_in, review, right_form(review, wrong=review.question_ids))
    html = main_html(signed_in.get(f"/attempts/{review.id}/review"))
    assert CORRECT_ANSWER not in html


def test_a_review_shows_the_key_of_passed_quizzes(signed_in, trainee, live_content):
    attempt = start(signed_in, "welcome")
    submit(signed_in, attempt, right_form(attempt, wrong=attempt.question_ids[:2]))
    assert attempt.passed
    _make_due(trainee.id)
    review = attempt_from(signed_in.post("/review"))
    submit(signed_in, review, right_form(review, wrong=review.question_ids))
    html = main_html(signed_in.get(f"/attempts/{review.id}/review"))
    assert html.count(CORRECT_ANSWER) == 2
    assert "trainee-of" not in html  # the trainee is not told whose review it is
