"""Read-only aggregates for the supervisor's pages."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import accumulate

from sqlalchemy import and_, bindparam, case, func, select
from sqlalchemy.orm import defer

from training.accounts.models import User
from training.accounts.queries import roster_ids_of, roster_of, trainees_of
from training.clock import utcnow
from training.core.statements import Roster, read
from training.curriculum.models import LessonProgress
from training.curriculum.progress import PathState
from training.curriculum.queries import LiveRelease, live_release, path_for
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.probation.queries import evidence_of, last_activities, quiz_results
from training.probation.schema import TypingCriterion
from training.probation.services import decisions_of, readiness_of
from training.quizzes.models import ASSESSED, SUBMITTED, AttemptAnswer, QuizAttempt
from training.quizzes.services import weakest_topics_of
from training.quizzes.statistics import weakest_topics
from training.roleplay.live_queries import sessions_of_trainee
from training.roleplay.models import ASSESSED as SCENARIO_ASSESSED
from training.roleplay.models import (
    Conversation,
    ConversationTurn,
    LiveSession,
    ScoreOverride,
    TurnComment,
)

INACTIVE_DAYS = 3
REPEATED_FAILS = 3
ENDING_SOON_DAYS = 7


# The trainee page's tables show the newest rows; asked for all, at most the larger number.
TABLE_ROWS, TABLE_MAX = 20, 500


@dataclass(frozen=True)
class Newest:
    """The newest rows of one of a trainee's lists, and how many the list holds in all."""

    rows: list
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class TraineeRecord:
    """What a supervisor sees of one trainee's work so far."""

    user_id: int
    live: LiveRelease | None
    path: PathState | None
    attempts: Newest  # of QuizAttempt, newest first
    # Whether any assessed attempt was submitted: the answers weakest topics are read from.
    has_graded_answers: bool
    weakest_topics: list[tuple[str, float, int]]  # (label, mean 0..1, answers)
    readiness: rules.Readiness | None
    decisions: list[ProbationDecision]  # newest first, with who decided
    conversations: Newest  # of Conversation, newest first
    typing: TypingResults
    # Those they practised in, newest first: as buyer or observer they may sit in a session of
    # a trainee this supervisor does not oversee, whose transcript is not theirs to read.
    live_sessions: list[LiveSession]

    @property
    def decision_sequence(self) -> int:
        """The sequence number of the latest decision (0 before the first)."""
        return max((d.sequence for d in self.decisions), default=0)


# Built once, as the page's other reads are: building a SELECT costs about as much as running it.
# The window columns count the whole list before the limit applies, in the same read.
_ATTEMPTS_OF = (
    select(
        QuizAttempt,
        func.count().over(),
        func.max(
            case((and_(QuizAttempt.mode == ASSESSED, QuizAttempt.status == SUBMITTED), 1), else_=0)
        ).over(),
    )
    .where(QuizAttempt.user_id == bindparam("user_id"))
    .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc())
    .limit(bindparam("rows"))
)
# The table needs neither the engine's state nor the scorecard: reading one now is a bug.
_CONVERSATIONS_OF = (
    select(Conversation, func.count().over())
    .options(
        defer(Conversation.state, raiseload=True), defer(Conversation.scorecard, raiseload=True)
    )
    .where(Conversation.user_id == bindparam("user_id"))
    .order_by(Conversation.started_at.desc(), Conversation.id.desc())
    .limit(bindparam("rows"))
)


def trainee_record(
    trainee, lang: str, *, attempt_rows: int = TABLE_ROWS, conversation_rows: int = TABLE_ROWS
) -> TraineeRecord:
    """Lessons, quiz attempts, conversations, weakest topics and readiness of a trainee.

    The attempts and conversations are the newest ``attempt_rows`` and ``conversation_rows``
    (each between 1 and TABLE_MAX), so the page costs the same however long the trainee has
    practised.
    """
    user_id = trainee.id
    live = live_release()
    attempts = db.session.execute(
        _ATTEMPTS_OF, {"user_id": user_id, "rows": _table_rows(attempt_rows)}
    ).all()
    conversations = db.session.execute(
        _CONVERSATIONS_OF, {"user_id": user_id, "rows": _table_rows(conversation_rows)}
    ).all()
    return TraineeRecord(
        user_id=user_id,
        live=live,
        path=path_for(user_id, live) if live else None,
        attempts=_newest(attempts),
        has_graded_answers=bool(attempts and attempts[0][2]),
        weakest_topics=_labelled_topics(
            weakest_topics_of(user_id=user_id, live=live)[:5], live, lang
        )
        if live
        else [],
        readiness=readiness_of(trainee, live) if live else None,
        decisions=decisions_of(user_id),
        conversations=_newest(conversations),
        typing=typing_results(user_id, live),
        live_sessions=sessions_of_trainee(user_id),
    )


