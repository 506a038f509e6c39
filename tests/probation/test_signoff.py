"""Sign-off rules: confirming with an override, conflicts between supervisors, reversals, the
certificate's public check and the admin's probation log. Pages are read in English: these
messages are newer than the catalogue."""

from datetime import timedelta

import pytest

from tests.factories import make_admin, make_cohort, make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import flashes, main_html, make_ready, text_of
from training.clock import today
from training.extensions import db
from training.probation import services
from training.probation.models import AuditEntryChanged, ProbationDecision
from training.probation.queries import AUDIT_PAGE_SIZE

RECORDED = "Decision recorded."
OVERRIDE_NEEDED = (
    "This trainee does not meet every criterion. To confirm anyway, tick "
    "\u201cConfirm despite unmet criteria\u201d and write why."
)
CONFLICT = (
    "Someone else recorded a decision on this trainee while you were deciding. "
    "Nothing was saved: read their decision below, then decide again if needed."
)
ALREADY_DECIDED = "This probation has already been decided."


@pytest.fixture
def english(as_supervisor):
    as_supervisor.post("/language", data={"locale": "en"})
    return as_supervisor


def _post(client, who, sequence, **fields):
    data = {"reason": "理由", "sequence": str(sequence), **fields}
    return client.post(f"/probation/{who.id}/decide", data=data, follow_redirects=True)


def _rows(trainee_id) -> list[ProbationDecision]:
    db.session.expire_all()
    query = db.select(ProbationDecision).filter_by(trainee_id=trainee_id)
    return list(db.session.scalars(query.order_by(ProbationDecision.sequence)))


def _end_of(trainee):
    db.session.expire_all()
    return db.session.get(type(trainee), trainee.id).probation_end


# --------------------------------------------------------------------------- override


def test_confirming_a_trainee_who_is_not_ready_needs_the_override_and_a_reason(english, trainee):
    reason = "线上实操表现突出，经理同意提前转正。"
    refused = _post(english, trainee, 0, outcome="confirmed", reason=reason)
    assert refused.status_code == 422 and flashes(refused) == [OVERRIDE_NEEDED]
    assert _rows(trainee.id) == []
    page = main_html(refused)
    assert f"{reason}</textarea>" in page and 'value="confirmed" checked' in page
    assert "Not met yet:" in text_of(page) and "Typing test" in text_of(page)

    no_reason = _post(english, trainee, 0, outcome="confirmed", override="y", reason="  ")
    assert flashes(no_reason) == ["Write the reason for your decision."]
    assert 'name="override" value="y" checked' in main_html(no_reason)
    assert _rows(trainee.id) == []

    confirmed = _post(english, trainee, 0, outcome="confirmed", override="y", reason=reason)
    assert flashes(confirmed) == [RECORDED]
    (row,) = _rows(trainee.id)
    assert (row.outcome, row.override, row.previous_state) == ("confirmed", True, "in_progress")
    assert row.evidence["unmet"] == [
        "lessons",
        "module_quizzes",
        "final_exam",
        "scenarios",
        "typing",
        "live_roleplay",
    ]
    assert row.verification_code
    assert "override: confirmed with unmet criteria" in text_of(main_html(confirmed))


def test_a_ready_trainee_needs_no_override_and_none_is_recorded(english, trainee, live_content):
    make_ready(trainee, live_content)
    page = main_html(english.get(f"/supervisor/trainees/{trainee.id}"))
    assert 'name="override"' not in page
    assert flashes(_post(english, trainee, 0, outcome="confirmed")) == [RECORDED]
    (row,) = _rows(trainee.id)
    assert (row.override, row.previous_state, row.evidence["unmet"]) == (False, "ready", [])


# --------------------------------------------------------------------------- conflicts


def test_of_two_forms_shown_at_once_only_the_first_is_recorded(
    client, auth, trainee, supervisor, live_content
):
    make_ready(trainee, live_content)
    make_admin("ada")
    # Both open the page while nothing is decided: both forms carry sequence 0.
    auth.login(supervisor.username)
    client.post("/language", data={"locale": "en"})
    assert 'name="sequence" value="0"' in main_html(
        client.get(f"/supervisor/trainees/{trainee.id}")
    )
    first = _post(client, trainee, 0, outcome="failed", reason="多次违规。")
    assert flashes(first) == [RECORDED]

    auth.logout()
    auth.login("ada")
    client.post("/language", data={"locale": "en"})
    later = (trainee.probation_end + timedelta(days=30)).isoformat()
    second = _post(client, trainee, 0, outcome="extended", new_end=later, reason="再给一个月。")
    assert second.status_code == 409 and flashes(second) == [CONFLICT]
    assert [row.outcome for row in _rows(trainee.id)] == ["failed"]
    assert _end_of(trainee) == trainee.probation_end
    page = main_html(second)
    # What they typed is kept; the form now carries the sequence of the decision they saw.
    assert "再给一个月。</textarea>" in page and 'name="sequence" value="1"' in page
    assert "多次违规。" in text_of(page)


