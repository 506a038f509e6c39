"""Find the moves and violations of the fixed vocabulary in a trainee's free-text reply.

A reply is normalised once (``normalise``): Traditional characters become Simplified
(OpenCC t2s), full-width forms become ASCII (NFKC), the text is lowercased and segmented
with jieba, and every span a negator governs is marked, so "没办法退款" is a refusal and not
a refund offer while "不会收费" stays harmless. Each move and violation then has one small
detector in ``DETECTORS`` that names the manual section and lesson its rule comes from.

Everything here is pure and fast (well under a millisecond per reply once jieba is loaded).
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, ClassVar

from .schema import MOVES, VIOLATIONS, Facts

LANG_ZH, LANG_EN = "zh", "en"
# A reply shorter than this many Chinese characters / English words is a one-word reply.
MIN_ZH_CHARS, MIN_EN_WORDS = 4, 2
# Longer than this many Chinese characters / English words, the buyer will not read it all.
MAX_ZH_CHARS, MAX_EN_WORDS = 300, 120
# One English word says about as much as this many Chinese characters (the shipped scenarios'
# model replies and options average 1.4), so the two scripts can be weighed against each other.
ZH_CHARS_PER_EN_WORD = 1.5
# A reply is not in the conversation's language when more than this share of it, so weighed,
# is in the other script (names, model numbers and "OK" set aside, see ConversationLanguage).
OTHER_SCRIPT_SHARE = 0.5

# Words the segmenter should keep whole (shop vocabulary); scenarios add their own `terms`.
SHOP_WORDS = (
    "手机壳", "钢化膜", "充电宝", "数据线", "充电器", "蓝牙耳机", "包邮", "七天无理由",
    "无理由退货", "运费险", "优惠券", "满减", "旺旺", "千牛", "淘宝", "天猫", "好评", "中评",
    "差评", "退货", "退款", "换货", "补发", "快递单号", "单号", "发货", "签收", "活动价",
    "赠品", "收藏", "关注", "加微信", "线下交易", "转账", "不好意思", "没办法", "收货地址",
    "核对", "催快递", "质保", "保修",
)  # fmt: skip

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
_CONTENT_RE = re.compile(rf"[{_HAN}a-z0-9]")
_EN_WORD_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# A word of Latin letters only, in any case: one glued to digits (iphone15, 20w) is a code.
_LATIN_WORD_RE = re.compile(r"(?<![A-Za-z0-9'])[A-Za-z]+(?:'[A-Za-z]+)?(?![A-Za-z0-9])")
_HAN_RUN_RE = re.compile(f"[{_HAN}]+")
_TOKEN_RE = re.compile(rf"[{_HAN}a-z0-9]")

# Clauses end at punctuation and at "but": a negator governs only the rest of its clause.
_CLAUSE_BREAK_RE = re.compile(
    r"[,;:!?。，、；：！？…~～()\[\]\n\"“”]+|(?<!\d)\.|\.(?!\d)"
    r"|\s+(?:but|however|though|although|instead)\s+"
    r"|(?=但是|但|不过|可是|而是|只是|只能)"
)
_SENTENCE_END_RE = re.compile(r"[。!?！？\n]|(?<!\d)\.(?!\d)")
# Longest first, so 没办法 wins over 没.
_NEGATOR_RE = re.compile(
    r"没办法|没有|无法|不能|不可以|不可能|不会|不行|不支持|不接受|拒绝|不了|没得|请勿|切勿|勿|不|没|别"
    r"|(?<![a-z'])(?:can't|cannot|can not|cant|won't|wont|unable|don't|dont|doesn't|isn't|aren't"
    r"|wasn't|couldn't|wouldn't|shouldn't|didn't|haven't|hasn't|not|no|never|nope|impossible)"
    r"(?![a-z'])"
)
# Words that contain a negator but negate nothing (apologies, reassurance, "other", "but"...).
_NOT_NEGATION_RE = re.compile(
    r"不好意思|不客气|不过|不错|不便|不满|不少|不仅|不断|不久|不舒服|不一定|不管|不论|不然|不如"
    r"|不妨|不同|不停|不小心|不得不|不见不散|不用担心|不用着急|不要着急|不要担心|不着急|不必担心"
    r"|别着急|别担心|别急|别客气|别的|别人|别家|别处|别致|没问题|没有问题|没关系|没事|没错|对不起"
    r"|了不起|差不多|说不定|特别|区别|分别|告别|差别|级别|类别|性别|识别|个别|无论"
    r"|(?<![a-z'])(?:no problem|no worries|not a problem|not only|no matter|don't worry|dont worry"
    r"|do not worry|don't hesitate|do not hesitate|never mind|no doubt|not sure)(?![a-z])"
)
_A_NOT_A = "不没"


def _en(pattern: str) -> str:
    """Wrap an English pattern in word edges that also work next to Chinese characters."""
    return rf"(?<![a-z0-9'])(?:{pattern})(?![a-z0-9])"


def _compile(zh: str = "", en: str = "") -> re.Pattern[str]:
    """Join a Chinese and an English pattern; both run on every reply, so mixed text works."""
    parts = [part for part in (zh, _en(en) if en else "") if part]
    return re.compile("|".join(parts))


# --------------------------------------------------------------------------- segmenter


_lock = threading.Lock()
_tokenizer: Any = None
_converter: Any = None
# What the t2s conversion can change (see _conversion_tables); None: convert every text.
_conversion: tuple[frozenset[str], re.Pattern[str]] | None = None
_added_words: set[str] = set()
_taught: set[tuple[str, ...]] = set()


def load_segmenter() -> Any:
    """Load jieba (its own Tokenizer, so search's dictionary is untouched) and OpenCC once."""
    global _tokenizer, _converter, _conversion
    with _lock:
        if _tokenizer is None:
            # jieba is old code that may warn on import; warnings are errors under pytest.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba
                from opencc import OpenCC
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            for word in SHOP_WORDS:
                tokenizer.add_word(word)
                _added_words.add(word)
            _converter = OpenCC("t2s")
            _conversion = _conversion_tables(_converter)
            _tokenizer = tokenizer
        return _tokenizer


def _conversion_tables(converter: Any) -> tuple[frozenset[str], re.Pattern[str]] | None:
    """The characters and the phrases that t2s turns into another spelling, from the converter's
    own dictionaries (None if they cannot be read: then every text is converted).

    The converter replaces dictionary entries (the first of several spellings); entries that
    spell the same on both sides change nothing, so a text holding none of these characters and
    none of these phrases comes out as it went in. Simplified text (nearly every reply) then
    costs a set and a regular-expression check instead of a conversion, 30 times slower.
    """
    try:
        tables = [table for group in converter._dict_chain_data for table in group]
        chars: set[str] = set()
        phrases: list[str] = []
        for _longest, _shortest, mapping in tables:
            for key, value in mapping.items():
                if value.split(" ")[0] != key:
                    (chars.add(key) if len(key) == 1 else phrases.append(key))
    except (AttributeError, TypeError, ValueError):
        return None
    # Longest first, as the converter matches; an empty alternation would match everywhere.
    alternatives = "|".join(re.escape(phrase) for phrase in sorted(phrases, key=len, reverse=True))
    return frozenset(chars), re.compile(alternatives or "(?!)")


def add_terms(words: Iterable[str]) -> None:
    """Teach the segmenter a scenario's own terms so they stay whole tokens."""
    words = tuple(words)
    # Every reply of a scenario brings the same terms: normalise them only the first time.
    if words in _taught:
        return
    tokenizer = load_segmenter()
    new = [word for word in (simplify(w).lower().strip() for w in words) if word]
    with _lock:
        for word in new:
            if word not in _added_words:
                tokenizer.add_word(word)
                _added_words.add(word)
        _taught.add(words)


def simplify(text: str) -> str:
    """Fold full-width forms (NFKC) and Traditional characters (OpenCC t2s) into one spelling."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    if _HAN_RE.search(text):
        load_segmenter()
        if _conversion is None or _may_change(text, *_conversion):
            text = _converter.convert(text)
    return text


def _may_change(text: str, chars: frozenset[str], phrases: re.Pattern[str]) -> bool:
    return not chars.isdisjoint(text) or phrases.search(text) is not None


def tokenize(text: str) -> tuple[str, ...]:
    """Split already-normalised text into word tokens (jieba for Chinese), punctuation dropped."""
    if _HAN_RE.search(text):
        words = load_segmenter().lcut(text, HMM=False)
        return tuple(word for word in words if _TOKEN_RE.search(word))
    return tuple(_EN_WORD_RE.findall(text))


# --------------------------------------------------------------------------- the reply


@dataclass(frozen=True)
class Reply:
    """A reply normalised for matching: Simplified, lowercased, segmented, negation marked."""

    original: str
    lang: str
    simplified: str
    lower: str
    tokens: tuple[str, ...]
    # (start, end) spans of ``lower`` that a negator governs, sorted.
    negated: tuple[tuple[int, int], ...]
    # (start, end) of each negator, paired with ``negated``.
    negators: tuple[tuple[int, int], ...]
    # (start, end) of each clause of ``lower``.
    clauses: tuple[tuple[int, int], ...]
    content_chars: int
    words: int
    han_chars: int  # Chinese characters
    latin_words: int  # words of Latin letters only (see _LATIN_WORD_RE)
    _memo: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def is_negated(self, position: int) -> bool:
        """Tell whether the character at ``position`` of ``lower`` is governed by a negator."""
        index = bisect.bisect_right(self.negated, (position, len(self.lower) + 1)) - 1
        return index >= 0 and self.negated[index][0] <= position < self.negated[index][1]

    def clause(self, position: int) -> tuple[int, int]:
        """Return the (start, end) of the clause holding ``position``."""
        index = bisect.bisect_right(self.clauses, (position, len(self.lower) + 1)) - 1
        return self.clauses[max(index, 0)] if self.clauses else (0, len(self.lower))

    def sentence(self, position: int) -> tuple[int, int]:
        """Return the (start, end) of the sentence holding ``position`` (ends at 。!? or a line)."""
        start = max(
            (m.end() for m in _SENTENCE_END_RE.finditer(self.lower, 0, position)), default=0
        )
        after = _SENTENCE_END_RE.search(self.lower, position)
        return start, after.start() if after else len(self.lower)

    def shown(self, start: int, end: int) -> str:
        """The reply's words at ``lower[start:end]``, as typed when the spelling kept its length."""
        if len(self.original) == len(self.lower):
            return self.original[start:end]
        return self.lower[start:end]

    @property
    def zh_share(self) -> float | None:
        """The share of the reply written in Chinese characters, an English word weighing 1.5
        characters (None: neither script, e.g. only digits or emoji)."""
        en = ZH_CHARS_PER_EN_WORD * self.latin_words
        return self.han_chars / (self.han_chars + en) if self.han_chars or en else None

    @property
    def script(self) -> str:
        """The language whose script most of the reply is written in (the conversation's on a
        tie or when there is neither)."""
        share = self.zh_share
        if share is None or share == 0.5:
            return self.lang
        return LANG_ZH if share > 0.5 else LANG_EN

    @property
    def too_short(self) -> bool:
        """Under 4 Chinese characters or 2 words: a one-word reply.

        Measured in the script the reply is written in, so a full Chinese reply in an English
        conversation is not "short" (it is in the wrong language: ConversationLanguage).
        """
        if self.script == LANG_EN:
            return self.words < MIN_EN_WORDS
        return self.content_chars < MIN_ZH_CHARS

    @property
    def too_long(self) -> bool:
        """Over 300 Chinese characters or 120 words, measured in the script the reply is written
        in (an English paragraph in a Chinese conversation is not counted letter by letter)."""
        if self.script == LANG_EN:
            return self.words > MAX_EN_WORDS
        return self.content_chars > MAX_ZH_CHARS


def normalise(text: str, lang: str, terms: Iterable[str] = ()) -> Reply:
    """Normalise a reply once so every detector works on the same spelling and negation marks."""
    if terms:
        add_terms(terms)
    simplified = simplify(text.strip())
    lower = simplified.lower()
    clauses = _clauses(lower)
    negated, negators = _negations(lower, clauses)
    return Reply(
        original=text.strip(),
        lang=lang,
        simplified=simplified,
        lower=lower,
        tokens=tokenize(lower),
        negated=negated,
        negators=negators,
        clauses=clauses,
        content_chars=len(_CONTENT_RE.findall(lower)),
        words=len(_EN_WORD_RE.findall(lower)),
        han_chars=len(_HAN_RE.findall(lower)),
        latin_words=len(_LATIN_WORD_RE.findall(simplified)),
    )


def _clauses(lower: str) -> tuple[tuple[int, int], ...]:
    spans = []
    start = 0
    for match in _CLAUSE_BREAK_RE.finditer(lower):
        if match.start() > start:
            spans.append((start, match.start()))
        start = max(start, match.end())
    if start < len(lower):
        spans.append((start, len(lower)))
    return tuple(spans)


def _negations(
    lower: str, clauses: Sequence[tuple[int, int]]
) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """Mark, in each clause, the text after its first real negator as negated."""
    exempt = [match.span() for match in _NOT_NEGATION_RE.finditer(lower)]
    negated: list[tuple[int, int]] = []
    negators: list[tuple[int, int]] = []
    for start, end in clauses:
        for match in _NEGATOR_RE.finditer(lower, start, end):
            at = match.start()
            if any(low <= at < high for low, high in exempt):
                continue
            # "能不能", "有没有", "可不可以" ask a question; they negate nothing.
            before = lower[at - 1] if at else ""
            if lower[at] in _A_NOT_A and before and before == lower[at + 1 : at + 2]:
                continue
            # "退不了", "私下转不了": the potential complement negates the verb phrase before
            # it. The negator itself is inside the span, so "不可以退" never yields "可以退".
            span_start = start if match.group() == "不了" else at
            negated.append((span_start, end))
            negators.append(match.span())
            break
    return tuple(negated), tuple(negators)


# --------------------------------------------------------------------------- the context


@dataclass(frozen=True)
class FactWords:
    """The words of a case's facts in one language, weighed for the "explain" move."""

    strong: tuple[tuple[str, re.Pattern[str]], ...]  # (label, pattern): each counts fully
    product: tuple[str, ...]  # product-name words: each counts half
    bundle: tuple[str, ...]
    gift: tuple[str, ...]
    address: tuple[str, ...]
    prices: tuple[float, ...]  # the price, bundle price and both together, ascending
    promotion_numbers: frozenset[float]


@dataclass(frozen=True)
class Context:
    """What a reply is judged against: the case facts, the buyer's message, the turn, history."""

    lang: str
    facts: Facts
    buyer: str = ""
    keywords: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def fact_words(self) -> FactWords:
        """The case's fact words in this language (cached per facts, language and keywords)."""
        return _fact_words(self.facts, self.lang, self.keywords)


@dataclass(frozen=True)
class Match:
    """A move or violation found in a reply, with the words to highlight and why it counts."""

    name: str
    kind: str  # "move" or "violation"
    words: tuple[str, ...]
    rule: str
    source: str
    lesson: str
    # Where in the normalised reply the words are (start, end), for coverage and highlighting.
    spans: tuple[tuple[int, int], ...] = ()


STATUS_WORDS = {
    "none": ("现货|有货|库存|当天发|48小时", "in stock|available|ships? (?:today|within)"),
    "unpaid": (
        "未付款|待付款|没付款|还没付|付款|支付|拍下",
        "unpaid|payment|pay(?: now)?|checkout|check out",
    ),
    "paid": (
        "已付款|付款成功|待发货|还没发货|未发货|安排发货|发货|打包|出库|仓库",
        "paid|payment (?:received|went through)|not (?:yet )?shipped|ship|dispatch|pack|warehouse",
    ),
    "shipped": (
        "已发货|发货了|已发出|在路上|运输|物流|快递|派送|中转|揽收|配送|单号",
        "shipped|on (?:its|the) way|in transit|courier|tracking|delivery|parcel",
    ),
    "delivered": (
        "已签收|签收|收到|送达|快递柜|驿站",
        "delivered|received|signed for|locker|pick-?up point",
    ),
    "refunding": (
        "退款中|退款申请|申请退款|审核|处理中|退款进度|原路退回|到账",
        "refund (?:request|is being|in progress|application)|processing|under review"
        "|back to your account",
    ),
}
# Policy and product facts any case may use as a reason.
POLICY_WORDS = (
    "七天无理由|7天无理由|无理由退|活动价|最低价|底价|成本|质保|保修|运费险|正品|原价|材质|尺寸|规格",
    "7-day|seven-day|no-reason return|sale price|lowest price|at cost|warranty|shipping insurance"
    "|genuine|original price|material|size chart|specification",
)
_STOP_EN = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by for from has have in is it its of on or our that the this to "
        "with your you we yuan over under all one",
    )
)


