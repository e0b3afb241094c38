"""Text anchors: a claim's exact words, located in the report's stored text.

An anchor (``nkg:TextAnchor``) carries an ``oa:TextQuoteSelector`` (exact, prefix,
suffix) and an ``oa:TextPositionSelector`` (start, end; end exclusive). Offsets are
Python ``str`` indices, i.e. Unicode code points, into ``graph/<slug>/source.txt``.
The two selectors say the same thing twice on purpose: if the text or the offsets
drift, they disagree, and the build refuses the anchor instead of pointing an
analyst at the wrong words.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF

from newskg.errors import Problem, UsageError
from newskg.namespaces import NKG, OA

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
        raise UsageError(f"quote not found in the text: {exact!r}")
    if occurrence is None:
        if len(starts) > 1:
            where = ", ".join(str(s) for s in starts)
            raise UsageError(
                f"quote is ambiguous: {exact!r} occurs {len(starts)} times (at {where}); "
                "quote more words or pick an occurrence"
            )
        occurrence = 1
    if occurrence < 1 or occurrence > len(starts):
        raise UsageError(
            f"occurrence {occurrence} asked for, but {exact!r} occurs {len(starts)} time(s)"
        )
    start = starts[occurrence - 1]
    end = start + len(exact)
    return start, end, text[max(0, start - context):start], text[end:end + context]


def _single(graph: Graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    return values[0] if len(values) == 1 else (values if values else None)


def _selectors(graph: Graph, anchor) -> tuple[list, list]:
    quotes, positions = [], []
    for selector in graph.objects(anchor, OA.hasSelector):
        types = set(graph.objects(selector, RDF.type))
        if OA.TextQuoteSelector in types:
            quotes.append(selector)
        if OA.TextPositionSelector in types:
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


def _anchor_problems(graph: Graph, text: str, anchor) -> list[str]:
    """What is wrong with one anchor, as messages (empty when it verifies)."""
    quotes, positions = _selectors(graph, anchor)
    if len(quotes) != 1 or len(positions) != 1:
        return [
            f"anchor {anchor} needs exactly one oa:TextQuoteSelector and one "
            f"oa:TextPositionSelector, has {len(quotes)} and {len(positions)}"
        ]
    quote, position = quotes[0], positions[0]
    exact = _single(graph, quote, OA.exact)
    if not isinstance(exact, Literal) or not str(exact):
        return [f"anchor {anchor} has no single, non-empty oa:exact"]
    exact = str(exact)
    start = _offset(_single(graph, position, OA.start))
    end = _offset(_single(graph, position, OA.end))
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
    prefix = _single(graph, quote, OA.prefix)
    if isinstance(prefix, Literal) and not text[:start].endswith(str(prefix)):
        before = text[max(0, start - len(str(prefix))):start]
        messages.append(f"anchor {anchor}: prefix {str(prefix)!r} does not match the text before the quote {before!r}")
    elif isinstance(prefix, list):
        messages.append(f"anchor {anchor} has more than one oa:prefix")
    suffix = _single(graph, quote, OA.suffix)
    if isinstance(suffix, Literal) and not text[end:].startswith(str(suffix)):
        after = text[end:end + len(str(suffix))]
        messages.append(f"anchor {anchor}: suffix {str(suffix)!r} does not match the text after the quote {after!r}")
    elif isinstance(suffix, list):
        messages.append(f"anchor {anchor} has more than one oa:suffix")
    return messages


def find_anchor_problems(graph: Graph, text: str, path: str) -> list[Problem]:
    """Check every ``nkg:hasAnchor`` of every claim in ``graph`` against ``text``.

    ``path`` names the stored text file in each Problem. Each Problem has the
    claim IRI as its focus and says what is wrong and, when the quote is not at
    its offsets, where it does occur (or that it occurs nowhere).
    """
    problems = []
    for claim, anchor in sorted(graph.subject_objects(NKG.hasAnchor)):
        for message in _anchor_problems(graph, text, anchor):
            problems.append(Problem(check=CHECK_NAME, message=message, focus=str(claim), path=path))
    return problems


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

