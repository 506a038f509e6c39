"""Scoring, gaming, choice mode, the conversation state machine, scorecards and calibration."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from training.curriculum.parser import parse_tree
from training.roleplay import engine
from training.roleplay.engine import (
    BONUS_POINTS,
    CLEAN_POINTS,
    COPY_CAP,
    LANGUAGE_CAP,
    REPEAT_CAP,
    SLOW_MAX_PENALTY,
    STUFFING_CAP,
    TOO_LONG_PENALTY,
    TurnScore,
    buyer_tone,
    check_calibration,
    choose_option,
    model_path,
    score_reply,
    scorecard,
    scorecard_to_dict,
    start,
    state_from_dict,
    state_to_dict,
    step,
)
from training.roleplay.parser import parse_scenarios
from training.roleplay.schema import VIOLATION_CAP, Condition, Scenario


def L(zh: str, en: str) -> dict[str, str]:
    """A text in both languages."""
    return {"zh": zh, "en": en}


def lesson_md(title: str) -> str:
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

Text.
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
    "modules/01-scripts/01-bargaining.zh.md": lesson_md("议价"),
    "modules/01-scripts/01-bargaining.en.md": lesson_md("Bargaining"),
}


def options(zh: str, en: str, moves: list[str]) -> list[dict]:
    """Three choice-mode options: a clean one, a flat refusal, an off-platform lure."""
    return [
        {"id": "a", "text": L(zh, en), "moves": moves, "violations": []},
        {"id": "b", "text": L("不行。", "No."), "moves": [], "violations": ["flat_refusal"]},
        {
            "id": "c",
            "text": L("加我微信，便宜10块。", "Add me on WeChat, 10 yuan off."),
            "moves": ["greeting"],
            "violations": ["off_platform", "beyond_policy"],
        },
    ]


def outcome(bought: bool, value: int, review: str = "none") -> dict:
    """An ending's outcome."""
    return {"bought": bought, "order_value": value, "review": review, "complaint": False}


HONEST_ZH = "亲，您好！这款硅胶手机壳39元已经是活动价啦，质量很好。搭配钢化膜一起买更划算哦～"
HONEST_EN = (
    "Hi there! This silicone phone case is 39 yuan, already the sale price, and the quality "
    "is great. It goes well with our screen protector too!"
)

SCENARIO = {
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
        "promotion": L("满99包邮", "Free shipping over 99 yuan"),
        "policy": {
            "max_discount": 5,
            "max_compensation": 0,
            "refund": True,
            "gift": L("数据线收纳扣", "cable clip"),
        },
        "bundle": {"item": L("钢化膜", "Tempered-glass screen protector"), "price": 19},
    },
    "response_seconds": 60,
    "pass_mark": 70,
    "dimensions": ["courtesy", "empathy", "solution", "compliance", "sales"],
    "terms": ["手机壳", "钢化膜"],
    "turns": [
        {
            "id": "open",
            "buyer": L(
                "老板，这个手机壳能便宜点吗？", "Can you make this phone case a bit cheaper?"
            ),
            "expect": ["greeting", "explain"],
            "bonus": ["recommend"],
            "keywords": {"zh": ["活动价", "质量"], "en": ["sale price", "quality"]},
            "model": L(HONEST_ZH, HONEST_EN),
            "options": options(
                "亲，您好！39元已经是活动价啦。",
                "Hi! 39 yuan is already the sale price.",
                ["greeting", "explain"],
            ),  # fmt: skip
            "next": [
                {"when": {"violation": True}, "ending": "annoyed"},
                {"when": {"score_at_least": 70}, "goto": "offer"},
                {"goto": "push-back"},
            ],
        },
        {
            "id": "offer",
            "buyer": L("那能送点什么吗？", "Can you throw something in, then?"),
            "expect": ["solution"],
            "bonus": ["thanks_close", "invite"],
            "model": L(
                "可以的亲，给您送一个数据线收纳扣，感谢支持，欢迎收藏店铺～",
                "Sure! I'll add a free cable clip for you. Thank you for your support, and feel "
                "free to favourite our shop!",
            ),
            "options": options("送您一个收纳扣～", "I'll add a cable clip for you.", ["solution"]),
            "next": [
                {"when": {"violation": True}, "ending": "annoyed"},
                {"when": {"score_at_least": 70}, "ending": "bought-bundle"},
                {"ending": "bought"},
            ],
        },
        {
            "id": "push-back",
            "buyer": L("就便宜5块嘛，别家都比你便宜。", "Just 5 yuan off, others are cheaper."),
            "expect": ["acknowledge", "solution"],
            "model": L(
                "理解您想买得实惠，给您优惠5元，34元到手，您看可以吗？",
                "I understand you want a good deal. I can give you 5 yuan off, so it's 34 yuan.",
            ),
            "options": options(
                "理解您，给您优惠5元。",
                "I understand, 5 yuan off for you.",
                ["acknowledge", "solution"],
            ),  # fmt: skip
            "next": [
                {"when": {"violation": True}, "ending": "annoyed"},
                {"when": {"score_at_least": 50}, "goto": "offer"},
                {"goto": "push-back"},
            ],
        },
    ],
    "endings": [
        {
            "id": "bought-bundle",
            "outcome": outcome(True, 58, "good"),
            "buyer": L("好的！", "Great!"),
        },
        {"id": "bought", "outcome": outcome(True, 39), "buyer": L("好吧。", "OK.")},
        {"id": "annoyed", "outcome": outcome(False, 0), "buyer": L("算了。", "Forget it.")},
        {"id": "left", "outcome": outcome(False, 0), "buyer": L("我去别家。", "Bye.")},
    ],
    "calibration": [
        {"turn": "open", "lang": "zh", "reply": HONEST_ZH, "band": [70, 100]},
        {"turn": "open", "lang": "en", "reply": HONEST_EN, "band": [70, 100]},
        {"turn": "open", "lang": "zh", "reply": "不行。", "band": [0, 30]},
        {"turn": "open", "lang": "en", "reply": "No.", "band": [0, 30]},
    ],
}


