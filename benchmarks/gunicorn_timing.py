"""gunicorn settings for `load.py`: log how long each worker takes from fork to serving."""

import sys
import time


def pre_fork(server, worker):
    """Runs in the master just before the fork; the child inherits the stamp."""
    worker.forked_at = time.perf_counter()


def post_worker_init(worker):
    """Runs in the worker once the app is imported and built."""
    seconds = time.perf_counter() - worker.forked_at
    print(f"worker ready in {seconds:.3f} s", file=sys.stderr, flush=True)
