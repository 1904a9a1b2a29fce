"""cms.caching: one generation, cached responses, 304s, purging on change."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.http import http_date
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from cms.caching import (
    cache_public_response,
    cached_response,
    content_changed,
    generation_get,
)
from cms.feeds.selectors import feed_filters_for_article, feed_urls
from cms.models import ArticlePage, HomePage, NewsIndexPage, OfficePage, Topic

from .conftest import FEED_PATHS, entry_titles, get_feed

pytestmark = pytest.mark.django_db

FORMATS = ("rss", "atom", "json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_feed_has_validators_and_cache_headers(client, make_article, fmt):
    make_article("En-têtes")
    first = get_feed(client, fmt, locale="fr")
    assert first["X-Tsunagu-Cache"] == "miss"
    assert first["Cache-Control"] == "public, max-age=300"
    assert first["ETag"].startswith('"') and first["ETag"].endswith('"')
    assert first["Last-Modified"] == http_date(
        int(generation_get().changed_at.timestamp())
    )
    again = get_feed(client, fmt, locale="fr")
    assert again["X-Tsunagu-Cache"] == "hit"
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Link"] == first["Link"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_repeat_with_the_etag_gets_304(client, make_article, fmt):
    make_article("Validateur")
    etag = get_feed(client, fmt, locale="fr")["ETag"]
    response = client.get(FEED_PATHS[fmt], {"locale": "fr"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=300"
    other = client.get(FEED_PATHS[fmt], {"locale": "fr"}, HTTP_IF_NONE_MATCH='"other"')
    assert other.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_if_modified_since_gets_304_until_the_content_changes(
    client, make_article, fmt
):
    make_article("Date de modification")
    last_modified = get_feed(client, fmt, locale="fr")["Last-Modified"]
    response = client.get(
        FEED_PATHS[fmt], {"locale": "fr"}, HTTP_IF_MODIFIED_SINCE=last_modified
    )
    assert response.status_code == 304
    earlier = generation_get().changed_at - timedelta(minutes=5)
    response = client.get(
        FEED_PATHS[fmt],
        {"locale": "fr"},
        HTTP_IF_MODIFIED_SINCE=http_date(int(earlier.timestamp())),
    )
    assert response.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_second_get_after_publishing_shows_the_new_entry(client, make_article, fmt):
    make_article("Avant")
    etag = get_feed(client, fmt, locale="fr")["ETag"]
    assert "Après" not in entry_titles(client, fmt, locale="fr")
    make_article("Après")
    response = client.get(FEED_PATHS[fmt], {"locale": "fr"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["X-Tsunagu-Cache"] == "miss"
    assert "Après" in entry_titles(client, fmt, locale="fr")


def test_unpublishing_deleting_and_moving_start_a_new_generation(client, make_article):
    article = make_article("Bientôt retiré")
    assert "Bientôt retiré" in entry_titles(client, "json", locale="fr")
    article.unpublish()
    assert "Bientôt retiré" not in entry_titles(client, "json", locale="fr")

    article.save_revision().publish()
    assert "Bientôt retiré" in entry_titles(client, "json", locale="fr")
    before = generation_get()
    ArticlePage.objects.get(pk=article.pk).delete()
    assert generation_get().token != before.token
    assert "Bientôt retiré" not in entry_titles(client, "json", locale="fr")

    moved = make_article("Déplacé")
    before = generation_get()
    target = OfficePage.objects.get(office__code="lon", locale__language_code="fr")
    moved.move(target, pos="last-child")
    assert generation_get().value > before.value


def test_an_unrelated_change_keeps_the_etag_of_an_unchanged_feed(client, make_article):
    make_article("Londres", office="lon", locale="en")
    etag = get_feed(client, "atom", office="lon")["ETag"]
    make_article("Paris, ailleurs")  # a new generation, another office
    response = client.get(
        FEED_PATHS["atom"], {"office": "lon"}, HTTP_IF_NONE_MATCH=etag
    )
    assert response.status_code == 304


def test_editing_a_topic_starts_a_new_generation(client):
    before = generation_get()
    topic = Topic.objects.get(slug="exchange")
    topic.name_en = "Exchanges"
    topic.save()
    assert generation_get().value == before.value + 1


def test_logged_in_users_get_a_fresh_private_answer(admin_client, make_article):
    make_article("Pour l'éditeur")
    response = admin_client.get(FEED_PATHS["json"], {"locale": "fr"})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    assert "X-Tsunagu-Cache" not in response


# -- the helper, as list pages use it ----------------------------------------------


def _counting_view():
    calls = []

    @cache_public_response(params=("page", "topic"), max_age=60)
    def view(request):
        calls.append(request.get_full_path())
        return HttpResponse(f"page {request.GET.get('page', '1')}")

    return view, calls


def test_the_key_holds_only_the_named_parameters_in_any_order(rf: RequestFactory):
    view, calls = _counting_view()
    assert view(rf.get("/news/?page=2&topic=jet")).content == b"page 2"
    assert view(rf.get("/news/?topic=jet&page=2&utm_source=x"))["Cache-Control"] == (
        "public, max-age=60"
    )
    assert len(calls) == 1
    view(rf.get("/news/?page=3&topic=jet"))
    view(rf.get("/other/?page=2&topic=jet"))
    assert len(calls) == 3


def test_errors_previews_and_posts_are_never_stored(rf: RequestFactory):
    calls = []

    def build(status=404):
        calls.append(status)
        return HttpResponse("nope", status=status)

    request = rf.get("/missing/")
    assert cached_response(request, build).status_code == 404
    assert cached_response(request, build).status_code == 404
    preview = rf.get("/news/")
    preview.is_preview = True
    cached_response(preview, lambda: build(200))
    cached_response(preview, lambda: build(200))
    post = rf.post("/news/")
    cached_response(post, lambda: build(200))
    assert calls == [404, 404, 200, 200, 200]


def test_a_template_response_is_rendered_before_it_is_stored(rf, client):
    home = HomePage.objects.get(locale__language_code="ja")
    request = rf.get("/")
    request.user = AnonymousUser()
    first = cached_response(request, lambda: home.serve(request))
    second = cached_response(request, lambda: pytest.fail("served from the cache"))
    assert first.status_code == 200 == second.status_code
    assert second.content == first.content
    assert second["X-Tsunagu-Cache"] == "hit"


# -- purging the front-end cache ------------------------------------------------------


class RecordingBackend(BaseBackend):
    purged: list[str] = []

    def purge(self, url: str) -> None:
        RecordingBackend.purged.append(url)


@pytest.fixture
def frontend_cache(settings):
    settings.WAGTAILFRONTENDCACHE = {
        "test": {"BACKEND": "tests.feeds.test_caching.RecordingBackend"}
    }
    settings.WAGTAILFRONTENDCACHE_LANGUAGES = []
    RecordingBackend.purged = []
    return RecordingBackend.purged


def test_publishing_purges_the_page_its_lists_and_feeds_after_commit(
    make_article, frontend_cache, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = make_article("À purger", topics=("exchange",), countries=("FR",))
    assert frontend_cache == []  # nothing inside the transaction
    for callback in callbacks:
        callback()
    section = OfficePage.objects.get(office__code="par", locale__language_code="fr")
    expected = {
        article.get_full_url(),
        section.get_full_url(),
        HomePage.objects.get(locale__language_code="fr").get_full_url(),
        NewsIndexPage.objects.get(locale__language_code="fr").get_full_url(),
        *feed_urls(feed_filters_for_article(article)),
    }
    assert expected <= set(frontend_cache)
    assert "http://127.0.0.1:8000/feeds/atom.xml" in frontend_cache
    assert (
        "http://127.0.0.1:8000/feeds/feed.json?office=par&locale=fr" in frontend_cache
    )
    # Feeds with several filters, and the topic and region listings.
    assert (
        "http://127.0.0.1:8000/feeds/rss.xml"
        "?office=par&region=continental-europe&country=FR&topic=exchange&locale=fr"
    ) in frontend_cache
    assert "http://127.0.0.1:8000/feeds/atom.xml?country=FR&topic=exchange" in (
        frontend_cache
    )
    news = NewsIndexPage.objects.get(locale__language_code="fr").get_full_url()
    assert f"{news}topic/exchange/" in frontend_cache
    assert f"{news}region/continental-europe/" in frontend_cache


def test_a_topic_taken_off_purges_the_lists_it_was_on(
    make_article, frontend_cache, django_capture_on_commit_callbacks
):
    article = make_article("Déplacé", topics=("exchange",), countries=("FR",))
    article.topics.set([Topic.objects.get(slug="jet")])
    frontend_cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()
    news = NewsIndexPage.objects.get(locale__language_code="fr").get_full_url()
    assert f"{news}topic/jet/" in frontend_cache
    assert f"{news}topic/exchange/" in frontend_cache
    assert "http://127.0.0.1:8000/feeds/atom.xml?topic=exchange" in frontend_cache
    assert "http://127.0.0.1:8000/feeds/atom.xml?topic=jet" in frontend_cache


def test_every_single_value_combination_is_counted_and_capped(make_article):
    article = make_article("Combien", topics=("exchange", "jet"), countries=("FR",))
    found = feed_filters_for_article(article)
    # office 1, region 1, country 1, topic 2, locale 1: (1+1)^4 * (1+2)
    assert len(found) == len(set(found)) == 2 * 2 * 2 * 3 * 2
    assert found[0].query() == ""  # the fewest filters first


def test_without_a_frontend_cache_or_hub_no_website_delivery_is_made(make_article):
    from publishers.models import Delivery

    article = make_article("Rien à purger")
    assert not Delivery.objects.filter(page_key=article.pk, channel="website").exists()


def test_a_change_without_a_page_only_starts_a_new_generation(
    frontend_cache, django_capture_on_commit_callbacks
):
    before = generation_get()
    with django_capture_on_commit_callbacks(execute=True):
        content_changed()
    assert generation_get().token != before.token
    assert frontend_cache == []
