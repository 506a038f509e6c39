"""Show, check and grade answers: one small class per question type, in ``QUESTION_TYPES``.

Answers arrive as plain JSON values from the browser and are never trusted: ``validate`` turns
them into a canonical form or raises AnswerError. ``presentation`` is the only view of a question
the browser gets, so it must never carry correct flags, answers, accepted lists or explanations.

Ordering items and the right-hand sides of matching pairs are shown under derived ids (see
``token``): authors naturally write items a, b, c in the correct order and give both sides of a
pair one id, so showing the written ids would hand the answer to anyone who reads the page. The
ids are keyed with a per-attempt ``secret`` the caller passes in (derived from the application's
secret key), so even someone holding the content files cannot work the order out from the page.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from training.curriculum.schema import LANGS

from .parser import normalise_short_answer
from .schema import (
    CaseData,
    Choice,
    ChoiceData,
    MatchingData,
    OrderingData,
    Question,
    ShortData,
    TrueFalseData,
)

# A trainee's free-text answer longer than this is not an answer but an abuse of the form.
MAX_SHORT_ANSWER = 200
TRUE_FALSE_LABELS = {"zh": ("正确", "错误"), "en": ("True", "False")}


class AnswerError(ValueError):
    """An answer that does not fit its question (wrong type, foreign or repeated ids, ...)."""


@dataclass(frozen=True)
class Grade:
    """The result of one question: score 0..1, whether it is fully right, whether answered."""

    score: float
    correct: bool
    answered: bool = True


@dataclass(frozen=True)
class AttemptResult:
    """The result of a whole quiz or exam attempt: the percentage and each question's grade."""

    score_percent: float
    # Question id -> grade, in the order the questions were given.
    grades: dict[str, Grade] = field(hash=False)

    @property
    def correct_count(self) -> int:
        """Return how many questions were fully right, for the result page."""
        return sum(grade.correct for grade in self.grades.values())

    def passed(self, pass_mark: int) -> bool:
        """Tell whether the attempt reaches ``pass_mark`` percent."""
        return self.score_percent >= pass_mark


def token(question: Question, kind: str, part_id: str, secret: str) -> str:
    """Return the id under which a hidden-order part (ordering item, matching right) is shown.

    An HMAC of the question id and the part's written id under ``secret``: stable for one
    attempt across releases (an answer saved before a content update still grades), yet it
    cannot be computed from the page or the content without the secret.
    """
    message = f"{question.id}\0{kind}\0{part_id}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{kind[0]}{digest[:12]}"


class QuestionType:
    """Base of the per-type classes; every method is a classmethod so the registry holds classes."""

    name: ClassVar[str] = ""

    @classmethod
    def base_view(cls, question: Question, lang: str) -> dict[str, Any]:
        """Return the fields every presentation has."""
        if lang not in LANGS:
            raise ValueError(f"unknown language '{lang}'")
        return {"id": question.id, "type": question.type, "prompt": question.prompt[lang]}

    @classmethod
    def presentation(
        cls, question: Question, lang: str, rng: random.Random, secret: str
    ) -> dict[str, Any]:
        """Return what the browser may see of the question in ``lang`` (never the answer)."""
        return cls.base_view(question, lang)

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> Any:
        """Return ``answer`` in canonical JSON form, or raise AnswerError when it is malformed."""
        raise NotImplementedError

    @classmethod
    def score(cls, question: Question, answer: Any, secret: str) -> tuple[float, bool]:
        """Return (score 0..1, fully right) for an already validated answer."""
        raise NotImplementedError

    @classmethod
    def grade(cls, question: Question, answer: Any, secret: str) -> Grade:
        """Validate and grade ``answer``; raises AnswerError when it is malformed."""
        value, correct = cls.score(question, cls.validate(question, answer, secret), secret)
        return Grade(score=float(value), correct=correct)

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return the correct answer as display lines in ``lang``, for reviews."""
        raise NotImplementedError

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> Any:
        """Return an answer that scores full marks (for demos and tests)."""
        raise NotImplementedError


# --------------------------------------------------------------------------- choices


def _options(question: Question) -> tuple[Choice, ...]:
    data = question.data
    assert isinstance(data, ChoiceData | CaseData), question.type
    return data.options


def _option_id(question: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerError(f"an option id must be text, not {type(value).__name__}")
    if value not in {option.id for option in _options(question)}:
        raise AnswerError(f"'{value}' is not an option of question {question.id}")
    return value


class SingleChoice(QuestionType):
    """One right option; the answer is its id."""

    name = "single"

    @classmethod
    def presentation(
        cls, question: Question, lang: str, rng: random.Random, secret: str
    ) -> dict[str, Any]:
        """Return the prompt and the options (ids and texts only) in a shuffled order."""
        view = cls.base_view(question, lang)
        options = list(_options(question))
        rng.shuffle(options)
        view["options"] = [{"id": option.id, "text": option.text[lang]} for option in options]
        return view

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> str:
        """Accept one option id."""
        return _option_id(question, answer)

    @classmethod
    def score(cls, question: Question, answer: str, secret: str) -> tuple[float, bool]:
        """Score 1 for the right option, else 0."""
        right = next(option.id for option in _options(question) if option.correct)
        return (1.0, True) if answer == right else (0.0, False)

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return the right option's text."""
        return tuple(option.text[lang] for option in _options(question) if option.correct)

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> str:
        """Return the right option's id."""
        return next(option.id for option in _options(question) if option.correct)


