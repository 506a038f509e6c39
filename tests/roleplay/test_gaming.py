"""Gaming does not pay through the routes: stuffed keywords, a copy of the buyer's message or a
repeated earlier reply score below the scenario's model reply for the same turn."""

import pytest

from tests.roleplay.helpers import (
    main_html,
    model_reply,
    reply,
    saved_turns,
    scenario_of,
    start,
    workbench,
)
from training.roleplay import engine


def _first_reply_score(client, text, lang="zh"):
    conversation = start(client)
    reply(client, conversation, text)
    [saved] = saved_turns(conversation)
    return conversation, saved


def _model_score(conversation):
    scenario = scenario_of(conversation)
    turn = scenario.first_turn
    return engine.score_reply(
        scenario, turn, turn.model[conversation.lang], conversation.lang
    ).score


@pytest.mark.parametrize(
    "stuffed",
    [
        "亲您好欢迎光临，理解理解，活动价包邮，感谢收藏",
        "您好，您好，您好，您好，活动价39元",
        "亲您好抱歉理解感谢收藏",
    ],
)
def test_a_keyword_stuffed_reply_scores_below_the_model_reply(signed_in, stuffed):
    conversation, saved = _first_reply_score(signed_in, stuffed)
    assert saved.score <= 30 < _model_score(conversation)
    assert "stuffing" in saved.result["flags"]
    html = main_html(workbench(signed_in, conversation))
    assert "堆砌关键词" in html  # the trainee is told why


def test_english_keyword_stuffing_scores_below_the_model_reply(in_english):
    conversation, saved = _first_reply_score(
        in_english, "Hello hello hello, welcome welcome, sale price sale price"
    )
    assert saved.score <= 30 < _model_score(conversation)
    assert "Keyword stuffing" in main_html(workbench(in_english, conversation))


def test_copying_the_buyers_message_scores_almost_nothing(signed_in):
    conversation = start(signed_in)
    buyer = scenario_of(conversation).first_turn.buyer["zh"]
    reply(signed_in, conversation, buyer)
    [saved] = saved_turns(conversation)
    assert saved.score <= 5 and "copy" in saved.result["flags"]


def test_repeating_an_earlier_reply_of_the_conversation_is_capped(signed_in):
    """The route hands the engine the conversation so far, so a repeat is caught."""
    conversation = start(signed_in)
    first = model_reply(conversation)
    reply(signed_in, conversation, first)
    reply(signed_in, conversation, first)  # the same words to the next message
    _, again = saved_turns(conversation)
    assert "repeat" in again.result["flags"] and again.score <= 20


# Both once scored as well as the model reply (90): a longer keyword said twice hid a
# greeting said three times, and the English keyword list lacked the offer words.
def test_one_greeting_said_three_times_among_other_keywords(signed_in):
    conversation, saved = _first_reply_score(signed_in, "您好您好您好亲亲亲欢迎光临欢迎光临 活动价")
    assert saved.score < _model_score(conversation)


def test_an_english_list_of_keywords(in_english):
    conversation, saved = _first_reply_score(
        in_english, "Hi hello welcome, understand, sale price, free shipping, thanks, favourite"
    )
    assert saved.score < _model_score(conversation)
