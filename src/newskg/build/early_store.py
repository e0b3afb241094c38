"""The persistent store of a first large build, filled while reasoning and SHACL run.

A build with no previous store to update by difference (`newskg.build.store_delta`) bulk-loads
its whole store at the end: at a million triples 2.9 million quads (the named graphs and the
level view, `newskg.views`), ~45 s, then compacts it. Yet two thirds of those quads are the
sources' (ontology, background, reports, claim contents, and the view's copy of the first
three), which the quality-check store already holds once the sources are parsed, while the
second core sits idle through reasoning (pure Python). So once the parse is done (beside the
checks: a build whose checks fail discards it, as any failed build does), that store is
dumped with the view's source graphs (read as one N-Quads document: a store names the blank
nodes of what it loads afresh, consistently within one document, so an ontology blank node
stays one node in its graph and in the view) and bulk-loaded, by a process of its own at
the lowest priority, into a store in a folder beside build/. When the writing starts, the
loader gets the build's priority (`EarlyStore.hurry`: reasoning and SHACL no longer need the
cores; where the system does not let it, it keeps the lowest), and as soon as the facts and
inferred graph files are written the writer hands it their paths (`EarlyStore.complete`): it
adds them and their share of the view (`newskg.views.made_loads`) and compacts the store,
beside the writing of the other graph files and dataset.trig. The writer then moves the
complete store into the new build and only checks and records its view. One process owns the
RocksDB folder from the first load to the compaction.

The writer loads the whole store as before when the early one cannot give the same quads:
when a facts or inferred graph holds a blank node (loaded in another document than the claim
content it copies, it would be another node), or when the loader failed; it is never started
when rdflib normalised a literal the store holds as read (`Sources.store_exact`) or when a
previous store exists (the writer may update that one by difference, as before).

Its folder, ``.build-early-XXXX``, holds a lock file locked while its build runs (the loader
inherits it): a build that fails or is interrupted stops the loader and removes the folder; a
loader whose build died finds its input closed and ends; the next build removes a folder left
by a killed process (`newskg.build.writer`'s recovery, which skips a folder whose lock is held).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from newskg.background import Background

if TYPE_CHECKING:
    from newskg.build.sources import Sources

#: The lock file inside an early store's folder, held for as long as its build runs.
LOCK_NAME = "lock"
STORE_NAME = "store"


def early_prefix(build_dir: Path) -> str:
    """The start of the name of an early store's folder beside ``build_dir``."""
    return f".{build_dir.name}-early-"


