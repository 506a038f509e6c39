"""The interface language: the user's saved choice, else the browser's, else Chinese."""

from flask import current_app, request, session
from flask_login import current_user

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def content_language() -> str:
    """The curriculum language code ("zh" or "en") matching the interface language."""
    return "en" if select_locale() == "en" else "zh"
