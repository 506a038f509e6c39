"""Helpers for the live role-play tests: a small cast (a supervisor, their trainee, a peer of
the same cohort, an outsider, another supervisor), one signed-in client per person, and the
requests the room's page makes. The fixtures reach the tests through the conftests that import
them (tests/roleplay, tests/security)."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from tests.conftest import AuthActions
from tests.factories import make_cohort, make_supervisor, make_trainee
from training.extensions import db
from training.roleplay.live_services import dimensions_of
from training.roleplay.models import LiveSession

SLUG = "haggling-phone-case"

# The clients speak English: the new messages reach the Chinese catalogue with the release.
CLOSED = "This session has ended; it takes no more messages."
READ_ONLY = "Observers read along; they cannot write."


@dataclass
class Cast:
    supervisor: object
    trainee: object
    peer: object
    outsider: object
    other_supervisor: object


def make_cast() -> Cast:
    """A supervisor with a trainee and a peer in one cohort; someone of another cohort and
    another supervisor, who must see nothing."""
    cohort, other = make_cohort("Cohort A"), make_cohort("Cohort B")
    supervisor = make_supervisor("sam", name="Sam")
    other_supervisor = make_supervisor("zoe", name="Zoe")
    return Cast(
        supervisor=supervisor,
        trainee=make_trainee("amy", name="Amy", supervisor=supervisor, cohort=cohort),
        peer=make_trainee("bob", name="Bob", supervisor=supervisor, cohort=cohort),
        outsider=make_trainee("carl", name="Carl", supervisor=other_supervisor, cohort=other),
        other_supervisor=other_supervisor,
    )


def client_of(app, user) -> FlaskClient:
    """A fresh client signed in as ``user``, with the interface in English."""
    client = app.test_client()
    assert AuthActions(client).login(user.username).status_code == 302
    assert client.post("/language", data={"locale": "en"}).status_code == 302
    return client


@pytest.fixture
def cast(app, live_content) -> Cast:
    return make_cast()


@pytest.fixture
def supervisor_client(app, cast) -> FlaskClient:
    return client_of(app, cast.supervisor)


@pytest.fixture
def trainee_client(app, cast) -> FlaskClient:
    return client_of(app, cast.trainee)


def session_from(response) -> LiveSession:
    """The session an open-session response redirected to."""
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/live/(\d+)", urlsplit(response.headers["Location"]).path)
    assert match, response.headers["Location"]
    return db.session.get(LiveSession, int(match.group(1)))


def open_assessed(client, trainee, slug: str = SLUG, topic: str = "") -> LiveSession:
    """The supervisor opens an assessed session for ``trainee`` from the index page's form."""
    data = {"partner": trainee.id, "scenario": slug, "topic": topic}
    return session_from(client.post("/live/open", data=data))


_tokens = itertools.count()


def send(client, session, text: str, token: str | None = None, turn_id: str | None = None, **kw):
    """Send a message the way live.js does: JSON with a client token."""
    body = {"text": text, "token": token or f"tok-{next(_tokens)}", "turn_id": turn_id or ""}
    return client.post(f"/live/{session.id}/messages", json=body, **kw)


def poll(client, session, after: int = 0):
    """One poll, as the page makes every second."""
    return client.get(f"/live/{session.id}/messages?after={after}")


def texts(response) -> list[str]:
    return [message["text"] for message in response.get_json()["messages"]]


def close(client, session):
    return client.post(f"/live/{session.id}/close")


def score(client, session, rating: int, comments: str = "Well handled.", dimensions=None):
    """The supervisor's scorecard: ``rating`` on every dimension."""
    session = db.session.get(LiveSession, session.id)
    data = {f"rating-{dim}": rating for dim in dimensions or dimensions_of(session)}
    return client.post(f"/live/{session.id}/scorecard", data={**data, "comments": comments})
