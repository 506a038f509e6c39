"""Read and check module quizzes (modules/FOLDER/quiz.yaml) and the exam (exam.yaml).

The format is described in content/README.md ("Quizzes", "The final exam"). Like the curriculum
parser, this works on the ``{path: text}`` mapping of the content tree and reports every problem
at once as ``path:line: message``. It reuses the curriculum parser's YAML helpers so both
checkers word and locate their problems the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from training.curriculum.parser import (
    _BAD,
    MODULES_DIR,
    _Bad,
    _describe,
    _Doc,
    _Field,
    _normalise_text,
)
from training.curriculum.schema import LANG_NAMES, LANGS, ContentError, Curriculum, Problem

from .schema import (
    BALANCE_KEYS,
    QUESTION_TYPE_NAMES,
    REVIEW_MODES,
    CaseData,
    Choice,
    ChoiceData,
    ExamSpec,
    MatchingData,
    MatchPair,
    OrderingData,
    OrderItem,
    Question,
    QuestionBank,
    Quiz,
    QuizSettings,
    ShortData,
    TrueFalseData,
)

QUIZ_FILE = "quiz.yaml"
EXAM_PATH = "exam.yaml"

QUIZ_KEYS = ("settings", "questions")
SETTINGS_KEYS = (
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "retake_delay_minutes",
    "review",
)
EXAM_KEYS = ("slug", "title", "settings", "draw")
DRAW_KEYS = ("questions", "balance")
COMMON_KEYS = ("id", "type", "topic", "difficulty", "lesson", "sources", "prompt", "explanation")
# The keys each type adds to the common ones; all of them are required for that type.
TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "single": ("options",),
    "multiple": ("options",),
    "true_false": ("answer",),
    "ordering": ("items",),
    "matching": ("pairs",),
    "case": ("situation", "options"),
    "short": ("accepted",),
}
assert tuple(TYPE_KEYS) == QUESTION_TYPE_NAMES

MIN_OPTIONS, MAX_OPTIONS = 2, 6
MIN_ITEMS, MAX_ITEMS = 3, 7
MIN_PAIRS, MAX_PAIRS = 3, 6

_BOOL = "tag:yaml.org,2002:bool"
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_LESSON_RE = re.compile(rf"^({_SLUG})/({_SLUG})(?:#({_SLUG}))?$")


def parse_quizzes(files: Mapping[str, str], curriculum: Curriculum) -> QuestionBank:
    """Build the QuestionBank from the content tree, raising ContentError listing every problem."""
    checker = _BankChecker(files, curriculum)
    bank = checker.run()
    if checker.problems:
        raise ContentError(checker.problems)
    return bank


def check_quizzes(files: Mapping[str, str], curriculum: Curriculum) -> list[Problem]:
    """Return every problem in the quizzes and exam (empty when valid), for the content check."""
    try:
        parse_quizzes(files, curriculum)
    except ContentError as exc:
        return exc.problems
    return []


def is_quiz_path(path: str) -> bool:
    """Tell whether ``path`` (relative to content/) is a file this parser reads."""
    parts = path.split("/")
    is_module_quiz = len(parts) == 3 and parts[0] == MODULES_DIR and parts[2] == QUIZ_FILE
    return is_module_quiz or path == EXAM_PATH


def normalise_short_answer(text: str) -> str:
    """Fold an answer so matching ignores case, spaces, punctuation and full/half width.

    NFKC turns full-width letters, digits and punctuation into their ASCII forms; casefold
    handles case; then every space and punctuation mark (Chinese or ASCII) is dropped, and so
    are invisible control and format characters (a zero-width space pasted from a chat).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(
        ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "PZC"
    )


# --------------------------------------------------------------------------- YAML helpers


@dataclass(frozen=True)
class _Located:
    """A parsed value with the line of its YAML node, for problems found after parsing."""

    value: Any
    line: int
    # A second line worth pointing at (a pair's right side), 0 when there is none.
    other_line: int = 0