@lru_cache(maxsize=256)
def _fact_words(facts: Facts, lang: str, keywords: tuple[str, ...]) -> FactWords:
    strong: list[tuple[str, re.Pattern[str]]] = []

    def add(label: str, pattern: str) -> None:
        strong.append((label, re.compile(pattern)))

    zh_status, en_status = STATUS_WORDS[facts.order_status]
    add("order status", f"{zh_status}|{_en(en_status)}")
    add("policy", f"{POLICY_WORDS[0]}|{_en(POLICY_WORDS[1])}")
    prices = [facts.price]
    if facts.bundle is not None:
        prices += [facts.bundle.price, facts.price + facts.bundle.price]
    for price in prices:
        add("price", rf"(?<![\d.]){_number(price)}(?![\d])")
    for label, value in (("tracking number", facts.tracking), ("order number", facts.order_id)):
        if value:
            add(label, re.escape(simplify(value).lower()))
    promotion_numbers: set[float] = set()
    if facts.promotion:
        text = simplify(facts.promotion[lang]).lower()
        promotion_numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", text)}
        for number in sorted(promotion_numbers):
            add("promotion", rf"(?<![\d.]){_number(number)}(?![\d])")
        if lang == LANG_ZH:
            for word in _content_words(text):
                add("promotion", re.escape(word))
        else:
            for phrase in _en_phrases(text):
                add("promotion", _en(re.escape(phrase)))
    for keyword in keywords:
        word = simplify(keyword).lower().strip()
        if word:
            add("keyword", re.escape(word) if _HAN_RE.search(word) else _en(re.escape(word)))
    gift = facts.policy.gift
    return FactWords(
        strong=tuple(strong),
        product=_content_words(simplify(facts.product[lang]).lower()),
        bundle=_item_phrases(facts.bundle.item[lang]) if facts.bundle else (),
        gift=_item_phrases(gift[lang]) if gift else (),
        address=(_content_words(simplify(facts.address[lang]).lower()) if facts.address else ()),
        prices=tuple(sorted(prices)),
        promotion_numbers=frozenset(promotion_numbers),
    )


