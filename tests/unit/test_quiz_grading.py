"""Tests for showing, validating and grading answers of every question type."""

from __future__ import annotations

import json
import random

import pytest

from training.curriculum.schema import Source
from training.quizzes import grading
from training.quizzes.grading import (
    QUESTION_TYPES,
    AnswerError,
    AttemptResult,
    CaseQuestion,
    Grade,
    Matching,
    MultipleChoice,
    Ordering,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    grade,
    grade_attempt,
    present,
)
from training.quizzes.parser import normalise_short_answer
from training.quizzes.schema import (
    QUESTION_TYPE_NAMES,
    CaseData,
    Choice,
    ChoiceData,
    MatchingData,
    MatchPair,
    OrderingData,
    OrderItem,
    Question,
    ShortData,
    TrueFalseData,
)

SECRET_EXPLANATION = "EXPLANATION-SECRET"
# The per-attempt key the application derives; any text will do for the pure grader.
SECRET = "attempt-secret"


def both(text: str) -> dict[str, str]:
    """A language map with a marked Chinese and English text."""
    return {"zh": f"{text}（中）", "en": text}


def make(qid: str, qtype: str, data) -> Question:
    """A question with fixed metadata around ``data``."""
    return Question(
        id=qid,
        type=qtype,
        topic="t",
        difficulty=1,
        lesson="welcome/the-shop",
        section=None,
        sources=(Source("000", "ch.1"),),
        prompt=both(f"Prompt of {qid}"),
        explanation={"zh": SECRET_EXPLANATION, "en": SECRET_EXPLANATION},
        module_slug="welcome",
        path="modules/01-welcome/quiz.yaml",
        line=1,
        data=data,
    )


def choices(*correct: bool) -> tuple[Choice, ...]:
    """Options a, b, c, ... with the given correct flags."""
    return tuple(
        Choice(chr(ord("a") + i), both(f"Option {chr(ord('a') + i)}"), flag)
        for i, flag in enumerate(correct)
    )


SINGLE = make("q-single", "single", ChoiceData(choices(True, False, False, False)))
MULTIPLE = make("q-multiple", "multiple", ChoiceData(choices(True, True, True, False, False)))
TRUE_FALSE = make("q-tf", "true_false", TrueFalseData(False))
ORDERING = make(
    "q-order",
    "ordering",
    OrderingData(tuple(OrderItem(f"s{i}", both(f"Step {i}")) for i in range(1, 5))),
)
MATCHING = make(
    "q-match",
    "matching",
    MatchingData(
        tuple(MatchPair(f"p{i}", both(f"Left {i}"), both(f"Right {i}")) for i in range(1, 5))
    ),
)
CASE = make("q-case", "case", CaseData(both("The buyer is angry"), choices(False, True, False)))
SHORT = make(
    "q-short",
    "short",
    ShortData({"zh": ("50", "五十", "50个"), "en": ("50", "fifty")}),
)
ALL = (SINGLE, MULTIPLE, TRUE_FALSE, ORDERING, MATCHING, CASE, SHORT)


# --------------------------------------------------------------------------- the registry


def test_registry_has_one_class_per_type():
    assert tuple(QUESTION_TYPES) == QUESTION_TYPE_NAMES
    assert QUESTION_TYPES["single"] is SingleChoice
    assert QUESTION_TYPES["multiple"] is MultipleChoice
    assert QUESTION_TYPES["true_false"] is TrueFalse
    assert QUESTION_TYPES["ordering"] is Ordering
    assert QUESTION_TYPES["matching"] is Matching
    assert QUESTION_TYPES["case"] is CaseQuestion
    assert QUESTION_TYPES["short"] is ShortAnswer
    assert all(cls.name == name for name, cls in QUESTION_TYPES.items())


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.type)
def test_the_correct_answer_scores_full_marks(question):
    answer = grading.correct_answer(question, secret=SECRET)
    assert grade(question, answer, secret=SECRET) == Grade(1.0, True)
    # It also survives a JSON round trip, as answers are stored and posted as JSON.
    assert grade(question, json.loads(json.dumps(answer)), secret=SECRET) == Grade(1.0, True)


# --------------------------------------------------------------------------- presentation


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.type)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_presentation_never_reveals_the_answer(question, lang):
    for seed in range(30):
        view = present(question, lang, seed, secret=SECRET)
        dumped = json.dumps(view, ensure_ascii=False)
        assert "correct" not in dumped
        assert SECRET_EXPLANATION not in dumped
        assert "explanation" not in dumped
        assert "accepted" not in dumped
        assert "answer" not in dumped
        assert view["prompt"] == question.prompt[lang]
        assert view["id"] == question.id
        assert view["type"] == question.type
    if question.type == "short":
        assert "五十" not in dumped and "fifty" not in dumped and "50" not in dumped


