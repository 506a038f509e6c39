"""The simulated-buyer workbench: scenario list, conversations, results, quick replies."""

import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from training.accounts.access import get_owned_or_404, role_required
from training.accounts.models import ADMIN, ROLES, SUPERVISOR, TRAINEE, User
from training.core.i18n import content_language
from training.core.security import safe_next_path
from training.curriculum.queries import live_release
from training.extensions import db
from training.roleplay import engine, queries, services
from training.roleplay.citations import citer
from training.roleplay.forms import ScoreOverrideForm, TurnCommentForm
from training.roleplay.highlight import marks_of, segments
from training.roleplay.models import ASSESSED, CHOICE, PRACTICE, TEXT, Conversation

bp = Blueprint("roleplay", __name__)

# Sent by the workbench's script with a reply; answered with the conversation's part of the page,
# or with the address to open when the reply ended the conversation.
CHAT_HEADER = "X-Kefu-Chat"
CHAT_LOCATION_HEADER = "X-Kefu-Location"

REFUSALS = {
    "empty": lambda: _("Write a reply before sending."),
    "too_long": lambda: _("That reply is too long: keep it under %(n)s characters.", n=1000),
    "unknown_option": lambda: _("Choose one of the replies."),
    "finished": lambda: _("This conversation has ended; start a new one to practise again."),
    "duplicate": lambda: _("That reply was already sent."),
    "quick_reply_length": lambda: _("A quick reply needs 1 to 300 characters."),
    "quick_reply_limit": lambda: _("You can keep at most 30 quick replies."),
}


def _conversation_or_404(conversation_id: int, *, oversee: bool = False) -> Conversation:
    # The turns come in the same query: every page and reply rebuilds the state from them.
    return get_owned_or_404(
        Conversation, conversation_id, oversee=oversee, options=[joinedload(Conversation.turns)]
    )


def _own_conversation_or_404(conversation_id: int) -> Conversation:
    """The current trainee's conversation (someone else's is a 404, as for a missing one)."""
    return queries.own_conversation(conversation_id, current_user.id) or abort(404)


@bp.get("/scenarios")
@role_required(*ROLES)
def index():
    live = live_release() or abort(404)
    best = queries.best_assessed(current_user.id) if current_user.is_trainee else {}
    scenarios = sorted(live.release.scenarios.values(), key=lambda s: (not s.required, s.slug))
    return render_template(
        "roleplay/index.html", scenarios=scenarios, best=best, lang=content_language()
    )


@bp.post("/scenarios/<slug>/start")
@role_required(TRAINEE)
def start(slug: str):
    live = live_release() or abort(404)
    if slug not in live.release.scenarios:
        abort(404)
    mode = request.form.get("mode", PRACTICE)
    input_kind = request.form.get("input", TEXT)
    if mode not in (PRACTICE, ASSESSED) or input_kind not in (TEXT, CHOICE):
        abort(400)
    conversation = services.start_conversation(
        user_id=current_user.id,
        live=live,
        slug=slug,
        mode=mode,
        input=input_kind,
        lang=content_language(),
    )
    return redirect(url_for("roleplay.conversation", conversation_id=conversation.id))


@bp.get("/conversations/<int:conversation_id>")
@role_required(TRAINEE)
def conversation(conversation_id: int):
    conversation = _own_conversation_or_404(conversation_id)
    if conversation.finished:
        return redirect(url_for("roleplay.result", conversation_id=conversation.id))
    return _workbench(conversation)


def _wants_chat() -> bool:
    """Whether the workbench's script sent the reply: it takes back only the conversation's part
    of the page, not a redirect to the whole page (one request per turn instead of two)."""
    return request.headers.get(CHAT_HEADER) == "1"


