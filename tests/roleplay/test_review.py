"""A supervisor's review of a finished conversation: comments on any turn, score overrides with a
reason (the engine's score kept, every override kept), probation evidence following the override,
and the trainee reading all of it on their scorecard."""

import re
from html import unescape

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.probation.helpers import make_ready, play_assessed, required_scenarios
from tests.quizzes.helpers import flashes, main_html
from tests.roleplay.helpers import shown
from training.extensions import db
from training.probation.services import readiness_of
from training.roleplay import services
from training.roleplay.models import ASSESSED, TEXT, Conversation, ScoreOverride, TurnComment
from training.roleplay.queries import best_assessed

SCRIPT = '<script>alert("x")</script>'


def _textareas(html: str, name: str) -> list[str]:
    """What each textarea called `name` holds (a browser drops the first line break)."""
    pattern = rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>'
    return [unescape(v).removeprefix("\r\n") for v in re.findall(pattern, html, re.S)]


def _english(client) -> None:
    """Switch the signed-in user's interface to English (the messages are the msgids)."""
    assert client.post("/language", data={"locale": "en"}).status_code == 302


def _weak_run(trainee, live, slug: str) -> Conversation:
    """An assessed run of `slug` with one poor reply, ended early: scored low, not passed."""
    conversation = services.start_conversation(
        user_id=trainee.id, live=live, slug=slug, mode=ASSESSED, input=TEXT, lang="zh"
    )
    services.send_reply(conversation=conversation, client_token="weak", text="嗯")
    services.end_conversation(conversation=conversation)
    assert conversation.finished and not conversation.passed
    return conversation


def _comment(client, conversation, turn, body="Greet the buyer first.", **kwargs):
    return client.post(
        f"/conversations/{conversation.id}/turns/{turn.id}/comments", data={"body": body}, **kwargs
    )


def _override(client, conversation, score="85", reason="The engine missed the apology.", **extra):
    data = {"score": score, "reason": reason, **extra}
    return client.post(f"/conversations/{conversation.id}/override", data=data)


def _result(client, conversation) -> str:
    response = client.get(f"/conversations/{conversation.id}/result")
    assert response.status_code == 200
    return main_html(response)


def test_the_supervisor_comments_on_any_turn_and_the_trainee_reads_it(
    client, auth, supervisor, trainee, live_content
):
    slug = required_scenarios(live_content)[0]
    conversation = play_assessed(trainee, live_content, slug)
    first, last = conversation.turns[0], conversation.turns[-1]
    auth.login(supervisor.username)
    _english(client)
    html = _result(client, conversation)
    assert html.count('class="comment-form"') == len(conversation.turns)
    response = _comment(client, conversation, last, body=f"Good close {SCRIPT}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#turn-{len(conversation.turns)}")
    assert _comment(client, conversation, first).status_code == 302
    assert _comment(client, conversation, first, body="And thank them.").status_code == 302
    comments = db.session.scalars(db.select(TurnComment).order_by(TurnComment.id)).all()
    assert [(c.turn_id, c.author_id) for c in comments] == [
        (last.id, supervisor.id),
        (first.id, supervisor.id),
        (first.id, supervisor.id),
    ]
    auth.logout()

    auth.login(trainee.username)
    html = _result(client, conversation)
    assert SCRIPT not in html and shown(f"Good close {SCRIPT}") in html
    turns = html.split('class="transcript-turn"')[1:]
    assert "Greet the buyer first." in turns[0] and "And thank them." in turns[0]
    assert turns[0].index("Greet the buyer first.") < turns[0].index("And thank them.")
    assert shown(f"Good close {SCRIPT}") in turns[-1]
    assert supervisor.name in turns[0]
    # The trainee reads the comments but gets no form to write any.
    assert 'class="comment-form"' not in html and "/override" not in html


def test_only_the_trainees_own_supervisor_or_an_admin_may_review(
    client, auth, supervisor, trainee, live_content
):
    conversation = play_assessed(trainee, live_content, required_scenarios(live_content)[0])
    turn = conversation.turns[0]
    make_supervisor("tom")
    make_admin()
    auth.login("tom")
    assert client.get(f"/conversations/{conversation.id}/result").status_code == 404
    assert _comment(client, conversation, turn).status_code == 404
    assert _override(client, conversation).status_code == 404
    auth.logout()
    auth.login(trainee.username)
    assert _comment(client, conversation, turn).status_code == 403
    assert _override(client, conversation).status_code == 403
    auth.logout()
    assert db.session.scalar(db.select(db.func.count(TurnComment.id))) == 0
    assert db.session.scalar(db.select(db.func.count(ScoreOverride.id))) == 0
    auth.login("boss")
    assert _comment(client, conversation, turn).status_code == 302
    assert _override(client, conversation).status_code == 302


