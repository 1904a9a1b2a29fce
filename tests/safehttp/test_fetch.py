"""Ordinary fetching and posting against a local server."""

import gzip
import logging
import zlib
from concurrent.futures import ThreadPoolExecutor

import brotli
import pytest

from cms.safehttp import (
    BlockedAddress,
    ConnectionFailed,
    DecodingError,
    DNSError,
    FetchTimeout,
    InvalidURL,
    Limits,
    SafeClient,
)

TEXT = ("<rss><channel><title>Ville de Paris</title></channel></rss>" * 50).encode()


def test_get_returns_status_headers_body_and_final_url(site, client):
    site.static("/feed.xml", TEXT, Content_Type="application/rss+xml; charset=UTF-8")

    response = client.get(site.url("/feed.xml"))

    assert response.status_code == 200
    assert response.content == TEXT
    assert response.url == site.url("/feed.xml")
    assert response.redirects == []
    assert response.headers["CONTENT-TYPE"] == "application/rss+xml; charset=UTF-8"
    assert response.content_type == "application/rss+xml"
    assert response.charset == "utf-8"
    assert 0 < response.elapsed < 2


def test_response_without_content_type_has_none(site, client):
    site.static("/bare", b"x")
    response = client.get(site.url("/bare"))
    assert response.content_type is None
    assert response.charset is None


def test_get_sends_identifying_user_agent_and_accept_encoding(site, make_client):
    site.static("/", b"ok")
    make_client(user_agent="TsunaguBot/9 (+https://example.org)").get(site.url())
    seen = site.requests[-1].headers
    assert seen["user-agent"] == "TsunaguBot/9 (+https://example.org)"
    assert seen["accept-encoding"] == "gzip, deflate, br"
    assert seen["host"] == site.hostport
    assert "cookie" not in seen


def test_user_agent_defaults_to_the_setting(site, settings, limits):
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [site.hostport],
        "USER_AGENT": "FromSettings/1",
    }
    site.static("/", b"ok")
    with SafeClient(limits=limits) as client:
        client.get(site.url())
    assert site.requests[-1].headers["user-agent"] == "FromSettings/1"


def test_limits_default_to_the_settings(settings):
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "MAX_BYTES": 123,
        "TOTAL_TIMEOUT": 7.5,
    }
    limits = Limits(max_redirects=2)
    assert limits.max_bytes == 123
    assert limits.total_timeout == 7.5
    assert limits.max_redirects == 2


def test_conditional_headers_pass_through_and_304_is_a_response(site, client):
    def feed(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(304, {"ETag": '"v1"'})
        else:
            handler.reply(200, {"ETag": '"v1"'}, TEXT)

    site.route("/feed.xml")(feed)
    since = "Tue, 24 Nov 2026 09:30:00 GMT"

    response = client.get(
        site.url("/feed.xml"),
        headers={"If-None-Match": '"v1"', "If-Modified-Since": since},
    )

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == '"v1"'
    assert site.requests[-1].headers["if-none-match"] == '"v1"'
    assert site.requests[-1].headers["if-modified-since"] == since


@pytest.mark.parametrize("status", [404, 429, 500, 503])
def test_error_statuses_are_returned_not_raised(site, client, status):
    site.route("/busy")(
        lambda h: h.reply(status, {"Retry-After": "120"}, b"come back later")
    )
    response = client.get(site.url("/busy"))
    assert response.status_code == status
    assert response.headers["retry-after"] == "120"
    assert response.content == b"come back later"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate
    ],
    ids=["gzip", "br", "deflate", "raw-deflate"],
)
def test_compressed_bodies_are_decoded(site, client, encoding, compress):
    site.static("/c", compress(TEXT), Content_Encoding=encoding)
    assert client.get(site.url("/c")).content == TEXT


def test_stacked_encodings_are_decoded_in_reverse_order(site, client):
    site.static("/c", brotli.compress(gzip.compress(TEXT)), Content_Encoding="gzip, br")
    assert client.get(site.url("/c")).content == TEXT


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"\x1f\x8b\x08\x00garbage-not-gzip"),
        ("gzip", gzip.compress(TEXT)[:-12]),  # cut short
        ("br", b"\xff\xff\xff not brotli"),
        ("zstd", b"\x28\xb5\x2f\xfd"),
    ],
    ids=["bad-gzip", "cut-gzip", "bad-brotli", "unknown-zstd"],
)
def test_broken_or_unknown_compression_is_a_decoding_error(
    site, client, encoding, body
):
    site.static("/c", body, Content_Encoding=encoding)
    with pytest.raises(DecodingError, match="could not be decompressed"):
        client.get(site.url("/c"))


def test_head_has_no_body(site, client):
    site.static("/", TEXT)
    response = client.request("HEAD", site.url())
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == str(len(TEXT))


