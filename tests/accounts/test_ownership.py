"""Supervisors reach only their own trainees; admins reach all."""

from tests.factories import make_admin, make_supervisor, make_trainee


def test_supervisor_sees_only_their_trainees(client, auth):
    lin = make_supervisor("lin")
    zhou = make_supervisor("zhou")
    mine = make_trainee("mine", supervisor=lin)
    theirs = make_trainee("theirs", supervisor=zhou)
    auth.login("lin")
    listing = client.get("/supervisor/trainees").get_data(as_text=True)
    assert "Mine" in listing and "Theirs" not in listing
    assert client.get(f"/supervisor/trainees/{mine.id}").status_code == 200
    assert client.get(f"/supervisor/trainees/{theirs.id}").status_code == 404
    assert client.get(f"/supervisor/trainees/{lin.id}").status_code == 404


def test_admin_sees_every_trainee(client, auth):
    zhou = make_supervisor("zhou")
    theirs = make_trainee("theirs", supervisor=zhou)
    make_admin()
    auth.login("boss")
    assert "Theirs" in client.get("/supervisor/trainees").get_data(as_text=True)
    assert client.get(f"/supervisor/trainees/{theirs.id}").status_code == 200
