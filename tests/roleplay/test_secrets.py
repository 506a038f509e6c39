"""The workbench never gives the rubric away: no option labels, model answers or calibration
replies in any mode, and no scores at all in assessed mode until the scorecard."""

import re

import pytest

from tests.roleplay.helpers import (
    SCORE,
    choose,
    clean_option,
    current_turn,
    main_html,
    model_reply,
    reply,
    saved_turns,
    scenario_of,
    shown,
    start,
    workbench,
)
from training.roleplay import engine

# The trainee's own replies and the feedback on them: earned, so left out of the search.
EARNED = re.compile(
    r'<li class="feedback">.*?</ul>\s*</li>|<li class="bubble agent">.*?</li>', re.S
)


def _visible_texts(scenario, lang):
    """Everything of the scenario the workbench may legitimately show."""
    facts = scenario.facts
    texts = [scenario.title[lang], scenario.persona.name[lang], facts.product[lang]]
    for turn in scenario.turns:
        texts.append(turn.buyer[lang])
        texts.extend(option.text[lang] for option in turn.options)
    return "\n".join(texts)


def _secrets(scenario, lang):
    """(what, text) of the rubric data: option labels, model answers, calibration replies."""
    found = []
    for turn in scenario.turns:
        for option in turn.options:
            for name in option.moves + option.violations:
                found.append(("label", name))
                found.extend(("label", label) for label in engine.LABELS[name])
        if turn.model:
            found.extend(("model", turn.model[code]) for code in ("zh", "en"))
    # Short replies ("OK", "不行。") would be found in any page; longer ones are telling.
    found.extend(
        ("calibration", example.reply)
        for example in scenario.calibration
        if len(example.reply) >= 8
    )
    visible = _visible_texts(scenario, lang).lower()
    # A secret that is also something the buyer says or an option reads is not given away.
    return {(what, text) for what, text in found if text.lower() not in visible}


def _leaks(html, scenario, lang):
    """The rubric data in the page, outside the replies already sent and their feedback."""
    page = EARNED.sub("", html)
    return sorted(
        (what, text)
        for what, text in _secrets(scenario, lang)
        if text in page or shown(text) in page
    )


def _assert_no_scores(html):
    assert SCORE not in html and "Score" not in html
    assert 'class="feedback"' not in html and 'class="points"' not in html
    assert "<mark" not in html and "+40" not in html and "此处应做到" not in html


@pytest.mark.parametrize("mode", ["practice", "assessed"])
@pytest.mark.parametrize("input_kind", ["text", "choice"])
def test_the_workbench_holds_no_rubric_data_on_any_turn(signed_in, mode, input_kind):
    conversation = start(signed_in, mode=mode, input=input_kind)
    scenario = scenario_of(conversation)
    assert _secrets(scenario, "zh")  # there is something to give away
    pages = 0
    while not conversation.finished:
        html = main_html(workbench(signed_in, conversation))
        pages += 1
        assert _leaks(html, scenario, "zh") == []
        if mode == "assessed":
            _assert_no_scores(html)
        if input_kind == "text":
            reply(signed_in, conversation, model_reply(conversation))
        else:
            choose(signed_in, conversation, clean_option(current_turn(conversation)))
    assert pages == len(saved_turns(conversation)) >= 5


def test_practice_feedback_is_about_the_reply_sent_only(signed_in):
    """After a reply the practice page explains its points, and still not the model answer."""
    conversation = start(signed_in)
    scenario = scenario_of(conversation)
    reply(signed_in, conversation, "亲，您好，这款手机壳是39元哦。")
    html = main_html(workbench(signed_in, conversation))
    assert 'class="feedback"' in html
    assert shown(scenario.turn("open").model["zh"]) not in html
    assert shown(scenario.turn("counter").model["zh"]) not in html


def test_no_scenario_gives_its_rubric_away_in_either_language(client, auth, trainee, live_content):
    """Every shipped scenario, assessed, choosing the clean option on every turn."""
    auth.login(trainee.username)
    for lang, locale in (("zh", "zh_CN"), ("en", "en")):
        client.post("/language", data={"locale": locale})
        for slug, scenario in live_content.release.scenarios.items():
            conversation = start(client, slug, mode="assessed", input="choice")
            assert conversation.lang == lang
            while not conversation.finished:
                html = main_html(workbench(client, conversation))
                assert _leaks(html, scenario, lang) == [], slug
                _assert_no_scores(html)
                choose(client, conversation, clean_option(current_turn(conversation)))


def test_assessed_text_mode_shows_the_replies_but_no_judgement(signed_in):
    conversation = start(signed_in, mode="assessed")
    first = model_reply(conversation)
    reply(signed_in, conversation, "<b>亲</b>，您好，39元是活动价")
    reply(signed_in, conversation, first)
    html = main_html(workbench(signed_in, conversation))
    _assert_no_scores(html)
    assert shown("<b>亲</b>，您好，39元是活动价") in html and shown(first) in html
    assert "考核模式：结束后才显示评分。" in html
    # At the end the scorecard shows everything.
    signed_in.post(f"/conversations/{conversation.id}/end")
    response = signed_in.get(f"/conversations/{conversation.id}/result")
    html = main_html(response)
    scores = [turn.score for turn in saved_turns(conversation)]
    for score in scores:
        assert f"<strong>{SCORE}{score:.0f}</strong>" in html
    assert 'class="points"' in html and "<mark" in html


def test_the_scorecard_does_show_the_model_answers_once_earned(signed_in):
    """The search above finds rubric data where it belongs: on the finished conversation."""
    conversation = start(signed_in, mode="assessed")
    reply(signed_in, conversation, model_reply(conversation))
    signed_in.post(f"/conversations/{conversation.id}/end")
    html = main_html(signed_in.get(f"/conversations/{conversation.id}/result"))
    scenario = scenario_of(conversation)
    assert ("model", scenario.turn("open").model["zh"]) in _leaks(html, scenario, "zh")
