"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL via TEST_DATABASE_URL)."""

import contextlib
import os
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from benchmarks.throwaway_db import throwaway_postgres
from tests.factories import PASSWORD
from training import create_app
from training.extensions import db


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """An empty database migrated to head, shared by the whole run."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    sqlite_url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    fresh = (
        throwaway_postgres(server_url, prefix="kefu_test")
        if server_url
        else contextlib.nullcontext(sqlite_url)
    )
    with fresh as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url


@pytest.fixture
def make_app(database_url):
    """Build apps on the shared database with extra settings; every table is emptied after."""
    apps = []

    def build(**settings):
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **settings})
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield build
    for app in apps[:1]:
        with app.app_context():
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(table.delete())
            db.session.commit()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


class IsolatedClient(FlaskClient):
    """A client whose every request starts afresh, as in production.

    The tests hold an app context so factories can write; Flask would reuse it for each
    request, sharing `g` (the signed-in user, the locale) and the session's identity map.
    """

    def open(self, *args, **kwargs):
        _forget_request_state()
        try:
            return super().open(*args, **kwargs)
        finally:
            _forget_request_state()


def _forget_request_state():
    if not has_app_context():
        return
    for name in list(g):
        g.pop(name)
    db.session.expire_all()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign in and out through the real routes."""

    def __init__(self, client):
        self._client = client

    def login(self, username, password=PASSWORD, **kwargs):
        return self._client.post(
            "/login", data={"username": username, "password": password}, **kwargs
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture(scope="session")
def content_files():
    """The shipped content tree as {path: text}, read once."""
    from training.curriculum.parser import read_tree

    return read_tree(Path(__file__).resolve().parent.parent / "content")


@pytest.fixture
def live_content(app, content_files):
    """The shipped curriculum published as the live release."""
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content

    sync_content(files=content_files)
    return live_release()
