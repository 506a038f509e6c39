"""Tests for the quiz checker: every kind of problem is reported at its exact path:line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from training.curriculum.parser import parse_tree
from training.curriculum.schema import ContentError, Curriculum, Source
from training.quizzes.parser import check_quizzes, is_quiz_path, parse_quizzes
from training.quizzes.schema import (
    CaseData,
    Choice,
    ChoiceData,
    ExamSpec,
    MatchingData,
    MatchPair,
    OrderingData,
    OrderItem,
    Question,
    QuestionBank,
    Quiz,
    QuizSettings,
    ShortData,
    TrueFalseData,
)

WELCOME_QUIZ = "modules/01-welcome/quiz.yaml"
ORDERS_QUIZ = "modules/02-orders/quiz.yaml"
EXAM = "exam.yaml"


# --------------------------------------------------------------------------- the fixture tree


def module_yaml(slug: str, order: int) -> str:
    """A valid module.yaml."""
    return f"""slug: {slug}
order: {order}
title:
  zh: 模块{order}
  en: Module {order}
summary:
  zh: 概要
  en: Summary
prerequisites: []
sources:
  - seed: "000"
    where: "ch.{order}"
"""


def lesson_md(slug: str, order: int, title: str, body: str) -> str:
    """A valid lesson file."""
    return f"""---
slug: {slug}
order: {order}
title: {title}
minutes: 5
prerequisites: []
objectives:
  - {title}
sources:
  - seed: "001"
    where: "ch.2"
