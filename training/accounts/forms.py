"""Forms for signing in, passwords and account administration."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from training.accounts.models import ADMIN, SUPERVISOR, TRAINEE
from training.core.forms import TranslatedForm


class LoginForm(TranslatedForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(TranslatedForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("Use at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("Passwords differ."))],
    )


class AccountForm(TranslatedForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=80)])
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=2, max=40),
            Regexp(
                r"^[A-Za-z0-9._-]+$",
                message=_l("Letters, digits, dot, dash and underscore only."),
            ),
        ],
    )
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"),
        choices=[
            SelectChoice(TRAINEE, _l("Trainee")),
            SelectChoice(SUPERVISOR, _l("Supervisor")),
            SelectChoice(ADMIN, _l("Admin")),
        ],
    )
    cohort_id = SelectField(_l("Cohort"), coerce=int, choices=[])
    supervisor_id = SelectField(_l("Supervisor"), coerce=int, choices=[])
    hire_date = DateField(_l("Hire date"), validators=[Optional()])


class CohortForm(TranslatedForm):
    name = StringField(_l("Cohort name"), validators=[DataRequired(), Length(max=80)])
    probation_days = IntegerField(
        _l("Probation length (days)"),
        default=90,
        # InputRequired, not DataRequired: "abc" should read "not a valid integer", not "required".
        validators=[InputRequired(), NumberRange(min=1, max=365)],
    )


class ImportForm(TranslatedForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, choices=[])
    file = FileField(
        _l("CSV file"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("A .csv file, please."))],
    )
