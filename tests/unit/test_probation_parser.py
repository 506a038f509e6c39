"""Tests for the probation policy checker: every problem is reported at its exact path:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.curriculum.schema import ContentError
from training.probation.parser import check_policy, is_policy_path, parse_policy, tidy_passage
from training.probation.schema import (
    CRITERIA,
    DEFAULT_POLICY,
    FinalExamCriterion,
    LessonsCriterion,
    LiveRoleplayCriterion,
    ModuleQuizzesCriterion,
    Passage,
    Policy,
    ScenariosCriterion,
    TypingCriterion,
    TypingSettings,
)
from training.probation.typing_test import count_chars

CONTENT = Path(__file__).resolve().parents[2] / "content"
PATH = "probation.yaml"
ZH_TEXT = "您好，欢迎光临悦购小铺！我是客服小悦，很高兴为您服务，请问有什么可以帮您？"
EN_TEXT = "Hello, welcome to Yuego Shop! I'm Xiaoyue, happy to help you today."

# Line numbers matter: the tests below point at them.
VALID = f"""minimum_days: 0
criteria:
  lessons: {{}}
  module_quizzes: {{}}
  final_exam: {{min_score: 80}}
  scenarios: {{average_at_least: 75, no_fatal: true}}
  typing: {{chars_per_minute: 50, accuracy: 95}}
  live_roleplay: {{min_score: 70}}
typing:
  seconds: 120
  passages:
    - id: zh-one
      lang: zh
      text: {ZH_TEXT}
    - id: en-one
      lang: en
      text: {EN_TEXT}
"""


def problems(text: str) -> list[str]:
    """Every problem the checker reports for ``text`` as probation.yaml, as strings."""
    return [str(problem) for problem in check_policy({PATH: text})]


def edit(old: str, new: str, text: str = VALID) -> str:
    """VALID with one exact, unique change (so a typo in a test cannot pass silently)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --------------------------------------------------------------------------- valid files


def test_a_valid_policy_parses_in_file_order():
    policy = parse_policy({PATH: VALID, "glossary.yaml": "not read here: ["})
    assert policy == Policy(
        minimum_days=0,
        criteria=(
            LessonsCriterion(),
            ModuleQuizzesCriterion(),
            FinalExamCriterion(80),
            ScenariosCriterion(average_at_least=75, no_fatal=True),
            TypingCriterion(chars_per_minute=50, accuracy=95),
            LiveRoleplayCriterion(70),
        ),
        typing=TypingSettings(
            seconds=120,
            passages=(Passage("zh-one", "zh", ZH_TEXT), Passage("en-one", "en", EN_TEXT)),
        ),
        path=PATH,
    )
    assert policy.keys == CRITERIA
    assert policy.criterion("final_exam") == FinalExamCriterion(80)
    assert policy.typing is not None
    assert policy.typing.passages_in("en") == (Passage("en-one", "en", EN_TEXT),)
    assert policy.typing.passage("zh-one") == Passage("zh-one", "zh", ZH_TEXT)
    assert policy.typing.passage("gone") is None


def test_criteria_may_be_left_out_and_keep_the_authors_order():
    text = """minimum_days: 14
criteria:
  final_exam: {min_score: 90}
  lessons: {}
"""
    policy = parse_policy({PATH: text})
    assert policy.keys == ("final_exam", "lessons")
    assert policy.criterion("typing") is None
    assert policy.typing is None
    assert policy.minimum_days == 14


def test_a_typing_section_without_the_criterion_is_allowed_for_practice():
    text = edit("  typing: {chars_per_minute: 50, accuracy: 95}\n", "")
    policy = parse_policy({PATH: text})
    assert policy.criterion("typing") is None
    assert policy.typing is not None


def test_without_the_file_the_default_policy_applies():
    assert parse_policy({"glossary.yaml": ""}) is DEFAULT_POLICY
    assert check_policy({}) == []
    assert DEFAULT_POLICY.criterion("typing") is None  # typing needs passages from the file
    assert DEFAULT_POLICY.minimum_days == 0


def test_folded_chinese_lines_join_without_spaces():
    text = edit(
        f"      text: {ZH_TEXT}\n",
        "      text: >-\n        您好，欢迎光临悦购小铺！\n"
        "        我是客服小悦，很高兴为您服务，请问有什么可以帮您？\n",
    )
    policy = parse_policy({PATH: text})
    assert policy.typing is not None
    assert policy.typing.passages[0].text == ZH_TEXT
    assert (
        tidy_passage("Hello,\n  welcome   to iPhone 15 的\n店铺")
        == "Hello, welcome to iPhone 15 的店铺"
    )


