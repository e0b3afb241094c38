"""Write a build folder atomically: every file into a temporary sibling, parse it back, then one swap.

What a reader of build/ can rely on, and how:

- **Always a complete build, old or new.** The new build is written into
  ``.build-new-XXXX`` beside build/ and only swapped in once its manifest (written last) is
  there. The swap exchanges the two folders in one system call (Linux ``renameat2`` with
  ``RENAME_EXCHANGE``, macOS ``renamex_np`` with ``RENAME_SWAP``), so there is no moment
  without build/. We keep build/ a real folder rather than a symlink to versioned folders:
  every path in the project, the tests and other tools keep meaning what they meant. Where
  the system cannot exchange (another OS, a filesystem without it) two renames are used, and
  a reader that starts between them finds no build/ for those microseconds; a kill there
  leaves the old build in ``.build-previous``, which the next build puts back.
- **Nothing another parser rejects.** Before the swap, ``dataset.nq`` is parsed back with
  pyoxigraph (the engine queries use) and its quads counted: a build that would load
  nowhere is refused and the previous one stays.
- **One writer at a time.** ``fcntl.flock`` on ``.newskg-build.lock`` beside build/: a second
  build refuses clearly instead of racing the first one's swap. The kernel releases the lock
  when its holder dies, so a killed build never blocks the next one.
- **The replaced build is kept** as build.prev/ (for `newskg diff`), by renames only, so
  build.prev/ is at every moment absent or complete.
- **Leftovers of killed runs are cleaned** by the next build, under the lock (when no other
  build can be using them), and a swap killed part way is finished or undone.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from rdflib import Graph

from newskg.background import Background
from newskg.build.early_store import EarlyStore, early_prefix, is_abandoned
from newskg.build.graph_edits import Applied, Change, from_change
from newskg.build.memory import IndexedMemory, return_freed_memory
from newskg.build.oxterms import ToOxigraph
from newskg.build.reuse import (
    Block,
    Previous,
    RangeCopier,
    code_digest,
    file_stamp,
    take_file,
    write_record,
)
from newskg.build.store_delta import GraphChange
from newskg.build.trig import TrigNames, trig_graphs
from newskg.errors import BuildBusyError, BuildWriteError, NewskgError
from newskg.namespaces import PREFIXES
from newskg.project import GRAPHS_DIR, PERSISTENT_STORE_MIN_QUADS, Build, graph_file_name
from newskg.views import facts_and_inferred, made_loads


def ntriples_lines(graph: Graph, converter: ToOxigraph | None = None) -> list[str]:
    """The graph as sorted N-Triples lines (sorted, so a build is byte-stable), each ending in
    `` .``; written by pyoxigraph, the engine that reads them back. ValueError for a term
    pyoxigraph refuses."""
    return _sorted_lines(graph, converter or ToOxigraph())


def _sorted_lines(graph: Graph, converter: ToOxigraph) -> list[str]:
    # Each term written once by pyoxigraph (converter.ntriples), each line joined here: the
    # bytes of pyoxigraph's N-Triples serializer without building a pyoxigraph Triple per
    # line (5-8 µs each, most of the writer's CPU at a million triples).
    store = graph.store
    if isinstance(store, IndexedMemory):  # the build's graphs: walked index by index
        lines = converter.ntriples_lines(store.by_subject())
    else:
        line = converter.ntriples_line
        lines = [line(t) for t in graph]
    lines.sort()
    return lines


def write_build(build: Build, graphs: dict[str, Graph], manifest: dict, release: bool = False,
                before_swap: Callable[[], None] | None = None,
                origins: Mapping[str, str] | None = None, early: EarlyStore | None = None,
                changes: Mapping[str, Change] | None = None) -> None:
    """Write every named graph, the datasets and the manifest, parse them back, then swap the folder in.

    ``release``: empty each graph once it is written (the caller needs them no more), so the
    persistent store is loaded without the graphs still in memory.

    ``before_swap``: called once everything is written and read back, right before the swap; what
    it raises (a cancelled build) leaves build/ unchanged.

    ``origins``: graph IRI -> what the graph is made from (`newskg.build.reuse.graph_origins`); a
    graph whose bytes are then certainly the previous build's is taken from there instead of
    written. The files are the same bytes either way.

    ``early``: the store of the sources loaded while the pipeline ran (`newskg.build.early_store`),
    given the build's priority here, completed by its loader with the facts and inferred graph
    files as soon as they are written, and moved into the new build when the store is bulk-loaded
    and it can give the same quads; the caller discards it in any case (it is gone once taken).

    ``changes``: graph IRI -> (added, removed), the rdflib triples of the graph (still given whole
    in ``graphs``) not in the previous build's graph of that IRI, and the reverse. A graph whose
    previous file the previous build vouches for, and whose change passes the cheap checks
    (`from_change`), is written from that file and its change instead of being serialised;
    any doubt and it is serialised. The files are the same bytes either way.

    Raises BuildBusyError when another build holds the lock, BuildWriteError when the folder
    cannot be written or the written dataset does not parse back; build/ is then unchanged.
    """
    build_dir = build.dir
    try:
        build_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _write_error(build_dir, err) from None
    if early is not None:
        early.hurry()  # reasoning and SHACL are over: the writer and the loader share the cores
    with build_lock(build_dir) as lock:
        try:
            _recover(build_dir, lock)
            staging = _make_staging(build_dir)
        except OSError as err:
            raise _write_error(build_dir, err) from None
        try:
            staged = Build(staging)
            _write_files(staged, graphs, release, previous=Build(build_dir) if build_dir.is_dir() else None,
                         origins=origins, tools=manifest.get("tool_versions", {}), early=early,
                         changes=changes)
            # The manifest goes last: a folder with a manifest is a complete build.
            staged.write_manifest(manifest)
            if before_swap is not None:
                before_swap()
            lock.note_swap(staging)
            _swap_in(staging, build_dir)
            lock.note_swap(None)
        except BuildWriteError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        except OSError as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise _write_error(build_dir, err) from err
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _write_files(staged: Build, graphs: dict[str, Graph], release: bool = False,
                 previous: Build | None = None, origins: Mapping[str, str] | None = None,
                 tools: Mapping | None = None, early: EarlyStore | None = None,
                 changes: Mapping[str, Change] | None = None) -> None:
    """Every graph file, dataset.nq, then dataset.trig while the store of a large build loads (or
    is made from ``previous``'s by difference), then dataset.nq parsed back (counted in the store
    when there is one). A graph whose bytes are certainly ``previous``'s (its ``origins`` and the
    code unchanged, `newskg.build.reuse`) is taken from there: its file linked, its blocks of the
    datasets copied; one serialised to ``previous``'s bytes has its file linked and its block of
    dataset.trig copied; one written from ``previous``'s file and its known ``changes`` has its
    block of dataset.trig made from ``previous``'s and the store is given its change."""
    (staged.dir / GRAPHS_DIR).mkdir()
    code = code_digest()
    tools = dict(tools or {})
    taken_from = Previous.read(previous, code, tools) if origins or changes else None
    origins = origins or {}
    blocks: dict[str, Block] = {}
    written: set[str] = set()  # the graphs written anew (the others are previous's bytes)
    applied: dict[str, Applied] = {}  # those of them written from a known change
    converter = ToOxigraph()
    count = sum(len(graph) for graph in graphs.values())
    made = facts_and_inferred(graphs)

    def complete_early() -> None:
        assert early is not None
        if any(blocks[iri].blank for iri in made):
            early.discard()  # its blank nodes would not be those of the graphs loaded into it now
        else:
            early.complete(made_loads(staged, made))

    _write_graphs(staged, graphs, release, taken_from, origins, blocks, written, converter,
                  (made, complete_early) if early is not None and early.started else None,
                  changes or {}, applied)
    del converter  # its term caches: as large as the graphs' terms
    if release:
        return_freed_memory()  # the graphs' indexes, before the store's load needs the room
    changed = None
    if taken_from is not None:
        changed = written | (taken_from.iris() - set(graphs))
    # The store's bulk load runs without the GIL: dataset.trig is written meanwhile.
    known = {iri: done.change for iri, done in applied.items()}
    loading = (Background("store-load", write_store, staged, previous, list(graphs), count, changed, early, known)
               if count >= PERSISTENT_STORE_MIN_QUADS else None)
    try:
        _write_trig(staged, blocks, written, taken_from, applied)
    except BaseException:
        if loading is not None:
            loading.wait()  # it writes into the staging folder, which the caller removes next
        raise
    if loading is not None:
        loading.result()
    _parse_back(staged, count)
    write_record(staged, code, tools, blocks)


