"""Read-only account lookups for pages."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from training.accounts.models import SUPERVISOR, TRAINEE, Cohort, User
from training.extensions import db


def list_accounts(*, role: str | None = None, cohort_id: int | None = None) -> list[User]:
    """Accounts for the admin table, optionally filtered by role and cohort."""
    query = select(User).options(selectinload(User.cohort), selectinload(User.supervisor))
    if role:
        query = query.filter_by(role=role)
    if cohort_id:
        query = query.filter_by(cohort_id=cohort_id)
    return list(db.session.scalars(query.order_by(User.role, User.username)))


def list_cohorts() -> list[Cohort]:
    """Every cohort by name."""
    return list(db.session.scalars(select(Cohort).order_by(Cohort.name)))


def list_supervisors() -> list[User]:
    """Active supervisors, for assigning trainees."""
    query = select(User).filter_by(role=SUPERVISOR, active=True).order_by(User.name)
    return list(db.session.scalars(query))


def get_supervisor(user_id: int | None) -> User | None:
    """A supervisor by id, or None for anything else."""
    user = db.session.get(User, user_id) if user_id else None
    return user if user is not None and user.is_supervisor else None


def trainees_of(viewer: User) -> list[User]:
    """The trainees a supervisor coaches; an admin sees every trainee."""
    query = select(User).filter_by(role=TRAINEE).options(selectinload(User.cohort))
    if not viewer.is_admin:
        query = query.filter_by(supervisor_id=viewer.id)
    return list(db.session.scalars(query.order_by(User.name)))
