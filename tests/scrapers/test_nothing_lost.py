"""The scrapers lose nothing silently: what failed or was odd on an item's way
in stays on the item and its draft, shown in the admin in the reader's
language. Fed through the real pipeline: a local site serves the feed and
the pages, the fetch stores the items, process_new_items (run when the fetch
commits) fetches full texts and makes drafts.
"""

from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.safehttp import SafeClient
from scrapers.models import Item, Source
from scrapers.services import source_fetch

pytestmark = pytest.mark.django_db

ARTICLE_TEXT = (
    "Le conseil municipal a adopté mardi un plan d'accueil pour les habitants "
    "venus de l'étranger. Chaque arrondissement proposera des cours de langue "
    "gratuits le soir, des conseils sur le logement et les écoles en douze "
    "langues, et un bénévole qui aide les nouveaux venus dans leurs premières "
    "démarches à la mairie. "
) * 3


def feed(*entries: dict[str, str], language: str = "") -> bytes:
    """RSS 2.0 with the given fields per item (guid, title, link,
    description, pubDate); missing ones are left out."""
    items = []
    for entry in entries:
        fields = "".join(
            f"<{name}>{escape(value)}</{name}>" for name, value in entry.items()
        )
        items.append(f"<item>{fields}</item>")
    declared = f"<language>{language}</language>" if language else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Test</title><link>http://example.org/</link>{declared}"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def page(text: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang='fr'><head><title>Article</title></head><body>"
        f"<main><article><h1>Article</h1><p>{text}</p></article></main>"
        "</body></html>"
    ).encode()


def run_pipeline(source: Source, django_capture_on_commit_callbacks):
    """Fetch the source; the new items' task runs when the fetch commits."""
    with django_capture_on_commit_callbacks(execute=True), SafeClient() as client:
        return source_fetch(source_id=source.pk, client=client)


@pytest.fixture
def editor(user_in_group):
    return user_in_group("Office editors: par", "paris-editor")


def in_english(user) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


def test_a_failed_full_text_stays_on_the_item_and_its_automatic_draft(
    site, make_source, client, editor, django_capture_on_commit_callbacks
):
    site.routes["/feed.xml"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        feed(
            {
                "guid": "down",
                "title": "Page en panne",
                "link": site.url("/down"),
                "description": "Le résumé seulement.",
            },
            {
                "guid": "empty",
                "title": "Page vide",
                "link": site.url("/empty"),
                "description": "Un autre résumé.",
            },
            {
                "guid": "fine",
                "title": "Page complète",
                "link": site.url("/fine"),
                "description": "Résumé.",
            },
        ),
    )
    site.routes["/down"] = (500, {}, b"boom")
    site.routes["/empty"] = (200, {"Content-Type": "text/html"}, b"<html></html>")
    site.routes["/fine"] = (200, {"Content-Type": "text/html"}, page(ARTICLE_TEXT))
    source = make_source(
        site.url("/feed.xml"),
        fetch_full_article=True,
        republish=Source.Republish.FULL,
        auto_draft=True,
    )
    outcome = run_pipeline(source, django_capture_on_commit_callbacks)
    assert len(outcome.new_item_ids) == 3

    down = Item.objects.get(source=source, guid="down")
    empty = Item.objects.get(source=source, guid="empty")
    fine = Item.objects.get(source=source, guid="fine")
    # Drafts were made, and making them did not overwrite the notes.
    assert {down.state, empty.state, fine.state} == {Item.State.DRAFTED}
    assert [n["code"] for n in down.notes] == ["fulltext_status"]
    assert down.notes[0]["params"] == {"status": "500"}
    assert [n["code"] for n in empty.notes] == ["fulltext_empty"]
    assert fine.notes == [] and "plan d'accueil" in fine.article_html
    assert "Le résumé seulement." in down.page.body

    # The draft's editor shows the note, in Japanese first.
    client.force_login(editor)
    edit = reverse("wagtailadmin_pages:edit", args=[down.page_id])
    html = client.get(edit).content.decode()
    assert "全文を取得できませんでした" in html and "500" in html
    in_english(editor)
    html = client.get(edit).content.decode()
    assert "The full text was not fetched: the page answered 500" in html
    html = client.get(reverse("wagtailadmin_pages:edit", args=[empty.page_id]))
    assert "No main text was found" in html.content.decode()
    # A draft without notes says nothing more than where it came from.
    html = client.get(reverse("wagtailadmin_pages:edit", args=[fine.page_id]))
    assert "data-draft-items" in html.content.decode()
    assert "tsunagu-item-notes" not in html.content.decode()


