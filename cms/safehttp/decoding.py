"""Reading a response body under a size cap that holds after decompression.

A 1 MB gzip or brotli body can inflate to gigabytes. Each decoder here is
asked for at most ``PIECE`` bytes of output at a time (zlib's ``max_length``,
brotli's ``output_buffer_limit``) and every piece is counted before it is
kept, so the memory used stays close to the cap whatever the compressed data
claims. The bytes on the wire are capped too: a stream that decompresses to
nothing must not be read forever.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator, Sequence

import brotli

from .errors import BodyTooLarge, DecodingError

PIECE = 64 * 1024


class _Stage:
    name: str
    fed: bool = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        raise NotImplementedError

    def finished(self) -> bool:
        raise NotImplementedError


class _ZlibStage(_Stage):
    """gzip, or deflate (zlib-wrapped as RFC 9110 says, or raw as some servers
    send it: tried when the zlib header is rejected, as browsers do)."""

    def __init__(self, name: str) -> None:
        self.name = name
        gzip = name in ("gzip", "x-gzip")
        self._decoder = zlib.decompressobj(
            16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        )
        self._may_be_raw = not gzip

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self.fed = True
        while not self._decoder.eof:
            try:
                out = self._decoder.decompress(data, PIECE)
            except zlib.error:
                if not self._may_be_raw:
                    raise
                self._may_be_raw = False
                self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._may_be_raw = False
            if out:
                yield out
            data = self._decoder.unconsumed_tail
            # A full piece may leave output inside zlib with no input left.
            if not data and len(out) < PIECE:
                return
        # Bytes after the end of the compressed stream are ignored, as httpx
        # and browsers do; the wire cap still bounds how many are read.

    def finished(self) -> bool:
        return self._decoder.eof


class _BrotliStage(_Stage):
    name = "br"

    def __init__(self) -> None:
        self._decoder = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data or self._decoder.is_finished():
            return
        self.fed = True
        out = self._decoder.process(data, output_buffer_limit=PIECE)
        while out:
            yield out
            # With a limit, the decoder keeps what it has not yet written out
            # and gives it on calls with empty input. brotli 1.2.1's
            # can_accept_more_data() turns True while output is still pending,
            # so drain until a call gives nothing.
            out = self._decoder.process(b"", output_buffer_limit=PIECE)
        if not (self._decoder.is_finished() or self._decoder.can_accept_more_data()):
            raise brotli.error("the decoder stalled")

    def finished(self) -> bool:
        return self._decoder.is_finished()


def _stage(name: str, *, url: str) -> _Stage:
    if name in ("gzip", "x-gzip", "deflate"):
        return _ZlibStage(name)
    if name == "br":
        return _BrotliStage()
    raise DecodingError(
        url=url, encoding=name, detail="Tsunagu cannot read this compression"
    )


class BoundedBody:
    """Collects a body, decoding ``encodings`` (the Content-Encoding values in
    the order the server applied them) and refusing more than ``max_bytes``
    on the wire, after each decoding step, and in the result."""

    def __init__(self, *, encodings: Sequence[str], max_bytes: int, url: str) -> None:
        names = [name.strip().lower() for name in encodings]
        self._stages = [
            _stage(name, url=url)
            for name in reversed(names)
            if name and name != "identity"
        ]
        self._max_bytes = max_bytes
        self._url = url
        self._wire = 0
        self._produced = [0] * len(self._stages)
        self._out = io.BytesIO()

    def feed(self, data: bytes) -> None:
        self._wire += len(data)
        self._check(self._wire)
        self._push(0, data)

    def finish(self) -> bytes:
        for stage in self._stages:
            if stage.fed and not stage.finished():
                raise DecodingError(
                    url=self._url,
                    encoding=stage.name,
                    detail="the compressed data ends before it is complete",
                )
        # getvalue() hands over BytesIO's buffer without a second copy.
        return self._out.getvalue()

    def _push(self, index: int, data: bytes) -> None:
        if index == len(self._stages):
            self._check(self._out.tell() + len(data))
            self._out.write(data)
            return
        stage = self._stages[index]
        try:
            for piece in stage.decode(data):
                self._produced[index] += len(piece)
                self._check(self._produced[index])
                self._push(index + 1, piece)
        except (zlib.error, brotli.error) as exc:
            raise DecodingError(
                url=self._url,
                encoding=stage.name,
                detail="the compressed data is broken",
            ) from exc

    def _check(self, size: int) -> None:
        if size > self._max_bytes:
            raise BodyTooLarge(url=self._url, max_bytes=self._max_bytes)
