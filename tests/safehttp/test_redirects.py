"""Redirects are followed by hand, each hop checked like the first."""

import pytest

from cms.safehttp import BlockedAddress, TooManyRedirects, UnsupportedScheme


def redirect(location: str, status: int = 302):
    return lambda handler: handler.reply(status, {"Location": location})


@pytest.fixture
def chain(site):
    """/hop/N redirects to /hop/N-1 (relative), /hop/0 answers."""
    for number in range(1, 10):
        site.route(f"/hop/{number}")(redirect(str(number - 1)))
    site.static("/hop/0", b"arrived")
    return site


def test_five_redirects_are_followed(chain, client):
    response = client.get(chain.url("/hop/5"))

    assert response.status_code == 200
    assert response.content == b"arrived"
    assert response.url == chain.url("/hop/0")
    assert response.redirects == [chain.url(f"/hop/{n}") for n in (5, 4, 3, 2, 1)]


def test_the_sixth_redirect_is_refused(chain, client):
    with pytest.raises(TooManyRedirects) as caught:
        client.get(chain.url("/hop/6"))

    assert str(caught.value) == (
        f"{chain.url('/hop/6')} redirected more than 5 times; "
        "Tsunagu follows at most 5 redirects."
    )
    assert not any(seen.path == "/hop/0" for seen in chain.requests)


def test_redirect_loop_is_refused(site, client):
    site.route("/a")(redirect("/b", 301))
    site.route("/b")(redirect(site.url("/a"), 308))

    with pytest.raises(TooManyRedirects) as caught:
        client.get(site.url("/a"))

    assert caught.value.loop
    assert "redirects in a loop" in str(caught.value)
    assert [seen.path for seen in site.requests] == ["/a", "/b"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_followed_for_get(site, client, status):
    site.route("/old")(redirect("/new", status))
    site.static("/new", b"moved")
    assert client.get(site.url("/old")).content == b"moved"


def test_relative_locations_are_resolved_against_the_current_url(site, client):
    site.route("/a/b/c")(redirect("../d?x=1"))
    site.static("/a/d", b"resolved")
    response = client.get(site.url("/a/b/c"))
    assert response.url == site.url("/a/d?x=1")


def test_post_is_never_redirected(site, client):
    site.route("/hook")(redirect("/elsewhere", 307))
    site.static("/elsewhere", b"should not be reached")

    response = client.request("POST", site.url("/hook"), json={"id": 1})

    assert response.status_code == 307
    assert response.headers["location"] == "/elsewhere"
    assert response.redirects == []
    assert [seen.path for seen in site.requests] == ["/hook"]


def test_a_redirect_without_location_is_returned(site, client):
    site.route("/odd")(lambda handler: handler.reply(302, {}, b"nowhere"))
    response = client.get(site.url("/odd"))
    assert response.status_code == 302
    assert response.content == b"nowhere"


def test_authorization_is_dropped_when_the_origin_changes(
    site, other_site, make_client
):
    client = make_client(allow=[site.hostport, other_site.hostport])
    site.route("/go")(redirect(other_site.url("/landed")))
    other_site.static("/landed", b"ok")

    client.get(
        site.url("/go"),
        headers={"Authorization": "Bearer token", "If-None-Match": '"e"'},
    )

    assert site.requests[-1].headers["authorization"] == "Bearer token"
    landed = other_site.requests[-1].headers
    assert "authorization" not in landed
    assert landed["if-none-match"] == '"e"'


def test_authorization_is_kept_on_the_same_origin(site, client):
    site.route("/go")(redirect("/landed"))
    site.static("/landed", b"ok")
    client.get(site.url("/go"), headers={"Authorization": "Bearer token"})
    assert site.requests[-1].headers["authorization"] == "Bearer token"


def test_redirect_to_loopback_on_another_port_is_refused(site, other_site, client):
    site.route("/go")(redirect(other_site.url("/")))

    with pytest.raises(BlockedAddress) as caught:
        client.get(site.url("/go"))

    assert str(caught.value) == (
        "The address 127.0.0.1 is a loopback address (this server itself); "
        "Tsunagu does not fetch from loopback addresses. (Tsunagu was sent there "
        f"by a redirect from {site.url('/go')}.)"
    )
    assert other_site.requests == []


@pytest.mark.parametrize(
    ("target", "category"),
    [
        ("http://10.0.0.1/admin", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:{port}/", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}/", "loopback"),
        ("http://2130706433:{port}/", "loopback"),
        ("http://localhost:{port}/", "loopback"),
    ],
)
def test_redirect_to_a_private_address_is_refused(
    site, other_site, client, target, category
):
    site.route("/go")(redirect(target.format(port=other_site.port)))
    with pytest.raises(BlockedAddress) as caught:
        client.get(site.url("/go"))
    assert caught.value.category == category
    assert other_site.requests == []


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://example.org/", "gopher://x/"]
)
def test_redirect_to_another_scheme_is_refused(site, client, target):
    site.route("/go")(redirect(target))
    with pytest.raises(UnsupportedScheme, match="sent there by a redirect"):
        client.get(site.url("/go"))
