"""Lesson addresses.

The review of a quiz links every question to its lesson, the lesson page every lesson of its
module: a page may link twenty lessons, so each address comes from the worker's cache of
addresses (``training.core.urls``), not from Flask building it anew.
"""

from training.core.urls import cached_url_for


def lesson_url(module_slug: str, lesson_slug: str) -> str:
    """The lesson's address (as ``url_for("curriculum.lesson", ...)`` gives it)."""
    return cached_url_for("curriculum.lesson", module_slug=module_slug, lesson_slug=lesson_slug)
