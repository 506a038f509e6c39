"""The scenario checker: every kind of problem is reported at its exact path:line."""

from __future__ import annotations

import copy

import pytest
import yaml

from training.curriculum.parser import parse_tree
from training.curriculum.schema import ContentError, Curriculum, Problem, Source
from training.roleplay.parser import check_scenarios, is_scenario_path, parse_scenarios
from training.roleplay.schema import (
    LEFT_ENDING,
    Condition,
    Outcome,
    Persona,
    Policy,
    Rule,
)

PATH = "scenarios/haggler.yaml"


# --------------------------------------------------------------------------- the fixture tree


def lesson_md(lang: str, title: str) -> str:
    """A valid lesson with one section, ``holding-the-line``."""
    return f"""---
slug: bargaining
order: 1
title: {title}
minutes: 5
prerequisites: []
objectives:
  - {title}
sources:
  - seed: "001"
    where: "ch.14"
---
## {title} {{#holding-the-line}}

Text in {lang}.
"""


CURRICULUM_FILES = {
    "modules/01-scripts/module.yaml": """slug: scripts
order: 1
title: {zh: 话术, en: Scripts}
summary: {zh: 话术技巧。, en: Scripts.}
prerequisites: []
sources:
  - seed: "000"
    where: "ch.6"
""",
    "modules/01-scripts/01-bargaining.zh.md": lesson_md("zh", "议价"),
    "modules/01-scripts/01-bargaining.en.md": lesson_md("en", "Bargaining"),
}


@pytest.fixture(scope="module")
def curriculum() -> Curriculum:
    """The fixture curriculum, parsed once."""
    return parse_tree(CURRICULUM_FILES)


def L(zh: str, en: str) -> dict[str, str]:
    """A text in both languages."""
    return {"zh": zh, "en": en}


def options(good_moves: list[str]) -> list[dict]:
    """Three choice-mode options, one of them clean."""
    return [
        {"id": "a", "text": L("亲，您好！", "Hi!"), "moves": good_moves, "violations": []},
        {"id": "b", "text": L("不行。", "No."), "moves": [], "violations": ["flat_refusal"]},
        {
            "id": "c",
            "text": L("加我微信。", "Add me on WeChat."),
            "moves": [],
            "violations": ["off_platform"],
        },
    ]


def outcome(bought: bool, value: int) -> dict:
    """An ending's outcome."""
    return {"bought": bought, "order_value": value, "review": "none", "complaint": False}


def scenario() -> dict:
    """A valid scenario: open -> offer (good) or push-back (else); push-back loops when poor."""
    return copy.deepcopy(
        {
            "slug": "haggler",
            "title": L("买家砍价", "The haggler"),
            "summary": L("想便宜点的买家。", "A buyer who wants a lower price."),
            "module": "scripts",
            "lessons": ["scripts/bargaining#holding-the-line"],
            "sources": [{"seed": "001", "where": "ch.14 §306-322"}],
            "required": True,
            "persona": {
                "type": "haggler",
                "name": L("小李", "Xiao Li"),
                "description": L("爱砍价。", "Loves a bargain."),
                "mood": 0,
                "patience": 2,
            },
            "facts": {
                "product": L("硅胶手机壳", "Silicone phone case"),
                "price": 39,
                "order_status": "none",
                "policy": {"max_discount": 5, "max_compensation": 0, "refund": True},
            },
            "response_seconds": 60,
            "pass_mark": 70,
            "dimensions": ["courtesy", "solution"],
            "turns": [
                {
                    "id": "open",
                    "buyer": L("能便宜点吗？", "Can it be cheaper?"),
                    "expect": ["greeting", "explain"],
                    "model": L("亲，您好！39元已经是活动价啦。", "Hi! 39 yuan is the sale price."),
                    "options": options(["greeting", "explain"]),
                    "next": [
                        {"when": {"violation": True}, "ending": "annoyed"},
                        {"when": {"score_at_least": 70}, "goto": "offer"},
                        {"goto": "push-back"},
                    ],
                },
                {
                    "id": "offer",
                    "buyer": L("那就拍了。", "I'll take it then."),
                    "expect": ["thanks_close"],
                    "model": L("感谢支持，祝您生活愉快！", "Thank you, have a nice day!"),
                    "options": options(["thanks_close"]),
                    "next": [{"ending": "bought"}],
                },
                {
                    "id": "push-back",
                    "buyer": L("就便宜5块嘛。", "Just 5 yuan off?"),
                    "expect": ["solution"],
                    "options": options(["solution"]),
                    "next": [
                        {"when": {"violation": True}, "ending": "annoyed"},
                        {"when": {"score_at_least": 50}, "goto": "offer"},
                        {"goto": "push-back"},
                    ],
                },
            ],
            "endings": [
                {"id": "bought", "outcome": outcome(True, 39), "buyer": L("好的。", "OK.")},
                {"id": "annoyed", "outcome": outcome(False, 0), "buyer": L("算了。", "Bye.")},
                {"id": "left", "outcome": outcome(False, 0), "buyer": L("走了。", "Gone.")},
            ],
            "calibration": [
                {"turn": "open", "lang": "zh", "reply": "亲，您好！", "band": [70, 100]},
                {"turn": "open", "lang": "en", "reply": "Hello!", "band": [70, 100]},
                {"turn": "open", "lang": "zh", "reply": "不行。", "band": [0, 30]},
                {"turn": "open", "lang": "en", "reply": "No.", "band": [0, 30]},
            ],
        }
    )


