"""Writes for quizzes: starting, saving, submitting and re-grading attempts; review cards."""

from __future__ import annotations

import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from fsrs import Card, Rating, Scheduler
from sqlalchemy import bindparam, delete, insert, select, text, update
from sqlalchemy.orm.attributes import set_committed_value

from training.accounts.models import User
from training.accounts.queries import roster_ids_of
from training.clock import utcnow
from training.curriculum.queries import (
    LiveRelease,
    path_for,
    release_by_id,
)
from training.extensions import db
from training.quizzes import grading, policy
from training.quizzes.draw import draw_exam
from training.quizzes.fragments import ReviewParts, review_parts
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
from training.quizzes.queries import (
    QuizRecord,
    SavedAnswer,
    answer_groups,
    answer_scores,
    attempt_secret,
    passed_quizzes,
    past_attempts,
    presentations,
    quiz_definition,
    quiz_record,
)
from training.quizzes.schema import Question
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
    _lock_trainee(user_id)
    open_attempt = db.session.scalar(
        select(QuizAttempt).filter_by(
            user_id=user_id, quiz_slug=quiz_slug, mode=ASSESSED, status=OPEN
        )
    )
    if open_attempt is not None:
        db.session.commit()  # ends the lock
        return open_attempt
    definition = quiz_definition(live, quiz_slug)
    decision = policy.may_start(definition.settings, past_attempts(user_id, quiz_slug), now)
    if not decision.allowed:
        db.session.rollback()
        raise QuizUnavailable(decision)
    seed = secrets.randbelow(2**31)
    if definition.is_exam:
        question_ids = list(draw_exam(live.release.quizzes, definition.exam, seed))
    else:
        question_ids = [q.id for q in definition.questions]
        _shuffle(question_ids, seed)
    return _create(user_id, quiz_slug, ASSESSED, live, question_ids, seed, now, definition)


def _lock_trainee(user_id: int) -> None:
    """Hold the trainee's row (PostgreSQL; the whole database on SQLite) until the transaction
    ends: two starts sent at once (two tabs, a double click) are judged one after the other, so
    the second finds the first's attempt and the attempt limit holds."""
    table = User.__table__
    db.session.execute(update(table).where(table.c.id == user_id).values(name=table.c.name))


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
        secret=secrets.token_hex(32),
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


def accepts_answers(attempt: QuizAttempt, now=None) -> bool:
    """Whether the attempt is open and its time (if limited) has not run out."""
    now = now or utcnow()
    return attempt.is_open and not (attempt.deadline_at and now > attempt.deadline_at)


def answer_errors(*, attempt: QuizAttempt, answers: Mapping[str, Any]) -> dict[str, str]:
    """{question id: error} for answers that do not fit the attempt's questions; empty if all do."""
    return _checked_answers(attempt, answers)[1]


