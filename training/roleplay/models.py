"""Simulated-buyer conversations, every turn of them, and each trainee's quick replies."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    case,
    func,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.accounts.models import User
from training.clock import utcnow
from training.core.standings import StandingRewrite, keep_standing
from training.extensions import db

PRACTICE, ASSESSED = "practice", "assessed"
TEXT, CHOICE = "text", "choice"


class Conversation(db.Model):
    """One run of a scenario by a trainee, pinned to the content release it started on."""

    # For the supervisor's console, which reads every trainee's results at once (see quizzes).
    __table_args__ = (
        Index(
            "ix_conversation_results",
            "user_id",
            "scenario_slug",
            "mode",
            "finished_at",
            "score",
            "passed",
            "fatal",
            # A supervisor's override wins over the engine's verdict: without these the
            # evidence reads every conversation from the table too.
            "reviewed_score",
            "reviewed_passed",
            "reviewed_fatal",
        ),
        Index("ix_conversation_user_started", "user_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    scenario_slug: Mapped[str] = mapped_column(String(80), index=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("content_release.id"))
    mode: Mapped[str] = mapped_column(String(16), default=PRACTICE)
    input: Mapped[str] = mapped_column(String(16), default=TEXT)
    lang: Mapped[str] = mapped_column(String(8))
    # The engine's state (current turn, mood, patience, ending) as plain data.
    state: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the buyer's latest message was shown: the server times the trainee's reply from it.
    buyer_spoke_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    fatal: Mapped[bool] = mapped_column(default=False)
    scorecard: Mapped[dict | None] = mapped_column(JSON)
    # The latest supervisor override (ScoreOverride keeps them all), copied here so evidence
    # and tables read one row; None until a supervisor overrides. score/passed/fatal above stay
    # the engine's own judgement.
    reviewed_score: Mapped[float | None]
    reviewed_passed: Mapped[bool | None]
    reviewed_fatal: Mapped[bool | None]

    turns: Mapped[list[ConversationTurn]] = relationship(
        back_populates="conversation",
        cascade="all, delete-orphan",
        order_by="ConversationTurn.position",
    )

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @hybrid_property
    def effective_score(self) -> float | None:
        """The score that counts: the supervisor's override if any, else the engine's."""
        return self.score if self.reviewed_score is None else self.reviewed_score

    @effective_score.inplace.expression
    @classmethod
    def _effective_score_expression(cls):
        return func.coalesce(cls.reviewed_score, cls.score)

    @hybrid_property
    def effective_passed(self) -> bool | None:
        """Whether the conversation passed, as the supervisor's override (if any) judged it."""
        return self.passed if self.reviewed_passed is None else self.reviewed_passed

    @effective_passed.inplace.expression
    @classmethod
    def _effective_passed_expression(cls):
        return func.coalesce(cls.reviewed_passed, cls.passed)

    @hybrid_property
    def effective_fatal(self) -> bool:
        """Whether a serious violation stands, as the supervisor's override (if any) judged it."""
        return self.fatal if self.reviewed_fatal is None else self.reviewed_fatal

    @effective_fatal.inplace.expression
    @classmethod
    def _effective_fatal_expression(cls):
        return func.coalesce(cls.reviewed_fatal, cls.fatal)

    @property
    def overridden(self) -> bool:
        """Tell whether a supervisor has overridden the engine's score."""
        return self.reviewed_score is not None


class ScenarioStanding(db.Model):
    """A trainee's assessed record in one scenario, aggregated from their finished runs.

    Rewritten whenever an assessed run finishes or a supervisor overrides its score
    (``core.standings``), so the console reads one row per trainee and scenario.
    """

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), primary_key=True)
    scenario_slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    best_score: Mapped[float]  # percent, the supervisor's override where there is one
    passed: Mapped[bool]  # some run passed
    # The latest run broke a fatal rule: a mistake followed by a clean run is learnt from.
    fatal: Mapped[bool]


def refresh_scenario_standings(connection: Connection, keys: Collection[tuple] | None) -> None:
    """Rewrite the standings of the (trainee id, scenario slug) ``keys``, every one when None."""
    _scenario_standings().rewrite(connection, keys)


