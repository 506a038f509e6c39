"""Fixtures of the quiz tests."""

import pytest

from tests.factories import make_supervisor, make_trainee
from tests.quizzes import helpers


@pytest.fixture
def trainee(app):
    return make_trainee("amy", supervisor=make_supervisor("sam"))


@pytest.fixture
def signed_in(client, auth, trainee, live_content):
    """The client, signed in as the trainee, with the shipped curriculum live."""
    auth.login(trainee.username)
    return client


@pytest.fixture
def publish(app):
    """Publish another content tree as the live release."""
    return helpers.publish
