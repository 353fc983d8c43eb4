"""HTTP helpers of the server: content negotiation, media types, and IRIs served under another base."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sanctiongraph.namespaces import BASE

# (format as results.render names it, media type), in order of preference
ROW_MEDIA = (
    ("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml"),
    ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("json", "application/json"), ("xml", "application/xml"),
)
GRAPH_MEDIA = (
    ("turtle", "text/turtle"), ("ntriples", "application/n-triples"), ("jsonld", "application/ld+json"),
    ("rdfxml", "application/rdf+xml"), ("turtle", "application/x-turtle"), ("ntriples", "text/plain"),
)
HTML = ("html", "text/html")
PAGE_MEDIA = (HTML,) + GRAPH_MEDIA[:4]
EXTENSIONS = {"html": "html", "ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "rdf": "rdfxml"}
MEDIA_TYPE = {fmt: media for fmt, media in reversed(PAGE_MEDIA + ROW_MEDIA)}


@lru_cache(maxsize=256)  # clients send the same few Accept headers; reading one costs more than the query of a lookup
def negotiate(accept: str, offers: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """The offer the Accept header prefers (the first offer when there is no header), None when none is acceptable."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), quality))
    if not ranges:
        return offers[0]
    best, best_quality = None, 0.0
    for offer in offers:
        kind = offer[1].split("/")[0]
        # the most specific range that matches decides the offer's quality
        matches = [(3 if r == offer[1] else 2 if r == f"{kind}/*" else 1, q) for r, q in ranges if r in (offer[1], f"{kind}/*", "*/*")]
        quality = max(matches)[1] if matches else 0.0
        if quality > best_quality:
            best, best_quality = offer, quality
    return best


def content_type(media: str) -> str:
    """The Content-Type header for a media type: text types say they are UTF-8."""
    textual = media.startswith("text/") or media.endswith(("json", "xml")) or media == "application/n-triples"
    return f"{media}; charset=utf-8" if textual else media


@dataclass(frozen=True)
class Rebase:
    """The dataset's IRIs (under BASE) as a deployment serves them (under `public`), and back.

    Translation is textual, so IRIs written as strings (STR(?x), void:uriSpace) follow too."""

    public: str = BASE

    @property
    def identity(self) -> bool:
        return self.public == BASE

    def to_dataset(self, text: str) -> str:
        return text if self.identity else text.replace(self.public, BASE)

    def to_public(self, data: bytes) -> bytes:
        return data if self.identity else data.replace(BASE.encode(), self.public.encode())

    def iri(self, iri: str) -> str:
        """The public form of one dataset IRI."""
        return self.public + iri[len(BASE):] if iri.startswith(BASE) else iri
