"""The pipe between the server and its query workers: frames of any size arrive whole, and a reply is read as data.

A worker runs the text a user sent, so the server never unpickles what a worker sends back: a reply is a
fixed layout (status, media type, headers, body), and anything else is an EngineFailure, whatever it holds."""

from __future__ import annotations

import os
import pickle
import select
import threading
from pathlib import Path

import pytest

from sanctiongraph.query.store import open_store
from sanctiongraph.server import jobs
from sanctiongraph.server.negotiation import Rebase
from sanctiongraph.server.pages import Links
from sanctiongraph.server.workers import Engine, EngineFailure, Reply, decoded, encoded, received, send


def test_a_reply_larger_than_the_pipe_holds_arrives_whole(graph: Path) -> None:
    """The whole graph as N-Triples (over a megabyte: many reads and writes) from a worker, byte for byte what the
    same job writes in this process; then a small reply on the same pipe."""
    arguments = (None, "ntriples", 1_000_000, Links("", Rebase()))
    expected = jobs.graph_contents(open_store(graph), *arguments)
    engine = Engine(graph, workers=1, timeout=30)
    try:
        reply = engine.run(jobs.graph_contents, *arguments, wait=5)
        assert len(reply.body) > 1 << 20
        assert reply == expected
        assert engine.run(jobs.exists, "https://w3id.org/sanctiongraph/id/mechel", wait=5).status == 200
    finally:
        engine.close()


def test_frames_of_every_size_cross_a_pipe_unchanged() -> None:
    """Around the size read at once when a frame begins (64 KiB) and the pipe's buffer, and past both; each written by
    another thread while this one reads, one frame at a time as server and worker take turns. A pipe closed between
    frames is the end (EOFError); a frame longer than any reply can be is refused (EngineFailure)."""
    reading, writing = os.pipe()
    try:
        for size in (0, 1, 7, 8, 9, (1 << 16) - 9, (1 << 16) - 8, 1 << 16, (1 << 16) + 1, 3 << 20):
            data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
            writer = threading.Thread(target=send, args=(writing, data))
            writer.start()
            try:
                assert received(reading) == data, size
            finally:
                writer.join(timeout=30)
        os.write(writing, (1 << 40).to_bytes(8, "big"))  # a length no worker sends: refused before anything is allocated
        with pytest.raises(EngineFailure, match="more than the"):
            received(reading)
        os.close(writing)
        with pytest.raises(EOFError):
            received(reading)
    finally:
        os.close(reading)


def test_a_reply_is_read_as_data_never_unpickled(tmp_path: Path) -> None:
    reply = Reply(303, "text/plain; charset=utf-8", b"\x00body\r\n", (("Location", "mechel"), ("Vary", "Accept")))
    assert decoded(encoded(reply)) == reply

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.mkdir, (str(tmp_path / "unpickled"),))

    for sent in (pickle.dumps(Payload()), pickle.dumps(reply), b"", b"\x00" * 3):
        with pytest.raises(EngineFailure, match="malformed reply"):
            decoded(sent)
    assert not (tmp_path / "unpickled").exists()


@pytest.mark.parametrize("head", [b'[999, "text/plain", []]', b'["200", "text/plain", []]', b'[200, 7, []]',
                                  b'[200, "text/plain", [["Vary"]]]', b'[200, "text/plain", [["Vary", 1]]]', b'{"status": 200}'])
def test_a_reply_whose_head_is_not_a_status_media_type_and_headers_is_refused(head: bytes) -> None:
    with pytest.raises(EngineFailure, match="malformed reply"):
        decoded(len(head).to_bytes(8, "big") + head + b"body")


def test_a_frame_left_half_written_is_given_up_when_the_rest_does_not_come() -> None:
    """A worker that writes the start of a reply and stalls holds no server thread: the wait for the rest ends at the
    deadline `more` keeps (as _Worker.answer's does at the query's time limit) with an EngineFailure, after which the
    engine replaces the worker."""
    reading, writing = os.pipe()
    try:
        ready = select.poll()
        ready.register(reading, select.POLLIN)
        waits: list[bool] = []

        def more() -> bool:
            waits.append(bool(ready.poll(200)))
            return waits[-1]

        os.write(writing, (100).to_bytes(8, "big") + b"only ten b")  # 18 of the frame's 108 bytes
        with pytest.raises(EngineFailure, match="did not finish it in time"):
            received(reading, more)
        assert waits == [False]
        os.write(writing, (4).to_bytes(8, "big")[:5])  # even the length cut short
        with pytest.raises(EngineFailure, match="did not finish it in time"):
            received(reading, more)
    finally:
        os.close(reading)
        os.close(writing)
