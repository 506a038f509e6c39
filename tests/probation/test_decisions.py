"""The supervisor's probation decisions: confirm, extend or fail, each kept with its evidence."""

import re
import threading
from datetime import timedelta

import pytest

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.probation.conftest import hired_ago
from tests.probation.helpers import (
    ALREADY_DECIDED,
    CERTIFICATE,
    CHOOSE_OUTCOME,
    NEW_END_NEEDED,
    NOT_READY,
    REASON_NEEDED,
    RECORDED,
    flashes,
    main_html,
    make_ready,
    text_of,
)
from training.accounts.models import User
from training.clock import today
from training.curriculum.queries import live_release
from training.extensions import db
from training.probation import services
from training.probation.models import ProbationDecision
from training.probation.services import current_sequence

NOT_LATER = "An extension needs a new end date after the current end."


def _decide(client, who, outcome, reason="表现稳定，达到转正要求。", **fields):
    """Post the decision form on `who`'s page as it stands now (its decision sequence number
    included); any extra form fields are sent as they are."""
    data = {"outcome": outcome, "reason": reason, "sequence": current_sequence(who.id), **fields}
    return client.post(f"/probation/{who.id}/decide", data=data, follow_redirects=True)


def _rows(trainee_id=None) -> list[ProbationDecision]:
    db.session.expire_all()
    query = ProbationDecision.query
    if trainee_id is not None:
        query = query.filter_by(trainee_id=trainee_id)
    return query.order_by(ProbationDecision.id).all()


def _columns(row: ProbationDecision) -> dict:
    return {column.name: getattr(row, column.key) for column in ProbationDecision.__table__.c}


def _end_of(trainee):
    db.session.expire_all()
    return db.session.get(type(trainee), trainee.id).probation_end


def test_a_trainee_who_is_not_ready_cannot_be_confirmed_without_an_override(as_supervisor, trainee):
    as_supervisor.post("/language", data={"locale": "en"})
    page = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    assert 'name="override"' in page  # offered, unticked
    response = _decide(as_supervisor, trainee, "confirmed", "她在实际工作中表现出色。")
    assert response.status_code == 422
    assert flashes(response) == [NOT_READY]
    assert _rows() == []
    page = main_html(response)
    assert "In progress" in text_of(page)
    # The form keeps what was typed and chosen.
    assert "她在实际工作中表现出色。</textarea>" in page
    assert 'value="confirmed" checked' in page


def test_extension_moves_the_end_and_keeps_the_old_one(as_supervisor, client, auth, trainee):
    old_end = trainee.probation_end
    new_end = old_end + timedelta(days=30)
    reason = "打字还不够快，延长一个月。"
    response = _decide(as_supervisor, trainee, "extended", reason, new_end=new_end.isoformat())
    assert flashes(response) == [RECORDED]
    assert _end_of(trainee) == new_end
    (row,) = _rows()
    assert (row.outcome, row.previous_end, row.new_end) == ("extended", old_end, new_end)
    assert row.reason == "打字还不够快，延长一个月。"
    assert row.evidence["state"] == "in_progress"
    # An extension does not end probation: the form is still there.
    assert 'name="outcome"' in main_html(response)
    assert "打字还不够快，延长一个月。" in text_of(main_html(response))

    auth.logout()
    auth.login(trainee.username)
    page = text_of(main_html(client.get("/probation")))
    assert "已延期" in page and "打字还不够快，延长一个月。" in page
    assert f"还剩 {(new_end - today()).days} 天" in page


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reason_is_required(as_supervisor, trainee, reason):
    old_end = trainee.probation_end
    new_end = (old_end + timedelta(days=30)).isoformat()
    response = _decide(as_supervisor, trainee, "extended", reason, new_end=new_end)
    assert flashes(response) == [REASON_NEEDED]
    assert _rows() == [] and _end_of(trainee) == old_end


@pytest.mark.parametrize("new_end", [None, "", "not-a-date", "2026-02-30", "today", "yesterday"])
def test_an_extension_needs_a_valid_future_date(as_supervisor, trainee, new_end):
    old_end = trainee.probation_end
    fields = {}
    if new_end == "today":
        fields["new_end"] = today().isoformat()
    elif new_end == "yesterday":
        fields["new_end"] = (today() - timedelta(days=1)).isoformat()
    elif new_end is not None:
        fields["new_end"] = new_end
    response = _decide(as_supervisor, trainee, "extended", **fields)
    assert flashes(response) == [NEW_END_NEEDED]
    assert _rows() == [] and _end_of(trainee) == old_end


def test_an_extension_cannot_move_the_end_earlier(as_supervisor, trainee):
    assert as_supervisor.post("/language", data={"locale": "en"}).status_code == 302
    old_end = trainee.probation_end
    for day in (old_end - timedelta(days=10), old_end):
        response = _decide(as_supervisor, trainee, "extended", new_end=day.isoformat())
        assert flashes(response) == [NOT_LATER]
    assert _rows() == [] and _end_of(trainee) == old_end


