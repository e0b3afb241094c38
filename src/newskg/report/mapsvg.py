"""The actor map: states with their bodies around them, engagements as edges, as inline SVG.

Laid out here, deterministically, so the page needs no graph library: states on a circle
(side by side when there are two), each state's bodies on an arc on its outer side, actors
of no state in a row below. Shape tells the kind without colour (state: circle,
intelligence agency: diamond, government body: rounded square, institution: square, group:
dashed ellipse); an edge's line style tells the best status of the claims about its
engagements, as in the text's legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from newskg.report.model import Actor, Engagement, best_status

WIDTH = 1000
NODE = 30  # half the size of a node's shape


@dataclass
class Edge:
    """The engagements between two actors, drawn as one line styled by their best status."""

    a: str
    b: str
    engagements: list[Engagement] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return best_status(e.status for e in self.engagements if e.status)

    @property
    def level(self) -> int:
        return min(e.level for e in self.engagements)


def edges_of(engagements: list[Engagement]) -> list[Edge]:
    """One edge a pair of participants, gathering every engagement they share."""
    edges: dict[tuple[str, str], Edge] = {}
    for engagement in engagements:
        iris = sorted({p.iri for p in engagement.participants})
        for i, a in enumerate(iris):
            for b in iris[i + 1:]:
                edges.setdefault((a, b), Edge(a, b)).engagements.append(engagement)
    return list(edges.values())


def layout(actors: list[Actor]) -> tuple[dict[str, tuple[float, float]], int]:
    """Positions of the actors' centres, and the height of the drawing."""
    states = [a for a in actors if a.kind == "state"]
    members = {s.iri: [a for a in actors if a.state == s.iri and a.kind != "state"] for s in states}
    placed = {iri for group in members.values() for iri in (m.iri for m in group)}
    loose = [a for a in actors if a.kind != "state" and a.iri not in placed]
    centre_x, centre_y = WIDTH / 2, 330.0
    positions: dict[str, tuple[float, float]] = {}
    count = len(states)
    for index, state in enumerate(states):
        if count == 1:
            x, y, outward = centre_x, centre_y, -math.pi / 2
        elif count == 2:
            x, y = (WIDTH * 0.28, centre_y) if index == 0 else (WIDTH * 0.72, centre_y)
            outward = math.pi if index == 0 else 0.0
        else:
            angle = -math.pi / 2 + 2 * math.pi * index / count
            x, y = centre_x + 230 * math.cos(angle), centre_y + 200 * math.sin(angle)
            outward = angle
        positions[state.iri] = (x, y)
        group = members[state.iri]
        spread = min(math.radians(220), math.radians(55) * max(len(group) - 1, 0))
        for k, member in enumerate(group):
            offset = 0.0 if len(group) == 1 else -spread / 2 + spread * k / (len(group) - 1)
            theta = outward + offset
            positions[member.iri] = (x + 165 * math.cos(theta), y + 150 * math.sin(theta))
    bottom = max([y for _, y in positions.values()], default=centre_y) + 150
    for k, actor in enumerate(loose):
        row, col = divmod(k, 4)
        positions[actor.iri] = (WIDTH * (col + 0.5) / min(4, len(loose) - 4 * row), bottom + row * 140)
    # Lift everything so the topmost node sits just below the top edge.
    lift = min([y for _, y in positions.values()], default=centre_y) - 2 * NODE
    positions = {iri: (x, y - lift) for iri, (x, y) in positions.items()}
    height = int(max([y for _, y in positions.values()], default=centre_y) + 110)
    return positions, height


def _wrap(label: str, width: int = 22, lines: int = 3) -> list[str]:
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= width:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def shape(kind: str, x: float, y: float) -> str:
    """The SVG shape of an actor of ``kind`` centred on (x, y)."""
    n = NODE
    if kind == "state":
        return f'<circle class="shape" cx="{x:.1f}" cy="{y:.1f}" r="{n + 6}"/>'
    if kind == "intelligence":
        points = f"{x:.1f},{y - n - 4:.1f} {x + n + 4:.1f},{y:.1f} {x:.1f},{y + n + 4:.1f} {x - n - 4:.1f},{y:.1f}"
        return f'<polygon class="shape" points="{points}"/>'
    if kind in ("government", "institution"):
        round_ = ' rx="10"' if kind == "government" else ""
        return f'<rect class="shape" x="{x - n:.1f}" y="{y - n:.1f}" width="{2 * n}" height="{2 * n}"{round_}/>'
    return f'<ellipse class="shape" cx="{x:.1f}" cy="{y:.1f}" rx="{n + 8}" ry="{n - 8}"/>'


KIND_NAMES = {"state": "state", "intelligence": "intelligence agency", "government": "government body",
              "institution": "institution", "group": "group (unnamed or collective)",
              "person": "person", "other": "other actor"}


def actor_map_svg(actors: list[Actor], engagements: list[Engagement], dom_id: str,
                  link: Callable[[str], str | None] = lambda iri: None) -> str:
    """The map as an ``<svg>`` element; ``link(iri)`` may give a URL for each actor."""
    positions, height = layout(actors)
    by_iri = {a.iri: a for a in actors}
    parts = [f'<svg id="{dom_id}" class="actor-map" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-labelledby="{dom_id}-title" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{dom_id}-title">Actor map: {len(actors)} actors, '
             f'{len(edges_of(engagements))} links by engagement</title>']
    for actor in actors:  # "belongs to" lines first, under everything else
        if actor.state in positions and actor.iri in positions:
            (x1, y1), (x2, y2) = positions[actor.iri], positions[actor.state]
            parts.append(f'<line class="belongs" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}">'
                         f'<title>{escape(actor.label)} belongs to {escape(by_iri[actor.state].label)}</title></line>')
    for edge in edges_of(engagements):
        if edge.a not in positions or edge.b not in positions:
            continue
        (x1, y1), (x2, y2) = positions[edge.a], positions[edge.b]
        status = edge.status or "none"
        names = "; ".join(f"{e.label} ({e.status or 'no claim'})" for e in edge.engagements)
        title = f"{by_iri[edge.a].label} – {by_iri[edge.b].label}: {names}"
        parts.append(f'<line class="edge st-{status}" data-level="{edge.level}" x1="{x1:.1f}" y1="{y1:.1f}" '
                     f'x2="{x2:.1f}" y2="{y2:.1f}"><title>{escape(title)}</title></line>')
    for actor in actors:
        x, y = positions[actor.iri]
        lines = _wrap(actor.label)
        text = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 1.15}em">{escape(line)}</tspan>'
                       for i, line in enumerate(lines))
        body = (f'<title>{escape(actor.label)} ({KIND_NAMES[actor.kind]})</title>{shape(actor.kind, x, y)}'
                f'<text x="{x:.1f}" y="{y + NODE + 26:.1f}">{text}</text>')
        href = link(actor.iri)
        if href:
            body = f'<a href="{escape(href)}">{body}</a>'
        parts.append(f'<g class="node kind-{actor.kind}" data-iri="{escape(actor.iri)}">{body}</g>')
    parts.append("</svg>")
    return "\n".join(parts)
