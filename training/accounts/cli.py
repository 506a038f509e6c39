"""`flask accounts ...`: create accounts and import a cohort from the command line."""

from pathlib import Path

import click
from flask.cli import AppGroup

from training.accounts import queries, services
from training.accounts.models import ROLES

accounts_cli = AppGroup("accounts", help="Create and import accounts.")


@accounts_cli.command("create")
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), default="trainee", show_default=True)
@click.option("--email", default=None)
@click.option("--cohort", "cohort_name", default=None, help="Cohort name (created if new).")
@click.option("--supervisor", "supervisor_username", default=None)
@click.option("--hire-date", type=click.DateTime(["%Y-%m-%d"]), default=None)
def create_command(username, name, role, email, cohort_name, supervisor_username, hire_date):
    """Create one account and print its one-time password."""
    cohort = services.get_or_create_cohort(name=cohort_name) if cohort_name else None
    supervisor = services.find_user(supervisor_username) if supervisor_username else None
    if supervisor_username and (supervisor is None or not supervisor.is_supervisor):
        raise click.ClickException(f"unknown supervisor {supervisor_username!r}")
    try:
        user, one_time = services.create_user(
            name=name,
            username=username,
            role=role,
            email=email,
            cohort=cohort,
            supervisor=supervisor,
            hire_date=hire_date.date() if hire_date else None,
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{user.username}\t{user.role}\tone-time password: {one_time}")


@accounts_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cohort", "cohort_name", required=True, help="Cohort name (created if new).")
def import_command(csv_file: Path, cohort_name: str):
    """Import a cohort's trainees: name, username, email, hire_date, supervisor."""
    text = csv_file.read_text(encoding="utf-8-sig")
    existing = {c.name for c in queries.list_cohorts()}
    cohort = services.get_or_create_cohort(name=cohort_name)
    result = services.import_trainees_csv(text=text, cohort=cohort)
    if result.errors:
        if cohort_name.strip() not in existing:
            services.delete_empty_cohort(cohort=cohort)
        for line in result.errors:
            click.echo(f"{csv_file}: {line}", err=True)
        raise click.ClickException("nothing was imported")
    for user, one_time in result.created:
        click.echo(f"{user.username}\t{user.name}\tone-time password: {one_time}")
    click.echo(f"imported {len(result.created)} trainee(s) into {cohort.name}")
