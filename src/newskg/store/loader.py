"""Load the build's named graphs into a SPARQL triple store, replacing each graph whole.

The ways, chosen by which endpoints the store offers (see docs/loading.md):

- ``dataset-fresh`` (the store takes N-Quads for the whole dataset, and SPARQL Update,
  and none of the targets exists in it yet): the build's dataset.nq in one POST straight
  into the targets, then one count query. Staging is not needed: a failure is undone by
  dropping the targets, which did not exist before.
- ``dataset-difference`` (the same, with the oxigraph preset, when any target exists): one
  query reads what the targets hold, the build is compared with it here (newskg.store.difference),
  and one SPARQL Update writes the difference (none if nothing changed); one count query. Falls
  back to ``dataset-staged`` when that update would exceed what the store takes.
- ``dataset-staged`` (the same, when any target exists, other presets or ``--staged``): the build's dataset.nq, each
  graph renamed to its staging graph, in one POST; one count query over the staging
  graphs; one SPARQL Update swaps every staging graph into its target (MOVE, or on
  Oxigraph a DELETE/INSERT of the difference, which writes only what changed) and drops
  the staging graphs. A constant number of requests, whatever the number of graphs.
- ``gsp-staged`` (GSP + update endpoint, no dataset endpoint): each graph is PUT to
  its staging graph, then the same count and swap.
- ``update-staged`` (update endpoint only): INSERT DATA in bounded batches into
  staging graphs, then the same count and swap.
- ``dataset-direct`` / ``gsp-direct`` (``direct=True``): one DROP of the targets then
  one N-Quads POST straight into them, or (without a dataset endpoint) one PUT over
  each; faster, but weaker: a failure mid-load can leave graphs empty or half loaded,
  and readers may see them while they load. Rerunning repairs it.

In the staged ways a failure before the swap leaves our graphs as they were; in
``dataset-fresh`` a failure drops the targets again. Every way ends with one count query
over all the targets.

Only graph IRIs named by the build (after ``graph_prefix`` remapping) and our
own run-scoped staging graphs are ever written, moved or dropped.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlencode

from newskg.background import Background
from newskg.errors import LoadError, NewskgError, UsageError
from newskg.limits import max_response_bytes
from newskg.namespaces import GRAPH_BASE
from newskg.project import Build, BuildGraph
from newskg.store import difference
from newskg.store.auth import Login
from newskg.store.difference import Difference
from newskg.store.endpoints import Endpoints
from newskg.store.http import OUTCOME_UNKNOWN, ByteCounter, HttpRequest, HttpResponse
from newskg.store.quadstream import RenamedQuads
from newskg.terms import is_absolute_iri

#: Virtuoso struggles with large SPARQL Update bodies (older Oxigraph servers refused more than 1 MiB).
DEFAULT_BATCH_BYTES = 256 * 1024
#: Every staging graph is named ``<STAGING_PREFIX><run id>:<target graph IRI>``.
STAGING_PREFIX = "urn:newskg:staging:"


class Transport(Protocol):
    """Sends one request (HttpTransport) or records it (DryRunTransport)."""

    login: Login

    def send(self, request: HttpRequest, on_bytes: ByteCounter | None = None) -> HttpResponse: ...


def select_graphs(
    graphs: list[BuildGraph], names: list[str] | None = None, include_inferred: bool = True
) -> list[BuildGraph]:
    """The graphs to load: all, or those named by file stem, role or IRI.

    Raises UsageError for a name that matches no graph of the build.
    """
    chosen = graphs
    if names:
        chosen = []
        for name in names:
            hits = [g for g in graphs if name in (g.name, g.role, g.iri)]
            if not hits:
                known = ", ".join(g.name for g in graphs)
                raise UsageError(f"no graph {name!r} in the build; known: {known}")
            chosen += [g for g in hits if g not in chosen]
    if not include_inferred:
        chosen = [g for g in chosen if g.role != "inferred"]
    if not chosen:
        raise UsageError("no graph left to load")
    return chosen


def target_iri(build_iri: str, graph_prefix: str | None) -> str:
    """The graph IRI in the store: the build's, or with GRAPH_BASE replaced by ``graph_prefix``."""
    if graph_prefix and build_iri.startswith(GRAPH_BASE):
        return graph_prefix + build_iri[len(GRAPH_BASE):]
    return build_iri


