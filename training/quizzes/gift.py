"""Import questions written in Moodle's GIFT or Aiken formats into our quiz.yaml structure.

This is a starting point for authors, not a replacement for writing: imported text goes into
both ``zh`` and ``en`` (the author translates one of them afterwards), and explanations are
left empty where the source has no feedback, so the content check refuses the file until an
author has written them. Every such gap is listed in the warnings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from training.curriculum.schema import LANGS, Source

from .parser import MAX_OPTIONS

# Moodle's format markers at the start of a question's text.
_FORMAT_RE = re.compile(r"^\[(html|moodle|plain|markdown)\]\s*", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = {"t": True, "true": True, "f": False, "false": False}
_AIKEN_OPTION_RE = re.compile(r"^([A-Z])[.)]\s+(.*\S)\s*$")
_AIKEN_ANSWER_RE = re.compile(r"^ANSWER:\s*(\S*)\s*$", re.IGNORECASE)
TRANSLATE_WARNING = (
    "imported text was copied into both zh and en: translate one language before publishing"
)


@dataclass
class _Answer:
    """One answer of a GIFT answer block, with its marker (= or ~), weight and feedback."""

    marker: str
    text: str
    weight: float | None = None
    feedback: list[str] = field(default_factory=list)


@dataclass
class _Block:
    """A parsed GIFT answer block."""

    lead: str = ""
    lead_feedback: list[str] = field(default_factory=list)
    answers: list[_Answer] = field(default_factory=list)
    general: str = ""


class _Importer:
    """Builds question dicts with the shared keys and collects warnings."""

    def __init__(
        self, module_slug: str, lesson: str, topic: str, difficulty: int, source: Any
    ) -> None:
        self.module_slug = module_slug
        self.lesson = lesson
        self.topic = topic
        self.difficulty = difficulty
        self.source = _source_dict(source)
        self.questions: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.used_ids: set[str] = set()

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"line {line}: {message}")

    def new_id(self, title: str, number: int) -> str:
        base = _slugify(title)
        base = f"{self.module_slug}-{base}" if base else f"{self.module_slug}-imported-{number}"
        candidate, extra = base, 2
        while candidate in self.used_ids:
            candidate, extra = f"{base}-{extra}", extra + 1
        self.used_ids.add(candidate)
        return candidate

    def add(
        self, line: int, title: str, qtype: str, prompt: str, explanation: str, **type_keys: Any
    ) -> None:
        question_id = self.new_id(title, len(self.questions) + 1)
        if not explanation:
            self.warn(line, f"{question_id} has no feedback: write its explanation (left empty)")
        self.questions.append(
            {
                "id": question_id,
                "type": qtype,
                "topic": self.topic,
                "difficulty": self.difficulty,
                "lesson": self.lesson,
                "sources": [dict(self.source)],
                "prompt": _both(prompt),
                **type_keys,
                "explanation": _both(explanation),
            }
        )

    def result(self) -> tuple[list[dict[str, Any]], list[str]]:
        warnings = list(self.warnings)
        if self.questions:
            warnings.insert(0, TRANSLATE_WARNING)
            warnings.insert(
                1,
                "ids were generated: check they are unique in the whole bank, "
                "and never reuse an id that was published before",
            )
        return self.questions, warnings


# --------------------------------------------------------------------------- GIFT


def import_gift(
    text: str, *, module_slug: str, lesson: str, topic: str, difficulty: int, source: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    """Convert GIFT text to question dicts in quiz.yaml structure, plus warnings for the author.

    ``lesson`` is written as in quiz.yaml (``module/lesson#section``); ``source`` is a Source or
    a ``{seed, where}`` mapping. Supported: multiple choice, multiple answers (``~%50%``),
    true/false, short answer and matching. Numeric and essay questions are skipped with a
    warning naming their line.
    """
    importer = _Importer(module_slug, lesson, topic, difficulty, source)
    for line, chunk in _gift_chunks(text, importer):
        _import_gift_question(importer, line, chunk)
    return importer.result()


def _gift_chunks(text: str, importer: _Importer) -> list[tuple[int, str]]:
    """Split GIFT text into questions (separated by blank lines), dropping comments."""
    chunks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            continue
        if stripped.startswith("$CATEGORY:"):
            importer.warn(number, "categories are not used here; skipped")
            continue
        if not stripped:
            if current:
                chunks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(raw)
    if current:
        chunks.append((start, "\n".join(current)))
    return chunks


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    """Return the index of ``target`` not preceded by a backslash escape, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(target, index):
            return index
        index += 1
    return -1


def _unescape(text: str) -> str:
    """Resolve GIFT escapes (\\: \\= \\~ \\# \\{ \\} \\\\ and \\n) and tidy spaces."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append("\n" if following == "n" else following)
            index += 2
            continue
        out.append(char)
        index += 1
    return " ".join("".join(out).split())


def _import_gift_question(importer: _Importer, line: int, chunk: str) -> None:
    body = chunk.strip()
    title = ""
    if body.startswith("::"):
        end = _find_unescaped(body, "::", 2)
        if end == -1:
            importer.warn(line, "title is not closed with '::'; skipped")
            return
        title = _unescape(body[2:end])
        body = body[end + 2 :].strip()
    format_match = _FORMAT_RE.match(body)
    if format_match:
        if format_match.group(1).lower() == "html":
            importer.warn(line, "HTML formatting is kept as plain text; check the wording")
        body = body[format_match.end() :]
    opening = _find_unescaped(body, "{")
    if opening == -1:
        importer.warn(line, "no answer block {...}: descriptions are not questions; skipped")
        return
    closing = _find_unescaped(body, "}", opening + 1)
    if closing == -1:
        importer.warn(line, "answer block is not closed with '}'; skipped")
        return
    before, inside, after = body[:opening], body[opening + 1 : closing], body[closing + 1 :]
    prompt = _unescape(before)
    if after.strip():
        # "Missing word" questions have text after the block: show the gap in the prompt.
        prompt = f"{prompt} ____ {_unescape(after)}".strip()
    if not prompt:
        importer.warn(line, "question has no text; skipped")
        return
    block = _parse_block(inside)
    _build_gift_question(importer, line, title, prompt, block)


def _parse_block(inside: str) -> _Block:
    """Split an answer block at unescaped = ~ # and ####, keeping escapes for _unescape."""
    block = _Block()
    marker, start, index = "", 0, 0
    pieces: list[tuple[str, str]] = []
    while index < len(inside):
        char = inside[index]
        if char == "\\":
            index += 2
            continue
        if char in "=~#":
            pieces.append((marker, inside[start:index]))
            if inside.startswith("####", index):
                marker, index = "####", index + 4
            else:
                marker, index = char, index + 1
            start = index
            continue
        index += 1
    pieces.append((marker, inside[start:]))
    for marker, raw in pieces:
        if marker == "":
            block.lead = raw.strip()
        elif marker in "=~":
            weight_match = _WEIGHT_RE.match(raw.strip())
            weight = float(weight_match.group(1)) if weight_match else None
            text = raw.strip()[weight_match.end() :] if weight_match else raw
            block.answers.append(_Answer(marker, text, weight))
        elif marker == "#":
            feedback = _unescape(raw)
            if block.answers:
                block.answers[-1].feedback.append(feedback)
            else:
                block.lead_feedback.append(feedback)
        else:
            block.general = _unescape(raw)
    return block


def _build_gift_question(
    importer: _Importer, line: int, title: str, prompt: str, block: _Block
) -> None:
    if not block.answers:
        lead = block.lead.casefold()
        if lead in _TRUE_FALSE:
            explanation = block.general or " ".join(f for f in block.lead_feedback if f)
            importer.add(line, title, "true_false", prompt, explanation, answer=_TRUE_FALSE[lead])
        elif not lead and block.lead_feedback:
            importer.warn(line, "numeric questions are not supported; skipped")
        elif not lead:
            importer.warn(line, "essay questions are not supported; skipped")
        else:
            importer.warn(line, f"cannot read the answer block '{block.lead}'; skipped")
        return
    if block.lead:
        importer.warn(line, f"text '{block.lead}' before the first answer; skipped")
        return
    if block.lead_feedback:
        importer.warn(line, "numeric questions are not supported; skipped")
        return
    if any(a.marker == "=" and _find_unescaped(a.text, "->") != -1 for a in block.answers):
        _build_matching(importer, line, title, prompt, block)
    elif any(a.marker == "~" for a in block.answers):
        _build_choice(importer, line, title, prompt, block)
    else:
        _build_short(importer, line, title, prompt, block)


def _build_choice(importer: _Importer, line: int, title: str, prompt: str, block: _Block) -> None:
    answers = block.answers
    if any(a.marker == "=" for a in answers):
        # "=" marks the right answer; GIFT's partial credit for "~%50%" has no place in a
        # single-choice question here, so those options become wrong ones.
        right = [a.marker == "=" for a in answers]
        if any(a.marker == "~" and (a.weight or 0) > 0 for a in answers):
            importer.warn(line, "partial credit on a wrong option is not supported; dropped")
    else:
        right = [(a.weight or 0) > 0 for a in answers]
        weights = [a.weight or 0 for a, r in zip(answers, right, strict=True) if r]
        # 33.3/33.3/33.4 is GIFT's way of writing thirds, not a deliberate difference.
        if max(weights) - min(weights) > 1:
            importer.warn(line, "unequal GIFT percentages replaced by our partial-credit rule")
    count = sum(right)
    if count == 0:
        importer.warn(line, "no right answer (= or a positive %weight%); skipped")
        return
    if not 2 <= len(answers) <= MAX_OPTIONS:
        importer.warn(line, f"{len(answers)} options: quiz.yaml allows 2 to {MAX_OPTIONS}; fix it")
    options = []
    for index, (answer, is_right) in enumerate(zip(answers, right, strict=True)):
        option: dict[str, Any] = {"id": _letter(index), **_both(_unescape(answer.text))}
        if is_right:
            option["correct"] = True
        options.append(option)
    feedback = [f for a, r in zip(answers, right, strict=True) if r for f in a.feedback if f]
    if not feedback:
        # Only wrong options have feedback: keep it, saying which option each line is about.
        feedback = [
            f"{_unescape(a.text)}: {f}"
            for a, r in zip(answers, right, strict=True)
            if not r
            for f in a.feedback
            if f
        ]
    explanation = block.general or " ".join(feedback)
    qtype = "single" if count == 1 else "multiple"
    importer.add(line, title, qtype, prompt, explanation, options=options)


def _build_short(importer: _Importer, line: int, title: str, prompt: str, block: _Block) -> None:
    accepted = []
    for answer in block.answers:
        if answer.weight is not None and answer.weight != 100:
            importer.warn(line, f"partial credit for '{_unescape(answer.text)}' dropped")
            continue
        accepted.append(_unescape(answer.text))
    if not accepted:
        importer.warn(line, "no fully right answer; skipped")
        return
    feedback = [f for a in block.answers for f in a.feedback if f]
    explanation = block.general or " ".join(feedback)
    importer.add(
        line,
        title,
        "short",
        prompt,
        explanation,
        accepted={lang: list(accepted) for lang in LANGS},
    )


def _build_matching(importer: _Importer, line: int, title: str, prompt: str, block: _Block) -> None:
    pairs = []
    for index, answer in enumerate(block.answers):
        arrow = _find_unescaped(answer.text, "->")
        if answer.marker != "=" or arrow == -1:
            importer.warn(line, "a matching question needs =left -> right for every pair; skipped")
            return
        left, right = _unescape(answer.text[:arrow]), _unescape(answer.text[arrow + 2 :])
        if not left:
            importer.warn(line, f"pair without a left side ('-> {right}'); skipped")
            return
        pairs.append({"id": _letter(index), "left": _both(left), "right": _both(right)})
    if not 3 <= len(pairs) <= 6:
        importer.warn(line, f"{len(pairs)} pairs: quiz.yaml allows 3 to 6; fix it")
    explanation = block.general or " ".join(f for a in block.answers for f in a.feedback if f)
    importer.add(line, title, "matching", prompt, explanation, pairs=pairs)


# --------------------------------------------------------------------------- Aiken


def import_aiken(
    text: str, *, module_slug: str, lesson: str, topic: str, difficulty: int, source: Any
) -> tuple[list[dict[str, Any]], list[str]]:
    """Convert Aiken text (question, ``A.`` options, ``ANSWER: X``) to single-choice questions.

    Aiken has no feedback, so every explanation is left empty for the author to write.
    """
    importer = _Importer(module_slug, lesson, topic, difficulty, source)
    prompt_lines: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def reset() -> None:
        prompt_lines.clear()
        options.clear()

    for number, raw in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        answer_match = _AIKEN_ANSWER_RE.match(stripped)
        option_match = _AIKEN_OPTION_RE.match(stripped)
        if answer_match and prompt_lines:
            letter = answer_match.group(1).upper()
            letters = [found for found, _ in options]
            if len(options) < 2:
                importer.warn(start, "fewer than two options; skipped")
            elif letter not in letters:
                importer.warn(number, f"ANSWER: {letter} is not one of the options; skipped")
            else:
                built = []
                for index, (found, option_text) in enumerate(options):
                    option: dict[str, Any] = {"id": _letter(index), **_both(option_text)}
                    if found == letter:
                        option["correct"] = True
                    built.append(option)
                if len(built) > MAX_OPTIONS:
                    importer.warn(
                        start,
                        f"{len(built)} options: quiz.yaml allows at most {MAX_OPTIONS}; fix it",
                    )
                importer.add(start, "", "single", " ".join(prompt_lines), "", options=built)
            reset()
        elif option_match and prompt_lines:
            options.append((option_match.group(1), " ".join(option_match.group(2).split())))
        elif options:
            importer.warn(start, "question has no ANSWER: line; skipped")
            reset()
            start = number
            prompt_lines.append(stripped)
        else:
            if not prompt_lines:
                start = number
            prompt_lines.append(stripped)
    if prompt_lines:
        importer.warn(start, "question has no ANSWER: line; skipped")
    return importer.result()


# --------------------------------------------------------------------------- output


def to_yaml(questions: list[dict[str, Any]]) -> str:
    """Render imported questions as a quiz.yaml document (``questions:`` list) to paste or save."""
    return yaml.safe_dump({"questions": questions}, allow_unicode=True, sort_keys=False, width=1000)


# --------------------------------------------------------------------------- small helpers


def _both(text: str) -> dict[str, str]:
    """Return the same text for every language; the author translates afterwards."""
    return dict.fromkeys(LANGS, text)


def _letter(index: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[index] if index < 26 else f"x{index}"


def _slugify(title: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", title.casefold()))


def _source_dict(source: Any) -> dict[str, str]:
    if isinstance(source, Source):
        return {"seed": source.seed, "where": source.where}
    if isinstance(source, Mapping):
        return {"seed": str(source["seed"]), "where": str(source["where"])}
    raise TypeError("source must be a Source or a mapping with seed and where")