def build(data: dict | None = None) -> Scenario:
    """Parse the scenario (the fixture one unless ``data`` is given)."""
    text = yaml.safe_dump(data or SCENARIO, allow_unicode=True, sort_keys=False)
    files = {"scenarios/haggler.yaml": text}
    return parse_scenarios(files, parse_tree(CURRICULUM_FILES))["haggler"]


@pytest.fixture(scope="module")
def haggler() -> Scenario:
    """The fixture scenario, parsed once."""
    return build()


def score(haggler, text, lang="zh", turn="open", seconds=None, history=()):
    """Score a free-text reply to the fixture scenario."""
    return score_reply(haggler, turn, text, lang, seconds, history)


def assert_explained(scored):
    """Every point is explained in both languages and the explanations add up to the score; a
    point that comes from a rule of the manuals names the lesson teaching it."""
    assert sum(point.delta for point in scored.explanations) == scored.score
    for point in scored.explanations:
        assert point.rule and point.message_zh and point.message_en
        assert bool(point.source) == bool(point.lesson), point


# --------------------------------------------------------------------------- the rubric


def test_an_honest_good_reply_scores_full_marks_in_both_languages(haggler):
    for text, lang in ((HONEST_ZH, "zh"), (HONEST_EN, "en")):
        scored = score(haggler, text, lang)
        assert scored.score == 100, engine.describe(scored)
        assert set(scored.move_names) >= {"greeting", "explain", "recommend"}
        assert scored.violations == () and scored.flags == ()
        assert scored.mood_delta == 1
        assert_explained(scored)
        words = {point.rule: point.words for point in scored.explanations}
        assert words["move:greeting"] and words["move:explain"] and words["bonus:recommend"]


def test_expected_moves_share_80_bonus_10_clean_10(haggler):
    greeting_only = score(haggler, "亲，您好！请稍等一下")
    assert [(p.rule, p.delta) for p in greeting_only.explanations] == [
        ("move:greeting", 40),
        ("missing:explain", 0),
        ("clean", CLEAN_POINTS),
    ]
    assert greeting_only.score == 50
    without_bonus = score(haggler, "亲，您好！这款手机壳39元已经是活动价了")
    assert without_bonus.score == 100 - BONUS_POINTS


