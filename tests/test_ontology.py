"""The ontology modules: they parse, carry their header, declare every term of
docs/modelling.md with a label and a definition, match the CAMEO reference, and pass every
quality check together with the project's graph data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from newskg.build.checks import run_quality_checks
from newskg.namespaces import NKG

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
MODULES = ("newskg.ttl", "core.ttl", "engagement.ttl", "claims.ttl", "alignments.ttl")
# The project's copy of the checked CAMEO reference (shared/reference/cameo-codes.tsv).
CAMEO_TSV = ROOT / "tests" / "data" / "cameo-codes.tsv"
ONTOLOGY_IRI = URIRef("https://w3id.org/newskg/ontology")


def own_terms(graph: Graph, kinds) -> set[URIRef]:
    return {t for kind in kinds for t in graph.subjects(RDF.type, kind)
            if isinstance(t, URIRef) and str(t).startswith(str(NKG))}


@pytest.mark.parametrize("name", (*MODULES, "shapes.ttl"))
def test_every_module_parses(name):
    graph = Graph().parse(ONTOLOGY_DIR / name, format="turtle")
    assert len(graph) > 0


def test_header_describes_and_imports_the_modules():
    header = Graph().parse(ONTOLOGY_DIR / "newskg.ttl", format="turtle")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in header
    for prop in (OWL.versionIRI, OWL.versionInfo, DCTERMS.title, DCTERMS.description,
                 DCTERMS.creator, DCTERMS.license):
        assert header.value(ONTOLOGY_IRI, prop) is not None, prop
    imports = set(header.objects(ONTOLOGY_IRI, OWL.imports))
    for name in MODULES[1:]:
        module = Graph().parse(ONTOLOGY_DIR / name, format="turtle")
        (module_iri,) = module.subjects(RDF.type, OWL.Ontology)
        assert module_iri in imports, name
        assert module.value(module_iri, OWL.versionInfo) == header.value(ONTOLOGY_IRI, OWL.versionInfo)


def test_every_term_of_the_modelling_guide_is_declared(ontology):
    guide = (ROOT / "docs" / "modelling.md").read_text(encoding="utf-8")
    names = set(re.findall(r"`nkg:([A-Za-z][A-Za-z0-9-]*)`", guide))
    names |= set(re.findall(r"nkg:([A-Za-z][A-Za-z0-9]*)", guide)) - {"cameo"}
    assert len(names) > 80
    undeclared = sorted(n for n in names if (NKG[n], RDF.type, None) not in ontology)
    assert undeclared == []


def test_every_class_and_property_has_an_english_label_and_definition(ontology):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             SKOS.Concept, SKOS.ConceptScheme)
    terms = own_terms(ontology, kinds)
    assert len(terms) > 100
    for term in sorted(terms):
        labels = [o for o in ontology.objects(term, RDFS.label) if o.language == "en"]
        definitions = [o for o in ontology.objects(term, SKOS.definition) if o.language == "en"]
        assert len(labels) == 1, f"{term}: {labels}"
        assert definitions, f"{term} has no English skos:definition"


def test_cameo_concepts_match_the_reference():
    rows = list(csv.DictReader(CAMEO_TSV.open(encoding="utf-8"), delimiter="\t"))
    graph = Graph().parse(ONTOLOGY_DIR / "engagement.ttl", format="turtle")
    concepts = set(graph.subjects(SKOS.inScheme, NKG.CameoScheme))
    assert concepts == {NKG[f"cameo-{row['code']}"] for row in rows}
    for row in rows:
        concept = NKG[f"cameo-{row['code']}"]
        assert graph.value(concept, SKOS.notation) == Literal(row["code"])
        assert graph.value(concept, SKOS.prefLabel) == Literal(row["label"], lang="en")
        if row["code"] == row["root"]:
            assert (concept, SKOS.topConceptOf, NKG.CameoScheme) in graph
        else:
            assert (concept, SKOS.broader, NKG[f"cameo-{row['root']}"]) in graph


def test_cameo_classes_carry_their_code_and_sit_under_their_root(ontology):
    rows = {r["code"]: r for r in csv.DictReader(CAMEO_TSV.open(encoding="utf-8"), delimiter="\t")}
    classes = {str(code): cls for cls, code in ontology.subject_objects(NKG.cameoCode)}
    # the engagement types the issue asks for, at least
    for code in ("03", "04", "05", "06", "040", "042", "043", "046", "057", "062", "064", "0314"):
        assert code in classes, code
    for code, cls in classes.items():
        assert code in rows, f"{cls}: {code} is not in the reference"
        assert ontology.value(cls, NKG.cameoConcept) == NKG[f"cameo-{code}"]
        root = classes[rows[code]["root"]]
        assert root in ontology.transitive_objects(cls, RDFS.subClassOf)
        assert NKG.Engagement in ontology.transitive_objects(cls, RDFS.subClassOf)


def test_the_schemes_hold_the_values_the_guide_names(ontology):
    expected = {
        NKG.StatusScheme: {"Confirmed", "Reported", "Assessed", "NotEvidenced", "Denied", "Background"},
        NKG.SourceKindScheme: {"OfficialStatement", "NamedOfficial", "UnnamedOfficials", "UnnamedSources",
                               "Analysts", "NewsAgencies", "AuthorVoice"},
        NKG.CertaintyScheme: {"Certain", "Probable", "Possible", "Underspecified"},
        NKG.PolarityScheme: {"Positive", "Negative"},
        NKG.EngagementLevelScheme: {"ForeignSecretaryLevel", "SeniorMilitaryLevel", "LiaisonLevel",
                                    "InstitutionalLevel"},
    }
    for scheme, names in expected.items():
        # extensions.ttl may add values; the guide's own must all be there
        members = {str(c)[len(str(NKG)):] for c in ontology.subjects(SKOS.inScheme, scheme)}
        assert names <= members, scheme


def test_not_evidenced_is_told_apart_from_denied(ontology):
    definition = str(ontology.value(NKG.NotEvidenced, SKOS.definition))
    assert "no public evidence" in definition and "never Denied" in definition
    assert "NotEvidenced" in str(ontology.value(NKG.Denied, SKOS.definition))


def test_no_axiom_derives_a_shortcut_edge_from_anything_else(ontology):
    """Only an assertion (backed by a Confirmed claim) may give heldConsultationsWith or
    engagedWith: no property is a sub-property or inverse of them, and no chain ends in them."""
    shortcuts = {NKG.heldConsultationsWith, NKG.engagedWith}
    for prop in ontology.subjects(RDFS.subPropertyOf, None):
        supers = set(ontology.transitive_objects(prop, RDFS.subPropertyOf)) - {prop}
        if supers & shortcuts:
            assert prop in shortcuts, f"{prop} would derive a shortcut edge"
    for prop in shortcuts:
        assert ontology.value(prop, OWL.propertyChainAxiom) is None
        assert ontology.value(prop, OWL.inverseOf) is None
        assert ontology.value(None, OWL.inverseOf, prop) is None
        assert ontology.value(prop, OWL.equivalentProperty) is None


def test_wikidata_links_are_never_same_as(ontology):
    assert not list(ontology.triples((None, OWL.sameAs, None)))


def test_quality_checks_pass_on_the_ontology(ontology):
    assert run_quality_checks(ontology, ROOT / "queries" / "checks") == []


def test_quality_checks_pass_on_the_project_graph(ontology):
    """Every check over the ontology, graph/'s Turtle and the claim content, as the build hands them
    over: a dataset whose named graphs include each claim's content."""
    data = Dataset()
    onto = data.graph(URIRef("https://w3id.org/newskg/graph/ontology"))
    for triple in ontology:
        onto.add(triple)
    for path in sorted((ROOT / "graph").rglob("*.ttl")):
        data.graph(URIRef("https://w3id.org/newskg/graph/" + path.stem)).parse(path, format="turtle")
    for path in sorted((ROOT / "graph").rglob("*.trig")):
        data.parse(path, format="trig")
    problems = run_quality_checks(data, ROOT / "queries" / "checks")
    assert [str(p) for p in problems] == []


