"""`flask accounts ...` and `flask demo`."""

from sqlalchemy import func, select

from tests.factories import make_supervisor
from training.accounts.models import Cohort, User
from training.extensions import db


def test_accounts_create_prints_a_one_time_password(runner):
    result = runner.invoke(
        args=["accounts", "create", "--username", "amy", "--name", "Amy", "--role", "supervisor"]
    )
    assert result.exit_code == 0, result.output
    assert "one-time password:" in result.output
    assert db.session.scalars(select(User).filter_by(username="amy")).one().is_supervisor


def test_accounts_create_refuses_a_taken_username(runner):
    make_supervisor("amy")
    result = runner.invoke(args=["accounts", "create", "--username", "amy", "--name", "Amy"])
    assert result.exit_code != 0 and "taken" in result.output


def test_accounts_import_is_all_or_nothing(runner, tmp_path):
    make_supervisor("sup")
    good = tmp_path / "good.csv"
    good.write_text(
        "name,username,email,hire_date,supervisor\nA,a1,,2026-11-01,sup\n", encoding="utf-8"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,username,email,hire_date,supervisor\nB,b1,,2026-11-01,sup\nC,c1,,2026-13-01,sup\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["accounts", "import", str(bad), "--cohort", "Spring"])
    assert result.exit_code != 0
    assert "row 3: bad hire date" in result.output
    assert db.session.scalar(select(func.count(User.id)).filter_by(username="b1")) == 0
    assert db.session.scalar(select(func.count(Cohort.id)).filter_by(name="Spring")) == 0
    result = runner.invoke(args=["accounts", "import", str(good), "--cohort", "Spring"])
    assert result.exit_code == 0, result.output
    assert "imported 1 trainee(s) into Spring" in result.output


def test_demo_is_idempotent(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == count == 9
    assert "kefu-demo-2026" in second.output
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {"admin": 1, "supervisor": 2, "trainee": 6}


def test_demo_gives_some_trainees_progress_once_content_is_live(runner, live_content):
    from training.curriculum.models import LessonProgress

    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    done = db.session.scalar(select(func.count(LessonProgress.id)))
    first_module = len(live_content.curriculum.modules[0].lessons)
    assert done >= first_module
    wang = db.session.scalars(select(User).filter_by(username="wang")).one()
    read = db.session.scalar(select(func.count(LessonProgress.id)).filter_by(user_id=wang.id))
    assert read == sum(len(m.lessons) for m in live_content.curriculum.modules[:2])