def test_a_turn_without_bonus_moves_gives_the_bonus_share_to_the_expected_ones(haggler):
    scored = score(haggler, "理解您想实惠一点，给您优惠5元吧", turn="push-back")
    assert [(p.rule, p.delta) for p in scored.explanations] == [
        ("move:acknowledge", 45),
        ("move:solution", 45),
        ("clean", 10),
    ]


def test_slow_replies_lose_up_to_15_points_gradually(haggler):
    scores = [score(haggler, HONEST_ZH, seconds=s).score for s in (10, 60, 75, 90, 120, 600)]
    assert scores[0] == scores[1] == 100
    assert scores[1] > scores[2] > scores[3] > scores[4]
    assert scores[4] == scores[5] == 100 - SLOW_MAX_PENALTY
    slow = score(haggler, HONEST_ZH, seconds=90)
    assert [p.rule for p in slow.explanations if p.delta < 0] == ["slow"]
    assert_explained(slow)


def test_one_word_replies(haggler):
    for text, lang in (("好", "zh"), ("嗯嗯", "zh"), ("ok", "en"), ("Yes.", "en")):
        scored = score(haggler, text, lang)
        assert "one_word" in [v.name for v in scored.violations]
        assert scored.score <= 10
        assert_explained(scored)


def test_a_reply_in_the_other_language_is_capped_with_its_own_reason(haggler):
    """A good reply in the wrong language earns little, and says why: not "one-word"."""
    for text, lang, other in ((HONEST_ZH, "en", "Chinese"), (HONEST_EN, "zh", "English")):
        scored = score(haggler, text, lang)
        assert scored.score == LANGUAGE_CAP < 50, engine.describe(scored)
        assert scored.flags == ("wrong_language",) and scored.violations == ()
        assert scored.mood_delta == -1
        [cap] = [p for p in scored.explanations if p.rule == "cap:wrong_language"]
        assert cap.delta == LANGUAGE_CAP - (100 - CLEAN_POINTS)  # no clean points either
        assert cap.message_en.startswith(
            f"Reply not in the buyer's language: all of it is in {other}"
        )
        assert cap.message_zh.startswith("未用买家的语言回复：全部是")
        assert cap.source.startswith("002 cross-border CS")
        assert cap.lesson == "scripts/greeting-and-polite-language#the-buyers-language"
        assert "clean" not in [p.rule for p in scored.explanations]
        assert_explained(scored)


def test_a_poor_reply_in_the_other_language_still_says_so(haggler):
    scored = score(haggler, "请稍等一下，我去看看", "en")
    assert scored.score < LANGUAGE_CAP and "wrong_language" in scored.flags
    [cap] = [p for p in scored.explanations if p.rule == "cap:wrong_language"]
    assert cap.delta == 0 and "capped at 20" in cap.message_en and cap.source and cap.lesson
    assert_explained(scored)


def test_mixed_replies_and_short_ones_keep_their_usual_scores(haggler):
    mixed_en = "Hi there! This 硅胶手机壳 is 39 yuan, already the sale price, and great quality."
    mixed_zh = "亲，您好！这款iPhone 15 Pro Max的手机壳39元已经是活动价啦，质量很好，OK的～"
    for text, lang in ((mixed_en, "en"), (mixed_zh, "zh")):
        scored = score(haggler, text, lang)
        assert scored.flags == () and scored.score >= 90, engine.describe(scored)
    for text, lang in (("嗯", "en"), ("Yes", "zh")):
        scored = score(haggler, text, lang)
        assert [v.name for v in scored.violations] == ["one_word"]
        assert scored.flags == ("wrong_language",)
        assert_explained(scored)


# --------------------------------------------------------------------------- violations dominate


def test_any_violation_caps_the_turn_at_40(haggler):
    scored = score(haggler, HONEST_ZH + "保证明天到！")
    assert [v.name for v in scored.violations] == ["over_promise"]
    assert scored.score <= VIOLATION_CAP
    assert scored.mood_delta == -2
    rules = [p.rule for p in scored.explanations]
    assert "violation:over_promise" in rules and "clean" not in rules
    assert_explained(scored)