class EarlyStore:
    """An early store for the build into ``build_dir``: `start` it with the quality-check store,
    `hurry` it once the pipeline's own CPU work is done, `complete` it with the graph files
    that it lacks, `take` it into the staging folder; `discard` it otherwise (always safe to
    call)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self.folder: Path | None = None
        self._lock_fd: int | None = None
        self._loading: Background[subprocess.Popen] | None = None
        self._completed = False
        #: the loader process's peak resident memory in KiB, once taken (None where the system
        #: does not say: read from /proc)
        self.peak_kib: int | None = None
        #: the loader process's CPU seconds (user and system), once taken
        self.cpu_seconds: float | None = None

    @classmethod
    def wanted(cls, build_dir: Path) -> bool:
        """Whether the build may use one: no previous store that the writer could update."""
        from newskg.project import Build

        return not Build(build_dir).store_path.exists()

    def start(self, sources: Sources) -> None:
        """Dump the quality-check store of ``sources`` with the view's graphs among its own, and
        start the process that bulk-loads it into an on-disk store, in a thread; the store is
        dropped as soon as it is dumped. Nothing is started for a store below
        `PERSISTENT_STORE_MIN_QUADS` (the build keeps none) or one that does not hold the terms
        as the build writes them."""
        import fcntl

        import pyoxigraph as ox

        from newskg.build import writer  # (imports this module): its threshold and folder naming

        store = sources.quality_store()
        if not sources.store_exact or len(store) < writer.PERSISTENT_STORE_MIN_QUADS:
            return
        graphs = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        try:
            self.folder = writer.new_folder_beside(self.build_dir, early_prefix(self.build_dir))
            self._lock_fd = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.discard()  # the writer loads the whole store, as without one
            return
        self._loading = Background("early-store", _start_loader, [store], graphs, self.folder, self._lock_fd)

    @property
    def started(self) -> bool:
        """Whether `start` was called (and nothing discarded or took it since)."""
        return self._loading is not None

    def hurry(self) -> None:
        """Give the loader the priority of this process: called once the pipeline's CPU work
        (reasoning, SHACL) is over, so the loader is not starved while the writer writes files.
        Where the system lets no unprivileged process lower a niceness (RLIMIT_NICE, the usual
        case for a user who is not root), the loader keeps the lowest priority."""
        if self._loading is None:
            return
        try:
            loader = self._loading.result()
        except (OSError, SyntaxError, ValueError, MemoryError):
            return  # not running: `complete` and `take` say so
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        try:
            # Every thread of it: Linux keeps a niceness per thread, and RocksDB's are started.
            threads = [int(tid) for tid in os.listdir(f"/proc/{loader.pid}/task")]
        except OSError:
            threads = [loader.pid]
        for tid in threads:
            try:
                os.setpriority(os.PRIO_PROCESS, tid, ours)
            except OSError:
                return  # not permitted, or the loader is gone: it goes on as it was

    def complete(self, loads: list[tuple[str, str | None]]) -> bool:
        """Have the loader bulk-load each (N-Triples file, graph IRI or None for the default
        graph) of ``loads``, each a document of its own, once the sources are in, and then
        compact the store. False (and the early store discarded) when the loader is not
        running."""
        if self._loading is None:
            return False
        try:
            loader = self._loading.result()
            assert loader.stdin is not None
            loader.stdin.write(json.dumps(loads).encode("utf-8"))
            loader.stdin.close()  # the end of the list, for the loader
            loader.stdin = None  # closed: what `communicate` must not flush
        except (OSError, SyntaxError, ValueError, MemoryError):
            self.discard()  # the writer loads the whole store instead
            return False
        self._completed = True
        return True

    def take(self, destination: Path) -> bool:
        """Move the complete store to ``destination`` (in the same filesystem); False (and the
        early store discarded) when it was not started or completed, or its load failed."""
        if self._loading is None or self.folder is None or not self._completed:
            self.discard()
            return False
        try:
            loader = self._loading.result()
            out, _ = loader.communicate()
        except (OSError, SyntaxError, ValueError, MemoryError):
            self.discard()
            return False
        if loader.returncode:
            self.discard()  # the writer loads the whole store instead
            return False
        said = out.decode(errors="replace").split()  # its CPU seconds, its peak in KiB or "-"
        if len(said) == 2:
            self.cpu_seconds = float(said[0])
            self.peak_kib = int(said[1]) if said[1].isdigit() else None
        self._loading = None
        os.rename(self.folder / STORE_NAME, destination)
        self.discard()
        return True

    def discard(self) -> None:
        """Stop the loader, if one runs, and remove the folder."""
        loading, self._loading = self._loading, None
        self._completed = False
        if loading is not None:
            loading.wait()
            try:
                loader = loading.result()
            except BaseException:  # it never started: nothing to stop
                loader = None
            if loader is not None:
                # Our own child, which writes into the folder removed next.
                loader.kill()
                if loader.stdin is not None:
                    with contextlib.suppress(OSError, ValueError):  # already closed, or no reader
                        loader.stdin.close()
                    loader.stdin = None
                loader.communicate()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _start_loader(held: list, graphs: list[str], folder: Path, lock_fd: int) -> subprocess.Popen:
    import pyoxigraph as ox

    from newskg.views import view_graphs

    dump, view = folder / "early.nq", folder / "view.nt"
    source = held.pop()
    # Written by pyoxigraph to paths, not through a Python file: reasoning holds the GIL
    # meanwhile, and a write that needs it waits its turn each time (a 100k-triple store's dump
    # beside a busy Python thread: 22.6 s instead of 0.7 s). So the view's graphs are one
    # CONSTRUCT, not one dump each; it names blank nodes as the dump does.
    source.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    values = " ".join(str(ox.NamedNode(iri)) for iri in view_graphs(graphs))
    source.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
                 ).serialize(str(view), format=ox.RdfFormat.N_TRIPLES)
    del source  # the in-memory store, a second copy of the sources: freed before the load
    # In a process of its own: beside it in a thread, a million-triple build's reasoning took
    # twice as long (an on-disk bulk load keeps RocksDB's threads busy on both cores; an
    # in-memory one, measured alone, leaves a Python thread its full pace). The child
    # inherits the folder's lock, so a build started after this one was killed leaves the
    # folder alone while the child still writes into it; it removes the dump once loaded.
    try:
        return subprocess.Popen([sys.executable, "-c", _LOAD, str(folder / STORE_NAME), str(dump), str(view)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                pass_fds=(lock_fd,))
    except BaseException:
        dump.unlink(missing_ok=True)
        view.unlink(missing_ok=True)
        raise


#: The child's work. Lenient: every term was validated when the sources were parsed, and the
#: graph files were written by pyoxigraph. At the lowest priority (until `EarlyStore.hurry`):
#: the loader's threads take what the pipeline leaves of the cores, never the pipeline's own
#: (on two cores, at the default priority, they doubled reasoning's wall time). Then it waits
#: for the graph files that complete the store (JSON on its input, which ends without them
#: when the build gave up or died: the store is then left unfinished, for the build to remove),
#: loads them and compacts the store. One process owns the RocksDB folder from start to end.
_LOAD = """import json, os, sys, pyoxigraph as ox
os.nice(19)
# The view's lines after the quads, one document: N-Triples lines are N-Quads lines of the
# default graph, and a blank node of the ontology stays one node in its graph and in the view.
with open(sys.argv[2], "ab") as out, open(sys.argv[3], "rb") as view:
    out.write(b"\\n")
    while chunk := view.read(1 << 20):
        out.write(chunk)
