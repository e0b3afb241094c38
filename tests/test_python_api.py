"""The README's "Use it from Python" example, run as written, and the API's promises."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newskg import api
from newskg.errors import QueryNotFoundError
from test_build import write_project

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Use it from Python", 1)[1]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert example, "README.md has no Python example under 'Use it from Python'"
    return example.group(1)


def test_the_readme_example_runs_as_written(built_project: Path, capsys):
    # The session's shared build is current, so the example's api.build takes the "nothing changed" path.
    exec(compile(_python_example(), "README.md", "exec"), {"project": str(built_project)})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "https://w3id.org/newskg/graph/ontology " + out[0].split()[-1]
    # DGFI is named only in hedged statements: assessed ones, none confirmed.
    statuses = {line.split(" | ")[0] for line in out[1:-1]}
    assert statuses and "https://w3id.org/newskg/ontology#Confirmed" not in statuses
    assert out[-1] == "0 problems"


def test_api_functions_return_data_and_raise_typed_errors(built_project: Path, tmp_path: Path, capsys):
    # A real build (the shared one is current, so building it would be skipped), of a small
    # project to keep it quick: the library never prints.
    assert not api.build(write_project(tmp_path / "small")).skipped
    assert capsys.readouterr().out == ""
    saved = sorted((built_project / "queries").glob("*.rq"))
    assert [q.name for q in api.list_queries(built_project)] == [p.stem for p in saved]
    with pytest.raises(QueryNotFoundError, match="evidence-for-entity"):
        api.run_query("evidence-for-entiti", project=built_project)
