"""`flask roleplay check` and `flask roleplay score`: authors' tools for simulated buyers."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from training.curriculum.cli import content_dir, fail_with_problems, shown_path
from training.curriculum.parser import parse_tree, read_tree
from training.curriculum.schema import LANGS, ContentError

from .engine import check_calibration, model_path, score_reply
from .parser import SCENARIOS_DIR, read_scenarios
from .schema import Scenario

roleplay_cli = AppGroup("roleplay", help="Check simulated-buyer scenarios and try out replies.")


@roleplay_cli.command("check")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def check_command(folder):
    """Parse every scenario and check its calibration and model path; print path:line problems."""
    root = content_dir(folder)
    try:
        files = read_tree(root)
        curriculum = parse_tree(files)
    except ContentError as error:
        fail_with_problems(root, error)
    scenarios, problems = read_scenarios(files, curriculum)
    # Scenarios that parsed are still scored, so one broken file does not hide the others.
    for scenario in scenarios.values():
        problems.extend(check_calibration(scenario))
    if problems:
        fail_with_problems(root, ContentError(problems))
    if not scenarios:
        click.echo(f"{shown_path(root)}: no scenarios")
    for scenario in scenarios.values():
        scores = " ".join(
            f"{lang} {model_path(scenario, lang).scorecard.overall}" for lang in LANGS
        )
        click.echo(
            f"{scenario.slug}: model path {scores} (pass mark {scenario.pass_mark}), "
            f"calibration ok ({len(scenario.calibration)} examples)"
        )


@roleplay_cli.command("score")
@click.option("--scenario", "slug", required=True, help="Scenario slug.")
@click.option("--turn", "turn_id", required=True, help="Turn id in that scenario.")
@click.option("--reply", "text", required=True, help="The reply to score.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True)
@click.option("--seconds", type=float, default=None, help="Time taken (default: untimed).")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def score_command(slug, turn_id, text, lang, seconds, folder):
    """Score one reply and print the full breakdown as JSON."""
    root = content_dir(folder)
    try:
        files = read_tree(root)
        curriculum = parse_tree(files)
    except ContentError as error:
        fail_with_problems(root, error)
    # Other scenarios' problems should not stop an author trying replies on this one.
    scenarios, problems = read_scenarios(files, curriculum)
    scenario: Scenario | None = scenarios.get(slug)
    if scenario is None:
        own = [problem for problem in problems if problem.path == f"{SCENARIOS_DIR}/{slug}.yaml"]
        if own:
            fail_with_problems(root, ContentError(own))
        known = ", ".join(scenarios) or "none"
        raise click.ClickException(f"no valid scenario '{slug}' (valid: {known})")
    if turn_id not in {turn.id for turn in scenario.turns}:
        known = ", ".join(turn.id for turn in scenario.turns)
        raise click.ClickException(f"no turn '{turn_id}' in {slug} (turns: {known})")
    scored = score_reply(scenario, turn_id, text, lang, seconds)
    click.echo(json.dumps(scored.to_dict(), ensure_ascii=False, indent=2))
