"""`flask quizzes regrade` and `flask content import-gift`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from training.curriculum.cli import content_cli
from training.curriculum.queries import live_release
from training.quizzes.gift import import_aiken, import_gift, to_yaml
from training.quizzes.services import regrade_attempts

quizzes_cli = AppGroup("quizzes", help="Quiz administration.")


@quizzes_cli.command("regrade")
@click.option("--quiz", "quiz_slug", default=None, help="Only this quiz (module slug or exam).")
def regrade_command(quiz_slug):
    """Re-grade submitted attempts against the live release and record old -> new scores."""
    live = live_release()
    if live is None:
        raise click.ClickException("no content release is live: run flask content sync")
    changes = regrade_attempts(live=live, quiz_slug=quiz_slug)
    for change in changes:
        click.echo(f"attempt {change.attempt_id}: {change.old_score:g} -> {change.new_score:g}")
    click.echo(f"{len(changes)} attempt(s) changed")


@content_cli.command("import-gift")
@click.argument("source_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--module", "module_slug", required=True)
@click.option("--lesson", required=True, help="module/lesson[#section] that teaches these.")
@click.option("--topic", required=True)
@click.option("--difficulty", type=click.IntRange(1, 3), default=2, show_default=True)
@click.option("--seed", "seed", required=True, help='Seed file number, e.g. "000".')
@click.option("--where", required=True, help="Chapter or section in the seed.")
@click.option("--aiken", is_flag=True, help="The file is in Aiken format instead of GIFT.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def import_gift_command(
    source_file, module_slug, lesson, topic, difficulty, seed, where, aiken, output
):
    """Convert a Moodle GIFT (or Aiken) file into our quiz format."""
    importer = import_aiken if aiken else import_gift
    questions, warnings = importer(
        source_file.read_text(encoding="utf-8-sig"),
        module_slug=module_slug,
        lesson=lesson,
        topic=topic,
        difficulty=difficulty,
        source={"seed": seed, "where": where},
    )
    for warning in warnings:
        click.echo(f"{source_file}: {warning}", err=True)
    text = to_yaml(questions)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(questions)} question(s) to {output}")
    else:
        click.echo(text)
