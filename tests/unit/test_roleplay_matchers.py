"""The reply detectors: each move and violation in Chinese and English, negation, Traditional."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from training.curriculum.parser import parse_tree, read_tree
from training.roleplay.matchers import (
    DETECTORS,
    LANGUAGE,
    OTHER_SCRIPT_SHARE,
    ZH_CHARS_PER_EN_WORD,
    Context,
    Match,
    analyse,
    chinese_number,
    detect_all,
    keyword_share,
    normalise,
    repeated_word,
)
from training.roleplay.schema import MOVES, VIOLATIONS, Bundle, Facts, Policy

CONTENT = Path(__file__).resolve().parents[2] / "content"


def L(zh: str, en: str) -> dict[str, str]:
    """A text in both languages."""
    return {"zh": zh, "en": en}


FACTS = Facts(
    product=L("硅胶手机壳", "Silicone phone case"),
    price=39,
    order_status="shipped",
    policy=Policy(max_discount=5, max_compensation=0, refund=True, gift=L("收纳扣", "cable clip")),
    order_id="YG20261122001",
    address=L("上海市浦东新区张杨路500号 13900001111", "500 Zhangyang Road, Shanghai"),
    tracking="SF1234567890",
    promotion=L("满99包邮", "Free shipping over 99 yuan"),
    bundle=Bundle(item=L("钢化膜", "Tempered-glass screen protector"), price=19),
)
NO_REFUND = Facts(
    product=L("定制手机壳", "Custom phone case"),
    price=59,
    order_status="delivered",
    policy=Policy(max_discount=0, max_compensation=0, refund=False),
)
TERMS = ("手机壳", "钢化膜")


def context(lang: str, facts: Facts = FACTS, keywords: tuple[str, ...] = ()) -> Context:
    """The context a reply to the fixture case is judged in."""
    return Context(lang=lang, facts=facts, buyer="", keywords=keywords, terms=TERMS)


def found(text: str, lang: str, facts: Facts = FACTS, keywords=()) -> dict[str, Match]:
    """Every move and violation found in ``text``, by name."""
    reply = normalise(text, lang, TERMS)
    moves, violations = detect_all(reply, context(lang, facts, keywords))
    return {match.name: match for match in (*moves, *violations)}


# --------------------------------------------------------------------------- normalising


def test_traditional_and_full_width_text_is_normalised():
    reply = normalise("可以給您退貨，ＯＫ嗎？", "zh")
    assert reply.simplified == "可以给您退货,OK吗?"
    assert reply.lower == "可以给您退货,ok吗?"
    assert "退货" in reply.tokens


def test_text_the_conversion_would_not_change_skips_it_with_the_same_result():
    """Simplified text is not run through OpenCC (its tables say nothing in it would change);
    every text comes out exactly as the full conversion makes it."""
    import unicodedata

    from training.roleplay import matchers

    matchers.load_segmenter()
    assert matchers._conversion is not None  # the tables were read: the shortcut is in use
    texts = [
        line
        for path in sorted(CONTENT.rglob("*"))
        if path.suffix in (".md", ".yaml")
        for line in path.read_text(encoding="utf-8").splitlines()
        if matchers._HAN_RE.search(line)
    ]
    # Traditional characters, phrases converted as a whole (乾燥 but not 乾隆), and a phrase
    # whose first character is also Simplified (么麽).
    texts += ["親，您好！這個價格已經是活動價了", "乾燥的天氣", "乾隆年間", "么麽小丑", "怎么了"]
    for text in texts:
        folded = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
        assert matchers.simplify(text) == matchers._converter.convert(folded), text


def test_scenario_terms_stay_whole_tokens():
    assert "钢化膜" in normalise("推荐钢化膜", "zh", TERMS).tokens
    assert normalise("We can refund it", "en").tokens == ("we", "can", "refund", "it")


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("没办法退款", ["没办法退款"]),
        ("不会收费的", ["不会收费的"]),
        ("不能退款，但是可以换货", ["不能退款"]),
        ("不能退款但可以换货", ["不能退款"]),
        ("退不了款", ["退不了款"]),
        ("能不能便宜点", []),
        ("有没有问题", []),
        ("可不可以换", []),
        ("不好意思让您久等了", []),
        ("没问题，可以退", []),
        ("别着急，马上处理", []),
        ("特别好用", []),
        ("对不起", []),
        ("we can't refund, but we can exchange it", ["can't refund"]),
        ("no problem, we will refund you", []),
        ("don't worry, it's on its way", []),
        ("there is no extra charge", ["no extra charge"]),
    ],
)
def test_negators_govern_the_rest_of_their_clause(text, negated):
    reply = normalise(text, "zh" if not text.isascii() else "en")
    assert [reply.lower[start:end] for start, end in reply.negated] == negated


def test_words_are_shown_as_typed_for_highlighting():
    match = found("可以給您退貨，請放心", "zh")["solution"]
    assert match.words == ("給您退",)  # matched as 给您退, shown as typed
    assert match.spans and match.source and match.lesson


# --------------------------------------------------------------------------- each detector


CASES = [
    # (name, lang, text, expected)
    ("greeting", "zh", "亲，您好！有什么可以帮您？", True),
    ("greeting", "zh", "欢迎光临悦购小铺～", True),
    ("greeting", "zh", "这个价格是现在的活动价", False),
    ("greeting", "en", "Hello! How can I help?", True),
    ("greeting", "en", "This ships today.", False),
    ("acknowledge", "zh", "理解您的心情，等了这么久确实着急", True),
    ("acknowledge", "zh", "我不理解您在说什么", False),
    ("acknowledge", "en", "I understand how frustrating this must be.", True),
    ("acknowledge", "en", "I don't understand what you mean.", False),
    ("apologise", "zh", "非常抱歉给您带来不便", True),
    ("apologise", "zh", "不好意思让您久等了", True),
    ("apologise", "zh", "这款是硅胶材质的", False),
    ("apologise", "en", "Sorry for the wait!", True),
    ("apologise", "en", "It is silicone.", False),
    ("explain", "zh", "这款39元已经是活动价了", True),
    ("explain", "zh", "您的快递单号是SF1234567890，已经在路上了", True),
    ("explain", "zh", "这款手机壳不行", False),  # one product word is not a reason
    ("explain", "zh", "硅胶手机壳", True),  # two product words are
    ("explain", "en", "It's 39 yuan and already shipped.", True),
    ("explain", "en", "Free shipping over 99 yuan applies.", True),
    ("explain", "en", "Please feel free to ask.", False),
    ("solution", "zh", "马上给您补发一个新的", True),
    ("solution", "zh", "可以给您换货", True),
    ("solution", "zh", "没办法退款", False),
    ("solution", "zh", "我帮您催一下快递", True),
    ("solution", "en", "I'll resend a new one today.", True),
    ("solution", "en", "We can't refund.", False),
    ("confirm_order", "zh", "亲，帮您核对一下收货地址", True),
    ("confirm_order", "zh", "地址是上海市浦东新区张杨路500号，对吗？", True),
    ("confirm_order", "zh", "今天发货", False),
    ("confirm_order", "en", "Please confirm your address: 500 Zhangyang Road.", True),
    ("confirm_order", "en", "It ships today.", False),
    ("recommend", "zh", "搭配一张钢化膜更划算", True),
    ("recommend", "zh", "钢化膜也很受欢迎", True),
    ("recommend", "zh", "这款是最后一个了", False),
    ("recommend", "en", "A screen protector goes well with it.", True),
    ("recommend", "en", "It is the last one.", False),
    ("invite", "zh", "欢迎收藏店铺，上新第一时间通知您", True),
    ("invite", "zh", "我会持续关注物流", False),
    ("invite", "en", "Feel free to favourite our shop!", True),
    ("invite", "en", "I will follow up with the courier.", False),
    ("thanks_close", "zh", "感谢您的支持，祝您生活愉快！", True),
    ("thanks_close", "zh", "马上给您处理", False),
    ("thanks_close", "en", "Thank you, have a nice day!", True),
    ("thanks_close", "en", "I will check now.", False),
    ("off_platform", "zh", "加我微信，私下转账更便宜", True),
    ("off_platform", "zh", "为了您的资金安全，我们不能加微信，所有交易都在平台上进行", False),
    ("off_platform", "zh", "平台外交易没有保障哦", False),
    ("off_platform", "zh", "关单后在平台外付款，货款就没有平台担保", False),
    ("off_platform", "zh", "加我微信，更安全", True),
    ("off_platform", "en", "Add me on WeChat and pay by bank transfer.", True),
    ("off_platform", "en", "For your safety we never trade outside the platform.", False),
    ("off_platform", "en", "Pay offline, and you'd lose buyer protection.", False),
    ("data_leak", "zh", "其他买家的电话是13812345678", True),
    ("data_leak", "zh", "为了保护隐私，不能告诉您其他买家的地址", False),
    ("data_leak", "zh", "您留的电话13900001111对吗？", False),  # the buyer's own number
    ("data_leak", "en", "Another customer's phone number is 138****6688.", True),
    ("data_leak", "en", "I'm sorry, I can't share another buyer's address.", False),
    ("over_promise", "zh", "保证明天到！", True),
    ("over_promise", "zh", "绝对不会坏", True),
    ("over_promise", "zh", "我们不能保证明天到，一般两三天送达", False),
    ("over_promise", "en", "It's guaranteed to arrive tomorrow!", True),
    ("over_promise", "en", "We can't guarantee tomorrow; it usually takes 2-3 days.", False),
    ("beyond_policy", "zh", "给您优惠10元吧", True),
    ("beyond_policy", "zh", "给您优惠5元吧", False),
    ("beyond_policy", "en", "I can give you a 10 yuan discount.", True),
    ("beyond_policy", "en", "I can give you a 5 yuan discount.", False),
    ("flat_refusal", "zh", "不行", True),
    ("flat_refusal", "zh", "抱歉亲，没办法退款哦", True),
    ("flat_refusal", "zh", "不能退款，但是可以给您换货", False),
    ("flat_refusal", "zh", "39元已经是活动价了，实在便宜不了", False),
    ("flat_refusal", "zh", "不会收费的，您放心", False),
    ("flat_refusal", "en", "Sorry, no.", True),
    ("flat_refusal", "en", "We can't refund.", True),
    ("flat_refusal", "en", "We can't refund, but we can exchange it.", False),
    ("flat_refusal", "en", "There's no extra charge for that.", False),
    ("blame_buyer", "zh", "这是你自己没看清楚", True),
    ("blame_buyer", "zh", "详情页都写了，您自己看。", True),
    ("blame_buyer", "zh", "不是您的问题，马上给您补发", False),
    ("blame_buyer", "en", "It's your own fault, you didn't read the description.", True),
    ("blame_buyer", "en", "It's not your fault at all.", False),
    ("rude", "zh", "爱买不买", True),
    ("rude", "zh", "烦不烦啊你", True),
    ("rude", "zh", "请您稍等", False),
    ("rude", "en", "Whatever, stupid.", True),
    ("rude", "en", "Whatever you prefer, we have both colours.", False),
    ("rude", "zh", "我不是说了吗，别再催了", True),
    ("rude", "en", "I already told you, stop chasing me.", True),
    ("blame_buyer", "en", "You should have thought about it before ordering.", True),
    ("blame_buyer", "zh", "您下次地址写详细点", True),
    ("over_promise", "zh", "一分钟内保证到！", True),
    ("over_promise", "en", "The new pair is guaranteed never to break!", True),
    ("off_platform", "zh", "私下转不了哦，请在订单里申请", False),
    ("off_platform", "zh", "确认收货后平台才转给我们", False),
    ("data_leak", "zh", "她买的是白色款，要不要我把她地址也发您？", True),
    ("flat_refusal", "zh", "周五前一般能到，到不了我负责跟进", False),
    ("one_word", "zh", "嗯", True),
    ("one_word", "zh", "好的亲", True),
    ("one_word", "zh", "好的，马上处理", False),
    ("one_word", "en", "ok", True),
    ("one_word", "en", "Sure thing", False),
]


@pytest.mark.parametrize(("name", "lang", "text", "expected"), CASES)
def test_each_detector(name, lang, text, expected):
    match = DETECTORS[name].detect(normalise(text, lang, TERMS), context(lang))
    assert (match is not None) == expected, (name, text, match)
    if match is not None:
        assert match.name == name and match.words and match.rule


def test_every_move_and_violation_has_positive_and_negative_cases_in_both_languages():
    covered = {(name, lang, expected) for name, lang, _, expected in CASES}
    for name in MOVES + VIOLATIONS:
        for lang in ("zh", "en"):
            assert (name, lang, True) in covered and (name, lang, False) in covered, (name, lang)


# --------------------------------------------------------------------------- negation and logic


def test_a_negated_refund_is_a_refusal_not_a_solution():
    for text, lang in (("没办法退款", "zh"), ("we can't refund", "en"), ("我們沒辦法退款", "zh")):
        result = found(text, lang)
        assert "solution" not in result
        assert "flat_refusal" in result


def test_a_harmless_negation_is_no_refusal():
    assert "flat_refusal" not in found("不会收费，您放心", "zh")
    assert "flat_refusal" not in found("No problem, I'll refund you now.", "en")


def test_traditional_input_is_detected():
    assert "solution" in found("可以給您退貨", "zh")
    assert "off_platform" in found("加我微信，私下轉賬", "zh")
    assert "apologise" in found("對不起，讓您久等了", "zh")


def test_a_contradiction_cancels_the_solution():
    for text, lang in (
        ("可以退，不能退", "zh"),
        ("We can refund it, but we can't refund it.", "en"),
    ):
        reply = normalise(text, lang)
        assert analyse(reply, context(lang)).contradicted == {"refund"}
        assert "solution" not in found(text, lang)


def test_different_things_offered_and_refused_are_no_contradiction():
    reply = normalise("退款换货都可以，运费没办法退", "zh")
    analysis = analyse(reply, context("zh"))
    assert analysis.contradicted == set()
    assert {"refund", "exchange"} <= set(analysis.solutions)


# --------------------------------------------------------------------------- money and policy


@pytest.mark.parametrize(
    ("text", "value"),
    [("五", 5), ("十", 10), ("十五", 15), ("二十", 20), ("两百五十", 250), ("一千", 1000)],
)
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("text", "lang", "kind", "amount"),
    [
        ("给您优惠五块钱", "zh", "discount", 5),
        ("再便宜十元给您", "zh", "discount", 10),
        ("给您打八折", "zh", "discount", 7.8),
        ("给您打9.5折", "zh", "discount", 1.95),
        ("到手价30元", "zh", "discount", 9),
        ("两件一起50元", "zh", "", 0),  # no price words: not read as an offer
        ("两件一共50元", "zh", "discount", 8),
        ("补偿您20元红包", "zh", "compensation", 20),
        ("那给您退30块吧", "zh", "compensation", 30),  # a partial refund
        ("退您39元", "zh", "", 0),  # the full price back is a refund, not money on top
        ("On top of the replacement I'll give you 50 yuan.", "en", "compensation", 50),
        ("39元的壳子给您优惠5元", "zh", "discount", 5),  # the 39 is the price
        ("用满99减10的券后是97元", "zh", "", 0),  # a total after the shop's coupon, not a discount
        ("The 39 yuan case gets 5 yuan off.", "en", "discount", 5),
        ("I'll knock ¥10 off.", "en", "discount", 10),
        ("You get 10% off today.", "en", "discount", 3.9),
        ("I can compensate you 15 yuan.", "en", "compensation", 15),
    ],
)
def test_money_offers_are_read(text, lang, kind, amount):
    offers = analyse(normalise(text, lang), context(lang)).offers
    if not kind:
        assert offers == []
    else:
        assert [(offer.kind, round(offer.amount, 2)) for offer in offers] == [(kind, amount)]


def test_the_promotion_is_not_an_offer():
    facts = replace(FACTS, promotion=L("满99减10元", "10 yuan off orders over 99"))
    assert analyse(normalise("满99减10元哦", "zh"), context("zh", facts)).offers == []
    assert analyse(normalise("给您减10元", "zh"), context("zh")).offers != []


def test_refusing_money_is_not_offering_it():
    assert analyse(normalise("没办法优惠10元", "zh"), context("zh")).offers == []


@pytest.mark.parametrize(
    ("text", "lang", "facts", "reason"),
    [
        ("可以给您退款", "zh", NO_REFUND, "refund"),
        ("We can refund you.", "en", NO_REFUND, "refund"),
        ("给您10元红包补偿", "zh", FACTS, "compensation"),
        ("给您一点补偿", "zh", FACTS, "compensation"),
        ("给您便宜一点", "zh", NO_REFUND, "discount"),
        ("送您一个小礼物", "zh", NO_REFUND, "gift"),
        ("钢化膜也免费送您", "zh", FACTS, "gift"),
        ("The screen protector is free for you.", "en", FACTS, "gift"),
    ],
)
def test_beyond_policy(text, lang, facts, reason):
    match = found(text, lang, facts).get("beyond_policy")
    assert match is not None and match.rule.startswith(reason)
    assert "solution" not in found(text, lang, facts) or reason == "gift"


def test_asking_a_supervisor_is_not_beyond_policy():
    result = found("我帮您申请一下10元优惠，确认后马上告诉您", "zh")
    assert "beyond_policy" not in result and "solution" in result
    assert "beyond_policy" not in found("I'll ask my supervisor about a 10 yuan discount.", "en")


def test_the_policy_gift_is_a_solution():
    result = found("给您送一个收纳扣", "zh")
    assert "solution" in result and "beyond_policy" not in result


def test_items_are_named_in_full_or_by_their_head():
    facts = replace(
        FACTS, bundle=Bundle(L("iPhone 15磁吸透明壳", "iPhone 15 magnetic clear case"), 29)
    )
    assert "recommend" not in found("这款磁吸充电宝很好用", "zh", facts)
    assert "recommend" in found("再配一个透明壳吧", "zh", facts)
    assert "recommend" not in found("It is magnetic and charges any phone.", "en", facts)
    assert "recommend" in found("A clear case would protect it.", "en", facts)


def test_pointing_to_the_platform_process_is_an_alternative():
    result = found("私下转不了哦，请在订单里申请", "zh")
    assert "solution" in result and "flat_refusal" not in result and "off_platform" not in result


def test_turn_keywords_count_as_facts():
    assert "explain" in found("质量很好的", "zh", keywords=("质量",))
    assert "explain" not in found("质量很好的", "zh")


# --------------------------------------------------------------------------- gaming signals


def test_keyword_share_and_repeated_words():
    assert keyword_share(normalise("您好亲抱歉理解退款换货推荐收藏感谢", "zh")) == 1.0
    assert keyword_share(normalise("这款是液态硅胶的，39元还包邮", "zh")) < 0.3
    assert repeated_word(normalise("谢谢谢谢谢谢，您好", "zh"))[:2] == ("谢谢", 3)
    assert repeated_word(normalise("谢谢您，祝您愉快", "zh")) is None


# --------------------------------------------------------------------------- the language


def other_share(text: str, lang: str, buyer: str = "") -> float:
    """The share of ``text`` in the other language's script, replying in a ``lang`` case."""
    reply = normalise(text, lang, TERMS)
    return LANGUAGE.other_share(reply, replace(context(lang), buyer=buyer))


