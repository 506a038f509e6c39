"""Live role-play rooms: open a session, play the buyer or the agent, watch, close and score.

Messages travel by short polling: the page asks ``GET messages?after=<seq>`` every second and
sends with ``POST messages`` (JSON, CSRF token in the X-CSRFToken header). See the README,
"Live role-play: how messages travel".
"""

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from training.accounts.access import role_required
from training.accounts.models import ADMIN, ROLES, SUPERVISOR, TRAINEE, User
from training.accounts.queries import trainees_of
from training.core.i18n import content_language
from training.curriculum.queries import live_release
from training.extensions import db
from training.roleplay import engine, live_queries, live_services, queries
from training.roleplay.citations import cited_lesson, citer
from training.roleplay.highlight import marks_of, segments
from training.roleplay.models import BUYER, TRAINEE_ROLE, LiveSession

bp = Blueprint("live", __name__, url_prefix="/live")

REFUSALS = {
    "unknown_scenario": lambda: _("Choose one of the scenarios, or free-form."),
    "no_topic": lambda: _("A free-form session needs a topic."),
    "partner": lambda: _("Choose someone you may practise with."),
    "role": lambda: _("Choose the part you play."),
    "not_opener": lambda: _("Only the person who opened this session can do that."),
    "already_invited": lambda: _("That person is already in this session."),
    "observer": lambda: _("Only trainees of the same cohort can watch."),
    "read_only": lambda: _("Observers read along; they cannot write."),
    "empty": lambda: _("Write a message before sending."),
    "too_long": lambda: _("That message is too long: keep it under %(n)s characters.", n=1000),
    "closed": lambda: _("This session has ended; it takes no more messages."),
    "open": lambda: _("Close the session before scoring it."),
    "scored": lambda: _("This session has already been scored."),
    "ratings": lambda: _("Rate every dimension from 1 to 5."),
}

bp.add_app_template_global(live_services.title_of, "live_title")


def _session_or_404(session_id: int) -> tuple[LiveSession, str]:
    """The session and the current user's part in it; anyone not invited (and not overseeing
    the practising trainee) gets a 404 that reveals nothing."""
    session = live_queries.session_by_id(session_id)
    role = live_queries.viewer_role(session, current_user) if session else None
    if role is None:
        abort(404)
    return session, role


@bp.get("/")
@role_required(TRAINEE, SUPERVISOR)
def index():
    return _index_page()


def _index_page(form: dict | None = None, status: int = 200):
    live = live_release()
    scenarios = sorted(live.release.scenarios.values(), key=lambda s: s.slug) if live else []
    partners = live_queries.partners_for(current_user, trainees_of(current_user))
    page = render_template(
        "roleplay/live_index.html",
        sessions=live_queries.sessions_of(current_user.id),
        scenarios=scenarios,
        partners=partners,
        form=form or {},
        lang=content_language(),
    )
    return page, status


@bp.post("/open")
@role_required(TRAINEE, SUPERVISOR)
def open_session():
    form = request.form
    partner = db.session.get(User, form.get("partner", type=int) or 0)
    try:
        if partner is None:
            raise live_services.LiveRefused("partner")
        session = live_services.open_session(
            opener=current_user,
            partner=partner,
            live=live_release(),
            slug=form.get("scenario") or None,
            topic=form.get("topic", ""),
            lang=content_language(),
            opener_role=form.get("role", BUYER),
        )
    except live_services.LiveRefused as refusal:
        flash(REFUSALS[str(refusal)](), "error")
        return _index_page(form=form, status=400)
    return redirect(url_for("live.room", session_id=session.id))


@bp.get("/<int:session_id>")
@role_required(*ROLES)
def room(session_id: int):
    session, role = _session_or_404(session_id)
    messages = live_queries.messages_after(session.id, 0, limit=None)
    scenario = live_services.scenario_of(session)
    return render_template(
        "roleplay/live_session.html",
        session=session,
        role=role,
        messages=messages,
        after=messages[-1].seq if messages else 0,
        scenario=scenario,
        show_scores=live_queries.sees_scores(session, current_user),
        names=live_queries.names_in(session),
        lang=session.lang,
        quick_replies=queries.quick_reply_texts(current_user.id) if role == TRAINEE_ROLE else [],
        observers=live_queries.observers_for(session)
        if session.opened_by_id == current_user.id and not session.closed
        else [],
        dimensions=live_services.dimensions_of(session),
        cite=citer(live_services.release_of(session), session.lang),
        segments=segments,
        marks_of=marks_of,
        tone=engine.buyer_tone(scenario.persona.mood) if scenario else None,
        may_close=live_services.may_close(session, current_user),
        mark=_policy_mark(),
    )


