"""RSS 2.0, Atom 1.0 and JSON Feed 1.1: entries, filters, text rules, validity."""

import email.utils
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import jsonschema
import pytest
from django.utils import translation
from wagtail.models import Locale, PageViewRestriction

from cms.feeds import selectors
from cms.feeds.formats import PROVENANCE_NS
from cms.models import ArticlePage, Country, Region
from scrapers.models import Item, Source
from translation.models import TranslationState
from translation.services import translation_state_set

from .conftest import FEED_PATHS, entry_titles, get_feed, parsed

pytestmark = pytest.mark.django_db

FORMATS = ("rss", "atom", "json")
ATOM = "{http://www.w3.org/2005/Atom}"
TSU = f"{{{PROVENANCE_NS}}}"
SCHEMA = json.loads((Path(__file__).parent / "jsonfeed-1.1.schema.json").read_text())


def json_items(client, **params) -> list[dict]:
    response = get_feed(client, "json", **params)
    assert response.status_code == 200, response.content
    return response.json()["items"]


def _utc(struct) -> datetime:
    return datetime(*struct[:6], tzinfo=UTC)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


# -- the same entries in every format ------------------------------------------


def test_each_format_parses_back_to_the_same_entries(client, make_article):
    first = make_article(
        "Lyon ouvre un guichet", topics=("multicultural",), countries=("FR",)
    )
    second = make_article(
        "Nantes & Rennes : jumelage",
        summary="Deux villes, un accord.",
        body="<p>Texte <b>complet</b> de l'accord.</p>",
        topics=("exchange",),
        source_name="Ville de Nantes",
        source_url="https://metropole.nantes.fr/accord",
    )
    params = {"locale": "fr", "office": "par"}
    items = json_items(client, **params)
    rss = parsed(get_feed(client, "rss", **params)).entries
    atom = parsed(get_feed(client, "atom", **params)).entries
    assert len(items) == len(rss) == len(atom) >= 2

    for item, r, a in zip(items, rss, atom, strict=True):
        assert item["title"] == r.title == a.title
        assert item["url"] == r.link == a.link
        assert item["id"] == r.id == a.id
        published = _iso(item["date_published"])
        assert published == _utc(r.published_parsed) == _utc(a.published_parsed)
        assert _iso(item["date_modified"]) == _utc(a.updated_parsed)
        assert item["content_html"] == r.content[0].value == a.content[0].value
        assert item.get("summary", "") == r.get("summary", "") == a.get("summary", "")
        assert item["language"] == "fr" == a.title_detail.language

    by_title = {item["title"]: item for item in items}
    assert [i["title"] for i in items[:2]] == [second.title, first.title]
    assert by_title[second.title]["url"] == second.get_full_url()
    assert by_title[second.title]["content_html"].startswith(
        "<p>Texte <b>complet</b> de l'accord.</p>"
    )
    with translation.override("fr"):
        assert by_title[first.title]["tags"] == [
            str(topic) for topic in first.topics.all()
        ]


def test_entry_ids_stay_when_the_slug_changes(client, make_article):
    article = make_article("Id stable")
    before = {i["title"]: i["id"] for i in json_items(client, locale="fr")}
    article.slug = "another-slug"
    article.save_revision().publish()
    after = {i["title"]: i for i in json_items(client, locale="fr")}
    assert after["Id stable"]["id"] == before["Id stable"]
    assert after["Id stable"]["url"].endswith("/another-slug/")


# -- only live, public articles -----------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_drafts_and_private_articles_never_appear(client, make_article, fmt):
    make_article("Published story")
    make_article("Draft story", publish=False)
    private = make_article("Members-only story")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    live = make_article("Published, then edited")
    live.title = "Edited draft title"
    live.save_revision()

    titles = entry_titles(client, fmt, locale="fr")
    assert "Published story" in titles
    assert "Published, then edited" in titles
    for hidden in ("Draft story", "Members-only story", "Edited draft title"):
        assert hidden not in titles


def test_an_unfiltered_feed_holds_every_language(client, make_article):
    make_article("Article en français", locale="fr")
    make_article("English article", office="lon", locale="en")
    languages = {item["title"]: item["language"] for item in json_items(client)}
    assert languages["Article en français"] == "fr"
    assert languages["English article"] == "en"
    assert "language" not in get_feed(client, "json").json()


