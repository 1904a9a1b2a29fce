"""The pages, images and documents endpoints: declared parameters only."""

import pytest

from cms.models import OfficePage

from .conftest import ids

pytestmark = pytest.mark.django_db


def test_pages_filter_by_type_parent_locale_and_slug(client, publish):
    article = publish("lon", "en", title="Bristol sister city", slug="bristol-sister")
    section = OfficePage.objects.get(pk=article.get_parent().pk)
    children = client.get("/api/v2/pages/", {"child_of": section.pk, "limit": 100})
    assert article.pk in ids(children)
    sections = ids(
        client.get("/api/v2/pages/", {"type": "cms.OfficePage", "locale": "en"})
    )
    assert section.pk in sections and article.pk not in sections
    assert ids(client.get("/api/v2/pages/", {"slug": "bristol-sister"})) == [article.pk]
    found = client.get(
        "/api/v2/pages/", {"search": "bristol", "type": "cms.ArticlePage"}
    )
    assert ids(found) == [article.pk]
    typed = client.get(
        "/api/v2/pages/", {"type": "cms.ArticlePage", "slug": "bristol-sister"}
    ).json()["items"][0]
    assert typed["meta"]["detail_url"].endswith(f"/api/v2/articles/{article.pk}/")


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"type": "wagtailcore.Page"}, "unknown type"),
        ({"child_of": "999999"}, "no public page 999999"),
        ({"child_of": "root"}, "whole number"),
        ({"order": "random"}, "order must be one of"),
        ({"html_path": "/"}, "unknown query parameter"),
    ],
)
def test_pages_refuse_what_they_do_not_declare(client, params, words):
    response = client.get("/api/v2/pages/", params)
    assert response.status_code == 400
    assert words in response.json()["message"]


def test_a_child_of_a_draft_or_private_page_is_refused(client, publish):
    draft = publish(title="Draft", live=False)
    response = client.get("/api/v2/pages/", {"child_of": draft.pk})
    assert response.status_code == 400


def test_images_and_documents_declare_their_parameters(client):
    assert (
        client.get("/api/v2/images/", {"search": "x", "order": "-title"}).status_code
        == 200
    )
    response = client.get("/api/v2/documents/", {"collection": "1"})
    assert response.status_code == 400
    assert "unknown query parameter: collection" in response.json()["message"]