@functools.cache
def _scenario_standings() -> StandingRewrite:
    run = Conversation
    # The latest run is fatal when the latest fatal run finished when the latest run did: plain
    # aggregates over one index, where "the row with the latest time" would need a sort.
    latest_fatal = func.max(case((run.effective_fatal, run.finished_at)))
    rows = (
        select(
            run.user_id,
            run.scenario_slug,
            func.coalesce(func.max(run.effective_score), 0.0).label("best_score"),
            case(
                (func.max(case((run.effective_passed, 1), else_=0)) == 1, True), else_=False
            ).label("passed"),
            case((func.max(run.finished_at) == latest_fatal, True), else_=False).label("fatal"),
        )
        .where(run.mode == ASSESSED, run.finished_at.is_not(None))
        .group_by(run.user_id, run.scenario_slug)
    )
    return StandingRewrite(ScenarioStanding.__table__, rows, key=(run.user_id, run.scenario_slug))


keep_standing(
    Conversation,
    refresh=refresh_scenario_standings,
    key=lambda run: (run.user_id, run.scenario_slug),
    counts=lambda run: run.mode == ASSESSED and run.finished_at is not None,
)


class ConversationTurn(db.Model):
    """A buyer message and the trainee's reply to it, scored when it was sent."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "position"),
        UniqueConstraint("conversation_id", "client_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    position: Mapped[int]
    turn_id: Mapped[str] = mapped_column(String(80))
    reply: Mapped[str] = mapped_column(Text)
    option_id: Mapped[str | None] = mapped_column(String(16))
    seconds: Mapped[float]
    score: Mapped[float]
    # The full breakdown: moves, violations, matched words, every point explained.
    result: Mapped[dict] = mapped_column(JSON)
    # Sent by the page with each reply, so a resent message (lost connection) is not scored twice.
    client_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")


class TurnComment(db.Model):
    """A supervisor's remark on one reply of a finished conversation; only ever added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("conversation_turn.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    turn: Mapped[ConversationTurn] = relationship()
    author: Mapped[User] = relationship()


class ScoreOverride(db.Model):
    """A supervisor's correction of a conversation's score, with the reason; only ever added.

    The newest one counts (and is copied onto the conversation); older ones stay as history,
    and the engine's own score is never changed.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversation.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The effective score before this override (the engine's or the previous override's).
    previous_score: Mapped[float | None]
    score: Mapped[float]
    passed: Mapped[bool]
    fatal: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User] = relationship()


class QuickReply(db.Model):
    """A phrase the trainee keeps at hand, as the manual asks every agent to."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)


# Live role-play: people play the buyer, nothing is simulated.
PEER = "peer"
BUYER, TRAINEE_ROLE, OBSERVER = "buyer", "trainee", "observer"
LIVE_ROLES = (BUYER, TRAINEE_ROLE, OBSERVER)


class LiveSession(db.Model):
    """A role-play held by people: assessed (a supervisor opens it) or peer practice."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # ASSESSED or PEER
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    # A scenario pinned to the release it was opened on, or a free-form topic (both may be set).
    scenario_slug: Mapped[str | None] = mapped_column(String(80))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("content_release.id"))
    topic: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(8))
    # The last seq given to a message; bumped under the row's lock so seqs never collide.
    last_seq: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    participants: Mapped[list[LiveParticipant]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="LiveParticipant.id"
    )
    scorecard: Mapped[LiveScorecard | None] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    def user_in(self, role: str):
        """The user playing ``role`` (buyer or trainee), or None."""
        return next((p.user for p in self.participants if p.role == role), None)


class LiveParticipant(db.Model):
    """Someone invited to a live session, with the one part they play."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    session: Mapped[LiveSession] = relationship(back_populates="participants")
    user = relationship("User")


class LiveMessage(db.Model):
    """One message of a live session, numbered in the order it was stored."""

    __table_args__ = (
        # The cursor of every poll: (session_id, seq) is unique and indexed by this constraint.
        UniqueConstraint("session_id", "seq"),
        UniqueConstraint("session_id", "client_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"))
    seq: Mapped[int]
    sender_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    role: Mapped[str] = mapped_column(String(16))  # BUYER or TRAINEE_ROLE
    text: Mapped[str] = mapped_column(Text)
    # The script turn the buyer was playing, when they took a line from the scenario card.
    turn_id: Mapped[str | None] = mapped_column(String(80))
    # The rubric's score of a trainee reply (supervisor's eyes only).
    score: Mapped[float | None]
    result: Mapped[dict | None] = mapped_column(JSON)
    client_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveScorecard(db.Model):
    """The supervisor's judgement of an assessed session: 1-5 per dimension and comments."""

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id"), unique=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    ratings: Mapped[dict] = mapped_column(JSON)
    comments: Mapped[str] = mapped_column(Text, default="")
    percent: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[LiveSession] = relationship(back_populates="scorecard")
