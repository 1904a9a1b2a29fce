"""bench-api: the articles (in this process, Django set up by bench/api.py),
and the URLs the runs ask for."""

import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from bench.report import Progress
from cms.models import ArticlePage, Country, OfficePage, Topic

BATCH = 250  # articles per transaction
# The fields asked for, of ours and of Wagtail's out of the box: the listing's
# and the provenance.
FIELDS = (
    "title", "summary", "office", "topics", "countries", "source_name",
    "source_url", "original_language", "original_published_at", "jurisdiction",
)  # fmt: skip


def articles_create(count: int) -> dict:
    """Published articles in the Japanese tree's office sections, in turn,
    each with two topics and two countries. add_child one by one (treebeard's
    paths need it); live, first_published_at set, no revision: what the
    API, the feeds and the pages read of a published article."""
    sections = list(
        OfficePage.objects.filter(locale__language_code="ja")
        .select_related("office")
        .order_by("office__code")
    )
    if not sections:
        raise SystemExit("newsroom_setup made no Japanese office sections")
    topics = list(Topic.objects.order_by("pk"))
    countries = list(Country.objects.order_by("pk"))
    now = timezone.now()
    progress = Progress("articles", count, "articles")
    started = time.perf_counter()
    for first in range(0, count, BATCH):
        with transaction.atomic():
            for i in range(first, min(first + BATCH, count)):
                section = sections[i % len(sections)]
                when = now - timedelta(minutes=count - i)
                page = ArticlePage(
                    title=f"記事 {i}: 多文化共生の取り組み",
                    slug=f"article-{i}",
                    live=True,
                    first_published_at=when,
                    last_published_at=when,
                    summary=f"要約 {i}。" + "自治体の多文化共生施策について。" * 5,
                    body="".join(
                        f"<p>段落 {n}: 外国人住民への情報提供の取り組み。</p>"
                        for n in range(8)
                    ),
                    office=section.office,
                    source_name=f"Source {i % 97}",
                    source_url=f"https://example.org/{i}",
                    original_language="ja",
                    original_published_at=when,
                    jurisdiction=f"City {i % 53}",
                )
                if topics:
                    page.topics = [
                        topics[i % len(topics)],
                        topics[(i * 7 + 3) % len(topics)],
                    ]
                if countries:
                    page.countries = [
                        countries[i % len(countries)],
                        countries[(i * 11 + 5) % len(countries)],
                    ]
                section.add_child(instance=page)
        progress.add(min(BATCH, count - first))
    return {
        "articles": count,
        "create_s": time.perf_counter() - started,
        "offices": [s.office.code for s in sections],
        "topics": [t.slug for t in topics],
    }


def urls_plan(data: dict) -> dict:
    office = data["offices"][0]
    site = Site.objects.get(is_default_site=True)
    pages = ArticlePage.objects.live().filter(locale__language_code="ja").order_by("pk")
    paths = [page.relative_url(site) for page in pages]
    fields = ",".join(FIELDS)
    # published_from far in the past: the same articles, but a valid parameter
    # whose value can differ on every request (a cold cache for each).
    api = (
        f"/api/v2/articles/?office={office}&limit=20&fields={fields}"
        "&published_from=2000-01-01T00:00:00.%06d"
    )
    office_id = (
        OfficePage.objects.filter(office__code=office)
        .values_list("office_id", flat=True)
        .first()
    )
    return {
        "office": office,
        "api": api % 0,
        "api_cold_pattern": api,
        "feed": f"/feeds/atom.xml?office={office}",
        "feed_cold": [
            f"/feeds/atom.xml?office={o}&topic={t}"
            for t in data["topics"] or [""]
            for o in data["offices"]
        ],
        "page": paths[len(paths) // 2],
        "page_cold": paths,
        "oob": (
            f"/api/v2/pages/?type=cms.ArticlePage&office={office_id}&limit=20"
            f"&fields={fields}"
        ),
    }


def queries_count(urls: dict) -> dict:
    """Queries per API listing of 5 and of 20 articles (Django's test client,
    each URL asked for the first time): equal when there is no N+1."""
    from django.core.cache import cache

    client = Client(HTTP_HOST="127.0.0.1")
    counts = {}
    # Once first: what a process works out once per content generation (the
    # site's public paths, the taxonomy) is not per listing.
    client.get(urls["api"].replace("limit=20", "limit=1"))
    for limit in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(urls["api"].replace("limit=20", f"limit={limit}"))
        if response.status_code != 200:
            raise SystemExit(f"API: {response.status_code} {response.content[:500]!r}")
        counts[limit] = len(queries)
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    counts["slowest"] = [(float(q["time"]) * 1000, q["sql"][:300]) for q in slowest]
    counts["total_ms"] = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    cache.clear()
    return counts
