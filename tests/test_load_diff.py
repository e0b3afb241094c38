"""A reload by difference (``dataset-difference``, the oxigraph preset when some target exists):
the store ends as a fresh load of the same build leaves it, an unchanged reload writes nothing,
and a failure of its one update changes nothing. Against real `oxigraph serve` processes; the
connection cut comes from the proxy of test_load.
"""

from __future__ import annotations

import urllib.error
from pathlib import Path

import pytest

from newskg.project import Build
from newskg.store.difference import Difference, build_lines, difference
from oxigraph_server import start_oxigraph, stop_oxigraph
from test_load import (
    ARTICLE_V2,
    BACKGROUND_V2,
    HALF_THEN_DROP,
    LABEL,
    RDF,
    RDFLIB_NQUADS_WARNINGS,
    THEIRS,
    G,
    R,
    assert_same_store,
    dump,
    proxy_to,  # noqa: F401
    run_load,
    sparql_update,
    write_build,
)

pytestmark = RDFLIB_NQUADS_WARNINGS

#: The ontology with its blank-node list changed (a third member), and a literal Oxigraph stores
#: by value ("05" of a nonNegativeInteger is kept as the integer 5).
ONTOLOGY_V2 = f"""\
<{R}Claim> <{RDF}type> <http://www.w3.org/2002/07/owl#Class> .
<{R}Status> <http://www.w3.org/2002/07/owl#oneOf> _:l1 .
_:l1 <{RDF}first> <{R}Confirmed> .
_:l1 <{RDF}rest> _:l2 .
_:l2 <{RDF}first> <{R}Reported> .
_:l2 <{RDF}rest> _:l3 .
_:l3 <{RDF}first> <{R}Assessed> .
_:l3 <{RDF}rest> <{RDF}nil> .
<{R}Claim> <{R}offset> "05"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger> .
"""
XSD = "http://www.w3.org/2001/XMLSchema#"
#: Literals Oxigraph answers in another spelling than dataset.nq's, in TSV (short numbers) or by value.
LITERALS = "".join(f'<{R}v> <{R}p{i}> {term} .\n' for i, term in enumerate([
    f'"-0005"^^<{XSD}int>', f'"-1.50"^^<{XSD}decimal>', f'"1"^^<{XSD}boolean>', f'"false"^^<{XSD}boolean>',
    f'"1.0E0"^^<{XSD}double>', f'"1e400"^^<{XSD}double>', f'"NaN"^^<{XSD}float>', f'"2025-01-01"^^<{XSD}date>',
    '"t\\tx \\\\ \\" é 😀\\r\\n"@EN-gb', f'"12"^^<{XSD}integer>', '"x\\u0009y"',
]))
INFERRED = f"<{R}ISI> <{RDF}type> <{R}Agency> .\n<{R}ISI> {LABEL} \"tab\\there, quote \\\" and _:not-a-node\"@EN .\n"


def _builds(root: Path) -> list[Path]:
    """A sequence of builds: changed triples, a graph emptied and refilled, blank nodes changed."""
    return [
        write_build(root / "v1"),
        write_build(root / "v2", article=ARTICLE_V2, background=BACKGROUND_V2, inferred=INFERRED),
        write_build(root / "v3", ontology=ONTOLOGY_V2, article=ARTICLE_V2, background="", inferred=INFERRED),
        write_build(root / "v4", ontology=ONTOLOGY_V2, inferred=INFERRED),
        write_build(root / "v5", ontology=ONTOLOGY_V2, background=LITERALS + f'<{R}c> {LABEL} "bell\\u0007" .\n'),
    ]


def _load(base: str, build: Path, *extra: str):
    result = run_load("--preset", "oxigraph", "--endpoint", base, "--build", str(build), *extra)
    assert result.exit_code == 0, result.output
    return result


