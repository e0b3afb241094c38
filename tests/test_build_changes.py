"""What a build that adds reports says it changed in the facts and inferred graphs
(`PipelineResult.changes`) is the difference between those graphs in a full build before the
reports and in one after them: what the writer may apply to the previous build's files instead
of writing them anew."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from rdflib import URIRef

from newskg.build import fingerprint, run_pipeline
from newskg.build.sources import discover_sources
from newskg.namespaces import LEVELS, facts_graph, inferred_graph
from newskg.project import Project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from corpus import generate


def pipeline(root: Path, full: bool = False):
    project = Project.at(root)
    inputs, reports = discover_sources(root)
    stamp = fingerprint(project, inputs, reports)
    return run_pipeline(project, inputs, reports, strict=True, full=full, fingerprint=stamp), stamp


def graphs_of(result) -> dict[str, set]:
    graphs = {}
    for index, level in enumerate(LEVELS):
        graphs[str(facts_graph(level))] = set(result.facts.by_level[index])
        graphs[str(inferred_graph(level))] = set(result.inference.inferred[index])
    return graphs


def test_the_changes_of_an_added_report_are_the_difference_of_two_full_builds(tmp_path):
    root = tmp_path / "project"
    generate(root, reports=4, seed=5)
    held = sorted((root / "graph").glob("report-*"))[1]  # not the last: its IRIs sort in the middle
    shutil.move(held, tmp_path / "aside")
    before, first_stamp = pipeline(root, full=True)
    assert before.changes is None  # reasoned in full: nothing to be relative to
    shutil.move(tmp_path / "aside", held)
    after, _ = pipeline(root)
    assert after.inference.how.startswith("incremental")
    assert after.changes_since == first_stamp
    assert_the_difference_of_full_builds(root, before, after)
    assert sum(len(added) for added, _ in after.changes.values()) > 100


def assert_the_difference_of_full_builds(root: Path, before, after) -> None:
    full, _ = pipeline(root, full=True)  # last: it saves a state of its own
    old, new = graphs_of(before), graphs_of(full)
    assert graphs_of(after) == new
    assert set(after.changes) == set(new)
    for iri, (added, removed) in after.changes.items():
        assert len(added) == len(set(added)) and len(removed) == len(set(removed)), iri
        assert set(added) == new[iri] - old[iri], iri
        assert set(removed) == old[iri] - new[iri], iri


def test_a_triple_a_new_claim_states_more_strongly_moves_between_the_facts_graphs(tmp_path):
    root = tmp_path / "project"
    generate(root, reports=2, seed=6)
    before, _ = pipeline(root, full=True)
    reported = LEVELS.index("reported")
    old = sorted((root / "graph").glob("report-*"))[0]
    base = f"https://w3id.org/newskg/resource/{old.name}/"
    claim = sorted(str(iri) for iri, c in before.facts.claims.items()
                   if str(iri).startswith(base) and c.level == reported)[0]
    stated = {t for t, names in before.facts.stated_by.items() if names == {URIRef(claim)}}
    assert stated and stated <= set(before.facts.by_level[reported])
    # A copy of the report under another name, its claims made Confirmed, in which the copy of
    # that Reported claim states what the old one states (of the old report's nodes).
    new = root / "graph" / "zz-copy"
    new.mkdir()
    for path in old.iterdir():
        text = path.read_text(encoding="utf-8")
        if path.name == "content.trig":
            head, _, rest = text.partition(f"art:{claim[len(base):]} {{")
            body, _, tail = rest.partition("\n}")
            text = (f"@prefix old: <{base}> .\n" + head.replace(old.name, new.name)
                    + f"art:{claim[len(base):]} {{" + body.replace("art:", "old:") + "\n}"
                    + tail.replace(old.name, new.name))
        else:
            text = text.replace(old.name, new.name)
        for weaker in ("Reported", "Assessed"):
            text = text.replace(f"nkg:hasStatus nkg:{weaker}", "nkg:hasStatus nkg:Confirmed")
        (new / path.name).write_text(text, encoding="utf-8")
    after, _ = pipeline(root)
    assert after.inference.how.startswith("incremental"), after.inference.how
    confirmed, reported_iri = str(facts_graph("confirmed")), str(facts_graph("reported"))
    assert stated <= set(after.changes[reported_iri][1])
    assert stated <= set(after.changes[confirmed][0])
    assert stated <= set(after.facts.by_level[LEVELS.index("confirmed")])
    assert not stated & set(after.facts.by_level[reported])
    assert_the_difference_of_full_builds(root, before, after)


# ---------------------------------------------------------------- the build hands them to the writer

def _writer_paths(monkeypatch) -> dict[str, bool]:
    """Graph IRI -> whether the writer wrote it from its change, for each change it was given.
    Every build has a store (made by difference whatever the share changed), as at scale."""
    import newskg.build.store_delta as store_delta
    import newskg.build.writer as writer

    monkeypatch.setattr(writer, "PERSISTENT_STORE_MIN_QUADS", 0)
    monkeypatch.setattr(store_delta, "MAX_CHANGED_SHARE", 1.0)

    seen: dict[str, bool] = {}
    from_change = writer.from_change

    def spy(taken_from, iri, *args):
        done = from_change(taken_from, iri, *args)
        seen[iri] = done is not None
        return done

    monkeypatch.setattr(writer, "from_change", spy)
    return seen


def _built_without_one_report(tmp_path: Path, monkeypatch, reports: int, seed: int, held: int):
    """A corpus built without its report number ``held`` (in file order), then put back; and
    the writer's paths (`_writer_paths`), empty after that first build."""
    from newskg.build import build_project

    root = tmp_path / "project"
    generate(root, reports=reports, seed=seed)
    report = sorted((root / "graph").glob("report-*"))[held]
    shutil.move(report, tmp_path / "aside")
    seen = _writer_paths(monkeypatch)
    build_project(root)
    assert seen == {}  # reasoned in full: no change to give
    shutil.move(tmp_path / "aside", report)
    return root, seen


def test_a_build_that_adds_a_report_writes_the_changed_graphs_from_their_changes(tmp_path, monkeypatch):
    from test_writer_reuse import _fresh, assert_same_build

    from newskg.build import build_project

    root, seen = _built_without_one_report(tmp_path, monkeypatch, reports=4, seed=7, held=1)
    build_project(root)
    made = {str(facts_graph(level)) for level in LEVELS} | {str(inferred_graph(level)) for level in LEVELS}
    assert seen == dict.fromkeys(made, True)
    assert_same_build(root / "build", _fresh(root, tmp_path))


def test_changes_relative_to_another_build_than_the_one_on_disk_are_not_used(tmp_path, monkeypatch):
    from test_writer_reuse import _fresh, assert_same_build

    from newskg.build import build_project

    root, seen = _built_without_one_report(tmp_path, monkeypatch, reports=3, seed=8, held=0)
    # The report goes into another folder's build first: the reasoner's state then holds it,
    # and the next build of build/ finds nothing to add to that state, while build/ lacks it.
    build_project(root, build_dir=tmp_path / "elsewhere")
    seen.clear()
    build_project(root)
    assert seen == {}  # no change given: every graph serialised
    assert_same_build(root / "build", _fresh(root, tmp_path))
