"""The translation service: one path for every machine translation.

wagtail-localize holds the segments and the translation editor, but its
machine-translator hook gets neither the page nor the user and runs inside
the editor's request. So a job of ours does the work, in this order:

1. make (or update) wagtail-localize's TranslationSource and Translation, and
   save the target page as a draft if it has none yet;
2. list the source's strings that have no translation in the target locale
   (strings an editor translated, and strings unchanged since the last run,
   keep theirs: only what changed is sent);
3. look each up in our translation memory;
4. send the misses to the backend in requests within its limits, the title
   and summary going along as context, each request's characters reserved
   against the month's budget first; each answer is sanitised and stored in
   the memory and the ledger at once, so a job stopped half-way (budget,
   quota, a killed worker) is never billed twice for what it already got;
5. in one transaction: the strings into wagtail-localize, the target draft
   saved again, its state set to machine-translated, the job done, and the
   draft submitted to the "Translation review" workflow.

No network call happens inside a transaction. A job that fails leaves the
target draft as it was.
"""

import hashlib
import json
import logging
import random
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.html import strip_tags
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.strings import validate_translation_links

from .backends import (
    ConfigurationError,
    QuotaExceeded,
    TranslationError,
    backend_get,
)
from .conf import translation_setting
from .glossary import glossary_for
from .memory import MemoryKey, memory_lookup
from .models import ServiceStatus, TranslationJob, TranslationState
from .quota import quota_wait_message
from .selectors import translation_state_get
from .sending import BudgetSpent, Sending, texts_send
from .services import (
    service_status,
    service_status_set,
    translation_state_set,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60


# -- running a job ------------------------------------------------------------------


def _claim(job_id: int) -> TranslationJob | None:
    now = timezone.now()
    lease = timedelta(seconds=translation_setting("LEASE_SECONDS"))
    due = Q(
        state__in=[
            TranslationJob.State.QUEUED,
            TranslationJob.State.WAITING_BUDGET,
            TranslationJob.State.WAITING_QUOTA,
        ]
    ) | Q(state=TranslationJob.State.RUNNING, lease_until__lt=now)
    if backend_get().translates:
        due |= Q(state=TranslationJob.State.NO_BACKEND)
    not_early = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = TranslationJob.objects.filter(due, not_early, pk=job_id).update(
        state=TranslationJob.State.RUNNING,
        lease_until=now + lease,
        enqueued_at=None,
    )
    if not claimed:
        return None
    return TranslationJob.objects.select_related(
        "target_locale", "source_page", "requested_by"
    ).get(pk=job_id)


def _finish(job: TranslationJob, state: str, *, error: str = "", **fields) -> str:
    TranslationJob.objects.filter(pk=job.pk).update(
        state=state,
        error=error[:4000],
        lease_until=None,
        updated_at=timezone.now(),
        **fields,
    )
    return f"job {job.pk}: {state}" + (f" ({error})" if error else "")


def job_run(*, job_id: int) -> str:
    """Run a job if it is due and no other process holds it; never raises."""
    job = _claim(job_id)
    if job is None:
        return f"job {job_id}: not due or held elsewhere"
    # A short quota stops no job here: each request is counted against what
    # is left (quota_reserve), so the jobs that fit still run.
    status = service_status()
    if status.state == ServiceStatus.State.CONFIG:
        return _finish(job, TranslationJob.State.CONFIG_ERROR, error=status.message)
    TranslationJob.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    try:
        return _execute(job)
    except BudgetSpent as spent:
        return _finish(
            job,
            TranslationJob.State.WAITING_BUDGET,
            error=str(spent),
            needs_characters=spent.needs,
        )
    except QuotaExceeded as exc:
        # DeepL's 456, or a request that does not fit in what it said is
        # left: wait with what the job still needs, and be woken only once
        # that fits (never sent again to get 456 again).
        needs = getattr(exc, "needs", 0)
        # Stored untranslated, like every job error; the admin words it in
        # the reader's language from the same function.
        with translation.override(None):
            error = quota_wait_message(needs=needs, status=service_status())
        return _finish(
            job,
            TranslationJob.State.WAITING_QUOTA,
            error=error,
            needs_characters=needs,
        )
    except ConfigurationError as exc:
        message = f"The translation service refused the configuration: {exc}"
        service_status_set(state=ServiceStatus.State.CONFIG, message=message)
        return _finish(job, TranslationJob.State.CONFIG_ERROR, error=message)
    except NotATranslation as exc:
        return _finish(job, TranslationJob.State.FAILED, error=str(exc))
    except TranslationError as exc:
        return _retry_later(job, str(exc))
    except Exception as exc:
        logger.exception("Translation job %s failed", job.pk)
        return _retry_later(
            job,
            f"Unexpected error ({type(exc).__name__}); the details are in the "
            "server's log.",
        )


def _retry_later(job: TranslationJob, error: str) -> str:
    attempts = job.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        return _finish(
            job,
            TranslationJob.State.FAILED,
            error=f"{error} (gave up after {attempts} attempts; retry from the admin)",
        )
    wait = RETRY_BASE_SECONDS * 2 ** (attempts - 1) * random.uniform(0.8, 1.2)  # noqa: S311
    return _finish(
        job,
        TranslationJob.State.QUEUED,
        error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )


def _source_instance(page: Page) -> Page:
    """What editors see: the latest revision, published or not."""
    specific = page.specific
    if specific.latest_revision_id:
        return specific.get_latest_revision_as_object()
    return specific


class NotATranslation(TranslationError):
    """The target locale already has a page of this translation key that is
    not a wagtail-localize translation of this source (an original, or a
    tree made by copying): translating would overwrite it."""


@transaction.atomic
def _prepare(job: TranslationJob, instance: Page) -> tuple[Translation, Page]:
    existing = instance.get_translation_or_none(job.target_locale)
    if (
        existing is not None
        and not Translation.objects.filter(
            source__object_id=instance.translation_key,
            source__locale_id=instance.locale_id,
            target_locale=job.target_locale,
        ).exists()
    ):
        raise NotATranslation(
            f"The {job.target_locale.get_display_name()} page “{existing.title}” "
            "exists and is not a translation of this page: nothing was changed."
        )
    source, _created = TranslationSource.update_or_create_from_instance(instance)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=job.target_locale, defaults={"enabled": True}
    )
    target = instance.get_translation_or_none(job.target_locale)
    if target is None:
        translation.save_target(user=job.requested_by, publish=False)
        target = instance.get_translation(job.target_locale)
        translation_state_set(page=target, state=TranslationState.State.AWAITING)
    elif not TranslationState.objects.filter(page_id=target.pk).exists():
        translation_state_set(page=target, state=TranslationState.State.AWAITING)
    TranslationJob.objects.filter(pk=job.pk).update(target_page=target)
    return translation, target


