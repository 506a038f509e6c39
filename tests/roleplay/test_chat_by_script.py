"""A reply sent by the workbench's script: one request scores and saves it and answers with
the conversation's part of the page; the script swaps it in, or opens the address it is given
when the reply ended the conversation. Refusals come back in the same part, draft kept."""

import re

from sqlalchemy import event

from tests.factories import make_trainee
from tests.roleplay.helpers import (
    EMPTY,
    ENDED,
    choose,
    current_turn,
    end,
    expected_path,
    flashes,
    model_reply,
    reply,
    saved_turns,
    scenario_of,
    shown,
    start,
    textarea_value,
    workbench,
)
from training.extensions import db

BY_SCRIPT = {"X-Kefu-Chat": "1"}
TOKEN_VALUE = re.compile(r'(name="(?:csrf_)?token"[^>]*value=")[^"]*')


def _chat(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    assert response.headers["X-Kefu-Chat"] == "1"
    return response.get_data(as_text=True)


def test_a_reply_comes_back_as_the_conversation_with_its_feedback(signed_in):
    conversation = start(signed_in)
    first = model_reply(conversation)
    html = _chat(reply(signed_in, conversation, first, headers=BY_SCRIPT))
    # Only the conversation: no page around it, no side cards.
    assert html.lstrip().startswith('<section class="chat"')
    assert "<html" not in html and "order-card" not in html and "quick-replies" not in html
    [saved] = saved_turns(conversation)
    assert saved.reply == first
    # The reply as sent, its score with reasons (practice), and the buyer's next message.
    assert f"得分 {int(saved.score)}" in html and 'class="points"' in html
    waiting = shown(current_turn(conversation).buyer["zh"])
    assert f'<li class="bubble buyer current">{waiting}</li>' in html
    # A fresh form for the next reply: empty box, a new token, the CSRF field.
    assert textarea_value(html) == ""
    assert 'name="csrf_token"' in html and 'name="token"' in html


def test_the_script_and_the_page_show_the_same_conversation(signed_in):
    conversation = start(signed_in)
    chat = _chat(reply(signed_in, conversation, model_reply(conversation), headers=BY_SCRIPT))
    page = workbench(signed_in, conversation).get_data(as_text=True)
    # Each response has a fresh reply token, and a CSRF token signed at its own second.
    without_tokens = [TOKEN_VALUE.sub(r"\1", html) for html in (chat, page)]
    assert without_tokens[0].strip() in without_tokens[1]


def test_the_answer_leaves_out_the_turns_the_page_already_shows(signed_in):
    conversation = start(signed_in)
    first = model_reply(conversation)
    page = workbench(signed_in, conversation).get_data(as_text=True)
    assert 'name="shown" value="0"' in page
    html = _chat(reply(signed_in, conversation, first, shown=0, headers=BY_SCRIPT))
    # Nothing to leave out yet: the whole conversation, which reports what it shows.
    assert "data-kept" not in html and 'name="shown" value="1"' in html
    second = model_reply(conversation)
    html = _chat(reply(signed_in, conversation, second, shown=1, headers=BY_SCRIPT))
    earlier, latest = saved_turns(conversation)
    # Only what the page lacks: the reply just sent with its feedback, and the buyer's answer.
    assert 'data-kept="1"' in html and 'name="shown" value="2"' in html
    assert html.count('class="bubble agent"') == 1 and html.count('class="feedback"') == 1
    assert f"得分 {int(latest.score)}" in html
    assert shown(scenario_of(conversation).turn(earlier.turn_id).buyer["zh"]) not in html
    assert shown(scenario_of(conversation).turn(latest.turn_id).buyer["zh"]) in html
    assert shown(current_turn(conversation).buyer["zh"]) in html


def test_a_page_behind_the_conversation_gets_every_turn_it_lacks(signed_in):
    # The page still shows no turn, another tab having replied since; a count no page could
    # show (the turn being sent included, negative, not a number) gets every turn.
    for claimed in (0, 2, -1, "two"):
        conversation = start(signed_in)
        reply(signed_in, conversation, model_reply(conversation))
        response = reply(
            signed_in, conversation, model_reply(conversation), shown=claimed, headers=BY_SCRIPT
        )
        html = _chat(response)
        assert "data-kept" not in html, claimed
        assert html.count('class="bubble agent"') == len(saved_turns(conversation)) == 2


def test_the_reply_that_ends_the_conversation_leads_to_the_scorecard(signed_in):
    conversation = start(signed_in)
    while True:
        response = reply(signed_in, conversation, model_reply(conversation), headers=BY_SCRIPT)
        if response.status_code == 204:
            break
        _chat(response)
    assert response.headers["X-Kefu-Location"] == f"/conversations/{conversation.id}/result"
    assert response.get_data() == b""
    expected = expected_path(scenario_of(conversation), conversation.lang)
    assert [turn.turn_id for turn in saved_turns(conversation)] == expected


def test_an_empty_reply_comes_back_refused_in_the_conversation(signed_in):
    conversation = start(signed_in)
    response = reply(signed_in, conversation, "   ", headers=BY_SCRIPT)
    assert response.status_code == 400
    html = _chat(response)
    assert EMPTY in html and 'role="alert"' in html
    assert saved_turns(conversation) == []


def test_an_over_long_reply_keeps_what_fits_in_the_box(signed_in):
    conversation = start(signed_in)
    html = _chat(reply(signed_in, conversation, "亲" * 1200, headers=BY_SCRIPT))
    assert textarea_value(html) == "亲" * 1000
    assert saved_turns(conversation) == []


def test_a_resent_reply_is_saved_once(signed_in):
    conversation = start(signed_in)
    text = model_reply(conversation)
    first = _chat(reply(signed_in, conversation, text, token="same", headers=BY_SCRIPT))
    again = _chat(reply(signed_in, conversation, text, token="same", headers=BY_SCRIPT))
    assert len(saved_turns(conversation)) == 1
    assert first.count('class="bubble agent"') == again.count('class="bubble agent"') == 1


def test_a_reply_to_a_finished_conversation_opens_it_with_the_reason(signed_in):
    conversation = start(signed_in, input="choice")
    end(signed_in, conversation)
    response = choose(signed_in, conversation, "b", headers=BY_SCRIPT)
    assert response.status_code == 204
    assert response.headers["X-Kefu-Location"] == f"/conversations/{conversation.id}"
    page = signed_in.get(response.headers["X-Kefu-Location"], follow_redirects=True)
    assert flashes(page) == [ENDED]
    assert saved_turns(conversation) == []


def test_another_trainees_conversation_is_not_found(signed_in, client, auth):
    conversation = start(signed_in)
    make_trainee("bob")
    auth.logout()
    auth.login("bob")
    response = reply(client, conversation, "亲，您好", headers=BY_SCRIPT)
    assert response.status_code == 404 and "X-Kefu-Chat" not in response.headers
    assert saved_turns(conversation) == []


def test_the_part_is_drawn_from_the_saved_reply_without_reading_it_again(app, signed_in):
    conversation = start(signed_in)
    text = model_reply(conversation)
    statements = []

    def record(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        html = _chat(reply(signed_in, conversation, text, headers=BY_SCRIPT))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The conversation with its turns is read once, before the reply is saved; nothing
    # (the conversation, the signed-in trainee) is read again after the commit.
    assert sum(bool(re.search(r"FROM conversation\b(?!_)", s)) for s in reads) == 1, reads
    saving = next(i for i, s in enumerate(statements) if s.lstrip().upper().startswith("INSERT"))
    assert not [s for s in statements[saving:] if s.lstrip().upper().startswith("SELECT")]
    [saved] = saved_turns(conversation)
    assert f"得分 {int(saved.score)}" in html
    assert shown(current_turn(conversation).buyer["zh"]) in html
