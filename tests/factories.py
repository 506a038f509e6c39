"""Plain functions that make test data through the real services."""

from datetime import date

from training.accounts import services
from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE

PASSWORD = "correct-horse-42"


def make_cohort(name="Cohort A", probation_days=90):
    return services.create_cohort(name=name, probation_days=probation_days)


def make_user(username, role=TRAINEE, *, password=PASSWORD, **fields):
    fields.setdefault("name", username.title())
    user, _ = services.create_user(username=username, role=role, password=password, **fields)
    return user


def make_supervisor(username="sup", **fields):
    return make_user(username, SUPERVISOR, **fields)


def make_admin(username="boss", **fields):
    return make_user(username, ADMIN, **fields)


def make_trainee(username="trainee", *, supervisor=None, cohort=None, **fields):
    fields.setdefault("hire_date", date(2026, 11, 2))
    return make_user(username, TRAINEE, supervisor=supervisor, cohort=cohort, **fields)