def test_a_feed_shows_the_latest_entries_newest_first(
    client, make_article, monkeypatch
):
    assert selectors.FEED_LIMIT == 50
    make_article("Older")
    make_article("Newer")
    make_article("Newest")
    monkeypatch.setattr(selectors, "FEED_LIMIT", 2)
    for fmt in FORMATS:
        assert entry_titles(client, fmt, locale="fr", office="par") == [
            "Newest",
            "Newer",
        ]


# -- filters ---------------------------------------------------------------------


def _matches(item: dict, name: str, value: str) -> bool:
    provenance = item["_tsunagu"]
    if name == "office":
        return provenance["office"] == value
    if name == "country":
        return value in provenance.get("countries", [])
    if name == "region":
        codes = Country.objects.filter(region__code=value).values_list(
            "code", flat=True
        )
        return bool(set(codes) & set(provenance.get("countries", [])))
    if name == "topic":
        return value in provenance.get("topics", [])
    if name == "locale":
        return item["language"] == value
    raise AssertionError(name)


FILTER_CASES = [
    {"office": "par"},
    {"office": "lon"},
    {"country": "FR"},
    {"region": "continental-europe"},
    {"topic": "exchange"},
    {"locale": "fr"},
    {"locale": "ja"},
    {"office": "par", "locale": "de"},
    {"office": "par", "topic": "multicultural", "locale": "fr"},
    {"region": "continental-europe", "country": "FR", "topic": "multicultural"},
]


@pytest.mark.parametrize("params", FILTER_CASES, ids=lambda p: "&".join(p))
def test_every_format_applies_every_filter_and_combination(
    client, make_article, params
):
    inside = make_article(
        "Dans tous les filtres",
        topics=("multicultural", "exchange"),
        countries=("FR",),
    )
    outside = make_article(
        "London story", office="lon", locale="en", topics=("jet",), countries=("GB",)
    )
    items = json_items(client, **params)
    for item in items:
        for name, value in params.items():
            assert _matches(item, name, value), (item["title"], name)
    titles = [item["title"] for item in items]
    expected_inside = all(
        value in {"par", "FR", "continental-europe", "exchange", "multicultural", "fr"}
        for value in params.values()
    )
    assert (inside.title in titles) == expected_inside
    assert outside.title not in titles or params == {"office": "lon"}
    # The XML formats list the same entries, in the same order.
    for fmt in ("rss", "atom"):
        assert entry_titles(client, fmt, **params) == titles


def test_a_region_is_the_region_of_an_articles_countries(client, make_article):
    region = Region.objects.get(code="continental-europe")
    make_article("Berlin", locale="de", countries=("DE",))
    make_article("No country at all")
    titles = [i["title"] for i in json_items(client, region=region.code)]
    assert "Berlin" in titles
    assert "No country at all" not in titles


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"office": "xyz"},
        {"region": "atlantis"},
        {"country": "ZZ"},
        {"topic": "no-such-topic"},
        {"locale": "tlh"},
    ],
    ids=lambda p: next(iter(p)),
)
def test_an_unknown_filter_value_is_404_in_plain_words(client, fmt, params):
    response = get_feed(client, fmt, **params)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert next(iter(params.values())) in response.content.decode()


def test_a_repeated_filter_is_400(client):
    response = client.get(f"{FEED_PATHS['atom']}?office=par&office=lon")
    assert response.status_code == 400
    assert "office" in response.content.decode()


def test_empty_and_unknown_parameters_change_nothing(client, make_article):
    make_article("Same either way")
    plain = get_feed(client, "json", locale="fr")
    noisy = client.get(f"{FEED_PATHS['json']}?locale=fr&office=&utm_source=x")
    assert noisy.status_code == 200
    assert noisy.content == plain.content


def test_filter_values_are_read_case_insensitively(client, make_article):
    make_article("Casse", countries=("FR",))
    upper = get_feed(client, "json", locale="FR", country="fr", office="PAR")
    assert upper.status_code == 200
    assert upper.json()["feed_url"].endswith("?office=par&country=FR&locale=fr")
    assert "Casse" in [i["title"] for i in upper.json()["items"]]