def test_a_full_text_that_cannot_be_fetched_shows_in_triage(
    site, make_source, client, editor, django_capture_on_commit_callbacks
):
    site.routes["/robots.txt"] = (200, {}, b"User-agent: *\nDisallow: /private/\n")
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            {
                "guid": "p",
                "title": "Privé",
                "link": site.url("/private/p"),
                "description": "Résumé.",
            }
        ),
    )
    source = make_source(
        site.url("/feed.xml"), fetch_full_article=True, auto_draft=False
    )
    run_pipeline(source, django_capture_on_commit_callbacks)
    item = Item.objects.get(source=source)
    assert item.state == Item.State.NEW
    assert item.notes[0]["code"] == "fulltext_not_fetched"
    assert "robots.txt" in item.notes[0]["params"]["error"]
    client.force_login(editor)
    html = client.get(reverse("scrapers_triage")).content.decode()
    assert "全文を取得できませんでした" in html and "robots.txt" in html


def test_an_item_in_a_language_without_a_tree_says_so_on_item_and_draft(
    site, make_source, client, user_in_group, django_capture_on_commit_callbacks
):
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            {
                "guid": "sv-1",
                "title": "Stockholm stad",
                "link": "http://example.org/sv-1",
                "description": "Text på svenska.",
            }
        ),
    )
    source = make_source(site.url("/feed.xml"), office="lon", language="sv")
    run_pipeline(source, django_capture_on_commit_callbacks)
    item = Item.objects.get(source=source)
    assert item.page.locale.language_code == "en"
    assert item.notes == [
        {"code": "language_no_tree", "params": {"language": "sv", "tree": "en"}}
    ]
    london = user_in_group("Office editors: lon", "london-editor")
    client.force_login(london)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[item.page_id]))
    assert "スウェーデン語 (sv)" in html.content.decode()
    in_english(london)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[item.page_id]))
    assert "The item is in Swedish (sv), which has no tree" in html.content.decode()


def test_an_undetectable_language_is_named_as_such_never_as_a_question_mark(
    site, make_source, django_capture_on_commit_callbacks
):
    site.routes["/feed.xml"] = (
        200,
        {},
        feed({"guid": "x", "title": "12345", "link": "http://example.org/x"}),
    )
    source = make_source(site.url("/feed.xml"), office="lon", language="")
    run_pipeline(source, django_capture_on_commit_callbacks)
    item = Item.objects.get(source=source)
    assert item.language == "" and item.page is not None
    assert [n["code"] for n in item.notes] == [
        "language_undetected",
        "language_unknown",
    ]
    assert all("?" not in text for text in item.note_texts())


def test_the_detected_language_is_kept_and_a_mismatch_noted(
    site, make_source, client, editor, django_capture_on_commit_callbacks
):
    english = (
        "The city council approved on Tuesday a new plan to welcome residents "
        "who arrive from abroad. Every district will offer free language classes "
        "in the evening, advice on housing and schools in twelve languages."
    )
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            {
                "guid": "en-1",
                "title": "Welcome plan",
                "link": "http://example.org/en-1",
                "description": english,
            },
            {
                "guid": "fr-1",
                "title": "Plan d'accueil",
                "link": "http://example.org/fr-1",
                "description": ARTICLE_TEXT,
            },
        ),
    )
    source = make_source(site.url("/feed.xml"), language="fr", auto_draft=False)
    run_pipeline(source, django_capture_on_commit_callbacks)
    in_english_item = Item.objects.get(source=source, guid="en-1")
    assert (in_english_item.language, in_english_item.detected_language) == (
        "fr",
        "en",
    )
    assert in_english_item.notes == [
        {"code": "language_mismatch", "params": {"detected": "en", "declared": "fr"}}
    ]
    french = Item.objects.get(source=source, guid="fr-1")
    assert (french.detected_language, french.notes) == ("fr", [])
    client.force_login(editor)
    html = client.get(reverse("scrapers_triage")).content.decode()
    assert "英語" in html  # the note names the languages in Japanese
    assert "判定された言語: en" in html


def test_every_item_note_is_worded_in_japanese():
    from django.utils import translation

    from scrapers.notes import MESSAGES

    with translation.override("en"):
        english = {code: str(message) for code, message in MESSAGES.items()}
    with translation.override("ja"):
        untranslated = [
            code
            for code, message in MESSAGES.items()
            if code != "text" and str(message) == english[code]
        ]
    assert untranslated == []