def _write_graphs(staged: Build, graphs: dict[str, Graph], release: bool, taken_from: Previous | None,
                  origins: Mapping[str, str], blocks: dict[str, Block], written: set[str],
                  converter: ToOxigraph, awaited: tuple[list[str], Callable[[], None]] | None = None,
                  changes: Mapping[str, Change] | None = None, applied: dict[str, Applied] | None = None) -> None:
    """Every graph's file and block of dataset.nq, serialised, taken from ``taken_from``, or made
    from its file and a known change (`from_change`: filled into ``applied``).

    ``awaited``: some graphs and what to call as soon as all of their files are written (the
    early store's completion, which then runs beside the writing of the rest)."""
    changes = changes or {}
    applied = {} if applied is None else applied
    trig_names = TrigNames(PREFIXES)
    waiting = set(awaited[0]) if awaited is not None else set()
    with open(staged.nquads_path, "wb") as nquads, contextlib.ExitStack() as stack:
        copier = (RangeCopier(stack.enter_context(open(taken_from.build.nquads_path, "rb")), nquads)
                  if taken_from is not None else None)
        at = 0
        # Paths as strings, each folder made once: pathlib's joins and a mkdir per graph cost
        # ~3 s of CPU over the 38,000 graphs of a million triples.
        graphs_dir = os.path.join(staged.dir, GRAPHS_DIR)
        made = {""}  # the folders under graphs_dir (a name's part before its last "/": cheaper than dirname)
        for iri, graph in graphs.items():
            triples = len(graph)
            origin = origins.get(iri)
            name = graph_file_name(iri)
            path = f"{graphs_dir}/{name}"
            folder = name.rpartition("/")[0]
            if folder not in made:
                os.makedirs(f"{graphs_dir}/{folder}", exist_ok=True)
                made.add(folder)
            block = taken_from.block(iri, origin, triples, name) if taken_from is not None else None
            change = changes.get(iri) if block is None else None
            done = (from_change(taken_from, iri, name, graph, change, converter, trig_names)
                    if change is not None and taken_from is not None else None)
            if done is not None and not (done.change.added or done.change.removed):
                block = done.previous  # an empty change: the previous build's bytes
            if block is not None and copier is not None:
                assert taken_from is not None
                take_file(taken_from.graph_path(iri, name), path)
                copier.add(*block.nquads)
                blocks[iri] = Block(origin, triples, False, block.file, (at, block.nquads[1]), block.trig)
                at += block.nquads[1]
            elif done is not None and copier is not None:
                assert taken_from is not None
                with open(taken_from.graph_path(iri, name), "rb") as source, open(path, "wb") as out:
                    copy = RangeCopier(source, out)
                    copy.edited(0, done.previous.file[0], done.file)
                    copy.flush()
                length = copier.edited(*done.previous.nquads, done.nquads)
                blocks[iri] = Block(origin, triples, done.blank, file_stamp(path), (at, length), (0, 0))
                at += length
                written.add(iri)
                applied[iri] = done
            else:
                data, quads = _serialised(iri, graph, converter)
                same = taken_from.same_bytes(iri, name, data) if taken_from is not None else None
                if same is not None:
                    assert taken_from is not None
                    # Serialised to the previous build's bytes: its file and dataset.trig block taken.
                    take_file(taken_from.graph_path(iri, name), path)
                    stamp, blank, trig = same.file, same.blank, same.trig
                else:
                    with open(path, "wb") as out:
                        out.write(data)
                    written.add(iri)
                    stamp, blank, trig = file_stamp(path), b"_:" in data, (0, 0)
                if copier is not None:
                    copier.flush()
                nquads.write(quads)
                blocks[iri] = Block(origin, triples, blank, stamp, (at, len(quads)), trig)
                at += len(quads)
            if release and isinstance(graph.store, IndexedMemory):
                graph.store.clear()
            if iri in waiting:
                waiting.discard(iri)
                if not waiting and awaited is not None:
                    awaited[1]()
                    awaited = None
        if copier is not None:
            copier.flush()
    if awaited is not None:  # none of them among ``graphs``
        awaited[1]()


