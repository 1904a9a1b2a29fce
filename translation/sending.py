"""Sending strings to the backend: within its limits, within the budget.

Each request's characters are reserved against the month's budget before it
goes out; each answer is sanitised and stored in the translation memory and
the ledger at once, so work stopped half-way is never billed twice.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta

import nh3
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.models import Page
from wagtail_localize.strings import INLINE_TAGS

from .backends import (
    ConfigurationError,
    GlossaryMissing,
    QuotaExceeded,
    RequestTooLarge,
    TranslationBackend,
    TranslationError,
    backend_get,
)
from .budget import budget_reserve, budget_settle, budget_status, usage_record
from .conf import translation_setting
from .glossary import GlossaryUse, glossary_for, glossary_recreate
from .memory import MemoryKey, memory_lookup, memory_store
from .models import ServiceStatus, TranslationJob
from .quota import (
    QuotaShort,
    quota_forget,
    quota_left,
    quota_reserve,
    quota_settle,
    quota_spent,
)
from .services import service_status, service_status_set

logger = logging.getLogger(__name__)


@dataclass
class Sending:
    job: TranslationJob | None
    backend: TranslationBackend
    source_language: str
    target_language: str
    key: MemoryKey
    glossary_id: str
    context: str
    office: object = None
    page: Page | None = None
    user: AbstractBaseUser | None = None
    origin: str = "job"
    billed: int = 0
    sent: int = 0
    translated: dict[str, str] = field(default_factory=dict)
    #: The glossary was re-created once in this run (it was lost).
    glossary_recreated: bool = False


class BudgetSpent(Exception):
    def __init__(self, message: str, needs: int) -> None:
        super().__init__(message)
        self.needs = needs


def texts_send(run: Sending, texts: list[str]) -> None:
    """One request's texts (split in two when the service finds it too large)."""
    estimate = sum(run.backend.billable_characters(text) for text in texts)
    if not budget_reserve(characters=estimate):
        status = budget_status()
        # Spend what is left on the texts that fit, then stop at the limit.
        fit = _fitting(run, texts, status.remaining)
        raise BudgetSpent(
            f"This month's translation budget is spent ({status.counted:,} of "
            f"{status.budget:,} characters). The job waits and resumes when "
            "the month turns or the budget is raised.",
            needs=_needs(run, texts, fit),
        )
    quota = quota_reserve(characters=estimate)
    if quota is None:
        budget_settle(reserved=estimate, billed=0)
        # The same with the service's quota: what fits goes, the rest waits
        # and is not sent while it does not fit.
        fit = _fitting(run, texts, quota_left(service_status()) or 0)
        raise QuotaShort(
            f"{estimate} characters do not fit in what is left of the quota",
            needs=_needs(run, texts, fit),
        )
    try:
        results = run.backend.translate(
            texts,
            source_language=run.source_language,
            target_language=run.target_language,
            context=run.context,
            formality=run.key.formality,
            glossary_id=run.glossary_id,
        )
    except GlossaryMissing:
        budget_settle(reserved=estimate, billed=0)
        quota_settle(reserved=quota, billed=0)
        _glossary_lost(run)
        texts_send(run, texts)
        return
    except QuotaShort:
        raise
    except QuotaExceeded as exc:
        # DeepL's 456: learn what is left (and when it resets) and send what
        # fits; unknown (the usage call failed): wait for this request.
        budget_settle(reserved=estimate, billed=0)
        quota_settle(reserved=quota, billed=0)
        left = quota_left(quota_spent(backend=run.backend, error=exc))
        if left is not None and estimate > left:
            texts_send(run, texts)  # sends what fits, then QuotaShort
            return
        if left is not None:
            # DeepL's usage says it fits, its 456 says not: trust neither
            # until the sweep's hourly look at the usage.
            quota_forget()
        exc.needs = estimate  # type: ignore[attr-defined]
        raise
    except RequestTooLarge:
        budget_settle(reserved=estimate, billed=0)
        quota_settle(reserved=quota, billed=0)
        if len(texts) == 1:
            raise TranslationError(
                "One paragraph is too long for a single request to the "
                "translation service; shorten or split it."
            ) from None
        middle = len(texts) // 2
        texts_send(run, texts[:middle])
        texts_send(run, texts[middle:])
        return
    except BaseException:
        budget_settle(reserved=estimate, billed=0)
        quota_settle(reserved=quota, billed=0)
        raise
    billed = sum(result.billed_characters for result in results)
    pairs = [
        (text, segment_sanitise(result.text), result.billed_characters)
        for text, result in zip(texts, results, strict=True)
    ]
    with transaction.atomic():
        budget_settle(reserved=estimate, billed=billed)
        quota_settle(reserved=quota, billed=billed)
        memory_store(key=run.key, translations=pairs, backend=run.backend.name)
        usage_record(
            billed_characters=billed,
            texts=len(texts),
            source_language=run.source_language,
            target_language=run.target_language,
            backend=run.backend.name,
            origin=run.origin,
            page=run.page,
            office=run.office,
            job=run.job,
            user=run.user,
        )
        if run.job is not None:
            # The job's figure grows with every request, in the transaction
            # of its ledger row: a run stopped part-way (budget, quota, an
            # error, a killed worker) and a split count as the ledger does.
            TranslationJob.objects.filter(pk=run.job.pk).update(
                billed_characters=F("billed_characters") + billed,
                # Still working: keep the job's lease.
                lease_until=timezone.now()
                + timedelta(seconds=translation_setting("LEASE_SECONDS")),
            )
    for text, translated, _billed in pairs:
        run.translated[text] = translated
    run.billed += billed
    run.sent += len(texts)


