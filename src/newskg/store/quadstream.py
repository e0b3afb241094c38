"""The build's dataset.nq as one N-Quads request body, each graph renamed while it is sent.

`newskg load` sends a whole build in one request: the quads of dataset.nq with every graph
name replaced (by its staging graph, or by its target under --graph-prefix) and the lines of
graphs not chosen left out. The file is read in blocks of ``BLOCK`` bytes, never whole.

dataset.nq is written by `newskg build` in one form (newskg.build.writer): every line a quad in
a named graph, ending `` <graph> .``. The rewriting relies on that form and checks it as it
goes: a line in another form, or a chosen graph whose quad count differs from the manifest's,
raises a LoadError before the last block is handed out, so the store never receives a complete
body (the request is cut short and fails).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path

from newskg.errors import LoadError

#: Bytes read from dataset.nq at a time.
BLOCK = 1 << 20

_END = b"> .\n"
#: Above this many graphs in a block, its lines are renamed in one pass instead of one replace per graph.
REPLACE_MAX_GRAPHS = 8
#: The graph name ending a line as dataset.nq's lines end (an IRI has no space, quote or angle bracket).
_GRAPH_AT_END = re.compile(rb" <([^\x00-\x20<>\"{}|^`\\]*)> \.\n")


class RenamedQuads:
    """dataset.nq with graph ``old`` renamed to ``renames[old]``; lines of other graphs left out.

    ``expected`` is the manifest's quad count of each renamed graph, checked as the file is
    read. ``all_graphs``: every graph of the file is in ``renames`` (the whole build is
    loaded), so the body's size follows from the file's size and the counts without reading
    it; otherwise it is measured by one pass over the file.
    """

    def __init__(self, path: Path, renames: dict[str, str], expected: dict[str, int], all_graphs: bool):
        self.path = path
        self._renames = {old.encode(): new.encode() for old, new in renames.items()}
        self._expected = {old.encode(): n for old, n in expected.items()}
        self._all_graphs = all_graphs
        changed = {new for old, new in self._renames.items() if new != old}
        # Renaming block-wise with bytes.replace is exact unless a new name is also an old one
        # (a --graph-prefix that maps one graph onto another's name): then line by line.
        self._by_line = bool(changed & set(self._renames))
        self._size: int | None = None

    @property
    def size(self) -> int:
        """Bytes of the body."""
        if self._size is None:
            if self._all_graphs:
                self._size = self.path.stat().st_size + sum(
                    self._expected.get(old, 0) * (len(new) - len(old)) for old, new in self._renames.items())
            else:
                self._size = sum(len(block) for block in self.blocks())
        return self._size

    def open(self) -> _BlockReader:
        """A fresh readable stream of the body."""
        return _BlockReader(self)

    def blocks(self) -> Generator[bytes, None, None]:
        """The body in blocks; the last one only once the whole file has been checked.

        A LoadError raised after a block was handed out is marked ``reached``: part of the
        body may have been written by the store.
        """
        handed_out = False
        try:
            for block in self._checked_blocks():
                handed_out = True
                yield block
        except LoadError as err:
            err.reached = handed_out  # type: ignore[attr-defined]
            raise

    def _checked_blocks(self) -> Iterator[bytes]:
        counts: Counter[bytes] = Counter()
        pending: bytes | None = None
        line = 1
        sent = 0
        with self.path.open("rb") as handle:
            rest = b""
            while data := handle.read(BLOCK):
                data = rest + data
                cut = data.rfind(b"\n") + 1
                block, rest = data[:cut], data[cut:]
                if not block:
                    continue
                out = self._rewrite(block, counts, line)
                line += block.count(b"\n")
                if pending is not None:
                    sent += len(pending)
                    yield pending
                pending = out
            if rest:
                raise LoadError(f"{self.path}, line {line}: the last line has no end of line; the file is "
                                "cut short. Run `newskg build --force`")
        self._check(counts)
        if pending is not None:
            if self._size is not None and sent + len(pending) != self._size:
                raise LoadError(f"{self.path} changed while it was being sent; run `newskg load` again")
            yield pending

    def _rewrite(self, block: bytes, counts: Counter[bytes], first_line: int) -> bytes:
        lines = block.count(b"\n")
        names = Counter(_graph_names(block))
        if sum(names.values()) != lines:
            raise self._malformed(block, first_line)
        counts.update(names)
        if self._by_line or any(name not in self._renames for name in names):
            return self._rewrite_lines(block)
        if len(names) > REPLACE_MAX_GRAPHS:
            # One bytes.replace per graph scans the whole block each time: with thousands of small
            # graphs (one per claim) that took 30 s for 190,000 quads. One pass renames every line.
            renames = self._renames
            return _GRAPH_AT_END.sub(lambda found: b" <" + renames[found.group(1)] + _END, block)
        for old in names:
            new = self._renames[old]
            if new != old:
                block = block.replace(b" <" + old + _END, b" <" + new + _END)
        return block

    def _rewrite_lines(self, block: bytes) -> bytes:
        kept = []
        for line in block.splitlines(keepends=True):
            start = line.rindex(b" <") + 2
            new = self._renames.get(line[start:-len(_END)])
            if new is not None:
                kept.append(line[:start] + new + _END)
        return b"".join(kept)

    def _malformed(self, block: bytes, first_line: int) -> LoadError:
        for number, line in enumerate(block.splitlines(keepends=True), first_line):
            if len(_graph_names(line)) != 1:
                text = line.decode("utf-8", "replace").strip()
                shown = text if len(text) <= 200 else text[:200] + "..."
                return LoadError(f"{self.path}, line {number}: not a quad in a named graph as `newskg build` "
                                 f"writes it ({shown!r}); run `newskg build --force`")
        return LoadError(f"{self.path}: near line {first_line}, a line is not a quad in a named graph")

    def _check(self, counts: Counter[bytes]) -> None:
        for old, expected in self._expected.items():
            found = counts.get(old, 0)
            if found != expected:
                raise LoadError(f"graph <{old.decode()}>: {self.path} holds {found} quads of it, the manifest "
                                f"says {expected}; the build is damaged: run `newskg build --force`")


def _graph_names(data: bytes) -> list[bytes]:
    """The graph name at the end of every line of ``data`` that ends as dataset.nq's lines do."""
    return _GRAPH_AT_END.findall(data)


