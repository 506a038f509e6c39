"""The supervisor's console: "my trainees" with progress, readiness and at-risk flags, the filters
and sorts, and one trainee's record."""

from datetime import timedelta

import pytest
from markupsafe import escape

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import (
    DECIDED,
    FLAG_ENDING,
    FLAG_FAILING,
    FLAG_INACTIVE,
    IN_PROGRESS,
    OVERDUE,
    READY,
    age_activity,
    complete_all_lessons,
    console_rows,
    extend,
    main_html,
    make_ready,
    pass_typing,
    play_assessed,
    required_scenarios,
    text_of,
)
from tests.quizzes.helpers import complete_module, move_back, take_quiz
from training.clock import today
from training.extensions import db
from training.probation import services as probation
from training.quizzes.models import QuizAttempt

AREAS = ["课程", "模块测验", "转正考试", "模拟买家", "打字测试", "主管陪练"]


def _console(client, **query) -> list[dict]:
    response = client.get("/supervisor/trainees", query_string=query)
    assert response.status_code == 200
    return console_rows(main_html(response))


def _by_name(rows) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


def _fail_quiz(trainee, live, slug="welcome", times=3) -> None:
    wrong = [q.id for q in live.release.quizzes.quiz(slug).questions]
    for _ in range(times):
        attempt = take_quiz(trainee, slug, live, wrong=wrong)
        assert attempt.passed is False
        move_back(attempt, minutes=11)  # past the retake delay


def _confirm(trainee, supervisor, live) -> None:
    probation.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="confirmed", reason="达标", live=live
    )


def test_a_supervisor_sees_only_their_own_trainees(client, auth, supervisor, trainee, live_content):
    make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(10))
    tom = make_supervisor("tom")
    make_trainee("carl", name="Carl", supervisor=tom, hire_date=hired_ago(10))
    make_trainee("dora", name="Dora", hire_date=hired_ago(10))  # nobody's yet
    auth.login(supervisor.username)
    assert sorted(row["name"] for row in _console(client)) == ["Amy Trainee", "Bob"]
    auth.logout()
    auth.login("tom")
    assert [row["name"] for row in _console(client)] == ["Carl"]
    auth.logout()
    auth.login(make_admin().username)
    assert sorted(row["name"] for row in _console(client)) == ["Amy Trainee", "Bob", "Carl", "Dora"]


def test_a_supervisor_without_trainees_is_told_so(client, auth, live_content):
    make_supervisor("tom")
    auth.login("tom")
    page = text_of(main_html(client.get("/supervisor/trainees")))
    assert "还没有分配给你的学员。" in page
    page = text_of(main_html(client.get("/supervisor/trainees?show=ready")))
    assert "没有符合条件的学员。" in page


def test_trainees_cannot_open_the_console(signed_in, trainee):
    assert signed_in.get("/supervisor/trainees").status_code == 403
    assert signed_in.get(f"/supervisor/trainees/{trainee.id}").status_code == 403


def test_progress_bars_by_area_and_readiness(as_supervisor, supervisor, trainee, live_content):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(10))
    make_trainee("cleo", name="Cleo", supervisor=supervisor, hire_date=hired_ago(100))
    dan = make_trainee("dan", name="Dan", supervisor=supervisor, hire_date=hired_ago(30))
    complete_module(trainee, live_content, "welcome")
    take_quiz(trainee, "welcome", live_content)
    make_ready(bob, live_content)
    make_ready(dan, live_content)
    _confirm(dan, supervisor, live_content)

    rows = _by_name(_console(as_supervisor))
    amy = rows["Amy Trainee"]
    assert list(amy["bars"]) == AREAS
    assert amy["bars"] == {
        "课程": 7,
        "模块测验": 8,
        "转正考试": 0,
        "模拟买家": 0,
        "打字测试": 0,
        "主管陪练": 0,
    }
    assert (amy["state"], amy["state_label"]) == ("in_progress", IN_PROGRESS)
    assert amy["days_left"] == "70"
    assert rows["Bob"]["bars"] == dict.fromkeys(AREAS, 100)
    assert (rows["Bob"]["state"], rows["Bob"]["state_label"]) == ("ready", READY)
    assert (rows["Cleo"]["state"], rows["Cleo"]["state_label"]) == ("overdue", OVERDUE)
    assert rows["Cleo"]["days_left"] == "-10"
    assert (rows["Dan"]["state"], rows["Dan"]["state_label"]) == ("decided", DECIDED)


