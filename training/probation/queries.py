"""Reads behind probation: the evidence of many trainees at once, the audit log, certificates.

Every evidence read is an aggregate grouped by trainee, so gathering the evidence of a whole
cohort costs the same handful of queries as gathering it for one trainee. The single-trainee path
(``services.gather_evidence``) is a batch of one through ``evidence_of``: the checklist a trainee
sees and the console row their supervisor sees cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    String,
    bindparam,
    case,
    func,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import selectinload

from training.accounts.models import User
from training.core.statements import Roster, TraineeIds, no_one, read_by_ids
from training.curriculum.models import LessonProgress
from training.curriculum.queries import LiveRelease
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.quizzes.models import QuizAttempt, QuizStanding
from training.roleplay.live_queries import live_roleplay_best_select
from training.roleplay.models import Conversation, ScenarioStanding


def evidence_of(
    trainees: Sequence[User],
    live: LiveRelease,
    *,
    among: Roster | None = None,
    lessons_done: Mapping[int, int] | None = None,
    quizzes: Mapping[int, QuizResults] | None = None,
) -> dict[int, rules.Evidence]:
    """Everything the policy looks at, for each trainee (by id), in three grouped queries.

    ``among`` is a roster of the same trainees for the queries to read by, ``lessons_done``
    lets a caller that has already laid out a trainee's path pass the count instead of reading
    it again, and ``quizzes`` one that has read ``quiz_results`` already.
    """
    if not trainees:
        return {}
    ids = [trainee.id for trainee in trainees] if among is None else among
    if lessons_done is None:
        lessons_done = _lessons_done(ids, live)
    if quizzes is None:
        quizzes = quiz_results(ids, live)
    module_quizzes = live.release.quizzes.quizzes
    required = tuple(s.slug for s in live.release.scenarios.values() if s.required)
    scenarios, typing, live_roleplay, decisions = _records(ids, required)
    lessons_total = len(live.curriculum.lessons())
    evidence = {}
    for trainee in trainees:
        passed, exam_best, _ = quizzes.get(trainee.id, _NO_QUIZZES)
        evidence[trainee.id] = rules.Evidence(
            hire_date=trainee.hire_date,
            probation_end=trainee.probation_end,
            lessons_total=lessons_total,
            lessons_done=lessons_done.get(trainee.id, 0),
            quizzes_total=len(module_quizzes),
            quizzes_passed=passed,
            exam_best=exam_best,
            required_scenarios=required,
            scenario_results=scenarios.get(trainee.id, {}),
            typing_best=typing.get(trainee.id),
            live_roleplay_best=live_roleplay.get(trainee.id),
            live_roleplay_available=True,
            decision=decisions.get(trainee.id),
        )
    return evidence


def _lessons_done(ids: TraineeIds, live: LiveRelease) -> dict[int, int]:
    """Completed lessons of the live curriculum per trainee (records of dropped lessons aside)."""
    keys = [(lesson.module_slug, lesson.slug) for lesson in live.curriculum.lessons()]
    if no_one(ids) or not keys:
        return {}
    return dict(read_by_ids(_lessons_done_of, ids, lessons=keys).all())


def _lessons_done_of(ids):
    lesson = tuple_(LessonProgress.module_slug, LessonProgress.lesson_slug)
    return (
        select(LessonProgress.user_id, func.count())
        .where(
            LessonProgress.user_id.in_(ids),
            LessonProgress.completed_at.is_not(None),
            lesson.in_(bindparam("lessons", expanding=True)),
        )
        .group_by(LessonProgress.user_id)
    )


class QuizResults(NamedTuple):
    """A trainee's assessed quiz record as the console and the checklist read it."""

    passed: int  # module quizzes passed at least once
    exam_best: float | None  # best final-exam score, percent; None = never taken
    # Failed one quiz ``repeated_fails`` times and the latest result on it is still a fail (a
    # pass since, such as a re-grade, clears it).
    failing: bool


_NO_QUIZZES = QuizResults(0, None, False)


def quiz_results(
    ids: TraineeIds, live: LiveRelease, *, repeated_fails: int = 3
) -> dict[int, QuizResults]:
    """Per trainee: module quizzes passed, best final-exam score and the repeated-fails flag, in
    one pass over the trainees' quiz standings (one row per trainee and quiz)."""
    if no_one(ids):
        return {}
    bank = live.release.quizzes
    rows = read_by_ids(
        _quiz_results_of,
        ids,
        quizzes=sorted(bank.quizzes),
        exam=bank.exam.slug if bank.exam else None,
        repeated_fails=repeated_fails,
    )
    return {
        user_id: QuizResults(int(passed or 0), exam_best, bool(failing))
        for user_id, passed, exam_best, failing in rows
    }


