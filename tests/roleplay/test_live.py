"""Live role-play through the routes: opening, the two sides of the room, delivery by polling,
live scoring for the supervisor, closing, the scorecard and what it does for probation."""

import pytest

from tests.probation.helpers import main_html
from tests.roleplay.helpers import shown
from tests.roleplay.live_helpers import (
    SLUG,
    client_of,
    close,
    open_assessed,
    poll,
    score,
    send,
    session_from,
    texts,
)
from training.extensions import db
from training.probation import rules
from training.probation.services import readiness_of
from training.roleplay.models import ASSESSED, PEER, LiveMessage, LiveSession


@pytest.fixture
def session(supervisor_client, cast):
    return open_assessed(supervisor_client, cast.trainee)


def _live_criterion(trainee, live):
    readiness = readiness_of(trainee, live)
    return next(c for c in readiness.criteria if c.key == "live_roleplay")


def test_supervisor_opens_an_assessed_session_playing_the_buyer(session, cast):
    assert session.kind == ASSESSED
    assert session.user_in("buyer").id == cast.supervisor.id
    assert session.user_in("trainee").id == cast.trainee.id


def test_buyer_sees_the_scenario_card_and_the_trainee_the_workbench(
    session, supervisor_client, trainee_client, live_content
):
    scenario, lang = live_content.release.scenarios[SLUG], session.lang
    buyer_page = main_html(supervisor_client.get(f"/live/{session.id}"))
    assert shown(scenario.persona.description[lang]) in buyer_page
    for turn in scenario.turns:
        assert f'data-turn="{turn.id}"' in buyer_page
    assert shown(scenario.facts.product[lang]) in buyer_page

    trainee_page = main_html(trainee_client.get(f"/live/{session.id}"))
    assert 'class="order-card"' in trainee_page
    assert 'class="quick-replies"' in trainee_page
    assert 'class="reply-timer"' in trainee_page
    # The script and the persona's secrets are for the buyer only.
    assert "script-card" not in trainee_page
    assert shown(scenario.persona.description[lang]) not in trainee_page


def test_messages_arrive_in_order_after_the_cursor(session, supervisor_client, trainee_client):
    assert send(supervisor_client, session, "这个手机壳能便宜点吗？").status_code == 201
    assert send(trainee_client, session, "亲，您好！欢迎光临～").status_code == 201
    assert send(supervisor_client, session, "再便宜五块我就买。").status_code == 201

    everything = poll(trainee_client, session).get_json()
    assert [m["seq"] for m in everything["messages"]] == [1, 2, 3]
    assert [m["role"] for m in everything["messages"]] == ["buyer", "trainee", "buyer"]
    assert texts(poll(trainee_client, session, after=2)) == ["再便宜五块我就买。"]
    assert poll(trainee_client, session, after=3).get_json()["messages"] == []
    assert everything["closed"] is False


def test_reload_shows_the_whole_conversation(session, supervisor_client, trainee_client):
    send(supervisor_client, session, "在吗？")
    send(trainee_client, session, "在的亲，请问有什么可以帮您？")
    page = main_html(trainee_client.get(f"/live/{session.id}"))
    assert page.index("在吗？") < page.index("在的亲，请问有什么可以帮您？")
    assert 'data-after="2"' in page


def test_a_resent_message_is_stored_once(session, supervisor_client):
    first = send(supervisor_client, session, "在吗？", token="same")
    again = send(supervisor_client, session, "在吗？", token="same")
    assert first.status_code == again.status_code == 201
    assert first.get_json()["seq"] == again.get_json()["seq"] == 1
    assert db.session.query(LiveMessage).filter_by(session_id=session.id).count() == 1


def test_empty_and_overlong_messages_are_refused(session, supervisor_client):
    empty = send(supervisor_client, session, "   ")
    assert empty.status_code == 400 and empty.get_json()["error"]
    assert send(supervisor_client, session, "长" * 1001).status_code == 400
    assert poll(supervisor_client, session).get_json()["messages"] == []


