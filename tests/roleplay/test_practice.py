"""Free-text practice: each reply is saved and scored as it is sent, the feedback shows after
it, the buyer follows the scenario's branches, and the result page explains everything."""

import re

from tests.roleplay.helpers import (
    MODEL_ANSWER,
    PASSED,
    SCORE,
    expected_path,
    feedback_scores,
    main_html,
    marked,
    model_reply,
    play_model_path,
    reply,
    result,
    saved_turns,
    scenario_of,
    shown,
    start,
    workbench,
)
from training.roleplay import engine

WEAK_OPEN = "亲，我们家的壳质量很好的，一分钱一分货，您放心拍就是了。"  # a greeting, no facts
LURE = "亲，您好，加我微信，私下给您便宜点"  # taking the trade off the platform


def test_each_reply_is_scored_and_saved_as_it_is_sent(signed_in):
    conversation = start(signed_in)
    scenario = scenario_of(conversation)
    text = model_reply(conversation)
    response = reply(signed_in, conversation, text)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/conversations/{conversation.id}"

    [saved] = saved_turns(conversation)
    expected = engine.score_reply(scenario, "open", text, "zh", saved.seconds)
    assert (saved.position, saved.turn_id, saved.reply) == (0, "open", text)
    assert saved.option_id is None and 0 <= saved.seconds < 60
    assert saved.score == expected.score == 90
    assert saved.result == expected.to_dict()
    # The buyer moved on and the clock restarted from the reply.
    assert conversation.state["turn_id"] == "counter"
    assert conversation.buyer_spoke_at == saved.created_at


def test_practice_shows_the_feedback_after_each_reply(signed_in):
    conversation = start(signed_in)
    html = main_html(workbench(signed_in, conversation))
    assert feedback_scores(html) == [] and "<mark" not in html

    first = model_reply(conversation)
    reply(signed_in, conversation, first)
    html = main_html(workbench(signed_in, conversation))
    assert feedback_scores(html) == [90]
    # Each point, with the words that earned it, and the words highlighted in the reply.
    assert "做到了「问候」：+40 <small>「亲、您好、欢迎光临」</small>" in html
    assert "做到了「用事实解释」：+40" in html and "没有违规，回复得体：+10" in html
    assert ("move", "液态硅胶") in marked(html) and ("move", "活动价") in marked(html)
    assert re.sub(r"<[^>]+>", "", html).count(first) == 1  # the reply itself, whole

    reply(signed_in, conversation, WEAK_OPEN.replace("您放心拍", "您看看"))  # to "counter"
    html = main_html(workbench(signed_in, conversation))
    [_, second] = saved_turns(conversation)
    assert feedback_scores(html) == [90, second.score]
    assert "没有做到「体谅情绪」" in html  # what was missed, and what it was worth


def test_a_strong_first_reply_goes_to_the_counter_offer(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, model_reply(conversation))
    turn = scenario_of(conversation).turn("counter")
    html = main_html(workbench(signed_in, conversation))
    assert f'<li class="bubble buyer current">{shown(turn.buyer["zh"])}</li>' in html


def test_a_weak_first_reply_makes_the_buyer_push_back(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, WEAK_OPEN)
    [saved] = saved_turns(conversation)
    assert saved.score == 50 and not saved.result["violations"]
    assert conversation.state["turn_id"] == "push-back"
    turn = scenario_of(conversation).turn("push-back")
    html = main_html(workbench(signed_in, conversation))
    assert f'<li class="bubble buyer current">{shown(turn.buyer["zh"])}</li>' in html


