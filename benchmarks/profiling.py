"""Where a benchmark's time goes: run its work under pyinstrument or cProfile."""

from __future__ import annotations

import io
from collections.abc import Callable


def profiled(kind: str, work: Callable[[], object], times: int) -> str:
    """Call ``work`` ``times`` times under the profiler ``kind`` names; its report as text."""
    if kind == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(times):
                work()
        return profiler.output_text(unicode=True, color=False, show_all=False)
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(times):
        work()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative")
    stats.print_stats(60)
    out.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(40)
    return out.getvalue()
