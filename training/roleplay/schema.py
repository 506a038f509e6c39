"""Frozen data classes for parsed simulated-buyer scenarios (content/scenarios/*.yaml).

The vocabulary of moves and violations is fixed here so the parser, the matchers, the engine
and the templates agree on every name.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property

from training.curriculum.schema import Source

# Good things a reply does, in the order the scorecard lists them.
MOVES = (
    "greeting",
    "acknowledge",
    "apologise",
    "explain",
    "solution",
    "confirm_order",
    "recommend",
    "invite",
    "thanks_close",
)
# Things that hurt or end a conversation.
VIOLATIONS = (
    "off_platform",
    "data_leak",
    "over_promise",
    "beyond_policy",
    "flat_refusal",
    "blame_buyer",
    "rude",
    "one_word",
)
# Violations that zero the turn and fail the assessed conversation whatever else happens.
FATAL_VIOLATIONS = ("off_platform", "data_leak", "rude")
DIMENSIONS = ("courtesy", "empathy", "solution", "compliance", "sales", "accuracy")
# Which moves raise and which violations lower each scorecard dimension.
DIMENSION_MOVES: dict[str, tuple[str, ...]] = {
    "courtesy": ("greeting", "thanks_close", "apologise"),
    "empathy": ("acknowledge", "apologise"),
    "solution": ("solution", "explain"),
    "compliance": (),
    "sales": ("recommend", "invite", "confirm_order"),
    "accuracy": ("explain", "confirm_order"),
}
DIMENSION_VIOLATIONS: dict[str, tuple[str, ...]] = {
    "courtesy": ("rude", "one_word"),
    "empathy": ("blame_buyer",),
    "solution": ("flat_refusal",),
    "compliance": ("off_platform", "data_leak", "over_promise", "beyond_policy"),
    "sales": (),
    "accuracy": (),
}
PERSONA_TYPES = (
    "haggler",
    "impatient",
    "silent",
    "nitpicker",
    "talkative",
    "proud",
    "impulsive",
    "novice",
    "angry",
    "scammer",
    "friendly",
)
ORDER_STATUSES = ("none", "unpaid", "paid", "shipped", "delivered", "refunding")
REVIEWS = ("good", "medium", "bad", "none")
MIN_MOOD, MAX_MOOD = -3, 3
# A turn scoring below this is "poor": it costs the buyer's patience.
POOR_BELOW = 50
# A turn scoring at least this is "good": it lifts the buyer's mood.
GOOD_FROM = 70
# Any violation caps a turn's score here, so violations always make a turn poor.
VIOLATION_CAP = 40
# The ending a buyer whose patience runs out leaves with; every scenario has one.
LEFT_ENDING = "left"


@dataclass(frozen=True)
class Persona:
    """Who the simulated buyer is and how much poor service they take before leaving."""

    type: str
    name: dict[str, str] = field(hash=False)
    description: dict[str, str] = field(hash=False)
    mood: int
    patience: int


@dataclass(frozen=True)
class Policy:
    """What a trainee may offer in this case without a supervisor's approval."""

    max_discount: float
    max_compensation: float
    refund: bool
    gift: dict[str, str] | None = field(default=None, hash=False)


@dataclass(frozen=True)
class Bundle:
    """A matching item the trainee may recommend (upselling)."""

    item: dict[str, str] = field(hash=False)
    price: float


@dataclass(frozen=True)
class Facts:
    """The case shown on the workbench card; replies that use these facts "explain"."""

    product: dict[str, str] = field(hash=False)
    price: float
    order_status: str
    policy: Policy
    order_id: str | None = None
    address: dict[str, str] | None = field(default=None, hash=False)
    tracking: str | None = None
    promotion: dict[str, str] | None = field(default=None, hash=False)
    bundle: Bundle | None = None


@dataclass(frozen=True)
class Condition:
    """The `when` of a next rule: every key given must hold (structured, never evaluated code)."""

    violation: bool | None = None
    score_at_least: int | None = None
    mood_below: int | None = None
    mood_at_least: int | None = None
    moves: tuple[str, ...] | None = None

    def holds(self, score: int, violation: bool, mood: int, moves: Collection[str]) -> bool:
        """Tell whether a reply with this score, violation flag, resulting mood and moves fits."""
        if self.violation is not None and self.violation != violation:
            return False
        if self.score_at_least is not None and score < self.score_at_least:
            return False
        if self.mood_below is not None and not mood < self.mood_below:
            return False
        if self.mood_at_least is not None and mood < self.mood_at_least:
            return False
        return self.moves is None or all(move in moves for move in self.moves)


@dataclass(frozen=True)
class Rule:
    """One `next` rule: when its condition holds (or always, without one) go to a turn or end."""

    when: Condition | None
    goto: str | None
    ending: str | None
    line: int


@dataclass(frozen=True)
class Option:
    """A choice-mode reply, labelled by its author with the moves and violations it makes."""

    id: str
    text: dict[str, str] = field(hash=False)
    moves: tuple[str, ...]
    violations: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Turn:
    """One buyer message, what the reply is scored on, and where the conversation goes next."""

    id: str
    buyer: dict[str, str] = field(hash=False)
    expect: tuple[str, ...]
    bonus: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]] = field(hash=False)
    model: dict[str, str] | None = field(hash=False)
    options: tuple[Option, ...]
    next: tuple[Rule, ...]
    line: int

    def option(self, option_id: str) -> Option | None:
        """Return the choice-mode option with ``option_id``, or None."""
        return next((option for option in self.options if option.id == option_id), None)


@dataclass(frozen=True)
class Outcome:
    """What the buyer finally did: the business result shown on the scorecard."""

    bought: bool
    order_value: float
    review: str
    complaint: bool


@dataclass(frozen=True)
class Ending:
    """How a conversation can end, with the buyer's last message."""

    id: str
    outcome: Outcome
    buyer: dict[str, str] = field(hash=False)
    line: int


@dataclass(frozen=True)
class CalibrationExample:
    """An author's check: this reply to this turn must score inside ``band``."""

    turn: str
    lang: str
    reply: str
    band: tuple[int, int]
    line: int


@dataclass(frozen=True)
class Scenario:
    """A simulated buyer: persona, case facts, the turn graph, endings and calibration."""

    slug: str
    title: dict[str, str] = field(hash=False)
    summary: dict[str, str] = field(hash=False)
    module: str
    lessons: tuple[str, ...]
    sources: tuple[Source, ...]
    required: bool
    persona: Persona
    facts: Facts
    response_seconds: int
    pass_mark: int
    dimensions: tuple[str, ...]
    terms: tuple[str, ...]
    turns: tuple[Turn, ...]
    endings: tuple[Ending, ...]
    calibration: tuple[CalibrationExample, ...]
    path: str

    # cached_property writes to the instance __dict__ directly, so it works on frozen classes.
    @cached_property
    def _turns_by_id(self) -> dict[str, Turn]:
        return {turn.id: turn for turn in self.turns}

    @cached_property
    def _endings_by_id(self) -> dict[str, Ending]:
        return {ending.id: ending for ending in self.endings}

    @property
    def first_turn(self) -> Turn:
        """Return the turn the conversation starts at (the first one in the file)."""
        return self.turns[0]

    def turn(self, turn_id: str) -> Turn:
        """Return the turn ``turn_id``; KeyError when there is none (ids are checked on parse)."""
        return self._turns_by_id[turn_id]

    def ending(self, ending_id: str) -> Ending:
        """Return the ending ``ending_id``; KeyError when there is none."""
        return self._endings_by_id[ending_id]
