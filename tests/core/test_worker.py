"""A server process parses the live release and loads the segmenters before any request."""

from training import create_app
from training.core.worker import prepare_worker
from training.curriculum import queries
from training.extensions import db
from training.roleplay import matchers


def test_prepare_worker_parses_the_live_release(app, live_content, monkeypatch):
    monkeypatch.setattr(queries, "_parsed", {})
    db.session.close()  # a worker starts with no connection checked out of the pool it disposes
    prepare_worker(app)
    assert live_content.release.version in queries._parsed
    assert matchers._tokenizer is not None


def test_prepare_worker_before_the_first_migration_does_nothing_harmful(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    prepare_worker(app)  # no tables yet: the first request reports it, not the worker's start
