"""Frozen data classes for the probation policy (content/probation.yaml) and its vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

POLICY_PATH = "probation.yaml"

# Criterion keys in the order the README documents them; a policy lists any of them, in any order.
CRITERIA = ("lessons", "module_quizzes", "final_exam", "scenarios", "typing", "live_roleplay")

# Bounds the checker enforces. Probation lengths are cohort settings in days (90 by default),
# so a minimum longer than a year can only be a typo.
MAX_MINIMUM_DAYS = 365
MIN_TYPING_SECONDS, MAX_TYPING_SECONDS = 30, 600
# Counted characters (see typing_test.count_chars): long enough to measure, short enough to read.
MIN_PASSAGE_CHARS, MAX_PASSAGE_CHARS = 20, 1000
# Faster than this is not typing but pasting (professional typists manage about 300 a minute).
MAX_PLAUSIBLE_CPM = 400


@dataclass(frozen=True)
class LessonsCriterion:
    """Every lesson of the current curriculum completed."""

    key: ClassVar[str] = "lessons"


@dataclass(frozen=True)
class ModuleQuizzesCriterion:
    """Every module quiz passed at its own pass mark."""

    key: ClassVar[str] = "module_quizzes"


@dataclass(frozen=True)
class FinalExamCriterion:
    """The probation exam's best score (percent) at or above ``min_score``."""

    key: ClassVar[str] = "final_exam"
    min_score: int


@dataclass(frozen=True)
class ScenariosCriterion:
    """Every required scenario passed in assessed mode, on average well, without fatal errors."""

    key: ClassVar[str] = "scenarios"
    # Mean of the best assessed scores of the required scenarios; 0 adds no requirement.
    average_at_least: int
    # When true, the latest assessed run of each required scenario must be free of fatal errors.
    no_fatal: bool


@dataclass(frozen=True)
class TypingCriterion:
    """A typing test at or above both a speed and an accuracy."""

    key: ClassVar[str] = "typing"
    chars_per_minute: int
    accuracy: int  # percent


@dataclass(frozen=True)
class LiveRoleplayCriterion:
    """A supervised live role-play scored (percent) at or above ``min_score``."""

    key: ClassVar[str] = "live_roleplay"
    min_score: int


Criterion = (
    LessonsCriterion
    | ModuleQuizzesCriterion
    | FinalExamCriterion
    | ScenariosCriterion
    | TypingCriterion
    | LiveRoleplayCriterion
)


@dataclass(frozen=True)
class Passage:
    """A text a trainee copies in the typing test, in one language."""

    id: str
    lang: str
    text: str


@dataclass(frozen=True)
class TypingSettings:
    """How the typing test runs: its time limit and the passages it draws from."""

    seconds: int
    passages: tuple[Passage, ...]

    def passages_in(self, lang: str) -> tuple[Passage, ...]:
        """Return the passages in ``lang``, so a trainee types in the language they work in."""
        return tuple(passage for passage in self.passages if passage.lang == lang)

    def passage(self, passage_id: str) -> Passage | None:
        """Return the passage ``passage_id``, or None (an old attempt's passage may be gone)."""
        return next((passage for passage in self.passages if passage.id == passage_id), None)


@dataclass(frozen=True)
class Policy:
    """What a trainee must show before a supervisor can confirm them, in the file's order."""

    minimum_days: int
    criteria: tuple[Criterion, ...]
    typing: TypingSettings | None = None
    # None for the built-in default used when content/ has no probation.yaml.
    path: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        """Return the criterion keys in policy order."""
        return tuple(criterion.key for criterion in self.criteria)

    def criterion(self, key: str) -> Criterion | None:
        """Return the criterion with ``key``, or None when the policy does not require it."""
        return next((criterion for criterion in self.criteria if criterion.key == key), None)


# Used when content/ has no probation.yaml: everything the platform can measure without content
# of its own. Typing needs passages, which only the file can provide, so it is left out.
DEFAULT_POLICY = Policy(
    minimum_days=0,
    criteria=(
        LessonsCriterion(),
        ModuleQuizzesCriterion(),
        FinalExamCriterion(min_score=80),
        ScenariosCriterion(average_at_least=75, no_fatal=True),
        LiveRoleplayCriterion(min_score=70),
    ),
)
