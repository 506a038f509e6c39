"""Score replies to a simulated buyer and run the conversation (pure: no Flask, no database).

One rubric serves both modes: free text is matched by the detectors in ``matchers``, choice
mode uses the moves and violations its author labelled each option with; both then go through
``_rubric``, which explains every point it awards or takes (see content/README.md,
"Simulated buyer scenarios", for the rules in prose).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from training.curriculum.schema import LANGS, Problem

from .matchers import (
    DETECTORS,
    LANG_EN,
    LANGUAGE,
    MAX_EN_WORDS,
    MAX_ZH_CHARS,
    Context,
    Match,
    analyse,
    content_tokens,
    detect_all,
    jaccard,
    keyword_share,
    normalise,
    overlap,
    repeated_word,
    text_tokens,
)
from .schema import (
    DIMENSION_MOVES,
    DIMENSION_VIOLATIONS,
    DIMENSIONS,
    FATAL_VIOLATIONS,
    GOOD_FROM,
    LEFT_ENDING,
    MAX_MOOD,
    MIN_MOOD,
    MOVES,
    POOR_BELOW,
    VIOLATION_CAP,
    VIOLATIONS,
    Outcome,
    Scenario,
    Turn,
)

# --------------------------------------------------------------------------- the point tables

EXPECTED_POINTS = 80  # shared by a turn's expected moves
BONUS_POINTS = 10  # shared by its bonus moves (given to the expected moves when there are none)
CLEAN_POINTS = 10  # a reply with no violation and no gaming
SLOW_MAX_PENALTY = 15  # lost gradually between response_seconds and twice that
VIOLATION_PENALTIES = {
    "off_platform": 100,
    "data_leak": 100,
    "rude": 100,
    "over_promise": 25,
    "beyond_policy": 25,
    "blame_buyer": 25,
    "flat_refusal": 20,
    "one_word": 20,
}
assert set(VIOLATION_PENALTIES) == set(VIOLATIONS)
# Gaming: caps on the turn score, or points taken.
COPY_CAP = 5  # the buyer's own message sent back
REPEAT_CAP = 20  # an earlier reply of this conversation sent again
STUFFING_CAP = 30  # move keywords with little else
# Most of the reply in the other language: the buyer cannot read it, and its content cannot be
# judged fairly against this language's rubric, so it is capped, not called a violation.
LANGUAGE_CAP = 20
TOO_LONG_PENALTY = 15
CONTRADICTION_PENALTY = 15
# Only this much of a reply is read: far beyond too_long, and it bounds the work per reply.
MAX_READ_CHARS = 4000
COPY_OVERLAP = 0.8  # share of the reply's words taken from the buyer's message
REPEAT_SIMILARITY = 0.8  # word-set similarity with an earlier reply
STUFFING_COVERAGE = 0.8  # share of the reply's letters that are bare move keywords...
STUFFING_MIN_MOVES = 3  # ...with at least this many moves found
STUFFING_WIDE_COVERAGE, STUFFING_WIDE_MOVES = 0.6, 5  # or many moves at a lower share
STUFFING_REPEAT_SHARE = 0.3  # one keyword said 3+ times filling this share of the reply

TONES = {
    -3: "furious",
    -2: "annoyed",
    -1: "annoyed",
    0: "neutral",
    1: "pleased",
    2: "pleased",
    3: "delighted",
}

# Names shown in explanations: (Chinese, English).
LABELS: dict[str, tuple[str, str]] = {
    "greeting": ("问候", "greeting"),
    "acknowledge": ("体谅情绪", "acknowledging feelings"),
    "apologise": ("致歉", "apology"),
    "explain": ("用事实解释", "explaining with the facts"),
    "solution": ("给出解决办法", "offering a solution"),
    "confirm_order": ("核对订单", "confirming the order"),
    "recommend": ("推荐搭配", "recommending a match"),
    "invite": ("邀请收藏关注", "inviting to follow the shop"),
    "thanks_close": ("致谢结束", "thanking and closing"),
    "off_platform": ("引导线下交易", "taking the trade off the platform"),
    "data_leak": ("泄露个人信息", "leaking personal data"),
    "over_promise": ("过度承诺", "over-promising"),
    "beyond_policy": ("超出权限", "offering beyond policy"),
    "flat_refusal": ("生硬拒绝", "flat refusal"),
    "blame_buyer": ("指责买家", "blaming the buyer"),
    "rude": ("态度粗鲁", "rudeness"),
    "one_word": ("回复过短", "one-word reply"),
}
assert set(LABELS) == set(MOVES) | set(VIOLATIONS)
# The language check is a cap, not a violation: its label stands apart from the vocabulary.
LANGUAGE_LABEL = ("未用买家的语言回复", "not in the buyer's language")
LANGUAGE_NAMES = {"zh": ("中文", "Chinese"), "en": ("英文", "English")}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Point:
    """Points awarded (delta > 0) or taken (delta < 0), with the rule and words behind them."""

    delta: int
    rule: str
    words: tuple[str, ...]
    source: str  # the seed manuals' sections behind the rule
    message_zh: str
    message_en: str
    # The lesson teaching the rule ("module/lesson#section"); turns saved before it was kept
    # have none (their source names it).
    lesson: str = ""


@dataclass(frozen=True)
class TurnScore:
    """One reply's score and everything that explains it; the explanations sum to the score."""

    turn_id: str
    lang: str
    reply: str
    option_id: str | None
    score: int
    moves: tuple[Match, ...]
    violations: tuple[Match, ...]
    explanations: tuple[Point, ...]
    dimensions: dict[str, int] = field(hash=False)
    mood_delta: int
    # gaming (copy, repeat, stuffing, too_long, contradiction) and wrong_language
    flags: tuple[str, ...]

    @property
    def fatal(self) -> tuple[str, ...]:
        """The fatal violations in this reply (each fails an assessed conversation)."""
        return tuple(v.name for v in self.violations if v.name in FATAL_VIOLATIONS)

    @property
    def move_names(self) -> tuple[str, ...]:
        """The names of the moves found, for `next` rules and templates."""
        return tuple(move.name for move in self.moves)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready breakdown (the CLI prints it; the web client can highlight from it)."""
        return {
            "turn": self.turn_id,
            "lang": self.lang,
            "reply": self.reply,
            "option": self.option_id,
            "score": self.score,
            "mood_delta": self.mood_delta,
            "flags": list(self.flags),
            "fatal": list(self.fatal),
            "moves": [_match_dict(match) for match in self.moves],
            "violations": [_match_dict(match) for match in self.violations],
            "explanations": [
                point.__dict__ | {"words": list(point.words)} for point in self.explanations
            ],
            "dimensions": dict(self.dimensions),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TurnScore:
        """Rebuild a TurnScore saved with ``to_dict`` (the conversation history is stored so)."""
        return cls(
            turn_id=data["turn"],
            lang=data["lang"],
            reply=data["reply"],
            option_id=data["option"],
            score=data["score"],
            moves=tuple(_match_from_dict(item, "move") for item in data["moves"]),
            violations=tuple(_match_from_dict(item, "violation") for item in data["violations"]),
            explanations=tuple(
                Point(**{**point, "words": tuple(point["words"])}) for point in data["explanations"]
            ),
            dimensions=dict(data["dimensions"]),
            mood_delta=data["mood_delta"],
            flags=tuple(data["flags"]),
        )


def _match_dict(match: Match) -> dict[str, Any]:
    return {
        "name": match.name,
        "words": list(match.words),
        "rule": match.rule,
        "source": match.source,
        "lesson": match.lesson,
        "spans": [list(span) for span in match.spans],
    }


def _match_from_dict(data: dict[str, Any], kind: str) -> Match:
    return Match(
        name=data["name"],
        kind=kind,
        words=tuple(data["words"]),
        rule=data["rule"],
        source=data["source"],
        lesson=data["lesson"],
        spans=tuple(tuple(span) for span in data.get("spans", ())),
    )


HistoryItem = tuple[str, str, TurnScore]


@dataclass(frozen=True)
class State:
    """Where a conversation is: the current turn, the buyer's mood and patience, the replies."""

    turn_id: str
    mood: int
    patience_left: int
    finished: bool = False
    ending_id: str | None = None
    history: tuple[HistoryItem, ...] = ()