def test_an_overdue_trainee_can_be_extended_to_any_future_date(as_supervisor, trainee):
    trainee.probation_end = today() - timedelta(days=5)
    db.session.commit()
    new_end = today() + timedelta(days=14)
    response = _decide(as_supervisor, trainee, "extended", new_end=new_end.isoformat())
    assert flashes(response) == [RECORDED]
    assert _end_of(trainee) == new_end
    assert _rows()[0].previous_end == today() - timedelta(days=5)


def test_an_unknown_outcome_is_refused(as_supervisor, trainee):
    for outcome in ("", "promoted"):
        assert flashes(_decide(as_supervisor, trainee, outcome)) == [CHOOSE_OUTCOME]
    assert _rows() == []


def test_a_ready_trainee_is_confirmed_and_only_a_revocation_can_follow(
    as_supervisor, trainee, live_content
):
    make_ready(trainee, live_content)
    page = main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}"))
    assert 'value="confirmed" disabled' not in page and 'value="confirmed"' in page
    response = _decide(as_supervisor, trainee, "confirmed", "全部达标，准予转正。")
    assert flashes(response) == [RECORDED]
    (row,) = _rows()
    assert (row.outcome, row.decided_by_id, row.trainee_id) == (
        "confirmed",
        trainee.supervisor_id,
        trainee.id,
    )
    assert row.new_end is None and row.previous_end == trainee.probation_end
    page = main_html(response)
    assert "已有结论" in page and ALREADY_DECIDED in text_of(page)
    # Only the reversal is offered now: revoking the confirmation.
    assert re.findall(r'name="outcome" value="(\w+)"', page) == ["revoked"]
    assert f'href="/certificate/{trainee.id}"' in page

    later = (trainee.probation_end + timedelta(days=30)).isoformat()
    for outcome, fields in (("confirmed", {}), ("extended", {"new_end": later}), ("failed", {})):
        assert flashes(_decide(as_supervisor, trainee, outcome, **fields)) == [ALREADY_DECIDED]
    assert len(_rows()) == 1


def test_the_trainee_sees_the_decision_and_the_certificate(
    as_supervisor, client, auth, trainee, live_content
):
    make_ready(trainee, live_content)
    _decide(as_supervisor, trainee, "confirmed", "全部达标，准予转正。")
    auth.logout()
    auth.login(trainee.username)
    html = main_html(client.get("/probation"))
    page = text_of(html)
    assert "你的试用期已有结论：已转正。" in page
    assert "已转正" in page and "全部达标，准予转正。" in page
    assert f'href="/certificate/{trainee.id}"' in html and "我的证书" in page

    certificate = client.get(f"/certificate/{trainee.id}")
    assert certificate.status_code == 200
    page = text_of(main_html(certificate))
    assert CERTIFICATE in page and "Amy Trainee" in page and "Sam Supervisor" in page
    assert "全部达标，准予转正。" in page
    # The supervisor can open it too.
    auth.logout()
    auth.login("sam")
    assert client.get(f"/certificate/{trainee.id}").status_code == 200


def test_no_certificate_before_confirmation_or_for_others(
    as_supervisor, client, auth, trainee, supervisor, live_content
):
    other = make_trainee("bob", supervisor=supervisor, hire_date=hired_ago(20))
    make_ready(other, live_content)
    assert client.get(f"/certificate/{trainee.id}").status_code == 404  # nothing decided
    _decide(as_supervisor, other, "confirmed")
    _decide(as_supervisor, trainee, "failed", "多次违规。")
    assert client.get(f"/certificate/{trainee.id}").status_code == 404  # failed
    assert client.get(f"/certificate/{other.id}").status_code == 200

    auth.logout()
    auth.login(trainee.username)
    page = text_of(main_html(client.get("/probation")))
    assert "你的试用期已有结论：未通过。" in page and "我的证书" not in page
    assert client.get(f"/certificate/{trainee.id}").status_code == 404
    assert client.get(f"/certificate/{other.id}").status_code == 404  # someone else's

    auth.logout()
    make_supervisor("tom")
    auth.login("tom")
    assert client.get(f"/certificate/{other.id}").status_code == 404  # not their trainee


def test_a_supervisor_cannot_decide_on_another_supervisors_trainee(
    client, auth, trainee, live_content
):
    make_ready(trainee, live_content)
    make_supervisor("tom")
    auth.login("tom")
    response = client.post(
        f"/probation/{trainee.id}/decide", data={"outcome": "confirmed", "reason": "好"}
    )
    assert response.status_code == 404
    assert client.get(f"/supervisor/trainees/{trainee.id}").status_code == 404
    assert _rows() == []


def test_nobody_decides_on_themselves(client, auth, supervisor, trainee, live_content):
    auth.login(supervisor.username)
    data = {"outcome": "failed", "reason": "自己"}
    assert client.post(f"/probation/{supervisor.id}/decide", data=data).status_code == 404
    auth.logout()
    admin = make_admin()
    auth.login(admin.username)
    assert client.post(f"/probation/{admin.id}/decide", data=data).status_code == 404
    # The service refuses it too, whatever the caller.
    with pytest.raises(services.DecisionRefused, match="self"):
        services.record_decision(
            trainee=trainee, decided_by=trainee, outcome="failed", reason="x", live=live_content
        )
    assert _rows() == []