def _content_words(text: str) -> tuple[str, ...]:
    """Meaningful words of a fact: Chinese tokens of 2+ characters, English non-stop words."""
    words = []
    for token in tokenize(text):
        if _HAN_RE.search(token):
            keep = len(token) >= 2
        else:
            keep = len(token) >= 3 and token not in _STOP_EN and not token.isdigit()
        if keep and token not in words:
            words.append(token)
    return tuple(words)


def _item_phrases(name: str) -> tuple[str, ...]:
    """How a reply names an item: in full, or by its head ("钢化膜", "透明壳", "screen protector").

    Single words of the name are not enough: "磁吸" or "phone" also describe other products.
    """
    text = simplify(name).lower().strip()
    phrases = [text]
    runs = re.findall(f"[{_HAN}]+", text)
    if runs:
        phrases.append(runs[-1][-3:])
    else:
        words = [word for word in _EN_WORD_RE.findall(text) if word not in _STOP_EN]
        phrases.append(" ".join(words[-2:]))
    return tuple(dict.fromkeys(phrase for phrase in phrases if len(phrase) >= 2))


def _en_phrases(text: str) -> tuple[str, ...]:
    """Runs of adjacent English content words ("free shipping"): single words are too vague."""
    phrases, run = [], []
    for word in [*_EN_WORD_RE.findall(text), ""]:
        if word and word not in _STOP_EN and not word.isdigit():
            run.append(word)
            continue
        if len(run) > 1 or (run and len(run[0]) >= 5):
            phrases.append(" ".join(run))
        run = []
    return tuple(phrases)


def _number(value: float) -> str:
    text = f"{value:g}"
    return re.escape(text)


# --------------------------------------------------------------------------- shared analysis

# Solutions by kind: phrases that offer one (outside a negation).
SOLUTION_KINDS: dict[str, tuple[str, str]] = {
    "refund": (
        "退款|退钱|退货|退回|退给您|给您退|为您退|帮您退|可以退|退差价|全额退|原路退",
        "refund(?:s|ed|ing)?|money back|reimburse\\w*|return (?:it|the item|them)"
        "|send (?:it|them) back",
    ),
    "exchange": (
        "换货|换一个|换一件|换新|调换|更换|给您换|帮您换|为您换|可以换|换个|换成",
        "exchange\\w*|replace\\w*|swap\\w*|new one|another one",
    ),
    "resend": (
        "补发|重新发|重发|再发一|再寄|重新寄",
        "re-?send|re-?ship|send (?:you )?(?:a new|another|a replacement)",
    ),
    "discount": (
        "优惠券|优惠(?!价)|(?<![很挺够最])便宜(?!了)|减免|立减|打折|折扣|少收|让利|降价|改价|抹零"
        "|减[0-9一二两三四五六七八九十]|[0-9一二两三四五六七八九]+折|满减|券",
        "discount\\w*|coupon\\w*|voucher\\w*|cheaper|price cut|knock \\w+ off"
        "|\\d+ ?(?:yuan|rmb|%) off|(?:lower|reduce) (?:the )?price|special price",
    ),
    "gift": (
        "赠品|赠送|送您|送你|小礼物|小礼品|礼品|送一[个份张只条]|附赠",
        "gift\\w*|freebie\\w*|throw in|complimentary|for free",
    ),
    "compensation": (
        "补偿|赔偿|红包|返现|补贴|赔您|赔给您",
        "compensat\\w*|cash ?back|red packet|make it up to you|partial refund",
    ),
    "cover_shipping": (
        "承担运费|运费我们出|运费由我们|报销运费|运费我们承担",
        "(?:cover|pay) (?:the )?(?:return )?(?:shipping|postage)|return shipping (?:is )?"
        "(?:on us|free)|free return",
    ),
    "chase": (
        "催一下|催促|催快递|催物流|帮您催|帮您查|为您查|查一下|跟进|联系快递|联系物流|加急|跟踪",
        "chase|follow (?:it )?up|check (?:on|with) the courier|contact the courier|look into"
        "|track (?:it|the parcel|your parcel)|urge the courier|expedite",
    ),
    "escalate": (
        "帮您申请|为您申请|申请一下|帮您问|帮您反馈|反馈给|上报|请示|向主管|问一下主管|登记",
        "(?:ask|check with) (?:my|our|the) (?:supervisor|manager)|apply for|request approval"
        "|escalate|report (?:it|this) to",
    ),
    "repair": ("维修|修理|返修", "repair\\w*|fix it"),
    "order_change": (
        "修改地址|改地址|改一下地址|帮您改|帮您修改|取消订单|帮您取消|备注",
        "change (?:the|your) address|update (?:the|your) address|cancel (?:the|your) order"
        "|add a note|note (?:it|that)",
    ),
    "guide": (
        "在订单里申请|订单里申请|点击?申请退款|申请售后|在订单(?:页|详情)|平台上?申请|按流程",
        "apply (?:for (?:it|a refund|after-sales) )?in (?:the|your) order|through the platform"
        "|in your order page|open an after-sales request|request a refund in",
    ),
    "ship": (
        "马上发货|尽快发货|优先发货|今天发|当天发|安排发货|今天就?(?:能|会)?(?:发出|寄出)|让仓库|催仓库"
        "|优先安排",
        "ships? (?:it )?(?:today|right away|first thing|asap)|shipped today"
        "|dispatch(?:ed)? (?:it )?(?:today|right away)|prioriti[sz]e|rush (?:your|the) order"
        "|asked the warehouse|(?:goes|go|going|send it) out today",
    ),
}
# What a negation of each kind looks like ("不能退", "can't refund"): shorter stems.
REFUSED_KINDS: dict[str, tuple[str, str]] = {
    "refund": ("退(?!运费|邮费|色)", "refund\\w*|return\\w*|money back"),
    "exchange": ("换", "exchange\\w*|replace\\w*|swap\\w*"),
    "resend": ("补发|重发", "re-?send|send"),
    "discount": (
        "便宜|优惠|折|减|让(?:利|价|步|点|一点|不了)|降|少收|少点|少一点|少算|低|讲价|议价|砍价",
        "discount\\w*|cheaper|lower|reduce|coupon\\w*|off",
    ),
    "gift": ("赠品|送您|送你|赠送|送一|送个|礼物", "gift\\w*|free"),
    "compensation": ("补偿|赔", "compensat\\w*|cash ?back"),
    "cover_shipping": ("运费", "shipping|postage"),
    "chase": ("催|查一下|帮您查", "chase|check"),
    "repair": ("修", "repair\\w*|fix"),
    "ship": ("发货|发出|寄出", "ship\\w*|dispatch\\w*"),
}
# Other things a buyer asks for: negating them is also a refusal.
_REQUEST_WORDS = (
    "包邮|改|取消|处理|帮|给您|做|办|答应|同意|支持|接受|管|负责",
    "help|do (?:that|it|this|anything)|accept|allow|give|offer|cancel|change|free shipping|deal",
)
_BARE_REFUSAL_RE = re.compile(
    r"^(?:抱歉|对不起|不好意思)?(?:不行|不可以|不能|没办法|办不到|做不到|没得|不可能|没有|不|无法"
    r"|不支持|免谈|没门|不议价|不讲价|不退|不换)$"
    r"|^(?:sorry )?(?:no|nope|no way|not possible|impossible|can't|cannot|can't do (?:that|it)"
    r"|we can't|i can't|not allowed|we are unable|that's not possible|not happening)$"
)
_PARTICLES_RE = re.compile(r"^[亲\s]+|[哦啊呢呀哈啦嘛的了吧喔噢亲\s]+$")
# Negators that refuse on their own, whatever follows them.
_REFUSING_NEGATORS = frozenset({"不行", "不可能", "nope", "impossible"})
_TENTATIVE_RE = _compile(
    "申请|请示|问问|问一下|帮您问|反馈|向主管|看看能不能|看能不能|争取",
    "ask|check with|apply|request|see if|try to get",
)
_COMPENSATION_WORDS_RE = _compile(
    "补偿|赔偿|赔|红包|返现|补贴|返还|多退|额外|另外给|另外补",
    "compensat\\w*|cash ?back|red packet|extra|additional|on top of|partial refund",
)
# Money "refunded" that is less than the price is a partial refund: compensation.
_REFUND_WORDS_RE = _compile("退", "refund\\w*")
_DISCOUNT_WORDS_RE = _compile(
    "优惠|便宜|减|少收|让|降|折|抹零|改价|券",
    "discount\\w*|off|cheaper|knock|reduce|coupon\\w*|voucher\\w*|lower|deduct\\w*",
)
_PRICE_WORDS_RE = _compile(
    "价|到手|只要|只需|仅需|仅|才|一共|合计|总共|算您|给您算",
    "for only|only|total|price|for just|just",
)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "[零〇一二两三四五六七八九十百千]+"
_AMOUNT_RE = re.compile(
    r"(?:¥|rmb ?|cny ?)(?P<a>\d+(?:\.\d+)?)"
    r"|(?P<b>\d+(?:\.\d+)?) ?-?(?:元|块钱|块|rmb|yuan|kuai|cny)(?![a-z])"
    rf"|(?P<c>{_CN_NUM})(?:元|块钱|块(?![{_HAN}])|块(?=[哦的呢吧啦哈呀了给]))"
)
# How far after an amount its words may come in English ("5 yuan discount"); 3 in Chinese.
_AMOUNT_WORDS_AFTER_EN = 12
_PERCENT_RE = re.compile(
    r"(?P<z>\d{1,2}(?:\.\d)?|[一二三四五六七八九]{1,2}) ?折"
    r"|(?P<e>\d{1,2}(?:\.\d+)?) ?(?:%|percent) off"
)


