"""The README's "Use it from Python" example, run as written, and the API's promises."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from newskg import api
from newskg.errors import QueryNotFoundError

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Use it from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


@pytest.fixture(scope="module")
def project(project_root: Path, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("api") / "project"
    for name in ("ontology", "graph", "queries"):
        shutil.copytree(project_root / name, copy / name)
    return copy


def test_the_readme_example_runs_as_written(project: Path, capsys):
    exec(compile(_python_example(), "README.md", "exec"), {"project": str(project)})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "https://w3id.org/newskg/graph/ontology " + out[0].split()[-1]
    # DGFI is named only in hedged statements: assessed ones, none confirmed.
    statuses = {line.split(" | ")[0] for line in out[1:-1]}
    assert statuses and "https://w3id.org/newskg/ontology#Confirmed" not in statuses
    assert out[-1] == "0 problems"


def test_api_functions_return_data_and_raise_typed_errors(project: Path, capsys):
    api.build(project)
    assert capsys.readouterr().out == ""  # the library never prints
    assert [q.name for q in api.list_queries(project)] == [p.stem for p in sorted((project / "queries").glob("*.rq"))]
    with pytest.raises(QueryNotFoundError, match="evidence-for-entity"):
        api.run_query("evidence-for-entiti", project=project)
