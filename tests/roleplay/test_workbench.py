"""Starting a scenario: the workbench shows the buyer's first message, the case card and the
trainee's own quick replies, in the language the conversation was started in."""

import pytest

from tests.factories import make_trainee
from tests.roleplay.helpers import (
    SLUG,
    main_html,
    option_ids,
    option_values,
    scenario_of,
    shown,
    start,
    textarea_value,
    workbench,
)
from training.roleplay.models import Conversation


def _add_quick_reply(client, text):
    assert client.post("/quick-replies", data={"text": text}).status_code == 302


def test_start_in_practice_with_typed_replies_in_chinese(signed_in):
    _add_quick_reply(signed_in, "亲，您好！欢迎光临悦购小铺～")
    _add_quick_reply(signed_in, "感谢亲的支持，收藏店铺上新第一时间通知您～")
    conversation = start(signed_in)
    assert (conversation.mode, conversation.input, conversation.lang) == ("practice", "text", "zh")
    assert conversation.turns == [] and not conversation.finished

    response = workbench(signed_in, conversation)
    assert response.status_code == 200
    html = main_html(response)
    scenario = scenario_of(conversation)
    first = scenario.first_turn
    assert f'<li class="bubble buyer current">{shown(first.buyer["zh"])}</li>' in html
    assert html.count('class="bubble buyer') == 1  # only the first message so far
    # The persona and the case card, in Chinese.
    facts = scenario.facts
    assert scenario.persona.name["zh"] in html
    for text in (
        facts.product["zh"],
        "¥39",
        facts.address["zh"],
        facts.promotion["zh"],
        facts.bundle.item["zh"],
        facts.policy.gift["zh"],
        "尚未下单",  # order status "none"
        "你的权限：优惠最多 ¥5，补偿最多 ¥0，退款可以。",
    ):
        assert text in html, text
    # A box to type in, empty, no options; and the trainee's quick replies to insert.
    assert textarea_value(html) == "" and option_values(html) == []
    assert 'data-text="亲，您好！欢迎光临悦购小铺～"' in html
    assert 'data-text="感谢亲的支持，收藏店铺上新第一时间通知您～"' in html
    assert "练习模式：每次回复后都有点评。" in html
    assert first.buyer["en"] not in html and facts.product["en"] not in html


def test_start_assessed_with_choices_in_english(in_english):
    conversation = start(in_english, mode="assessed", input="choice")
    assert (conversation.mode, conversation.input, conversation.lang) == (
        "assessed",
        "choice",
        "en",
    )
    html = main_html(workbench(in_english, conversation))
    scenario = scenario_of(conversation)
    first = scenario.first_turn
    assert f'<li class="bubble buyer current">{shown(first.buyer["en"])}</li>' in html
    assert scenario.persona.name["en"] in html and "Haggler" in html
    for text in (scenario.facts.product["en"], scenario.facts.address["en"], "no order yet"):
        assert shown(text) in html, text
    # Every option of the turn, by its English text, and no box to type in.
    assert sorted(option_ids(html, conversation)) == [option.id for option in first.options]
    for option in first.options:
        assert shown(option.text["en"]) in html
        assert shown(option.text["zh"]) not in html
    assert textarea_value(html) is None
    assert 'class="quick-replies"' not in html  # nothing to insert when choosing
    assert "Assessed: your scorecard comes at the end." in html
    assert first.buyer["zh"] not in html


def test_quick_replies_on_the_workbench_are_the_trainees_own(signed_in, client, auth):
    make_trainee("bob")
    auth.logout()
    auth.login("bob")
    _add_quick_reply(client, "鲍勃的快捷短语")
    auth.logout()
    auth.login("amy")
    _add_quick_reply(client, "艾米的快捷短语")
    html = main_html(workbench(client, start(client)))
    assert "艾米的快捷短语" in html and "鲍勃的快捷短语" not in html


@pytest.mark.parametrize(
    "form", [{"mode": "exam"}, {"input": "voice"}, {"mode": "assessed", "input": ""}]
)
def test_start_refuses_unknown_modes(signed_in, form):
    response = signed_in.post(f"/scenarios/{SLUG}/start", data=form)
    assert response.status_code == 400
    assert Conversation.query.count() == 0


def test_start_refuses_unknown_scenarios(signed_in):
    assert signed_in.post("/scenarios/no-such-buyer/start").status_code == 404
    assert Conversation.query.count() == 0


def test_every_scenario_starts_and_shows_its_first_message(signed_in, live_content):
    for slug, scenario in live_content.release.scenarios.items():
        conversation = start(signed_in, slug)
        html = main_html(workbench(signed_in, conversation))
        assert shown(scenario.first_turn.buyer["zh"]) in html, slug
        assert shown(scenario.facts.product["zh"]) in html, slug