def _workbench(
    conversation: Conversation, draft: str = "", status: int = 200, error: str = "", kept: int = 0
):
    scenario = services.scenario_of(conversation)
    # The page shows the saved turns as they are: their scores need not be rebuilt.
    state = engine.state_from_dict(conversation.state)
    turn = scenario.turn(state.turn_id)
    choice = conversation.input == CHOICE
    context = dict(
        conversation=conversation,
        scenario=scenario,
        turn=turn,
        options=queries.shown_options(conversation, turn) if choice else [],
        tone=engine.buyer_tone(state.mood),
        lang=conversation.lang,
        token=secrets.token_urlsafe(16),
        draft=draft,
        error=error,
        kept=kept,
        show_feedback=conversation.mode == PRACTICE,
        cite=citer(services.release_of(conversation), conversation.lang),
        segments=segments,
        marks_of=marks_of,
    )
    if _wants_chat():
        # Marked, so the script swaps in this part and not an error page.
        return render_template("roleplay/_chat.html", **context), status, {CHAT_HEADER: "1"}
    quick_replies = [] if choice else queries.quick_reply_texts(current_user.id)
    page = render_template("roleplay/conversation.html", quick_replies=quick_replies, **context)
    return page, status


def _turns_shown(conversation: Conversation) -> int:
    """How many of the saved turns the page that sent the reply shows: the answer leaves them
    out, so a turn costs the same however long the conversation has run (0, every turn sent,
    when the count is missing or not one the page could show)."""
    shown = request.form.get("shown", type=int)
    return shown if shown is not None and 0 <= shown < len(conversation.turns) else 0


def _go_to(url: str):
    """A redirect; for the workbench's script, the address to open instead (a redirect would
    make it fetch that whole page before the browser opens it again)."""
    if _wants_chat():
        return "", 204, {CHAT_LOCATION_HEADER: url}
    return redirect(url)


@bp.post("/conversations/<int:conversation_id>/reply")
@role_required(TRAINEE)
def reply(conversation_id: int):
    conversation = _own_conversation_or_404(conversation_id)
    text = request.form.get("reply", "")
    try:
        services.send_reply(
            conversation=conversation,
            client_token=request.form.get("token", "")[:64] or secrets.token_urlsafe(16),
            text=text,
            option=request.form.get("option"),
        )
    except services.ReplyRefused as refusal:
        reason = str(refusal)
        if reason in ("finished", "duplicate"):
            flash(REFUSALS[reason](), "error")
            return _go_to(url_for("roleplay.conversation", conversation_id=conversation_id))
        # Shown above the box, which keeps the draft, as much of it as the box holds (it could
        # never be sent).
        draft = text[: services.MAX_REPLY_CHARS]
        return _workbench(conversation, draft=draft, status=400, error=REFUSALS[reason]())
    if _wants_chat():
        # Drawn from the conversation as saved (send_reply keeps it loaded).
        if not conversation.finished:
            return _workbench(conversation, kept=_turns_shown(conversation))
        return _go_to(url_for("roleplay.result", conversation_id=conversation_id))
    # The id from the URL: reading it from the saved row would load the row again.
    return redirect(url_for("roleplay.conversation", conversation_id=conversation_id))


@bp.post("/conversations/<int:conversation_id>/end")
@role_required(TRAINEE)
def end(conversation_id: int):
    conversation = _own_conversation_or_404(conversation_id)
    services.end_conversation(conversation=conversation)
    return redirect(url_for("roleplay.result", conversation_id=conversation.id))


@bp.get("/conversations/<int:conversation_id>/result")
@role_required(TRAINEE, SUPERVISOR, ADMIN)
def result(conversation_id: int):
    conversation = _conversation_or_404(conversation_id, oversee=True)
    if not conversation.finished:
        if conversation.user_id != current_user.id:
            abort(404)
        return redirect(url_for("roleplay.conversation", conversation_id=conversation.id))
    return _result_page(conversation)


