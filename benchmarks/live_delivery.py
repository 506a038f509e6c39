"""How fast live role-play messages reach the other side: send -> seen by the poller.

    .venv/bin/python benchmarks/live_delivery.py [--sessions 50] [--messages 10]
        [--workers 4] [--threads 8] [--database-url postgresql://postgres@127.0.0.1/kefu_bench]

Prepares a database (a fresh SQLite file by default; an existing, empty PostgreSQL database
with --database-url), migrates it, publishes content/ and makes one supervisor with one
trainee per session. Then starts gunicorn (gthread workers) on it and holds N sessions at once
on the scenario "haggling-phone-case": in each, the supervisor sends a buyer line, the trainee's
page polls every second as live.js does (GET messages?after=<seq>), and on seeing the line
sends a reply, which the server scores with the rubric. Latency is measured from just before the
buyer's POST to the poll that returned the message, so it includes the poll interval (on
average half of it): what a person sees. Prints p50/p95/p99 and the request rate.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-42"
SLUG = "haggling-phone-case"
REPLY = "亲，您好！这款39元已经是活动价了哦～"
POLL_SECONDS = 1.0  # the page's interval (live.js POLL_MS)


def prepare(database_url: str, sessions: int) -> list[int]:
    """Migrate, publish the content, and open one assessed session per trainee."""
    os.environ["ARGON2_TIME_COST"], os.environ["ARGON2_MEMORY_COST"] = "1", "1024"
    from flask_migrate import upgrade

    from training import create_app
    from training.accounts import services as accounts
    from training.accounts.models import SUPERVISOR, TRAINEE
    from training.curriculum.parser import read_tree
    from training.curriculum.queries import live_release
    from training.curriculum.services import sync_content
    from training.roleplay.live_services import open_session

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        upgrade()
        sync_content(files=read_tree(ROOT / "content"))
        live = live_release()
        supervisor, _ = accounts.create_user(
            username="bench-sup", name="Bench", role=SUPERVISOR, password=PASSWORD
        )
        ids = []
        for n in range(sessions):
            trainee, _ = accounts.create_user(
                username=f"bench-{n}",
                name=f"Trainee {n}",
                role=TRAINEE,
                password=PASSWORD,
                supervisor=supervisor,
            )
            session = open_session(
                opener=supervisor, partner=trainee, live=live, slug=SLUG, topic="", lang="zh"
            )
            ids.append(session.id)
        from training.extensions import db

        db.engine.dispose()
    return ids


class Person:
    """A signed-in browser: its own cookie jar."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        body = f"username={username}&password={PASSWORD}&csrf_token={self._token('/login')}"
        self.opener.open(urllib.request.Request(f"{base}/login", data=body.encode())).close()
        # The CSRF token the pages carry, sent with every POST in the X-CSRFToken header.
        self.csrf = self._token("/live/")
        self.requests = 0

    def _token(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            page = response.read().decode()
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def send(self, session_id: int, text: str, token: str) -> None:
        request = urllib.request.Request(
            f"{self.base}/live/{session_id}/messages",
            data=json.dumps({"text": text, "token": token}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
        )
        self.opener.open(request).close()
        self.requests += 1

    def poll(self, session_id: int, after: int) -> list[dict]:
        url = f"{self.base}/live/{session_id}/messages?after={after}"
        with self.opener.open(url) as response:
            self.requests += 1
            return json.load(response)["messages"]


def hold_session(base, session_id, n, messages, latencies, cold, people, errors, start):
    """One session: buyer lines every ~2 s, the trainee polling every second and answering."""
    try:
        buyer, trainee = Person(base, "bench-sup"), Person(base, f"bench-{n}")
        people.extend([buyer, trainee])
        sent_at: dict[str, float] = {}
        seen = threading.Event()
        finished = threading.Event()

        def poller():
            after = 0
            while not finished.is_set():
                for message in trainee.poll(session_id, after):
                    after = message["seq"]
                    if message["role"] == "buyer":
                        took = time.perf_counter() - sent_at[message["text"]]
                        # The first round meets cold workers (each loads the Chinese
                        # segmenter on its first scored reply): reported apart.
                        (latencies if after > 1 else cold).append(took)
                        trainee.send(session_id, REPLY, f"r{after}")
                        seen.set()
                time.sleep(POLL_SECONDS)

        thread = threading.Thread(target=poller, daemon=True)
        start.wait(timeout=120)
        # Spread the sessions over the first poll interval, as people do not type in step.
        time.sleep(POLL_SECONDS * n / 50)
        thread.start()
        for m in range(messages):
            text = f"在吗？第{m}条 #{session_id}"
            seen.clear()
            sent_at[text] = time.perf_counter()
            buyer.send(session_id, text, f"b{m}")
            seen.wait(timeout=30)
            # People take their own time to type: the next line comes at no fixed phase of
            # the other side's polling.
            time.sleep(random.uniform(0.5, 2.0))
        finished.set()
        thread.join(timeout=5)
    except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
        errors.append(repr(error))
        start.abort()  # never leave the others waiting for a session that cannot start


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10, help="buyer lines per session")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory()
    database_url = args.database_url or f"sqlite:///{Path(scratch.name) / 'bench.sqlite'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    session_ids = prepare(database_url, args.sessions)

    port = free_port()
    env = {
        **os.environ,
        "KEFU_ENV": "development",
        "DATABASE_URL": database_url,
        "LOGIN_LIMIT_PER_CLIENT": "100000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "100000 per minute",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(args.workers), "--worker-class", "gthread",
         "--threads", str(args.threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "wsgi:app"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login").close()
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        cold: list[float] = []
        people: list[Person] = []
        errors: list[str] = []
        start = threading.Barrier(args.sessions + 1)
        threads = [
            threading.Thread(
                target=hold_session,
                args=(base, sid, n, args.messages, latencies, cold, people, errors, start),
            )
            for n, sid in enumerate(session_ids)
        ]
        for thread in threads:
            thread.start()
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=120)
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=20)
        scratch.cleanup()

    expected = args.sessions * args.messages
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    kind = database_url.split(":", 1)[0].split("+")[0]
    print(f"database: {kind}; gunicorn {args.workers} workers x {args.threads} threads (gthread)")
    print(f"sessions: {args.sessions} at once, {args.messages} buyer lines each, poll every 1 s")
    delivered = len(latencies) + len(cold)
    print(f"delivered: {delivered} / {expected} buyer lines; errors: {len(errors)}")
    if ordered:
        print(
            f"send -> seen latency ms (warm): p50 {pct(50):.0f}  p95 {pct(95):.0f}"
            f"  p99 {pct(99):.0f}  max {ordered[-1] * 1000:.0f}"
            f"  mean {statistics.mean(ordered) * 1000:.0f}"
        )
    if cold:
        print(
            f"first line of each session (cold workers) ms: median"
            f" {statistics.median(cold) * 1000:.0f}  max {max(cold) * 1000:.0f}"
        )
    requests = sum(person.requests for person in people)
    print(f"requests: {requests} in {elapsed:.1f} s ({requests / elapsed:.0f}/s)")
    for error in errors[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
