"""Live role-play security: only invited people read or write, trainees never see the live
rubric, messages are escaped, closed sessions take nothing, every POST needs the CSRF token."""

import re
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.probation.helpers import main_html
from tests.roleplay.live_helpers import (
    CLOSED,
    READ_ONLY,
    client_of,
    close,
    make_cast,
    open_assessed,
    poll,
    score,
    send,
)
from training.extensions import db
from training.roleplay import live_services
from training.roleplay.models import BUYER, LiveMessage, LiveSession

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def room(cast, supervisor_client, trainee_client):
    """An assessed session with a buyer line and a scored trainee reply in it."""
    session = open_assessed(supervisor_client, cast.trainee)
    send(supervisor_client, session, "这个手机壳能便宜点吗？")
    send(trainee_client, session, "亲，您好！欢迎光临，这款现在有活动价哦～")
    return session, supervisor_client, trainee_client


@pytest.mark.parametrize("who", ["outsider", "peer", "other_supervisor"])
def test_people_not_invited_get_404_everywhere(app, cast, room, who):
    session = room[0]
    stranger = client_of(app, getattr(cast, who))
    requests = [
        ("GET", f"/live/{session.id}", None),
        ("GET", f"/live/{session.id}/messages?after=0", None),
        ("POST", f"/live/{session.id}/messages", {"text": "hi", "token": "x"}),
        ("POST", f"/live/{session.id}/close", None),
        ("POST", f"/live/{session.id}/observers", None),
    ]
    for method, path, body in requests:
        response = stranger.open(path, method=method, json=body)
        assert response.status_code == 404, (method, path)
    assert db.session.query(LiveMessage).filter_by(session_id=session.id).count() == 2
    assert db.session.get(LiveSession, session.id).closed_at is None


def test_another_supervisor_cannot_score(app, cast, room):
    session, supervisor, _ = room
    close(supervisor, session)
    assert score(client_of(app, cast.other_supervisor), session, 5).status_code == 404
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).scorecard is None


def test_anonymous_visitors_are_sent_to_sign_in(app, room):
    response = app.test_client().get(f"/live/{room[0].id}/messages")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_trainee_never_sees_the_live_rubric(app, cast, room):
    session, supervisor, trainee = room
    assert "score" in poll(supervisor, session).get_json()["messages"][1]
    supervisor.post(f"/live/{session.id}/observers", data={"user": cast.peer.id})
    observer = client_of(app, cast.peer)
    for client in (trainee, observer):
        for message in poll(client, session).get_json()["messages"]:
            assert set(message) == {"seq", "role", "sender", "text", "at"}
        page = main_html(client.get(f"/live/{session.id}"))
        assert "live-score" not in page and "points" not in page
    close(supervisor, session)
    for client in (trainee, observer):
        assert "score" not in poll(client, session).get_data(as_text=True)


def test_the_trainee_cannot_close_or_score_an_assessed_session(room):
    session, _, trainee = room
    assert close(trainee, session).status_code == 302
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).closed_at is None
    assert score(trainee, session, 5).status_code == 403


def test_the_assessed_trainee_never_plays_the_buyer(app, cast, room):
    session, supervisor, trainee = room
    # The part comes from the seat, not from what the page sends.
    trainee.post(
        f"/live/{session.id}/messages", json={"text": "我是买家", "token": "t", "role": BUYER}
    )
    stored = db.session.query(LiveMessage).filter_by(session_id=session.id, seq=3).one()
    assert stored.role == "trainee"
    # Nor can they be seated again in another part.
    with pytest.raises(live_services.LiveRefused):
        live_services.invite_observer(
            session=session, inviter=cast.supervisor, observer=cast.trainee
        )
    assert [p.role for p in session.participants if p.user_id == cast.trainee.id] == ["trainee"]


def test_observers_cannot_write(app, cast, room):
    session, supervisor, _ = room
    supervisor.post(f"/live/{session.id}/observers", data={"user": cast.peer.id})
    refused = send(client_of(app, cast.peer), session, "hello")
    assert refused.status_code == 403 and refused.get_json()["error"] == READ_ONLY


def test_a_closed_session_takes_no_more_messages(room):
    session, supervisor, trainee = room
    assert close(supervisor, session).status_code == 302
    for client in (supervisor, trainee):
        refused = send(client, session, "还在吗？")
        assert refused.status_code == 409
        assert refused.get_json()["error"] == CLOSED
    assert db.session.query(LiveMessage).filter_by(session_id=session.id).count() == 2
    assert "reply-form" not in main_html(trainee.get(f"/live/{session.id}"))


def test_messages_are_escaped_in_every_page(app, cast, room):
    session, supervisor, trainee = room
    send(supervisor, session, HOSTILE)
    for client in (supervisor, trainee):
        page = client.get(f"/live/{session.id}").get_data(as_text=True)
        assert HOSTILE not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    console = supervisor.get(f"/supervisor/trainees/{cast.trainee.id}").get_data(as_text=True)
    assert "<script>alert" not in console
    # The poll hands the text over as data; the page's script only ever sets textContent.
    assert poll(trainee, session).get_json()["messages"][-1]["text"] == HOSTILE
    script = (Path(__file__).parents[2] / "training/static/js/live.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_every_post_needs_the_csrf_token(make_app, live_content):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        cast = make_cast()
        supervisor = app.test_client()
        token = _csrf_token(supervisor, "/login")
        login = {"username": cast.supervisor.username, "password": PASSWORD, "csrf_token": token}
        assert supervisor.post("/login", data=login).status_code == 302
        token = _csrf_token(supervisor, "/live/")
        unsigned = {"partner": cast.trainee.id, "topic": "议价"}
        assert supervisor.post("/live/open", data=unsigned).status_code == 400
        opened = supervisor.post(
            "/live/open", data={"partner": cast.trainee.id, "topic": "议价", "csrf_token": token}
        )
        assert opened.status_code == 302
        url = opened.headers["Location"] + "/messages"
        body = {"text": "在吗？", "token": "a"}
        assert supervisor.post(url, json=body).status_code == 400
        assert supervisor.post(url, json=body, headers={"X-CSRFToken": "forged"}).status_code == 400
        assert supervisor.post(url, json=body, headers={"X-CSRFToken": token}).status_code == 201
        close_url = opened.headers["Location"] + "/close"
        assert supervisor.post(close_url).status_code == 400


def _csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
