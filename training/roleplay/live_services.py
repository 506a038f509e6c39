"""Writes for live role-play sessions: open, invite, send a message, close, score.

Messages are numbered by bumping ``LiveSession.last_seq`` with one UPDATE ... RETURNING in the
same transaction that stores the message. The UPDATE holds the session's row (PostgreSQL) or
the database's write lock (SQLite) until the commit, so two messages sent at once get
consecutive numbers and are committed in that order: a reader polling "after seq N" can never
see N+2 before N+1 and skip a message. Nothing is kept in process memory, so any number of
workers on any number of hosts serve the same session.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from training.accounts.access import can_oversee
from training.accounts.models import User
from training.clock import utcnow
from training.curriculum.queries import LiveRelease, release_by_id
from training.extensions import db
from training.roleplay import engine
from training.roleplay.models import (
    ASSESSED,
    BUYER,
    OBSERVER,
    PEER,
    TRAINEE_ROLE,
    LiveMessage,
    LiveParticipant,
    LiveScorecard,
    LiveSession,
)
from training.roleplay.schema import DIMENSIONS

MAX_MESSAGE_CHARS = 1000
MAX_TOPIC_CHARS = 200
MAX_COMMENTS_CHARS = 4000


class LiveRefused(ValueError):
    """A live-session action that cannot be taken; the message key says why."""


def release_of(session: LiveSession) -> LiveRelease | None:
    """The release the session was opened on, or None (free-form: nothing is scored, so no
    feedback cites a lesson)."""
    return release_by_id(session.release_id) if session.release_id else None


def scenario_of(session: LiveSession):
    """The session's scenario as it was in the release it was opened on, or None (free-form)."""
    release = release_of(session)
    if not session.scenario_slug or release is None:
        return None
    return release.release.scenarios.get(session.scenario_slug)


def dimensions_of(session: LiveSession) -> tuple[str, ...]:
    """The scorecard's dimensions: the scenario's own, or every dimension when free-form."""
    scenario = scenario_of(session)
    return scenario.dimensions if scenario else DIMENSIONS


def title_of(session: LiveSession) -> str:
    """What the session is about: the scenario's title, else the free-form topic."""
    scenario = scenario_of(session)
    return scenario.title[session.lang] if scenario else session.topic


def may_close(session: LiveSession, user: User) -> bool:
    """Assessed sessions close by the supervisor who opened them; peer practice by either
    player."""
    if session.kind == ASSESSED:
        return session.opened_by_id == user.id
    return any(
        p.user_id == user.id and p.role in (BUYER, TRAINEE_ROLE) for p in session.participants
    )


def same_cohort(first: User, second: User) -> bool:
    """Both are trainees of one cohort (peers may practise and watch each other)."""
    return (
        first.is_trainee
        and second.is_trainee
        and first.cohort_id is not None
        and first.cohort_id == second.cohort_id
    )


def open_session(
    *,
    opener: User,
    partner: User,
    live: LiveRelease | None,
    slug: str | None,
    topic: str,
    lang: str,
    opener_role: str = BUYER,
) -> LiveSession:
    """Open a session and seat the two players.

    A supervisor opens an assessed session for one of their own trainees and plays the buyer;
    a trainee opens peer practice with a trainee of the same cohort, playing either side.
    """
    topic = topic.strip()[:MAX_TOPIC_CHARS]
    if slug and (live is None or slug not in live.release.scenarios):
        raise LiveRefused("unknown_scenario")
    if not slug and not topic:
        raise LiveRefused("no_topic")
    if opener.id == partner.id:
        raise LiveRefused("partner")
    if opener.is_supervisor or opener.is_admin:
        if not partner.is_trainee or not can_oversee(opener, partner):
            raise LiveRefused("partner")
        kind, opener_role = ASSESSED, BUYER
    elif opener.is_trainee:
        if not same_cohort(opener, partner):
            raise LiveRefused("partner")
        if opener_role not in (BUYER, TRAINEE_ROLE):
            raise LiveRefused("role")
        kind = PEER
    else:
        raise LiveRefused("partner")
    partner_role = TRAINEE_ROLE if opener_role == BUYER else BUYER
    session = LiveSession(
        kind=kind,
        opened_by_id=opener.id,
        scenario_slug=slug or None,
        release_id=live.id if slug else None,
        topic=topic,
        lang=lang,
    )
    session.participants = [
        LiveParticipant(user_id=opener.id, role=opener_role),
        LiveParticipant(user_id=partner.id, role=partner_role),
    ]
    db.session.add(session)
    db.session.commit()
    return session


def invite_observer(*, session: LiveSession, inviter: User, observer: User) -> LiveParticipant:
    """Seat a trainee of the practising trainee's cohort as a read-only observer."""
    if session.opened_by_id != inviter.id:
        raise LiveRefused("not_opener")
    trainee = session.user_in(TRAINEE_ROLE)
    if any(p.user_id == observer.id for p in session.participants):
        raise LiveRefused("already_invited")
    if trainee is None or not same_cohort(trainee, observer):
        raise LiveRefused("observer")
    participant = LiveParticipant(session_id=session.id, user_id=observer.id, role=OBSERVER)
    if _commit_new(participant) is not None:
        raise LiveRefused("already_invited")
    return participant


