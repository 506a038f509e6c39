"""Summary tables ("standings") kept in step with the rows they summarise, in the same flush.

The supervisor's console reads every trainee's result on every quiz and scenario of a cohort at
once; aggregating 100 attempts and 20 conversations per trainee on each view costs more than the
page's budget. A standing row holds that aggregate for one (trainee, quiz) or (trainee, scenario).
Like an index, it is rewritten from its source rows at the end of any flush that wrote one of
them through the ORM (a submission, a re-grade, a finished conversation, a data fix), and a
rolled-back transaction takes it back with everything else.

Core statements skip the ORM's events: whoever writes source rows that way calls the refresh
itself (a supervisor's score override) or ``rebuild_standings`` (the benchmarks' bulk seeding).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    event,
    insert,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, object_session

from training.accounts.models import User

# Rewrites the standings of the given keys (every standing when None) from their source rows.
Refresh = Callable[[Connection, Collection[Hashable] | None], None]

_PENDING = "standings.pending"  # Session.info: {refresh: keys written in the current flush}
_REFRESHES: list[Refresh] = []


def keep_standing(
    source: type,
    *,
    refresh: Refresh,
    key: Callable[[object], Hashable],
    counts: Callable[[object], bool],
) -> None:
    """Run ``refresh`` at the end of every flush for the ``key`` of each ``source`` row the
    flush inserted or updated and that ``counts`` towards a standing."""

    def note(_mapper, _connection, row) -> None:
        if counts(row):
            pending = object_session(row).info.setdefault(_PENDING, {})
            pending.setdefault(refresh, set()).add(key(row))

    event.listen(source, "after_insert", note)
    event.listen(source, "after_update", note)
    _REFRESHES.append(refresh)


@event.listens_for(Session, "after_flush")
def _refresh_pending(session: Session, _context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        connection = session.connection()
        for refresh, keys in pending.items():
            refresh(connection, keys)


def rebuild_standings(connection: Connection) -> None:
    """Rewrite every standing from its source rows (after rows were written around the ORM)."""
    for refresh in _REFRESHES:
        refresh(connection, None)


class StandingRewrite:
    """How one standings table is rewritten from its source rows: a DELETE of the keys'
    standings and an INSERT ... SELECT of their aggregates, in the caller's transaction.

    Built once per table. Plain statements are compiled once and then taken from SQLAlchemy's
    cache; the dialects' upserts (INSERT ... ON CONFLICT) are compiled on every execution,
    which cost a submission more than its own grading.
    """

    def __init__(self, standings: Table, rows: Select, *, key: Sequence[ColumnElement]):
        """``rows`` aggregates the source rows by the source columns ``key`` (trainee id
        first), whose names the standings' own key columns share."""
        columns = [column.name for column in rows.selected_columns]
        own_key = [standings.c[column.name] for column in key]
        self._delete_every = delete(standings)
        self._insert_every = insert(standings).from_select(columns, rows)
        self._delete_some = delete(standings).where(*_of_keys(own_key))
        self._insert_some = insert(standings).from_select(columns, rows.where(*_of_keys(key)))

    def rewrite(self, connection: Connection, keys: Collection[tuple] | None) -> None:
        """Rewrite the standings of the (trainee id, ...) ``keys``, every one when None."""
        if keys is None:
            connection.execute(self._delete_every)
            connection.execute(self._insert_every)
            return
        trainee_ids = sorted({trainee_id for trainee_id, *_ in keys})
        _lock_trainees(connection, trainee_ids)
        chosen = {"trainee_ids": trainee_ids, "keys": sorted(keys)}
        connection.execute(self._delete_some, chosen)
        connection.execute(self._insert_some, chosen)


def _of_keys(key: Sequence[ColumnElement]) -> tuple[ColumnElement, ColumnElement]:
    # The trainee ids alone as well: SQLite reads a list of row values as a filter on every row
    # of every trainee, and only a plain IN on the first column reaches the index.
    return (
        key[0].in_(bindparam("trainee_ids", expanding=True)),
        tuple_(*key).in_(bindparam("keys", expanding=True)),
    )


_user = User.__table__.c
_LOCK_TRAINEES = (
    select(_user.id)
    .where(_user.id.in_(bindparam("ids", expanding=True)))
    .order_by(_user.id)
    .with_for_update(key_share=True)
)


def _lock_trainees(connection: Connection, ids: list[int]) -> None:
    """Hold the trainees' rows (PostgreSQL; SQLite's writer already holds the database) in id
    order, so two transactions rewriting the same trainee's standing take turns and the second
    reads the first's committed rows.

    FOR NO KEY UPDATE, not FOR UPDATE: a transaction that has already written a row pointing at
    the trainee (a submission updates its attempt twice, and the second update re-checks the
    foreign key) holds a KEY SHARE lock on the trainee's row, which FOR UPDATE would wait for.
    Two such transactions would each wait for the other."""
    connection.execute(_LOCK_TRAINEES, {"ids": ids}).all()