@dataclass(frozen=True)
class Scorecard:
    """A finished (or abandoned) conversation's result."""

    overall: int
    passed: bool
    pass_mark: int
    fatal: tuple[str, ...]
    dimensions: dict[str, int] = field(hash=False)  # 1-5 per scenario dimension
    ending_id: str | None
    outcome: Outcome | None
    turn_scores: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class ModelPath:
    """The model replies followed from the first turn, with their scores and the scorecard."""

    lang: str
    steps: tuple[HistoryItem, ...]
    state: State
    scorecard: Scorecard
    missing_turn: str | None  # a turn on the path without a model reply (the path stops there)


def state_to_dict(state: State) -> dict[str, Any]:
    """A JSON-ready State without its history (the replies are saved one by one elsewhere)."""
    return {
        "turn_id": state.turn_id,
        "mood": state.mood,
        "patience_left": state.patience_left,
        "finished": state.finished,
        "ending_id": state.ending_id,
    }


def state_from_dict(data: dict[str, Any], history: Sequence[HistoryItem] = ()) -> State:
    """Rebuild a State saved with ``state_to_dict``, with its history given back."""
    return State(
        turn_id=data["turn_id"],
        mood=data["mood"],
        patience_left=data["patience_left"],
        finished=data["finished"],
        ending_id=data["ending_id"],
        history=tuple(history),
    )