def test_choice_presentation_shows_ids_and_texts_shuffled():
    view = present(SINGLE, "en", 1, secret=SECRET)
    assert set(view) == {"id", "type", "prompt", "options"}
    assert sorted(option["id"] for option in view["options"]) == ["a", "b", "c", "d"]
    assert {option["id"]: option["text"] for option in view["options"]}["a"] == "Option a"
    orders = {
        tuple(o["id"] for o in present(SINGLE, "en", seed, secret=SECRET)["options"])
        for seed in range(40)
    }
    assert len(orders) > 1, "options are shuffled"


def test_case_presentation_includes_the_situation():
    view = present(CASE, "zh", 3, secret=SECRET)
    assert view["situation"] == "The buyer is angry（中）"
    assert len(view["options"]) == 3


def test_true_false_and_short_show_only_the_prompt():
    assert set(present(TRUE_FALSE, "en", 1, secret=SECRET)) == {"id", "type", "prompt"}
    assert set(present(SHORT, "en", 1, secret=SECRET)) == {"id", "type", "prompt"}


def test_ordering_items_are_shuffled_under_ids_that_do_not_give_the_order_away():
    correct = grading.correct_answer(ORDERING, secret=SECRET)
    for seed in range(40):
        view = present(ORDERING, "en", seed, secret=SECRET)
        shown = [item["id"] for item in view["items"]]
        assert sorted(shown) == sorted(correct)
        # Never shown already solved, and the written ids (s1..s4) never appear.
        assert shown != correct
        assert not {"s1", "s2", "s3", "s4"} & set(shown)


def test_matching_lefts_in_order_rights_shuffled():
    correct = grading.correct_answer(MATCHING, secret=SECRET)
    for seed in range(40):
        view = present(MATCHING, "en", seed, secret=SECRET)
        assert [left["id"] for left in view["lefts"]] == ["p1", "p2", "p3", "p4"]
        assert [left["text"] for left in view["lefts"]] == [f"Left {i}" for i in range(1, 5)]
        rights = [right["id"] for right in view["rights"]]
        assert sorted(rights) == sorted(correct.values())
        # Rights never share an id with their left, and never line up with the lefts.
        assert not set(rights) & {"p1", "p2", "p3", "p4"}
        assert rights != [correct[f"p{i}"] for i in range(1, 5)]


@pytest.mark.parametrize("question", ALL, ids=lambda q: q.type)
def test_same_seed_same_shuffle(question):
    assert present(question, "en", 12345, secret=SECRET) == present(
        question, "en", 12345, secret=SECRET
    )
    assert present(question, "zh", "attempt-7", secret=SECRET) == present(
        question, "zh", "attempt-7", secret=SECRET
    )


def test_different_seeds_shuffle_differently():
    views = {json.dumps(present(SINGLE, "en", seed, secret=SECRET)) for seed in range(20)}
    assert len(views) > 1


def test_class_presentation_uses_the_given_rng():
    first = SingleChoice.presentation(SINGLE, "en", random.Random(5), SECRET)
    assert first == SingleChoice.presentation(SINGLE, "en", random.Random(5), SECRET)


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        present(SINGLE, "fr", 1, secret=SECRET)


# --------------------------------------------------------------------------- single and case


def test_single_grading():
    assert grade(SINGLE, "a", secret=SECRET) == Grade(1.0, True)
    assert grade(SINGLE, "b", secret=SECRET) == Grade(0.0, False)
    assert grade(CASE, "b", secret=SECRET) == Grade(1.0, True)
    assert grade(CASE, "a", secret=SECRET) == Grade(0.0, False)


@pytest.mark.parametrize("answer", ["z", "", 1, None, ["a"], True, {"a": 1}])
def test_single_malformed_answers(answer):
    with pytest.raises(AnswerError):
        grade(SINGLE, answer, secret=SECRET)
    with pytest.raises(AnswerError):
        grading.validate(CASE, answer, secret=SECRET)


# --------------------------------------------------------------------------- multiple


@pytest.mark.parametrize(
    ("answer", "score", "correct"),
    [
        (["a", "b", "c"], 1.0, True),
        (["c", "b", "a"], 1.0, True),
        (["a", "b"], 2 / 3, False),
        (["a"], 1 / 3, False),
        (["a", "b", "c", "d"], 2 / 3, False),
        (["a", "d"], 0.0, False),
        (["a", "d", "e"], 0.0, False),  # floored at 0, not -1/3
        (["d", "e"], 0.0, False),
        ([], 0.0, False),
    ],
)
def test_multiple_partial_credit(answer, score, correct):
    result = grade(MULTIPLE, answer, secret=SECRET)
    assert result.score == pytest.approx(score)
    assert result.correct is correct


