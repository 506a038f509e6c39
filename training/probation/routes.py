"""The trainee's probation checklist, the typing test, decisions and the certificate."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from training.accounts.access import can_oversee, get_trainee_or_404, role_required
from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE, User
from training.accounts.queries import list_accounts, list_cohorts
from training.core.i18n import content_language
from training.curriculum.queries import live_release, release_by_id
from training.extensions import db, limiter
from training.probation import queries, rules, services
from training.probation.forms import DecisionForm
from training.probation.models import TypingAttempt
from training.probation.typing_test import TooLong
from training.supervisor.routes import trainee_page

bp = Blueprint("probation", __name__)

REFUSALS = {
    "self": lambda: _("You cannot decide on your own probation."),
    "reason": lambda: _("Write the reason for your decision."),
    "decided": lambda: _("This probation has already been decided."),
    "not_ready": lambda: _(
        "This trainee does not meet every criterion. To confirm anyway, tick "
        "“Confirm despite unmet criteria” and write why."
    ),
    "nothing_to_revoke": lambda: _("Only a confirmation can be revoked."),
    "conflict": lambda: _(
        "Someone else recorded a decision on this trainee while you were deciding. "
        "Nothing was saved: read their decision below, then decide again if needed."
    ),
    "new_end": lambda: _("An extension needs a new end date in the future."),
    "not_later": lambda: _("An extension needs a new end date after the current end."),
    "outcome": lambda: _("Choose confirm, extend or fail."),
}


@bp.get("/probation")
@role_required(TRAINEE)
def checklist():
    live = live_release() or abort(404)
    return render_template(
        "probation/checklist.html",
        trainee=current_user,
        readiness=services.readiness_of(current_user, live),
        decisions=services.decisions_of(current_user.id),
        exam_slug=live.release.quizzes.exam.slug if live.release.quizzes.exam else None,
    )


@bp.get("/typing")
@role_required(TRAINEE)
def typing():
    live = live_release() or abort(404)
    attempts = db.session.scalars(
        db.select(TypingAttempt)
        .filter_by(user_id=current_user.id)
        .order_by(TypingAttempt.started_at.desc())
    ).all()
    return render_template(
        "probation/typing.html",
        attempts=attempts,
        criterion=live.release.probation.criterion("typing"),
        settings=live.release.probation.typing,
        lang=content_language(),
    )


@bp.post("/typing/start")
@role_required(TRAINEE)
def start_typing():
    live = live_release() or abort(404)
    lang = request.form.get("lang", content_language())
    if lang not in ("zh", "en") or live.release.probation.typing is None:
        abort(400)
    attempt = services.start_typing(user_id=current_user.id, live=live, lang=lang)
    return redirect(url_for("probation.typing_test", attempt_id=attempt.id))


def _typing_or_404(attempt_id: int) -> TypingAttempt:
    attempt = db.session.get(TypingAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.route("/typing/<int:attempt_id>", methods=["GET", "POST"])
@role_required(TRAINEE)
def typing_test(attempt_id: int):
    attempt = _typing_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("probation.typing"))
    if request.method == "POST":
        try:
            services.submit_typing(attempt=attempt, typed=request.form.get("typed", ""))
        except TooLong:
            flash(
                _("That attempt could not be scored: the text is much longer than the passage."),
                "error",
            )
            db.session.rollback()
        except ValueError:
            flash(_("That attempt could not be scored: it is faster than anyone types."), "error")
            db.session.rollback()
        return redirect(url_for("probation.typing"))
    return render_template(
        "probation/typing_test.html",
        attempt=attempt,
        passage=services.passage_of(attempt),
        # The attempt's own release times it (services.submit_typing), not a newer one.
        settings=release_by_id(attempt.release_id).release.probation.typing,
    )


@bp.post("/probation/<int:user_id>/decide")
@role_required(SUPERVISOR, ADMIN)
def decide(user_id: int):
    trainee = get_trainee_or_404(user_id)
    live = live_release() or abort(404)
    form = DecisionForm()
    try:
        services.record_decision(
            trainee=trainee,
            decided_by=current_user,
            outcome=form.outcome.data or "",
            reason=form.reason.data or "",
            live=live,
            new_end=form.new_end.data,
            override=form.override.data,
            seen_sequence=form.seen_sequence(),
        )
    except services.DecisionRefused as refusal:
        flash(REFUSALS.get(str(refusal), REFUSALS["outcome"])(), "error")
        # The page again with the form as it was sent: nothing typed is lost.
        status = 409 if isinstance(refusal, services.DecisionConflict) else 422
        return trainee_page(trainee, form), status
    flash(_("Decision recorded."), "success")
    return redirect(url_for("supervisor.trainee", user_id=trainee.id))


@bp.get("/certificate/<int:user_id>")
@role_required(TRAINEE, SUPERVISOR, ADMIN)
def certificate(user_id: int):
    trainee = db.session.get(User, user_id)
    if trainee is None or not (trainee.id == current_user.id or can_oversee(current_user, trainee)):
        abort(404)
    decision = services.latest_decision(trainee.id)
    if decision is None or decision.outcome != rules.CONFIRMED:
        abort(404)
    return render_template("probation/certificate.html", trainee=trainee, decision=decision)


@bp.get("/verify/<code>")
@limiter.limit(lambda: current_app.config["VERIFY_LIMIT_PER_CLIENT"])
def verify(code: str):
    # Public and signed-out: it shows only the name, the date and whether it still stands.
    found = queries.verify_certificate(code) or abort(404)
    return render_template("probation/verify.html", found=found)


@bp.get("/admin/probation-log")
@role_required(ADMIN)
def audit_log():
    trainee_id = request.args.get("trainee", type=int)
    cohort_id = request.args.get("cohort", type=int)
    return render_template(
        "probation/audit_log.html",
        entries=queries.audit_log(
            trainee_id=trainee_id, cohort_id=cohort_id, page=request.args.get("page", 1, type=int)
        ),
        trainees=list_accounts(role=TRAINEE),
        cohorts=list_cohorts(),
        trainee_id=trainee_id,
        cohort_id=cohort_id,
    )
