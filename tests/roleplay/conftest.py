"""Fixtures of the simulated-buyer route tests."""

import pytest

from tests.factories import make_supervisor, make_trainee
from tests.roleplay.live_helpers import (  # noqa: F401 (fixtures of the live role-play tests)
    cast,
    supervisor_client,
    trainee_client,
)


@pytest.fixture
def supervisor(app):
    return make_supervisor("sam")


@pytest.fixture
def trainee(supervisor):
    return make_trainee("amy", supervisor=supervisor)


@pytest.fixture
def signed_in(client, auth, trainee, live_content):
    """The client, signed in as the trainee (Chinese interface), with the shipped content live."""
    auth.login(trainee.username)
    return client


@pytest.fixture
def in_english(signed_in):
    """The signed-in trainee, having switched the interface to English."""
    assert signed_in.post("/language", data={"locale": "en"}).status_code == 302
    return signed_in