def test_post_json_for_a_webhook(site, client):
    site.route("/hook")(lambda h: h.reply(202, {}, b"queued"))

    response = client.request(
        "POST",
        site.url("/hook"),
        json={"page": 7, "title": "東京"},
        headers={"Authorization": "Bearer s3cret"},
    )

    assert response.status_code == 202
    seen = site.requests[-1]
    assert seen.method == "POST"
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["authorization"] == "Bearer s3cret"
    assert b'"page":7' in seen.body.replace(b" ", b"")


def test_post_raw_content(site, client):
    site.route("/hook")(lambda h: h.reply(200, {}, b""))
    client.request(
        "POST",
        site.url("/hook"),
        content=b"<x/>",
        headers={"Content-Type": "application/xml"},
    )
    assert site.requests[-1].body == b"<x/>"


@pytest.mark.parametrize("name", ["Host", "User-Agent", "Accept-Encoding", "TE"])
def test_headers_the_client_owns_cannot_be_overridden(site, client, name):
    with pytest.raises(ValueError, match="sets the"):
        client.get(site.url(), headers={name: "x"})


def test_content_and_json_together_are_a_mistake(site, client):
    with pytest.raises(ValueError):
        client.request("POST", site.url(), content=b"x", json={})


def test_a_closed_client_refuses_to_work(site, make_client):
    client = make_client()
    client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.get(site.url())


def test_context_manager_closes(site, limits):
    with SafeClient(allow=[site.hostport], limits=limits) as client:
        pass
    with pytest.raises(RuntimeError):
        client.get(site.url())


def test_cookies_are_never_stored_or_sent(site, client):
    site.route("/set")(lambda h: h.reply(200, {"Set-Cookie": "session=abc; Path=/"}))
    site.static("/next", b"ok")
    client.get(site.url("/set"))
    client.get(site.url("/next"))
    assert "cookie" not in site.requests[-1].headers


def test_one_client_serves_a_thread_pool(site, other_site, make_client):
    for number in range(20):
        site.static(f"/p{number}", f"page {number}".encode())
    client = make_client()

    def fetch(number: int) -> bytes | str:
        if number % 5 == 4:  # interleave refusals with successes
            try:
                client.get(other_site.url("/"))
            except BlockedAddress as exc:
                return type(exc).__name__
        return client.get(site.url(f"/p{number % 20}")).content

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(80)))

    for number, result in enumerate(results):
        expected = (
            "BlockedAddress" if number % 5 == 4 else f"page {number % 20}".encode()
        )
        assert result == expected
    assert other_site.requests == []


def test_connection_refused_is_connection_failed(make_client):
    # A port that was free a moment ago and is allow-listed: nothing listens.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(allow=[f"127.0.0.1:{port}"])
    with pytest.raises(ConnectionFailed, match="refused"):
        client.get(f"http://127.0.0.1:{port}/")


def test_body_shorter_than_its_content_length_is_connection_failed(site, client):
    def short(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.raw(b"only a little")
        handler.close_connection = True

    site.route("/short")(short)
    with pytest.raises(ConnectionFailed, match="broke off"):
        client.get(site.url("/short"))


def test_dns_failure_is_a_dns_error(make_client):
    import socket

    def resolver(host, port):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    client = make_client(resolver=resolver)
    with pytest.raises(DNSError) as caught:
        client.get("http://no-such-host.example/feed")
    assert str(caught.value) == (
        "The host name no-such-host.example could not be found "
        "(DNS said: Name or service not known)."
    )


def test_connect_timeout_is_a_fetch_timeout(make_client):
    import httpcore

    class Unreachable(httpcore.SyncBackend):
        def connect_tcp(self, *args, **kwargs):
            raise httpcore.ConnectTimeout("timed out")

    client = make_client(
        resolver=lambda host, port: ["93.184.215.14"], network_backend=Unreachable()
    )
    with pytest.raises(FetchTimeout) as caught:
        client.get("http://slow.example/")
    assert caught.value.phase == "connect"
    assert str(caught.value) == (
        "slow.example did not accept a connection within 2 seconds."
    )


def test_fetches_log_at_debug_and_refusals_at_info_without_secrets(
    site, client, caplog
):
    site.static("/ok", b"fine")
    site.route("/hook")(lambda h: h.reply(200, {}, b""))
    caplog.set_level(logging.DEBUG)

    client.get(site.url("/ok"))
    client.request(
        "POST",
        site.url("/hook"),
        json={"secret": "body-secret-value"},
        headers={"Authorization": "Bearer header-secret-value"},
    )
    with pytest.raises(BlockedAddress):
        client.get("http://10.0.0.5/intranet")
    with pytest.raises(InvalidURL):
        client.get("http://user:password-in-url@127.0.0.1/")

    ours = [r for r in caplog.records if r.name.startswith("cms.safehttp")]
    fetched = [r for r in ours if r.levelno == logging.DEBUG]
    refused = [r for r in ours if r.levelno == logging.INFO]
    assert any(site.url("/ok") in r.getMessage() for r in fetched)
    assert any("10.0.0.5" in r.getMessage() for r in refused)
    everything = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    for secret in ("body-secret-value", "header-secret-value", "password-in-url"):
        assert secret not in everything