def test_inactive_for_three_days_is_flagged(as_supervisor, supervisor, trainee, live_content):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(20))
    complete_module(trainee, live_content, "welcome")
    complete_module(bob, live_content, "welcome")
    take_quiz(bob, "welcome", live_content)
    play_assessed(bob, live_content, required_scenarios(live_content)[0])
    pass_typing(bob, live_content)
    rows = _by_name(_console(as_supervisor))
    assert rows["Amy Trainee"]["flags"] == rows["Bob"]["flags"] == []

    age_activity(trainee.id, 2.9)
    age_activity(bob.id, 3.1)
    rows = _by_name(_console(as_supervisor))
    assert rows["Amy Trainee"]["flags"] == []
    assert rows["Bob"]["flags"] == [FLAG_INACTIVE]

    # Any recent activity clears it: here a typing test.
    pass_typing(bob, live_content)
    assert _by_name(_console(as_supervisor))["Bob"]["flags"] == []


def test_a_trainee_with_no_activity_at_all(as_supervisor, supervisor, trainee):
    """Nothing done for three days after being hired is a risk; a first day is not."""
    make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=today())
    make_trainee("cleo", name="Cleo", supervisor=supervisor, hire_date=hired_ago(1))
    rows = _by_name(_console(as_supervisor))
    assert rows["Amy Trainee"]["flags"] == [FLAG_INACTIVE]  # hired 20 days ago, nothing since
    assert rows["Bob"]["flags"] == rows["Cleo"]["flags"] == []


def test_the_same_quiz_failed_three_times_is_flagged(
    as_supervisor, supervisor, trainee, live_content
):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(20))
    _fail_quiz(trainee, live_content, "welcome", times=2)
    _fail_quiz(trainee, live_content, "conduct", times=2)
    _fail_quiz(bob, live_content, "welcome", times=3)
    complete_module(trainee, live_content, "welcome")  # not inactive
    complete_module(bob, live_content, "welcome")
    rows = _by_name(_console(as_supervisor))
    assert rows["Amy Trainee"]["flags"] == []  # twice each is not three times the same
    assert rows["Bob"]["flags"] == [FLAG_FAILING]
    assert QuizAttempt.query.filter_by(user_id=bob.id, passed=False).count() == 3


def test_ending_within_seven_days_and_not_ready_is_flagged(
    as_supervisor, supervisor, trainee, live_content
):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(20))
    cleo = make_trainee("cleo", name="Cleo", supervisor=supervisor, hire_date=hired_ago(20))
    make_ready(bob, live_content)
    complete_module(trainee, live_content, "welcome")
    complete_module(cleo, live_content, "welcome")
    for person, days in ((trainee, 7), (bob, 3), (cleo, 8)):
        person.probation_end = today() + timedelta(days=days)
    db.session.commit()
    rows = _by_name(_console(as_supervisor))
    assert rows["Amy Trainee"]["flags"] == [FLAG_ENDING]
    assert rows["Bob"]["flags"] == []  # ready: only the sign-off is missing
    assert rows["Cleo"]["flags"] == []  # eight days left


def test_a_decided_probation_is_no_longer_at_risk(as_supervisor, supervisor, trainee, live_content):
    make_ready(trainee, live_content)
    _confirm(trainee, supervisor, live_content)
    trainee.probation_end = today() + timedelta(days=2)
    db.session.commit()
    age_activity(trainee.id, 10)
    (row,) = _console(as_supervisor)
    assert row["state"] == "decided" and row["flags"] == []
    assert _console(as_supervisor, show="at_risk") == []


