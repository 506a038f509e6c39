"""Reads for the simulated-buyer pages."""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from training.curriculum.models import ContentRelease
from training.curriculum.queries import release_with_version
from training.extensions import db
from training.roleplay.models import (
    ASSESSED,
    Conversation,
    ConversationTurn,
    QuickReply,
    ScoreOverride,
    TurnComment,
)

# Statements run on every simulated-buyer turn, built once: SQLAlchemy finds a statement's compiled
# form by a cache key it works out once per statement object, and built per request the
# construction and the key cost more than running the query on SQLite.
_OWN_CONVERSATION = (
    select(Conversation, ContentRelease.version)
    .join(ContentRelease, ContentRelease.id == Conversation.release_id)
    .where(
        Conversation.id == bindparam("conversation_id"),
        Conversation.user_id == bindparam("user_id"),
    )
    .options(joinedload(Conversation.turns))
)
_QUICK_REPLY_TEXTS = (
    select(QuickReply.text)
    .where(QuickReply.user_id == bindparam("user_id"))
    .order_by(QuickReply.position, QuickReply.id)
)


def own_conversation(conversation_id: int, user_id: int) -> Conversation | None:
    """A trainee's own conversation with its turns, in one query that also reads which version
    its release holds, so finding its scenario asks nothing more (None when there is no such
    conversation or it is someone else's)."""
    row = db.session.execute(
        _OWN_CONVERSATION, {"conversation_id": conversation_id, "user_id": user_id}
    )
    found = row.unique().one_or_none()
    if found is None:
        return None
    conversation, version = found
    release_with_version(conversation.release_id, version)
    return conversation


def best_assessed(user_id: int) -> dict[str, tuple[float, bool]]:
    """Per scenario: the best finished assessed score and whether any assessed run passed
    (a supervisor's override counts in place of the engine's score)."""
    rows = db.session.execute(
        select(
            Conversation.scenario_slug,
            func.max(Conversation.effective_score),
            func.max(Conversation.effective_passed.cast(db.Integer)),
        )
        .filter(
            Conversation.user_id == user_id,
            Conversation.mode == ASSESSED,
            Conversation.finished_at.is_not(None),
        )
        .group_by(Conversation.scenario_slug)
    ).all()
    return {slug: (score or 0.0, bool(passed)) for slug, score, passed in rows}


def quick_replies(user_id: int) -> list[QuickReply]:
    """The trainee's quick replies in their order."""
    # Positions repeat after a removal (a new phrase takes the count); ties go by age.
    query = (
        select(QuickReply).filter_by(user_id=user_id).order_by(QuickReply.position, QuickReply.id)
    )
    return list(db.session.scalars(query))


def quick_reply_texts(user_id: int) -> list[str]:
    """The texts of the trainee's quick replies in their order, for the workbench."""
    return list(db.session.scalars(_QUICK_REPLY_TEXTS, {"user_id": user_id}))


@dataclass(frozen=True)
class Review:
    """A supervisor's review of a conversation: comments per turn and the score overrides."""

    comments: dict[int, list[TurnComment]]  # ConversationTurn.id -> comments, oldest first
    overrides: list[ScoreOverride]  # newest first; the first one is the score that counts


def review_of(conversation: Conversation) -> Review:
    """The comments on every turn and the override history of one conversation (two queries)."""
    comments: dict[int, list[TurnComment]] = defaultdict(list)
    rows = db.session.scalars(
        select(TurnComment)
        .join(ConversationTurn, TurnComment.turn_id == ConversationTurn.id)
        .filter(ConversationTurn.conversation_id == conversation.id)
        .options(joinedload(TurnComment.author))
        .order_by(TurnComment.id)
    )
    for comment in rows:
        comments[comment.turn_id].append(comment)
    overrides = db.session.scalars(
        select(ScoreOverride)
        .filter_by(conversation_id=conversation.id)
        .options(joinedload(ScoreOverride.author))
        .order_by(ScoreOverride.id.desc())
    )
    return Review(comments=dict(comments), overrides=list(overrides))


def option_token(conversation: Conversation, turn_id: str, option_id: str) -> str:
    """The value under which a choice-mode option is shown in this conversation.

    Authors write the best reply as option a more often than not: showing the written ids (or
    an order anyone can recompute) would give it away, so the value is keyed with the
    application's secret, per conversation and turn.
    """
    message = f"conversation\0{conversation.id}\0{turn_id}\0{option_id}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return "o" + hmac.new(key, message, hashlib.sha256).hexdigest()[:12]


def shown_options(conversation: Conversation, turn) -> list[tuple[str, object]]:
    """(shown value, option) of the turn's choice-mode options, in the page's order.

    Ordered by the keyed values, so the order is the conversation's own, the same on every
    reload, and tells nothing about the written order.
    """
    shown = [(option_token(conversation, turn.id, option.id), option) for option in turn.options]
    return sorted(shown, key=lambda pair: pair[0])


def option_of_token(conversation: Conversation, turn, token: str | None) -> str | None:
    """The written id of the option shown under ``token`` on this turn, or None."""
    return next(
        (option.id for shown, option in shown_options(conversation, turn) if shown == token), None
    )
