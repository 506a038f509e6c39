"""Tests for importing GIFT and Aiken into quiz.yaml, round-tripped through the checker."""

from __future__ import annotations

import yaml

from training.curriculum.parser import parse_tree
from training.curriculum.schema import Source
from training.quizzes import grading
from training.quizzes.gift import TRANSLATE_WARNING, import_aiken, import_gift, to_yaml
from training.quizzes.parser import check_quizzes, parse_quizzes
from training.quizzes.schema import ChoiceData, MatchingData, ShortData, TrueFalseData

SECRET = "unit-test-secret"
QUIZ = "modules/01-welcome/quiz.yaml"
OPTIONS = {
    "module_slug": "welcome",
    "lesson": "welcome/the-shop#what-we-sell",
    "topic": "the-shop",
    "difficulty": 2,
    "source": Source("000", "ch.2"),
}


def lesson_md(lang: str, title: str, heading: str) -> str:
    """The one lesson of the fixture curriculum."""
    return f"""---
slug: the-shop
order: 1
title: {title}
minutes: 5
prerequisites: []
objectives:
  - {title}
sources:
  - seed: "000"
    where: "ch.2"
---

## {heading} {{#what-we-sell}}

Text.
"""


def tree(quiz_text: str) -> dict[str, str]:
    """A one-module, one-lesson content tree with ``quiz_text`` as the module's quiz."""
    return {
        "modules/01-welcome/module.yaml": """slug: welcome
order: 1
title: {zh: 欢迎, en: Welcome}
summary: {zh: 概要, en: Summary}
prerequisites: []
sources:
  - seed: "000"
    where: "ch.1"
""",
        "modules/01-welcome/01-the-shop.zh.md": lesson_md("zh", "店铺", "我们卖什么"),
        "modules/01-welcome/01-the-shop.en.md": lesson_md("en", "The shop", "What we sell"),
        QUIZ: quiz_text,
    }


def round_trip(questions: list[dict]) -> list:
    """Write ``questions`` with to_yaml, then parse them back through the real checker."""
    files = tree(to_yaml(questions))
    return list(parse_quizzes(files, parse_tree(files)).all_questions())


GIFT = r"""// A comment line: ignored.
::Main line::Which product group is the shop's main line? {
  =Phone accessories#Yes: cases, cables and chargers.
  ~Small appliances#No.
  ~Daily goods
}

::Not refunds::Which of these are part of the reception flow? {
  ~%50%Greet the buyer
  ~%50%Answer the question
  ~%-100%Argue about the price
  ####Greet, then answer; never argue.
}

Buyers may return goods within 7 days without giving a reason. {T#Wrong: they may.#Right.}

Is cash on delivery offered? {FALSE ####We do not offer it.}

How many hours does the shop have to ship an order? {=48 =forty-eight #Two days.}

Match the level to its description. {
  =Basic -> Knows the products
  =Senior -> Calms angry buyers
  =Gold -> Trains the others
  ####The four levels build on each other.
}

Escapes\: a 1\=1 \~ 2 \# 3 \{x\} question? {=yes\: really#It is\.. ~no}
"""


# --------------------------------------------------------------------------- GIFT


