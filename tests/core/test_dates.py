"""Dates and times read the same as Flask-Babel writes them, in each language and time zone."""

from datetime import UTC, date, datetime, timedelta, timezone

import flask_babel
import pytest
from flask import render_template_string

from training.core import dates

# 20:30 UTC is already the next day in Shanghai; the second is another zone's own time.
INSTANTS = (
    datetime(2026, 11, 25, 20, 30, 5),
    datetime(2026, 3, 1, 9, 5, 0, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC),
)


@pytest.mark.parametrize("locale", ["en", "zh_CN"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
def test_named_formats_read_as_flask_babel_writes_them(make_app, locale, zone):
    app = make_app(BABEL_DEFAULT_TIMEZONE=zone)
    with app.test_request_context(), flask_babel.force_locale(locale):
        for value in INSTANTS:
            for name in dates.NAMED_FORMATS:
                expected_datetime = flask_babel.format_datetime(value, name)
                assert dates.format_datetime(value, name) == expected_datetime
                assert dates.format_date(value, name) == flask_babel.format_date(value, name)
            assert dates.format_datetime(value) == flask_babel.format_datetime(value)
        assert dates.format_date(date(2026, 2, 3)) == flask_babel.format_date(date(2026, 2, 3))


def test_a_naive_time_is_utc_shown_in_the_readers_zone(make_app):
    app = make_app(BABEL_DEFAULT_TIMEZONE="Asia/Shanghai")
    with app.test_request_context(), flask_babel.force_locale("en"):
        # CLDR puts a narrow no-break space before AM and PM.
        assert dates.format_datetime(INSTANTS[0], "short") == "11/26/26, 4:30\u202fAM"
        assert dates.format_date(INSTANTS[0], "full") == "Thursday, November 26, 2026"
    with app.test_request_context(), flask_babel.force_locale("zh_CN"):
        assert dates.format_datetime(INSTANTS[0], "medium") == "2026年11月26日 04:30:05"


def test_other_patterns_are_left_to_flask_babel(make_app):
    app = make_app(BABEL_DEFAULT_TIMEZONE="Asia/Shanghai")
    with app.test_request_context(), flask_babel.force_locale("en"):
        assert dates.format_datetime(INSTANTS[2], "yyyy-MM-dd HH:mm") == "2027-01-01 07:59"
        assert dates.format_date(date(2026, 2, 3), "d MMM") == "3 Feb"


def test_templates_use_these_filters(app):
    with app.test_request_context(), flask_babel.force_locale("en"):
        page = render_template_string(
            "{{ when | format_datetime('short') }} · {{ when | format_date('full') }}",
            when=INSTANTS[0],
        )
    assert page == "11/26/26, 4:30\u202fAM · Thursday, November 26, 2026"
