"""Draw the final exam's questions: random, but spread as evenly as the bank allows.

The spread follows the exam's ``balance`` keys in order: with ``[module, difficulty]`` every
module gets an equal share (give or take one), and within each module the share is split
evenly across difficulties. A module with fewer questions than its share gives the rest to
the others. The same seed always draws the same questions in the same order, so an attempt
only has to store its seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Hashable, Sequence

from .schema import ExamSpec, Question, QuestionBank

# How each balance key groups questions.
GROUP_BY: dict[str, Callable[[Question], Hashable]] = {
    "module": lambda question: question.module_slug,
    "difficulty": lambda question: question.difficulty,
    "topic": lambda question: question.topic,
}


def draw_exam(bank: QuestionBank, spec: ExamSpec, seed: int | str) -> tuple[str, ...]:
    """Return ``spec.questions`` distinct question ids, balanced and shuffled by ``seed``."""
    pool = bank.all_questions()
    if spec.questions > len(pool):
        raise ValueError(f"the exam needs {spec.questions} questions, the bank has {len(pool)}")
    unknown = [key for key in spec.balance if key not in GROUP_BY]
    if unknown:
        raise ValueError(f"unknown balance key {unknown[0]!r}")
    rng = random.Random(seed)
    chosen = _draw(list(pool), spec.questions, tuple(spec.balance), rng)
    # Shuffled so the paper does not run module by module.
    rng.shuffle(chosen)
    return tuple(question.id for question in chosen)


def allocate(count: int, capacity: dict[Hashable, int], rng: random.Random) -> dict[Hashable, int]:
    """Split ``count`` across groups as evenly as their capacities allow; spare ones at random.

    Water-filling: every group gets the same level (or all it has, if less), and the few left
    over go one each to randomly chosen groups that still have room.
    """
    if count > sum(capacity.values()):
        raise ValueError(f"cannot take {count} from {sum(capacity.values())}")
    level = 0
    while sum(min(size, level + 1) for size in capacity.values()) <= count and level < max(
        capacity.values(), default=0
    ):
        level += 1
    shares = {group: min(size, level) for group, size in capacity.items()}
    spare = count - sum(shares.values())
    # Sorted first so the draw depends only on the seed, not on dict order.
    room = sorted((group for group, size in capacity.items() if size > level), key=repr)
    for group in rng.sample(room, spare):
        shares[group] += 1
    return shares


def _draw(
    pool: Sequence[Question], count: int, keys: tuple[str, ...], rng: random.Random
) -> list[Question]:
    """Pick ``count`` questions from ``pool``, balanced by ``keys`` (first key first)."""
    if count == 0:
        return []
    if not keys:
        return rng.sample(list(pool), count)
    groups: dict[Hashable, list[Question]] = {}
    for question in pool:
        groups.setdefault(GROUP_BY[keys[0]](question), []).append(question)
    shares = allocate(count, {group: len(members) for group, members in groups.items()}, rng)
    chosen: list[Question] = []
    for group in sorted(groups, key=repr):
        chosen.extend(_draw(groups[group], shares[group], keys[1:], rng))
    return chosen