def _checked_answers(
    attempt: QuizAttempt, answers: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """({question id: the answer as it is saved, None to clear it}, {question id: error})."""
    questions = _questions(attempt)
    secret = attempt_secret(attempt)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for question_id, raw in answers.items():
        question = questions.get(question_id)
        if question is None:
            errors[question_id] = "not a question of this attempt"
        elif raw is None:
            values[question_id] = None
        else:
            try:
                values[question_id] = grading.validate(question, raw, secret=secret)
            except grading.AnswerError as error:
                errors[question_id] = str(error)
    return values, errors


def save_answers(*, attempt: QuizAttempt, answers: Mapping[str, Any], now=None) -> dict[str, str]:
    """Save the given answers of an open attempt; return {question id: error} for bad ones.

    An answer of None clears the question's saved answer.

    All or nothing: if any answer is bad (or outside the attempt), nothing is saved. An
    attempt that is closed or past its deadline saves nothing and raises AttemptClosed, also
    when another request closed it after this one loaded it.
    """
    now = now or utcnow()
    if not accepts_answers(attempt, now):
        raise AttemptClosed()
    values, errors = _checked_answers(attempt, answers)
    if errors or not values:
        return errors
    if not _lock_open(attempt):
        db.session.rollback()
        raise AttemptClosed()
    cleared = [question_id for question_id, value in values.items() if value is None]
    if cleared:
        # Cleared on the page: the saved answer goes too, or it would be graded later.
        db.session.execute(
            delete(AttemptAnswer)
            .where(AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id.in_(cleared))
            .execution_options(synchronize_session=False)
        )
    rows = [
        {"attempt_id": attempt.id, "question_id": question_id, "answer": value, "saved_at": now}
        for question_id, value in values.items()
        if value is not None
    ]
    if rows:
        _upsert_answers(rows)
    db.session.commit()
    return {}


# The same INSERT ... ON CONFLICT on both databases. Written with the dialects' insert(), it
# was compiled again on every autosave (those constructs have no cache key), which cost as
# much as running it; as text with typed parameters it is compiled once.
_answers = AttemptAnswer.__table__
_UPSERT_ANSWERS = text(
    "INSERT INTO attempt_answer (attempt_id, question_id, answer, saved_at)"
    " VALUES (:attempt_id, :question_id, :answer, :saved_at)"
    " ON CONFLICT (attempt_id, question_id)"
    " DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at"
).bindparams(
    bindparam("answer", type_=_answers.c.answer.type),
    bindparam("saved_at", type_=_answers.c.saved_at.type),
)


def _upsert_answers(rows: list[dict]) -> None:
    """Insert each answer, or overwrite the one saved for its question, in one statement:
    an autosave need not read the saved rows first, nor flush them one by one."""
    db.session.connection().execute(_UPSERT_ANSWERS, rows)


# The conditional UPDATEs on an open attempt, built once and run on the table: built on each
# autosave and run through the ORM's bulk-update path, the lock cost about as much as the
# upsert after it. The claim makes a submission the only one that grades.
_attempts = QuizAttempt.__table__
_LOCK_OPEN = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("the_id"), _attempts.c.status == OPEN)
    .values(status=OPEN)
)
_CLAIM = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("the_id"), _attempts.c.status == OPEN)
    .values(status=SUBMITTED, submitted_at=bindparam("the_time"))
)


def _lock_open(attempt: QuizAttempt) -> bool:
    """Lock the attempt's row for this transaction if it is still open in the database.

    A no-op UPDATE: it waits for a concurrent submission to finish, then matches nothing if
    that submission closed the attempt, so no answer lands after grading.
    """
    return db.session.connection().execute(_LOCK_OPEN, {"the_id": attempt.id}).rowcount == 1


def _merge_answers(
    attempt: QuizAttempt, answers: Mapping[str, Any], now
) -> tuple[dict[str, AttemptAnswer], list[dict]]:
    """Apply the answers that fit to the attempt's saved rows (inside the caller's transaction,
    with the row locked): the rows kept, changed in place, and the new rows for the caller to
    insert (grading adds its scores to them first)."""
    questions = _questions(attempt)
    secret = attempt_secret(attempt)
    saved = {row.question_id: row for row in _answer_rows(attempt)}
    new_rows = {}
    for question_id, raw in answers.items():
        question = questions.get(question_id)
        if question is None:
            continue
        row = saved.get(question_id)
        if raw is None:
            # Cleared on the page: the saved answer goes too, or it would be graded later.
            if row is not None:
                db.session.delete(row)
                del saved[question_id]
            continue
        try:
            value = grading.validate(question, raw, secret=secret)
        except grading.AnswerError:
            continue
        if row is None:
            new_rows[question_id] = {
                "attempt_id": attempt.id,
                "question_id": question_id,
                "answer": value,
                "saved_at": now,
            }
        else:
            row.answer = value
            row.saved_at = now
    return saved, list(new_rows.values())