def _quiz_results_of(ids):
    quiz = QuizStanding
    passed = quiz.last_pass_at.is_not(None) & quiz.quiz_slug.in_(
        bindparam("quizzes", expanding=True)
    )
    failing = (quiz.fails >= bindparam("repeated_fails")) & (
        quiz.last_pass_at.is_(None) | (quiz.last_pass_at < quiz.last_fail_at)
    )
    return (
        select(
            quiz.user_id,
            func.sum(case((passed, 1), else_=0)),
            func.max(case((quiz.quiz_slug == bindparam("exam"), quiz.best_score))),
            func.max(case((failing, 1), else_=0)),
        )
        .where(quiz.user_id.in_(ids))
        .group_by(quiz.user_id)
    )


class _Records(NamedTuple):
    scenarios: dict[int, dict[str, rules.ScenarioResult]]
    typing: dict[int, rules.TypingScore]
    live_roleplay: dict[int, float]
    decisions: dict[int, rules.Decision]


def _records(ids: TraineeIds, required: Collection[str]) -> _Records:
    """Per trainee: the required scenarios' results, the typing attempt that counts, the best
    supervised live role-play and the latest decision, in one query.

    The four reads are small and grouped by trainee; for one trainee (every path and checklist
    view) their round trips cost more than the reads, so they travel as one UNION ALL whose rows
    say which read they belong to.
    """
    records = _Records({}, {}, {}, {})
    if no_one(ids):
        return records
    # Results are immutable and few distinct ones repeat across a cohort: share one object per
    # value rather than build one per trainee and scenario.
    shared: dict[tuple[float, bool, bool], rules.ScenarioResult] = {}
    for kind, user_id, text, number, other, flag, other_flag, at in read_by_ids(
        _records_of, ids, required=list(required)
    ):
        if kind == _SCENARIO:
            value = (number, flag, other_flag)
            result = shared.get(value)
            if result is None:
                result = shared[value] = rules.ScenarioResult(*value)
            records.scenarios.setdefault(user_id, {})[text] = result
        elif kind == _TYPING:
            records.typing[user_id] = rules.TypingScore(number or 0.0, other or 0.0)
        elif kind == _LIVE_ROLEPLAY:
            records.live_roleplay[user_id] = float(number)
        else:
            records.decisions[user_id] = rules.Decision(text, at.date())
    return records


# Each read's rows in the same eight columns: kind, trainee id, a text, two numbers, two flags
# and a time; what a read does not have is a NULL of the column's type.
_SCENARIO, _TYPING, _LIVE_ROLEPLAY, _DECISION = "s", "t", "l", "d"
_NO_TEXT, _NO_NUMBER = null().cast(String), null().cast(Float)
_NO_FLAG, _NO_TIME = null().cast(Boolean), null().cast(DateTime)


def _records_of(ids):
    return union_all(
        _scenario_results_of(ids),
        _typing_best_of(ids),
        _live_roleplay_best_of(ids),
        _latest_decisions_of(ids),
    )


def _scenario_results_of(ids):
    """Per trainee and required scenario (the only ones the policy reads): best assessed score,
    whether any run passed, and whether the latest run broke a fatal rule."""
    standing = ScenarioStanding
    return select(
        literal_column(f"'{_SCENARIO}'"),
        standing.user_id,
        standing.scenario_slug,
        standing.best_score,
        _NO_NUMBER,
        standing.passed,
        standing.fatal,
        _NO_TIME,
    ).where(
        standing.user_id.in_(ids),
        standing.scenario_slug.in_(bindparam("required", expanding=True)),
    )