def dump(data: dict) -> str:
    """Write ``data`` as a scenario file."""
    # Flow style for leaf lists and mappings, as authors write them: `band: [0, 30]`.
    return yaml.safe_dump(
        data, allow_unicode=True, sort_keys=False, width=200, default_flow_style=None
    )


def problems_of(text: str, curriculum: Curriculum, path: str = PATH) -> list[Problem]:
    """Every problem of ``text`` as the file at ``path``."""
    return check_scenarios({**CURRICULUM_FILES, path: text}, curriculum)


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first line containing ``needle`` (after the line with ``after``)."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def only_problem(text: str, curriculum: Curriculum) -> Problem:
    """The one problem of ``text`` (fails when there are others)."""
    problems = problems_of(text, curriculum)
    assert len(problems) == 1, problems
    return problems[0]


# --------------------------------------------------------------------------- valid files


def test_a_valid_scenario_parses_into_frozen_values(curriculum):
    scenarios = parse_scenarios({**CURRICULUM_FILES, PATH: dump(scenario())}, curriculum)
    haggler = scenarios["haggler"]
    assert haggler.path == PATH
    assert haggler.required is True
    assert haggler.lessons == ("scripts/bargaining#holding-the-line",)
    assert haggler.sources == (Source("001", "ch.14 §306-322"),)
    assert haggler.persona == Persona(
        "haggler", L("小李", "Xiao Li"), L("爱砍价。", "Loves a bargain."), 0, 2
    )
    assert haggler.facts.policy == Policy(5, 0, True, None)
    assert haggler.facts.bundle is None and haggler.facts.tracking is None
    assert haggler.terms == ()
    assert [turn.id for turn in haggler.turns] == ["open", "offer", "push-back"]
    assert haggler.first_turn.id == "open"
    open_turn = haggler.turn("open")
    assert open_turn.bonus == () and open_turn.keywords == {"zh": (), "en": ()}
    assert open_turn.next[0] == Rule(
        Condition(violation=True), None, "annoyed", open_turn.next[0].line
    )
    assert open_turn.option("b").violations == ("flat_refusal",)
    assert haggler.turn("push-back").model is None  # off the model path, so allowed
    assert haggler.ending(LEFT_ENDING).outcome == Outcome(False, 0, "none", False)
    assert haggler.calibration[2].band == (0, 30)
    text = dump(scenario())
    assert open_turn.line == line_of(text, "- id: open")
    assert haggler.calibration[0].line == line_of(text, "- turn: open")
    with pytest.raises(KeyError):
        haggler.turn("nope")


def test_only_scenario_files_are_read():
    assert is_scenario_path("scenarios/x.yaml")
    assert not is_scenario_path("scenarios/x.yml")
    assert not is_scenario_path("scenarios/deeper/x.yaml")
    assert not is_scenario_path("modules/01-scripts/module.yaml")


def test_no_scenarios_is_fine(curriculum):
    assert parse_scenarios(CURRICULUM_FILES, curriculum) == {}


def test_optional_keys_are_read_when_given(curriculum):
    data = scenario()
    data["terms"] = ["手机壳"]
    data["facts"].update(
        order_id="YG1",
        tracking="SF1",
        address=L("上海", "Shanghai"),
        promotion=L("满99包邮", "Free shipping over 99"),
        bundle={"item": L("钢化膜", "Screen protector"), "price": 19.5},
    )
    data["facts"]["policy"]["gift"] = L("收纳扣", "a clip")
    data["turns"][0]["bonus"] = ["recommend"]
    data["turns"][0]["keywords"] = {"zh": ["活动价"], "en": ["sale price"]}
    haggler = parse_scenarios({PATH: dump(data)}, parse_tree(CURRICULUM_FILES))["haggler"]
    assert haggler.terms == ("手机壳",)
    assert haggler.facts.bundle.price == 19.5 and haggler.facts.order_id == "YG1"
    assert haggler.facts.policy.gift == L("收纳扣", "a clip")
    assert haggler.turn("open").keywords == {"zh": ("活动价",), "en": ("sale price",)}