def _table_rows(rows: int) -> int:
    return max(1, min(rows, TABLE_MAX))


def _newest(rows) -> Newest:
    """Rows of (entity, count of the whole list, ...) as the entities and the count."""
    return Newest([row[0] for row in rows], rows[0][1] if rows else 0)


@dataclass(frozen=True)
class CohortRow:
    """One line of the supervisor's "my trainees" table."""

    trainee: object  # a roster row (accounts.queries.roster_of) or an account
    readiness: rules.Readiness | None  # None before any content is published
    areas: dict[str, float]  # criterion key -> progress 0..1
    last_activity: datetime | None
    flags: tuple[str, ...]


def _inactive(trainee, activity: datetime | None, now: datetime) -> bool:
    if activity is not None:
        return (now - activity).days >= INACTIVE_DAYS
    # Nothing done yet: idle since hiring, so a trainee's first days are not flagged.
    return trainee.hire_date is None or (now.date() - trainee.hire_date).days >= INACTIVE_DAYS


def _ending_soon(readiness: rules.Readiness) -> bool:
    return readiness.days_left is not None and readiness.days_left <= ENDING_SOON_DAYS


def _flags(trainee, readiness: rules.Readiness, activity, failing: bool, now) -> tuple[str, ...]:
    # A decided probation (confirmed or failed) is over: nothing about it is at risk.
    if readiness.state == rules.DECIDED:
        return ()
    flags = []
    if _inactive(trainee, activity, now):
        flags.append("inactive")
    if failing:
        flags.append("failing")
    if readiness.overdue:
        # Past the end without a decision: the supervisor must act, ready or not.
        flags.append("overdue")
    elif _ending_soon(readiness) and readiness.state != rules.READY:
        flags.append("ending")
    return tuple(flags)


def cohort_rows(
    trainees, live: LiveRelease | None, *, among: Roster | None = None
) -> list[CohortRow]:
    """Readiness, progress per area, last activity and at-risk flags of each trainee.

    A fixed number of grouped queries whatever the size of the cohort; only the pure rules run
    once per trainee. ``among`` selects the same trainees' ids for the queries to read by.
    """
    now = utcnow()
    ids = [trainee.id for trainee in trainees] if among is None else among
    activities = last_activities(ids)
    if live is None:
        return [CohortRow(t, None, {}, activities.get(t.id), ()) for t in trainees]
    # The repeated-fails flag comes from the same pass over the attempts as the evidence.
    quizzes = quiz_results(ids, live, repeated_fails=REPEATED_FAILS)
    evidence = evidence_of(trainees, live, among=among, quizzes=quizzes)
    policy = live.release.probation
    rows = []
    for trainee in trainees:
        readiness = rules.readiness(policy, evidence[trainee.id], now.date())
        activity = activities.get(trainee.id)
        failing = trainee.id in quizzes and quizzes[trainee.id].failing
        flags = _flags(trainee, readiness, activity, failing, now)
        areas = {c.key: c.progress for c in readiness.criteria}
        rows.append(CohortRow(trainee, readiness, areas, activity, flags))
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
SHOWN = {
    "all": lambda row: True,
    "at_risk": lambda row: bool(row.flags),
    "ready": lambda row: row.readiness is not None and row.readiness.state == rules.READY,
}


PAGE_SIZE = 100


@dataclass(frozen=True)
class TablePage:
    """One page of the filtered, sorted cohort (the whole cohort was filtered and sorted)."""

    rows: list[CohortRow]
    number: int
    pages: int
    total: int


