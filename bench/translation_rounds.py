"""The rounds of `make bench-translation`, inside Django (bench/translation.py
sets it up first): drafts made and edited here, translated by the db_worker
processes, measured from the ledger, the jobs and the DeepL server's log.

A round's changes are saved in one transaction, so that its clock can start
when they are committed: from then on, what runs is what production runs
when drafts arrive (the Revision signal asks for each translation on commit,
a job row and a task each, and the workers translate).
"""

import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, slugify
from django_tasks_db.models import DBTaskResult
from wagtail.coreutils import find_available_slug
from wagtail.models import Locale
from wagtail_localize.models import StringSegment

from bench.report import Progress
from bench.translation_corpus import PlannedArticle, edited
from bench.translation_workers import Worker, jobs_wait, queue_drain
from cms.models import ArticlePage, OfficePage
from tests.fakes.deepl_server import DeepLServer
from translation.models import TranslationJob, TranslationState, UsageRecord
from translation.services import translation_state_set

# -- the changes of each round ------------------------------------------------


def _body(paragraphs: list[str]) -> str:
    return "".join(format_html("<p>{}</p>", paragraph) for paragraph in paragraphs)


def _sections() -> dict[tuple[str, str], OfficePage]:
    return {
        (section.office.code, section.locale.language_code): section
        for section in OfficePage.objects.select_related("office", "locale")
    }


def _draft_make(article: PlannedArticle, section: OfficePage) -> ArticlePage:
    """What scrapers.drafts.item_make_draft makes of an item, without the
    item: a draft in the section, its first revision, its state."""
    title = Truncator(article.title).chars(255)
    page = ArticlePage(
        title=title,
        slug=find_available_slug(
            section,
            slugify(title, allow_unicode=True)[:80] or f"article-{article.index}",
        ),
        live=False,
        summary=article.summary,
        body=_body(article.paragraphs),
        office=section.office,
        source_name=article.source_name,
        source_url=article.text.url,
        original_language=article.text.locale,
    )
    section.add_child(instance=page)
    page.save_revision(log_action=True)
    translation_state_set(page=page, state=TranslationState.State.ORIGINAL)
    return page


@dataclass
class Change:
    """A round's saved changes: the pages whose translation should follow,
    and when they were committed (the round's clock starts there)."""

    page_ids: list[int]
    committed: float
    saved_in: float  # seconds spent saving, not measured
    asked_in: float  # the on-commit requests (job rows, tasks), measured


def _committed(save) -> Change:
    marks: list[float] = []
    started = time.perf_counter()
    with transaction.atomic():
        # First of the callbacks: it runs before the Revision signal's.
        transaction.on_commit(lambda: marks.append(time.perf_counter()))
        page_ids = save()
    asked = time.perf_counter()
    return Change(page_ids, marks[0], marks[0] - started, asked - marks[0])


def drafts_create(planned: list[PlannedArticle], *, other_office: bool) -> Change:
    sections = _sections()

    def save() -> list[int]:
        ids = []
        for article in planned:
            office = article.other_office if other_office else article.office
            section = sections[(office, article.text.locale)]
            page = _draft_make(article, section)
            ids.append(page.pk)
        return ids

    return _committed(save)


def drafts_edit(
    planned: list[PlannedArticle], page_ids: list[int], edits: dict[int, list[int]]
) -> Change:
    """A new revision of each article with edits, as the editor's Save draft
    makes it."""

    def save() -> list[int]:
        ids = []
        for index, chosen in sorted(edits.items()):
            page = ArticlePage.objects.get(pk=page_ids[index])
            draft = page.get_latest_revision_as_object()
            paragraphs = planned[index].paragraphs
            for number in chosen:
                paragraphs[number] = edited(paragraphs[number])
            draft.body = _body(paragraphs)
            draft.save_revision(log_action=True)
            ids.append(page.pk)
        return ids

    return _committed(save)


# -- measuring ----------------------------------------------------------------


@dataclass
class Marks:
    """Where the ledger, the jobs and the server stood before a round."""

    usage_pk: int
    job_pk: int
    requests: int
    server_chars: int
    cpu: float
    at: datetime

    @classmethod
    def take(cls, server: DeepLServer, workers: list[Worker]) -> "Marks":
        return cls(
            usage_pk=UsageRecord.objects.aggregate(m=Max("pk"))["m"] or 0,
            job_pk=TranslationJob.objects.aggregate(m=Max("pk"))["m"] or 0,
            requests=len(server.requests),
            server_chars=server.character_count,
            cpu=sum(worker.cpu() for worker in workers),
            at=timezone.now(),
        )


