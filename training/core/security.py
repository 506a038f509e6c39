"""Response hardening, request ids and redirect checks shared by every blueprint."""

import re
import time
import uuid
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from training.core.worker_cache import BoundedCache
from training.extensions import limiter

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's request id may look like: anything else (newlines, huge values) is replaced.
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response):
    """Set the hardening headers and the request id on every response, error pages included."""
    headers = response.headers
    # One pass over the response's few headers: ``setdefault`` scanned them twice per name,
    # about a sixth of a bare request's time in the app.
    present = {name.lower() for name, _value in headers.items()}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    headers[REQUEST_ID_HEADER] = request_id()
    return response


# Flask-WTF keeps a session's secret under this name, and the page's signed token in ``g``.
CSRF_FIELD = "csrf_token"
# How long a worker hands out the same signed token to a session's pages. Flask-WTF signs the
# session's secret with the time on every page with a form (the header's two are on all of
# them): 2-4% of a page's instructions. A token signed seconds ago is as good, since it stays
# valid for WTF_CSRF_TIME_LIMIT (12 hours) after its signing: reusing it shortens that by
# under a minute.
CSRF_REUSE_SECONDS = 60
_signed_csrf_tokens: BoundedCache[str] = BoundedCache(5000)


def csrf_token() -> str:
    """The CSRF token for this page's forms (the templates' ``csrf_token()``), signed at most
    once a minute per session in this worker."""
    signed = g.get(CSRF_FIELD)
    if signed is None:
        secret = session.get(CSRF_FIELD)
        window = int(time.time()) // CSRF_REUSE_SECONDS
        signed = _signed_csrf_tokens.get((secret, window)) if secret else None
        if signed is None:
            signed = generate_csrf()  # creates the session's secret when it has none
            _signed_csrf_tokens.kept((session[CSRF_FIELD], window), lambda: signed)
        setattr(g, CSRF_FIELD, signed)
    return signed


def init_csrf_tokens(app: Flask) -> None:
    """Templates take their CSRF token from ``csrf_token`` above, not Flask-WTF's own (called
    after Flask-WTF's ``init_app``, whose global and context processor these replace)."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})


def init_rate_limits(app: Flask) -> None:
    """Bind the rate limiter. The limits sit on the views they guard (signing in, verifying a
    decision), and each view's decorator checks its own.

    Besides, Flask-Limiter checks before every request for default and application-wide limits.
    Without any, that look-up (the view's qualified name, its exemptions, empty sets of limits)
    still cost about a tenth of the base layout's CPU, on every page, so it is dropped then.
    """
    limiter.init_app(app)
    limits = limiter.limit_manager
    if not (limits.default_limits or limits.application_limits):
        app.before_request_funcs[None].remove(limiter._check_request_limit)


def request_id() -> str:
    """This request's id, for the logs and the response header.

    A proxy's X-Request-ID is kept only when TRUST_REQUEST_ID is set (so ids line up across
    the proxy's and the app's logs); otherwise, or when it looks odd, a fresh one is made.
    """
    if "request_id" not in g:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        trusted = current_app.config.get("TRUST_REQUEST_ID") and _REQUEST_ID_RE.match(given)
        g.request_id = given if trusted else uuid.uuid4().hex
    return g.request_id


def safe_next_path(target: str | None) -> str | None:
    """Return target only when it is a path on this site; anything else is dropped."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def log_safe(text: str) -> str:
    """Text for one log line: newlines and other control or separator characters are escaped,
    so what a user typed cannot start a forged line of its own."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )
