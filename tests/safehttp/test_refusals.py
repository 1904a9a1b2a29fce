"""URLs and addresses Tsunagu refuses, and the exact allow-list."""

import ipaddress
import socket
import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.safehttp import (
    AllowList,
    BlockedAddress,
    InvalidURL,
    SafeClient,
    UnsupportedScheme,
)
from cms.safehttp.addresses import address_verdict, parse_ip
from tests.safehttp.conftest import Handler, LocalServer, Site


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("ftp://example.org/file", "ftp"),
        ("file:///etc/passwd", "file"),
        ("gopher://example.org:70/", "gopher"),
        ("javascript:alert(1)", "javascript"),
        ("data:text/plain,hi", "data"),
    ],
)
def test_schemes_other_than_http_and_https_are_refused(client, url, scheme):
    with pytest.raises(UnsupportedScheme) as caught:
        client.get(url)
    assert caught.value.scheme == scheme
    assert f"it uses {scheme}:, and Tsunagu fetches only http and https" in str(
        caught.value
    )


def test_credentials_in_the_url_are_refused_even_when_allow_listed(site, client):
    site.static("/", b"ok")
    url = f"http://user:hunter2@{site.hostport}/"
    with pytest.raises(InvalidURL) as caught:
        client.get(url)
    assert "user name or password" in str(caught.value)
    assert "hunter2" not in str(caught.value)
    assert site.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "not a url",
        "example.org/feed.xml",
        "/relative/path",
        "http://",
        "http:///path",
        "http://exa mple.org/",
        "http://[::1/",
        "http://example.org:99999/",
        "http://example.org:0/",
    ],
)
def test_malformed_urls_are_refused_with_a_reason(client, url):
    with pytest.raises(InvalidURL, match="is not an address Tsunagu can fetch: "):
        client.get(url)


