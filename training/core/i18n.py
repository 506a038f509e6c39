"""The interface language: the user's saved choice, else the browser's, else Chinese."""

from babel import Locale
from flask import Flask, current_app, g, request, session
from flask_babel import get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup

LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}


def select_locale() -> str:
    """The interface language's code ("zh_CN" or "en")."""
    # Called several times a page: each context proxy is looked up once a call, not per use.
    config = current_app.config
    languages = config["LANGUAGES"]
    user = current_user._get_current_object()
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def babel_locale() -> Locale:
    """Flask-Babel's locale selector: a parsed locale, which Flask-Babel takes as it is. Given the
    code, Babel parses it again on every request, matching it against every locale it knows."""
    code = select_locale()
    locale = _PARSED.get(code)
    if locale is None:
        locale = _PARSED[code] = Locale.parse(code)
    return locale


_PARSED: dict[str, Locale] = {}


def content_language() -> str:
    """The curriculum language code ("zh" or "en") matching the interface language."""
    return "en" if select_locale() == "en" else "zh"


def request_translations():
    """This request's catalogue, looked up once per request rather than once per string.

    Kept where Flask-Babel keeps its own per-request state, under the name its ``refresh()``
    and ``force_locale()`` reset, so a change of language within a request still applies.
    """
    state = g.get("_flask_babel")
    translations = getattr(state, "babel_translations", None)
    if translations is None:
        translations = get_translations()  # creates Flask-Babel's state when it is missing
        g._flask_babel.babel_translations = translations
    return translations


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    # Jinja's "newstyle" gettext, without its two extra calls and the catalogue look-up.
    text = request_translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    # Formatting a message without a "%" changes nothing, and most have none.
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _template_ngettext(eval_ctx, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    text = request_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install_template_gettext(app: Flask) -> None:
    """Templates translate through the per-request catalogue: pages call _() hundreds of times."""
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