def test_an_unclosed_style_in_a_feed_hides_no_text_and_leaves_a_note(
    site, make_source, client, editor, django_capture_on_commit_callbacks
):
    broken = (
        "<p>Intro.</p><style>p { color: red }<p>Le conseil municipal a adopté "
        "un plan.</p>"
    )
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            {
                "guid": "s-1",
                "title": "Plan",
                "link": site.url("/s-1"),
                "description": broken,
            }
        ),
    )
    site.routes["/s-1"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        page(ARTICLE_TEXT).replace(b"<main>", b"<main><script>var a = 1;"),
    )
    source = make_source(
        site.url("/feed.xml"), fetch_full_article=True, auto_draft=False
    )
    run_pipeline(source, django_capture_on_commit_callbacks)
    item = Item.objects.get(source=source)
    assert "Le conseil municipal a adopté un plan." in item.summary_html
    assert "plan d'accueil" in item.article_html
    assert item.notes == [
        {"code": "markup_unclosed", "params": {"tag": "style"}},
        {"code": "markup_unclosed", "params": {"tag": "script"}},
    ]
    source.refresh_from_db()
    assert "1 item(s): markup that would have hidden" in source.last_notes
    client.force_login(editor)
    html = client.get(reverse("scrapers_triage")).content.decode()
    assert "閉じられていない &lt;style&gt; 要素" in html


def test_tracking_parameters_do_not_make_a_new_item_within_one_source(
    site, make_source, django_capture_on_commit_callbacks
):
    def entries(campaign: str) -> bytes:
        return feed(
            # No id: the link is the item's identity.
            {
                "title": "Par le lien",
                "link": f"https://ville.example/a?id=3&utm_source={campaign}"
                f"&fbclid={campaign}#haut",
            },
            # An id that is a URL, with tracking of its own.
            {
                "guid": f"https://ville.example/b?gclid={campaign}&mc_cid=9",
                "title": "Par l'id",
                "link": f"https://ville.example/b?utm_medium={campaign}",
            },
            # "ref" numbers articles on some sites: two items, not one.
            {"title": "Réf 1", "link": "https://ville.example/c?ref=1"},
            {"title": "Réf 2", "link": "https://ville.example/c?ref=2"},
        )

    site.routes["/feed.xml"] = (200, {}, entries("rss"))
    source = make_source(site.url("/feed.xml"), auto_draft=False)
    first = run_pipeline(source, django_capture_on_commit_callbacks)
    assert len(first.new_item_ids) == 4
    assert sorted(
        Item.objects.filter(source=source).values_list("guid", flat=True)
    ) == [
        "https://ville.example/a?id=3#haut",
        "https://ville.example/b",
        "https://ville.example/c?ref=1",
        "https://ville.example/c?ref=2",
    ]
    assert Item.objects.get(source=source, title="Par l'id").link == (
        "https://ville.example/b"
    )

    site.routes["/feed.xml"] = (200, {}, entries("newsletter"))
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    second = run_pipeline(source, django_capture_on_commit_callbacks)
    assert second.new_item_ids == []
    assert Item.objects.filter(source=source).count() == 4


def test_items_stored_with_tracking_in_their_id_are_still_recognised(
    site, make_source, django_capture_on_commit_callbacks
):
    from scrapers.items import guid_hash

    raw = "https://ville.example/a?utm_source=rss"
    site.routes["/feed.xml"] = (200, {}, feed({"title": "Ancien", "link": raw}))
    source = make_source(site.url("/feed.xml"), auto_draft=False)
    # As an earlier version stored it: the id with its tracking.
    old = Item.objects.create(
        source=source, guid=raw, guid_hash=guid_hash(raw), link=raw, title="Ancien"
    )
    outcome = run_pipeline(source, django_capture_on_commit_callbacks)
    assert outcome.new_item_ids == []
    old.refresh_from_db()
    assert old.guid == "https://ville.example/a"
    assert old.guid_hash == guid_hash("https://ville.example/a")
    assert Item.objects.filter(source=source).count() == 1


