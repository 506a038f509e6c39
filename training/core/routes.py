"""Home redirect, language switch and error pages."""

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from training.accounts import services as account_services
from training.accounts.models import ADMIN, SUPERVISOR
from training.core.dates import format_date, format_datetime
from training.core.i18n import LANGUAGE_NAMES, select_locale
from training.core.security import add_security_headers, log_safe, request_id, safe_next_path
from training.core.urls import cached_url_for
from training.extensions import db

bp = Blueprint("core", __name__)
bp.after_app_request(add_security_headers)


def home_url_for(user) -> str:
    """Each role's landing page."""
    if user.role == ADMIN:
        return url_for("accounts.admin_index")
    if user.role == SUPERVISOR:
        return url_for("supervisor.trainees")
    return url_for("curriculum.path")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(home_url_for(current_user))


@bp.post("/language")
def set_language():
    locale = request.form.get("locale", "")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = locale
    if current_user.is_authenticated:
        account_services.set_locale(user=current_user, locale=locale)
    return redirect(safe_next_path(request.form.get("next")) or "/")


ERROR_TITLES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have access to this page."),
    404: lambda: _("This page does not exist."),
    405: lambda: _("This action is not allowed here."),
    413: lambda: _("The upload is too large."),
    429: lambda: _("Too many attempts. Please wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Please try again."),
}


# Refusals worth a line in the log: someone asked for something they may not have (a 404 is
# also what another user's attempt, conversation or trainee answers, so it counts).
DENIED = (401, 403, 404)


def log_denied(code: int) -> None:
    """Log a refused request with who asked, for what, and the request id."""
    user = current_user.get_id() if current_user and current_user.is_authenticated else "-"
    route = request.url_rule.rule if request.url_rule else request.path
    current_app.logger.warning(
        "access denied: status=%s user=%s method=%s route=%s path=%s request_id=%s",
        code,
        user,
        request.method,
        log_safe(route),
        log_safe(request.path),
        request_id(),
    )


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    code = error.code or 500
    if code in DENIED:
        log_denied(code)
    message = ERROR_TITLES.get(code, ERROR_TITLES[500])()
    return render_template("errors/error.html", code=code, message=message), code


@bp.app_errorhandler(CSRFError)
def csrf_error(_error: CSRFError):
    message = _("This form has expired. Please go back, reload the page and try again.")
    return render_template("errors/error.html", code=400, message=message), 400


@bp.app_errorhandler(DBAPIError)
def database_unavailable(error: DBAPIError):
    # The database is down or unreachable: a plain page that needs neither the database (no
    # signed-in user, no menu) nor shows anything of the error. Nothing was committed.
    current_app.logger.error("Database error (request_id=%s)", request_id(), exc_info=error)
    db.session.rollback()
    # Rendered without the context processors: Flask-Login's would load the signed-in user.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render()
    return page, 503


@bp.app_errorhandler(Exception)
def unexpected_error(error: Exception):
    # Never show a traceback to a user; the log keeps it for us.
    current_app.logger.exception("Unhandled error", exc_info=error)
    return render_template("errors/error.html", code=500, message=ERROR_TITLES[500]()), 500


ROLE_LABELS = {
    "trainee": lambda: _("Trainee"),
    "supervisor": lambda: _("Supervisor"),
    "admin": lambda: _("Admin"),
}


@bp.app_context_processor
def template_helpers():
    return {
        "current_locale": select_locale,
        "language_names": LANGUAGE_NAMES,
        "role_label": lambda role: ROLE_LABELS[role](),
    }


def section_nav() -> Markup:
    """The signed-in user's section links, rendered once per language, role and current page.

    Every page shows them and they depend on nothing else; drawn each time they were about a
    fifth of the base layout's rendering (a label, an address and a comparison per link). The
    language is the one its labels are translated into.
    """
    key = (get_locale(), current_user.role, request.endpoint, request.script_root)
    rendered = current_app.extensions.setdefault("kefu_section_navs", {})
    nav = rendered.get(key)
    if nav is None:
        nav = rendered[key] = Markup(render_template("_section_nav.html"))
    return nav


bp.add_app_template_global(section_nav, "section_nav")
bp.add_app_template_global(cached_url_for, "url_for")
bp.add_app_template_filter(format_date, "format_date")
bp.add_app_template_filter(format_datetime, "format_datetime")
