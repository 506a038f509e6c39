"""Question statistics: a supervisor sees how their own trainees did, question by question."""

import re

from markupsafe import escape

from tests.factories import PASSWORD, make_admin, make_supervisor, make_trainee
from tests.quizzes.helpers import main_html, take_quiz
from training.quizzes.services import start_attempt, start_practice, submit_attempt


def _rows(html):
    """{question id: (answers, facility %)} as the table shows them."""
    rows = {}
    for row in re.findall(r"<tr>\s*<td><small>(.*?)</tr>", html, re.S):
        question_id = row.split("</small>", 1)[0]
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        answered = int(cells[1])
        facility = int(re.search(r"</progress> (\d+)%", cells[2]).group(1))
        rows[question_id] = (answered, facility)
    return rows


def test_supervisor_sees_facility_for_their_trainees_only(app, client, auth, live_content):
    sam, sue = make_supervisor("sam"), make_supervisor("sue")
    amy = make_trainee("amy", supervisor=sam)
    ann = make_trainee("ann", supervisor=sam)
    bob = make_trainee("bob", supervisor=sue)
    take_quiz(amy, "welcome", live_content)
    take_quiz(ann, "welcome", live_content, wrong=["welcome-core-group"])
    take_quiz(bob, "conduct", live_content)
    # Practice attempts are not assessments and do not count.
    practice = start_practice(
        user_id=ann.id,
        quiz_slug="welcome",
        question_ids=["welcome-typing-speed"],
        live=live_content,
    )
    submit_attempt(attempt=practice, answers={"welcome-typing-speed": "不知道"})

    auth.login("sam")
    response = client.get("/quizzes/statistics")
    assert response.status_code == 200
    rows = _rows(main_html(response))
    welcome = {q.id for q in live_content.release.quizzes.quiz("welcome").questions}
    assert set(rows) == welcome  # nothing of bob's conduct quiz
    assert rows["welcome-core-group"] == (2, 50)
    assert rows["welcome-typing-speed"] == (2, 100)
    # Hardest first.
    assert list(rows)[0] == "welcome-core-group"

    other = app.test_client()
    other.post("/login", data={"username": "sue", "password": PASSWORD})
    rows = _rows(main_html(other.get("/quizzes/statistics")))
    assert set(rows) == {q.id for q in live_content.release.quizzes.quiz("conduct").questions}
    assert all(value == (1, 100) for value in rows.values())


def test_open_attempts_are_not_counted(client, auth, live_content):
    sam = make_supervisor("sam")
    amy = make_trainee("amy", supervisor=sam)
    start_attempt(user_id=amy.id, quiz_slug="welcome", live=live_content)
    auth.login("sam")
    assert _rows(main_html(client.get("/quizzes/statistics"))) == {}


def test_admin_sees_every_trainee(client, auth, live_content):
    take_quiz(make_trainee("amy", supervisor=make_supervisor("sam")), "welcome", live_content)
    take_quiz(make_trainee("bob", supervisor=make_supervisor("sue")), "conduct", live_content)
    make_admin()
    auth.login("boss")
    rows = _rows(main_html(client.get("/quizzes/statistics")))
    bank = live_content.release.quizzes
    assert set(rows) == {q.id for slug in ("welcome", "conduct") for q in bank.quiz(slug).questions}


def test_trainees_cannot_see_statistics(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    assert client.get("/quizzes/statistics").status_code == 403


def test_discrimination_separates_the_cohorts_strong_attempts_from_its_weak_ones(
    client, auth, live_content
):
    sam = make_supervisor("sam")
    for name in ("amy", "ann", "abe", "ava"):
        wrong = ["welcome-core-group"] if name in ("ann", "ava") else []
        take_quiz(make_trainee(name, supervisor=sam), "welcome", live_content, wrong=wrong)
    auth.login("sam")
    html = main_html(client.get("/quizzes/statistics"))
    discrimination = {
        row.split("</small>", 1)[0]: re.findall(r"<td>(.*?)</td>", row, re.S)[3]
        for row in re.findall(r"<tr>\s*<td><small>(.*?)</tr>", html, re.S)
    }
    # Only the weaker attempts missed it: the best attempt had it right, the worst wrong.
    assert discrimination["welcome-core-group"].startswith("1.00")
    assert "badge" not in discrimination["welcome-core-group"]
    # Everybody had this one right, so it tells nobody apart, and the page says to check it.
    assert discrimination["welcome-typing-speed"].startswith("0.00")
    assert "需检查" in discrimination["welcome-typing-speed"]


def test_each_question_names_and_links_the_lesson_it_tests(client, auth, live_content):
    sam = make_supervisor("sam")
    take_quiz(make_trainee("amy", supervisor=sam), "welcome", live_content)
    auth.login("sam")
    html = main_html(client.get("/quizzes/statistics"))
    for question in live_content.release.quizzes.quiz("welcome").questions:
        lesson = live_content.curriculum.lesson_by_key(question.lesson)
        row = re.search(rf"<small>{question.id}</small>.*?</tr>", html, re.S).group(0)
        assert f'href="/lessons/{lesson.module_slug}/{lesson.slug}"' in row
        assert str(escape(lesson.text("zh")[0].title)) in row


def test_the_explanation_names_the_share_of_attempts_the_discrimination_compares(
    client, auth, live_content
):
    make_supervisor("sam")
    auth.login("sam")
    chinese = main_html(client.get("/quizzes/statistics"))
    client.post("/language", data={"locale": "en"})
    english = main_html(client.get("/quizzes/statistics"))
    # The analysis compares the top and bottom 27% (quizzes.statistics), not quarters.
    assert "总分最高的 27% 作答" in chinese and "四分之一" not in chinese
    assert "the 27% of attempts with the highest scores" in english and "quarter" not in english
