"""Every route in the URL map, requested by each kind of visitor, gives the expected status.

A route added without an entry here fails `test_every_route_has_an_entry`, so access is
always decided on purpose.
"""

import pytest

from tests.factories import make_admin, make_supervisor, make_trainee
from tests.security.helpers import route_ids

ANON, TRAINEE, SUPERVISOR, ADMIN = "anonymous", "trainee", "supervisor", "admin"
ROLES = (ANON, TRAINEE, SUPERVISOR, ADMIN)


def everyone(status):
    return dict.fromkeys(ROLES, status)


def only(*allowed, ok=200):
    """Signed-in roles outside `allowed` get 403; anonymous visitors go to the sign-in page."""
    return {ANON: 302} | {role: ok if role in allowed else 403 for role in ROLES[1:]}


# endpoint: (method, path, {role: status})
ACCESS = {
    "static": ("GET", "/static/css/app.css", everyone(200)),
    "core.index": ("GET", "/", everyone(302)),
    "core.set_language": ("POST", "/language?locale=en", everyone(400)),
    "accounts.login": ("GET", "/login", {ANON: 200, TRAINEE: 302, SUPERVISOR: 302, ADMIN: 302}),
    "accounts.logout": ("POST", "/logout", everyone(302)),
    "accounts.change_password": ("GET", "/password", only(TRAINEE, SUPERVISOR, ADMIN)),
    "accounts.admin_index": ("GET", "/admin/accounts", only(ADMIN)),
    "accounts.admin_create": ("GET", "/admin/accounts/new", only(ADMIN)),
    "accounts.admin_import": ("GET", "/admin/accounts/import", only(ADMIN)),
    "accounts.admin_set_active": (
        "POST",
        "/admin/accounts/{trainee}/active",
        only(ADMIN, ok=302),
    ),
    "accounts.admin_reset_password": (
        "POST",
        "/admin/accounts/{trainee}/reset-password",
        only(ADMIN),
    ),
    "accounts.admin_cohorts": ("GET", "/admin/cohorts", only(ADMIN)),
    "curriculum.path": ("GET", "/path", only(TRAINEE)),
    "curriculum.catalogue": ("GET", "/catalogue", only(SUPERVISOR, ADMIN)),
    "curriculum.lesson": ("GET", "/lessons/welcome/the-shop", only(TRAINEE, SUPERVISOR, ADMIN)),
    "curriculum.complete": ("POST", "/lessons/welcome/the-shop/complete", only(TRAINEE, ok=302)),
    "curriculum.search": ("GET", "/search?q=refund", only(TRAINEE, SUPERVISOR, ADMIN)),
    "curriculum.glossary": ("GET", "/glossary", only(TRAINEE, SUPERVISOR, ADMIN)),
    "quizzes.overview": ("GET", "/quizzes/welcome", only(TRAINEE)),
    "quizzes.start": ("POST", "/quizzes/welcome/start", only(TRAINEE, ok=302)),
    "quizzes.take": ("GET", "/attempts/{attempt}", only(TRAINEE)),
    "quizzes.save": ("POST", "/attempts/{attempt}/save", only(TRAINEE)),
    "quizzes.submit": ("POST", "/attempts/{attempt}/submit", only(TRAINEE, ok=302)),
    "quizzes.review": ("GET", "/attempts/{submitted}/review", only(TRAINEE, SUPERVISOR, ADMIN)),
    "quizzes.practice": ("POST", "/attempts/{submitted}/practice", only(TRAINEE, ok=302)),
    "quizzes.start_review": ("POST", "/review", only(TRAINEE, ok=302)),
    "quizzes.statistics": ("GET", "/quizzes/statistics", only(SUPERVISOR, ADMIN)),
    "roleplay.index": ("GET", "/scenarios", only(TRAINEE, SUPERVISOR, ADMIN)),
    "roleplay.start": ("POST", "/scenarios/haggling-phone-case/start", only(TRAINEE, ok=302)),
    "roleplay.conversation": ("GET", "/conversations/{conversation}", only(TRAINEE)),
    "roleplay.reply": ("POST", "/conversations/{conversation}/reply", only(TRAINEE, ok=400)),
    "roleplay.end": ("POST", "/conversations/{conversation}/end", only(TRAINEE, ok=302)),
    "roleplay.result": (
        "GET",
        "/conversations/{finished}/result",
        only(TRAINEE, SUPERVISOR, ADMIN),
    ),
    # Sent empty, the review forms are refused (400) for whoever may review.
    "roleplay.comment_turn": (
        "POST",
        "/conversations/{finished}/turns/{turn}/comments",
        only(SUPERVISOR, ADMIN, ok=400),
    ),
    "roleplay.override_score": (
        "POST",
        "/conversations/{finished}/override",
        only(SUPERVISOR, ADMIN, ok=400),
    ),
    "roleplay.quick_replies": ("GET", "/quick-replies", only(TRAINEE)),
    "roleplay.delete_quick_reply": ("POST", "/quick-replies/{quick}/delete", only(TRAINEE, ok=302)),
    "live.index": ("GET", "/live/", only(TRAINEE, SUPERVISOR)),
    "live.open_session": ("POST", "/live/open", only(TRAINEE, SUPERVISOR, ok=400)),
    # The admin oversees the practising trainee: reads the room, writes nothing in it.
    "live.room": ("GET", "/live/{live}", only(TRAINEE, SUPERVISOR, ADMIN)),
    "live.messages": ("GET", "/live/{live}/messages?after=0", only(TRAINEE, SUPERVISOR, ADMIN)),
    "live.send": (
        "POST",
        "/live/{live}/messages",
        {ANON: 302, TRAINEE: 400, SUPERVISOR: 400, ADMIN: 403},
    ),
    "live.invite": ("POST", "/live/{live}/observers", only(TRAINEE, SUPERVISOR, ADMIN, ok=302)),
    "live.close": ("POST", "/live/{live}/close", only(TRAINEE, SUPERVISOR, ADMIN, ok=302)),
    "live.score": ("POST", "/live/{live}/scorecard", only(SUPERVISOR, ADMIN, ok=400)),
    "probation.checklist": ("GET", "/probation", only(TRAINEE)),
    "probation.typing": ("GET", "/typing", only(TRAINEE)),
    "probation.start_typing": ("POST", "/typing/start", only(TRAINEE, ok=302)),
    "probation.typing_test": ("GET", "/typing/{typing}", only(TRAINEE)),
    # An empty decision form is refused (no reason) and shown again.
    "probation.decide": ("POST", "/probation/{trainee}/decide", only(SUPERVISOR, ADMIN, ok=422)),
    "probation.certificate": (
        "GET",
        "/certificate/{trainee}",
        only(TRAINEE, SUPERVISOR, ADMIN, ok=404),
    ),
    # Public, no sign-in: an unknown code is a plain 404 for everyone.
    "probation.verify": ("GET", "/verify/no-such-code", everyone(404)),
    "probation.audit_log": ("GET", "/admin/probation-log", only(ADMIN)),
    "supervisor.trainees": ("GET", "/supervisor/trainees", only(SUPERVISOR, ADMIN)),
    "supervisor.trainee": ("GET", "/supervisor/trainees/{trainee}", only(SUPERVISOR, ADMIN)),
    "supervisor.trainees_csv": ("GET", "/supervisor/trainees.csv", only(SUPERVISOR, ADMIN)),
    "supervisor.charts": ("GET", "/supervisor/charts", only(SUPERVISOR, ADMIN)),
}


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(ACCESS), "add the new route to ACCESS with its expected statuses"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ACCESS))
def test_route_access(client, auth, live_content, endpoint, role):
    supervisor = make_supervisor()
    trainee = make_trainee(supervisor=supervisor)
    admin = make_admin()
    signed_in = {TRAINEE: trainee, SUPERVISOR: supervisor, ADMIN: admin}.get(role)
    if signed_in:
        auth.login(signed_in.username)
    method, path, expected = ACCESS[endpoint]
    ids = route_ids(trainee, live_content)
    response = client.open(path.format(**ids), method=method)
    response.close()
    assert response.status_code == expected[role]
