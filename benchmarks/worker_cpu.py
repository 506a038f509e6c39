"""The CPU clocks of gunicorn's workers and of the database server, read from /proc (Linux), for
`load_driver.py` and `request_floor.py`."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's child processes."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def database_pids() -> list[int]:
    """PostgreSQL's processes on this machine: its server, background workers and backends."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() == "postgres":
                found.append(int(comm.parent.name))
        except OSError:  # gone since the listing
            continue
    return found


def cpu_times(pid: int) -> tuple[float, float] | None:
    """User and system CPU seconds of a process; None once it has gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return None
    return int(fields[11]) / CLOCK_TICKS, int(fields[12]) / CLOCK_TICKS
