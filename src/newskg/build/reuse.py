"""Which graphs of the previous build a new build may take byte for byte instead of writing them.

After one report is added to a corpus of a thousand, all but a few hundred of its ~38,000 named
graphs are the previous build's bytes again: the ontology, the background, every other report's
article graph and claim contents. The writer takes those bytes (graph file, block of
dataset.nq, block of dataset.trig) from the previous build when they are *certainly* the same,
decided without serialising the graph:

- **Same origin.** A graph of the sources is made from its input files alone: the Turtle files
  whose graph it is and, for a claim's content, the TriG file naming it. Its *origin* is the
  digest of those files' paths and sha256 (the manifest's ``inputs``) and of the project's
  folder (against which a relative IRI is resolved). The facts and inferred
  graphs come from everything: they are serialised, then taken when their bytes are those of
  the previous build's file (`Previous.same_bytes`: a rebuild in which nothing changed).
- **Same code.** The record holds a digest of every file of the newskg package (and of the
  Python version) and the manifest's tool versions; any difference and nothing is taken.
- **No blank node.** A blank node's label is made by the parser: ours numbers them per file
  under a digest of the file's path (`newskg.build.oxterms`), but a file pyoxigraph cannot
  read is read by rdflib, whose labels are random. A graph whose bytes held a blank node is
  written again rather than reasoned about.
- **Same size.** The triple count the pipeline has now equals the recorded one.
- **Intact files.** The previous graph file, dataset.nq and dataset.trig have the size and
  mtime recorded when they were written (a truncated, rewritten or missing file: written anew).

What is needed for this is recorded in build/graph-bytes.json (`RECORD_NAME`), written with the
datasets: each graph's origin, triple count, file size and mtime, and its byte ranges in
dataset.nq and dataset.trig (neither file can say where a graph's block is without being read
through).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from newskg.project import GRAPHS_DIR, Build, graph_file_name

RECORD_NAME = "graph-bytes.json"
RECORD_FORMAT = 1


def code_digest() -> str:
    """A digest of every file of the installed newskg package: a change to the code that shapes
    the output (the serialiser, the prefixes, the parser's labels) is a change of this."""
    import newskg

    package = Path(newskg.__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode("utf-8"))
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def graph_origins(root: Path, inputs: Iterable[Mapping], content_files: Mapping) -> dict[str, str]:
    """Each source graph's origin: a digest of the project folder (a relative IRI in a file is
    resolved against the file's own path) and of the (path, sha256) of the input files it is made
    from. ``inputs``: the manifest's entries (path, sha256, graph); ``content_files``: claim IRI ->
    the path of the TriG file holding its content (`newskg.build.sources.Sources`)."""
    base = Path(root).resolve().as_uri()
    sha = {str(item["path"]): str(item["sha256"]) for item in inputs}
    files: dict[str, set[str]] = {}
    for item in inputs:
        if item.get("graph"):
            files.setdefault(str(item["graph"]), set()).add(str(item["path"]))
    for claim, path in content_files.items():
        files.setdefault(str(claim), set()).add(str(path))
    origins = {}
    for iri, paths in files.items():
        if any(path not in sha for path in paths):
            continue  # cannot vouch for a file the manifest does not list
        text = json.dumps([base, sorted((path, sha[path]) for path in paths)])
        origins[iri] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
    return origins


@dataclass
class Block:
    """Where one graph's bytes are in a build and what they were made from."""

    origin: str | None
    triples: int
    blank: bool
    file: tuple[int, int]  # size, mtime_ns
    nquads: tuple[int, int]  # offset, length
    trig: tuple[int, int]

    def row(self) -> list:
        return [self.origin, self.triples, self.blank, *self.file, *self.nquads, *self.trig]

    @classmethod
    def of(cls, row: list) -> Block:
        origin, triples, blank, size, mtime, nq_at, nq_len, trig_at, trig_len = row
        if not (origin is None or isinstance(origin, str)) or not all(
                isinstance(n, int) for n in (triples, size, mtime, nq_at, nq_len, trig_at, trig_len)):
            raise ValueError("not a graph-bytes row")
        return cls(origin, triples, bool(blank), (size, mtime), (nq_at, nq_len), (trig_at, trig_len))


def file_stamp(path: Path | str) -> tuple[int, int]:
    """A file's size and mtime (ns): what tells cheaply that it is still the file recorded."""
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def write_record(build: Build, code: str, tools: Mapping, blocks: Mapping[str, Block]) -> None:
    """Record where each graph's bytes are in ``build`` (its dataset files written and closed)."""
    record = {"format": RECORD_FORMAT, "code": code, "tool_versions": dict(tools),
              "nquads": list(file_stamp(build.nquads_path)), "trig": list(file_stamp(build.trig_path)),
              "graphs": {iri: block.row() for iri, block in blocks.items()}}
    (build.dir / RECORD_NAME).write_text(json.dumps(record, separators=(",", ":")) + "\n", encoding="utf-8")


class Previous:
    """The previous build's graphs that the new one may take, with what it needs to take them."""

    def __init__(self, build: Build, blocks: dict[str, Block]) -> None:
        self.build = build
        self._blocks = blocks
        self._graphs_dir = os.path.join(build.dir, GRAPHS_DIR)

    @classmethod
    def read(cls, build: Build | None, code: str, tools: Mapping) -> Previous | None:
        """The previous build's record, when it was written by the same code and tools and its
        dataset files are still the ones it describes; else None (nothing is taken)."""
        if build is None:
            return None
        try:
            record = json.loads((build.dir / RECORD_NAME).read_text(encoding="utf-8"))
            if (not isinstance(record, dict) or record.get("format") != RECORD_FORMAT
                    or record.get("code") != code or record.get("tool_versions") != dict(tools)
                    or record.get("nquads") != list(file_stamp(build.nquads_path))
                    or record.get("trig") != list(file_stamp(build.trig_path))):
                return None
            blocks = {str(iri): Block.of(row) for iri, row in record["graphs"].items()}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None  # none, damaged, or another version's: everything is written
        return cls(build, blocks)

    def block(self, iri: str, origin: str | None, triples: int, name: str | None = None) -> Block | None:
        """The previous build's block of ``iri`` when its bytes are certainly those the graph would
        be written as now (see the module's docstring), else None. ``name``: the graph's
        `graph_file_name`, when the caller has it."""
        block = self._blocks.get(iri)
        if block is None or origin is None or block.origin != origin or block.triples != triples:
            return None
        return self.vouched(iri, name)

    def vouched(self, iri: str, name: str | None = None) -> Block | None:
        """The previous build's block of ``iri`` when its graph file is intact (the stamp recorded)
        and holds no blank node, whatever the graph is made from: the file a known change is
        applied to (`newskg.build.writer`). None otherwise."""
        block = self._blocks.get(iri)
        if block is None or block.blank:
            return None
        try:
            if file_stamp(self.graph_path(iri, name)) != block.file:
                return None
        except OSError:
            return None
        return block

    def same_bytes(self, iri: str, name: str, data: bytes) -> Block | None:
        """The previous build's block of ``iri`` when its graph file is intact and holds exactly
        ``data`` (the graph as just serialised), else None. For a graph whose origin cannot vouch
        for its bytes (facts and inferred, made from everything): when nothing it is made from
        changed, comparing its bytes spares writing its dataset.trig block again and the store's
        update a graph to compare. The bytes equal, a blank node's label is the same too."""
        block = self._blocks.get(iri)
        if block is None or block.file[0] != len(data):
            return None
        path = self.graph_path(iri, name)
        try:
            if file_stamp(path) != block.file:
                return None
            with open(path, "rb") as previous:
                return block if previous.read() == data else None
        except OSError:
            return None

    def graph_path(self, iri: str, name: str | None = None) -> str:
        """The previous build's file of graph ``iri`` (``name``: its `graph_file_name`, when known).
        A string: pathlib's joins cost ~2 s of CPU over the 38,000 graphs of a million triples."""
        return f"{self._graphs_dir}/{name or graph_file_name(iri)}"

    def iris(self) -> set[str]:
        """The graphs the previous build recorded."""
        return set(self._blocks)


def take_file(source: Path | str, target: Path | str) -> None:
    """``target`` made the same file as ``source``: a hard link (no bytes written, the mtime kept,
    which is what the next build checks), a copy with its mtime where the filesystem cannot link."""
    import shutil

    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class RangeCopier:
    """Copies byte ranges of one file to another, joining ranges that follow each other (the
    graphs taken are mostly neighbours in both builds: one read for many)."""

    def __init__(self, source, out) -> None:
        self._source = source  # both open in binary
        self._out = out
        self._start = self._end = 0

    def add(self, offset: int, length: int) -> None:
        """Queue ``length`` bytes from ``offset`` (written in order, before anything written after
        the next `flush`)."""
        if offset != self._end:
            self.flush()
            self._start = self._end = offset
        self._end += length

    def edited(self, offset: int, length: int, edits: list[tuple[int, int, bytes]]) -> int:
        """Queue ``length`` bytes from ``offset`` with ``edits`` made to them: (position in the range,
        bytes replaced there, bytes written instead), in order of position. Returns the length
        written."""
        start = 0
        for at, replaced, text in edits:
            self.add(offset + start, at - start)
            if text:
                self.flush()
                self._out.write(text)
            start = at + replaced
        self.add(offset + start, length - start)
        return length + sum(len(text) - replaced for _, replaced, text in edits)

    def flush(self) -> None:
        """Write what is queued."""
        if self._end > self._start and self._copied_in_kernel():
            self._start = self._end
            return
        remaining = self._end - self._start
        self._source.seek(self._start)
        while remaining > 0:
            chunk = self._source.read(min(remaining, 1 << 24))
            if not chunk:
                raise OSError(f"{self._source.name} is shorter than recorded")
            self._out.write(chunk)
            remaining -= len(chunk)
        self._start = self._end

    def _copied_in_kernel(self) -> bool:
        """The queued range copied by ``copy_file_range``; False (nothing copied) where the system
        or the filesystems cannot. Read and written through Python, the 400 MB of dataset.nq at a
        million triples cost ~1.3 s of kernel time in page copies; in the kernel, ~0.14 s."""
        if not hasattr(os, "copy_file_range"):
            return False
        self._out.flush()  # what the writer buffered goes first
        out = self._out.fileno()
        at, end = self._start, self._end
        try:
            while at < end:
                copied = os.copy_file_range(self._source.fileno(), out, end - at, at)
                if copied == 0:
                    raise OSError(f"{self._source.name} is shorter than recorded")
                at += copied
        except OSError as err:
            if at == self._start and err.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP,
                                                   errno.ENOTSUP, errno.EBADF):
                return False  # nothing copied yet: the copy through Python does it
            raise
        finally:
            # The file's offset moved under the buffered writer: tell it where it is now.
            self._out.seek(os.lseek(out, 0, os.SEEK_CUR))
        return True
