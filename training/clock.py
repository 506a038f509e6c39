"""The one place the application reads the clock, so tests can reason about time."""

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    """Naive UTC now: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in UTC."""
    return utcnow().date()
