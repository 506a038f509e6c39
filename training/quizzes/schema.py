"""Frozen data classes for parsed quizzes and the final exam; shared by checker, grading and app."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from training.curriculum.schema import Source

QUESTION_TYPE_NAMES = ("single", "multiple", "true_false", "ordering", "matching", "case", "short")
REVIEW_MODES = ("always", "after_pass", "after_last_attempt", "never")
BALANCE_KEYS = ("module", "difficulty", "topic")
DIFFICULTIES = (1, 2, 3)


@dataclass(frozen=True)
class QuizSettings:
    """How a quiz or the exam is run: pass mark, time limit, attempts and when keys are shown."""

    pass_mark: int = 80
    time_limit_minutes: int = 0  # 0 = no limit
    max_attempts: int = 0  # 0 = unlimited
    retake_delay_minutes: int = 0
    review: str = "after_pass"


@dataclass(frozen=True)
class Choice:
    """One option of a single, multiple or case question."""

    id: str
    # Dicts are not hashable, so they are left out of the hash (but still compared).
    text: dict[str, str] = field(hash=False)
    correct: bool = False


@dataclass(frozen=True)
class OrderItem:
    """One step of an ordering question; the items are stored in the correct order."""

    id: str
    text: dict[str, str] = field(hash=False)


@dataclass(frozen=True)
class MatchPair:
    """One left/right pair of a matching question; the trainee must put them back together."""

    id: str
    left: dict[str, str] = field(hash=False)
    right: dict[str, str] = field(hash=False)


@dataclass(frozen=True)
class ChoiceData:
    """Type data of ``single`` and ``multiple`` questions."""

    options: tuple[Choice, ...]


@dataclass(frozen=True)
class CaseData:
    """Type data of a ``case`` question: the scene, then options with one best reply."""

    situation: dict[str, str] = field(hash=False)
    options: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class TrueFalseData:
    """Type data of a ``true_false`` question."""

    answer: bool


@dataclass(frozen=True)
class OrderingData:
    """Type data of an ``ordering`` question (items in the correct order)."""

    items: tuple[OrderItem, ...]


@dataclass(frozen=True)
class MatchingData:
    """Type data of a ``matching`` question."""

    pairs: tuple[MatchPair, ...]


@dataclass(frozen=True)
class ShortData:
    """Type data of a ``short`` question: accepted answers per language."""

    accepted: dict[str, tuple[str, ...]] = field(hash=False)


QuestionData = ChoiceData | CaseData | TrueFalseData | OrderingData | MatchingData | ShortData


@dataclass(frozen=True)
class Question:
    """One checked question, with where it was written so problems and reviews can point at it."""

    id: str
    type: str
    topic: str
    difficulty: int
    lesson: str  # "module/lesson"
    section: str | None
    sources: tuple[Source, ...]
    prompt: dict[str, str] = field(hash=False)
    explanation: dict[str, str] = field(hash=False)
    module_slug: str = ""
    path: str = ""
    line: int = 0
    data: QuestionData | None = None

    def canonical(self) -> dict[str, Any]:
        """Return the authored content as plain data (no file location), for fingerprinting."""
        return {
            "id": self.id,
            "type": self.type,
            "topic": self.topic,
            "difficulty": self.difficulty,
            "lesson": self.lesson,
            "section": self.section,
            "sources": [dataclasses.asdict(source) for source in self.sources],
            "prompt": self.prompt,
            "explanation": self.explanation,
            "data": dataclasses.asdict(self.data) if self.data is not None else None,
        }

    @cached_property
    def fingerprint(self) -> str:
        """Return a sha256 of the content so a later release can tell whether the question changed.

        The file, line and module are left out: moving a question is not changing it.
        """
        payload = json.dumps(
            self.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Quiz:
    """A module's quiz: its settings and questions in file order."""

    module_slug: str
    settings: QuizSettings
    questions: tuple[Question, ...]
    path: str


@dataclass(frozen=True)
class ExamSpec:
    """The final exam: questions are drawn from all module quizzes for each attempt."""

    slug: str
    title: dict[str, str] = field(hash=False)
    settings: QuizSettings = QuizSettings()
    questions: int = 0
    balance: tuple[str, ...] = ()
    path: str = ""


@dataclass(frozen=True)
class QuestionBank:
    """All quizzes (by module slug, in curriculum order) and the exam spec, if there is one."""

    quizzes: dict[str, Quiz] = field(hash=False)
    exam: ExamSpec | None = None

    # cached_property writes to the instance __dict__ directly, so it works on frozen classes.
    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.all_questions()}

    def all_questions(self) -> tuple[Question, ...]:
        """Return every question, quizzes in curriculum order and questions in file order."""
        return tuple(q for quiz in self.quizzes.values() for q in quiz.questions)

    def question(self, question_id: str) -> Question | None:
        """Return the question with ``question_id``, or None (e.g. removed in a later release)."""
        return self._by_id.get(question_id)

    def quiz(self, module_slug: str) -> Quiz | None:
        """Return the quiz of module ``module_slug``, or None when the module has none."""
        return self.quizzes.get(module_slug)
