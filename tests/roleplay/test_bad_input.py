"""Replies are never trusted: empty, over-long, markup, late or foreign ones are refused or
shown harmlessly, and nobody reaches another trainee's conversation."""

import pytest

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.roleplay.helpers import (
    CHOOSE_ONE,
    EMPTY,
    ENDED,
    TOO_LONG,
    choose,
    end,
    flashes,
    main_html,
    marked,
    model_reply,
    option_ids,
    reply,
    result,
    saved_turns,
    shown,
    start,
    textarea_value,
    workbench,
)
from training.extensions import db
from training.roleplay.models import Conversation

SCRIPT = '亲，您好<script>alert("x")</script><img src=x onerror=alert(1)>，39元是活动价哦'


@pytest.mark.parametrize("text", ["", "   ", "\r\n \t\r\n"])
def test_an_empty_reply_is_refused_with_a_clear_message(signed_in, text):
    conversation = start(signed_in)
    response = reply(signed_in, conversation, text)
    assert response.status_code == 400
    html = main_html(response)
    assert flashes(response) == [EMPTY]
    assert textarea_value(html) is not None  # still the workbench, ready for another try
    assert saved_turns(conversation) == []
    assert conversation.state["turn_id"] == "open"


def test_a_form_without_the_reply_field_is_refused(signed_in):
    conversation = start(signed_in)
    response = signed_in.post(f"/conversations/{conversation.id}/reply", data={"token": "t"})
    assert response.status_code == 400 and flashes(response) == [EMPTY]
    assert saved_turns(conversation) == []


def test_an_over_long_reply_is_refused_and_the_box_keeps_what_fits(signed_in):
    conversation = start(signed_in)
    typed = "亲，您好，" + "这款手机壳是液态硅胶的。" * 833  # 10,001 characters
    assert len(typed) > 10_000
    response = reply(signed_in, conversation, typed)
    assert response.status_code == 400
    assert flashes(response) == [TOO_LONG]
    assert saved_turns(conversation) == []
    # The box holds what it can: its first 1000 characters (the box's maxlength).
    html = main_html(response)
    assert 'maxlength="1000"' in html
    assert textarea_value(html) == typed[:1000]


def test_a_reply_of_exactly_the_limit_is_taken(signed_in):
    conversation = start(signed_in)
    text = ("亲，您好，39元已经是活动价了。" + "好" * 1000)[:1000]
    assert reply(signed_in, conversation, text).status_code == 302
    [saved] = saved_turns(conversation)
    assert saved.reply == text


def test_line_breaks_count_once_as_in_the_box(signed_in):
    """The box counts a line break as one character but the browser sends it as CR LF."""
    conversation = start(signed_in)
    lines = ["亲，您好～", "39元已经是活动价了。"] + ["好" * 9] * 98
    typed = "\n".join(lines)
    assert len(typed) <= 1000 < len(typed.replace("\n", "\r\n"))
    response = reply(signed_in, conversation, typed.replace("\n", "\r\n"))
    assert response.status_code == 302
    [saved] = saved_turns(conversation)
    assert saved.reply == typed


def test_markup_in_a_reply_is_shown_as_text_everywhere(signed_in, client, auth, supervisor):
    conversation = start(signed_in)
    assert reply(signed_in, conversation, SCRIPT).status_code == 302
    [saved] = saved_turns(conversation)
    assert saved.reply == SCRIPT  # kept as typed

    def assert_escaped(html):
        assert "<script>alert" not in html and "<img src=x" not in html
        text = html.replace('<mark class="move">', "").replace("</mark>", "")
        assert shown('<script>alert("x")</script><img src=x onerror=alert(1)>') in text

    assert_escaped(main_html(workbench(signed_in, conversation)))  # practice, highlighted
    end(signed_in, conversation)
    assert_escaped(main_html(result(signed_in, conversation)))
    assessed = start(signed_in, mode="assessed")
    reply(signed_in, assessed, SCRIPT)
    assert_escaped(main_html(workbench(signed_in, assessed)))  # assessed, plain

    auth.logout()
    auth.login(supervisor.username)
    response = result(client, conversation)
    assert response.status_code == 200
    assert_escaped(main_html(response))


