"""Reads for the simulated-buyer pages."""

from __future__ import annotations

from sqlalchemy import func, select

from training.extensions import db
from training.roleplay.models import ASSESSED, Conversation, QuickReply


def conversations_of(user_id: int, slug: str | None = None) -> list[Conversation]:
    """A trainee's conversations, newest first."""
    query = select(Conversation).filter_by(user_id=user_id)
    if slug:
        query = query.filter_by(scenario_slug=slug)
    return list(db.session.scalars(query.order_by(Conversation.started_at.desc())))


def best_assessed(user_id: int) -> dict[str, tuple[float, bool]]:
    """Per scenario: the best finished assessed score and whether any assessed run passed."""
    rows = db.session.execute(
        select(
            Conversation.scenario_slug,
            func.max(Conversation.score),
            func.max(Conversation.passed.cast(db.Integer)),
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
