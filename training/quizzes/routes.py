"""Quiz pages: overview, taking an attempt (with autosave), submitting, reviewing, statistics."""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training.accounts.access import owned_or_404, role_required
from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE, User
from training.clock import utcnow
from training.core.dates import format_datetime
from training.core.i18n import content_language
from training.curriculum import queries as curriculum_queries
from training.curriculum.queries import release_by_id
from training.extensions import db
from training.quizzes import answers, fragments, grading, policy, queries, services
from training.quizzes.models import QuizAttempt

bp = Blueprint("quizzes", __name__)


def _live_or_404():
    return curriculum_queries.live_release() or abort(404)


def _attempt_or_404(attempt_id: int) -> QuizAttempt:
    """The trainee's own attempt, its release read with it."""
    return owned_or_404(queries.attempt_with_version(attempt_id))


def _attempt_with_answers_or_404(attempt_id: int, *, oversee: bool = False):
    """The same, with its saved answers and the release its grades come from, in one read,
    for pages that show every answer."""
    found = queries.attempt_with_answers(attempt_id)
    owned_or_404(found.attempt if found else None, oversee=oversee)
    return found


@bp.get("/quizzes/<slug>")
@role_required(TRAINEE)
def overview(slug: str):
    live = _live_or_404()
    definition = queries.quiz_definition(live, slug) or abort(404)
    past = queries.past_attempts(current_user.id, slug)
    return render_template(
        "quizzes/overview.html",
        definition=definition,
        attempts=queries.attempts_of(current_user.id, slug),
        decision=policy.may_start(definition.settings, past, utcnow()),
        locked=services.quiz_locked(user_id=current_user.id, live=live, slug=slug),
        lang=content_language(),
    )


@bp.post("/quizzes/<slug>/start")
@role_required(TRAINEE)
def start(slug: str):
    live = _live_or_404()
    if queries.quiz_definition(live, slug) is None:
        abort(404)
    if services.quiz_locked(user_id=current_user.id, live=live, slug=slug):
        abort(403)
    try:
        attempt = services.start_attempt(user_id=current_user.id, quiz_slug=slug, live=live)
    except services.QuizUnavailable as refusal:
        decision = refusal.decision
        if decision.reason == "wait":
            flash(
                _("You can try again from %(time)s.", time=format_datetime(decision.available_at)),
                "error",
            )
        else:
            flash(_("You have used all your attempts at this quiz."), "error")
        return redirect(url_for("quizzes.overview", slug=slug))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@role_required(TRAINEE)
def take(attempt_id: int):
    attempt, _graded, saved, _record = _attempt_with_answers_or_404(attempt_id)
    if services.finish_if_expired(attempt=attempt):
        flash(_("Time is up: the answers you saved have been graded."), "error")
    if not attempt.is_open:
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    return _render_take(attempt, {row.question_id: row.answer for row in saved})


def _render_take(attempt: QuizAttempt, current: dict, errors: dict | None = None, status=200):
    live = release_by_id(attempt.release_id)
    definition = (
        queries.quiz_definition(live, attempt.quiz_slug) if attempt.mode == "assessed" else None
    )
    lang = content_language()
    views = queries.presentations(attempt, lang)
    page = render_template(
        "quizzes/take.html",
        attempt=attempt,
        definition=definition,
        views=views,
        answer_lines=fragments.answer_lines(live.release.version, lang, views, current),
        current=current,
        errors=errors or {},
        field_name=answers.field_name,
        shown_field=answers.SHOWN_FIELD,
    )
    return page, status


def _posted_answers(attempt: QuizAttempt):
    """The answers in the posted form (None for one cleared on the page); unknown fields mean
    a tampered form."""
    views = queries.presentations(attempt, content_language())
    posted = {key for key in request.form if key.startswith(answers.FIELD_PREFIX)}
    if posted - answers.expected_fields(views):
        abort(400)
    shown = set(request.form.getlist(answers.SHOWN_FIELD))
    found, errors = {}, {}
    for view in views:
        try:
            value = answers.from_form(view, request.form.get, request.form.getlist)
        except answers.FormAnswerError as error:
            errors[view["id"]] = str(error)
            continue
        if value is not None or view["id"] in shown:
            # None for a question the page shows empty: the trainee cleared its answer.
            found[view["id"]] = value
    return found, errors