def _fitting(run: Sending, texts: list[str], room: int) -> int:
    """Send the leading texts that fit in ``room`` characters; how many."""
    fit = 0
    for text in texts:
        size = run.backend.billable_characters(text)
        if size > room:
            break
        room -= size
        fit += 1
    if 0 < fit < len(texts):
        texts_send(run, texts[:fit])
    return fit


def _needs(run: Sending, texts: list[str], fit: int) -> int:
    """What the next request needs once the fitting texts went out."""
    return sum(run.backend.billable_characters(text) for text in texts[fit : fit + 1])


def _glossary_lost(run: Sending) -> None:
    """The service no longer knows our glossary: re-create it from the CMS's
    current terms and go on with the new one; if it is lost again (or cannot
    be sent now), go on without it (the job is marked, and its strings with
    terms go again once the service has the glossary). A job never fails
    for a lost glossary."""
    lost = run.glossary_id
    logger.warning(
        "The translation service lost glossary %s",
        lost,
        extra={"job_id": run.job.pk if run.job else None},
    )
    if not run.glossary_recreated:
        run.glossary_recreated = True
        glossary_recreate(lost_id=lost)
        use = glossary_for(
            source_language=run.source_language, target_language=run.target_language
        )
    else:
        use = GlossaryUse(remote_id="", version=0)
    if use.remote_id == lost:  # another process holds the sync: not this one
        use = GlossaryUse(remote_id="", version=0)
    run.glossary_id = use.remote_id
    run.key = replace(run.key, glossary_version=use.version)


def segment_sanitise(text: str) -> str:
    """Machine output is untrusted too: only wagtail-localize's inline tags,
    and only the id attribute that ties a link to its source."""
    return nh3.clean(
        text,
        tags=set(INLINE_TAGS),
        attributes={"a": {"id"}},
        url_schemes=set(),
        link_rel=None,
    )


def strings_translate(
    *,
    texts: list[str],
    source_language: str,
    target_language: str,
    user: AbstractBaseUser | None = None,
    origin: str = "editor",
) -> dict[str, str]:
    """Translate loose strings through the same memory, budget and ledger
    (wagtail-localize's machine-translator hook, which knows no page).
    Raises BudgetSpent or a TranslationError."""
    backend = backend_get()
    if not backend.can_translate(source_language, target_language):
        return {}
    glossary = glossary_for(
        source_language=source_language, target_language=target_language
    )
    formality = (
        translation_setting("FORMALITY")
        if backend.supports_formality(target_language)
        else ""
    )
    run = Sending(
        job=None,
        backend=backend,
        source_language=source_language,
        target_language=target_language,
        key=MemoryKey(source_language, target_language, glossary.version, formality),
        glossary_id=glossary.remote_id,
        context="",
        user=user,
        origin=origin,
    )
    texts = list(dict.fromkeys(texts))
    run.translated = memory_lookup(key=run.key, texts=texts)
    misses = [text for text in texts if text not in run.translated]
    try:
        for batch in backend.batches(misses):
            texts_send(run, [misses[index] for index in batch])
    except ConfigurationError as exc:
        service_status_set(
            state=ServiceStatus.State.CONFIG,
            message=f"The translation service refused the configuration: {exc}",
        )
        raise
    return run.translated
