"""Text anchors: a claim's exact words, located in the report's stored text.

An anchor (``nkg:TextAnchor``) carries an ``oa:TextQuoteSelector`` (exact, prefix,
suffix) and an ``oa:TextPositionSelector`` (start, end; end exclusive). Offsets are
Python ``str`` indices, i.e. Unicode code points, into ``graph/<slug>/source.txt``.
The two selectors say the same thing twice on purpose: if the text or the offsets
drift, they disagree, and the build refuses the anchor instead of pointing an
analyst at the wrong words.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from newskg.errors import Problem, UsageError
from newskg.namespaces import NKG, OA, shorten

CHECK_NAME = "text-anchor"

#: How many characters of context a located quote gets as prefix and suffix:
#: enough to make the quote unique again if the text is edited, short enough to read.
CONTEXT_CHARS = 32


def find_occurrences(text: str, exact: str) -> list[int]:
    """Every start offset at which ``exact`` occurs in ``text`` (overlaps included)."""
    if not exact:
        return []
    starts, at = [], text.find(exact)
    while at != -1:
        starts.append(at)
        at = text.find(exact, at + 1)
    return starts


def locate_quote(
    text: str, exact: str, occurrence: int | None = None, context: int = CONTEXT_CHARS
) -> tuple[int, int, str, str]:
    """Find a quote in the text: ``(start, end, prefix, suffix)``, end exclusive.

    ``occurrence`` (1-based) picks one of several matches; without it the quote
    must occur exactly once, because an anchor that could mean two places is no
    anchor. Raises UsageError when the quote is empty, absent, ambiguous, or has
    fewer occurrences than asked for.
    """
    if not exact:
        raise UsageError("the quote is empty")
    starts = find_occurrences(text, exact)
    if not starts:
        nearest = nearest_match(text, exact)
        hint = f"; did you mean {nearest}?" if nearest else ""
        raise UsageError(f"quote not found in the text: {exact!r}{hint}")
    if occurrence is None:
        if len(starts) > 1:
            where = ", ".join(f"{s}-{s + len(exact)}" for s in starts)
            raise UsageError(
                f"quote is ambiguous: {exact!r} occurs {len(starts)} times (at {where}); "
                "quote more words or pick one with --occurrence N"
            )
        occurrence = 1
    if occurrence < 1 or occurrence > len(starts):
        raise UsageError(
            f"occurrence {occurrence} asked for, but {exact!r} occurs {len(starts)} time(s)"
        )
    start = starts[occurrence - 1]
    end = start + len(exact)
    return start, end, text[max(0, start - context):start], text[end:end + context]


# Characters that are easy to type one way and printed another: curly and straight quotes and
# apostrophes, the dashes, the ellipsis. Each maps to what a keyboard gives.
_LOOKALIKES = str.maketrans({**dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc`", "'"),
                             **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
                             **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
                             "\u2026": "..."})
_QUOTE_CHARS = "'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u02bc\u00ab\u00bb"
_DASH_CHARS = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
#: Below this similarity (difflib ratio) the closest window of the text is no suggestion.
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class NearMatch:
    """Where the text has words close to a quote that is not in it, and how they differ."""

    start: int
    end: int
    words: str
    how: str

    def __str__(self) -> str:
        return f"{self.words!r} at {self.start}-{self.end} ({self.how})"


def _loose(text: str) -> tuple[str, list[int]]:
    """``text`` with look-alike characters and whitespace runs made plain, and for each of its
    characters the offset in ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                out.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        plain = char.translate(_LOOKALIKES)
        out.extend(plain)
        origin.extend([index] * len(plain))
    return "".join(out), origin


def nearest_match(text: str, quote: str) -> NearMatch | None:
    """The words of ``text`` a quote that is not in it most likely meant, or None.

    First the quote is looked for with straight and curly quotes and apostrophes, dashes and
    whitespace runs counted as the same; else the window of the text most alike to the quote
    (difflib), if it is at least MIN_SIMILARITY alike.
    """
    loose_text, origin = _loose(text)
    loose_quote = _loose(quote)[0].strip()
    if loose_quote:
        at = loose_text.find(loose_quote)
        if at != -1:
            start, end = origin[at], origin[at + len(loose_quote) - 1] + 1
            return NearMatch(start, end, text[start:end], _difference(quote, text[start:end]))
    return _closest_window(text, quote)