def test_a_reply_with_every_move_and_a_violation_scores_below_a_plain_clean_one(haggler):
    greedy = score(haggler, HONEST_ZH + "给您便宜10块吧")
    plain = score(haggler, "亲，您好！请问有什么可以帮您？")
    assert "beyond_policy" in [v.name for v in greedy.violations]
    assert greedy.score < plain.score


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        (HONEST_ZH + "加我微信，私下转账更便宜", "zh", "off_platform"),
        (HONEST_ZH + "上一个买家的电话是13812345678", "zh", "data_leak"),
        (HONEST_ZH + "爱买不买", "zh", "rude"),
        (HONEST_EN + " Add me on WeChat instead.", "en", "off_platform"),
        (HONEST_EN + " Whatever, stupid.", "en", "rude"),
    ],
)
def test_fatal_violations_zero_the_turn(haggler, text, lang, name):
    scored = score(haggler, text, lang)
    assert scored.score == 0
    assert scored.fatal == (name,)
    assert scored.explanations[-1].rule == f"fatal:{name}"
    assert_explained(scored)


# --------------------------------------------------------------------------- gaming never pays


GAMING = {
    "stuffing (zh keywords)": ("您好亲抱歉理解退款换货补发推荐收藏感谢活动价", "zh", "stuffing"),
    "stuffing (en keywords)": (
        "Hi sorry understand thanks favourite follow recommend refund discount",
        "en",
        "stuffing",
    ),
    "stuffing (one polite word)": ("谢谢谢谢谢谢谢谢，您好，活动价", "zh", "stuffing"),
    "stuffing (one English word)": ("Hello hello hello hello, sale price", "en", "stuffing"),
    "copy of the buyer (zh)": ("老板，这个手机壳能便宜点吗？", "zh", "copy"),
    "copy of the buyer (en)": ("Can you make this phone case a bit cheaper?", "en", "copy"),
    "contradiction": ("亲，您好！39元活动价，可以给您优惠，不过不能优惠。", "zh", "contradiction"),
}


@pytest.mark.parametrize("case", sorted(GAMING))
def test_gaming_scores_below_an_honest_good_reply(haggler, case):
    text, lang, flag = GAMING[case]
    honest = score(haggler, HONEST_ZH if lang == "zh" else HONEST_EN, lang)
    gamed = score(haggler, text, lang)
    assert flag in gamed.flags, engine.describe(gamed)
    assert gamed.score < honest.score
    if flag != "contradiction":  # a contradiction costs the solution and 15 points
        assert gamed.score <= 40
    assert_explained(gamed)


def test_stuffing_is_capped(haggler):
    assert score(haggler, GAMING["stuffing (zh keywords)"][0]).score <= STUFFING_CAP


def test_a_copy_of_the_buyers_message_scores_about_zero(haggler):
    assert score(haggler, "老板，这个手机壳能便宜点吗？").score <= COPY_CAP
    assert score(haggler, "這個手機殼能便宜點嗎", "zh").score <= COPY_CAP  # Traditional too


def test_repeating_an_earlier_reply_scores_low(haggler):
    first = score(haggler, HONEST_ZH)
    history = [("open", HONEST_ZH, first)]
    again = score(haggler, HONEST_ZH, history=history)
    assert "repeat" in again.flags and again.score <= REPEAT_CAP
    also_plain = score(haggler, HONEST_ZH, history=[HONEST_ZH])
    assert also_plain.score == again.score
    fresh = score(haggler, "亲，这款39元的手机壳质量很好，已经是活动价了哦", history=history)
    assert "repeat" not in fresh.flags


def test_an_over_long_reply_is_penalised(haggler):
    padding = "我们店铺一直坚持用心服务每一位顾客，" * 20
    long = score(haggler, HONEST_ZH + padding)
    assert "too_long" in long.flags
    assert long.score <= 100 - TOO_LONG_PENALTY
    assert score(haggler, HONEST_ZH).score > long.score
    words = " ".join(["we really care about every customer"] * 20)
    long_en = score(haggler, HONEST_EN + " " + words, "en")
    assert "too_long" in long_en.flags and long_en.score < 100


