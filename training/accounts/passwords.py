"""Password hashing with argon2, upgrading older hashes when their owner signs in."""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from werkzeug.security import check_password_hash

# Words a person can read out to a new hire over the phone: no 0/O or 1/l confusion.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"]
    )


def hash_password(password: str) -> str:
    """Hash a password with the configured argon2 parameters."""
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Check a password; also return a new hash when the stored one is weaker than today's."""
    hasher = _hasher()
    if stored_hash.startswith("$argon2"):
        try:
            hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False, None
        return True, hasher.hash(password) if hasher.check_needs_rehash(stored_hash) else None
    # Werkzeug's pbkdf2/scrypt hashes from an earlier import are accepted once, then replaced.
    if stored_hash.startswith(("pbkdf2:", "scrypt:")) and check_password_hash(
        stored_hash, password
    ):
        return True, hasher.hash(password)
    return False, None


def generate_one_time_password() -> str:
    """A readable random password an admin hands to a new account holder."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)