def test_the_shipped_policy_is_valid_and_has_enough_passages():
    files = {PATH: (CONTENT / PATH).read_text(encoding="utf-8")}
    assert check_policy(files) == []
    policy = parse_policy(files)
    assert policy.minimum_days == 0  # the fastest learner may be confirmed early
    assert policy.criterion("typing") == TypingCriterion(chars_per_minute=50, accuracy=95)
    assert policy.typing is not None
    zh = policy.typing.passages_in("zh")
    assert len(zh) >= 3
    assert len(policy.typing.passages_in("en")) >= 3
    assert all(120 <= count_chars(passage.text, "zh") <= 200 for passage in zh)


def test_is_policy_path():
    assert is_policy_path("probation.yaml")
    assert not is_policy_path("modules/01-welcome/probation.yaml")


# --------------------------------------------------------------------------- the file


def test_an_empty_file_is_refused():
    assert problems("# nothing yet\n") == [
        "probation.yaml:1: probation.yaml is empty (delete it to use the defaults)"
    ]


def test_invalid_yaml_is_reported_at_its_line():
    assert problems(edit("  lessons: {}\n", "  lessons: [}\n")) == [
        "probation.yaml:3: invalid YAML: while parsing a flow node: expected the node content, "
        "but found '}'"
    ]


def test_the_root_must_be_a_mapping():
    assert problems("- minimum_days\n") == [
        "probation.yaml:1: probation.yaml must be a mapping of keys, not a list"
    ]


def test_unknown_and_missing_top_level_keys():
    text = edit("minimum_days: 0\n", "minimum_day: 0\n")
    assert problems(text) == [
        "probation.yaml:1: missing key 'minimum_days' in probation.yaml",
        "probation.yaml:1: unknown key 'minimum_day' in probation.yaml "
        "(allowed: minimum_days, criteria, typing)",
    ]


def test_missing_criteria():
    assert problems("minimum_days: 3\n") == [
        "probation.yaml:1: missing key 'criteria' in probation.yaml"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "minimum_days must be a whole number, not yes"),
        ('"7"', "minimum_days must be a whole number, not '7'"),
        ("7.5", "minimum_days must be a whole number, not 7.5"),
        ("-1", "minimum_days must be between 0 and 365, not -1"),
        ("400", "minimum_days must be between 0 and 365, not 400"),
    ],
)
def test_minimum_days_must_be_a_whole_number_of_days(value, message):
    assert problems(edit("minimum_days: 0\n", f"minimum_days: {value}\n")) == [
        f"probation.yaml:1: {message}"
    ]


# --------------------------------------------------------------------------- criteria


def test_criteria_must_not_be_empty():
    text = "minimum_days: 0\ncriteria: {}\n"
    assert problems(text) == ["probation.yaml:2: criteria must name at least one criterion"]


def test_criteria_must_be_a_mapping():
    text = "minimum_days: 0\ncriteria:\n  - lessons\n"
    assert problems(text) == ["probation.yaml:3: criteria must be a mapping of keys, not a list"]


def test_an_unknown_criterion():
    text = edit("  module_quizzes: {}\n", "  quizzes: {}\n")
    assert problems(text) == [
        "probation.yaml:4: unknown key 'quizzes' in criteria (allowed: lessons, "
        "module_quizzes, final_exam, scenarios, typing, live_roleplay)"
    ]


def test_a_criterion_written_twice():
    text = edit("  module_quizzes: {}\n", "  module_quizzes: {}\n  lessons: {}\n")
    assert problems(text) == ["probation.yaml:5: duplicate key 'lessons' in criteria"]


def test_lessons_and_quizzes_take_no_settings():
    text = edit("  lessons: {}\n", "  lessons: {all: true}\n")
    text = edit("  module_quizzes: {}\n", "  module_quizzes:\n", text)
    assert problems(text) == [
        "probation.yaml:3: unknown key 'all' in criteria.lessons: it has no settings",
        "probation.yaml:4: criteria.module_quizzes must be {} (it has no settings), not nothing",
    ]


def test_final_exam_needs_a_score_between_1_and_100():
    assert problems(edit("{min_score: 80}", "{}")) == [
        "probation.yaml:5: missing key 'min_score' in criteria.final_exam"
    ]
    assert problems(edit("{min_score: 80}", "{min_score: 0}")) == [
        "probation.yaml:5: min_score must be between 1 and 100, not 0"
    ]
    assert problems(edit("{min_score: 80}", "{min_score: 80.5}")) == [
        "probation.yaml:5: min_score must be a whole number, not 80.5"
    ]
    assert problems(edit("{min_score: 80}", "{min_score: true}")) == [
        "probation.yaml:5: min_score must be a whole number, not true"
    ]


def test_scenario_settings_refuse_quoted_and_numeric_booleans():
    assert problems(edit("no_fatal: true", 'no_fatal: "yes"')) == [
        "probation.yaml:6: no_fatal must be true or false without quotes, not 'yes'"
    ]
    assert problems(edit("no_fatal: true", "no_fatal: 1")) == [
        "probation.yaml:6: no_fatal must be true or false, not 1"
    ]
    assert problems(edit("average_at_least: 75", "average_at_least: 101")) == [
        "probation.yaml:6: average_at_least must be between 0 and 100, not 101"
    ]
    assert problems(edit("average_at_least: 75, ", "")) == [
        "probation.yaml:6: missing key 'average_at_least' in criteria.scenarios"
    ]


