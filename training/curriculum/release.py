"""A content release as the application uses it: the curriculum and everything built on it.

Pure: parses the `{path: text}` snapshot of content/ into frozen values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from training.curriculum.parser import oversized_files, parse_tree
from training.curriculum.schema import ContentError, Curriculum, Problem
from training.probation.parser import parse_policy
from training.probation.schema import Policy
from training.quizzes.parser import parse_quizzes
from training.quizzes.schema import QuestionBank
from training.roleplay.parser import parse_scenarios
from training.roleplay.schema import Scenario


@dataclass(frozen=True)
class Release:
    """Everything one version of content/ defines."""

    version: str
    curriculum: Curriculum
    quizzes: QuestionBank
    probation: Policy
    scenarios: dict[str, Scenario]


def parse_release(files: Mapping[str, str]) -> Release:
    """Parse every part of the tree, raising ContentError with all problems found.

    Quizzes link to lessons, so they are checked once the curriculum itself is valid.
    """
    oversized = oversized_files(files)
    if oversized:
        raise ContentError(oversized)
    curriculum = parse_tree(files)
    problems: list[Problem] = []
    parts = {}
    for name, parse in (
        ("quizzes", lambda: parse_quizzes(files, curriculum)),
        ("probation", lambda: parse_policy(files)),
        ("scenarios", lambda: parse_scenarios(files, curriculum)),
    ):
        try:
            parts[name] = parse()
        except ContentError as error:
            problems.extend(error.problems)
    if problems:
        raise ContentError(problems)
    return Release(version=curriculum.version, curriculum=curriculum, **parts)


def check_release(files: Mapping[str, str]) -> list[Problem]:
    """Every problem in the tree, for `flask content check`."""
    try:
        parse_release(files)
    except ContentError as error:
        return error.problems
    return []