def test_length_is_measured_in_the_script_the_reply_is_written_in(haggler):
    # 80 English words are about 400 letters, but not too long to read: only the wrong language.
    english = " ".join(["we really care about every customer here"] * 10)
    scored = score(haggler, HONEST_EN + " " + english, "zh")
    assert scored.flags == ("wrong_language",)
    # A Chinese reply is measured in characters whatever the interface, and the reason says so.
    padding = "我们店铺一直坚持用心服务每一位顾客，" * 20
    [penalty] = [
        p for p in score(haggler, HONEST_ZH + padding).explanations if p.rule == "gaming:too_long"
    ]
    assert "300 字" in penalty.message_zh and "300 Chinese characters" in penalty.message_en
    # 130 words in a Chinese conversation are too long as well as in the wrong language.
    long_english = score(haggler, HONEST_EN + " " + " ".join([english] * 2), "zh")
    assert {"too_long", "wrong_language"} <= set(long_english.flags)
    [penalty] = [p for p in long_english.explanations if p.rule == "gaming:too_long"]
    assert "120 words" in penalty.message_en and "120 个英文单词" in penalty.message_zh


def test_a_contradiction_is_no_solution_and_a_penalty(haggler):
    honest = score(haggler, "理解您，可以给您优惠5元", turn="push-back")
    both = score(haggler, "理解您，可以给您优惠5元，不能优惠", turn="push-back")
    assert "solution" in honest.move_names and "solution" not in both.move_names
    assert "gaming:contradiction" in [p.rule for p in both.explanations]
    assert both.score < honest.score - 45


# --------------------------------------------------------------------------- choice mode


def test_choice_mode_uses_the_labelled_moves_on_the_same_rubric(haggler):
    chosen = choose_option(haggler, "open", "a", "zh")
    assert chosen.option_id == "a" and chosen.reply == "亲，您好！39元已经是活动价啦。"
    assert chosen.move_names == ("greeting", "explain")
    typed = score(haggler, "亲，您好！39元已经是活动价啦。")
    assert typed.move_names == chosen.move_names
    assert chosen.score == typed.score == 90
    assert [(p.rule, p.delta) for p in chosen.explanations] == [
        (p.rule, p.delta) for p in typed.explanations
    ]
    assert all(move.rule == "labelled by the scenario's author" for move in chosen.moves)
    assert_explained(chosen)


def test_choice_mode_violations_dominate_and_can_be_fatal(haggler):
    refusal = choose_option(haggler, "open", "b", "en")
    assert refusal.score == 0 and refusal.mood_delta == -2
    lure = choose_option(haggler, "open", "c", "zh")
    assert lure.score == 0 and lure.fatal == ("off_platform",)
    assert [v.name for v in lure.violations] == ["off_platform", "beyond_policy"]
    assert_explained(lure)


def test_choice_mode_is_timed_like_free_text(haggler):
    assert choose_option(haggler, "open", "a", "zh", seconds=120).score == 90 - SLOW_MAX_PENALTY
    with pytest.raises(KeyError):
        choose_option(haggler, "open", "z", "zh")


# --------------------------------------------------------------------------- the conversation


def test_a_good_conversation_follows_the_good_branch(haggler):
    state = start(haggler)
    assert (state.turn_id, state.mood, state.patience_left, state.finished) == ("open", 0, 2, False)
    state = step(haggler, state, score(haggler, HONEST_ZH))
    assert (state.turn_id, state.mood, state.patience_left) == ("offer", 1, 2)
    offer = score(
        haggler, "可以的亲，给您送一个数据线收纳扣，感谢支持，欢迎收藏店铺～", turn="offer"
    )
    state = step(haggler, state, offer)
    assert state.finished and state.ending_id == "bought-bundle" and state.mood == 2
    assert [item[0] for item in state.history] == ["open", "offer"]
    with pytest.raises(ValueError):
        step(haggler, state, offer)


def test_a_mediocre_reply_takes_the_other_branch(haggler):
    state = step(haggler, start(haggler), score(haggler, "亲，您好！请稍等一下"))
    assert (state.turn_id, state.mood, state.patience_left) == ("push-back", 0, 2)


def test_a_violation_ends_the_conversation_by_its_rule(haggler):
    state = step(haggler, start(haggler), score(haggler, "不行"))
    assert state.finished and state.ending_id == "annoyed"
    assert state.mood == -2 and state.patience_left == 1


