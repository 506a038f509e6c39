"""Item statistics for supervisors: how often a question is answered right and how well it
separates strong from weak trainees; a trainee's weakest topics. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionStats:
    """Facility (share answered right) and discrimination (upper minus lower group)."""

    question_id: str
    answered: int
    facility: float
    discrimination: float | None  # None when too few attempts to tell


def question_statistics(
    rows: Iterable[tuple[int, float, str, float]], group_share: float = 0.27
) -> dict[str, QuestionStats]:
    """Classical item analysis over (attempt id, attempt score, question id, question score).

    Discrimination is the upper-lower index: the mean score on the question of the top 27%
    of attempts by total score minus that of the bottom 27%.
    """
    by_question: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for _attempt, total, question_id, score in rows:
        by_question[question_id].append((total or 0.0, score or 0.0))
    stats = {}
    for question_id, pairs in by_question.items():
        pairs.sort()
        size = int(len(pairs) * group_share)
        discrimination = None
        if size >= 1 and len(pairs) >= 4:
            lower = sum(score for _, score in pairs[:size]) / size
            upper = sum(score for _, score in pairs[-size:]) / size
            discrimination = round(upper - lower, 2)
        facility = round(sum(score for _, score in pairs) / len(pairs), 2)
        stats[question_id] = QuestionStats(question_id, len(pairs), facility, discrimination)
    return stats


def weakest_topics(
    scores: Iterable[tuple[str, float]], minimum: int = 1
) -> list[tuple[str, float, int]]:
    """(topic, mean score 0..1, answers) sorted weakest first, from (topic, score) pairs.

    A topic answered fully right every time is not weak, so it is left out.
    """
    totals: dict[str, list[float]] = defaultdict(list)
    for topic, score in scores:
        totals[topic].append(score or 0.0)
    ranked = [
        (topic, round(sum(values) / len(values), 2), len(values))
        for topic, values in totals.items()
        if len(values) >= minimum
    ]
    return sorted((item for item in ranked if item[1] < 1.0), key=lambda item: (item[1], item[0]))


def topics_for(question_ids: Mapping[str, str], rows) -> list[tuple[str, float]]:
    """Map (question id, score) pairs to (topic, score) using a question -> topic table."""
    return [(question_ids[qid], score) for qid, score in rows if qid in question_ids]