def chinese_number(text: str) -> int | None:
    """Read a simple Chinese numeral (五, 十五, 二十, 两百五十, 一千) as an int."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


@dataclass(frozen=True)
class Offer:
    """Money offered in a reply: what kind, how much (yuan) and the words saying so."""

    kind: str  # "discount" or "compensation"
    amount: float
    words: str


@dataclass
class Analysis:
    """What several detectors share about one reply: offers, refusals, facts mentioned."""

    offered: dict[str, list[tuple[int, int]]]  # kind -> spans (not negated)
    refused: dict[str, list[tuple[int, int]]]  # kind -> spans (negated)
    refusals: list[tuple[int, int]]  # spans of refusing words
    contradicted: set[str]
    tentative: list[tuple[int, int]]  # clauses that only ask a supervisor / apply
    offers: list[Offer]
    beyond: list[tuple[str, tuple[int, int] | None, str]]  # (reason, span, words)
    solutions: dict[str, list[tuple[int, int]]]  # offered, within policy, not contradicted
    explain_weight: float
    explain_spans: list[tuple[int, int]]


def analyse(reply: Reply, context: Context) -> Analysis:
    """Work out offers, refusals and facts once per reply and context (detectors share it)."""
    memo = reply._memo
    if memo.get("context") is context:
        return memo["analysis"]
    analysis = _analyse(reply, context)
    memo["context"], memo["analysis"] = context, analysis
    return analysis


_SOLUTION_RES = {kind: _compile(*patterns) for kind, patterns in SOLUTION_KINDS.items()}
_REFUSED_RES = {kind: _compile(*patterns) for kind, patterns in REFUSED_KINDS.items()}
_REQUEST_RE = _compile(*_REQUEST_WORDS)
_SHIPPING_FEE_RE = _compile("运费|邮费", "shipping|postage")


def _analyse(reply: Reply, context: Context) -> Analysis:
    lower = reply.lower
    words = context.fact_words
    offered: dict[str, list[tuple[int, int]]] = {}
    for kind, pattern in _SOLUTION_RES.items():
        spans = [m.span() for m in pattern.finditer(lower) if not reply.is_negated(m.start())]
        if spans:
            offered[kind] = spans
    if words.gift:
        gift_spans = _find_words(reply, words.gift, negation_aware=True)
        if gift_spans:
            offered.setdefault("gift", []).extend(gift_spans)

    refused: dict[str, list[tuple[int, int]]] = {}
    refusals: list[tuple[int, int]] = []
    for (neg_start, neg_end), (span_start, span_end) in zip(
        reply.negators, reply.negated, strict=True
    ):
        found_any = False
        clause_start, _ = reply.clause(neg_start)
        if lower[neg_start:neg_end] == "不了":
            # "退不了": the refused verb comes before; what follows ("到不了我负责") is not it.
            span_end = min(span_end, neg_end + 1)
        for kind, pattern in _REFUSED_RES.items():
            for match in pattern.finditer(lower, span_start, span_end):
                # "运费没办法退": what is refused is named before the negator.
                shipping = _SHIPPING_FEE_RE.search(lower, clause_start, span_end)
                what = "cover_shipping" if kind == "refund" and shipping else kind
                refused.setdefault(what, []).append(match.span())
                refusals.append((min(neg_start, match.start()), max(neg_end, match.end())))
                found_any = True
                break
        if not found_any:
            request = _REQUEST_RE.search(lower, span_start, span_end)
            if request:
                refusals.append((min(neg_start, request.start()), request.end()))
            elif lower[neg_start:neg_end] in _REFUSING_NEGATORS:
                refusals.append((neg_start, neg_end))
    for start, end in reply.clauses:
        bare = _PARTICLES_RE.sub("", lower[start:end])
        if bare and _BARE_REFUSAL_RE.match(bare):
            refusals.append((start, end))

    contradicted = {kind for kind in offered if kind in refused}
    tentative = [
        clause for clause in reply.clauses if _TENTATIVE_RE.search(lower, clause[0], clause[1])
    ]
    offers = _money_offers(reply, context, tentative)
    beyond = _beyond_policy(reply, context, offered, offers, tentative)
    beyond_kinds = {reason.split(":", 1)[0] for reason, _, _ in beyond}
    solutions = {
        kind: spans
        for kind, spans in offered.items()
        if kind not in contradicted and kind not in beyond_kinds
    }
    weight, explain_spans = _explain(reply, words)
    return Analysis(
        offered=offered,
        refused=refused,
        refusals=sorted(set(refusals)),
        contradicted=contradicted,
        tentative=tentative,
        offers=offers,
        beyond=beyond,
        solutions=solutions,
        explain_weight=weight,
        explain_spans=explain_spans,
    )


def _in_any(position: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _money_offers(reply: Reply, context: Context, tentative: list[tuple[int, int]]) -> list[Offer]:
    """Amounts offered as a discount or compensation (an applied-for amount is not an offer)."""
    lower = reply.lower
    words = context.fact_words
    offers: list[Offer] = []
    previous_end = 0
    for match in _AMOUNT_RE.finditer(lower):
        clause_start, clause_end = reply.clause(match.start())
        # An amount is read with the words since the previous amount, or else just after it,
        # so in "39元的壳子给您优惠5元" only the 5 is the discount.
        before = (max(clause_start, previous_end), match.start())
        after_chars = (
            _AMOUNT_WORDS_AFTER_EN if lower[match.end() : match.end() + 1].isascii() else 3
        )
        after = (match.end(), min(clause_end, match.end() + after_chars))
        previous_end = match.end()
        if reply.is_negated(match.start()) or _in_any(match.start(), tentative):
            continue
        raw = match.group("a") or match.group("b")
        amount = float(raw) if raw else chinese_number(match.group("c") or "")
        if not amount or amount in words.promotion_numbers:
            continue
        shown = reply.shown(clause_start, clause_end).strip()
        kind = _amount_kind(lower, before) or _amount_kind(lower, after)
        if kind == "discount" and amount >= context.facts.price:
            # "用满199减10的券是197元": an amount the size of a price is a (new) price.
            kind = "price"
        if kind in ("compensation", "discount"):
            offers.append(Offer(kind, amount, shown))
        elif kind == "refund":
            if amount < context.facts.price:
                offers.append(Offer("compensation", amount, shown))
        elif kind == "price":
            # "到手价34元" states a new price: the discount is what it takes off the list price.
            reference = next((price for price in words.prices if price >= amount), None)
            if reference is not None and amount < reference:
                offers.append(Offer("discount", reference - amount, shown))
    for match in _PERCENT_RE.finditer(lower):
        if reply.is_negated(match.start()) or _in_any(match.start(), tentative):
            continue
        if match.group("z"):
            raw = match.group("z")
            pays = float(raw) if raw[0].isdigit() else float(chinese_number_digits(raw))
            share_off = 1 - (pays / 10 if pays < 10 else pays / 100)
        else:
            share_off = float(match.group("e")) / 100
        if 0 < share_off < 1:
            start, end = reply.clause(match.start())
            amount = round(context.facts.price * share_off, 2)
            offers.append(Offer("discount", amount, reply.shown(start, end).strip()))
    return offers


def _amount_kind(lower: str, window: tuple[int, int]) -> str | None:
    """What the words in ``window`` make an amount: compensation, discount, a price, or None."""
    for kind, pattern in (
        ("compensation", _COMPENSATION_WORDS_RE),
        ("discount", _DISCOUNT_WORDS_RE),
        ("refund", _REFUND_WORDS_RE),
        ("price", _PRICE_WORDS_RE),
    ):
        if pattern.search(lower, *window):
            return kind
    return None


def chinese_number_digits(text: str) -> int:
    """Read digit-by-digit Chinese numerals as in discounts ("九五折" is 95)."""
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))


def _beyond_policy(
    reply: Reply,
    context: Context,
    offered: dict[str, list[tuple[int, int]]],
    offers: list[Offer],
    tentative: list[tuple[int, int]],
) -> list[tuple[str, tuple[int, int] | None, str]]:
    policy = context.facts.policy
    found: list[tuple[str, tuple[int, int] | None, str]] = []

    def firm(kind: str) -> list[tuple[int, int]]:
        return [span for span in offered.get(kind, []) if not _in_any(span[0], tentative)]

    if not policy.refund and firm("refund"):
        span = firm("refund")[0]
        found.append(("refund: a refund is not allowed in this case", span, ""))
    limits = {"discount": policy.max_discount, "compensation": policy.max_compensation}
    for kind, limit in limits.items():
        over = [offer for offer in offers if offer.kind == kind and offer.amount > limit]
        if over:
            offer = max(over, key=lambda o: o.amount)
            found.append(
                (
                    f"{kind}: offers {offer.amount:g} yuan, above the limit of {limit:g}",
                    None,
                    offer.words,
                )
            )
        elif limit == 0 and firm(kind):
            found.append((f"{kind}: no {kind} may be offered in this case", firm(kind)[0], ""))
    if policy.gift is None and firm("gift"):
        found.append(("gift: this case has no gift to offer", firm("gift")[0], ""))
    giveaway = _bundle_giveaway(reply, context, tentative)
    if giveaway is not None:
        found.append(("gift: gives away the matching item, which is for sale", giveaway, ""))
    return found


_FREE_RE = _compile(
    "免费|白送|送您|送你|赠送|送给您",
    "free|for free|on the house|throw (?:it |them )?in|our gift|as a gift",
)


def _bundle_giveaway(
    reply: Reply, context: Context, tentative: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """The span naming the bundle item in a clause that gives it away for free, if any."""
    words = context.fact_words
    for start, end in _find_words(reply, words.bundle, negation_aware=True):
        clause = reply.clause(start)
        if clause in tentative or any(
            _in_any(gift_start, [clause]) for gift_start, _ in _find_words(reply, words.gift)
        ):
            continue
        free = _FREE_RE.search(reply.lower, *clause)
        if free and not reply.is_negated(free.start()):
            return start, end
    return None


def _find_words(
    reply: Reply, words: Iterable[str], *, negation_aware: bool = False
) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = reply.lower.find(word)
        while start != -1:
            allowed = not (negation_aware and reply.is_negated(start))
            if allowed and (
                _HAN_RE.search(word) or _word_edges(reply.lower, start, start + len(word))
            ):
                spans.append((start, start + len(word)))
                break
            start = reply.lower.find(word, start + 1)
    return spans


def _word_edges(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and before.isascii()) and not (after.isalnum() and after.isascii())


def _explain(reply: Reply, words: FactWords) -> tuple[float, list[tuple[int, int]]]:
    """Weigh the case facts a reply mentions: each strong fact 1, each product word 0.5."""
    weight = 0.0
    spans: list[tuple[int, int]] = []
    for _label, pattern in words.strong:
        match = pattern.search(reply.lower)
        if match:
            weight += 1
            spans.append(match.span())
    product = _find_words(reply, words.product)
    weight += 0.5 * len(product)
    spans.extend(product)
    return weight, sorted(spans)


# --------------------------------------------------------------------------- detectors


class Detector:
    """One move or violation: ``detect`` returns a Match (words + rule) or None."""

    name: ClassVar[str]
    kind: ClassVar[str]
    # Where the rule comes from: a seed manual section and the lesson teaching it.
    source: ClassVar[str]
    lesson: ClassVar[str]
    rule: ClassVar[str]

    def detect(self, reply: Reply, context: Context) -> Match | None:
        """Return the match in ``reply`` or None (subclasses implement ``spans``)."""
        spans = self.spans(reply, context)
        if not spans:
            return None
        return self.match(reply, spans, self.rule)

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Return the (start, end) spans of ``reply.lower`` that make this move or violation."""
        raise NotImplementedError

    def match(self, reply: Reply, spans: Iterable[tuple[int, int]], rule: str) -> Match:
        """Build the Match for ``spans``: distinct words in reading order."""
        spans = sorted(set(spans))
        words: list[str] = []
        for start, end in spans:
            word = reply.shown(start, end).strip()
            if word and word not in words:
                words.append(word)
        return Match(self.name, self.kind, tuple(words), rule, self.source, self.lesson,
                     tuple(spans))  # fmt: skip