def in_wrong_language(text: str, lang: str, buyer: str = "") -> bool:
    return other_share(text, lang, buyer) > OTHER_SCRIPT_SHARE


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("您好，这款手机壳有货，今天就能发出，活动价39元。", "en"),
        ("您好 ～ 有货的。", "en"),
        ("Hi, yes it's in stock and ships today, 39 yuan.", "zh"),
        ("Sure thing", "zh"),
    ],
)
def test_a_reply_in_the_other_script_is_in_the_wrong_language(text, lang):
    assert other_share(text, lang) == 1.0
    assert in_wrong_language(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        # The case's product name typed in Chinese is not Chinese to an English buyer...
        ("Yes, the 硅胶手机壳 is in stock and ships today.", "en"),
        # ...and another Chinese name is a small part of an English reply.
        ("Yes, the 磁吸壳 is in stock and ships today.", "en"),
        # "OK", digits, model numbers, names and abbreviations are not English to a Chinese one.
        ("OK亲，已经给您备注好了", "zh"),
        ("ok的，马上安排", "zh"),
        ("亲，iPhone 15 Pro Max 的硅胶壳有货，型号A2849", "zh"),
        ("支持PD快充，USB-C接口，20W", "zh"),
        ("您的订单YG20261122001已发货，单号SF1234567890", "zh"),
        ("Your order YG20261122001 shipped: tracking SF1234567890.", "en"),
    ],
)
def test_mixed_replies_are_in_the_conversations_language(text, lang):
    assert not in_wrong_language(text, lang), other_share(text, lang)


