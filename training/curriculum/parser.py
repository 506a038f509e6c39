"""Read and check the content tree (see content/README.md) and build a Curriculum from it.

Everything here is pure Python: ``parse_tree`` works on a ``{path: text}`` mapping, so the
CLI, the app and the tests share one checker, and every problem is reported at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .schema import (
    KNOWN_SEEDS,
    LANG_NAMES,
    LANGS,
    ContentError,
    Curriculum,
    GlossaryTerm,
    Lesson,
    LessonText,
    Module,
    Problem,
    Source,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SEED_RE = re.compile(r"^[0-9]{3}$")
LESSON_FILE_RE = re.compile(r"^(?P<name>.+)\.(?P<lang>zh|en)\.md$")
CALLOUT_TYPES = ("note", "tip", "warning", "example")
MIN_MINUTES, MAX_MINUTES = 1, 60
GLOSSARY_PATH = "glossary.yaml"
MODULES_DIR = "modules"
MODULE_FILE = "module.yaml"
# Files of the same tree that other parsers own (quizzes, scenarios, the probation policy).
MODULE_FILES_READ_ELSEWHERE = ("quiz.yaml",)
TOP_FILES_READ_ELSEWHERE = ("exam.yaml", "probation.yaml")
FOLDERS_READ_ELSEWHERE = ("scenarios",)

MODULE_KEYS = ("slug", "order", "title", "summary", "prerequisites", "sources")
LESSON_KEYS = ("slug", "order", "title", "minutes", "prerequisites", "objectives", "sources")
TERM_KEYS = ("id", "term", "definition", "sources")
# Keys the two language versions of a lesson must agree on.
TWIN_KEYS = ("slug", "order", "minutes", "prerequisites", "sources")

# The largest shipped file is about 30 KB: anything far bigger is a mistake or an attack, and is
# refused before it is read or parsed, so a sync stays within bounded time and memory.
MAX_FILE_BYTES = 512 * 1024
# The shipped content uses no YAML aliases; a few are harmless, thousands are an "alias bomb".
MAX_ALIASES = 50

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_PLAIN_TAGS = tuple(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp")
)

_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
# Python-Markdown's rule: a heading is any line starting with 1-6 "#", space optional.
_HEADING_RE = re.compile(r"^(#{1,6})(?!#)(.*)$")
# Same shape Python-Markdown's attr_list accepts at the end of a heading (space before "{").
_HEADING_ATTRS_RE = re.compile(r"[ \t]+\{:?[ \t]*([^}\n]*?)[ \t]*\}[ \t]*$")
_CALLOUT_RE = re.compile(r"^\s*!!!\s*([^\s\"']*)")
_CODE_SPAN_RE = re.compile(r"(`+).+?\1")
_INLINE_LINK_RE = re.compile(r"\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)")
_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)")
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_LESSON_LINK_RE = re.compile(r"^([^/#]+)/([^/#]+)(?:#(.*))?$")
_WEB_SCHEMES = ("http", "https", "mailto")


class _Bad:
    """Marker for a value that failed validation (a problem has already been recorded)."""


_BAD: Any = _Bad()


# --------------------------------------------------------------------------- reading files


def oversized_files(files: Mapping[str, str]) -> list[Problem]:
    """A problem for each file over MAX_FILE_BYTES; such a tree is refused before parsing."""
    return [
        Problem(path, 1, f"file is too large: at most {MAX_FILE_BYTES // 1024} KB")
        for path, text in sorted(files.items())
        if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8")) > MAX_FILE_BYTES
    ]


class _ContentLoader(yaml.SafeLoader):
    """PyYAML's safe loader (no Python objects) that also refuses more than MAX_ALIASES aliases."""

    def __init__(self, stream):
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):
        """Count aliases as they are met, before anything is expanded; refuse explicit tags."""
        event = self.peek_event()
        tag = getattr(event, "tag", None)
        if tag and tag not in ("!", *_PLAIN_TAGS):
            # e.g. !!python/object: never constructed by the safe loader, and never content.
            raise ComposerError(None, None, f"the tag {tag} is not allowed", event.start_mark)
        if self.check_event(AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                raise ComposerError(
                    None, None, f"more than {MAX_ALIASES} aliases", event.start_mark
                )
        return super().compose_node(parent, index)


def read_tree(root: Path) -> dict[str, str]:
    """Read every .yaml/.md file under ``root`` so checking can run without touching the disk."""
    root = Path(root)
    if not root.is_dir():
        raise ContentError([Problem(str(root), 1, "content folder not found")])
    real_root = root.resolve()
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        rel_dir = here.relative_to(root)
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if (here / name).is_symlink():
                # A linked folder could smuggle in files from anywhere on the server.
                problems.append(
                    Problem((rel_dir / name).as_posix(), 1, "symbolic links are not allowed")
                )
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            if name.startswith(".") or rel == "README.md":
                continue
            path = here / name
            if path.is_symlink():
                problems.append(Problem(rel, 1, "symbolic links are not allowed"))
                continue
            if not name.endswith((".yaml", ".md")):
                continue
            if not path.resolve().is_relative_to(real_root):
                problems.append(Problem(rel, 1, "file resolves outside the content folder"))
                continue
            if path.stat().st_size > MAX_FILE_BYTES:
                problems.append(
                    Problem(rel, 1, f"file is too large: at most {MAX_FILE_BYTES // 1024} KB")
                )
                continue
            data = path.read_bytes()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data.count(b"\n", 0, exc.start) + 1
                problems.append(Problem(rel, line, "file is not valid UTF-8; save it as UTF-8"))
                continue
            files[rel] = _normalise_text(text)
    if problems:
        raise ContentError(problems)
    return files


def _normalise_text(text: str) -> str:
    # Editors on Windows add a BOM and CRLF; neither should change what the checker sees.
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def content_version(files: Mapping[str, str]) -> str:
    """Hash the tree so an unchanged tree keeps its version and any edit makes a new one."""
    payload = json.dumps(sorted(files.items()), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def parse_tree(files: Mapping[str, str]) -> Curriculum:
    """Build the Curriculum from ``{path: text}``, raising ContentError listing every problem."""
    checker = _TreeChecker(files)
    curriculum = checker.run()
    if checker.problems or curriculum is None:
        raise ContentError(checker.problems)
    return curriculum


def check_tree(files: Mapping[str, str]) -> list[Problem]:
    """Return every problem in the tree (empty when valid), for `flask content check`."""
    try:
        parse_tree(files)
    except ContentError as exc:
        return exc.problems
    return []


def load_curriculum(root: Path) -> Curriculum:
    """Read and parse the tree at ``root`` in one step."""
    return parse_tree(read_tree(root))


# --------------------------------------------------------------------------- YAML helpers


@dataclass
class _Field:
    value: Any
    line: int


class _Doc:
    """Validates the YAML nodes of one file, reporting problems at file line numbers."""

    def __init__(self, report: Callable[[str, int, str], None], path: str, offset: int = 0):
        self.report = report
        self.path = path
        # Front matter starts below the opening '---', so YAML line 0 is file line 2.
        self.offset = offset

    def line(self, node: Node) -> int:
        return node.start_mark.line + 1 + self.offset

    def error(self, node: Node, message: str) -> Any:
        self.report(self.path, self.line(node), message)
        return _BAD

    def compose(self, text: str) -> Node | None | _Bad:
        try:
            return yaml.compose(text, Loader=_ContentLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + self.offset if mark else 1 + self.offset
            what = f"{exc.context}: {exc.problem}" if exc.context else exc.problem
            self.report(self.path, line, f"invalid YAML: {what}")
        except yaml.YAMLError as exc:
            position = getattr(exc, "position", None)
            line = (text.count("\n", 0, position) if position else 0) + 1 + self.offset
            self.report(self.path, line, f"invalid YAML: {exc}")
        return _BAD

    # -- generic shapes

    def mapping(
        self,
        node: Node,
        spec: Mapping[str, Callable[[Node, str], Any]],
        label: str,
        optional: Collection[str] = (),
    ) -> tuple[dict[str, _Field], bool]:
        """Check keys against ``spec``; return the valid fields and whether all were valid.

        Keys named in ``optional`` may be left out (quiz settings, scenario facts, ...).
        """
        if not isinstance(node, MappingNode):
            self.error(node, f"{label} must be a mapping of keys, not {_describe(node)}")
            return {}, False
        fields: dict[str, _Field] = {}
        seen: set[str] = set()
        complete = True
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key_node.tag != _STR or key not in spec:
                shown = key if key is not None else _describe(key_node)
                allowed = ", ".join(spec)
                self.error(key_node, f"unknown key '{shown}' in {label} (allowed: {allowed})")
                complete = False
                continue
            if key in seen:
                self.error(key_node, f"duplicate key '{key}' in {label}")
                complete = False
                continue
            seen.add(key)
            value = spec[key](value_node, key)
            if value is _BAD:
                complete = False
            else:
                fields[key] = _Field(value, self.line(key_node))
        for key in spec:
            if key not in seen and key not in optional:
                self.error(node, f"missing key '{key}' in {label}")
                complete = False
        return fields, complete

    def sequence(
        self, node: Node, name: str, item: Callable[[Node, str], Any], *, non_empty: bool
    ) -> list[Any] | _Bad:
        if not isinstance(node, SequenceNode):
            hint = " (write [] for none)" if not non_empty else ""
            return self.error(node, f"{name} must be a list{hint}, not {_describe(node)}")
        if non_empty and not node.value:
            return self.error(node, f"{name} must list at least one item")
        values = [item(child, name) for child in node.value]
        return _BAD if any(value is _BAD for value in values) else values

    # -- scalars

    def text(self, node: Node, name: str) -> str | _Bad:
        if not isinstance(node, ScalarNode):
            return self.error(node, f"{name} must be text, not {_describe(node)}")
        if node.tag == _NULL or (node.tag == _STR and not node.value.strip()):
            return self.error(node, f"{name} must not be empty")
        if node.tag != _STR:
            return self.error(node, f"{name} must be text, not {node.value}; put it in quotes")
        return node.value.strip()

    def whole(self, node: Node, name: str, low: int, high: int | None = None) -> int | _Bad:
        # Checking the resolved tag keeps `order: yes` (a bool) and `5.5` (a float) out.
        if not isinstance(node, ScalarNode) or node.tag != _INT:
            return self.error(node, f"{name} must be a whole number, not {_describe(node)}")
        value = SafeConstructor().construct_yaml_int(node)
        if value < low or (high is not None and value > high):
            wanted = f"between {low} and {high}" if high is not None else f"{low} or more"
            return self.error(node, f"{name} must be {wanted}, not {value}")
        return value

    def slug(self, node: Node, name: str) -> str | _Bad:
        value = self.text(node, name)
        if value is not _BAD and not SLUG_RE.match(value):
            return self.error(
                node, f"{name} '{value}' is not valid: use a-z, 0-9 and single hyphens"
            )
        return value

    def located_slug(self, node: Node, name: str) -> tuple[str, int] | _Bad:
        value = self.slug(node, name)
        return _BAD if value is _BAD else (value, self.line(node))

    def lesson_ref(self, node: Node, name: str) -> tuple[str, int] | _Bad:
        value = self.text(node, name)
        if value is _BAD:
            return _BAD
        parts = value.split("/")
        if len(parts) > 2 or not all(SLUG_RE.match(part) for part in parts):
            return self.error(
                node, f"{name} '{value}' is not valid: write LESSON or MODULE/LESSON (slugs)"
            )
        return value, self.line(node)

    def seed(self, node: Node, name: str) -> str | _Bad:
        if isinstance(node, ScalarNode) and node.tag == _INT:
            # Unquoted 000 is read as the number 0, so the seed would silently change.
            return self.error(node, f'seed must be in quotes, like seed: "{node.value}"')
        value = self.text(node, name)
        if value is _BAD:
            return _BAD
        if not SEED_RE.match(value):
            return self.error(node, f"seed '{value}' must be a quoted 3-digit string like \"000\"")
        if value not in KNOWN_SEEDS:
            known = f"{KNOWN_SEEDS[0]}-{KNOWN_SEEDS[-1]}"
            return self.error(node, f"unknown seed '{value}' (known seeds: {known})")
        return value

    def langs(self, node: Node, name: str) -> dict[str, str] | _Bad:
        fields, complete = self.mapping(node, dict.fromkeys(LANGS, self.text), name)
        return {lang: fields[lang].value for lang in LANGS} if complete else _BAD

    def source(self, node: Node, name: str) -> Source | _Bad:
        spec = {"seed": self.seed, "where": self.text}
        fields, complete = self.mapping(node, spec, "a source")
        return Source(fields["seed"].value, fields["where"].value) if complete else _BAD

    def sources(self, node: Node, name: str, *, non_empty: bool = True) -> tuple[Source, ...]:
        values = self.sequence(node, name, self.source, non_empty=non_empty)
        return _BAD if values is _BAD else tuple(values)


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _NULL:
        return "nothing"
    return repr(node.value) if node.tag == _STR else node.value


# --------------------------------------------------------------------------- drafts


@dataclass
class _ModuleDraft:
    folder: str
    path: str
    fields: dict[str, _Field]
    complete: bool


@dataclass
class _LessonDraft:
    folder: str
    name: str
    lang: str
    path: str
    fields: dict[str, _Field] = field(default_factory=dict)
    complete: bool = False
    body: str = ""
    body_line: int = 1
    sections: dict[str, int] = field(default_factory=dict)  # ## id -> line
    links: list[tuple[str, int]] = field(default_factory=list)
    scanned: bool = False  # False when the front matter is too broken to find the body

    def get(self, key: str) -> Any:
        found = self.fields.get(key)
        return None if found is None else found.value

    def line(self, key: str) -> int:
        found = self.fields.get(key)
        return found.line if found else 1


@dataclass
class _LessonGroup:
    """A lesson's twins in one module folder, before it becomes a Lesson."""

    folder: str
    name: str
    drafts: dict[str, _LessonDraft]

    @property
    def primary(self) -> _LessonDraft:
        # The Chinese file is the original; English is used when it is missing.
        return self.drafts.get("zh") or self.drafts["en"]

    def field_owner(self, key: str) -> _LessonDraft | None:
        """Return the draft whose valid ``key`` counts (Chinese first)."""
        for lang in LANGS:
            draft = self.drafts.get(lang)
            if draft is not None and key in draft.fields:
                return draft
        return None

    def get(self, key: str) -> Any:
        owner = self.field_owner(key)
        return owner.get(key) if owner else None

    @property
    def section_ids(self) -> set[str]:
        return {sid for draft in self.drafts.values() for sid in draft.sections}

    @property
    def sections_known(self) -> bool:
        return all(draft.scanned for draft in self.drafts.values())


@dataclass
class _Index:
    """What references can point at, and whether broken files leave gaps in that knowledge.

    A reference is only reported as unknown when its target cannot hide in a file that
    failed to parse, so one broken module.yaml does not bury the real error in echoes.
    """

    lessons: dict[str, dict[str, _LessonGroup]]  # module slug -> lesson slug -> lesson
    all_modules_known: bool
    modules_fully_known: set[str]  # modules whose every lesson has a valid slug
    term_ids: set[str]
    glossary_known: bool


# --------------------------------------------------------------------------- the checker


class _TreeChecker:
    def __init__(self, files: Mapping[str, str]):
        self.files = files
        self.problems: list[Problem] = []

    def report(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    # -- the whole tree

    def run(self) -> Curriculum | None:
        module_paths: dict[str, str] = {}
        lesson_paths: dict[str, dict[str, dict[str, str]]] = {}
        has_glossary = False
        for path in sorted(self.files):
            parts = path.split("/")
            if path == "README.md":
                continue
            if path == GLOSSARY_PATH:
                has_glossary = True
            elif path in TOP_FILES_READ_ELSEWHERE or (
                len(parts) == 2 and parts[0] in FOLDERS_READ_ELSEWHERE and path.endswith(".yaml")
            ):
                continue
            elif len(parts) == 3 and parts[0] == MODULES_DIR:
                folder, name = parts[1], parts[2]
                lesson_paths.setdefault(folder, {})
                if name == MODULE_FILE:
                    module_paths[folder] = path
                elif name in MODULE_FILES_READ_ELSEWHERE:
                    continue
                elif name.endswith(".md"):
                    match = LESSON_FILE_RE.match(name)
                    if match:
                        by_lang = lesson_paths[folder].setdefault(match["name"], {})
                        by_lang[match["lang"]] = path
                    else:
                        self.report(path, 1, "lesson files must be named NAME.zh.md or NAME.en.md")
                else:
                    self.report(
                        path,
                        1,
                        "unexpected file: a module folder holds only module.yaml and lessons",
                    )
            else:
                self.report(
                    path, 1, "unexpected file: content holds glossary.yaml and modules/FOLDER/ only"
                )

        terms, glossary_known = self.parse_glossary() if has_glossary else ([], True)
        modules: dict[str, _ModuleDraft] = {}
        groups: dict[str, list[_LessonGroup]] = {}
        for folder in sorted(lesson_paths):
            if folder in module_paths:
                modules[folder] = self.parse_module(folder, module_paths[folder])
            else:
                self.report(
                    f"{MODULES_DIR}/{folder}/{MODULE_FILE}",
                    1,
                    "module.yaml is missing: every module folder needs one",
                )
            groups[folder] = []
            for name, by_lang in sorted(lesson_paths[folder].items()):
                drafts = {
                    lang: self.parse_lesson(folder, name, lang, path)
                    for lang, path in sorted(by_lang.items())
                }
                group = _LessonGroup(folder, name, drafts)
                groups[folder].append(group)
                module_fields = modules[folder].fields if folder in modules else {}
                module_slug = module_fields["slug"].value if "slug" in module_fields else ""
                self.check_twins(group, by_lang, module_slug)
            if folder in module_paths and not lesson_paths[folder]:
                self.report(module_paths[folder], 1, "module has no lessons")

        module_slugs = self.check_unique_modules(modules)
        lessons_by_module = {
            folder: self.check_unique_lessons(groups[folder]) for folder in sorted(groups)
        }
        slug_of_folder = {
            folder: draft.fields["slug"].value
            for folder, draft in modules.items()
            if "slug" in draft.fields and module_slugs.get(draft.fields["slug"].value) == folder
        }
        lessons_by_slug = {
            slug_of_folder[folder]: lessons
            for folder, lessons in lessons_by_module.items()
            if folder in slug_of_folder
        }
        index = _Index(
            lessons=lessons_by_slug,
            all_modules_known=all(
                "slug" in getattr(modules.get(folder), "fields", {}) for folder in groups
            ),
            modules_fully_known={
                slug_of_folder[folder]
                for folder, folder_groups in groups.items()
                if folder in slug_of_folder
                and all(group.get("slug") is not None for group in folder_groups)
            },
            term_ids={term.id for term in terms},
            glossary_known=glossary_known,
        )
        self.check_module_prerequisites(modules, slug_of_folder, index)
        self.check_lesson_prerequisites(groups, slug_of_folder, index)
        for folder_groups in groups.values():
            for group in folder_groups:
                for draft in group.drafts.values():
                    self.check_links(draft, index)

        if self.problems:
            return None
        return self.build(modules, groups, slug_of_folder, terms)

    # -- files

    def parse_module(self, folder: str, path: str) -> _ModuleDraft:
        doc = _Doc(self.report, path)
        root = doc.compose(_normalise_text(self.files[path]))
        if root is _BAD:
            return _ModuleDraft(folder, path, {}, False)
        if root is None:
            self.report(path, 1, "module.yaml is empty")
            return _ModuleDraft(folder, path, {}, False)
        spec = {
            "slug": doc.slug,
            "order": lambda node, name: doc.whole(node, name, 1),
            "title": doc.langs,
            "summary": doc.langs,
            "prerequisites": lambda node, name: doc.sequence(
                node, name, doc.located_slug, non_empty=False
            ),
            "sources": doc.sources,
        }
        assert tuple(spec) == MODULE_KEYS
        fields, complete = doc.mapping(root, spec, "module.yaml")
        return _ModuleDraft(folder, path, fields, complete)

    def parse_lesson(self, folder: str, name: str, lang: str, path: str) -> _LessonDraft:
        draft = _LessonDraft(folder, name, lang, path)
        lines = _normalise_text(self.files[path]).split("\n")
        if lines[0].rstrip() != "---":
            self.report(path, 1, "front matter missing: start the file with a '---' line")
            return draft
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if close is None:
            self.report(path, 1, "front matter not terminated: add a '---' line after the keys")
            return draft
        draft.body = "\n".join(lines[close + 1 :])
        draft.body_line = close + 2
        doc = _Doc(self.report, path, offset=1)
        root = doc.compose("\n".join(lines[1:close]))
        if root is None:
            self.report(path, 1, "front matter is empty")
        elif root is not _BAD:
            spec = {
                "slug": doc.slug,
                "order": lambda node, name: doc.whole(node, name, 1),
                "title": doc.text,
                "minutes": lambda node, name: doc.whole(node, name, MIN_MINUTES, MAX_MINUTES),
                "prerequisites": lambda node, name: doc.sequence(
                    node, name, doc.lesson_ref, non_empty=False
                ),
                "objectives": lambda node, name: doc.sequence(node, name, doc.text, non_empty=True),
                "sources": doc.sources,
            }
            assert tuple(spec) == LESSON_KEYS
            draft.fields, draft.complete = doc.mapping(root, spec, "the front matter")
        self.scan_body(draft)
        return draft

    def scan_body(self, draft: _LessonDraft) -> None:
        """Find sections, links and callouts with line numbers, skipping fenced code."""
        path = draft.path
        draft.scanned = True
        if not draft.body.strip():
            self.report(path, draft.body_line, "lesson body is empty")
            return
        fence: str | None = None
        for index, line in enumerate(draft.body.split("\n")):
            lineno = draft.body_line + index
            fence_match = _FENCE_RE.match(line)
            if fence is not None:
                marker = fence_match.group(1) if fence_match else ""
                if marker[:1] == fence[:1] and len(marker) >= len(fence):
                    fence = None
                continue
            if fence_match:
                fence = fence_match.group(1)
                continue
            heading = _HEADING_RE.match(line)
            if heading:
                self.check_heading(draft, lineno, len(heading.group(1)), heading.group(2))
            callout = _CALLOUT_RE.match(line)
            if callout and callout.group(1) not in CALLOUT_TYPES:
                kinds = ", ".join(CALLOUT_TYPES)
                self.report(
                    path, lineno, f"unknown callout type '{callout.group(1)}' (use {kinds})"
                )
            plain = _CODE_SPAN_RE.sub(" ", line)
            for match in _INLINE_LINK_RE.finditer(plain):
                draft.links.append((match.group(1).strip("<>"), lineno))
            ref = _REF_DEF_RE.match(plain)
            if ref:
                draft.links.append((ref.group(1).strip("<>"), lineno))

    def check_heading(self, draft: _LessonDraft, lineno: int, level: int, text: str) -> None:
        path = draft.path
        if level == 1:
            self.report(
                path, lineno, "level-1 heading: the title comes from the front matter; use ##"
            )
            return
        if level != 2:
            return
        attrs = _HEADING_ATTRS_RE.search(text)
        ids = [tok[1:] for tok in (attrs.group(1).split() if attrs else []) if tok.startswith("#")]
        if not ids:
            hint = " (with a space before it)" if "{#" in text else ""
            self.report(path, lineno, f"## heading has no id: end it with {{#some-id}}{hint}")
            return
        section_id = ids[0]
        if not SLUG_RE.match(section_id):
            self.report(path, lineno, f"section id '{section_id}' is not valid: use a-z, 0-9 and -")
        elif section_id in draft.sections:
            first = draft.sections[section_id]
            self.report(path, lineno, f"duplicate section id '{section_id}' (also line {first})")
        else:
            draft.sections[section_id] = lineno

    def parse_glossary(self) -> tuple[list[GlossaryTerm], bool]:
        """Return the terms and whether every term's id could be read."""
        path = GLOSSARY_PATH
        doc = _Doc(self.report, path)
        root = doc.compose(_normalise_text(self.files[path]))
        if root is None:
            return [], True
        if root is _BAD:
            return [], False
        if not isinstance(root, SequenceNode):
            self.report(
                path, doc.line(root), f"glossary must be a list of terms, not {_describe(root)}"
            )
            return [], False
        spec = {
            "id": doc.slug,
            "term": doc.langs,
            "definition": doc.langs,
            "sources": lambda node, name: doc.sources(node, name, non_empty=False),
        }
        assert tuple(spec) == TERM_KEYS
        terms: list[GlossaryTerm] = []
        first_line: dict[str, int] = {}
        all_ids_known = True
        for node in root.value:
            fields, complete = doc.mapping(node, spec, "a glossary term")
            all_ids_known = all_ids_known and "id" in fields
            if "id" in fields:
                term_id, line = fields["id"].value, fields["id"].line
                if term_id in first_line:
                    self.report(
                        path,
                        line,
                        f"duplicate glossary id '{term_id}' (also line {first_line[term_id]})",
                    )
                    continue
                first_line[term_id] = line
            if complete:
                terms.append(
                    GlossaryTerm(
                        id=fields["id"].value,
                        term=fields["term"].value,
                        definition=fields["definition"].value,
                        sources=fields["sources"].value,
                    )
                )
            elif "id" in fields:
                # Keep the id so links to it are not reported as broken as well.
                terms.append(GlossaryTerm(fields["id"].value, {}, {}, ()))
        return terms, all_ids_known

    # -- consistency

    def check_twins(self, group: _LessonGroup, by_lang: dict[str, str], module_slug: str) -> None:
        if len(group.drafts) < len(LANGS):
            (present,) = group.drafts
            missing = next(lang for lang in LANGS if lang != present)
            twin = by_lang[present].removesuffix(f".{present}.md") + f".{missing}.md"
            self.report(
                by_lang[present],
                1,
                f"missing {LANG_NAMES[missing]} translation of {group.name} (expected {twin})",
            )
            return
        zh, en = group.drafts["zh"], group.drafts["en"]
        for key in TWIN_KEYS:
            if key not in zh.fields or key not in en.fields:
                continue
            if key == "prerequisites" and not module_slug:
                # Bare and module/lesson forms can't be matched until module.yaml is fixed.
                continue
            if _comparable(key, zh.get(key), module_slug) != _comparable(
                key, en.get(key), module_slug
            ):
                self.report(
                    en.path,
                    en.line(key),
                    f"{key} differs from the Chinese twin {zh.path}:{zh.line(key)}: "
                    f"{_shown(key, en.get(key))} here, {_shown(key, zh.get(key))} there",
                )
        if not zh.body.strip() or not en.body.strip():
            return
        for here, there in ((zh, en), (en, zh)):
            for section_id, line in here.sections.items():
                if section_id not in there.sections:
                    self.report(
                        here.path,
                        line,
                        f"section id '{section_id}' is missing from the "
                        f"{LANG_NAMES[there.lang]} twin {there.path}",
                    )

    def check_unique_modules(self, modules: dict[str, _ModuleDraft]) -> dict[str, str]:
        """Report duplicate slugs/orders; return slug -> folder for the first of each slug."""
        by_slug: dict[str, str] = {}
        by_order: dict[int, str] = {}
        for folder, draft in sorted(modules.items()):
            if "slug" in draft.fields:
                slug = draft.fields["slug"].value
                if slug in by_slug:
                    other = modules[by_slug[slug]].path
                    self.report(
                        draft.path,
                        draft.fields["slug"].line,
                        f"duplicate module slug '{slug}' (also {other})",
                    )
                else:
                    by_slug[slug] = folder
            if "order" in draft.fields:
                order = draft.fields["order"].value
                if order in by_order:
                    other = modules[by_order[order]].path
                    self.report(
                        draft.path,
                        draft.fields["order"].line,
                        f"duplicate module order {order} (also {other})",
                    )
                else:
                    by_order[order] = folder
        return by_slug

    def check_unique_lessons(self, groups: list[_LessonGroup]) -> dict[str, _LessonGroup]:
        """Report duplicate lesson slugs/orders in a module; return slug -> lesson group."""
        by_slug: dict[str, _LessonGroup] = {}
        by_order: dict[int, _LessonGroup] = {}
        for group in groups:
            for key, seen in (("slug", by_slug), ("order", by_order)):
                owner = group.field_owner(key)
                if owner is None:
                    continue
                value = owner.get(key)
                if value in seen:
                    other = seen[value].primary.path
                    self.report(
                        owner.path,
                        owner.line(key),
                        f"duplicate lesson {key} '{value}' in this module (also {other})",
                    )
                else:
                    seen[value] = group
        return by_slug

    def check_module_prerequisites(
        self, modules: dict[str, _ModuleDraft], slug_of_folder: dict[str, str], index: _Index
    ) -> None:
        known = set(slug_of_folder.values())
        graph: dict[str, list[tuple[str, str, int]]] = {}
        for folder, slug in slug_of_folder.items():
            draft = modules[folder]
            edges = graph.setdefault(slug, [])
            for target, line in draft.fields.get("prerequisites", _Field([], 1)).value:
                if target in known:
                    edges.append((target, draft.path, line))
                elif index.all_modules_known:
                    self.report(draft.path, line, f"unknown module prerequisite '{target}'")
        self.report_cycles(graph, "module prerequisite cycle")

    def check_lesson_prerequisites(
        self,
        groups: dict[str, list[_LessonGroup]],
        slug_of_folder: dict[str, str],
        index: _Index,
    ) -> None:
        lessons_by_slug = index.lessons
        graph: dict[str, list[tuple[str, str, int]]] = {}
        for folder, folder_groups in groups.items():
            module_slug = slug_of_folder.get(folder)
            if module_slug is None:
                continue
            for group in folder_groups:
                lesson_slug = group.get("slug")
                owner = group.field_owner("prerequisites")
                if (
                    lesson_slug is None
                    or lessons_by_slug[module_slug].get(lesson_slug) is not group
                ):
                    continue
                edges = graph.setdefault(f"{module_slug}/{lesson_slug}", [])
                if owner is None:
                    continue
                for ref, line in owner.get("prerequisites"):
                    target_module, target_lesson = _split_ref(ref, module_slug)
                    if target_module not in lessons_by_slug:
                        if index.all_modules_known:
                            self.report(
                                owner.path,
                                line,
                                f"unknown module '{target_module}' in prerequisite '{ref}'",
                            )
                    elif target_lesson not in lessons_by_slug[target_module]:
                        if target_module in index.modules_fully_known:
                            message = f"unknown lesson prerequisite '{ref}'"
                            self.report(owner.path, line, message)
                    else:
                        edges.append((f"{target_module}/{target_lesson}", owner.path, line))
        self.report_cycles(graph, "lesson prerequisite cycle")

    def report_cycles(self, graph: dict[str, list[tuple[str, str, int]]], label: str) -> None:
        successors = {node: [edge[0] for edge in edges] for node, edges in graph.items()}
        for cycle in _find_cycles(successors):
            start, following = cycle[0], cycle[1]
            _, path, line = next(edge for edge in graph[start] if edge[0] == following)
            self.report(path, line, f"{label}: {' -> '.join(cycle)}")

    def check_links(self, draft: _LessonDraft, index: _Index) -> None:
        for dest, line in draft.links:
            message = _link_problem(dest, draft, index)
            if message:
                self.report(draft.path, line, message)

    # -- building

    def build(
        self,
        modules: dict[str, _ModuleDraft],
        groups: dict[str, list[_LessonGroup]],
        slug_of_folder: dict[str, str],
        terms: list[GlossaryTerm],
    ) -> Curriculum:
        built: list[Module] = []
        for folder, draft in modules.items():
            module_slug = slug_of_folder[folder]
            lessons = [self.build_lesson(module_slug, group) for group in groups[folder]]
            built.append(
                Module(
                    slug=module_slug,
                    order=draft.fields["order"].value,
                    title=draft.fields["title"].value,
                    summary=draft.fields["summary"].value,
                    prerequisites=tuple(t for t, _ in draft.fields["prerequisites"].value),
                    sources=draft.fields["sources"].value,
                    path=draft.path,
                    lessons=tuple(sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug))),
                )
            )
        return Curriculum(
            version=content_version(self.files),
            modules=tuple(sorted(built, key=lambda module: (module.order, module.slug))),
            glossary=tuple(sorted(terms, key=lambda term: term.id)),
        )

    @staticmethod
    def build_lesson(module_slug: str, group: _LessonGroup) -> Lesson:
        primary = group.primary
        texts = {
            lang: LessonText(
                lang=lang,
                path=draft.path,
                title=draft.get("title"),
                objectives=tuple(draft.get("objectives")),
                body=draft.body,
                body_line=draft.body_line,
                section_ids=tuple(draft.sections),
            )
            for lang, draft in group.drafts.items()
        }
        prerequisites = tuple(
            "/".join(_split_ref(ref, module_slug)) for ref, _ in primary.get("prerequisites")
        )
        return Lesson(
            module_slug=module_slug,
            slug=primary.get("slug"),
            order=primary.get("order"),
            minutes=primary.get("minutes"),
            prerequisites=prerequisites,
            sources=primary.get("sources"),
            texts=texts,
        )


# --------------------------------------------------------------------------- small helpers


def _split_ref(ref: str, module_slug: str) -> tuple[str, str]:
    """Split a lesson prerequisite into (module, lesson); a bare slug means the same module."""
    module, _, lesson = ref.rpartition("/")
    return (module or module_slug), lesson


def _comparable(key: str, value: Any, module_slug: str) -> Any:
    if key == "prerequisites":
        # Order is irrelevant and `x` equals `this-module/x`, so compare normalised sets.
        return sorted({"/".join(_split_ref(ref, module_slug)) for ref, _ in value})
    if key == "sources":
        return sorted((source.seed, source.where) for source in value)
    return value


def _shown(key: str, value: Any) -> str:
    if key == "prerequisites":
        return "[" + ", ".join(ref for ref, _ in value) + "]"
    if key == "sources":
        return "[" + ", ".join(f'"{s.seed}" {s.where}' for s in value) + "]"
    return repr(value)


def _link_problem(dest: str, draft: _LessonDraft, index: _Index) -> str | None:
    """Return why a link target is not allowed, or None when it is fine (or can't be known)."""
    if dest.startswith("lesson:"):
        match = _LESSON_LINK_RE.match(dest.removeprefix("lesson:"))
        if not match:
            return f"malformed link '{dest}': write lesson:MODULE/LESSON or lesson:MODULE/LESSON#id"
        module_slug, lesson_slug, section = match.groups()
        if module_slug not in index.lessons:
            return (
                f"broken link '{dest}': no module '{module_slug}'"
                if index.all_modules_known
                else None
            )
        target = index.lessons[module_slug].get(lesson_slug)
        if target is None:
            if module_slug not in index.modules_fully_known:
                return None
            return f"broken link '{dest}': no lesson '{lesson_slug}' in module '{module_slug}'"
        if section is not None and section not in target.section_ids and target.sections_known:
            return f"broken link '{dest}': lesson has no section '{section}'"
        return None
    if dest.startswith("glossary:"):
        term_id = dest.removeprefix("glossary:")
        if term_id in index.term_ids or not index.glossary_known:
            return None
        return f"broken link '{dest}': no glossary term '{term_id}'"
    if dest.startswith("#"):
        if dest[1:] in draft.sections:
            return None
        return f"broken link '{dest}': this lesson has no section '{dest[1:]}'"
    if not dest:
        return "link has no target"
    scheme = _SCHEME_RE.match(dest)
    if scheme and len(scheme.group(1)) > 1:
        if scheme.group(1).lower() in _WEB_SCHEMES:
            return None
        return f"links may not use '{scheme.group(1)}:'; use http(s), mailto, lesson: or glossary:"
    return (
        f"links may not point at files; use lesson:MODULE/LESSON or glossary:TERM (found '{dest}')"
    )


def _find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Return one cycle per strongly connected component, each as [a, b, ..., a]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:
        # Recursion depth is bounded by the number of lessons, which is small.
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, []):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)

    cycles = []
    for component in components:
        start = min(component)
        if len(component) == 1 and start not in graph.get(start, []):
            continue
        # Breadth-first search inside the component for the shortest way back to start.
        parents: dict[str, str] = {}
        queue = [start]
        end = None
        while queue and end is None:
            node = queue.pop(0)
            for succ in sorted(graph.get(node, [])):
                if succ == start:
                    end = node
                    break
                if succ in component and succ not in parents:
                    parents[succ] = node
                    queue.append(succ)
        path = [end]
        while path[-1] != start:
            path.append(parents[path[-1]])
        cycles.append([*reversed(path), start])
    return sorted(cycles)