class PhraseDetector(Detector):
    """A move or violation recognised by a phrase list (optionally ignoring negated phrases)."""

    pattern: ClassVar[re.Pattern[str]]
    negation_aware: ClassVar[bool] = True
    # Phrases that count even inside a negation (they contain their own negator).
    raw_pattern: ClassVar[re.Pattern[str] | None] = None

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Every phrase occurrence (outside negations when ``negation_aware``)."""
        spans = [
            match.span()
            for match in self.pattern.finditer(reply.lower)
            if match.group() and not (self.negation_aware and reply.is_negated(match.start()))
        ]
        if self.raw_pattern is not None:
            spans += [match.span() for match in self.raw_pattern.finditer(reply.lower)]
        return spans


class Greeting(PhraseDetector):
    """Greets the buyer or introduces oneself: the first reply sets the tone."""

    name, kind = "greeting", "move"
    source = "000 ch.4 §2 and script 1; 001 ch.11 §206-209"
    lesson = "scripts/greeting-and-polite-language#first-reply"
    rule = "a greeting or self-introduction (您好, 亲, 欢迎光临, hello, welcome)"
    pattern = _compile(
        "您好|你好|亲爱的|亲(?![自戚人手身子友属眼密近切])|欢迎光临|欢迎来到|欢迎(?!再|下次|常|您再|收藏|关注|加入|进群|加群)"
        "|早上好|上午好|中午好|下午好|晚上好|(?:^|(?<=[,.!?。，！？\\s]))在的|很高兴为您服务|为您服务"
        "|我是[^,.!?。，！？]{0,8}客服",
        "hello|hi|hey|hiya|good (?:morning|afternoon|evening)|welcome(?! back)|greetings"
        "|dear customer|nice to meet you|thanks for (?:reaching out|contacting|getting in touch)"
        "|how (?:can|may) i help|this is \\w+ (?:from|at)",
    )


class Acknowledge(PhraseDetector):
    """Acknowledges the buyer's feeling before solving anything."""

    name, kind = "acknowledge", "move"
    source = "003 after-sale skills (listen, put yourself in their place, understand)"
    lesson = "challenges/complaints-step-by-step#eleven-steps"
    rule = "names or accepts the buyer's feeling (理解您的心情, 着急, I understand how you feel)"
    pattern = _compile(
        "理解您|理解你|能理解|完全理解|我理解|我明白|明白您|非常理解|换[做作成]是我|换位|心情|着急|心急"
        "|担心|生气|不开心|失望|委屈|辛苦了|让您久等|让您费心|体谅|您的感受|听到您|知道您|您别急"
        "|换谁都|谁都会|心疼|难受|闹心|糟心|郁闷|能体会|能感受",
        "(?:i|we) (?:totally |completely |fully |really )?(?:understand|see why|get why|hear you)"
        "|understand (?:how|why|that|your)|i know how|i can imagine|sorry to hear|in your shoes"
        "|must be (?:so |really |very )?(?:frustrating|annoying|upsetting|worrying|stressful"
        "|disappointing|inconvenient)|that's (?:so |really )?(?:frustrating|annoying|disappointing)"
        "|don't worry|dont worry|no worries|thanks? (?:you )?for (?:your )?patience"
        "|feel(?:ing)? (?:frustrated|upset|worried)",
    )


class Apologise(PhraseDetector):
    """Apologises for the trouble."""

    name, kind = "apologise", "move"
    source = "000 ch.6; 001 ch.14 §295-297"
    lesson = "scripts/greeting-and-polite-language#never-a-flat-no"
    rule = "an apology (抱歉, 对不起, 不好意思, sorry)"
    pattern = _compile(
        "抱歉|对不起|不好意思|致歉|道歉|歉意|添麻烦|带来不便|带来的不便|久等了|是我们的疏忽|我们的失误",
        "sorry|apologi[sz]e\\w*|apologies|my bad|pardon|excuse (?:me|us)|regret (?:the|any)",
    )