class CaseQuestion(SingleChoice):
    """A scene plus a single choice of the best reply."""

    name = "case"

    @classmethod
    def presentation(
        cls, question: Question, lang: str, rng: random.Random, secret: str
    ) -> dict[str, Any]:
        """Return the situation, the prompt and the shuffled replies."""
        view = super().presentation(question, lang, rng, secret)
        assert isinstance(question.data, CaseData)
        view["situation"] = question.data.situation[lang]
        return view


class MultipleChoice(SingleChoice):
    """Several right options; partial credit for right picks minus wrong picks."""

    name = "multiple"

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> list[str]:
        """Accept a list of distinct option ids (empty = nothing picked); keep the written order."""
        if not isinstance(answer, list | tuple):
            raise AnswerError(f"a multiple answer must be a list, not {type(answer).__name__}")
        picked = [_option_id(question, value) for value in answer]
        if len(set(picked)) != len(picked):
            raise AnswerError("an option is picked more than once")
        return [option.id for option in _options(question) if option.id in picked]

    @classmethod
    def score(cls, question: Question, answer: list[str], secret: str) -> tuple[float, bool]:
        """Score (right - wrong picks) / right options, at least 0; 1 only for the exact set."""
        right = {option.id for option in _options(question) if option.correct}
        picked = set(answer)
        value = max(0.0, (len(picked & right) - len(picked - right)) / len(right))
        return value, picked == right

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return every right option's text, in written order."""
        return tuple(option.text[lang] for option in _options(question) if option.correct)

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> list[str]:
        """Return the ids of all right options."""
        return [option.id for option in _options(question) if option.correct]


# --------------------------------------------------------------------------- true/false


class TrueFalse(QuestionType):
    """A statement the trainee marks true or false."""

    name = "true_false"

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> bool:
        """Accept only a real boolean (not 0/1 or "true")."""
        if not isinstance(answer, bool):
            raise AnswerError(f"a true/false answer must be a boolean, not {type(answer).__name__}")
        return answer

    @classmethod
    def score(cls, question: Question, answer: bool, secret: str) -> tuple[float, bool]:
        """Score 1 when the answer matches, else 0."""
        assert isinstance(question.data, TrueFalseData)
        right = answer == question.data.answer
        return (1.0 if right else 0.0), right

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return "True" or "False" in ``lang``."""
        assert isinstance(question.data, TrueFalseData)
        yes, no = TRUE_FALSE_LABELS[lang]
        return (yes if question.data.answer else no,)

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> bool:
        """Return the right boolean."""
        assert isinstance(question.data, TrueFalseData)
        return question.data.answer


# --------------------------------------------------------------------------- ordering


class Ordering(QuestionType):
    """Items to put in order; the answer is the shown item ids in the trainee's order, None at
    a position the trainee has not filled yet (so work in progress is kept, and scored as it
    stands)."""

    name = "ordering"

    @classmethod
    def tokens(cls, question: Question, secret: str) -> list[str]:
        """Return the shown ids of the items, in the correct order."""
        assert isinstance(question.data, OrderingData)
        return [token(question, "item", item.id, secret) for item in question.data.items]

    @classmethod
    def presentation(
        cls, question: Question, lang: str, rng: random.Random, secret: str
    ) -> dict[str, Any]:
        """Return the prompt and the items, shuffled, under their shown ids."""
        assert isinstance(question.data, OrderingData)
        view = cls.base_view(question, lang)
        items = [
            {"id": shown, "text": item.text[lang]}
            for shown, item in zip(cls.tokens(question, secret), question.data.items, strict=True)
        ]
        _shuffle_away_from_answer(items, rng)
        view["items"] = items
        return view

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> list[str]:
        """Accept a list of one place per item, each holding a shown item id at most once or
        None, at least one of them an id."""
        expected = cls.tokens(question, secret)
        if not isinstance(answer, list | tuple):
            raise AnswerError(f"an ordering answer must be a list, not {type(answer).__name__}")
        placed = [value for value in answer if value is not None]
        if not all(isinstance(value, str) for value in placed):
            raise AnswerError("an ordering answer must list item ids")
        if any(value not in expected for value in placed):
            raise AnswerError(f"an item id is not part of question {question.id}")
        if len(set(placed)) != len(placed):
            raise AnswerError("an item is listed more than once")
        if len(answer) != len(expected):
            raise AnswerError(f"an ordering answer must have {len(expected)} places")
        if not placed:
            raise AnswerError("an ordering answer must place an item")
        return list(answer)

    @classmethod
    def score(cls, question: Question, answer: list[str], secret: str) -> tuple[float, bool]:
        """Score the fraction of items in the right place (an empty place is not); right only
        when all are."""
        expected = cls.tokens(question, secret)
        in_place = sum(a == b for a, b in zip(answer, expected, strict=True))
        return in_place / len(expected), in_place == len(expected)

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return the item texts in the correct order."""
        assert isinstance(question.data, OrderingData)
        return tuple(item.text[lang] for item in question.data.items)

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> list[str]:
        """Return the shown item ids in the correct order."""
        return cls.tokens(question, secret)


