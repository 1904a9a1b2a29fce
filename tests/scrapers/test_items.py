"""Items: stored once, duplicates across sources linked, drafts made safely."""

import pytest
from wagtail.models import Locale

from cms.models import ArticlePage
from cms.safehttp import SafeClient
from scrapers.dedupe import canonical_url, distance, shingles, simhash
from scrapers.drafts import item_make_draft
from scrapers.models import Item, Source
from scrapers.services import source_fetch
from tests.scrapers.conftest import rss
from translation.models import TranslationState
from translation.selectors import translation_state_get

pytestmark = pytest.mark.django_db

HOSTILE = rss(
    (
        "x-1",
        "Annonce &lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;p onclick=&quot;steal()&quot;&gt;Texte&lt;/p&gt;"
        "&lt;script&gt;alert('x')&lt;/script&gt;"
        "&lt;img src=x onerror=alert(1)&gt;"
        "&lt;a href=&quot;javascript:alert(1)&quot;&gt;lien&lt;/a&gt;"
        "&lt;a href=&quot;/relatif&quot;&gt;relatif&lt;/a&gt;",
    )
)


def fetch(source: Source):
    with SafeClient() as client:
        return source_fetch(source_id=source.pk, client=client)


def _no_active_content(html: str) -> None:
    lowered = html.lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img"):
        assert bad not in lowered, html


def test_scripts_handlers_and_javascript_links_never_reach_the_database(
    site, make_source
):
    site.routes["/feed.xml"] = (200, {}, HOSTILE)
    source = make_source(site.url("/feed.xml"), republish=Source.Republish.FULL)
    fetch(source)
    item = Item.objects.get(source=source)
    _no_active_content(item.summary_html)
    _no_active_content(item.content_html)
    assert "<script" not in item.title.lower()
    # Relative links are made absolute against the feed's address.
    assert f'href="{source.url.rsplit("/", 1)[0]}/relatif"' in item.summary_html or (
        'href="http://example.org/relatif"' in item.summary_html
    )
    page = item_make_draft(item_id=item.pk)
    _no_active_content(page.body)
    assert "<script" not in page.title.lower()


def test_a_new_item_becomes_a_draft_in_its_language_tree_with_provenance(
    site, make_source
):
    site.routes["/feed.xml"] = (
        200,
        {},
        rss(("p-1", "Paris ouvre un centre", "Un guichet.")),
    )
    source = make_source(site.url("/feed.xml"), city="Paris", auto_draft=False)
    fetch(source)
    item = Item.objects.get(source=source)
    page = item_make_draft(item_id=item.pk)
    assert isinstance(page, ArticlePage)
    assert not page.live
    assert page.locale == Locale.objects.get(language_code="fr")
    assert page.get_parent().specific.office.code == "par"
    assert page.office.code == "par"
    assert page.source_name == source.name
    assert page.source_url == "http://example.org/p-1"
    assert page.original_language == "fr"
    assert page.original_published_at is not None
    assert "Paris" in page.jurisdiction
    assert translation_state_get(page=page) == TranslationState.State.ORIGINAL
    item.refresh_from_db()
    assert item.state == Item.State.DRAFTED and item.page_id == page.pk
    # Asked again, the same draft comes back; no second page.
    assert item_make_draft(item_id=item.pk).pk == page.pk
    assert ArticlePage.objects.filter(source_url="http://example.org/p-1").count() == 1


def test_summary_only_sources_never_put_their_full_text_in_the_draft(site, make_source):
    feed = (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>t</title><link>http://example.org/</link><item><guid>s-1</guid>"
        "<title>Titre</title><link>http://example.org/s-1</link>"
        "<description>Court résumé.</description>"
        "<content:encoded><![CDATA[<p>TEXTE INTEGRAL RESERVE</p>]]></content:encoded>"
        "</item></channel></rss>"
    ).encode()
    site.routes["/feed.xml"] = (200, {}, feed)
    summary_only = make_source(site.url("/feed.xml"), auto_draft=False)
    fetch(summary_only)
    page = item_make_draft(item_id=Item.objects.get(source=summary_only).pk)
    assert "TEXTE INTEGRAL" not in page.body
    assert "Court résumé" in page.body
    assert "http://example.org/s-1" in page.body  # the way to the original


