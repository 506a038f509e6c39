"""Search terms for lessons and queries in Chinese, English or a mix of both.

Chinese runs are segmented with jieba (loaded lazily: building its dictionary takes a
second or so, and most requests never search); everything else is split into words.
Both languages share the same rules, so an English word inside a Chinese lesson matches
an English query and vice versa.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from types import ModuleType

# Han ideographs (basic, extension A and compatibility); other scripts are split into words.
_CJK_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD_RE = re.compile(r"[a-z0-9]+")
_CJK_CHAR_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# fmt: off
ENGLISH_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "do", "does", "for", "from", "has",
    "have", "how", "i", "if", "in", "into", "is", "it", "its", "me", "my", "of",
    "on", "or", "our", "so", "that", "the", "their", "them", "then", "there", "these", "they",
    "this", "to", "us", "was", "we", "what", "when", "where", "which", "who", "why", "will",
    "with", "you", "your",
})
# Particles that appear in almost every Chinese sentence and carry no meaning for search.
CHINESE_STOP_WORDS = frozenset({
    "的", "了", "是", "在", "和", "与", "及", "或", "吗", "呢", "吧", "啊", "也", "就", "都", "而",
    "着", "把", "被",
})
# fmt: on

TITLE_BOOST = 2.0

_jieba: ModuleType | None = None
_jieba_lock = threading.Lock()


def _load_jieba() -> ModuleType:
    global _jieba
    with _jieba_lock:
        if _jieba is None:
            # jieba is old code that may warn on import; warnings are errors under pytest.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import jieba
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
        return _jieba


def add_shop_terms(words: Iterable[str]) -> None:
    """Teach jieba the shop's own terms (e.g. glossary entries) so they stay whole words."""
    jieba = _load_jieba()
    with _jieba_lock:
        for word in words:
            word = unicodedata.normalize("NFKC", word).strip().lower()
            if word:
                jieba.add_word(word)


def terms(text: str, lang: str) -> list[str]:
    """Split text into lowercase search terms; use the same call for documents and queries.

    ``lang`` is the text's language; the rules are deliberately the same for both so mixed
    text matches either way. Chinese runs use jieba's search mode (overlapping words, for
    recall); other text is split into words of letters and digits, minus stop words and
    single letters, with a naive plural fold ("refunds" -> "refund").
    """
    # NFKC folds full-width letters and digits (common in Chinese input) into ASCII.
    text = unicodedata.normalize("NFKC", text).lower()
    found: list[str] = []
    position = 0
    for run in _CJK_RUN_RE.finditer(text):
        found.extend(_words(text[position : run.start()]))
        found.extend(_chinese(run.group()))
        position = run.end()
    found.extend(_words(text[position:]))
    return found


def _words(text: str) -> list[str]:
    found = []
    for word in _WORD_RE.findall(text):
        if word in ENGLISH_STOP_WORDS or (len(word) == 1 and word.isalpha()):
            continue
        found.append(_fold_plural(word))
    return found


def _fold_plural(word: str) -> str:
    # Deliberately tiny: enough for "orders"/"refunds", leaving "process" and "status" alone.
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _chinese(run: str) -> list[str]:
    jieba = _load_jieba()
    found = []
    for token in jieba.cut_for_search(run):
        token = token.strip()
        if token and _CJK_CHAR_RE.search(token) and token not in CHINESE_STOP_WORDS:
            found.append(token)
    return found


def score(
    query_terms: Sequence[str],
    document_terms: Sequence[str],
    title_terms: Sequence[str] = (),
) -> float:
    """Score how well a document matches a query; 0.0 means no match, higher is better.

    Each distinct query term found in the body adds 1 + ln(its count), so repeats help but
    with diminishing returns; found in the title it adds TITLE_BOOST more. The sum is then
    multiplied by the share of query terms found, so documents matching every term win.
    """
    wanted = list(dict.fromkeys(query_terms))
    if not wanted:
        return 0.0
    body_counts = Counter(document_terms)
    title_set = set(title_terms)
    total = 0.0
    matched = 0
    for term in wanted:
        count = body_counts.get(term, 0)
        in_title = term in title_set
        if not count and not in_title:
            continue
        matched += 1
        total += (1.0 + math.log(count)) if count else 0.0
        total += TITLE_BOOST if in_title else 0.0
    return total * matched / len(wanted)
