"""Every admin route of the Sources viewset answers without a server error,
for an administrator and for an office editor; a source of another office
is never shown (404, or the admin's permission-denied redirect) on any
route that names one."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from scrapers.models import Source

pytestmark = pytest.mark.django_db


def source_routes() -> list[tuple[str, bool]]:
    """(url name, takes a pk) for each route of the Sources viewset."""
    viewset = Source.snippet_viewset
    return [
        (
            f"{viewset.url_namespace}:{pattern.name}",
            "pk" in pattern.pattern.regex.groupindex,
        )
        for pattern in viewset.get_urlpatterns()
        if pattern.name
    ]


def url_for(name: str, takes_pk: bool, source: Source) -> str:
    return reverse(name, args=[source.pk] if takes_pk else [])


def test_the_sources_history_and_usage_routes_are_walked():
    names = {name.rsplit(":", 1)[1] for name, _ in source_routes()}
    assert {"history", "history_results", "usage", "edit", "delete"} <= names


def test_every_source_route_answers_an_administrator(client, make_source):
    source = make_source("https://paris.example/routes.xml", office="par")
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    for name, takes_pk in source_routes():
        response = client.get(url_for(name, takes_pk, source))
        assert response.status_code in (200, 302), (name, response.status_code)


def test_every_source_route_answers_an_office_editor(
    client, make_source, user_in_group
):
    mine = make_source("https://paris.example/mine.xml", office="par")
    theirs = make_source("https://london.example/theirs.xml", office="lon")
    client.force_login(user_in_group("Office editors: par", "paris-routes"))
    for name, takes_pk in source_routes():
        response = client.get(url_for(name, takes_pk, mine))
        assert response.status_code in (200, 302, 403), (name, response.status_code)
        if takes_pk:
            other = client.get(url_for(name, takes_pk, theirs))
            assert other.status_code in (302, 403, 404), (name, other.status_code)
            assert theirs.url not in other.content.decode(), name