def _policy_mark() -> int | None:
    """The policy's mark for the supervised live role-play, when the policy has one."""
    live = live_release()
    criterion = live.release.probation.criterion("live_roleplay") if live else None
    return criterion.min_score if criterion else None


@bp.get("/<int:session_id>/messages")
@role_required(*ROLES)
def messages(session_id: int):
    session, _role = _session_or_404(session_id)
    after = max(request.args.get("after", 0, type=int), 0)
    names = live_queries.names_in(session)
    with_score = live_queries.sees_scores(session, current_user)
    found = live_queries.messages_after(session.id, after)
    release = live_services.release_of(session)
    curriculum = release.curriculum if release else None

    def cite(key: str) -> tuple[str, str] | None:
        return cited_lesson(curriculum, key, session.lang)

    return jsonify(
        messages=[live_queries.message_data(m, names, with_score, cite) for m in found],
        closed=session.closed,
        more=len(found) == live_queries.PAGE_SIZE,
    )


@bp.post("/<int:session_id>/messages")
@role_required(*ROLES)
def send(session_id: int):
    session, role = _session_or_404(session_id)
    data = request.get_json(silent=True) or {}
    if role not in (BUYER, TRAINEE_ROLE):
        return jsonify(error=REFUSALS["read_only"]()), 403
    token = str(data.get("token", ""))[:64]
    if not token:
        # The page sends one with every message; without it a resend could not be recognised.
        return jsonify(error=REFUSALS["empty"]()), 400
    try:
        message = live_services.send_message(
            session=session,
            sender=current_user,
            role=role,
            text=str(data.get("text", "")),
            client_token=token,
            turn_id=str(data["turn_id"]) if data.get("turn_id") else None,
        )
    except live_services.LiveRefused as refusal:
        status = 409 if str(refusal) == "closed" else 400
        return jsonify(error=REFUSALS[str(refusal)]()), status
    return jsonify(seq=message.seq), 201


@bp.post("/<int:session_id>/observers")
@role_required(*ROLES)
def invite(session_id: int):
    session, _role = _session_or_404(session_id)
    observer = db.session.get(User, request.form.get("user", type=int) or 0)
    try:
        if observer is None:
            raise live_services.LiveRefused("observer")
        live_services.invite_observer(session=session, inviter=current_user, observer=observer)
    except live_services.LiveRefused as refusal:
        flash(REFUSALS[str(refusal)](), "error")
    else:
        flash(_("%(name)s can now watch this session.", name=observer.name), "success")
    return redirect(url_for("live.room", session_id=session.id))


@bp.post("/<int:session_id>/close")
@role_required(*ROLES)
def close(session_id: int):
    session, _role = _session_or_404(session_id)
    try:
        live_services.close_session(session=session, user=current_user)
    except live_services.LiveRefused as refusal:
        flash(REFUSALS[str(refusal)](), "error")
    return redirect(url_for("live.room", session_id=session.id))


@bp.post("/<int:session_id>/scorecard")
@role_required(SUPERVISOR, ADMIN)
def score(session_id: int):
    session, _role = _session_or_404(session_id)
    dimensions = live_services.dimensions_of(session)
    ratings = {dim: request.form.get(f"rating-{dim}", type=int) for dim in dimensions}
    try:
        live_services.score_session(
            session=session,
            supervisor=current_user,
            ratings={dim: value for dim, value in ratings.items() if value is not None},
            comments=request.form.get("comments", ""),
        )
    except live_services.LiveRefused as refusal:
        flash(REFUSALS[str(refusal)](), "error")
        return _room_with_draft(session_id, status=400)
    flash(_("Scorecard saved."), "success")
    return redirect(url_for("live.room", session_id=session.id))


def _room_with_draft(session_id: int, status: int):
    """The room again with what the supervisor entered, so a rejected scorecard loses nothing."""
    page = room(session_id)
    return page, status