class Explain(Detector):
    """Explains using the facts of the case (product, price, status, tracking, promotion...)."""

    name, kind = "explain", "move"
    source = "000 ch.4 (knows the products and promotions); 003 communication principles"
    lesson = "pre-sale/script-sequence#welcome-and-product"
    rule = (
        "uses the case's facts: a strong fact (price, status, tracking, promotion, keyword)"
        " or two product-name words"
    )

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """The facts mentioned, when they weigh at least one strong fact."""
        analysis = analyse(reply, context)
        return analysis.explain_spans if analysis.explain_weight >= 1 else []


class Solution(Detector):
    """Offers a concrete solution that the case's policy allows."""

    name, kind = "solution", "move"
    source = "000 ch.4 sections 4, 6-7 (after-sale, three refund flows)"
    lesson = "after-sale/returns-exchanges-and-repairs#which-case"
    rule = "a concrete offer within policy (退款, 换货, 补发, 优惠, 赠品, 催快递, refund, exchange)"

    def detect(self, reply: Reply, context: Context) -> Match | None:
        """Match the offers that are within policy and not taken back in the same reply."""
        analysis = analyse(reply, context)
        if not analysis.solutions:
            return None
        spans = [span for spans in analysis.solutions.values() for span in spans]
        kinds = ", ".join(sorted(analysis.solutions))
        return self.match(reply, spans, f"{self.rule}; offered: {kinds}")


class ConfirmOrder(PhraseDetector):
    """Confirms the order details or the address before shipping."""

    name, kind = "confirm_order", "move"
    source = "000 ch.4 §3 (order and address confirmation); 001 ch.10 §191"
    lesson = "in-sale/order-changes-and-cancellation#confirm-the-order"
    rule = "checks the order or address (核对地址, 确认订单, confirm your address)"
    pattern = _compile(
        "核对|确认(?:一下)?(?:您的|下)?(?:收货)?(?:地址|订单|信息|尺码|颜色|型号|规格|数量)"
        "|地址(?:是|为|对吗|没错吗|有没有问题)|收货(?:地址|信息|人)|请(?:您)?确认|确认无误|订单号",
        "confirm (?:your|the) (?:shipping |delivery )?(?:address|order|details|size|colou?r|model)"
        "|double[- ]check|check (?:your|the) (?:shipping |delivery )?(?:address|order|details)"
        "|is (?:this|that|the) (?:address|order) (?:correct|right)|your (?:shipping |delivery )?"
        "address is|order (?:number|no)|please confirm",
    )

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Phrases, or the buyer's own address or order number read back."""
        spans = super().spans(reply, context)
        spans += _find_words(reply, context.fact_words.address, negation_aware=True)
        if context.facts.order_id:
            spans += _find_words(reply, [simplify(context.facts.order_id).lower()])
        return spans


class Recommend(PhraseDetector):
    """Recommends a matching item (related selling)."""

    name, kind = "recommend", "move"
    source = "000 ch.7 and ch.4 pre-sale duties 4; 001 ch.11 §213"
    lesson = "related-selling/matching-items#what-goes-together"
    rule = "suggests a matching item (搭配, 推荐, 一起买, recommend, goes well with)"
    pattern = _compile(
        "推荐|搭配|一起买|一起拍|一起下单|顺便|配上|配一[个张条副]|同款|加购|凑单|套装|组合|再加|入手"
        "|建议您?(?:选|买|拿|试试|看看)|更适合您|不如试试|不妨",
        "recommend\\w*|suggest\\w*|goes (?:well|perfectly|nicely) with|pairs? (?:well|nicely)"
        "|match(?:es)? (?:well )?with|bundle\\w*|together with|you might (?:also )?(?:like|want"
        "|need)|also (?:get|grab|add|consider)|complete the (?:set|look)|add (?:a|an|one) (?!note)"
        "|would suit|better for you",
    )

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Phrases, or the case's matching item named."""
        spans = super().spans(reply, context)
        return spans + _find_words(reply, context.fact_words.bundle, negation_aware=True)


class Invite(PhraseDetector):
    """Invites the buyer to favourite the shop, follow it or join the group."""

    name, kind = "invite", "move"
    source = "000 ch.4 §3 (invitation to favourite and join the group); ch.8"
    lesson = "customers/retention#invite-to-stay"
    rule = "invites to stay in touch with the shop (收藏, 关注, 加群, favourite, follow)"
    pattern = _compile(
        "收藏|关注(?:我们|本店|店铺|小店|一下店铺|一下我们)|加群|进群|入群|粉丝群|买家群|会员|店铺群"
        "|订阅|上新|常来|欢迎再来|下次再来",
        "favou?rite (?:our|the|us)|add (?:us|our shop|the shop) to (?:your )?favou?rites"
        "|follow (?:our|the|us)|join (?:our|the) (?:group|membership|fan|member|community|vip)"
        "|bookmark\\w*|subscribe|come back|visit (?:us )?again|new arrivals|membership",
    )


class ThanksClose(PhraseDetector):
    """Thanks the buyer and closes warmly, whether or not they buy."""

    name, kind = "thanks_close", "move"
    source = "000 ch.6; 001 ch.14 §329-330"
    lesson = "scripts/greeting-and-polite-language#never-a-flat-no"
    rule = "thanks and a warm close (感谢, 祝您, 有问题随时找我, thank you, have a nice day)"
    pattern = _compile(
        "感谢|谢谢|多谢|祝您|祝你|随时(?:找|联系|咨询|问)|有(?:任何)?问题随时|欢迎再来|欢迎下次"
        "|期待(?:您的)?再次|下次见|再见|生活愉快|购物愉快",
        "thank\\w*|have a (?:nice|great|good|lovely|wonderful)|any ?time|feel free to"
        "|let me know if|enjoy|take care|good ?bye|bye|cheers|see you",
    )


class OffPlatform(PhraseDetector):
    """Moves the trade, the payment or the contact off the platform (a high-risk item)."""

    name, kind = "off_platform", "violation"
    source = "003 high-risk items (off-platform trades); 004 rule 4"
    lesson = "platform/high-risk-list#saying-no-off-platform"
    rule = "takes the trade or contact off the platform (加微信, 转账, 线下交易, WeChat, transfer)"
    pattern = _compile(
        "微信|vx|v信|威信|weixin|qq|扣扣|支付宝转账|转账|转给我(?!们)|转到我(?!们)|私下|线下(?!门店|实体店)"
        "|平台外|不走平台|打款|银行卡|卡号|私人号码|私聊|加我(?!们)|加个好友|扫码付|二维码付"
        "|电话联系我|打我电话|(?:发|给|告诉)我(?:您|你)的?支付宝|支付宝(?:账号|号)发(?:给)?我|加支付宝"
        "|转(?:账)?给(?:您|你)[^,.!?。，！？]{0,6}(?:元|块|钱)|把钱转",
        "wechat|weixin|whatsapp|telegram|line id|qq|alipay transfer|transfer (?:the money |it "
        "|money )?(?:to|directly)|bank (?:transfer|account|card)|wire (?:transfer|me|the money)"
        "|pay (?:me )?(?:directly|outside)|outside (?:the|this) platform|off[- ]platform"
        "|off the platform|paypal|venmo|my personal (?:number|phone|account)"
        "|(?:text|call|message) me (?:at|on)|card number|add me on|my alipay"
        "|(?:send|give|tell) me your (?:alipay|bank|card)|(?:i'll|i will|i can|let me) transfer",
    )
    # A sentence warning about off-platform trades ("平台外付款，就没有平台担保") is not
    # proposing one.
    warning = _compile(
        "没有?(?:平台|买家|任何)?(?:保障|担保|保护)|不安全|风险|危险|被骗|骗子|违规|禁止|不允许"
        "|不受.{0,4}(?:保护|保障)|找不到售后|没有?售后",
        "unsafe|risk\\w*|scam\\w*|not protected|no protection|lose (?:buyer |your |the )?"
        "protection|against (?:the )?rules|not allowed",
    )

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Phrases outside negations and outside sentences that warn against them."""
        return [
            span
            for span in super().spans(reply, context)
            if not self.warning.search(reply.lower, *reply.sentence(span[0]))
        ]


class DataLeak(PhraseDetector):
    """Reveals personal data: another buyer's phone or address, a colleague's details."""

    name, kind = "data_leak", "violation"
    source = "003 high-risk items (leaking customer data); 000 ch.3 §12"
    lesson = "conduct/courtesy-and-confidentiality#confidentiality"
    rule = "reveals someone's personal data (a phone number, another buyer's address, ID number)"
    pattern = _compile(
        "(?:其他|别的|另一[个位]|上一[个位]|之前的?|那[个位])(?:买家|顾客|客户|客人)"
        "[^,.!?。，！？]{0,6}(?:电话|手机|地址|住址|微信|姓名|名字|号码)"
        "|(?:同事|主管|店长|老板)[^,.!?。，！？]{0,3}(?:私人|个人)?(?:电话|手机|住址|微信|身份证)"
        "|身份证号|(?:他|她)的(?:电话|手机|手机号|地址|住址)是|(?:他|她)的(?:完整|详细)(?:地址|住址)"
        "|(?:他|她)家?住在|(?:他|她)买的是|把(?:他|她)的?(?:地址|电话|手机号?)(?:也)?(?:发|给|告诉)",
        "(?:another|other|previous|the last|a different) (?:buyer|customer|shopper|client)'?s?"
        " [^.,!?]{0,25}(?:phone|number|address|name|wechat|details)"
        "|(?:his|her|their) (?:phone|number|address) is|(?:his|her|their) (?:full|home|exact)"
        " address|lives (?:on|at|in)|(?:she|he) (?:got|bought|ordered) the"
        "|(?:send|give|tell) you (?:her|his|their) (?:address|number|phone)"
        "|colleague'?s (?:phone|number"
        "|address|wechat|details)|(?:supervisor|manager|boss)'?s (?:personal |private )?(?:phone"
        "|number|address|wechat)|id (?:card )?number",
    )
    # Mobile numbers (also half-masked ones, 138****6688) and ID-card numbers.
    phone = re.compile(
        r"(?<![0-9a-z*])1[3-9]\d[\d*]{4}\d{4}(?![\d*])|(?<![0-9a-z])\d{17}[\dx](?![0-9a-z])"
    )

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """Phrases, plus any mobile or ID number that is not the buyer's own."""
        spans = super().spans(reply, context)
        own = _own_address(context.facts)
        for match in self.phone.finditer(reply.lower):
            if match.group() not in own:
                spans.append(match.span())
        return spans


