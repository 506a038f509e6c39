"""Pooled connections: a write that is rolled back is gone, a connection is checked only after
sitting idle, and on PostgreSQL a read-only transaction keeps the prepared statements."""

import pytest
import sqlalchemy as sa

from training.accounts.models import Cohort
from training.core import connections
from training.extensions import db


@pytest.fixture
def engine(app):
    db.session.close()  # the pool's connections are the test's alone
    return db.engine


def _postgres_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL connections only")


def _cohort_names(connection) -> list[str]:
    return connection.scalars(sa.select(Cohort.name)).all()


def test_a_transaction_that_wrote_is_rolled_back_whole(engine):
    with engine.connect() as connection:
        assert _cohort_names(connection) == []
        connection.execute(sa.insert(Cohort).values(name="Spring"))
        connection.execute(sa.insert(Cohort).values(name="Summer"))
        connection.rollback()
        assert _cohort_names(connection) == []


def test_a_session_that_flushed_and_failed_keeps_nothing(engine):
    db.session.add(Cohort(name="Spring"))
    db.session.flush()
    db.session.rollback()
    assert db.session.scalars(sa.select(Cohort.name)).all() == []


def test_a_transaction_that_read_sees_later_commits(engine):
    with engine.connect() as reader:
        assert _cohort_names(reader) == []
        reader.rollback()
        with engine.connect() as writer:
            writer.execute(sa.insert(Cohort).values(name="Autumn"))
            writer.commit()
        assert _cohort_names(reader) == ["Autumn"]
        reader.rollback()


def test_a_read_only_transaction_keeps_the_prepared_statements(engine):
    _postgres_only(engine)
    with engine.connect() as connection:
        for _ in range(6):  # psycopg prepares a statement on its sixth run
            _cohort_names(connection)
            connection.rollback()
        prepared = sa.text("SELECT statement FROM pg_prepared_statements")
        assert any("cohort" in statement for statement in connection.scalars(prepared))
        connection.execute(sa.insert(Cohort).values(name="Winter"))
        connection.rollback()  # a real ROLLBACK, which drops them
        assert connection.scalars(prepared).all() == []


def test_a_connection_is_pinged_only_after_sitting_idle(engine, monkeypatch):
    pings = []
    monkeypatch.setattr(engine.dialect, "do_ping", pings.append)
    with engine.connect() as connection:
        connection.scalar(sa.select(1))
    with engine.connect() as connection:  # handed back a moment ago
        connection.scalar(sa.select(1))
    assert pings == []
    monkeypatch.setattr(connections, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:
        connection.scalar(sa.select(1))
    assert len(pings) == 1


def test_a_connection_closed_while_idle_is_replaced_before_use(engine, monkeypatch):
    _postgres_only(engine)
    with engine.connect() as connection:
        closed_pid = connection.scalar(sa.text("SELECT pg_backend_pid()"))
    outsider = sa.create_engine(engine.url, poolclass=sa.pool.NullPool)
    with outsider.connect() as connection:  # as a server restart or an idle timeout would
        connection.scalar(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": closed_pid})
    outsider.dispose()
    monkeypatch.setattr(connections, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT pg_backend_pid()")) != closed_pid