---
{body}"""


def curriculum_files() -> dict[str, str]:
    """Two modules: welcome (the-shop#what-we-sell, levels#basic) and orders (refunds#steps)."""
    return {
        "modules/01-welcome/module.yaml": module_yaml("welcome", 1),
        "modules/01-welcome/01-the-shop.zh.md": lesson_md(
            "the-shop", 1, "店铺", "\n## 我们卖什么 {#what-we-sell}\n\n配件。\n"
        ),
        "modules/01-welcome/01-the-shop.en.md": lesson_md(
            "the-shop", 1, "The shop", "\n## What we sell {#what-we-sell}\n\nAccessories.\n"
        ),
        "modules/01-welcome/02-levels.zh.md": lesson_md(
            "levels", 2, "等级", "\n## 基础 {#basic}\n\n基础。\n"
        ),
        "modules/01-welcome/02-levels.en.md": lesson_md(
            "levels", 2, "Levels", "\n## Basic {#basic}\n\nBasic.\n"
        ),
        "modules/02-orders/module.yaml": module_yaml("orders", 2),
        "modules/02-orders/01-refunds.zh.md": lesson_md(
            "refunds", 1, "退款", "\n## 流程 {#steps}\n\n流程。\n"
        ),
        "modules/02-orders/01-refunds.en.md": lesson_md(
            "refunds", 1, "Refunds", "\n## Steps {#steps}\n\nSteps.\n"
        ),
    }


def question_yaml(
    qid: str,
    qtype: str,
    body: str,
    *,
    lesson: str = "welcome/the-shop#what-we-sell",
    difficulty: str = "1",
    topic: str = "the-shop",
) -> str:
    """One question as a list item of ``questions:``; ``body`` holds the type's own keys."""
    return f"""  - id: {qid}
    type: {qtype}
    topic: {topic}
    difficulty: {difficulty}
    lesson: {lesson}
    sources:
      - seed: "000"
        where: "ch.2"
    prompt:
      zh: 题目 {qid}
      en: Question {qid}
{body}    explanation:
      zh: 因为如此。
      en: Because.
"""


def options_yaml(*correct: bool, start: str = "a") -> str:
    """An ``options:`` block with one option per flag."""
    lines = ["    options:\n"]
    for index, is_correct in enumerate(correct):
        option_id = chr(ord(start) + index)
        lines.append(f"      - id: {option_id}\n        zh: 选项{option_id}\n")
        lines.append(f"        en: Option {option_id}\n")
        if is_correct:
            lines.append("        correct: true\n")
    return "".join(lines)


def items_yaml(count: int) -> str:
    """An ordering ``items:`` block with ``count`` items s1..sN in that (correct) order."""
    lines = ["    items:\n"]
    for index in range(1, count + 1):
        lines.append(f"      - id: s{index}\n        zh: 第{index}步\n        en: Step {index}\n")
    return "".join(lines)


def pairs_yaml(count: int) -> str:
    """A matching ``pairs:`` block with ``count`` pairs p1..pN."""
    lines = ["    pairs:\n"]
    for index in range(1, count + 1):
        lines.append(
            f"      - id: p{index}\n"
            f"        left: {{zh: 左{index}, en: Left {index}}}\n"
            f"        right: {{zh: 右{index}, en: Right {index}}}\n"
        )
    return "".join(lines)


SINGLE = options_yaml(True, False, False)
MULTIPLE = options_yaml(True, True, False)
TRUE_FALSE = "    answer: false\n"
ORDERING = items_yaml(3)
MATCHING = pairs_yaml(3)
CASE = (
    "    situation:\n      zh: 买家说：太慢了！\n      en: 'The buyer writes: too slow!'\n"
    + options_yaml(False, True)
)
SHORT = '    accepted:\n      zh: ["50", "五十"]\n      en: ["50", "fifty"]\n'

WELCOME_TEXT = (
    "settings:\n  pass_mark: 70\n  time_limit_minutes: 15\n  review: always\nquestions:\n"
    + question_yaml("shop-single", "single", SINGLE)
    + question_yaml("shop-multiple", "multiple", MULTIPLE, difficulty="2")
    + question_yaml("shop-true-false", "true_false", TRUE_FALSE, lesson="welcome/levels")
    + question_yaml("shop-ordering", "ordering", ORDERING, difficulty="3")
    + question_yaml("shop-matching", "matching", MATCHING, topic="levels")
    + question_yaml("shop-case", "case", CASE, lesson="orders/refunds#steps")
    + question_yaml("shop-short", "short", SHORT)
)
ORDERS_TEXT = "questions:\n" + question_yaml(
    "refund-single", "single", SINGLE, lesson="orders/refunds", topic="refunds"
)
EXAM_TEXT = """slug: final-exam
title: {zh: 转正考试, en: Probation exam}
settings: {pass_mark: 80, time_limit_minutes: 60, max_attempts: 2, retake_delay_minutes: 1440, \
review: after_last_attempt}
draw:
  questions: 6
  balance: [module, difficulty]
"""


def valid_files() -> dict[str, str]:
    """The curriculum plus a quiz for each module and the exam."""
    files = curriculum_files()
    files[WELCOME_QUIZ] = WELCOME_TEXT
    files[ORDERS_QUIZ] = ORDERS_TEXT
    files[EXAM] = EXAM_TEXT
    return files


def curriculum() -> Curriculum:
    """The parsed fixture curriculum."""
    return parse_tree(curriculum_files())


def problems(files: dict[str, str]) -> list[str]:
    """Return the quiz problems as ``path:line: message`` strings."""
    return [str(problem) for problem in check_quizzes(files, curriculum())]


def only_problem(files: dict[str, str]) -> str:
    """Return the single problem, failing if there are none or several."""
    found = problems(files)
    assert len(found) == 1, found
    return found[0]


def edit(files: dict[str, str], path: str, old: str, new: str, nth: int = 1) -> dict[str, str]:
    """Replace the ``nth`` occurrence of ``old`` in one file, failing loudly if it is missing."""
    text = files[path]
    index = -1
    for _ in range(nth):
        index = text.index(old, index + 1)
    files[path] = text[:index] + new + text[index + len(old) :]
    return files


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """Return the 1-based line of the ``nth`` line containing ``needle`` (for exact locations)."""
    hits = [number for number, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(hits) >= nth, (needle, hits)
    return hits[nth - 1]


def welcome_line(needle: str, nth: int = 1) -> int:
    """Line of ``needle`` in the valid welcome quiz."""
    return line_of(WELCOME_TEXT, needle, nth)


# --------------------------------------------------------------------------- the valid bank


def test_valid_bank_parses_into_dataclasses():
    files = valid_files()
    bank = parse_quizzes(files, curriculum())

    assert isinstance(bank, QuestionBank)
    assert list(bank.quizzes) == ["welcome", "orders"]
    welcome = bank.quizzes["welcome"]
    assert isinstance(welcome, Quiz)
    assert welcome.path == WELCOME_QUIZ
    assert welcome.settings == QuizSettings(pass_mark=70, time_limit_minutes=15, review="always")
    assert [q.type for q in welcome.questions] == [
        "single",
        "multiple",
        "true_false",
        "ordering",
        "matching",
        "case",
        "short",
    ]
    # Settings left out take the documented defaults.
    assert bank.quizzes["orders"].settings == QuizSettings()
    assert bank.quizzes["orders"].settings.pass_mark == 80

    single = bank.question("shop-single")
    assert isinstance(single, Question)
    assert single.module_slug == "welcome"
    assert (single.path, single.line) == (WELCOME_QUIZ, welcome_line("id: shop-single"))
    assert (single.lesson, single.section) == ("welcome/the-shop", "what-we-sell")
    assert single.sources == (Source("000", "ch.2"),)
    assert single.prompt == {"zh": "题目 shop-single", "en": "Question shop-single"}
    assert single.explanation == {"zh": "因为如此。", "en": "Because."}
    assert single.data == ChoiceData(
        (
            Choice("a", {"zh": "选项a", "en": "Option a"}, True),
            Choice("b", {"zh": "选项b", "en": "Option b"}, False),
            Choice("c", {"zh": "选项c", "en": "Option c"}, False),
        )
    )
    assert bank.question("shop-true-false").data == TrueFalseData(False)
    assert bank.question("shop-true-false").section is None
    assert bank.question("shop-ordering").data == OrderingData(
        tuple(OrderItem(f"s{i}", {"zh": f"第{i}步", "en": f"Step {i}"}) for i in (1, 2, 3))
    )
    assert bank.question("shop-matching").data == MatchingData(
        tuple(
            MatchPair(
                f"p{i}", {"zh": f"左{i}", "en": f"Left {i}"}, {"zh": f"右{i}", "en": f"Right {i}"}
            )
            for i in (1, 2, 3)
        )
    )
    case = bank.question("shop-case")
    assert isinstance(case.data, CaseData)
    assert case.data.situation == {"zh": "买家说：太慢了！", "en": "The buyer writes: too slow!"}
    assert case.lesson == "orders/refunds"
    assert bank.question("shop-short").data == ShortData(
        {"zh": ("50", "五十"), "en": ("50", "fifty")}
    )
    assert bank.question("nope") is None
    assert len(bank.all_questions()) == 8
    assert bank.all_questions()[-1].id == "refund-single"

    assert bank.exam == ExamSpec(
        slug="final-exam",
        title={"zh": "转正考试", "en": "Probation exam"},
        settings=QuizSettings(80, 60, 2, 1440, "after_last_attempt"),
        questions=6,
        balance=("module", "difficulty"),
        path=EXAM,
    )
    assert check_quizzes(files, curriculum()) == []


def test_quiz_files_are_recognised_by_path():
    assert is_quiz_path(WELCOME_QUIZ)
    assert is_quiz_path(EXAM)
    assert not is_quiz_path("modules/01-welcome/module.yaml")
    assert not is_quiz_path("modules/01-welcome/sub/quiz.yaml")


def test_no_quizzes_and_no_exam_make_an_empty_bank():
    bank = parse_quizzes(curriculum_files(), curriculum())
    assert bank.quizzes == {}
    assert bank.exam is None
    assert bank.all_questions() == ()


def test_balance_may_be_left_out():
    files = edit(valid_files(), EXAM, "  balance: [module, difficulty]\n", "")
    assert parse_quizzes(files, curriculum()).exam.balance == ()


def test_fingerprint_follows_content_not_location():
    bank = parse_quizzes(valid_files(), curriculum())
    single = bank.question("shop-single")
    assert len(single.fingerprint) == 64
    assert single.fingerprint != bank.question("shop-multiple").fingerprint

    # Moving the question down a line (a comment above it) keeps the fingerprint.
    moved = edit(valid_files(), WELCOME_QUIZ, "questions:\n", "questions:\n  # a note\n")
    assert parse_quizzes(moved, curriculum()).question("shop-single").fingerprint == (
        single.fingerprint
    )
    # Changing a wrong option's text changes it.
    changed = edit(valid_files(), WELCOME_QUIZ, "en: Option b", "en: Option B")
    assert parse_quizzes(changed, curriculum()).question("shop-single").fingerprint != (
        single.fingerprint
    )


def test_every_problem_is_reported_at_once():
    files = valid_files()
    edit(files, WELCOME_QUIZ, "difficulty: 1", "difficulty: 9")
    edit(files, ORDERS_QUIZ, "topic: refunds", "topic: Refunds")
    with pytest.raises(ContentError) as caught:
        parse_quizzes(files, curriculum())
    assert [str(p) for p in caught.value.problems] == [
        f"{WELCOME_QUIZ}:{welcome_line('difficulty: 1')}: difficulty must be between 1 and 3, "
        "not 9",
        f"{ORDERS_QUIZ}:{line_of(ORDERS_TEXT, 'topic:')}: topic 'Refunds' is not valid: "
        "use a-z, 0-9 and single hyphens",
    ]


# --------------------------------------------------------------------------- file-level problems


def test_yaml_syntax_error_is_located():
    old = "      en: Question shop-case"
    files = edit(valid_files(), WELCOME_QUIZ, old, "      en: Question: shop-case")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line(old)}: invalid YAML: mapping values are not allowed here"
    )


