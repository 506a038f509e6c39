"""The base of every form: WTForms' own messages in the reader's language, read once per worker."""

from babel.support import Translations
from flask import has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from training.core.worker_cache import BoundedCache


class _WTFormsCatalogues:
    """WTForms' messages ("This field is required.") and default labels, translated.

    Flask-WTF reads WTForms' catalogue from disk again in every request that builds a form,
    150-200 µs each time, and a form translates as it is built: a field without a label of
    its own gets a default one. A catalogue never changes while the worker runs.
    """

    def __init__(self):
        self._by_locale: BoundedCache[Translations] = BoundedCache(16)

    def _catalogue(self) -> Translations:
        locale = get_locale()
        return self._by_locale.kept(
            locale, lambda: Translations.load(messages_path(), [locale], domain="wtforms")
        )

    def gettext(self, string: str) -> str:
        return self._catalogue().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue().ungettext(singular, plural, n)


_CATALOGUES = _WTFormsCatalogues()


class TranslatedForm(FlaskForm):
    """A Flask-WTF form whose WTForms messages follow the interface language."""

    class Meta:
        def get_translations(self, form):
            if not has_request_context():
                return super().get_translations(form)
            return _CATALOGUES
