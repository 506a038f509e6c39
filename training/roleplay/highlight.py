"""Split a reply into plain and highlighted pieces for the transcript. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise


def segments(text: str, marks: Iterable[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """Cut `text` into (piece, kind) runs where each marked word is tagged with its kind.

    `marks` are (word, kind) pairs, kind "move" or "violation"; the longest word wins where
    marks overlap, and violations win over moves. Templates escape each piece.
    """
    if not text:
        return []
    kinds: list[str | None] = [None] * len(text)
    ordered = sorted(
        ((word, kind) for word, kind in marks if word),
        key=lambda mark: (mark[1] == "violation", len(mark[0])),
    )
    for word, kind in ordered:
        for found in _pattern(word).finditer(text):
            start, end = found.span()
            kinds[start:end] = [kind] * (end - start)
    # Cut where the kind changes: the pieces are the runs between the cuts.
    cuts = [0, *(i for i in range(1, len(text)) if kinds[i] != kinds[i - 1]), len(text)]
    return [(text[start:end], kinds[start]) for start, end in pairwise(cuts)]


@lru_cache(maxsize=2048)
def _pattern(word: str) -> re.Pattern[str]:
    """Find `word` in any case, as a whole word where it starts or ends with a Latin letter or
    digit ("hi" is not marked inside "this"). Matching the original text, not a lowercased copy,
    keeps positions right where lowercasing changes a length ("İ" becomes two characters)."""
    edge = "[A-Za-z0-9]"
    before = f"(?<!{edge})" if re.match(edge, word[0]) else ""
    after = f"(?!{edge})" if re.match(edge, word[-1]) else ""
    return re.compile(before + re.escape(word) + after, re.IGNORECASE)


def marks_of(result: dict) -> list[tuple[str, str]]:
    """The (word, kind) marks of a saved turn result."""
    return [
        (word, kind)
        for kind, key in (("move", "moves"), ("violation", "violations"))
        for match in result.get(key, [])
        for word in match.get("words", [])
    ]
