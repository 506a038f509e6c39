"""Fixtures of the security suite: two supervisors, a trainee each, the shipped content live."""

import pytest

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.roleplay.live_helpers import (  # noqa: F401 (fixtures of the live role-play tests)
    cast,
    supervisor_client,
    trainee_client,
)


@pytest.fixture
def people(app, live_content):
    """sam supervises amy, tom supervises bob; plus an admin called admin."""
    sam, tom = make_supervisor("sam"), make_supervisor("tom")
    return {
        "sam": sam,
        "tom": tom,
        "amy": make_trainee("amy", supervisor=sam),
        "bob": make_trainee("bob", supervisor=tom),
        "admin": make_admin("admin"),
    }


@pytest.fixture
def signed_in(client, auth, people):
    """The client, signed in as the trainee amy."""
    auth.login("amy")
    return client