class _QuizDoc(_Doc):
    """The curriculum's YAML checker plus optional keys, booleans and the quiz shapes."""

    def __init__(self, report: Callable[[str, int, str], None], path: str, curriculum: Curriculum):
        super().__init__(report, path)
        self.curriculum = curriculum

    def boolean(self, node: Node, name: str) -> bool | _Bad:
        """Accept only a real YAML boolean, so ``"yes"`` in quotes or ``1`` is refused."""
        if isinstance(node, ScalarNode) and node.tag == _BOOL:
            return SafeConstructor().construct_yaml_bool(node)
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            return self.error(
                node, f"{name} must be true or false without quotes, not {node.value!r}"
            )
        return self.error(node, f"{name} must be true or false, not {_describe(node)}")

    def choice_of(self, node: Node, name: str, allowed: Iterable[str]) -> str | _Bad:
        """Accept one of ``allowed`` words."""
        allowed = tuple(allowed)
        value = self.text(node, name)
        if value is not _BAD and value not in allowed:
            return self.error(node, f"{name} must be one of {', '.join(allowed)}, not '{value}'")
        return value

    def langs_of(self, check: Callable[[Node, str], Any]) -> Callable[[Node, str], Any]:
        """Return a checker of ``{zh: ..., en: ...}`` whose values pass ``check``."""

        def langs(node: Node, name: str) -> dict[str, Any] | _Bad:
            fields, complete = self.mapping(node, dict.fromkeys(LANGS, check), name)
            return {lang: fields[lang].value for lang in LANGS} if complete else _BAD

        return langs

    # -- settings

    def settings(self, node: Node, name: str) -> QuizSettings | _Bad:
        spec = {
            "pass_mark": lambda n, k: self.whole(n, k, 1, 100),
            "time_limit_minutes": lambda n, k: self.whole(n, k, 0),
            "max_attempts": lambda n, k: self.whole(n, k, 0),
            "retake_delay_minutes": lambda n, k: self.whole(n, k, 0),
            "review": lambda n, k: self.choice_of(n, k, REVIEW_MODES),
        }
        assert tuple(spec) == SETTINGS_KEYS
        fields, complete = self.mapping(node, spec, name, optional=SETTINGS_KEYS)
        if not complete:
            return _BAD
        return QuizSettings(**{key: found.value for key, found in fields.items()})

    # -- question parts

    def question_type(self, node: Node, name: str) -> str | _Bad:
        value = self.text(node, name)
        if value is not _BAD and value not in QUESTION_TYPE_NAMES:
            kinds = ", ".join(QUESTION_TYPE_NAMES)
            return self.error(node, f"unknown question type '{value}' (use {kinds})")
        return value

    def lesson_link(self, node: Node, name: str) -> tuple[str, str | None] | _Bad:
        value = self.text(node, name)
        if value is _BAD:
            return _BAD
        match = _LESSON_RE.match(value)
        if not match:
            return self.error(
                node, f"lesson '{value}' is not valid: write MODULE/LESSON or MODULE/LESSON#section"
            )
        module_slug, lesson_slug, section = match.groups()
        if self.curriculum.module(module_slug) is None:
            return self.error(node, f"lesson '{value}': no module '{module_slug}'")
        lesson = self.curriculum.lesson(module_slug, lesson_slug)
        if lesson is None:
            return self.error(
                node, f"lesson '{value}': no lesson '{lesson_slug}' in module '{module_slug}'"
            )
        if section is not None:
            for lang in LANGS:
                text = lesson.texts.get(lang)
                if text is not None and section not in text.section_ids:
                    return self.error(
                        node, f"lesson '{value}': {text.path} has no section '{section}'"
                    )
        return f"{module_slug}/{lesson_slug}", section

    def part_id(self, node: Node, name: str) -> _Located | _Bad:
        value = self.slug(node, name)
        return _BAD if value is _BAD else _Located(value, self.line(node))

    def option(self, node: Node, name: str) -> _Located | _Bad:
        spec = {"id": self.part_id, **dict.fromkeys(LANGS, self.text), "correct": self.boolean}
        fields, complete = self.mapping(node, spec, "an option", optional=("correct",))
        if not complete:
            return _BAD
        located = fields["id"].value
        correct = fields["correct"].value if "correct" in fields else False
        text = {lang: fields[lang].value for lang in LANGS}
        return _Located(Choice(located.value, text, correct), located.line)

    def item(self, node: Node, name: str) -> _Located | _Bad:
        spec = {"id": self.part_id, **dict.fromkeys(LANGS, self.text)}
        fields, complete = self.mapping(node, spec, "an item")
        if not complete:
            return _BAD
        located = fields["id"].value
        text = {lang: fields[lang].value for lang in LANGS}
        return _Located(OrderItem(located.value, text), located.line)

    def pair(self, node: Node, name: str) -> _Located | _Bad:
        spec = {"id": self.part_id, "left": self.langs, "right": self.langs}
        fields, complete = self.mapping(node, spec, "a pair")
        if not complete:
            return _BAD
        located = fields["id"].value
        pair = MatchPair(located.value, fields["left"].value, fields["right"].value)
        return _Located(pair, located.line, fields["right"].line)

    def accepted_answer(self, node: Node, name: str) -> str | _Bad:
        value = self.text(node, name)
        if value is not _BAD and not normalise_short_answer(value):
            return self.error(
                node,
                f"accepted answer {value!r} is only spaces and punctuation, so it can "
                "never be matched",
            )
        return value

    def accepted(self, node: Node, name: str) -> dict[str, tuple[str, ...]] | _Bad:
        def answers(child: Node, key: str) -> tuple[str, ...] | _Bad:
            values = self.sequence(child, f"accepted {key}", self.accepted_answer, non_empty=True)
            return _BAD if values is _BAD else tuple(values)

        return self.langs_of(answers)(node, name)

    def located_list(
        self, item: Callable[[Node, str], Any]
    ) -> Callable[[Node, str], list[_Located] | _Bad]:
        """Return a checker of a list (any length here; the counts are checked with the key)."""
        return lambda node, name: self.sequence(node, name, item, non_empty=False)


