"""Plain-column reads run as Core, and reads by trainee ids, their statements built once.

Building a SELECT and working out its cache key cost more than running it for one trainee
(about 200 against 50 µs on SQLite), and every trainee page reads the probation evidence. A
read is written as a function of "the ids" (``build``): given a list, the statement it makes is
built once with the ids as an expanding bind parameter and reused; given a SELECT of ids (a
cohort of thousands, cheaper to select than to send), it is built around that SELECT.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import cache

from sqlalchemy import ColumnElement, Executable, Result, Select, bindparam

from training.extensions import db

# Whose records a read covers: their ids, or a SELECT of them.
TraineeIds = Collection[int] | Select
Build = Callable[[ColumnElement | Select], Executable]


def no_one(ids: TraineeIds) -> bool:
    """Whether ``ids`` is an empty list (a SELECT may select anyone)."""
    return not isinstance(ids, Select) and not ids


def read(statement: Executable, params: dict | None = None) -> Result:
    """Run a SELECT of plain columns (no ORM entities) in the session's transaction.

    Flushed as the ORM's execute would, so pending writes are read; then run as plain Core:
    through the session, a small read of a page's costs about twice as much (120 against 65 µs
    on SQLite), and at a cohort's size the ORM's result handling costs more than the read.
    """
    db.session.flush()
    return db.session.connection().execute(statement, params or {})


def read_by_ids(build: Build, ids: TraineeIds, **params) -> Result:
    """Run ``build``'s statement for ``ids``, with the other bind parameters ``params``."""
    statement = build(ids) if isinstance(ids, Select) else _built_once(build)
    if not isinstance(ids, Select):
        params["ids"] = list(ids)
    return read(statement, params)


@cache
def _built_once(build: Build) -> Executable:
    return build(bindparam("ids", expanding=True))
