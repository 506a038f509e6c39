"""Pages for supervisors (and admins, who may see every trainee)."""

from flask import Blueprint, render_template
from flask_login import current_user

from training.accounts.access import get_trainee_or_404, role_required
from training.accounts.models import ADMIN, SUPERVISOR
from training.accounts.queries import trainees_of
from training.clock import today
from training.core.i18n import content_language
from training.supervisor import queries

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/trainees")
@role_required(SUPERVISOR, ADMIN)
def trainees():
    return render_template(
        "supervisor/trainees.html", trainees=trainees_of(current_user), today=today()
    )


@bp.get("/trainees/<int:user_id>")
@role_required(SUPERVISOR, ADMIN)
def trainee(user_id: int):
    trainee = get_trainee_or_404(user_id)
    return render_template(
        "supervisor/trainee.html",
        trainee=trainee,
        today=today(),
        record=queries.trainee_record(trainee.id),
        lang=content_language(),
    )