def test_unclosed_bracket_is_reported_where_yaml_notices_it():
    old = "      en: Question shop-case"
    files = edit(valid_files(), WELCOME_QUIZ, old, "      en: [oops")
    # YAML only notices on the next line, where a key appears inside the open list.
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line(old) + 1}: invalid YAML: while parsing a flow sequence: "
        "expected ',' or ']', but got ':'"
    )


def test_empty_quiz_file():
    files = valid_files()
    files[ORDERS_QUIZ] = "# nothing yet\n"
    assert only_problem(files) == f"{ORDERS_QUIZ}:1: quiz.yaml is empty"


def test_quiz_needs_questions():
    files = valid_files()
    files[ORDERS_QUIZ] = "settings:\n  pass_mark: 90\n"
    files[EXAM] = EXAM_TEXT.replace("questions: 6", "questions: 5")
    assert only_problem(files) == f"{ORDERS_QUIZ}:1: missing key 'questions' in quiz.yaml"
    files[ORDERS_QUIZ] = "questions: []\n"
    assert only_problem(files) == (f"{ORDERS_QUIZ}:1: questions must list at least one question")


def test_unknown_top_level_key():
    files = edit(valid_files(), ORDERS_QUIZ, "questions:", "title: Orders\nquestions:")
    assert only_problem(files) == (
        f"{ORDERS_QUIZ}:1: unknown key 'title' in quiz.yaml (allowed: settings, questions)"
    )


