"""Reads for quiz pages: quiz definitions, past attempts, the review queue, statistics."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased

from training.clock import utcnow
from training.core.json_rows import json_rows, json_value
from training.core.statements import TraineeIds, read, read_by_ids
from training.curriculum.models import ContentRelease
from training.curriculum.progress import PathState
from training.curriculum.queries import (
    LIVE_PATH,
    LiveRelease,
    live_path_with,
    release_by_id,
    release_with_version,
)
from training.extensions import db
from training.quizzes import grading
from training.quizzes.models import (
    ASSESSED,
    SUBMITTED,
    AttemptAnswer,
    QuizAttempt,
    QuizStanding,
    Regrade,
    ReviewCard,
)
from training.quizzes.policy import PastAttempt
from training.quizzes.schema import ExamSpec, Question, QuizSettings


@dataclass(frozen=True)
class QuizDefinition:
    """A module quiz or the final exam, seen the same way by the pages and services."""

    slug: str
    title: dict
    settings: QuizSettings
    questions: tuple[Question, ...]
    exam: ExamSpec | None = None

    @property
    def is_exam(self) -> bool:
        return self.exam is not None

    @property
    def question_count(self) -> int:
        return self.exam.questions if self.exam else len(self.questions)


def quiz_definition(live: LiveRelease, slug: str) -> QuizDefinition | None:
    """The quiz of module `slug`, or the exam when `slug` is the exam's."""
    bank = live.release.quizzes
    if bank.exam is not None and bank.exam.slug == slug:
        exam = bank.exam
        return QuizDefinition(slug, exam.title, exam.settings, bank.all_questions(), exam)
    quiz = bank.quiz(slug)
    module = live.curriculum.module(slug)
    if quiz is None or module is None:
        return None
    return QuizDefinition(slug, module.title, quiz.settings, quiz.questions)


# Statements the quiz, review and path pages run, built once (see curriculum.queries: built per
# request, they cost more than running them).
_PAST_ATTEMPTS = select(QuizAttempt.submitted_at, QuizAttempt.passed).where(
    QuizAttempt.user_id == bindparam("user_id"),
    QuizAttempt.quiz_slug == bindparam("quiz_slug"),
    QuizAttempt.mode == ASSESSED,
    QuizAttempt.status == SUBMITTED,
)


class SavedAnswer(NamedTuple):
    """An answer as the take page and the review read it."""

    question_id: str
    answer: Any
    score: float | None
    correct: bool | None


class AnsweredAttempt(NamedTuple):
    """An attempt read with its answers, for the take page and the review."""

    attempt: QuizAttempt
    # The release its grades come from: the one it was last deliberately re-graded against,
    # else the one it was taken on (so a review's key matches its grades).
    graded: LiveRelease
    answers: tuple[SavedAnswer, ...]
    record: QuizRecord  # of the attempt's quiz, for the review's answer key


class QuizRecord(NamedTuple):
    """A trainee's submitted assessed attempts of one quiz, as the answer-key rule reads them."""

    taken: int
    passed: bool  # any of them


# The take page and the review show every answer: read with the attempt, with the versions of
# its own release and of the one its grades come from, by a statement built once (asking the
# session for the attempt with loader options rebuilt the query on every request, and each
# release's version was a query of its own). The answers come as one JSON array of their four
# columns: as ORM objects they cost as much as the rest of the read, and as joined rows the
# attempt's columns came again with each, decoded each time.
_graded_release = aliased(ContentRelease)
_saved_answers = (
    select(
        json_rows(
            AttemptAnswer.question_id,
            json_value(AttemptAnswer.answer),
            AttemptAnswer.score,
            AttemptAnswer.correct,
        )
    )
    .where(AttemptAnswer.attempt_id == QuizAttempt.id)
    .scalar_subquery()
)
# The trainee's record on the attempt's quiz, which the review needs to know whether to show the
# key: read in the same row, not by a query of its own.
_past = aliased(QuizAttempt)
_assessed_of_the_quiz = (
    (_past.user_id == QuizAttempt.user_id)
    & (_past.quiz_slug == QuizAttempt.quiz_slug)
    & (_past.mode == ASSESSED)
    & (_past.status == SUBMITTED)
)
_ATTEMPT_WITH_ANSWERS = (
    select(
        QuizAttempt,
        ContentRelease.version,
        _graded_release.id,
        _graded_release.version,
        _saved_answers,
        select(func.count(_past.id)).where(_assessed_of_the_quiz).scalar_subquery(),
        select(_past.id).where(_assessed_of_the_quiz, _past.passed).exists(),
    )
    .join(ContentRelease, ContentRelease.id == QuizAttempt.release_id)
    .join(
        _graded_release,
        _graded_release.id
        == func.coalesce(
            select(Regrade.release_id)
            .where(Regrade.attempt_id == QuizAttempt.id)
            .order_by(Regrade.id.desc())
            .limit(1)
            .scalar_subquery(),
            QuizAttempt.release_id,
        ),
    )
    .where(QuizAttempt.id == bindparam("attempt_id"))
)


