"""The transcript marks exactly the words that earned or cost points, whatever the reply holds."""

from tests.roleplay.helpers import (
    end,
    main_html,
    marked,
    reply,
    result,
    saved_turns,
    shown_value,
    start,
    workbench,
)


def _pages(client, conversation):
    """The practice workbench, then (after ending) the result page."""
    pages = [main_html(workbench(client, conversation))]
    end(client, conversation)
    response = result(client, conversation)
    assert response.status_code == 200
    return pages + [main_html(response)]


def test_short_english_words_are_marked_as_whole_words_only(in_english):
    conversation = start(in_english)
    text = "Hi! This case is 39 yuan, which is already the sale price."
    reply(in_english, conversation, text)
    [saved] = saved_turns(conversation)
    greeting = next(move for move in saved.result["moves"] if move["name"] == "greeting")
    assert greeting["words"] == ["Hi"]
    for html in _pages(in_english, conversation):
        pieces = marked(html)
        assert ("move", "Hi") in pieces and ("move", "sale price") in pieces
        assert ("move", "hi") not in pieces  # not inside "This" or "which"
        assert "T<mark" not in html and "w<mark" not in html


def test_a_letter_that_lowercases_longer_does_not_shift_the_marks(
    signed_in, client, auth, supervisor
):
    """ "İ" lowercases to two characters; the marks must still land on the words."""
    conversation = start(signed_in)
    text = "İlkay您好！这款手机壳39元，已经是活动价"
    assert reply(signed_in, conversation, text).status_code == 302
    [saved] = saved_turns(conversation)
    assert saved.score > 0
    for html in _pages(signed_in, conversation):
        pieces = marked(html)
        assert ("move", "您好") in pieces and ("move", "活动价") in pieces
        assert ("move", "手机壳39") in pieces  # two words side by side run together
        assert "İlkay" in html and '<mark class="move">İ' not in html
    # The supervisor's view of the result, too.
    auth.logout()
    auth.login(supervisor.username)
    response = result(client, conversation)
    assert response.status_code == 200
    assert ("move", "活动价") in marked(main_html(response))


def test_traditional_characters_are_marked_as_typed(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, "親，您好！這款手機殼39元已經是活動價了")
    html = main_html(workbench(signed_in, conversation))
    pieces = marked(html)
    assert ("move", "親") in pieces and ("move", "活動價") in pieces


def test_violations_are_marked_over_moves(signed_in):
    conversation = start(signed_in)
    reply(signed_in, conversation, "亲，您好，加我微信吧，私下给您便宜")
    html = main_html(result(signed_in, conversation))
    kinds = dict((words, kind) for kind, words in marked(html))
    assert kinds.get("亲") == "move" and kinds.get("您好") == "move"
    assert any(kind == "violation" and "微信" in words for words, kind in kinds.items())


def test_chosen_replies_are_shown_unmarked(signed_in):
    conversation = start(signed_in, input="choice")
    signed_in.post(
        f"/conversations/{conversation.id}/reply",
        data={"option": shown_value(conversation, "b"), "token": "choice-b"},
    )
    html = main_html(workbench(signed_in, conversation))
    [saved] = saved_turns(conversation)
    assert saved.reply in html and marked(html) == []  # authored labels name no words
