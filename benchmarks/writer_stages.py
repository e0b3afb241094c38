"""Where the "writing build/" stage's time goes: `newskg build` run with the writer's steps timed.

Each step is wrapped (no profiler: cProfile inflates the Python-heavy steps) and printed on
stderr as it ends, with its wall seconds, the CPU seconds of the thread that ran it
(``thread``) and of the whole process meanwhile (``process``: RocksDB's own threads too).
The store's load or update runs in a thread beside dataset.trig, so their walls overlap.

    python benchmarks/writer_stages.py [PROJECT [newskg build options, e.g. --force --timings]]

Without PROJECT (as `make benchmark` runs it), a 10k-triple corpus is generated
(benchmarks/corpus.py, seed 1), built once, and its `--force` rebuild is the one timed.
"""

from __future__ import annotations

import atexit
import functools
import sys
import threading
import time

_TOTALS: dict[str, list[float]] = {}


def _summed(owner, name: str, label: str | None = None) -> None:
    """Time every call of a function called once per graph; the sums are printed at exit. A name
    this newskg lacks is skipped (an older version timed for comparison)."""
    original = getattr(owner, name, None)
    if original is None:
        return
    total = _TOTALS.setdefault(label or name, [0, 0.0, 0.0])

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        wall, thread = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            total[0] += 1
            total[1] += time.perf_counter() - wall
            total[2] += time.thread_time() - thread

    setattr(owner, name, wrapper)


def _print_totals() -> None:
    for label, (calls, wall, thread) in _TOTALS.items():
        print(f"[writer] {wall:7.2f} s wall {thread:7.2f} s thread  {label} (summed over {calls} calls)",
              file=sys.stderr, flush=True)


def _timed(owner, name: str, label: str | None = None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        wall, thread, process = time.perf_counter(), time.thread_time(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            print(f"[writer] {time.perf_counter() - wall:7.2f} s wall {time.thread_time() - thread:7.2f} s thread "
                  f"{time.process_time() - process:7.2f} s process  {label or name} "
                  f"({threading.current_thread().name})", file=sys.stderr, flush=True)

    setattr(owner, name, wrapper)


def main() -> None:
    from newskg import views
    from newskg.build import reuse, store_delta, writer
    from newskg.build.early_store import EarlyStore
    from newskg.cli import main as cli_main
    from newskg.project import Build

    for name in ("_write_files", "_write_graphs", "_write_trig", "write_store", "_parse_back", "write_record",
                 "_swap_in", "_recover", "return_freed_memory"):
        _timed(writer, name)
    _timed(reuse.Previous, "read", "Previous.read")
    for name in ("graph_changes", "update_store", "apply_changes"):
        _timed(store_delta, name)
    for name in ("load_store", "record_view", "write_view_record", "default_graph_size"):
        _timed(views, name)
    _timed(Build, "write_manifest", "Build.write_manifest")
    _timed(EarlyStore, "take", "EarlyStore.take")
    for name in ("_sorted_lines", "_serialised", "from_change", "take_file", "file_stamp"):
        _summed(writer, name)
    if len(sys.argv) > 1:
        project, *options = sys.argv[1:]
        atexit.register(_print_totals)
        sys.argv = ["newskg", "--project", project, "build", *options]
        cli_main()
        return
    import subprocess
    import tempfile
    from pathlib import Path

    from corpus import generate

    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "corpus"
        generate(corpus, triples=10_000, seed=1)
        subprocess.run([sys.executable, "-m", "newskg", "--project", str(corpus), "build"], check=True)
        sys.argv = ["newskg", "--project", str(corpus), "build", "--force", "--timings"]
        try:
            cli_main()
        except SystemExit as done:
            if done.code:
                raise
        _print_totals()


if __name__ == "__main__":
    main()