#: A reload of at least READ_GROUPS_MIN_QUADS quads reads its targets with READ_GROUPS queries at once.
READ_GROUPS = 2
READ_GROUPS_MIN_QUADS = 20_000


@dataclass
class GraphCount:
    """Expected (manifest) and found (store) triple counts of one loaded graph."""

    iri: str
    expected: int
    found: int | None

    @property
    def ok(self) -> bool:
        return self.found is None or self.found == self.expected


@dataclass
class LoadReport:
    """What a load did: method, per-graph counts, bytes sent and time taken."""

    method: str
    run_id: str
    counts: list[GraphCount]
    bytes_sent: int = 0
    requests: int = 0
    seconds: float = 0.0
    #: staging graphs that earlier, interrupted loads had left for these targets, dropped first
    leftovers_dropped: int = 0
    #: a reload by difference: quads deleted or inserted, and graphs replaced whole (None otherwise)
    changed: tuple[int, int] | None = None

    @property
    def triples(self) -> int:
        return sum(c.expected for c in self.counts)


def load_graphs(
    graphs: list[BuildGraph],
    endpoints: Endpoints,
    transport: Transport,
    *,
    graph_prefix: str | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    run_id: str | None = None,
    on_bytes: ByteCounter | None = None,
    direct: bool = False,
    build: Build | None = None,
) -> LoadReport:
    """Replace each graph's target in the store with the build's, then verify counts.

    ``build`` is the build the graphs come from: with its dataset.nq and a store that takes
    N-Quads for its whole dataset, the load is one body; without, one request per graph.
    Raises LoadError (naming the graph and the store's answer) or EndpointError; in the
    staged methods the targets are then left as they were, unless the swap itself was sent
    and its answer lost (the error then says so).
    """
    if graph_prefix is not None and not is_absolute_iri(graph_prefix):
        raise UsageError(f"--graph-prefix must be an absolute IRI, got {graph_prefix!r}")
    has_dataset = bool(endpoints.dataset and endpoints.update and build is not None and build.nquads_path.is_file())
    if direct and not (endpoints.graph_store or has_dataset):
        raise UsageError("--direct needs a Graph Store Protocol endpoint (--graph-store or a --preset)")
    if not endpoints.update and not endpoints.graph_store:
        raise UsageError("no way to write: give --update-endpoint, --graph-store or a --preset")
    for url in endpoints.urls():
        # Every host's credentials now: a netrc that does not parse stops the load before any request.
        transport.login.credentials(url)
    run_id = run_id or time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    if direct or not endpoints.update:
        method = "dataset-direct" if has_dataset else "gsp-direct"
    else:
        method = "dataset-staged" if has_dataset else "gsp-staged" if endpoints.graph_store else "update-staged"
    loader = _Loader(endpoints, transport, run_id, batch_bytes, on_bytes)
    targets = [(g, target_iri(g.iri, graph_prefix)) for g in graphs]
    started = time.perf_counter()
    counts: list[GraphCount] | None = None
    if method == "dataset-direct":
        assert build is not None  # has_dataset
        loader.replace_directly(targets, build)
    elif method == "gsp-direct":
        for graph, target in targets:
            loader.put(graph, target, staging=False)
    else:
        existing = loader.survey([t for _, t in targets], ask_existing=method == "dataset-staged")
        if method == "dataset-staged" and existing is not None and not existing:
            assert build is not None  # has_dataset
            method = "dataset-fresh"
            counts = loader.load_fresh(targets, build)
        elif method == "dataset-staged" and existing and endpoints.client_difference:
            assert build is not None  # has_dataset
            method = "dataset-difference"
            if not loader.replace_difference(targets, build, existing):
                method = "dataset-staged"  # the difference is too large for one update
                loader.stage_and_swap(targets, method, build)
        else:
            loader.stage_and_swap(targets, method, build)
    if counts is None:
        counts = verified_counts(targets, loader.read_counts if loader.read_counts is not None else
                                 loader.count_graphs([t for _, t in targets], "count triples in the loaded graphs"))
    change = loader.difference
    return LoadReport(method, run_id, counts, loader.bytes_sent, loader.requests,
                      time.perf_counter() - started, loader.leftovers_dropped,
                      None if change is None else (change.changed, len(change.drop)))


