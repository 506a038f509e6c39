"""Throwaway databases, for the test suite and the benchmarks.

The tests import it as ``benchmarks.throwaway_db``; the benchmark scripts put the repository on
``sys.path`` first, since running ``benchmarks/x.py`` puts only ``benchmarks/`` there.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator

import sqlalchemy as sa


@contextlib.contextmanager
def throwaway_postgres(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server named by ``server_url``; yield its URL (psycopg 3
    driver), then drop it, closing any connection still open."""
    server = sa.make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    # The maintenance database always exists, whatever database the given URL names.
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def fresh_database(server_url: str | None, prefix: str) -> Iterator[str]:
    """A fresh database: an SQLite file, or a throwaway database on the PostgreSQL server named
    by ``server_url``; yield its URL."""
    if not server_url:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.sqlite"
        return
    with throwaway_postgres(server_url, prefix=prefix) as database_url:
        yield database_url
