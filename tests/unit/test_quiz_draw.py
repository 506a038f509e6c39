"""Tests for the final exam draw: balanced, deterministic per seed, without duplicates."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from training.curriculum.schema import Source
from training.quizzes.draw import allocate, draw_exam
from training.quizzes.schema import (
    Choice,
    ChoiceData,
    ExamSpec,
    Question,
    QuestionBank,
    Quiz,
    QuizSettings,
)


def question(module: str, number: int, difficulty: int, topic: str = "t") -> Question:
    """A minimal single-choice question in ``module``."""
    return Question(
        id=f"{module}-q{number}",
        type="single",
        topic=topic,
        difficulty=difficulty,
        lesson=f"{module}/lesson",
        section=None,
        sources=(Source("000", "x"),),
        prompt={"zh": "题", "en": "Q"},
        explanation={"zh": "解", "en": "E"},
        module_slug=module,
        path=f"modules/{module}/quiz.yaml",
        line=number,
        data=ChoiceData(
            (Choice("a", {"zh": "甲", "en": "A"}, True), Choice("b", {"zh": "乙", "en": "B"}))
        ),
    )


def bank_of(sizes: dict[str, int]) -> QuestionBank:
    """A bank where module ``m`` has ``sizes[m]`` questions with difficulties 1, 2, 3, 1, ..."""
    quizzes = {
        module: Quiz(
            module,
            QuizSettings(),
            tuple(question(module, n, n % 3 + 1, topic=f"topic-{n % 2}") for n in range(size)),
            f"modules/{module}/quiz.yaml",
        )
        for module, size in sizes.items()
    }
    return QuestionBank(quizzes=quizzes, exam=None)


def exam(count: int, balance: tuple[str, ...] = ("module", "difficulty")) -> ExamSpec:
    """An exam spec drawing ``count`` questions."""
    return ExamSpec("final-exam", {"zh": "考试", "en": "Exam"}, QuizSettings(), count, balance)


TWELVE = {f"m{i:02d}": 15 for i in range(1, 13)}


def modules_of(bank: QuestionBank, ids: tuple[str, ...]) -> Counter:
    """How many drawn questions come from each module."""
    return Counter(bank.question(qid).module_slug for qid in ids)


@pytest.mark.parametrize("seed", range(25))
def test_forty_from_twelve_modules_gives_three_or_four_each(seed):
    bank = bank_of(TWELVE)
    ids = draw_exam(bank, exam(40), seed)
    assert len(ids) == 40
    assert len(set(ids)) == 40, "no duplicates"
    per_module = modules_of(bank, ids)
    assert set(per_module) == set(TWELVE)
    assert set(per_module.values()) <= {3, 4}
    assert sorted(per_module.values()).count(4) == 4


@pytest.mark.parametrize("seed", range(10))
def test_difficulties_are_balanced_within_each_module(seed):
    bank = bank_of(TWELVE)
    ids = draw_exam(bank, exam(40), seed)
    by_module: dict[str, Counter] = {}
    for qid in ids:
        drawn = bank.question(qid)
        by_module.setdefault(drawn.module_slug, Counter())[drawn.difficulty] += 1
    for counts in by_module.values():
        values = [counts.get(level, 0) for level in (1, 2, 3)]
        assert max(values) - min(values) <= 1, counts


def test_same_seed_same_draw_and_order():
    bank = bank_of(TWELVE)
    assert draw_exam(bank, exam(40), 7) == draw_exam(bank, exam(40), 7)
    assert draw_exam(bank, exam(40), "attempt-9") == draw_exam(bank, exam(40), "attempt-9")


def test_different_seeds_draw_differently():
    bank = bank_of(TWELVE)
    draws = {frozenset(draw_exam(bank, exam(40), seed)) for seed in range(10)}
    assert len(draws) > 1
    orders = {draw_exam(bank, exam(40), seed) for seed in range(10)}
    assert len(orders) == 10


def test_the_paper_is_not_grouped_by_module():
    bank = bank_of(TWELVE)
    ids = draw_exam(bank, exam(40), 3)
    modules = [bank.question(qid).module_slug for qid in ids]
    assert modules != sorted(modules)


def test_small_modules_give_their_share_to_others():
    bank = bank_of({"big-a": 20, "big-b": 20, "small": 2})
    for seed in range(10):
        per_module = modules_of(bank, draw_exam(bank, exam(30), seed))
        assert per_module["small"] == 2
        assert sorted([per_module["big-a"], per_module["big-b"]]) == [14, 14]


def test_drawing_the_whole_bank():
    bank = bank_of({"a": 3, "b": 4})
    ids = draw_exam(bank, exam(7), 1)
    assert sorted(ids) == sorted(q.id for q in bank.all_questions())


def test_no_balance_is_a_plain_random_sample():
    bank = bank_of(TWELVE)
    ids = draw_exam(bank, exam(10, balance=()), 1)
    assert len(set(ids)) == 10
    assert ids == draw_exam(bank, exam(10, balance=()), 1)


def test_topic_balance():
    bank = bank_of({"a": 10})
    ids = draw_exam(bank, exam(6, balance=("topic",)), 4)
    assert Counter(bank.question(qid).topic for qid in ids) == {"topic-0": 3, "topic-1": 3}


def test_too_many_questions_is_an_error():
    bank = bank_of({"a": 3})
    with pytest.raises(ValueError):
        draw_exam(bank, exam(4), 1)


def test_allocate_is_water_filling():
    rng = random.Random(1)
    assert allocate(11, {"a": 1, "b": 10, "c": 10}, rng) == {"a": 1, "b": 5, "c": 5}
    assert allocate(0, {"a": 3}, rng) == {"a": 0}
    shares = allocate(7, {"a": 5, "b": 5, "c": 5}, rng)
    assert sum(shares.values()) == 7
    assert sorted(shares.values()) == [2, 2, 3]
    with pytest.raises(ValueError):
        allocate(4, {"a": 1, "b": 2}, rng)