def scorecard_to_dict(card: Scorecard) -> dict[str, Any]:
    """A JSON-ready Scorecard, for saving a finished conversation's result."""
    return {
        "overall": card.overall,
        "passed": card.passed,
        "pass_mark": card.pass_mark,
        "fatal": list(card.fatal),
        "dimensions": dict(card.dimensions),
        "ending_id": card.ending_id,
        "outcome": dict(card.outcome.__dict__) if card.outcome else None,
        "turn_scores": [list(item) for item in card.turn_scores],
    }


# --------------------------------------------------------------------------- scoring


def score_reply(
    scenario: Scenario,
    turn: Turn | str,
    text: str,
    lang: str,
    seconds: float | None = None,
    history: Sequence[HistoryItem | str] = (),
) -> TurnScore:
    """Score a free-text reply to ``turn``: moves and violations found, gaming, timing.

    ``history`` is the conversation so far (State.history, or just the earlier reply texts);
    ``seconds`` is how long the trainee took (None: untimed, full time credit).
    """
    turn = scenario.turn(turn) if isinstance(turn, str) else turn
    reply = normalise(text[:MAX_READ_CHARS], lang, scenario.terms)
    earlier = tuple(_reply_text(item) for item in history)
    context = Context(
        lang=lang,
        facts=scenario.facts,
        buyer=turn.buyer[lang],
        keywords=tuple(turn.keywords.get(lang, ())),
        history=earlier,
        terms=scenario.terms,
    )
    moves, violations = detect_all(reply, context)
    flags: list[str] = []

    mine = content_tokens(reply)
    buyer = text_tokens(context.buyer, scenario.terms)
    if len(mine) >= 2 and overlap(mine, buyer) >= COPY_OVERLAP:
        flags.append("copy")
    if any(
        jaccard(mine, text_tokens(before, scenario.terms)) >= REPEAT_SIMILARITY
        for before in earlier
    ):
        flags.append("repeat")
    share = keyword_share(reply)
    repeated = repeated_word(reply)
    if (
        (share >= STUFFING_COVERAGE and len(moves) >= STUFFING_MIN_MOVES)
        or (share >= STUFFING_WIDE_COVERAGE and len(moves) >= STUFFING_WIDE_MOVES)
        or (repeated is not None and repeated[2] >= STUFFING_REPEAT_SHARE)
    ):
        flags.append("stuffing")
    if reply.too_long:
        flags.append("too_long")
    contradicted = sorted(analyse(reply, context).contradicted)
    if contradicted:
        flags.append("contradiction")
    other_language = LANGUAGE.mismatched(reply, context)
    if other_language is not None:
        flags.append(LANGUAGE.name)
    points = _rubric(
        scenario,
        turn,
        moves,
        violations,
        seconds,
        flags=tuple(flags),
        details={
            "repeated": repeated,
            "coverage": share,
            "contradicted": contradicted,
            "other_language": other_language,
            "lang": lang,
            "script": reply.script,
        },
    )
    return _turn_score(turn, lang, text.strip(), None, moves, violations, points, flags)


