"""The backend behind Wagtail's own screens: admin search, page chooser, API v2."""

from wagtail.models import Site

from cms.models import ArticlePage, OfficePage


def test_admin_page_search_finds_a_japanese_word(admin_client, article):
    article("多文化共生の推進", "")
    response = admin_client.get("/admin/pages/search/", {"q": "多文化"})
    assert response.status_code == 200
    assert "多文化共生の推進" in response.content.decode()


def test_admin_page_search_with_filters_and_ordering(admin_client, article):
    article("多文化共生の推進", "")
    for params in (
        {"q": "多文化 live:true"},
        {"q": "多文化", "ordering": "-latest_revision_created_at"},
        {"q": '"多文化共生" 推進'},
    ):
        response = admin_client.get("/admin/pages/search/", params)
        assert response.status_code == 200, params
        assert "多文化共生の推進" in response.content.decode(), params


def test_page_chooser_search(admin_client, article):
    article("多文化共生の推進", "")
    response = admin_client.get("/admin/choose-page/search/", {"q": "多文化"})
    assert response.status_code == 200
    assert "多文化共生の推進" in response.content.decode()


def test_api_v2_search(client, office):
    site_root = Site.objects.get(is_default_site=True).root_page
    section = site_root.add_child(
        instance=OfficePage(title="API section", slug="zz-search-api", office=office)
    )
    page = section.add_child(
        instance=ArticlePage(title="多文化共生の推進", slug="zz-search-api-article")
    )
    response = client.get(
        "/api/v2/pages/", {"search": "多文化", "type": "cms.ArticlePage"}
    )
    assert response.status_code == 200
    assert page.pk in [item["id"] for item in response.json()["items"]]

    ordered = client.get("/api/v2/pages/", {"search": "多文化", "order": "title"})
    assert ordered.status_code == 200
    either = client.get(
        "/api/v2/pages/", {"search": "多文化 nothing", "search_operator": "or"}
    )
    assert page.pk in [item["id"] for item in either.json()["items"]]
