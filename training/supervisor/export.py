"""The cohort as a CSV file for HR, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import gettext as _

# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and carriage
# return, may strip them and then see one): "=HYPERLINK(...)" in a name would run on HR's desk.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel only reads a CSV as UTF-8 (and so shows Chinese names) when it starts with a BOM.
BOM = "\ufeff"


def neutralise(value: object) -> str:
    """The cell as text, prefixed with an apostrophe when a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Rows as UTF-8 CSV text with a BOM, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + out.getvalue()


def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    states = {
        "decided": _("Decided"),
        "ready": _("Ready for sign-off"),
        "overdue": _("Overdue"),
        "in_progress": _("In progress"),
    }
    areas = {
        "lessons": _("Lessons"),
        "module_quizzes": _("Module quizzes"),
        "final_exam": _("Final exam"),
        "scenarios": _("Simulated buyers"),
        "typing": _("Typing test"),
        "live_roleplay": _("Supervised live role-play"),
    }
    flags = {
        "inactive": _("no activity for 3 days"),
        "failing": _("same quiz failed 3 times"),
        "ending": _("ends within 7 days"),
        "overdue": _("probation ended without a decision"),
    }
    return states, areas, flags


def cohort_csv(rows, on: date) -> str:
    """The "my trainees" table as CSV: one line per trainee, progress per area in percent."""
    states, areas, flags = _labels()
    keys = list(rows[0].areas) if rows and rows[0].areas else []
    header = [
        _("Name"),
        _("Username"),
        _("Cohort"),
        _("Hire date"),
        _("Probation ends"),
        _("Days left"),
        _("Readiness"),
        *(f"{areas.get(key, key)} (%)" for key in keys),
        _("Last activity (UTC)"),
        _("At risk"),
    ]
    lines = [header]
    for row in rows:
        trainee = row.trainee
        readiness = row.readiness
        end = trainee.probation_end
        lines.append(
            [
                trainee.name,
                trainee.username,
                trainee.cohort_name or "",
                trainee.hire_date.isoformat() if trainee.hire_date else "",
                end.isoformat() if end else "",
                (end - on).days if end else "",
                states.get(readiness.state, readiness.state) if readiness else "",
                *(round(row.areas.get(key, 0.0) * 100) for key in keys),
                row.last_activity.strftime("%Y-%m-%d %H:%M") if row.last_activity else "",
                "; ".join(flags[flag] for flag in row.flags),
            ]
        )
    return csv_text(lines)