def test_markup_in_a_quick_reply_is_shown_as_text(signed_in):
    signed_in.post("/quick-replies", data={"text": '"><script>alert(1)</script>'})
    page = signed_in.get("/quick-replies").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    html = main_html(workbench(signed_in, start(signed_in)))
    assert "<script>alert(1)</script>" not in html
    assert 'data-text="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_a_reply_to_a_finished_conversation_is_refused(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, model_reply(conversation))
    end(signed_in, conversation)
    score = conversation.score
    response = reply(signed_in, conversation, "亲，您好，还在吗？")
    assert response.headers["Location"] == f"/conversations/{conversation.id}"
    page = signed_in.get(response.headers["Location"], follow_redirects=True)
    assert flashes(page) == [ENDED]
    assert len(saved_turns(conversation)) == 1 and conversation.score == score
    # Ending again changes nothing either.
    finished_at = conversation.finished_at
    assert end(signed_in, conversation).status_code == 302
    assert conversation.finished_at == finished_at


def test_a_choice_reply_to_a_finished_conversation_is_refused(signed_in):
    conversation = start(signed_in, input="choice")
    end(signed_in, conversation)
    response = choose(signed_in, conversation, "b")
    assert response.status_code == 302
    assert flashes(signed_in.get(response.headers["Location"], follow_redirects=True)) == [ENDED]
    assert saved_turns(conversation) == []


@pytest.mark.parametrize("form", [{"option": "z"}, {"option": ""}, {}, {"reply": "亲，您好"}])
def test_choice_mode_refuses_anything_but_one_of_the_options(signed_in, form):
    conversation = start(signed_in, input="choice")
    response = signed_in.post(f"/conversations/{conversation.id}/reply", data=form | {"token": "t"})
    assert response.status_code == 400
    assert flashes(response) == [CHOOSE_ONE]
    assert sorted(option_ids(main_html(response), conversation)) == ["a", "b", "c", "d"]
    assert saved_turns(conversation) == []


def test_an_option_of_another_turn_is_refused(signed_in):
    conversation = start(signed_in, input="choice")
    choose(signed_in, conversation, "b")  # open -> counter (options a-d)
    response = choose(signed_in, conversation, "e")
    assert response.status_code == 400 and flashes(response) == [CHOOSE_ONE]
    assert len(saved_turns(conversation)) == 1


def test_another_trainees_conversation_is_not_found(signed_in, client, auth):
    mine = start(signed_in)
    reply(signed_in, mine, model_reply(mine))
    finished = start(signed_in)
    end(signed_in, finished)
    make_trainee("bob")
    auth.logout()
    auth.login("bob")
    for conversation in (mine, finished):
        assert workbench(client, conversation).status_code == 404
        assert reply(client, conversation, "亲，您好").status_code == 404
        assert choose(client, conversation, "a").status_code == 404
        assert end(client, conversation).status_code == 404
        assert result(client, conversation).status_code == 404
    assert client.get("/conversations/999999").status_code == 404
    db.session.expire_all()
    assert len(mine.turns) == 1 and not mine.finished


def test_a_supervisor_sees_their_own_trainees_results_only(signed_in, client, auth, supervisor):
    ours = start(signed_in)
    reply(signed_in, ours, SCRIPT)
    end(signed_in, ours)
    unfinished = start(signed_in)
    other_supervisor = make_supervisor("sue")
    make_trainee("tim", supervisor=other_supervisor)
    auth.logout()
    auth.login("tim")
    theirs = start(client)
    end(client, theirs)

    auth.logout()
    auth.login(supervisor.username)
    response = result(client, ours)
    assert response.status_code == 200
    html = main_html(response)
    assert "再练一次" not in html  # no "try again": it is not their conversation
    assert any(kind == "move" for kind, _ in marked(html))
    assert result(client, theirs).status_code == 404
    assert result(client, unfinished).status_code == 404  # nothing to see before the end
    # Supervisors watch; they do not take part.
    assert workbench(client, ours).status_code == 403
    assert reply(client, unfinished, "亲，您好").status_code == 403

    auth.logout()
    auth.login(make_admin().username)
    assert result(client, ours).status_code == result(client, theirs).status_code == 200
    assert Conversation.query.count() == 3
