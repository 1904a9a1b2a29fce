"""The demo sources work offline, end to end, and fetch_sources reports them."""

import io
import threading
from http.server import ThreadingHTTPServer

import pytest
from django.core.management import call_command

from cms.models import ArticlePage
from cms.safehttp import SafeClient
from scrapers.demo import demo_sources_ensure
from scrapers.management.commands.serve_demo_sources import DemoHandler
from scrapers.models import Item, Source
from scrapers.runner import new_items_process
from scrapers.services import source_fetch
from tests.conftest import office_for_tests

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), DemoHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [f"127.0.0.1:{port}"],
    }
    # As run_all --demo-sources-addr does: the demo sources move there.
    settings.TSUNAGU_DEMO_SOURCES_ADDR = f"127.0.0.1:{port}"
    demo_sources_ensure()
    base = f"http://127.0.0.1:{port}"
    yield base
    server.shutdown()
    server.server_close()


def test_every_demo_source_fetches_with_the_right_characters(demo_server):
    sources = Source.objects.filter(url__startswith=demo_server)
    assert sources.count() == 8
    with SafeClient() as client:
        outcomes = [source_fetch(source_id=s.pk, client=client) for s in sources]
    assert [o.error for o in outcomes if o.result != "new"] == []
    titles = set(Item.objects.values_list("title", flat=True))
    assert "서울시, 외국인 주민을 위한 생활 안내서 발간" in titles  # EUC-KR
    assert "北京市发布城市防灾减灾新规划" in titles  # GB18030
    assert "Berlin fördert Schüleraustausch mit Partnerstädten" in titles  # Latin-1
    assert "Harbour festival welcomes Japanese taiko groups" in titles  # HTML rule
    paris = Item.objects.get(guid="paris-demo-2026-001")
    assert (
        "<script" not in paris.summary_html and "javascript:" not in paris.summary_html
    )


def test_demo_item_links_follow_the_address_the_feeds_are_served_on(demo_server):
    with SafeClient() as client:
        for source in Source.objects.filter(url__startswith=demo_server):
            source_fetch(source_id=source.pk, client=client)
    links = list(Item.objects.values_list("link", flat=True))
    assert len(links) == 15
    assert all(link.startswith(demo_server + "/") for link in links), links


def test_demo_sources_moved_to_another_port_are_not_doubled(demo_server, settings):
    count = Source.objects.count()
    settings.TSUNAGU_DEMO_SOURCES_ADDR = "127.0.0.1:9124"
    moved = demo_sources_ensure()
    assert len(moved) == 8 and all("moved" in line for line in moved)
    assert Source.objects.count() == count
    assert Source.objects.filter(url__startswith="http://127.0.0.1:9124/").count() == 8
    assert demo_sources_ensure() == []


def test_demo_list_page_items_get_their_full_text_and_drafts(demo_server):
    sydney = Source.objects.get(office__code="syd", url__startswith=demo_server)
    with SafeClient() as client:
        outcome = source_fetch(source_id=sydney.pk, client=client)
        assert len(outcome.new_item_ids) == 2
        assert new_items_process(item_ids=outcome.new_item_ids, client=client) == 2
    item = Item.objects.get(source=sydney, title__startswith="Harbour festival")
    assert "thirty years of exchange" in item.article_html
    page = item.page
    assert isinstance(page, ArticlePage) and not page.live
    assert page.locale.language_code == "en"
    # Sydney may be republished in full (demo setting): the body has the text.
    assert "taiko" in page.body


def test_second_round_is_all_304(demo_server):
    with SafeClient() as client:
        for source in Source.objects.filter(url__startswith=demo_server):
            source_fetch(source_id=source.pk, client=client)
        Source.objects.update(next_fetch_at="2000-01-01T00:00:00Z")
        results = {
            source_fetch(source_id=s.pk, client=client).http_status
            for s in Source.objects.filter(url__startswith=demo_server)
        }
    assert results == {304}


@pytest.mark.django_db(transaction=True)
def test_fetch_sources_command_prints_a_summary_table(settings):
    """The command fetches in threads, which need committed rows."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), DemoHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [f"127.0.0.1:{port}"],
    }
    office = office_for_tests("cmd")
    for name, path, kind in (
        ("Ville de Paris", "paris-fr.xml", "rss"),
        ("Land Berlin", "berlin-de.atom", "atom"),
        ("Missing", "nowhere.xml", "rss"),
    ):
        Source.objects.create(
            office=office, name=name, url=f"http://127.0.0.1:{port}/{path}", kind=kind
        )
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "fetch_sources", "--office", "cmd", "--all", stdout=out, stderr=err
        )
    finally:
        server.shutdown()
        server.server_close()
    text = out.getvalue()
    assert text.index("Missing") < text.index("Ville de Paris")  # failures first
    assert "404" in text
    assert "3 sources: 1 failed, 2 new; 5 new items." in text
    assert "3/3 sources" in err.getvalue()  # the progress line


def test_fetch_sources_for_an_unknown_office_says_so():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="xyz"):
        call_command("fetch_sources", "--office", "xyz", stdout=io.StringIO())
