"""dataset.trig written from dataset.nq's lines: string work on the lines the build just wrote.

pyoxigraph's serializer fed by its parser made a Python object of every quad and term in
between (22 s of CPU at a million triples, for text this module writes in a few). The lines
of dataset.nq are those the build wrote, so they are read, not parsed: a line is ``S P O G .``
with S, P and G IRIs or blank node labels (no spaces in either) and O the rest, and the lines of
a graph are together and sorted, so a subject's triples and a predicate's objects are
neighbours. The output is TriG with the project's prefixes, ``a`` for rdf:type, a subject's
triples joined by ``;`` and a predicate's objects by ``,``. An IRI becomes a prefixed name only
when its local part needs no escape in Turtle (letters, digits, ``_`` and ``-``); a literal
keeps its N-Triples text (valid Turtle), its datatype abbreviated the same way. The tests parse
the file with pyoxigraph and rdflib and compare it with dataset.nq.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: A local part that is a Turtle PN_LOCAL without escapes (and without the dots and colons it
#: may hold, which need care at the end of a name).
_PLAIN_LOCAL = re.compile(r"(?:[A-Za-z0-9_][A-Za-z0-9_\-]*)?")


class TrigNames:
    """Each term's TriG text under the given prefixes, once: a corpus names the same terms again
    and again (kept from graph to graph, `trig_graphs`)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self._bases = sorted(((base, name) for name, base in prefixes.items()), key=lambda b: -len(b[0]))
        self._known: dict[str, str] = {_RDF_TYPE: "a"}
        # A plain local part holds no '/' or '#': when every base ends with one, an IRI's only
        # candidate base is the IRI up to its last one (one lookup instead of a scan of the bases).
        self._by_base: dict[str, str] | None = None
        if all(base.endswith(("/", "#")) for base, _ in self._bases):
            self._by_base = {}
            for base, name in self._bases:
                self._by_base.setdefault(base, name)  # two names for one base: the scan's first

    def name(self, term: str) -> str:
        """An N-Triples term (IRI, blank node or literal) as written in TriG."""
        known = self._known.get(term)
        if known is None:
            known = self._known[term] = self._written(term)
        return known

    def _written(self, term: str) -> str:
        if term.startswith("<"):
            return self._iri(term)
        if term.startswith('"') and term.endswith(">"):
            lexical, _, datatype = term.rpartition('"^^<')
            return f'{lexical}"^^{self._iri("<" + datatype)}'
        return term

    def _iri(self, term: str) -> str:
        iri = term[1:-1]
        if self._by_base is not None:
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix = self._by_base.get(iri[:cut]) if cut else None
            if prefix is not None and _PLAIN_LOCAL.fullmatch(iri, cut):
                return f"{prefix}:{iri[cut:]}"
            return term
        for base, prefix in self._bases:
            if iri.startswith(base) and _PLAIN_LOCAL.fullmatch(iri, len(base)):
                return f"{prefix}:{iri[len(base):]}"
        return term


def trig_header(prefixes: Mapping[str, str]) -> str:
    """The ``@prefix`` lines that open the file."""
    return "".join(f"@prefix {prefix}: <{base}> .\n" for prefix, base in prefixes.items())


def trig_graphs(nquads: Iterable[str], names: TrigNames) -> Iterable[str]:
    """The TriG text of N-Quads lines without the prefix lines: one block per graph, each standing
    alone (``<g> {`` to ``}``), so that a file is the prefix lines and the blocks of its graphs
    (what lets the writer take a graph's block from the previous build)."""
    known, name = names._known, names.name
    graph = subject = predicate = None
    for line in nquads:
        body, _, rest = line.rpartition(" <")  # the graph: the line's last IRI
        if rest.endswith("> .\n"):
            g = rest[:-4]
        elif rest.endswith("> ."):
            g = rest[:-3]
        else:
            raise ValueError(f"not an N-Quads line of a named graph: {line[:200]!r}")
        parts = body.split(" ", 2)
        if len(parts) != 3:
            raise ValueError(f"not an N-Quads line of a named graph: {line[:200]!r}")
        s, p, o = parts
        o_ = known.get(o) or name(o)
        if s == subject and g == graph:
            if p == predicate:
                yield f" , {o_}"
            else:
                yield f" ;\n\t\t{known.get(p) or name(p)} {o_}"
                predicate = p
            continue
        s_, p_ = known.get(s) or name(s), known.get(p) or name(p)
        if g != graph:
            if graph is not None:
                yield " .\n}\n"
            yield f"{name('<' + g + '>')} {{\n\t{s_} {p_} {o_}"
            graph = g
        else:
            yield f" .\n\t{s_} {p_} {o_}"
        subject, predicate = s, p
    if graph is not None:
        yield " .\n}\n"