# An attempt with its release's version, which every write to it needs (its questions): one
# read where loading the attempt and then asking for the version took two.
_ATTEMPT_WITH_VERSION = (
    select(QuizAttempt, ContentRelease.version)
    .join(ContentRelease, ContentRelease.id == QuizAttempt.release_id)
    .where(QuizAttempt.id == bindparam("attempt_id"))
)


def attempt_with_version(attempt_id: int) -> QuizAttempt | None:
    """An attempt, whoever it belongs to (the caller checks), its release known to this request."""
    found = db.session.execute(_ATTEMPT_WITH_VERSION, {"attempt_id": attempt_id}).first()
    if found is None:
        return None
    attempt, version = found
    release_with_version(attempt.release_id, version)
    return attempt


def attempt_with_answers(attempt_id: int) -> AnsweredAttempt | None:
    """An attempt with its saved answers, whoever it belongs to (the caller checks)."""
    found = db.session.execute(_ATTEMPT_WITH_ANSWERS, {"attempt_id": attempt_id}).first()
    if found is None:
        return None
    attempt, version, graded_id, graded_version, saved, taken, passed = found
    release_with_version(attempt.release_id, version)
    answers = tuple(
        # SQLite's JSON has no true or false: a flag comes back as 0 or 1.
        SavedAnswer(question_id, answer, score, None if correct is None else bool(correct))
        for question_id, answer, score, correct in saved or ()
    )
    graded = release_with_version(graded_id, graded_version)
    return AnsweredAttempt(attempt, graded, answers, QuizRecord(taken, bool(passed)))


def past_attempts(user_id: int, quiz_slug: str) -> list[PastAttempt]:
    """The trainee's submitted assessed attempts of a quiz, for the attempt rules."""
    rows = read(_PAST_ATTEMPTS, {"user_id": user_id, "quiz_slug": quiz_slug})
    return [PastAttempt(submitted_at, bool(passed)) for submitted_at, passed in rows]


def quiz_record(user_id: int, quiz_slug: str) -> QuizRecord:
    """How many of a quiz's assessed attempts the trainee has submitted, and whether one passed."""
    past = past_attempts(user_id, quiz_slug)
    return QuizRecord(len(past), any(attempt.passed for attempt in past))


def attempts_of(user_id: int, quiz_slug: str) -> list[QuizAttempt]:
    """Every attempt of a quiz by the trainee, newest first."""
    query = select(QuizAttempt).filter_by(user_id=user_id, quiz_slug=quiz_slug)
    return list(db.session.scalars(query.order_by(QuizAttempt.started_at.desc())))


def passed_quizzes(user_id: int) -> set[str]:
    """Slugs of the quizzes (and exam) the trainee has passed."""
    rows = db.session.scalars(
        select(QuizStanding.quiz_slug).where(
            QuizStanding.user_id == user_id, QuizStanding.last_pass_at.is_not(None)
        )
    )
    return set(rows)


def missed_question_ids(attempt: QuizAttempt) -> list[str]:
    """Questions of a submitted attempt that were not fully right."""
    return [row.question_id for row in attempt.answers if not row.correct]


# The path's quiz facts, read in the same row as the path itself: how many review cards are due,
# and each quiz's standing (its best score and whether any attempt passed) as one JSON array.
_reviews_due = (
    select(func.count(ReviewCard.id))
    .where(ReviewCard.user_id == bindparam("user_id"), ReviewCard.due_at <= bindparam("now"))
    .scalar_subquery()
    .label("reviews_due")
)
_standings = (
    select(
        json_rows(
            QuizStanding.quiz_slug, QuizStanding.best_score, QuizStanding.last_pass_at.is_not(None)
        )
    )
    .where(QuizStanding.user_id == bindparam("user_id"))
    .scalar_subquery()
    .label("standings")
)
_PATH_WITH_QUIZZES = LIVE_PATH.add_columns(_reviews_due, _standings)


