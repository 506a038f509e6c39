"""The console's at-risk flags, its pages of rows, the cohort charts and weakest topics."""

import json
import re
from datetime import timedelta
from html import unescape

from benchmarks.supervisor_console import PASSWORD, seed_cohort
from tests.factories import make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import console_rows, main_html, make_ready, text_of
from tests.quizzes.helpers import complete_module, move_back, take_quiz
from training.clock import today
from training.extensions import db
from training.quizzes.services import weakest_topics_of
from training.supervisor.queries import PAGE_SIZE


def _flags(client, **query) -> dict[str, list[str]]:
    """Trainee name -> flag keys, as the table marks them."""
    html = main_html(client.get("/supervisor/trainees", query_string=query))
    flags = {}
    for row in re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>", 1)[1], re.S):
        name = re.search(r'<a href="/supervisor/trainees/\d+">(.*?)</a>', row)
        if name:
            flags[unescape(name.group(1))] = re.findall(r'data-flag="(\w+)"', row)
    return flags


def test_a_probation_past_its_end_without_a_decision_is_overdue(
    as_supervisor, supervisor, trainee, live_content
):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(100))
    cleo = make_trainee("cleo", name="Cleo", supervisor=supervisor, hire_date=hired_ago(100))
    make_ready(cleo, live_content)
    for person in (trainee, bob, cleo):
        complete_module(person, live_content, "welcome")  # active today
    trainee.probation_end = today() + timedelta(days=3)
    db.session.commit()
    flags = _flags(as_supervisor)
    assert flags["Amy Trainee"] == ["ending"]
    assert flags["Bob"] == ["overdue"]  # ten days past the end, not "ends within 7 days"
    assert flags["Cleo"] == ["overdue"]  # ready, yet nobody has signed off in time
    assert sorted(_flags(as_supervisor, show="at_risk")) == ["Amy Trainee", "Bob", "Cleo"]
    page = text_of(main_html(as_supervisor.get("/supervisor/trainees")))
    assert "7 天内到期" in page


def test_a_quiz_passed_after_three_fails_is_no_longer_a_risk(
    as_supervisor, supervisor, trainee, live_content
):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(20))
    wrong = [q.id for q in live_content.release.quizzes.quiz("welcome").questions]
    for person in (trainee, bob):
        complete_module(person, live_content, "welcome")
        for _ in range(3):
            latest = take_quiz(person, "welcome", live_content, wrong=wrong)
            move_back(latest, minutes=11)
    assert _flags(as_supervisor) == {"Amy Trainee": ["failing"], "Bob": ["failing"]}
    # A re-grade (a corrected answer key) turns Bob's latest attempt into a pass.
    latest.passed, latest.score_percent = True, 100.0
    db.session.commit()
    assert _flags(as_supervisor) == {"Amy Trainee": ["failing"], "Bob": []}


def test_weakest_topics_leave_out_topics_answered_fully_right(trainee, live_content):
    take_quiz(trainee, "welcome", live_content)
    assert weakest_topics_of(user_id=trainee.id, live=live_content) == []
    question = live_content.release.quizzes.quiz("welcome").questions[0]
    move_back(take_quiz(trainee, "welcome", live_content, wrong=[question.id]), minutes=11)
    topics = weakest_topics_of(user_id=trainee.id, live=live_content)
    assert [topic for topic, _, _ in topics] == [question.topic]
    assert all(mean < 1 for _, mean, _ in topics)


def test_a_large_cohort_is_shown_a_page_at_a_time_sorted_as_a_whole(client, app, live_content):
    seed_cohort(
        live_content,
        trainees=PAGE_SIZE + 5,
        attempts=1,
        conversations=1,
        answers=1,
        supervisor_username="big",
    )
    client.post("/login", data={"username": "big", "password": PASSWORD})
    first = console_rows(main_html(client.get("/supervisor/trainees?sort=name")))
    second = console_rows(main_html(client.get("/supervisor/trainees?sort=name&page=2")))
    assert len(first) == PAGE_SIZE and len(second) == 5
    names = [row["name"] for row in first + second]
    assert names == sorted(names)
    html = main_html(client.get("/supervisor/trainees?sort=name&page=99"))  # clamped
    assert console_rows(html) == second
    assert 'rel="prev"' in html and "show=all&amp;sort=name&amp;page=1" in html
    assert f"{PAGE_SIZE + 5} " in text_of(html)


def _chart_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_cohort_charts_draw_from_the_cohorts_own_records(client, auth, live_content):
    sam = make_supervisor("sam")
    amy = make_trainee("amy", supervisor=sam, hire_date=hired_ago(20))
    ben = make_trainee("ben", supervisor=sam, hire_date=hired_ago(20))
    carl = make_trainee("carl", supervisor=make_supervisor("sue"), hire_date=hired_ago(20))
    for person in (amy, ben, carl):
        complete_module(person, live_content, "welcome")
    right = take_quiz(amy, "welcome", live_content)
    question = live_content.release.quizzes.quiz("welcome").questions[0]
    missed = take_quiz(ben, "welcome", live_content, wrong=[question.id])
    take_quiz(carl, "conduct", live_content)
    lessons = len(live_content.curriculum.module("welcome").lessons)
    bank = live_content.release.quizzes

    auth.login("sam")
    response = client.get("/supervisor/charts")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data = _chart_data(html)
    assert data["progress"]["labels"][-1] == today().isoformat()
    lessons_line, quizzes_line = (series["data"] for series in data["progress"]["series"])
    assert lessons_line[-1] == 2 * lessons  # not carl's
    assert quizzes_line[-1] == int(right.passed) + int(missed.passed)
    quiz_scores = data["scores"]["series"][0]["data"]
    bands = [min(int(attempt.score_percent // 10), 9) for attempt in (right, missed)]
    assert quiz_scores == [bands.count(band) for band in range(10)]
    assert len(data["topics"]["labels"]) == 1  # only the topic ben missed; none at 100%
    on_topic = [q for q in right.question_ids if bank.question(q).topic == question.topic]
    answers = 2 * len(on_topic)
    assert data["topics"]["series"][0]["data"] == [round(100 * (answers - 1) / answers, 1)]
    # Drawn by static files only: the CSP forbids inline scripts.
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/chartjs/chart.umd.min.js" in html
    # Every chart has a table beside it.
    assert html.count("<details>") == 3


def test_cohort_charts_in_english_and_without_records(client, auth, live_content):
    make_supervisor("sam").locale = "en"
    db.session.commit()
    auth.login("sam")
    html = main_html(client.get("/supervisor/charts"))
    assert "Cohort progress over time" in html
    assert "No lesson completed or quiz passed yet." in html
    assert "<canvas" not in html
