"""How fast free-text replies are scored: run `.venv/bin/python benchmarks/roleplay_scoring.py`.

Prints the one-time segmenter load (jieba's dictionary and OpenCC), then the median and p99
time to score a ~100-character Chinese reply and the replies scored per second, over a few
thousand varied replies. The target is a median of 5 ms or less.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.curriculum.schema import Source  # noqa: E402
from training.roleplay.engine import score_reply  # noqa: E402
from training.roleplay.matchers import load_segmenter  # noqa: E402
from training.roleplay.schema import (  # noqa: E402
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

REPLIES = 3000
TARGET_MS = 5.0

# Fragments of realistic replies (good, mediocre and bad) combined into ~100-character texts.
FRAGMENTS = (
    "亲，您好！欢迎光临悦购小铺，我是客服小悦～",
    "这款液态硅胶手机壳39元，已经是活动价啦，",
    "满99还包邮，质量很好，不会发黄。",
    "非常理解您想买得实惠一点的心情，",
    "实在让不了这么多，不过我可以帮您申请一个数据线收纳扣，",
    "搭配一张钢化膜一起买更划算哦，",
    "您看可以吗？有问题随时找我～",
    "抱歉让您久等了，",
    "我帮您查一下物流，今天就给您催一下快递，",
    "没办法退款哦，",
    "给您优惠5元，34元到手，",
    "加我微信私聊吧，",
    "保证明天到！",
    "感谢您的支持，欢迎收藏店铺，上新第一时间通知您。",
    "可以給您退貨，請您放心，",
)


def scenario() -> Scenario:
    """A two-turn haggling scenario built directly from the schema (no files needed)."""
    text = {"zh": "亲，您好！", "en": "Hi!"}
    options = tuple(
        Option(option_id, text, moves, violations, 1)
        for option_id, moves, violations in (
            ("a", ("greeting",), ()),
            ("b", (), ("flat_refusal",)),
            ("c", (), ("off_platform",)),
        )
    )
    open_turn = Turn(
        id="open",
        buyer={"zh": "老板，这个手机壳能便宜点吗？", "en": "Can it be cheaper?"},
        expect=("greeting", "explain"),
        bonus=("recommend",),
        keywords={"zh": ("活动价", "质量"), "en": ("sale price", "quality")},
        model=text,
        options=options,
        next=(
            Rule(Condition(violation=True), None, "annoyed", 1),
            Rule(None, "offer", None, 1),
        ),
        line=1,
    )
    offer = Turn(
        id="offer",
        buyer={"zh": "那送点什么吧？", "en": "Throw something in?"},
        expect=("solution",),
        bonus=("thanks_close", "invite"),
        keywords={"zh": (), "en": ()},
        model=text,
        options=options,
        next=(Rule(None, None, "bought", 1),),
        line=1,
    )
    outcome = Outcome(False, 0, "none", False)
    return Scenario(
        slug="haggler",
        title=text,
        summary=text,
        module="scripts",
        lessons=("scripts/bargaining-and-closing",),
        sources=(Source("001", "ch.14"),),
        required=True,
        persona=Persona("haggler", text, text, 0, 3),
        facts=Facts(
            product={"zh": "硅胶手机壳", "en": "Silicone phone case"},
            price=39,
            order_status="none",
            policy=Policy(5, 0, True, {"zh": "数据线收纳扣", "en": "cable clip"}),
            promotion={"zh": "满99包邮", "en": "Free shipping over 99 yuan"},
            bundle=Bundle({"zh": "钢化膜", "en": "Screen protector"}, 19),
        ),
        response_seconds=60,
        pass_mark=70,
        dimensions=("courtesy", "solution"),
        terms=("手机壳", "钢化膜"),
        turns=(open_turn, offer),
        endings=tuple(Ending(e, outcome, text, 1) for e in ("bought", "annoyed", "left")),
        calibration=(CalibrationExample("open", "zh", "亲，您好！", (70, 100), 1),),
        path="scenarios/haggler.yaml",
    )


def replies(count: int) -> list[str]:
    """``count`` varied replies of about 100 Chinese characters."""
    rng = random.Random(20261122)
    made = []
    for _ in range(count):
        text = ""
        while len(text) < 95:
            text += rng.choice(FRAGMENTS)
        made.append(text[:110])
    return made


def main() -> None:
    """Measure the load, then score every reply and print the timing summary."""
    started = time.perf_counter()
    load_segmenter()
    load_ms = (time.perf_counter() - started) * 1000
    print(f"segmenter load (once per process): {load_ms:.0f} ms")

    haggler = scenario()
    texts = replies(REPLIES)
    # The first reply also builds the scenario's fact-word cache; report it on its own.
    started = time.perf_counter()
    score_reply(haggler, "open", texts[0], "zh")
    print(
        "first reply (builds the scenario fact cache): "
        f"{(time.perf_counter() - started) * 1000:.2f} ms"
    )

    timings = []
    history: list[str] = []
    begin = time.perf_counter()
    for index, text in enumerate(texts):
        turn = "open" if index % 2 == 0 else "offer"
        started = time.perf_counter()
        score_reply(haggler, turn, text, "zh", seconds=30, history=history)
        timings.append((time.perf_counter() - started) * 1000)
        # Keep a short conversation history so the repeat check does real work.
        history = [*history[-3:], text]
    total = time.perf_counter() - begin

    timings.sort()
    median = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    chars = statistics.mean(len(text) for text in texts)
    print(f"replies scored: {len(texts)} (mean {chars:.0f} characters, Chinese)")
    print(f"median: {median:.2f} ms   p99: {p99:.2f} ms   max: {timings[-1]:.2f} ms")
    print(f"throughput: {len(texts) / total:.0f} replies/second (one thread)")
    verdict = "meets" if median <= TARGET_MS else "MISSES"
    print(f"target median <= {TARGET_MS:g} ms: {verdict}")


if __name__ == "__main__":
    main()
