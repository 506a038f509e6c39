"""`flask roleplay check` and `flask roleplay score` on a small content tree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from training import create_app
from training.roleplay.cli import roleplay_cli

CONTENT = Path(__file__).resolve().parents[2] / "content"

SCENARIO = """\
slug: haggler
title: {zh: 买家砍价, en: The haggler}
summary: {zh: 想便宜点的买家。, en: A buyer who wants a lower price.}
module: scripts
lessons: [scripts/bargaining-and-closing#holding-the-line]
sources:
  - seed: "001"
    where: "ch.14 §306-322"
required: true
persona:
  type: haggler
  name: {zh: 小李, en: Xiao Li}
  description: {zh: 爱砍价的学生。, en: A student who loves a bargain.}
  mood: 0
  patience: 2
facts:
  product: {zh: 硅胶手机壳, en: Silicone phone case}
  price: 39
  order_status: none
  policy:
    max_discount: 5
    max_compensation: 0
    refund: true
    gift: {zh: 数据线收纳扣, en: cable clip}
response_seconds: 60
pass_mark: 70
dimensions: [courtesy, solution, compliance]
terms: [手机壳]
turns:
  - id: open
    buyer: {zh: 老板，这个手机壳能便宜点吗？, en: "Can you make this phone case cheaper?"}
    expect: [greeting, explain]
    keywords: {zh: [活动价], en: [sale price]}
    model:
      zh: 亲，您好！这款硅胶手机壳39元已经是活动价啦。
      en: Hi there! This silicone phone case is 39 yuan, already the sale price.
    options:
      - id: a
        text: {zh: 亲，您好！39元已经是活动价啦。, en: Hi! 39 yuan is already the sale price.}
        moves: [greeting, explain]
        violations: []
      - id: b
        text: {zh: 不行。, en: "No."}
        moves: []
        violations: [flat_refusal, one_word]
      - id: c
        text: {zh: 加我微信。, en: Add me on WeChat.}
        moves: []
        violations: [off_platform]
    next:
      - when: {violation: true}
        ending: annoyed
      - goto: offer
  - id: offer
    buyer: {zh: 那能送点什么吗？, en: "Can you throw something in?"}
    expect: [solution]
    model:
      zh: 可以的亲，给您送一个数据线收纳扣～
      en: Sure, I'll add a free cable clip for you.
    options:
      - id: a
        text: {zh: 送您一个收纳扣～, en: "I'll add a cable clip."}
        moves: [solution]
        violations: []
      - id: b
        text: {zh: 不行。, en: "No."}
        moves: []
        violations: [flat_refusal, one_word]
      - id: c
        text: {zh: 送您十个！, en: Ten for free!}
        moves: []
        violations: [over_promise]
    next:
      - when: {score_at_least: 70}
        ending: bought
      - ending: annoyed
endings:
  - id: bought
    outcome: {bought: true, order_value: 39, review: good, complaint: false}
    buyer: {zh: 好的，拍了！, en: "Great, ordered!"}
  - id: annoyed
    outcome: {bought: false, order_value: 0, review: none, complaint: false}
    buyer: {zh: 算了。, en: Forget it.}
  - id: left
    outcome: {bought: false, order_value: 0, review: none, complaint: false}
    buyer: {zh: 我去别家看看。, en: I'll look elsewhere.}
calibration:
  - turn: open
    lang: zh
    reply: 亲，您好！这款手机壳39元已经是活动价了，还是液态硅胶的。
    band: [70, 100]
  - turn: open
    lang: en
    reply: Hello! This silicone phone case is already at the sale price of 39 yuan.
    band: [70, 100]
  - turn: open
    lang: zh
    reply: 不行。
    band: [0, 30]
  - turn: open
    lang: en
    reply: "No."
    band: [0, 30]
"""


@pytest.fixture
def content(tmp_path) -> Path:
    """A content tree: the shipped modules and glossary plus one small scenario."""
    root = tmp_path / "content"
    shutil.copytree(CONTENT / "modules", root / "modules")
    shutil.copy(CONTENT / "glossary.yaml", root / "glossary.yaml")
    (root / "scenarios").mkdir()
    (root / "scenarios" / "haggler.yaml").write_text(SCENARIO, encoding="utf-8")
    return root


@pytest.fixture
def runner(content):
    """A CLI runner on an app whose CONTENT_DIR is the fixture tree."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CONTENT_DIR": str(content)})
    if "roleplay" not in app.cli.commands:
        app.cli.add_command(roleplay_cli)
    return app.test_cli_runner()