@pytest.mark.parametrize(
    ("url", "address", "category"),
    [
        ("http://10.1.2.3/", "10.1.2.3", "private"),
        ("http://192.168.1.1/", "192.168.1.1", "private"),
        ("http://172.16.5.4/", "172.16.5.4", "private"),
        ("http://127.0.0.1/", "127.0.0.1", "loopback"),
        ("http://127.8.9.10/", "127.8.9.10", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"),
        ("http://[::1]/", "::1", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254", "link-local"),
        ("http://[64:ff9b::10.0.0.1]/", "64:ff9b::a00:1", "private"),
        ("http://[fd00::1]/", "fd00::1", "private"),
        ("http://[fe80::1]/", "fe80::1", "link-local"),
        ("http://2130706433/", "127.0.0.1", "loopback"),
        ("http://0x7f.1/", "127.0.0.1", "loopback"),
        ("http://017700000001/", "127.0.0.1", "loopback"),
        ("http://127.1/", "127.0.0.1", "loopback"),
        ("http://0.0.0.0/", "0.0.0.0", "unspecified"),
        ("http://[::]/", "::", "unspecified"),
        ("http://100.64.1.1/", "100.64.1.1", "shared"),
        ("http://localhost/", "127.0.0.1", "loopback"),
    ],
)
def test_private_and_special_addresses_are_refused(client, url, address, category):
    with pytest.raises(BlockedAddress) as caught:
        client.get(url)
    assert caught.value.address == address
    assert caught.value.category == category


def test_refusal_message_names_the_host_and_the_address(make_client):
    client = make_client(resolver=lambda host, port: ["10.0.0.5"])
    with pytest.raises(BlockedAddress) as caught:
        client.get("http://intranet.example/")
    assert str(caught.value) == (
        "The address 10.0.0.5 of intranet.example is on a private network; "
        "Tsunagu does not fetch from private networks."
    )


def test_a_name_with_one_private_address_among_public_ones_is_refused(make_client):
    client = make_client(resolver=lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(BlockedAddress, match=r"10\.0\.0\.5 of mixed\.example"):
        client.get("http://mixed.example/")


@pytest.mark.parametrize(
    "address",
    [
        "224.0.0.1",  # multicast: is_global is True in Python 3.13
        "239.255.255.250",
        "ff0e::1",
        "fec0::1",  # site-local: is_global is True in Python 3.13
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: is_global is True
        "::7f00:1",  # IPv4-compatible 127.0.0.1
        "::808:808",  # IPv4-compatible, obsolete even for a public address
        "::ffff:0:7f00:1",  # IPv4-translated 127.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of the metadata address
        "192.0.0.8",
        "192.88.99.1",
        "198.18.0.1",  # benchmarking
        "2001:2::1",
        "192.0.2.10",  # documentation
        "198.51.100.7",
        "203.0.113.99",
        "2001:db8::1",
        "3fff::1",  # documentation since RFC 9637; Python 3.13.0 does not know
        "240.0.0.1",
        "255.255.255.255",
        "5f00::1",  # outside 2000::/3
        "2001::1",  # Teredo
        "fe80::1%eth0",
    ],
)
def test_gaps_in_is_global_are_closed(address):
    assert address_verdict(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "93.184.215.14",
        "2606:4700:4700::1111",
        "2a00:1450:4001:80b::200e",
        "::ffff:8.8.8.8",  # dual-stack form of a public address
        "64:ff9b::808:808",  # DNS64 form of a public address
    ],
)
def test_public_addresses_are_allowed(address):
    assert address_verdict(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("example.org", None),
        ("cafe.be", None),
    ],
)
def test_numeric_shorthands_are_read_as_addresses(text, address):
    parsed = parse_ip(text)
    assert (str(parsed) if parsed else None) == address


def test_numeric_shorthand_is_refused_whatever_the_resolver_says(make_client):
    client = make_client(resolver=lambda host, port: ["93.184.215.14"])
    with pytest.raises(BlockedAddress):
        client.get("http://0x7f.1/")


def test_allow_list_lets_exactly_the_listed_pair_through(site, client):
    site.static("/", b"ok")
    assert client.get(site.url()).content == b"ok"
    assert client.get(f"http://2130706433:{site.port}/").content == b"ok"


def test_allow_list_is_exact_about_the_port(site, other_site, client):
    other_site.static("/", b"ok")
    with pytest.raises(BlockedAddress):
        client.get(other_site.url())
    assert other_site.requests == []


def test_allow_list_name_entry_matches_the_name_not_the_address(site, make_client):
    site.static("/", b"ok")
    client = make_client(allow=[f"localhost:{site.port}"])
    assert client.get(f"http://localhost:{site.port}/").content == b"ok"
    assert client.get(f"http://LOCALHOST:{site.port}/").content == b"ok"
    with pytest.raises(BlockedAddress):
        client.get(site.url())  # 127.0.0.1 is not "localhost"


def test_allow_list_address_entry_does_not_cover_other_loopback_addresses(
    site, make_client
):
    client = make_client(allow=[f"127.0.0.2:{site.port}"])
    with pytest.raises(BlockedAddress):
        client.get(site.url())


def test_allow_list_parses_ipv6_and_normalises():
    allow = AllowList.parse(
        ["[::1]:8001", "[0:0::1]:8002", "Example.ORG.:80", "例え.jp:443"]
    )
    assert allow.allows_address(ipaddress.ip_address("::1"), 8001)
    assert allow.allows_address(ipaddress.ip_address("::1"), 8002)
    assert not allow.allows_address(ipaddress.ip_address("::1"), 8003)
    assert allow.allows_name("example.org", 80)
    assert allow.allows_name("EXAMPLE.org.", 80)
    assert not allow.allows_name("example.org", 443)
    assert allow.allows_name("xn--r8jz45g.jp", 443)


@pytest.mark.parametrize(
    "entry",
    ["localhost", "127.0.0.1", "*.example.org:80", "127.0.0.0/8:80", "http://x:80",
     "user@x:80", "x:0", "x:http", ""],
)  # fmt: skip
def test_allow_list_entries_must_be_exact_host_port_pairs(entry):
    with pytest.raises(ValueError, match="not an exact host:port pair"):
        AllowList.parse([entry])


def test_a_bad_allow_list_setting_names_the_setting(settings):
    settings.TSUNAGU_SAFEHTTP = {**settings.TSUNAGU_SAFEHTTP, "ALLOW": ["*:80"]}
    with pytest.raises(ImproperlyConfigured, match=r"TSUNAGU_SAFEHTTP\['ALLOW'\]"):
        SafeClient()


def test_allow_list_comes_from_the_setting(site, settings):
    site.static("/", b"ok")
    settings.TSUNAGU_SAFEHTTP = {**settings.TSUNAGU_SAFEHTTP, "ALLOW": [site.hostport]}
    with SafeClient() as client:
        assert client.get(site.url()).content == b"ok"
    settings.TSUNAGU_SAFEHTTP = {**settings.TSUNAGU_SAFEHTTP, "ALLOW": []}
    with SafeClient() as client, pytest.raises(BlockedAddress):
        client.get(site.url())


@pytest.fixture
def ipv6_site():
    class IPv6Server(LocalServer):
        address_family = socket.AF_INET6

    try:
        server = IPv6Server(("::1", 0), Handler)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server.site = Site(port=server.server_address[1])
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    yield server.site
    server.shutdown()
    server.server_close()


def test_ipv6_loopback_is_reached_only_when_listed(ipv6_site, make_client):
    ipv6_site.static("/", b"over IPv6")
    url = f"http://[::1]:{ipv6_site.port}/"
    with pytest.raises(BlockedAddress, match="loopback"):
        make_client().get(url)
    assert make_client(allow=[f"[::1]:{ipv6_site.port}"]).get(url).content == (
        b"over IPv6"
    )