def _serialised(iri: str, graph: Graph, converter: ToOxigraph) -> tuple[bytes, bytes]:
    """The graph's file and its block of dataset.nq, as bytes."""
    try:
        lines = _sorted_lines(graph, converter)
    except ValueError as err:  # a term rdflib let through and pyoxigraph refuses
        raise BuildWriteError(f"graph <{iri}> cannot be written as N-Triples ({err}); the previous "
                              "build is unchanged") from None
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    quads = "".join(f"{line[:-1].rstrip()} <{iri}> .\n" for line in lines).encode("utf-8")
    return data, quads


def _write_trig(staged: Build, blocks: dict[str, Block], written: set[str], taken_from: Previous | None,
                applied: Mapping[str, Applied] | None = None) -> None:
    """dataset.trig: the project's prefixes, then each graph's block (the same quads in the same
    order as dataset.nq, `newskg.build.trig`): written from its lines in dataset.nq, or copied
    from the previous build's dataset.trig for a graph taken from it. Fills in each block's
    range in dataset.trig. A graph written from a known change (``applied``): its previous block
    copied with the edits made to it."""
    from newskg.build.trig import trig_header

    applied = applied or {}
    names = TrigNames(PREFIXES)
    try:
        with (open(staged.nquads_path, "rb") as nquads, open(staged.trig_path, "wb") as out,
              contextlib.ExitStack() as stack):
            copier = (RangeCopier(stack.enter_context(open(taken_from.build.trig_path, "rb")), out)
                      if taken_from is not None else None)
            header = trig_header(PREFIXES).encode("utf-8")
            out.write(header)
            at = len(header)
            for iri, block in blocks.items():
                done = applied.get(iri)
                if done is not None:
                    assert copier is not None
                    length = copier.edited(*done.previous.trig, done.trig)
                elif iri in written:
                    nquads.seek(block.nquads[0])
                    lines = nquads.read(block.nquads[1]).decode("utf-8").splitlines(keepends=True)
                    text = "".join(trig_graphs(lines, names)).encode("utf-8")
                    if copier is not None:
                        copier.flush()
                    out.write(text)
                    length = len(text)
                else:
                    assert copier is not None
                    copier.add(*block.trig)
                    length = block.trig[1]
                block.trig = (at, length)
                at += length
            if copier is not None:
                copier.flush()
    except (MemoryError, ValueError) as err:
        raise BuildWriteError(f"the new {staged.trig_path.name} cannot be written ({err}); the previous build "
                              "is unchanged") from None