def test_a_language_without_a_tree_goes_to_the_offices_working_language(
    site, make_source
):
    site.routes["/feed.xml"] = (
        200,
        {},
        rss(("sv-1", "Stockholm stad", "Text på svenska.")),
    )
    source = make_source(
        site.url("/feed.xml"), office="lon", language="sv", auto_draft=False
    )
    fetch(source)
    item = Item.objects.get(source=source)
    page = item_make_draft(item_id=item.pk)
    assert page.locale.language_code == "en"
    assert page.original_language == "sv"
    item.refresh_from_db()
    assert "sv" in item.note_texts()[0]


def test_canonical_urls_drop_tracking_and_order_parameters():
    assert (
        canonical_url(
            "HTTPS://Example.ORG:443/news?id=3&utm_source=rss&b=1&fbclid=x#top"
        )
        == "https://example.org/news?b=1&id=3"
    )
    assert canonical_url("http://example.org") == "http://example.org/"


PRESS_RELEASE = (
    "The city council approved on Tuesday a new plan to welcome residents who "
    "arrive from abroad. Every district will offer free language classes in the "
    "evening, advice on housing and schools in twelve languages, and a "
    "volunteer who helps newcomers with their first steps at the town hall. "
    "The plan also funds festivals where residents from different countries "
    "meet their neighbours, and it will be reviewed after one year with the "
    "associations that took part in preparing it."
)


def test_near_identical_texts_are_close_and_different_ones_are_not():
    edited = PRESS_RELEASE.replace("approved on Tuesday", "has approved") + " Updated."
    other = (
        "Heavy rain is expected over the weekend, and residents near the river "
        "should check the flood warnings, move valuables upstairs and prepare an "
        "emergency bag with water, medicine and copies of their documents."
    )
    original = simhash(shingles(PRESS_RELEASE))
    assert distance(original, simhash(shingles(edited))) <= 3
    assert distance(original, simhash(shingles(other))) > 10
    assert simhash(shingles("too short")) is None


def test_the_same_story_from_two_sources_is_linked_not_drafted_twice(
    sites, make_source
):
    first_site, second_site = sites("127.0.0.1"), sites("127.0.0.2")
    story = PRESS_RELEASE
    first_site.routes["/a.xml"] = (
        200,
        {},
        rss(("one", "Plan d'accueil", story)).replace(
            b"http://example.org/one", b"https://region.example/plan?utm_source=a"
        ),
    )
    second_site.routes["/b.xml"] = (
        200,
        {},
        rss(("two", "Plan d'accueil régional", story)).replace(
            b"http://example.org/two", b"https://region.example/plan?utm_medium=b"
        ),
    )
    third_text = story.replace("approved on Tuesday", "has approved") + " Updated."
    second_site.routes["/c.xml"] = (200, {}, rss(("three", "Autre titre", third_text)))
    a = make_source(first_site.url("/a.xml"), auto_draft=False)
    b = make_source(second_site.url("/b.xml"), auto_draft=False)
    c = make_source(second_site.url("/c.xml"), auto_draft=False)
    fetch(a)
    fetch(b)
    fetch(c)
    original = Item.objects.get(source=a)
    by_url = Item.objects.get(source=b)
    by_text = Item.objects.get(source=c)
    assert by_url.state == Item.State.DUPLICATE and by_url.duplicate_of == original
    assert by_text.state == Item.State.DUPLICATE and by_text.duplicate_of == original
    assert item_make_draft(item_id=by_url.pk) is None
    # Only originals are found by their bands: the look-ups stay the size of
    # the originals, however many copies come in.
    assert original.band0 is not None
    assert (by_url.band0, by_text.band0) == (None, None)
    assert by_text.simhash is not None


def test_the_same_text_under_another_title_is_a_duplicate(sites, make_source):
    first_site, second_site = sites("127.0.0.1"), sites("127.0.0.3")
    first_site.routes["/a.xml"] = (200, {}, rss(("one", "Welcome plan", PRESS_RELEASE)))
    second_site.routes["/b.xml"] = (
        200,
        {},
        rss(("two", "A completely different headline", PRESS_RELEASE)),
    )
    a = make_source(first_site.url("/a.xml"), auto_draft=False)
    b = make_source(second_site.url("/b.xml"), auto_draft=False)
    fetch(a)
    fetch(b)
    assert Item.objects.get(source=b).duplicate_of == Item.objects.get(source=a)
