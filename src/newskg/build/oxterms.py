"""RDF terms between pyoxigraph and rdflib: pyoxigraph parses and writes (fast, strict), the
pipeline's checks and reasoning still work on rdflib graphs.

Each converter remembers the terms it has converted: a corpus names the same few thousand
IRIs and literals over and over, and building an rdflib term is the costly part. A literal is
built as rdflib's own Turtle parser builds it (``Literal(lexical, lang=...)`` or
``Literal(lexical, datatype=...)``), so rdflib normalises it the same way.

Blank nodes get labels of our own, numbered in the order the parser meets them and prefixed
by a digest of the file's name: unique across the files of a build (pyoxigraph keeps a
document's ``_:x`` as ``x``, which two files may both use), and the same in every build of
the same files, so the build's output is byte-for-byte the same too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

_XSD_STRING = str(XSD.string)


class Unconvertible(ValueError):
    """A term one library has and the other has not (an RDF 1.2 triple term, say)."""


class ToRdflib:
    """pyoxigraph quads of one parsed file to rdflib (subject, predicate, object, graph) tuples;
    the graph is None for the default graph."""

    def __init__(self, name: str, shared: dict | None = None) -> None:
        self._prefix = "f" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10] + "b"
        #: IRIs and literals, which may be shared by the converters of every file of a build:
        #: then a term is one object wherever it occurs, and rdflib's indexes find it by
        #: identity instead of calling its Python-level __eq__.
        self._terms: dict = {} if shared is None else shared
        self._blank: dict = {}  # blank nodes are the file's own, never shared
        self._made: list = []
        self.blank_nodes: dict[str, ox.BlankNode] = {}  # pyoxigraph's label -> ours

    def quads(self, parsed: Iterable[ox.Quad]) -> Iterator[tuple]:
        """Each quad as rdflib terms; Unconvertible for a term rdflib has no class for."""
        # `term`'s lookup inlined: most terms of a quad were met before (every call counts,
        # a million quads of them); a quad unpacks to its terms in one step.
        term, known, default = self.term, self._terms.get, ox.DefaultGraph
        for s, p, o, g in parsed:
            s_ = known(s)
            if s_ is None:
                s_ = term(s)
            p_ = known(p)
            if p_ is None:
                p_ = term(p)
            o_ = known(o)
            if o_ is None:
                o_ = term(o)
            yield s_, p_, o_, None if type(g) is default else term(g)

    def triples(self, parsed: Iterable[ox.Quad], graph: ox.NamedNode | None = None,
                quads: list | None = None) -> Iterator[tuple]:
        """Each quad of a file without named graphs (Turtle) as an rdflib (subject, predicate,
        object); Unconvertible for a term rdflib has no class for. Given ``graph`` and ``quads``,
        each quad is also appended to ``quads`` in that graph (its terms, taken from it here,
        need not be taken again: a million quads over, that is most of what remaking one costs)."""
        term, known = self.term, self._terms.get
        add = None if graph is None or quads is None else quads.append
        quad = ox.Quad
        for s, p, o, _g in parsed:
            if add is not None:
                add(quad(s, p, o, graph))
            s_ = known(s)
            if s_ is None:
                s_ = term(s)
            p_ = known(p)
            if p_ is None:
                p_ = term(p)
            o_ = known(o)
            if o_ is None:
                o_ = term(o)
            yield s_, p_, o_

    def text_triples(self, lines: list[str]) -> list[tuple]:
        """Each N-Triples line (without its final `` .``) of a file without blank nodes or
        triple terms, as pyoxigraph writes them, as an rdflib (subject, predicate, object).

        Cheaper than `triples` over pyoxigraph's quads: the line splits in C at its first two
        spaces (a subject and a predicate are IRIs, which hold none), and each term is found
        by its text, a str whose hash and comparison are C's, not by a pyoxigraph object
        made for it and hashed and compared through PyO3."""
        known, term = self._terms.get, self._text_term
        triples: list[tuple] = []
        add = triples.append
        for line in lines:
            s, p, o = line.split(" ", 2)
            s_ = known(s)
            if s_ is None:
                s_ = term(s)
            p_ = known(p)
            if p_ is None:
                p_ = term(p)
            o_ = known(o)
            if o_ is None:
                o_ = term(o)
            add((s_, p_, o_))
        return triples

    def text_quads(self, lines: list[str]) -> list[tuple]:
        """Each N-Quads line (without its final `` .``) of a file without blank nodes or triple
        terms, as pyoxigraph writes them, as an rdflib (subject, predicate, object, graph); the
        graph is None for the default graph (see `text_triples`).

        The graph is the text after the line's last space when that is an IRI (it ends with
        ``>`` and holds no ``"``): without a graph, the text after the last space is the object
        (an IRI has no space, so nothing is left before it) or the end of a literal, which
        holds its closing quote (a language tag and a datatype IRI hold no space)."""
        known, term = self._terms.get, self._text_term
        quads: list[tuple] = []
        add = quads.append
        for line in lines:
            s, p, o = line.split(" ", 2)
            g = None
            if o[-1] == ">":
                head, _, name = o.rpartition(" ")
                if head and '"' not in name:
                    o, g = head, name
            # Looked up in the order `quads` looks them up: terms are made in the order first
            # met, and the first bad term of a file is the one its error names.
            s_ = known(s)
            if s_ is None:
                s_ = term(s)
            p_ = known(p)
            if p_ is None:
                p_ = term(p)
            o_ = known(o)
            if o_ is None:
                o_ = term(o)
            if g is None:
                add((s_, p_, o_, None))
                continue
            g_ = known(g)
            if g_ is None:
                g_ = term(g)
            add((s_, p_, o_, g_))
        return quads

    def _text_term(self, text: str):
        """The rdflib term of an IRI or literal written as N-Triples (by pyoxigraph), made the
        first time: an IRI from its text, a literal from the pyoxigraph Literal the text
        denotes, by `term`, so that rdflib normalises it as ever."""
        if text[0] == "<":  # pyoxigraph writes an IRI as it is, between <>: no escapes
            iri = self._terms[text] = URIRef(text[1:-1])
            self._made.append(iri)
            return iri
        node = _literal(text)
        made = self._terms.get(node)
        if made is None:
            made = self.term(node)
        self._terms[text] = made
        return made

    def term(self, node):
        """One pyoxigraph term as rdflib's."""
        try:
            return self._terms[node]
        except KeyError:
            pass
        made: URIRef | BNode | Literal
        if not isinstance(node, ox.BlankNode):
            # Made already from its N-Triples text (`text_triples`)? Then the same object.
            found = self._terms.get(str(node))
            if found is not None:
                self._terms[node] = found
                return found
        if isinstance(node, ox.NamedNode):
            made = URIRef(node.value)
        elif isinstance(node, ox.BlankNode):
            found = self._blank.get(node)
            if found is not None:
                return found
            label = f"{self._prefix}{len(self.blank_nodes)}"
            self.blank_nodes[node.value] = ox.BlankNode(label)
            made = self._blank[node] = BNode(label)
            self._made.append(made)
            return made
        elif isinstance(node, ox.Literal):
            datatype = node.datatype.value
            if node.language is not None:
                made = Literal(node.value, lang=node.language)
            elif datatype == _XSD_STRING:
                made = Literal(node.value)
            else:
                made = Literal(node.value, datatype=URIRef(datatype))
        else:
            raise Unconvertible(f"{node} (an RDF 1.2 triple term) has no rdflib equivalent")
        self._terms[node] = made
        self._terms[str(node)] = made  # found by its text too (`text_triples`)
        self._made.append(made)
        return made

    def terms(self):
        """Every rdflib term this converter made (not those it found made by another), each once."""
        return self._made

    def relabel(self, quad: ox.Quad) -> ox.Quad:
        """The pyoxigraph quad with our blank node labels (those rdflib's terms carry)."""
        s, o, g = quad.subject, quad.object, quad.graph_name
        if not (isinstance(s, ox.BlankNode) or isinstance(o, ox.BlankNode) or isinstance(g, ox.BlankNode)):
            return quad
        mine = self.blank_nodes
        return ox.Quad(mine[s.value] if isinstance(s, ox.BlankNode) else s, quad.predicate,
                       mine[o.value] if isinstance(o, ox.BlankNode) else o,
                       mine[g.value] if isinstance(g, ox.BlankNode) else g)


