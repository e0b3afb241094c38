"""Content negotiation for the API: the result format a request's Accept header prefers."""

from __future__ import annotations

#: Media type -> newskg.query.render format, for SELECT (and ASK) results.
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: Media type -> render format, for CONSTRUCT/DESCRIBE results.
GRAPH_TYPES = {"text/turtle": "turtle", "application/n-triples": "ntriples", "application/ld+json": "jsonld"}
#: The format a ?format= parameter may name, and the media type answered with it.
FORMAT_TYPES = {"json": "application/sparql-results+json", "csv": "text/csv",
                "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ntriples": "application/n-triples", "jsonld": "application/ld+json"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (stable)."""
    ranges = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def choose(header: str | None, offered: dict[str, str]) -> tuple[str, str] | None:
    """(media type, format) of the first offer the header accepts, in its order of preference;
    None when it accepts none of them."""
    for media, _ in parse_accept(header):
        for offer, fmt in offered.items():
            kind = offer.partition("/")[0]
            if media in (offer, "*/*", f"{kind}/*"):
                return offer, fmt
    return None
