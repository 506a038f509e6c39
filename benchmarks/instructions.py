"""Instructions each page costs a server worker, counted by valgrind: figures a busy machine
does not move.

    .venv/bin/python benchmarks/instructions.py [--requests 60] [--pages layout,path,...]
    .venv/bin/python benchmarks/instructions.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/instructions.py --tiny     # a smoke run

CPU time on these shared machines drifts by tens of percent within one run, so a change of a
few percent cannot be seen in it. The number of instructions a process executes for the same
work does not drift: this counts them. The data set is `load.py`'s, seeded as the other
per-request benchmarks seed it. One app worker, prepared as a server prepares it, runs under
valgrind's callgrind in a process of its own, with a fixed hash seed and the application's
clock (``training.clock``) stopped at its start, so work that depends on the time (the sign-in
record's touch once a minute, for one) happens at the same requests in every run. The worker
asks every page once for each trainee of the cast (``--trainees``, each page's requests go to
the next trainee, as under load); then, page by page, this script zeroes callgrind's counters,
the worker answers ``--requests`` requests, and the counters are written out. It prints the
instructions per request, their multiple of the base layout's, and the SQL statements.

The count covers the app and the Flask test client, not gunicorn's own share, nor the
database server's work (only the worker runs under valgrind). To compare two versions, run this
file from each checkout: two runs of the same version agree to about 0.1%.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(ROOT))  # run as a script, only benchmarks/ is on the path
from benchmarks.seeded_worker import chosen  # noqa: E402

PAGES = ("bare", "layout", "path", "lesson", "take", "review", "autosave", "supervisor", "cohort")
DEFAULT_PAGES = ("bare", "layout", "path", "lesson", "take", "review", "autosave")


def run(args) -> dict[str, dict]:
    """Seed, count each page in a worker under callgrind, print and return the figures."""
    from benchmarks.seeded_worker import seeded_database

    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("instructions.py needs valgrind (Debian's package valgrind)")
    with seeded_database(args.database_url, args.trainees, "kefu_instructions") as found:
        url, secret, seeded = found
        with tempfile.TemporaryDirectory() as scratch:
            spec = Path(scratch) / "spec.json"
            spec.write_text(
                json.dumps(
                    {
                        "url": url,
                        "secret": secret,
                        "seeded": seeded,
                        "pages": args.pages,
                        "requests": args.requests,
                        "scratch": scratch,
                    }
                )
            )
            queries = _count_in_worker(spec, Path(scratch))
            counts = _dumped_counts(Path(scratch))
    return _report(args, counts, queries)


def _count_in_worker(spec: Path, scratch: Path) -> dict[str, float]:
    """Start the worker under callgrind and zero and dump its counters around each page's
    requests when it says so; return each page's SQL statements per request."""
    command = [
        "valgrind",
        "--tool=callgrind",
        f"--log-file={scratch / 'valgrind.log'}",
        f"--callgrind-out-file={scratch / 'callgrind.%p'}",
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        str(spec),
    ]
    # The same hash seed every run: sets and dicts of strings then keep one layout and order.
    env = os.environ | {"PYTHONHASHSEED": "0"}
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    queries = {}
    for line in worker.stdout:
        verb, name, *rest = line.split()
        if verb == "zero":
            _callgrind_control("-z", str(worker.pid))
        elif verb == "dump":
            _callgrind_control("-d", name, str(worker.pid))
            queries[name] = float(rest[0])
        (scratch / f"go.{verb}.{name}").touch()
    if worker.wait() != 0:
        log = (scratch / "valgrind.log").read_text()[-3000:]
        sys.exit(f"the counted worker failed ({worker.returncode}):\n{log}")
    return queries


def _callgrind_control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


def _dumped_counts(scratch: Path) -> dict[str, int]:
    """Each dump's instructions, by the page named in its trigger."""
    counts = {}
    for dump in scratch.glob("callgrind.*.*"):
        lines = dump.read_text().splitlines()
        trigger = next((line for line in lines if line.startswith("desc: Trigger: dump ")), None)
        if trigger:
            summary = next(line for line in lines if line.startswith("summary: "))
            counts[trigger.removeprefix("desc: Trigger: dump ")] = int(summary.split()[1])
    return counts