def test_patience_runs_out_and_the_buyer_leaves(haggler):
    state = step(haggler, start(haggler), score(haggler, "请稍等一下哦"))
    assert (state.turn_id, state.patience_left, state.mood) == ("push-back", 1, -1)
    state = step(haggler, state, score(haggler, "请您再等一下", turn="push-back"))
    assert state.finished and state.ending_id == "left" and state.patience_left == 0
    assert state.mood == -2
    card = scorecard(haggler, state)
    assert card.outcome.bought is False and not card.passed


def test_mood_is_clamped_and_shown_as_a_tone():
    assert [buyer_tone(m) for m in range(-4, 5)] == [
        "furious", "furious", "annoyed", "annoyed", "neutral",
        "pleased", "pleased", "delighted", "delighted",
    ]  # fmt: skip


def test_mood_never_leaves_its_range(haggler):
    data = copy.deepcopy(SCENARIO)
    data["persona"]["mood"] = 3
    happy = build(data)
    state = step(happy, start(happy), score(happy, HONEST_ZH))
    assert state.mood == 3
    data["persona"]["mood"] = -3
    angry = build(data)
    state = step(angry, start(angry), score(angry, "请稍等一下哦"))
    assert state.mood == -3


def test_conditions_are_structured():
    condition = Condition(score_at_least=70, mood_below=1, moves=("greeting",))
    assert condition.holds(70, False, 0, {"greeting", "explain"})
    assert not condition.holds(69, False, 0, {"greeting"})
    assert not condition.holds(80, False, 1, {"greeting"})
    assert not condition.holds(80, False, 0, {"explain"})
    assert Condition(violation=False).holds(0, False, 0, ())
    assert not Condition(violation=True).holds(100, False, 0, ())
    assert Condition(mood_at_least=2).holds(0, True, 2, ())


def test_rules_may_branch_on_mood_and_moves(haggler):
    data = copy.deepcopy(SCENARIO)
    data["turns"][0]["next"] = [
        {"when": {"moves": ["recommend"]}, "goto": "offer"},
        {"when": {"mood_below": 0}, "ending": "annoyed"},
        {"goto": "push-back"},
    ]
    branching = build(data)
    assert step(branching, start(branching), score(branching, HONEST_ZH)).turn_id == "offer"
    sulk = step(branching, start(branching), score(branching, "请稍等一下哦"))
    assert sulk.ending_id == "annoyed"  # the poor reply lowered the mood below 0
    plain = step(branching, start(branching), score(branching, "亲，您好！请稍等一下"))
    assert plain.turn_id == "push-back"


# --------------------------------------------------------------------------- scorecards


def test_the_scorecard_of_a_good_conversation(haggler):
    state = start(haggler)
    state = step(haggler, state, score(haggler, HONEST_ZH))
    state = step(haggler, state, score(haggler, "好的亲，送您一个数据线收纳扣～", turn="offer"))
    card = scorecard(haggler, state)
    assert card.turn_scores == (("open", 100), ("offer", 90))
    assert card.overall == 95 and card.passed and card.fatal == ()
    assert card.ending_id == "bought-bundle" and card.outcome.order_value == 58
    assert set(card.dimensions) == set(haggler.dimensions)
    # offer asked for thanks_close (courtesy) and invite (sales) as bonus: neither came.
    assert card.dimensions == {
        "courtesy": 3, "empathy": 5, "solution": 5, "compliance": 5, "sales": 3,
    }  # fmt: skip


def test_the_overall_score_is_the_mean_and_a_fatal_violation_fails(haggler):
    state = start(haggler)
    state = step(haggler, state, score(haggler, HONEST_ZH))
    fatal = score(haggler, "送您一个收纳扣，加我微信私聊", turn="offer")
    state = step(haggler, state, fatal)
    card = scorecard(haggler, state)
    assert card.overall == 50 and card.fatal == ("off_platform",)
    assert not card.passed and card.dimensions["compliance"] == 1
    assert card.ending_id == "annoyed"


