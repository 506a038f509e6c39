"""The probation tests' people (a supervisor and their trainee hired 20 days ago), reused."""

from tests.probation.conftest import as_supervisor, signed_in, supervisor, trainee

__all__ = ["as_supervisor", "signed_in", "supervisor", "trainee"]
