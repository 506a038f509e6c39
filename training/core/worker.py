"""Work a server process does once when it starts, so that no visitor's request pays for it."""

import contextlib
import gc

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
    # What is loaded by now (about 130,000 container objects: modules, the parsed release, the
    # dictionaries) lives as long as the process. Left in the collector's oldest generation,
    # every full collection walks it again; the console's 2,000-trainee table sets off one or
    # two per request, and freezing took the collector's CPU there from about 200 to 85 ms.
    # Frozen objects are still freed by reference count; only cycles among them would outlive
    # a new release. Under gunicorn --preload this runs before the fork, as the gc docs advise.
    gc.collect()
    gc.freeze()
