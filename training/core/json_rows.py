"""Many rows' columns as one JSON array, so a read of one record with its children is one row.

A joined read repeats the parent's columns on every child row, and each repeat is decoded again
(its JSON and, on SQLite, its times). Gathered into one JSON array of arrays, the children cost
one decode in all. The aggregate is spelt differently by each database this app runs on.
"""

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import JSON


class json_rows(FunctionElement):
    """An aggregate: each row's arguments as a JSON array, in one array (``[]`` for no rows
    where the database says so; PostgreSQL gives NULL)."""

    type = JSON()
    inherit_cache = True


class json_value(FunctionElement):
    """A JSON column's value embedded as JSON in ``json_rows``, not as the text it is stored as."""

    type = JSON()
    inherit_cache = True


@compiles(json_rows, "sqlite")
def _sqlite_rows(element, compiler, **kw):
    return f"json_group_array(json_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_rows, "postgresql")
def _postgresql_rows(element, compiler, **kw):
    return f"json_agg(json_build_array({compiler.process(element.clauses, **kw)}))"


@compiles(json_value, "sqlite")
def _sqlite_value(element, compiler, **kw):
    return f"json({compiler.process(element.clauses, **kw)})"


@compiles(json_value, "postgresql")
def _postgresql_value(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)
