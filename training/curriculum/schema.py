"""Frozen data classes for a parsed curriculum; shared by the checker, the app and the tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

LANGS = ("zh", "en")
LANG_NAMES = {"zh": "Chinese", "en": "English"}
# The seed files in shared/seeds that sources may cite (see content/README.md).
KNOWN_SEEDS = ("000", "001", "002", "003", "004")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located so an editor can jump to it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        """Format as ``path:line: message``, the form editors and CI logs understand."""
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when content is invalid; carries every problem so authors can fix them in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Source:
    """Where in the seed material a module, lesson or term comes from."""

    seed: str
    where: str


@dataclass(frozen=True)
class LessonText:
    """One language version of a lesson."""

    lang: str
    path: str
    title: str
    objectives: tuple[str, ...]
    body: str
    body_line: int
    section_ids: tuple[str, ...]


@dataclass(frozen=True)
class Lesson:
    """A lesson with the metadata both languages share and its per-language texts."""

    module_slug: str
    slug: str
    order: int
    minutes: int
    prerequisites: tuple[str, ...]
    sources: tuple[Source, ...]
    # Dicts are not hashable, so they are left out of the hash (but still compared).
    texts: dict[str, LessonText] = field(hash=False)

    @property
    def key(self) -> str:
        """Return ``module/lesson``, the form used in links and prerequisites."""
        return f"{self.module_slug}/{self.slug}"

    def text(self, lang: str) -> tuple[LessonText, bool]:
        """Return (text in ``lang``, else the other language; is_fallback) so nothing is hidden."""
        if lang in self.texts:
            return self.texts[lang], False
        for other in LANGS:
            if other in self.texts:
                return self.texts[other], True
        raise LookupError(f"lesson {self.key} has no text in any language")


@dataclass(frozen=True)
class Module:
    """A module: metadata from module.yaml plus its lessons in path order."""

    slug: str
    order: int
    title: dict[str, str] = field(hash=False)
    summary: dict[str, str] = field(hash=False)
    prerequisites: tuple[str, ...]
    sources: tuple[Source, ...]
    path: str
    lessons: tuple[Lesson, ...]

    @property
    def minutes(self) -> int:
        """Return the total reading time so the catalogue can show the module's length."""
        return sum(lesson.minutes for lesson in self.lessons)

    def lesson(self, slug: str) -> Lesson | None:
        """Return the lesson with ``slug`` in this module, or None."""
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclass(frozen=True)
class GlossaryTerm:
    """A platform term that lessons link to with ``glossary:ID``."""

    id: str
    term: dict[str, str] = field(hash=False)
    definition: dict[str, str] = field(hash=False)
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Curriculum:
    """The whole validated content tree; ``version`` changes whenever any file changes."""

    version: str
    modules: tuple[Module, ...]
    glossary: tuple[GlossaryTerm, ...]

    # cached_property writes to the instance __dict__ directly, so it works on frozen classes.
    @cached_property
    def _modules_by_slug(self) -> dict[str, Module]:
        return {module.slug: module for module in self.modules}

    @cached_property
    def _terms_by_id(self) -> dict[str, GlossaryTerm]:
        return {term.id: term for term in self.glossary}

    def module(self, slug: str) -> Module | None:
        """Return the module with ``slug``, or None."""
        return self._modules_by_slug.get(slug)

    def lesson(self, module_slug: str, lesson_slug: str) -> Lesson | None:
        """Return the lesson ``module_slug/lesson_slug``, or None."""
        module = self.module(module_slug)
        return module.lesson(lesson_slug) if module else None

    def lesson_by_key(self, key: str) -> Lesson | None:
        """Return the lesson for a ``module/lesson`` key (as in prerequisites), or None."""
        module_slug, _, lesson_slug = key.partition("/")
        return self.lesson(module_slug, lesson_slug)

    def lessons(self) -> tuple[Lesson, ...]:
        """Return every lesson in path order (modules by order, then lessons by order)."""
        return tuple(lesson for module in self.modules for lesson in module.lessons)

    def term(self, term_id: str) -> GlossaryTerm | None:
        """Return the glossary term with ``term_id``, or None."""
        return self._terms_by_id.get(term_id)
