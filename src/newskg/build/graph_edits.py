"""A graph's new bytes made from the previous build's and a known change, not serialised anew.

An add at a million triples changes a few hundred lines of each 30 MB facts or inferred graph.
The writer (`newskg.build.writer`) hands `from_change` the previous build's file of such a graph
and the triples added and removed; it returns the edits that make the new file, its block of
dataset.nq and its block of dataset.trig from the previous ones, after checking the change
against the previous file, or None, and the writer serialises the graph as it always did.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from rdflib import BNode, Graph

from newskg.build.oxterms import ToOxigraph
from newskg.build.reuse import Block, Previous
from newskg.build.store_delta import GraphChange
from newskg.build.trig import TrigNames, trig_graphs

#: A graph's known change: (added, removed) rdflib triples against the previous build's graph.
Change = tuple[list[tuple], list[tuple]]


@dataclass
class Applied:
    """A graph's bytes made from the previous build's file and a known change (`from_change`)."""

    previous: Block  # the previous build's block of the graph
    #: its file, block of dataset.nq and block of dataset.trig as edits of the previous ones
    #: (`RangeCopier.edited`: offset in the previous bytes, length replaced, new bytes; in order):
    #: copied in the kernel but for the edits, where writing them whole cost ~0.6 s a million
    #: triples, for the 30 MB graphs an add changes by a few hundred lines
    file: list[tuple[int, int, bytes]]
    nquads: list[tuple[int, int, bytes]]
    trig: list[tuple[int, int, bytes]]
    blank: bool  # a "_:" in the new file (in a literal: the changed triples have no blank node)
    change: GraphChange  # its lines removed and added, for the store


def from_change(taken_from: Previous, iri: str, name: str, graph: Graph, change: Change,
                 converter: ToOxigraph, names: TrigNames) -> Applied | None:
    """The graph's bytes made from the previous build's file of it and its known ``change``, or
    None (the caller serialises the graph) when the previous file is not vouched for, a changed
    triple has a blank node, or a cheap check finds the change wrong: the counts do not add up, an
    added triple is missing from the graph or a removed one still in it, an added line is already
    in the previous file or a removed one is not, or the previous dataset.trig block is not what
    its lines make. A change that passes all of them and is still wrong would leave some other
    triple out or in: only serialising the graph could tell, which is what this spares."""
    added, removed = change
    block = taken_from.vouched(iri, name)
    if (block is None or not block.triples or not len(graph)
            or block.triples + len(added) - len(removed) != len(graph)):
        return None
    if any(isinstance(term, BNode) for triple in (*added, *removed) for term in triple):
        return None
    if not all(triple in graph for triple in added) or any(triple in graph for triple in removed):
        return None
    try:
        plus = sorted({converter.ntriples_line(triple).encode("utf-8") for triple in added})
        minus = sorted({converter.ntriples_line(triple).encode("utf-8") for triple in removed})
    except ValueError:
        return None  # serialising says which term
    if len(plus) != len(added) or len(minus) != len(removed):
        return None  # a triple given twice
    try:
        with open(taken_from.graph_path(iri, name), "rb") as file:
            old = file.read().split(b"\n")
        with open(taken_from.build.trig_path, "rb") as file:
            file.seek(block.trig[0])
            old_trig = file.read(block.trig[1])
    except OSError:
        return None
    if old.pop() != b"" or len(old) != block.triples:
        return None
    # Sorted as bytes, UTF-8 lines are sorted as the strings the serialiser sorted.
    events = _line_events(old, plus, minus)
    if events is None:
        return None
    # The graph's block of dataset.nq: each line `S P O .` as `S P O <graph> .` (`_serialised`).
    tail = f" <{iri}> .\n".encode()
    grown = len(tail) - 3
    if block.nquads[1] != block.file[0] + grown * block.triples:
        return None
    new: list[bytes] = []
    file_edits: list[tuple[int, int, bytes]] = []
    nquads_edits: list[tuple[int, int, bytes]] = []
    start = offset = 0
    for at, removal, line in events:
        new += old[start:at]
        offset += sum(map(len, old[start:at])) + at - start  # of line ``at`` in the previous file
        if removal:
            file_edits.append((offset, len(line) + 1, b""))
            nquads_edits.append((offset + grown * at, len(line) + 1 + grown, b""))
            start = at + 1
            offset += len(line) + 1
        else:
            new.append(line)
            file_edits.append((offset, 0, line + b"\n"))
            nquads_edits.append((offset + grown * at, 0, line[:-2] + tail))
            start = at
    new += old[start:]
    subjects = sorted({line.split(b" ", 1)[0] for line in (*plus, *minus)})
    trig = _trig_edits(old_trig, iri, old, new, subjects, names)
    if trig is None:
        return None
    return Applied(block, file_edits, nquads_edits, trig, any(b"_:" in line for line in plus),
                   GraphChange(iri, [line.decode("utf-8") for line in minus], [line.decode("utf-8") for line in plus]))


def _line_events(old: list[bytes], plus: list[bytes], minus: list[bytes]) -> list[tuple[int, int, bytes]] | None:
    """What makes the sorted lines ``old`` those without ``minus`` and with ``plus`` (both sorted):
    (index in ``old``, 1: that line removed | 0: this line inserted before it, the line), in
    order; None when a line of ``minus`` is not in ``old`` or one of ``plus`` already is."""
    events = []
    for line in minus:
        at = bisect_left(old, line)
        if at == len(old) or old[at] != line:
            return None
        events.append((at, 1, line))
    for line in plus:
        at = bisect_left(old, line)
        if at < len(old) and old[at] == line:
            return None
        events.append((at, 0, line))
    events.sort()  # at one place: the lines added (in order) before the line removed
    return events


def _trig_edits(text: bytes, iri: str, old: list[bytes], new: list[bytes], subjects: list[bytes],
                names: TrigNames) -> list[tuple[int, int, bytes]] | None:
    """The edits that make the graph's block of dataset.trig from its previous one, ``text``: the
    item of each subject of ``subjects`` (``\\t`` its triples `` .\\n``, `newskg.build.trig`; a
    block is its graph's opening line, its subjects' items in the order of their lines, and
    ``}\\n``) replaced, removed or inserted, every other item kept. A subject's lines are
    neighbours in sorted lines (it holds no space) and its item is made from them alone, so
    converting them gives its item. Each item replaced, and the one an item is inserted before,
    is found in ``text`` as converted from ``old``'s lines (None when it is not there: the
    caller converts the whole graph)."""
    header = f"{names.name('<' + iri + '>')} {{\n".encode()
    if not text.startswith(header) or not text.endswith(b" .\n}\n"):
        return None

    def item(lines: list[bytes]) -> bytes:
        quads = [f"{line.decode('utf-8')[:-2]} <{iri}> .\n" for line in lines]
        return "".join(trig_graphs(quads, names)).encode("utf-8")[len(header):-2] if lines else b""

    def found(lines: list[bytes], cursor: int) -> int:
        # The item starts a line ("\n\t" and the subject's name: no other subject's item, no
        # continuation line "\n\t\t"), and holds " .\n" only at its end.
        at = text.find(b"\n" + item(lines), cursor - 1)
        return -1 if at < 0 else at + 1

    edits = []
    cursor = len(header)
    for subject in subjects:
        before, after = _subject_lines(old, subject), _subject_lines(new, subject)
        if before:
            at = found(before, cursor)
            length = len(item(before))
        else:
            # Before the next subject's item, or the closing "}\n" after the last one.
            following = bisect_left(old, subject + b"!")
            at = (len(text) - 2 if following == len(old)
                  else found(_subject_lines(old, old[following].split(b" ", 1)[0]), cursor))
            length = 0
        if at < 0:
            return None
        edits.append((at, length, item(after)))
        cursor = at + length
    return edits


def _subject_lines(lines: list[bytes], subject: bytes) -> list[bytes]:
    """The sorted ``lines`` of ``subject``: those starting with it and a space, neighbours."""
    start = bisect_left(lines, subject + b" ")
    return lines[start:bisect_left(lines, subject + b"!", start)]