# Page fields that change on every save or publish, not with the content.
_VOLATILE = frozenset(
    {
        "pk",
        "latest_revision",
        "latest_revision_created_at",
        "live_revision",
        "has_unpublished_changes",
        "draft_title",
        "first_published_at",
        "last_published_at",
        "live",
        "locked",
        "locked_at",
        "locked_by",
        "owner",
        "numchild",
        "url_path",
        "path",
        "depth",
    }
)


def _content_digest(translation: Translation) -> str:
    content = json.loads(translation.source.content_json)
    stable = {key: value for key, value in content.items() if key not in _VOLATILE}
    return hashlib.sha256(
        json.dumps(stable, sort_keys=True, default=str).encode()
    ).hexdigest()


def _target_current(job: TranslationJob, target: Page, digest: str) -> bool:
    """The target already holds a translation of the source as it is now."""
    if translation_state_get(page=target) not in (
        TranslationState.State.MACHINE_TRANSLATED,
        TranslationState.State.REVIEWED,
    ):
        return False
    return TranslationJob.objects.filter(
        source_page_id=job.source_page_id,
        target_locale_id=job.target_locale_id,
        state=TranslationJob.State.DONE,
        source_digest=digest,
    ).exists()


def _missing_segments(translation: Translation) -> list[StringSegment]:
    # In the page's own order: a job stopped part-way by the budget or the
    # quota has sent the title and the first paragraphs, and the same page
    # is sent the same way on every database.
    segments = list(
        StringSegment.objects.filter(source=translation.source)
        .select_related("string", "context")
        .order_by("order", "pk")
    )
    done = set(
        StringTranslation.objects.filter(
            translation_of_id__in={s.string_id for s in segments},
            locale_id=translation.target_locale_id,
        ).values_list("translation_of_id", "context_id")
    )
    return [s for s in segments if (s.string_id, s.context_id) not in done]


def _language(locale: Locale) -> str:
    return locale.language_code


def _context(instance: Page) -> str:
    """The title and summary, as the context for every string of the page
    (DeepL does not bill context)."""
    summary = getattr(instance, "summary", "") or ""
    return f"{instance.title}\n\n{strip_tags(summary)}".strip()[:4000]


