"""A trainee passes the welcome quiz in Chinese, then the final exam in English, in a browser.

The right choices come from the question bank, found on the page by what the trainee reads:
the option's text, the step beside a position select, the item on the left of a match.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_trainee
from tests.quizzes.helpers import complete_module, take_quiz
from training.accounts.models import User
from training.curriculum.queries import live_release, release_by_id
from training.curriculum.services import sync_content
from training.extensions import db
from training.quizzes import grading
from training.quizzes.models import QuizAttempt

SAVED = {"zh": "已保存", "en": "Saved"}
SUBMIT = {"zh": "提交答案", "en": "Submit my answers"}


def _attempt_questions(app, page):
    """The attempt the page shows, and its questions in the page's order, from the bank."""
    attempt_id = int(re.search(r"/attempts/(\d+)$", page.url).group(1))
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        bank = release_by_id(attempt.release_id).release.quizzes
        return attempt_id, [bank.question(qid) for qid in attempt.question_ids]


def _exact(page, text):
    return page.get_by_text(text, exact=True)


def _answer(page, box, question, lang):
    """Answer one question right, the way a trainee would on this page."""
    kind, data = question.type, question.data
    if kind in ("single", "case", "multiple"):
        for option in data.options:
            if option.correct:
                box.get_by_label(option.text[lang], exact=True).check()
    elif kind == "true_false":
        yes, no = grading.TRUE_FALSE_LABELS[lang]
        box.get_by_label(yes if data.answer else no, exact=True).check()
    elif kind == "ordering":
        for position, item in enumerate(data.items, 1):
            row = box.locator(".ordering-row", has=_exact(page, item.text[lang]))
            row.locator("select").select_option(str(position))
    elif kind == "matching":
        for pair in data.pairs:
            row = box.locator(".matching-row", has=_exact(page, pair.left[lang]))
            row.locator("select").select_option(label=pair.right[lang])
    elif kind == "short":
        box.locator("input[type=text]").fill(data.accepted[lang][0])
    else:
        raise AssertionError(kind)


def _answer_everything(app, page, lang, name):
    attempt_id, questions = _attempt_questions(app, page)
    boxes = page.locator("fieldset.question")
    assert boxes.count() == len(questions)
    for index, question in enumerate(questions):
        box = boxes.nth(index)
        assert question.prompt[lang] in box.locator("legend").inner_text()
        if index == len(questions) - 1:
            # Wait for the autosave after the last answer.
            with page.expect_response(lambda r: r.url.endswith(f"/attempts/{attempt_id}/save")):
                _answer(page, box, question, lang)
        else:
            _answer(page, box, question, lang)
        if index == 2:
            page.locator(".save-status").get_by_text(SAVED[lang]).wait_for()
            screenshot(page, f"{name}-autosaved")
    page.locator(".save-status").get_by_text(SAVED[lang]).wait_for()
    return attempt_id, questions


def test_trainee_passes_the_welcome_quiz_then_the_exam(live_server, page, content_files):
    app, base = live_server
    with app.app_context():
        sync_content(files=content_files)
        trainee = make_trainee("amy")
        complete_module(trainee, live_release(), "welcome")
        trainee_id = trainee.id

    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("amy")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="我的学习路径").wait_for()

    # The welcome quiz, in Chinese, opened from the path.
    page.locator("#module-welcome").get_by_role("link", name="模块测验").click()
    page.get_by_role("button", name="开始测验").click()
    page.locator("fieldset.question").first.wait_for()
    screenshot(page, "quiz-zh-start")
    attempt_id, questions = _answer_everything(app, page, "zh", "quiz-zh")

    # Typing is saved too, without leaving the field first.
    short = next(q for q in questions if q.type == "short")
    typed = short.data.accepted["zh"][1]
    field = page.locator("fieldset.question").nth(questions.index(short)).locator("input")
    with page.expect_response(lambda r: r.url.endswith(f"/attempts/{attempt_id}/save")):
        field.fill(typed)
    page.locator(".save-status").get_by_text(SAVED["zh"]).wait_for()

    # Everything was saved: a reload (a lost connection) shows the same answers.
    page.reload()
    first = next(q for q in questions if q.type == "single")
    box = page.locator("fieldset.question").nth(questions.index(first))
    right = next(o for o in first.data.options if o.correct)
    assert box.get_by_label(right.text["zh"], exact=True).is_checked()
    box = page.locator("fieldset.question").nth(questions.index(short))
    assert box.locator("input[type=text]").input_value() == typed
    screenshot(page, "quiz-zh-answered")

    page.get_by_role("button", name=SUBMIT["zh"]).click()
    page.wait_for_url(f"{base}/attempts/{attempt_id}/review")
    page.locator("strong.pass").get_by_text("已通过").wait_for()
    assert "得分：100%" in page.locator("hgroup").inner_text()
    assert page.locator("article.review-item.right").count() == len(questions)
    screenshot(page, "quiz-zh-review")
    page.goto(f"{base}/path")
    assert "测验已通过" in page.locator("#module-welcome").inner_text()

    # Every other module quiz passed (through the services); the exam opens, in English.
    with app.app_context():
        live = live_release()
        for slug in live.release.quizzes.quizzes:
            if slug != "welcome":
                assert take_quiz(db.session.get(User, trainee_id), slug, live).passed
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="My path").wait_for()
    page.get_by_text("Every module quiz is passed: the final exam is open.").wait_for()
    page.get_by_role("link", name="Open the final exam").click()
    page.get_by_role("button", name="Start the final exam").click()
    page.locator("fieldset.question").first.wait_for()
    assert page.locator("fieldset.question").count() == 40
    # The page says "Time left"; its script adds the countdown once it runs.
    expect(page.locator(".timer")).to_have_text(re.compile(r"Time left (59|60):\d\d"))
    screenshot(page, "exam-en-start")
    attempt_id, questions = _answer_everything(app, page, "en", "exam-en")
    screenshot(page, "exam-en-answered")

    page.get_by_role("button", name=SUBMIT["en"]).click()
    page.wait_for_url(f"{base}/attempts/{attempt_id}/review")
    page.locator("strong.pass").get_by_text("Passed").wait_for()
    assert "Score: 100%" in page.locator("hgroup").inner_text()
    screenshot(page, "exam-en-review")
    page.goto(f"{base}/path")
    exam_box = page.locator(".path-extras article").filter(has_text="Probation exam")
    assert "Passed" in exam_box.inner_text() and "100%" in exam_box.inner_text()
    screenshot(page, "path-en-exam-passed")
