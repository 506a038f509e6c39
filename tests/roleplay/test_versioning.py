"""A conversation belongs to the release it started on: a new release changes new
conversations only; open and finished ones go on with the scenario as it was."""

import pytest

from tests.quizzes.helpers import publish
from tests.roleplay.helpers import (
    SLUG,
    main_html,
    model_reply,
    play_model_path,
    reply,
    result,
    shown,
    start,
    workbench,
)

PATH = f"scenarios/{SLUG}.yaml"
OLD_LINE = "zh: 材质再好也就是个壳嘛。这样，35，行我就拍。"
NEW_LINE = "zh: 好吧好吧，那35块行不行？行我现在就拍。"


@pytest.fixture
def new_release(content_files):
    """Publishes the shipped content with the counter-offer turn's Chinese line reworded."""
    assert content_files[PATH].count(OLD_LINE) == 1
    files = {**content_files, PATH: content_files[PATH].replace(OLD_LINE, NEW_LINE)}
    return lambda: publish(files)


def test_an_open_conversation_keeps_its_scenario_through_a_new_release(
    signed_in, live_content, new_release
):
    conversation = start(signed_in)
    reply(signed_in, conversation, model_reply(conversation))
    new = new_release()
    assert new.id != live_content.id and conversation.release_id == live_content.id

    old_text, new_text = OLD_LINE.removeprefix("zh: "), NEW_LINE.removeprefix("zh: ")
    html = main_html(workbench(signed_in, conversation))
    assert shown(old_text) in html and shown(new_text) not in html
    play_model_path(signed_in, conversation)
    html = main_html(result(signed_in, conversation))
    assert shown(old_text) in html and conversation.passed

    fresh = start(signed_in)
    assert fresh.release_id == new.id
    reply(signed_in, fresh, model_reply(fresh))
    assert shown(new_text) in main_html(workbench(signed_in, fresh))


def test_the_scenario_list_shows_the_best_assessed_run(signed_in, live_content):
    html = main_html(signed_in.get("/scenarios"))
    assert "考核最高分" not in html
    for _ in range(2):
        play_model_path(signed_in, start(signed_in, mode="assessed"))
    practice = start(signed_in)
    reply(signed_in, practice, "亲，您好")
    html = main_html(signed_in.get("/scenarios"))
    card = html.split(shown(live_content.release.scenarios[SLUG].title["zh"]), 1)[1]
    card = card.split("</article>", 1)[0]
    assert '<span class="badge done-badge">考核最高分：98</span>' in card