def test_trainees_cannot_decide(signed_in, trainee):
    data = {"outcome": "failed", "reason": "x"}
    assert signed_in.post(f"/probation/{trainee.id}/decide", data=data).status_code == 403
    assert _rows() == []


def test_an_admin_can_decide_on_any_trainee(client, auth, trainee, live_content):
    make_ready(trainee, live_content)
    admin = make_admin()
    auth.login(admin.username)
    response = _decide(client, trainee, "confirmed", "管理员确认。")
    assert flashes(response) == [RECORDED]
    (row,) = _rows()
    assert row.decided_by_id == admin.id and row.outcome == "confirmed"
    assert client.get(f"/certificate/{trainee.id}").status_code == 200


def test_extra_and_tampered_fields_are_ignored(as_supervisor, trainee, supervisor):
    other_supervisor = make_supervisor("tom")
    other = make_trainee("bob", supervisor=supervisor, hire_date=hired_ago(20))
    old_end = trainee.probation_end
    new_end = old_end + timedelta(days=30)
    tampered = {
        "decided_by": str(other_supervisor.id),
        "decided_by_id": str(other_supervisor.id),
        "trainee": str(other.id),
        "trainee_id": str(other.id),
        "previous_end": "2020-01-01",
        "evidence": '{"state": "ready"}',
        "decided_at": "2020-01-01T00:00:00",
    }
    response = _decide(as_supervisor, trainee, "extended", new_end=new_end.isoformat(), **tampered)
    assert flashes(response) == [RECORDED]
    (row,) = _rows()
    assert (row.trainee_id, row.decided_by_id) == (trainee.id, supervisor.id)
    assert row.previous_end == old_end and row.evidence["state"] == "in_progress"
    assert row.decided_at.date() == today()
    assert _rows(other.id) == [] and _end_of(other) == other.probation_end


def test_every_decision_keeps_its_evidence_and_is_never_changed(
    as_supervisor, trainee, live_content
):
    old_end = trainee.probation_end
    first_end = old_end + timedelta(days=30)
    _decide(as_supervisor, trainee, "extended", "还没准备好。", new_end=first_end.isoformat())
    (extension,) = _rows()
    saved = _columns(extension)
    criteria = {c["key"]: c for c in extension.evidence["criteria"]}
    assert list(criteria) == [
        "lessons",
        "module_quizzes",
        "final_exam",
        "scenarios",
        "typing",
        "live_roleplay",
    ]
    assert criteria["lessons"] == {
        "key": "lessons",
        "state": "not_met",
        "progress": 0.0,
        "detail": {"done": 0, "total": 41},
    }
    assert criteria["live_roleplay"]["state"] == "not_met"

    make_ready(trainee, live_content)
    second_end = first_end + timedelta(days=10)
    _decide(as_supervisor, trainee, "extended", "再观察十天。", new_end=second_end.isoformat())
    _decide(as_supervisor, trainee, "confirmed", "准予转正。")
    rows = _rows()
    assert [r.outcome for r in rows] == ["extended", "extended", "confirmed"]
    assert _columns(rows[0]) == saved  # the earlier rows are untouched
    assert (rows[1].previous_end, rows[1].new_end) == (first_end, second_end)
    assert rows[1].evidence["state"] == "ready" and rows[2].evidence["state"] == "ready"
    confirmed = {c["key"]: c for c in rows[2].evidence["criteria"]}
    assert confirmed["lessons"]["detail"] == {"done": 41, "total": 41}
    assert confirmed["typing"]["state"] == "met"
    assert confirmed["scenarios"]["detail"]["todo"] == []
    assert _end_of(trainee) == second_end

    # The supervisor's page lists the whole trail, newest first.
    page = text_of(main_html(as_supervisor.get(f"/supervisor/trainees/{trainee.id}")))
    assert page.index("准予转正。") < page.index("再观察十天。") < page.index("还没准备好。")


def test_two_decisions_sent_at_once_are_taken_one_after_the_other(app, trainee, live_content):
    """A double click (or two supervisors at once) records one confirmation, not two."""
    make_ready(trainee, live_content)
    ids = trainee.id, trainee.supervisor_id
    start, results = threading.Barrier(2), []

    def confirm(n):
        with app.app_context():
            person, supervisor = db.session.get(User, ids[0]), db.session.get(User, ids[1])
            live = live_release()
            start.wait()
            try:
                services.record_decision(
                    trainee=person,
                    decided_by=supervisor,
                    outcome="confirmed",
                    reason=f"第{n}次",
                    live=live,
                )
                results.append("recorded")
            except services.DecisionRefused as refusal:
                results.append(str(refusal))

    threads = [threading.Thread(target=confirm, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["decided", "recorded"]
    assert [row.outcome for row in _rows()] == ["confirmed"]