def page_of(rows: list[CohortRow], number: int) -> TablePage:
    """Page ``number`` (clamped to the pages there are) of PAGE_SIZE rows."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = min(max(number, 1), pages)
    start = (number - 1) * PAGE_SIZE
    return TablePage(rows[start : start + PAGE_SIZE], number, pages, len(rows))


def cohort_table(viewer, live: LiveRelease | None, *, shown: str, sort: str) -> list[CohortRow]:
    """The viewer's trainees filtered (``shown``) and sorted as the table and the export show
    them; unknown choices fall back to everyone by days left."""
    rows = cohort_rows(roster_of(viewer), live, among=roster_ids_of(viewer))
    rows = [row for row in rows if SHOWN.get(shown, SHOWN["all"])(row)]
    rows.sort(key=SORTS.get(sort, SORTS["days_left"]))
    return rows


# --------------------------------------------------------------------------- cohort charts

SCORE_BUCKETS = 10  # 0-9, 10-19, ... 90-100
WEAKEST_SHOWN = 10


@dataclass(frozen=True)
class CohortCharts:
    """What the cohort charts draw, as plain values (also shown as tables)."""

    days: list[str]  # ISO dates, oldest first
    lessons_completed: list[int]  # cumulative, one per day
    quizzes_passed: list[int]  # cumulative, one per day
    quiz_scores: list[int]  # attempts per score bucket
    scenario_scores: list[int]  # conversations per score bucket
    weakest_topics: list[tuple[str, str, float, int]]  # (topic, label, mean 0..1, answers)

    @property
    def topic_percents(self) -> list[float]:
        """The weakest topics' mean scores in percent, as the chart's axis reads them."""
        return [round(mean * 100, 1) for _, _, mean, _ in self.weakest_topics]


def _bucket(column):
    """The score's tenth (0..9; 100 joins 90-99), in SQL both databases read alike."""
    whens = [(column >= 10 * n, n) for n in range(SCORE_BUCKETS - 1, 0, -1)]
    return case(*whens, else_=0)


def _histogram(column, *where) -> list[int]:
    bucket = _bucket(column).label("bucket")
    rows = db.session.execute(
        select(bucket, func.count()).where(column.is_not(None), *where).group_by(bucket)
    )
    counts = [0] * SCORE_BUCKETS
    for index, count in rows:
        counts[int(index)] = count
    return counts


def _per_day(column, *where) -> dict[str, int]:
    day = func.date(column).label("day")
    rows = db.session.execute(select(day, func.count()).where(*where).group_by(day))
    return {str(day): count for day, count in rows if day is not None}


def _cohort_topics(ids: Collection[int], live: LiveRelease, lang: str):
    """The cohort's topics below full marks, weakest first, labelled by their lesson's title."""
    rows = db.session.execute(
        select(AttemptAnswer.question_id, func.sum(AttemptAnswer.score), func.count())
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.mode == ASSESSED,
            QuizAttempt.status == SUBMITTED,
        )
        .group_by(AttemptAnswer.question_id)
    )
    questions = {q.id: q for q in live.release.quizzes.all_questions()}
    totals: dict[str, list[float]] = {}
    for question_id, score, count in rows:
        question = questions.get(question_id)
        if question is None:
            continue
        total = totals.setdefault(question.topic, [0.0, 0])
        total[0] += float(score or 0.0)
        total[1] += count
    topics = weakest_topics((topic, score / count) for topic, (score, count) in totals.items())
    labels = topic_labels(live, lang)
    ranked = [
        (topic, labels.get(topic, topic), mean, totals[topic][1]) for topic, mean, _ in topics
    ]
    return ranked[:WEAKEST_SHOWN]


def topic_labels(live: LiveRelease, lang: str) -> dict[str, str]:
    """Each quiz topic's label for people: the title of the lesson its questions test."""
    labels: dict[str, str] = {}
    for question in live.release.quizzes.all_questions():
        if question.topic not in labels:
            lesson = live.curriculum.lesson_by_key(question.lesson)
            labels[question.topic] = lesson.text(lang)[0].title if lesson else question.topic
    return labels


def _labelled_topics(topics, live: LiveRelease, lang: str) -> list[tuple[str, float, int]]:
    labels = topic_labels(live, lang)
    return [(labels.get(topic, topic), mean, count) for topic, mean, count in topics]


