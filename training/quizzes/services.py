"""Writes for quizzes: starting, saving, submitting and re-grading attempts; review cards."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select, update

from training.accounts.queries import trainees_of
from training.clock import utcnow
from training.curriculum.queries import LiveRelease, path_for, release_by_id
from training.extensions import db
from training.quizzes import grading, policy
from training.quizzes.draw import draw_exam
from training.quizzes.models import (
    ASSESSED,
    OPEN,
    PRACTICE,
    REVIEW,
    SUBMITTED,
    AttemptAnswer,
    QuizAttempt,
    Regrade,
    ReviewCard,
)
from training.quizzes.queries import answer_rows, passed_quizzes, past_attempts, quiz_definition
from training.quizzes.statistics import question_statistics, topics_for, weakest_topics

REVIEW_BATCH = 20
_scheduler = Scheduler(enable_fuzzing=False)


class AttemptClosed(Exception):
    """The attempt was already submitted, or its time ran out."""


class QuizUnavailable(Exception):
    """The trainee may not start this quiz now; `decision` says why."""

    def __init__(self, decision: policy.StartDecision | None = None):
        super().__init__(decision.reason if decision else "unavailable")
        self.decision = decision


@dataclass(frozen=True)
class SubmitResult:
    """What a submission did: graded now, or found already graded."""

    attempt: QuizAttempt
    graded_now: bool
    late: bool = False


def start_attempt(*, user_id: int, quiz_slug: str, live: LiveRelease, now=None) -> QuizAttempt:
    """Resume the open assessed attempt of this quiz, or start one if the rules allow."""
    now = now or utcnow()
    open_attempt = db.session.scalar(
        select(QuizAttempt).filter_by(
            user_id=user_id, quiz_slug=quiz_slug, mode=ASSESSED, status=OPEN
        )
    )
    if open_attempt is not None:
        return open_attempt
    definition = quiz_definition(live, quiz_slug)
    decision = policy.may_start(definition.settings, past_attempts(user_id, quiz_slug), now)
    if not decision.allowed:
        raise QuizUnavailable(decision)
    seed = secrets.randbelow(2**31)
    if definition.is_exam:
        question_ids = list(draw_exam(live.release.quizzes, definition.exam, seed))
    else:
        question_ids = [q.id for q in definition.questions]
        _shuffle(question_ids, seed)
    return _create(user_id, quiz_slug, ASSESSED, live, question_ids, seed, now, definition)


def start_practice(*, user_id: int, quiz_slug: str, question_ids: list[str], live) -> QuizAttempt:
    """A practice attempt on the given questions (missed ones); it never counts toward a pass."""
    seed = secrets.randbelow(2**31)
    _shuffle(question_ids, seed)
    return _create(user_id, quiz_slug, PRACTICE, live, question_ids, seed, utcnow(), None)


def start_review(*, user_id: int, live: LiveRelease, now=None) -> QuizAttempt | None:
    """A review session of the questions due in the spaced-review queue, or None if none is."""
    now = now or utcnow()
    bank = live.release.quizzes
    due = db.session.scalars(
        select(ReviewCard.question_id)
        .filter(ReviewCard.user_id == user_id, ReviewCard.due_at <= now)
        .order_by(ReviewCard.due_at)
    ).all()
    question_ids = [qid for qid in due if bank.question(qid)][:REVIEW_BATCH]
    if not question_ids:
        return None
    seed = secrets.randbelow(2**31)
    return _create(user_id, "review", REVIEW, live, question_ids, seed, now, None)


def _shuffle(ids: list[str], seed: int) -> None:
    random.Random(seed).shuffle(ids)


def _create(user_id, quiz_slug, mode, live, question_ids, seed, now, definition) -> QuizAttempt:
    attempt = QuizAttempt(
        user_id=user_id,
        quiz_slug=quiz_slug,
        mode=mode,
        release_id=live.id,
        question_ids=question_ids,
        seed=seed,
        started_at=now,
        deadline_at=policy.deadline(definition.settings, now) if definition else None,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _questions(attempt: QuizAttempt) -> dict[str, Any]:
    """The attempt's questions as they were in the release it was taken on."""
    bank = release_by_id(attempt.release_id).release.quizzes
    return {qid: bank.question(qid) for qid in attempt.question_ids}


