"""The trainee's probation checklist (/probation) and its summary on the path page."""

from datetime import timedelta

from tests.probation.helpers import (
    IN_PROGRESS,
    NO_LIVE_YET,
    OVERDUE,
    READY,
    READY_NOTICE,
    bars,
    complete_all_lessons,
    criteria,
    main_html,
    make_ready,
    pass_exam,
    pass_live_roleplay,
    pass_module_quizzes,
    pass_typing,
    play_assessed,
    required_scenarios,
    text_of,
)
from tests.quizzes.helpers import complete_module, take_quiz
from training.clock import today
from training.extensions import db
from training.roleplay import services as roleplay
from training.roleplay.models import PRACTICE, TEXT

TITLES = ["课程", "模块测验", "转正考试", "模拟买家", "打字测试", "主管陪练"]
GO = "去完成"


def _checklist(client) -> str:
    response = client.get("/probation")
    assert response.status_code == 200
    return main_html(response)


def _summary(client) -> str:
    """The probation box on the path page."""
    html = main_html(client.get("/path"))
    return html.split('<article class="probation-summary">', 1)[1].split("</article>", 1)[0]


def test_a_new_trainee_sees_every_criterion_in_policy_order(signed_in, trainee):
    html = _checklist(signed_in)
    shown = criteria(html)
    assert list(shown) == TITLES
    assert {title: c["state"] for title, c in shown.items()} == dict.fromkeys(TITLES, "not_met")
    assert all(c["progress"] == 0 for c in shown.values())
    assert shown["课程"]["detail"] == "已完成 0 / 41 课"
    assert shown["模块测验"]["detail"] == "已通过 0 / 12 个测验"
    assert shown["转正考试"]["detail"] == "尚未参加；要求 80%"
    assert shown["模拟买家"]["detail"] == "已通过 0 / 14 个必考情景（考核模式）"
    assert shown["打字测试"]["detail"] == "要求 50 字/分钟、95%"
    assert shown["主管陪练"]["detail"] == NO_LIVE_YET
    # Hired 20 days ago on a 90-day probation.
    assert f"{IN_PROGRESS} · 还剩 70 天" in text_of(html)
    assert READY_NOTICE not in html
    # Every unmet criterion links to where it is done.
    assert html.count(GO) == 6
    for target in ("/path", "/scenarios", "/typing", "/live/"):
        assert f'href="{target}"' in html


def test_lesson_and_quiz_progress_move_as_evidence_is_added(signed_in, trainee, live_content):
    complete_module(trainee, live_content, "welcome")  # 3 lessons
    shown = criteria(_checklist(signed_in))
    assert shown["课程"]["detail"] == "已完成 3 / 41 课"
    assert shown["课程"]["progress"] == round(3 / 41 * 100) == 7
    assert shown["课程"]["state"] == "not_met"
    assert bars(_summary(signed_in))["课程"] == 7

    assert take_quiz(trainee, "welcome", live_content).passed
    # A failed quiz does not count.
    slug = list(live_content.release.quizzes.quizzes)[1]
    wrong = [q.id for q in live_content.release.quizzes.quiz(slug).questions]
    assert not take_quiz(trainee, slug, live_content, wrong=wrong).passed
    shown = criteria(_checklist(signed_in))
    assert shown["模块测验"]["detail"] == "已通过 1 / 12 个测验"
    assert shown["模块测验"]["progress"] == 8
    assert bars(_summary(signed_in))["模块测验"] == 8

    complete_all_lessons(trainee, live_content)
    shown = criteria(_checklist(signed_in))
    assert shown["课程"] == {"state": "met", "progress": 100, "detail": "已完成 41 / 41 课"}
    assert bars(_summary(signed_in))["课程"] == 100


def test_practice_runs_and_optional_scenarios_do_not_count(signed_in, trainee, live_content):
    slug = required_scenarios(live_content)[0]
    practice = roleplay.start_conversation(
        user_id=trainee.id, live=live_content, slug=slug, mode=PRACTICE, input=TEXT, lang="zh"
    )
    roleplay.end_conversation(conversation=practice)
    optional = next(s for s, sc in live_content.release.scenarios.items() if not sc.required)
    play_assessed(trainee, live_content, optional)
    assert criteria(_checklist(signed_in))["模拟买家"]["progress"] == 0

    assert play_assessed(trainee, live_content, slug).passed
    shown = criteria(_checklist(signed_in))["模拟买家"]
    assert shown["detail"].startswith("已通过 1 / 14 个必考情景（考核模式） · 平均 ")
    assert shown["progress"] == 7


def test_ready_once_everything_is_met_including_a_supervised_live_session(
    signed_in, trainee, live_content
):
    make_ready(trainee, live_content)
    html = _checklist(signed_in)
    shown = criteria(html)
    assert {title: c["state"] for title, c in shown.items()} == dict.fromkeys(TITLES, "met")
    assert all(shown[title]["progress"] == 100 for title in TITLES)
    assert shown["转正考试"]["detail"] == "最高 100%，要求 80%"
    assert shown["模拟买家"]["detail"].startswith("已通过 14 / 14 个必考情景（考核模式）")
    assert shown["打字测试"]["detail"].startswith("最好成绩 ")
    assert shown["打字测试"]["detail"].endswith("准确率 100% · 要求 50 字/分钟、95%")
    assert shown["主管陪练"]["detail"] == "最高 80%，要求 70%"
    page = text_of(html)
    assert f"{READY} · 还剩 70 天" in page
    assert READY_NOTICE in page
    assert GO not in html

    summary = text_of(_summary(signed_in))
    assert f"我的试用期: {READY} · 还剩 70 天" in summary
    assert bars(_summary(signed_in)) == dict.fromkeys(TITLES, 100)


def test_one_missing_criterion_keeps_the_trainee_in_progress(signed_in, trainee, live_content):
    complete_all_lessons(trainee, live_content)
    pass_module_quizzes(trainee, live_content)
    pass_exam(trainee, live_content)
    for slug in required_scenarios(live_content):
        play_assessed(trainee, live_content, slug)
    pass_live_roleplay(trainee, live_content)
    html = _checklist(signed_in)
    assert IN_PROGRESS in text_of(html) and READY_NOTICE not in html
    assert criteria(html)["打字测试"]["state"] == "not_met"
    assert html.count(GO) == 1 and 'href="/typing"' in html
    assert f"{IN_PROGRESS} · 还剩 70 天" in text_of(_summary(signed_in))

    pass_typing(trainee, live_content)
    assert READY in text_of(_checklist(signed_in))


def test_days_left_count_down_to_the_end_and_then_overdue(signed_in, trainee):
    trainee.probation_end = today()
    db.session.commit()
    assert "还剩 0 天" in text_of(_checklist(signed_in))

    trainee.probation_end = today() - timedelta(days=3)
    db.session.commit()
    page = text_of(_checklist(signed_in))
    assert f"{OVERDUE} · 已结束 3 天" in page
    summary = text_of(_summary(signed_in))
    assert f"我的试用期: {OVERDUE}" in summary and "还剩" not in summary


def test_without_a_probation_end_no_days_are_shown(signed_in, trainee):
    trainee.probation_end = None
    db.session.commit()
    page = text_of(_checklist(signed_in))
    assert "还剩" not in page and "已结束" not in page


def test_only_trainees_have_a_checklist(client, auth, supervisor, live_content):
    assert client.get("/probation").status_code == 302  # signed out: to the sign-in page
    auth.login(supervisor.username)
    assert client.get("/probation").status_code == 403
    assert client.get("/typing").status_code == 403