def test_scenario_settings_on_several_lines_point_at_the_value():
    text = edit(
        "  scenarios: {average_at_least: 75, no_fatal: true}\n",
        "  scenarios:\n    average_at_least: 75\n    no_fatal: no\n    typo: 1\n",
    )
    # `no` is a YAML boolean (false), so it is accepted; the unknown key is not.
    assert problems(text) == [
        "probation.yaml:9: unknown key 'typo' in criteria.scenarios "
        "(allowed: average_at_least, no_fatal)"
    ]


def test_typing_thresholds_must_be_plausible():
    text = edit("{chars_per_minute: 50, accuracy: 95}", "{chars_per_minute: 500, accuracy: 0}")
    assert problems(text) == [
        "probation.yaml:7: accuracy must be between 1 and 100, not 0",
        "probation.yaml:7: chars_per_minute must be between 1 and 400, not 500",
    ]


def test_live_roleplay_needs_a_min_score():
    assert problems(edit("{min_score: 70}", "{min_score: '70'}")) == [
        "probation.yaml:8: min_score must be a whole number, not '70'"
    ]


def test_the_typing_criterion_needs_the_typing_section():
    text = VALID.split("typing:\n  seconds")[0]
    assert problems(text) == [
        "probation.yaml:7: the typing criterion needs a typing: section with the passages to type"
    ]


def test_a_broken_typing_section_is_reported_once():
    text = edit("  seconds: 120\n", "  seconds: 10\n")
    assert problems(text) == ["probation.yaml:10: seconds must be between 30 and 600, not 10"]


# --------------------------------------------------------------------------- passages


def test_typing_needs_seconds_and_passages():
    text = VALID.split("  passages:")[0]
    assert problems(text) == ["probation.yaml:10: missing key 'passages' in typing"]


def test_passages_must_not_be_empty():
    text = VALID.split("  passages:")[0] + "  passages: []\n"
    assert problems(text) == ["probation.yaml:11: passages must list at least one passage"]
    text = VALID.split("  passages:")[0] + "  passages: none\n"
    assert problems(text) == ["probation.yaml:11: passages must be a list, not 'none'"]


def test_duplicate_passage_ids():
    assert problems(edit("id: en-one", "id: zh-one")) == [
        "probation.yaml:15: duplicate passage id 'zh-one' (also line 12)"
    ]


def test_passage_language_must_be_zh_or_en():
    assert problems(edit("lang: en", "lang: fr")) == [
        "probation.yaml:16: lang must be zh or en, not 'fr'"
    ]


def test_each_language_needs_a_passage():
    text = VALID.split("    - id: en-one")[0]
    assert problems(text) == [
        "probation.yaml:12: passages must include at least one English (en) passage"
    ]


def test_passage_keys():
    text = edit("      lang: en\n", "      language: en\n")
    assert problems(text) == [
        "probation.yaml:15: missing key 'lang' in a passage",
        "probation.yaml:16: unknown key 'language' in a passage (allowed: id, lang, text)",
    ]


def test_passage_text_must_not_be_empty():
    assert problems(edit(f"text: {EN_TEXT}", "text:")) == [
        "probation.yaml:17: text must not be empty"
    ]


def test_passage_id_must_be_a_slug():
    assert problems(edit("id: zh-one", "id: Zh One")) == [
        "probation.yaml:12: id 'Zh One' is not valid: use a-z, 0-9 and single hyphens"
    ]


def test_passage_text_must_be_in_its_language():
    assert problems(edit(f"text: {ZH_TEXT}", f"text: {EN_TEXT}")) == [
        "probation.yaml:14: a Chinese (zh) passage must be written in Chinese characters"
    ]
    assert problems(edit(f"text: {EN_TEXT}", "text: Hello 您好, welcome to Yuego Shop today!")) == [
        "probation.yaml:17: an English (en) passage must not contain Chinese characters"
    ]


def test_passage_length_is_counted_like_the_typing_test():
    assert problems(edit(f"text: {ZH_TEXT}", "text: 您好， 欢迎 光临！")) == [
        "probation.yaml:14: a passage must have 20 to 1000 characters as the typing test "
        "counts them, not 8"
    ]


def test_every_problem_is_reported_at_once_and_sorted():
    text = edit("minimum_days: 0", "minimum_days: no")
    text = edit("{min_score: 80}", "{min_score: 800}", text)
    text = edit("lang: en", "lang: de", text)
    with pytest.raises(ContentError) as caught:
        parse_policy({PATH: text})
    assert [str(problem) for problem in caught.value.problems] == [
        "probation.yaml:1: minimum_days must be a whole number, not no",
        "probation.yaml:5: min_score must be between 1 and 100, not 800",
        "probation.yaml:16: lang must be zh or en, not 'de'",
    ]
