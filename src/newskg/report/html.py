"""Render reports as one self-contained HTML page (templates/, static/ are package data).

The page inlines its stylesheet and script and loads nothing: it opens offline, from a file
or from `newskg serve`. Jinja2 escapes every value (autoescape), so a quote or a label
cannot inject markup. ``link(iri)`` turns IRIs into links (the web app's resource pages);
the file written by `newskg report` has none.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources

from newskg.namespaces import LEVELS, shorten
from newskg.report.mapsvg import KIND_NAMES, actor_map_svg, shape
from newskg.report.model import NO_LEVEL, STATUSES, Report
from newskg.report.timeline import build_timeline

Link = Callable[[str], "str | None"]

#: What each status means, for the legend (docs/modelling.md has the full definitions).
STATUS_NOTES = {
    "Confirmed": "publicly acknowledged by an involved actor or an official record",
    "Reported": "passed on from sources, officials or news agencies",
    "Assessed": "a judgement, inference or warning",
    "NotEvidenced": "the report says there is no (public) evidence of it; never a fact",
    "Denied": "someone explicitly says it did not happen; never a fact",
    "Background": "reference knowledge from no report",
}
#: The pattern that stands for each status where colour is not seen (legend and print).
STATUS_PATTERNS = {
    "Confirmed": "solid fill, thick solid underline",
    "Reported": "diagonal stripes, dashed underline",
    "Assessed": "dots, dotted underline",
    "NotEvidenced": "cross-hatch, wavy underline",
    "Denied": "cross-hatch, double underline",
    "Background": "grey, thin underline",
}
STATUS_WORDS = {"NotEvidenced": "Not evidenced"}


def _static(name: str) -> str:
    return resources.files("newskg.report").joinpath("static").joinpath(name).read_text(encoding="utf-8")


@cache
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("newskg.report", "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["curie"] = shorten
    env.filters["status_word"] = lambda s: STATUS_WORDS.get(s, s)
    return env


def inline_assets() -> tuple[str, str]:
    """The page's stylesheet and script, exactly as inlined (the web app hashes them for its CSP)."""
    return _static("report.css"), _static("report.js")


def csp_hash(text: str) -> str:
    """A Content-Security-Policy source expression allowing one inline script or style."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def render_reports(reports: list[Report], *, level: str = LEVELS[0], link: Link | None = None,
                   title: str | None = None, nav: list[tuple[str, str]] | None = None,
                   generated: str | None = None) -> str:
    """The HTML page of ``reports``, its level switch set to ``level``.

    ``nav`` adds (label, URL) links to the page header (the web app's menu); ``generated``
    says where the page came from (default: the time of rendering).
    """
    link = link or (lambda iri: None)
    css, js = inline_assets()
    views = []
    for report in reports:
        claims_by_iri = {c.iri: c for c in report.claims}
        first_segment: dict[str, str] = {}
        for index, segment in enumerate(report.segments):
            for anchor in segment.anchors:
                first_segment.setdefault(anchor.dom_id, f"{report.dom_prefix}-seg-{index}")
        kinds = sorted({k for (_, k) in report.counts()})
        views.append({
            "r": report, "claims_by_iri": claims_by_iri, "first_segment": first_segment,
            "source_kinds": kinds, "timeline": build_timeline(report.engagements),
            "map": actor_map_svg(report.actors, report.engagements, f"{report.dom_prefix}-map", link),
            "key_shapes": {k: shape(k, 0, 0) for k in KIND_NAMES},
            "kind_totals": {k: sum(n for (_, kind), n in report.counts().items() if kind == k) for k in kinds},
            "map_kinds": [(k, KIND_NAMES[k]) for k in KIND_NAMES if any(a.kind == k for a in report.actors)],
        })
    stamp = generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _environment().get_template("report.html.j2").render(
        views=views, level=level, level_index=LEVELS.index(level), levels=LEVELS, no_level=NO_LEVEL,
        statuses=STATUSES, notes=STATUS_NOTES, patterns=STATUS_PATTERNS, link=link,
        title=title or (reports[0].headline if len(reports) == 1 else f"{len(reports)} reports"),
        nav=nav or [], generated=stamp, css=css, js=js)
