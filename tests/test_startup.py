"""What `newskg query run` does before and after the engine answers, kept cheap without changing
the answer: the modules it imports, the terms it converts once, the table cells it shows once.

Speed itself is measured in benchmarks/query_startup.py; these tests check what the shortcuts
must not change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph

from newskg import api
from newskg.cli.endpoint_options import DEFAULT_PRESET, PRESETS
from newskg.query.engines import EmbeddedEngine
from newskg.query.render import render
from newskg.query.results import SelectResult, Term, term_from_oxigraph
from newskg.store import endpoints


def test_the_cli_spells_the_store_presets_as_the_library_does():
    assert PRESETS == endpoints.PRESETS
    assert DEFAULT_PRESET == endpoints.DEFAULT_PRESET


def test_query_run_imports_neither_the_http_side_nor_rdflib_nor_csv(built_project: Path):
    script = (
        "import sys\n"
        "from newskg.cli import main\n"
        "try:\n"
        f"    main(['--project', {str(built_project)!r}, 'query', 'run', 'evidence-for-entity',"
        " '-p', 'entity=nkr:ISI'])\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "heavy = ('newskg.store', 'rdflib', 'csv', 'urllib.request', 'http.client')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "LOADED []", out[-2000:]


def test_the_command_starts_with_its_imports_frozen_and_collection_on(built_project: Path):
    from importlib.metadata import entry_points

    (script,) = entry_points(group="console_scripts", name="newskg")
    assert script.value == "newskg.entry:main"
    check = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('GC', gc.isenabled(), gc.get_freeze_count()))\n"
        f"sys.argv = ['newskg', '--project', {str(built_project)!r}, 'query', 'run', 'claim-counts-by-status']\n"
        "from newskg.entry import main\n"
        "main()\n"
    )
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout
    label, enabled, frozen = out.splitlines()[-1].split()
    # click, the CLI and the library's modules: tens of thousands of objects the collector skips
    assert (label, enabled) == ("GC", "True") and int(frozen) > 10_000, out[-2000:]
    version = subprocess.run([sys.executable, "-m", "newskg", "--version"], capture_output=True, text=True, check=True)
    assert "newskg" in version.stdout


def _naive_rows(store, text: str, dataset: dict) -> list[dict[str, Term]]:
    """The rows as the engine built them before it shared converted terms: one conversion a cell."""
    answer = store.query(text, **dataset)
    names = [v.value for v in answer.variables]
    return [{n: term_from_oxigraph(s[n]) for n in names if s[n] is not None} for s in answer]


def _runnable_selects(project: Path):
    """The saved SELECT queries that run without a parameter given."""
    return [q for q in api.list_queries(project) if q.form == "SELECT" and not any(p.required for p in q.params)]


def test_shared_terms_give_the_rows_of_one_conversion_a_cell(built_project: Path):
    engine = EmbeddedEngine(built_project / "build")
    checked = 0
    for query in _runnable_selects(built_project):
        for level in ("confirmed", "assessed"):
            prepared = api.prepare_query(query.name, project=built_project, level=level)
            result = engine.query(prepared.text, prepared.form, prepared.graphs)
            assert isinstance(result, SelectResult)
            assert result.rows == _naive_rows(engine._store, prepared.text, engine._dataset(prepared.graphs))
            checked += len(result.rows)
    assert checked > 100  # the article's build answers these queries with rows


def test_terms_that_differ_only_in_kind_datatype_or_language_stay_apart():
    store = pyoxigraph.Store()
    s, p = pyoxigraph.NamedNode("http://example.org/s"), pyoxigraph.NamedNode("http://example.org/p")
    objects: list[pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode] = [
        pyoxigraph.NamedNode("http://example.org/1"), pyoxigraph.Literal("http://example.org/1"),
        pyoxigraph.Literal("1"), pyoxigraph.Literal("1", language="en"),
        pyoxigraph.Literal("1", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        pyoxigraph.BlankNode("b1")]
    for o in objects:
        store.add(pyoxigraph.Quad(s, p, o))
    text = "SELECT ?o ?s WHERE { ?s ?p ?o } ORDER BY STR(?o) DATATYPE(?o) LANG(?o)"
    result = EmbeddedEngine.from_store(store).query(text, "SELECT")
    assert isinstance(result, SelectResult)
    assert result.rows == _naive_rows(store, text, {"use_default_graph_as_union": True})
    assert len({row["o"] for row in result.rows}) == len(objects)


def test_a_table_shows_a_repeated_term_the_same_in_every_row():
    quote = Term.literal("two\nlines  and   spaces")
    iri = Term("uri", "https://w3id.org/newskg/resource/ISI")
    result = SelectResult(["a", "q"], [{"a": iri, "q": quote}, {"q": quote}, {"a": iri}] * 3)
    lines = render(result, "table").splitlines()
    assert lines[0].split() == ["a", "q"]
    assert [line.split() for line in lines[2:-1]] == [["nkr:ISI", "two", "lines", "and", "spaces"],
                                                     ["two", "lines", "and", "spaces"], ["nkr:ISI"]] * 3
    assert lines[-1] == "(9 rows)"
    assert json.loads(render(result, "json"))["results"]["bindings"][1]["q"]["value"] == quote.value


def _naive_table(result: SelectResult) -> str:
    """The table as render drew it before it looked terms up by identity and padded rows with one
    format: each cell displayed and padded on its own."""
    from newskg.query.render import term_display

    rows = [[" ".join(term_display(row.get(v)).split()) for v in result.variables] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in rows]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def test_tables_are_drawn_as_each_cell_on_its_own_would_be(built_project: Path):
    engine = EmbeddedEngine(built_project / "build")
    checked = 0
    for query in _runnable_selects(built_project):
        prepared = api.prepare_query(query.name, project=built_project, level="assessed")
        result = engine.query(prepared.text, prepared.form, prepared.graphs)
        assert isinstance(result, SelectResult)
        assert render(result, "table") == _naive_table(result)
        # The same rows with every term a copy of its own (as an engine that shares none gives them)
        copies = SelectResult(result.variables, [{n: Term(t.kind, t.value, t.datatype, t.lang) for n, t in row.items()}
                                                 for row in result.rows])
        assert render(copies, "table") == render(result, "table")
        checked += len(result.rows)
    assert checked > 100


def test_a_query_without_a_report_value_does_not_read_the_reports(built_project: Path, monkeypatch):
    from newskg.errors import ParameterError
    from newskg.project import Build

    prepared = api.prepare_query("evidence-for-entity", project=built_project, params={"entity": "nkr:ISI"})
    slug = api.reports(built_project)[0]
    read: list[str] = []
    real = Build.report_slugs

    def counted(self, *args):
        read.append("slugs")
        return real(self, *args)

    monkeypatch.setattr(Build, "report_slugs", counted)
    again = api.prepare_query("evidence-for-entity", project=built_project, params={"entity": "nkr:ISI"})
    assert (again.text, again.graphs, read) == (prepared.text, prepared.graphs, [])
    api.prepare_query("evidence-for-entity", project=built_project, params={"entity": "nkr:ISI", "report": slug})
    assert read == ["slugs"]
    try:
        api.prepare_query("evidence-for-entity", project=built_project, params={"entity": "nkr:ISI", "report": "nope"})
    except ParameterError as err:
        assert "no report of the build" in str(err)
    else:
        raise AssertionError("an unknown report was accepted")