# --------------------------------------------------------------------------- matching


class Matching(QuestionType):
    """Lefts to match with rights; the answer maps each left id the trainee has matched so far
    to a shown right id."""

    name = "matching"

    @classmethod
    def rights(cls, question: Question, secret: str) -> dict[str, str]:
        """Return left (pair) id -> the shown id of its right side."""
        assert isinstance(question.data, MatchingData)
        return {pair.id: token(question, "right", pair.id, secret) for pair in question.data.pairs}

    @classmethod
    def presentation(
        cls, question: Question, lang: str, rng: random.Random, secret: str
    ) -> dict[str, Any]:
        """Return the lefts in written order and the rights shuffled, under their shown ids."""
        assert isinstance(question.data, MatchingData)
        view = cls.base_view(question, lang)
        shown = cls.rights(question, secret)
        pairs = question.data.pairs
        view["lefts"] = [{"id": pair.id, "text": pair.left[lang]} for pair in pairs]
        rights = [{"id": shown[pair.id], "text": pair.right[lang]} for pair in pairs]
        _shuffle_away_from_answer(rights, rng)
        view["rights"] = rights
        return view

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> dict[str, str]:
        """Accept a mapping of one or more left ids to distinct shown right ids."""
        shown = cls.rights(question, secret)
        if not isinstance(answer, Mapping):
            raise AnswerError(f"a matching answer must be a mapping, not {type(answer).__name__}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()):
            raise AnswerError("a matching answer must map left ids to right ids")
        if any(left not in shown for left in answer):
            raise AnswerError(f"a left id is not part of question {question.id}")
        rights = set(shown.values())
        if any(right not in rights for right in answer.values()):
            raise AnswerError(f"a right id is not part of question {question.id}")
        if len(set(answer.values())) != len(answer):
            raise AnswerError("a right side is used more than once")
        if not answer:
            raise AnswerError("a matching answer must match a left")
        return {left: answer[left] for left in shown if left in answer}

    @classmethod
    def score(cls, question: Question, answer: dict[str, str], secret: str) -> tuple[float, bool]:
        """Score the fraction of lefts matched correctly (an unmatched one is not); right only
        when all are."""
        shown = cls.rights(question, secret)
        matched = sum(answer.get(left) == right for left, right in shown.items())
        return matched / len(shown), matched == len(shown)

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return "left → right" lines in written order."""
        assert isinstance(question.data, MatchingData)
        return tuple(f"{pair.left[lang]} → {pair.right[lang]}" for pair in question.data.pairs)

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> dict[str, str]:
        """Return the right mapping of left ids to shown right ids."""
        return cls.rights(question, secret)


# --------------------------------------------------------------------------- short answer


class ShortAnswer(QuestionType):
    """A typed answer compared with the accepted ones after normalisation."""

    name = "short"

    @classmethod
    def validate(cls, question: Question, answer: Any, secret: str) -> str:
        """Accept text up to MAX_SHORT_ANSWER characters (kept as typed, minus outer spaces)."""
        if not isinstance(answer, str):
            raise AnswerError(f"a short answer must be text, not {type(answer).__name__}")
        if len(answer) > MAX_SHORT_ANSWER:
            raise AnswerError(f"a short answer may have at most {MAX_SHORT_ANSWER} characters")
        return answer.strip()

    @classmethod
    def score(cls, question: Question, answer: str, secret: str) -> tuple[float, bool]:
        """Score 1 when the answer equals an accepted one in either language, after folding."""
        assert isinstance(question.data, ShortData)
        # The answer is matched against both languages: the grader does not know which one the
        # trainee used, and "50" in an English session is as right as in a Chinese one.
        accepted = {
            normalise_short_answer(text)
            for texts in question.data.accepted.values()
            for text in texts
        }
        typed = normalise_short_answer(answer)
        right = bool(typed) and typed in accepted
        return (1.0 if right else 0.0), right

    @classmethod
    def key(cls, question: Question, lang: str) -> tuple[str, ...]:
        """Return every accepted answer in ``lang``."""
        assert isinstance(question.data, ShortData)
        return question.data.accepted[lang]

    @classmethod
    def correct_answer(cls, question: Question, secret: str) -> str:
        """Return the first accepted answer in Chinese."""
        assert isinstance(question.data, ShortData)
        return question.data.accepted[LANGS[0]][0]


QUESTION_TYPES: dict[str, type[QuestionType]] = {
    "single": SingleChoice,
    "multiple": MultipleChoice,
    "true_false": TrueFalse,
    "ordering": Ordering,
    "matching": Matching,
    "case": CaseQuestion,
    "short": ShortAnswer,
}


# --------------------------------------------------------------------------- dispatch


def question_type(question: Question) -> type[QuestionType]:
    """Return the class that handles ``question``'s type."""
    return QUESTION_TYPES[question.type]


def present(question: Question, lang: str, seed: int | str, *, secret: str) -> dict[str, Any]:
    """Return the browser's view of ``question``; the same seed always gives the same shuffle.

    The question id is mixed into the seed so that one seed per attempt still shuffles each
    question differently (otherwise every 4-option question would put its first-written,
    often the right, option in the same place).
    """
    rng = random.Random(f"{seed}/{question.id}")
    return question_type(question).presentation(question, lang, rng, secret)


def validate(question: Question, answer: Any, *, secret: str) -> Any:
    """Return ``answer`` in canonical form, or raise AnswerError."""
    return question_type(question).validate(question, answer, secret)


def grade(question: Question, answer: Any, *, secret: str) -> Grade:
    """Grade one answer; raises AnswerError when it is malformed."""
    return question_type(question).grade(question, answer, secret)


def key(question: Question, lang: str) -> tuple[str, ...]:
    """Return the correct answer as display lines, for reviews."""
    return question_type(question).key(question, lang)


def correct_answer(question: Question, *, secret: str) -> Any:
    """Return an answer that scores full marks, for demos and tests."""
    return question_type(question).correct_answer(question, secret)


def grade_attempt(
    questions: Sequence[Question], answers: Mapping[str, Any], *, secret: str
) -> AttemptResult:
    """Grade an attempt: ``answers`` maps question id -> answer; missing or None scores 0.

    An answer that no longer fits its question (the content changed during the attempt) counts
    as unanswered rather than making the whole submission fail.
    """
    grades: dict[str, Grade] = {}
    for question in questions:
        answer = answers.get(question.id)
        if answer is None:
            grades[question.id] = Grade(0.0, False, answered=False)
            continue
        try:
            grades[question.id] = grade(question, answer, secret=secret)
        except AnswerError:
            grades[question.id] = Grade(0.0, False, answered=False)
    if not questions:
        return AttemptResult(0.0, grades)
    total = math.fsum(grade.score for grade in grades.values())
    # Rounded so 2/3-style fractions compare sanely with a whole pass mark.
    return AttemptResult(round(total * 100 / len(questions), 2), grades)


def _shuffle_away_from_answer(parts: list[Any], rng: random.Random) -> None:
    """Shuffle ``parts`` (given in the correct order) so they never show in that order."""
    # A shuffle of 3 items comes out already solved one time in six; reshuffling (bounded, and
    # deterministic for the rng) keeps the answer from being given away.
    original = list(parts)
    for _ in range(20):
        rng.shuffle(parts)
        if parts != original:
            return
