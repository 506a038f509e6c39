"""Every write to accounts, cohorts and sign-in sessions."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, update

from training.accounts.models import ROLES, TRAINEE, Cohort, LoginSession, User
from training.accounts.passwords import generate_one_time_password, hash_password, verify_password
from training.clock import utcnow
from training.extensions import db


class AccountError(ValueError):
    """A request that breaks an account rule; the message is shown to the user."""


@dataclass
class ImportResult:
    """Accounts created by a CSV import, with their one-time passwords, or the rows refused."""

    created: list[tuple[User, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively and without surrounding spaces."""
    return username.strip().lower()


def find_user(username: str) -> User | None:
    """The account with this username, if any."""
    return db.session.scalar(select(User).filter_by(username=normalise_username(username)))


def probation_end_for(hire_date: date | None, cohort: Cohort | None) -> date | None:
    """Hire date plus the cohort's probation length (or the default)."""
    if hire_date is None:
        return None
    days = cohort.probation_days if cohort else current_app.config["DEFAULT_PROBATION_DAYS"]
    return hire_date + timedelta(days=days)


def _new_user(
    *,
    name: str,
    username: str,
    role: str,
    email: str | None,
    cohort: Cohort | None,
    supervisor: User | None,
    hire_date: date | None,
    password: str | None,
) -> tuple[User, str]:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}")
    username = normalise_username(username)
    if find_user(username):
        raise AccountError(f"username {username!r} is taken")
    email = (email or "").strip().lower() or None
    if email and db.session.scalar(select(User.id).filter_by(email=email)):
        raise AccountError(f"email {email!r} is already used")
    if supervisor is not None and not supervisor.is_supervisor:
        raise AccountError(f"{supervisor.username!r} is not a supervisor")
    one_time = password or generate_one_time_password()
    is_trainee = role == TRAINEE
    user = User(
        name=name.strip(),
        username=username,
        email=email,
        role=role,
        password_hash=hash_password(one_time),
        must_change_password=password is None,
        cohort=cohort if is_trainee else None,
        supervisor=supervisor if is_trainee else None,
        hire_date=hire_date,
        probation_end=probation_end_for(hire_date, cohort) if is_trainee else None,
    )
    db.session.add(user)
    db.session.flush()
    return user, one_time


