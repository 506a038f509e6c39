"""Reads behind readiness: the evidence of many trainees gathered at once.

Every read here is an aggregate grouped by trainee, so gathering the evidence of a whole cohort
costs the same handful of queries as gathering it for one trainee. The single-trainee path
(``services.gather_evidence``) is a batch of one through ``evidence_of``: the checklist a trainee
sees and the console row their supervisor sees cannot disagree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from sqlalchemy import case, func, select, tuple_, union_all

from training.accounts.models import User
from training.curriculum.models import LessonProgress
from training.curriculum.queries import LiveRelease
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision, TypingAttempt
from training.quizzes.models import ASSESSED as QUIZ_ASSESSED
from training.quizzes.models import SUBMITTED, QuizAttempt
from training.roleplay.models import ASSESSED as SCENARIO_ASSESSED
from training.roleplay.models import Conversation


def evidence_of(
    trainees: Sequence[User],
    live: LiveRelease,
    *,
    lessons_done: Mapping[int, int] | None = None,
) -> dict[int, rules.Evidence]:
    """Everything the policy looks at, for each trainee (by id), in five grouped queries.

    ``lessons_done`` lets a caller that has already laid out a trainee's path pass the count
    instead of reading it again.
    """
    ids = [trainee.id for trainee in trainees]
    if lessons_done is None:
        lessons_done = _lessons_done(ids, live)
    quizzes = _quiz_results(ids)
    scenarios = _scenario_results(ids)
    typing = _typing_best(ids)
    decisions = _latest_decisions(ids)
    bank = live.release.quizzes
    module_quizzes = set(bank.quizzes)
    exam_slug = bank.exam.slug if bank.exam else None
    required = tuple(s.slug for s in live.release.scenarios.values() if s.required)
    lessons_total = len(live.curriculum.lessons())
    evidence = {}
    for trainee in trainees:
        best, passed = quizzes.get(trainee.id, ({}, set()))
        evidence[trainee.id] = rules.Evidence(
            hire_date=trainee.hire_date,
            probation_end=trainee.probation_end,
            lessons_total=lessons_total,
            lessons_done=lessons_done.get(trainee.id, 0),
            quizzes_total=len(module_quizzes),
            quizzes_passed=len(module_quizzes & passed),
            exam_best=best.get(exam_slug) if exam_slug else None,
            required_scenarios=required,
            scenario_results=scenarios.get(trainee.id, {}),
            typing_best=typing.get(trainee.id),
            live_roleplay_available=False,
            decision=decisions.get(trainee.id),
        )
    return evidence


def _lessons_done(ids: Collection[int], live: LiveRelease) -> dict[int, int]:
    """Completed lessons of the live curriculum per trainee (records of dropped lessons aside)."""
    keys = [(lesson.module_slug, lesson.slug) for lesson in live.curriculum.lessons()]
    if not ids or not keys:
        return {}
    rows = db.session.execute(
        select(LessonProgress.user_id, func.count())
        .where(
            LessonProgress.user_id.in_(ids),
            LessonProgress.completed_at.is_not(None),
            tuple_(LessonProgress.module_slug, LessonProgress.lesson_slug).in_(keys),
        )
        .group_by(LessonProgress.user_id)
    )
    return {user_id: count for user_id, count in rows}


def _quiz_results(ids: Collection[int]) -> dict[int, tuple[dict[str, float], set[str]]]:
    """Per trainee: the best assessed score per quiz slug, and the slugs passed."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.quiz_slug,
            func.max(QuizAttempt.score_percent),
            func.max(case((QuizAttempt.passed, 1), else_=0)),
        )
        .where(
            QuizAttempt.user_id.in_(ids),
            QuizAttempt.mode == QUIZ_ASSESSED,
            QuizAttempt.status == SUBMITTED,
        )
        .group_by(QuizAttempt.user_id, QuizAttempt.quiz_slug)
    )
    results: dict[int, tuple[dict[str, float], set[str]]] = {}
    for user_id, slug, best, passed in rows:
        scores, passed_slugs = results.setdefault(user_id, ({}, set()))
        scores[slug] = best
        if passed:
            passed_slugs.add(slug)
    return results