def verified_counts(targets: list[tuple[BuildGraph, str]], found: dict[str, int] | None) -> list[GraphCount]:
    """Each target's expected and found triple count (found None in a dry run); LoadError if any differ."""
    counts = [GraphCount(t, g.triples, None if found is None else found.get(t, 0)) for g, t in targets]
    bad = [c for c in counts if not c.ok]
    if bad:
        lines = "; ".join(f"<{c.iri}> has {c.found} triples, the build has {c.expected}" for c in bad)
        raise LoadError(f"count check failed after loading: {lines}")
    return counts


class _Loader:
    """The requests of one load run; holds the run id that names its staging graphs."""

    def __init__(self, endpoints: Endpoints, transport: Transport, run_id: str,
                 batch_bytes: int, on_bytes: ByteCounter | None):
        self.endpoints, self.transport, self.run_id = endpoints, transport, run_id
        self.batch_bytes, self.on_bytes = batch_bytes, on_bytes
        self.bytes_sent = self.requests = 0
        self._counting = threading.Lock()
        #: Staging graphs a write may have reached (the ones to drop after a failure).
        self.touched: list[str] = []
        self.leftovers_dropped = 0
        #: what a reload by difference changed (None for the other methods)
        self.difference: Difference | None = None
        #: Each target's triples as the read of an unchanged reload found them (None: count after).
        self.read_counts: dict[str, int] | None = None

    def staging_iri(self, target: str) -> str:
        """A graph IRI nobody else uses: derived from the target and this run's id."""
        return f"{STAGING_PREFIX}{self.run_id}:{target}"

    def survey(self, targets: list[str], ask_existing: bool) -> set[str] | None:
        """Drop the staging graphs earlier loads left for these targets; with ``ask_existing``,
        also return which targets exist in the store (in the same query). None in a dry run."""
        try:
            return self.drop_leftovers(targets, ask_existing)
        except NewskgError as err:
            if err.args:
                err.args = (f"{err.args[0]}\n  nothing was replaced: the store's graphs are as they were",)
            raise

    def load_fresh(self, targets: list[tuple[BuildGraph, str]], build: Build) -> list[GraphCount]:
        """None of the targets exists: one body straight into them, then one count query.

        No staging and no swap: on any failure the graphs this load may have written are
        dropped, which leaves the store as it was (they did not exist before). On Oxigraph
        the body is all-or-nothing by itself (its bulk loader commits only at the end)."""
        try:
            if any(graph.triples for graph, _ in targets):
                self.post_dataset(targets, build, "fresh")
            return verified_counts(targets, self.count_graphs([t for _, t in targets],
                                                              "count triples in the loaded graphs"))
        except BaseException as err:
            leftover = self.drop_quietly(self.touched, "drop the graphs of the failed load (none existed before)")
            if isinstance(err, NewskgError) and err.args:
                if leftover:
                    note = ("none of these graphs existed before this load, and it could not drop those it "
                            f"wrote; these may remain, partly loaded: {leftover} (the next `newskg load` "
                            "replaces them)")
                else:
                    note = ("nothing was replaced: none of these graphs existed before this load, and those "
                            "it may have written were dropped again")
                err.args = ("\n  ".join([err.args[0], note]),)
            raise

    def replace_difference(self, targets: list[tuple[BuildGraph, str]], build: Build, existing: set[str]) -> bool:
        """Some targets exist: read what they hold (one query), compare with the build on this
        side, and send the difference as one update (none if nothing changed).

        One update request is one transaction in Oxigraph: a failure, or a body cut short, changes
        nothing. Unchanged triples are neither sent nor written, so a reload after a small change
        costs the read and the change, not a rewrite of every graph. False, having written
        nothing, when the update would be larger than the store takes (``max_update_bytes``):
        then the load stages and swaps instead."""
        renames = {graph.iri: target for graph, target in targets}
        # The build is read and sorted while the store answers.
        reading = Background("read-build", difference.read_build, build.nquads_path, renames)
        try:
            current = self.read_targets(targets, build)
            side = reading.result()
            try:
                change = difference.reload_difference(current, side,
                                                      {t for g, t in targets if not g.triples and t in existing})
            except SyntaxError as err:
                raise LoadError(f"{build.nquads_path} is not valid N-Quads ({err}); "
                                "run `newskg build --force`") from None
        except NewskgError as err:
            if err.args:
                err.args = (f"{err.args[0]}\n  nothing was replaced: the store's graphs are as they were",)
            raise
        if change.empty:
            # Nothing is written: the store's answer to the read is what it holds, so its lines
            # give each target's count, without asking again.
            self.read_counts = difference.graph_counts(current)
            self.difference = change
            return True
        del current  # the whole of the targets: let it go before the update is written
        text = change.update_text()
        if self.endpoints.max_update_bytes is not None and len(text) > self.endpoints.max_update_bytes:
            return False
        self.difference = change
        self.update(text, None, f"replace the changed triples ({change.changed} quads, "
                    f"{len(change.drop)} graph(s) whole)", change.changed or None)
        return True

    def read_targets(self, targets: list[tuple[BuildGraph, str]], build: Build) -> list[bytes]:
        """Every quad the targets hold in the store, as N-Quads lines: one SELECT, or for a large
        build `READ_GROUPS` at once (the store answers each in a thread of its own: Oxigraph
        reads a million quads on one core in about as long as its bulk loader loads them on all)."""
        quads = sum(graph.triples for graph, _ in targets)
        groups = difference.read_groups([(target, graph.triples) for graph, target in targets],
                                        READ_GROUPS if quads >= READ_GROUPS_MIN_QUADS else 1)
        limit = max(max_response_bytes(), 4 * build.nquads_path.stat().st_size)

        def read(group: list[str]) -> HttpResponse:
            return self.select(difference.read_query(group), "read the graphs to replace",
                               accept="text/tab-separated-values", limit=limit,
                               unencoded=True)  # Oxigraph takes it so

        others = [Background(f"read-{index}", read, group) for index, group in enumerate(groups[1:], 1)]
        try:
            answers = [read(groups[0])]
        finally:
            for other in others:
                other.wait()
        answers += [other.result() for other in others]
        lines: list[bytes] = []
        for answer in answers:
            try:
                lines += difference.store_lines(answer.body)
            except (SyntaxError, ValueError) as err:
                raise LoadError(f"the store answered the read of the graphs to replace with something "
                                f"unreadable ({err}): {answer.summary()}") from None
        return lines

    def stage_and_swap(self, targets: list[tuple[BuildGraph, str]], method: str, build: Build | None) -> None:
        """Fill one staging graph per non-empty target, count them all in one query, then swap
        all in one update."""
        swap_sent = False
        filled = [(graph, target) for graph, target in targets if graph.triples]
        try:
            if method == "dataset-staged":
                assert build is not None
                if filled:
                    self.post_dataset(targets, build, "staging")
            else:
                for graph, target in filled:
                    if method == "gsp-staged":
                        self.put(graph, target, staging=True)
                    else:
                        self.insert_batches(graph, target)
            staged = self.count_graphs([self.staging_iri(t) for _, t in filled], "count triples in the staging graphs")
            for graph, target in filled:
                found = None if staged is None else staged.get(self.staging_iri(target), 0)
                if found is not None and found != graph.triples:
                    raise LoadError(
                        f"graph <{target}>: the staging graph holds {found} triples (counted at "
                        f"{self.endpoints.query}), the build has {graph.triples}"
                    )
            swap_sent = True
            self.update(self.swap_text(targets), None, "swap staging graphs into place")
        except BaseException as err:
            # Dropping after a swap whose answer was lost is safe too: had the swap run, the
            # staging graphs are gone (DROP SILENT); had it not, they are ours to remove.
            leftover = self.drop_quietly(self.touched)
            if isinstance(err, NewskgError) and err.args:
                notes = [] if swap_sent else ["nothing was replaced: the store's graphs are as they were"]
                if leftover and swap_sent and getattr(err, "reached", False):
                    notes.append("if the swap did not run, our staging graphs may remain until the next "
                                 f"`newskg load` removes them: {leftover}")
                elif leftover:
                    notes.append(f"could not drop our staging graphs; these may remain: {leftover} "
                                 "(the next `newskg load` removes them)")
                err.args = ("\n  ".join([err.args[0], *notes]),)
            raise

    def replace_directly(self, targets: list[tuple[BuildGraph, str]], build: Build) -> None:
        """--direct with a dataset endpoint: one update dropping every target, then one body into them."""
        dropped = False
        try:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{target}>" for _, target in targets), None,
                        "drop the graphs to replace (--direct)")
            dropped = True
            if any(graph.triples for graph, _ in targets):
                self.post_dataset(targets, build, "direct")
        except NewskgError as err:
            if err.args and (dropped or getattr(err, "reached", False)):
                err.args = (f"{err.args[0]}\n  --direct: the graphs of this load may now be empty or partly "
                            "loaded; run `newskg load` again",)
            raise

    def post_dataset(self, targets: list[tuple[BuildGraph, str]], build: Build, into: str) -> None:
        """POST the build's dataset.nq in one request, each chosen graph renamed to its staging
        graph (``into="staging"``) or its target (``"fresh"``: none exists yet; ``"direct"``);
        the quads of graphs not chosen are left out."""
        staging = into == "staging"
        renames = {g.iri: self.staging_iri(t) if staging else t for g, t in targets}
        everything = set(renames) == {g.iri for g in build.graphs()}
        body = RenamedQuads(build.nquads_path, renames, {g.iri: g.triples for g, _ in targets}, everything)
        params = urlencode(self.endpoints.dataset_params, quote_via=quote)
        url = f"{self.endpoints.dataset}?{params}" if params else str(self.endpoints.dataset)
        where = {"staging": "their staging graphs", "fresh": "their graphs (none exists yet)",
                 "direct": "their graphs (--direct)"}[into]
        # Not repeated, even into staging graphs: a POST adds, and a second copy of a quad
        # with a blank node is a new quad.
        outcome = (OUTCOME_UNKNOWN if into == "direct"
                   else "it is not sent again: a POST adds, and blank nodes sent twice would be new ones")
        request = HttpRequest("POST", url, {"Content-Type": "application/n-quads"}, body, None,
                              f"POST {len(targets)} graph(s) of {build.nquads_path.name} into {where}",
                              sum(g.triples for g, _ in targets), outcome=outcome)
        # What a failure must drop: the staging graphs, or the fresh targets (they did not exist).
        written = [renames[g.iri] for g, _ in targets if g.triples] if into != "direct" else []
        self.write(request, written)

    def drop_leftovers(self, targets: list[str], ask_existing: bool = False) -> set[str] | None:
        """Drop the staging graphs that earlier runs left for these targets (a load that was
        killed, or whose clean-up failed), so they do not pile up in the store; with
        ``ask_existing``, return the targets that exist in the store, asked in the same query.
        None in a dry run.

        Only graphs named ``urn:newskg:staging:<another run>:<one of our targets>``: nobody
        else's graphs, and no staging graph of another build's graphs. A load running at the
        same time for the same targets loses its staging graphs and fails before its swap,
        leaving the targets whole.
        """
        leftovers = f'{{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
        if ask_existing:
            # The targets holding a triple, by index lookups; `VALUES ?g {...} GRAPH ?g { }` would be
            # simpler, but Oxigraph joins it as targets x graphs (86 s for 38,000 graphs that exist).
            # And every empty named graph (Oxigraph keeps them; few, usually none): an empty target
            # exists too, and only a load into graphs that are absent may undo a failure by dropping.
            values = " ".join(f"<{iri}>" for iri in targets)
            query = (f"SELECT DISTINCT ?g WHERE {{ {leftovers} "
                     f"UNION {{ VALUES ?g {{ {values} }} FILTER EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} }} }} "
                     "UNION { GRAPH ?g { } FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } } }")
        else:
            query = f"SELECT DISTINCT ?g WHERE {leftovers}"
        response = self.select(query, "find staging graphs left by earlier loads"
                               + (" and which graphs exist" if ask_existing else ""))
        if response.simulated:
            return None
        try:
            found = [b["g"]["value"] for b in json.loads(response.body)["results"]["bindings"]]
        except (ValueError, KeyError, TypeError):
            raise LoadError(f"the store answered the search for leftover staging graphs with something "
                            f"unreadable: {response.summary()}") from None
        ours, mine = set(targets), f"{STAGING_PREFIX}{self.run_id}:"
        stale = [g for g in found if isinstance(g, str) and g.startswith(STAGING_PREFIX) and not g.startswith(mine)
                 and g[len(STAGING_PREFIX):].partition(":")[2] in ours]
        if stale:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in stale), None,
                        "drop staging graphs left by earlier loads")
            self.leftovers_dropped = len(stale)
        return {g for g in found if g in ours}

    def swap_text(self, targets: list[tuple[BuildGraph, str]]) -> str:
        """One update request replacing every target and dropping its staging graph; stores
        that run it in one transaction (Oxigraph, Fuseki TDB2, GraphDB) never show a mix of
        old and new."""
        drops = [f"DROP SILENT GRAPH <{t}>" for g, t in targets if not g.triples]
        filled = [t for g, t in targets if g.triples]
        if not self.endpoints.diff_swap or not filled:
            # Not SILENT: if a staging graph were missing, fail without touching any target.
            return " ;\n".join([f"MOVE GRAPH <{self.staging_iri(t)}> TO GRAPH <{t}>" for t in filled] + drops)
        # MOVE copies every staging triple into its target and deletes the target's old ones,
        # in Oxigraph's transactional write path (the slow one: ~25 s for 120,000 triples in
        # 1,000 graphs). Writing only the difference leaves each target holding exactly its
        # staging graph's triples, as MOVE does, and writes nothing for an unchanged triple.
        # MINUS (hash anti-join) rather than FILTER NOT EXISTS: measured 2.4x faster.
        pairs = " ".join(f"(<{t}> <{self.staging_iri(t)}>)" for t in filled)
        delete = (f"DELETE {{ GRAPH ?t {{ ?s ?p ?o }} }} WHERE {{ VALUES (?t ?st) {{ {pairs} }} "
                  f"GRAPH ?t {{ ?s ?p ?o }} MINUS {{ VALUES (?t ?st) {{ {pairs} }} GRAPH ?st {{ ?s ?p ?o }} }} }}")
        insert = (f"INSERT {{ GRAPH ?t {{ ?s ?p ?o }} }} WHERE {{ VALUES (?t ?st) {{ {pairs} }} "
                  f"GRAPH ?st {{ ?s ?p ?o }} MINUS {{ VALUES (?t ?st) {{ {pairs} }} GRAPH ?t {{ ?s ?p ?o }} }} }}")
        # Dropped in the same update, not SILENT: a staging graph that vanished (another load
        # dropped it as a leftover) fails the whole update, before it empties a target.
        return " ;\n".join([delete, insert] + [f"DROP GRAPH <{self.staging_iri(t)}>" for t in filled] + drops)

    def drop_quietly(self, staged: list[str], purpose: str = "drop staging graphs") -> str:
        """Best-effort DROP of our staging graphs (or a failed fresh load's graphs); returns
        those that may remain."""
        if not staged or not self.endpoints.update:
            return ", ".join(f"<{iri}>" for iri in staged)
        text = " ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in staged)
        try:
            self.update(text, None, purpose)
        except Exception:
            return ", ".join(f"<{iri}>" for iri in staged)
        return ""

    def put(self, graph: BuildGraph, target: str, staging: bool) -> None:
        """Replace one graph (target or its staging graph) by a GSP PUT streamed from the file."""
        iri = self.staging_iri(target) if staging else target
        params = {"graph": iri, **self.endpoints.bulk_params}
        url = f"{self.endpoints.graph_store}?{urlencode(params, quote_via=quote)}"
        purpose = f"PUT into staging graph <{iri}>" if staging else "PUT (replaces the graph)"
        # A PUT into our own staging graph replaces it whole, so it may be repeated;
        # a PUT over the target may not (its outcome would be unknown).
        request = HttpRequest("PUT", url, {"Content-Type": "application/n-triples"},
                              graph.path, target, purpose, graph.triples, repeatable=staging)
        self.write(request, [iri] if staging else [])

    def insert_batches(self, graph: BuildGraph, target: str) -> None:
        """INSERT DATA the graph into its staging graph, at most ``batch_bytes`` a request."""
        staging = self.staging_iri(target)
        head, tail = f"INSERT DATA {{ GRAPH <{staging}> {{\n", "} }\n"
        budget = max(1, self.batch_bytes - len(head) - len(tail))
        for lines, count in _batches_of_ntriples(graph.path, budget, target):
            self.update(head + lines + tail, target, f"INSERT DATA batch into <{staging}>", count, [staging])

    def update(self, text: str | bytes, graph: str | None, purpose: str, triples: int | None = None,
               staging: list[str] | None = None) -> None:
        """POST one SPARQL Update (application/sparql-update); never repeated once it may have arrived."""
        request = HttpRequest("POST", self.endpoints.update or "",
                              {"Content-Type": "application/sparql-update; charset=utf-8"},
                              text.encode("utf-8") if isinstance(text, str) else text, graph, purpose, triples)
        self.write(request, staging or [])

    def write(self, request: HttpRequest, staging: list[str]) -> None:
        """Send a request that writes; remember the staging graphs it may have written to."""
        # Only data moves the progress bar; swap and drop requests are tiny.
        on_bytes = self.on_bytes if request.triples else None
        try:
            response = self.transport.send(request, on_bytes)
        except NewskgError as err:
            # Only a request that may have reached the store can have created its staging graphs:
            # not one refused before sending (credentials) or never connected.
            if getattr(err, "reached", False):
                self.touch(staging)
            raise
        except BaseException:
            self.touch(staging)
            raise
        if response.status not in (401, 403):  # a refused login wrote nothing
            self.touch(staging)
        self.check(response, request)

    def touch(self, staging: list[str]) -> None:
        self.touched += [iri for iri in staging if iri not in set(self.touched)]

    def count_graphs(self, iris: list[str], purpose: str) -> dict[str, int] | None:
        """Triples in each graph of ``iris``, in one query (a graph not in the answer is empty);
        None in a dry run."""
        if not iris:
            return {}
        values = " ".join(f"<{iri}>" for iri in iris)
        query = (f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
                 "GROUP BY ?g")
        response = self.select(query, purpose)
        if response.simulated:
            return None
        asked = set(iris)
        try:
            counts = {}
            for row in json.loads(response.body)["results"]["bindings"]:
                iri, n = row["g"]["value"], int(row["n"]["value"])
                if iri not in asked or iri in counts:
                    raise ValueError(iri)
                counts[iri] = n
            return counts
        except (ValueError, KeyError, IndexError, TypeError):
            raise LoadError(f"the count query to {self.endpoints.query} answered something unreadable "
                            f"({response.headers.get('content-type', 'no content type')}): "
                            f"{response.summary()}") from None

    def select(self, query: str, purpose: str, accept: str = "application/sparql-results+json",
               limit: int | None = None, unencoded: bool = False) -> HttpResponse:
        """POST a SELECT query (safe to repeat); its 2xx answer, else LoadError.

        ``unencoded``: as the body itself (``application/sparql-query``), not form-encoded,
        which costs the client a second per 3 MB of query (the read of 38,000 graphs)."""
        if unencoded:
            headers, body = {"Content-Type": "application/sparql-query", "Accept": accept}, query.encode()
        else:
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
            body = urlencode({"query": query}).encode("ascii")
        request = HttpRequest("POST", self.endpoints.query, headers, body, None, purpose,
                              repeatable=True, answer_limit=limit or max_response_bytes())
        response = self.transport.send(request)
        if not response.simulated:
            self.check(response, request)
        return response

    def check(self, response: HttpResponse, request: HttpRequest) -> None:
        """Raise LoadError naming the graph and the store's answer unless it is a 2xx."""
        if not response.simulated:
            with self._counting:  # a reload's reads run in threads
                self.requests += 1
                self.bytes_sent += request.size
        if response.ok:
            return
        what = f"graph <{request.graph}>" if request.graph else "the store"
        hint = ""
        if response.status in (401, 403):
            hint = self.transport.login.refusal_hint(request.url, response.headers.get("www-authenticate"))
        elif 300 <= response.status < 400:
            hint = (f" (it redirects to {response.headers.get('location', '?')}; give the store's own URL, "
                    "credentials are not sent on across a redirect)")
        elif response.status in (502, 504) and not request.safe_to_repeat:
            # A gateway gave up waiting: the store behind it may have done the work.
            hint = f"; {OUTCOME_UNKNOWN}"
        url = request.url.split("?", 1)[0]
        raise LoadError(f"{what}: {request.purpose} failed: {request.method} {url} answered "
                        f"{response.summary()}{hint}")


