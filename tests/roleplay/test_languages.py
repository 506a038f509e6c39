"""A conversation keeps the language it was started in: English buyer lines, English replies
scored against the English facts, an English scorecard."""

from tests.roleplay.helpers import (
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


def test_an_english_conversation_from_start_to_scorecard(in_english):
    conversation = start(in_english)
    assert conversation.lang == "en"
    scenario = scenario_of(conversation)
    html = main_html(workbench(in_english, conversation))
    assert shown(scenario.first_turn.buyer["en"]) in html
    assert shown(scenario.facts.product["en"]) in html
    assert "Practice: feedback after each reply." in html

    text = model_reply(conversation)
    assert text == scenario.first_turn.model["en"]
    reply(in_english, conversation, text)
    [saved] = saved_turns(conversation)
    expected = engine.score_reply(scenario, "open", text, "en", saved.seconds)
    assert saved.result == expected.to_dict() and saved.result["lang"] == "en"
    assert saved.score == 90
    html = main_html(workbench(in_english, conversation))
    assert feedback_scores(html) == [90]
    assert shown("Expected move 'greeting' found: +40") in html
    assert ("move", "sale price") in marked(html)
    assert shown(scenario.turn("counter").buyer["en"]) in html

    answered = [saved.turn_id] + play_model_path(in_english, conversation)
    assert answered == expected_path(scenario, "en")
    card = engine.model_path(scenario, "en").scorecard
    assert conversation.score == card.overall and conversation.passed

    html = main_html(result(in_english, conversation))
    assert f"Score {card.overall} / pass mark 70" in html
    assert '<strong class="pass">Passed</strong>' in html
    assert shown(scenario.ending(card.ending_id).buyer["en"]) in html
    assert "<summary>Model answer</summary>" in html
    for turn_id in answered:
        assert shown(scenario.turn(turn_id).model["en"]) in html
        assert shown(scenario.turn(turn_id).model["zh"]) not in html


def test_a_chinese_reply_in_an_english_conversation_earns_little(in_english):
    conversation = start(in_english)
    reply(in_english, conversation, scenario_of(conversation).first_turn.model["zh"])
    [saved] = saved_turns(conversation)
    assert saved.score < 50
    # The reason shown is the language the buyer cannot read, with the lesson; the reply is
    # not short, so it is not called a one-word reply.
    assert saved.result["flags"] == ["wrong_language"] and saved.result["violations"] == []
    html = main_html(workbench(in_english, conversation))
    assert feedback_scores(html) == [saved.score]
    assert shown("Reply not in the buyer's language: all of it is in Chinese") in html
    assert 'href="/lessons/scripts/greeting-and-polite-language#the-buyers-language"' in html
    assert "one-word" not in html


def test_an_english_reply_in_a_chinese_conversation_earns_little(signed_in):
    conversation = start(signed_in)
    assert conversation.lang == "zh"
    reply(signed_in, conversation, scenario_of(conversation).first_turn.model["en"])
    [saved] = saved_turns(conversation)
    assert saved.score < 50
    assert saved.result["flags"] == ["wrong_language"] and saved.result["violations"] == []
    html = main_html(workbench(signed_in, conversation))
    assert feedback_scores(html) == [saved.score]
    assert shown("未用买家的语言回复：全部是英文，用中文沟通的买家看不懂") in html
    assert 'href="/lessons/scripts/greeting-and-polite-language#the-buyers-language"' in html
    assert "回复过短" not in html


def test_a_short_reply_in_the_conversations_language_is_still_a_one_word_reply(in_english):
    conversation = start(in_english)
    reply(in_english, conversation, "ok")
    [saved] = saved_turns(conversation)
    assert saved.result["flags"] == [] and saved.score < 50
    # A violation on the first turn ends this scenario: the feedback is on the result page.
    html = main_html(result(in_english, conversation))
    assert shown("Violation 'one-word reply'") in html
    assert "not in the buyer's language" not in html


def test_switching_the_interface_language_keeps_the_conversations(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, model_reply(conversation))
    signed_in.post("/language", data={"locale": "en"})
    html = main_html(workbench(signed_in, conversation))
    scenario = scenario_of(conversation)
    # The interface is English; the buyer still speaks Chinese, and is answered in Chinese.
    assert "Your reply" in html
    assert shown(scenario.turn("counter").buyer["zh"]) in html
    assert shown(scenario.turn("counter").buyer["en"]) not in html
    reply(signed_in, conversation, model_reply(conversation))
    assert [turn.result["lang"] for turn in saved_turns(conversation)] == ["zh", "zh"]
    assert saved_turns(conversation)[1].score >= 70
    # A new conversation starts in the new language.
    assert start(signed_in).lang == "en"
