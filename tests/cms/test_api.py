"""Wagtail API v2 for partners: read-only, live and public content only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
)

from cms.models import ArticlePage, OfficePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def section():
    return OfficePage.objects.get(office__code="lon", locale__language_code="en")


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_api_lists_a_live_article_with_its_provenance(client, section):
    article = ArticlePage(
        title="Live article",
        summary="Published",
        source_name="Manchester City Council",
        source_url="https://www.manchester.gov.uk/",
        original_language="en",
    )
    section.add_child(instance=article)
    article.save_revision().publish()

    listing = client.get("/api/v2/pages/", {"type": "cms.ArticlePage", "limit": 100})
    assert article.pk in _ids(listing)
    detail = client.get(f"/api/v2/pages/{article.pk}/").json()
    assert detail["source_url"] == "https://www.manchester.gov.uk/"
    assert detail["office"]["code"] == "lon"
    assert detail["office"]["name_ja"] == "ロンドン事務所"


def test_api_never_shows_a_draft(client, section):
    draft = ArticlePage(title="Unpublished scoop", live=False)
    section.add_child(instance=draft)
    draft.save_revision()
    listing = client.get("/api/v2/pages/", {"type": "cms.ArticlePage", "limit": 100})
    assert draft.pk not in _ids(listing)
    assert client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404
    assert draft.pk not in _ids(client.get("/api/v2/pages/", {"search": "scoop"}))


def test_api_hides_the_draft_changes_of_a_live_page(client, section):
    article = ArticlePage(title="Public title")
    section.add_child(instance=article)
    article.save_revision().publish()
    article.title = "Secret draft title"
    article.save_revision()
    assert client.get(f"/api/v2/pages/{article.pk}/").json()["title"] == "Public title"


def test_api_never_shows_a_logged_in_editor_drafts_either(admin_client, section):
    draft = ArticlePage(title="Admin-only draft", live=False)
    section.add_child(instance=draft)
    assert admin_client.get(f"/api/v2/pages/{draft.pk}/").status_code == 404


def test_api_hides_private_pages(client, section):
    article = ArticlePage(title="Members only")
    section.add_child(instance=article)
    article.save_revision().publish()
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(f"/api/v2/pages/{article.pk}/").status_code == 404


def test_api_is_read_only(admin_client, section):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(admin_client, method)(
            f"/api/v2/pages/{section.pk}/", data={}, content_type="application/json"
        )
        assert response.status_code in (403, 404, 405)
    assert Page.objects.filter(pk=section.pk).exists()


def test_api_v3_preview_is_not_installed(admin_client):
    assert admin_client.get("/api/v3/pages/").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("wagtailapi_v3:pages:listing")


def test_images_and_documents_come_only_from_public_collections(client):
    root = Collection.get_first_root_node()
    public = root.add_child(name="Press photos")
    private = root.add_child(name="Internal")
    inner = private.add_child(name="Internal drafts")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    Image = get_image_model()
    Document = get_document_model()
    images, documents = {}, {}
    for collection in (public, private, inner):
        images[collection.name] = Image.objects.create(
            title=collection.name, file=get_test_image_file(), collection=collection
        )
        documents[collection.name] = Document.objects.create(
            title=collection.name,
            file=SimpleUploadedFile("a.txt", b"hello"),
            collection=collection,
        )
    image_ids = _ids(client.get("/api/v2/images/", {"limit": 100}))
    document_ids = _ids(client.get("/api/v2/documents/", {"limit": 100}))
    assert images["Press photos"].pk in image_ids
    assert documents["Press photos"].pk in document_ids
    for name in ("Internal", "Internal drafts"):
        assert images[name].pk not in image_ids
        assert documents[name].pk not in document_ids
        assert client.get(f"/api/v2/images/{images[name].pk}/").status_code == 404