@pytest.mark.parametrize(
    "written",
    [
        "pas une date",
        "Tue, 31 Feb 2026 10:00:00 +0000",
        "0000-00-00 00:00:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:00:00-05:00",
        "Fri, 31 Dec 9999 23:59:59 -1200",
    ],
)
def test_an_unreadable_date_keeps_the_item_with_the_fetch_time_and_a_note(
    written, site, make_source, django_capture_on_commit_callbacks
):
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            {"guid": "bad", "title": "Date illisible", "pubDate": written},
            {
                "guid": "good",
                "title": "Date lisible",
                "pubDate": "Tue, 24 Nov 2026 09:30:00 +0100",
            },
        ),
    )
    source = make_source(site.url("/feed.xml"))
    before = timezone.now()
    outcome = run_pipeline(source, django_capture_on_commit_callbacks)
    assert outcome.result == "new", outcome.error
    assert len(outcome.new_item_ids) == 2
    bad = Item.objects.get(source=source, guid="bad")
    assert before <= bad.published_at <= timezone.now()
    assert bad.notes == [{"code": "date_unreadable", "params": {"text": written}}]
    assert bad.state == Item.State.DRAFTED
    assert bad.page.original_published_at == bad.published_at
    good = Item.objects.get(source=source, guid="good")
    assert good.published_at.isoformat() == "2026-11-24T08:30:00+00:00"
    source.refresh_from_db()
    assert "1 item(s): the date could not be read" in source.last_notes

    # Seen again, it keeps the time it was first fetched.
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    run_pipeline(source, django_capture_on_commit_callbacks)
    assert Item.objects.get(pk=bad.pk).published_at == bad.published_at


def test_unreadable_dates_of_json_feeds_and_list_pages_keep_their_items(
    site, make_source, django_capture_on_commit_callbacks
):
    site.routes["/feed.json"] = (
        200,
        {"Content-Type": "application/feed+json"},
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", '
            b'"items": [{"id": "j", "title": "Titre", "url": "https://v.example/j", '
            b'"date_published": "hier"}]}'
        ),
    )
    site.routes["/news.html"] = (
        200,
        {"Content-Type": "text/html; charset=utf-8"},
        (
            b"<html lang='fr'><body><ul><li><a href='/n/1'>Nouvelle</a>"
            b"<span class='d'>le 32 trucmuche</span></li></ul></body></html>"
        ),
    )
    json_source = make_source(site.url("/feed.json"), kind="json", auto_draft=False)
    page_source = make_source(
        site.url("/news.html"),
        kind="html",
        rule_item="li",
        rule_date=".d",
        auto_draft=False,
    )
    for source in (json_source, page_source):
        run_pipeline(source, django_capture_on_commit_callbacks)
    json_item = Item.objects.get(source=json_source)
    page_item = Item.objects.get(source=page_source)
    assert json_item.published_at is not None and page_item.published_at is not None
    assert json_item.notes[0]["params"] == {"text": "hier"}
    assert page_item.notes[0]["params"] == {"text": "le 32 trucmuche"}


def dated(number: int) -> dict[str, str]:
    return {
        "guid": f"e{number}",
        "title": f"Article {number}",
        "link": f"https://ville.example/{number}",
        "pubDate": f"Tue, {number:02d} Sep 2026 09:00:00 +0000",
    }


def test_new_items_beyond_the_cap_wait_and_are_taken_by_the_next_fetches(
    site, make_source, client, editor, django_capture_on_commit_callbacks
):
    # Newest first, as feeds are; the server answers 304 to its own ETag.
    state = {"entries": [dated(n) for n in range(8, 0, -1)], "etag": '"v1"'}

    def serve(headers):
        if headers.get("if-none-match") == state["etag"]:
            return 304, {"ETag": state["etag"]}, b""
        return 200, {"ETag": state["etag"]}, feed(*state["entries"])

    site.routes["/feed.xml"] = serve
    source = make_source(site.url("/feed.xml"), max_new_items=3, auto_draft=True)

    def fetch_again():
        Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
        return run_pipeline(source, django_capture_on_commit_callbacks)

    first = run_pipeline(source, django_capture_on_commit_callbacks)
    assert (len(first.new_item_ids), first.waiting) == (3, 5)
    drafted = Item.objects.filter(source=source, state=Item.State.DRAFTED)
    assert sorted(drafted.values_list("guid", flat=True)) == ["e1", "e2", "e3"]
    source.refresh_from_db()
    assert (source.items_waiting, source.etag) == (5, "")
    assert "5 new item(s) wait for the next fetch" in source.last_notes
    client.force_login(editor)
    edit = reverse("wagtailsnippets_scrapers_source:edit", args=[source.pk])
    assert (
        "新しい項目 5 件が次回の取得を待っています" in client.get(edit).content.decode()
    )
    in_english(editor)
    html = client.get(edit).content.decode()
    assert "5 new items wait for the next fetch: at most 3" in html

    # The two oldest drop off the feed and a new one comes; the document's
    # ETag is the same, yet the waiting items are found.
    state["entries"] = [dated(9), *state["entries"][:-2]]
    second = fetch_again()
    assert second.http_status == 200
    assert (len(second.new_item_ids), second.waiting) == (3, 3)
    third = fetch_again()
    assert (len(third.new_item_ids), third.waiting) == (3, 0)
    assert Item.objects.filter(source=source).count() == 9
    assert Item.objects.filter(source=source, state=Item.State.DRAFTED).count() == 9
    source.refresh_from_db()
    assert (source.items_waiting, source.etag) == (0, '"v1"')
    # Caught up: now the ETag is kept and 304 costs nothing.
    assert fetch_again().http_status == 304