def write_store(build: Build, previous: Build | None = None, graph_iris: list[str] | None = None,
                quads: int = 0, changed: set[str] | None = None, early: EarlyStore | None = None,
                known: Mapping[str, GraphChange] | None = None) -> None:
    """The build's persistent pyoxigraph store, with the level view (`newskg.views`) in its default
    graph: the ``previous`` build's store updated by difference when little changed
    (`newskg.build.store_delta`), else bulk-loaded: the ``early`` store when its loader completed
    it (only its view is left to check and record), else dataset.nq whole. ``known``: the
    changes of the graphs the writer made from a known change (not read and compared again)."""
    import pyoxigraph

    from newskg.build.store_delta import graph_changes, update_store
    from newskg.views import load_store, record_view

    try:
        changes = (graph_changes(previous, build, graph_iris, quads, changed, known)
                   if previous is not None and graph_iris is not None else None)
    except (NewskgError, OSError, ValueError, KeyError, TypeError):
        changes = None  # the previous build unreadable (damaged, foreign): the bulk load needs none of it
    if changes is not None:
        assert previous is not None
        try:
            update_store(previous, build, changes)
            return
        except (OSError, SyntaxError, ValueError):
            # The previous store unreadable (damaged, or another build's): the bulk load needs none of it.
            shutil.rmtree(build.store_path, ignore_errors=True)

    if early is not None and early.take(build.store_path):
        # Complete and compacted by the loader (`newskg.build.early_store`): only its view checked.
        store = pyoxigraph.Store(str(build.store_path))
        try:
            record_view(build, store)
        except ValueError as err:
            raise _unreadable(build, err) from None
        del store
        return
    store = pyoxigraph.Store(str(build.store_path))
    try:
        load_store(build, store)
    except (SyntaxError, MemoryError, ValueError) as err:
        raise _unreadable(build, err) from None
    # The bulk loader writes one set of files a batch, each spanning every key, so a lookup
    # searches all of them; compacted, one per level. At a million triples this costs ~10 s of
    # CPU (beside the writing of dataset.trig) and the store grows ~50 % on disk; the entity
    # query falls from 0.35 to 0.30 s and an aggregate from 3.9 to 3.3 s, whole-process.
    store.optimize()
    store.flush()
    # Dropping the last reference closes RocksDB, so the folder can be renamed into place.
    del store