def answer_groups(trainee_ids: TraineeIds) -> list[tuple[str, float | None, int, float | None]]:
    """The graded answers of the trainees' submitted assessed attempts, grouped by question and
    attempt score: (question id, attempt score, answers, sum of their scores).

    At 2,000 trainees with a hundred attempts each, the groups are a thousand rows where the
    answers are two million; the database counts them faster than Python could."""
    return [tuple(row) for row in read_by_ids(_answer_groups_of, trainee_ids)]


def _answer_groups_of(ids):
    attempt, answer = QuizAttempt.__table__.c, AttemptAnswer.__table__.c
    return (
        select(answer.question_id, attempt.score_percent, func.count(), func.sum(answer.score))
        .join_from(QuizAttempt.__table__, AttemptAnswer.__table__)
        .where(
            attempt.user_id.in_(ids),
            attempt.mode == ASSESSED,
            attempt.status == SUBMITTED,
        )
        .group_by(answer.question_id, attempt.score_percent)
    )


_ANSWER_SCORES = (
    select(AttemptAnswer.question_id, AttemptAnswer.score)
    .join(QuizAttempt, AttemptAnswer.attempt_id == QuizAttempt.id)
    .where(
        QuizAttempt.user_id == bindparam("user_id"),
        QuizAttempt.mode == ASSESSED,
        QuizAttempt.status == SUBMITTED,
    )
)


def answer_scores(user_id: int) -> list[tuple[str, float | None]]:
    """(question id, score) of every graded answer in the trainee's submitted assessed attempts."""
    return [tuple(row) for row in read(_ANSWER_SCORES, {"user_id": user_id})]


@dataclass(frozen=True)
class QuizSummary:
    """Quiz facts for the trainee's path page."""

    quiz_slugs: frozenset[str]
    passed: frozenset[str]
    best: dict
    reviews_due: int
    exam: ExamSpec | None

    @property
    def exam_unlocked(self) -> bool:
        return self.quiz_slugs <= self.passed

    @property
    def modules_passed(self) -> int:
        return len(self.quiz_slugs & self.passed)


def path_with_quizzes(user_id: int) -> tuple[LiveRelease, PathState, QuizSummary] | None:
    """The live release, the trainee's path through it and their quiz facts, in one read (None
    before the first sync)."""
    found = live_path_with(_PATH_WITH_QUIZZES, user_id, now=utcnow())
    if found is None:
        return None
    live, path, row = found
    bank = live.release.quizzes
    standings = row.standings or ()
    summary = QuizSummary(
        quiz_slugs=frozenset(bank.quizzes),
        passed=frozenset(slug for slug, _best, passed in standings if passed),
        best={slug: best for slug, best, _passed in standings},
        reviews_due=row.reviews_due,
        exam=bank.exam,
    )
    return live, path, summary


def attempt_secret(attempt: QuizAttempt) -> str:
    """The key under which this attempt's hidden-order parts are shown (see grading.token).

    Random, kept with the attempt from its start and never sent, so the page and the content
    files together still do not reveal an ordering or a matching, and one attempt's ids say
    nothing about another's. Being the attempt's own, it survives a change of the application's
    secret key, which would otherwise scramble the orderings saved in open attempts and shown in
    past ones. Attempts from before it was kept derive theirs from the key, as they always did.
    """
    if attempt.secret:
        return attempt.secret
    message = f"quiz-attempt\0{attempt.id}\0{attempt.seed}".encode()
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def presentations(
    attempt: QuizAttempt, lang: str, release_id: int | None = None
) -> tuple[dict[str, Any], ...]:
    """What the page shows of each of the attempt's questions, in the attempt's order, as the
    release it was taken on (or ``release_id``, the one a review grades it against) words them.

    The same for every request about the attempt (the take page, each autosave, the submit),
    so a worker keeps the last few hundred attempts' views. Do not change what it returns.
    """
    return _views(
        release_id or attempt.release_id,
        tuple(attempt.question_ids),
        attempt.seed,
        attempt_secret(attempt),
        lang,
    )


# Keyed by everything a view is made from: a stored release never changes, and the secret
# differs from attempt to attempt (or, for older attempts, with the application's key).
@lru_cache(maxsize=512)
def _views(
    release_id: int, question_ids: tuple[str, ...], seed: int, secret: str, lang: str
) -> tuple[dict[str, Any], ...]:
    bank = release_by_id(release_id).release.quizzes
    return tuple(
        grading.present(bank.question(qid), lang, seed, secret=secret) for qid in question_ids
    )
