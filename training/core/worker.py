"""Work a server process does once when it starts, so that no visitor's request pays for it."""

import contextlib

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from training.extensions import db


def prepare_worker(app: Flask) -> None:
    """Parse the live release and load both Chinese segmenters before the first request.

    Each takes a second or more; done lazily, the first visitors of every new worker would
    wait for them. Before the first `flask db upgrade` or `flask content sync` there is
    nothing to parse and the requests themselves report it.
    """
    from training.curriculum.queries import live_release
    from training.roleplay.matchers import load_segmenter

    with app.app_context():
        with contextlib.suppress(SQLAlchemyError):
            live_release()
        # Connections opened here must not be shared with processes forked later: hand the
        # session's back to the pool first, so that disposing the pool closes it too.
        db.session.remove()
        db.engine.dispose()
    load_segmenter()
