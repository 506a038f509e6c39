"""Pages for supervisors (and admins, who may see every trainee)."""

from functools import partial

from flask import Blueprint, Response, render_template, request, url_for
from flask_babel import get_timezone
from flask_login import current_user

from training.accounts.access import get_trainee_or_404, role_required
from training.accounts.models import ADMIN, SUPERVISOR, User
from training.clock import today
from training.core.i18n import content_language
from training.curriculum.queries import live_release
from training.probation.forms import DecisionForm
from training.supervisor import export, queries

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


def _table_choices() -> tuple[str, str]:
    """The table's filter and sort from the query string (unknown values fall back)."""
    shown = request.args.get("show", "all")
    sort = request.args.get("sort", "days_left")
    return (
        shown if shown in queries.SHOWN else "all",
        sort if sort in queries.SORTS else "days_left",
    )


@bp.get("/trainees")
@role_required(SUPERVISOR, ADMIN)
def trainees():
    live = live_release()
    shown, sort = _table_choices()
    rows = queries.cohort_table(current_user, live, shown=shown, sort=sort)
    page = queries.page_of(rows, request.args.get("page", 1, type=int))
    return render_template(
        "supervisor/trainees.html", page=page, today=today(), shown=shown, sort=sort, live=live
    )


@bp.get("/trainees.csv")
@role_required(SUPERVISOR, ADMIN)
def trainees_csv():
    shown, sort = _table_choices()
    rows = queries.cohort_table(current_user, live_release(), shown=shown, sort=sort)
    on = today()
    return Response(
        export.cohort_csv(rows, on),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="trainees-{on.isoformat()}.csv"'},
    )


@bp.get("/charts")
@role_required(SUPERVISOR, ADMIN)
def charts():
    charts = queries.cohort_charts(current_user, live_release(), today(), content_language())
    return render_template("supervisor/charts.html", charts=charts)


@bp.get("/trainees/<int:user_id>")
@role_required(SUPERVISOR, ADMIN)
def trainee(user_id: int):
    return trainee_page(get_trainee_or_404(user_id))


def trainee_page(trainee: User, decision_form: DecisionForm | None = None) -> str:
    """The trainee page; a decision form refused by the service comes back as it was sent."""
    decision_form = decision_form or DecisionForm(formdata=None)
    limit = request.args.get("limit", queries.TIMELINE_LIMIT, type=int)
    lang = content_language()
    record = queries.trainee_record(
        trainee,
        lang,
        attempt_rows=_table_rows("attempts"),
        conversation_rows=_table_rows("conversations"),
    )
    # The form always carries the latest decision's number as this page shows it.
    decision_form.sequence.data = str(record.decision_sequence)
    return render_template(
        "supervisor/trainee.html",
        trainee=trainee,
        today=today(),
        record=record,
        lang=lang,
        decision_form=decision_form,
        timeline=queries.activity_timeline(record, tz=get_timezone(), limit=limit),
        this_page_with=partial(_trainee_url, trainee.id),
    )


def _table_rows(table: str) -> int:
    """How many rows of a table the page shows: the newest, or all (``?attempts=all``)."""
    return queries.TABLE_MAX if request.args.get(table) == "all" else queries.TABLE_ROWS


def _trainee_url(user_id: int, **changes) -> str:
    """The trainee page with what this one shows, changed as given."""
    return url_for("supervisor.trainee", user_id=user_id, **(request.args.to_dict() | changes))
