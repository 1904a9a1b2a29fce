"""Hostile servers: bombs, endless bodies, lies, silence and trickles.

The client's cap here is 1 MiB; memory is measured with tracemalloc, which
sees Python's allocations (and zlib's, which go through Python's allocator)
in every thread, the server's included.
"""

import time
import tracemalloc
import zlib
from contextlib import contextmanager

import brotli
import pytest

from cms.safehttp import BodyTooLarge, ConnectionFailed, FetchTimeout, Limits
from tests.safehttp.conftest import MiB

GiB = 1024 * MiB
ZEROS = bytes(64 * 1024)


@contextmanager
def peak_memory():
    """Yields a list that holds the traced peak, in bytes, after the block."""
    result: list[int] = []
    tracemalloc.start()
    try:
        yield result
    finally:
        result.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()


def stream_headers(handler, **headers: str) -> None:
    """Status and headers of a body that ends when the connection closes."""
    handler.send_response(200)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.close_connection = True


def gzip_bomb(handler) -> None:
    """1 GiB of zeros, gzip-compressed on the fly (about 1 MB on the wire if
    anyone read it all)."""
    stream_headers(handler, Content_Encoding="gzip")
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    for _ in range(GiB // len(ZEROS)):
        handler.raw(compressor.compress(ZEROS))
    handler.raw(compressor.flush())


def brotli_bomb(handler) -> None:
    """1 GiB of zeros, brotli-compressed on the fly."""
    stream_headers(handler, Content_Encoding="br")
    compressor = brotli.Compressor(quality=5)
    for number in range(GiB // len(ZEROS)):
        compressor.process(ZEROS)
        if number % 16 == 15:
            handler.raw(compressor.flush())
    handler.raw(compressor.finish())


@pytest.mark.parametrize("bomb", [gzip_bomb, brotli_bomb], ids=["gzip", "brotli"])
def test_decompression_bomb_is_stopped_at_the_cap_with_little_memory(
    site, client, bomb
):
    site.route("/bomb")(bomb)
    started = time.monotonic()

    with peak_memory() as peak, pytest.raises(BodyTooLarge) as caught:
        client.get(site.url("/bomb"))

    assert str(caught.value) == (
        f"The response from {site.url('/bomb')} is larger than 1 MB, "
        "the most Tsunagu reads from one address."
    )
    assert peak[0] < 2 * MiB
    assert time.monotonic() - started < 3


def test_endless_plain_body_is_stopped_at_the_cap(site, client):
    sent = []

    def fifty_megabytes(handler):
        stream_headers(handler, Content_Type="application/octet-stream")
        for _ in range(50 * MiB // len(ZEROS)):
            handler.raw(ZEROS)
            sent.append(len(ZEROS))

    site.route("/big")(fifty_megabytes)

    with peak_memory() as peak, pytest.raises(BodyTooLarge):
        client.get(site.url("/big"))

    assert peak[0] < 2 * MiB
    assert sum(sent) < 10 * MiB  # the client hung up long before the end


def test_chunked_body_is_stopped_at_the_cap(site, client):
    def chunked(handler):
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b"%x\r\n" % len(ZEROS) + ZEROS + b"\r\n"
        for _ in range(50 * MiB // len(ZEROS)):
            handler.raw(chunk)
        handler.raw(b"0\r\n\r\n")

    site.route("/chunked")(chunked)
    with peak_memory() as peak, pytest.raises(BodyTooLarge):
        client.get(site.url("/chunked"))
    assert peak[0] < 2 * MiB


def test_content_length_above_the_cap_is_refused_before_reading(site, client):
    sent = []

    def announced(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(50 * MiB))
        handler.end_headers()
        for _ in range(50 * MiB // len(ZEROS)):
            handler.raw(ZEROS)
            sent.append(len(ZEROS))

    site.route("/announced")(announced)

    with pytest.raises(BodyTooLarge) as caught:
        client.get(site.url("/announced"))

    assert caught.value.declared == 50 * MiB
    assert "announces 50 MB" in str(caught.value)
    assert sum(sent) < 5 * MiB


def test_content_length_that_understates_the_body_reads_only_what_it_said(site, client):
    # HTTP/1.1 framing means the rest is never taken as part of this body;
    # the connection is not reused (there is unread data on it).
    def liar(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        for _ in range(50 * MiB // len(ZEROS)):
            handler.raw(b"A" * len(ZEROS))

    site.route("/liar")(liar)
    site.static("/after", b"clean")

    with peak_memory() as peak:
        response = client.get(site.url("/liar"))
    assert response.content == b"A" * 100
    assert peak[0] < 2 * MiB
    # httpcore drops a pooled connection with unread data on it, once the
    # data has arrived: give the liar's extra bytes time to reach the socket
    # (a request sent in between would reuse the connection and fail once,
    # with ConnectionFailed; the next fetch is clean).
    time.sleep(0.3)
    assert client.get(site.url("/after")).content == b"clean"


def test_gzip_that_stays_under_the_cap_is_returned_whole(site, client):
    body = bytes(MiB)  # exactly the cap
    site.static("/edge", zlib.compress(body), Content_Encoding="deflate")
    assert client.get(site.url("/edge")).content == body


def test_endless_slow_body_is_stopped_at_the_total_deadline(site, make_client):
    def trickle(handler):
        stream_headers(handler)
        while not handler.stopping.wait(0.05):
            handler.raw(b".")  # every read succeeds well inside read_timeout

    site.route("/slow")(trickle)
    client = make_client(
        limits=Limits(
            max_bytes=MiB,
            max_redirects=5,
            connect_timeout=2,
            read_timeout=5,
            total_timeout=1,
        )
    )
    started = time.monotonic()

    with pytest.raises(FetchTimeout) as caught:
        client.get(site.url("/slow"))

    elapsed = time.monotonic() - started
    assert caught.value.phase == "total"
    assert str(caught.value) == (
        f"Fetching {site.url('/slow')} took longer than the 1 second Tsunagu allows."
    )
    assert 0.95 <= elapsed < 1.5


def test_slow_status_line_is_stopped_at_the_total_deadline(site, make_client):
    def slow_headers(handler):
        for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"x" * 1000:
            if handler.stopping.wait(0.05):
                return
            handler.raw(bytes([byte]))

    site.route("/slow-headers")(slow_headers)
    client = make_client(
        limits=Limits(
            max_bytes=MiB,
            max_redirects=5,
            connect_timeout=2,
            read_timeout=5,
            total_timeout=0.6,
        )
    )
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as caught:
        client.get(site.url("/slow-headers"))
    assert caught.value.phase == "total"
    assert time.monotonic() - started < 1.1


def test_server_that_never_answers_is_a_read_timeout(site, make_client):
    site.route("/silent")(lambda handler: handler.stopping.wait(10))
    client = make_client(
        limits=Limits(
            max_bytes=MiB,
            max_redirects=5,
            connect_timeout=2,
            read_timeout=0.5,
            total_timeout=5,
        )
    )
    started = time.monotonic()

    with pytest.raises(FetchTimeout) as caught:
        client.get(site.url("/silent"))

    assert caught.value.phase == "read"
    assert str(caught.value) == "127.0.0.1 stopped sending data for 0.5 seconds."
    assert 0.45 <= time.monotonic() - started < 1.2


def test_endless_headers_are_refused(site, client):
    # h11 (under httpcore) refuses a header block over 100 KiB.
    def endless_headers(handler):
        handler.raw(b"HTTP/1.1 200 OK\r\n")
        for number in range(1_000_000):
            handler.raw(b"X-Filler-%d: %s\r\n" % (number, b"x" * 100))

    site.route("/headers")(endless_headers)
    with peak_memory() as peak, pytest.raises(ConnectionFailed):
        client.get(site.url("/headers"))
    assert peak[0] < 2 * MiB