def test_quiz_without_a_module():
    files = valid_files()
    files["modules/03-ghost/quiz.yaml"] = ORDERS_TEXT.replace("refund-single", "ghost-single")
    files[EXAM] = EXAM_TEXT
    assert only_problem(files) == (
        "modules/03-ghost/quiz.yaml:1: no module for this quiz: "
        "modules/03-ghost/module.yaml is missing or invalid"
    )


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("pass_mark: 70", "pass_mark: 0", "pass_mark must be between 1 and 100, not 0"),
        ("pass_mark: 70", "pass_mark: 101", "pass_mark must be between 1 and 100, not 101"),
        ("pass_mark: 70", "pass_mark: yes", "pass_mark must be a whole number, not yes"),
        (
            "time_limit_minutes: 15",
            "time_limit_minutes: -1",
            "time_limit_minutes must be 0 or more, not -1",
        ),
        (
            "review: always",
            "review: sometimes",
            "review must be one of always, after_pass, after_last_attempt, never, not 'sometimes'",
        ),
        (
            "review: always",
            "reveiw: always",
            "unknown key 'reveiw' in settings (allowed: pass_mark, time_limit_minutes, "
            "max_attempts, retake_delay_minutes, review)",
        ),
    ],
)
def test_bad_settings(old, new, message):
    files = edit(valid_files(), WELCOME_QUIZ, old, new)
    assert only_problem(files) == f"{WELCOME_QUIZ}:{welcome_line(old)}: {message}"


# --------------------------------------------------------------------------- question keys


def test_unknown_key_in_a_question():
    files = edit(
        valid_files(), WELCOME_QUIZ, "    topic: the-shop", "    hint: x\n    topic: the-shop"
    )
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('topic: the-shop')}: unknown key 'hint' in a question "
        "(allowed: id, type, topic, difficulty, lesson, sources, prompt, explanation, options)"
    )