# ---------------------------------------------------------------- hedges and their published counterparts

GRASP_FACTUALITY = "http://groundedannotationframework.org/grasp/factuality#"
AIDA = ("https://raw.githubusercontent.com/NextCenturyCorporation/AIDA-Interchange-Format/master/"
        "java/src/main/resources/com/ncc/aif/ontologies/InterchangeOntology#")


def test_grasp_values_are_linked_as_the_published_owl_spells_them(ontology):
    # integration.ttl (leolani/cltl-knowledgerepresentation) declares the factuality values in lower case
    expected = {NKG.Certain: "certain", NKG.Probable: "probable", NKG.Possible: "possible",
                NKG.Underspecified: "underspecified", NKG.Positive: "positive", NKG.Negative: "negative",
                NKG.Future: "future", NKG.NonFuture: "non-future"}
    for value, name in expected.items():
        assert ontology.value(value, SKOS.closeMatch) == URIRef(GRASP_FACTUALITY + name), value
    linked = {o for o in ontology.objects(None, SKOS.closeMatch) if str(o).startswith(GRASP_FACTUALITY)}
    assert all(str(o)[len(GRASP_FACTUALITY):] == str(o)[len(GRASP_FACTUALITY):].lower() for o in linked)


def test_hedge_terms_map_to_aida_where_it_has_a_term(ontology):
    expected = {NKG.claimTime: "claimDateTime", NKG.isGeneric: "Generic", NKG.affiliation: "claimerAffiliation",
                NKG.supports: "supportingClaims", NKG.contradicts: "refutingClaims",
                NKG.Confirmed: "EpistemicTrueCertain", NKG.NotEvidenced: "EpistemicUnknown",
                NKG.Denied: "EpistemicFalseCertain"}
    for term, name in expected.items():
        assert URIRef(AIDA + name) in set(ontology.objects(term, SKOS.closeMatch)), term
    # every AIDA term linked is declared (alignments.ttl), with a label
    for target in {o for o in ontology.objects(None, SKOS.closeMatch | SKOS.relatedMatch) if str(o).startswith(AIDA)}:
        assert ontology.value(target, RDFS.label) is not None, target


