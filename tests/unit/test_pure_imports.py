"""The domain modules stay framework-free so the checker and grading run without the app."""

from __future__ import annotations

import ast
from pathlib import Path

TRAINING = Path(__file__).resolve().parents[2] / "training"
PURE_NAMES = {"schema", "parser", "rendering", "search", "grading", "engine", "matchers", "rules"}
FORBIDDEN = ("flask", "sqlalchemy")


def pure_modules() -> list[Path]:
    """Every pure-by-name module under training/."""
    return sorted(path for path in TRAINING.rglob("*.py") if path.stem in PURE_NAMES)


def imported_names(path: Path) -> set[str]:
    """Top-level package names a file imports (absolute imports only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def is_forbidden(name: str) -> bool:
    """flask, sqlalchemy and their extensions (flask_login, flask_sqlalchemy, ...)."""
    return any(name == bad or name.startswith(f"{bad}_") for bad in FORBIDDEN)


def test_the_curriculum_modules_are_found():
    stems = {path.stem for path in pure_modules()}
    assert {"schema", "parser", "rendering", "search"} <= stems


def test_pure_modules_do_not_import_flask_or_sqlalchemy():
    offenders = {
        str(path.relative_to(TRAINING.parent)): sorted(filter(is_forbidden, imported_names(path)))
        for path in pure_modules()
    }
    assert {path: names for path, names in offenders.items() if names} == {}