@pytest.mark.parametrize("sequence", ["", "abc", "-1", "7"])
def test_a_form_without_a_current_sequence_is_a_conflict(english, trainee, sequence):
    response = _post(english, trainee, sequence, outcome="failed")
    assert response.status_code == 409 and flashes(response) == [CONFLICT]
    assert _rows(trainee.id) == []


def test_a_racing_insert_is_a_clean_conflict_and_writes_nothing(
    trainee, supervisor, live_content, monkeypatch
):
    """Two writers read the same latest sequence; the unique (trainee, sequence) pair stops the
    second even where no lock held it back."""
    old_end = trainee.probation_end
    services.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="extended", reason="先延期。",
        live=live_content, new_end=old_end + timedelta(days=10), seen_sequence=0,
    )  # fmt: skip
    # The second writer read the sequence before the first committed.
    monkeypatch.setattr(services, "current_sequence", lambda trainee_id: 0)
    with pytest.raises(services.DecisionConflict):
        services.record_decision(
            trainee=trainee, decided_by=supervisor, outcome="extended", reason="再延期。",
            live=live_content, new_end=old_end + timedelta(days=40), seen_sequence=0,
        )  # fmt: skip
    monkeypatch.undo()
    assert [row.reason for row in _rows(trainee.id)] == ["先延期。"]
    assert _end_of(trainee) == old_end + timedelta(days=10)  # the extension was rolled back
    assert db.session.get(type(trainee), trainee.id) is not None  # the session is usable


# --------------------------------------------------------------------------- reversals


def test_a_reversal_is_a_new_entry_and_the_old_ones_stay(english, trainee, live_content):
    _post(english, trainee, 0, outcome="failed", reason="未达标。")
    # Confirming after a fail needs the override while criteria are unmet.
    refused = _post(english, trainee, 1, outcome="confirmed", reason="复核后改判。")
    assert flashes(refused) == [OVERRIDE_NEEDED]
    make_ready(trainee, live_content)
    assert flashes(_post(english, trainee, 1, outcome="confirmed", reason="复核后改判。")) == [
        RECORDED
    ]
    assert flashes(_post(english, trainee, 2, outcome="failed")) == [ALREADY_DECIDED]
    assert flashes(_post(english, trainee, 2, outcome="revoked", reason="发现违规。")) == [RECORDED]
    rows = _rows(trainee.id)
    assert [(r.sequence, r.previous_state, r.outcome, r.override) for r in rows] == [
        (1, "in_progress", "failed", False),
        (2, "failed", "confirmed", False),
        (3, "confirmed", "revoked", False),
    ]
    assert english.get(f"/certificate/{trainee.id}").status_code == 404


def test_nothing_can_be_revoked_before_a_confirmation(english, trainee):
    response = _post(english, trainee, 0, outcome="revoked")
    assert flashes(response) == ["Only a confirmation can be revoked."]
    assert _rows(trainee.id) == []


def test_recorded_decisions_cannot_be_changed_or_deleted(trainee, supervisor, live_content):
    services.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="failed", reason="原因", live=live_content
    )
    (row,) = _rows(trainee.id)
    row.reason = "改写"
    with pytest.raises(AuditEntryChanged):
        db.session.commit()
    db.session.rollback()
    db.session.delete(row)
    with pytest.raises(AuditEntryChanged):
        db.session.commit()
    db.session.rollback()
    assert [r.reason for r in _rows(trainee.id)] == ["原因"]


# --------------------------------------------------------------------------- certificate


def _confirm(trainee, supervisor, live):
    make_ready(trainee, live)
    return services.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="confirmed", reason="准予转正。", live=live
    )


def test_the_certificate_shows_a_code_anyone_can_check(
    english, client, auth, trainee, supervisor, live_content
):
    decision = _confirm(trainee, supervisor, live_content)
    code = decision.verification_code
    assert len(code) >= 20
    page = text_of(main_html(english.get(f"/certificate/{trainee.id}")))
    assert code in page and f"/verify/{code}" in page

    auth.logout()  # a signed-out visitor
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200
    shown = text_of(main_html(response))
    assert "Amy Trainee" in shown and "Valid: confirmed" in shown
    # Nothing but the name, the date and the status.
    for private in ("准予转正。", "Sam Supervisor", "amy", trainee.email or "@", "Typing"):
        assert private not in shown