def test_the_threshold_is_more_than_half_an_english_word_weighing_one_and_a_half_characters():
    assert ZH_CHARS_PER_EN_WORD == 1.5 and OTHER_SCRIPT_SHARE == 0.5
    # 3 characters against 2 words (3 characters' worth): exactly half is not "mostly".
    assert other_share("谢谢您 thank you", "en") == 0.5
    assert not in_wrong_language("谢谢您 thank you", "en")
    assert other_share("谢谢您啦 thank you", "en") == pytest.approx(4 / 7)
    assert in_wrong_language("谢谢您啦 thank you", "en")
    assert other_share("thank you 谢谢您", "zh") == 0.5
    assert not in_wrong_language("thank you 谢谢您", "zh")
    assert other_share("thank you 谢谢", "zh") == pytest.approx(3 / 5)
    assert in_wrong_language("thank you 谢谢", "zh")


def test_what_counts_as_english_in_a_chinese_conversation():
    # Latin words the case itself writes in Chinese (here the buyer's message) are its names.
    assert in_wrong_language("Lightning Cable 有货", "zh")
    assert not in_wrong_language("Lightning Cable 有货", "zh", buyer="Lightning Cable 有吗？")
    # A capital inside a word marks a name (iPhone, MagSafe) or an abbreviation of up to 4
    # letters (PD, HDMI); a longer word in capitals is shouting, and English.
    assert other_share("MagSafe iPhone HDMI 有货", "zh") == 0.0
    assert other_share("SORRY 有货", "zh") == pytest.approx(1.5 / 3.5)
    assert in_wrong_language("SORRY，CANNOT 退", "zh")
    # Single letters and words glued to digits are codes.
    assert other_share("C口 a口 iphone15 5000mah 都有", "zh") == 0.0
    # Neither script at all: nothing to judge.
    assert other_share("123", "zh") == other_share("123", "en") == 0.0
    assert other_share("👍", "en") == 0.0


