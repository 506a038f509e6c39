"""The load generator behind `benchmarks/load.py`: locust users that walk Kefu Academy's journeys.

    taskset -c 1 python benchmarks/load_driver.py PLAN.json RESULTS.json

Not meant to be run by hand: `load.py` seeds the database, starts gunicorn, writes the plan
(the server's address, the signed-in users, the phases) and reads the results back. Locust runs
here as a library, one phase after the other in one process: each phase starts its users,
lets them warm up, then counts every request for a fixed time. The server's figures come with
each response (`X-Bench-Queries`, `X-Bench-CPU-us`, added only under KEFU_BENCHMARK=1) and from
the gunicorn workers' CPU clocks in /proc, read at the start and end of the counted window, with
PostgreSQL's processes' and this generator's own.
"""

from __future__ import annotations

import itertools
import json
import re
import resource
import sys
import time
from http.cookiejar import Cookie
from pathlib import Path

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.log import setup_logging

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script
from benchmarks.worker_cpu import cpu_times, database_pids, worker_pids  # noqa: E402

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
# Successive multiples of it, modulo 1, fall evenly over [0, 1) for any number of users.
GOLDEN_RATIO_FRACTION = 0.6180339887498949
# Steps made of two requests, both of which a phase of that step must see answered.
TWO_REQUEST_STEPS = {"signin": ("sign in: form", "sign in: submit")}
TURN = "buyer: turn (score+save+render)"


# --------------------------------------------------------------------------- server CPU


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes seen at both readings spent between them."""
    return sum(after[pid] - before[pid] for pid in after if pid in before)


def own_cpu_seconds() -> float:
    """This load generator's user + system CPU seconds so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """utime + stime of each process still running, in seconds."""
    found = {}
    for pid in pids:
        times = cpu_times(pid)
        if times is not None:
            found[pid] = sum(times)
    return found


# --------------------------------------------------------------------------- recording


class Recorder:
    """Every request of the counted window, by step name."""

    def __init__(self):
        self.counting = False
        self.steps: dict[str, dict] = {}

    def on_request(self, name, response_time, exception, response=None, **_kw):
        if not self.counting:
            return
        step = self.steps.setdefault(
            name, {"times": [], "errors": 0, "queries": 0, "cpu_us": 0, "figures": 0, "why": {}}
        )
        step["times"].append(response_time)
        if exception is not None:
            step["errors"] += 1
            why = str(exception)[:120]
            step["why"][why] = step["why"].get(why, 0) + 1
        headers = getattr(response, "headers", None) or {}
        if headers.get("X-Bench-Queries") is not None:
            step["queries"] += int(headers["X-Bench-Queries"])
            step["cpu_us"] += int(headers["X-Bench-CPU-us"])
            step["figures"] += 1


RECORDER = Recorder()
events.request.add_listener(RECORDER.on_request)


# --------------------------------------------------------------------------- users


def _cookie(value: str) -> Cookie:
    return Cookie(
        0, "session", value, None, False, "127.0.0.1", False, False, "/", True, False, None,
        False, None, None, {},
    )  # fmt: skip