# -- what an entry may show --------------------------------------------------------


def _summary_only_source(article, republish=Source.Republish.SUMMARY):
    source = Source.objects.create(
        office=article.office,
        name="Préfecture du Rhône",
        url=f"https://www.rhone.gouv.fr/feed-{article.pk}.xml",
        republish=republish,
    )
    Item.objects.create(
        source=source,
        guid=f"item-{article.pk}",
        guid_hash=f"{article.pk:064d}",
        title=article.title,
        page=article,
    )
    return source


SECRET = "TEXTE INTEGRAL QUE LA SOURCE NE PERMET PAS DE REPUBLIER"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_summary_only_source_never_shows_its_full_text(client, make_article, fmt):
    article = make_article(
        "Résumé seulement",
        summary="Le résumé autorisé.",
        body=f"<p>{SECRET}</p>",
        source_name="Préfecture du Rhône",
        source_url="https://www.rhone.gouv.fr/actualite",
        publish=False,
    )
    _summary_only_source(article)
    article.save_revision().publish()

    response = get_feed(client, fmt, locale="fr")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert "Le résumé autorisé." in response.content.decode()
    item = next(
        i for i in json_items(client, locale="fr") if i["title"] == article.title
    )
    assert item["_tsunagu"]["republish"] == "summary"
    assert 'href="https://www.rhone.gouv.fr/actualite"' in item["content_html"]


def test_a_japanese_translation_follows_its_source_pages_policy(client, make_article):
    article = make_article(
        "Source résumée",
        body=f"<p>{SECRET}</p>",
        source_url="https://www.rhone.gouv.fr/a",
        publish=False,
    )
    _summary_only_source(article)
    article.save_revision().publish()
    japanese = article.copy_for_translation(Locale.objects.get(language_code="ja"))
    japanese.title = "要約のみの翻訳"
    japanese.body = f"<p>{SECRET}（全文の翻訳）</p>"
    japanese.save_revision().publish()

    for fmt in FORMATS:
        body = get_feed(client, fmt, locale="ja").content.decode()
        assert "要約のみの翻訳" in body
        assert SECRET not in body


