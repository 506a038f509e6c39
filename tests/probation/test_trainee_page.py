"""The supervisor's trainee page: the activity timeline (newest first, grouped by day in the
supervisor's timezone, limited, a bounded number of queries) and the typing test results."""

import re
from datetime import datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from sqlalchemy import event

from tests.factories import make_cohort, make_supervisor, make_trainee
from tests.probation.helpers import (
    extend,
    main_html,
    play_assessed,
    required_scenarios,
    start_typing,
)
from tests.quizzes.helpers import complete_module, take_quiz
from training.curriculum.models import LessonProgress
from training.extensions import db
from training.probation import services as probation
from training.probation.models import ProbationDecision
from training.quizzes.models import PRACTICE as QUIZ_PRACTICE
from training.quizzes.models import SUBMITTED, QuizAttempt
from training.roleplay import engine, live_services
from training.roleplay import services as roleplay
from training.roleplay.models import PRACTICE, TEXT, Conversation
from training.supervisor import queries

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _english(client) -> None:
    assert client.post("/language", data={"locale": "en"}).status_code == 302


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """A naive UTC moment in November 2026, as the database stores it."""
    return datetime(2026, 11, day, hour, minute)


def _timeline(html: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(day heading, [(kind, time, text)]) of the timeline, in page order."""
    part = html.split('<div class="timeline">', 1)[1]
    days = []
    for heading, body in re.findall(
        r'<section class="timeline-day">\s*<h3>(.*?)</h3>(.*?)</section>', part, re.S
    ):
        events = [
            (kind, clock, " ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()))
            for kind, clock, text in re.findall(
                r'<li class="event event-(\w+)"><time[^>]*>(.*?)</time>(.*?)</li>', body, re.S
            )
        ]
        days.append((unescape(heading), events))
    return days


def _fill_a_record(trainee, supervisor, live):
    """One event of every kind at known moments around midnight in Shanghai (16:00 UTC)."""
    complete_module(trainee, live, "welcome")
    lessons = db.session.scalars(
        db.select(LessonProgress).filter_by(user_id=trainee.id).order_by(LessonProgress.id)
    ).all()
    for n, progress in enumerate(lessons):
        progress.completed_at = _at(19, 2, n)  # 10:0n in Shanghai on the 19th
    quiz = take_quiz(trainee, "welcome", live)
    quiz.submitted_at = _at(20, 15, 30)  # 23:30 on the 20th
    conversation = play_assessed(trainee, live, required_scenarios(live)[0])
    conversation.finished_at = _at(20, 16, 10)  # 00:10 on the 21st
    typing = start_typing(trainee, live)
    typing.started_at = _at(21, 1)
    db.session.commit()
    probation.submit_typing(
        attempt=typing, typed=probation.passage_of(typing).text, now=_at(21, 1, 2)
    )
    roleplay.comment_on_turn(
        turn=conversation.turns[0], author=supervisor, body="Greet first.", now=_at(21, 3)
    )
    roleplay.override_score(
        conversation=conversation,
        author=supervisor,
        score=60,
        fatal=False,
        reason="Too stiff.",
        now=_at(21, 4),
    )
    extend(trainee, supervisor, live)
    # Back-dated with a plain UPDATE: the audit log refuses edits made through the ORM.
    db.session.execute(db.update(ProbationDecision).values(decided_at=_at(21, 5)))
    db.session.commit()
    return len(lessons), quiz, conversation


def test_the_timeline_shows_every_kind_newest_first_by_day_in_shanghai(
    as_supervisor, supervisor, trainee, live_content
):
    lessons, quiz, conversation = _fill_a_record(trainee, supervisor, live_content)
    _english(as_supervisor)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    days = _timeline(html)
    assert [heading for heading, _ in days] == [
        "Saturday, November 21, 2026",
        "Friday, November 20, 2026",
        "Thursday, November 19, 2026",
    ]
    kinds = [[kind for kind, _, _ in events] for _, events in days]
    assert kinds == [
        ["decision", "override", "comment", "typing", "conversation"],
        ["quiz"],
        ["lesson"] * lessons,
    ]
    saturday = {kind: (clock, text) for kind, clock, text in days[0][1]}
    assert saturday["conversation"][0] == "00:10"  # 16:10 UTC is past midnight in Shanghai
    assert days[1][1][0][1] == "23:30"
    assert "extended" in saturday["decision"][1] and "More practice." in saturday["decision"][1]
    assert "Sam Supervisor" in saturday["decision"][1]
    assert "Too stiff." in saturday["override"][1] and "→ 60" in saturday["override"][1]
    assert "reply 1" in saturday["comment"][1] and "Greet first." in saturday["comment"][1]
    assert "score 60 (overridden)" in saturday["conversation"][1]
    assert "Not passed" in saturday["conversation"][1]
    assert "中文" in saturday["typing"][1] and "Passed" in saturday["typing"][1]
    first_lesson = live_content.curriculum.module("welcome").lessons[0].text("en")[0].title
    assert days[2][1][-1][2] == f"Completed the lesson {first_lesson}"
    # The links lead to the quiz review and the conversation's transcript.
    assert f'href="/attempts/{quiz.id}/review"' in html
    assert f'href="/conversations/{conversation.id}/result#turn-1"' in html
    assert "Show more" not in html


def test_the_timeline_is_limited_with_a_link_to_more(
    as_supervisor, supervisor, trainee, live_content
):
    lessons, _, _ = _fill_a_record(trainee, supervisor, live_content)
    total = lessons + 6
    _english(as_supervisor)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}?limit=4"))
    shown = [kind for _, events in _timeline(html) for kind, _, _ in events]
    assert shown == ["decision", "override", "comment", "typing"]
    assert f'href="/supervisor/trainees/{trainee.id}?limit=54#timeline"' in html
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}?limit=54"))
    assert sum(len(events) for _, events in _timeline(html)) == total
    assert "Show more" not in html
    # Nonsense limits fall back to something sensible instead of failing.
    for limit in ("0", "-5", "abc", "100000"):
        response = as_supervisor.get(f"/supervisor/trainees/{trainee.id}?limit={limit}")
        assert response.status_code == 200, limit


def test_the_page_costs_the_same_queries_however_long_the_record(
    as_supervisor, supervisor, trainee, live_content
):
    def count_queries() -> int:
        statements = []

        def record(*args):
            statements.append(args[2])

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = as_supervisor.get(f"/supervisor/trainees/{trainee.id}?limit=3")
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        assert response.status_code == 200
        return len(statements)

    empty = count_queries()
    _fill_a_record(trainee, supervisor, live_content)
    _add_practice(trainee, live_content, queries.TABLE_ROWS + 5)
    db.session.expire_all()
    assert count_queries() == empty == 19


def _add_practice(trainee, live, count: int, *, day: int = 10):
    """``count`` finished practice conversations and submitted practice quiz attempts, one of
    each a minute, the newest last."""
    slug = required_scenarios(live)[0]
    state = engine.state_to_dict(engine.start(live.release.scenarios[slug]))
    quiz = live.release.quizzes.quiz("welcome")
    conversations, attempts = [], []
    for n in range(count):
        at = _at(day, 1) + timedelta(minutes=n)
        conversations.append(
            Conversation(
                user_id=trainee.id,
                scenario_slug=slug,
                release_id=live.id,
                mode=PRACTICE,
                input=TEXT,
                lang="en",
                state=state,
                started_at=at,
                buyer_spoke_at=at,
                finished_at=at + timedelta(seconds=30),
                score=float(n),
                passed=False,
            )
        )
        attempts.append(
            QuizAttempt(
                user_id=trainee.id,
                quiz_slug="welcome",
                mode=QUIZ_PRACTICE,
                release_id=live.id,
                question_ids=[q.id for q in quiz.questions],
                seed=n,
                started_at=at,
                submitted_at=at + timedelta(seconds=30),
                status=SUBMITTED,
                score_percent=float(n),
            )
        )
    db.session.add_all(conversations + attempts)
    db.session.commit()
    return conversations, attempts


def _table_links(html: str, table: str, link: str) -> list[int]:
    """The ids in the links of one of the page's tables, in page order."""
    part = html.split(f'<h2 id="{table}">', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(link, part)]


def test_long_records_show_their_newest_rows_and_all_on_request(
    as_supervisor, trainee, live_content
):
    # An assessed quiz answered fully right, older than every practice row after it.
    assessed = take_quiz(trainee, "welcome", live_content)
    assessed.started_at, assessed.submitted_at = _at(9, 1), _at(9, 2)
    db.session.commit()
    conversations, attempts = _add_practice(trainee, live_content, queries.TABLE_ROWS + 3)
    newest_conversations = [c.id for c in reversed(conversations)]
    newest_attempts = [a.id for a in reversed(attempts)]
    page = f"/supervisor/trainees/{trainee.id}"
    _english(as_supervisor)

    html = unescape(main_html(as_supervisor.get(f"{page}?limit=100")))
    shown = _table_links(html, "conversations", r'href="/conversations/(\d+)/result"')
    assert shown == newest_conversations[: queries.TABLE_ROWS]
    assert f"The newest {queries.TABLE_ROWS} of {len(conversations)}." in html
    shown = _table_links(html, "attempts", r'href="/attempts/(\d+)/review"')
    assert shown == newest_attempts[: queries.TABLE_ROWS]
    assert f"The newest {queries.TABLE_ROWS} of {len(attempts) + 1}." in html
    # The assessed attempt is off the table, yet its answers still tell the weakest topics.
    assert "No weak topic: every quiz answer so far is fully right." in html
    # The timeline reads its own events: it still shows every one of them.
    events = [kind for _, day in _timeline(html) for kind, _, _ in day]
    assert events.count("quiz") == len(attempts) + 1
    assert events.count("conversation") == len(conversations)

    assert f'href="{page}?limit=100&conversations=all#conversations"' in html
    html = unescape(main_html(as_supervisor.get(f"{page}?limit=100&conversations=all")))
    shown = _table_links(html, "conversations", r'href="/conversations/(\d+)/result"')
    assert shown == newest_conversations
    assert f"of {len(conversations)}." not in html
    # The other table's link keeps what the page already shows.
    assert f'href="{page}?limit=100&conversations=all&attempts=all#attempts"' in html
    html = unescape(main_html(as_supervisor.get(f"{page}?conversations=all&attempts=all")))
    assert (
        len(_table_links(html, "attempts", r'href="/attempts/(\d+)/review"')) == len(attempts) + 1
    )
    assert "Show all" not in html


def test_the_timeline_shows_the_live_sessions_they_practised_in(
    as_supervisor, supervisor, trainee, live_content
):
    cohort = make_cohort()
    trainee.cohort_id = cohort.id
    peer = make_trainee("bob", supervisor=make_supervisor("zoe"), cohort=cohort)
    slug = required_scenarios(live_content)[0]
    assessed = live_services.open_session(
        opener=supervisor, partner=trainee, live=live_content, slug=slug, topic="", lang="en"
    )
    live_services.close_session(session=assessed, user=supervisor)
    ratings = dict.fromkeys(live_services.dimensions_of(assessed), 4)
    live_services.score_session(
        session=assessed, supervisor=supervisor, ratings=ratings, comments=""
    )
    practised = live_services.open_session(
        opener=peer, partner=trainee, live=None, slug=None, topic="Refund request", lang="en"
    )
    # Playing the buyer for a trainee of another supervisor: that transcript is not Sam's.
    as_buyer = live_services.open_session(
        opener=trainee, partner=peer, live=None, slug=None, topic="Late parcel", lang="en"
    )
    for session, hour in ((assessed, 2), (practised, 3), (as_buyer, 4)):
        session.opened_at = _at(21, hour)
    db.session.commit()
    _english(as_supervisor)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    [(_, events)] = _timeline(html)
    title = live_content.release.scenarios[slug].title["en"]
    assert events == [
        ("live", "11:00", "Live role-play: Refund request (peer practice) in progress"),
        ("live", "10:00", f"Live role-play: {title} scorecard 80%"),
    ]
    assert f'href="/live/{practised.id}"' in html and f'href="/live/{assessed.id}"' in html
    assert "Late parcel" not in html


def test_another_supervisor_sees_nothing_of_the_timeline(
    client, auth, supervisor, trainee, live_content
):
    make_supervisor("tom")
    auth.login("tom")
    assert client.get(f"/supervisor/trainees/{trainee.id}?limit=10").status_code == 404


def test_no_activity_yet(as_supervisor, trainee):
    _english(as_supervisor)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    assert "No activity yet." in html and "No typing tests yet." in html


def _typing_rows(html: str) -> list[list[str]]:
    table = html.split('<table class="striped typing-results">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [" ".join(unescape(re.sub(r"<[^>]+>", " ", cell)).split()) for cell in cells]
        for cells in (re.findall(r"<td>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:])
    ]


def test_typing_results_against_the_policys_thresholds(as_supervisor, trainee, live_content):
    criterion = live_content.release.probation.criterion("typing")
    fast = start_typing(trainee, live_content, "en")
    slow = start_typing(trainee, live_content, "zh")
    sloppy = start_typing(trainee, live_content, "zh")
    open_test = start_typing(trainee, live_content, "zh")
    for attempt, day, cpm, accuracy in (
        (fast, 18, criterion.chars_per_minute + 10, 99.0),
        (slow, 19, criterion.chars_per_minute - 1, 100.0),
        (sloppy, 20, criterion.chars_per_minute + 30, criterion.accuracy - 0.5),
    ):
        attempt.started_at = _at(day, 2)
        attempt.submitted_at = _at(day, 2, 1)
        attempt.chars_per_minute, attempt.accuracy = cpm, accuracy
        attempt.typed = "..."
        attempt.passed = True  # whatever was saved, the page judges by the live policy
    open_test.started_at = _at(21, 2)
    db.session.commit()
    _english(as_supervisor)
    html = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    rows = _typing_rows(html)
    assert [row[1:] for row in rows] == [
        ["中文", "—", "—", "Not submitted"],
        [
            "中文",
            f"{criterion.chars_per_minute + 30}",
            f"{criterion.accuracy - 0.5:.1f}%",
            "Not passed",
        ],
        ["中文", f"{criterion.chars_per_minute - 1}", "100.0%", "Not passed"],
        ["English", f"{criterion.chars_per_minute + 10}", "99.0%", "Passed"],
    ]
    assert rows[-1][0].startswith("11/18/26")  # 02:01 UTC is 10:01 in Shanghai, same day
    policy = f"{criterion.chars_per_minute} characters a minute at {criterion.accuracy}% accuracy"
    assert policy in unescape(html)


def test_weakest_topics_are_named_by_the_lesson_they_test(as_supervisor, trainee, live_content):
    question = live_content.release.quizzes.quiz("welcome").questions[0]
    take_quiz(trainee, "welcome", live_content, wrong=[question.id])
    lesson = live_content.curriculum.lesson_by_key(question.lesson)

    html = unescape(main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}")))

    weakest = html.split("最薄弱的主题", 1)[1].split("</ul>", 1)[0]
    assert f"<li>{lesson.text('zh')[0].title} — " in weakest
    assert question.topic not in weakest


def test_weakest_topics_tell_no_answers_from_all_answers_right(
    as_supervisor, trainee, live_content
):
    def weakest() -> str:
        html = unescape(main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}")))
        return html.split("最薄弱的主题", 1)[1].split("</article>", 1)[0]

    assert "还没有测验作答" in weakest()
    take_quiz(trainee, "welcome", live_content)
    assert "暂无薄弱主题：目前所有测验题都答对了。" in weakest()