def _scenario_results(ids: Collection[int]) -> dict[int, dict[str, rules.ScenarioResult]]:
    """Per trainee and scenario: best assessed score, whether any run passed, and whether the
    latest run broke a fatal rule (a mistake followed by a clean run is learnt from)."""
    if not ids:
        return {}
    recency = (
        func.row_number()
        .over(
            partition_by=(Conversation.user_id, Conversation.scenario_slug),
            order_by=(Conversation.finished_at.desc(), Conversation.id.desc()),
        )
        .label("recency")
    )
    runs = (
        select(
            Conversation.user_id,
            Conversation.scenario_slug,
            Conversation.score,
            Conversation.passed,
            Conversation.fatal,
            recency,
        )
        .where(
            Conversation.user_id.in_(ids),
            Conversation.mode == SCENARIO_ASSESSED,
            Conversation.finished_at.is_not(None),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            runs.c.user_id,
            runs.c.scenario_slug,
            func.max(func.coalesce(runs.c.score, 0.0)),
            func.max(case((runs.c.passed, 1), else_=0)),
            func.max(case((runs.c.recency == 1, case((runs.c.fatal, 1), else_=0)), else_=0)),
        ).group_by(runs.c.user_id, runs.c.scenario_slug)
    )
    results: dict[int, dict[str, rules.ScenarioResult]] = {}
    for user_id, slug, best, passed, fatal in rows:
        results.setdefault(user_id, {})[slug] = rules.ScenarioResult(
            best_score=float(best), passed=bool(passed), fatal=bool(fatal)
        )
    return results


def _typing_best(ids: Collection[int]) -> dict[int, rules.TypingScore]:
    """Per trainee, the typing attempt that counts: a passing one if any, else the fastest."""
    if not ids:
        return {}
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
    rows = db.session.execute(
        select(ranked.c.user_id, ranked.c.chars_per_minute, ranked.c.accuracy).where(
            ranked.c.rank == 1
        )
    )
    return {
        user_id: rules.TypingScore(speed or 0.0, accuracy or 0.0)
        for user_id, speed, accuracy in rows
    }


def _latest_decisions(ids: Collection[int]) -> dict[int, rules.Decision]:
    """Per trainee, the most recent decision on their probation."""
    if not ids:
        return {}
    latest = (
        select(func.max(ProbationDecision.id))
        .where(ProbationDecision.trainee_id.in_(ids))
        .group_by(ProbationDecision.trainee_id)
    )
    rows = db.session.execute(
        select(
            ProbationDecision.trainee_id, ProbationDecision.outcome, ProbationDecision.decided_at
        ).where(ProbationDecision.id.in_(latest))
    )
    return {
        trainee_id: rules.Decision(outcome, decided_at.date())
        for trainee_id, outcome, decided_at in rows
    }


def last_activities(ids: Collection[int]) -> dict[int, datetime]:
    """When each trainee last did anything we record (lesson, quiz, conversation, typing)."""
    if not ids:
        return {}
    sources = [
        (LessonProgress.user_id, LessonProgress.last_opened_at),
        (QuizAttempt.user_id, QuizAttempt.started_at),
        (Conversation.user_id, Conversation.started_at),
        (TypingAttempt.user_id, TypingAttempt.started_at),
    ]
    latest = union_all(
        *(
            select(user_id.label("user_id"), func.max(at).label("at"))
            .where(user_id.in_(ids))
            .group_by(user_id)
            for user_id, at in sources
        )
    ).subquery()
    rows = db.session.execute(
        select(latest.c.user_id, func.max(latest.c.at)).group_by(latest.c.user_id)
    )
    return {user_id: at for user_id, at in rows if at is not None}