def test_a_fatal_violation_fails_even_above_the_pass_mark(haggler):
    data = copy.deepcopy(SCENARIO)
    data["pass_mark"] = 30
    for example in data["calibration"][2:]:
        example["band"] = [0, 20]
    easy = build(data)
    state = step(easy, start(easy), score(easy, HONEST_ZH))
    state = step(easy, state, score(easy, "送您一个收纳扣，加我微信私聊", turn="offer"))
    card = scorecard(easy, state)
    assert card.overall >= card.pass_mark and not card.passed


def test_violations_lower_their_dimensions(haggler):
    state = step(haggler, start(haggler), score(haggler, "不行"))
    card = scorecard(haggler, state)
    assert card.dimensions["solution"] == 1  # asked for explain, got a flat refusal
    assert card.dimensions["courtesy"] == 1  # asked for greeting, got one word
    assert card.overall == 0 and not card.passed


def test_an_empty_conversation_has_a_failing_scorecard(haggler):
    card = scorecard(haggler, start(haggler))
    assert card.overall == 0 and not card.passed and card.outcome is None


def test_a_turn_score_is_json_ready_and_round_trips(haggler):
    scored = score(haggler, HONEST_ZH + "保证明天到")
    data = scored.to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["violations"][0]["name"] == "over_promise"
    assert data["violations"][0]["words"] == ["保证明天到"]
    assert TurnScore.from_dict(json.loads(json.dumps(data))) == scored
    chosen = choose_option(haggler, "open", "c", "en")
    assert TurnScore.from_dict(chosen.to_dict()) == chosen


def test_states_and_scorecards_are_saved_as_json(haggler):
    first = score(haggler, HONEST_ZH)
    state = step(haggler, start(haggler), first)
    data = json.loads(json.dumps(state_to_dict(state)))
    assert data == {
        "turn_id": "offer", "mood": 1, "patience_left": 2, "finished": False, "ending_id": None,
    }  # fmt: skip
    assert state_from_dict(data, state.history) == state
    state = step(haggler, state, score(haggler, "好的亲，送您一个数据线收纳扣～", turn="offer"))
    card = json.loads(json.dumps(scorecard_to_dict(scorecard(haggler, state))))
    assert card["overall"] == 95 and card["passed"] is True and card["fatal"] == []
    assert card["ending_id"] == "bought-bundle" and card["outcome"]["order_value"] == 58
    assert card["turn_scores"] == [["open", 100], ["offer", 90]]


# --------------------------------------------------------------------------- authors' checks


def test_the_model_path_passes_in_both_languages(haggler):
    for lang in ("zh", "en"):
        result = model_path(haggler, lang)
        assert result.missing_turn is None
        assert [item[0] for item in result.steps] == ["open", "offer"]
        assert result.scorecard.passed and result.scorecard.overall >= haggler.pass_mark
        assert result.state.ending_id == "bought-bundle"
    assert check_calibration(haggler) == []


def test_calibration_catches_an_out_of_band_example():
    data = copy.deepcopy(SCENARIO)
    data["calibration"].append({"turn": "open", "lang": "zh", "reply": "好的", "band": [70, 100]})
    scenario = build(data)
    problems = check_calibration(scenario)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.path == "scenarios/haggler.yaml"
    assert problem.line == scenario.calibration[-1].line
    assert "scored 0, outside its band [70, 100]" in problem.message
    assert "violations one_word" in problem.message


def test_calibration_catches_a_model_path_below_the_pass_mark():
    data = copy.deepcopy(SCENARIO)
    data["turns"][1]["model"] = L("好的。", "OK.")
    scenario = build(data)
    problems = check_calibration(scenario)
    assert {p.message.split(" model path")[0] for p in problems} == {"the zh", "the en"}
    assert all(p.line == scenario.turn("offer").line for p in problems)
    assert "weakest 'offer'" in problems[0].message


def test_calibration_catches_a_model_path_into_a_turn_without_a_model():
    data = copy.deepcopy(SCENARIO)
    # The parser assumes perfect model replies (open -> offer); this weak one goes to
    # push-back instead, where no model reply is written.
    data["turns"][0]["model"] = L("亲，您好！请稍等一下", "Hi there, one moment please.")
    del data["turns"][2]["model"]
    scenario = build(data)
    problems = check_calibration(scenario)
    assert problems and all("reaches turn 'push-back'" in p.message for p in problems)
    assert problems[0].line == scenario.turn("push-back").line
