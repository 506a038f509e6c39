"""The server times each reply from when the buyer's message was shown (buyer_spoke_at);
nothing the page sends can change it."""

from datetime import timedelta

from tests.roleplay.helpers import (
    main_html,
    model_reply,
    reply,
    result,
    saved_turns,
    scenario_of,
    start,
    workbench,
)
from training.extensions import db
from training.roleplay import engine


def _buyer_spoke(conversation, seconds_ago):
    db.session.refresh(conversation)
    conversation.buyer_spoke_at -= timedelta(seconds=seconds_ago)
    db.session.commit()


def test_a_slow_reply_loses_points_for_the_time_taken(signed_in):
    conversation = start(signed_in)
    text = model_reply(conversation)
    _buyer_spoke(conversation, 200)
    reply(signed_in, conversation, text)

    [saved] = saved_turns(conversation)
    assert 200 <= saved.seconds < 210
    slow = [point for point in saved.result["explanations"] if point["rule"] == "slow"]
    assert [point["delta"] for point in slow] == [-15]  # the most: over twice the 60 s allowed
    assert saved.score == 90 - 15
    expected = engine.score_reply(scenario_of(conversation), "open", text, "zh", saved.seconds)
    assert saved.result == expected.to_dict()

    # The feedback says so, and so does the result.
    assert f"用时 {saved.seconds:g} 秒，超过 60 秒的响应时间：-15" in main_html(
        workbench(signed_in, conversation)
    )
    signed_in.post(f"/conversations/{conversation.id}/end")
    html = main_html(result(signed_in, conversation))
    assert f"{saved.seconds:.0f} 秒" in html and "-15" in html
    assert conversation.score == 75


def test_a_little_late_costs_a_little(signed_in):
    conversation = start(signed_in)
    _buyer_spoke(conversation, 90)  # 30 s over a 60 s limit: half the penalty
    reply(signed_in, conversation, model_reply(conversation))
    [saved] = saved_turns(conversation)
    slow = [point["delta"] for point in saved.result["explanations"] if point["rule"] == "slow"]
    assert slow == [-round(15 * (saved.seconds - 60) / 60)] and -9 <= slow[0] <= -7


def test_each_reply_is_timed_from_the_buyers_latest_message(signed_in):
    conversation = start(signed_in)
    _buyer_spoke(conversation, 200)
    reply(signed_in, conversation, model_reply(conversation))
    # The next message was shown just now: the second reply is quick.
    reply(signed_in, conversation, model_reply(conversation))
    first, second = saved_turns(conversation)
    assert first.seconds >= 200 and second.seconds < 60
    assert "slow" not in [point["rule"] for point in second.result["explanations"]]
    assert conversation.buyer_spoke_at == second.created_at


def test_the_page_cannot_claim_a_faster_time(signed_in):
    conversation = start(signed_in)
    _buyer_spoke(conversation, 200)
    response = signed_in.post(
        f"/conversations/{conversation.id}/reply",
        data={"reply": model_reply(conversation), "token": "t", "seconds": "3"},
    )
    assert response.status_code == 302
    [saved] = saved_turns(conversation)
    assert saved.seconds >= 200


def test_the_timer_on_the_page_starts_from_the_buyers_message(signed_in):
    conversation = start(signed_in)
    html = main_html(workbench(signed_in, conversation))
    since = conversation.buyer_spoke_at.isoformat()
    assert f'data-since="{since}Z" data-limit="60"' in html
