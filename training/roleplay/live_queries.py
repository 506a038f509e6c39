"""Reads for live role-play: who sees a session and how, its messages after a cursor, the
sessions on a person's pages, and the probation evidence."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from training.accounts.access import can_oversee
from training.accounts.models import TRAINEE, User
from training.extensions import db
from training.roleplay.highlight import marks_of, segments
from training.roleplay.models import (
    ASSESSED,
    TRAINEE_ROLE,
    LiveMessage,
    LiveParticipant,
    LiveScorecard,
    LiveSession,
)

# Someone overseeing the practising trainee: reads the transcript without being in the room.
OVERSEER = "overseer"
# How many messages one poll returns at most; the page asks again at once when it got this many.
PAGE_SIZE = 200


def session_by_id(session_id: int) -> LiveSession | None:
    """A session with everyone seated in it loaded at once (every request needs them)."""
    query = (
        select(LiveSession)
        .filter_by(id=session_id)
        .options(selectinload(LiveSession.participants).selectinload(LiveParticipant.user))
    )
    return db.session.scalar(query)


def viewer_role(session: LiveSession, user: User) -> str | None:
    """The part ``user`` plays (buyer, trainee, observer), overseer, or None (no access)."""
    for participant in session.participants:
        if participant.user_id == user.id:
            return participant.role
    trainee = session.user_in(TRAINEE_ROLE)
    if trainee is not None and can_oversee(user, trainee):
        return OVERSEER
    return None


def sees_scores(session: LiveSession, user: User) -> bool:
    """The rubric's live scores are for supervisors: the one who runs the session and the
    practising trainee's own supervisor (or an admin), never for trainees."""
    if user.is_trainee:
        return False
    if session.opened_by_id == user.id:
        return True
    trainee = session.user_in(TRAINEE_ROLE)
    return trainee is not None and can_oversee(user, trainee)


def messages_after(session_id: int, after: int = 0, limit: int = PAGE_SIZE) -> list[LiveMessage]:
    """The session's messages numbered after ``after``, in order (one indexed query)."""
    query = (
        select(LiveMessage)
        .filter(LiveMessage.session_id == session_id, LiveMessage.seq > after)
        .order_by(LiveMessage.seq)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def message_data(
    message: LiveMessage,
    names: dict[int, str],
    with_score: bool,
    cite: Callable[[str], tuple[str, str] | None],
) -> dict:
    """One message as the page's script reads it; the score (with the reply's marked words) only
    for those who may see it, each point with the (address, title) of its lesson as ``cite``
    finds it and the seed manuals' sections behind its rule."""
    data = {
        "seq": message.seq,
        "role": message.role,
        "sender": names.get(message.sender_id, ""),
        "text": message.text,
        "at": message.created_at.isoformat() + "Z",
    }
    if with_score and message.score is not None:
        data["score"] = round(message.score)
        # The reply cut into runs, the words that earned or cost points marked, as on the page.
        data["pieces"] = segments(message.text, marks_of(message.result or {}))
        data["points"] = []
        for point in (message.result or {}).get("explanations", []):
            cited = cite(point.get("lesson", ""))
            data["points"].append(
                {
                    "delta": point["delta"],
                    "zh": point["message_zh"],
                    "en": point["message_en"],
                    "lesson": {"href": cited[0], "title": cited[1], "source": point["source"]}
                    if cited
                    else None,
                }
            )
    return data


def names_in(session: LiveSession) -> dict[int, str]:
    """Display names of everyone seated, by user id."""
    return {p.user_id: p.user.name for p in session.participants}


def sessions_of(user_id: int) -> list[LiveSession]:
    """The sessions a person was invited to, newest first."""
    query = (
        select(LiveSession)
        .join(LiveParticipant)
        .filter(LiveParticipant.user_id == user_id)
        .options(selectinload(LiveSession.participants).selectinload(LiveParticipant.user))
        .order_by(LiveSession.opened_at.desc(), LiveSession.id.desc())
    )
    return list(db.session.scalars(query))


# Built once: the supervisor's trainee page reads it on every view.
_SESSIONS_OF_TRAINEE = (
    select(LiveSession)
    .join(LiveParticipant)
    .where(LiveParticipant.user_id == bindparam("user_id"), LiveParticipant.role == TRAINEE_ROLE)
    .options(
        selectinload(LiveSession.participants).selectinload(LiveParticipant.user),
        selectinload(LiveSession.scorecard),
    )
    .order_by(LiveSession.opened_at.desc(), LiveSession.id.desc())
)


def sessions_of_trainee(user_id: int) -> list[LiveSession]:
    """Every session in which the trainee practised (not watched), for the supervisor console."""
    return list(db.session.scalars(_SESSIONS_OF_TRAINEE, {"user_id": user_id}))


def partners_for(user: User, oversee: Iterable[User]) -> list[User]:
    """Whom ``user`` may open a session with: a supervisor's trainees, a trainee's cohort."""
    if not user.is_trainee:
        return list(oversee)
    if user.cohort_id is None:
        return []
    query = select(User).filter(
        User.role == TRAINEE,
        User.cohort_id == user.cohort_id,
        User.id != user.id,
        User.active.is_(True),
    )
    return list(db.session.scalars(query.order_by(User.name)))


def observers_for(session: LiveSession) -> list[User]:
    """Trainees of the practising trainee's cohort not yet seated: who may be invited to watch."""
    trainee = session.user_in(TRAINEE_ROLE)
    if trainee is None or trainee.cohort_id is None:
        return []
    seated = {p.user_id for p in session.participants}
    query = select(User).filter(
        User.role == TRAINEE, User.cohort_id == trainee.cohort_id, User.active.is_(True)
    )
    return [u for u in db.session.scalars(query.order_by(User.name)) if u.id not in seated]


def live_roleplay_best_select(ids) -> Select:
    """Per trainee among ``ids`` (an expanding bind parameter or a SELECT of ids): the best
    percent a supervisor's scorecard gave an assessed session in which they played the trainee
    (peer practice never counts), as (user_id, best). Probation reads it with its other evidence."""
    return (
        select(LiveParticipant.user_id, func.max(LiveScorecard.percent).label("best"))
        .join(LiveSession, LiveSession.id == LiveParticipant.session_id)
        .join(LiveScorecard, LiveScorecard.session_id == LiveSession.id)
        .filter(
            LiveParticipant.user_id.in_(ids),
            LiveParticipant.role == TRAINEE_ROLE,
            LiveSession.kind == ASSESSED,
        )
        .group_by(LiveParticipant.user_id)
    )
