"""Choice mode: a chosen option scores exactly as its author's labels say, through the same
rubric as free text, and the conversation follows the same branches."""

import pytest

from tests.roleplay.helpers import (
    choose,
    clean_option,
    current_turn,
    main_html,
    option_ids,
    option_values,
    play_choices,
    result,
    saved_turns,
    scenario_of,
    shown,
    start,
    workbench,
)
from training.roleplay import engine


@pytest.mark.parametrize("option_id", ["a", "b", "c", "d"])
def test_each_option_scores_as_labelled(signed_in, option_id):
    conversation = start(signed_in, input="choice")
    scenario = scenario_of(conversation)
    turn = scenario.first_turn
    assert choose(signed_in, conversation, option_id).status_code == 302
    [saved] = saved_turns(conversation)
    expected = engine.choose_option(scenario, turn, option_id, "zh", saved.seconds)
    assert saved.result == expected.to_dict()
    assert (saved.score, saved.option_id, saved.reply) == (
        expected.score,
        option_id,
        turn.option(option_id).text["zh"],
    )
    option = turn.option(option_id)
    assert [move["name"] for move in saved.result["moves"]] == [
        name for name in engine.MOVES if name in option.moves
    ]
    assert [v["name"] for v in saved.result["violations"]] == [
        name for name in engine.VIOLATIONS if name in option.violations
    ]


def test_a_whole_conversation_of_choices_matches_the_engine(in_english):
    conversation = start(in_english, mode="assessed", input="choice")
    scenario = scenario_of(conversation)
    sent = play_choices(in_english, conversation)

    # Replay the same choices through the engine: same scores, same path, same scorecard.
    state = engine.start(scenario)
    for (turn_id, option_id), saved in zip(sent, saved_turns(conversation), strict=True):
        assert state.turn_id == turn_id == saved.turn_id
        scored = engine.choose_option(
            scenario, turn_id, option_id, "en", saved.seconds, state.history
        )
        assert saved.result == scored.to_dict()
        state = engine.step(scenario, state, scored)
    card = engine.scorecard(scenario, state)
    assert state.finished and conversation.finished
    assert conversation.scorecard == engine.scorecard_to_dict(card)
    assert (conversation.score, conversation.passed) == (card.overall, card.passed)

    html = main_html(result(in_english, conversation))
    assert f"Score {card.overall} / pass mark 70" in html
    for turn_id, option_id in sent:
        assert shown(scenario.turn(turn_id).option(option_id).text["en"]) in html


def test_a_violating_option_takes_the_branch_for_violations(signed_in):
    conversation = start(signed_in, input="choice")
    choose(signed_in, conversation, "c")  # flat refusal and rudeness: the buyer leaves
    [saved] = saved_turns(conversation)
    assert saved.score == 0 and saved.result["fatal"] == ["rude"]
    assert conversation.finished and conversation.scorecard["ending_id"] == "left"
    assert not conversation.passed


def test_the_options_shown_are_the_current_turns(signed_in):
    conversation = start(signed_in, input="choice")
    for _ in range(3):
        turn = current_turn(conversation)
        html = main_html(workbench(signed_in, conversation))
        assert sorted(option_ids(html, conversation)) == [option.id for option in turn.options]
        for option in turn.options:
            assert shown(option.text["zh"]) in html
        choose(signed_in, conversation, clean_option(turn))


def test_practice_choices_show_the_points_of_the_labels(signed_in):
    conversation = start(signed_in, input="choice")
    choose(signed_in, conversation, "d")  # explain 40, no greeting, bonus acknowledge 10, clean 10
    html = main_html(workbench(signed_in, conversation))
    [saved] = saved_turns(conversation)
    assert saved.score == 60
    assert "<strong>得分 60</strong>" in html
    assert "做到了「用事实解释」：+40" in html and "加分项「体谅情绪」：+10" in html
    assert "没有做到「问候」（本轮可得 40 分）" in html


def test_where_the_best_reply_sits_gives_nothing_away(signed_in):
    """Authors list the clean reply first in some scenarios ("always pick the first" would pass
    them all); each conversation shows the options in an order of its own."""
    slug = "extortion-scam"
    orders = []
    for _ in range(8):
        conversation = start(signed_in, slug, mode="assessed", input="choice")
        turn = current_turn(conversation)
        assert clean_option(turn) == turn.options[0].id == "a"
        html = main_html(workbench(signed_in, conversation))
        orders.append(option_ids(html, conversation))
        assert sorted(orders[-1]) == [option.id for option in turn.options]
        # The same order on every reload, so the page does not jump about.
        reloaded = main_html(workbench(signed_in, conversation))
        assert option_ids(reloaded, conversation) == orders[-1]
        # The values carry neither the written ids nor anything the next conversation reuses.
        assert not set(option_values(html)) & {option.id for option in turn.options}
    assert len({tuple(order) for order in orders}) > 1
    assert {order[0] for order in orders} != {"a"}