def round_run(
    label: str,
    change,
    server: DeepLServer,
    workers: list[Worker],
) -> dict:
    """Save the round's changes, wait for their translations, measure."""
    before = Marks.take(server, workers)
    changed: Change = change()
    jobs = list(
        TranslationJob.objects.filter(pk__gt=before.job_pk).values(
            "pk", "source_page_id"
        )
    )
    job_ids = [job["pk"] for job in jobs]
    progress = Progress(label, len(job_ids), "articles")
    ended = jobs_wait(job_ids, workers, progress)
    wall = ended - changed.committed
    cpu = sum(worker.cpu() for worker in workers) - before.cpu
    drained = queue_drain(workers)

    per_page = Counter(job["source_page_id"] for job in jobs)
    rows = TranslationJob.objects.filter(pk__in=job_ids)
    totals = rows.aggregate(
        segments=Sum("segments"),
        from_memory=Sum("from_memory"),
        sent=Sum("sent"),
        billed=Sum("billed_characters"),
    )
    ledger = UsageRecord.objects.filter(pk__gt=before.usage_pk).aggregate(
        chars=Sum("billed_characters"), texts=Sum("texts")
    )
    requests = [
        request
        for request in server.requests[before.requests :]
        if request.path == "/v2/translate"
    ]
    texts = [list((request.body or {}).get("text") or []) for request in requests]
    # The task queue's side: a second ring for a job shows as a task that
    # found it "not due or held elsewhere".
    tasks = list(
        DBTaskResult.objects.filter(
            task_path__endswith=".translate_job", enqueued_at__gte=before.at
        ).values_list("return_value", "args_kwargs", "started_at", "finished_at")
    )
    return {
        "label": label,
        "articles": len(changed.page_ids),
        "jobs": len(job_ids),
        "pages_without_job": len(set(changed.page_ids) - set(per_page)),
        "pages_with_two_jobs": sum(1 for count in per_page.values() if count > 1),
        "other_pages_jobs": len(set(per_page) - set(changed.page_ids)),
        "tasks": len(tasks),
        "idle_tasks": sum(1 for task in tasks if "not due" in str(task[0] or "")),
        "slowest": _slowest(tasks),
        "queue": _queue(before.at),
        "states": dict(Counter(rows.values_list("state", flat=True))),
        "errors": list(
            rows.exclude(error="").values_list("error", flat=True).distinct()[:5]
        ),
        "segments": totals["segments"] or 0,
        "from_memory": totals["from_memory"] or 0,
        "sent_jobs": totals["sent"] or 0,
        "billed_jobs": totals["billed"] or 0,
        "ledger_chars": ledger["chars"] or 0,
        "ledger_texts": ledger["texts"] or 0,
        "server_chars": server.character_count - before.server_chars,
        "requests": len(requests),
        "request_statuses": dict(Counter(request.status for request in requests)),
        "server_texts": sum(map(len, texts)),
        "max_texts": max(map(len, texts), default=0),
        "max_bytes": max((request.size for request in requests), default=0),
        "billed_samples": [text for batch in texts for text in batch][:5],
        "saved_in": changed.saved_in,
        "asked_in": changed.asked_in,
        "wall": wall,
        "cpu": cpu,
        "drain": drained - ended,
        "drain_cpu": sum(worker.cpu() for worker in workers) - before.cpu - cpu,
        "page_ids": changed.page_ids,
    }


def _queue(since: datetime) -> dict[str, dict]:
    """Every task enqueued since the round began, by kind: Wagtail's own
    (search and reference index) share the workers with the translations."""
    kinds: dict[str, dict] = {}
    rows = DBTaskResult.objects.filter(enqueued_at__gte=since).values_list(
        "task_path", "started_at", "finished_at"
    )
    for path, started, finished in rows:
        kind = kinds.setdefault(
            path.rsplit(".", 1)[-1], {"run": 0, "seconds": 0.0, "waiting": 0}
        )
        if started and finished:
            kind["run"] += 1
            kind["seconds"] += (finished - started).total_seconds()
        else:
            kind["waiting"] += 1
    return kinds


def _slowest(tasks: list[tuple], count: int = 3) -> list[dict]:
    """The longest translate_job tasks, with the size of their page: what a
    job costs grows with the strings the page holds, not those sent."""
    timed = sorted(
        (
            (finished - started).total_seconds(),
            (args_kwargs.get("args") or [None])[0],
        )
        for _value, args_kwargs, started, finished in tasks
        if started and finished
    )
    slowest = []
    for seconds, job_id in reversed(timed[-count:]):
        job = TranslationJob.objects.select_related("source_page").get(pk=job_id)
        strings = StringSegment.objects.filter(
            source__object_id=job.source_page.translation_key
        ).count()
        slowest.append(
            {
                "seconds": seconds,
                "title": job.source_page.title,
                "strings": strings,
                "sent": job.sent,
            }
        )
    median = timed[len(timed) // 2][0] if timed else 0.0
    return [{"median": median}, *slowest]


def edits_arrived(
    planned: list[PlannedArticle], page_ids: list[int], edits: dict[int, list[int]]
) -> tuple[int, int]:
    """Edited articles whose Japanese draft holds every edit, out of all."""
    japanese = Locale.objects.get(language_code="ja")
    arrived = 0
    mark = edited("")
    for index, chosen in edits.items():
        page = ArticlePage.objects.get(pk=page_ids[index])
        target = page.get_translation_or_none(japanese)
        if target is None:
            continue
        body = target.specific.get_latest_revision_as_object().body
        arrived += body.count(mark) == len(chosen)
    return arrived, len(edits)


def translations_made(page_ids: list[int]) -> Counter:
    """The Japanese drafts' states, for every source article."""
    japanese = Locale.objects.get(language_code="ja")
    keys = ArticlePage.objects.filter(pk__in=page_ids).values_list(
        "translation_key", flat=True
    )
    targets = ArticlePage.objects.filter(
        translation_key__in=list(keys), locale=japanese
    ).values_list("pk", flat=True)
    states = Counter(
        TranslationState.objects.filter(page_id__in=list(targets)).values_list(
            "state", flat=True
        )
    )
    states["(none)"] = len(page_ids) - len(targets)
    return states