def _difference(quote: str, found: str) -> str:
    kinds = [label for label, chars in (("quotes and apostrophes", _QUOTE_CHARS), ("dashes", _DASH_CHARS))
             if [c for c in quote if c in chars] != [c for c in found if c in chars]]
    if re.findall(r"\s+", quote) != re.findall(r"\s+", found):
        kinds.append("whitespace")
    return "the text differs in " + (", ".join(kinds) or "look-alike characters")


def _closest_window(text: str, quote: str) -> NearMatch | None:
    import difflib  # only for a quote that is not in the text

    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)  # difflib caches what it learns of the second sequence
    size = len(quote)
    best, best_span = MIN_SIMILARITY, None
    for start in _candidate_starts(text, quote):
        for end in _word_ends(text, start, size):
            matcher.set_seq1(text[start:end])
            if matcher.real_quick_ratio() < best or matcher.quick_ratio() < best:
                continue
            ratio = matcher.ratio()
            if ratio > best or (ratio == best and best_span is None):
                best, best_span = ratio, (start, end)
    if best_span is None:
        return None
    start, end = best_span
    return NearMatch(start, end, text[start:end], f"{best:.0%} alike")


def _candidate_starts(text: str, quote: str) -> list[int]:
    """Word starts from which a window could hold one of the quote's longer words: only those
    are compared, which keeps a long text from costing a comparison per word."""
    starts = [0] + [m.end() for m in re.finditer(r"\s+", text)]
    words = {w.lower() for w in re.findall(r"\w{4,}", quote)}
    if not words:
        return starts
    hits = [m.start() for m in re.finditer(r"\w+", text) if m.group().lower() in words]
    size = len(quote)
    return [s for s in starts if bisect.bisect_left(hits, s) < len(hits) and hits[bisect.bisect_left(hits, s)] < s + size]