def test_gift_types_are_imported():
    questions, warnings = import_gift(GIFT, **OPTIONS)
    assert [q["type"] for q in questions] == [
        "single",
        "multiple",
        "true_false",
        "true_false",
        "short",
        "matching",
        "single",
    ]
    single = questions[0]
    assert list(single) == [
        "id",
        "type",
        "topic",
        "difficulty",
        "lesson",
        "sources",
        "prompt",
        "options",
        "explanation",
    ]
    assert single["id"] == "welcome-main-line"
    assert single["prompt"] == {
        "zh": "Which product group is the shop's main line?",
        "en": "Which product group is the shop's main line?",
    }
    assert single["options"][0] == {
        "id": "a",
        "zh": "Phone accessories",
        "en": "Phone accessories",
        "correct": True,
    }
    assert "correct" not in single["options"][1]
    assert single["explanation"]["en"] == "Yes: cases, cables and chargers."
    assert single["sources"] == [{"seed": "000", "where": "ch.2"}]
    assert (single["lesson"], single["topic"], single["difficulty"]) == (
        "welcome/the-shop#what-we-sell",
        "the-shop",
        2,
    )

    multiple = questions[1]
    assert [o.get("correct", False) for o in multiple["options"]] == [True, True, False]
    assert multiple["explanation"]["zh"] == "Greet, then answer; never argue."

    assert questions[2]["answer"] is True
    assert questions[2]["id"] == "welcome-imported-3"
    assert questions[2]["explanation"]["en"] == "Wrong: they may. Right."
    assert questions[3]["answer"] is False
    assert questions[3]["explanation"]["en"] == "We do not offer it."
    assert questions[4]["accepted"] == {"zh": ["48", "forty-eight"], "en": ["48", "forty-eight"]}
    assert questions[4]["explanation"]["en"] == "Two days."
    assert questions[5]["pairs"][1] == {
        "id": "b",
        "left": {"zh": "Senior", "en": "Senior"},
        "right": {"zh": "Calms angry buyers", "en": "Calms angry buyers"},
    }
    escaped = questions[6]
    assert escaped["prompt"]["en"] == "Escapes: a 1=1 ~ 2 # 3 {x} question?"
    assert escaped["options"][0]["en"] == "yes: really"
    assert escaped["explanation"]["en"] == "It is.."

    assert warnings[0] == TRANSLATE_WARNING
    assert "zh and en" in warnings[0]


def test_gift_round_trip_parses_and_grades():
    questions, _ = import_gift(GIFT, **OPTIONS)
    parsed = round_trip(questions)
    assert [q.type for q in parsed] == [q["type"] for q in questions]
    by_type = {q.type: q for q in parsed}
    assert isinstance(by_type["single"].data, ChoiceData)
    assert isinstance(by_type["matching"].data, MatchingData)
    assert by_type["short"].data == ShortData(
        {"zh": ("48", "forty-eight"), "en": ("48", "forty-eight")}
    )
    assert parsed[2].data == TrueFalseData(True)
    assert parsed[0].prompt["zh"] == parsed[0].prompt["en"]
    assert grading.grade(by_type["short"], "Forty Eight", secret=SECRET).correct
    for question in parsed:
        assert grading.grade(
            question, grading.correct_answer(question, secret=SECRET), secret=SECRET
        ).correct


def test_unsupported_gift_types_are_skipped_with_their_line():
    text = """Say something. {}

What is 2 + 2? {#4}

Range? {#=4:1 =%50%5:1}

::Good::Which is right? {=this ~that}

$CATEGORY: somewhere
Just a description, no answers.
"""
    questions, warnings = import_gift(text, **OPTIONS)
    assert [q["id"] for q in questions] == ["welcome-good"]
    assert "line 1: essay questions are not supported; skipped" in warnings
    assert "line 3: numeric questions are not supported; skipped" in warnings
    assert "line 5: numeric questions are not supported; skipped" in warnings
    assert "line 9: categories are not used here; skipped" in warnings
    assert "line 10: no answer block {...}: descriptions are not questions; skipped" in warnings


def test_gift_without_feedback_leaves_the_explanation_to_the_author():
    questions, warnings = import_gift("Pick one. {=a ~b}", **OPTIONS)
    assert questions[0]["explanation"] == {"zh": "", "en": ""}
    assert "line 1: welcome-imported-1 has no feedback: write its explanation (left empty)" in (
        warnings
    )
    # The checker refuses the file until an author writes it.
    files = tree(to_yaml(questions))
    found = [str(p) for p in check_quizzes(files, parse_tree(files))]
    assert len(found) == 2
    assert all("must not be empty" in problem for problem in found)