# --------------------------------------------------------------------------- YAML and keys


def test_invalid_yaml_names_the_line(curriculum):
    text = dump(scenario()).replace("required: true", "required: [true")
    problem = problems_of(text, curriculum)[0]
    assert problem.path == PATH and "invalid YAML" in problem.message


def test_an_empty_file(curriculum):
    assert problems_of("", curriculum) == [Problem(PATH, 1, "scenario file is empty")]


def test_unknown_keys_are_reported_where_they_are(curriculum):
    data = scenario()
    data["colour"] = "red"
    data["turns"][1]["hint"] = "x"
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (line_of(text, "hint:"), "unknown key 'hint' in a turn"),
        (line_of(text, "colour:"), "unknown key 'colour' in the scenario"),
    ]
    assert "allowed: id, buyer, expect, bonus, keywords, model" in problems[0].message


def test_a_missing_key_is_reported_at_its_mapping(curriculum):
    data = scenario()
    del data["facts"]["policy"]["refund"]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem == Problem(
        PATH, line_of(text, "max_discount:"), "missing key 'refund' in policy"
    )


def test_slug_must_match_the_file_name(curriculum):
    text = dump(scenario())
    problem = problems_of(text, curriculum, "scenarios/other.yaml")[0]
    assert problem.path == "scenarios/other.yaml"
    assert problem.line == line_of(text, "slug:")
    assert "must equal the file name ('other')" in problem.message


# --------------------------------------------------------------------------- type traps


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("required: true", "required: 'yes'", "required must be true or false without quotes"),
        ("refund: true", "refund: 'no'", "refund must be true or false without quotes, not 'no'"),
        ("refund: true", "refund: 1", "refund must be true or false, not 1"),
        ("price: 39", "price: '39'", "price must be a number without quotes, not '39'"),
        ("price: 39", "price: yes", "price must be a number, not yes"),
        ("price: 39", "price: -1", "price must be 0 or more"),
        ("pass_mark: 70", "pass_mark: 70.5", "pass_mark must be a whole number"),
        ("mood: 0", "mood: 4", "mood must be between -3 and 3, not 4"),
        ("patience: 2", "patience: 0", "patience must be between 1 and 10, not 0"),
        ("type: haggler", "type: bargain-hunter", "unknown persona type 'bargain-hunter'"),
        ("order_status: none", "order_status: lost", "order_status must be one of none, unpaid"),
        ("- id: a", "- id: no", "id must be text, not no; put it in quotes"),
        ("review: none", "review: no", "review must be text, not no; put it in quotes"),
        ("bought: true", "bought: 'true'", "bought must be true or false without quotes"),
        ("lang: en", "lang: fr", "lang must be one of zh, en, not 'fr'"),
    ],
)
def test_type_traps_are_reported_clearly(curriculum, old, new, message):
    text = dump(scenario())
    assert old in text, old
    broken = text.replace(old, new, 1)
    problems = problems_of(broken, curriculum)
    line = line_of(broken, new)
    assert any(p.line == line and message in p.message for p in problems), problems


def test_an_unquoted_number_as_keyword_says_to_quote_it(curriculum):
    data = scenario()
    data["turns"][0]["keywords"] = {"zh": ["活动价"], "en": [258]}
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem == Problem(
        PATH, line_of(text, "en: [258]"), "a keyword must be text, not 258; put it in quotes"
    )


def test_an_unquoted_seed_is_refused(curriculum):
    text = dump(scenario()).replace("seed: '001'", "seed: 001")
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "seed: 001") and "quotes" in problem.message


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("lesson", "message"),
    [
        ("nope/bargaining", "lesson 'nope/bargaining': no module 'nope'"),
        ("scripts/nope", "lesson 'scripts/nope': no lesson 'nope' in module 'scripts'"),
        ("scripts/bargaining#nope", "has no section 'nope'"),
        ("bargaining", "is not valid: write MODULE/LESSON"),
    ],
)
def test_lessons_must_exist(curriculum, lesson, message):
    data = scenario()
    data["lessons"] = [lesson]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "lessons:") and message in problem.message