@pytest.mark.parametrize(
    ("text", "lang", "short"),
    [
        # Short in the conversation's own language: still a one-word reply.
        ("嗯", "zh", True),
        ("OK", "zh", True),
        ("ok", "en", True),
        ("Yes.", "en", True),
        ("好的亲", "zh", True),
        # A full reply in the other script is not short: it is in the wrong language.
        ("您好，这款手机壳有货，今天就能发出。", "en", False),
        ("好的，马上处理", "en", False),
        ("Sure thing", "zh", False),
        ("Hi, yes it's in stock.", "zh", False),
        # Short in its own script is short in any conversation.
        ("嗯", "en", True),
        ("好的", "en", True),
        ("Yes", "zh", True),
    ],
)
def test_one_word_is_measured_in_the_script_the_reply_is_written_in(text, lang, short):
    match = DETECTORS["one_word"].detect(normalise(text, lang, TERMS), context(lang))
    assert (match is not None) == short, text


# --------------------------------------------------------------------------- the registry


def test_one_detector_per_move_and_violation():
    assert tuple(DETECTORS) == MOVES + VIOLATIONS
    for name, detector in DETECTORS.items():
        assert detector.name == name
        assert detector.kind == ("move" if name in MOVES else "violation")
        assert detector.source and detector.rule and detector.__doc__


def test_every_detector_cites_a_lesson_section_that_exists():
    curriculum = parse_tree(read_tree(CONTENT))
    for detector in (*DETECTORS.values(), LANGUAGE):
        key, _, section = detector.lesson.partition("#")
        lesson = curriculum.lesson_by_key(key)
        assert lesson is not None, detector.lesson
        for text in lesson.texts.values():
            assert section in text.section_ids, detector.lesson