def test_key_of_another_type_is_unknown():
    files = edit(valid_files(), WELCOME_QUIZ, TRUE_FALSE, TRUE_FALSE + "    accepted: [x]\n")
    line = welcome_line("answer: false") + 1
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{line}: unknown key 'accepted' in a question (allowed: id, type, "
        "topic, difficulty, lesson, sources, prompt, explanation, answer)"
    )


def test_missing_common_key_is_reported_at_the_question():
    files = valid_files()
    edit(files, ORDERS_QUIZ, "    explanation:\n      zh: 因为如此。\n      en: Because.\n", "")
    assert only_problem(files) == (
        f"{ORDERS_QUIZ}:{line_of(ORDERS_TEXT, 'id: refund-single')}: "
        "missing key 'explanation' in a question"
    )


def test_missing_type_key_is_reported_at_the_question():
    files = edit(valid_files(), WELCOME_QUIZ, TRUE_FALSE, "")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('id: shop-true-false')}: missing key 'answer' in a question"
    )


def test_unknown_question_type():
    files = edit(valid_files(), WELCOME_QUIZ, "type: true_false", "type: yes_no")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('type: true_false')}: unknown question type 'yes_no' "
        "(use single, multiple, true_false, ordering, matching, case, short)"
    )


def test_question_must_be_a_mapping():
    files = edit(valid_files(), ORDERS_QUIZ, "questions:\n", "questions:\n  - just text\n")
    files[EXAM] = EXAM_TEXT
    assert only_problem(files) == (
        f"{ORDERS_QUIZ}:2: a question must be a mapping of keys, not 'just text'"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("difficulty: 1", "difficulty: yes", "difficulty must be a whole number, not yes"),
        ("difficulty: 1", "difficulty: 0", "difficulty must be between 1 and 3, not 0"),
        ("difficulty: 1", "difficulty: 1.5", "difficulty must be a whole number, not 1.5"),
        ("difficulty: 1", 'difficulty: "1"', "difficulty must be a whole number, not '1'"),
        (
            "id: shop-single",
            "id: Shop_Single",
            "id 'Shop_Single' is not valid: use a-z, 0-9 and single hyphens",
        ),
        ("id: shop-single", "id: 123", "id must be text, not 123; put it in quotes"),
    ],
)
def test_wrong_scalar_types(old, new, message):
    files = edit(valid_files(), WELCOME_QUIZ, old, new)
    assert only_problem(files) == f"{WELCOME_QUIZ}:{welcome_line(old)}: {message}"


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ('answer: "yes"', "answer must be true or false without quotes, not 'yes'"),
        ('answer: "false"', "answer must be true or false without quotes, not 'false'"),
        ("answer: 0", "answer must be true or false, not 0"),
        ("answer:", "answer must be true or false, not nothing"),
    ],
)
def test_true_false_answer_must_be_a_real_boolean(new, message):
    files = edit(valid_files(), WELCOME_QUIZ, "answer: false", new)
    assert only_problem(files) == f"{WELCOME_QUIZ}:{welcome_line('answer: false')}: {message}"


def test_correct_flag_must_be_a_real_boolean():
    files = edit(valid_files(), WELCOME_QUIZ, "correct: true", 'correct: "true"')
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('correct: true')}: "
        "correct must be true or false without quotes, not 'true'"
    )


def test_unquoted_seed():
    files = edit(valid_files(), WELCOME_QUIZ, 'seed: "000"', "seed: 000")
    assert only_problem(files) == (
        f'{WELCOME_QUIZ}:{welcome_line("seed:")}: seed must be in quotes, like seed: "000"'
    )


def test_sources_must_not_be_empty():
    old = '    sources:\n      - seed: "000"\n        where: "ch.2"\n'
    files = edit(valid_files(), WELCOME_QUIZ, old, "    sources: []\n")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('sources:')}: sources must list at least one item"
    )


# --------------------------------------------------------------------------- languages


def test_missing_language_in_prompt():
    files = edit(valid_files(), WELCOME_QUIZ, "      en: Question shop-multiple\n", "")
    line = welcome_line("zh: 题目 shop-multiple")
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: missing key 'en' in prompt"


def test_prompt_must_be_a_language_map():
    old = "    prompt:\n      zh: 题目 shop-single\n      en: Question shop-single\n"
    files = edit(valid_files(), WELCOME_QUIZ, old, "    prompt: Which one?\n")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('prompt:')}: prompt must be a mapping of keys, "
        "not 'Which one?'"
    )


