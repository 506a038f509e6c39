"""The final exam: locked until every module quiz is passed, then a balanced draw of 40."""

from collections import Counter
from datetime import timedelta

from tests.factories import make_trainee
from tests.quizzes.helpers import (
    flashes,
    main_html,
    pass_every_module_quiz,
    questions_of,
    right_form,
    start,
    submit,
    take_quiz,
)
from training.quizzes.models import QuizAttempt
from training.quizzes.services import start_attempt

EXAM = "final-exam"
LOCKED = "通过所有模块测验后才能参加转正考试。"


def test_exam_settings_come_from_exam_yaml(live_content):
    exam = live_content.release.quizzes.exam
    assert (exam.slug, exam.questions, exam.balance) == (EXAM, 40, ("module", "difficulty"))
    assert exam.settings.time_limit_minutes == 60 and exam.settings.max_attempts == 2


def test_exam_is_locked_until_every_module_quiz_is_passed(signed_in, trainee, live_content):
    slugs = list(live_content.release.quizzes.quizzes)
    assert len(slugs) == 12
    for slug in slugs[:-1]:
        take_quiz(trainee, slug, live_content)
    take_quiz(trainee, slugs[-1], live_content, skip=_all(slugs[-1], live_content))
    html = main_html(signed_in.get(f"/quizzes/{EXAM}"))
    assert LOCKED in html and f'action="/quizzes/{EXAM}/start"' not in html
    assert signed_in.post(f"/quizzes/{EXAM}/start").status_code == 403
    assert "已通过 11 / 12 个模块测验。" in main_html(signed_in.get("/path"))
    assert QuizAttempt.query.filter_by(quiz_slug=EXAM).count() == 0


def test_a_failed_quiz_keeps_it_locked(signed_in, trainee, live_content):
    for slug in live_content.release.quizzes.quizzes:
        wrong = _all(slug, live_content) if slug == "welcome" else []
        take_quiz(trainee, slug, live_content, wrong=wrong)
    assert signed_in.post(f"/quizzes/{EXAM}/start").status_code == 403


def _all(slug, live):
    return [q.id for q in live.release.quizzes.quiz(slug).questions]


def test_unlocked_exam_draws_forty_balanced_questions(signed_in, trainee, live_content):
    pass_every_module_quiz(trainee, live_content)
    html = main_html(signed_in.get(f"/quizzes/{EXAM}"))
    assert LOCKED not in html and f'action="/quizzes/{EXAM}/start"' in html
    attempt = start(signed_in, EXAM)
    assert len(attempt.question_ids) == 40 == len(set(attempt.question_ids))
    questions = questions_of(attempt)
    per_module = Counter(q.module_slug for q in questions)
    assert set(per_module) == set(live_content.release.quizzes.quizzes)
    assert set(per_module.values()) <= {3, 4}
    # Within a module the share is spread over the difficulties the module has.
    bank = live_content.release.quizzes
    for module, count in per_module.items():
        drawn = {q.difficulty for q in questions if q.module_slug == module}
        available = {q.difficulty for q in bank.quiz(module).questions}
        assert len(drawn) == min(count, len(available)), module
    assert attempt.deadline_at - attempt.started_at == timedelta(minutes=60)
    # The paper is not laid out module by module.
    modules = [q.module_slug for q in questions]
    assert modules != sorted(modules, key=list(bank.quizzes).index)

    # Another trainee gets another paper.
    other = make_trainee("bob")
    pass_every_module_quiz(other, live_content)
    theirs = start_attempt(user_id=other.id, quiz_slug=EXAM, live=live_content)
    assert theirs.question_ids != attempt.question_ids


def test_passing_the_exam_shows_on_the_path(signed_in, trainee, live_content):
    pass_every_module_quiz(trainee, live_content)
    path = main_html(signed_in.get("/path"))
    assert "所有模块测验已通过：转正考试已开放。" in path
    attempt = start(signed_in, EXAM)
    response = submit(signed_in, attempt, right_form(attempt), follow_redirects=True)
    assert flashes(response) == []
    assert attempt.passed and attempt.score_percent == 100
    path = main_html(signed_in.get("/path"))
    extras = path.split('class="grid path-extras"', 1)[1]
    exam_box = extras.split("转正考试", 1)[1].split("</article>", 1)[0]
    assert "已通过" in exam_box and "100%" in exam_box