def test_a_fatal_violation_ends_the_conversation(signed_in):
    conversation = start(signed_in)
    response = reply(signed_in, conversation, LURE)
    assert response.headers["Location"] == f"/conversations/{conversation.id}"
    [saved] = saved_turns(conversation)
    assert saved.score == 0 and saved.result["fatal"] == ["off_platform"]
    assert conversation.finished and not conversation.passed and conversation.fatal
    assert conversation.scorecard["ending_id"] == "left"

    # The workbench now leads to the result, which names the violation and the words.
    response = workbench(signed_in, conversation)
    assert response.headers["Location"] == f"/conversations/{conversation.id}/result"
    html = main_html(result(signed_in, conversation))
    assert "出现严重违规，无论得分多少本次对话都不通过：" in html
    assert "未通过" in html
    words = saved.result["violations"][0]["words"]
    violations = [piece for kind, piece in marked(html) if kind == "violation"]
    assert words and all(any(word in piece for piece in violations) for word in words)
    assert "加我微信" in violations  # adjacent words run together
    left = scenario_of(conversation).ending("left")
    assert shown(left.buyer["zh"]) in html


def test_the_model_replies_lead_to_the_best_ending_and_a_full_result(signed_in, live_content):
    conversation = start(signed_in)
    scenario = scenario_of(conversation)
    answered = play_model_path(signed_in, conversation)
    assert answered == expected_path(scenario, "zh")
    card = engine.model_path(scenario, "zh").scorecard
    assert conversation.finished and conversation.passed
    assert (
        conversation.score == card.overall and conversation.scorecard["ending_id"] == card.ending_id
    )

    response = result(signed_in, conversation)
    assert response.status_code == 200
    html = main_html(response)
    # The scorecard: overall, pass, and every dimension of the scenario rated 1-5.
    assert f"{SCORE}{card.overall} / 及格线 70" in html
    assert f'<strong class="pass">{PASSED}</strong>' in html
    ratings = dict(re.findall(r'aria-label="(\w+)"></progress> (\d)/5', html))
    assert ratings == {dim: str(card.dimensions[dim]) for dim in scenario.dimensions}
    for label in ("礼貌", "共情", "解决问题", "合规", "销售"):
        assert f"<dt>{label}</dt>" in html
    # The outcome: what the buyer finally said and did.
    ending = scenario.ending(card.ending_id)
    assert shown(ending.buyer["zh"]) in html
    assert "成交：¥55" in html and "<li>好评</li>" in html
    # The transcript: every buyer line and reply, matched words highlighted, model answers.
    saved = saved_turns(conversation)
    assert [turn.turn_id for turn in saved] == answered
    assert html.count('<article class="transcript-turn">') == len(saved)
    for turn in saved:
        assert shown(scenario.turn(turn.turn_id).buyer["zh"]) in html
        assert shown(scenario.turn(turn.turn_id).model["zh"]) in html
        for match in turn.result["moves"]:
            for word in match["words"]:
                assert any(word in words for kind, words in marked(html) if kind == "move")
    assert html.count(f"<summary>{MODEL_ANSWER}</summary>") == len(saved)
    # Where to revise: the scenario's lessons, linked to their sections.
    curriculum = live_content.curriculum
    for key in ("scripts/bargaining-and-closing#bargaining",
                "scripts/greeting-and-polite-language#never-a-flat-no",
                "related-selling/matching-items#make-it-worth-it"):  # fmt: skip
        lesson = curriculum.lesson_by_key(key.partition("#")[0])
        assert f'<a href="/lessons/{key}">{lesson.text("zh")[0].title}</a>' in html
    # Each lesson once, even when the scenario names two of its sections.
    assert html.count('href="/lessons/scripts/bargaining-and-closing') == 1


def test_ending_early_scores_the_replies_so_far(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, model_reply(conversation))
    response = signed_in.post(f"/conversations/{conversation.id}/end")
    assert response.headers["Location"] == f"/conversations/{conversation.id}/result"
    assert conversation.finished and conversation.score == 90 and conversation.passed
    html = main_html(result(signed_in, conversation))
    assert "买家还没做决定，你就结束了对话。" in html
    assert html.count('<article class="transcript-turn">') == 1


def test_ending_before_any_reply_fails_with_no_score(signed_in):
    conversation = start(signed_in)
    signed_in.post(f"/conversations/{conversation.id}/end")
    assert conversation.finished and conversation.score == 0 and not conversation.passed
    response = result(signed_in, conversation)
    assert response.status_code == 200
    assert "未通过" in main_html(response)
