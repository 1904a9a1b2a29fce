"""The benchmark's feed servers: one asyncio process listening on every bench
host (127.0.0.2 ... 127.0.0.x, one port), keep-alive HTTP/1.1, bodies built
once at start, ETag / If-None-Match answered with 304.

Run by bench/ingest.py as ``python -m bench.server PLAN.json``; it says
``ready`` with its port once listening, then obeys ``round`` (which answers to
serve: 1, or 2 where the changed sources have new entries) and ``stats``
(requests by status, CPU seconds and peak RSS of this process), in
bench/protocol.py's JSON lines.
"""

import asyncio
import contextlib
import sys
import threading
import time
from pathlib import Path

from bench.corpus import CONTENT_TYPES, etag, plan_load, variant
from bench.protocol import receive, send, usage

ROBOTS = b"User-agent: *\nDisallow: /private/\n"


class Site:
    def __init__(self, plan_path: Path) -> None:
        corpus, plan = plan_load(plan_path)
        originals: dict[str, bytes] = {}
        # (host, path) -> [round 1 (body, etag), round 2 (body, etag)]
        self.routes: dict[tuple[str, str], list[tuple[bytes, str]]] = {}
        self.types: dict[tuple[str, str], str] = {}
        for source in plan:
            if source.file not in originals:
                originals[source.file] = (corpus / source.file).read_bytes()
            body = variant(originals[source.file], index=source.index, full=False)
            first = (body, etag(body))
            second = first
            if source.changed:
                body = variant(originals[source.file], index=source.index, full=True)
                second = (body, etag(body))
            key = (source.host, source.path)
            self.routes[key] = [first, second]
            self.types[key] = CONTENT_TYPES[Path(source.file).suffix]
        self.hosts = sorted({source.host for source in plan})
        self.round = 1
        self.counts: dict[str, int] = {}
        # Politeness as the hosts saw it: the shortest time between two
        # requests to one host, since the last change of round.
        self.last_seen: dict[str, float] = {}
        self.min_gap = float("inf")

    def seen(self, host: str) -> None:
        now = time.monotonic()
        if host in self.last_seen:
            self.min_gap = min(self.min_gap, now - self.last_seen[host])
        self.last_seen[host] = now

    def answer(
        self, host: str, path: str, if_none_match: str
    ) -> tuple[int, dict, bytes]:
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, ROBOTS
        versions = self.routes.get((host, path))
        if versions is None:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        body, tag = versions[self.round - 1]
        if if_none_match and tag in if_none_match:
            return 304, {"ETag": tag}, b""
        return 200, {"ETag": tag, "Content-Type": self.types[(host, path)]}, body


REASONS = {200: b"OK", 304: b"Not Modified", 404: b"Not Found", 400: b"Bad Request"}


async def serve(site: Site, reader: asyncio.StreamReader, writer) -> None:
    host = writer.get_extra_info("sockname")[0]
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            try:
                _method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            site.seen(host)
            status, extra, body = site.answer(
                host, target.split("?", 1)[0], headers.get("if-none-match", "")
            )
            site.counts[str(status)] = site.counts.get(str(status), 0) + 1
            out = [b"HTTP/1.1 %d %s" % (status, REASONS.get(status, b""))]
            out += [f"{k}: {v}".encode() for k, v in extra.items()]
            if status != 304:
                out.append(b"Content-Length: %d" % len(body))
            writer.write(b"\r\n".join(out) + b"\r\n\r\n" + body)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                return
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
        return
    finally:
        writer.close()


def _commands(site: Site, loop: asyncio.AbstractEventLoop) -> None:
    """Commands from bench/ingest.py; the end of stdin (the benchmark ended or
    died) stops the server."""
    try:
        while (message := receive())["cmd"] != "exit":
            if message["cmd"] == "round":
                site.round = message["round"]
                site.last_seen.clear()
                site.min_gap = float("inf")
                send({"event": "ok"})
            elif message["cmd"] == "stats":
                gap = site.min_gap if site.last_seen else None
                send(
                    {
                        "event": "stats",
                        "counts": dict(site.counts),
                        "min_gap": None if gap == float("inf") else gap,
                        **usage(),
                    }
                )
        send({"event": "bye"})
    finally:
        loop.call_soon_threadsafe(loop.stop)


async def main(plan_path: Path) -> None:
    site = Site(plan_path)
    handler = lambda r, w: serve(site, r, w)  # noqa: E731
    first = await asyncio.start_server(handler, site.hosts[0], 0, backlog=512)
    port = first.sockets[0].getsockname()[1]
    servers = [first]
    for host in site.hosts[1:]:
        servers.append(await asyncio.start_server(handler, host, port, backlog=512))
    send({"event": "ready", "port": port})
    loop = asyncio.get_running_loop()
    threading.Thread(target=_commands, args=(site, loop), daemon=True).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    # loop.stop() from the command thread ends asyncio.run with RuntimeError.
    with contextlib.suppress(RuntimeError):
        asyncio.run(main(Path(sys.argv[1])))