def test_unfinished_conversations_and_foreign_turns_cannot_be_reviewed(
    client, auth, supervisor, trainee, live_content
):
    slugs = required_scenarios(live_content)
    finished = play_assessed(trainee, live_content, slugs[0])
    other = play_assessed(trainee, live_content, slugs[1])
    open_run = services.start_conversation(
        user_id=trainee.id, live=live_content, slug=slugs[0], mode=ASSESSED, input=TEXT, lang="zh"
    )
    services.send_reply(conversation=open_run, client_token="a", text="亲，您好")
    auth.login(supervisor.username)
    assert _comment(client, open_run, open_run.turns[0]).status_code == 404
    assert _override(client, open_run).status_code == 404
    assert _comment(client, finished, other.turns[0]).status_code == 404
    assert db.session.scalar(db.select(db.func.count(TurnComment.id))) == 0


def test_an_empty_comment_is_refused_and_a_long_one_kept_as_typed(
    client, auth, supervisor, trainee, live_content
):
    conversation = play_assessed(trainee, live_content, required_scenarios(live_content)[0])
    turn = conversation.turns[1]
    auth.login(supervisor.username)
    _english(client)
    response = _comment(client, conversation, turn, body="   ")
    assert response.status_code == 400
    assert "Write the comment first." in main_html(response)
    long = "太长" * 1001
    response = _comment(client, conversation, turn, body=long)
    assert response.status_code == 400
    html = main_html(response)
    assert [value for value in _textareas(html, "body") if value] == [long]
    assert '<details class="comment-form" open>' in html
    assert html.count('<details class="comment-form" open>') == 1
    assert db.session.scalar(db.select(db.func.count(TurnComment.id))) == 0


def test_an_override_needs_a_reason_and_a_score_from_0_to_100(
    client, auth, supervisor, trainee, live_content
):
    conversation = play_assessed(trainee, live_content, required_scenarios(live_content)[0])
    engine_score = conversation.score
    auth.login(supervisor.username)
    _english(client)
    response = _override(client, conversation, score="40", reason="  ")
    assert response.status_code == 400
    html = main_html(response)
    assert "Write the reason for the override." in html
    assert 'name="score"' in html and 'value="40"' in html  # what was typed stays
    assert '<details class="override-form" open>' in html
    for score in ("101", "-1", "", "abc"):
        response = _override(client, conversation, score=score, reason="Because.")
        assert response.status_code == 400, score
        assert _textareas(main_html(response), "reason") == ["Because."]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(ScoreOverride.id))) == 0
    assert (conversation.score, conversation.reviewed_score) == (engine_score, None)


def test_overrides_are_kept_as_history_beside_the_engines_score(
    client, auth, supervisor, trainee, live_content
):
    conversation = play_assessed(trainee, live_content, required_scenarios(live_content)[0])
    engine_score, pass_mark = conversation.score, conversation.scorecard["pass_mark"]
    auth.login(supervisor.username)
    _english(client)
    response = _override(client, conversation, score="30", reason=f"Rude tone {SCRIPT}")
    assert response.status_code == 302
    assert flashes(client.get(response.headers["Location"])) == [
        "Score overridden; the engine's score is kept beside it."
    ]
    assert (
        _override(client, conversation, score="90", reason="On reflection, fine.").status_code
        == 302
    )

    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation.id)
    assert conversation.score == engine_score and conversation.passed  # the engine's, untouched
    assert (conversation.effective_score, conversation.effective_passed) == (90, True)
    history = db.session.scalars(db.select(ScoreOverride).order_by(ScoreOverride.id)).all()
    assert [(o.previous_score, o.score, o.passed, o.author_id) for o in history] == [
        (engine_score, 30, pass_mark <= 30, supervisor.id),
        (30, 90, True, supervisor.id),
    ]
    auth.logout()

    auth.login(trainee.username)
    _english(client)
    html = _result(client, conversation)
    assert "Score 90" in html and f"engine: {engine_score:.0f}" in html
    overrides = html.split('<ol class="override-history">', 1)[1].split("</ol>", 1)[0]
    assert overrides.index("On reflection, fine.") < overrides.index("Rude tone")  # newest first
    assert shown(f"Rude tone {SCRIPT}") in overrides and SCRIPT not in html
    assert "superseded" in overrides and supervisor.name in overrides
    assert f"own score, {engine_score:.0f}, is kept." in html


