"""A content release as the application uses it: the curriculum and everything built on it.

Pure: parses the `{path: text}` snapshot of content/ into frozen values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from training.curriculum.parser import parse_tree
from training.curriculum.schema import ContentError, Curriculum, Problem
from training.quizzes.parser import parse_quizzes
from training.quizzes.schema import QuestionBank


@dataclass(frozen=True)
class Release:
    """Everything one version of content/ defines."""

    version: str
    curriculum: Curriculum
    quizzes: QuestionBank


def parse_release(files: Mapping[str, str]) -> Release:
    """Parse every part of the tree, raising ContentError with all problems found.

    Quizzes link to lessons, so they are checked once the curriculum itself is valid.
    """
    curriculum = parse_tree(files)
    quizzes = parse_quizzes(files, curriculum)
    return Release(version=curriculum.version, curriculum=curriculum, quizzes=quizzes)


def check_release(files: Mapping[str, str]) -> list[Problem]:
    """Every problem in the tree, for `flask content check`."""
    try:
        parse_release(files)
    except ContentError as error:
        return error.problems
    return []
