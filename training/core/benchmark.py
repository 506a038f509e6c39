"""The load benchmark's floors and per-request figures, mounted only when BENCHMARK is set.

`benchmarks/load.py` starts gunicorn with KEFU_BENCHMARK=1. Production never sets it, so the
two floor pages do not exist there and no response carries the figures below.

- `/_bench/bare` returns a short string: the cost of gunicorn, Flask and the extensions'
  request hooks (the signed-in user is not even loaded).
- `/_bench/layout` renders the base layout for a signed-in user with no other work.
- Every response carries `X-Bench-Queries` (SQL statements run while serving it) and
  `X-Bench-CPU-us` (CPU time the worker spent on it; gunicorn's sync worker serves one
  request at a time, so the process's CPU clock is the request's).
"""

import time

from flask import Blueprint, Flask, g, has_app_context, render_template
from sqlalchemy import event
from sqlalchemy.engine import Engine

from training.accounts.access import role_required
from training.accounts.models import ROLES

bp = Blueprint("benchmark", __name__, url_prefix="/_bench")


@bp.get("/bare")
def bare():
    return "ok"


@bp.get("/layout")
@role_required(*ROLES)
def layout():
    return render_template("benchmark/layout.html")


def _count_statement(*_args) -> None:
    if has_app_context() and "bench_queries" in g:
        g.bench_queries += 1


def _start_figures() -> None:
    g.bench_queries = 0
    g.bench_cpu = time.process_time()


def _add_figures(response):
    if "bench_queries" in g:
        response.headers["X-Bench-Queries"] = str(g.bench_queries)
        cpu = time.process_time() - g.bench_cpu
        response.headers["X-Bench-CPU-us"] = str(round(cpu * 1e6))
    return response


def init_benchmark(app: Flask) -> None:
    """Mount the floor pages and report queries and CPU time on every response."""
    app.register_blueprint(bp)
    # Registered first so the count covers the other hooks (the signed-in user's session).
    app.before_request_funcs.setdefault(None, []).insert(0, _start_figures)
    app.after_request(_add_figures)
    if not event.contains(Engine, "before_cursor_execute", _count_statement):
        event.listen(Engine, "before_cursor_execute", _count_statement)