def _result_page(
    conversation: Conversation,
    *,
    comment_form: TurnCommentForm | None = None,
    commented_turn: int | None = None,
    override_form: ScoreOverrideForm | None = None,
    status: int = 200,
):
    """The scorecard with the supervisor's review; a rejected review form comes back filled in."""
    scenario = services.scenario_of(conversation)
    reviewer = conversation.user_id != current_user.id
    page = render_template(
        "roleplay/result.html",
        conversation=conversation,
        scenario=scenario,
        card=conversation.scorecard,
        lang=conversation.lang,
        ending=scenario.ending(conversation.scorecard["ending_id"])
        if conversation.scorecard.get("ending_id")
        else None,
        segments=segments,
        marks_of=marks_of,
        lessons=services.lessons_of(conversation),
        cite=citer(services.release_of(conversation), conversation.lang),
        review=queries.review_of(conversation),
        reviewer=reviewer,
        trainee=db.session.get(User, conversation.user_id) if reviewer else None,
        comment_form=comment_form or TurnCommentForm(formdata=None),
        commented_turn=commented_turn,
        override_form=override_form
        or ScoreOverrideForm(
            formdata=None,
            score=round(conversation.effective_score or 0),
            fatal=conversation.effective_fatal,
        ),
    )
    return page, status


def _reviewable_or_404(conversation_id: int) -> Conversation:
    """A finished conversation of a trainee the current supervisor (or admin) oversees."""
    conversation = _conversation_or_404(conversation_id, oversee=True)
    if conversation.user_id == current_user.id or not conversation.finished:
        abort(404)
    return conversation


@bp.post("/conversations/<int:conversation_id>/turns/<int:turn_id>/comments")
@role_required(SUPERVISOR, ADMIN)
def comment_turn(conversation_id: int, turn_id: int):
    conversation = _reviewable_or_404(conversation_id)
    turn = next((t for t in conversation.turns if t.id == turn_id), None) or abort(404)
    form = TurnCommentForm()
    if not form.validate_on_submit():
        return _result_page(conversation, comment_form=form, commented_turn=turn.id, status=400)
    services.comment_on_turn(turn=turn, author=current_user, body=form.body.data)
    flash(_("Comment added; the trainee sees it on their scorecard."), "success")
    target = url_for("roleplay.result", conversation_id=conversation.id)
    return redirect(f"{target}#turn-{turn.position + 1}")


@bp.post("/conversations/<int:conversation_id>/override")
@role_required(SUPERVISOR, ADMIN)
def override_score(conversation_id: int):
    conversation = _reviewable_or_404(conversation_id)
    form = ScoreOverrideForm()
    if not form.validate_on_submit():
        return _result_page(conversation, override_form=form, status=400)
    services.override_score(
        conversation=conversation,
        author=current_user,
        score=form.score.data,
        fatal=form.fatal.data,
        reason=form.reason.data,
    )
    flash(_("Score overridden; the engine's score is kept beside it."), "success")
    return redirect(url_for("roleplay.result", conversation_id=conversation.id))


@bp.route("/quick-replies", methods=["GET", "POST"])
@role_required(TRAINEE)
def quick_replies():
    if request.method == "POST":
        try:
            services.add_quick_reply(user_id=current_user.id, text=request.form.get("text", ""))
        except services.ReplyRefused as refusal:
            flash(REFUSALS[str(refusal)](), "error")
        else:
            flash(_("Quick reply added."), "success")
        return redirect(
            safe_next_path(request.form.get("next")) or url_for("roleplay.quick_replies")
        )
    return render_template(
        "roleplay/quick_replies.html", replies=queries.quick_replies(current_user.id)
    )


@bp.post("/quick-replies/<int:reply_id>/delete")
@role_required(TRAINEE)
def delete_quick_reply(reply_id: int):
    if not services.delete_quick_reply(user_id=current_user.id, reply_id=reply_id):
        abort(404)
    flash(_("Quick reply removed."), "success")
    return redirect(url_for("roleplay.quick_replies"))
