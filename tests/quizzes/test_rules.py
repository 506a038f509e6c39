"""Attempt rules from the bank (3 attempts, 10 minutes after a fail), when the review shows the
key, and practising only the missed questions."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from markupsafe import escape

from tests.html import without_csrf_tokens
from tests.quizzes.helpers import (
    CORRECT_ANSWER,
    KEY_HIDDEN_NOTICE,
    NO_ATTEMPTS_LEFT,
    NOT_PASSED,
    PASSED,
    TRY_AGAIN_FROM,
    attempt_from,
    complete_module,
    flashes,
    main_html,
    move_back,
    questions_of,
    right_answers,
    right_form,
    start,
    submit,
)
from training.quizzes import grading
from training.quizzes.models import ASSESSED, PRACTICE, QuizAttempt
from training.quizzes.queries import passed_quizzes


def _fail(client, attempt):
    """Submit with only the first question answered (well under the 80% pass mark)."""
    form = right_form(attempt, skip=attempt.question_ids[1:])
    assert submit(client, attempt, form).status_code == 302
    assert attempt.passed is False
    return attempt


def test_module_quiz_settings_come_from_the_bank(live_content):
    settings = live_content.release.quizzes.quiz("welcome").settings
    assert (settings.max_attempts, settings.retake_delay_minutes, settings.pass_mark) == (3, 10, 80)
    assert settings.review == "after_pass"


def test_a_failed_attempt_means_waiting_ten_minutes(app, signed_in, live_content):
    first = _fail(signed_in, start(signed_in, "welcome"))
    response = signed_in.post("/quizzes/welcome/start", follow_redirects=True)
    [message] = flashes(response)
    # In the shop's time zone, not UTC.
    available = (first.submitted_at + timedelta(minutes=10)).replace(tzinfo=UTC)
    local = available.astimezone(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"]))
    assert message.startswith(TRY_AGAIN_FROM) and local.strftime("%H:%M:%S") in message
    assert QuizAttempt.query.count() == 1
    move_back(first, minutes=9)
    assert signed_in.post("/quizzes/welcome/start").headers["Location"] == "/quizzes/welcome"
    move_back(first, minutes=1, seconds=1)
    second = start(signed_in, "welcome")
    assert second.id != first.id


def test_three_attempts_and_no_more(signed_in, live_content):
    for _ in range(3):
        attempt = _fail(signed_in, start(signed_in, "welcome"))
        move_back(attempt, minutes=11)
    response = signed_in.post("/quizzes/welcome/start", follow_redirects=True)
    assert flashes(response) == [NO_ATTEMPTS_LEFT]
    assert NO_ATTEMPTS_LEFT in main_html(signed_in.get("/quizzes/welcome"))
    assert QuizAttempt.query.filter_by(mode=ASSESSED).count() == 3


def test_no_wait_after_a_pass(signed_in, live_content):
    first = start(signed_in, "welcome")
    submit(signed_in, first, right_form(first))
    assert first.passed
    assert start(signed_in, "welcome").id != first.id


def test_failed_review_hides_the_key_but_teaches(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    wrong = attempt.question_ids[:5]
    submit(signed_in, attempt, right_form(attempt, wrong=wrong))
    assert attempt.passed is False
    html = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert NOT_PASSED in html and KEY_HIDDEN_NOTICE in html
    assert CORRECT_ANSWER not in html and 'class="answer-lines key"' not in html
    for question in questions_of(attempt):
        assert escape(question.explanation["zh"]) in html
        module, lesson = question.lesson.split("/")
        link = f"/lessons/{module}/{lesson}" + (f"#{question.section}" if question.section else "")
        assert f'href="{link}"' in html


def test_the_review_teaches_in_the_interface_language(signed_in, live_content):
    attempt = _fail(signed_in, start(signed_in, "welcome"))
    question = questions_of(attempt)[0]
    lesson = live_content.curriculum.lesson_by_key(question.lesson)
    zh = without_csrf_tokens(main_html(signed_in.get(f"/attempts/{attempt.id}/review")))
    signed_in.post("/language", data={"locale": "en"})
    en = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert escape(question.explanation["zh"]) in zh
    assert escape(question.explanation["en"]) in en and escape(question.explanation["zh"]) not in en
    assert escape(f"Revise: {lesson.texts['en'].title}") in en
    assert "Revise:" not in zh and escape(lesson.texts["zh"].title) in zh
    signed_in.post("/language", data={"locale": "zh_CN"})
    assert without_csrf_tokens(main_html(signed_in.get(f"/attempts/{attempt.id}/review"))) == zh


def test_passed_review_shows_the_key(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    wrong = [qid for qid in attempt.question_ids if _question(attempt, qid).type == "single"][:1]
    submit(signed_in, attempt, right_form(attempt, wrong=wrong))
    assert attempt.passed
    html = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert PASSED in html and KEY_HIDDEN_NOTICE not in html
    assert html.count(CORRECT_ANSWER) == 1  # under the one question answered wrongly
    assert escape(grading.key(_question(attempt, wrong[0]), "zh")[0]) in html


def test_key_is_shown_once_no_attempts_are_left(signed_in, live_content):
    for _ in range(3):
        attempt = _fail(signed_in, start(signed_in, "welcome"))
        move_back(attempt, minutes=11)
    html = main_html(signed_in.get(f"/attempts/{attempt.id}/review"))
    assert KEY_HIDDEN_NOTICE not in html and CORRECT_ANSWER in html


def test_a_failed_attempt_shows_the_key_once_a_later_one_passed(signed_in, live_content):
    first = _fail(signed_in, start(signed_in, "welcome"))
    assert KEY_HIDDEN_NOTICE in main_html(signed_in.get(f"/attempts/{first.id}/review"))
    move_back(first, minutes=11)
    second = start(signed_in, "welcome")
    submit(signed_in, second, right_form(second))
    assert second.passed
    html = main_html(signed_in.get(f"/attempts/{first.id}/review"))
    assert KEY_HIDDEN_NOTICE not in html and CORRECT_ANSWER in html


def _question(attempt, question_id):
    return next(q for q in questions_of(attempt) if q.id == question_id)


def test_retake_only_what_i_missed(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    wrong = attempt.question_ids[:4]
    skipped = attempt.question_ids[4:6]
    submit(signed_in, attempt, right_form(attempt, wrong=wrong, skip=skipped))
    assert not attempt.passed
    practice = attempt_from(signed_in.post(f"/attempts/{attempt.id}/practice"))
    assert practice.mode == PRACTICE and practice.quiz_slug == "welcome"
    assert sorted(practice.question_ids) == sorted(wrong + skipped)
    assert "练习：你答错的题" in main_html(signed_in.get(f"/attempts/{practice.id}"))

    submit(signed_in, practice, right_form(practice))
    assert practice.score_percent == 100 and practice.passed is None
    assert "welcome" not in passed_quizzes(practice.user_id)
    # The practice neither passes the quiz nor uses an attempt or starts the wait.
    overview = main_html(signed_in.get("/quizzes/welcome"))
    assert "剩余 2 次" in overview
    path = main_html(signed_in.get("/path"))
    assert "测验已通过" not in path
    response = signed_in.post("/quizzes/welcome/start", follow_redirects=True)
    assert any(m.startswith(TRY_AGAIN_FROM) for m in flashes(response))  # the failed attempt's


def test_nothing_to_practise_after_a_perfect_attempt(signed_in, live_content):
    attempt = start(signed_in, "welcome")
    submit(signed_in, attempt, right_form(attempt))
    response = signed_in.post(f"/attempts/{attempt.id}/practice", follow_redirects=True)
    assert flashes(response) == ["没有需要练习的题：你全部答对了。"]
    assert QuizAttempt.query.count() == 1


def test_practice_attempts_do_not_count_toward_the_limit(signed_in, live_content):
    attempt = _fail(signed_in, start(signed_in, "welcome"))
    for _ in range(3):
        practice = attempt_from(signed_in.post(f"/attempts/{attempt.id}/practice"))
        submit(signed_in, practice, right_form(practice, wrong=practice.question_ids))
    move_back(attempt, minutes=11)
    second = start(signed_in, "welcome")
    assert second.mode == ASSESSED and second.id != attempt.id
    answers = right_answers(second)
    assert submit(signed_in, second, right_form(second)).status_code == 302
    assert second.passed and len(answers) == len(second.question_ids)


def test_a_module_quiz_opens_with_its_module(signed_in, trainee, live_content):
    html = main_html(signed_in.get("/quizzes/conduct"))
    assert "模块开放后才能参加这个测验。" in html and 'action="/quizzes/conduct/start"' not in html
    assert signed_in.post("/quizzes/conduct/start").status_code == 403
    complete_module(trainee, live_content, "welcome")
    assert start(signed_in, "conduct").quiz_slug == "conduct"
