"""Helpers for the simulated-buyer tests: conversations driven through the routes, the answers a
trainee would give (taken from the scenario and the engine), and readers for the pages."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from markupsafe import escape

from tests.quizzes.helpers import flashes as flashes  # re-exported for the tests
from tests.quizzes.helpers import main_html as main_html
from training.extensions import db
from training.roleplay import engine, services
from training.roleplay.models import Conversation, ConversationTurn
from training.roleplay.queries import option_of_token, option_token

SLUG = "haggling-phone-case"

# Messages in the default (Chinese) interface.
EMPTY = "请先写好回复再发送。"
TOO_LONG = "回复太长了：请控制在 1000 字以内。"
CHOOSE_ONE = "请选择一条回复。"
ENDED = "这段对话已经结束；想再练习请重新开始。"
ALREADY_SENT = "这条回复已经发送过了。"
QUICK_LENGTH = "快捷短语需要 1 到 300 个字。"
QUICK_LIMIT = "最多保存 30 条快捷短语。"
QUICK_ADDED, QUICK_REMOVED = "快捷短语已添加。", "快捷短语已删除。"
PASSED, NOT_PASSED = "已通过", "未通过"
SCORE = "得分 "  # "Score %(score)s"
MODEL_ANSWER = "参考回复"


# --------------------------------------------------------------------------- routes


def conversation_from(response) -> Conversation:
    """The conversation a start response redirected to."""
    assert response.status_code == 302, response.status_code
    path = urlsplit(response.headers["Location"]).path
    match = re.fullmatch(r"/conversations/(\d+)", path)
    assert match, path
    return db.session.get(Conversation, int(match.group(1)))


def start(client, slug: str = SLUG, mode: str = "practice", input: str = "text") -> Conversation:
    """Start a scenario from the scenario list's form, as the signed-in trainee."""
    return conversation_from(
        client.post(f"/scenarios/{slug}/start", data={"mode": mode, "input": input})
    )


def workbench(client, conversation: Conversation):
    return client.get(f"/conversations/{conversation.id}")


def reply(
    client,
    conversation: Conversation,
    text: str,
    token: str | None = None,
    shown: int | str | None = None,
    **kwargs,
):
    """Send a typed reply the way the page's form does (with a fresh token unless given; with
    the number of turns the sending page showed, when given)."""
    data = {"reply": text, "token": token or _token()}
    if shown is not None:
        data["shown"] = shown
    return client.post(f"/conversations/{conversation.id}/reply", data=data, **kwargs)


def choose(client, conversation: Conversation, option_id: str, token: str | None = None, **kwargs):
    """Send a choice-mode reply: the value of the radio button showing the written option."""
    data = {"option": shown_value(conversation, option_id), "token": token or _token()}
    return client.post(f"/conversations/{conversation.id}/reply", data=data, **kwargs)


def end(client, conversation: Conversation, **kwargs):
    return client.post(f"/conversations/{conversation.id}/end", **kwargs)


def result(client, conversation: Conversation):
    return client.get(f"/conversations/{conversation.id}/result")


_tokens = iter(range(10**9))


def _token() -> str:
    return f"t{next(_tokens)}"


# --------------------------------------------------------------------------- the scenario


def scenario_of(conversation: Conversation):
    return services.scenario_of(conversation)


def current_turn(conversation: Conversation):
    """The turn the buyer is waiting on (the saved state, read afresh)."""
    db.session.refresh(conversation)
    return scenario_of(conversation).turn(conversation.state["turn_id"])


def model_reply(conversation: Conversation) -> str:
    """The scenario's model reply to the current turn, in the conversation's language."""
    return current_turn(conversation).model[conversation.lang]


def clean_option(turn) -> str:
    """The option with no violations and the most moves (the first of equals)."""
    clean = [option for option in turn.options if not option.violations]
    return max(clean, key=lambda option: len(option.moves)).id


def saved_turns(conversation: Conversation) -> list[ConversationTurn]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            db.select(ConversationTurn)
            .filter_by(conversation_id=conversation.id)
            .order_by(ConversationTurn.position)
        )
    )


def play_model_path(client, conversation: Conversation) -> list[str]:
    """Send the model reply to every turn until the buyer ends it; the turn ids answered."""
    answered = []
    while not _finished(conversation):
        answered.append(current_turn(conversation).id)
        response = reply(client, conversation, model_reply(conversation))
        assert response.status_code == 302, response.status_code
    return answered


def play_choices(client, conversation: Conversation, pick=clean_option) -> list[tuple[str, str]]:
    """Choose `pick(turn)` on every turn to the end; the (turn id, option id) pairs sent."""
    sent = []
    while not _finished(conversation):
        turn = current_turn(conversation)
        option_id = pick(turn)
        sent.append((turn.id, option_id))
        assert choose(client, conversation, option_id).status_code == 302
    return sent


def _finished(conversation: Conversation) -> bool:
    db.session.refresh(conversation)
    return conversation.finished


def expected_path(scenario, lang: str) -> list[str]:
    """The turns the engine's model path goes through."""
    return [turn_id for turn_id, _, _ in engine.model_path(scenario, lang).steps]


# --------------------------------------------------------------------------- pages


def shown(text: str) -> str:
    """How a piece of text appears in the page's HTML (escaped)."""
    return str(escape(text))


def textarea_value(html: str, name: str = "reply") -> str | None:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return unescape(match.group(1)) if match else None


def option_values(html: str) -> list[str]:
    """The values of the choice-mode radio buttons, in page order (keyed, not the written ids)."""
    return re.findall(r'<input type="radio" name="option" value="([^"]*)"', html)


def shown_value(conversation: Conversation, option_id: str) -> str:
    """The radio value the page shows the written option under, on the current turn."""
    return option_token(conversation, current_turn(conversation).id, option_id)


def option_ids(html: str, conversation: Conversation) -> list[str]:
    """The written ids of the options the page shows, in page order."""
    turn = current_turn(conversation)
    return [option_of_token(conversation, turn, value) for value in option_values(html)]


def marked(html: str) -> list[tuple[str, str]]:
    """(kind, words) of every highlighted piece in the page, in order."""
    return [
        (kind, unescape(words))
        for kind, words in re.findall(r'<mark class="(move|violation)">(.*?)</mark>', html)
    ]


def feedback_scores(html: str) -> list[int]:
    """The scores shown under each reply on the workbench (practice feedback)."""
    return [
        int(score)
        for score in re.findall(r'<li class="feedback"><strong>[^<]*?(\d+)</strong>', html)
    ]
