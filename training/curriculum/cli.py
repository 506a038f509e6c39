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


def content_dir(option: str | None) -> Path:
    """The content folder from --dir, else CONTENT_DIR."""
    return Path(option or current_app.config["CONTENT_DIR"])


def shown_path(folder: Path) -> str:
    """A folder as the user would type it (relative to here when it can be)."""
    try:
        return str(folder.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


def fail_with_problems(folder: Path, error: ContentError) -> None:
    """Print every problem as path:line: message and exit non-zero."""
    for problem in error.problems:
        click.echo(f"{shown_path(folder)}/{problem}", err=True)
    raise click.ClickException(f"{len(error.problems)} problem(s) in {shown_path(folder)}")


@content_cli.command("check")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def check_command(folder):
    """Validate the whole tree; print every problem as path:line: message."""
    root = content_dir(folder)
    try:
        problems = check_release(read_tree(root))
    except ContentError as error:
        fail_with_problems(root, error)
    if problems:
        fail_with_problems(root, ContentError(problems))
    click.echo(f"{shown_path(root)}: no problems")


@content_cli.command("sync")
@click.option("--dir", "folder", default=None, help="Content folder (default: CONTENT_DIR).")
def sync_command(folder):
    """Publish the tree as the live release; an invalid tree changes nothing."""
    root = content_dir(folder)
    try:
        result = sync_content(files=read_tree(root))
    except ContentError as error:
        fail_with_problems(root, error)
    messages = {
        "unchanged": "content unchanged: release {v} stays live",
        "reactivated": "release {v} is live again",
        "published": "published release {v}",
    }
    click.echo(messages[result.action].format(v=result.version[:12]))
