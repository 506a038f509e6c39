"""Item analysis from answers grouped by question and attempt score."""

from collections import Counter, defaultdict

import pytest

from training.quizzes.statistics import question_statistics


def _grouped(answers):
    """(question id, attempt score, answers, score sum) from (question id, attempt score, score)."""
    counts, sums = Counter(), defaultdict(float)
    for question_id, total, score in answers:
        counts[question_id, total] += 1
        sums[question_id, total] += score
    return [(qid, total, counts[qid, total], sums[qid, total]) for qid, total in counts]


def test_facility_is_the_mean_score_and_answers_are_counted():
    stats = question_statistics(_grouped([("q", 90, 1.0), ("q", 40, 0.0), ("q", 40, 0.5)]))
    assert stats["q"].answered == 3
    assert stats["q"].facility == 0.5


def test_discrimination_compares_the_strongest_and_weakest_attempts():
    # Ten attempts with distinct totals; the question is right in the top four only.
    answers = [("q", total, 1.0 if total >= 70 else 0.0) for total in range(10, 110, 10)]
    stats = question_statistics(_grouped(answers))
    # 27% of 10 answers is 2: the two best (100, 90) against the two worst (10, 20).
    assert stats["q"].discrimination == 1.0
    # A question everybody gets right separates nobody.
    easy = question_statistics(_grouped([("e", total, 1.0) for total in range(10, 110, 10)]))
    assert easy["e"].discrimination == 0.0


def test_a_question_answered_the_other_way_round_discriminates_negatively():
    answers = [("q", total, 1.0 if total < 50 else 0.0) for total in range(10, 110, 10)]
    assert question_statistics(_grouped(answers))["q"].discrimination == -1.0


def test_tied_attempt_scores_at_a_groups_edge_count_in_proportion():
    # All attempts scored the same, so the question cannot tell strong from weak, whatever
    # the order its own scores would put them in.
    answers = [("q", 60, 1.0)] * 5 + [("q", 60, 0.0)] * 5
    assert question_statistics(_grouped(answers))["q"].discrimination == 0.0
    # Groups of 2 from 8 answers: the lower group takes the one answer at 20 and half the
    # mean of the two tied at 50 (0.5); the upper group the two at 90.
    answers = [("q", 20, 0.0), ("q", 50, 1.0), ("q", 50, 0.0), ("q", 70, 1.0), ("q", 70, 0.0)]
    answers += [("q", 80, 1.0), ("q", 90, 1.0), ("q", 90, 1.0)]
    stats = question_statistics(_grouped(answers))
    assert stats["q"].discrimination == pytest.approx(1.0 - 0.25)


def test_too_few_answers_give_no_discrimination():
    stats = question_statistics(_grouped([("q", 90, 1.0), ("q", 50, 0.0), ("q", 70, 1.0)]))
    assert stats["q"].discrimination is None
    assert stats["q"].facility == 0.67


def test_missing_scores_count_as_zero_and_questions_are_kept_apart():
    stats = question_statistics([("a", None, 2, None), ("a", 80.0, 2, 2.0), ("b", 80.0, 1, 1.0)])
    assert stats["a"].answered == 4 and stats["a"].facility == 0.5
    assert stats["a"].discrimination == 1.0
    assert stats["b"].answered == 1 and stats["b"].facility == 1.0