def save_answers(*, attempt: QuizAttempt, answers: Mapping[str, Any], now=None) -> dict[str, str]:
    """Save the given answers of an open attempt; return {question id: error} for bad ones.

    Answers to questions outside the attempt are refused by the caller's validation (errors);
    an attempt that is closed or past its deadline saves nothing.
    """
    now = now or utcnow()
    if not attempt.is_open or (attempt.deadline_at and now > attempt.deadline_at):
        raise AttemptClosed()
    questions = _questions(attempt)
    errors: dict[str, str] = {}
    saved = {row.question_id: row for row in attempt.answers}
    for question_id, raw in answers.items():
        question = questions.get(question_id)
        if question is None:
            errors[question_id] = "not a question of this attempt"
            continue
        try:
            value = grading.validate(question, raw)
        except grading.AnswerError as error:
            errors[question_id] = str(error)
            continue
        row = saved.get(question_id)
        if row is None:
            row = AttemptAnswer(attempt=attempt, question_id=question_id)
            db.session.add(row)
        row.answer = value
        row.saved_at = now
    db.session.commit()
    return errors


def submit_attempt(*, attempt: QuizAttempt, answers: Mapping[str, Any], now=None) -> SubmitResult:
    """Grade the attempt exactly once; a late or repeated submission changes nothing.

    The status flips from open to submitted in one conditional UPDATE, so of two tabs, a
    double click or a replayed request, only one grades.
    """
    now = now or utcnow()
    late = attempt.deadline_at is not None and now > attempt.deadline_at
    if attempt.is_open and not late and answers:
        save_answers(attempt=attempt, answers=answers, now=now)
    claimed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.status == OPEN)
        .values(status=SUBMITTED, submitted_at=min(now, attempt.deadline_at or now))
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(attempt)
        return SubmitResult(attempt, graded_now=False, late=late)
    _grade(attempt)
    db.session.commit()
    return SubmitResult(attempt, graded_now=True, late=late)


def finish_if_expired(*, attempt: QuizAttempt, now=None) -> bool:
    """Grade an open attempt whose time is up with what was saved; True if it did."""
    now = now or utcnow()
    if attempt.is_open and attempt.deadline_at and now > attempt.deadline_at:
        return submit_attempt(attempt=attempt, answers={}, now=now).graded_now
    return False


def _grade(attempt: QuizAttempt) -> None:
    db.session.refresh(attempt)
    questions = _questions(attempt)
    rows = {row.question_id: row for row in attempt.answers}
    result = grading.grade_attempt(
        [q for q in questions.values() if q is not None],
        {qid: row.answer for qid, row in rows.items()},
    )
    for question_id, grade in result.grades.items():
        row = rows.get(question_id)
        if row is None:
            row = AttemptAnswer(attempt=attempt, question_id=question_id, answer=None)
            db.session.add(row)
        row.score, row.correct = grade.score, grade.correct
    attempt.score_percent = result.score_percent
    live = release_by_id(attempt.release_id)
    if attempt.mode == ASSESSED:
        attempt.passed = result.passed(quiz_definition(live, attempt.quiz_slug).settings.pass_mark)
    _schedule_reviews(attempt.user_id, result.grades, attempt.submitted_at or utcnow())


def _schedule_reviews(user_id: int, grades: Mapping[str, grading.Grade], when: datetime) -> None:
    """Missed questions enter the review queue; known ones move along it."""
    cards = {
        card.question_id: card
        for card in db.session.scalars(
            select(ReviewCard).filter(
                ReviewCard.user_id == user_id, ReviewCard.question_id.in_(list(grades))
            )
        )
    }
    moment = when.replace(tzinfo=UTC)
    for question_id, grade in grades.items():
        row = cards.get(question_id)
        if row is None and grade.correct:
            continue
        card = Card.from_dict(row.card) if row else Card()
        card, _ = _scheduler.review_card(
            card, Rating.Good if grade.correct else Rating.Again, moment
        )
        if row is None:
            row = ReviewCard(user_id=user_id, question_id=question_id)
            db.session.add(row)
        row.card = card.to_dict()
        row.due_at = card.due.astimezone(UTC).replace(tzinfo=None)


