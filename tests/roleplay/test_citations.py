"""Feedback on a reply cites the lesson that teaches each rule: a link titled in the
conversation's language, with the seed manuals' sections as the link's title."""

import re
from html import unescape

from tests.roleplay.helpers import (
    end,
    main_html,
    model_reply,
    reply,
    result,
    saved_turns,
    start,
    workbench,
)
from tests.roleplay.live_helpers import SLUG, open_assessed, poll, send
from training.extensions import db
from training.roleplay.models import ConversationTurn, LiveMessage

CITATION = re.compile(
    r'<small class="source">— (?P<label>[^<]*)<a href="(?P<href>[^"]*)" title="(?P<source>[^"]*)"'
    r' target="_blank" rel="noopener">(?P<title>[^<]*)</a></small>'
)


def _citations(html: str) -> list[tuple[str, str, str, str]]:
    return [
        tuple(unescape(match[key]) for key in ("label", "href", "source", "title"))
        for match in CITATION.finditer(html)
    ]


def _expected(points, curriculum, lang, label):
    """The citation each point with a lesson gets, built from the curriculum itself."""
    cited = []
    for point in points:
        if not point.get("lesson"):
            continue
        key, _, section = point["lesson"].partition("#")
        lesson = curriculum.lesson_by_key(key)
        href = f"/lessons/{lesson.module_slug}/{lesson.slug}" + (f"#{section}" if section else "")
        cited.append((label, href, point["source"], lesson.text(lang)[0].title))
    return cited


def test_practice_feedback_links_each_rule_to_its_lesson(signed_in, live_content):
    conversation = start(signed_in)
    reply(signed_in, conversation, "亲，您好，这款手机壳是39元哦。")
    points = saved_turns(conversation)[0].result["explanations"]
    expected = _expected(points, live_content.curriculum, "zh", "课程：")
    assert expected  # the greeting found, the moves still missing: each names its lesson

    html = main_html(workbench(signed_in, conversation))
    assert _citations(html) == expected
    # The seed manuals' sections are the link's title, not text on the page.
    assert all(f"— {source}" not in html for _, _, source, _ in expected)


def test_an_english_conversation_cites_the_english_lessons(in_english, live_content):
    conversation = start(in_english)
    assert conversation.lang == "en"
    reply(in_english, conversation, model_reply(conversation))
    end(in_english, conversation)
    points = saved_turns(conversation)[0].result["explanations"]
    html = main_html(result(in_english, conversation))
    expected = _expected(points, live_content.curriculum, "en", "Lesson: ")
    assert expected and set(expected) <= set(_citations(html))


def test_feedback_saved_without_a_lesson_still_shows_its_source(signed_in):
    """Turns scored before points named their lesson keep the sources they were saved with."""
    conversation = start(signed_in)
    reply(signed_in, conversation, "亲，您好，这款手机壳是39元哦。")
    turn = saved_turns(conversation)[0]
    explanations = [
        {key: value for key, value in point.items() if key != "lesson"}
        for point in turn.result["explanations"]
    ]
    db.session.get(ConversationTurn, turn.id).result = {
        **turn.result,
        "explanations": explanations,
    }
    db.session.commit()
    html = main_html(workbench(signed_in, conversation))
    assert _citations(html) == []
    sources = {point["source"] for point in explanations if point["source"]}
    assert sources and all(
        f'<small class="source">— {source}</small>' in html for source in sources
    )


def test_live_feedback_cites_the_lessons_on_the_page_and_to_the_script(
    supervisor_client, trainee_client, cast, live_content
):
    session = open_assessed(supervisor_client, cast.trainee)
    turn = live_content.release.scenarios[SLUG].first_turn
    send(supervisor_client, session, turn.buyer[session.lang], turn_id=turn.id)
    send(trainee_client, session, "您好")
    stored = db.session.query(LiveMessage).filter_by(session_id=session.id, seq=2).one()
    # The live clients speak English; the titles are in the session's language.
    expected = _expected(
        stored.result["explanations"], live_content.curriculum, session.lang, "Lesson: "
    )
    assert expected

    page = main_html(supervisor_client.get(f"/live/{session.id}"))
    assert _citations(page) == expected
    assert 'data-lesson-label="Lesson: {title}"' in page

    [scored] = [m for m in poll(supervisor_client, session).get_json()["messages"] if "points" in m]
    cited = [point["lesson"] for point in scored["points"] if point["lesson"]]
    assert [(c["href"], c["source"], c["title"]) for c in cited] == [
        (href, source, title) for _, href, source, title in expected
    ]