def test_filters_show_at_risk_and_ready(as_supervisor, supervisor, trainee, live_content):
    bob = make_trainee("bob", name="Bob", supervisor=supervisor, hire_date=hired_ago(20))
    cleo = make_trainee("cleo", name="Cleo", supervisor=supervisor, hire_date=hired_ago(20))
    make_ready(bob, live_content)
    complete_module(cleo, live_content, "welcome")  # active, in progress, not at risk
    # Amy has done nothing for twenty days.
    names = lambda rows: sorted(row["name"] for row in rows)  # noqa: E731
    assert names(_console(as_supervisor)) == ["Amy Trainee", "Bob", "Cleo"]
    assert names(_console(as_supervisor, show="all")) == ["Amy Trainee", "Bob", "Cleo"]
    assert names(_console(as_supervisor, show="at_risk")) == ["Amy Trainee"]
    assert names(_console(as_supervisor, show="ready")) == ["Bob"]
    assert names(_console(as_supervisor, show="nonsense")) == ["Amy Trainee", "Bob", "Cleo"]
    html = main_html(as_supervisor.get("/supervisor/trainees?show=ready"))
    assert '<option value="ready" selected>' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Anna", "Ben", "Cara"]),
        ("days_left", ["Cara", "Anna", "Ben"]),
        (None, ["Cara", "Anna", "Ben"]),  # the default
        ("bogus", ["Cara", "Anna", "Ben"]),
        ("readiness", ["Ben", "Anna", "Cara"]),  # most progress first
        ("activity", ["Cara", "Anna", "Ben"]),  # longest idle first
    ],
)
def test_sort_options(client, auth, live_content, sort, expected):
    supervisor = make_supervisor("tom")
    anna = make_trainee("anna", name="Anna", supervisor=supervisor, hire_date=hired_ago(50))
    ben = make_trainee("ben", name="Ben", supervisor=supervisor, hire_date=hired_ago(10))
    cara = make_trainee("cara", name="Cara", supervisor=supervisor, hire_date=hired_ago(80))
    complete_module(anna, live_content, "welcome")
    complete_all_lessons(ben, live_content)
    complete_module(cara, live_content, "welcome")
    age_activity(cara.id, 5)
    age_activity(anna.id, 1)
    auth.login("tom")
    query = {"sort": sort} if sort else {}
    assert [row["name"] for row in _console(client, **query)] == expected


def test_the_trainee_page_shows_the_whole_record(
    as_supervisor, client, supervisor, trainee, live_content
):
    slug = required_scenarios(live_content)[0]
    conversation = play_assessed(trainee, live_content, slug)
    complete_module(trainee, live_content, "welcome")
    passed = take_quiz(trainee, "welcome", live_content)
    extend(trainee, supervisor, live_content, days=20, reason="需要更多练习。")
    response = as_supervisor.get(f"/supervisor/trainees/{trainee.id}")
    assert response.status_code == 200
    html = main_html(response)
    page = text_of(html)
    assert "Amy Trainee" in page and "amy" in page
    assert f"试用期 · {IN_PROGRESS}" in page
    assert '<ul class="checklist">' in html and "已完成 3 / 41 课" in page
    # The conversation, with a link to its transcript, which the supervisor may open.
    title = live_content.release.scenarios[slug].title["zh"]
    assert str(escape(title)) in html
    link = f'href="/conversations/{conversation.id}/result"'
    assert link in html
    assert as_supervisor.get(f"/conversations/{conversation.id}/result").status_code == 200
    # The quiz attempt, with its review.
    assert f'href="/attempts/{passed.id}/review"' in html
    assert "100%" in page
    # The decision.
    assert "已延期" in page and "需要更多练习。" in page
    assert 'name="outcome"' in html  # an extension leaves the form open


def test_exam_attempts_are_named_on_the_trainee_page(as_supervisor, trainee, live_content):
    make_ready(trainee, live_content)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    quizzes = html.split("<tbody>")[-1]  # the quiz attempts table comes last
    assert "<td>转正考试</td>" in quizzes and "final-exam</td>" not in quizzes
    assert "<td>欢迎加入</td>" in quizzes


def test_a_trainee_page_without_records(as_supervisor, trainee):
    page = text_of(main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}")))
    assert "还没有" in page
    assert "决定记录" not in page


SCRIPT = '<script>alert("x")</script>'


def test_names_are_escaped_on_the_console_and_the_certificate(
    client, auth, supervisor, live_content
):
    evil = make_trainee("evil", name=SCRIPT, supervisor=supervisor, hire_date=hired_ago(20))
    make_ready(evil, live_content)
    _confirm(evil, supervisor, live_content)
    supervisor.name = f"Sam {SCRIPT}"
    db.session.commit()
    escaped = str(escape(SCRIPT))
    auth.login(supervisor.username)
    urls = ("/supervisor/trainees", f"/supervisor/trainees/{evil.id}", f"/certificate/{evil.id}")
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert SCRIPT not in page, url
        assert escaped in page, url
    assert console_rows(main_html(client.get("/supervisor/trainees")))[0]["name"] == SCRIPT
    auth.logout()
    auth.login("evil")
    for url in ("/probation", f"/certificate/{evil.id}", "/path"):
        assert SCRIPT not in client.get(url).get_data(as_text=True), url
