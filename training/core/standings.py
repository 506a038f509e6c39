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

from sqlalchemy import ColumnElement, Connection, Select, Table, event, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
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


def rewrite_standings(
    connection: Connection,
    standings: Table,
    rows: Select,
    *,
    key: Sequence[ColumnElement],
    keys: Collection[tuple] | None,
) -> None:
    """Replace the rows of ``standings`` with those ``rows`` aggregates, for the (trainee id,
    ...) ``keys`` of source columns ``key`` only, or for every key when None."""
    if keys is not None:
        trainee_ids = sorted({trainee_id for trainee_id, *_ in keys})
        _lock_trainees(connection, trainee_ids)
        # The trainee ids alone as well: SQLite reads a list of row values as a filter on every
        # source row of every trainee, and only a plain IN on the first column reaches the index.
        rows = rows.where(key[0].in_(trainee_ids), tuple_(*key).in_(sorted(keys)))
    _replace_rows(connection, standings, rows, key=[column.name for column in key])


def _lock_trainees(connection: Connection, ids: list[int]) -> None:
    """Hold the trainees' rows (PostgreSQL; SQLite's writer already holds the database) in id
    order, so two transactions rewriting the same trainee's standing take turns and the second
    reads the first's committed rows.

    FOR NO KEY UPDATE, not FOR UPDATE: a transaction that has already written a row pointing at
    the trainee (a submission updates its attempt twice, and the second update re-checks the
    foreign key) holds a KEY SHARE lock on the trainee's row, which FOR UPDATE would wait for.
    Two such transactions would each wait for the other."""
    user = User.__table__.c
    connection.execute(
        select(user.id).where(user.id.in_(ids)).order_by(user.id).with_for_update(key_share=True)
    ).all()


def _replace_rows(connection: Connection, table: Table, rows: Select, *, key: list[str]) -> None:
    """Insert the rows ``rows`` selects into ``table``, replacing those with the same ``key``."""
    dialect_insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    columns = [column.name for column in rows.selected_columns]
    statement = dialect_insert(table).from_select(columns, rows)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={name: statement.excluded[name] for name in columns if name not in key},
    )
    connection.execute(statement)