# A submit's statements, built once: built per call, a statement's construction and cache key
# cost more than running it on SQLite. The insert goes to the table, past the ORM's bulk path.
_INSERT_ANSWERS = insert(AttemptAnswer.__table__)
_ANSWER_ROWS = (
    select(AttemptAnswer)
    .where(AttemptAnswer.attempt_id == bindparam("attempt_id"))
    .execution_options(populate_existing=True)
)
_REVIEW_CARDS = select(ReviewCard).where(
    ReviewCard.user_id == bindparam("user_id"),
    ReviewCard.question_id.in_(bindparam("question_ids", expanding=True)),
)


def _insert_answers(rows: list[dict]) -> None:
    """Insert new answer rows in one statement (the ORM would send one INSERT per row on
    SQLite, which cannot return many new ids in order); nothing needs their ids."""
    if rows:
        db.session.connection().execute(_INSERT_ANSWERS, rows)


def _answer_rows(attempt: QuizAttempt) -> list[AttemptAnswer]:
    """The attempt's answer rows as the database has them now (not a collection loaded earlier)."""
    return list(db.session.scalars(_ANSWER_ROWS, {"attempt_id": attempt.id}))


def submit_attempt(*, attempt: QuizAttempt, answers: Mapping[str, Any], now=None) -> SubmitResult:
    """Grade the attempt exactly once; a late or repeated submission changes nothing.

    The status flips from open to submitted in one conditional UPDATE, before the posted
    answers are written and in the same transaction, so of two tabs, a double click or a
    replayed request, only one grades, and no other request's answers land after it.
    Answers that do not fit are left out (the route refuses them first). A late submission
    grades only what was saved before the deadline.
    """
    now = now or utcnow()
    late = attempt.deadline_at is not None and now > attempt.deadline_at
    submitted_at = min(now, attempt.deadline_at or now)
    claimed = (
        db.session.connection()
        .execute(_CLAIM, {"the_id": attempt.id, "the_time": submitted_at})
        .rowcount
    )
    if claimed != 1:
        db.session.rollback()
        db.session.refresh(attempt)
        return SubmitResult(attempt, graded_now=False, late=late)
    # As the database now has them: grading reads the time, the standings' flush the status.
    set_committed_value(attempt, "status", SUBMITTED)
    set_committed_value(attempt, "submitted_at", submitted_at)
    if answers and not late:
        rows, new_rows = _merge_answers(attempt, answers, now)
    else:
        rows, new_rows = {row.question_id: row for row in _answer_rows(attempt)}, []
    _grade(attempt, rows, new_rows)
    db.session.commit()
    return SubmitResult(attempt, graded_now=True, late=late)


def finish_if_expired(*, attempt: QuizAttempt, now=None) -> bool:
    """Grade an open attempt whose time is up with what was saved; True if it did."""
    now = now or utcnow()
    if attempt.is_open and attempt.deadline_at and now > attempt.deadline_at:
        return submit_attempt(attempt=attempt, answers={}, now=now).graded_now
    return False


def _grade(attempt: QuizAttempt, rows: dict[str, AttemptAnswer], new_rows: list[dict]) -> None:
    """Score every question of the attempt: the saved rows in place, the new rows (and one for
    each question left unanswered) as they are inserted, so nothing is read back."""
    questions = _questions(attempt)
    new = {row["question_id"]: row for row in new_rows}
    result = grading.grade_attempt(
        [q for q in questions.values() if q is not None],
        {qid: row.answer for qid, row in rows.items()}
        | {qid: row["answer"] for qid, row in new.items()},
        secret=attempt_secret(attempt),
    )
    now = utcnow()
    for question_id, grade in result.grades.items():
        if question_id in rows:
            rows[question_id].score, rows[question_id].correct = grade.score, grade.correct
        else:
            unanswered = {"attempt_id": attempt.id, "question_id": question_id, "answer": None}
            row = new.setdefault(question_id, unanswered | {"saved_at": now})
            row.update(score=grade.score, correct=grade.correct)
    _insert_answers(list(new.values()))
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
            _REVIEW_CARDS, {"user_id": user_id, "question_ids": list(grades)}
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
        result = grading.grade_attempt(
            questions, {k: r.answer for k, r in rows.items()}, secret=attempt_secret(attempt)
        )
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