def test_rubric_scores_each_reply_for_the_supervisor_only(
    session, supervisor_client, trainee_client, live_content
):
    turn = live_content.release.scenarios[SLUG].first_turn
    send(supervisor_client, session, turn.buyer[session.lang], turn_id=turn.id)
    send(trainee_client, session, turn.model[session.lang])

    seen_by_supervisor = poll(supervisor_client, session).get_json()["messages"]
    assert "score" not in seen_by_supervisor[0]  # buyer lines are not scored
    assert seen_by_supervisor[1]["score"] >= 70
    assert seen_by_supervisor[1]["points"]
    stored = db.session.query(LiveMessage).filter_by(session_id=session.id, seq=2).one()
    assert stored.result["turn_id"] == turn.id
    assert 'class="feedback live-score"' in main_html(supervisor_client.get(f"/live/{session.id}"))


def test_the_supervisor_sees_the_words_that_earned_points_marked_and_the_trainee_does_not(
    session, supervisor_client, trainee_client, live_content
):
    turn = live_content.release.scenarios[SLUG].first_turn
    send(supervisor_client, session, turn.buyer[session.lang], turn_id=turn.id)
    reply = turn.model[session.lang]
    send(trainee_client, session, reply)
    stored = db.session.query(LiveMessage).filter_by(session_id=session.id, seq=2).one()
    earned = [word for move in stored.result["moves"] for word in move["words"]]
    assert earned

    polled = poll(supervisor_client, session).get_json()["messages"][1]
    assert "".join(piece for piece, _kind in polled["pieces"]) == reply
    marked = [piece for piece, kind in polled["pieces"] if kind == "move"]
    assert marked and all(any(word in piece for word in earned) for piece in marked)
    page = main_html(supervisor_client.get(f"/live/{session.id}"))
    assert f'<mark class="move">{marked[0]}</mark>' in page

    # The trainee sees the reply as written: no score, no marks.
    assert "pieces" not in poll(trainee_client, session).get_json()["messages"][1]
    assert "<mark" not in main_html(trainee_client.get(f"/live/{session.id}"))


def test_unscripted_buyer_lines_follow_the_script_in_order(
    session, supervisor_client, trainee_client, live_content
):
    send(supervisor_client, session, "老板，这壳多少钱？")
    send(trainee_client, session, "亲，您好！这款手机壳29元哦～")
    send(supervisor_client, session, "能不能再便宜点？")
    send(trainee_client, session, "亲，这已经是活动价了哦～")
    scenario = live_content.release.scenarios[SLUG]
    stored = db.session.query(LiveMessage).filter_by(session_id=session.id).order_by("seq").all()
    assert [m.result["turn_id"] for m in stored if m.role == "trainee"] == [
        scenario.turns[0].id,
        scenario.turns[1].id,
    ]


def test_closed_session_then_scorecard_counts_for_probation(
    session, supervisor_client, trainee_client, cast, live_content
):
    assert _live_criterion(cast.trainee, live_content).state == rules.NOT_MET
    send(supervisor_client, session, "在吗？")
    send(trainee_client, session, "在的亲！")
    # Not before it is closed.
    assert score(supervisor_client, session, 4).status_code == 400
    assert close(supervisor_client, session).status_code == 302
    assert poll(trainee_client, session).get_json()["closed"] is True

    response = score(supervisor_client, session, 4, comments="Patient and clear.")
    assert response.status_code == 302
    db.session.expire_all()
    card = db.session.get(LiveSession, session.id).scorecard
    assert card.percent == 80.0 and card.comments == "Patient and clear."
    criterion = _live_criterion(cast.trainee, live_content)
    assert criterion.state == rules.MET
    assert criterion.detail["best"] == 80.0
    # A second scorecard is refused; the first stands.
    assert score(supervisor_client, session, 1).status_code == 400
    page = main_html(trainee_client.get(f"/live/{session.id}"))
    assert "Patient and clear." in page and "80%" in page


def test_a_scorecard_below_the_mark_does_not_pass(session, supervisor_client, cast, live_content):
    close(supervisor_client, session)
    score(supervisor_client, session, 3)  # 60%, the mark is 70%
    criterion = _live_criterion(cast.trainee, live_content)
    assert criterion.state == rules.NOT_MET
    assert criterion.detail["best"] == 60.0


