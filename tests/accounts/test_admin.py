"""The admin's account pages: create, import a cohort, disable, reset."""

import io
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.factories import make_admin, make_cohort, make_supervisor, make_trainee
from training.accounts.models import Cohort, User
from training.extensions import db


def _count_users():
    return db.session.scalar(select(func.count(User.id)))


def test_admin_creates_a_trainee_with_a_one_time_password(client, auth):
    make_admin()
    cohort = make_cohort(probation_days=60)
    supervisor = make_supervisor()
    auth.login("boss")
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "王小雨",
            "username": "WangXY",
            "email": "w@example.com",
            "role": "trainee",
            "cohort_id": cohort.id,
            "supervisor_id": supervisor.id,
            "hire_date": "2026-11-02",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "wangxy" in page
    trainee = db.session.scalars(select(User).filter_by(username="wangxy")).one()
    assert trainee.must_change_password
    assert trainee.probation_end == date(2026, 11, 2) + timedelta(days=60)
    assert trainee.supervisor_id == supervisor.id


def test_default_probation_is_ninety_days(app):
    trainee = make_trainee(hire_date=date(2026, 1, 1))
    assert trainee.probation_end == date(2026, 4, 1)


def test_rejected_account_form_keeps_what_was_typed(client, auth):
    make_admin()
    make_trainee("taken")
    auth.login("boss")
    response = client.post(
        "/admin/accounts/new",
        data={
            "name": "Somebody New",
            "username": "taken",
            "email": "nb@example.com",
            "role": "trainee",
            "cohort_id": 0,
            "supervisor_id": 0,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "taken" in page and 'value="Somebody New"' in page and 'value="nb@example.com"' in page


CSV_OK = (
    "name,username,email,hire_date,supervisor\n"
    "王一,wang1,w1@example.com,2026-11-01,sup\n"
    "李二,li2,,2026-11-02,sup\n"
)


def _upload(client, text, cohort_id):
    return client.post(
        "/admin/accounts/import",
        data={"cohort_id": cohort_id, "file": (io.BytesIO(text.encode()), "cohort.csv")},
        content_type="multipart/form-data",
    )


def test_csv_import_creates_the_cohort(client, auth):
    make_admin()
    make_supervisor()
    cohort = make_cohort()
    auth.login("boss")
    response = _upload(client, CSV_OK, cohort.id)
    page = response.get_data(as_text=True)
    assert "wang1" in page and "li2" in page
    trainees = db.session.scalars(select(User).filter_by(cohort_id=cohort.id)).all()
    assert {t.username for t in trainees} == {"wang1", "li2"}


def test_csv_import_with_bad_rows_imports_nothing_and_names_each_row(client, auth):
    make_admin()
    make_supervisor()
    make_trainee("dup")
    cohort = make_cohort()
    auth.login("boss")
    before = _count_users()
    text = (
        "name,username,email,hire_date,supervisor\n"
        "好人,good,,2026-11-01,sup\n"
        "坏主管,bad1,,2026-11-01,ghost\n"
        "重名,dup,,2026-11-01,sup\n"
        "坏日期,bad3,,11/01/2026,sup\n"
    )
    page = _upload(client, text, cohort.id).get_data(as_text=True)
    assert _count_users() == before
    assert "row 3: unknown supervisor &#39;ghost&#39;" in page
    assert "row 4: username &#39;dup&#39; is taken" in page
    assert "row 5: bad hire date" in page
    assert "row 2" not in page


def test_admin_disables_and_reenables_an_account(client, auth):
    make_admin()
    trainee = make_trainee("amy")
    auth.login("boss")
    client.post(f"/admin/accounts/{trainee.id}/active", data={"active": "0"})
    assert not db.session.get(User, trainee.id).active
    client.post(f"/admin/accounts/{trainee.id}/active", data={"active": "1"})
    assert db.session.get(User, trainee.id).active


def test_admin_cannot_disable_themselves(client, auth):
    admin = make_admin()
    auth.login("boss")
    client.post(f"/admin/accounts/{admin.id}/active", data={"active": "0"})
    assert db.session.get(User, admin.id).active


def test_reset_password_gives_a_new_one_time_password(app, client, auth):
    make_admin()
    trainee = make_trainee("amy")
    auth.login("boss")
    page = client.post(f"/admin/accounts/{trainee.id}/reset-password").get_data(as_text=True)
    one_time = page.split("<code>")[1].split("</code>")[0]
    other = app.test_client()
    other.post("/login", data={"username": "amy", "password": one_time})
    assert other.get("/path").headers["Location"] == "/password"


def test_admin_creates_a_cohort_and_duplicate_names_are_refused(client, auth):
    make_admin()
    auth.login("boss")
    client.post("/admin/cohorts", data={"name": "2026 秋", "probation_days": 45})
    response = client.post("/admin/cohorts", data={"name": "2026 秋", "probation_days": 30})
    assert "已有同名批次" in response.get_data(as_text=True)


def test_account_list_filters_by_role(client, auth):
    make_admin()
    make_supervisor("sup1")
    make_trainee("amy")
    auth.login("boss")
    page = client.get("/admin/accounts?role=supervisor").get_data(as_text=True)
    assert "sup1" in page and "amy" not in page


def test_wtforms_own_messages_follow_the_interface_language(client, auth):
    make_admin()
    auth.login("boss")
    assert client.post("/language", data={"locale": "zh_CN"}).status_code == 302
    response = client.post("/admin/cohorts", data={"name": "2026 冬", "probation_days": "三十"})
    html = response.get_data(as_text=True)
    assert "不是有效的整数" in html and "Not a valid integer value." not in html
    assert 'name="probation_days"' in html and 'value="三十"' in html  # what was typed stays
    assert 'value="2026 冬"' in html
    # The same worker, the other language: each language has its own catalogue.
    assert client.post("/language", data={"locale": "en"}).status_code == 302
    html = client.post("/admin/cohorts", data={"name": "x", "probation_days": "x"}).get_data(
        as_text=True
    )
    assert "Not a valid integer value." in html and "不是有效的整数" not in html
    assert db.session.scalar(select(func.count(Cohort.id))) == 0
