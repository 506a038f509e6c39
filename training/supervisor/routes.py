"""Pages for supervisors (and admins, who may see every trainee)."""

from flask import Blueprint, render_template, request
from flask_babel import get_timezone
from flask_login import current_user

from training.accounts.access import get_trainee_or_404, role_required
from training.accounts.models import ADMIN, SUPERVISOR, User
from training.accounts.queries import trainees_of
from training.clock import today
from training.core.i18n import content_language
from training.curriculum.queries import live_release
from training.probation.forms import DecisionForm
from training.probation.services import current_sequence
from training.supervisor import queries

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/trainees")
@role_required(SUPERVISOR, ADMIN)
def trainees():
    live = live_release()
    shown = request.args.get("show", "all")
    sort = request.args.get("sort", "days_left")
    rows = queries.cohort_rows(trainees_of(current_user), live)
    if shown == "at_risk":
        rows = [row for row in rows if row.flags]
    elif shown == "ready":
        rows = [row for row in rows if row.readiness and row.readiness.state == "ready"]
    rows.sort(key=queries.SORTS.get(sort, queries.SORTS["days_left"]))
    return render_template(
        "supervisor/trainees.html", rows=rows, today=today(), shown=shown, sort=sort, live=live
    )


@bp.get("/trainees/<int:user_id>")
@role_required(SUPERVISOR, ADMIN)
def trainee(user_id: int):
    return trainee_page(get_trainee_or_404(user_id))


def trainee_page(trainee: User, decision_form: DecisionForm | None = None) -> str:
    """The trainee page; a decision form refused by the service comes back as it was sent."""
    decision_form = decision_form or DecisionForm(formdata=None)
    # The form always carries the latest decision's number as this page shows it.
    decision_form.sequence.data = str(current_sequence(trainee.id))
    limit = request.args.get("limit", queries.TIMELINE_LIMIT, type=int)
    record = queries.trainee_record(trainee)
    return render_template(
        "supervisor/trainee.html",
        trainee=trainee,
        today=today(),
        record=record,
        lang=content_language(),
        decision_form=decision_form,
        timeline=queries.activity_timeline(trainee.id, tz=get_timezone(), limit=limit),
        typing=queries.typing_results(trainee.id, record.live),
    )
