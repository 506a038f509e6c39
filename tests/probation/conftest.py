"""Fixtures of the probation tests: a supervisor, their trainee hired 20 days ago, the shipped
content live."""

from datetime import timedelta

import pytest

from tests.factories import make_supervisor, make_trainee
from training.clock import today


@pytest.fixture
def supervisor(app):
    return make_supervisor("sam", name="Sam Supervisor")


@pytest.fixture
def trainee(supervisor):
    return make_trainee("amy", name="Amy Trainee", supervisor=supervisor, hire_date=hired_ago(20))


@pytest.fixture
def signed_in(client, auth, trainee, live_content):
    """The client, signed in as the trainee (Chinese interface), with the shipped content live."""
    auth.login(trainee.username)
    return client


@pytest.fixture
def as_supervisor(client, auth, supervisor, live_content):
    """The client, signed in as the trainee's supervisor, with the shipped content live."""
    auth.login(supervisor.username)
    return client


def hired_ago(days: int):
    return today() - timedelta(days=days)