class _BlockReader(io.RawIOBase):
    """A readable over RenamedQuads.blocks(): read(n), tell(), and seek back to the start
    (what requests needs to send a body, and again for Digest auth)."""

    def __init__(self, source: RenamedQuads):
        super().__init__()
        self._source = source
        self._blocks = source.blocks()
        self._buffer = b""
        self._offset = self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join([self._take(len(self._buffer) - self._offset), *self._drain()])
        while len(self._buffer) - self._offset < size:
            block = next(self._blocks, None)
            if block is None:
                break
            self._buffer, self._offset = self._buffer[self._offset:] + block, 0
        return self._take(size)

    def readinto(self, target) -> int:
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def _take(self, size: int) -> bytes:
        chunk = self._buffer[self._offset:self._offset + size]
        self._offset += len(chunk)
        self._position += len(chunk)
        return chunk

    def _drain(self) -> Iterator[bytes]:
        for block in self._blocks:
            self._position += len(block)
            yield block

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_CUR:
            offset += self._position
        elif whence == io.SEEK_END:
            offset += self._source.size
        if offset == self._position:
            return offset
        if offset != 0:
            raise io.UnsupportedOperation("a rewritten body can only be read again from its start")
        self._blocks.close()
        self._blocks = self._source.blocks()
        self._buffer, self._offset, self._position = b"", 0, 0
        return 0

    def close(self) -> None:
        self._blocks.close()
        super().close()
