"""Lesson addresses, built once per worker.

The review of a quiz links every question to its lesson, the lesson page every lesson of its
module: a page may link twenty lessons, and Flask builds each URL in about 15 µs. A lesson's
address depends only on its slugs and on the URL root the app is served under.
"""

from flask import request, url_for

_urls: dict[tuple[str, str, str], str] = {}
# Slugs of lessons from every release a worker has served: bounded only against surprises.
_MAX_URLS = 10_000


def lesson_url(module_slug: str, lesson_slug: str) -> str:
    """The lesson's address (as ``url_for("curriculum.lesson", ...)`` gives it)."""
    key = (request.script_root, module_slug, lesson_slug)
    url = _urls.get(key)
    if url is None:
        if len(_urls) >= _MAX_URLS:
            _urls.clear()
        url = _urls[key] = url_for(
            "curriculum.lesson", module_slug=module_slug, lesson_slug=lesson_slug
        )
    return url
