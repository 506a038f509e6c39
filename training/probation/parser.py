"""Read and check the probation policy (content/probation.yaml) into a Policy.

The format is described in content/README.md ("The probation policy"). Like the other content
parsers this works on the ``{path: text}`` mapping of the content tree, reports every problem at
once as ``path:line: message`` and reuses the curriculum parser's YAML helpers so all checkers
word and locate their problems the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from training.curriculum.parser import _BAD, _STR, _Bad, _describe, _Doc, _normalise_text
from training.curriculum.schema import LANG_NAMES, LANGS, ContentError, Problem

from .schema import (
    CRITERIA,
    DEFAULT_POLICY,
    MAX_MINIMUM_DAYS,
    MAX_PASSAGE_CHARS,
    MAX_PLAUSIBLE_CPM,
    MAX_TYPING_SECONDS,
    MIN_PASSAGE_CHARS,
    MIN_TYPING_SECONDS,
    POLICY_PATH,
    Criterion,
    FinalExamCriterion,
    LessonsCriterion,
    LiveRoleplayCriterion,
    ModuleQuizzesCriterion,
    Passage,
    Policy,
    ScenariosCriterion,
    TypingCriterion,
    TypingSettings,
)
from .typing_test import count_chars

POLICY_KEYS = ("minimum_days", "criteria", "typing")
TYPING_KEYS = ("seconds", "passages")
PASSAGE_KEYS = ("id", "lang", "text")

_BOOL = "tag:yaml.org,2002:bool"
# CJK ideographs; a Chinese passage needs them and an English one must not have them.
_HAN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACES_RE = re.compile(r"\s+")
# A space YAML left between two lines of Chinese (folded text) is not part of the passage.
_CJK_GAP_RE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")


def parse_policy(files: Mapping[str, str]) -> Policy:
    """Build the Policy from the content tree, raising ContentError listing every problem.

    Without a probation.yaml the built-in DEFAULT_POLICY applies, so a tree written before the
    policy existed still works.
    """
    if POLICY_PATH not in files:
        return DEFAULT_POLICY
    checker = _PolicyChecker(POLICY_PATH, _normalise_text(files[POLICY_PATH]))
    policy = checker.run()
    if checker.problems or policy is None:
        raise ContentError(checker.problems)
    return policy


def check_policy(files: Mapping[str, str]) -> list[Problem]:
    """Return every problem in probation.yaml (none when valid or absent), for the content check."""
    try:
        parse_policy(files)
    except ContentError as exc:
        return exc.problems
    return []


def is_policy_path(path: str) -> bool:
    """Tell whether ``path`` (relative to content/) is the file this parser reads."""
    return path == POLICY_PATH


def tidy_passage(text: str) -> str:
    """Collapse the whitespace YAML leaves in a passage so it shows as one paragraph."""
    return _CJK_GAP_RE.sub("", _SPACES_RE.sub(" ", text).strip())


# --------------------------------------------------------------------------- YAML helpers


class _PolicyDoc(_Doc):
    """The curriculum's YAML checker plus optional keys and booleans."""

    def boolean(self, node: Node, name: str) -> bool | _Bad:
        """Accept only a real YAML boolean, so ``"yes"`` in quotes or ``1`` is refused."""
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return SafeConstructor().construct_yaml_bool(node)
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return self.error(
                node, f"{name} must be true or false without quotes, not {node.value!r}"
            )
        return self.error(node, f"{name} must be true or false, not {_describe(node)}")

    def no_settings(self, node: Node, label: str) -> bool:
        """Accept only ``{}``: these criteria have nothing to set, and a key would be a typo."""
        if not isinstance(node, MappingNode):
            return self.error(
                node, f"{label} must be {{}} (it has no settings), not {_describe(node)}"
            )
        if node.value:
            key_node = node.value[0][0]
            shown = key_node.value if isinstance(key_node, ScalarNode) else _describe(key_node)
            return self.error(key_node, f"unknown key '{shown}' in {label}: it has no settings")
        return True


# --------------------------------------------------------------------------- the checker