def choose_option(
    scenario: Scenario,
    turn: Turn | str,
    option_id: str,
    lang: str,
    seconds: float | None = None,
    history: Sequence[HistoryItem | str] = (),
) -> TurnScore:
    """Score a choice-mode answer by the moves and violations its option is labelled with.

    The same point tables apply as for free text; ``history`` is accepted for symmetry (an
    authored option is never gaming). Raises KeyError for an unknown option.
    """
    turn = scenario.turn(turn) if isinstance(turn, str) else turn
    option = turn.option(option_id)
    if option is None:
        raise KeyError(f"turn '{turn.id}' has no option '{option_id}'")
    moves = [_labelled(name, "move") for name in _in_order(option.moves, MOVES)]
    violations = [_labelled(name, "violation") for name in _in_order(option.violations, VIOLATIONS)]
    points = _rubric(scenario, turn, moves, violations, seconds, flags=(), details={})
    return _turn_score(turn, lang, option.text[lang], option.id, moves, violations, points, [])


def _in_order(names: Sequence[str], vocabulary: Sequence[str]) -> list[str]:
    return [name for name in vocabulary if name in names]


def _labelled(name: str, kind: str) -> Match:
    detector = DETECTORS[name]
    return Match(
        name, kind, (), "labelled by the scenario's author", detector.source, detector.lesson
    )


def _reply_text(item: HistoryItem | str) -> str:
    return item if isinstance(item, str) else item[1]


def _shares(total: int, count: int) -> list[int]:
    """Split ``total`` points into ``count`` whole shares that add up exactly."""
    if count == 0:
        return []
    base, extra = divmod(total, count)
    return [base + (1 if index < extra else 0) for index in range(count)]