def test_a_feed_of_a_thousand_new_items_makes_two_hundred_at_a_time(
    site, make_source, django_capture_on_commit_callbacks
):
    entries = [
        {"guid": f"n{n}", "title": f"Nouvelle {n}", "link": f"https://v.example/{n}"}
        for n in range(1000)
    ]
    site.routes["/feed.xml"] = (200, {}, feed(*entries))
    source = make_source(site.url("/feed.xml"), auto_draft=False)
    assert source.max_new_items == 200
    outcome = run_pipeline(source, django_capture_on_commit_callbacks)
    assert (len(outcome.new_item_ids), outcome.waiting) == (200, 800)
    # Undated: the feed's order is newest first, so the last ones go first.
    assert set(Item.objects.filter(source=source).values_list("guid", flat=True)) == {
        f"n{n}" for n in range(800, 1000)
    }


@pytest.mark.django_db(transaction=True)
def test_fetch_sources_prints_every_error_whole(site):
    """The command fetches in threads, which need committed rows."""
    import io

    from django.core.management import call_command

    from tests.conftest import office_for_tests

    office = office_for_tests("cli")
    long_path = "/" + "tres-long-chemin/" * 6 + "feed.xml"
    site.routes["/page.html"] = (
        200,
        {"Content-Type": "text/html"},
        f'<html><head><link rel="alternate" type="application/rss+xml" '
        f'href="{long_path}"></head><body>Accueil</body></html>'.encode(),
    )
    Source.objects.create(
        office=office, name="Page", url=site.url("/page.html"), kind="rss"
    )
    out = io.StringIO()
    call_command(
        "fetch_sources", "--office", "cli", "--all", stdout=out, stderr=io.StringIO()
    )
    expected = (
        "The address returned a web page (HTML), not a feed. The page names a "
        f"feed at {site.url(long_path)}: use that address."
    )
    assert expected in out.getvalue()


def test_the_full_text_settles_the_detected_language(
    site, make_source, django_capture_on_commit_callbacks
):
    english = (
        "The city council approved on Tuesday a new plan to welcome residents "
        "who arrive from abroad. Every district will offer free language classes "
        "in the evening, advice on housing and schools in twelve languages. "
    ) * 3
    site.routes["/feed.xml"] = (
        200,
        {},
        feed(
            # A French summary of an English page, and no language anywhere.
            {
                "guid": "a",
                "title": "Plan",
                "link": site.url("/a"),
                "description": "Un plan.",
            },
            # An English summary of a French page.
            {
                "guid": "b",
                "title": "Plan",
                "link": site.url("/b"),
                "description": english,
            },
        ),
    )
    english_page = page(english).replace(b"lang='fr'", b"lang='en'")
    site.routes["/a"] = (200, {"Content-Type": "text/html"}, english_page)
    site.routes["/b"] = (200, {"Content-Type": "text/html"}, page(ARTICLE_TEXT))
    source = make_source(
        site.url("/feed.xml"), language="", fetch_full_article=True, auto_draft=False
    )
    run_pipeline(source, django_capture_on_commit_callbacks)
    a = Item.objects.get(source=source, guid="a")
    assert (a.language, a.detected_language, a.notes) == ("en", "en", [])
    b = Item.objects.get(source=source, guid="b")
    assert (b.language, b.detected_language) == ("en", "fr")
    assert b.notes == [
        {"code": "language_mismatch", "params": {"detected": "fr", "declared": "en"}}
    ]


def test_control_characters_in_ids_and_links_never_fail_the_batch(
    site, make_source, django_capture_on_commit_callbacks
):
    # PostgreSQL refuses NUL in text: one such id lost every item of the fetch.
    site.routes["/feed.json"] = (
        200,
        {"Content-Type": "application/feed+json"},
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['
        b'{"id": "a\\u0000b", "title": "Un\\u0000", '
        b'"url": "https://v.example/a\\u0000b\\u0007"},'
        b'{"id": "c", "title": "Deux", "url": "https://v.example/c"}]}',
    )
    source = make_source(site.url("/feed.json"), kind="json", auto_draft=False)
    outcome = run_pipeline(source, django_capture_on_commit_callbacks)
    assert outcome.result == "new", outcome.error
    first = Item.objects.get(source=source, guid="ab")
    assert (first.link, first.title) == ("https://v.example/ab", "Un")
    assert Item.objects.filter(source=source).count() == 2
