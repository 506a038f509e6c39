"""How pooled database connections are reused: checked only after sitting idle, and on
PostgreSQL kept with their prepared statements from one request to the next."""

import time

from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool

# A connection handed back this recently was working moments ago; checking every one before
# use (pool_pre_ping) cost a round trip, about a tenth of a plain page's server time. One idle
# for longer may have been closed by the server, a proxy or a restart, and is checked first.
PING_AFTER_IDLE_SECONDS = 10.0

_RETURNED_AT = "kefu_returned_at"
_WROTE = "kefu_wrote"


def watch_connections() -> None:
    """Install the listeners below on every engine and pool, once per process."""
    for target, name, listener in (
        (Pool, "checkin", _note_return),
        (Engine, "engine_connect", _ping_if_idle),
        (Engine, "before_cursor_execute", _note_write),
        (Engine, "commit", _forget_writes),
        (Engine, "rollback", _end_reads_with_commit),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def _note_return(_dbapi_connection, record) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(connection: Connection) -> None:
    returned_at = connection.info.get(_RETURNED_AT)
    if returned_at is None or time.monotonic() - returned_at < PING_AFTER_IDLE_SECONDS:
        return  # new, or just used
    try:
        connection.dialect.do_ping(connection.connection.dbapi_connection)
    except connection.dialect.loaded_dbapi.Error:
        # The next statement reconnects, as pool_pre_ping would have before handing it out.
        connection.invalidate()


def _note_write(connection: Connection, _cursor, statement: str, *_args) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[_WROTE] = True


def _forget_writes(connection: Connection) -> None:
    connection.info.pop(_WROTE, None)


def _end_reads_with_commit(connection: Connection) -> None:
    """End a transaction that only read with COMMIT, which for it does what ROLLBACK does.

    psycopg forgets every prepared statement on ROLLBACK (it cannot know what the transaction
    changed), and almost every request ends in one: the session's close rolls back what it
    read. So no statement ever ran the five times psycopg waits before preparing it, and
    PostgreSQL parsed and planned each one afresh, the pages' longest wait. A transaction
    that wrote anything, failed or not, still rolls back.
    """
    wrote = connection.info.pop(_WROTE, False)
    if wrote or connection.closed or connection.invalidated:
        return
    if connection.dialect.driver != "psycopg":
        return
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()
