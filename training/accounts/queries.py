"""Read-only account lookups for pages."""

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import selectinload

from training.accounts.models import SUPERVISOR, TRAINEE, Cohort, User
from training.core.statements import Roster
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


_EVERY_TRAINEE = select(User.id).where(User.role == TRAINEE)
_COACHED = _EVERY_TRAINEE.where(User.supervisor_id == bindparam("roster_supervisor_id"))


def roster_ids_of(viewer: User) -> Roster:
    """The trainees a supervisor coaches (an admin: every trainee), selected in the database."""
    if viewer.is_admin:
        return Roster(_EVERY_TRAINEE, {})
    return Roster(_COACHED, {"roster_supervisor_id": viewer.id})


def _coached_by(viewer: User, query: Select) -> Select:
    query = query.where(User.role == TRAINEE)
    return query if viewer.is_admin else query.where(User.supervisor_id == viewer.id)


def roster_of(viewer: User) -> list:
    """The trainees a supervisor coaches (an admin: every trainee) as plain rows of the columns a
    cohort table shows: id, name, username, cohort_name, hire_date, probation_end.

    Thousands of rows are read on each view of the table, where full accounts would cost more
    than the rest of the page."""
    columns = select(
        User.id,
        User.name,
        User.username,
        Cohort.name.label("cohort_name"),
        User.hire_date,
        User.probation_end,
    ).outerjoin(User.cohort)
    return list(db.session.execute(_coached_by(viewer, columns).order_by(User.name)))


def trainees_of(viewer: User) -> list[User]:
    """The trainees a supervisor coaches; an admin sees every trainee."""
    query = _coached_by(viewer, select(User).options(selectinload(User.cohort)))
    return list(db.session.scalars(query.order_by(User.name)))
