"""gzip for the server's answers that are text, when the client's Accept-Encoding takes it: WSGI middleware.

An answer is compressed when it is one body of at least MINIMUM bytes (results, pages, descriptions: what the
application computes whole) and of a textual media type; the dumps, streamed from disk, go as they are."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable
from typing import Any

MINIMUM = 1024  # bytes; below this, gzip's own header and the time cost more than they save
LEVEL = 5  # on SPARQL results about as small as level 9 and about twice as fast
TEXTUAL = ("text/", "application/sparql-results+", "application/json", "application/ld+json", "application/n-triples",
           "application/rdf+xml", "application/xml", "application/n-quads", "application/trig", "image/svg+xml")


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header takes gzip (named or by *, with a quality above 0)."""
    qualities = {}
    for item in accept_encoding.lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding] = quality
    return qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0))) > 0


class Compression:
    """Wraps a WSGI application; its answers that are text, whole and not small are sent gzipped to clients that take it."""

    def __init__(self, app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        held: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            held[:] = [status, headers, exc_info]
            return lambda data: None  # the application writes nothing through it

        answer = self.app(environ, hold)
        status, headers, exc_info = held
        if isinstance(answer, list) and len(answer) == 1 and self._compressible(environ, headers, len(answer[0])):
            body = gzip.compress(answer[0], compresslevel=LEVEL, mtime=0)
            headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
            headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(body)))]
            answer = [body]
        if any(n.lower() == "content-type" and _textual(v) for n, v in headers):
            headers = [*headers, ("Vary", "Accept-Encoding")]
        start_response(status, headers, exc_info)
        return answer

    @staticmethod
    def _compressible(environ: dict[str, Any], headers: list[tuple[str, str]], size: int) -> bool:
        if size < MINIMUM or not accepts_gzip(str(environ.get("HTTP_ACCEPT_ENCODING", ""))):
            return False
        named = {n.lower(): v for n, v in headers}
        return "content-encoding" not in named and _textual(named.get("content-type", ""))


def _textual(media: str) -> bool:
    return media.lower().startswith(TEXTUAL)