@lru_cache(maxsize=256)
def _own_address(facts: Facts) -> str:
    """The buyer's address in every language, normalised (numbers in it are theirs to read)."""
    return simplify(" ".join((facts.address or {}).values())).lower()


class OverPromise(PhraseDetector):
    """Promises what the shop cannot guarantee (delivery dates, "never breaks")."""

    name, kind = "over_promise", "violation"
    source = "003 basic requirements (broken promises: do not promise lightly)"
    lesson = "platform/buyer-protection-and-promises#no-easy-promises"
    rule = "a promise the shop can't keep (保证明天到, 绝对不会坏, guaranteed tomorrow)"
    pattern = _compile(
        "(?:保证|一定|肯定|绝对|百分之?百|100%|包您|打包票|担保)[^,.!?。，！？]{0,8}?"
        "(?:送到|到货|送达|能到|会到|就到|天到|日到|收到货|不会坏|不坏|坏不了|没有?问题|满意|不会出)"
        "|(?:明天|今天|后天|马上)[^,.!?。，！？]{0,4}(?:保证|一定|肯定)"
        "|保证到|一定到|肯定到|绝对不会|永远不会|绝不会|保证不会|多送(?:两|几|一些|点)|再送(?:两|几)|都免费|全部免费|全都免费"
        "|白送",
        "(?:guarantee[ds]?|promise|definitely|certainly|surely|100%|absolutely|for sure)"
        "[^.,!?]{0,40}?(?:arrive|deliver|get there|tomorrow|today|never (?:to )?(?:break|fail)"
        "|won't (?:break|fail)|no problems?|satisf\\w*)|will (?:definitely|certainly|surely)"
        " (?:arrive|be delivered|get there)|guaranteed (?:to|by|delivery|tomorrow)"
        "|never (?:to )?(?:break|fail|go wrong)|guaranteed(?= ?[.!]|$)"
        "|throw in (?:a few|two|some|a couple)"
        "|(?:two|a few|some|a couple of) (?:extra|more) for free|all free"
        "|everything'?s? (?:is )?free",
    )


class BeyondPolicy(Detector):
    """Offers more than the case's policy allows (discount, compensation, refund, gift)."""

    name, kind = "beyond_policy", "violation"
    source = "003 staff privileges (discounts within your authority); 001 ch.14 §306-322"
    lesson = "scripts/bargaining-and-closing#holding-the-line"
    rule = "offers more than this case's policy allows"

    def detect(self, reply: Reply, context: Context) -> Match | None:
        """Match every offer above the policy's limits, naming the limit broken."""
        beyond = analyse(reply, context).beyond
        if not beyond:
            return None
        spans = [span for _, span, _ in beyond if span]
        match = self.match(reply, spans, "; ".join(reason for reason, _, _ in beyond))
        extra = tuple(words for _, _, words in beyond if words and words not in match.words)
        return replace(match, words=match.words + extra)


class FlatRefusal(Detector):
    """A bare "no": refuses with neither a reason nor an alternative."""

    name, kind = "flat_refusal", "violation"
    source = "003 communication principles (never flatly contradict the buyer); 000 ch.6"
    lesson = "scripts/greeting-and-polite-language#never-a-flat-no"
    rule = "refuses without a reason (a fact of the case) or an alternative (a solution)"

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """The refusing words, when the reply gives no reason and no alternative."""
        analysis = analyse(reply, context)
        if analysis.explain_weight >= 1 or analysis.solutions:
            return []
        return analysis.refusals


class BlameBuyer(PhraseDetector):
    """Blames the buyer for the problem."""

    name, kind = "blame_buyer", "violation"
    source = "003 after-sale skills (put yourself in their place); 001 ch.13 §282-292"
    lesson = "challenges/complaints-step-by-step#eleven-steps"
    rule = "puts the blame on the buyer (是你自己, 你没看清楚, your own fault)"
    pattern = _compile(
        "是(?:你|您)自己|(?:你|您)自己的(?:问题|原因|责任)|(?:你|您)没(?:仔细)?看(?:清楚)?"
        "|(?:你|您)不会用|(?:你|您)用错|怪(?:你|您)|谁让你|谁叫你|活该|是(?:你|您)的(?:问题|责任)"
        "|早就(?:写|说)了|写得很清楚|说得很清楚|自己不看|(?:你|您)自己选|(?:你|您)自己(?:去)?看"
        "|详情页(?:上|里)?(?:都|已经)?写|(?:都|早)写了|写着呢"
        "|(?:你|您)(?:肯定|应该|一定|估计)是?(?:拍|买|选|下单|看)错|下次(?:仔细)?看清楚"
        "|(?:您|你)?(?:下单|购买)(?:时|前)(?:应该|也不)|(?:您|你)?下次.{0,6}(?:写|看|填)(?:详细|清楚|仔细)"
        "|(?:您|你)再仔细找找|直接给差评|(?:您|你)有问题可以先联系",
        "your (?:own )?fault|you didn't read|you should have (?:read|checked|looked|picked|chosen"
        "|selected|paid for|ordered|bought)|you didn't (?:check|look)"
        "|you (?:used|installed|chose|ordered) it wrong|your (?:own )?problem|blame yourself"
        "|that's on you|you must have (?:broken|damaged|dropped)|if you had read"
        "|it was clearly (?:stated|written)|read the (?:page|description|details)"
        "|you (?:must|probably) have (?:ordered|chosen|picked|bought|selected) the wrong"
        "|next time,? (?:read|check|write|fill)|you could have (?:contacted|asked|told|checked)"
        "|you should have (?:thought|contacted|asked)|look more carefully"
        "|nobody else (?:has|had) (?:complained|a problem|any problem)"
        "|going straight to a bad review",
    )
    # Deflecting ("不是我们的问题") starts with a negator, so it is matched regardless of negation.
    raw_pattern = _compile(
        "不是我们的(?:问题|责任|错)|跟我们没关系|和我们没关系|与我们无关|不关我们的事|不怪我们",
        "not our (?:fault|problem)|nothing to do with us|that's not on us",
    )


class Rude(PhraseDetector):
    """Rude or impatient language (a red line whatever else the reply does)."""

    name, kind = "rude", "violation"
    source = "000 ch.3 §6 (courtesy); 003 basic requirements (mindset)"
    lesson = "conduct/courtesy-and-confidentiality#courtesy"
    rule = "rude or impatient words (烦不烦, 爱买不买, whatever, stupid)"
    negation_aware = False
    pattern = _compile(
        "烦不烦|烦死|爱买不买|爱要不要|不买拉倒|不要拉倒|你有病|有病吧|神经病|脑子有|傻[子瓜逼]|你傻"
        "|白痴|笨蛋|蠢|滚(?![动筒轮珠烫])|闭嘴|废话|你瞎|瞎了|听不懂吗|说了多少遍|事真多|事儿真多"
        "|穷就别买|买不起就|随便你|随你便|关我什么事|关我屁事|别烦我|少废话|懒得理|自己看吧|自己去看"
        "|爱咋咋|找茬|无语|这都不会|这都不懂|这还用问|这么简单都|这都找不到|不是说了吗|不是说过了"
        "|我都说过|说过一遍|不用一直说|吓唬谁|随便发|爱信不信|不放心就别买|自己不会查|别催了|别再催"
        "|不要再催|急什么",
        "whatever(?! (?:you|your|works|suits|size|colou?r|option|is|the|style))|stupid|idiot"
        "|dumb|moron|shut up|go away|get lost|take it or leave it|i don't care|not my problem"
        "|are you blind|can't you read|stop bothering|leave me alone|what's wrong with you"
        "|you don't (?:even )?know how to [a-z ]{1,25}\\?|don't you know|it's obvious"
        "|you don't know that\\?|i (?:just|already) told you|didn't i\\?|you don't need to keep"
        "|stop (?:chasing|asking|messaging|bugging) me|who do you think you're|post whatever"
        "|believe it or not|then don't buy|you can't find that\\?|can't you (?:check|see|find)",
    )


