"""An attempt belongs to the release it was taken on; re-grading against a newer one is a
deliberate act that records old -> new."""

import pytest
from markupsafe import escape

from tests.quizzes.helpers import main_html, right_form, start, submit, take_quiz
from training.quizzes import grading
from training.quizzes.models import AttemptAnswer, Regrade

QUIZ = "modules/01-welcome/quiz.yaml"
QUESTION = "welcome-core-group"
# In the shipped quiz option b ("Phone accessories") is right; the new release makes it a.
OLD_OPTIONS = """      - id: a
        zh: "小家电"
        en: "Small home appliances"
      - id: b
        zh: "手机配件"
        en: "Phone accessories"
        correct: true
"""
NEW_OPTIONS = """      - id: a
        zh: "小家电"
        en: "Small home appliances"
        correct: true
      - id: b
        zh: "手机配件"
        en: "Phone accessories"
"""


@pytest.fixture
def new_files(content_files):
    assert content_files[QUIZ].count(OLD_OPTIONS) == 1
    return {**content_files, QUIZ: content_files[QUIZ].replace(OLD_OPTIONS, NEW_OPTIONS)}


def _row(attempt, question_id=QUESTION):
    return AttemptAnswer.query.filter_by(attempt_id=attempt.id, question_id=question_id).one()


def test_a_past_score_stays_when_a_new_release_changes_the_key(
    signed_in, live_content, new_files, publish
):
    attempt = start(signed_in, "welcome")
    submit(signed_in, attempt, right_form(attempt))
    assert attempt.score_percent == 100 and _row(attempt).answer == "b"

    new = publish(new_files)
    assert new.id != live_content.id
    assert grading.correct_answer(new.release.quizzes.question(QUESTION), secret="") == "a"
    assert attempt.score_percent == 100 and attempt.passed and _row(attempt).correct
    # The review still grades and explains against the release the attempt was taken on.
    html = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert "不到 100" not in html and "得分：100%" in html
    assert html.count('class="review-item right"') == len(attempt.question_ids)
    assert Regrade.query.count() == 0


def test_an_open_attempt_is_graded_against_its_own_release(
    signed_in, live_content, new_files, publish
):
    attempt = start(signed_in, "welcome")
    publish(new_files)
    form = right_form(attempt)  # built from the release the attempt was started on
    assert submit(signed_in, attempt, form).status_code == 302
    assert attempt.release_id == live_content.id
    assert attempt.score_percent == 100 and _row(attempt).answer == "b"


def test_new_attempts_use_the_new_release(signed_in, live_content, new_files, publish):
    new = publish(new_files)
    attempt = start(signed_in, "welcome")
    assert attempt.release_id == new.id
    submit(signed_in, attempt, right_form(attempt))
    assert attempt.score_percent == 100 and _row(attempt).answer == "a"


def test_regrade_on_purpose_records_old_and_new(runner, trainee, live_content, new_files, publish):
    changed = take_quiz(trainee, "welcome", live_content)
    other = take_quiz(trainee, "conduct", live_content)
    publish(new_files)

    result = runner.invoke(args=["quizzes", "regrade"])
    assert result.exit_code == 0, result.output
    total = len(changed.question_ids)
    new_score = round((total - 1) * 100 / total, 2)
    assert f"attempt {changed.id}: 100 -> {new_score:g}" in result.output
    assert "1 attempt(s) changed" in result.output

    regrade = Regrade.query.one()
    assert (regrade.attempt_id, regrade.old_score, regrade.new_score) == (
        changed.id,
        100,
        new_score,
    )
    assert changed.score_percent == new_score and changed.passed  # 94% still passes
    assert _row(changed).correct is False and _row(changed).score == 0
    assert other.score_percent == 100

    again = runner.invoke(args=["quizzes", "regrade"])
    assert "0 attempt(s) changed" in again.output and Regrade.query.count() == 1


def test_regrade_can_be_limited_to_one_quiz(runner, trainee, live_content, new_files, publish):
    attempt = take_quiz(trainee, "welcome", live_content)
    publish(new_files)
    result = runner.invoke(args=["quizzes", "regrade", "--quiz", "conduct"])
    assert "0 attempt(s) changed" in result.output
    assert attempt.score_percent == 100
    result = runner.invoke(args=["quizzes", "regrade", "--quiz", "welcome"])
    assert "1 attempt(s) changed" in result.output


def test_review_after_a_regrade_matches_the_new_grades(
    signed_in, runner, live_content, new_files, publish
):
    attempt = start(signed_in, "welcome")
    submit(signed_in, attempt, right_form(attempt))
    new = publish(new_files)
    runner.invoke(args=["quizzes", "regrade"])
    html = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert html.count('class="review-item wrong"') == 1
    # The key shown is the one the attempt was re-graded with.
    key = grading.key(new.release.quizzes.question(QUESTION), "zh")[0]
    assert escape(key) in html.split('class="answer-lines key"', 1)[1].split("</ul>", 1)[0]
