"""Sign-in, passwords and the admin's account pages."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from training.accounts import queries, services
from training.accounts.access import get_user_or_404, role_required
from training.accounts.forms import (
    AccountForm,
    ChangePasswordForm,
    CohortForm,
    ImportForm,
    LoginForm,
)
from training.accounts.models import ADMIN, Cohort
from training.core.routes import home_url_for
from training.core.security import safe_next_path
from training.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None
login_manager.session_protection = None  # the server-side session record does this job


@login_manager.user_loader
def load_user(user_id: str):
    """Flask-Login hook: the cookie's user, only while its server-side session is live."""
    session_id = session.get("sid")
    if not session_id or not user_id.isdigit():
        return None
    return services.live_session_user(session_id=session_id, user_id=int(user_id))


@bp.before_app_request
def require_password_change():
    """An account with a one-time password may do nothing else until it is changed."""
    allowed = {"accounts.change_password", "accounts.logout", "core.set_language", "static"}
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in allowed
    ):
        return redirect(url_for("accounts.change_password"))
    return None


def _account_key() -> str:
    return "account:" + services.normalise_username(request.form.get("username", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_CLIENT"], methods=["POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key, methods=["POST"]
)
def login():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(username=form.username.data, password=form.password.data)
        if user is not None:
            locale = session.get("locale")
            # A fresh cookie at sign-in: nothing from before it carries over (session fixation).
            session.clear()
            session["sid"] = services.start_session(user=user)
            session["locale"] = user.locale or locale
            session.permanent = True
            login_user(user)
            return redirect(safe_next_path(request.args.get("next")) or home_url_for(user))
        flash(_("Wrong username or password."), "error")
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    services.end_session(session_id=session.get("sid"))
    logout_user()
    locale = session.get("locale")
    session.clear()
    session["locale"] = locale
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                user=current_user,
                current=form.current_password.data,
                new=form.new_password.data,
                keep_session=session.get("sid"),
            )
        except services.AccountError:
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(home_url_for(current_user))
    return render_template("accounts/change_password.html", form=form)


@bp.get("/admin/accounts")
@role_required(ADMIN)
def admin_index():
    role = request.args.get("role") or None
    cohort_id = request.args.get("cohort", type=int)
    return render_template(
        "accounts/admin_index.html",
        users=queries.list_accounts(role=role, cohort_id=cohort_id),
        cohorts=queries.list_cohorts(),
        role=role,
        cohort_id=cohort_id,
    )


def _fill_account_choices(form: AccountForm) -> None:
    none = SelectChoice(0, "—")
    form.cohort_id.choices = [none] + [SelectChoice(c.id, c.name) for c in queries.list_cohorts()]
    form.supervisor_id.choices = [none] + [
        SelectChoice(s.id, f"{s.name} ({s.username})") for s in queries.list_supervisors()
    ]


@bp.route("/admin/accounts/new", methods=["GET", "POST"])
@role_required(ADMIN)
def admin_create():
    form = AccountForm()
    _fill_account_choices(form)
    if form.validate_on_submit():
        try:
            user, one_time = services.create_user(
                name=form.name.data,
                username=form.username.data,
                email=form.email.data,
                role=form.role.data,
                cohort=db.session.get(Cohort, form.cohort_id.data),
                supervisor=queries.get_supervisor(form.supervisor_id.data),
                hire_date=form.hire_date.data,
            )
        except services.AccountError as error:
            form.username.errors.append(str(error))
        else:
            return render_template("accounts/created.html", created=[(user, one_time)])
    return render_template("accounts/admin_form.html", form=form)


@bp.route("/admin/accounts/import", methods=["GET", "POST"])
@role_required(ADMIN)
def admin_import():
    form = ImportForm()
    form.cohort_id.choices = [SelectChoice(c.id, c.name) for c in queries.list_cohorts()]
    errors: list[str] = []
    if form.validate_on_submit():
        cohort = db.session.get(Cohort, form.cohort_id.data)
        text = form.file.data.read().decode("utf-8", errors="replace")
        result = services.import_trainees_csv(text=text, cohort=cohort)
        if not result.errors:
            return render_template("accounts/created.html", created=result.created)
        errors = result.errors
    return render_template("accounts/import.html", form=form, errors=errors)


@bp.post("/admin/accounts/<int:user_id>/active")
@role_required(ADMIN)
def admin_set_active(user_id: int):
    user = get_user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
    else:
        services.set_active(user=user, active=request.form.get("active") == "1")
        flash(_("Account updated."), "success")
    return redirect(url_for("accounts.admin_index"))


@bp.post("/admin/accounts/<int:user_id>/reset-password")
@role_required(ADMIN)
def admin_reset_password(user_id: int):
    user = get_user_or_404(user_id)
    one_time = services.reset_password(user=user)
    return render_template("accounts/created.html", created=[(user, one_time)])


@bp.route("/admin/cohorts", methods=["GET", "POST"])
@role_required(ADMIN)
def admin_cohorts():
    form = CohortForm()
    if form.validate_on_submit():
        try:
            services.create_cohort(name=form.name.data, probation_days=form.probation_days.data)
        except services.AccountError:
            form.name.errors.append(_("A cohort with this name already exists."))
        else:
            flash(_("Cohort created."), "success")
            return redirect(url_for("accounts.admin_cohorts"))
    return render_template("accounts/cohorts.html", form=form, cohorts=queries.list_cohorts())