def _execute(job: TranslationJob) -> str:
    page = job.source_page
    instance = _source_instance(page)
    revision_id = page.latest_revision_id
    translation, target = _prepare(job, instance)
    if not translation.enabled:
        return _finish(
            job,
            TranslationJob.State.DONE,
            error=(
                "The translation is edited by hand (no longer synced with its "
                "source in wagtail-localize): nothing was changed."
            ),
            target_page=target,
            finished_at=timezone.now(),
        )
    backend = backend_get()
    source_language = _language(page.locale)
    target_language = _language(job.target_locale)
    if not backend.can_translate(source_language, target_language):
        return _finish(
            job,
            TranslationJob.State.NO_BACKEND,
            error=(
                "Machine translation is off (no DEEPL_AUTH_KEY): the draft "
                "awaits translation by an editor."
                if not backend.translates
                else f"{backend.display_name} cannot translate "
                f"{source_language} into {target_language}."
            ),
            target_page=target,
        )
    missing = _missing_segments(translation)
    digest = _content_digest(translation)
    if not missing and _target_current(job, target, digest):
        # Saved again without a change that matters: no new draft, no review.
        return _finish(
            job,
            TranslationJob.State.DONE,
            target_page=target,
            segments=0,
            from_memory=0,
            sent=0,
            source_revision_id=revision_id,
            source_digest=digest,
            finished_at=timezone.now(),
            attempts=0,
        )
    texts = list(dict.fromkeys(segment.string.data for segment in missing))
    glossary = glossary_for(
        source_language=source_language, target_language=target_language
    )
    formality = (
        translation_setting("FORMALITY")
        if backend.supports_formality(target_language)
        else ""
    )
    run = Sending(
        job=job,
        backend=backend,
        source_language=source_language,
        target_language=target_language,
        key=MemoryKey(source_language, target_language, glossary.version, formality),
        glossary_id=glossary.remote_id,
        context=_context(instance),
        office=getattr(instance, "office", None),
        page=page,
        user=job.requested_by,
    )
    run.translated = memory_lookup(key=run.key, texts=texts)
    from_memory = len(run.translated)
    misses = [text for text in texts if text not in run.translated]
    for batch in backend.batches(misses, context=run.context):
        texts_send(run, [misses[index] for index in batch])
    with transaction.atomic():
        _store_strings(run, translation, missing)
        translation.save_target(user=job.requested_by, publish=False)
        target = instance.get_translation(job.target_locale)
        translation_state_set(
            page=target, state=TranslationState.State.MACHINE_TRANSLATED
        )
        if job.submit_for_review:
            _submit_for_review(target, job.requested_by)
        changed_since = (
            Page.objects.filter(pk=page.pk)
            .values_list("latest_revision_id", flat=True)
            .first()
        ) != revision_id
        state = (
            TranslationJob.State.QUEUED if changed_since else TranslationJob.State.DONE
        )
        result = _finish(
            job,
            state,
            target_page=target,
            segments=len(texts),
            from_memory=from_memory,
            sent=run.sent,
            glossary_version=run.key.glossary_version,
            # Sent without the source language's current terms (the service
            # did not have them): marked, and gone over again once it has.
            without_glossary=bool(texts) and glossary.wanted and not run.glossary_id,
            source_revision_id=revision_id,
            source_digest=digest,
            finished_at=timezone.now(),
            attempts=0,
            next_attempt_at=None,
            enqueued_at=timezone.now() if changed_since else None,
        )
        if changed_since:  # edited while it ran: once more, for the changes
            from .tasks import translate_job

            transaction.on_commit(lambda: translate_job.enqueue(job.pk))
    return result


def _store_strings(
    run: Sending, translation: Translation, missing: list[StringSegment]
) -> None:
    """The translations into wagtail-localize, in one statement. The
    segments were read without a translation; one an editor saved since then
    is kept. Links are checked as StringTranslation.save() would."""
    rows = []
    for segment in missing:
        data = run.translated.get(segment.string.data)
        if data is None:
            continue
        try:
            validate_translation_links(segment.string.data, data)
            error = False
        except ValueError:
            error = True
        rows.append(
            StringTranslation(
                translation_of_id=segment.string_id,
                locale_id=translation.target_locale_id,
                context_id=segment.context_id,
                data=data,
                translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
                tool_name=run.backend.display_name,
                last_translated_by=run.user,
                has_error=error,
            )
        )
    StringTranslation.objects.bulk_create(rows, ignore_conflicts=True)


def _submit_for_review(target: Page, user: AbstractBaseUser | None) -> None:
    target = target.specific
    if target.workflow_in_progress:
        return  # the new draft is what the reviewers will see
    workflow = target.get_workflow()
    if workflow is None or not workflow.active:
        return
    workflow.start(target, user)
