"""The trainee's path: which modules and lessons are open, done, and how much is left.

Pure: takes the curriculum and the set of completed lesson keys, returns plain values.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from training.curriculum.schema import Curriculum, Lesson, Module


@dataclass(frozen=True)
class LessonState:
    """A lesson on the path."""

    lesson: Lesson
    completed: bool
    locked: bool


@dataclass(frozen=True)
class ModuleState:
    """A module on the path with its lessons and progress."""

    module: Module
    lessons: tuple[LessonState, ...]
    locked: bool
    missing_prerequisites: tuple[str, ...]

    @property
    def done(self) -> int:
        return sum(state.completed for state in self.lessons)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def completed(self) -> bool:
        return self.done == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def minutes_left(self) -> int:
        return sum(state.lesson.minutes for state in self.lessons if not state.completed)


@dataclass(frozen=True)
class PathState:
    """The whole path and the lesson to continue with."""

    modules: tuple[ModuleState, ...]
    next_lesson: Lesson | None

    @property
    def percent(self) -> int:
        total = sum(m.total for m in self.modules)
        return round(100 * sum(m.done for m in self.modules) / total) if total else 100

    def module(self, slug: str) -> ModuleState | None:
        """The state of one module."""
        return next((m for m in self.modules if m.module.slug == slug), None)

    def lesson(self, key: str) -> LessonState | None:
        """The state of one lesson by its module/lesson key."""
        for module in self.modules:
            for state in module.lessons:
                if state.lesson.key == key:
                    return state
        return None


def module_is_complete(module: Module, completed: Collection[str]) -> bool:
    """Every lesson of the module is completed."""
    return all(lesson.key in completed for lesson in module.lessons)


def build_path(
    curriculum: Curriculum, completed: Collection[str], last_opened: str | None = None
) -> PathState:
    """Lay out the path: a module opens when its prerequisite modules are complete, a lesson
    when its module is open and its prerequisite lessons are completed."""
    finished_modules = {m.slug for m in curriculum.modules if module_is_complete(m, completed)}
    modules = []
    for module in curriculum.modules:
        missing = tuple(p for p in module.prerequisites if p not in finished_modules)
        lessons = tuple(
            LessonState(
                lesson=lesson,
                completed=lesson.key in completed,
                locked=bool(missing) or any(p not in completed for p in lesson.prerequisites),
            )
            for lesson in module.lessons
        )
        modules.append(ModuleState(module, lessons, bool(missing), missing))
    return PathState(tuple(modules), _next_lesson(modules, last_opened))


def _next_lesson(modules: list[ModuleState], last_opened: str | None) -> object:
    states = [state for module in modules for state in module.lessons]
    # Continue where the trainee left off if that lesson is still unfinished...
    for state in states:
        if state.lesson.key == last_opened and not state.completed and not state.locked:
            return state.lesson
    # ...otherwise the first open lesson not yet completed.
    return next((s.lesson for s in states if not s.completed and not s.locked), None)
