"""Tests for typing-test scoring: committed characters, accuracy by alignment, plausibility."""

from __future__ import annotations

import math

import pytest

from training.probation.schema import TypingCriterion
from training.probation.typing_test import count_chars, normalise, score_typing

# 40 characters as the test counts Chinese (punctuation included, spaces not).
ZH = "您好，欢迎光临悦购小铺！我是客服小悦，很高兴为您服务。请问您想了解哪款手机壳呢？"
# 59 characters as the test counts English (spaces included).
EN = "Hello, welcome to Yuego Shop! Which phone do you use today?"
BAR = TypingCriterion(chars_per_minute=50, accuracy=95)


def test_the_fixture_lengths():
    assert count_chars(ZH, "zh") == 40
    assert count_chars(EN, "en") == 59


# --------------------------------------------------------------------------- counting


def test_chinese_counts_committed_characters_without_whitespace():
    # What the input method committed is counted, not the pinyin keystrokes behind it.
    assert count_chars("您好 ，\n欢迎", "zh") == 5
    assert count_chars("iPhone 15 手机壳", "zh") == 11


def test_english_counts_spaces_once_per_run():
    assert count_chars("Hi  there\n", "en") == 8
    assert normalise("  Hi \t there ", "en") == "Hi there"


def test_full_and_half_width_punctuation_are_the_same_character():
    assert normalise("您好，１５元！", "zh") == normalise("您好,15元!", "zh")
    result = score_typing("您好，欢迎光临！", "您好,欢迎光临!", 60, "zh")
    assert result.accuracy_percent == 100


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        count_chars("bonjour", "fr")
    with pytest.raises(ValueError, match="lang must be one of zh, en"):
        score_typing(EN, EN, 60, "fr")


# --------------------------------------------------------------------------- Chinese


def test_a_perfect_chinese_copy():
    result = score_typing(ZH, ZH, 48, "zh")
    assert result.correct_chars == result.typed_chars == result.passage_chars == 40
    assert result.accuracy_percent == 100
    assert result.chars_per_minute == 50  # 40 characters in 0.8 minutes
    assert result.completed == 1
    assert result.passed(BAR)


def test_spaces_typed_between_chinese_characters_are_ignored():
    spaced = " ".join(ZH[:20])
    result = score_typing(ZH, spaced, 60, "zh")
    assert (result.typed_chars, result.correct_chars, result.accuracy_percent) == (20, 20, 100)


def test_typing_half_the_chinese_passage_is_accurate_but_half_as_fast():
    full = score_typing(ZH, ZH, 60, "zh")
    half = score_typing(ZH, ZH[:20], 60, "zh")
    assert half.accuracy_percent == 100
    assert half.chars_per_minute == full.chars_per_minute / 2 == 20
    assert half.completed == 0.5
    assert not half.passed(BAR)


def test_a_wrong_chinese_character_costs_accuracy_not_just_speed():
    # 您好 -> 你好: the input method picked the wrong candidate.
    result = score_typing(ZH, "你" + ZH[1:20], 60, "zh")
    assert result.correct_chars == 19
    assert result.accuracy_percent == pytest.approx(95)


def test_a_skipped_chinese_character_counts_as_an_error():
    result = score_typing(ZH, ZH[:5] + ZH[6:21], 60, "zh")
    assert (result.typed_chars, result.correct_chars) == (20, 20)
    assert result.accuracy_percent == pytest.approx(100 * 20 / 21)


def test_chinese_garbage_scores_no_accuracy():
    result = score_typing(ZH, "啊" * 30, 60, "zh")
    assert result.correct_chars == 0
    assert result.accuracy_percent == 0
    assert result.chars_per_minute == 0


# --------------------------------------------------------------------------- English


def test_a_perfect_english_copy_counts_spaces():
    result = score_typing(EN, EN + "\n", 59, "en")
    assert result.correct_chars == 59
    assert result.chars_per_minute == pytest.approx(60)
    assert result.accuracy_percent == 100


def test_typing_half_the_english_passage():
    half = score_typing(EN, EN[:30], 60, "en")
    assert half.accuracy_percent == 100
    assert half.chars_per_minute == 29  # the trailing space of the half is not counted
    assert half.typed_chars == 29


def test_english_typos_extra_and_missing_letters():
    # "Helo" (missing l), "Yuegoo" (extra o), "Shap" (wrong letter), over 29 passage characters.
    typed = "Helo, welcome to Yuegoo Shap!"
    result = score_typing(EN, typed, 60, "en")
    assert result.correct_chars == 27
    assert result.typed_chars == 29
    assert result.accuracy_percent == pytest.approx(100 * 27 / 29)
    assert not result.passed(BAR)


def test_case_matters_in_english():
    result = score_typing(EN, EN.lower(), 60, "en")
    assert result.accuracy_percent < 100


def test_trailing_and_leading_garbage_lower_accuracy():
    trailing = score_typing(EN, EN[:29] + " xqzv", 60, "en")
    assert trailing.correct_chars == 30  # the space is right: the passage goes on with one
    assert trailing.accuracy_percent == pytest.approx(100 * 30 / 34)
    leading = score_typing(EN, "xqzv" + EN[:10], 60, "en")
    assert leading.accuracy_percent == pytest.approx(100 * 10 / 14)


def test_english_keyboard_mashing_scores_low():
    result = score_typing(EN, "asdf jkl; qwer uiop zxcv nm,. asdf jkl; qwer", 60, "en")
    assert result.accuracy_percent < 40


def test_nothing_typed_is_a_failed_attempt_not_an_error():
    result = score_typing(EN, "   ", 60, "en")
    assert (result.typed_chars, result.correct_chars, result.accuracy_percent) == (0, 0, 0)
    assert result.chars_per_minute == 0
    assert not result.passed(TypingCriterion(chars_per_minute=1, accuracy=1))


def test_passed_needs_both_speed_and_accuracy():
    fast_sloppy = score_typing(ZH, "你" + ZH[1:], 30, "zh")  # 78/min, 97.5%
    assert fast_sloppy.chars_per_minute == 78
    assert fast_sloppy.passed(BAR)
    assert not fast_sloppy.passed(TypingCriterion(chars_per_minute=50, accuracy=98))
    assert not fast_sloppy.passed(TypingCriterion(chars_per_minute=80, accuracy=95))


# --------------------------------------------------------------------------- refused input


@pytest.mark.parametrize("seconds", [0, -5, math.nan, math.inf])
def test_a_time_that_is_not_positive_is_refused(seconds):
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        score_typing(ZH, ZH, seconds, "zh")


def test_a_time_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError, match="seconds must be a number"):
        score_typing(ZH, ZH, True, "zh")  # type: ignore[arg-type]


def test_superhuman_speed_is_refused():
    # 40 characters in 5 seconds is 480 a minute: pasted, or the time was forged.
    with pytest.raises(ValueError, match="implausible typing speed: 480"):
        score_typing(ZH, ZH, 5, "zh")
    # Wrong characters count too: mashing the keyboard fast is not typing either.
    with pytest.raises(ValueError, match="implausible"):
        score_typing(EN, "x" * 59, 8, "en")


def test_exactly_400_a_minute_is_allowed():
    assert score_typing(ZH, ZH, 6, "zh").chars_per_minute == 400


def test_text_far_longer_than_the_passage_is_refused():
    with pytest.raises(ValueError, match="far longer than the passage"):
        score_typing(EN, EN * 3, 600, "en")


def test_an_empty_passage_is_refused():
    with pytest.raises(ValueError, match="the passage is empty"):
        score_typing(" \n", "x", 60, "en")