def _batches_of_ntriples(path: Path, budget: int, target: str) -> Iterator[tuple[str, int]]:
    """N-Triples text in chunks of at most ``budget`` bytes, with their triple counts.

    Terms are re-serialized by pyoxigraph (escaped N-Triples, valid SPARQL).
    Blank-node labels are scoped to one request, so every triple that shares a
    blank node (directly or through others) is kept in the same chunk; such a
    group larger than the budget is sent whole in an oversized chunk.
    """
    import pyoxigraph  # only the update fallback parses; keep it out of CLI start-up

    plain: list[str] = []
    size = 0
    linked: list[tuple[str, list[str]]] = []
    try:
        for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES):
            line = f"{triple} .\n"
            bnodes = [t.value for t in (triple.subject, triple.object) if isinstance(t, pyoxigraph.BlankNode)]
            if bnodes:
                linked.append((line, bnodes))
                continue
            if plain and size + len(line.encode()) > budget:
                yield "".join(plain), len(plain)
                plain, size = [], 0
            plain.append(line)
            size += len(line.encode())
    except SyntaxError as err:
        raise LoadError(f"graph <{target}>: {path} is not valid N-Triples: {err}") from None
    for group in _blank_node_groups(linked):
        group_size = sum(len(x.encode()) for x in group)
        if plain and size + group_size > budget:
            yield "".join(plain), len(plain)
            plain, size = [], 0
        plain.extend(group)
        size += group_size
    if plain:
        yield "".join(plain), len(plain)


def _blank_node_groups(linked: list[tuple[str, list[str]]]) -> list[list[str]]:
    """Lines grouped so that lines sharing a blank node (transitively) are together."""
    parent: dict[str, str] = {}

    def root(label: str) -> str:
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for _, labels in linked:
        first = root(labels[0])
        for other in labels[1:]:
            parent[root(other)] = first
    groups: dict[str, list[str]] = {}
    for line, labels in linked:
        groups.setdefault(root(labels[0]), []).append(line)
    return list(groups.values())