class _PolicyChecker:
    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.doc = _PolicyDoc(self.report, path)

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def run(self) -> Policy | None:
        doc = self.doc
        root = doc.compose(self.text)
        if root is _BAD:
            return None
        if root is None:
            self.report(self.path, 1, f"{POLICY_PATH} is empty (delete it to use the defaults)")
            return None
        spec = {
            "minimum_days": lambda n, k: doc.whole(n, k, 0, MAX_MINIMUM_DAYS),
            "criteria": self.criteria,
            "typing": self.typing,
        }
        assert tuple(spec) == POLICY_KEYS
        fields, complete = doc.mapping(root, spec, POLICY_PATH, optional=("typing",))
        if "criteria" in fields and "typing" not in fields:
            criteria: dict[str, Any] = fields["criteria"].value
            # An invalid typing: section is reported on its own; only a missing one is here.
            if "typing" in criteria and not _root_has(root, "typing"):
                self.report(
                    self.path,
                    criteria["typing"].line,
                    "the typing criterion needs a typing: section with the passages to type",
                )
                complete = False
        if not complete:
            return None
        typing = fields["typing"].value if "typing" in fields else None
        return Policy(
            minimum_days=fields["minimum_days"].value,
            criteria=tuple(found.value for found in fields["criteria"].value.values()),
            typing=typing,
            path=self.path,
        )

    # -- criteria

    def criteria(self, node: Node, name: str) -> dict[str, Any] | _Bad:
        doc = self.doc
        if isinstance(node, MappingNode) and not node.value:
            # No criteria would let anyone be confirmed on day one; that is never intended.
            return doc.error(node, "criteria must name at least one criterion")
        spec: dict[str, Callable[[Node, str], Any]] = {
            "lessons": self.empty_criterion(LessonsCriterion),
            "module_quizzes": self.empty_criterion(ModuleQuizzesCriterion),
            "final_exam": self.final_exam,
            "scenarios": self.scenarios,
            "typing": self.typing_criterion,
            "live_roleplay": self.live_roleplay,
        }
        assert tuple(spec) == CRITERIA
        fields, complete = doc.mapping(node, spec, "criteria", optional=CRITERIA)
        return fields if complete else _BAD

    def empty_criterion(self, kind: type[Criterion]) -> Callable[[Node, str], Criterion | _Bad]:
        def check(node: Node, name: str) -> Criterion | _Bad:
            return kind() if self.doc.no_settings(node, f"criteria.{name}") is True else _BAD

        return check

    def final_exam(self, node: Node, name: str) -> FinalExamCriterion | _Bad:
        doc = self.doc
        spec = {"min_score": lambda n, k: doc.whole(n, k, 1, 100)}
        fields, complete = doc.mapping(node, spec, f"criteria.{name}")
        return FinalExamCriterion(fields["min_score"].value) if complete else _BAD

    def scenarios(self, node: Node, name: str) -> ScenariosCriterion | _Bad:
        doc = self.doc
        spec = {
            "average_at_least": lambda n, k: doc.whole(n, k, 0, 100),
            "no_fatal": doc.boolean,
        }
        fields, complete = doc.mapping(node, spec, f"criteria.{name}")
        if not complete:
            return _BAD
        return ScenariosCriterion(fields["average_at_least"].value, fields["no_fatal"].value)

    def typing_criterion(self, node: Node, name: str) -> TypingCriterion | _Bad:
        doc = self.doc
        spec = {
            "chars_per_minute": lambda n, k: doc.whole(n, k, 1, MAX_PLAUSIBLE_CPM),
            "accuracy": lambda n, k: doc.whole(n, k, 1, 100),
        }
        fields, complete = doc.mapping(node, spec, f"criteria.{name}")
        if not complete:
            return _BAD
        return TypingCriterion(fields["chars_per_minute"].value, fields["accuracy"].value)

    def live_roleplay(self, node: Node, name: str) -> LiveRoleplayCriterion | _Bad:
        doc = self.doc
        spec = {"min_score": lambda n, k: doc.whole(n, k, 1, 100)}
        fields, complete = doc.mapping(node, spec, f"criteria.{name}")
        return LiveRoleplayCriterion(fields["min_score"].value) if complete else _BAD

    # -- the typing test

    def typing(self, node: Node, name: str) -> TypingSettings | _Bad:
        doc = self.doc
        spec = {
            "seconds": lambda n, k: doc.whole(n, k, MIN_TYPING_SECONDS, MAX_TYPING_SECONDS),
            "passages": self.passages,
        }
        assert tuple(spec) == TYPING_KEYS
        fields, complete = doc.mapping(node, spec, "typing")
        if not complete:
            return _BAD
        return TypingSettings(fields["seconds"].value, fields["passages"].value)

    def passages(self, node: Node, name: str) -> tuple[Passage, ...] | _Bad:
        doc = self.doc
        if not isinstance(node, SequenceNode):
            return doc.error(node, f"{name} must be a list, not {_describe(node)}")
        if not node.value:
            return doc.error(node, f"{name} must list at least one passage")
        drafts = [self.passage(child) for child in node.value]
        ok = all(passage is not None for _, _, passage in drafts)
        first: dict[str, int] = {}
        for passage_id, line, _ in drafts:
            if passage_id is None:
                continue
            if passage_id in first:
                other = first[passage_id]
                message = f"duplicate passage id '{passage_id}' (also line {other})"
                self.report(self.path, line, message)
                ok = False
            else:
                first[passage_id] = line
        if not ok:
            # A broken passage may be the one in the missing language, so that is not reported.
            return _BAD
        passages = tuple(passage for _, _, passage in drafts if passage is not None)
        for lang in LANGS:
            # The test is taken in the trainee's working language, so each needs a passage.
            if not any(passage.lang == lang for passage in passages):
                language = f"{LANG_NAMES[lang]} ({lang})"
                doc.error(node, f"{name} must include at least one {language} passage")
                ok = False
        return passages if ok else _BAD

    def passage(self, node: Node) -> tuple[str | None, int, Passage | None]:
        """Return (id if valid, line of the id, the passage if entirely valid)."""
        doc = self.doc

        def lang(child: Node, key: str) -> str | _Bad:
            value = doc.text(child, key)
            if value is not _BAD and value not in LANGS:
                return doc.error(child, f"lang must be {' or '.join(LANGS)}, not '{value}'")
            return value

        def text(child: Node, key: str) -> tuple[str, Node] | _Bad:
            value = doc.text(child, key)
            return _BAD if value is _BAD else (tidy_passage(value), child)

        spec = {"id": doc.slug, "lang": lang, "text": text}
        assert tuple(spec) == PASSAGE_KEYS
        fields, complete = doc.mapping(node, spec, "a passage")
        passage_id = fields["id"].value if "id" in fields else None
        line = fields["id"].line if "id" in fields else doc.line(node)
        if not complete:
            return passage_id, line, None
        passage_lang = fields["lang"].value
        body, text_node = fields["text"].value
        if not self.check_text(body, passage_lang, text_node):
            return passage_id, line, None
        return passage_id, line, Passage(passage_id, passage_lang, body)

    def check_text(self, body: str, lang: str, node: Node) -> bool:
        doc = self.doc
        has_han = bool(_HAN_RE.search(body))
        if lang == "zh" and not has_han:
            doc.error(node, "a Chinese (zh) passage must be written in Chinese characters")
            return False
        if lang == "en" and has_han:
            doc.error(node, "an English (en) passage must not contain Chinese characters")
            return False
        counted = count_chars(body, lang)
        if not MIN_PASSAGE_CHARS <= counted <= MAX_PASSAGE_CHARS:
            doc.error(
                node,
                f"a passage must have {MIN_PASSAGE_CHARS} to {MAX_PASSAGE_CHARS} characters "
                f"as the typing test counts them, not {counted}",
            )
            return False
        return True


def _root_has(root: Node, key: str) -> bool:
    """Tell whether the root mapping has ``key`` at all (even with an invalid value)."""
    return isinstance(root, MappingNode) and any(
        isinstance(key_node, ScalarNode) and key_node.value == key for key_node, _ in root.value
    )
