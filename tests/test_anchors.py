"""Text anchors: the real article's anchors verify; broken ones are named by anchor, claim and file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdf_ns
from rdflib.term import Node

from newskg.build.anchors import find_anchor_problems, locate_quote, nearest_match
from newskg.build.memory import new_graph
from newskg.cli import main
from newskg.errors import UsageError
from newskg.namespaces import NKG, OA, article_resource_namespace, shorten, sparql_prologue

SLUG = "pakistan-bangladesh-links-2025"
ART = article_resource_namespace(SLUG)
TEXT_LABEL = f"graph/{SLUG}/source.txt"


def curie(name: str) -> str:
    """How a problem names one of the report's nodes."""
    return shorten(str(ART[name]))


@pytest.fixture(scope="module")
def report(project_root: Path) -> tuple[Graph, str]:
    folder = project_root / "graph" / SLUG
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph, (folder / "source.txt").read_text(encoding="utf-8")


def _position(graph: Graph, anchor: URIRef) -> Node:
    return next(s for s in graph.objects(anchor, OA.hasSelector) if graph.value(s, OA.start) is not None)


def _quote(graph: Graph, anchor: URIRef) -> Node:
    return next(s for s in graph.objects(anchor, OA.hasSelector) if graph.value(s, OA.exact) is not None)


@pytest.fixture(params=["rdflib", "indexed"])
def copy(request):
    """A copy of a graph to break: in rdflib's own store, or in the build's (`IndexedMemory`,
    whose index the check reads directly): the same problems either way."""
    def copied(graph: Graph) -> Graph:
        target = Graph() if request.param == "rdflib" else new_graph()
        for triple in graph:
            target.add(triple)
        return target
    return copied


def test_every_anchor_of_the_real_article_verifies(report):
    graph, text = report
    assert len(set(graph.objects(None, NKG.hasAnchor))) >= 43  # at least one per claim
    assert find_anchor_problems(graph, text, TEXT_LABEL) == []


def test_the_source_text_is_the_article_without_breadcrumb_or_footer(report):
    _, text = report
    assert text.startswith("Pakistan and Bangladesh Quietly Rebuild Intelligence and Defence Links\n")
    assert "By: Abhinandan Mishra\nLast Updated: December 28, 2025 02:22:58 IST\n" in text
    assert "Home > World" not in text
    assert "Most Popular" not in text
    assert text.rstrip().endswith("that had remained largely dismantled for years.")


def test_a_quote_that_differs_from_the_text_is_named_by_claim_and_file(report, copy):
    graph, text = report
    graph = copy(graph)
    anchor = ART["claim-no-public-evidence-a1"]
    quote = _quote(graph, anchor)
    graph.set((quote, OA.exact, Literal("There is, however, clear public evidence at this stage")))
    problems = find_anchor_problems(graph, text, TEXT_LABEL)
    assert len(problems) == 1
    problem = problems[0]
    # The subject to fix is the anchor; its claim and the stored text are named in the message.
    assert problem.focus == curie("claim-no-public-evidence-a1")
    assert problem.path == TEXT_LABEL
    assert "does not occur anywhere" in problem.message
    assert f"claim {curie('claim-no-public-evidence')}:" in problem.message and TEXT_LABEL in problem.message


def test_a_shifted_offset_says_where_the_quote_really_is(report, copy):
    graph, text = report
    graph = copy(graph)
    anchor = ART["claim-military-exchanges-a1"]
    position = _position(graph, anchor)
    start = int(graph.value(position, OA.start))
    end = int(graph.value(position, OA.end))
    graph.set((position, OA.start, Literal(start + 3, datatype=rdf_ns.XSD.nonNegativeInteger)))
    graph.set((position, OA.end, Literal(end + 3, datatype=rdf_ns.XSD.nonNegativeInteger)))
    problems = find_anchor_problems(graph, text, TEXT_LABEL)
    assert [p.focus for p in problems] == [curie("claim-military-exchanges-a1")]
    assert f"occurs at {start}-{end}" in problems[0].message


def test_a_missing_quote_selector_is_a_problem(report, copy):
    graph, text = report
    graph = copy(graph)
    anchor = ART["claim-headline-a1"]
    graph.remove((anchor, OA.hasSelector, _quote(graph, anchor)))
    problems = find_anchor_problems(graph, text, TEXT_LABEL)
    assert [p.focus for p in problems] == [curie("claim-headline-a1")]
    assert "TextQuoteSelector" in problems[0].message


