"""The README's "Adding a report", followed as written in a copy of the project.

Each fenced block of the section is one step: ```text FILE``` writes FILE, ```turtle FILE``` and
```trig FILE``` append to the file new-report generated, ```sh``` runs each line in a shell in the
project folder, with the installed `newskg` first on PATH (so `>>` redirects as it would for a
reader). Then: the build and the check pass, the saved query answers about the new report at the
right levels, and the first report's graphs are what they were before the new report came.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

README = Path(__file__).resolve().parent.parent / "README.md"
FIRST = "pakistan-bangladesh-links-2025"
FIRST_NODES = f"https://w3id.org/newskg/resource/{FIRST}/"
NEW = "dhaka-visit-2026"


def walkthrough() -> list[tuple[str, str, str]]:
    """(kind, target, body) for each fenced block of the section, in order."""
    section = README.read_text(encoding="utf-8").split("\n## Adding a report\n", 1)[1].split("\n## ", 1)[0]
    steps = []
    for info, body in re.findall(r"```([^\n]*)\n(.*?)```", section, re.DOTALL):
        kind, _, target = info.partition(" ")
        steps.append((kind, target.strip(), body))
    return steps


def first_report_graphs(build: Path) -> dict[str, set]:
    """The first report's graphs of a build: its article graph, each of its claims' content,
    and, per level, the asserted and inferred triples about its own nodes."""
    graphs = {}
    for path in sorted((build / "graphs").rglob("*.nt")):
        name = path.relative_to(build / "graphs").as_posix()
        triples = set(Graph().parse(path, format="nt"))
        if name == f"article-{FIRST}.nt" or name.startswith(f"content/{FIRST}/"):
            graphs[name] = triples
        elif name.startswith(("facts-", "inferred-")):
            graphs[name] = {t for t in triples if str(t[0]).startswith(FIRST_NODES)}
    return graphs


@pytest.fixture(scope="module")
def followed(project_root: Path, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("walkthrough") / "project"
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(project_root / name, root / name)
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    env.pop("NEWSKG_PROJECT", None)

    def run(line: str) -> subprocess.CompletedProcess:
        return subprocess.run(line, shell=True, cwd=root, env=env, capture_output=True, text=True)

    before_build = run("newskg build -q")
    assert before_build.returncode == 0, before_build.stderr
    before = first_report_graphs(root / "build")
    outputs: dict[str, subprocess.CompletedProcess] = {}
    for kind, target, body in walkthrough():
        if kind == "sh":
            for line in body.splitlines():
                outputs[line] = run(line)
                assert outputs[line].returncode == 0, f"$ {line}\n{outputs[line].stdout}\n{outputs[line].stderr}"
        elif kind == "text":
            (root / target).write_text(body, encoding="utf-8")
        else:  # turtle, trig: added to a file new-report made
            assert (root / target).is_file(), f"{target} should have been made by new-report"
            with open(root / target, "a", encoding="utf-8") as handle:
                handle.write("\n" + body)
    return {"root": root, "outputs": outputs, "before": before}


def output_of(followed: dict, command: str) -> str:
    matches = [out.stdout for line, out in followed["outputs"].items() if line.split("#")[0].strip() == command]
    assert matches, f"the walk-through runs no `{command}`"
    return matches[0]


def test_the_walkthrough_has_its_steps():
    kinds = [kind for kind, _, _ in walkthrough()]
    assert kinds[0] == "text" and "sh" in kinds and "turtle" in kinds and "trig" in kinds


def test_new_report_made_the_folder_and_the_anchors_verify(followed):
    folder = followed["root"] / "graph" / NEW
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["source.txt", "document.ttl", "claims.ttl", "nodes.ttl", "anchors.ttl", "content.trig"])
    text = (folder / "source.txt").read_text(encoding="utf-8")
    assert text.startswith("Pakistan's foreign secretary in Dhaka\n") and text.endswith("cooperation.\n")
    anchors = (folder / "anchors.ttl").read_text(encoding="utf-8")
    assert "art:claim-visit nkg:hasAnchor art:claim-visit-a1 ." in anchors
    assert "art:claim-defence-talks nkg:hasAnchor art:claim-defence-talks-a1 ." in anchors


def test_the_report_builds_and_checks_clean(followed):
    manifest = (followed["root"] / "build" / "manifest.json").read_text(encoding="utf-8")
    assert f"graph/{NEW}/content.trig" in manifest
    check = next(out for line, out in followed["outputs"].items() if line.startswith("newskg check"))
    assert "0 error(s), 0 warning(s)" in check.stderr


def test_the_saved_query_answers_at_the_right_levels(followed):
    # The visit rests on an official statement (Confirmed); the talks only on "officials said".
    confirmed = output_of(followed, "newskg query run engagement-timeline")
    reported = output_of(followed, "newskg query run engagement-timeline --at reported")
    assert f"nkr:{NEW}/fact-visit" in confirmed and f"nkr:{NEW}/fact-defence-talks" not in confirmed
    assert f"nkr:{NEW}/fact-visit" in reported and f"nkr:{NEW}/fact-defence-talks" in reported
    talks = next(line for line in reported.splitlines() if f"nkr:{NEW}/fact-defence-talks" in line)
    assert "talks on defence cooperation" in talks and "Reported" in talks


def test_nothing_of_the_first_report_changes(followed):
    after = first_report_graphs(followed["root"] / "build")
    assert set(after) == set(followed["before"])
    assert followed["before"][f"article-{FIRST}.nt"]  # the comparison compares something
    for name, triples in followed["before"].items():
        assert after[name] == triples, name