def _rubric(
    scenario: Scenario,
    turn: Turn,
    moves: Sequence[Match],
    violations: Sequence[Match],
    seconds: float | None,
    *,
    flags: tuple[str, ...],
    details: dict[str, Any],
) -> list[Point]:
    """Award and take points in a fixed order; the running total never drops below zero."""
    ledger = _Ledger()
    found = {match.name: match for match in moves}

    expected_total = EXPECTED_POINTS + (0 if turn.bonus else BONUS_POINTS)
    for name, share in zip(turn.expect, _shares(expected_total, len(turn.expect)), strict=True):
        zh, en = LABELS[name]
        detector = DETECTORS[name]
        if name in found:
            ledger.give(
                share,
                f"move:{name}",
                f"做到了「{zh}」：+{share}",
                f"Expected move '{en}' found: +{share}",
                found[name].words,
                detector.source,
                detector.lesson,
            )
        else:
            # Worth nothing, but the trainee needs to see what was expected and where it's taught.
            ledger.give(
                0,
                f"missing:{name}",
                f"没有做到「{zh}」（本轮可得 {share} 分）",
                f"Expected move '{en}' missing (worth {share})",
                source=detector.source,
                lesson=detector.lesson,
            )
    for name, share in zip(turn.bonus, _shares(BONUS_POINTS, len(turn.bonus)), strict=True):
        if name in found:
            zh, en = LABELS[name]
            ledger.give(
                share,
                f"bonus:{name}",
                f"加分项「{zh}」：+{share}",
                f"Bonus move '{en}': +{share}",
                found[name].words,
                DETECTORS[name].source,
                DETECTORS[name].lesson,
            )
    if not violations and not flags:
        ledger.give(
            CLEAN_POINTS,
            "clean",
            f"没有违规，回复得体：+{CLEAN_POINTS}",
            f"No violation, a proper reply: +{CLEAN_POINTS}",
        )

    limit = scenario.response_seconds
    if seconds is not None and seconds > limit:
        loss = round(SLOW_MAX_PENALTY * min(1.0, (seconds - limit) / limit))
        if loss:
            ledger.give(
                -loss,
                "slow",
                f"用时 {seconds:g} 秒，超过 {limit} 秒的响应时间：-{loss}",
                f"Took {seconds:g} s, over the {limit} s response time: -{loss}",
            )

    if "too_long" in flags:
        limit_zh, limit_en = (
            (f"{MAX_EN_WORDS} 个英文单词", f"{MAX_EN_WORDS} words")
            if details["script"] == LANG_EN
            else (f"{MAX_ZH_CHARS} 字", f"{MAX_ZH_CHARS} Chinese characters")
        )
        ledger.give(
            -TOO_LONG_PENALTY,
            "gaming:too_long",
            f"回复过长（超过 {limit_zh}），买家读不完：-{TOO_LONG_PENALTY}",
            f"Reply too long (over {limit_en}), more than the buyer will read: -{TOO_LONG_PENALTY}",
        )
    if "contradiction" in flags:
        kinds = ", ".join(details.get("contradicted", ()))
        ledger.give(
            -CONTRADICTION_PENALTY,
            "gaming:contradiction",
            f"前后矛盾（同一件事既答应又拒绝：{kinds}），不算解决办法：-{CONTRADICTION_PENALTY}",
            f"Contradiction (offers and refuses the same thing: {kinds}), so no solution: "
            f"-{CONTRADICTION_PENALTY}",
        )

    for violation in violations:
        if violation.name in FATAL_VIOLATIONS:
            continue  # zeroes the turn below, after the caps
        zh, en = LABELS[violation.name]
        penalty = VIOLATION_PENALTIES[violation.name]
        ledger.give(
            -penalty,
            f"violation:{violation.name}",
            f"违规「{zh}」：-{penalty}",
            f"Violation '{en}': -{penalty}",
            violation.words,
            violation.source,
            violation.lesson,
        )

    # (cap, rule, zh, en, source, lesson)
    caps: list[tuple[int, str, str, str, str, str]] = []
    if violations:
        caps.append(
            (
                VIOLATION_CAP,
                "cap:violation",
                f"有违规，本轮最多 {VIOLATION_CAP} 分",
                f"A violation caps the turn at {VIOLATION_CAP}",
                "",
                "",
            )
        )
    if LANGUAGE.name in flags:
        caps.append(_language_cap(details["lang"], details["other_language"]))
    if "stuffing" in flags:
        share = details.get("coverage", 0)
        caps.append(
            (
                STUFFING_CAP,
                "gaming:stuffing",
                f"堆砌关键词（{share:.0%} 是套话），本轮最多 {STUFFING_CAP} 分",
                f"Keyword stuffing ({share:.0%} move keywords): capped at {STUFFING_CAP}",
                "",
                "",
            )
        )
    if "repeat" in flags:
        caps.append(
            (
                REPEAT_CAP,
                "gaming:repeat",
                f"重复了之前的回复，本轮最多 {REPEAT_CAP} 分",
                f"Repeats an earlier reply: capped at {REPEAT_CAP}",
                "",
                "",
            )
        )
    if "copy" in flags:
        caps.append(
            (
                COPY_CAP,
                "gaming:copy",
                f"照抄买家的话，本轮最多 {COPY_CAP} 分",
                f"Copies the buyer's message: capped at {COPY_CAP}",
                "",
                "",
            )
        )
    for cap, rule, zh, en, source, lesson in sorted(caps):
        if ledger.total > cap:
            cut = cap - ledger.total
            ledger.give(cut, rule, f"{zh}：{cut}", f"{en}: {cut}", source=source, lesson=lesson)
        elif source:
            # Already under the cap, but the trainee must still learn why the reply failed.
            ledger.give(0, rule, zh, en, source=source, lesson=lesson)

    for violation in violations:
        if violation.name in FATAL_VIOLATIONS:
            zh, en = LABELS[violation.name]
            ledger.give(
                -ledger.total,
                f"fatal:{violation.name}",
                f"严重违规「{zh}」：本轮记 0 分，考核不通过",
                f"Fatal violation '{en}': the turn scores 0 and the assessment fails",
                violation.words,
                violation.source,
                violation.lesson,
            )
    return ledger.points


def _language_cap(lang: str, share: float) -> tuple[int, str, str, str, str, str]:
    """The cap on a reply written mostly in the other language, with the rule it breaks."""
    zh_label, en_label = LANGUAGE_LABEL
    other = "zh" if lang == "en" else "en"
    own_zh, own_en = LANGUAGE_NAMES[lang]
    other_zh, other_en = LANGUAGE_NAMES[other]
    whole = round(share * 100) == 100
    much_zh, much_en = ("全部", "all of it") if whole else (f"约 {share:.0%}", f"about {share:.0%}")
    return (
        LANGUAGE_CAP,
        f"cap:{LANGUAGE.name}",
        f"{zh_label}：{much_zh}是{other_zh}，用{own_zh}沟通的买家看不懂，"
        f"本轮最多 {LANGUAGE_CAP} 分",
        f"Reply {en_label}: {much_en} is in {other_en}, which a buyer writing in {own_en} "
        f"cannot read; capped at {LANGUAGE_CAP}",
        LANGUAGE.source,
        LANGUAGE.lesson,
    )