def _typing_best_of(ids):
    """Per trainee, the typing attempt that counts: a passing one if any, else the fastest."""
    rank = (
        func.row_number()
        .over(
            partition_by=TypingAttempt.user_id,
            order_by=(
                case((TypingAttempt.passed, 1), else_=0).desc(),
                func.coalesce(TypingAttempt.chars_per_minute, 0.0).desc(),
                TypingAttempt.id,
            ),
        )
        .label("rank")
    )
    ranked = (
        select(
            TypingAttempt.user_id,
            TypingAttempt.chars_per_minute,
            TypingAttempt.accuracy,
            rank,
        )
        .where(TypingAttempt.user_id.in_(ids), TypingAttempt.submitted_at.is_not(None))
        .subquery()
    )
    return select(
        literal_column(f"'{_TYPING}'"),
        ranked.c.user_id,
        _NO_TEXT,
        ranked.c.chars_per_minute,
        ranked.c.accuracy,
        _NO_FLAG,
        _NO_FLAG,
        _NO_TIME,
    ).where(ranked.c.rank == 1)


def _live_roleplay_best_of(ids):
    best = live_roleplay_best_select(ids).subquery()
    return select(
        literal_column(f"'{_LIVE_ROLEPLAY}'"),
        best.c.user_id,
        _NO_TEXT,
        best.c.best,
        _NO_NUMBER,
        _NO_FLAG,
        _NO_FLAG,
        _NO_TIME,
    )


def _latest_decisions_of(ids):
    """Per trainee, the most recent decision on their probation."""
    latest = (
        select(func.max(ProbationDecision.id))
        .where(ProbationDecision.trainee_id.in_(ids))
        .group_by(ProbationDecision.trainee_id)
    )
    return select(
        literal_column(f"'{_DECISION}'"),
        ProbationDecision.trainee_id,
        ProbationDecision.outcome,
        _NO_NUMBER,
        _NO_NUMBER,
        _NO_FLAG,
        _NO_FLAG,
        ProbationDecision.decided_at,
    ).where(ProbationDecision.id.in_(latest))


def last_activities(ids: TraineeIds) -> dict[int, datetime]:
    """When each trainee last did anything we record (lesson, quiz, conversation, typing)."""
    if no_one(ids):
        return {}
    activities = {}
    for user_id, *times in read_by_ids(_last_activities_of, ids):
        known = [at for at in times if at is not None]
        if known:
            activities[user_id] = max(known)
    return activities


def _last_activities_of(ids):
    sources = [
        (LessonProgress.user_id, LessonProgress.last_opened_at),
        (QuizAttempt.user_id, QuizAttempt.started_at),
        (Conversation.user_id, Conversation.started_at),
        (TypingAttempt.user_id, TypingAttempt.started_at),
    ]
    # One correlated max per trainee and source: each is a single step down a (user_id, time)
    # index on both databases, where a grouped max would read every row of the cohort.
    latest = [
        select(func.max(at)).where(user_id == User.id).scalar_subquery() for user_id, at in sources
    ]
    return select(User.id, *latest).where(User.id.in_(ids))


AUDIT_PAGE_SIZE = 25


def audit_log(*, trainee_id: int | None = None, cohort_id: int | None = None, page: int = 1):
    """Decisions newest first, optionally for one trainee or cohort, one page at a time."""
    query = select(ProbationDecision).options(
        selectinload(ProbationDecision.trainee).selectinload(User.cohort),
        selectinload(ProbationDecision.decided_by),
    )
    if trainee_id:
        query = query.filter(ProbationDecision.trainee_id == trainee_id)
    if cohort_id:
        query = query.join(ProbationDecision.trainee).filter(User.cohort_id == cohort_id)
    query = query.order_by(ProbationDecision.decided_at.desc(), ProbationDecision.id.desc())
    return db.paginate(query, page=page, per_page=AUDIT_PAGE_SIZE, error_out=False)


@dataclass(frozen=True)
class Verification:
    """All a public certificate check reveals: who, when, and whether it still stands."""

    name: str
    confirmed_at: datetime  # shown as a date in the site's time zone, as on the certificate
    status: str  # confirmed | revoked


def verify_certificate(code: str) -> Verification | None:
    """The certificate with this verification code, or None when there is none."""
    if not code or len(code) > 32:
        return None
    decision = db.session.scalar(select(ProbationDecision).filter_by(verification_code=code))
    if decision is None:
        return None
    latest = db.session.scalar(
        select(ProbationDecision.id)
        .filter_by(trainee_id=decision.trainee_id)
        .order_by(ProbationDecision.sequence.desc())
        .limit(1)
    )
    # Any later decision (a revocation, then perhaps a new confirmation with a new code)
    # withdraws this certificate.
    status = rules.CONFIRMED if latest == decision.id else rules.REVOKED
    return Verification(decision.trainee.name, decision.decided_at, status)
