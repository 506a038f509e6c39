"""The probation audit trail cannot be bypassed or forged: a decision whose audit entry cannot
be written is not made at all, and a reason cannot add lines to the application log."""

import logging
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.factories import make_supervisor, make_trainee
from training.clock import today
from training.extensions import db
from training.probation import services
from training.probation.models import ProbationDecision


@pytest.fixture
def people(app, live_content):
    supervisor = make_supervisor("sam", name="Sam Supervisor")
    trainee = make_trainee("amy", supervisor=supervisor, hire_date=today() - timedelta(days=20))
    return supervisor, trainee


def _decisions() -> list[ProbationDecision]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ProbationDecision)))


def test_when_the_audit_entry_cannot_be_written_the_decision_is_not_made(
    people, live_content, client, auth
):
    supervisor, trainee = people
    old_end = trainee.probation_end

    def refuse(*_args):
        raise RuntimeError("the audit store is unavailable")

    event.listen(ProbationDecision, "before_insert", refuse)
    try:
        with pytest.raises(RuntimeError, match="audit store"):
            services.record_decision(
                trainee=trainee, decided_by=supervisor, outcome="extended", reason="延期",
                live=live_content, new_end=old_end + timedelta(days=30),
            )  # fmt: skip
        # Through the page too: an error page, and the extension is not applied either.
        auth.login(supervisor.username)
        data = {"outcome": "extended", "reason": "延期", "sequence": "0",
                "new_end": (old_end + timedelta(days=30)).isoformat()}  # fmt: skip
        assert client.post(f"/probation/{trainee.id}/decide", data=data).status_code == 500
    finally:
        event.remove(ProbationDecision, "before_insert", refuse)
    assert _decisions() == []
    db.session.expire_all()
    assert db.session.get(type(trainee), trainee.id).probation_end == old_end

    # Once the audit entry can be written again, the same decision goes through whole.
    services.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="extended", reason="延期",
        live=live_content, new_end=old_end + timedelta(days=30),
    )  # fmt: skip
    assert [d.outcome for d in _decisions()] == ["extended"]


def test_a_reason_with_newlines_cannot_forge_log_lines(people, live_content, caplog):
    supervisor, trainee = people
    forged = (
        "不通过。\nINFO training.probation.services probation decision 99: trainee=1 by=1 "
        "in_progress -> confirmed override=False reason=forged\r\u2028\x1b[2Kdone"
    )
    with caplog.at_level(logging.INFO, logger="training.probation"):
        services.record_decision(
            trainee=trainee, decided_by=supervisor, outcome="failed", reason=forged,
            live=live_content,
        )  # fmt: skip
    records = [r for r in caplog.records if r.name == "training.probation.services"]
    assert len(records) == 1
    line = records[0].getMessage()
    assert "\n" not in line and "\r" not in line and "\u2028" not in line and "\x1b" not in line
    assert line.startswith(f"probation decision {_decisions()[0].id}: trainee={trainee.id}")
    assert "in_progress -> failed" in line
    assert "reason=不通过。\\nINFO training.probation.services" in line  # kept, escaped
    assert line.count("probation decision") == 2 and line.endswith("\\x1b[2Kdone")
    # The stored reason is what the supervisor wrote; only the log line is escaped.
    assert _decisions()[0].reason == forged.strip()
