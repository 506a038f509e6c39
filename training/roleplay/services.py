"""Writes for simulated-buyer conversations: start, reply (scored and saved at once), finish;
the supervisor's review (comments on turns, score overrides); the trainee's quick replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.session import make_transient_to_detached

from training.accounts.models import User
from training.clock import utcnow
from training.curriculum.queries import LiveRelease, release_by_id
from training.extensions import db
from training.roleplay import engine
from training.roleplay.models import (
    CHOICE,
    Conversation,
    ConversationTurn,
    QuickReply,
    ScoreOverride,
    TurnComment,
    refresh_scenario_standings,
)
from training.roleplay.queries import option_of_token

MAX_REPLY_CHARS = 1000
MAX_QUICK_REPLIES = 30
MAX_REVIEW_CHARS = 2000


class ReplyRefused(ValueError):
    """A reply that cannot be taken; the message says why (shown to the trainee)."""


class ReviewRefused(ValueError):
    """A comment or override that cannot be taken; the message key says why."""


def release_of(conversation: Conversation) -> LiveRelease:
    """The release the conversation started on: its scenario and the lessons its feedback
    cites are as they were there."""
    return release_by_id(conversation.release_id)


def scenario_of(conversation: Conversation):
    """The scenario as it was in the release the conversation started on."""
    return release_of(conversation).release.scenarios[conversation.scenario_slug]


def lessons_of(conversation: Conversation) -> list[tuple[str, object]]:
    """(link target, lesson) of the lessons the scenario practises, for the result page."""
    curriculum = release_of(conversation).curriculum
    links: dict[str, tuple[str, object]] = {}
    for key in scenario_of(conversation).lessons:
        lesson_key = key.partition("#")[0]
        links.setdefault(lesson_key, (key, curriculum.lesson_by_key(lesson_key)))
    return list(links.values())


def start_conversation(
    *, user_id: int, live: LiveRelease, slug: str, mode: str, input: str, lang: str
) -> Conversation:
    """Open a conversation at the scenario's first buyer message."""
    scenario = live.release.scenarios[slug]
    now = utcnow()
    conversation = Conversation(
        user_id=user_id,
        scenario_slug=slug,
        release_id=live.id,
        mode=mode,
        input=input,
        lang=lang,
        state=engine.state_to_dict(engine.start(scenario)),
        started_at=now,
        buyer_spoke_at=now,
    )
    db.session.add(conversation)
    db.session.commit()
    return conversation


def current_state(conversation: Conversation) -> engine.State:
    """The engine state with the full history rebuilt from the saved turns."""
    history = tuple(
        (turn.turn_id, turn.reply, engine.TurnScore.from_dict(turn.result))
        for turn in conversation.turns
    )
    return engine.state_from_dict(conversation.state, history)


def send_reply(
    *,
    conversation: Conversation,
    client_token: str,
    text: str | None = None,
    option: str | None = None,
    now: datetime | None = None,
) -> ConversationTurn:
    """Score the trainee's reply, move the buyer on, and save both in one transaction.

    The reply is timed by the server from when the buyer's message was shown. A reply sent
    again with the same token (a double click, a resend after a lost connection) returns the
    turn already saved instead of scoring twice.
    """
    now = now or utcnow()
    # The turns are loaded anyway to rebuild the state: look for the token among them.
    existing = next((t for t in conversation.turns if t.client_token == client_token), None)
    if existing is not None:
        return existing
    if conversation.finished:
        raise ReplyRefused("finished")
    scenario = scenario_of(conversation)
    state = current_state(conversation)
    turn = scenario.turn(state.turn_id)
    # Rounded once, so the time in the feedback ("took 200.4 s") is the time saved and shown.
    seconds = round(max(0.0, (now - conversation.buyer_spoke_at).total_seconds()), 1)
    history = [item[1] for item in state.history]
    if conversation.input == CHOICE:
        # ``option`` is the value the page showed (see queries.option_token), never a written id.
        option_id = option_of_token(conversation, turn, option)
        if option_id is None:
            raise ReplyRefused("unknown_option")
        scored = engine.choose_option(
            scenario, turn, option_id, conversation.lang, seconds, history
        )
    else:
        # Browsers send a line break as CR LF but count it once against the box's maxlength.
        text = (text or "").replace("\r\n", "\n").strip()
        if not text:
            raise ReplyRefused("empty")
        if len(text) > MAX_REPLY_CHARS:
            raise ReplyRefused("too_long")
        scored = engine.score_reply(scenario, turn, text, conversation.lang, seconds, history)
    new_state = engine.step(scenario, state, scored)
    saved = ConversationTurn(
        conversation_id=conversation.id,
        position=len(state.history),
        turn_id=turn.id,
        reply=scored.reply,
        option_id=scored.option_id,
        seconds=seconds,
        score=scored.score,
        result=scored.to_dict(),
        client_token=client_token,
        created_at=now,
    )
    state_saved = engine.state_to_dict(new_state)
    try:
        if new_state.finished:
            conversation.turns.append(saved)
            conversation.state = state_saved
            conversation.buyer_spoke_at = now
            _finish(conversation, scenario, new_state, now)
            _commit_keeping_loaded()
        else:
            _save_turn_of_open_conversation(conversation, saved, state_saved)
    except IntegrityError:
        # Another request saved this position first: keep its result, score nothing twice.
        db.session.rollback()
        raise ReplyRefused("duplicate") from None
    return saved