def regrade_attempts(*, live: LiveRelease, quiz_slug: str | None = None) -> list[Regrade]:
    """Re-grade submitted assessed attempts against the live release's questions, on purpose.

    Each changed score is recorded (old -> new); unchanged attempts are left alone.
    """
    query = select(QuizAttempt).filter_by(status=SUBMITTED, mode=ASSESSED)
    if quiz_slug:
        query = query.filter_by(quiz_slug=quiz_slug)
    bank = live.release.quizzes
    changes = []
    for attempt in db.session.scalars(query.order_by(QuizAttempt.id)):
        questions = [bank.question(qid) for qid in attempt.question_ids]
        if any(q is None for q in questions):
            continue  # a question was removed: the attempt keeps the grade it was given
        rows = {row.question_id: row for row in attempt.answers}
        result = grading.grade_attempt(questions, {k: r.answer for k, r in rows.items()})
        if result.score_percent == attempt.score_percent:
            continue
        changes.append(
            Regrade(
                attempt_id=attempt.id,
                release_id=live.id,
                old_score=attempt.score_percent or 0.0,
                new_score=result.score_percent,
            )
        )
        attempt.score_percent = result.score_percent
        attempt.passed = result.passed(quiz_definition(live, attempt.quiz_slug).settings.pass_mark)
        for question_id, grade in result.grades.items():
            if question_id in rows:
                rows[question_id].score, rows[question_id].correct = grade.score, grade.correct
    db.session.add_all(changes)
    db.session.commit()
    return changes


def quiz_locked(*, user_id: int, live: LiveRelease, slug: str) -> bool:
    """A module quiz opens with its module; the exam once every module quiz is passed."""
    bank = live.release.quizzes
    if bank.exam is not None and slug == bank.exam.slug:
        return not set(bank.quizzes) <= passed_quizzes(user_id)
    module_state = path_for(user_id, live).module(slug)
    return module_state is None or module_state.locked


def shows_key(*, attempt: QuizAttempt, live: LiveRelease) -> bool:
    """Whether this attempt's review may show the correct answers."""
    if attempt.mode == REVIEW:
        return True
    definition = quiz_definition(live, attempt.quiz_slug)
    if definition is None:
        return False
    past = past_attempts(attempt.user_id, attempt.quiz_slug)
    return policy.shows_key(
        definition.settings,
        passed=attempt.quiz_slug in passed_quizzes(attempt.user_id),
        attempts_left=policy.attempts_left(definition.settings, past),
    )


def review_items(*, attempt: QuizAttempt, live: LiveRelease, lang: str) -> list[dict]:
    """Each question of a submitted attempt as shown, with the answer, grade and teaching."""
    bank = release_by_id(attempt.release_id).release.quizzes
    rows = {row.question_id: row for row in attempt.answers}
    items = []
    for question_id in attempt.question_ids:
        question = bank.question(question_id)
        row = rows.get(question_id)
        items.append(
            {
                "question": question,
                "view": grading.present(question, lang, attempt.seed),
                "answer": row.answer if row else None,
                "score": row.score if row else 0.0,
                "correct": bool(row and row.correct),
                "key": grading.key(question, lang),
                "explanation": question.explanation[lang],
                "lesson": live.curriculum.lesson_by_key(question.lesson),
            }
        )
    return items


def question_report(*, viewer, live: LiveRelease) -> list[dict]:
    """Item statistics over the viewer's trainees, hardest questions first."""
    rows = answer_rows([trainee.id for trainee in trainees_of(viewer)])
    stats = question_statistics(rows)
    bank = live.release.quizzes
    report = [
        {"question": bank.question(qid), "stats": item}
        for qid, item in stats.items()
        if bank.question(qid) is not None
    ]
    return sorted(report, key=lambda entry: (entry["stats"].facility, entry["question"].id))


def weakest_topics_of(*, user_id: int, live: LiveRelease) -> list[tuple[str, float, int]]:
    """The trainee's topics by mean score, weakest first."""
    rows = answer_rows([user_id])
    topics = {q.id: q.topic for q in live.release.quizzes.all_questions()}
    return weakest_topics(topics_for(topics, [(qid, score) for _, _, qid, score in rows]))
