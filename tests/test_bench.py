"""`benchmarks/bench.py` (`make bench`): one run on a tiny corpus prints the whole table, and
every figure in it comes from what was run. A smoke test: it checks what the table says, not
how fast anything is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import bench  # noqa: E402
import corpus  # noqa: E402

#: What issue 12 asks the table to show, per size.
EXPECTED_COLUMNS = ["size", "asserted triples", "reports", "rules build", "rules peak", "owlrl build", "owlrl peak",
                    "owlrl / rules", "same output", "add one report", "add: how", "entity query", "aggregate query",
                    "load vs bulk"]
TRIPLES = 3_000


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict, str]:
    """One `bench.py --quick --triples 3000 --runs 1`: what it printed, its JSON and its table."""
    out = tmp_path_factory.mktemp("bench-out")
    ran = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--quick", "--triples", str(TRIPLES),
                          "--runs", "1", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert ran.returncode == 0, ran.stderr[-3000:]
    [figures] = [json.loads(p.read_text(encoding="utf-8")) for p in out.glob("bench-*.json")]
    [table] = [p.read_text(encoding="utf-8") for p in out.glob("bench-*.md")]
    assert not list(out.glob("*-work")), "the corpus and builds are removed without --keep"
    return ran, figures, table


def _table_rows(text: str) -> tuple[list[str], list[list[str]]]:
    lines = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return cells[0], cells[2:]


def test_the_table_has_every_column_and_a_full_row(smoke):
    ran, figures, table = smoke
    assert table.strip() in ran.stdout.strip()  # printed, and written beside the JSON
    header, rows = _table_rows(table)
    assert header == EXPECTED_COLUMNS
    [row] = rows
    assert len(row) == len(header)
    for column, cell in zip(header, row, strict=True):
        assert cell and cell != "-" and "nan" not in cell.lower() and "none" not in cell.lower(), (column, cell)
    assert row[0] == f"{TRIPLES:,}"
    assert row[1] == f"{figures['rows'][0]['corpus']['asserted_triples']:,}"
    assert "growth exponent, rules: not measured (needs two sizes" in ran.stdout
    assert "build rules:" in ran.stderr and "build rules:" not in ran.stdout  # progress on stderr only


def test_every_figure_was_measured(smoke):
    _, figures, table = smoke
    [row] = figures["rows"]
    assert row["target"] == TRIPLES and row["corpus"]["reports"] >= 1 and row["corpus"]["asserted_triples"] > 0
    for step in (row["rules"], row["owlrl"], row["add"], row["load"]["newskg"], row["load"]["bulk"]):
        assert step["returncode"] == 0 and step["wall"] > 0 and step["cpu"] > 0 and step["peak_mib"] > 0
    for query in (row["entity_query"], row["aggregate_query"]):
        assert query["rows"] > 0
        for engine in ("newskg", "pyoxigraph"):
            assert query[engine]["wall"] > 0 and query[engine]["runs"] == 1
        assert query["ratio"] == pytest.approx(query["newskg"]["wall"] / query["pyoxigraph"]["wall"])
        assert f"{query['newskg']['wall']:.3f} s / {query['pyoxigraph']['wall']:.3f} s" in table
    assert row["entity_query"]["params"]["entity"].startswith("nkr:")
    assert f"{row['rules']['wall']:.2f} s (cpu {row['rules']['cpu']:.2f})" in table
    assert row["load"]["quads"] == row["rules"]["quads"] > 0
    assert row["load"]["percent_of_bulk"] == pytest.approx(100 * row["load"]["bulk"]["wall"] / row["load"]["newskg"]["wall"])


def test_owlrl_and_rules_wrote_the_same_graphs(smoke):
    _, figures, _ = smoke
    [row] = figures["rows"]
    rules, owlrl = row["rules"], row["owlrl"]
    assert rules["inferred_triples"] > 0 and rules["graphs"]
    assert owlrl["same_as_rules"] is True
    assert owlrl["graphs"] == rules["graphs"] and owlrl["inferred_digest"] == rules["inferred_digest"]
    assert owlrl["ratio"] == pytest.approx(owlrl["wall"] / rules["wall"])


def test_the_add_builds_one_more_report_and_says_how_it_reasoned(smoke):
    _, figures, table = smoke
    [row] = figures["rows"]
    add = row["add"]
    assert add["added_quads"] > 0 and add["graphs"].keys() > row["rules"]["graphs"].keys()
    added = set(add["graphs"]) - set(row["rules"]["graphs"])
    assert f"https://w3id.org/newskg/graph/article/{row['corpus']['held_back']}" in added
    # The label is what the build reported, or, when it reported nothing, a full rebuild.
    assert add["how"] == (add["reasoning"] or "full rebuild (the build reports no incremental reasoning)")
    assert add["how"] in table


def test_a_skipped_owlrl_build_says_why(smoke):
    _, figures, _ = smoke
    row = {**figures["rows"][0], "owlrl": {"skipped": "above 100,000 triples (--owlrl-max)"}}
    _, [cells] = _table_rows(bench.table([row]))
    by_column = dict(zip(EXPECTED_COLUMNS, cells, strict=True))
    assert by_column["owlrl build"] == "skipped: above 100,000 triples (--owlrl-max)"
    assert by_column["owlrl peak"] == by_column["owlrl / rules"] == by_column["same output"] == "-"
    assert bench.exponents([row])["owlrl"] == {"wall": None, "cpu": None, "sizes": []}


def test_asserted_triples_counts_as_the_generator_does(tmp_path):
    stats = corpus.generate(tmp_path / "corpus", triples=TRIPLES, seed=3)
    assert bench.asserted_triples(tmp_path / "corpus") == stats["triples"]


def test_growth_exponent_is_the_log_log_slope():
    assert bench.growth_exponent([(10_000, 2.0), (100_000, 20.0), (1_000_000, 200.0)]) == pytest.approx(1.0)
    assert bench.growth_exponent([(10_000, 1.0), (100_000, 100.0)]) == pytest.approx(2.0)
    assert bench.growth_exponent([(10_000, 1.0)]) is None


def test_how_the_build_reasoned_is_read_from_what_it_reports():
    assert bench.reasoning_reported({"reasoning": {"how": "incremental"}}, []) == "incremental"
    assert bench.reasoning_reported({"graphs": [], "reasoner": {"engine": "rules", "how": "incremental"}}, []) == \
        "incremental"
    assert bench.reasoning_reported({"how": "full re-reasoning: a triple was removed"}, []) == \
        "full re-reasoning: a triple was removed"
    assert bench.reasoning_reported({"graphs": []}, ["  reasoned: incremental: 824 triple(s) added ..."]) == \
        "reasoned: incremental: 824 triple(s) added"
    assert bench.reasoning_reported({"graphs": []}, ["  reasoning (OWL-RL, level by level) ..."]) is None


def test_the_peak_counts_a_page_two_processes_share_once():
    # A process holding ~300 MiB forks a child that never execs: the two share every page, so
    # the tree holds ~300 MiB while its RSS sums to ~600 (a large build's loader, between its
    # fork and its exec, read so). The first figure is the launcher's; a sum of RSS fails this.
    program = ("import os, time\n"
               "held = bytearray(300 << 20)\n"
               "for i in range(0, len(held), 4096): held[i] = 1\n"
               "if os.fork() == 0:\n"
               "    time.sleep(1.5); os._exit(0)\n"
               "os.wait()\n")
    measured = bench.run("shared pages", [sys.executable, "-c", program], echo=False)
    assert 300 <= measured.peak_mib < 500, measured