def _word_ends(text: str, start: int, size: int) -> list[int]:
    """Ends of windows from ``start`` about ``size`` long that stop at a word's end."""
    slack = max(3, size // 5)
    ends = {min(len(text), start + size)}
    for m in re.finditer(r"(?=\s|$)", text[start + max(1, size - slack):start + size + slack]):
        ends.add(start + max(1, size - slack) + m.start())
    return sorted(e for e in ends if e > start)


# The terms looked up for every anchor, named once (an attribute of an rdflib Namespace is a
# Python-level lookup each time).
_HAS_SELECTOR, _TYPE, _QUOTE_SELECTOR, _POSITION_SELECTOR = (
    OA.hasSelector, RDF.type, OA.TextQuoteSelector, OA.TextPositionSelector)
_EXACT, _PREFIX, _SUFFIX, _START, _END = OA.exact, OA.prefix, OA.suffix, OA.start, OA.end

Objects = Callable[[Any, Any], list]


def _objects_of(graph: Graph) -> Objects:
    """(subject, predicate) -> its objects, in the graph's order: read straight from the spo
    index of the build's graphs (`IndexedMemory`; a generator per lookup through rdflib cost
    most of the anchor check at a million triples), else asked of rdflib."""
    from newskg.build.memory import IndexedMemory

    store = graph.store
    if isinstance(store, IndexedMemory):
        spo = store.by_subject()
        empty: dict = {}
        # The graph's own object for each predicate asked for, once one is met: a dict finds
        # its own key by identity, where rdflib's namespace constant costs a Python-level __eq__.
        as_used: dict = {}

        def indexed(subject, predicate) -> list:
            by_predicate = spo.get(subject, empty)
            key = as_used.get(predicate)
            if key is None:
                if predicate not in by_predicate:
                    return []
                key = as_used[predicate] = next(p for p in by_predicate if p == predicate)
            return list(by_predicate.get(key, ()))
        return indexed
    return lambda subject, predicate: list(graph.objects(subject, predicate))


def _single(objects: Objects, subject, predicate):
    values = objects(subject, predicate)
    return values[0] if len(values) == 1 else (values if values else None)


def _selectors(objects: Objects, anchor) -> tuple[list, list]:
    quotes, positions = [], []
    for selector in objects(anchor, _HAS_SELECTOR):
        types = objects(selector, _TYPE)
        if _QUOTE_SELECTOR in types:
            quotes.append(selector)
        if _POSITION_SELECTOR in types:
            positions.append(selector)
    return quotes, positions


def _offset(value) -> int | None:
    if not isinstance(value, Literal):
        return None
    try:
        number = int(value.toPython())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _elsewhere(text: str, exact: str) -> str:
    starts = find_occurrences(text, exact)
    if not starts:
        return "the quote does not occur anywhere in the text"
    spans = ", ".join(f"{s}-{s + len(exact)}" for s in starts)
    return f"the quote occurs at {spans}"


def _anchor_problems(objects: Objects, text: str, node) -> list[str]:
    """What is wrong with one anchor, as messages (empty when it verifies)."""
    anchor = _name(node)
    quotes, positions = _selectors(objects, node)
    if len(quotes) != 1 or len(positions) != 1:
        return [
            f"anchor {anchor} needs exactly one oa:TextQuoteSelector and one "
            f"oa:TextPositionSelector, has {len(quotes)} and {len(positions)}"
        ]
    quote, position = quotes[0], positions[0]
    exact = _single(objects, quote, _EXACT)
    if not isinstance(exact, Literal) or not str(exact):
        return [f"anchor {anchor} has no single, non-empty oa:exact"]
    exact = str(exact)
    start = _offset(_single(objects, position, _START))
    end = _offset(_single(objects, position, _END))
    if start is None or end is None:
        return [f"anchor {anchor} needs one non-negative integer oa:start and oa:end"]
    if start > end or end > len(text):
        return [
            f"anchor {anchor}: offsets {start}-{end} lie outside the text "
            f"(length {len(text)}); {_elsewhere(text, exact)}"
        ]
    found = text[start:end]
    if found != exact:
        return [
            f"anchor {anchor}: text at {start}-{end} is {found!r}, not the quote "
            f"{exact!r}; {_elsewhere(text, exact)}"
        ]
    messages = []
    prefix = _single(objects, quote, _PREFIX)
    if isinstance(prefix, Literal) and not text[:start].endswith(str(prefix)):
        before = text[max(0, start - len(str(prefix))):start]
        messages.append(f"anchor {anchor}: prefix {str(prefix)!r} does not match the text before the quote {before!r}")
    elif isinstance(prefix, list):
        messages.append(f"anchor {anchor} has more than one oa:prefix")
    suffix = _single(objects, quote, _SUFFIX)
    if isinstance(suffix, Literal) and not text[end:].startswith(str(suffix)):
        after = text[end:end + len(str(suffix))]
        messages.append(f"anchor {anchor}: suffix {str(suffix)!r} does not match the text after the quote {after!r}")
    elif isinstance(suffix, list):
        messages.append(f"anchor {anchor} has more than one oa:suffix")
    return messages


def find_anchor_problems(graph: Graph, text: str, path: str) -> list[Problem]:
    """Check every ``nkg:hasAnchor`` of every claim in ``graph`` against ``text``.

    Each Problem has the anchor as its focus (the node to fix), names its claim and the
    stored text ``path`` in its message, and says what is wrong and, when the quote is not
    at its offsets, where it does occur (or that it occurs nowhere). Its path is ``path``
    until `newskg.build.locations.locate` moves it to the line that states the anchor.
    """
    problems = []
    objects = _objects_of(graph)
    for claim, anchor in sorted(graph.subject_objects(NKG.hasAnchor)):
        for message in _anchor_problems(objects, text, anchor):
            problems.append(Problem(check=CHECK_NAME, message=f"claim {_name(claim)}: {message} (in {path})",
                                    focus=_name(anchor), path=path))
    return problems


def _name(term) -> str:
    return shorten(str(term)) if isinstance(term, URIRef) else term.n3()


def render_anchor_turtle(
    anchor: str, exact: str, start: int, end: int, prefix: str, suffix: str,
    source: str = "art:article", claim: str | None = None,
) -> str:
    """A Turtle snippet describing one anchor, ready to paste into a report file.

    ``anchor``, ``source`` and ``claim`` are CURIEs (e.g. ``art:c-reset-a1``),
    written as given; the selectors are named after the anchor (``-quote``,
    ``-position``) so that every node has an IRI a store can show.
    """
    def lit(value: str) -> str:
        return Literal(value).n3()

    lines = []
    if claim:
        lines.append(f"{claim} nkg:hasAnchor {anchor} .")
    lines += [
        f"{anchor} a nkg:TextAnchor ;",
        f"    oa:hasSource {source} ;",
        f"    oa:hasSelector {anchor}-quote, {anchor}-position .",
        f"{anchor}-quote a oa:TextQuoteSelector ;",
        f"    oa:exact {lit(exact)}"
        + (f" ;\n    oa:prefix {lit(prefix)}" if prefix else "")
        + (f" ;\n    oa:suffix {lit(suffix)}" if suffix else "")
        + " .",
        f"{anchor}-position a oa:TextPositionSelector ;",
        f'    oa:start "{start}"^^xsd:nonNegativeInteger ;',
        f'    oa:end "{end}"^^xsd:nonNegativeInteger .',
    ]
    return "\n".join(lines) + "\n"

