"""Kefu Academy: onboarding and probation for e-commerce customer-service staff."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from training.config import CONFIGS, Config
from training.extensions import babel, csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True)
    configure(app, config)
    configure_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def configure(app: Flask, config: type[Config] | dict | None) -> None:
    """Load settings; refuse to run in production without a real secret."""
    if isinstance(config, dict):
        app.config.from_object(CONFIGS["testing"])
        app.config.update(config)
    else:
        app.config.from_object(config or CONFIGS[Config.ENV_NAME])
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY must be set outside development and tests")
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        path = Path(app.instance_path) / "kefu.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def configure_extensions(app: Flask) -> None:
    """Bind every extension to this app."""
    from training.core.connections import watch_connections
    from training.core.i18n import babel_locale, install_template_gettext
    from training.core.security import init_csrf_tokens, init_rate_limits

    db.init_app(app)
    watch_connections()
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    init_csrf_tokens(app)
    babel.init_app(app, locale_selector=babel_locale)
    install_template_gettext(app)
    init_rate_limits(app)


def register_blueprints(app: Flask) -> None:
    """Mount each feature."""
    from training.accounts.routes import bp as accounts_bp
    from training.core.routes import bp as core_bp
    from training.curriculum.routes import bp as curriculum_bp
    from training.probation.routes import bp as probation_bp
    from training.quizzes.routes import bp as quizzes_bp
    from training.roleplay.live_routes import bp as live_bp
    from training.roleplay.routes import bp as roleplay_bp
    from training.supervisor.routes import bp as supervisor_bp

    blueprints = (
        core_bp,
        accounts_bp,
        curriculum_bp,
        quizzes_bp,
        roleplay_bp,
        live_bp,
        probation_bp,
        supervisor_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    if app.config["BENCHMARK"]:
        from training.core.benchmark import init_benchmark

        init_benchmark(app)


def register_commands(app: Flask) -> None:
    """Add each feature's CLI group."""
    from training.accounts.cli import accounts_cli
    from training.curriculum.cli import content_cli
    from training.demo import demo_command
    from training.quizzes.cli import quizzes_cli
    from training.roleplay.cli import roleplay_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(quizzes_cli)
    app.cli.add_command(roleplay_cli)
    app.cli.add_command(demo_command)
