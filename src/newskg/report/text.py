"""The report text cut into segments at every anchor boundary, so overlapping anchors nest.

Each segment knows every anchor (and so every claim) that covers it; a claim's highlight is
the run of segments its anchor covers, whose text joined is exactly the anchor's quote.
"""

from __future__ import annotations

from itertools import pairwise

from newskg.errors import BuildMissingError
from newskg.report.model import Anchor, Claim, Segment


def check_anchors(text: str, claims: list[Claim], where: str) -> None:
    """Raise BuildMissingError when an anchor's quote is not at its offsets in ``text``.

    The build checks anchors, but the text file can change after a build; the view must
    not highlight the wrong words.
    """
    for claim in claims:
        for anchor in claim.anchors:
            if not (0 <= anchor.start < anchor.end <= len(text)) or text[anchor.start:anchor.end] != anchor.exact:
                raise BuildMissingError(
                    f"{where}: the quote of anchor <{anchor.iri}> is not at {anchor.start}-{anchor.end}; "
                    "the text changed since the build: run `newskg build`")


def segments(text: str, claims: list[Claim]) -> list[Segment]:
    """The text cut at every anchor start and end, each piece with the anchors covering it."""
    owners: list[tuple[Anchor, Claim]] = [(a, c) for c in claims for a in c.anchors]
    cuts = sorted({0, len(text)} | {a.start for a, _ in owners} | {a.end for a, _ in owners})
    pieces = []
    for start, end in pairwise(cuts):
        covering = [(a, c) for a, c in owners if a.start <= start and end <= a.end]
        covering.sort(key=lambda ac: (ac[0].start, -ac[0].end, ac[0].iri))
        claims_here: list[Claim] = []
        for _, claim in covering:
            if claim not in claims_here:
                claims_here.append(claim)
        pieces.append(Segment(start, end, text[start:end], [a for a, _ in covering], claims_here))
    return pieces
