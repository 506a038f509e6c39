"""Plain-column reads run as Core, and reads by trainee ids, their statements built once.

Building a SELECT and working out its cache key cost more than running it for one trainee
(about 200 against 50 µs on SQLite), and every trainee page reads the probation evidence. A
read is written as a function of "the ids" (``build``): given a list, the statement it makes is
built once with the ids as an expanding bind parameter and reused; given a roster (a cohort of
thousands, cheaper to select than to send), it is built once around the roster's SELECT.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import ColumnElement, Executable, Result, Select, bindparam

from training.extensions import db


@dataclass(frozen=True)
class Roster:
    """Trainees selected in the database: a SELECT of their ids, built once with bind
    parameters (the reads around it are built once too), and those parameters' values."""

    ids: Select
    params: dict


# Whose records a read covers: their ids, or a roster.
TraineeIds = Collection[int] | Roster
Build = Callable[[ColumnElement | Select], Executable]


def no_one(ids: TraineeIds) -> bool:
    """Whether ``ids`` is an empty list (a roster may select anyone)."""
    return not isinstance(ids, Roster) and not ids


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
    if isinstance(ids, Roster):
        return read(_built_around(build, ids.ids), params | ids.params)
    return read(_built_once(build), params | {"ids": list(ids)})


@cache
def _built_once(build: Build) -> Executable:
    return build(bindparam("ids", expanding=True))


# Bounded all the same: a roster whose SELECT were built per call would miss every time.
@lru_cache(maxsize=64)
def _built_around(build: Build, ids: Select) -> Executable:
    return build(ids)
