"""The persistent store of a first large build, filled while reasoning and SHACL run.

A build with no previous store to update by difference (`newskg.build.store_delta`) bulk-loads
its whole store at the end: at a million triples 2.9 million quads (the named graphs and the
level view, `newskg.views`), ~45 s, then compacts it. Yet two thirds of those quads are the
sources' (ontology, background, reports, claim contents, and the view's copy of the first
three), which the quality-check store already holds once the checks have run, while the
second core sits idle through reasoning (pure Python). So once the checks are done, that
store is dumped with the view's source graphs (one N-Quads document: a store names the blank
nodes of what it loads afresh, consistently within one document, so an ontology blank node
stays one node in its graph and in the view) and bulk-loaded, by a process of its own at the
lowest priority, into a store in a folder beside build/; the writer moves it into the new build
and adds only the facts and inferred graphs and their share of the view
(`newskg.views.load_store`).

The writer loads the whole store as before when the early one cannot give the same quads:
when a facts or inferred graph holds a blank node (loaded in another document than the claim
content it copies, it would be another node), and it is never started when rdflib normalised
a literal the store holds as read (`Sources.store_exact`) or when a previous store exists (the
writer may update that one by difference, as before).

Its folder, ``.build-early-XXXX``, holds a lock file locked while its build runs: a build that
fails or is interrupted removes it, and the next build removes one left by a killed process
(`newskg.build.writer`'s recovery, which skips a folder whose lock is held).
"""

from __future__ import annotations

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
    `take` it into the staging folder, `discard` it otherwise (always safe to call)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self.folder: Path | None = None
        self._lock_fd: int | None = None
        self._loading: Background | None = None
        #: the loader process's peak resident memory in KiB, once taken (None where the system
        #: does not say: read from /proc)
        self.peak_kib: int | None = None

    @classmethod
    def wanted(cls, build_dir: Path) -> bool:
        """Whether the build may use one: no previous store that the writer could update."""
        from newskg.project import Build

        return not Build(build_dir).store_path.exists()

    def start(self, sources: Sources) -> None:
        """Dump the quality-check store of ``sources`` with the view's graphs among its own, and
        bulk-load that into an on-disk store, in a thread; the store is dropped as soon as it is
        dumped. Nothing is started for a store below `PERSISTENT_STORE_MIN_QUADS` (the build
        keeps none) or one that does not hold the terms as the build writes them."""
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
        self._loading = Background("early-store", _fill, [store], graphs, self.folder, self._lock_fd)

    @property
    def started(self) -> bool:
        """Whether `start` was called (and nothing discarded it since)."""
        return self._loading is not None

    def take(self, destination: Path) -> bool:
        """Move the loaded store to ``destination`` (in the same filesystem); False (and the early
        store discarded) when it was not started or its load failed."""
        if self._loading is None or self.folder is None:
            return False
        try:
            self.peak_kib = self._loading.result()
        except (OSError, SyntaxError, ValueError, MemoryError):
            self.discard()  # the writer loads the whole store instead
            return False
        self._loading = None
        os.rename(self.folder / STORE_NAME, destination)
        self.discard()
        return True

    def discard(self) -> None:
        """Wait for the load, if one runs, and remove the folder."""
        loading, self._loading = self._loading, None
        if loading is not None:
            loading.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def _fill(held: list, graphs: list[str], folder: Path, lock_fd: int) -> int | None:
    import pyoxigraph as ox

    from newskg.views import view_graphs

    dump = folder / "early.nq"
    source = held.pop()
    with open(dump, "wb") as out:
        source.dump(out, format=ox.RdfFormat.N_QUADS)
        # N-Triples lines are N-Quads lines of the default graph: the view's source graphs.
        for iri in view_graphs(graphs):
            source.dump(out, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(iri))
    del source  # the in-memory store, a second copy of the sources: freed before the load
    # In a process of its own: beside it in a thread, a million-triple build's reasoning took
    # twice as long (an on-disk bulk load keeps RocksDB's threads busy on both cores; an
    # in-memory one, measured alone, leaves a Python thread its full pace). The child
    # inherits the folder's lock, so a build started after this one was killed leaves the
    # folder alone while the child still writes into it.
    try:
        done = subprocess.run([sys.executable, "-c", _LOAD, str(folder / STORE_NAME), str(dump)],
                              stdin=subprocess.DEVNULL, capture_output=True, pass_fds=(lock_fd,))
    finally:
        dump.unlink(missing_ok=True)
    if done.returncode:
        raise OSError(f"the early store's load failed: {done.stderr.decode(errors='replace')[-300:]}")
    said = done.stdout.decode(errors="replace").split()
    return int(said[-1]) if said and said[-1].isdigit() else None


#: The child's work. Lenient: every term was validated when the sources were parsed. At the
#: lowest priority: the loader's threads take what the pipeline leaves of the cores, never the
#: pipeline's own (on two cores, at the default priority, they doubled reasoning's wall time).
_LOAD = """import os, sys, pyoxigraph as ox
os.nice(19)
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS, lenient=True)
store.flush()
# Its peak memory, for `newskg build --timings`: VmHWM, the high-water mark of this program's
# own memory. Not ru_maxrss: exec records the forking parent's peak there as the child's.
try:
    status = open("/proc/self/status").read()
except OSError:
    status = ""
print(*[line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")])
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