def shows_key(*, attempt: QuizAttempt, live: LiveRelease, record: QuizRecord | None = None) -> bool:
    """Whether this attempt's review may show the correct answers. ``record`` is the trainee's on
    the attempt's quiz when the caller has read it (``queries.AnsweredAttempt``)."""
    if attempt.mode == REVIEW:
        # A review mixes questions of several quizzes, and a missed question is due again a
        # minute later: show the key only if each of those quizzes would show it, so a review
        # does not hand over the answers of a quiz the trainee is still to retake.
        bank = live.release.quizzes
        questions = [bank.question(qid) for qid in attempt.question_ids]
        slugs = {question.module_slug for question in questions if question is not None}
        return all(_quiz_shows_key(attempt.user_id, live, slug) for slug in slugs)
    return _quiz_shows_key(attempt.user_id, live, attempt.quiz_slug, record)


def _quiz_shows_key(
    user_id: int, live: LiveRelease, quiz_slug: str, record: QuizRecord | None = None
) -> bool:
    definition = quiz_definition(live, quiz_slug)
    if definition is None:
        return False
    taken, passed = record or quiz_record(user_id, quiz_slug)
    return policy.shows_key(
        definition.settings,
        passed=passed,
        attempts_left=policy.attempts_left(definition.settings, taken),
    )


class ReviewItem(NamedTuple):
    """One question of a submitted attempt as the review shows it. A tuple with names, not a
    dict: the template reads several fields of each of a quiz's questions, and Jinja looks
    a name up as an attribute first, failing with an exception on a dict each time."""

    question: Question
    view: dict[str, Any]  # as grading.present gives it
    answer: Any
    score: float
    correct: bool
    parts: ReviewParts  # the correct answer and the teaching, the same for every attempt


def review_items(
    *, attempt: QuizAttempt, answers: Sequence[SavedAnswer], live: LiveRelease, lang: str
) -> list[ReviewItem]:
    """Each question of a submitted attempt as shown, with the answer, grade and teaching.

    `live` is the release the attempt was graded against (see `queries.AnsweredAttempt`).
    """
    bank = live.release.quizzes
    rows = {row.question_id: row for row in answers}
    views = presentations(attempt, lang, live.id)
    questions = [bank.question(question_id) for question_id in attempt.question_ids]
    parts = review_parts(live, lang, questions)
    items = []
    for question, view, question_parts in zip(questions, views, parts, strict=True):
        row = rows.get(question.id)
        items.append(
            ReviewItem(
                question=question,
                view=view,
                answer=row.answer if row else None,
                score=row.score if row else 0.0,
                correct=bool(row and row.correct),
                parts=question_parts,
            )
        )
    return items


def question_report(*, viewer, live: LiveRelease) -> list[dict]:
    """Item statistics over the viewer's trainees, hardest questions first."""
    stats = question_statistics(answer_groups(roster_ids_of(viewer)))
    bank = live.release.quizzes
    report = [
        {
            "question": question,
            "stats": item,
            "lesson": live.curriculum.lesson_by_key(question.lesson),
        }
        for qid, item in stats.items()
        if (question := bank.question(qid)) is not None
    ]
    return sorted(report, key=lambda entry: (entry["stats"].facility, entry["question"].id))


def weakest_topics_of(*, user_id: int, live: LiveRelease) -> list[tuple[str, float, int]]:
    """The trainee's topics by mean score, weakest first."""
    topics = {q.id: q.topic for q in live.release.quizzes.all_questions()}
    return weakest_topics(topics_for(topics, answer_scores(user_id)))
