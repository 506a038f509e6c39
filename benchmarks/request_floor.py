"""What a request costs the server before a page does any work, layer by layer, under gunicorn.

    .venv/bin/python benchmarks/request_floor.py [--requests 2000] [--rounds 4]
    .venv/bin/python benchmarks/request_floor.py --database-url postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python benchmarks/request_floor.py --tiny      # a smoke run

Five gunicorn servers of one sync worker each, started as `load.py` starts its own (on core 0,
with --preload), serve one layer each:

- ``wsgi``: a WSGI callable answering "ok" (`floor_apps.py`): gunicorn's own share, the HTTP
  parsing, the socket and the WSGI environ;
- ``flask``: a Flask app with one view answering "ok": Flask's request and response;
- ``app, bare``: this app's ``/_bench/bare`` without a cookie: its extensions' request hooks;
- ``app, signed in``: the same address with a signed-in trainee's cookie: the session cookie,
  the sign-in record and the user, read on every request of a signed-in user;
- ``app, layout``: ``/_bench/layout`` for that trainee, the load benchmark's layout floor: the
  base layout every page renders.

The client runs here, on core 1: in each round it sends every server ``--requests`` requests
one after another, each on a new connection as browsers meet a sync worker, the servers in a new
order each round. A server's CPU per request is its worker's user and system time (from /proc)
over its part of the round, so the client's own cost is not in it. The figures are the median
of the rounds; each layer's "adds" is what it costs beyond the layer before. The data set is
`load.py`'s, for a few trainees.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks import load  # noqa: E402
from benchmarks.throwaway_db import fresh_database  # noqa: E402
from benchmarks.worker_cpu import cpu_times, worker_pids  # noqa: E402

# (name, gunicorn's app, address, signed in)
LAYERS = (
    ("wsgi", "benchmarks.floor_apps:plain_wsgi", "/_bench/bare", False),
    ("flask", "benchmarks.floor_apps:plain_flask", "/_bench/bare", False),
    ("app, bare", "wsgi:app", "/_bench/bare", False),
    ("app, signed in", "wsgi:app", "/_bench/bare", True),
    ("app, layout", "wsgi:app", "/_bench/layout", True),
)


def worker_cpu(master: int) -> tuple[float, float]:
    """User and system CPU seconds of a one-worker server's worker."""
    (worker,) = worker_pids(master)
    return cpu_times(worker)


def ask(port: int, path: str, cookie: str | None) -> bytes:
    """One GET on a new connection; the response's status line."""
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if cookie:
        head += f"Cookie: session={cookie}\r\n"
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall((head + "\r\n").encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return response.split(b"\r\n", 1)[0]


def measure(server: dict, requests: int) -> tuple[float, float]:
    """(user, system) CPU ms per request of ``requests`` requests to one server."""
    user, system = worker_cpu(server["master"])
    for _ in range(requests):
        status = ask(server["port"], server["path"], server["cookie"])
        if b" 200 " not in status:
            raise RuntimeError(f"{server['name']}: {status.decode()}")
    user_after, system_after = worker_cpu(server["master"])
    return (user_after - user) * 1000 / requests, (system_after - system) * 1000 / requests


def run(args) -> dict[str, dict[str, float]]:
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})  # the servers are on core 0
    secret = secrets.token_hex(32)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_database(args.database_url, prefix="kefu_floor"))
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kefu-floor-")))
        env = load.server_env(url, secret)
        load.flask(env, "db", "upgrade")
        load.flask(env, "content", "sync")
        seeded = load.seed(url, secret, SimpleNamespace(trainees=2, per_supervisor=2))
        cookie = seeded["trainees"][0]["cookie"]
        servers = []
        for name, app, path, signed_in in LAYERS:
            address, master, _, _ = stack.enter_context(
                load.gunicorn(env, 1, scratch, preload=True, app=app)
            )
            port = int(address.rsplit(":", 1)[1])
            server = {"name": name, "master": master, "port": port, "path": path}
            servers.append(server | {"cookie": cookie if signed_in else None})
        for server in servers:  # the workers' first requests parse the release: not counted
            measure(server, args.warmup)
        rounds: dict[str, list[tuple[float, float]]] = {server["name"]: [] for server in servers}
        shuffled = random.Random(0)
        for _ in range(args.rounds):
            for server in shuffled.sample(servers, len(servers)):
                rounds[server["name"]].append(measure(server, args.requests))
    return report(rounds, args)


def report(rounds: dict[str, list[tuple[float, float]]], args) -> dict[str, dict[str, float]]:
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{kind}: {args.rounds} rounds of {args.requests} requests per layer, one sync worker on "
        f"core 0; load average {' '.join(f'{n:.1f}' for n in os.getloadavg())}"
    )
    print(f"{'':<16} {'CPU ms':>7} {'user':>6} {'system':>7} {'adds':>6} {'of layout':>10}")
    summary = {}
    for name, figures in rounds.items():
        summary[name] = {
            "cpu_ms": statistics.median(user + system for user, system in figures),
            "user_ms": statistics.median(user for user, _ in figures),
            "system_ms": statistics.median(system for _, system in figures),
        }
    layout = summary["app, layout"]["cpu_ms"]
    below = 0.0
    for name, figures in summary.items():
        cpu = figures["cpu_ms"]
        print(
            f"{name:<16} {cpu:>7.3f} {figures['user_ms']:>6.3f} {figures['system_ms']:>7.3f} "
            f"{cpu - below:>+6.3f} {cpu / layout:>9.0%}"
        )
        below = cpu
    print("(CPU per request from the clock ticks of /proc: finer than a tick only as an average)")
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per layer a round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=200, help="requests per layer before")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument("--tiny", action="store_true", help="a few requests, a smoke run")
    args = parser.parse_args(argv)
    if args.tiny:  # enough requests that the layers differ by more than a clock tick
        args.requests, args.rounds, args.warmup = 200, 2, 5
    return args


if __name__ == "__main__":
    run(parse_args())