def test_a_wrong_prefix_or_suffix_is_a_problem(report, copy):
    graph, text = report
    graph = copy(graph)
    quote = _quote(graph, ART["claim-reset-a1"])
    graph.set((quote, OA.prefix, Literal("LONDON: ")))
    graph.set((quote, OA.suffix, Literal(" last year")))
    messages = [p.message for p in find_anchor_problems(graph, text, TEXT_LABEL)]
    assert len(messages) == 2
    assert any("prefix 'LONDON: '" in m for m in messages)
    assert any("suffix ' last year'" in m for m in messages)


def test_offsets_outside_the_text_are_a_problem(report, copy):
    graph, text = report
    graph = copy(graph)
    position = _position(graph, ART["claim-rebuilt-bridges-a1"])
    graph.set((position, OA.end, Literal(len(text) + 10, datatype=rdf_ns.XSD.nonNegativeInteger)))
    problems = find_anchor_problems(graph, text, TEXT_LABEL)
    assert [p.focus for p in problems] == [curie("claim-rebuilt-bridges-a1")]
    assert "outside the text" in problems[0].message


def test_locate_quote_gives_offsets_prefix_and_suffix():
    text = "abc def ghi abc"
    assert locate_quote(text, "def", context=4) == (4, 7, "abc ", " ghi")
    assert locate_quote(text, "abc", occurrence=2, context=3) == (12, 15, "hi ", "")
    assert locate_quote(text, "ghi abc", context=100) == (8, 15, "abc def ", "")


def test_locate_quote_counts_code_points_not_bytes():
    text = "India’s eastern flank"
    start, end, _, _ = locate_quote(text, "eastern")
    assert (start, end) == (8, 15)


@pytest.mark.parametrize(
    "quote, occurrence, words",
    [
        ("Officials deny", None, "not found"),
        ("Officials said", None, "ambiguous"),
        ("Officials said", 3, "occurs 2 time"),
        ("", None, "empty"),
    ],
)
def test_locate_quote_refuses_absent_ambiguous_or_empty_quotes(report, quote, occurrence, words):
    _, text = report
    with pytest.raises(UsageError, match=words):
        locate_quote(text, quote, occurrence)