class Visitor(FastHttpUser):
    """A trainee or a supervisor, signed in with a cookie made by load.py, doing one phase."""

    abstract = True
    plan: dict = {}
    phase: dict = {}
    serial = itertools.count()

    def on_start(self):
        number = next(Visitor.serial)
        kind = self.phase["kind"]
        supervisors = self.plan["supervisors"]
        wants_supervisor = kind.startswith("supervisor") or (
            kind == "mix" and number % self.plan["mix_supervisor_every"] == 0
        )
        if wants_supervisor:
            self.me = supervisors[number % len(supervisors)]
            self.role = "supervisor"
        else:
            trainees = self.plan["trainees"]
            self.me = trainees[number % len(trainees)]
            self.role = "trainee"
        # Users are spread along the journey, as a cohort is at any moment.
        journey = self.plan["journeys"][self.role]
        self.journey = itertools.islice(itertools.cycle(journey), number % len(journey), None)
        if kind != "bare":
            self.client.cookiejar.set_cookie(_cookie(self.me["cookie"]))
        pacing = self.phase.get("pacing")
        if pacing:
            # Each user acts at its own moment of the interval, spread evenly: started together,
            # they would all ask in the same instant every 5 s, a burst no cohort of people makes.
            offset = pacing * (number * GOLDEN_RATIO_FRACTION % 1)
            self.next_action = time.monotonic() + offset
            gevent.sleep(offset)

    def paced_wait(self) -> float:
        """Until this user's next moment: one action every `pacing` seconds, at its own offset
        (locust's constant_pacing counts from the user's creation, which undoes the offset)."""
        self.next_action += self.phase["pacing"]
        return max(0.0, self.next_action - time.monotonic())

    # One request, checked for the status a browser would get on the happy path.
    def call(self, name, method, path, expect=200, body=None, raw=None, follow=False):
        """`body` is a form (already URL-encoded) sent with the user's CSRF token; `raw` as is."""
        headers = {}
        if body is not None:
            body = (
                f"csrf_token={self.me['csrf']}&{body}" if body else f"csrf_token={self.me['csrf']}"
            )
        body = raw if raw is not None else body
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self.client.request(
            method,
            path,
            name=name,
            data=body,
            headers=headers,
            allow_redirects=follow,
            catch_response=True,
        ) as response:
            if response.status_code != expect:
                text = re.sub(r"\s+", " ", response.text or "")[:80]
                response.failure(
                    f"{method} {name}: {response.status_code} (expected {expect}) {text}"
                )
            return response

    @task
    def act(self):
        kind = self.phase["kind"]
        step = next(self.journey) if kind == "mix" else kind
        getattr(self, "step_" + step.replace("-", "_"))()

    # ---------------------------------------------------------------- floors
    def step_bare(self):
        self.call("floor: bare", "GET", "/_bench/bare")

    def step_layout(self):
        self.call("floor: base layout", "GET", "/_bench/layout")

    # ---------------------------------------------------------------- trainee
    def step_signin(self):
        self.client.cookiejar.clear()
        page = self.call("sign in: form", "GET", "/login")
        match = CSRF_FIELD.search(page.text or "")
        token = match.group(1) if match else ""
        self.call(
            "sign in: submit",
            "POST",
            "/login",
            302,
            raw=f"csrf_token={token}&username={self.me['username']}&password={self.plan['password']}",
        )

    def step_path(self):
        self.call("trainee: path", "GET", "/path")

    def step_lesson(self):
        lessons = self.me["lessons"]
        self.me["lesson_index"] = (self.me.get("lesson_index", -1) + 1) % len(lessons)
        self.call("trainee: lesson", "GET", lessons[self.me["lesson_index"]])

    def step_quiz(self):
        self.call("quiz: take page", "GET", f"/attempts/{self.me['take']['id']}")

    def step_autosave(self):
        take = self.me["take"]
        bodies = take["saves"]
        take["save_index"] = (take.get("save_index", -1) + 1) % len(bodies)
        self.call(
            "quiz: autosave",
            "POST",
            f"/attempts/{take['id']}/save",
            body=bodies[take["save_index"]],
        )

    def step_submit(self):
        if not self.me["submits"]:
            # Each quiz is submitted once per trainee: carry on as a trainee with work left.
            fresh = next((t for t in self.plan["trainees"] if t["submits"]), None)
            if fresh is None:
                gevent.sleep(1)
                return
            self.me = fresh
            self.client.cookiejar.clear()
            self.client.cookiejar.set_cookie(_cookie(fresh["cookie"]))
        attempt = self.me["submits"].pop()
        self.call(
            "quiz: submit", "POST", f"/attempts/{attempt['id']}/submit", 302, body=attempt["body"]
        )
        self.me["reviews"].append(attempt["id"])

    def step_review(self):
        reviews = self.me["reviews"]
        self.me["review_index"] = (self.me.get("review_index", -1) + 1) % len(reviews)
        self.call("quiz: review", "GET", f"/attempts/{reviews[self.me['review_index']]}/review")

    def step_turn(self):
        """A simulated-buyer turn as the browser makes it: the reply, answered with the
        conversation's part of the page (and the scorecard once the buyer is done)."""
        me = self.me
        if not me.get("conversation"):
            started = self.call(
                "buyer: start", "POST", f"/scenarios/{me['scenario']}/start", 302,
                body="mode=practice&input=text",
            )  # fmt: skip
            location = started.headers.get("Location", "")
            me["conversation"] = int(location.rstrip("/").rsplit("/", 1)[-1] or 0)
            me["reply_index"] = 0
        conversation = me["conversation"]
        text = me["replies"][me["reply_index"] % len(me["replies"])]
        shown = me["reply_index"]  # the turns the page shows, which the form reports as it sends
        me["reply_index"] += 1
        token = f"{conversation}-{me['reply_index']}-{time.monotonic_ns()}"
        # The workbench's script sends the reply and swaps in the conversation it gets back; the
        # reply that ends the conversation gets the scorecard's address instead, which it opens.
        with self.client.request(
            "POST",
            f"/conversations/{conversation}/reply",
            name=TURN,
            data=f"csrf_token={me['csrf']}&token={token}&shown={shown}&reply={text}",
            headers={"Content-Type": "application/x-www-form-urlencoded", "X-Kefu-Chat": "1"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 204):
                response.failure(f"POST {TURN}: {response.status_code}")
        scorecard = response.headers.get("X-Kefu-Location")
        if scorecard:
            me["conversation"] = None  # the next turn starts another
            # Followed as the browser does: a reply to a conversation another simulated user
            # of the same trainee just ended is sent to the conversation, which leads there.
            self.call("buyer: scorecard", "GET", scorecard, follow=True)

    # ---------------------------------------------------------------- supervisor
    def step_supervisor_trainees(self):
        self.call("supervisor: my trainees", "GET", "/supervisor/trainees")

    def step_supervisor_trainee(self):
        ids = self.me["trainee_ids"]
        self.me["trainee_index"] = (self.me.get("trainee_index", -1) + 1) % len(ids)
        self.call(
            "supervisor: trainee page",
            "GET",
            f"/supervisor/trainees/{ids[self.me['trainee_index']]}",
        )


# --------------------------------------------------------------------------- phases


def run_phase(plan: dict, phase: dict) -> dict:
    """Run one phase and return its figures."""
    pacing = phase.get("pacing")
    wait_time = Visitor.paced_wait if pacing else constant(0)
    user_class = type(
        "PhaseVisitor", (Visitor,), dict(abstract=False, host=plan["host"], wait_time=wait_time)
    )
    Visitor.phase = phase
    Visitor.serial = itertools.count()
    env = Environment(user_classes=[user_class], events=events)
    runner = env.create_local_runner()
    users = phase["users"]
    runner.start(users, spawn_rate=phase.get("spawn_rate") or users)
    gevent.sleep(phase["warmup"])
    master = plan["master_pid"]
    before = cpu_seconds(worker_pids(master))
    database_before = cpu_seconds(database_pids())
    driver_before = own_cpu_seconds()
    RECORDER.steps = {}
    RECORDER.counting = True
    began = time.monotonic()
    gevent.sleep(phase["duration"])
    # On a crowded machine a short window may close before any answer: wait for one of each
    # request the phase makes.
    wanted = TWO_REQUEST_STEPS.get(phase["kind"], (TURN,) if phase["kind"] == "turn" else ())

    def answered() -> bool:
        seen = {name for name, step in RECORDER.steps.items() if step["times"]}
        return bool(seen) and all(name in seen for name in wanted)

    while not answered():
        if time.monotonic() - began > phase["duration"] + 60:
            break
        gevent.sleep(0.1)
    RECORDER.counting = False
    elapsed = time.monotonic() - began
    after = cpu_seconds(worker_pids(master))
    database_after = cpu_seconds(database_pids())
    driver_cpu = own_cpu_seconds() - driver_before
    runner.quit()
    env.runner.greenlet.join(timeout=10) if env.runner.greenlet else None
    wait_until_idle(master)
    cpu = spent(before, after)
    database_cpu = spent(database_before, database_after)
    return {
        "name": phase["name"],
        "kind": phase["kind"],
        "users": users,
        "pacing": pacing,
        "seconds": elapsed,
        "server_cpu_seconds": cpu,
        "database_cpu_seconds": database_cpu,
        "driver_cpu_seconds": driver_cpu,
        "worker_restarts": len(set(after) ^ set(before)),
        "steps": RECORDER.steps,
    }


def wait_until_idle(master: int, timeout: float = 120) -> None:
    """Wait for the workers to finish what the phase left queued (slow sign-ins can leave
    seconds of work behind), so that it is not counted in the next phase."""
    deadline = time.monotonic() + timeout
    before = sum(cpu_seconds(worker_pids(master)).values())
    while time.monotonic() < deadline:
        gevent.sleep(0.5)
        now = sum(cpu_seconds(worker_pids(master)).values())
        if now - before < 0.03:  # under 6% of one core: nothing left but housekeeping
            return
        before = now


def main() -> None:
    setup_logging("WARNING")
    plan_path, results_path = sys.argv[1:3]
    plan = json.loads(Path(plan_path).read_text())
    Visitor.plan = plan
    results = []
    for phase in plan["phases"]:
        print(f"  phase {phase['name']}: {phase['users']} users ...", flush=True)
        result = run_phase(plan, phase)
        results.append(result)
        Path(results_path).write_text(json.dumps(results))
        if phase.get("capacity") and over_target(result):
            break  # more users would only be slower still


def over_target(result: dict) -> bool:
    """A capacity step with errors or a p95 above 100 ms."""
    times = sorted(t for step in result["steps"].values() for t in step["times"])
    errors = sum(step["errors"] for step in result["steps"].values())
    return bool(errors) or not times or times[int(0.95 * (len(times) - 1))] > 100


if __name__ == "__main__":
    main()
