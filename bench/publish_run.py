"""bench-publish's steps (Django set up by bench/publish.py): partners,
articles published, deliveries waited for while workers are killed, the
issue composed and sent, and what the fakes counted."""

import random
import time
from collections import Counter, defaultdict
from pathlib import Path

from django.utils import timezone

from bench.report import Progress, log
from bench.translation_workers import Worker
from cms.models import ArticlePage, Country, OfficePage, Topic
from publishers.digest import digest_compose, digest_send, week_start_of
from publishers.models import Delivery, PartnerWebhook
from publishers.services import outbox_sweep

State = Delivery.State
OPEN = (State.PENDING, State.SENDING, State.UNKNOWN)
STALL_SECONDS = 180
SWEEP_EVERY = 1.0


def partners_register(receivers: list) -> None:
    for n, receiver in enumerate(receivers):
        PartnerWebhook.objects.create(
            organisation=f"Partner {n}", url=receiver.url, timeout_seconds=10
        )


class Killer:
    """Kills a worker (and starts another) when a random share of the
    deliveries made so far is done, while some are still open: checked as
    the articles are published and while the deliveries are waited for."""

    def __init__(
        self,
        workers: list[Worker],
        env: dict,
        tmp: Path,
        *,
        kills: int,
        rng: random.Random,
        expected_total: int,
    ) -> None:
        self.workers, self.env, self.tmp, self.rng = workers, env, tmp, rng
        # Shares of the deliveries the run will make (about 4 an article).
        self.thresholds = sorted(rng.uniform(0.1, 0.8) for _ in range(kills))
        self.expected_total = max(expected_total, 1)
        self.started = time.perf_counter()
        self.killed_at: list[float] = []
        self.number = len(workers)

    def check(self) -> None:
        if not self.thresholds:
            return
        done = Delivery.objects.filter(state=State.DONE).count()
        if done < self.thresholds[0] * self.expected_total or not _open_count():
            return
        self.thresholds.pop(0)
        victim = self.rng.randrange(len(self.workers))
        self.workers[victim].process.kill()
        self.workers[victim].process.wait()
        self.killed_at.append(time.perf_counter() - self.started)
        log(f"  killed worker {self.workers[victim].worker_id} at {done} done")
        self.workers[victim] = Worker(self.number, self.env, self.tmp)
        self.number += 1


def articles_publish(count: int, workers: list[Worker], killer: Killer) -> dict:
    """``count`` Japanese articles in the offices' sections in turn, each with
    a country and a topic (not the urgent one), published one by one as an
    editor would."""
    sections = list(
        OfficePage.objects.filter(locale__language_code="ja").select_related("office")
    )
    countries = list(Country.objects.order_by("pk"))
    topics = list(Topic.objects.exclude(slug="disaster-safety").order_by("pk"))
    progress = Progress("publishing", count, "articles")
    ids: list[int] = []
    started = time.perf_counter()
    for n in range(count):
        section = sections[n % len(sections)]
        article = ArticlePage(
            title=f"ベンチマーク記事 {n:04d}: {section.office.name_ja}の施策",
            slug=f"bench-{n:04d}",
            summary=f"{section.office.city_ja}の自治体が新しい取り組みを発表した。" * 3,
            body="<p>本文。</p>",
            office=section.office,
        )
        section.add_child(instance=article)
        article.countries = [countries[n % len(countries)]]
        article.topics = [topics[n % len(topics)]]
        article.save_revision().publish()
        ids.append(article.pk)
        progress.add(1)
        if n % 10 == 0:
            killer.check()
        if n % 50 == 0:
            for worker in workers:
                worker.check()
    return {"ids": ids, "seconds": time.perf_counter() - started}


def _open_count() -> int:
    return Delivery.objects.filter(state__in=OPEN).count()


def deliveries_wait(workers: list[Worker], killer: Killer) -> list[float]:
    """Sweep as the scheduler does until no delivery is open, the killer
    still at work; returns when (seconds from the start) workers were
    killed."""
    total = Delivery.objects.count()
    progress = Progress("deliveries", total, "done")
    last_done, last_move = -1, time.monotonic()
    while True:
        outbox_sweep()
        done = Delivery.objects.filter(state=State.DONE).count()
        total = Delivery.objects.count()
        if done != last_done:
            progress.total = total
            progress.add(done - max(last_done, 0))
            last_done, last_move = done, time.monotonic()
        killer.check()
        if not _open_count():
            break
        if time.monotonic() - last_move > STALL_SECONDS:
            log(f"  nothing moved for {STALL_SECONDS} s: giving up")
            break
        for worker in workers:
            worker.check()
        time.sleep(SWEEP_EVERY)
    return killer.killed_at