# --------------------------------------------------------------------------- the checker


@dataclass
class _QuestionDraft:
    """What is known about one question node, even when it has problems."""

    id: str | None
    line: int
    question: Question | None


class _BankChecker:
    def __init__(self, files: Mapping[str, str], curriculum: Curriculum):
        self.files = files
        self.curriculum = curriculum
        self.problems: list[Problem] = []
        # Question entries written, valid or not, so the exam size check is not thrown off by
        # an unrelated problem in one question.
        self.written_questions = 0
        # Set when a quiz file cannot be read at all; its questions are then unknown.
        self.unreadable = False

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def run(self) -> QuestionBank:
        module_by_path = {module.path: module for module in self.curriculum.modules}
        quizzes: dict[str, Quiz] = {}
        drafts: list[tuple[str, _QuestionDraft]] = []
        for path in sorted(self.files):
            if path == EXAM_PATH or not is_quiz_path(path):
                continue
            folder = path.split("/")[1]
            module = module_by_path.get(f"{MODULES_DIR}/{folder}/module.yaml")
            if module is None:
                self.report(
                    path,
                    1,
                    f"no module for this quiz: {MODULES_DIR}/{folder}/module.yaml "
                    "is missing or invalid",
                )
                continue
            quiz, quiz_drafts = self.parse_quiz(path, module.slug)
            drafts.extend((path, draft) for draft in quiz_drafts)
            if quiz is not None:
                quizzes[module.slug] = quiz
        self.check_unique_ids(drafts)
        exam = self.parse_exam(EXAM_PATH) if EXAM_PATH in self.files else None
        order = {module.slug: module.order for module in self.curriculum.modules}
        ordered = dict(sorted(quizzes.items(), key=lambda item: (order[item[0]], item[0])))
        return QuestionBank(quizzes=ordered, exam=exam)

    def check_unique_ids(self, drafts: list[tuple[str, _QuestionDraft]]) -> None:
        first: dict[str, tuple[str, int]] = {}
        for path, draft in drafts:
            if draft.id is None:
                continue
            if draft.id in first:
                other_path, other_line = first[draft.id]
                self.report(
                    path,
                    draft.line,
                    f"duplicate question id '{draft.id}' (also {other_path}:{other_line}); "
                    "ids must be unique across all quizzes",
                )
            else:
                first[draft.id] = (path, draft.line)

    # -- files

    def compose(self, doc: _QuizDoc, path: str, what: str) -> Node | None:
        root = doc.compose(_normalise_text(self.files[path]))
        if root is _BAD:
            self.unreadable = True
            return None
        if root is None:
            self.report(path, 1, f"{what} is empty")
            self.unreadable = True
            return None
        return root

    def parse_quiz(self, path: str, module_slug: str) -> tuple[Quiz | None, list[_QuestionDraft]]:
        doc = _QuizDoc(self.report, path, self.curriculum)
        root = self.compose(doc, path, QUIZ_FILE)
        if root is None:
            return None, []
        drafts: list[_QuestionDraft] = []

        def questions(node: Node, name: str) -> list[_QuestionDraft] | _Bad:
            if not isinstance(node, SequenceNode):
                return doc.error(node, f"questions must be a list, not {_describe(node)}")
            if not node.value:
                return doc.error(node, "questions must list at least one question")
            self.written_questions += len(node.value)
            drafts.extend(self.parse_question(doc, child, module_slug) for child in node.value)
            return drafts

        spec = {"settings": doc.settings, "questions": questions}
        assert tuple(spec) == QUIZ_KEYS
        fields, complete = doc.mapping(root, spec, QUIZ_FILE, optional=("settings",))
        if not complete or any(draft.question is None for draft in drafts):
            return None, drafts
        settings = fields["settings"].value if "settings" in fields else QuizSettings()
        built = tuple(draft.question for draft in drafts if draft.question is not None)
        return Quiz(module_slug, settings, built, path), drafts

    def parse_question(self, doc: _QuizDoc, node: Node, module_slug: str) -> _QuestionDraft:
        line = doc.line(node)
        if not isinstance(node, MappingNode):
            doc.error(node, f"a question must be a mapping of keys, not {_describe(node)}")
            return _QuestionDraft(None, line, None)
        qtype = _peek(node, "type")
        spec: dict[str, Callable[[Node, str], Any]] = {
            "id": doc.slug,
            "type": doc.question_type,
            "topic": doc.slug,
            "difficulty": lambda n, k: doc.whole(n, k, 1, 3),
            "lesson": doc.lesson_link,
            "sources": doc.sources,
            "prompt": doc.langs,
            "explanation": doc.langs,
        }
        assert tuple(spec) == COMMON_KEYS
        type_checks = {
            "options": doc.located_list(doc.option),
            "answer": doc.boolean,
            "items": doc.located_list(doc.item),
            "pairs": doc.located_list(doc.pair),
            "situation": doc.langs,
            "accepted": doc.accepted,
        }
        if qtype in TYPE_KEYS:
            spec.update({key: type_checks[key] for key in TYPE_KEYS[qtype]})
            optional: tuple[str, ...] = ()
        else:
            # Without a valid type the type's keys are unknown: accept any of them silently (the
            # type itself is reported) rather than burying that problem under guesses.
            spec.update({key: _ignored for key in type_checks})
            optional = tuple(type_checks)
        fields, complete = doc.mapping(node, spec, "a question", optional=optional)
        question_id = fields["id"].value if "id" in fields else None
        if not complete or qtype not in TYPE_KEYS:
            return _QuestionDraft(question_id, line, None)
        data = self.type_data(doc, qtype, fields)
        if data is _BAD:
            return _QuestionDraft(question_id, line, None)
        lesson, section = fields["lesson"].value
        question = Question(
            id=question_id,
            type=qtype,
            topic=fields["topic"].value,
            difficulty=fields["difficulty"].value,
            lesson=lesson,
            section=section,
            sources=fields["sources"].value,
            prompt=fields["prompt"].value,
            explanation=fields["explanation"].value,
            module_slug=module_slug,
            path=doc.path,
            line=line,
            data=data,
        )
        return _QuestionDraft(question_id, line, question)

    # -- per-type rules, checked once the shapes are right

    def type_data(self, doc: _QuizDoc, qtype: str, fields: dict[str, _Field]) -> Any:
        path = doc.path
        if qtype in ("single", "multiple", "case"):
            options = fields["options"]
            ok = self.check_count(path, options, "options", MIN_OPTIONS, MAX_OPTIONS)
            ok = self.check_unique_parts(path, options.value, "option") and ok
            choices = tuple(located.value for located in options.value)
            correct = sum(choice.correct for choice in choices)
            if qtype == "multiple" and correct < 2:
                self.report(
                    path,
                    options.line,
                    f"a multiple question needs at least two options with correct: true, "
                    f"found {correct} (use type single for one right answer)",
                )
                ok = False
            elif qtype != "multiple" and correct != 1:
                self.report(
                    path,
                    options.line,
                    f"a {qtype} question needs exactly one option with correct: true, "
                    f"found {correct}",
                )
                ok = False
            if not ok:
                return _BAD
            if qtype == "case":
                return CaseData(situation=fields["situation"].value, options=choices)
            return ChoiceData(choices)
        if qtype == "true_false":
            return TrueFalseData(fields["answer"].value)
        if qtype == "ordering":
            items = fields["items"]
            ok = self.check_count(path, items, "items", MIN_ITEMS, MAX_ITEMS)
            ok = self.check_unique_parts(path, items.value, "item") and ok
            return OrderingData(tuple(loc.value for loc in items.value)) if ok else _BAD
        if qtype == "matching":
            pairs = fields["pairs"]
            ok = self.check_count(path, pairs, "pairs", MIN_PAIRS, MAX_PAIRS)
            ok = self.check_unique_parts(path, pairs.value, "pair") and ok
            ok = self.check_distinct_rights(path, pairs.value) and ok
            return MatchingData(tuple(loc.value for loc in pairs.value)) if ok else _BAD
        assert qtype == "short"
        return ShortData(fields["accepted"].value)

    def check_count(self, path: str, found: _Field, name: str, low: int, high: int) -> bool:
        count = len(found.value)
        if low <= count <= high:
            return True
        self.report(path, found.line, f"{name} must list {low} to {high} entries, not {count}")
        return False

    def check_unique_parts(self, path: str, parts: list[_Located], what: str) -> bool:
        first: dict[str, int] = {}
        ok = True
        for located in parts:
            part_id = located.value.id
            if part_id in first:
                self.report(
                    path,
                    located.line,
                    f"duplicate {what} id '{part_id}' (also line {first[part_id]})",
                )
                ok = False
            else:
                first[part_id] = located.line
        return ok

    def check_distinct_rights(self, path: str, pairs: list[_Located]) -> bool:
        # Two equal right sides would make a correct match depend on which copy was picked.
        ok = True
        for lang in LANGS:
            seen: dict[str, str] = {}
            for located in pairs:
                pair = located.value
                text = pair.right[lang]
                if text in seen:
                    self.report(
                        path,
                        located.other_line,
                        f"pair '{pair.id}' has the same {LANG_NAMES[lang]} right side as pair "
                        f"'{seen[text]}'; each right side must differ",
                    )
                    ok = False
                else:
                    seen[text] = pair.id
        return ok

    # -- the exam

    def parse_exam(self, path: str) -> ExamSpec | None:
        doc = _QuizDoc(self.report, path, self.curriculum)
        root = self.compose(doc, path, EXAM_PATH)
        if root is None:
            return None

        def balance_key(node: Node, name: str) -> _Located | _Bad:
            value = doc.choice_of(node, name, BALANCE_KEYS)
            return _BAD if value is _BAD else _Located(value, doc.line(node))

        def balance(node: Node, name: str) -> tuple[str, ...] | _Bad:
            values = doc.sequence(node, name, balance_key, non_empty=False)
            if values is _BAD:
                return _BAD
            seen: set[str] = set()
            for located in values:
                if located.value in seen:
                    return doc.error(node, f"balance lists '{located.value}' twice")
                seen.add(located.value)
            return tuple(located.value for located in values)

        def draw(node: Node, name: str) -> dict[str, _Field] | _Bad:
            spec = {"questions": lambda n, k: doc.whole(n, k, 1), "balance": balance}
            assert tuple(spec) == DRAW_KEYS
            fields, complete = doc.mapping(node, spec, "draw", optional=("balance",))
            return fields if complete else _BAD

        spec = {"slug": doc.slug, "title": doc.langs, "settings": doc.settings, "draw": draw}
        assert tuple(spec) == EXAM_KEYS
        fields, complete = doc.mapping(root, spec, EXAM_PATH, optional=("settings",))
        if not complete:
            return None
        draw_fields = fields["draw"].value
        count = draw_fields["questions"]
        # With an unreadable quiz the count is unknown; its own problem is reported already.
        if count.value > self.written_questions and not self.unreadable:
            self.report(
                path,
                count.line,
                f"draw asks for {count.value} questions but the quizzes hold only "
                f"{self.written_questions}",
            )
            return None
        return ExamSpec(
            slug=fields["slug"].value,
            title=fields["title"].value,
            settings=fields["settings"].value if "settings" in fields else QuizSettings(),
            questions=count.value,
            balance=draw_fields["balance"].value if "balance" in draw_fields else (),
            path=path,
        )


def _peek(node: MappingNode, key: str) -> str | None:
    """Return the text under ``key`` before the mapping is checked (the type decides the keys)."""
    for key_node, value_node in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return value_node.value if isinstance(value_node, ScalarNode) else None
    return None


def _ignored(node: Node, name: str) -> Any:
    return _BAD
