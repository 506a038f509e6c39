"""Reading pages in tests."""

import re

_CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


def without_csrf_tokens(html: str) -> str:
    """The page with its CSRF tokens' values taken out: they are random and signed with the time,
    so two renderings of the same page differ there (and a token may spell any short word)."""
    return _CSRF_VALUE.sub('name="csrf_token"', html)
