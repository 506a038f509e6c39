"""Reads for the simulated-buyer pages."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from training.extensions import db
from training.roleplay.models import (
    ASSESSED,
    Conversation,
    ConversationTurn,
    QuickReply,
    ScoreOverride,
    TurnComment,
)


def conversations_of(user_id: int, slug: str | None = None) -> list[Conversation]:
    """A trainee's conversations, newest first."""
    query = select(Conversation).filter_by(user_id=user_id)
    if slug:
        query = query.filter_by(scenario_slug=slug)
    return list(db.session.scalars(query.order_by(Conversation.started_at.desc())))


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
