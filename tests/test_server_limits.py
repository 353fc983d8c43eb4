"""`sanctiongraph serve` against clients that would hold it up: slow and stalled requests and huge heads; and the
Server header, which names no versions."""

from __future__ import annotations

import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import sanctiongraph_server
from test_server import fetch

SLOW_SOCKETS = 150
REQUEST_TIMEOUT = 5  # the server's --request-timeout here
SELECT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with few connection slots, far fewer than the slow clients, and a short time to send a request."""
    with sanctiongraph_server(graph, tmp_path_factory.mktemp("serve"), "--connections", "4",
                              "--request-timeout", str(REQUEST_TIMEOUT)) as root:
        yield root


def address(root: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(root)
    return str(parts.hostname), int(parts.port or 80)


def answer_of(connection: socket.socket) -> bytes:
    """All the server sends until it closes the connection."""
    connection.settimeout(30)
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


# the start of each slow request, then the bytes it trickles, one a second: a header, or the body
SLOW = {
    "head": (b"GET /queries HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", b"a" * 1000),
    "body": (b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\n",
             b"S" * 1000),
}


@pytest.mark.parametrize("part", SLOW)
def test_slow_clients_hold_no_slot_and_get_408_at_their_deadline(server: str, part: str) -> None:
    start, trickle = SLOW[part]
    slow = [socket.create_connection(address(server)) for _ in range(SLOW_SOCKETS)]
    try:
        for connection in slow:
            connection.sendall(start)
        opened = time.monotonic()
        for second in range(REQUEST_TIMEOUT - 2):
            for connection in slow:
                connection.sendall(trickle[second : second + 1])
            asked = time.monotonic()
            answer = fetch(server + "sparql?" + urllib.parse.urlencode({"query": SELECT}), headers={"Accept": "text/csv"}, timeout=10)
            assert answer.status == 200, answer.text
            assert time.monotonic() - asked < 2, "a normal client waited behind the slow ones"
            time.sleep(max(0.0, opened + second + 1 - time.monotonic()))
        answers = [answer_of(connection) for connection in slow]
        waited = time.monotonic() - opened
    finally:
        for connection in slow:
            connection.close()
    assert all(a.startswith(b"HTTP/1.0 408 Request Timeout\r\n") for a in answers), {a[:40] for a in answers}
    assert answers[0].endswith(f"the request was not complete within {REQUEST_TIMEOUT} s\n".encode())
    assert REQUEST_TIMEOUT - 1 < waited < REQUEST_TIMEOUT + 5, waited  # the whole request's deadline, not one read's


def test_a_stalled_body_gets_408(server: str) -> None:
    with socket.create_connection(address(server)) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/sparql-query\r\n"
                           b"Content-Length: 100\r\n\r\nSELECT")
        answer = answer_of(connection)
    assert answer.startswith(b"HTTP/1.0 408 Request Timeout\r\n"), answer
    assert b"\r\nServer: sanctiongraph\r\n" in answer


def test_a_whole_request_sent_at_once_is_served_with_its_body(server: str) -> None:
    body = SELECT.encode()
    with socket.create_connection(address(server)) as connection:
        connection.sendall(b"POST /sparql HTTP/1.1\r\nHost: localhost\r\nAccept: text/csv\r\nContent-Type: application/sparql-query\r\n"
                           b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10])
        time.sleep(0.5)  # the rest of the body in a second packet
        connection.sendall(body[10:])
        answer = answer_of(connection)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.split(b"\r\n\r\n", 1)[1].startswith(b"n\r\n"), answer


def test_a_connection_kept_alive_gets_a_new_deadline_for_each_request(server: str) -> None:
    """Three requests on one connection, further apart than the request deadline in all: each is answered (HTTP/1.1)."""
    request = b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"
    with socket.create_connection(address(server)) as connection:
        connection.settimeout(30)
        for _ in range(3):
            connection.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                head += connection.recv(1)
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            body = b""
            while len(body) < length:
                body += connection.recv(length - len(body))
            assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b'"status": "ok"' in body, head + body
            time.sleep(REQUEST_TIMEOUT / 2)


def test_a_head_over_the_limit_gets_431(server: str) -> None:
    with socket.create_connection(address(server)) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 70_000)
        answer = answer_of(connection)
    assert answer.startswith(b"HTTP/1.0 431 Request Header Fields Too Large\r\n"), answer[:80]


def test_the_server_header_names_no_versions(server: str) -> None:
    assert fetch(server).headers["server"] == "sanctiongraph"
    assert fetch(server + "no/such/thing").headers["server"] == "sanctiongraph"
    with socket.create_connection(address(server)) as connection:
        connection.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n")  # refused by the HTTP server, before the application
        answer = answer_of(connection)
    assert answer.startswith(b"HTTP/1.0 400 ") and b"\r\nServer: sanctiongraph\r\n" in answer, answer