def test_the_supervisor_can_set_aside_or_add_a_serious_violation(
    client, auth, supervisor, trainee, live_content
):
    slug = required_scenarios(live_content)[0]
    conversation = services.start_conversation(
        user_id=trainee.id, live=live_content, slug=slug, mode=ASSESSED, input=TEXT, lang="zh"
    )
    services.send_reply(conversation=conversation, client_token="x", text="亲，加我微信私聊吧")
    services.end_conversation(conversation=conversation)
    assert conversation.fatal and not conversation.passed
    auth.login(supervisor.username)
    _english(client)
    assert _override(client, conversation, score="80", reason="A joke.").status_code == 302
    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation.id)
    assert (conversation.effective_fatal, conversation.effective_passed) == (False, True)
    assert conversation.fatal  # the engine's finding stays on record
    html = _result(client, conversation)
    assert "set aside" in html
    # Ticking the box keeps (or adds) the violation, which fails whatever the score.
    response = _override(client, conversation, score="95", reason="Not a joke.", fatal="y")
    assert response.status_code == 302
    db.session.expire_all()
    conversation = db.session.get(Conversation, conversation.id)
    assert (conversation.effective_fatal, conversation.effective_passed) == (True, False)


def test_probation_evidence_follows_the_override(client, auth, supervisor, trainee, live_content):
    make_ready(trainee, live_content)
    assert readiness_of(trainee, live_content).state == "ready"
    slug = required_scenarios(live_content)[0]
    (run,) = db.session.scalars(db.select(Conversation).filter_by(scenario_slug=slug)).all()
    auth.login(supervisor.username)
    assert (
        _override(client, run, score="20", reason="Promised a refund we do not give.").status_code
        == 302
    )
    readiness = readiness_of(trainee, live_content)
    assert readiness.state == "in_progress"
    scenarios = readiness.status("scenarios")
    assert scenarios.state == "not_met" and slug in scenarios.detail["todo"]
    page = main_html(client.get(f"/supervisor/trainees/{trainee.id}"))
    assert '<li class="criterion not_met">' in page

    # A weak run the engine failed, judged a pass by the supervisor, counts as passed.
    weak = _weak_run(trainee, live_content, slug)
    assert readiness_of(trainee, live_content).state == "in_progress"
    assert _override(client, weak, score="88", reason="Short but right.").status_code == 302
    assert readiness_of(trainee, live_content).state == "ready"
    # The scenario list shows the trainee the same best score.
    assert best_assessed(trainee.id)[slug] == (88, True)


def test_a_practice_scorecard_without_review_shows_no_review_section(
    signed_in, trainee, live_content
):
    conversation = play_assessed(trainee, live_content, required_scenarios(live_content)[0])
    html = _result(signed_in, conversation)
    assert 'class="review"' not in html and 'class="turn-comments"' not in html


def test_another_supervisors_trainee_stays_hidden_on_the_scorecard(
    client, auth, supervisor, live_content
):
    tom = make_supervisor("tom")
    bob = make_trainee("bob", supervisor=tom)
    conversation = play_assessed(bob, live_content, required_scenarios(live_content)[0])
    auth.login(supervisor.username)
    assert client.get(f"/conversations/{conversation.id}/result").status_code == 404


def test_a_run_ended_early_is_told_to_its_reader_and_named_for_the_supervisor(
    client, auth, supervisor, trainee, live_content
):
    conversation = _weak_run(trainee, live_content, required_scenarios(live_content)[0])
    auth.login(trainee.username)
    html = _result(client, conversation)
    assert "买家还没做决定，你就结束了对话。" in html and "trainee-of" not in html
    auth.logout()
    auth.login(supervisor.username)
    html = _result(client, conversation)
    assert "买家还没做决定，学员就结束了对话。" in html and "你就结束了对话" not in html
    # Whose scorecard it is, and the way to their trainee page.
    assert f'学员：<a href="/supervisor/trainees/{trainee.id}">{trainee.name}</a>' in html