def test_restating_is_not_support(ontology):
    """A source that says the same thing again adds no weight: restates is kept apart from supports."""
    assert NKG.supports not in set(ontology.transitive_objects(NKG.restates, RDFS.subPropertyOf))
    assert NKG.restates not in set(ontology.transitive_objects(NKG.supports, RDFS.subPropertyOf))
    assert (ontology.value(NKG.restates, RDFS.domain), ontology.value(NKG.restates, RDFS.range)) == (NKG.Claim, NKG.Claim)


def test_claims_denote_fact_nodes_eventualities_or_agreements(ontology):
    assert ontology.value(NKG.denotes, RDFS.range) == NKG.FactNode
    for cls in (NKG.Eventuality, NKG.Agreement):
        assert (cls, RDFS.subClassOf, NKG.FactNode) in ontology
    assert (NKG.Eventuality, OWL.disjointWith, NKG.Agreement) in ontology


def test_a_place_is_not_an_actor_and_based_in_is_not_belonging(ontology):
    assert (NKG.Place, OWL.disjointWith, NKG.Actor) in ontology
    assert (NKG.hasPlace, RDFS.subPropertyOf, URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/hasPlace")) in ontology
    # no axiom turns a place or a base into a state involved or a state body
    for prop in (NKG.basedIn, NKG.territoryOf, NKG.hasPlace):
        assert NKG.belongsToState not in set(ontology.transitive_objects(prop, RDFS.subPropertyOf)), prop
        for chain in ontology.objects(None, OWL.propertyChainAxiom):
            assert prop not in set(ontology.items(chain)), prop