def send_message(
    *,
    session: LiveSession,
    sender: User,
    role: str,
    text: str,
    client_token: str,
    turn_id: str | None = None,
    now: datetime | None = None,
) -> LiveMessage:
    """Store a message (numbered, and scored when a trainee replies in a scenario) in one
    transaction. The same client token sent again returns the message already stored."""
    existing = _by_token(session.id, client_token)
    if existing is not None:
        return existing
    if role not in (BUYER, TRAINEE_ROLE):
        raise LiveRefused("read_only")
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise LiveRefused("empty")
    if len(text) > MAX_MESSAGE_CHARS:
        raise LiveRefused("too_long")
    now = now or utcnow()
    scenario = scenario_of(session)
    if role != BUYER or scenario is None or (turn_id and not _has_turn(scenario, turn_id)):
        turn_id = None
    # Score before taking the lock: the scorer reads only messages already stored.
    score, result = (
        _score_reply(session, scenario, text, now)
        if role == TRAINEE_ROLE and scenario
        else (None, None)
    )
    table = LiveSession.__table__
    seq = db.session.scalar(
        update(table)
        .where(table.c.id == session.id, table.c.closed_at.is_(None))
        .values(last_seq=table.c.last_seq + 1)
        .returning(table.c.last_seq)
    )
    if seq is None:
        db.session.rollback()
        raise LiveRefused("closed")
    message = LiveMessage(
        session_id=session.id,
        seq=seq,
        sender_id=sender.id,
        role=role,
        text=text,
        turn_id=turn_id,
        score=score,
        result=result,
        client_token=client_token,
        created_at=now,
    )
    error = _commit_new(message)
    if error is None:
        return message
    # The same token committed first by a concurrent request (a double send): that one wins.
    existing = _by_token(session.id, client_token)
    if existing is None:
        raise error
    return existing


def _commit_new(row) -> IntegrityError | None:
    """Add ``row`` and commit; when a unique constraint refuses it, roll back and return why."""
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        return error
    return None


def _by_token(session_id: int, client_token: str) -> LiveMessage | None:
    query = select(LiveMessage).filter_by(session_id=session_id, client_token=client_token)
    return db.session.scalar(query)


def _has_turn(scenario, turn_id: str) -> bool:
    return any(turn.id == turn_id for turn in scenario.turns)


def _score_reply(session: LiveSession, scenario, text: str, now: datetime):
    """The rubric's score of a trainee reply, against the script turn the buyer is playing
    with the buyer's own words (a live buyer rarely says the scripted line exactly)."""
    earlier = list(
        db.session.scalars(
            select(LiveMessage).filter_by(session_id=session.id).order_by(LiveMessage.seq)
        )
    )
    buyer_lines = [m for m in earlier if m.role == BUYER]
    replies = [m.text for m in earlier if m.role == TRAINEE_ROLE]
    last_buyer = buyer_lines[-1] if buyer_lines else None
    if last_buyer and last_buyer.turn_id:
        turn = scenario.turn(last_buyer.turn_id)
    else:
        # No line taken from the card: follow the script in order, one turn per buyer message.
        turn = scenario.turns[min(max(len(buyer_lines) - 1, 0), len(scenario.turns) - 1)]
    if last_buyer:
        turn = dataclasses.replace(turn, buyer={**turn.buyer, session.lang: last_buyer.text})
    seconds = (now - last_buyer.created_at).total_seconds() if last_buyer else None
    scored = engine.score_reply(scenario, turn, text, session.lang, seconds, replies)
    return scored.score, {"turn_id": turn.id, **scored.to_dict()}


def close_session(*, session: LiveSession, user: User, now: datetime | None = None) -> None:
    """End the session (by whoever ``may_close`` it): it takes no more messages."""
    if not may_close(session, user):
        raise LiveRefused("not_opener")
    table = LiveSession.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == session.id, table.c.closed_at.is_(None))
        .values(closed_at=now or utcnow())
    )
    db.session.commit()


def score_session(
    *, session: LiveSession, supervisor: User, ratings: dict[str, int], comments: str
) -> LiveScorecard:
    """Record the supervisor's scorecard of a closed assessed session (once).

    The percent is the mean rating over 5 (4 of 5 everywhere is 80%), compared with the
    policy's live role-play mark.
    """
    if session.kind != ASSESSED or session.opened_by_id != supervisor.id:
        raise LiveRefused("not_opener")
    if not session.closed:
        raise LiveRefused("open")
    if session.scorecard is not None:
        raise LiveRefused("scored")
    dimensions = dimensions_of(session)
    if set(ratings) != set(dimensions) or any(
        not isinstance(value, int) or not 1 <= value <= 5 for value in ratings.values()
    ):
        raise LiveRefused("ratings")
    percent = round(sum(ratings.values()) / (5 * len(dimensions)) * 100, 1)
    card = LiveScorecard(
        session_id=session.id,
        supervisor_id=supervisor.id,
        ratings={dim: ratings[dim] for dim in dimensions},
        comments=comments.replace("\r\n", "\n").strip()[:MAX_COMMENTS_CHARS],
        percent=percent,
    )
    if _commit_new(card) is not None:
        raise LiveRefused("scored")
    return card
