"""JSON Feed 1.0 and 1.1, read without feedparser."""

import json
from datetime import UTC, datetime

import pytest

from scrapers.parsing import FeedParseError, detect_kind, parse_feed

from .conftest import FIXTURES, PARIS


def parse(body: bytes, content_type: str | None = "application/feed+json"):
    return parse_feed(
        body,
        url="https://www.lyon.example/actualites/feed.json",
        content_type=content_type,
        default_tz=PARIS,
    )


def test_json_feed_1_1_sample():
    body = (FIXTURES / "jsonfeed-1.1.json").read_bytes()
    assert detect_kind(body, "application/json") == "json"
    feed = parse(body)
    assert feed.kind == "json"
    assert feed.title == "Ville de Lyon – Actualités"
    assert feed.link == "https://www.lyon.example/actualites"
    assert feed.language == "fr-FR"
    first, second, third = feed.entries
    assert first.guid == "2026-03-12-jumelage"
    assert first.link == "https://www.lyon.example/actualites/jumelage-yokohama"
    assert first.title == "Jumelage avec Yokohama : 67 ans d'amitié"
    assert (
        first.summary_html
        == "<p>Une délégation japonaise est reçue à l'hôtel de ville.</p>"
    )
    assert first.content_html == "<h2>Une amitié</h2><p>Reçue par <b>le maire</b>.</p>"
    assert first.image_url == "https://www.lyon.example/img/yokohama.jpg"
    assert first.published_at == datetime(2026, 3, 12, 9, 30, tzinfo=UTC)
    assert first.updated_at == datetime(2026, 3, 13, 7, tzinfo=UTC)
    assert first.author == "Claire Martin, Kenji Sato"
    assert first.language == "fr-FR"

    assert second.guid == "42"
    assert second.content_html == (
        "<p>Quatre nouvelles pistes.</p><p>Travaux au printemps &lt;2026&gt;.</p>"
    )
    assert second.summary_html == "<p>Quatre nouvelles pistes.</p>"  # first paragraph
    assert second.published_at == datetime(2026, 3, 10, 9, tzinfo=PARIS)
    assert second.author == "Service presse"

    assert third.guid == "https://www.lyon.example/actualites/sans-id"
    assert third.language == "en"
    assert any("future" in warning for warning in feed.warnings)
    assert "1 item skipped: no title, link or text." in feed.warnings
    assert "1 item skipped: not a JSON object." in feed.warnings


def test_json_feed_1_0_author_and_detection_without_a_content_type():
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1",
            "title": "Demo",
            "author": {"name": "Press office"},
            "items": [{"id": "1", "url": "https://x.example/1", "title": "One"}],
        }
    ).encode()
    feed = parse(body, content_type=None)
    assert feed.entries[0].author == "Press office"
    assert feed.warnings == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not valid JSON"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "title": "x"}',
            "no list of items",
        ),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_broken_json_feeds_raise_plain_errors(body, words):
    with pytest.raises(FeedParseError, match=words):
        parse(body, content_type="application/json")