def _parse_back(staged: Build, expected: int) -> None:
    """Refuse a dataset.nq that pyoxigraph cannot read whole (the store of a large build was
    already bulk-loaded from it, which parsed it; count what its named graphs hold: its
    default graph is the level view, a copy)."""
    import pyoxigraph

    from newskg.views import default_graph_size, recorded_view_size

    try:
        if staged.store_path.is_dir():
            store = pyoxigraph.Store.read_only(str(staged.store_path))
            # The view's size as the store counted it a moment ago: counting it again took
            # ~0.7 s at a million triples.
            view = recorded_view_size(staged)
            found = len(store) - (view if view is not None else default_graph_size(store))
            del store  # closes RocksDB before the folder is renamed
        else:
            found = sum(1 for _ in pyoxigraph.parse(path=str(staged.nquads_path),
                                                    format=pyoxigraph.RdfFormat.N_QUADS))
    except (SyntaxError, MemoryError, ValueError) as err:
        raise _unreadable(staged, err) from None
    if found != expected:
        raise BuildWriteError(f"the new {DATASET_LABEL} parses back to {found} quads instead of {expected}; "
                              "the previous build is unchanged. This is a newskg bug: please report it")


DATASET_LABEL = "dataset.nq"


def _unreadable(staged: Build, err: BaseException) -> BuildWriteError:
    detail = " ".join(str(err).split())[:300]
    return BuildWriteError(f"the new {DATASET_LABEL} does not parse back with pyoxigraph ({detail}), so no "
                           "query could read it; the previous build is unchanged. An input holds something "
                           "the checks let through: please report it, with the line named here")


def _write_error(build_dir: Path, err: OSError) -> BuildWriteError:
    where = err.filename or build_dir.parent
    hint = {errno.ENOSPC: "free some disk space", errno.EDQUOT: "free some disk space (quota)",
            errno.EROFS: "the filesystem is read-only: use --project on a writable copy",
            errno.EACCES: "make the project folder and build/ writable",
            errno.EPERM: "make the project folder and build/ writable (or remove the immutable flag)",
            }.get(err.errno or 0, "fix the cause and build again")
    return BuildWriteError(f"cannot write the build: {where}: {err.strerror or err}; {build_dir} is "
                           f"unchanged; {hint}")


# --- the lock ----------------------------------------------------------------------------------


def lock_path(build_dir: Path) -> Path:
    """The lock file of a build folder: beside it, so that it survives the swap."""
    return build_dir.with_name(f".newskg-{build_dir.name}.lock")


class _Lock:
    """The held lock file: the holder's pid on its first line and, during a swap, the staging
    folder's name and inode on its second (what recovery needs to tell which folder is which)."""

    def __init__(self, fd: int):
        self.fd = fd

    def write(self, *lines: str) -> None:
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, "\n".join(lines).encode("utf-8", "surrogateescape"), 0)

    def note_swap(self, staging: Path | None) -> None:
        """Record the folder about to be swapped in (None: the swap is over)."""
        if staging is None:
            self.write(str(os.getpid()))
        else:
            self.write(str(os.getpid()), f"{staging.stat().st_ino} {staging.name}")
        os.fsync(self.fd)

    def swap_noted(self) -> tuple[int, str] | None:
        """The (inode, name) a killed holder was swapping in, if it was killed during a swap."""
        lines = os.pread(self.fd, 4096, 0).decode("utf-8", "surrogateescape").splitlines()
        inode, _, name = lines[1].partition(" ") if len(lines) > 1 else ("", "", "")
        return (int(inode), name) if inode.isdigit() and name else None


