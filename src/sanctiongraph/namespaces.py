"""The IRIs sanctiongraph mints and the prefixes its exports use."""

from __future__ import annotations

BASE = "https://w3id.org/sanctiongraph/"
SG = BASE + "ontology#"
VOCAB = BASE + "vocab/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
TIME = "http://www.w3.org/2006/time#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
WD = "http://www.wikidata.org/entity/"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


class sg:  # noqa: N801 - read as the prefixed names it stands for: sg.Claim is sg:Claim
    """The ontology's terms the code names, each once (tests/test_namespaces.py: each is declared in the ontology)."""

    Agent = SG + "Agent"
    Build = SG + "Build"
    Claim = SG + "Claim"
    Document = SG + "Document"
    Entity = SG + "Entity"
    Evidence = SG + "Evidence"
    Observation = SG + "Observation"
    Organization = SG + "Organization"
    ReportingStep = SG + "ReportingStep"
    Sentence = SG + "Sentence"
    SourceBuild = SG + "SourceBuild"
    Statement = SG + "Statement"

    annotationFile = SG + "annotationFile"
    asOf = SG + "asOf"
    asWritten = SG + "asWritten"
    basis = SG + "basis"
    contentHash = SG + "contentHash"
    earliest = SG + "earliest"
    evidence = SG + "evidence"
    inputDigest = SG + "inputDigest"
    latest = SG + "latest"
    publicationDate = SG + "publicationDate"
    publishLock = SG + "publishLock"
    reporter = SG + "reporter"
    reportingStep = SG + "reportingStep"
    sentence = SG + "sentence"
    sentenceIndex = SG + "sentenceIndex"
    statedIn = SG + "statedIn"
    stepOrder = SG + "stepOrder"
    storySentence = SG + "storySentence"
    textDigest = SG + "textDigest"

PREFIXES: dict[str, str] = {
    "sg": SG,
    "id": ID,
    "graph": GRAPH,
    "commodity": VOCAB + "commodity/",
    "indicator": VOCAB + "indicator/",
    "event-type": VOCAB + "event-type/",
    "measure-kind": VOCAB + "measure-kind/",
    "modality": VOCAB + "modality/",
    "deal-status": VOCAB + "deal-status/",
    "role": VOCAB + "role/",
    "direction": VOCAB + "direction/",
    "control-kind": VOCAB + "control-kind/",
    "group-kind": VOCAB + "group-kind/",
    "response": VOCAB + "response/",
    "trade-direction": VOCAB + "trade-direction/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "prov": PROV,
    "oa": OA,
    "time": TIME,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "void": VOID,
    "dcat": DCAT,
    "wd": WD,
}


def iri_words(iri: str) -> str:
    """The last segment of an IRI in words (`sanctionsList` -> "sanctions list"), never the bare IRI: a node's label
    when it has none."""
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in local).replace("-", " ").replace("_", " ")
    return " ".join(words.split()) or iri
