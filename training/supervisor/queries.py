"""Read-only aggregates for the supervisor's pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from training.accounts.models import User
from training.clock import utcnow
from training.curriculum.models import LessonProgress
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, live_release, path_for
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.schema import TypingCriterion
from training.probation.services import decisions_of, last_activity, readiness_of
from training.quizzes.models import ASSESSED, QuizAttempt
from training.quizzes.services import weakest_topics_of
from training.roleplay.models import Conversation, ConversationTurn, ScoreOverride, TurnComment
from training.roleplay.queries import conversations_of

INACTIVE_DAYS = 3
REPEATED_FAILS = 3
ENDING_SOON_DAYS = 7


@dataclass(frozen=True)
class TraineeRecord:
    """What a supervisor sees of one trainee's work so far."""

    live: LiveRelease | None
    path: PathState | None
    attempts: list[QuizAttempt]
    weakest_topics: list[tuple[str, float, int]]
    readiness: rules.Readiness | None
    decisions: list
    conversations: list[Conversation]


def trainee_record(trainee) -> TraineeRecord:
    """Lessons, quiz attempts, conversations, weakest topics and readiness of a trainee."""
    user_id = trainee.id
    live = live_release()
    attempts = list(
        db.session.scalars(
            select(QuizAttempt).filter_by(user_id=user_id).order_by(QuizAttempt.started_at.desc())
        )
    )
    return TraineeRecord(
        live=live,
        path=path_for(user_id, live) if live else None,
        attempts=attempts,
        weakest_topics=weakest_topics_of(user_id=user_id, live=live)[:5] if live else [],
        readiness=readiness_of(trainee, live) if live else None,
        decisions=decisions_of(user_id),
        conversations=conversations_of(user_id),
    )


@dataclass(frozen=True)
class CohortRow:
    """One line of the supervisor's "my trainees" table."""

    trainee: object
    readiness: rules.Readiness | None  # None before any content is published
    areas: dict[str, float]  # criterion key -> progress 0..1
    last_activity: object
    flags: tuple[str, ...]


def _repeated_fails(user_id: int) -> bool:
    rows = db.session.execute(
        select(QuizAttempt.quiz_slug, db.func.count())
        .filter_by(user_id=user_id, mode=ASSESSED, passed=False)
        .group_by(QuizAttempt.quiz_slug)
    ).all()
    return any(count >= REPEATED_FAILS for _, count in rows)


def _inactive(trainee, activity: datetime | None, now: datetime) -> bool:
    if activity is not None:
        return (now - activity).days >= INACTIVE_DAYS
    # Nothing done yet: idle since hiring, so a trainee's first days are not flagged.
    return trainee.hire_date is None or (now.date() - trainee.hire_date).days >= INACTIVE_DAYS


def cohort_rows(trainees, live: LiveRelease | None) -> list[CohortRow]:
    """Readiness, progress per area, last activity and at-risk flags of each trainee."""
    now = utcnow()
    rows = []
    for trainee in trainees:
        readiness = readiness_of(trainee, live) if live else None
        if readiness is None:
            rows.append(CohortRow(trainee, None, {}, last_activity(trainee.id), ()))
            continue
        activity = last_activity(trainee.id)
        flags = []
        # A decided probation (confirmed or failed) is over: nothing about it is at risk.
        if readiness.state != rules.DECIDED:
            if _inactive(trainee, activity, now):
                flags.append("inactive")
            if _repeated_fails(trainee.id):
                flags.append("failing")
            ending = readiness.days_left is not None and readiness.days_left <= ENDING_SOON_DAYS
            if ending and readiness.state != rules.READY:
                flags.append("ending")
        areas = {c.key: c.progress for c in readiness.criteria}
        rows.append(CohortRow(trainee, readiness, areas, activity, tuple(flags)))
    return rows


def _days_left(row: CohortRow):
    days = row.readiness.days_left if row.readiness else None
    return (days is None, days or 0)


SORTS = {
    "name": lambda row: row.trainee.name,
    "days_left": _days_left,
    "readiness": lambda row: -sum(row.areas.values()),
    "activity": lambda row: row.last_activity or datetime.min,
}


@dataclass(frozen=True)
class TypingRow:
    """One typing test as the supervisor sees it, judged against the live policy."""

    attempt: TypingAttempt
    passed: bool | None  # None while not submitted


@dataclass(frozen=True)
class TypingResults:
    """A trainee's typing tests, newest first, and the thresholds they are held to."""

    criterion: TypingCriterion | None  # None when the policy asks for no typing test
    rows: list[TypingRow]


def typing_results(user_id: int, live: LiveRelease | None) -> TypingResults:
    """Every typing test of a trainee, passed or not under the live policy's thresholds (the
    ones readiness applies), falling back to the verdict saved at the time without a policy."""
    criterion = live.release.probation.criterion("typing") if live else None
    attempts = db.session.scalars(
        select(TypingAttempt)
        .filter_by(user_id=user_id)
        .order_by(TypingAttempt.started_at.desc(), TypingAttempt.id.desc())
    )
    rows = []
    for attempt in attempts:
        if attempt.submitted_at is None:
            passed = None
        elif criterion is None:
            passed = bool(attempt.passed)
        else:
            score = rules.TypingScore(attempt.chars_per_minute or 0.0, attempt.accuracy or 0.0)
            passed = rules.typing_meets(criterion, score)
        rows.append(TypingRow(attempt, passed))
    return TypingResults(criterion, rows)


# Kinds of timeline event, in the order a page may want to explain them.
LESSON, QUIZ, CONVERSATION, TYPING = "lesson", "quiz", "conversation", "typing"
DECISION, COMMENT, OVERRIDE = "decision", "comment", "override"
TIMELINE_LIMIT, TIMELINE_MAX = 50, 500