def cohort_charts(viewer, live: LiveRelease | None, on, lang: str) -> CohortCharts:
    """Cohort progress over time, score distributions and weakest topics of the viewer's
    trainees, each in one grouped query."""
    ids = [trainee.id for trainee in trainees_of(viewer)]
    lessons = _per_day(
        LessonProgress.completed_at,
        LessonProgress.user_id.in_(ids),
        LessonProgress.completed_at.is_not(None),
    )
    first_pass = (
        select(func.min(QuizAttempt.submitted_at).label("at"))
        .where(
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.mode == ASSESSED,
            QuizAttempt.passed.is_(True),
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_slug)
        .subquery()
    )
    quizzes = _per_day(first_pass.c.at)
    known = sorted(set(lessons) | set(quizzes))
    days: list[str] = []
    if known:
        first = date.fromisoformat(known[0])
        days = [(first + timedelta(n)).isoformat() for n in range((on - first).days + 1)]
    return CohortCharts(
        days=days,
        lessons_completed=list(accumulate(lessons.get(day, 0) for day in days)),
        quizzes_passed=list(accumulate(quizzes.get(day, 0) for day in days)),
        quiz_scores=_histogram(
            QuizAttempt.score_percent,
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.mode == ASSESSED,
            QuizAttempt.status == SUBMITTED,
        ),
        scenario_scores=_histogram(
            Conversation.effective_score,
            Conversation.user_id.in_(ids),
            Conversation.mode == SCENARIO_ASSESSED,
            Conversation.finished_at.is_not(None),
        ),
        weakest_topics=_cohort_topics(ids, live, lang) if live and ids else [],
    )


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


_TYPING_OF = (
    select(TypingAttempt)
    .where(TypingAttempt.user_id == bindparam("user_id"))
    .order_by(TypingAttempt.started_at.desc(), TypingAttempt.id.desc())
)


def typing_results(user_id: int, live: LiveRelease | None) -> TypingResults:
    """Every typing test of a trainee, passed or not under the live policy's thresholds (the
    ones readiness applies), falling back to the verdict saved at the time without a policy."""
    criterion = live.release.probation.criterion("typing") if live else None
    attempts = db.session.scalars(_TYPING_OF, {"user_id": user_id})
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
LIVE = "live"
DECISION, COMMENT, OVERRIDE = "decision", "comment", "override"
TIMELINE_LIMIT, TIMELINE_MAX = 50, 500


@dataclass(frozen=True)
class Event:
    """Something a trainee did, or a supervisor did about their work, at one moment."""

    kind: str
    at: datetime  # naive UTC, as stored
    subject: str  # lesson key, quiz slug, scenario slug (maybe empty) or decision outcome
    record_id: int | None = None  # the quiz attempt, conversation or live session to link to
    score: float | None = None
    passed: bool | None = None
    mode: str | None = None  # practice | assessed (quizzes, conversations); assessed | peer (live)
    actor: str | None = None  # the supervisor's name, for their decisions, comments, overrides
    text: str | None = None  # a reason or a comment
    figures: dict = field(default_factory=dict)  # kind-specific numbers (speed, old score ...)


@dataclass(frozen=True)
class Timeline:
    """The newest events, grouped by day in the viewer's timezone, newest day first, each with
    its time of day there."""

    days: list[tuple[date, list[tuple[time, Event]]]]
    limit: int
    has_more: bool


def activity_timeline(
    record: TraineeRecord, *, tz: tzinfo, limit: int = TIMELINE_LIMIT
) -> Timeline:
    """A trainee's latest activity and the supervisor's actions on it, newest first.

    Typing tests, live sessions and decisions (a handful each) come from the ``record`` the
    page already holds; quizzes, conversations, lessons, comments and overrides are read here,
    at most ``limit + 1`` rows each, so the cost does not grow with how much the trainee has
    done (the page's tables hold only their newest rows); one extra event tells whether there
    is more to show.
    """
    limit = max(1, min(limit, TIMELINE_MAX))
    events = _recorded_events(record)
    events += [event for source in _TIMELINE_QUERIES for event in source(record.user_id, limit + 1)]
    events.sort(key=lambda event: event.at, reverse=True)
    days: dict[date, list[tuple[time, Event]]] = {}
    for event in events[:limit]:
        local = event.at.replace(tzinfo=UTC).astimezone(tz)
        days.setdefault(local.date(), []).append((local.time(), event))
    return Timeline(days=list(days.items()), limit=limit, has_more=len(events) > limit)


def _recorded_events(record: TraineeRecord) -> list[Event]:
    typing = [
        Event(
            TYPING,
            t.submitted_at,
            t.lang,
            passed=t.passed,
            figures={"chars_per_minute": t.chars_per_minute, "accuracy": t.accuracy},
        )
        for t in (row.attempt for row in record.typing.rows)
        if t.submitted_at is not None
    ]
    live = [
        Event(
            LIVE,
            s.opened_at,
            s.scenario_slug or "",
            s.id,
            s.scorecard.percent if s.scorecard else None,
            mode=s.kind,
            figures={"topic": s.topic, "closed": s.closed},
        )
        for s in record.live_sessions
    ]
    decisions = [
        Event(
            DECISION,
            d.decided_at,
            d.outcome,
            actor=d.decided_by.name,
            text=d.reason,
            figures={"new_end": d.new_end},
        )
        for d in record.decisions
    ]
    return typing + live + decisions