def test_a_rejected_scorecard_keeps_what_was_entered(session, supervisor_client):
    close(supervisor_client, session)
    response = supervisor_client.post(
        f"/live/{session.id}/scorecard",
        data={"rating-courtesy": "9", "comments": "Almost there."},
    )
    assert response.status_code == 400
    page = main_html(response)
    assert "Rate every dimension from 1 to 5." in page
    assert "Almost there." in page


def test_peer_practice_never_counts_for_probation(app, cast, live_content):
    peer_client = client_of(app, cast.peer)
    session = session_from(
        peer_client.post(
            "/live/open",
            data={"partner": cast.trainee.id, "scenario": SLUG, "role": "buyer"},
        )
    )
    assert session.kind == PEER
    assert session.user_in("trainee").id == cast.trainee.id
    trainee_client = client_of(app, cast.trainee)
    assert send(peer_client, session, "在吗？").status_code == 201
    assert send(trainee_client, session, "亲，您好！").status_code == 201
    # No supervisor in the room: no score reaches anyone.
    assert all("score" not in m for m in poll(peer_client, session).get_json()["messages"])
    assert all("score" not in m for m in poll(trainee_client, session).get_json()["messages"])
    assert close(trainee_client, session).status_code == 302
    assert score(client_of(app, cast.supervisor), session, 5).status_code == 400
    assert _live_criterion(cast.trainee, live_content).state == rules.NOT_MET


def test_peers_must_share_a_cohort(app, cast, live_content):
    response = client_of(app, cast.trainee).post(
        "/live/open", data={"partner": cast.outsider.id, "topic": "退货"}
    )
    assert response.status_code == 400
    assert "Choose someone you may practise with." in main_html(response)


def test_supervisor_opens_only_for_own_trainees(app, cast, live_content):
    response = client_of(app, cast.other_supervisor).post(
        "/live/open", data={"partner": cast.trainee.id, "scenario": SLUG}
    )
    assert response.status_code == 400


def test_free_form_needs_a_topic_and_keeps_the_form(supervisor_client, cast):
    response = supervisor_client.post("/live/open", data={"partner": cast.trainee.id, "topic": ""})
    assert response.status_code == 400
    assert "A free-form session needs a topic." in main_html(response)
    session = open_assessed(supervisor_client, cast.trainee, slug="", topic="客户要求线下交易")
    assert session.scenario_slug is None and session.topic == "客户要求线下交易"


def test_observer_reads_but_cannot_write(app, session, supervisor_client, cast):
    response = supervisor_client.post(f"/live/{session.id}/observers", data={"user": cast.peer.id})
    assert response.status_code == 302
    send(supervisor_client, session, "在吗？")
    observer = client_of(app, cast.peer)
    assert texts(poll(observer, session)) == ["在吗？"]
    refused = send(observer, session, "我也想说话")
    assert refused.status_code == 403
    page = main_html(observer.get(f"/live/{session.id}"))
    assert "reply-form" not in page and "script-card" not in page and "order-card" not in page


def test_only_same_cohort_trainees_may_observe(session, supervisor_client, cast):
    supervisor_client.post(f"/live/{session.id}/observers", data={"user": cast.outsider.id})
    db.session.expire_all()
    seated = {p.user_id for p in db.session.get(LiveSession, session.id).participants}
    assert cast.outsider.id not in seated


def test_transcripts_on_the_trainee_page_of_the_console(session, supervisor_client, cast):
    send(supervisor_client, session, "在吗？")
    page = main_html(supervisor_client.get(f"/supervisor/trainees/{cast.trainee.id}"))
    assert "Live role-play" in page
    assert f'href="/live/{session.id}"' in page


def test_nav_entry_for_trainees_and_supervisors(supervisor_client, trainee_client):
    for client in (supervisor_client, trainee_client):
        html = client.get("/live/").get_data(as_text=True)
        assert 'href="/live/"' in html