def test_each_reload_leaves_what_a_fresh_load_of_the_same_build_leaves(oxigraph_server, tmp_path):
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
    theirs = dump(oxigraph_server.base)[THEIRS]
    for number, build in enumerate(_builds(tmp_path)):
        result = _load(oxigraph_server.base, build)
        assert ("by dataset-difference" in result.stdout) == (number > 0), result.stdout
        proc, fresh = start_oxigraph(tmp_path / f"fresh-{number}")
        try:
            sparql_update(fresh, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
            assert "by dataset-fresh" in _load(fresh.base, build).stdout
            # Every graph, blank-node graphs by isomorphism; theirs as it was.
            assert_same_store(dump(fresh.base), dump(oxigraph_server.base))
        finally:
            stop_oxigraph(proc)
        assert_same_store({THEIRS: theirs}, {THEIRS: dump(oxigraph_server.base)[THEIRS]})


def test_a_reload_read_by_several_queries_at_once_leaves_what_one_query_leaves(oxigraph_server, proxy_to,  # noqa: F811
                                                                               tmp_path, monkeypatch):
    """A large build's targets are read by several SELECTs at once (newskg.store.loader.READ_GROUPS):
    forced here on small builds, each reload ends as a fresh load of the same build."""
    monkeypatch.setattr("newskg.store.loader.READ_GROUPS_MIN_QUADS", 0)
    monkeypatch.setattr("newskg.store.loader.READ_GROUPS", 3)
    proxy = proxy_to(lambda handler, body: None)
    for number, build in enumerate(_builds(tmp_path)):
        before = len(proxy.seen)
        _load(proxy.base, build)
        if number:
            reads = [body for _, path, _, body in proxy.seen[before:] if b"GRAPH ?g { ?s ?p ?o }" in body]
            assert len(reads) == 3, reads  # the targets in three groups, each read once
        proc, fresh = start_oxigraph(tmp_path / f"fresh-{number}")
        try:
            _load(fresh.base, build)
            assert_same_store(dump(fresh.base), dump(oxigraph_server.base))
        finally:
            stop_oxigraph(proc)


def test_the_targets_are_read_in_groups_of_about_as_many_triples():
    from newskg.store.difference import read_groups

    targets = [("a", 100), ("b", 60), ("c", 50), ("d", 10), ("e", 0)]
    groups = read_groups(targets, 2)
    assert sorted(iri for group in groups for iri in group) == ["a", "b", "c", "d", "e"]
    weights = sorted(sum(dict(targets)[iri] for iri in group) for group in groups)
    assert weights == [110, 110]  # a | b, c; then d to the lighter: 110 | 110
    assert read_groups(targets[:1], 4) == [["a"]] and read_groups(targets, 1) == [["a", "b", "c", "d", "e"]]


def test_an_unchanged_reload_sends_no_update(oxigraph_server, proxy_to, tmp_path):  # noqa: F811
    build = write_build(tmp_path / "v", ontology=ONTOLOGY_V2, background=LITERALS, inferred=INFERRED)
    _load(oxigraph_server.base, build)
    proxy = proxy_to(lambda handler, body: None)
    result = _load(proxy.base, build)
    assert "changed 0 quad(s) and replaced 0 graph(s) whole" in result.stdout
    # The search and the read (whose answer gives the counts): no update, though the ontology
    # holds blank nodes (isomorphic, not equal) and a literal the store keeps in another form.
    assert [(method, path.split("?")[0]) for method, path, *_ in proxy.seen] == [("POST", "/query")] * 2


def test_a_reload_sends_only_what_changed(oxigraph_server, proxy_to, tmp_path):  # noqa: F811
    _load(oxigraph_server.base, write_build(tmp_path / "v1"))
    proxy = proxy_to(lambda handler, body: None)
    _load(proxy.base, write_build(tmp_path / "v2", background=BACKGROUND_V2))
    updates = [body for method, path, _, body in proxy.seen if path.startswith("/update")]
    assert len(updates) == 1
    # One background triple changed and one added: one deleted, two inserted, nothing else.
    assert updates[0].count(b"GRAPH <") == 3 and b"article" not in updates[0] and b"ontology" not in updates[0]


@pytest.mark.parametrize("fault", ["cut mid-body", "syntax error at the end", "failing last operation"])
def test_a_failed_update_leaves_every_target_as_it_was(oxigraph_server, proxy_to, tmp_path, fault):  # noqa: F811
    sparql_update(oxigraph_server, f'INSERT DATA {{ GRAPH <{THEIRS}> {{ <{R}x> {LABEL} "theirs" }} }}')
    _load(oxigraph_server.base, write_build(tmp_path / "v1"))
    before = dump(oxigraph_server.base)
    v3 = write_build(tmp_path / "v3", ontology=ONTOLOGY_V2, article=ARTICLE_V2, background="", inferred=INFERRED)
    if fault == "cut mid-body":
        proxy = proxy_to(lambda handler, body: HALF_THEN_DROP if handler.path.startswith("/update") else None)
        result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0", "--build", str(v3))
        assert result.exit_code == 1 and "may or may not have completed" in result.stderr, result.output
    else:
        # The real update of this reload, made to fail at its very end: Oxigraph parses the whole
        # request before it runs any of it, and runs all of it in one transaction.
        targets = {g.iri: g.iri for g in Build(v3).graphs()}
        current = build_lines(Build(tmp_path / "v1").nquads_path, {g.iri: g.iri for g in Build(tmp_path / "v1").graphs()})
        change = difference(current, build_lines(Build(v3).nquads_path, targets), {G + "background"})
        assert change.delete and change.insert and change.drop
        tail = " ; INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> } }" if fault == "syntax error at the end" \
            else " ; DROP GRAPH <urn:newskg:test:no-such-graph>"
        with pytest.raises(urllib.error.HTTPError):
            sparql_update(oxigraph_server, change.update_text().decode() + tail)
    assert_same_store(before, dump(oxigraph_server.base))


def test_the_build_side_is_spelled_as_the_store_keeps_it(tmp_path):
    build = Build(write_build(tmp_path / "v", ontology=ONTOLOGY_V2, inferred=INFERRED))
    lines = build_lines(build.nquads_path, {G + "ontology": "http://example.org/kg/ontology"})
    assert all(line.endswith(b"<http://example.org/kg/ontology> .") for line in lines) and len(lines) == 9
    assert any(b'"5"^^<http://www.w3.org/2001/XMLSchema#integer>' in line for line in lines)
    # A literal holding "_:" is not a blank node: the inferred graph is compared triple by triple.
    inferred = build_lines(build.nquads_path, {G + "inferred": G + "inferred"})
    assert difference(inferred, inferred, set()) == Difference(unchanged=2)


def test_a_reload_of_some_graphs_under_another_prefix_leaves_what_the_staged_way_leaves(oxigraph_server, tmp_path):
    prefix = "http://example.org/kg/"
    v1, v3 = _builds(tmp_path)[0], _builds(tmp_path / "again")[2]
    chosen = ["--graphs", "ontology,background,article", "--graph-prefix", prefix]
    proc, staged = start_oxigraph(tmp_path / "staged")
    try:
        for base, way in ((oxigraph_server.base, []), (staged.base, ["--staged"])):
            _load(base, v1, "--graph-prefix", prefix)
            result = _load(base, v3, *chosen, *way)
            assert ("by dataset-staged" if way else "by dataset-difference") in result.stdout
        store = dump(oxigraph_server.base)
        assert_same_store(dump(staged.base), store)
        assert prefix + "inferred" not in store and prefix + "background" not in store  # emptied by v3
    finally:
        stop_oxigraph(proc)


def test_a_difference_too_large_for_one_update_is_staged_and_swapped(oxigraph_server, tmp_path):
    from dataclasses import replace

    from newskg.store.endpoints import resolve_endpoints
    from newskg.store.http import HttpTransport
    from newskg.store.loader import load_graphs

    builds = _builds(tmp_path)
    _load(oxigraph_server.base, builds[0])
    proc, reference = start_oxigraph(tmp_path / "reference")
    try:
        _load(reference.base, builds[2])
        for limit, way in ((100, "dataset-staged"), (1 << 20, "dataset-difference")):
            _load(oxigraph_server.base, builds[0])
            endpoints = replace(resolve_endpoints(oxigraph_server.base, "oxigraph"), max_update_bytes=limit)
            with HttpTransport(timeout=30) as transport:
                report = load_graphs(Build(builds[2]).graphs(), endpoints, transport, build=Build(builds[2]))
            assert report.method == way
            assert_same_store(dump(reference.base), dump(oxigraph_server.base))
    finally:
        stop_oxigraph(proc)


@pytest.mark.parametrize("where", ["the search", "the read", "the update"])
def test_a_store_failing_at_each_step_of_a_reload_leaves_the_targets_as_they_were(oxigraph_server, proxy_to, tmp_path,  # noqa: F811
                                                                                  where):
    from urllib.parse import unquote_plus

    _load(oxigraph_server.base, write_build(tmp_path / "v1"))
    before = dump(oxigraph_server.base)
    marks = {"the search": "SELECT DISTINCT ?g", "the read": "SELECT ?s ?p ?o ?g", "the update": "INSERT DATA"}

    def fail(handler, body):
        return (500, "the store fell over") if marks[where] in unquote_plus(body.decode()) else None

    proxy = proxy_to(fail)
    result = run_load("--preset", "oxigraph", "--endpoint", proxy.base, "--retries", "0",
                      "--build", str(write_build(tmp_path / "v2", article=ARTICLE_V2, background=BACKGROUND_V2)))
    assert result.exit_code == 1 and "the store fell over" in result.stderr, result.output
    assert ("nothing was replaced" in result.stderr) == (where != "the update")
    assert_same_store(before, dump(oxigraph_server.base))


def _store_lines(server, targets: list[str]) -> list[bytes]:
    """The store's quads in ``targets``, read as the reload reads them."""
    from newskg.store.difference import read_query, store_lines

    request = urllib.request.Request(server.query_url, data=read_query(targets).encode(), method="POST",
                                     headers={"Content-Type": "application/sparql-query",
                                              "Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return store_lines(answer.read())


def _assert_same_difference(server, build: Path, renames: dict[str, str]) -> Difference:
    """The difference from the build's lines matched as spelled (parsing the rest) is the one
    from every line parsed and written back, against what the store holds now."""
    from newskg.store.difference import _isomorphic, read_build, reload_difference

    current = _store_lines(server, list(renames.values()))
    held = {line[line.rindex(b" <") + 2:-3].decode() for line in current}
    empty = {renames[g.iri] for g in Build(build).graphs() if g.iri in renames and not g.triples} & held
    before = difference(current, build_lines(build / "dataset.nq", renames), empty)
    after = reload_difference(current, read_build(build / "dataset.nq", renames), empty)
    assert sorted(after.delete) == sorted(before.delete)
    assert (after.drop, after.unchanged) == (before.drop, before.unchanged)
    # Inserted lines are equal, and equal up to blank-node names where they hold blank nodes.
    assert {x for x in after.insert if b"_:" not in x} == {x for x in before.insert if b"_:" not in x}
    assert _isomorphic(after.insert, before.insert)
    return after


def test_matching_the_build_as_spelled_gives_the_update_that_parsing_all_of_it_gives(oxigraph_server, tmp_path):
    """Against each state of a real store (each build loaded in turn), every build's difference,
    for all graphs and for some of them under another prefix, including literals the store keeps
    in another spelling ("05" of a nonNegativeInteger, "-1.50" of a decimal, @EN-gb)."""
    builds = _builds(tmp_path)
    prefix = "http://example.org/kg/"
    changed = 0
    for loaded in builds:
        _load(oxigraph_server.base, loaded)
        _load(oxigraph_server.base, loaded, "--graph-prefix", prefix, "--graphs", "ontology,background,article")
        for build in builds:
            graphs = Build(build).graphs()
            change = _assert_same_difference(oxigraph_server, build, {g.iri: g.iri for g in graphs})
            changed += change.changed
            # The same build again: nothing, but the literal TSV writes raw ("bell\u0007") rewritten.
            assert loaded != build or all(b'"bell' in line for line in change.delete + change.insert)
            chosen = {g.iri: prefix + g.iri.removeprefix(G) for g in graphs if not g.iri.endswith("inferred")}
            _assert_same_difference(oxigraph_server, build, chosen)
            _assert_same_difference(oxigraph_server, build, {G + "ontology": G + "ontology"})
    assert changed  # the builds differ


def test_build_lines_spelled_otherwise_or_odd_are_parsed(oxigraph_server, tmp_path):
    """dataset.nq lines that do not match the store's text (a quad twice in two spellings, an
    escaped graph IRI, another spacing, a literal holding "_:", a CRLF ending) still give the
    update that parsing every line gives; and an unchanged reload sends nothing."""
    xsd_int = "<http://www.w3.org/2001/XMLSchema#integer>"
    build = write_build(tmp_path / "v", ontology=ONTOLOGY_V2, background=LITERALS, inferred=INFERRED)
    _load(oxigraph_server.base, build)
    odd = write_build(tmp_path / "odd", ontology=ONTOLOGY_V2, background=LITERALS, inferred=INFERRED)
    extra = (f'<{R}Claim> <{R}offset> "5"^^{xsd_int} <{G}ontology> .\n'  # the "05" line's quad, as stored
             f'<{R}v>  <{R}p1>\t"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> <{G}background>  .\n'
             f'<{R}w> {LABEL} "new" <{G}backgro\\u0075nd> .\n'
             f'<{R}w> {LABEL} "new _:x" <{G}background> .\n'
             f'<{R}w> {LABEL} "other" <{G}article/test> .\r\n')
    with (odd / "dataset.nq").open("a", encoding="utf-8", newline="") as out:
        out.write(extra)
    targets = {g.iri: g.iri for g in Build(odd).graphs()}
    assert _assert_same_difference(oxigraph_server, build, targets).empty
    change = _assert_same_difference(oxigraph_server, odd, targets)
    assert len(change.insert) == 3 and not change.delete and not change.drop
    prefix = "http://example.org/kg/"
    _assert_same_difference(oxigraph_server, odd, {g: prefix + g.removeprefix(G) for g in targets})


def test_the_counts_of_an_unchanged_reload_are_the_reads_lines_per_graph():
    from newskg.store.difference import graph_counts, store_lines

    tsv = (b"?s\t?p\t?o\t?g\n"
           b"<http://e/s>\t<http://e/p>\t\"a b <c> .\"\t<http://e/g1>\n"
           b"<http://e/s>\t<http://e/p>\t5\t<http://e/g1>\n"
           b"_:b\t<http://e/p>\t<http://e/o>\t<http://e/g%20two>\n")
    assert graph_counts(store_lines(tsv)) == {"http://e/g1": 2, "http://e/g%20two": 1}