@dataclass(frozen=True)
class Event:
    """Something a trainee did, or a supervisor did about their work, at one moment."""

    kind: str
    at: datetime  # naive UTC, as stored
    subject: str  # lesson key, quiz slug, scenario slug or decision outcome
    record_id: int | None = None  # the quiz attempt or conversation to link to
    score: float | None = None
    passed: bool | None = None
    mode: str | None = None  # practice | assessed (quizzes, conversations)
    actor: str | None = None  # the supervisor's name, for their decisions, comments, overrides
    text: str | None = None  # a reason or a comment
    figures: dict = field(default_factory=dict)  # kind-specific numbers (speed, old score ...)


@dataclass(frozen=True)
class Timeline:
    """The newest events, grouped by day in the viewer's timezone, newest day first."""

    days: list[tuple[date, list[Event]]]
    limit: int
    has_more: bool


def activity_timeline(user_id: int, *, tz: tzinfo, limit: int = TIMELINE_LIMIT) -> Timeline:
    """A trainee's latest activity and the supervisor's actions on it, newest first.

    One query per source, each fetching at most ``limit + 1`` rows, so the cost does not grow
    with how much the trainee has done; one extra row tells whether there is more to show.
    """
    limit = max(1, min(limit, TIMELINE_MAX))
    events = [event for source in _TIMELINE_SOURCES for event in source(user_id, limit + 1)]
    events.sort(key=lambda event: event.at, reverse=True)
    days: dict[date, list[Event]] = {}
    for event in events[:limit]:
        local = event.at.replace(tzinfo=UTC).astimezone(tz)
        days.setdefault(local.date(), []).append(event)
    return Timeline(days=list(days.items()), limit=limit, has_more=len(events) > limit)


def _lessons_completed(user_id: int, limit: int) -> list[Event]:
    rows = db.session.scalars(
        select(LessonProgress)
        .filter(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None))
        .order_by(LessonProgress.completed_at.desc())
        .limit(limit)
    )
    return [Event(LESSON, row.completed_at, row.key) for row in rows]


def _quizzes_submitted(user_id: int, limit: int) -> list[Event]:
    rows = db.session.scalars(
        select(QuizAttempt)
        .filter(QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc())
        .limit(limit)
    )
    return [
        Event(QUIZ, a.submitted_at, a.quiz_slug, a.id, a.score_percent, a.passed, a.mode)
        for a in rows
    ]


def _conversations_finished(user_id: int, limit: int) -> list[Event]:
    rows = db.session.scalars(
        select(Conversation)
        .filter(Conversation.user_id == user_id, Conversation.finished_at.is_not(None))
        .order_by(Conversation.finished_at.desc())
        .limit(limit)
    )
    return [
        Event(
            CONVERSATION,
            c.finished_at,
            c.scenario_slug,
            c.id,
            c.effective_score,
            c.effective_passed,
            c.mode,
            figures={"overridden": c.overridden},
        )
        for c in rows
    ]


def _typing_submitted(user_id: int, limit: int) -> list[Event]:
    rows = db.session.scalars(
        select(TypingAttempt)
        .filter(TypingAttempt.user_id == user_id, TypingAttempt.submitted_at.is_not(None))
        .order_by(TypingAttempt.submitted_at.desc())
        .limit(limit)
    )
    return [
        Event(
            TYPING,
            t.submitted_at,
            t.lang,
            passed=t.passed,
            figures={"chars_per_minute": t.chars_per_minute, "accuracy": t.accuracy},
        )
        for t in rows
    ]


def _decisions(user_id: int, limit: int) -> list[Event]:
    rows = db.session.execute(
        select(ProbationDecision, User.name)
        .join(User, ProbationDecision.decided_by_id == User.id)
        .filter(ProbationDecision.trainee_id == user_id)
        .order_by(ProbationDecision.decided_at.desc())
        .limit(limit)
    )
    return [
        Event(
            DECISION,
            d.decided_at,
            d.outcome,
            actor=name,
            text=d.reason,
            figures={"new_end": d.new_end},
        )
        for d, name in rows
    ]


def _comments(user_id: int, limit: int) -> list[Event]:
    rows = db.session.execute(
        select(TurnComment, ConversationTurn.position, Conversation.id, Conversation.scenario_slug)
        .join(ConversationTurn, TurnComment.turn_id == ConversationTurn.id)
        .join(Conversation, ConversationTurn.conversation_id == Conversation.id)
        .filter(Conversation.user_id == user_id)
        .options(joinedload(TurnComment.author))
        .order_by(TurnComment.created_at.desc())
        .limit(limit)
    )
    return [
        Event(
            COMMENT,
            c.created_at,
            slug,
            conversation_id,
            actor=c.author.name,
            text=c.body,
            figures={"turn": position + 1},
        )
        for c, position, conversation_id, slug in rows
    ]


def _overrides(user_id: int, limit: int) -> list[Event]:
    rows = db.session.execute(
        select(ScoreOverride, Conversation.scenario_slug)
        .join(Conversation, ScoreOverride.conversation_id == Conversation.id)
        .filter(Conversation.user_id == user_id)
        .options(joinedload(ScoreOverride.author))
        .order_by(ScoreOverride.created_at.desc())
        .limit(limit)
    )
    return [
        Event(
            OVERRIDE,
            o.created_at,
            slug,
            o.conversation_id,
            o.score,
            o.passed,
            actor=o.author.name,
            text=o.reason,
            figures={"previous": o.previous_score},
        )
        for o, slug in rows
    ]


_TIMELINE_SOURCES = (
    _lessons_completed,
    _quizzes_submitted,
    _conversations_finished,
    _typing_submitted,
    _decisions,
    _comments,
    _overrides,
)