def test_missing_language_in_an_option():
    files = edit(valid_files(), WELCOME_QUIZ, "        en: Option b\n", "")
    line = welcome_line("id: b")
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: missing key 'en' in an option"


def test_missing_language_in_explanation_and_situation():
    files = edit(valid_files(), WELCOME_QUIZ, "      zh: 买家说：太慢了！\n", "")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{line_of(files[WELCOME_QUIZ], 'The buyer')}: missing key 'zh' in situation"
    )
    files = edit(valid_files(), ORDERS_QUIZ, "      zh: 因为如此。\n", "")
    assert only_problem(files) == (
        f"{ORDERS_QUIZ}:{line_of(files[ORDERS_QUIZ], 'en: Because.')}: "
        "missing key 'zh' in explanation"
    )


def test_missing_language_in_a_pair():
    files = edit(valid_files(), WELCOME_QUIZ, "left: {zh: 左2, en: Left 2}", "left: {zh: 左2}")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('left: {zh: 左2')}: missing key 'en' in left"
    )


def test_empty_text_is_refused():
    files = edit(valid_files(), WELCOME_QUIZ, "zh: 选项a", "zh: ''")
    assert (
        only_problem(files) == f"{WELCOME_QUIZ}:{welcome_line('zh: 选项a')}: zh must not be empty"
    )


# --------------------------------------------------------------------------- ids


def test_duplicate_question_id_in_one_file():
    files = edit(valid_files(), WELCOME_QUIZ, "id: shop-multiple", "id: shop-single")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('id: shop-multiple')}: duplicate question id "
        f"'shop-single' (also {WELCOME_QUIZ}:{welcome_line('id: shop-single')}); "
        "ids must be unique across all quizzes"
    )


def test_duplicate_question_id_across_files():
    files = edit(valid_files(), ORDERS_QUIZ, "id: refund-single", "id: shop-case")
    assert only_problem(files) == (
        f"{ORDERS_QUIZ}:{line_of(ORDERS_TEXT, 'id: refund-single')}: duplicate question id "
        f"'shop-case' (also {WELCOME_QUIZ}:{welcome_line('id: shop-case')}); "
        "ids must be unique across all quizzes"
    )


def test_duplicate_id_of_an_invalid_question_is_still_reported():
    files = edit(valid_files(), ORDERS_QUIZ, "id: refund-single", "id: shop-case")
    edit(files, ORDERS_QUIZ, "difficulty: 1", "difficulty: 5")
    assert len(problems(files)) == 2


# --------------------------------------------------------------------------- options


def single_with(*correct: bool) -> dict[str, str]:
    """The valid tree with the first (single) question's options replaced."""
    return edit(valid_files(), WELCOME_QUIZ, SINGLE, options_yaml(*correct))


def test_single_needs_exactly_one_correct_option():
    line = welcome_line("options:")
    assert only_problem(single_with(True, True, False)) == (
        f"{WELCOME_QUIZ}:{line}: a single question needs exactly one option with correct: true, "
        "found 2"
    )
    assert only_problem(single_with(False, False)) == (
        f"{WELCOME_QUIZ}:{line}: a single question needs exactly one option with correct: true, "
        "found 0"
    )


def test_case_needs_exactly_one_correct_option():
    files = edit(valid_files(), WELCOME_QUIZ, options_yaml(False, True), options_yaml(True, True))
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('options:', 3)}: a case question needs exactly one option "
        "with correct: true, found 2"
    )


def test_multiple_needs_at_least_two_correct_options():
    files = edit(valid_files(), WELCOME_QUIZ, MULTIPLE, options_yaml(True, False, False))
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('options:', 2)}: a multiple question needs at least two "
        "options with correct: true, found 1 (use type single for one right answer)"
    )


def test_option_count_is_2_to_6():
    line = welcome_line("options:")
    assert only_problem(single_with(True)) == (
        f"{WELCOME_QUIZ}:{line}: options must list 2 to 6 entries, not 1"
    )
    assert only_problem(single_with(True, *[False] * 6)) == (
        f"{WELCOME_QUIZ}:{line}: options must list 2 to 6 entries, not 7"
    )
    assert problems(single_with(True, *[False] * 5)) == []


