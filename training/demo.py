"""`flask demo`: an idempotent set of demo accounts to try every role."""

from datetime import timedelta

import click
from flask.cli import with_appcontext

from training.accounts import services
from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE
from training.clock import today
from training.curriculum.queries import live_release
from training.curriculum.services import complete_lesson

DEMO_PASSWORD = "kefu-demo-2026"
DEMO_COHORT = "Demo cohort"

# (username, name, role, supervisor, days since hire)
DEMO_PEOPLE = (
    ("admin", "Admin 管理员", ADMIN, None, None),
    ("lin", "林静 Lin Jing", SUPERVISOR, None, None),
    ("zhou", "周强 Zhou Qiang", SUPERVISOR, None, None),
    ("wang", "王小雨 Wang Xiaoyu", TRAINEE, "lin", 10),
    ("chen", "陈晨 Chen Chen", TRAINEE, "lin", 25),
    ("li", "李娜 Li Na", TRAINEE, "lin", 60),
    ("zhao", "赵磊 Zhao Lei", TRAINEE, "zhou", 5),
    ("sun", "孙悦 Sun Yue", TRAINEE, "zhou", 40),
    ("wu", "吴迪 Wu Di", TRAINEE, "zhou", 85),
)


# How many modules' lessons each demo trainee has read, so the supervisor's table has a story.
DEMO_MODULES_READ = {"chen": 1, "li": 3, "sun": 2, "wu": 6}


def add_demo_progress() -> None:
    """Mark lessons read for some demo trainees (once a curriculum is published)."""
    live = live_release()
    if live is None:
        return
    for username, modules in DEMO_MODULES_READ.items():
        user = services.find_user(username)
        for module in live.curriculum.modules[:modules]:
            for lesson in module.lessons:
                complete_lesson(
                    user_id=user.id,
                    release_id=live.id,
                    module_slug=module.slug,
                    lesson_slug=lesson.slug,
                )


def create_demo_accounts() -> list[tuple[str, str]]:
    """Create whichever demo accounts are missing; return (username, role) of all of them."""
    cohort = services.get_or_create_cohort(name=DEMO_COHORT)
    for username, name, role, supervisor, days in DEMO_PEOPLE:
        if services.find_user(username):
            continue
        services.create_user(
            name=name,
            username=username,
            role=role,
            email=f"{username}@demo.kefu.example",
            cohort=cohort if role == TRAINEE else None,
            supervisor=services.find_user(supervisor) if supervisor else None,
            hire_date=today() - timedelta(days=days) if days is not None else None,
            password=DEMO_PASSWORD,
        )
    return [(username, role) for username, _, role, _, _ in DEMO_PEOPLE]


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the demo accounts (safe to run again) and print how to sign in."""
    accounts = create_demo_accounts()
    add_demo_progress()
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, role in accounts:
        click.echo(f"  {role:<11} {username}")