@contextlib.contextmanager
def build_lock(build_dir: Path) -> Iterator[_Lock]:
    """Hold the build folder's lock; BuildBusyError at once when another process holds it.

    Refusing rather than waiting: a second build has nothing to add to the first, and a wait
    could hang behind a stopped process. The lock file holds the holder's pid, for the message.
    """
    import fcntl

    path = lock_path(build_dir)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise _write_error(build_dir, err) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").split("\n")[0].strip() or "?"
            raise BuildBusyError(f"another `newskg build` (pid {holder}) is writing {build_dir} right now; "
                                 f"wait for it to finish (lock file {path})") from None
        lock = _Lock(fd)
        noted = lock.swap_noted()  # left by a holder killed during its swap: kept for _recover
        lock.write(str(os.getpid()), *([f"{noted[0]} {noted[1]}"] if noted else []))
        yield lock
    finally:
        os.close(fd)  # releases the lock


# --- the swap ----------------------------------------------------------------------------------


def _make_staging(build_dir: Path) -> Path:
    return new_folder_beside(build_dir, f".{build_dir.name}-new-")


def new_folder_beside(build_dir: Path, prefix: str) -> Path:
    """A new empty folder beside build/, named ``prefix`` and a random suffix, with the
    permissions any new folder gets (umask), not mkdtemp's 0700: the swap makes a staging
    folder build/ (and moves the early store into it), which other users may need to read."""
    while True:
        folder = build_dir.with_name(f"{prefix}{secrets.token_hex(4)}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue


def _previous_path(build_dir: Path) -> Path:
    return build_dir.with_name(f".{build_dir.name}-previous")


def _discarded_path(kept: Path) -> Path:
    return kept.with_name(f".{kept.name}-discarded")


def _swap_in(staging: Path, build_dir: Path) -> None:
    """Make ``staging`` the build folder; the replaced build becomes build.prev/."""
    previous = _previous_path(build_dir)
    shutil.rmtree(previous, ignore_errors=True)
    if not build_dir.exists():
        os.rename(staging, build_dir)
    elif _exchange(staging, build_dir):
        # One call put the new build in place; the old one is now under the staging name.
        # Give it the name the two renames below give it, so one recovery serves both.
        os.rename(staging, previous)
    else:
        # No atomic exchange here: two renames, with a moment without build/ between them.
        os.rename(build_dir, previous)
        os.rename(staging, build_dir)
    _keep_previous(previous, build_dir)


def _keep_previous(previous: Path, build_dir: Path) -> None:
    """Make the replaced build (at its temporary name) the kept one, build.prev/.

    Only renames until the end: build.prev/ is at every moment absent or a complete build
    (the older or the newer one), never half deleted. The older build.prev/ is moved aside
    first and deleted last; a kill leaves at most that leftover, removed by the next swap.
    """
    if not previous.exists():
        return
    kept = Build(build_dir).previous.dir
    discarded = _discarded_path(kept)
    shutil.rmtree(discarded, ignore_errors=True)
    if kept.exists():
        os.rename(kept, discarded)
    os.rename(previous, kept)
    _delete_discarded(discarded)


#: A replaced build whose dataset.nq is this large is deleted by a detached process.
DETACHED_DELETE_BYTES = 100 * 1024 * 1024


def _delete_discarded(discarded: Path) -> None:
    """Delete the build that build.prev/ replaced.

    A large one (a million-triple build: ~38,000 files, 8 s on a quiet disk and minutes on a
    busy one, all of it after the new build was in place) gets a name of its own and is
    deleted by a detached process, so the build does not wait for it. Nothing reads it any
    more, and nothing will ever be renamed to its name; the next build hands what a killed
    deleter left to a deleter of its own (`_recover`). A small one is deleted here, as before.
    """
    try:
        large = Build(discarded).nquads_path.stat().st_size >= DETACHED_DELETE_BYTES
    except OSError:
        large = False
    if not large:
        shutil.rmtree(discarded, ignore_errors=True)
        return
    doomed = discarded.with_name(f"{discarded.name}-{secrets.token_hex(4)}")
    try:
        os.rename(discarded, doomed)
        _delete_detached(doomed)
    except OSError:
        shutil.rmtree(doomed if doomed.exists() else discarded, ignore_errors=True)


def _delete_detached(doomed: Path) -> None:
    """Start a process of its own that deletes ``doomed`` (OSError if it cannot be started)."""
    import subprocess

    script = "import sys, pathlib; from newskg.build.writer import remove_folder; remove_folder(pathlib.Path(sys.argv[1]))"
    subprocess.Popen([sys.executable, "-c", script, str(doomed)], stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one system call; False where the system or filesystem cannot."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    src, dst = os.fsencode(a), os.fsencode(b)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        at_fdcwd, rename_exchange = -100, 2
        libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        result = libc.renameat2(at_fdcwd, src, at_fdcwd, dst, rename_exchange)
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        rename_swap = 2
        libc.renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        result = libc.renamex_np(src, dst, rename_swap)
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # the filesystem cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(b))


def _recover(build_dir: Path, lock: _Lock) -> None:
    """Under the lock: finish or undo a swap that was killed part way, and remove what killed
    runs left (staging folders, a build.prev/ being replaced)."""
    previous = _previous_path(build_dir)
    noted = lock.swap_noted()
    if noted and not previous.exists() and build_dir.exists() and build_dir.stat().st_ino == noted[0]:
        # Killed right after the exchange: build/ is the new build, the old one still has the
        # staging name. Name it as the swap would have, and go on from there.
        parked = build_dir.with_name(noted[1])
        if parked.is_dir():
            os.rename(parked, previous)
    if previous.exists():
        if build_dir.exists():
            # Killed after the new build was in place: the old one only had to become build.prev/.
            _keep_previous(previous, build_dir)
        else:
            # Killed between the two renames: the old build is intact under its temporary name.
            os.rename(previous, build_dir)
    for leftover in build_dir.parent.glob(f".{glob.escape(build_dir.name)}-new-*"):
        remove_folder(leftover)
    for leftover in build_dir.parent.glob(f"{glob.escape(early_prefix(build_dir))}*"):
        # An early store whose build was killed (that of a build still running is locked).
        if is_abandoned(leftover):
            remove_folder(leftover)
    discarded = _discarded_path(Build(build_dir).previous.dir)
    remove_folder(discarded)
    for leftover in discarded.parent.glob(f"{glob.escape(discarded.name)}-*"):
        # A detached deleter was killed, or is still at work (the build before this one
        # finished seconds ago): deleting it here would make this build wait for a million-
        # triple build's 38,000 files, on a disk the other deleter is using (7 s measured
        # under a profiler, up to 16 s seen). Another detached deleter: two racing on one
        # folder only skip what the other removed.
        try:
            _delete_detached(leftover)
        except OSError:
            remove_folder(leftover)
    lock.note_swap(None)


def remove_folder(folder: Path) -> None:
    """Remove a folder of ours, also when a user made it read-only (a protected old build)."""
    def writable_and_again(function, path, _exc) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass  # left for the next run; nothing depends on it being gone

    if not folder.is_dir() or folder.is_symlink():
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=writable_and_again)
    else:
        shutil.rmtree(folder, onerror=writable_and_again)


def recover_interrupted_swap(build_dir: Path) -> None:
    """Finish or undo a swap that was killed part way, and clean the leftovers of killed runs.

    Raises BuildBusyError when another build is writing right now (so a second build
    refuses before doing any work).
    """
    if not build_dir.parent.is_dir():
        return  # nothing was ever built here
    try:
        with build_lock(build_dir) as lock:
            _recover(build_dir, lock)
    except BuildWriteError:
        return  # an unwritable project: write_build says so, naming the cause