def test_check_passes_and_summarises_each_scenario(runner, content):
    result = runner.invoke(args=["roleplay", "check", "--dir", str(content)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "haggler: model path zh 100 en 100 (pass mark 70), calibration ok (4 examples)"
    )


def test_check_reads_the_configured_content_dir(runner):
    result = runner.invoke(args=["roleplay", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("haggler: model path")


def test_check_reports_parse_problems_at_path_and_line(runner, content):
    path = content / "scenarios" / "haggler.yaml"
    path.write_text(SCENARIO.replace("required: true", 'required: "yes"'), encoding="utf-8")
    result = runner.invoke(args=["roleplay", "check", "--dir", str(content)])
    assert result.exit_code != 0
    line = SCENARIO.split("\n").index("required: true") + 1
    assert f"scenarios/haggler.yaml:{line}: required must be true or false" in result.output


def test_check_reports_an_out_of_band_calibration_example(runner, content):
    path = content / "scenarios" / "haggler.yaml"
    broken = SCENARIO.replace(
        "    reply: 不行。\n    band: [0, 30]", "    reply: 不行。\n    band: [50, 60]"
    )
    path.write_text(broken, encoding="utf-8")
    result = runner.invoke(args=["roleplay", "check", "--dir", str(content)])
    assert result.exit_code != 0
    lines = broken.split("\n")
    line = next(i for i, text in enumerate(lines) if text == "    reply: 不行。") - 1
    assert f"scenarios/haggler.yaml:{line}: calibration (zh, turn 'open') scored 0" in result.output


def test_check_without_scenarios(runner, content):
    shutil.rmtree(content / "scenarios")
    result = runner.invoke(args=["roleplay", "check", "--dir", str(content)])
    assert result.exit_code == 0 and "no scenarios" in result.output


def test_score_prints_the_breakdown_as_json(runner, content):
    result = runner.invoke(
        args=["roleplay", "score", "--dir", str(content), "--scenario", "haggler",
              "--turn", "open", "--reply", "亲，您好！39元已经是活动价了，保证明天到"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["turn"] == "open" and data["lang"] == "zh"
    assert data["score"] <= 40
    assert [v["name"] for v in data["violations"]] == ["over_promise"]
    assert sum(point["delta"] for point in data["explanations"]) == data["score"]
    assert "保证明天到" in result.output  # ensure_ascii=False


def test_score_in_english_with_time(runner, content):
    result = runner.invoke(
        args=["roleplay", "score", "--dir", str(content), "--scenario", "haggler",
              "--turn", "offer", "--reply", "Sure, I'll add a free cable clip for you.",
              "--lang", "en", "--seconds", "120"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["score"] == 100 - 15
    assert [p["rule"] for p in data["explanations"]][-1] == "slow"


def test_score_names_unknown_scenarios_and_turns(runner, content):
    result = runner.invoke(
        args=["roleplay", "score", "--dir", str(content), "--scenario", "nope", "--turn", "open",
              "--reply", "hi"]
    )  # fmt: skip
    assert result.exit_code != 0 and "no valid scenario 'nope'" in result.output
    result = runner.invoke(
        args=["roleplay", "score", "--dir", str(content), "--scenario", "haggler", "--turn",
              "nope", "--reply", "hi"]
    )  # fmt: skip
    assert (
        result.exit_code != 0 and "no turn 'nope' in haggler (turns: open, offer)" in result.output
    )