class OneWord(Detector):
    """A one-word or too-short reply ("嗯", "好", "ok"): cold and careless."""

    name, kind = "one_word", "violation"
    source = "000 ch.6; 001 ch.14 §295-297"
    lesson = "scripts/greeting-and-polite-language#no-one-word-replies"
    rule = "fewer than 4 Chinese characters or 2 English words"

    def spans(self, reply: Reply, context: Context) -> list[tuple[int, int]]:
        """The whole reply, when it is too short."""
        return [(0, len(reply.lower))] if reply.too_short else []


# The registry: one detector per move and per violation, in vocabulary order.
DETECTORS: dict[str, Detector] = {
    detector.name: detector
    for detector in (
        Greeting(),
        Acknowledge(),
        Apologise(),
        Explain(),
        Solution(),
        ConfirmOrder(),
        Recommend(),
        Invite(),
        ThanksClose(),
        OffPlatform(),
        DataLeak(),
        OverPromise(),
        BeyondPolicy(),
        FlatRefusal(),
        BlameBuyer(),
        Rude(),
        OneWord(),
    )
}
assert tuple(DETECTORS) == MOVES + VIOLATIONS


def detect_all(reply: Reply, context: Context) -> tuple[list[Match], list[Match]]:
    """Run every detector; return (moves, violations) found, in vocabulary order."""
    moves: list[Match] = []
    violations: list[Match] = []
    for detector in DETECTORS.values():
        found = detector.detect(reply, context)
        if found is not None:
            (moves if found.kind == "move" else violations).append(found)
    return moves, violations


# --------------------------------------------------------------------------- the language

# Latin words that read as ordinary Chinese chat: they never count as English.
LOANWORDS = frozenset({"ok", "okay", "hi", "hello", "bye", "app", "wifi", "usb", "vip", "logo"})
# An all-capital word this long or shorter is an abbreviation (PD, USB, OK), not English.
MAX_ABBREVIATION = 4


class ConversationLanguage:
    """Is the reply in the conversation's language? A buyer cannot read one in the other.

    Not a detector of the vocabulary: the reply's content cannot be judged fairly against the
    other language's rubric, so the engine caps the turn instead. Chinese characters and
    English words are weighed against each other (ZH_CHARS_PER_EN_WORD), setting aside what a
    buyer of either language reads alike: digits and codes, and in a Chinese conversation
    single letters, names and abbreviations with a capital inside (iPhone, MagSafe, PD, USB),
    LOANWORDS and the Latin words of the case's own Chinese texts; in an English conversation,
    Chinese that is part of the case's Chinese item names (a product name typed in Chinese).
    """

    name = "wrong_language"
    source = (
        "002 cross-border CS, project 1 (the dialogue and the email to the buyer in English); "
        "reception job requirements (3) (written Chinese and English)"
    )
    lesson = "scripts/greeting-and-polite-language#the-buyers-language"
    rule = (
        f"more than {OTHER_SCRIPT_SHARE:.0%} of the reply in the other language's script "
        f"(an English word weighs {ZH_CHARS_PER_EN_WORD:g} Chinese characters)"
    )

    def other_share(self, reply: Reply, context: Context) -> float:
        """The share of ``reply`` written in the other language's script (0.0 to 1.0)."""
        if context.lang == LANG_EN:
            names = _zh_item_names(context.facts)
            other = sum(
                len(run)
                for run in _HAN_RUN_RE.findall(reply.simplified)
                if len(run) < 2 or not any(run in name for name in names)
            )
            own = ZH_CHARS_PER_EN_WORD * reply.latin_words
        else:
            known = _case_latin_words(context.facts, context.buyer, context.keywords, context.terms)
            words = _LATIN_WORD_RE.findall(reply.simplified)
            other = ZH_CHARS_PER_EN_WORD * sum(not _is_name_or_loanword(w, known) for w in words)
            own = reply.han_chars
        return other / (other + own) if other else 0.0

    def mismatched(self, reply: Reply, context: Context) -> float | None:
        """The other script's share when it is most of the reply (over OTHER_SCRIPT_SHARE)."""
        share = self.other_share(reply, context)
        return share if share > OTHER_SCRIPT_SHARE else None


LANGUAGE = ConversationLanguage()


def _is_name_or_loanword(word: str, known: frozenset[str]) -> bool:
    """Tell whether a Latin word in a Chinese reply is a name, an abbreviation or a loanword."""
    inner_capital = any(ch.isupper() for ch in word[1:])
    return (
        len(word) == 1
        or (inner_capital and (not word.isupper() or len(word) <= MAX_ABBREVIATION))
        or word.lower() in LOANWORDS
        or word.lower() in known
    )


@lru_cache(maxsize=256)
def _case_latin_words(
    facts: Facts, buyer: str, keywords: tuple[str, ...], terms: tuple[str, ...]
) -> frozenset[str]:
    """The Latin words the case itself writes in Chinese: its facts, the buyer's message."""
    texts = [buyer, *keywords, *terms]
    for text in (facts.product, facts.address, facts.promotion, facts.policy.gift):
        texts.append((text or {}).get(LANG_ZH, ""))
    if facts.bundle is not None:
        texts.append(facts.bundle.item[LANG_ZH])
    return frozenset(
        word.lower() for text in texts for word in _LATIN_WORD_RE.findall(simplify(text))
    )


@lru_cache(maxsize=256)
def _zh_item_names(facts: Facts) -> tuple[str, ...]:
    """The case's item names in Chinese (the product, the bundle item, the gift)."""
    items = [facts.product, facts.bundle.item if facts.bundle else None, facts.policy.gift]
    return tuple(simplify(item[LANG_ZH]) for item in items if item)


# --------------------------------------------------------------------------- gaming signals


def content_tokens(reply: Reply) -> frozenset[str]:
    """The reply's distinct word tokens, for comparing it with other texts."""
    return frozenset(reply.tokens)


@lru_cache(maxsize=4096)
def text_tokens(text: str, terms: tuple[str, ...] = ()) -> frozenset[str]:
    """The distinct word tokens of another text (the buyer's message, an earlier reply).

    Cached: a conversation compares each new reply with the same few texts again and again.
    """
    if terms:
        add_terms(terms)
    return frozenset(tokenize(simplify(text.strip()).lower()))


def overlap(part: frozenset[str], whole: frozenset[str]) -> float:
    """Share of ``part``'s tokens also in ``whole`` (1.0 = every word is copied)."""
    return len(part & whole) / len(part) if part else 0.0


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Token-set similarity of two texts (1.0 = the same words)."""
    return len(a & b) / len(a | b) if a or b else 0.0


# The bare words of the moves: a reply made of little else is keyword stuffing.
STUFFING_WORDS = _compile(
    "您好|你好|亲|欢迎光临|欢迎|理解|明白|心情|着急|体谅|抱歉|对不起|不好意思|歉意|退款|退货|换货|补发"
    "|优惠|赠品|折扣|推荐|搭配|收藏|关注|加群|感谢|谢谢|祝您|核对|确认|解决|处理|马上|放心|满意|服务"
    "|支持|耐心|活动价|包邮",
    "hi|hello|hey|welcome|understand|sorry|apologi[sz]e\\w*|apologies|refund\\w*|exchange|resend"
    "|discount|gift|recommend\\w*|favou?rite|follow|join|thanks?|confirm|check|solve|help|sure"
    "|happy|glad|please|support|patience|dear|customer|service|sale price|free shipping"
    "|free delivery|promotion",
)


def keyword_share(reply: Reply) -> float:
    """Share of the reply's letters that are bare move keywords (keyword stuffing is ~1.0)."""
    covered = sum(
        len(_CONTENT_RE.findall(match.group())) for match in STUFFING_WORDS.finditer(reply.lower)
    )
    return covered / reply.content_chars if reply.content_chars else 0.0


def repeated_word(reply: Reply) -> tuple[str, int, float] | None:
    """The move keyword said most often, if one is said 3+ times: (word, times, share of the
    reply taken by every keyword said 3+ times)."""
    counts: dict[str, int] = {}
    for match in STUFFING_WORDS.finditer(reply.lower):
        counts[match.group()] = counts.get(match.group(), 0) + 1
    # Only words said 3+ times count: a longer keyword said twice must not hide them.
    repeated = {word: times for word, times in counts.items() if times >= 3}
    if not repeated or not reply.content_chars:
        return None
    word, times = max(repeated.items(), key=lambda item: item[1] * len(item[0]))
    covered = sum(times * len(_CONTENT_RE.findall(word)) for word, times in repeated.items())
    return word, times, covered / reply.content_chars