def test_multiple_answer_is_normalised_to_option_order():
    assert grading.validate(MULTIPLE, ["c", "a"], secret=SECRET) == ["a", "c"]
    assert grading.validate(MULTIPLE, ("b",), secret=SECRET) == ["b"]


@pytest.mark.parametrize(
    "answer", ["a", ["a", "a"], ["a", "z"], [1, 2], None, {"a": True}, [["a"]]]
)
def test_multiple_malformed_answers(answer):
    with pytest.raises(AnswerError):
        grade(MULTIPLE, answer, secret=SECRET)


# --------------------------------------------------------------------------- true/false


def test_true_false_grading():
    assert grade(TRUE_FALSE, False, secret=SECRET) == Grade(1.0, True)
    assert grade(TRUE_FALSE, True, secret=SECRET) == Grade(0.0, False)


@pytest.mark.parametrize("answer", [0, 1, "false", "true", None, [], "no"])
def test_true_false_needs_a_real_boolean(answer):
    with pytest.raises(AnswerError):
        grade(TRUE_FALSE, answer, secret=SECRET)


# --------------------------------------------------------------------------- ordering


def test_ordering_partial_credit_by_position():
    right = grading.correct_answer(ORDERING, secret=SECRET)
    s1, s2, s3, s4 = right
    assert grade(ORDERING, right, secret=SECRET) == Grade(1.0, True)
    assert grade(ORDERING, [s1, s2, s4, s3], secret=SECRET) == Grade(0.5, False)
    assert grade(ORDERING, [s2, s1, s4, s3], secret=SECRET) == Grade(0.0, False)
    assert grade(ORDERING, [s1, s3, s4, s2], secret=SECRET) == Grade(0.25, False)


def test_an_ordering_filled_in_part_scores_the_places_filled_right():
    s1, s2, s3, s4 = grading.correct_answer(ORDERING, secret=SECRET)
    assert grade(ORDERING, [s1, None, s3, None], secret=SECRET) == Grade(0.5, False)
    assert grade(ORDERING, [None, s1, None, None], secret=SECRET) == Grade(0.0, False)
    assert grading.validate(ORDERING, [None, None, None, s4], secret=SECRET) == [
        None,
        None,
        None,
        s4,
    ]


def test_ordering_malformed_answers():
    s1, s2, s3, s4 = grading.correct_answer(ORDERING, secret=SECRET)
    for answer in (
        [s1, s2, s3],  # too short
        [s1, None, None],  # too short, in part
        [None, None, None, None],  # nothing placed
        [s1, None, s1, None],  # repeated, in part
        [s1, s2, s3, s4, s4],  # too long and repeated
        [s1, s1, s3, s4],  # repeated
        [s1, s2, s3, "x"],  # foreign
        ["s1", "s2", "s3", "s4"],  # written ids are not the shown ids
        "s1",
        {"a": s1},
        [1, 2, 3, 4],
        None,
    ):
        with pytest.raises(AnswerError):
            grade(ORDERING, answer, secret=SECRET)


# --------------------------------------------------------------------------- matching


def test_matching_partial_credit():
    right = grading.correct_answer(MATCHING, secret=SECRET)
    assert grade(MATCHING, right, secret=SECRET) == Grade(1.0, True)
    swapped = dict(right, p1=right["p2"], p2=right["p1"])
    assert grade(MATCHING, swapped, secret=SECRET) == Grade(0.5, False)
    rotated = {f"p{i}": right[f"p{i % 4 + 1}"] for i in range(1, 5)}
    assert grade(MATCHING, rotated, secret=SECRET) == Grade(0.0, False)


def test_a_matching_filled_in_part_scores_the_lefts_matched_right():
    right = grading.correct_answer(MATCHING, secret=SECRET)
    assert grade(MATCHING, {"p1": right["p1"], "p3": right["p3"]}, secret=SECRET) == Grade(
        0.5, False
    )
    assert grade(MATCHING, {"p4": right["p1"]}, secret=SECRET) == Grade(0.0, False)
    partial = {"p3": right["p3"], "p1": right["p1"]}
    assert list(grading.validate(MATCHING, partial, secret=SECRET)) == ["p1", "p3"]


def test_matching_answer_is_normalised_to_left_order():
    right = grading.correct_answer(MATCHING, secret=SECRET)
    reversed_answer = dict(reversed(list(right.items())))
    assert list(grading.validate(MATCHING, reversed_answer, secret=SECRET)) == [
        "p1",
        "p2",
        "p3",
        "p4",
    ]