def test_the_module_must_exist(curriculum):
    data = scenario()
    data["module"] = "nope"
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "module: nope")
    assert problem.message == "no module 'nope' (modules: scripts)"


# --------------------------------------------------------------------------- turns


def test_moves_come_from_the_vocabulary(curriculum):
    data = scenario()
    data["turns"][0]["expect"] = ["greeting", "smile"]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "smile")
    assert problem.message.startswith("unknown move 'smile' (use greeting, acknowledge")


def test_expect_lists_one_to_four_moves(curriculum):
    data = scenario()
    data["turns"][0]["expect"] = ["greeting", "explain", "solution", "invite", "recommend"]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem == Problem(
        PATH, line_of(text, "expect:"), "expect must list 1 to 4 moves, not 5"
    )


def test_bonus_may_not_repeat_an_expected_move(curriculum):
    data = scenario()
    data["turns"][0]["bonus"] = ["greeting"]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "bonus:")
    assert "bonus repeats expected move(s) greeting" in problem.message


def test_duplicate_turn_ids(curriculum):
    data = scenario()
    data["turns"][1]["id"] = "open"
    text = dump(data)
    problems = problems_of(text, curriculum)
    second = [i + 1 for i, line in enumerate(text.split("\n")) if "- id: open" in line][1]
    assert (
        Problem(PATH, second, f"duplicate turn id 'open' (also line {line_of(text, '- id: open')})")
        in problems
    )


def test_options_count_and_a_clean_option(curriculum):
    data = scenario()
    data["turns"][0]["options"] = data["turns"][0]["options"][:2]
    data["turns"][1]["options"] = [
        {**option, "violations": ["rude"]} for option in data["turns"][1]["options"]
    ]
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert problems == [
        Problem(PATH, line_of(text, "- id: a"), "options must list 3 to 4 replies, not 2"),
        Problem(
            PATH,
            line_of(text, "- id: a", "id: offer"),
            "at least one option must have no violations",
        ),
    ]


def test_duplicate_option_ids(curriculum):
    data = scenario()
    data["turns"][0]["options"][2]["id"] = "a"
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "- id: a", "- id: b")
    assert problem.message == f"duplicate option id 'a' (also line {line_of(text, '- id: a')})"


# --------------------------------------------------------------------------- rules and graph


def test_goto_and_ending_targets_must_exist(curriculum):
    data = scenario()
    data["turns"][0]["next"][1]["goto"] = "offre"
    data["turns"][0]["next"][0]["ending"] = "anoyed"
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert problems == [
        Problem(
            PATH,
            line_of(text, "ending: anoyed"),
            "ending 'anoyed': no such ending (bought, annoyed, left)",
        ),
        Problem(
            PATH,
            line_of(text, "goto: offre"),
            "goto 'offre': no such turn (open, offer, push-back)",
        ),
    ]


def test_a_rule_needs_exactly_one_target(curriculum):
    data = scenario()
    data["turns"][0]["next"][0] = {"when": {"violation": True}}
    data["turns"][0]["next"][1]["ending"] = "bought"
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert problems == [
        Problem(
            PATH,
            line_of(text, "- when: {violation: true}"),
            "a rule needs goto: TURN or ending: ENDING",
        ),
        Problem(
            PATH,
            line_of(text, "- when: {score_at_least: 70}"),
            "a rule has both goto and ending: give one",
        ),
    ]


def test_the_default_rule_comes_last_and_only_last(curriculum):
    data = scenario()
    data["turns"][0]["next"] = [
        {"goto": "offer"},
        {"when": {"violation": True}, "ending": "annoyed"},
    ]
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert [p.message.split(":")[0] for p in problems] == [
        "only the last rule may leave out `when`",
        "the last rule must have no `when`, so every reply leads somewhere",
    ]
    assert [p.line for p in problems] == [
        line_of(text, "{goto: offer}"),
        line_of(text, "- when: {violation: true}"),
    ]


def test_when_must_say_something(curriculum):
    data = scenario()
    data["turns"][0]["next"][0]["when"] = {}
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "- when: {}")
    assert problem.message.startswith("when must give at least one condition")


def test_unreachable_turns(curriculum):
    data = scenario()
    data["turns"][0]["next"][2] = {"goto": "offer"}
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem == Problem(
        PATH,
        line_of(text, "- id: push-back"),
        "turn 'push-back' can never be reached from the first turn 'open'",
    )