def delivery_times(published: dict) -> dict:
    """Per channel, seconds from each article's publication to its delivery
    done; and the span from the first publication to the last delivery."""
    pages = dict(
        ArticlePage.objects.filter(pk__in=published["ids"]).values_list(
            "pk", "first_published_at"
        )
    )
    channels: dict[str, dict] = defaultdict(lambda: {"latencies": [], "done": 0})
    first, last = min(pages.values()), None
    for delivery in Delivery.objects.filter(page_key__in=pages, state=State.DONE):
        row = channels[delivery.channel]
        row["done"] += 1
        row["latencies"].append(
            (delivery.done_at - pages[delivery.page_key]).total_seconds()
        )
        last = delivery.done_at if last is None else max(last, delivery.done_at)
    span = (last - first).total_seconds() if last else 0.0
    return {
        "channels": dict(channels),
        "done": sum(row["done"] for row in channels.values()),
        "span_s": span,
        "states": dict(
            Counter(
                Delivery.objects.filter(page_key__in=pages).values_list(
                    "state", flat=True
                )
            )
        ),
    }


def digest_run(workers: list[Worker]) -> dict:
    """The week's issue of those articles, composed and sent (one campaign)."""
    started = time.perf_counter()
    issue = digest_compose(week_start=week_start_of(timezone.now()))
    composed = time.perf_counter()
    delivery = digest_send(issue=issue)
    deadline = time.monotonic() + STALL_SECONDS
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.state not in OPEN:
            break
        outbox_sweep()
        for worker in workers:
            worker.check()
        time.sleep(0.2)
    sent = time.perf_counter()
    return {
        "articles": len(issue.articles()),
        "sections": len(issue.sections),
        "compose_s": composed - started,
        "send_s": sent - composed,
        "campaign": delivery.remote_id,
        "state": delivery.state,
        "error": delivery.last_error,
    }


def fakes_count(fakes: dict, published: dict, digest: dict) -> dict:
    """Duplicates and losses as the fakes saw them."""
    x, receivers, mailchimp = fakes["x"], fakes["receivers"], fakes["mailchimp"]
    ids = published["ids"]
    x_rows = Delivery.objects.filter(page_key__in=ids, channel="x", purpose="publish")
    x_posts = Counter({text: n for text, n in x.created.items()})
    x_lost = sum(1 for row in x_rows if x_posts[row.payload["text"]] == 0)
    x_duplicates = sum(n - 1 for n in x_posts.values() if n > 1)
    hooks = list(PartnerWebhook.objects.order_by("pk"))
    hook_lost = hook_again = hook_duplicates = 0
    for hook, receiver in zip(hooks, receivers, strict=True):
        received = receiver.counts()
        expected = Delivery.objects.filter(
            page_key__in=ids, channel="webhooks", target=str(hook.pk)
        ).values_list("pk", flat=True)
        hook_lost += sum(1 for pk in expected if received[f"dlv_{pk}"] == 0)
        hook_again += sum(n - 1 for n in received.values() if n > 1)
        # A partner de-duplicates by the delivery id: what it acts on twice.
        hook_duplicates += 0
    sends = mailchimp.send_count(digest["campaign"]) if digest["campaign"] else 0
    not_done = Delivery.objects.exclude(state=State.DONE).count()
    detail = {
        "X posts made": sum(x_posts.values()),
        "X articles without a post": x_lost,
        "X texts posted twice or more": x_duplicates,
        "webhook events received": sum(sum(r.counts().values()) for r in receivers),
        "webhook events never received": hook_lost,
        "webhook events received again (same id, de-duplicated)": hook_again,
        "WebSub pings": len(fakes["hub"].pings),
        "Mailchimp sends of the issue": sends,
        "deliveries not done": not_done,
    }
    return {
        "detail": detail,
        "duplicates": x_duplicates + hook_duplicates + max(0, sends - 1),
        "lost": x_lost + hook_lost + (0 if sends else 1) + not_done,
    }