def test_anchor_command_prints_a_snippet_that_verifies(project_root: Path):
    quote = "There is, however, no public evidence at this stage"
    result = CliRunner().invoke(
        main, ["anchor", SLUG, quote, "--project", str(project_root),
               "--claim", "art:claim-x", "--anchor", "art:claim-x-a1"])
    assert result.exit_code == 0, result.output
    snippet = sparql_prologue().replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
    snippet += f"@prefix art: <{ART}> .\n" + result.output
    graph = Graph().parse(data=snippet, format="turtle")
    text = (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")
    assert graph.value(ART["claim-x"], NKG.hasAnchor) == ART["claim-x-a1"]
    assert find_anchor_problems(graph, text, TEXT_LABEL) == []


def test_anchor_command_exits_2_on_an_ambiguous_quote(project_root: Path):
    result = CliRunner().invoke(main, ["anchor", SLUG, "Officials said", "--project", str(project_root)])
    assert result.exit_code == 2
    assert "ambiguous" in result.output


def test_anchor_command_exits_1_for_an_unknown_report(tmp_path: Path):
    result = CliRunner().invoke(main, ["anchor", "no-such-report", "words", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert "source.txt" in result.output


# ---------------------------------------------------------------- several quotes at once, near misses

QUOTE_A = "There is, however, no public evidence at this stage"
QUOTE_B = "reported by international news agencies"


def test_several_quotes_print_turtle_that_parses_on_its_own_and_verifies(project_root: Path):
    result = CliRunner().invoke(main, ["anchor", SLUG, QUOTE_A, QUOTE_B, "--project", str(project_root),
                                       "--claim", "art:claim-a", "--claim", "art:claim-b"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("@prefix nkg:")  # ready Turtle: its prefixes come with it
    graph = Graph().parse(data=result.stdout, format="turtle")
    text = (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")
    # One claim per quote, in order: each anchor is named after its claim.
    assert graph.value(ART["claim-a"], NKG.hasAnchor) == ART["claim-a-a1"]
    assert graph.value(ART["claim-b"], NKG.hasAnchor) == ART["claim-b-a1"]
    assert str(graph.value(_quote(graph, ART["claim-b-a1"]), OA.exact)) == QUOTE_B
    assert find_anchor_problems(graph, text, TEXT_LABEL) == []


def test_one_claim_takes_every_quote_read_from_a_file_or_stdin(project_root: Path, tmp_path: Path):
    quotes = tmp_path / "quotes.txt"
    quotes.write_text(f"{QUOTE_A}\n\n  {QUOTE_B}  \n", encoding="utf-8")
    runner = CliRunner()
    from_file = runner.invoke(main, ["anchor", SLUG, "--from", str(quotes), "--project", str(project_root),
                                     "--claim", "art:claim-x"])
    from_stdin = runner.invoke(main, ["anchor", SLUG, "--from", "-", "--project", str(project_root),
                                      "--claim", "art:claim-x"], input=quotes.read_text())
    assert from_file.exit_code == 0, from_file.output
    assert from_stdin.stdout == from_file.stdout
    graph = Graph().parse(data=from_file.stdout, format="turtle")
    assert set(graph.objects(ART["claim-x"], NKG.hasAnchor)) == {ART["claim-x-a1"], ART["claim-x-a2"]}


def test_without_prefixes_the_output_appends_to_the_generated_anchors_file(project_root: Path, tmp_path: Path):
    from newskg import api

    root = tmp_path / "project"
    (root / "graph").mkdir(parents=True)
    (tmp_path / "page.txt").write_text("Headline\n\nOfficials said the talks went well.\n", encoding="utf-8")
    api.new_report("small", tmp_path / "page.txt", project=root)
    result = CliRunner().invoke(main, ["--project", str(root), "anchor", "small", "the talks went well",
                                       "--claim", "art:claim-talks", "--no-prefixes"])
    assert result.exit_code == 0 and "@prefix" not in result.stdout
    anchors = root / "graph" / "small" / "anchors.ttl"
    anchors.write_text(anchors.read_text() + result.stdout, encoding="utf-8")
    graph = Graph().parse(anchors, format="turtle")
    text = (root / "graph" / "small" / "source.txt").read_text(encoding="utf-8")
    assert find_anchor_problems(graph, text, "graph/small/source.txt") == []


def test_every_bad_quote_is_named_and_nothing_is_printed(project_root: Path):
    result = CliRunner().invoke(main, ["anchor", SLUG, QUOTE_A, "Officials said", "India's eastern flank",
                                       "--project", str(project_root)])
    assert result.exit_code == 2
    assert result.stdout == ""  # no half snippet to paste
    assert TEXT_LABEL in result.output
    text = (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")
    spans = [f"{s}-{s + len('Officials said')}" for s in range(len(text)) if text.startswith("Officials said", s)]
    assert len(spans) == 2 and f"at {spans[0]}, {spans[1]}" in result.output
    # The text prints a curly apostrophe; the suggestion is the text's own words and where they are.
    start = text.index("India’s eastern flank")
    assert f"did you mean 'India’s eastern flank' at {start}-{start + 21}" in result.output
    assert "quotes and apostrophes" in result.output


def test_occurrence_picks_one_of_several(project_root: Path):
    result = CliRunner().invoke(main, ["anchor", SLUG, "Officials said", "--occurrence", "2",
                                       "--project", str(project_root), "--anchor", "art:second"])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout, format="turtle")
    text = (project_root / "graph" / SLUG / "source.txt").read_text(encoding="utf-8")
    assert int(graph.value(_position(graph, ART["second"]), OA.start)) == text.rindex("Officials said")


@pytest.mark.parametrize("args, words", [
    (["q1", "q2", "q3", "--claim", "art:a", "--claim", "art:b"], "2 --claim for 3 quotes"),
    (["sources said", "--claim", "claim-without-prefix"], "not a node name"),
    ([], "no quote given"),
])
def test_anchor_usage_errors_exit_2(project_root: Path, args: list[str], words: str):
    result = CliRunner().invoke(main, ["anchor", SLUG, *args, "--project", str(project_root)])
    assert result.exit_code == 2 and words in result.output


@pytest.mark.parametrize("quote, words, how", [
    ("India's  eastern\nflank", "India’s eastern flank", "quotes and apostrophes, whitespace"),
    ("security—linked institutions", "security-linked institutions", "dashes"),
    ("intelligence-sharing arrangement", "intelligence-sharing agreement", "% alike"),
])
def test_a_quote_not_in_the_text_gets_the_nearest_words_it_has(report, quote, words, how):
    _, text = report
    near = nearest_match(text, quote)
    assert near is not None and near.words.startswith(words) and how in near.how
    assert text[near.start:near.end] == near.words


def test_a_quote_like_nothing_in_the_text_gets_no_suggestion(report):
    _, text = report
    assert nearest_match(text, "zebras qualify xylophones") is None
    with pytest.raises(UsageError) as err:
        locate_quote(text, "zebras qualify xylophones")
    assert "did you mean" not in str(err.value)
