"""Fixtures of the quiz tests."""

import pytest

from tests.factories import make_supervisor, make_trainee
from tests.quizzes import helpers
from training.curriculum import queries as curriculum_queries


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
    """Publish another content tree as the live release; forget its parsed copy afterwards."""
    published = []

    def publish(files):
        live = helpers.publish(files)
        published.append(live.id)
        return live

    yield publish
    for release_id in published:
        curriculum_queries._parsed.pop(release_id, None)
