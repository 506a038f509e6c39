"""Addresses for templates, each built once per worker.

Flask builds an address in 6-15 µs, and every page asks for about ten: the base layout's
stylesheets and forms, a page's own links. An address depends only on its endpoint, its values
and the URL root the app is served under (and, for an endpoint named relative to the current
blueprint, on that blueprint), so each one is built the first time and then looked up.
"""

from flask import has_request_context, request, url_for

from training.core.worker_cache import BoundedCache

# Addresses carry record ids (an attempt, a conversation): bounded against a long-lived worker.
_urls: BoundedCache[str] = BoundedCache(20_000)


def cached_url_for(endpoint: str, **values) -> str:
    """``url_for`` as templates call it, from the worker's cache where it can be.

    A full address (``_external``, ``_scheme``) depends on the request's host, and outside a
    request there is no URL root: both are built each time, as are values that cannot be part
    of a key (a list)."""
    if "_external" in values or "_scheme" in values or not has_request_context():
        return url_for(endpoint, **values)
    blueprint = request.blueprint if endpoint.startswith(".") else None
    try:
        key = (endpoint, blueprint, request.script_root, *sorted(values.items()))
        hash(key)
    except TypeError:
        return url_for(endpoint, **values)
    return _urls.kept(key, lambda: url_for(endpoint, **values))
