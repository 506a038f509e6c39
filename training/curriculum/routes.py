"""The trainee's path and the lesson reader."""

from flask import Blueprint, render_template

from training.accounts.access import role_required
from training.accounts.models import TRAINEE

bp = Blueprint("curriculum", __name__)


@bp.get("/path")
@role_required(TRAINEE)
def path():
    return render_template("curriculum/path.html")
