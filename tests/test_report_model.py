"""The view's building blocks on their own: text segments, anchor checks, the timeline axis."""

from __future__ import annotations

import pytest

from newskg.errors import BuildMissingError
from newskg.report.model import Anchor, Claim, Engagement, best_status, claim_level
from newskg.report.text import check_anchors, segments
from newskg.report.timeline import build_timeline

TEXT = "Alpha beta gamma delta."


def claim(name: str, status: str, *spans: tuple[int, int]) -> Claim:
    c = Claim(name, name, status)
    c.anchors = [Anchor(f"{name}-a{i}", f"{name}-q{i}", s, e, TEXT[s:e]) for i, (s, e) in enumerate(spans)]
    return c


def test_nested_and_crossing_anchors_cut_the_text_at_every_boundary():
    outer, inner, crossing = claim("o", "Reported", (0, 16)), claim("i", "Confirmed", (6, 10)), claim("x", "Assessed", (12, 22))
    pieces = segments(TEXT, [outer, inner, crossing])
    assert "".join(p.text for p in pieces) == TEXT
    assert [(p.text, [c.iri for c in p.claims]) for p in pieces] == [
        ("Alpha ", ["o"]), ("beta", ["o", "i"]), (" g", ["o"]), ("amma", ["o", "x"]),
        (" delta", ["x"]), (".", [])]
    assert pieces[1].status == "Confirmed" and pieces[1].level == 0
    for c in (outer, inner, crossing):
        for a in c.anchors:
            assert "".join(p.text for p in pieces if a in p.anchors) == a.exact


def test_identical_anchors_share_one_segment():
    one, two = claim("a", "Reported", (0, 5)), claim("b", "Assessed", (0, 5))
    first = segments(TEXT, [one, two])[0]
    assert first.text == "Alpha" and [c.iri for c in first.claims] == ["a", "b"]


def test_an_anchor_off_its_words_is_refused():
    bad = claim("a", "Reported", (0, 5))
    bad.anchors[0].exact = "Omega"
    with pytest.raises(BuildMissingError, match="not at 0-5"):
        check_anchors(TEXT, [bad], "graph/x/source.txt")
    out_of_range = claim("b", "Reported", (0, 5))
    out_of_range.anchors[0].end = 99
    with pytest.raises(BuildMissingError):
        check_anchors(TEXT, [out_of_range], "graph/x/source.txt")


def test_levels_of_claims():
    assert [claim_level(s, False) for s in ("Confirmed", "Background", "Reported", "Assessed", "NotEvidenced", "Denied")] \
        == [0, 0, 1, 2, 3, 3]
    assert claim_level("Confirmed", True) == 3  # a negative claim enters no level
    assert best_status(iter(["Assessed", "Reported"])) == "Reported"
    assert best_status([]) is None


def test_timeline_ranges_and_open_bounds():
    april = Engagement("a", "talks", not_before="2025-04-01", not_after="2025-04-30", approximate=True)
    by_december = Engagement("b", "language", not_after="2025-12-28")
    undated = Engagement("c", "undated")
    timeline = build_timeline([by_december, undated, april])
    assert timeline is not None
    assert (timeline.start.isoformat(), timeline.end.isoformat()) == ("2025-04-01", "2025-12-28")
    first, second = timeline.rows
    assert first.engagement is april and first.left == 0 and 0.1 < first.right < 0.12
    assert first.when == "2025-04-01 – 2025-04-30"
    assert second.open_before and not second.open_after and second.when == "by 2025-12-28"
    assert timeline.ticks[0] == (0.0, "Apr 2025")
    assert build_timeline([undated]) is None


def test_a_single_day_gets_an_axis_of_its_own():
    day = Engagement("d", "visit", not_before="2025-06-10", not_after="2025-06-10")
    timeline = build_timeline([day])
    assert timeline is not None
    (row,) = timeline.rows
    assert row.when == "2025-06-10" and 0.4 < row.left == row.right < 0.6
