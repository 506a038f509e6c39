"""Configuration read from environment variables."""

import os
from datetime import timedelta
from pathlib import Path


def _database_url(default: str) -> str:
    """Return DATABASE_URL with PostgreSQL URLs pointed at the psycopg 3 driver."""
    url = os.environ.get("DATABASE_URL", default)
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Production defaults; every value can be overridden from the environment."""

    ENV_NAME = os.environ.get("KEFU_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "an SQLite file in the instance folder", resolved by the factory.
    SQLALCHEMY_DATABASE_URI = _database_url("") or None
    CONTENT_DIR = os.environ.get(
        "CONTENT_DIR", str(Path(__file__).resolve().parent.parent / "content")
    )

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Secure cookies whenever the site is reached over HTTPS (set to 0 only for plain-HTTP labs).
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_LIFETIME_HOURS", 12))
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 60)
    # The server-side sign-in record enforces both limits, so the cookie, which expires with
    # the absolute lifetime from sign-in, need not be signed and sent again on every response.
    SESSION_REFRESH_EACH_REQUEST = False

    WTF_CSRF_TIME_LIMIT = 3600 * 12
    # WTForms' own messages ("Not a valid integer value.") follow the interface language; its
    # catalogue is "zh", which gettext reaches from our "zh_CN" locale by dropping the territory.
    WTF_I18N_ENABLED = True
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_CN", "en")

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_CLIENT = os.environ.get("LOGIN_LIMIT_PER_CLIENT", "20 per minute")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute")
    # Public certificate checks per client address: enough for people, too few to guess codes.
    VERIFY_LIMIT_PER_CLIENT = os.environ.get("VERIFY_LIMIT_PER_CLIENT", "30 per minute")
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
    # Keep the proxy's X-Request-ID (only when a trusted proxy sets it on every request).
    TRUST_REQUEST_ID = os.environ.get("TRUST_REQUEST_ID", "0") == "1"

    ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 65536)
    DEFAULT_PROBATION_DAYS = 90
    # Only benchmarks/load.py sets this: it adds the floor pages and per-request figures.
    BENCHMARK = os.environ.get("KEFU_BENCHMARK") == "1"


class DevelopmentConfig(Config):
    """Local development: a fixed, public secret is acceptable here and nowhere else."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")


class TestConfig(Config):
    """Fast, deterministic settings for the test suite."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    LOGIN_LIMIT_PER_CLIENT = "1000 per minute"
    LOGIN_LIMIT_PER_ACCOUNT = "1000 per minute"
    VERIFY_LIMIT_PER_CLIENT = "1000 per minute"
    BENCHMARK = False


CONFIGS = {"production": Config, "development": DevelopmentConfig, "testing": TestConfig}