def create_user(
    *,
    name: str,
    username: str,
    role: str,
    email: str | None = None,
    cohort: Cohort | None = None,
    supervisor: User | None = None,
    hire_date: date | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create one account; without a password it gets a one-time one to change at sign-in."""
    try:
        user, one_time = _new_user(
            name=name,
            username=username,
            role=role,
            email=email,
            cohort=cohort,
            supervisor=supervisor,
            hire_date=hire_date,
            password=password,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return user, one_time


def get_or_create_cohort(*, name: str, probation_days: int | None = None) -> Cohort:
    """The cohort with this name, created when new."""
    name = name.strip()
    cohort = db.session.scalar(select(Cohort).filter_by(name=name))
    if cohort is None:
        days = probation_days or current_app.config["DEFAULT_PROBATION_DAYS"]
        cohort = Cohort(name=name, probation_days=days)
        db.session.add(cohort)
        db.session.commit()
    return cohort


def create_cohort(*, name: str, probation_days: int) -> Cohort:
    """Create a cohort; names are unique."""
    if db.session.scalar(select(Cohort.id).filter_by(name=name.strip())):
        raise AccountError(f"cohort {name.strip()!r} already exists")
    cohort = Cohort(name=name.strip(), probation_days=probation_days)
    db.session.add(cohort)
    db.session.commit()
    return cohort


CSV_COLUMNS = ("name", "username", "email", "hire_date", "supervisor")


def _parse_csv(text: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [f"header: missing column(s) {', '.join(missing)}"]
    reader.fieldnames = header
    rows = [
        (number, {k: (v or "").strip() for k, v in row.items() if k})
        for number, row in enumerate(reader, start=2)
    ]
    if not rows:
        return [], ["the file has no rows"]
    return rows, []


def import_trainees_csv(*, text: str, cohort: Cohort) -> ImportResult:
    """Create a cohort's trainees from CSV, all or none: every bad row is named with its reason."""
    rows, errors = _parse_csv(text)
    result = ImportResult(errors=errors)
    if errors:
        return result
    seen: set[str] = set()
    for number, row in rows:
        problems = []
        username = normalise_username(row["username"])
        if not row["name"] or not username:
            problems.append("name and username are required")
        if username in seen:
            problems.append(f"username {username!r} appears twice in the file")
        seen.add(username)
        try:
            hire = date.fromisoformat(row["hire_date"])
        except ValueError:
            problems.append(f"bad hire date {row['hire_date']!r} (use YYYY-MM-DD)")
            hire = None
        supervisor = find_user(row["supervisor"]) if row["supervisor"] else None
        if supervisor is None or not supervisor.is_supervisor:
            problems.append(f"unknown supervisor {row['supervisor']!r}")
        if not problems:
            # _new_user validates before it adds anything, so a refused row leaves no trace.
            try:
                result.created.append(
                    _new_user(
                        name=row["name"],
                        username=username,
                        role=TRAINEE,
                        email=row["email"],
                        cohort=cohort,
                        supervisor=supervisor,
                        hire_date=hire,
                        password=None,
                    )
                )
            except AccountError as error:
                problems.append(str(error))
        result.errors.extend(f"row {number}: {p}" for p in problems)
    if result.errors:
        db.session.rollback()
        result.created = []
    else:
        db.session.commit()
    return result


def set_active(*, user: User, active: bool) -> None:
    """Disable or re-enable an account; disabling ends its sessions at once."""
    user.active = active
    if not active:
        _end_sessions(user_id=user.id)
    db.session.commit()


def reset_password(*, user: User) -> str:
    """Give an account a new one-time password and end its sessions."""
    one_time = generate_one_time_password()
    user.password_hash = hash_password(one_time)
    user.must_change_password = True
    _end_sessions(user_id=user.id)
    db.session.commit()
    return one_time


def authenticate(*, username: str, password: str) -> User | None:
    """The active user these credentials belong to, upgrading a weak hash on the way."""
    user = find_user(username)
    if user is None:
        # Spend the same effort as a real check, so timing does not reveal who exists.
        verify_password(_dummy_hash(), password)
        return None
    ok, new_hash = verify_password(user.password_hash, password)
    if not ok or not user.active:
        return None
    if new_hash:
        user.password_hash = new_hash
        db.session.commit()
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = f"{current_app.config['ARGON2_TIME_COST']}:{current_app.config['ARGON2_MEMORY_COST']}"
    if key not in _DUMMY:
        _DUMMY[key] = hash_password(secrets.token_hex(8))
    return _DUMMY[key]


def change_password(*, user: User, current: str, new: str, keep_session: str | None) -> None:
    """Set a new password; every other session of the user ends."""
    ok, _ = verify_password(user.password_hash, current)
    if not ok:
        raise AccountError("current password is wrong")
    if new == current:
        raise AccountError("the new password must differ from the current one")
    user.password_hash = hash_password(new)
    user.must_change_password = False
    _end_sessions(user_id=user.id, except_id=keep_session)
    db.session.commit()


def start_session(*, user: User) -> str:
    """Record a new sign-in and return its identifier for the cookie."""
    login_session = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(login_session)
    db.session.commit()
    return login_session.id


def end_session(*, session_id: str | None) -> None:
    """End one sign-in (sign-out)."""
    if session_id:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
        db.session.commit()


def _end_sessions(*, user_id: int, except_id: str | None = None) -> None:
    query = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.ended_at.is_(None)
    )
    if except_id:
        query = query.where(LoginSession.id != except_id)
    db.session.execute(query.values(ended_at=utcnow()))


def _live_session_statement():
    # Built once: building the SELECT cost more than running it, on every signed-in request.
    return (
        select(User, LoginSession.created_at, LoginSession.last_seen_at, LoginSession.ended_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            LoginSession.id == bindparam("session_id"), LoginSession.user_id == bindparam("user_id")
        )
    )


_LIVE_SESSION = _live_session_statement()


def live_session_user(*, session_id: str, user_id: int) -> User | None:
    """The user of a sign-in that is still open, not idle too long and not too old."""
    # One query on every request: the user with the times of its session.
    row = db.session.execute(_LIVE_SESSION, {"session_id": session_id, "user_id": user_id}).first()
    if row is None or row.ended_at:
        return None
    now = utcnow()
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    if now - row.last_seen_at > idle or now - row.created_at > config["PERMANENT_SESSION_LIFETIME"]:
        _update_session(session_id, ended_at=now)
        return None
    if not row.User.active:
        return None
    # Touch at most once a minute: a write per request would serialise SQLite readers.
    if now - row.last_seen_at > timedelta(minutes=1):
        _update_session(session_id, last_seen_at=now)
    return row.User


def _update_session(session_id: str, **values) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.id == session_id).values(**values))
    db.session.commit()


def set_locale(*, user: User, locale: str) -> None:
    """Save the interface language the user chose."""
    user.locale = locale
    db.session.commit()


def delete_empty_cohort(*, cohort: Cohort) -> None:
    """Remove a cohort made for an import that was then refused."""
    if not cohort.trainees:
        db.session.delete(cohort)
        db.session.commit()
