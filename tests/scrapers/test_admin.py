"""Editors manage their office's sources, try them, import them, triage items."""

import pytest
from django.urls import reverse

from cms.models import ArticlePage
from scrapers.models import Item, Source
from tests.scrapers.conftest import rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def london(user_in_group):
    return user_in_group("Office editors: lon", "london")


@pytest.fixture
def paris(user_in_group):
    return user_in_group("Office editors: par", "paris")


def test_editors_see_only_their_offices_sources(client, london, make_source):
    mine = make_source("https://london.example/feed.xml", office="lon", language="en")
    theirs = make_source("https://paris.example/feed.xml", office="par")
    client.force_login(london)
    listing = client.get(reverse("wagtailsnippets_scrapers_source:list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert mine.name in html and theirs.name not in html
    assert (
        client.get(
            reverse("wagtailsnippets_scrapers_source:edit", args=[mine.pk])
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("wagtailsnippets_scrapers_source:edit", args=[theirs.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("wagtailsnippets_scrapers_source:delete", args=[theirs.pk])
        ).status_code
        == 404
    )
    assert Source.objects.filter(pk=theirs.pk).exists()


def test_an_editor_cannot_file_a_source_under_another_office(client, london):
    from cms.models import Office

    client.force_login(london)
    response = client.post(
        reverse("wagtailsnippets_scrapers_source:add"),
        {
            "office": Office.objects.get(code="par").pk,
            "name": "Sneaky",
            "url": "https://paris.example/other.xml",
            "kind": "rss",
            "language": "fr",
            "fetch_interval_minutes": 60,
            "republish": "summary",
            "enabled": "on",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not Source.objects.filter(name="Sneaky").exists()


def test_try_view_shows_what_a_feed_would_give_before_saving(client, london, site):
    site.routes["/feed.xml"] = (
        200,
        {},
        rss(("t-1", "Mayor opens a library", "Books.")),
    )
    client.force_login(london)
    response = client.post(
        reverse("scrapers_source_try"), {"url": site.url("/feed.xml"), "kind": "detect"}
    )
    assert response.status_code == 200
    assert "Mayor opens a library" in response.content.decode()
    assert not Source.objects.filter(url=site.url("/feed.xml")).exists()


def test_try_view_applies_a_list_page_rule(client, london, site):
    page = (
        b"<html><body><ul>"
        b'<li class="n"><a href="/a">First notice</a>'
        b'<span class="d">2026-11-20</span></li>'
        b'<li class="n"><a href="/b">Second notice</a>'
        b'<span class="d">2026-11-21</span></li>'
        b"</ul></body></html>"
    )
    site.routes["/news"] = (200, {"Content-Type": "text/html; charset=utf-8"}, page)
    client.force_login(london)
    response = client.post(
        reverse("scrapers_source_try"),
        {
            "url": site.url("/news"),
            "kind": "html",
            "rule_item": "li.n",
            "rule_link": "a",
            "rule_title": "a",
            "rule_date": ".d",
        },
    )
    html = response.content.decode()
    assert "First notice" in html and "Second notice" in html
    assert site.url("/a") in html


def test_try_view_refuses_a_private_address_in_plain_words(client, london):
    client.force_login(london)
    response = client.post(
        reverse("scrapers_source_try"),
        {"url": "http://10.0.0.5/feed.xml", "kind": "rss"},
    )
    assert response.status_code == 200
    assert "private" in response.content.decode().lower()


def test_csv_import_creates_sources_for_the_editors_office(client, london):
    data = (
        b"office,name,url,kind,language,item_selector,link_selector,title_selector\n"
        b"lon,Camden news,https://camden.example/feed.xml,rss,en,,,\n"
        b"lon,Leeds notices,https://leeds.example/notices,html,en,li.notice,a,a\n"
    )
    client.force_login(london)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("scrapers_source_import"),
        {"file": SimpleUploadedFile("sources.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 302
    leeds = Source.objects.get(name="Leeds notices")
    assert leeds.office.code == "lon" and leeds.rule_item == "li.notice"


def test_csv_import_with_a_bad_row_imports_nothing_and_says_which(client, london):
    data = (
        b"office,name,url,kind,language\n"
        b"lon,Good,https://good.example/feed.xml,rss,en\n"
        b"par,Not mine,https://paris.example/feed.xml,rss,fr\n"
        b"lon,Broken,not a url,rss,en\n"
        b"lon,Bad kind,https://bad.example/feed.xml,podcast,en\n"
    )
    client.force_login(london)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("scrapers_source_import"),
        {"file": SimpleUploadedFile("sources.csv", data, content_type="text/csv")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Row 3" in html and "Row 4" in html and "Row 5" in html
    assert not Source.objects.filter(name__in=["Good", "Broken"]).exists()


def test_triage_makes_drafts_and_ignores_in_bulk(client, london, make_source):
    source = make_source("https://london.example/feed.xml", office="lon", language="en")
    items = [
        Item.objects.create(
            source=source, guid=f"g{n}", guid_hash=f"h{n}", title=f"Notice {n}"
        )
        for n in range(3)
    ]
    client.force_login(london)
    listing = client.get(reverse("scrapers_triage"))
    assert all(item.title in listing.content.decode() for item in items)
    client.post(
        reverse("scrapers_triage"),
        {"action": "draft", "item": [items[0].pk, items[1].pk]},
    )
    client.post(reverse("scrapers_triage"), {"action": "ignore", "item": [items[2].pk]})
    states = dict(Item.objects.filter(source=source).values_list("guid", "state"))
    assert states == {"g0": "drafted", "g1": "drafted", "g2": "ignored"}
    assert ArticlePage.objects.filter(source_items__source=source).count() == 2


def test_triage_never_touches_another_offices_items(client, london, make_source):
    paris_source = make_source("https://paris.example/feed.xml", office="par")
    item = Item.objects.create(
        source=paris_source, guid="p", guid_hash="p", title="Paris"
    )
    client.force_login(london)
    assert "Paris" not in client.get(reverse("scrapers_triage")).content.decode()
    client.post(reverse("scrapers_triage"), {"action": "ignore", "item": [item.pk]})
    item.refresh_from_db()
    assert item.state == Item.State.NEW


def test_dashboard_lists_the_offices_sources_failing_first(client, london, make_source):
    ok = make_source("https://london.example/ok.xml", office="lon", language="en")
    bad = make_source("https://london.example/bad.xml", office="lon", language="en")
    Source.objects.filter(pk=bad.pk).update(
        consecutive_failures=6, last_error="The page is gone (404 Not Found)"
    )
    client.force_login(london)
    html = client.get("/admin/").content.decode()
    assert html.index(bad.name) < html.index(ok.name)
    assert "404 Not Found" in html


def test_import_sources_command_reports_bad_rows(tmp_path):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    good = tmp_path / "good.csv"
    good.write_text(
        "office,name,url,kind,language\nsel,Busan,https://busan.example/rss,rss,ko\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("import_sources", str(good), stdout=out)
    assert "1 sources created" in out.getvalue()
    assert Source.objects.get(name="Busan").office.code == "sel"

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name,url\nx,https://x.example/\n")
    with pytest.raises(CommandError, match="Missing columns: office"):
        call_command("import_sources", str(bad), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_sources", str(tmp_path / "none.csv"))