def _report(args, counts: dict[str, int], queries: dict[str, float]) -> dict[str, dict]:
    kind = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{kind}: instructions per request, {args.requests} requests per page, each to the next "
        f"of {args.trainees} trainees (valgrind callgrind; the app and the test client)"
    )
    floor = counts.get("layout")
    print(f"{'':<12} {'queries':>8} {'M instructions':>15} {'x layout':>9}")
    summary = {}
    for name in args.pages:
        per_request = counts[name] / args.requests
        summary[name] = {"queries": queries[name], "instructions": per_request}
        multiple = f"{counts[name] / floor:>8.2f}x" if floor else ""
        print(f"{name:<12} {queries[name]:>8.1f} {per_request / 1e6:>15.3f} {multiple}")
    return summary


# --------------------------------------------------------------------------- the counted worker


def worker(spec_path: str) -> None:
    """Under callgrind: warm every page up, then answer each page's counted requests between
    the parent's zeroing and dumping of the counters."""
    spec = json.loads(Path(spec_path).read_text())
    _stop_the_clock()
    from benchmarks.seeded_worker import figures_of, reviewing_trainees, worker_app

    app = worker_app(spec["url"], spec["secret"])
    ask = _requests(app.test_client(), spec["seeded"])
    pages, cast = spec["pages"], len(reviewing_trainees(spec["seeded"]))
    for number in range(cast):  # templates compiled, caches filled, every sign-in touched
        for name in pages:
            ask(name, number)
    scratch = Path(spec["scratch"])
    for name in pages:
        _wait_for_parent(scratch, "zero", name)
        statements = 0
        for number in range(spec["requests"]):
            statements += figures_of(ask(name, number))[0]
        _wait_for_parent(scratch, "dump", name, statements / spec["requests"])


def _stop_the_clock() -> None:
    """Every reading of the application's clock returns the moment the worker started.

    Done before the application is imported: its modules take ``utcnow`` from ``training.clock``
    by name when they are imported."""
    from training import clock

    running = clock.utcnow
    stopped = running()
    clock.utcnow = lambda: stopped
    early = [name for name, module in sys.modules.items() if vars(module).get("utcnow") is running]
    assert not early, f"these took the clock before it stopped: {early}"


def _wait_for_parent(scratch: Path, verb: str, name: str, *figures) -> None:
    print(verb, name, *figures, flush=True)
    go = scratch / f"go.{verb}.{name}"
    # A short sleep, not a blocking read: valgrind takes callgrind_control's command only
    # while the program runs.
    while not go.exists():
        time.sleep(0.002)


def _requests(client, seeded: dict):
    """``ask(page, number)``: the page's request as the number-th trainee of the cast."""
    from benchmarks.quiz_writes import FORM, autosave_of
    from benchmarks.seeded_worker import reviewing_trainees, supervisor_cookies
    from benchmarks.trainee_pages import addresses

    cast = reviewing_trainees(seeded)
    supervisor_of = supervisor_cookies(seeded)

    def ask(name: str, number: int):
        trainee = cast[number % len(cast)]
        if name == "bare":  # as `request_floor.py`'s bare floor: no one signed in
            client.delete_cookie("session")
        elif name in ("supervisor", "cohort"):
            client.set_cookie("session", supervisor_of[trainee["id"]])
        else:
            client.set_cookie("session", trainee["cookie"])
        if name == "autosave":
            address, csrf, body = autosave_of(trainee, number)
            response = client.post(address, data=f"csrf_token={csrf}&{body}", content_type=FORM)
        else:
            url = "/_bench/bare" if name == "bare" else addresses(trainee)[name]
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        return response

    return ask


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=60, help="counted requests per page")
    parser.add_argument("--trainees", type=int, default=60, help="trainees in the data set")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: SQLite)")
    parser.add_argument(
        "--pages", default=",".join(DEFAULT_PAGES), help=f"among {', '.join(PAGES)}"
    )
    parser.add_argument("--tiny", action="store_true", help="a few requests, a smoke run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = chosen(parser, args.pages, "--pages", PAGES)
    if args.tiny:
        args.requests, args.trainees, args.pages = 3, 12, ["layout", "path"]
    return args


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.worker:
        worker(arguments.worker)
    else:
        run(arguments)