def test_duplicate_option_id():
    files = edit(valid_files(), WELCOME_QUIZ, "      - id: c", "      - id: a")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('- id: c')}: duplicate option id 'a' "
        f"(also line {welcome_line('- id: a')})"
    )


def test_option_id_must_be_a_slug():
    files = edit(valid_files(), WELCOME_QUIZ, "      - id: b", "      - id: B")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('- id: b')}: id 'B' is not valid: use a-z, 0-9 and single "
        "hyphens"
    )


def test_unknown_key_in_an_option():
    files = edit(valid_files(), WELCOME_QUIZ, "        correct: true", "        right: true")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('correct: true')}: unknown key 'right' in an option "
        "(allowed: id, zh, en, correct)"
    )


# --------------------------------------------------------------------------- ordering, matching


def test_ordering_needs_3_to_7_items():
    line = welcome_line("items:")
    files = edit(valid_files(), WELCOME_QUIZ, ORDERING, items_yaml(2))
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: items must list 3 to 7 entries, not 2"
    files = edit(valid_files(), WELCOME_QUIZ, ORDERING, items_yaml(8))
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: items must list 3 to 7 entries, not 8"
    assert problems(edit(valid_files(), WELCOME_QUIZ, ORDERING, items_yaml(7))) == []


def test_duplicate_item_id():
    files = edit(valid_files(), WELCOME_QUIZ, "- id: s3", "- id: s1")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('- id: s3')}: duplicate item id 's1' "
        f"(also line {welcome_line('- id: s1')})"
    )


def test_matching_needs_3_to_6_pairs():
    line = welcome_line("pairs:")
    files = edit(valid_files(), WELCOME_QUIZ, MATCHING, pairs_yaml(2))
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: pairs must list 3 to 6 entries, not 2"
    files = edit(valid_files(), WELCOME_QUIZ, MATCHING, pairs_yaml(7))
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: pairs must list 3 to 6 entries, not 7"


def test_matching_rights_must_differ():
    files = edit(
        valid_files(),
        WELCOME_QUIZ,
        "right: {zh: 右3, en: Right 3}",
        "right: {zh: 右3, en: Right 1}",
    )
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('right: {zh: 右3')}: pair 'p3' has the same English right "
        "side as pair 'p1'; each right side must differ"
    )


# --------------------------------------------------------------------------- short answers


def test_short_needs_accepted_answers_in_both_languages():
    files = edit(valid_files(), WELCOME_QUIZ, '      en: ["50", "fifty"]\n', "")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('zh: [' + chr(34) + '50')}: missing key 'en' in accepted"
    )
    files = edit(valid_files(), WELCOME_QUIZ, 'en: ["50", "fifty"]', "en: []")
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('en: [' + chr(34) + '50')}: accepted en must list at "
        "least one item"
    )


def test_accepted_answers_must_be_quoted_text():
    files = edit(valid_files(), WELCOME_QUIZ, 'zh: ["50", "五十"]', 'zh: [50, "五十"]')
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('zh: [' + chr(34) + '50')}: accepted zh must be text, "
        "not 50; put it in quotes"
    )


def test_accepted_answer_of_only_punctuation_is_refused():
    files = edit(valid_files(), WELCOME_QUIZ, '"五十"', '"。！"')
    assert only_problem(files) == (
        f"{WELCOME_QUIZ}:{welcome_line('zh: [' + chr(34) + '50')}: accepted answer '。！' is only "
        "spaces and punctuation, so it can never be matched"
    )


# --------------------------------------------------------------------------- lesson links


@pytest.mark.parametrize(
    ("link", "message"),
    [
        ("ghost/the-shop", "lesson 'ghost/the-shop': no module 'ghost'"),
        ("welcome/ghost", "lesson 'welcome/ghost': no lesson 'ghost' in module 'welcome'"),
        (
            "welcome/the-shop#ghost",
            "lesson 'welcome/the-shop#ghost': modules/01-welcome/01-the-shop.zh.md has no "
            "section 'ghost'",
        ),
        (
            "the-shop",
            "lesson 'the-shop' is not valid: write MODULE/LESSON or MODULE/LESSON#section",
        ),
        (
            "welcome/the-shop#",
            "lesson 'welcome/the-shop#' is not valid: write MODULE/LESSON or MODULE/LESSON#section",
        ),
    ],
)
def test_bad_lesson_link(link, message):
    files = edit(
        valid_files(), WELCOME_QUIZ, "lesson: welcome/the-shop#what-we-sell", f"lesson: {link}"
    )
    line = welcome_line("lesson: welcome/the-shop#what-we-sell")
    assert only_problem(files) == f"{WELCOME_QUIZ}:{line}: {message}"


