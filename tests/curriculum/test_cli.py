"""`flask content check` and `flask content sync` on good and broken trees."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from training.curriculum.models import ContentRelease
from training.extensions import db

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture
def content_copy(tmp_path):
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_check_passes_on_the_shipped_content(runner):
    result = runner.invoke(args=["content", "check", "--dir", str(CONTENT)])
    assert result.exit_code == 0, result.output


def test_check_names_file_and_line(runner, content_copy):
    module_file = content_copy / "modules/02-conduct/module.yaml"
    module_file.write_text(module_file.read_text().replace("order: 2", "order: yes"))
    result = runner.invoke(args=["content", "check", "--dir", str(content_copy)])
    assert result.exit_code != 0
    line = next(x for x in result.output.splitlines() if "02-conduct/module.yaml" in x)
    number = module_file.read_text().splitlines().index("order: yes") + 1
    assert f"modules/02-conduct/module.yaml:{number}:" in line


def test_check_refuses_a_symlink_out_of_the_tree(runner, content_copy, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("secret")
    (content_copy / "modules/01-welcome/99-x.zh.md").symlink_to(outside)
    result = runner.invoke(args=["content", "check", "--dir", str(content_copy)])
    assert result.exit_code != 0 and "symbolic links are not allowed" in result.output


def test_broken_sync_changes_nothing(runner, content_copy):
    assert runner.invoke(args=["content", "sync", "--dir", str(content_copy)]).exit_code == 0
    lesson = content_copy / "modules/01-welcome/01-the-shop.zh.md"
    lesson.write_text(lesson.read_text() + "\n[坏链接](lesson:welcome/nope)\n")
    result = runner.invoke(args=["content", "sync", "--dir", str(content_copy)])
    assert result.exit_code != 0 and "01-the-shop.zh.md:" in result.output
    assert db.session.scalar(select(func.count(ContentRelease.id))) == 1


def test_sync_twice_says_unchanged(runner, content_copy):
    runner.invoke(args=["content", "sync", "--dir", str(content_copy)])
    result = runner.invoke(args=["content", "sync", "--dir", str(content_copy)])
    assert result.exit_code == 0 and "unchanged" in result.output