def test_gift_partial_credit_on_a_single_choice_is_dropped():
    questions, warnings = import_gift("Pick. {=best ~%50%ok ~bad#no}", **OPTIONS)
    assert questions[0]["type"] == "single"
    assert [o.get("correct", False) for o in questions[0]["options"]] == [True, False, False]
    assert "line 1: partial credit on a wrong option is not supported; dropped" in warnings


def test_feedback_of_wrong_options_is_kept_when_the_right_one_has_none():
    questions, _ = import_gift("Pick. {=a ~b#Too slow. ~c#Too rude.}", **OPTIONS)
    assert questions[0]["explanation"]["en"] == "b: Too slow. c: Too rude."


def test_generated_ids_are_unique():
    text = "::Same::One? {=a ~b #x}\n\n::Same::Two? {=a ~b #y}\n"
    questions, _ = import_gift(text, **OPTIONS)
    assert [q["id"] for q in questions] == ["welcome-same", "welcome-same-2"]


def test_source_may_be_a_mapping():
    questions, _ = import_gift(
        "Pick. {=a ~b #c}", **{**OPTIONS, "source": {"seed": "001", "where": "ch.3"}}
    )
    assert questions[0]["sources"] == [{"seed": "001", "where": "ch.3"}]


def test_to_yaml_keeps_unicode_order_and_quotes_tricky_strings():
    questions, _ = import_gift("选哪个？ {=是 ~否 #因为。}", **OPTIONS)
    questions[0]["sources"] = [{"seed": "003", "where": "yes"}]
    text = to_yaml(questions)
    assert "选哪个？" in text
    assert "seed: '003'" in text
    assert "where: 'yes'" in text
    assert text.index("prompt:") < text.index("options:") < text.index("explanation:")
    assert yaml.safe_load(text)["questions"][0]["sources"][0]["seed"] == "003"


# --------------------------------------------------------------------------- Aiken


AIKEN = """Which product group is the shop's main line?
A. Phone accessories
B. Small appliances
C) Daily goods
ANSWER: A

What should you ask first when a buyer asks if a case fits?
A. Their budget
B. Their phone model
ANSWER: B
"""


def test_aiken_is_imported_as_single_choice():
    questions, warnings = import_aiken(AIKEN, **OPTIONS)
    assert [q["type"] for q in questions] == ["single", "single"]
    first = questions[0]
    assert [o["en"] for o in first["options"]] == [
        "Phone accessories",
        "Small appliances",
        "Daily goods",
    ]
    assert [o.get("correct", False) for o in first["options"]] == [True, False, False]
    assert questions[1]["options"][1]["correct"] is True
    assert first["explanation"] == {"zh": "", "en": ""}
    assert warnings[0] == TRANSLATE_WARNING
    assert "line 1: welcome-imported-1 has no feedback: write its explanation (left empty)" in (
        warnings
    )


def test_aiken_round_trip_parses_once_explained():
    questions, _ = import_aiken(AIKEN, **OPTIONS)
    for question in questions:
        question["explanation"] = {"zh": "因为。", "en": "Because."}
    parsed = round_trip(questions)
    assert [q.id for q in parsed] == ["welcome-imported-1", "welcome-imported-2"]
    assert grading.correct_answer(parsed[0], secret=SECRET) == "a"
    assert grading.correct_answer(parsed[1], secret=SECRET) == "b"


def test_aiken_problems_are_warned_with_lines():
    text = """No answer here?
A. One
B. Two

Bad answer letter?
A. One
B. Two
ANSWER: D

Only one option?
A. One
ANSWER: A
"""
    questions, warnings = import_aiken(text, **OPTIONS)
    assert questions == []
    assert warnings == [
        "line 1: question has no ANSWER: line; skipped",
        "line 8: ANSWER: D is not one of the options; skipped",
        "line 10: fewer than two options; skipped",
    ]
