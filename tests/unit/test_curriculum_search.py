"""Tests for search terms and scoring in Chinese, English and mixed text."""

from __future__ import annotations

from training.curriculum.search import TITLE_BOOST, add_shop_terms, score, terms


def test_chinese_is_segmented_without_punctuation_or_particles():
    found = terms("买家申请退款，客服要先核实订单。", "zh")
    assert "退款" in found
    assert "订单" in found
    assert "的" not in found
    assert not any(token in "，。 " for token in found)


def test_english_is_lowercased_without_stop_words_or_single_letters():
    assert terms("How do I process the Refunds? A B 48 hours", "en") == [
        "process",
        "refund",
        "48",
        "hour",
    ]


def test_mixed_text_works_for_both_languages():
    text = "查看买家的退款 Refund 状态"
    assert "refund" in terms(text, "zh")
    assert "退款" in terms(text, "en")
    assert terms(text, "zh") == terms(text, "en")


def test_full_width_characters_are_folded():
    assert terms("ＡＢＣ　１２３", "zh") == ["abc", "123"]


def test_shop_terms_stay_whole():
    add_shop_terms(["悦购小铺"])
    assert "悦购小铺" in terms("欢迎来到悦购小铺", "zh")


def test_score_prefers_more_matches_and_title_hits():
    query = terms("退款 流程", "zh")
    both = terms("退款的处理流程：先核实订单，再退款。", "zh")
    one = terms("退款要及时。", "zh")
    none = terms("欢迎加入客服团队。", "zh")
    assert score(query, both) > score(query, one) > score(query, none) == 0.0
    assert score(query, one, title_terms=["流程"]) > score(query, one)
    assert score(query, [], title_terms=query) == TITLE_BOOST * 2


def test_score_of_an_empty_query_is_zero():
    assert score([], ["退款"]) == 0.0
