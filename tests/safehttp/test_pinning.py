"""The connection goes to the address that was checked (no DNS rebinding),
while Host, SNI and the certificate check keep the host name."""

import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field

import httpcore
import pytest

from cms.safehttp import BlockedAddress, ConnectionFailed
from cms.safehttp.transport import Pin, PinnedBackend, pinned
from tests.safehttp.conftest import (
    Dialler,
    Handler,
    LocalServer,
    ScriptedResolver,
    Site,
)

PUBLIC = "93.184.215.14"
OTHER_PUBLIC = "93.184.215.15"


def test_dns_rebinding_never_reaches_the_private_address(site, make_client):
    # The attacker's DNS answers a public address first and 127.0.0.1 to any
    # later lookup. A client that checks one answer and lets httpx look the
    # name up again would connect to 127.0.0.1.
    site.static("/feed.xml", b"public content")
    resolver = ScriptedResolver([PUBLIC], ["127.0.0.1"])
    dialler = Dialler(site.port)
    client = make_client(allow=[], resolver=resolver, network_backend=dialler)
    url = f"http://rebind.example:{site.port}/feed.xml"

    response = client.get(url)

    assert response.content == b"public content"
    assert resolver.lookups == [("rebind.example", site.port)]  # once, not twice
    assert dialler.dialled == [(PUBLIC, site.port)]  # the checked address
    assert site.requests[-1].headers["host"] == f"rebind.example:{site.port}"

    # The next call looks the name up again and gets the loopback answer: it
    # is refused before any connection, and the pooled one is not used.
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1 of rebind\.example"):
        client.get(url)
    assert dialler.dialled == [(PUBLIC, site.port)]
    assert len(site.requests) == 1


def test_each_redirect_hop_is_resolved_once_and_dialled_at_its_checked_address(
    site, make_client
):
    site.route("/start")(
        lambda h: h.reply(302, {"Location": f"http://b.example:{site.port}/end"})
    )
    site.static("/end", b"done")
    addresses = {"a.example": [PUBLIC], "b.example": [OTHER_PUBLIC]}
    lookups = []

    def resolver(host, port):
        lookups.append(host)
        return addresses[host]

    dialler = Dialler(site.port)
    client = make_client(allow=[], resolver=resolver, network_backend=dialler)

    response = client.get(f"http://a.example:{site.port}/start")

    assert response.content == b"done"
    assert lookups == ["a.example", "b.example"]
    assert dialler.dialled == [(PUBLIC, site.port), (OTHER_PUBLIC, site.port)]


def test_the_next_checked_address_is_tried_when_one_fails(site, make_client):
    site.static("/", b"second address")
    dialler = Dialler(site.port, fail=frozenset({PUBLIC}))
    client = make_client(
        allow=[],
        resolver=lambda host, port: [PUBLIC, OTHER_PUBLIC],
        network_backend=dialler,
    )
    assert client.get(f"http://two.example:{site.port}/").content == b"second address"
    assert [address for address, _port in dialler.dialled] == [PUBLIC, OTHER_PUBLIC]


def test_backend_refuses_to_dial_without_a_pin_for_that_host(site):
    backend = PinnedBackend()
    with pytest.raises(httpcore.ConnectError, match="No checked address"):
        backend.connect_tcp("127.0.0.1", site.port)
    pin = Pin(host="a.example", port=site.port, addresses=(PUBLIC,), deadline=1e18)
    with pinned(pin), pytest.raises(httpcore.ConnectError):
        backend.connect_tcp("b.example", site.port)
    assert site.requests == []


# TLS: a certificate for feeds.example from a test CA, served on 127.0.0.1.


def _openssl(*args: str, cwd) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    folder = tmp_path_factory.mktemp("tls")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl(
        "req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Tsunagu Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "req", *curve, "-keyout", "leaf.key", "-out", "leaf.csr",
        "-subj", "/CN=feeds.example", cwd=folder,
    )  # fmt: skip
    (folder / "leaf.ext").write_text(
        "subjectAltName=DNS:feeds.example\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "authorityKeyIdentifier=keyid\n"
        "subjectKeyIdentifier=hash\n"
    )
    _openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext",
        cwd=folder,
    )  # fmt: skip
    return folder


@dataclass
class TLSSite(Site):
    sni: list[str] = field(default_factory=list)  # names the clients asked for


@pytest.fixture
def tls_site(certificates):
    server = LocalServer(("127.0.0.1", 0), Handler)
    server.site = TLSSite(port=server.server_address[1])
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    context.sni_callback = lambda sslobj, name, ctx: server.site.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    ).start()
    yield server.site
    server.site.stopping.set()
    server.shutdown()
    server.server_close()


def test_tls_uses_the_host_name_for_sni_and_the_certificate(
    tls_site, certificates, make_client
):
    tls_site.static("/", b"secure")
    dialler = Dialler(tls_site.port)
    client = make_client(
        allow=[],
        resolver=lambda host, port: [PUBLIC],
        network_backend=dialler,
        ssl_context=ssl.create_default_context(cafile=certificates / "ca.pem"),
    )

    response = client.get(f"https://feeds.example:{tls_site.port}/")

    assert response.content == b"secure"
    assert dialler.dialled == [(PUBLIC, tls_site.port)]
    assert tls_site.sni == ["feeds.example"]
    assert tls_site.requests[-1].headers["host"] == f"feeds.example:{tls_site.port}"


def test_tls_certificate_for_another_name_is_refused(
    tls_site, certificates, make_client
):
    tls_site.static("/", b"secure")
    client = make_client(
        allow=[],
        resolver=lambda host, port: [PUBLIC],
        network_backend=Dialler(tls_site.port),
        ssl_context=ssl.create_default_context(cafile=certificates / "ca.pem"),
    )
    with pytest.raises(ConnectionFailed, match="certificate could not be verified"):
        client.get(f"https://other.example:{tls_site.port}/")
    assert tls_site.requests == []


def test_tls_certificate_from_an_unknown_authority_is_refused(tls_site, make_client):
    client = make_client(
        allow=[],
        resolver=lambda host, port: [PUBLIC],
        network_backend=Dialler(tls_site.port),
    )
    with pytest.raises(ConnectionFailed, match="certificate could not be verified"):
        client.get(f"https://feeds.example:{tls_site.port}/")
