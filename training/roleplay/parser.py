"""Read and check simulated-buyer scenarios (content/scenarios/*.yaml) into Scenario values.

The format is described in content/README.md ("Simulated buyer scenarios"). Like the other
content parsers this works on the ``{path: text}`` mapping of the content tree, reports every
problem at once as ``path:line: message`` and reuses the curriculum parser's YAML helpers so
all checkers word and locate their problems the same way.

Scoring is not done here: whether the model replies and calibration examples score as their
authors claim is checked by ``engine.check_calibration``. The parser only follows the model
path under the assumption that every model reply is perfect, to find turns that lack one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from training.curriculum.parser import (
    _BAD,
    SLUG_RE,
    _Bad,
    _describe,
    _Doc,
    _find_cycles,
    _normalise_text,
)
from training.curriculum.schema import LANGS, ContentError, Curriculum, Problem

from .schema import (
    DIMENSIONS,
    LEFT_ENDING,
    MAX_MOOD,
    MIN_MOOD,
    MOVES,
    ORDER_STATUSES,
    PERSONA_TYPES,
    POOR_BELOW,
    REVIEWS,
    VIOLATION_CAP,
    VIOLATIONS,
    Bundle,
    CalibrationExample,
    Condition,
    Ending,
    Facts,
    Option,
    Outcome,
    Persona,
    Policy,
    Rule,
    Scenario,
    Turn,
)

SCENARIOS_DIR = "scenarios"

SCENARIO_KEYS = (
    "slug",
    "title",
    "summary",
    "module",
    "lessons",
    "sources",
    "required",
    "persona",
    "facts",
    "response_seconds",
    "pass_mark",
    "dimensions",
    "terms",
    "turns",
    "endings",
    "calibration",
)
PERSONA_KEYS = ("type", "name", "description", "mood", "patience")
FACTS_KEYS = (
    "product",
    "price",
    "order_status",
    "order_id",
    "address",
    "tracking",
    "promotion",
    "policy",
    "bundle",
)
POLICY_KEYS = ("max_discount", "max_compensation", "refund", "gift")
BUNDLE_KEYS = ("item", "price")
TURN_KEYS = ("id", "buyer", "expect", "bonus", "keywords", "model", "options", "next")
OPTION_KEYS = ("id", "text", "moves", "violations")
RULE_KEYS = ("when", "goto", "ending")
WHEN_KEYS = ("violation", "score_at_least", "mood_below", "mood_at_least", "moves")
ENDING_KEYS = ("id", "outcome", "buyer")
OUTCOME_KEYS = ("bought", "order_value", "review", "complaint")
CALIBRATION_KEYS = ("turn", "lang", "reply", "band")

MIN_TURNS, MIN_ENDINGS = 2, 2  # endings besides `left`
MIN_EXPECT, MAX_EXPECT = 1, 4
MIN_OPTIONS, MAX_OPTIONS = 3, 4
MIN_GOOD_EXAMPLES = MIN_BAD_EXAMPLES = 2
MAX_PATIENCE = 10

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_STR = "tag:yaml.org,2002:str"


def parse_scenarios(files: Mapping[str, str], curriculum: Curriculum) -> dict[str, Scenario]:
    """Build every scenario of the tree, raising ContentError listing every problem found."""
    scenarios, problems = read_scenarios(files, curriculum)
    if problems:
        raise ContentError(problems)
    return scenarios


def check_scenarios(files: Mapping[str, str], curriculum: Curriculum) -> list[Problem]:
    """Return every problem in the scenario files (empty when valid), for the content check."""
    return read_scenarios(files, curriculum)[1]


def read_scenarios(
    files: Mapping[str, str], curriculum: Curriculum
) -> tuple[dict[str, Scenario], list[Problem]]:
    """Return the valid scenarios and every problem, so a checker can still test the good ones."""
    problems: list[Problem] = []
    scenarios: dict[str, Scenario] = {}
    for path in sorted(files):
        if not is_scenario_path(path):
            continue
        checker = _FileChecker(path, files[path], curriculum)
        scenario = checker.run()
        problems.extend(checker.problems)
        if scenario is not None and not checker.problems:
            scenarios[scenario.slug] = scenario
    return dict(sorted(scenarios.items())), sorted(problems)


def is_scenario_path(path: str) -> bool:
    """Tell whether ``path`` (relative to content/) is a scenario file this parser reads."""
    parts = path.split("/")
    return len(parts) == 2 and parts[0] == SCENARIOS_DIR and parts[1].endswith(".yaml")


# --------------------------------------------------------------------------- YAML helpers


class _ScenarioDoc(_Doc):
    """The curriculum's YAML checker plus optional keys, booleans, numbers and vocabularies."""

    def __init__(self, report: Callable[[str, int, str], None], path: str, curriculum: Curriculum):
        super().__init__(report, path)
        self.curriculum = curriculum

    def boolean(self, node: Node, name: str) -> bool | _Bad:
        """Accept only a real YAML boolean, so ``"yes"`` in quotes or ``1`` is refused."""
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return SafeConstructor().construct_yaml_bool(node)
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return self.error(
                node, f"{name} must be true or false without quotes, not {node.value!r}"
            )
        return self.error(node, f"{name} must be true or false, not {_describe(node)}")

    def number(self, node: Node, name: str, low: float = 0) -> float | _Bad:
        """Accept an int or a decimal number (yuan), refusing quoted numbers and booleans."""
        if isinstance(node, ScalarNode) and node.tag in (_INT, _FLOAT):
            constructor = SafeConstructor()
            if node.tag == _INT:
                value: float = constructor.construct_yaml_int(node)
            else:
                value = constructor.construct_yaml_float(node)
            if not math.isfinite(value):
                return self.error(node, f"{name} must be a finite number, not {node.value}")
            if value < low:
                return self.error(node, f"{name} must be {low:g} or more, not {node.value}")
            return value
        if isinstance(node, ScalarNode) and node.tag == _STR:
            return self.error(node, f"{name} must be a number without quotes, not {node.value!r}")
        return self.error(node, f"{name} must be a number, not {_describe(node)}")

    def choice_of(self, node: Node, name: str, allowed: Iterable[str]) -> str | _Bad:
        """Accept one of the ``allowed`` words."""
        allowed = tuple(allowed)
        value = self.text(node, name)
        if value is not _BAD and value not in allowed:
            return self.error(node, f"{name} must be one of {', '.join(allowed)}, not '{value}'")
        return value

    def words_of(
        self, allowed: tuple[str, ...], low: int, high: int | None, what: str
    ) -> Callable[[Node, str], tuple[str, ...] | _Bad]:
        """Return a checker of a list of distinct words from ``allowed`` (``low``-``high`` long)."""

        def check(node: Node, name: str) -> tuple[str, ...] | _Bad:
            values = self.sequence(
                node, name, lambda child, key: self.word(child, key, allowed, what), non_empty=False
            )
            if values is _BAD:
                return _BAD
            if len(values) < low or (high is not None and len(values) > high):
                wanted = f"{low} to {high}" if high is not None else f"at least {low}"
                return self.error(node, f"{name} must list {wanted} {what}s, not {len(values)}")
            for index, value in enumerate(values):
                if value in values[:index]:
                    return self.error(node.value[index], f"{what} '{value}' is listed twice")
            return tuple(values)

        return check

    def word(self, node: Node, name: str, allowed: tuple[str, ...], what: str) -> str | _Bad:
        """Accept one word of a fixed vocabulary, naming the vocabulary when it is not."""
        value = self.text(node, name)
        if value is not _BAD and value not in allowed:
            return self.error(node, f"unknown {what} '{value}' (use {', '.join(allowed)})")
        return value

    def texts(self, node: Node, name: str) -> tuple[str, ...] | _Bad:
        """A list of texts (may be empty), e.g. segmenter terms or keywords."""
        values = self.sequence(node, name, self.text, non_empty=False)
        return _BAD if values is _BAD else tuple(values)

    def lesson_key(self, node: Node, name: str) -> str | _Bad:
        """A lesson reference ``module/lesson`` or ``module/lesson#section`` that must exist."""
        value = self.text(node, name)
        if value is _BAD:
            return _BAD
        key, _, section = value.partition("#")
        parts = key.split("/")
        if (
            len(parts) != 2
            or not all(SLUG_RE.match(part) for part in parts)
            or ("#" in value and not SLUG_RE.match(section))
        ):
            return self.error(
                node, f"lesson '{value}' is not valid: write MODULE/LESSON or MODULE/LESSON#section"
            )
        module_slug, lesson_slug = parts
        if self.curriculum.module(module_slug) is None:
            return self.error(node, f"lesson '{value}': no module '{module_slug}'")
        lesson = self.curriculum.lesson(module_slug, lesson_slug)
        if lesson is None:
            return self.error(
                node, f"lesson '{value}': no lesson '{lesson_slug}' in module '{module_slug}'"
            )
        if section:
            for lang in LANGS:
                text = lesson.texts.get(lang)
                if text is not None and section not in text.section_ids:
                    return self.error(
                        node, f"lesson '{value}': {text.path} has no section '{section}'"
                    )
        return value

    def module_slug(self, node: Node, name: str) -> str | _Bad:
        """The slug of a module that exists in the curriculum."""
        value = self.slug(node, name)
        if value is not _BAD and self.curriculum.module(value) is None:
            known = ", ".join(module.slug for module in self.curriculum.modules)
            return self.error(node, f"no module '{value}' (modules: {known})")
        return value

    def keywords(self, node: Node, name: str) -> dict[str, tuple[str, ...]] | _Bad:
        """``{zh: [...], en: [...]}``: words a reply may mention to count as explaining."""

        def words(child: Node, key: str) -> tuple[str, ...] | _Bad:
            values = self.sequence(
                child, key, lambda n, _: self.text(n, "a keyword"), non_empty=False
            )
            return _BAD if values is _BAD else tuple(values)

        fields, complete = self.mapping(node, dict.fromkeys(LANGS, words), name)
        return {lang: fields[lang].value for lang in LANGS} if complete else _BAD

    def band(self, node: Node, name: str) -> tuple[int, int] | _Bad:
        """``[low, high]``: whole scores 0-100, low not above high."""
        if not isinstance(node, SequenceNode) or len(node.value) != 2:
            return self.error(node, f"{name} must be a list of two scores like [70, 100]")
        low, high = (self.whole(child, name, 0, 100) for child in node.value)
        if low is _BAD or high is _BAD:
            return _BAD
        if low > high:
            return self.error(node, f"{name} [{low}, {high}] is upside down: write [low, high]")
        return low, high