class _Ledger:
    """Points in the order given, with a running total that never goes below zero."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self.total = 0

    def give(
        self,
        delta: int,
        rule: str,
        zh: str,
        en: str,
        words: Sequence[str] = (),
        source: str = "",
        lesson: str = "",
    ) -> None:
        if delta < 0 and -delta > self.total:
            # Say what was really taken, so the explanations still add up to the score.
            zh += f"（分数已到 {self.total}，实际扣 {self.total} 分）"
            en += f" (only {self.total} left to take)"
            delta = -self.total
        self.total += delta
        self.points.append(Point(delta, rule, tuple(words), source, zh, en, lesson))


def _turn_score(
    turn: Turn,
    lang: str,
    reply: str,
    option_id: str | None,
    moves: Sequence[Match],
    violations: Sequence[Match],
    points: Sequence[Point],
    flags: Sequence[str],
) -> TurnScore:
    score = max(0, min(100, sum(point.delta for point in points)))
    names = {match.name for match in moves}
    bad = {match.name for match in violations}
    dimensions = {
        dim: sum(name in names for name in DIMENSION_MOVES[dim])
        - sum(name in bad for name in DIMENSION_VIOLATIONS[dim])
        for dim in DIMENSIONS
    }
    if violations:
        mood_delta = -2
    elif score >= GOOD_FROM:
        mood_delta = 1
    elif score < POOR_BELOW:
        mood_delta = -1
    else:
        mood_delta = 0
    return TurnScore(
        turn_id=turn.id,
        lang=lang,
        reply=reply,
        option_id=option_id,
        score=score,
        moves=tuple(moves),
        violations=tuple(violations),
        explanations=tuple(points),
        dimensions=dimensions,
        mood_delta=mood_delta,
        flags=tuple(flags),
    )


# --------------------------------------------------------------------------- the conversation


def start(scenario: Scenario) -> State:
    """Begin a conversation at the first turn with the persona's mood and patience."""
    persona = scenario.persona
    return State(scenario.first_turn.id, persona.mood, persona.patience)


def step(scenario: Scenario, state: State, turn_score: TurnScore) -> State:
    """Apply a scored reply: mood, patience, then the turn's `next` rules pick where to go.

    Mood moves by the reply's ``mood_delta`` (clamped to -3..3); a poor reply (below 50) costs
    one patience. The first rule whose `when` holds (judged on this reply and the new mood)
    decides: an ending ends the conversation; a goto continues, unless patience has run out,
    when the buyer leaves with the `left` ending.
    """
    if state.finished:
        raise ValueError("the conversation has already ended")
    turn = scenario.turn(state.turn_id)
    mood = max(MIN_MOOD, min(MAX_MOOD, state.mood + turn_score.mood_delta))
    patience = state.patience_left - (1 if turn_score.score < POOR_BELOW else 0)
    history = (*state.history, (turn.id, turn_score.reply, turn_score))
    rule = next(
        rule
        for rule in turn.next
        if rule.when is None
        or rule.when.holds(
            turn_score.score, bool(turn_score.violations), mood, turn_score.move_names
        )
    )
    if rule.ending is not None:
        return State(turn.id, mood, patience, True, rule.ending, history)
    if patience <= 0:
        return State(turn.id, mood, patience, True, LEFT_ENDING, history)
    return State(rule.goto, mood, patience, False, None, history)


def buyer_tone(mood: int) -> str:
    """The buyer's mood as a tone key for the UI (furious, annoyed, neutral, pleased, delighted)."""
    return TONES[max(MIN_MOOD, min(MAX_MOOD, mood))]


def scorecard(scenario: Scenario, state: State) -> Scorecard:
    """Summarise a conversation: mean turn score, pass/fail, 1-5 per dimension, the outcome."""
    scores = [item[2] for item in state.history]
    overall = round(sum(s.score for s in scores) / len(scores)) if scores else 0
    fatal = tuple(dict.fromkeys(name for s in scores for name in s.fatal))
    dimensions = {
        dim: _dimension_rating(scenario, dim, state.history) for dim in scenario.dimensions
    }
    ending = scenario.ending(state.ending_id) if state.ending_id else None
    return Scorecard(
        overall=overall,
        passed=bool(scores) and overall >= scenario.pass_mark and not fatal,
        pass_mark=scenario.pass_mark,
        fatal=fatal,
        dimensions=dimensions,
        ending_id=state.ending_id,
        outcome=ending.outcome if ending else None,
        turn_scores=tuple((s.turn_id, s.score) for s in scores),
    )


