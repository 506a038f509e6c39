"""Split a reply into plain and highlighted pieces for the transcript. Pure."""

from __future__ import annotations

from collections.abc import Iterable


def segments(text: str, marks: Iterable[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """Cut `text` into (piece, kind) runs where each marked word is tagged with its kind.

    `marks` are (word, kind) pairs, kind "move" or "violation"; the longest word wins where
    marks overlap, and violations win over moves. Templates escape each piece.
    """
    kinds: list[str | None] = [None] * len(text)
    ordered = sorted(
        ((word, kind) for word, kind in marks if word),
        key=lambda mark: (mark[1] == "violation", len(mark[0])),
    )
    lowered = text.lower()
    for word, kind in ordered:
        start = lowered.find(word.lower())
        while start != -1:
            for index in range(start, start + len(word)):
                kinds[index] = kind
            start = lowered.find(word.lower(), start + len(word))
    pieces: list[tuple[str, str | None]] = []
    for char, kind in zip(text, kinds, strict=True):
        if pieces and pieces[-1][1] == kind:
            pieces[-1] = (pieces[-1][0] + char, kind)
        else:
            pieces.append((char, kind))
    return pieces


def marks_of(result: dict) -> list[tuple[str, str]]:
    """The (word, kind) marks of a saved turn result."""
    return [
        (word, kind)
        for kind, key in (("move", "moves"), ("violation", "violations"))
        for match in result.get(key, [])
        for word in match.get("words", [])
    ]
