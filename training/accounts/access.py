"""Who may reach what: the role decorator and load-or-404 helpers that check ownership."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from training.accounts.models import User
from training.extensions import db, login_manager


def role_required(*roles: str) -> Callable:
    """Let a view run only for signed-in users holding one of these roles."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def can_oversee(viewer: User, trainee: User) -> bool:
    """Admins oversee every trainee; a supervisor only their own."""
    return viewer.is_admin or (viewer.is_supervisor and trainee.supervisor_id == viewer.id)


# Built once: with loader options, session.get() builds its SELECT on every call, which cost
# more than running it.
_TRAINEE_WITH_COHORT = (
    select(User).options(joinedload(User.cohort)).where(User.id == bindparam("user_id"))
)


def get_trainee_or_404(user_id: int) -> User:
    """The trainee the current user oversees, with their cohort; anyone else's gets a 404 that
    reveals nothing."""
    trainee = db.session.scalars(_TRAINEE_WITH_COHORT, {"user_id": user_id}).one_or_none()
    if trainee is None or not trainee.is_trainee or not can_oversee(current_user, trainee):
        abort(404)
    return trainee


def get_user_or_404(user_id: int) -> User:
    """Any account, for admin pages (the route itself is admin-only)."""
    return db.session.get(User, user_id) or abort(404)


def get_owned_or_404(model, record_id: int, *, oversee: bool = False, options=()):
    """A trainee's record (attempt, conversation, ...) for its owner; with ``oversee`` also
    for the supervisor or admin overseeing the owner. Anyone else gets a 404 that reveals
    nothing, not even that the record exists. ``options`` are loader options for the read."""
    return owned_or_404(db.session.get(model, record_id, options=options), oversee=oversee)


def owned_or_404(record, *, oversee: bool = False):
    """``record`` (read by the caller, None if missing) under the rules of get_owned_or_404."""
    if record is None:
        abort(404)
    if record.user_id == current_user.id:
        return record
    if oversee and can_oversee(current_user, db.session.get(User, record.user_id)):
        return record
    abort(404)