def _dimension_rating(scenario: Scenario, dim: str, history: Sequence[HistoryItem]) -> int:
    """1-5: the share of turns asking for this dimension's moves that got one, minus faults.

    A dimension no turn asked for starts at 5. Each violation mapped to it costs one point
    (two for compliance, which has no moves to earn); a fatal one sets it to 1.
    """
    wanted = set(DIMENSION_MOVES[dim])
    chances = hits = faults = 0
    fatal = False
    for turn_id, _, score in history:
        turn = scenario.turn(turn_id)
        asked = wanted & (set(turn.expect) | set(turn.bonus))
        if asked:
            chances += 1
            hits += bool(asked & set(score.move_names))
        for violation in score.violations:
            if violation.name in DIMENSION_VIOLATIONS[dim]:
                faults += 1
                fatal = fatal or violation.name in FATAL_VIOLATIONS
    if fatal:
        return 1
    base = 1 + 4 * hits / chances if chances else 5
    cost = 2 if dim == "compliance" else 1
    return max(1, min(5, round(base - cost * faults)))


# --------------------------------------------------------------------------- authors' checks


def model_path(scenario: Scenario, lang: str) -> ModelPath:
    """Follow the model replies from the first turn (untimed) to where they lead."""
    state = start(scenario)
    missing = None
    # A loop can only repeat on poor replies, so this many steps always reaches an ending.
    for _ in range(len(scenario.turns) * (scenario.persona.patience + 1) + 1):
        if state.finished:
            break
        turn = scenario.turn(state.turn_id)
        if turn.model is None:
            missing = turn.id
            break
        scored = score_reply(scenario, turn, turn.model[lang], lang, None, state.history)
        state = step(scenario, state, scored)
    return ModelPath(lang, state.history, state, scorecard(scenario, state), missing)


def check_calibration(scenario: Scenario) -> list[Problem]:
    """Check every calibration example lands in its band and the model path passes (zh, en)."""
    problems: list[Problem] = []
    path = scenario.path
    for example in scenario.calibration:
        scored = score_reply(scenario, example.turn, example.reply, example.lang)
        low, high = example.band
        if not low <= scored.score <= high:
            problems.append(
                Problem(
                    path,
                    example.line,
                    f"calibration ({example.lang}, turn '{example.turn}') scored {scored.score}, "
                    f"outside its band [{low}, {high}]: {describe(scored)}",
                )
            )
    for lang in LANGS:
        result = model_path(scenario, lang)
        if result.missing_turn is not None:
            turn = scenario.turn(result.missing_turn)
            problems.append(
                Problem(
                    path,
                    turn.line,
                    f"the {lang} model path reaches turn '{turn.id}', which has no model reply",
                )
            )
            continue
        card = result.scorecard
        if not card.passed:
            weakest = min(result.steps, key=lambda item: item[2].score)
            scores = ", ".join(f"{turn_id} {score}" for turn_id, score in card.turn_scores)
            why = f"fatal {', '.join(card.fatal)}" if card.fatal else f"below {card.pass_mark}"
            problems.append(
                Problem(
                    path,
                    scenario.turn(weakest[0]).line,
                    f"the {lang} model path scores {card.overall} ({why}; ending "
                    f"'{card.ending_id}'): {scores}; weakest '{weakest[0]}': "
                    f"{describe(weakest[2])}",
                )
            )
    return problems


def describe(scored: TurnScore) -> str:
    """A one-line English summary of a TurnScore, for checker messages and logs."""
    parts = [
        "moves " + (", ".join(scored.move_names) or "none"),
        "violations " + (", ".join(v.name for v in scored.violations) or "none"),
    ]
    if scored.flags:
        parts.append("flags " + ", ".join(scored.flags))
    missing = [
        p.rule.split(":", 1)[1] for p in scored.explanations if p.rule.startswith("missing:")
    ]
    if missing:
        parts.append("missing " + ", ".join(missing))
    return "; ".join(parts)
