"""Tests for the readiness rules: every criterion state, every overall state, and next steps."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from training.probation.rules import (
    CONFIRMED,
    DECIDED,
    EXTENDED,
    FAILED,
    IN_PROGRESS,
    MET,
    NOT_MET,
    OVERDUE,
    PENDING,
    READY,
    Decision,
    Evidence,
    Readiness,
    ScenarioResult,
    TypingScore,
    readiness,
)
from training.probation.schema import (
    DEFAULT_POLICY,
    FinalExamCriterion,
    LessonsCriterion,
    LiveRoleplayCriterion,
    ModuleQuizzesCriterion,
    Policy,
    ScenariosCriterion,
    TypingCriterion,
)

HIRED = date(2026, 3, 1)
END = date(2026, 5, 30)  # 90 days
TODAY = date(2026, 4, 1)

POLICY = Policy(
    minimum_days=0,
    criteria=(
        LessonsCriterion(),
        ModuleQuizzesCriterion(),
        FinalExamCriterion(min_score=80),
        ScenariosCriterion(average_at_least=75, no_fatal=True),
        TypingCriterion(chars_per_minute=50, accuracy=95),
        LiveRoleplayCriterion(min_score=70),
    ),
)

# Everything done well; the live role-play feature does not exist yet.
DONE = Evidence(
    hire_date=HIRED,
    probation_end=END,
    lessons_total=41,
    lessons_done=41,
    quizzes_total=12,
    quizzes_passed=12,
    exam_best=86.0,
    required_scenarios=("novice-buyer", "invoice-scam"),
    scenario_results={
        "novice-buyer": ScenarioResult(best_score=82, passed=True),
        "invoice-scam": ScenarioResult(best_score=78, passed=True),
    },
    typing_best=TypingScore(chars_per_minute=62.5, accuracy=97.0),
)
NEW = Evidence(
    hire_date=HIRED,
    probation_end=END,
    lessons_total=41,
    quizzes_total=12,
    required_scenarios=("novice-buyer", "invoice-scam"),
)


def judge(evidence: Evidence = DONE, policy: Policy = POLICY, today: date = TODAY) -> Readiness:
    """readiness() with the fixtures as defaults."""
    return readiness(policy, evidence, today)


def with_(evidence: Evidence = DONE, **changes) -> Evidence:
    """A copy of ``evidence`` with some fields changed."""
    return dataclasses.replace(evidence, **changes)


def status(result: Readiness, key: str):
    """The status of ``key``, which must be in the result."""
    found = result.status(key)
    assert found is not None
    return found


# --------------------------------------------------------------------------- overall states


def test_everything_met_is_ready():
    result = judge()
    assert result.state == READY
    assert [s.key for s in result.criteria] == list(POLICY.keys)
    assert [s.state for s in result.criteria] == [MET] * 5 + [PENDING]
    assert result.next_step is None
    assert result.days_left == 59
    assert result.minimum_days_reached
    assert result.earliest_confirmation == HIRED
    assert not result.overdue


def test_a_new_trainee_is_in_progress():
    result = judge(NEW)
    assert result.state == IN_PROGRESS
    assert result.next_step == "lessons"
    assert [s.state for s in result.criteria] == [NOT_MET] * 5 + [PENDING]
    assert all(s.progress == 0 for s in result.criteria)


def test_next_step_is_the_first_unmet_criterion_in_policy_order():
    assert judge(with_(exam_best=70.0)).next_step == "final_exam"
    assert judge(with_(exam_best=70.0, lessons_done=40)).next_step == "lessons"
    reordered = Policy(0, tuple(reversed(POLICY.criteria)))
    result = judge(with_(exam_best=70.0, lessons_done=40), policy=reordered)
    assert [s.key for s in result.criteria] == list(reversed(POLICY.keys))
    assert result.next_step == "final_exam"


def test_past_probation_end_without_a_decision_is_overdue():
    result = judge(with_(exam_best=None), today=date(2026, 6, 2))
    assert result.state == OVERDUE
    assert result.overdue
    assert result.days_left == -3


def test_the_last_day_is_not_yet_overdue():
    result = judge(with_(exam_best=None), today=END)
    assert result.state == IN_PROGRESS
    assert result.days_left == 0


def test_ready_wins_over_overdue_but_the_flag_stays():
    result = judge(today=date(2026, 6, 2))
    assert result.state == READY
    assert result.overdue


@pytest.mark.parametrize("outcome", [CONFIRMED, FAILED, "revoked"])
def test_a_final_decision_is_decided_whatever_the_evidence(outcome):
    decision = Decision(outcome, date(2026, 4, 20))
    for evidence in (DONE, NEW):
        result = judge(with_(evidence, decision=decision), today=date(2026, 7, 1))
        assert result.state == DECIDED
        assert result.decision == decision
        assert not result.overdue
    # The criteria are still judged, for the record.
    assert status(judge(with_(NEW, decision=decision)), "lessons").state == NOT_MET


def test_an_extension_is_not_final():
    extended = Decision(EXTENDED, date(2026, 5, 30))
    assert not extended.final
    new_end = date(2026, 6, 29)
    # The app moves probation_end when it records an extension; training carries on.
    result = judge(
        with_(exam_best=None, decision=extended, probation_end=new_end), today=date(2026, 6, 2)
    )
    assert result.state == IN_PROGRESS
    assert result.days_left == 27
    assert result.decision == extended
    after = judge(with_(decision=extended, probation_end=new_end), today=date(2026, 7, 1))
    assert after.state == READY
    assert after.overdue


def test_a_decision_must_be_a_known_outcome():
    with pytest.raises(
        ValueError, match="outcome must be one of confirmed, extended, failed, revoked"
    ):
        Decision("promoted", TODAY)


def test_without_probation_end_there_are_no_days_left_and_no_overdue():
    result = judge(with_(NEW, probation_end=None), today=date(2030, 1, 1))
    assert result.days_left is None
    assert result.state == IN_PROGRESS
    assert not result.overdue


# --------------------------------------------------------------------------- minimum days


def test_minimum_days_hold_back_a_trainee_who_is_otherwise_ready():
    policy = dataclasses.replace(POLICY, minimum_days=45)
    early = judge(policy=policy, today=date(2026, 4, 14))
    assert early.state == IN_PROGRESS
    assert not early.minimum_days_reached
    assert early.earliest_confirmation == date(2026, 4, 15)
    assert early.next_step is None  # nothing to do but wait
    on_the_day = judge(policy=policy, today=date(2026, 4, 15))
    assert on_the_day.state == READY
    assert on_the_day.minimum_days_reached


def test_zero_minimum_days_allow_confirmation_on_the_first_day():
    assert judge(today=HIRED).state == READY


def test_before_the_hire_date_nobody_is_ready():
    assert judge(today=date(2026, 2, 28)).state == IN_PROGRESS


def test_without_a_hire_date_only_a_zero_minimum_is_reached():
    assert judge(with_(hire_date=None)).state == READY
    policy = dataclasses.replace(POLICY, minimum_days=1)
    result = judge(with_(hire_date=None), policy=policy)
    assert result.state == IN_PROGRESS
    assert result.earliest_confirmation is None


# --------------------------------------------------------------------------- lessons, quizzes


def test_lessons_and_quizzes_count_progress():
    result = judge(with_(lessons_done=30, quizzes_passed=3))
    lessons, quizzes = status(result, "lessons"), status(result, "module_quizzes")
    assert (lessons.state, lessons.detail) == (NOT_MET, {"done": 30, "total": 41})
    assert lessons.progress == pytest.approx(30 / 41)
    assert (quizzes.state, quizzes.detail) == (NOT_MET, {"passed": 3, "total": 12})
    assert quizzes.progress == 0.25


def test_more_done_than_exist_counts_as_everything():
    lessons = status(judge(with_(lessons_done=45)), "lessons")
    assert (lessons.state, lessons.progress, lessons.detail["done"]) == (MET, 1.0, 41)


def test_nothing_to_do_is_met():
    quizzes = status(judge(with_(quizzes_total=0, quizzes_passed=0)), "module_quizzes")
    assert (quizzes.state, quizzes.progress) == (MET, 1.0)


def test_negative_counts_are_a_bug_in_the_caller():
    with pytest.raises(ValueError, match="lessons_done must not be negative"):
        with_(lessons_done=-1)


# --------------------------------------------------------------------------- final exam


def test_final_exam_states():
    never = status(judge(with_(exam_best=None)), "final_exam")
    assert (never.state, never.progress, never.detail) == (
        NOT_MET,
        0.0,
        {"best": None, "min_score": 80},
    )
    low = status(judge(with_(exam_best=60.0)), "final_exam")
    assert (low.state, low.progress) == (NOT_MET, 0.75)
    exact = status(judge(with_(exam_best=80.0)), "final_exam")
    assert (exact.state, exact.progress) == (MET, 1.0)


def test_progress_is_full_only_when_met():
    almost = status(judge(with_(exam_best=79.99999)), "final_exam")
    assert almost.state == NOT_MET
    assert almost.progress < 1


# --------------------------------------------------------------------------- scenarios


def test_all_required_scenarios_passed_with_a_good_average():
    scenarios = status(judge(), "scenarios")
    assert scenarios.state == MET
    assert scenarios.detail == {
        "passed": 2,
        "total": 2,
        "average": 80.0,
        "average_at_least": 75,
        "fatal": 0,
        "todo": (),
    }


def test_a_required_scenario_not_yet_passed():
    results = {"novice-buyer": ScenarioResult(best_score=90, passed=True)}
    scenarios = status(judge(with_(scenario_results=results)), "scenarios")
    assert scenarios.state == NOT_MET
    assert scenarios.progress == 0.5
    assert scenarios.detail["todo"] == ("invoice-scam",)
    assert scenarios.detail["average"] == 90


def test_a_failed_assessed_run_does_not_count():
    results = {
        "novice-buyer": ScenarioResult(best_score=90, passed=True),
        "invoice-scam": ScenarioResult(best_score=60, passed=False),
    }
    scenarios = status(judge(with_(scenario_results=results)), "scenarios")
    assert scenarios.state == NOT_MET
    assert scenarios.detail["passed"] == 1
    assert scenarios.detail["average"] == 75


def test_all_passed_but_the_average_is_too_low():
    results = {
        "novice-buyer": ScenarioResult(best_score=70, passed=True),
        "invoice-scam": ScenarioResult(best_score=72, passed=True),
    }
    scenarios = status(judge(with_(scenario_results=results)), "scenarios")
    assert scenarios.state == NOT_MET
    assert scenarios.detail["passed"] == 2
    assert scenarios.progress == pytest.approx(71 / 75)
    assert judge(with_(scenario_results=results)).next_step == "scenarios"


def test_a_fatal_latest_run_blocks_when_no_fatal_is_set():
    results = {
        "novice-buyer": ScenarioResult(best_score=82, passed=True),
        "invoice-scam": ScenarioResult(best_score=78, passed=True, fatal=True),
    }
    scenarios = status(judge(with_(scenario_results=results)), "scenarios")
    assert scenarios.state == NOT_MET
    assert scenarios.detail["fatal"] == 1
    assert scenarios.detail["todo"] == ("invoice-scam",)
    lenient = Policy(0, (ScenariosCriterion(average_at_least=75, no_fatal=False),))
    assert judge(with_(scenario_results=results), policy=lenient).state == READY


def test_only_required_scenarios_count():
    results = {
        "novice-buyer": ScenarioResult(best_score=100, passed=True),
        "haggling-phone-case": ScenarioResult(best_score=10, passed=False, fatal=True),
    }
    evidence = with_(required_scenarios=("novice-buyer",), scenario_results=results)
    scenarios = status(judge(evidence), "scenarios")
    assert scenarios.state == MET
    assert (scenarios.detail["average"], scenarios.detail["fatal"]) == (100, 0)
    none_required = status(judge(with_(required_scenarios=(), scenario_results={})), "scenarios")
    assert (none_required.state, none_required.progress) == (MET, 1.0)
    assert none_required.detail["average"] is None


def test_a_zero_average_requirement_only_asks_for_passes():
    policy = Policy(0, (ScenariosCriterion(average_at_least=0, no_fatal=True),))
    results = {
        "novice-buyer": ScenarioResult(best_score=70, passed=True),
        "invoice-scam": ScenarioResult(best_score=70, passed=True),
    }
    assert judge(with_(scenario_results=results), policy=policy).state == READY


# --------------------------------------------------------------------------- typing


def test_typing_states():
    never = status(judge(with_(typing_best=None)), "typing")
    assert (never.state, never.progress) == (NOT_MET, 0.0)
    assert never.detail == {
        "chars_per_minute": None,
        "accuracy": None,
        "min_chars_per_minute": 50,
        "min_accuracy": 95,
    }
    slow = status(judge(with_(typing_best=TypingScore(40, 99))), "typing")
    assert (slow.state, slow.progress) == (NOT_MET, 0.8)
    sloppy = status(judge(with_(typing_best=TypingScore(80, 76))), "typing")
    assert (sloppy.state, sloppy.progress) == (NOT_MET, 0.8)
    exact = status(judge(with_(typing_best=TypingScore(50, 95))), "typing")
    assert exact.state == MET


# --------------------------------------------------------------------------- live role-play


def test_live_roleplay_is_pending_and_does_not_block_while_the_feature_is_missing():
    result = judge(with_(live_roleplay_best=None, live_roleplay_available=False))
    live = status(result, "live_roleplay")
    assert live.state == PENDING
    assert live.progress == 0
    assert live.detail == {"best": None, "min_score": 70, "available": False}
    assert result.state == READY
    assert result.next_step is None


def test_live_roleplay_blocks_once_the_feature_is_available():
    result = judge(with_(live_roleplay_available=True))
    live = status(result, "live_roleplay")
    assert live.state == NOT_MET
    assert result.state == IN_PROGRESS
    assert result.next_step == "live_roleplay"


def test_live_roleplay_below_the_bar_blocks_when_it_can_be_retaken():
    result = judge(with_(live_roleplay_available=True, live_roleplay_best=56.0))
    live = status(result, "live_roleplay")
    assert (live.state, live.progress) == (NOT_MET, 0.8)
    assert result.state == IN_PROGRESS


def test_a_passed_live_roleplay_is_met_with_or_without_the_feature():
    for available in (True, False):
        evidence = with_(live_roleplay_available=available, live_roleplay_best=70.0)
        live = status(judge(evidence), "live_roleplay")
        assert (live.state, live.progress) == (MET, 1.0)
        assert live.detail["available"] is available


def test_an_old_low_live_score_stays_pending_when_it_cannot_be_retaken():
    live = status(judge(with_(live_roleplay_best=50.0)), "live_roleplay")
    assert live.state == PENDING
    assert live.progress == pytest.approx(50 / 70)


# --------------------------------------------------------------------------- policies


def test_a_policy_without_a_criterion_ignores_its_evidence():
    policy = Policy(0, (LessonsCriterion(),))
    result = judge(with_(exam_best=None, typing_best=None), policy=policy)
    assert result.state == READY
    assert result.status("final_exam") is None


def test_the_default_policy_works_with_the_same_evidence():
    result = readiness(DEFAULT_POLICY, DONE, TODAY)
    assert result.state == READY
    assert result.status("typing") is None


def test_unmet_criteria_and_whether_confirmation_needs_an_override():
    ready = judge(today=date(2026, 6, 2))
    assert ready.unmet == () and ready.confirmable
    fresh = judge(with_(NEW))
    assert "lessons" in fresh.unmet and not fresh.confirmable
    decided = judge(with_(decision=Decision(FAILED, date(2026, 5, 1))), today=date(2026, 6, 2))
    assert decided.state == DECIDED and decided.confirmable  # a reversal needs no override