def test_a_loop_that_good_replies_can_repeat_is_refused(curriculum):
    data = scenario()
    # A reply scoring 50-69 goes back to push-back: nothing stops that loop.
    data["turns"][2]["next"] = [
        {"when": {"score_at_least": 70}, "goto": "offer"},
        {"goto": "push-back"},
    ]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem.line == line_of(text, "{goto: push-back}", "id: push-back")
    assert problem.message.startswith("turns push-back -> push-back can loop forever")


def test_a_loop_through_two_turns_on_violations_only_is_fine(curriculum):
    data = scenario()
    data["turns"][1]["next"] = [
        {"when": {"violation": True}, "goto": "push-back"},
        {"ending": "bought"},
    ]
    assert problems_of(dump(data), curriculum) == []


def test_endings_need_left_and_two_more(curriculum):
    data = scenario()
    data["endings"] = [e for e in data["endings"] if e["id"] not in ("left", "annoyed")]
    for turn in data["turns"]:
        for rule in turn["next"]:
            if rule.get("ending") == "annoyed":
                rule["ending"] = "bought"
    text = dump(data)
    line = line_of(text, "endings:")
    assert problems_of(text, curriculum) == [
        Problem(PATH, line, "a scenario needs at least 2 endings besides 'left'"),
        Problem(PATH, line, "endings must include 'left' (the buyer runs out of patience)"),
    ]


def test_a_scenario_needs_two_turns(curriculum):
    data = scenario()
    data["turns"] = data["turns"][1:2]
    data["calibration"] = [{**example, "turn": "offer"} for example in data["calibration"]]
    text = dump(data)
    assert Problem(
        PATH, line_of(text, "turns:"), "a scenario needs at least 2 turns"
    ) in problems_of(text, curriculum)


def test_model_replies_are_required_on_the_model_path(curriculum):
    data = scenario()
    del data["turns"][1]["model"]
    text = dump(data)
    problem = only_problem(text, curriculum)
    assert problem == Problem(
        PATH,
        line_of(text, "- id: offer"),
        "turn 'offer' is on the model answer path but has no model reply",
    )


# --------------------------------------------------------------------------- calibration


def test_calibration_needs_two_good_and_two_bad_in_both_languages(curriculum):
    data = scenario()
    data["calibration"] = [e for e in data["calibration"] if e["lang"] == "zh"]
    text = dump(data)
    line = line_of(text, "calibration:")
    problems = problems_of(text, curriculum)
    assert [p.line for p in problems] == [line, line]
    assert problems[0].message.startswith("calibration must cover both languages; no example in en")
    assert problems[1].message.endswith("found 1 good and 1 bad")


def test_calibration_turns_and_bands(curriculum):
    data = scenario()
    data["calibration"][0]["turn"] = "nope"
    data["calibration"][1]["band"] = [90, 80]
    data["calibration"][2]["band"] = [0, 101]
    text = dump(data)
    problems = problems_of(text, curriculum)
    assert (
        Problem(PATH, line_of(text, "- turn: nope"), "calibration turn 'nope': no such turn")
        in problems
    )
    assert (
        Problem(
            PATH, line_of(text, "band: [90, 80]"), "band [90, 80] is upside down: write [low, high]"
        )
        in problems
    )
    assert (
        Problem(PATH, line_of(text, "band: [0, 101]"), "band must be between 0 and 100, not 101")
        in problems
    )


# --------------------------------------------------------------------------- all at once


def test_every_problem_is_reported_at_once(curriculum):
    data = scenario()
    data["required"] = "yes"
    data["turns"][0]["expect"] = ["smile"]
    data["turns"][1]["next"][0]["ending"] = "gone"
    files = {**CURRICULUM_FILES, PATH: dump(data), "scenarios/other.yaml": "slug: [\n"}
    with pytest.raises(ContentError) as raised:
        parse_scenarios(files, curriculum)
    messages = [p.message for p in raised.value.problems]
    assert len(messages) == 4
    assert any("required must be true or false" in m for m in messages)
    assert any("unknown move 'smile'" in m for m in messages)
    assert any("ending 'gone'" in m for m in messages)
    assert any(p.path == "scenarios/other.yaml" for p in raised.value.problems)
    assert check_scenarios(files, curriculum) == raised.value.problems


def test_yaml_booleans_are_booleans(curriculum):
    text = dump(scenario()).replace("refund: true", "refund: no")
    haggler = parse_scenarios({PATH: text}, curriculum)["haggler"]
    assert haggler.facts.policy.refund is False


def test_calibration_may_come_before_the_turns(curriculum):
    data = scenario()
    reordered = {key: data[key] for key in ("slug", "calibration")}
    reordered.update({key: value for key, value in data.items() if key not in reordered})
    assert problems_of(dump(reordered), curriculum) == []