def test_matching_malformed_answers():
    right = grading.correct_answer(MATCHING, secret=SECRET)
    for answer in (
        {},  # nothing matched
        dict(right, p5=right["p1"]),  # a foreign left
        dict(right, p1="r-nope"),  # a foreign right
        dict(right, p1=right["p2"]),  # a right used twice
        {f"p{i}": f"p{i}" for i in range(1, 5)},  # pair ids are not right ids
        [right["p1"]],
        "p1",
        {1: right["p1"]},
        dict(right, p1=None),
        None,
    ):
        with pytest.raises(AnswerError):
            grade(MATCHING, answer, secret=SECRET)


# --------------------------------------------------------------------------- short answers


@pytest.mark.parametrize(
    "answer",
    ["50", " 50 ", "５０", "五十", "fifty", "FIFTY", "Fifty.", "fif ty", "50个", "50 个。", "“50”"],
)
def test_short_accepts_variants(answer):
    assert grade(SHORT, answer, secret=SECRET) == Grade(1.0, True)


@pytest.mark.parametrize("answer", ["", "   ", "5", "500", "51", "五", "fifty one", "。"])
def test_short_refuses_other_answers(answer):
    assert grade(SHORT, answer, secret=SECRET) == Grade(0.0, False)


@pytest.mark.parametrize("answer", [50, None, ["50"], True, "x" * 201])
def test_short_malformed_answers(answer):
    with pytest.raises(AnswerError):
        grade(SHORT, answer, secret=SECRET)


def test_short_normalisation():
    assert normalise_short_answer("ＡＢＣ　１２３") == "abc123"
    assert normalise_short_answer("Hello, World!") == "helloworld"
    assert normalise_short_answer("你好，世界。「好」、《书》！？") == "你好世界好书"
    assert normalise_short_answer("7天无理由") == "7天无理由"
    assert grading.validate(SHORT, "  50个 ", secret=SECRET) == "50个"


# --------------------------------------------------------------------------- keys for reviews


def test_keys_for_reviews():
    assert grading.key(SINGLE, "en") == ("Option a",)
    assert grading.key(CASE, "zh") == ("Option b（中）",)
    assert grading.key(MULTIPLE, "en") == ("Option a", "Option b", "Option c")
    assert grading.key(TRUE_FALSE, "en") == ("False",)
    assert grading.key(TRUE_FALSE, "zh") == ("错误",)
    assert grading.key(ORDERING, "en") == ("Step 1", "Step 2", "Step 3", "Step 4")
    assert grading.key(MATCHING, "en")[0] == "Left 1 → Right 1"
    assert grading.key(SHORT, "zh") == ("50", "五十", "50个")
    assert grading.key(SHORT, "en") == ("50", "fifty")


# --------------------------------------------------------------------------- whole attempts


def test_grade_attempt_scores_unanswered_as_zero():
    answers = {
        "q-single": "a",  # 1
        "q-multiple": ["a", "b"],  # 2/3
        "q-tf": True,  # 0
        "q-short": "五十",  # 1
        # q-order, q-match and q-case unanswered
        "q-match": None,
    }
    result = grade_attempt(ALL, answers, secret=SECRET)
    assert isinstance(result, AttemptResult)
    assert list(result.grades) == [q.id for q in ALL]
    assert result.score_percent == pytest.approx(round((2 + 2 / 3) * 100 / 7, 2))
    assert result.grades["q-order"] == Grade(0.0, False, answered=False)
    assert result.grades["q-match"] == Grade(0.0, False, answered=False)
    assert result.grades["q-tf"] == Grade(0.0, False)
    assert result.correct_count == 2
    assert not result.passed(80)
    assert result.passed(30)


def test_grade_attempt_full_marks_and_pass_mark_edge():
    answers = {q.id: grading.correct_answer(q, secret=SECRET) for q in ALL}
    result = grade_attempt(ALL, answers, secret=SECRET)
    assert result.score_percent == 100.0
    assert result.passed(100)
    four_of_five = [SINGLE, TRUE_FALSE, CASE, SHORT, MULTIPLE]
    result = grade_attempt(
        four_of_five,
        {"q-single": "a", "q-tf": False, "q-case": "b", "q-short": "50"},
        secret=SECRET,
    )
    assert result.score_percent == 80.0
    assert result.passed(80)


def test_grade_attempt_counts_a_malformed_answer_as_unanswered():
    result = grade_attempt([SINGLE], {"q-single": "gone"}, secret=SECRET)
    assert result.grades["q-single"] == Grade(0.0, False, answered=False)
    assert result.score_percent == 0.0


def test_grade_attempt_of_nothing():
    assert grade_attempt([], {}, secret=SECRET).score_percent == 0.0