def _literal(text: str) -> ox.Literal:
    """The pyoxigraph Literal written ``text`` in N-Triples (as pyoxigraph writes it)."""
    close = text.rfind('"')  # the closing quote: one inside the literal is escaped, \\"
    lexical, rest = text[1:close], text[close + 1:]
    if "\\" not in lexical:  # no escape to undo (else pyoxigraph's parser reads it, below)
        try:
            if not rest:
                node = ox.Literal(lexical)
            elif rest[0] == "@":
                node = ox.Literal(lexical, language=rest[1:])
            else:  # ^^<datatype>
                node = ox.Literal(lexical, datatype=ox.NamedNode(rest[3:-1]))
        except ValueError:  # not a plain language tag (a direction, say): the parser reads it
            pass
        else:
            if str(node) == text:  # written back the same: the literal the text denotes
                return node
    quad = next(iter(ox.parse(f"<x:s> <x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    return quad.object  # a literal's text reads as a literal


class ToOxigraph:
    """rdflib terms to pyoxigraph's. ValueError for a term pyoxigraph refuses (an IRI or
    language tag rdflib let through)."""

    def __init__(self) -> None:
        self._terms: dict = {}
        #: id(term) -> (term, converted): the same term object is met again and again (the
        #: parser shares them across files), and an int key spares rdflib's Python-level
        #: __hash__ and __eq__ of the (term, type) key. Holding the term keeps its id unique.
        self._by_id: dict[int, tuple] = {}
        self._text_by_id: dict[int, tuple] = {}

    def term(self, node):
        """One rdflib term as pyoxigraph's."""
        seen = self._by_id.get(id(node))
        if seen is not None and seen[0] is node:
            return seen[1]
        made = self._convert(node)
        self._by_id[id(node)] = (node, made)
        return made

    def _convert(self, node):
        try:
            return self._terms[node, type(node)]
        except KeyError:
            pass
        made: ox.NamedNode | ox.BlankNode | ox.Literal
        if isinstance(node, URIRef):
            made = ox.NamedNode(str(node))
        elif isinstance(node, BNode):
            made = ox.BlankNode(str(node))
        elif isinstance(node, Literal):
            if node.language:
                made = ox.Literal(str(node), language=node.language)
            elif node.datatype is not None:
                made = ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
            else:
                made = ox.Literal(str(node))
        else:
            raise ValueError(f"{node!r} is not an RDF term")
        # Keyed with the type: rdflib's Literal("1") == URIRef("1") is False, but a hash
        # clash between a str subclass and another must never merge two terms.
        self._terms[node, type(node)] = made
        return made

    def ntriples(self, node) -> str:
        """One rdflib term written as N-Triples (pyoxigraph's own writing of the term: the same
        bytes its N-Triples serializer writes, tests/test_build_io.py)."""
        seen = self._text_by_id.get(id(node))
        if seen is not None and seen[0] is node:
            return seen[1]
        text = str(self.term(node))
        self._text_by_id[id(node)] = (node, text)
        return text

    def ntriples_line(self, triple: tuple) -> str:
        """An rdflib (subject, predicate, object) as one N-Triples line, without the newline."""
        by_id, text = self._text_by_id, self.ntriples
        s, p, o = triple
        # `ntriples` inlined for the hit: the writer writes every triple of the build.
        seen = by_id.get(id(s))
        s_ = seen[1] if seen is not None and seen[0] is s else text(s)
        seen = by_id.get(id(p))
        p_ = seen[1] if seen is not None and seen[0] is p else text(p)
        seen = by_id.get(id(o))
        o_ = seen[1] if seen is not None and seen[0] is o else text(o)
        return f"{s_} {p_} {o_} ."

    def ntriples_lines(self, by_subject: dict) -> list[str]:
        """Every triple of an spo index (subject -> predicate -> objects) as an N-Triples line,
        without the newline: `ntriples_line` of each, each subject and predicate written once."""
        by_id, text = self._text_by_id, self.ntriples
        lines: list[str] = []
        append = lines.append
        for s, by_predicate in by_subject.items():
            s_ = text(s)
            for p, objects in by_predicate.items():
                start = f"{s_} {text(p)} "
                for o in objects:
                    seen = by_id.get(id(o))
                    append(f"{start}{seen[1] if seen is not None and seen[0] is o else text(o)} .")
        return lines

    def triple(self, triple: tuple) -> ox.Triple:
        """An rdflib (subject, predicate, object) as a pyoxigraph Triple."""
        term = self.term
        return ox.Triple(term(triple[0]), term(triple[1]), term(triple[2]))

    def quad(self, quad: tuple) -> ox.Quad:
        """An rdflib (subject, predicate, object, graph or None) as a pyoxigraph Quad."""
        term = self.term
        graph = ox.DefaultGraph() if quad[3] is None else term(quad[3])
        return ox.Quad(term(quad[0]), term(quad[1]), term(quad[2]), graph)
