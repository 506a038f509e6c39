"""Where a reply's feedback sends the trainee: the lesson that teaches the rule a point is for.

The engine names each rule's lesson by key (``module/lesson#section``); a page shows it as a
link titled in the conversation's language, from the release the reply was scored on.
"""

from training.curriculum.links import lesson_url
from training.curriculum.schema import Curriculum


def cited_lesson(curriculum: Curriculum | None, key: str, lang: str) -> tuple[str, str] | None:
    """(address, title) of the lesson ``key`` names, or None when there is none to link."""
    lesson_key, _, section = (key or "").partition("#")
    lesson = curriculum.lesson_by_key(lesson_key) if curriculum and lesson_key else None
    if lesson is None:
        return None
    href = lesson_url(lesson.module_slug, lesson.slug)
    return (f"{href}#{section}" if section else href), lesson.text(lang)[0].title
