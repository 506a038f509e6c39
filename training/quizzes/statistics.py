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
    groups: Iterable[tuple[str, float | None, int, float | None]], group_share: float = 0.27
) -> dict[str, QuestionStats]:
    """Classical item analysis over answers grouped by question and attempt score: rows of
    (question id, attempt score, answers, sum of their question scores).

    Discrimination is the upper-lower index: the mean score on the question of the 27% of its
    answers whose attempts scored highest minus that of the 27% whose attempts scored lowest.
    Answers tied on the attempt score at a group's edge count in proportion: ordering them by
    the very score being measured would inflate the index.
    """
    by_question: dict[str, list[tuple[float, int, float]]] = defaultdict(list)
    for question_id, total, answers, score_sum in groups:
        by_question[question_id].append((total or 0.0, answers, score_sum or 0.0))
    stats = {}
    for question_id, tiers in by_question.items():
        tiers.sort()
        answered = sum(answers for _, answers, _ in tiers)
        size = int(answered * group_share)
        discrimination = None
        if size >= 1 and answered >= 4:
            upper = _mean_of_first(reversed(tiers), size)
            discrimination = round(upper - _mean_of_first(tiers, size), 2)
        facility = round(sum(score_sum for _, _, score_sum in tiers) / answered, 2)
        stats[question_id] = QuestionStats(question_id, answered, facility, discrimination)
    return stats


def _mean_of_first(tiers: Iterable[tuple[float, int, float]], size: int) -> float:
    """The mean question score of the first ``size`` answers of the tiers, in their order; the
    tier at the edge contributes its mean for the answers still wanted."""
    wanted, total = size, 0.0
    for _, answers, score_sum in tiers:
        taken = min(answers, wanted)
        total += score_sum * taken / answers
        wanted -= taken
        if not wanted:
            break
    return total / size


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