def test_a_full_text_source_shows_its_full_text(client, make_article):
    article = make_article(
        "Texte complet permis", body=f"<p>{SECRET}</p>", publish=False
    )
    _summary_only_source(article, republish=Source.Republish.FULL)
    article.save_revision().publish()
    item = next(
        i for i in json_items(client, locale="fr") if i["title"] == article.title
    )
    assert SECRET in item["content_html"]
    assert item["_tsunagu"]["republish"] == "full"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_entry_carries_its_provenance(client, make_article, fmt):
    make_article(
        "Provenance complète",
        countries=("FR",),
        source_name="Ville de Lyon",
        source_url="https://www.lyon.fr/actualite",
        original_language="fr",
        original_published_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        jurisdiction="Ville de Lyon",
    )
    expected = {
        "sourceName": "Ville de Lyon",
        "sourceUrl": "https://www.lyon.fr/actualite",
        "originalLanguage": "fr",
        "jurisdiction": "Ville de Lyon",
        "translation": "original",
        "republish": "full",
        "office": "par",
    }
    response = get_feed(client, fmt, locale="fr")
    if fmt == "json":
        item = next(
            i for i in response.json()["items"] if i["title"] == "Provenance complète"
        )
        provenance = item["_tsunagu"]
        assert {k: provenance[k] for k in expected} == expected
        assert provenance["countries"] == ["FR"]
        assert _iso(provenance["originalPublished"]) == datetime(
            2026, 3, 1, 9, 30, tzinfo=UTC
        )
        assert item["external_url"] == "https://www.lyon.fr/actualite"
        return
    root = ET.fromstring(response.content)
    entries = root.iter("item") if fmt == "rss" else root.iter(f"{ATOM}entry")
    entry = next(
        e
        for e in entries
        if (e.findtext("title") or e.findtext(f"{ATOM}title")) == "Provenance complète"
    )
    found = {key: entry.findtext(f"{TSU}{key}") for key in expected}
    assert found == expected
    assert [c.text for c in entry.findall(f"{TSU}country")] == ["FR"]
    assert _iso(entry.findtext(f"{TSU}originalPublished")) == datetime(
        2026, 3, 1, 9, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unreviewed_machine_translation_says_so(client, make_article, fmt):
    machine = make_article("Traduction automatique", publish=False)
    translation_state_set(page=machine, state=TranslationState.State.MACHINE_TRANSLATED)
    machine.save_revision().publish()
    reviewed = make_article("Traduction relue", publish=False)
    translation_state_set(page=reviewed, state=TranslationState.State.REVIEWED)
    reviewed.save_revision().publish()

    items = {i["title"]: i for i in json_items(client, locale="fr")}
    notice = items["Traduction automatique"]["_tsunagu"]["notice"]
    assert notice
    assert items["Traduction automatique"]["_tsunagu"]["translation"] == (
        "machine_translated"
    )
    assert "notice" not in items["Traduction relue"]["_tsunagu"]
    assert items["Traduction relue"]["_tsunagu"]["translation"] == "reviewed"
    if fmt == "json":
        assert items["Traduction automatique"]["content_html"].startswith(
            f"<p><b>{notice}</b></p>"
        )
        return
    entries = {e.title: e for e in parsed(get_feed(client, fmt, locale="fr")).entries}
    assert notice in entries["Traduction automatique"].content[0].value
    assert entries["Traduction automatique"]["tsunagu_notice"] == notice
    assert notice not in entries["Traduction relue"].content[0].value


# -- hostile content -----------------------------------------------------------------

HOSTILE_BODY = (
    '<p>Avant<script>alert("body")</script></p>'
    '<p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">lien</a>'
    '<a href="/fr/par/" onclick="alert(3)">interne</a></p>'
    "<iframe src='https://evil.example/'></iframe><style>p{}</style>"
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_content_never_reaches_a_feed_unescaped(client, make_article, fmt):
    article = make_article(
        'Titre <script>alert("title")</script>\x07',
        summary='Résumé <img src=x onerror="alert(4)">',
        body=HOSTILE_BODY,
        source_name="<b>Source</b>",
    )
    # Past the form's validation, as an import or a script could write it.
    ArticlePage.objects.filter(pk=article.pk).update(source_url="javascript:alert(5)")
    response = get_feed(client, fmt, locale="fr")
    assert response.status_code == 200
    raw = response.content.decode()
    if fmt == "json":
        item = next(
            i for i in response.json()["items"] if i["title"].startswith("Titre")
        )
        html = item["content_html"]
        assert item["title"] == 'Titre <script>alert("title")</script>'  # plain text
        assert "external_url" not in item
    else:
        assert "<script" not in raw.lower()
        result = parsed(response)
        entry = next(e for e in result.entries if "Titre" in e.title)
        html = entry.content[0].value
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<img",
        "<style",
    ):
        assert bad not in html.lower(), bad
    assert "Avant" in html
    assert 'href="http://' in html  # the internal link made absolute


def test_control_characters_do_not_break_the_xml(client, make_article):
    make_article("Contrôle\x0b\x1f", summary="\x08Résumé", jurisdiction="\x01Lyon")
    for fmt in ("rss", "atom"):
        titles = [e.title for e in parsed(get_feed(client, fmt, locale="fr")).entries]
        assert "Contrôle" in titles


# -- validity --------------------------------------------------------------------------


def test_json_feed_validates_against_the_json_feed_1_1_schema(
    client, make_article, settings
):
    settings.WEBSUB_HUB_URL = "https://hub.example.org/"
    make_article("Schéma", topics=("exchange",), source_url="https://www.lyon.fr/")
    make_article("Sans résumé", summary="")
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for params in ({}, {"locale": "fr"}, {"office": "nyc", "topic": "jet"}):
        response = get_feed(client, "json", **params)
        assert response["Content-Type"] == "application/feed+json; charset=utf-8"
        feed = response.json()
        errors = sorted(validator.iter_errors(feed), key=str)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
        assert feed["feed_url"] == selectors.feed_url(
            "json", selectors.FeedFilters(**{k: v.lower() for k, v in params.items()})
        )
        assert feed["hubs"] == [{"type": "WebSub", "url": "https://hub.example.org/"}]
        ids = [item["id"] for item in feed["items"]]
        assert len(ids) == len(set(ids))


def test_the_schema_rejects_what_the_spec_forbids():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    good = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [{"id": "1", "content_text": "x"}],
    }
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "items": [{"id": "1"}]})  # no content
    assert not validator.is_valid({**good, "version": "1.1"})
    assert not validator.is_valid({**good, "hubs": [{"type": "WebSub"}]})
    assert not validator.is_valid({**good, "titel": "typo"})
    assert validator.is_valid({**good, "_ext": {"a": 1}})
    assert not validator.is_valid({**good, "_e.x": {}})