def _explained(attempt: QuizAttempt, errors: dict) -> dict:
    """Errors in the trainee's language where the page itself lets them happen (the same
    position or right-hand side chosen twice); any other error means a tampered form."""
    messages = {
        "ordering": _("Give each step a different position."),
        "matching": _("Choose a different match for each item."),
    }
    kinds = {
        view["id"]: view["type"] for view in queries.presentations(attempt, content_language())
    }
    return {qid: messages.get(kinds.get(qid), error) for qid, error in errors.items()}


@bp.post("/attempts/<int:attempt_id>/save")
@role_required(TRAINEE)
def save(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    found, errors = _posted_answers(attempt)
    try:
        if not services.accepts_answers(attempt):
            raise services.AttemptClosed()
        # One bad answer refuses the whole request: nothing is saved.
        errors = errors or services.save_answers(attempt=attempt, answers=found)
    except services.AttemptClosed:
        return jsonify(saved=False, message=_("This attempt is closed.")), 409
    if not errors:
        return jsonify(saved=True, errors={}), 200
    return jsonify(saved=False, errors=_explained(attempt, errors)), 400


@bp.post("/attempts/<int:attempt_id>/submit")
@role_required(TRAINEE)
def submit(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    found, errors = _posted_answers(attempt)
    if services.accepts_answers(attempt):
        errors |= services.answer_errors(attempt=attempt, answers=found)
        if errors:
            return _render_take(attempt, found, _explained(attempt, errors), status=400)
    result = services.submit_attempt(attempt=attempt, answers=found)
    if not result.graded_now:
        flash(_("This attempt had already been submitted; your answers were not changed."), "error")
    elif result.late:
        flash(_("Time was up: only the answers saved before the deadline were graded."), "error")
    # The id from the address: the commit expired the attempt, and reading it again costs a query.
    return redirect(url_for("quizzes.review", attempt_id=attempt_id))


@bp.get("/attempts/<int:attempt_id>/review")
@role_required(TRAINEE, SUPERVISOR, ADMIN)
def review(attempt_id: int):
    attempt, graded, saved, record = _attempt_with_answers_or_404(attempt_id, oversee=True)
    if attempt.is_open:
        if attempt.user_id != current_user.id:
            abort(404)
        return redirect(url_for("quizzes.take", attempt_id=attempt.id))
    lang = content_language()
    # Whose work a supervisor or an administrator is reading; None for the trainee, who alone
    # gets the page's retake buttons.
    trainee = None if attempt.user_id == current_user.id else db.session.get(User, attempt.user_id)
    return render_template(
        "quizzes/review.html",
        attempt=attempt,
        items=services.review_items(attempt=attempt, answers=saved, live=graded, lang=lang),
        show_key=services.shows_key(attempt=attempt, live=graded, record=record),
        trainee=trainee,
        lang=lang,
        describe=answers.describe,
        true_false=grading.TRUE_FALSE_LABELS[lang],
    )


@bp.post("/attempts/<int:attempt_id>/practice")
@role_required(TRAINEE)
def practice(attempt_id: int):
    attempt = _attempt_or_404(attempt_id)
    missed = queries.missed_question_ids(attempt) if not attempt.is_open else []
    live = _live_or_404()
    missed = [qid for qid in missed if live.release.quizzes.question(qid)]
    if not missed:
        flash(_("Nothing to practise: you answered every question right."), "success")
        return redirect(url_for("quizzes.review", attempt_id=attempt.id))
    new = services.start_practice(
        user_id=current_user.id, quiz_slug=attempt.quiz_slug, question_ids=missed, live=live
    )
    return redirect(url_for("quizzes.take", attempt_id=new.id))


@bp.post("/review")
@role_required(TRAINEE)
def start_review():
    attempt = services.start_review(user_id=current_user.id, live=_live_or_404())
    if attempt is None:
        flash(_("No questions are due for review. Well done!"), "success")
        return redirect(url_for("curriculum.path"))
    return redirect(url_for("quizzes.take", attempt_id=attempt.id))


@bp.get("/quizzes/statistics")
@role_required(SUPERVISOR, ADMIN)
def statistics():
    live = _live_or_404()
    lang = content_language()
    return render_template(
        "quizzes/statistics.html",
        rows=services.question_report(viewer=current_user, live=live),
        lang=lang,
    )