# The timeline's reads, built once with the trainee and the row limit as parameters (building
# them cost about as much as running them), and run as plain columns: no entity is needed.
def _latest(owner, at, *columns):
    """The trainee's rows with a time ``at``, newest first, as (at, *columns)."""
    return (
        select(at, *columns)
        .where(owner == bindparam("user_id"), at.is_not(None))
        .order_by(at.desc())
        .limit(bindparam("limit"))
    )


_QUIZZES_SUBMITTED = _latest(
    QuizAttempt.user_id,
    QuizAttempt.submitted_at,
    QuizAttempt.quiz_slug,
    QuizAttempt.id,
    QuizAttempt.score_percent,
    QuizAttempt.passed,
    QuizAttempt.mode,
)
_CONVERSATIONS_FINISHED = _latest(
    Conversation.user_id,
    Conversation.finished_at,
    Conversation.scenario_slug,
    Conversation.id,
    Conversation.effective_score,
    Conversation.effective_passed,
    Conversation.mode,
    Conversation.reviewed_score.is_not(None),
)
_LESSONS_COMPLETED = _latest(
    LessonProgress.user_id,
    LessonProgress.completed_at,
    LessonProgress.module_slug,
    LessonProgress.lesson_slug,
)
_COMMENTS = (
    select(
        TurnComment.created_at,
        TurnComment.body,
        User.name,
        ConversationTurn.position,
        Conversation.id,
        Conversation.scenario_slug,
    )
    .join(User, TurnComment.author_id == User.id)
    .join(ConversationTurn, TurnComment.turn_id == ConversationTurn.id)
    .join(Conversation, ConversationTurn.conversation_id == Conversation.id)
    .where(Conversation.user_id == bindparam("user_id"))
    .order_by(TurnComment.created_at.desc())
    .limit(bindparam("limit"))
)
_OVERRIDES = (
    select(
        ScoreOverride.created_at,
        ScoreOverride.conversation_id,
        ScoreOverride.score,
        ScoreOverride.passed,
        ScoreOverride.previous_score,
        ScoreOverride.reason,
        User.name,
        Conversation.scenario_slug,
    )
    .join(User, ScoreOverride.author_id == User.id)
    .join(Conversation, ScoreOverride.conversation_id == Conversation.id)
    .where(Conversation.user_id == bindparam("user_id"))
    .order_by(ScoreOverride.created_at.desc())
    .limit(bindparam("limit"))
)


def _quizzes_submitted(user_id: int, limit: int) -> list[Event]:
    rows = read(_QUIZZES_SUBMITTED, {"user_id": user_id, "limit": limit})
    return [Event(QUIZ, *row) for row in rows]


def _conversations_finished(user_id: int, limit: int) -> list[Event]:
    rows = read(_CONVERSATIONS_FINISHED, {"user_id": user_id, "limit": limit})
    return [
        Event(CONVERSATION, *row, figures={"overridden": overridden}) for *row, overridden in rows
    ]


def _lessons_completed(user_id: int, limit: int) -> list[Event]:
    rows = read(_LESSONS_COMPLETED, {"user_id": user_id, "limit": limit})
    return [Event(LESSON, at, f"{module}/{lesson}") for at, module, lesson in rows]


def _comments(user_id: int, limit: int) -> list[Event]:
    rows = read(_COMMENTS, {"user_id": user_id, "limit": limit})
    return [
        Event(
            COMMENT,
            created_at,
            slug,
            conversation_id,
            actor=author,
            text=body,
            figures={"turn": position + 1},
        )
        for created_at, body, author, position, conversation_id, slug in rows
    ]


def _overrides(user_id: int, limit: int) -> list[Event]:
    rows = read(_OVERRIDES, {"user_id": user_id, "limit": limit})
    return [
        Event(
            OVERRIDE,
            row.created_at,
            row.scenario_slug,
            row.conversation_id,
            row.score,
            row.passed,
            actor=row.name,
            text=row.reason,
            figures={"previous": row.previous_score},
        )
        for row in rows
    ]


_TIMELINE_QUERIES = (
    _quizzes_submitted,
    _conversations_finished,
    _lessons_completed,
    _comments,
    _overrides,
)