# Most turns leave the conversation open: two statements built once and run on the tables,
# since the ORM's unit of work for the same two rows cost about as much as scoring the reply.
# The turn that finishes a conversation goes through the ORM, whose flush keeps the scenario
# standings up to date.
_conversations, _turns = Conversation.__table__, ConversationTurn.__table__
_MOVE_BUYER_ON = (
    update(_conversations)
    .where(_conversations.c.id == bindparam("the_id"))
    .values(state=bindparam("the_state"), buyer_spoke_at=bindparam("the_time"))
)
_SAVE_TURN = insert(_turns).returning(_turns.c.id)
_TURN_COLUMNS = tuple(column.key for column in _turns.columns if column.key != "id")


def _save_turn_of_open_conversation(conversation, saved: ConversationTurn, state: dict) -> None:
    """Write the turn and the buyer's new state; the session is then left as if it had loaded
    them, so the workbench is drawn without reading them back."""
    connection = db.session.connection()
    connection.execute(
        _MOVE_BUYER_ON,
        {"the_id": conversation.id, "the_state": state, "the_time": saved.created_at},
    )
    saved.id = connection.execute(
        _SAVE_TURN, {key: getattr(saved, key) for key in _TURN_COLUMNS}
    ).scalar_one()
    _commit_keeping_loaded()
    make_transient_to_detached(saved)
    db.session.add(saved)
    set_committed_value(conversation, "turns", [*conversation.turns, saved])
    set_committed_value(conversation, "state", state)
    set_committed_value(conversation, "buyer_spoke_at", saved.created_at)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds. The workbench is drawn from the
    conversation straight after, and it holds what was just written: reloading it, and the
    signed-in trainee with it, would cost two queries of the turn's few."""
    session = db.session()
    expiring, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expiring


def end_conversation(*, conversation: Conversation, now: datetime | None = None) -> None:
    """The trainee stops early: the conversation is scored on the replies so far."""
    if conversation.finished:
        return
    state = current_state(conversation)
    _finish(conversation, scenario_of(conversation), state, now or utcnow())
    db.session.commit()


def _finish(conversation, scenario, state, now) -> None:
    card = engine.scorecard(scenario, state)
    conversation.finished_at = now
    conversation.score = card.overall
    conversation.passed = card.passed
    conversation.fatal = bool(card.fatal)
    conversation.scorecard = engine.scorecard_to_dict(card)


def _review_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ReviewRefused("empty")
    if len(text) > MAX_REVIEW_CHARS:
        raise ReviewRefused("too_long")
    return text


def comment_on_turn(
    *, turn: ConversationTurn, author: User, body: str, now: datetime | None = None
) -> TurnComment:
    """Add a supervisor's remark to one reply of a finished conversation (never edited)."""
    if not turn.conversation.finished:
        raise ReviewRefused("unfinished")
    comment = TurnComment(
        turn_id=turn.id, author_id=author.id, body=_review_text(body), created_at=now or utcnow()
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def override_score(
    *,
    conversation: Conversation,
    author: User,
    score: int,
    fatal: bool,
    reason: str,
    now: datetime | None = None,
) -> ScoreOverride:
    """Replace the score (and serious-violation verdict) that counts for a finished conversation.

    The engine's own score stays on the conversation and every earlier override stays in the
    history; the newest override is copied onto the conversation, which is what evidence reads.
    Passing is judged as the engine does: at or above the scenario's pass mark, no serious
    violation.
    """
    if not conversation.finished:
        raise ReviewRefused("unfinished")
    if not 0 <= score <= 100:
        raise ReviewRefused("score")
    reason = _review_text(reason)
    passed = score >= conversation.scorecard["pass_mark"] and not fatal
    table = Conversation.__table__
    # Writing the conversation row first holds it until commit, so of two overrides sent at
    # once the one committed last is both the newest in the history and the one copied here.
    db.session.execute(
        update(table)
        .where(table.c.id == conversation.id)
        .values(reviewed_score=score, reviewed_passed=passed, reviewed_fatal=fatal)
    )
    # A Core UPDATE skips the ORM's events that keep the standings in step.
    refresh_scenario_standings(
        db.session.connection(), {(conversation.user_id, conversation.scenario_slug)}
    )
    previous = db.session.scalar(
        select(ScoreOverride.score)
        .filter_by(conversation_id=conversation.id)
        .order_by(ScoreOverride.id.desc())
        .limit(1)
    )
    override = ScoreOverride(
        conversation_id=conversation.id,
        author_id=author.id,
        previous_score=conversation.score if previous is None else previous,
        score=score,
        passed=passed,
        fatal=fatal,
        reason=reason,
        created_at=now or utcnow(),
    )
    db.session.add(override)
    db.session.commit()
    db.session.refresh(conversation)
    return override


def add_quick_reply(*, user_id: int, text: str) -> QuickReply:
    """Add a phrase to the trainee's quick replies."""
    text = text.replace("\r\n", "\n").strip()
    if not text or len(text) > 300:
        raise ReplyRefused("quick_reply_length")
    count = db.session.scalar(select(func.count(QuickReply.id)).filter_by(user_id=user_id))
    if count >= MAX_QUICK_REPLIES:
        raise ReplyRefused("quick_reply_limit")
    reply = QuickReply(user_id=user_id, text=text, position=count)
    db.session.add(reply)
    db.session.commit()
    return reply


def delete_quick_reply(*, user_id: int, reply_id: int) -> bool:
    """Remove one of the trainee's own quick replies; False when it is not theirs."""
    reply = db.session.get(QuickReply, reply_id)
    if reply is None or reply.user_id != user_id:
        return False
    db.session.delete(reply)
    db.session.commit()
    return True
