"""Many sources at once: a slow host holds up no other; each host stays polite.

Threads use connections of their own, so these tests need committed rows.
"""

import itertools
import time

import pytest

from scrapers.models import Item, Source
from scrapers.runner import sources_fetch_many
from tests.conftest import office_for_tests
from tests.scrapers.conftest import rss

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office(transactional_db):
    office = office_for_tests()
    return office


def test_a_slow_host_does_not_hold_up_the_others(sites, office, settings):
    settings.TSUNAGU_SCRAPERS = {"HOST_DELAY_SECONDS": 0.0, "THREADS": 4}

    def slow(_headers):
        time.sleep(2.0)
        return 200, {}, rss(("slow", "Lent", "x"))

    slow_site = sites("127.0.0.2")
    slow_site.routes["/feed.xml"] = slow
    slow_source = Source.objects.create(
        office=office,
        name="slow",
        url=slow_site.url("/feed.xml"),
        kind="rss",
        language="fr",
    )
    fast = []
    for number in range(6):
        fast_site = sites(f"127.0.0.{number + 3}")
        fast_site.routes["/feed.xml"] = (200, {}, rss((f"f{number}", "Vite", "x")))
        fast.append(
            Source.objects.create(
                office=office,
                name=f"fast {number}",
                url=fast_site.url("/feed.xml"),
                kind="rss",
                language="fr",
            )
        )
    finished: dict[int, float] = {}
    started = time.monotonic()
    outcomes = sources_fetch_many(
        source_ids=[slow_source.pk, *(s.pk for s in fast)],
        threads=4,
        progress=lambda o: finished.setdefault(o.source_id, time.monotonic() - started),
    )
    assert {o.result for o in outcomes} == {"new"}
    assert Item.objects.filter(source__office=office).count() == 7
    # All fast sources were done while the slow one was still waiting.
    by_source = {o.source_id: o.seconds for o in outcomes}
    assert max(by_source[s.pk] for s in fast) < 1.5
    assert by_source[slow_source.pk] >= 2.0


def test_one_host_gets_one_request_at_a_time_with_the_delay(site, office, settings):
    settings.TSUNAGU_SCRAPERS = {"HOST_DELAY_SECONDS": 0.3, "THREADS": 4}
    for number in range(4):
        site.routes[f"/feed-{number}.xml"] = (200, {}, rss((f"g{number}", "T", "x")))
    ids = [
        Source.objects.create(
            office=office,
            name=f"s{n}",
            url=site.url(f"/feed-{n}.xml"),
            kind="rss",
            language="fr",
        ).pk
        for n in range(4)
    ]
    outcomes = sources_fetch_many(source_ids=ids, threads=4)
    assert {o.result for o in outcomes} == {"new"}
    times = sorted(t for t, path, _h in site.requests if path.startswith("/feed-"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.28, gaps