os.unlink(sys.argv[3])
store = ox.Store(sys.argv[1])
# The sources on one core: the bulk loader runs a thread, and holds a batch, per core it may use
# (it asks the affinity), and this load overlaps the build's own peak (reasoning and SHACL
# hold every graph). On one core it held 1.1 GiB instead of 1.35 (the 1M corpus's dataset.nq);
# a first 1M build and its loader together peaked above 4 GiB with both. The loader runs at the
# lowest priority then, so it had about one core anyway.
cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
if cores and len(cores) > 1:
    os.sched_setaffinity(0, {max(cores)})
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS, lenient=True)
os.unlink(sys.argv[2])
text = sys.stdin.read()
if not text:
    sys.exit("no graph files to complete the store with")
if cores and len(cores) > 1:
    os.sched_setaffinity(0, cores)  # the build now writes files and has released its graphs
for path, graph in json.loads(text):
    store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES, lenient=True,
                    to_graph=ox.NamedNode(graph) if graph is not None else ox.DefaultGraph())
# The bulk loader writes one set of files a batch, each spanning every key, so a lookup
# searches all of them; compacted, one per level (the entity query at a million triples 0.35
# -> 0.30 s, an aggregate 3.9 -> 3.3 s, whole-process).
store.optimize()
store.flush()
# Its CPU seconds and peak memory, for `newskg build --timings`, whose stages count the build
# process's CPU only. The peak is VmHWM, the high-water mark of this program's own memory, not
# ru_maxrss: exec records the forking parent's peak there as the child's.
import resource
usage = resource.getrusage(resource.RUSAGE_SELF)
try:
    status = open("/proc/self/status").read()
except OSError:
    status = ""
peak = [line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")]
print(f"{usage.ru_utime + usage.ru_stime:.3f}", *(peak or ["-"]))
"""


def is_abandoned(folder: Path) -> bool:
    """Whether an early store's folder belongs to no running build (its lock is free)."""
    import fcntl

    try:
        fd = os.open(folder / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return True  # killed before it locked: no build uses it
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
