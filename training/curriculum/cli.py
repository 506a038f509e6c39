"""`flask content check` and `flask content sync`."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from training.curriculum.parser import read_tree
from training.curriculum.release import check_release
from training.curriculum.schema import ContentError
from training.curriculum.services import sync_content

content_cli = AppGroup("content", help="Check and publish the curriculum in content/.")


def _content_dir(option: str | None) -> Path:
    return Path(option or current_app.config["CONTENT_DIR"])


def _shown(folder: Path) -> str:
    try:
        return str(folder.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


def _fail(folder: Path, error: ContentError) -> None:
    for problem in error.problems:
        click.echo(f"{_shown(folder)}/{problem}", err=True)
    raise click.ClickException(f"{len(error.problems)} problem(s) in {_shown(folder)}")


@content_cli.command("check")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def check_command(folder):
    """Validate the whole tree; print every problem as path:line: message."""
    root = _content_dir(folder)
    try:
        problems = check_release(read_tree(root))
    except ContentError as error:
        _fail(root, error)
    if problems:
        _fail(root, ContentError(problems))
    click.echo(f"{_shown(root)}: no problems")


@content_cli.command("sync")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def sync_command(folder):
    """Publish the tree as the live release; an invalid tree changes nothing."""
    root = _content_dir(folder)
    try:
        result = sync_content(files=read_tree(root))
    except ContentError as error:
        _fail(root, error)
    messages = {
        "unchanged": "content unchanged: release {v} stays live",
        "reactivated": "release {v} is live again",
        "published": "published release {v}",
    }
    click.echo(messages[result.action].format(v=result.version[:12]))
