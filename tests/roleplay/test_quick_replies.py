"""Quick replies: each trainee keeps up to 30 phrases of 1-300 characters and removes their own."""

import re
from html import unescape

import pytest

from tests.factories import make_trainee
from tests.roleplay.helpers import (
    QUICK_ADDED,
    QUICK_LENGTH,
    QUICK_LIMIT,
    QUICK_REMOVED,
    flashes,
    main_html,
    start,
    workbench,
)
from training.roleplay.models import QuickReply
from training.roleplay.services import add_quick_reply


def _listed(client):
    html = main_html(client.get("/quick-replies"))
    return [unescape(text) for text in re.findall(r"<li><span>(.*?)</span>", html, re.S)]


def _add(client, text, **kwargs):
    return client.post("/quick-replies", data={"text": text}, **kwargs)


def _ids(user):
    return [reply.id for reply in QuickReply.query.filter_by(user_id=user.id)]


def test_add_list_and_remove_quick_replies(signed_in, trainee):
    assert "还没有快捷短语。" in main_html(signed_in.get("/quick-replies"))
    response = _add(signed_in, "  亲，您好！欢迎光临～  ")
    assert response.headers["Location"] == "/quick-replies"
    assert flashes(signed_in.get("/quick-replies")) == [QUICK_ADDED]
    _add(signed_in, "感谢亲的支持！")
    _add(signed_in, "亲，全店满50元包邮哦～")
    assert _listed(signed_in) == [
        "亲，您好！欢迎光临～",
        "感谢亲的支持！",
        "亲，全店满50元包邮哦～",
    ]

    first = _ids(trainee)[0]
    response = signed_in.post(f"/quick-replies/{first}/delete")
    assert response.headers["Location"] == "/quick-replies"
    assert flashes(signed_in.get("/quick-replies")) == [QUICK_REMOVED]
    assert _listed(signed_in) == ["感谢亲的支持！", "亲，全店满50元包邮哦～"]
    # Gone for good: removing it again finds nothing.
    assert signed_in.post(f"/quick-replies/{first}/delete").status_code == 404


def test_the_order_added_survives_removals(signed_in, trainee):
    for text in ("一", "二", "三"):
        _add(signed_in, f"快捷短语{text}")
    signed_in.post(f"/quick-replies/{_ids(trainee)[0]}/delete")
    _add(signed_in, "快捷短语四")
    assert _listed(signed_in) == ["快捷短语二", "快捷短语三", "快捷短语四"]
    html = main_html(workbench(signed_in, start(signed_in)))
    shown = re.findall(r'data-text="([^"]*)"', html)
    assert shown == ["快捷短语二", "快捷短语三", "快捷短语四"]


def test_a_quick_reply_can_be_added_from_another_page_and_return_there(signed_in):
    conversation = start(signed_in)
    back = f"/conversations/{conversation.id}"
    response = signed_in.post("/quick-replies", data={"text": "亲，在的～", "next": back})
    assert response.headers["Location"] == back
    response = signed_in.post(
        "/quick-replies", data={"text": "亲，在的～", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/quick-replies"


def test_nobody_removes_another_trainees_quick_reply(signed_in, client, auth, trainee):
    bob = make_trainee("bob")
    theirs = add_quick_reply(user_id=bob.id, text="鲍勃的快捷短语")
    response = signed_in.post(f"/quick-replies/{theirs.id}/delete")
    assert response.status_code == 404
    assert _ids(bob) == [theirs.id]
    assert "鲍勃的快捷短语" not in main_html(signed_in.get("/quick-replies"))


@pytest.mark.parametrize("text", ["", "   ", "快" * 301])
def test_a_quick_reply_needs_1_to_300_characters(signed_in, trainee, text):
    response = _add(signed_in, text, follow_redirects=True)
    assert flashes(response) == [QUICK_LENGTH]
    assert _ids(trainee) == []


def test_300_characters_are_fine_and_line_breaks_count_once(signed_in, trainee):
    _add(signed_in, "快" * 300)
    _add(signed_in, "\r\n".join(["快" * 99] * 3))  # 299 in the box, 301 as sent
    assert [len(text) for text in _listed(signed_in)] == [300, 299]


def test_at_most_30_quick_replies(signed_in, trainee):
    for number in range(30):
        add_quick_reply(user_id=trainee.id, text=f"快捷短语 {number}")
    response = _add(signed_in, "第31条", follow_redirects=True)
    assert flashes(response) == [QUICK_LIMIT]
    assert len(_ids(trainee)) == 30 and "第31条" not in _listed(signed_in)
    # Removing one makes room again.
    signed_in.post(f"/quick-replies/{_ids(trainee)[0]}/delete", follow_redirects=True)
    assert flashes(_add(signed_in, "第31条", follow_redirects=True)) == [QUICK_ADDED]
    assert _listed(signed_in)[-1] == "第31条"


def test_the_limit_is_per_trainee(signed_in, trainee):
    bob = make_trainee("bob")
    for number in range(30):
        add_quick_reply(user_id=bob.id, text=f"鲍勃 {number}")
    assert flashes(_add(signed_in, "亲，您好", follow_redirects=True)) == [QUICK_ADDED]