def _rfc822(value: str) -> datetime:
    parsed_date = email.utils.parsedate_to_datetime(value)
    assert parsed_date.tzinfo is not None, value
    return parsed_date


def test_rss_is_rss_2_0(client, make_article, settings):
    settings.WEBSUB_HUB_URL = "https://hub.example.org/"
    make_article("RSS valide", topics=("exchange",))
    response = get_feed(client, "rss", locale="fr", office="par")
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    (channel,) = root.findall("channel")
    for required in ("title", "link", "description"):
        assert channel.findtext(required), required
    assert channel.findtext("language") == "fr"
    _rfc822(channel.findtext("lastBuildDate"))
    links = {
        link.get("rel"): link.get("href") for link in channel.findall(f"{ATOM}link")
    }
    assert links == {
        "self": "http://127.0.0.1:8000/feeds/rss.xml?office=par&locale=fr",
        "hub": "https://hub.example.org/",
    }
    items = channel.findall("item")
    assert items
    guids = []
    for item in items:
        assert item.findtext("title") or item.findtext("description")
        assert item.findtext("link").startswith("http")
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "false"
        guids.append(guid.text)
        _rfc822(item.findtext("pubDate"))
        # Only the namespaced extensions RSS 2.0 allows beside its own elements.
        for child in item:
            assert child.tag in {
                "title",
                "link",
                "description",
                "pubDate",
                "guid",
                "category",
            } or child.tag.startswith("{"), child.tag
    assert len(guids) == len(set(guids))


RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
)


def test_atom_is_rfc_4287(client, make_article, settings):
    settings.WEBSUB_HUB_URL = "https://hub.example.org/"
    make_article("Atom valide", topics=("exchange",), source_url="https://www.lyon.fr/")
    response = get_feed(client, "atom", locale="fr")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    # atom:feed: exactly one id, title, updated; an author (for entries
    # without one); one rel=self and one rel=alternate link.
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    assert RFC3339.match(root.findtext(f"{ATOM}updated"))
    assert root.findtext(f"{ATOM}author/{ATOM}name")
    links = [
        (link.get("rel"), link.get("href")) for link in root.findall(f"{ATOM}link")
    ]
    assert ("self", "http://127.0.0.1:8000/feeds/atom.xml?locale=fr") in links
    assert ("hub", "https://hub.example.org/") in links
    assert [rel for rel, _ in links].count("alternate") == 1
    assert (
        root.findtext(f"{ATOM}id") == "http://127.0.0.1:8000/feeds/atom.xml?locale=fr"
    )
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        ids.append(entry.findtext(f"{ATOM}id"))
        assert re.match(r"^[a-z][a-z0-9+.-]*:", ids[-1])  # an IRI
        assert RFC3339.match(entry.findtext(f"{ATOM}updated"))
        assert RFC3339.match(entry.findtext(f"{ATOM}published"))
        alternates = [
            link
            for link in entry.findall(f"{ATOM}link")
            if link.get("rel") == "alternate"
        ]
        assert len(alternates) == 1
        content = entry.find(f"{ATOM}content")
        assert content.get("type") == "html"
        assert (
            entry.find(f"{ATOM}summary") is None
            or entry.find(f"{ATOM}summary").get("type") == "text"
        )
        for category in entry.findall(f"{ATOM}category"):
            assert category.get("term")
        assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert len(ids) == len(set(ids))


def test_feedparser_reads_the_feeds_as_their_formats(client, make_article):
    make_article("Version")
    rss = feedparser.parse(get_feed(client, "rss", locale="fr").content)
    atom = feedparser.parse(get_feed(client, "atom", locale="fr").content)
    assert rss.version == "rss20" and not rss.bozo
    assert atom.version == "atom10" and not atom.bozo
