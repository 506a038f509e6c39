"""Live messages delivered through two separate server processes on one database (the test
database: an SQLite file, or PostgreSQL with TEST_DATABASE_URL), as behind a load balancer with
several gunicorn workers or hosts: messages sent to either process at once reach a poller on
the other, every one, in one order, none twice."""

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tests.factories import PASSWORD
from tests.roleplay.live_helpers import make_cast
from training.roleplay import live_services

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys
from werkzeug.serving import make_server
from training import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]})
server = make_server("127.0.0.1", int(sys.argv[2]), app, threaded=True)
print("ready", flush=True)
server.serve_forever()
"""
MESSAGES_PER_SENDER = 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def two_servers(database_url):
    """Two server processes on the test database; yields their base URLs."""
    processes, bases = [], []
    for _ in range(2):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, database_url, str(port)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout.readline().strip() == "ready"
        processes.append(process)
        bases.append(f"http://127.0.0.1:{port}")
    yield bases
    for process in processes:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


class Browser:
    """A signed-in person: one cookie jar, used against either server."""

    def __init__(self, base: str, username: str):
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        body = f"username={username}&password={PASSWORD}".encode()
        self.opener.open(urllib.request.Request(f"{base}/login", data=body)).close()

    def send(self, base: str, session_id: int, text: str, token: str) -> int:
        request = urllib.request.Request(
            f"{base}/live/{session_id}/messages",
            data=json.dumps({"text": text, "token": token}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request) as response:
            return json.load(response)["seq"]

    def poll(self, base: str, session_id: int, after: int) -> dict:
        with self.opener.open(f"{base}/live/{session_id}/messages?after={after}") as response:
            return json.load(response)


def test_messages_cross_worker_processes_in_order_and_complete(app, live_content, two_servers):
    first, second = two_servers
    cast = make_cast()
    session = live_services.open_session(
        opener=cast.supervisor,
        partner=cast.trainee,
        live=live_content,
        slug="haggling-phone-case",
        topic="",
        lang="zh",
    )
    session_id = session.id
    # Each person signs in on one process; the sign-in lives in the database, so the other
    # process honours the same cookie.
    buyer, trainee = Browser(first, "sam"), Browser(second, "amy")
    sent: dict[str, list[str]] = {"buyer": [], "trainee": []}
    seen: list[dict] = []
    done = threading.Event()
    start_together = threading.Barrier(2)

    def speak(person, role, bases):
        start_together.wait()
        for n in range(MESSAGES_PER_SENDER):
            text = f"{role} {n} <b>&</b>"
            # Alternate processes, and send every other message twice (a retry after a lost
            # response): the token makes the second one a no-op.
            base = bases[n % 2]
            person.send(base, session_id, text, token=f"{role}-{n}")
            if n % 2:
                person.send(bases[(n + 1) % 2], session_id, text, token=f"{role}-{n}")
            sent[role].append(text)

    def watch():
        # The trainee polls the first process as the page does, following the cursor.
        after = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            data = trainee.poll(first, session_id, after)
            seen.extend(data["messages"])
            if data["messages"]:
                after = data["messages"][-1]["seq"]
            if done.is_set() and len(seen) >= 2 * MESSAGES_PER_SENDER:
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    speakers = [
        threading.Thread(target=speak, args=(buyer, "buyer", (first, second))),
        threading.Thread(target=speak, args=(trainee, "trainee", (second, first))),
    ]
    for thread in speakers:
        thread.start()
    for thread in speakers:
        thread.join()
    done.set()
    watcher.join()

    total = 2 * MESSAGES_PER_SENDER
    assert [m["seq"] for m in seen] == list(range(1, total + 1))  # no gap, no repeat
    for role in ("buyer", "trainee"):
        # Each person's messages arrive in the order they were sent, all of them.
        assert [m["text"] for m in seen if m["role"] == role] == sent[role]
    # A poll on the other process from the start (a reload) gives the same conversation.
    assert trainee.poll(second, session_id, 0)["messages"] == seen
    # Only the supervisor's view carries the rubric's scores.
    assert all("score" not in m for m in seen)
    as_supervisor = buyer.poll(second, session_id, 0)["messages"]
    assert all("score" in m for m in as_supervisor if m["role"] == "trainee")