def test_a_revoked_certificate_says_so_and_unknown_codes_reveal_nothing(
    client, trainee, supervisor, live_content
):
    decision = _confirm(trainee, supervisor, live_content)
    services.record_decision(
        trainee=trainee, decided_by=supervisor, outcome="revoked", reason="撤销", live=live_content
    )
    client.post("/language", data={"locale": "en"})
    shown = text_of(main_html(client.get(f"/verify/{decision.verification_code}")))
    assert "Revoked: no longer valid" in shown and "Amy Trainee" in shown

    for code in ("nope", decision.verification_code[:-1], "x" * 200):
        missing = client.get(f"/verify/{code}")
        assert missing.status_code == 404
        assert "Amy" not in missing.get_data(as_text=True)


def test_a_new_confirmation_gets_a_new_code_and_the_old_one_is_revoked(
    client, trainee, supervisor, live_content
):
    first = _confirm(trainee, supervisor, live_content)
    for outcome in ("revoked", "confirmed"):
        services.record_decision(
            trainee=trainee, decided_by=supervisor, outcome=outcome, reason="复核",
            live=live_content,
        )  # fmt: skip
    latest = _rows(trainee.id)[-1]
    assert latest.verification_code not in (None, first.verification_code)
    client.post("/language", data={"locale": "en"})
    assert "Revoked" in text_of(main_html(client.get(f"/verify/{first.verification_code}")))
    assert "Valid" in text_of(main_html(client.get(f"/verify/{latest.verification_code}")))


def test_the_verify_page_is_rate_limited(make_app):
    app = make_app(VERIFY_LIMIT_PER_CLIENT="3 per minute")
    client = app.test_client()
    with app.app_context():
        statuses = [client.get(f"/verify/guess-{n}").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]


# --------------------------------------------------------------------------- the log


def test_admins_read_the_log_filtered_and_paginated(client, auth, supervisor, live_content):
    north, south = make_cohort("North"), make_cohort("South")
    amy = make_trainee("amy2", name="Amy North", supervisor=supervisor, cohort=north,
                       hire_date=hired_ago(20))  # fmt: skip
    bob = make_trainee("bob", name="Bob South", supervisor=supervisor, cohort=south,
                       hire_date=hired_ago(20))  # fmt: skip
    end = bob.probation_end
    for n in range(AUDIT_PAGE_SIZE + 2):
        services.record_decision(
            trainee=bob, decided_by=supervisor, outcome="extended", reason=f"延期 {n}",
            live=live_content, new_end=end + timedelta(days=n + 1),
        )  # fmt: skip
    services.record_decision(
        trainee=amy, decided_by=supervisor, outcome="failed", reason="不通过：多次违规",
        live=live_content,
    )  # fmt: skip
    admin = make_admin()
    auth.login(admin.username)
    client.post("/language", data={"locale": "en"})

    first = main_html(client.get("/admin/probation-log"))
    assert first.count('class="audit-entry"') == AUDIT_PAGE_SIZE
    assert "不通过：多次违规" in first and "Page 1 of 2" in text_of(first)
    assert "<details>" in first and "Evidence at the time" in first  # the snapshot folds out
    second = main_html(client.get("/admin/probation-log?page=2"))
    assert second.count('class="audit-entry"') == 3 and "延期 0" in second

    north_only = main_html(client.get(f"/admin/probation-log?cohort={north.id}"))
    assert north_only.count('class="audit-entry"') == 1 and "Amy North" in north_only
    bob_only = main_html(client.get(f"/admin/probation-log?trainee={bob.id}&page=2"))
    assert bob_only.count('class="audit-entry"') == 2 and "多次违规" not in bob_only
    assert "by Sam Supervisor" in text_of(bob_only) and "In progress → extended" in text_of(
        bob_only
    )


def test_the_log_is_for_admins_only(client, auth, supervisor, trainee, live_content):
    auth.login(supervisor.username)
    assert client.get("/admin/probation-log").status_code == 403
    auth.logout()
    auth.login(trainee.username)
    assert client.get("/admin/probation-log").status_code == 403


def test_a_supervisor_sees_the_history_of_their_trainee_but_not_of_others(
    english, client, trainee, supervisor, live_content
):
    other_supervisor = make_supervisor("tom")
    other = make_trainee("cat", supervisor=other_supervisor, hire_date=hired_ago(20))
    services.record_decision(
        trainee=trainee,
        decided_by=supervisor,
        outcome="failed",
        reason="我的学员",
        live=live_content,
    )
    services.record_decision(
        trainee=other, decided_by=other_supervisor, outcome="failed", reason="别人的",
        live=live_content,
    )  # fmt: skip
    page = text_of(main_html(english.get(f"/supervisor/trainees/{trainee.id}")))
    assert "我的学员" in page and "In progress → not passed" in page and "UTC" in page
    assert english.get(f"/supervisor/trainees/{other.id}").status_code == 404
    assert today().isoformat() in page
