"""A conversation survives reloads and lost connections: the page shows everything sent, a
resent reply is scored once, and two replies racing for the same place save only one."""

import threading

from tests.factories import PASSWORD
from tests.roleplay.helpers import (
    ALREADY_SENT,
    flashes,
    main_html,
    model_reply,
    reply,
    saved_turns,
    scenario_of,
    shown,
    start,
    workbench,
)
from training.extensions import db
from training.roleplay import services
from training.roleplay.models import Conversation


def test_a_reload_shows_the_whole_conversation(signed_in):
    conversation = start(signed_in)
    scenario = scenario_of(conversation)
    sent = []
    for _ in range(3):
        sent.append(model_reply(conversation))
        reply(signed_in, conversation, sent[-1])
    turns = saved_turns(conversation)
    for _ in range(2):  # a reload changes nothing
        html = main_html(workbench(signed_in, conversation))
        buyer = [shown(scenario.turn(turn.turn_id).buyer["zh"]) for turn in turns] + [
            shown(scenario.turn(conversation.state["turn_id"]).buyer["zh"])
        ]
        positions = [html.find(line) for line in buyer]
        assert -1 not in positions and positions == sorted(positions)
        for text in sent:
            plain = html.replace('<mark class="move">', "").replace("</mark>", "")
            assert shown(text) in plain
        assert html.count('class="feedback"') == 3
    assert len(saved_turns(conversation)) == 3


def test_a_resent_reply_is_not_scored_twice(signed_in):
    conversation = start(signed_in)
    text = model_reply(conversation)
    first = reply(signed_in, conversation, text, token="same-token")
    again = reply(signed_in, conversation, text, token="same-token")
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == f"/conversations/{conversation.id}"
    [saved] = saved_turns(conversation)
    assert saved.client_token == "same-token" and saved.turn_id == "open"
    # The buyer is still on the second message, not moved on by the resend.
    assert conversation.state["turn_id"] == "counter"
    # Resent after the buyer has moved on, even with different text: still the saved reply.
    reply(signed_in, conversation, "亲，您好，39元是活动价哦", token="same-token")
    assert [turn.reply for turn in saved_turns(conversation)] == [text]


def test_the_same_token_in_another_conversation_is_another_reply(signed_in):
    one, two = start(signed_in), start(signed_in)
    reply(signed_in, one, model_reply(one), token="tok")
    reply(signed_in, two, model_reply(two), token="tok")
    assert len(saved_turns(one)) == len(saved_turns(two)) == 1


def test_a_resent_final_reply_does_not_finish_twice(signed_in):
    conversation = start(signed_in)
    for number in range(20):
        token = f"token-{number}"
        reply(signed_in, conversation, model_reply(conversation), token=token)
        if conversation.finished:
            break
    finished_at, score, turns = (
        conversation.finished_at,
        conversation.score,
        len(conversation.turns),
    )
    response = reply(signed_in, conversation, "亲，还在吗？", token=token)
    assert response.status_code == 302
    assert (conversation.finished_at, conversation.score) == (finished_at, score)
    assert len(saved_turns(conversation)) == turns
    # No "already ended" notice either: to the trainee the resend simply went through.
    page = signed_in.get(response.headers["Location"], follow_redirects=True)
    assert flashes(page) == []


def test_two_replies_racing_for_the_same_place_save_only_one(
    app, trainee, live_content, monkeypatch
):
    """Two requests read the conversation before either saves (real threads and connections)."""
    client = app.test_client()
    client.post("/login", data={"username": trainee.username, "password": PASSWORD})
    conversation = start(client)
    conversation_id = conversation.id
    text = model_reply(conversation)
    barrier = threading.Barrier(2)
    original = services.current_state

    def current_state_then_wait(conversation):
        state = original(conversation)
        barrier.wait(timeout=10)  # both have read the same turn before either writes
        return state

    monkeypatch.setattr(services, "current_state", current_state_then_wait)
    outcomes, failures = {}, []

    def worker(name, token):
        try:
            with app.app_context():
                mine = db.session.get(Conversation, conversation_id)
                try:
                    services.send_reply(conversation=mine, client_token=token, text=text)
                    outcomes[name] = "saved"
                except services.ReplyRefused as refusal:
                    outcomes[name] = str(refusal)
                db.session.remove()
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)

    threads = [threading.Thread(target=worker, args=(name, name)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(outcomes.values()) == ["duplicate", "saved"]
    [saved] = saved_turns(conversation)
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    assert saved.client_token == winner and saved.position == 0
    db.session.refresh(conversation)
    assert conversation.state["turn_id"] == "counter"


def test_the_loser_of_a_race_is_told_its_reply_was_not_taken(app, signed_in, monkeypatch):
    """Through the route: another tab's reply lands between this request's read and write."""
    conversation = start(signed_in)
    conversation_id, text = conversation.id, model_reply(conversation)
    original = services.current_state

    def other_tab_replies_meanwhile(conversation):
        state = original(conversation)
        monkeypatch.setattr(services, "current_state", original)
        thread = threading.Thread(target=_reply_elsewhere, args=(app, conversation_id, text))
        thread.start()
        thread.join(timeout=30)
        return state

    monkeypatch.setattr(services, "current_state", other_tab_replies_meanwhile)
    response = reply(signed_in, conversation, text)
    assert response.status_code == 302
    assert flashes(signed_in.get(response.headers["Location"])) == [ALREADY_SENT]
    assert [turn.client_token for turn in saved_turns(conversation)] == ["other-tab"]


def _reply_elsewhere(app, conversation_id, text):
    """Another request: its own app context, session and connection."""
    with app.app_context():
        mine = db.session.get(Conversation, conversation_id)
        services.send_reply(conversation=mine, client_token="other-tab", text=text)
        db.session.remove()
