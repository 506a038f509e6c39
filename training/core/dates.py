"""Dates and times in the reader's language and time zone, as Flask-Babel writes them.

Babel looks up a locale's pattern and parses it on every call: 17-20 µs a time, and the
supervisor's pages show dozens (a trainee's tables and timeline, a row of "my trainees" each).
The four named formats' patterns are looked up once per worker and language and then applied,
about three times faster; any other format goes to Flask-Babel.
"""

from datetime import UTC, date, datetime

import flask_babel
from babel import Locale
from babel.dates import DateTimePattern, get_date_format, get_datetime_format, get_time_format
from flask_babel import get_locale, get_timezone

from training.core.worker_cache import BoundedCache

NAMED_FORMATS = ("short", "medium", "long", "full")

_LOOKUPS = {
    "date": get_date_format,
    "time": get_time_format,
    # How a date and a time join ("{1} {0}"), quotes removed as Babel does.
    "datetime": lambda format, locale: get_datetime_format(format, locale).replace("'", ""),
}
# Two languages, four formats, three kinds: the bound is only against surprises.
_patterns: BoundedCache[DateTimePattern | str] = BoundedCache(256)


def format_datetime(value: datetime, format: str = "medium") -> str:
    """``value`` (naive values are UTC) in the reader's time zone: date and time of day."""
    if format not in NAMED_FORMATS:
        return flask_babel.format_datetime(value, format)
    locale = get_locale()
    local = _in_reader_zone(value)
    day = local.date()
    time_of_day = _pattern("time", locale, format).apply(local.timetz(), locale, reference_date=day)
    joint = _pattern("datetime", locale, format)
    return joint.replace("{0}", time_of_day).replace(
        "{1}", _pattern("date", locale, format).apply(day, locale)
    )


def format_date(value: date | datetime, format: str = "medium") -> str:
    """The day of ``value``; a datetime's day in the reader's time zone."""
    if format not in NAMED_FORMATS:
        return flask_babel.format_date(value, format)
    if isinstance(value, datetime):
        value = _in_reader_zone(value).date()
    locale = get_locale()
    return _pattern("date", locale, format).apply(value, locale)


def _pattern(kind: str, locale: Locale, format: str):
    return _patterns.kept((kind, locale, format), lambda: _LOOKUPS[kind](format, locale))


def _in_reader_zone(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    zone = get_timezone()
    local = value.astimezone(zone)
    return zone.normalize(local) if hasattr(zone, "normalize") else local