def test_a_lesson_of_another_module_is_fine():
    bank = parse_quizzes(valid_files(), curriculum())
    assert bank.question("shop-case").lesson == "orders/refunds"
    assert bank.question("shop-case").module_slug == "welcome"


# --------------------------------------------------------------------------- the exam


def exam_line(needle: str) -> int:
    """Line of ``needle`` in the valid exam file."""
    return line_of(EXAM_TEXT, needle)


def test_exam_cannot_draw_more_questions_than_the_bank_holds():
    files = edit(valid_files(), EXAM, "questions: 6", "questions: 9")
    assert only_problem(files) == (
        f"{EXAM}:{exam_line('questions: 6')}: draw asks for 9 questions but the quizzes hold only 8"
    )
    assert problems(edit(valid_files(), EXAM, "questions: 6", "questions: 8")) == []


def test_unknown_balance_key():
    files = edit(valid_files(), EXAM, "[module, difficulty]", "[module, lesson]")
    assert only_problem(files) == (
        f"{EXAM}:{exam_line('balance:')}: balance must be one of module, difficulty, topic, "
        "not 'lesson'"
    )


def test_balance_key_twice():
    files = edit(valid_files(), EXAM, "[module, difficulty]", "[module, module]")
    assert only_problem(files) == f"{EXAM}:{exam_line('balance:')}: balance lists 'module' twice"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("questions: 6", "questions: 0", "questions must be 1 or more, not 0"),
        ("questions: 6", "questions: many", "questions must be a whole number, not 'many'"),
        (
            "review: after_last_attempt",
            "review: later",
            "review must be one of always, after_pass, after_last_attempt, never, not 'later'",
        ),
        (
            "slug: final-exam",
            "slug: Final",
            "slug 'Final' is not valid: use a-z, 0-9 and single hyphens",
        ),
    ],
)
def test_bad_exam_values(old, new, message):
    files = edit(valid_files(), EXAM, old, new)
    assert only_problem(files) == f"{EXAM}:{exam_line(old)}: {message}"


def test_exam_keys():
    files = edit(valid_files(), EXAM, "draw:", "pick:")
    assert problems(files) == [
        f"{EXAM}:1: missing key 'draw' in exam.yaml",
        f"{EXAM}:{exam_line('draw:')}: unknown key 'pick' in exam.yaml "
        "(allowed: slug, title, settings, draw)",
    ]
    files = edit(
        valid_files(), EXAM, "title: {zh: 转正考试, en: Probation exam}", "title: {zh: 转正考试}"
    )
    assert only_problem(files) == f"{EXAM}:{exam_line('title:')}: missing key 'en' in title"


def test_exam_settings_default():
    files = valid_files()
    files[EXAM] = "slug: final\ntitle: {zh: 考试, en: Exam}\ndraw: {questions: 3}\n"
    exam = parse_quizzes(files, curriculum()).exam
    assert exam == ExamSpec("final", {"zh": "考试", "en": "Exam"}, QuizSettings(), 3, (), EXAM)


# --------------------------------------------------------------------------- purity


def test_quiz_modules_do_not_import_flask_or_sqlalchemy():
    """The checker, grading, draw and import must run without the app (e.g. in a CLI or CI)."""
    training = Path(__file__).resolve().parents[2] / "training"
    # The package also holds the app's database models, which may of course use SQLAlchemy.
    pure = ("__init__", "schema", "parser", "grading", "draw", "gift")
    checked = [
        *(training / "quizzes" / f"{name}.py" for name in pure),
        training / "curriculum" / "parser.py",
        training / "curriculum" / "schema.py",
    ]
    offenders = {}
    for path in checked:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and node.module not in pure:
                # A relative import of a sibling that is not pure (models) would pull it in.
                names.add(f"relative:{node.module}")
        bad = sorted(n for n in names if n.split("_")[0] in ("flask", "sqlalchemy") or ":" in n)
        if bad:
            offenders[path.name] = bad
    assert len(checked) >= 8
    assert offenders == {}
