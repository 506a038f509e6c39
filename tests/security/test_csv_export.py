"""The cohort CSV for HR: opens in Excel with Chinese intact, and no cell can run as a formula."""

import csv
import io

import pytest

from tests.factories import make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import make_ready
from training.extensions import db
from training.supervisor.export import BOM, csv_text, neutralise

DANGEROUS = ["=1+2", "+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_a_spreadsheet_would_run_is_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["王小明", "Amy", "a=b", "1-2", "", None, 42, "'quoted"])
def test_other_cells_are_left_alone(value):
    assert neutralise(value) == ("" if value is None else str(value))


def test_negative_numbers_are_neutralised_too():
    # Every cell is text to the check, so nothing starting with "-" reaches the spreadsheet raw.
    assert neutralise(-3) == "'-3"


def test_the_file_starts_with_a_bom_and_quotes_what_csv_needs():
    text = csv_text([["名字", 'say "hi"', "a,b", "line\nbreak", "=cmd"]])
    assert text.startswith(BOM)
    assert next(csv.reader(io.StringIO(text[1:]))) == [
        "名字",
        'say "hi"',
        "a,b",
        "line\nbreak",
        "'=cmd",
    ]


def _download(client, **query):
    response = client.get("/supervisor/trainees.csv", query_string=query)
    assert response.status_code == 200
    return response


def _cells(response) -> list[list[str]]:
    body = response.data.decode("utf-8")
    assert body.startswith(BOM)
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_neutralises_names_typed_by_anyone(client, auth, live_content):
    sam = make_supervisor("sam")
    for n, name in enumerate([*DANGEROUS, "王小明"]):
        trainee = make_trainee(f"t{n}", supervisor=sam, hire_date=hired_ago(100))
        trainee.name = name  # as stored, even what a form would have trimmed
    db.session.commit()
    auth.login("sam")
    response = _download(client)
    assert response.mimetype == "text/csv"
    assert "charset=utf-8" in response.content_type
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    rows = _cells(response)
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    names = {row[0] for row in body}
    assert names == {"'" + value for value in DANGEROUS} | {"王小明"}
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # Overdue trainees: their negative days left are neutralised, their flags spelt out.
    assert all(row[5].startswith("'-") for row in body)


def test_the_export_follows_the_tables_filter_and_sort(client, auth, live_content):
    sam = make_supervisor("sam")
    make_trainee("amy", name="Amy", supervisor=sam, hire_date=hired_ago(20))
    bob = make_trainee("bob", name="Bob", supervisor=sam, hire_date=hired_ago(20))
    make_trainee("cleo", name="Cleo", supervisor=make_supervisor("sue"), hire_date=hired_ago(20))
    make_ready(bob, live_content)
    auth.login("sam")
    names = lambda **query: [row[0] for row in _cells(_download(client, **query))[1:]]  # noqa: E731
    assert names(sort="name") == ["Amy", "Bob"]  # never another supervisor's trainees
    assert names(show="ready") == ["Bob"]
    assert names(show="at_risk") == ["Amy"]
    html = client.get("/supervisor/trainees?show=ready&sort=name").get_data(as_text=True)
    assert "/supervisor/trainees.csv?show=ready&amp;sort=name" in html


def test_trainees_cannot_export(client, auth, live_content):
    make_trainee("amy")
    auth.login("amy")
    assert client.get("/supervisor/trainees.csv").status_code == 403
