"""Reads for the audit log and the public certificate check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from training.accounts.models import User
from training.extensions import db
from training.probation import rules
from training.probation.models import ProbationDecision

AUDIT_PAGE_SIZE = 25


def audit_log(*, trainee_id: int | None = None, cohort_id: int | None = None, page: int = 1):
    """Decisions newest first, optionally for one trainee or cohort, one page at a time."""
    query = select(ProbationDecision).options(
        selectinload(ProbationDecision.trainee).selectinload(User.cohort),
        selectinload(ProbationDecision.decided_by),
    )
    if trainee_id:
        query = query.filter(ProbationDecision.trainee_id == trainee_id)
    if cohort_id:
        query = query.join(ProbationDecision.trainee).filter(User.cohort_id == cohort_id)
    query = query.order_by(ProbationDecision.decided_at.desc(), ProbationDecision.id.desc())
    return db.paginate(query, page=page, per_page=AUDIT_PAGE_SIZE, error_out=False)


@dataclass(frozen=True)
class Verification:
    """All a public certificate check reveals: who, when, and whether it still stands."""

    name: str
    confirmed_at: datetime  # shown as a date in the site's time zone, as on the certificate
    status: str  # confirmed | revoked


def verify_certificate(code: str) -> Verification | None:
    """The certificate with this verification code, or None when there is none."""
    if not code or len(code) > 32:
        return None
    decision = db.session.scalar(select(ProbationDecision).filter_by(verification_code=code))
    if decision is None:
        return None
    latest = db.session.scalar(
        select(ProbationDecision.id)
        .filter_by(trainee_id=decision.trainee_id)
        .order_by(ProbationDecision.sequence.desc())
        .limit(1)
    )
    # Any later decision (a revocation, then perhaps a new confirmation with a new code)
    # withdraws this certificate.
    status = rules.CONFIRMED if latest == decision.id else rules.REVOKED
    return Verification(decision.trainee.name, decision.decided_at, status)