# --------------------------------------------------------------------------- the checker


@dataclass
class _Target:
    """A goto or ending named by a rule, checked once every id in the file is known."""

    kind: str  # "turn" or "ending"
    value: str
    line: int


@dataclass
class _FileState:
    """What is known about one file's turns and endings, even when some have problems."""

    turn_lines: dict[str, int] = field(default_factory=dict)
    ending_lines: dict[str, int] = field(default_factory=dict)
    turns_known: bool = True  # every turn's id could be read
    endings_known: bool = True
    targets: list[_Target] = field(default_factory=list)
    example_turns: list[tuple[str, int]] = field(default_factory=list)  # (turn id, line)


class _FileChecker:
    def __init__(self, path: str, text: str, curriculum: Curriculum):
        self.path = path
        self.text = text
        self.curriculum = curriculum
        self.problems: list[Problem] = []
        self.doc = _ScenarioDoc(self.report, path, curriculum)
        self.state = _FileState()

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def problem(self, line: int, message: str) -> None:
        """Report through the YAML checker, so a mapping being read knows its value failed."""
        self.doc.report(self.path, line, message)

    def run(self) -> Scenario | None:
        doc = self.doc
        root = doc.compose(_normalise_text(self.text))
        if root is _BAD:
            return None
        if root is None:
            self.problem(1, "scenario file is empty")
            return None
        spec: dict[str, Callable[[Node, str], Any]] = {
            "slug": doc.slug,
            "title": doc.langs,
            "summary": doc.langs,
            "module": doc.module_slug,
            "lessons": lambda node, name: self.tuple_of(node, name, doc.lesson_key),
            "sources": doc.sources,
            "required": doc.boolean,
            "persona": self.persona,
            "facts": self.facts,
            "response_seconds": lambda node, name: doc.whole(node, name, 1),
            "pass_mark": lambda node, name: doc.whole(node, name, 1, 100),
            "dimensions": doc.words_of(DIMENSIONS, 1, None, "dimension"),
            "terms": doc.texts,
            "turns": lambda node, name: self.tuple_of(node, name, self.turn),
            "endings": lambda node, name: self.tuple_of(node, name, self.ending),
            "calibration": lambda node, name: self.tuple_of(node, name, self.example),
        }
        assert tuple(spec) == SCENARIO_KEYS
        fields, complete = doc.mapping(root, spec, "the scenario", optional=("terms",))
        if "slug" in fields:
            expected = self.path.rsplit("/", 1)[-1].removesuffix(".yaml")
            if fields["slug"].value != expected:
                self.problem(
                    fields["slug"].line,
                    f"slug '{fields['slug'].value}' must equal the file name ('{expected}')",
                )
        self.check_counts(root, fields)
        targets_ok = self.check_targets()
        turns = fields["turns"].value if "turns" in fields else None
        # The graph can only be followed when every turn parsed and every target exists.
        if turns is not None and targets_ok and self.state.endings_known:
            self.check_graph(turns)
            if "persona" in fields:
                self.check_model_path(turns, fields["persona"].value)
        # Checked after the whole file is read: calibration may come before the turns.
        for turn_id, line in self.state.example_turns:
            if turn_id not in self.state.turn_lines and self.state.turns_known:
                self.problem(line, f"calibration turn '{turn_id}': no such turn")
        if "calibration" in fields and "pass_mark" in fields:
            self.check_calibration(fields["calibration"], fields["pass_mark"].value)
        if not complete or self.problems:
            return None
        return Scenario(
            slug=fields["slug"].value,
            title=fields["title"].value,
            summary=fields["summary"].value,
            module=fields["module"].value,
            lessons=fields["lessons"].value,
            sources=fields["sources"].value,
            required=fields["required"].value,
            persona=fields["persona"].value,
            facts=fields["facts"].value,
            response_seconds=fields["response_seconds"].value,
            pass_mark=fields["pass_mark"].value,
            dimensions=fields["dimensions"].value,
            terms=fields["terms"].value if "terms" in fields else (),
            turns=turns,
            endings=fields["endings"].value,
            calibration=fields["calibration"].value,
            path=self.path,
        )

    def tuple_of(
        self, node: Node, name: str, item: Callable[[Node, str], Any]
    ) -> tuple[Any, ...] | _Bad:
        values = self.doc.sequence(node, name, item, non_empty=True)
        return _BAD if values is _BAD else tuple(values)

    # -- parts

    def persona(self, node: Node, name: str) -> Persona | _Bad:
        doc = self.doc
        spec = {
            "type": lambda n, k: doc.word(n, k, PERSONA_TYPES, "persona type"),
            "name": doc.langs,
            "description": doc.langs,
            "mood": lambda n, k: doc.whole(n, k, MIN_MOOD, MAX_MOOD),
            "patience": lambda n, k: doc.whole(n, k, 1, MAX_PATIENCE),
        }
        assert tuple(spec) == PERSONA_KEYS
        fields, complete = doc.mapping(node, spec, "persona")
        if not complete:
            return _BAD
        return Persona(**{key: found.value for key, found in fields.items()})

    def facts(self, node: Node, name: str) -> Facts | _Bad:
        doc = self.doc
        spec = {
            "product": doc.langs,
            "price": doc.number,
            "order_status": lambda n, k: doc.choice_of(n, k, ORDER_STATUSES),
            "order_id": doc.text,
            "address": doc.langs,
            "tracking": doc.text,
            "promotion": doc.langs,
            "policy": self.policy,
            "bundle": self.bundle,
        }
        assert tuple(spec) == FACTS_KEYS
        optional = ("order_id", "address", "tracking", "promotion", "bundle")
        fields, complete = doc.mapping(node, spec, "facts", optional=optional)
        if not complete:
            return _BAD
        return Facts(**{key: found.value for key, found in fields.items()})

    def policy(self, node: Node, name: str) -> Policy | _Bad:
        doc = self.doc
        spec = {
            "max_discount": doc.number,
            "max_compensation": doc.number,
            "refund": doc.boolean,
            "gift": doc.langs,
        }
        assert tuple(spec) == POLICY_KEYS
        fields, complete = doc.mapping(node, spec, "policy", optional=("gift",))
        if not complete:
            return _BAD
        return Policy(**{key: found.value for key, found in fields.items()})

    def bundle(self, node: Node, name: str) -> Bundle | _Bad:
        doc = self.doc
        spec = {"item": doc.langs, "price": doc.number}
        assert tuple(spec) == BUNDLE_KEYS
        fields, complete = doc.mapping(node, spec, "bundle")
        if not complete:
            return _BAD
        return Bundle(item=fields["item"].value, price=fields["price"].value)

    def turn(self, node: Node, name: str) -> Turn | _Bad:
        doc = self.doc
        spec = {
            "id": doc.slug,
            "buyer": doc.langs,
            "expect": doc.words_of(MOVES, MIN_EXPECT, MAX_EXPECT, "move"),
            "bonus": doc.words_of(MOVES, 0, None, "move"),
            "keywords": doc.keywords,
            "model": doc.langs,
            "options": self.options,
            "next": self.rules,
        }
        assert tuple(spec) == TURN_KEYS
        fields, complete = doc.mapping(
            node, spec, "a turn", optional=("bonus", "keywords", "model")
        )
        self.remember_id(node, fields, self.state.turn_lines, "turn")
        if "id" not in fields:
            self.state.turns_known = False
        if "expect" in fields and "bonus" in fields:
            both = [move for move in fields["bonus"].value if move in fields["expect"].value]
            if both:
                self.problem(
                    fields["bonus"].line,
                    f"bonus repeats expected move(s) {', '.join(both)}: a move is one or the other",
                )
                complete = False
        if not complete:
            return _BAD
        return Turn(
            id=fields["id"].value,
            buyer=fields["buyer"].value,
            expect=fields["expect"].value,
            bonus=fields["bonus"].value if "bonus" in fields else (),
            keywords=fields["keywords"].value if "keywords" in fields else {"zh": (), "en": ()},
            model=fields["model"].value if "model" in fields else None,
            options=fields["options"].value,
            next=fields["next"].value,
            line=doc.line(node),
        )

    def remember_id(
        self, node: Node, fields: dict[str, Any], seen: dict[str, int], what: str
    ) -> None:
        if "id" not in fields:
            return
        value, line = fields["id"].value, fields["id"].line
        if value in seen:
            self.problem(line, f"duplicate {what} id '{value}' (also line {seen[value]})")
        else:
            seen[value] = line

    def options(self, node: Node, name: str) -> tuple[Option, ...] | _Bad:
        doc = self.doc
        values = doc.sequence(node, name, self.option, non_empty=False)
        if values is _BAD:
            return _BAD
        if not MIN_OPTIONS <= len(values) <= MAX_OPTIONS:
            return doc.error(
                node, f"options must list {MIN_OPTIONS} to {MAX_OPTIONS} replies, not {len(values)}"
            )
        first: dict[str, int] = {}
        bad = False
        for option in values:
            if option.id in first:
                self.problem(
                    option.line,
                    f"duplicate option id '{option.id}' (also line {first[option.id]})",
                )
                bad = True
            first.setdefault(option.id, option.line)
        if all(option.violations for option in values):
            doc.error(node, "at least one option must have no violations")
            bad = True
        return _BAD if bad else tuple(values)

    def option(self, node: Node, name: str) -> Option | _Bad:
        doc = self.doc
        spec = {
            "id": doc.slug,
            "text": doc.langs,
            "moves": doc.words_of(MOVES, 0, None, "move"),
            "violations": doc.words_of(VIOLATIONS, 0, None, "violation"),
        }
        assert tuple(spec) == OPTION_KEYS
        fields, complete = doc.mapping(node, spec, "an option")
        if not complete:
            return _BAD
        return Option(
            id=fields["id"].value,
            text=fields["text"].value,
            moves=fields["moves"].value,
            violations=fields["violations"].value,
            line=doc.line(node),
        )

    def rules(self, node: Node, name: str) -> tuple[Rule, ...] | _Bad:
        doc = self.doc
        values = doc.sequence(node, name, self.rule, non_empty=True)
        if values is _BAD:
            return _BAD
        bad = False
        for rule in values[:-1]:
            if rule.when is None:
                self.problem(
                    rule.line,
                    "only the last rule may leave out `when`: the rules after it are never used",
                )
                bad = True
        if values[-1].when is not None:
            self.problem(
                values[-1].line,
                "the last rule must have no `when`, so every reply leads somewhere",
            )
            bad = True
        return _BAD if bad else tuple(values)

    def rule(self, node: Node, name: str) -> Rule | _Bad:
        doc = self.doc
        spec = {"when": self.condition, "goto": doc.slug, "ending": doc.slug}
        assert tuple(spec) == RULE_KEYS
        fields, complete = doc.mapping(node, spec, "a rule", optional=RULE_KEYS)
        for key, kind in (("goto", "turn"), ("ending", "ending")):
            if key in fields:
                self.state.targets.append(_Target(kind, fields[key].value, fields[key].line))
        if not isinstance(node, MappingNode):
            return _BAD
        keys = {key.value for key, _ in node.value if isinstance(key, ScalarNode)}
        if "goto" in keys and "ending" in keys:
            return doc.error(node, "a rule has both goto and ending: give one")
        if "goto" not in keys and "ending" not in keys:
            return doc.error(node, "a rule needs goto: TURN or ending: ENDING")
        if not complete:
            return _BAD
        return Rule(
            when=fields["when"].value if "when" in fields else None,
            goto=fields["goto"].value if "goto" in fields else None,
            ending=fields["ending"].value if "ending" in fields else None,
            line=doc.line(node),
        )

    def condition(self, node: Node, name: str) -> Condition | _Bad:
        doc = self.doc
        spec = {
            "violation": doc.boolean,
            "score_at_least": lambda n, k: doc.whole(n, k, 0, 100),
            "mood_below": lambda n, k: doc.whole(n, k, MIN_MOOD + 1, MAX_MOOD + 1),
            "mood_at_least": lambda n, k: doc.whole(n, k, MIN_MOOD, MAX_MOOD),
            "moves": doc.words_of(MOVES, 1, None, "move"),
        }
        assert tuple(spec) == WHEN_KEYS
        fields, complete = doc.mapping(node, spec, "when", optional=WHEN_KEYS)
        if isinstance(node, MappingNode) and not node.value:
            allowed = ", ".join(WHEN_KEYS)
            return doc.error(node, f"when must give at least one condition ({allowed})")
        if not complete:
            return _BAD
        return Condition(**{key: found.value for key, found in fields.items()})

    def ending(self, node: Node, name: str) -> Ending | _Bad:
        doc = self.doc
        spec = {"id": doc.slug, "outcome": self.outcome, "buyer": doc.langs}
        assert tuple(spec) == ENDING_KEYS
        fields, complete = doc.mapping(node, spec, "an ending")
        self.remember_id(node, fields, self.state.ending_lines, "ending")
        if "id" not in fields:
            self.state.endings_known = False
        if not complete:
            return _BAD
        return Ending(
            id=fields["id"].value,
            outcome=fields["outcome"].value,
            buyer=fields["buyer"].value,
            line=doc.line(node),
        )

    def outcome(self, node: Node, name: str) -> Outcome | _Bad:
        doc = self.doc
        spec = {
            "bought": doc.boolean,
            "order_value": doc.number,
            "review": lambda n, k: doc.choice_of(n, k, REVIEWS),
            "complaint": doc.boolean,
        }
        assert tuple(spec) == OUTCOME_KEYS
        fields, complete = doc.mapping(node, spec, "outcome")
        if not complete:
            return _BAD
        return Outcome(**{key: found.value for key, found in fields.items()})

    def example(self, node: Node, name: str) -> CalibrationExample | _Bad:
        doc = self.doc
        spec = {
            "turn": doc.slug,
            "lang": lambda n, k: doc.choice_of(n, k, LANGS),
            "reply": doc.text,
            "band": doc.band,
        }
        assert tuple(spec) == CALIBRATION_KEYS
        fields, complete = doc.mapping(node, spec, "a calibration example")
        if "turn" in fields:
            self.state.example_turns.append((fields["turn"].value, doc.line(node)))
        if not complete:
            return _BAD
        return CalibrationExample(
            turn=fields["turn"].value,
            lang=fields["lang"].value,
            reply=fields["reply"].value,
            band=fields["band"].value,
            line=doc.line(node),
        )

    # -- whole-file rules

    def check_counts(self, root: Node, fields: dict[str, Any]) -> None:
        state = self.state
        if "turns" in fields and len(fields["turns"].value) < MIN_TURNS:
            self.problem(fields["turns"].line, f"a scenario needs at least {MIN_TURNS} turns")
        if "endings" in fields or (state.ending_lines and state.endings_known):
            others = [ending for ending in state.ending_lines if ending != LEFT_ENDING]
            line = fields["endings"].line if "endings" in fields else self.doc.line(root)
            if LEFT_ENDING not in state.ending_lines:
                self.problem(
                    line,
                    f"endings must include '{LEFT_ENDING}' (the buyer runs out of patience)",
                )
            if len(others) < MIN_ENDINGS:
                self.problem(
                    line,
                    f"a scenario needs at least {MIN_ENDINGS} endings besides '{LEFT_ENDING}'",
                )

    def check_targets(self) -> bool:
        """Report gotos and endings that name nothing; return whether every target exists."""
        state = self.state
        ok = True
        for target in state.targets:
            if target.kind == "turn":
                if target.value not in state.turn_lines:
                    ok = False
                    if state.turns_known:
                        known = ", ".join(state.turn_lines)
                        self.problem(target.line, f"goto '{target.value}': no such turn ({known})")
            elif target.value not in state.ending_lines:
                ok = False
                if state.endings_known:
                    known = ", ".join(state.ending_lines)
                    self.problem(
                        target.line,
                        f"ending '{target.value}': no such ending ({known})",
                    )
        return ok

    def check_graph(self, turns: tuple[Turn, ...]) -> None:
        """Every turn reachable; every loop costs patience, so every conversation ends."""
        by_id = {turn.id: turn for turn in turns}
        reached = {turns[0].id}
        queue = [turns[0]]
        while queue:
            turn = queue.pop()
            for rule in turn.next:
                if rule.goto and rule.goto not in reached:
                    reached.add(rule.goto)
                    queue.append(by_id[rule.goto])
        for turn in turns:
            if turn.id not in reached:
                self.problem(
                    turn.line,
                    f"turn '{turn.id}' can never be reached from the first turn '{turns[0].id}'",
                )
        free: dict[str, list[str]] = {turn.id: [] for turn in turns}
        free_line: dict[tuple[str, str], int] = {}
        for turn in turns:
            for rule, poor_only in _rules_with_poor_flag(turn):
                if rule.goto and not poor_only:
                    free[turn.id].append(rule.goto)
                    free_line.setdefault((turn.id, rule.goto), rule.line)
        for cycle in _find_cycles(free):
            self.problem(
                free_line[(cycle[0], cycle[1])],
                f"turns {' -> '.join(cycle)} can loop forever: go back to a turn only on a poor "
                f"reply (below {POOR_BELOW}, e.g. after `when: {{violation: true}}` or "
                "a failed score_at_least), so patience ends the loop",
            )

    def check_model_path(self, turns: tuple[Turn, ...], persona: Persona) -> None:
        """Follow the model replies, assumed perfect, and require one on every turn they reach."""
        by_id = {turn.id: turn for turn in turns}
        turn: Turn | None = turns[0]
        mood = persona.mood
        seen: set[str] = set()
        while turn is not None and turn.id not in seen:
            seen.add(turn.id)
            if turn.model is None:
                self.problem(
                    turn.line,
                    f"turn '{turn.id}' is on the model answer path but has no model reply",
                )
            mood = min(MAX_MOOD, mood + 1)
            moves = set(turn.expect) | set(turn.bonus)
            rule = next(
                rule
                for rule in turn.next
                if rule.when is None or rule.when.holds(100, False, mood, moves)
            )
            turn = by_id.get(rule.goto) if rule.goto else None

    def check_calibration(self, found: Any, pass_mark: int) -> None:
        examples: tuple[CalibrationExample, ...] = found.value
        good = [example for example in examples if example.band[0] >= pass_mark]
        bad = [example for example in examples if example.band[1] < pass_mark]
        if len(good) < MIN_GOOD_EXAMPLES or len(bad) < MIN_BAD_EXAMPLES:
            self.problem(
                found.line,
                f"calibration needs at least {MIN_GOOD_EXAMPLES} good examples (band low >= "
                f"pass_mark {pass_mark}) and {MIN_BAD_EXAMPLES} bad ones (band high < "
                f"{pass_mark}); found {len(good)} good and {len(bad)} bad",
            )
        missing = [lang for lang in LANGS if all(example.lang != lang for example in examples)]
        if missing:
            self.problem(
                found.line,
                f"calibration must cover both languages; no example in {', '.join(missing)}",
            )


def _rules_with_poor_flag(turn: Turn) -> list[tuple[Rule, bool]]:
    """Pair each rule with whether taking it implies a poor reply (one that costs patience).

    Tracks the highest score a reply can have when it reaches each rule: a failed
    ``score_at_least: N`` leaves at most N-1, and any violation caps a turn at VIOLATION_CAP.
    """
    high = 100
    paired = []
    for rule in turn.next:
        when = rule.when
        own_high = high
        if when is not None and when.violation is True:
            own_high = min(own_high, VIOLATION_CAP)
        paired.append((rule, own_high < POOR_BELOW))
        if when is None:
            continue
        given = {key for key in WHEN_KEYS if getattr(when, key) is not None}
        if given == {"score_at_least"}:
            high = min(high, when.score_at_least - 1)
        elif given == {"violation"} and when.violation is False:
            high = min(high, VIOLATION_CAP)
    return paired
