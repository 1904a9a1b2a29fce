"""Writes of the translation stage: translation states, asking for
translations, retrying jobs, the service's status.

The work of a job is in translation/runner.py.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    Translation,
)

from .conf import translation_setting
from .models import ServiceStatus, TranslationJob, TranslationState
from .selectors import translation_state_get

logger = logging.getLogger(__name__)

# -- translation state ----------------------------------------------------------


def translation_state_set(
    *, page: Page, state: str, user: AbstractBaseUser | None = None
) -> TranslationState:
    reviewed = state == TranslationState.State.REVIEWED
    row, _created = TranslationState.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "state": state,
            "reviewed_by": user if reviewed else None,
            "reviewed_at": timezone.now() if reviewed else None,
        },
    )
    return row


def translation_state_note_publish(
    *, page: Page, user: AbstractBaseUser | None = None
) -> None:
    """A translation published in the Japanese tree has been reviewed: only HQ
    reviewers publish there, directly or by approving the review workflow."""
    if page.locale.language_code != settings.LANGUAGE_CODE:
        return
    state = translation_state_get(page=page)
    reviewer_missing = (
        state == TranslationState.State.REVIEWED
        and user is not None
        and TranslationState.objects.filter(page_id=page.pk, reviewed_by=None).exists()
    )
    if reviewer_missing or state in (
        TranslationState.State.AWAITING,
        TranslationState.State.MACHINE_TRANSLATED,
    ):
        translation_state_set(
            page=page, state=TranslationState.State.REVIEWED, user=user
        )


# -- asking for translations ------------------------------------------------------


def _default_locale() -> Locale:
    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def translation_request(
    *,
    page: Page,
    locales: list[Locale] | None = None,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    submit_for_review: bool = True,
) -> list[TranslationJob]:
    """Ask for the page's translation into ``locales`` (Japanese by default).

    One job waits or runs per page and locale: asking again returns it. The
    task is enqueued when the transaction commits.
    """
    from .tasks import translate_job

    jobs = []
    for locale in locales or [_default_locale()]:
        if locale.pk == page.locale_id:
            continue
        active = Q(state__in=TranslationJob.ACTIVE)
        job = TranslationJob.objects.filter(
            active, source_page=page, target_locale=locale
        ).first()
        # Parked without a backend: run again, so the draft follows the
        # source (and is translated if a backend is there now).
        if (
            job is not None
            and job.state == TranslationJob.State.NO_BACKEND
            and TranslationJob.objects.filter(
                pk=job.pk, state=TranslationJob.State.NO_BACKEND
            ).update(state=TranslationJob.State.QUEUED, enqueued_at=timezone.now())
        ):
            job_id = job.pk
            transaction.on_commit(lambda job_id=job_id: translate_job.enqueue(job_id))
        if job is None:
            try:
                with transaction.atomic():
                    job = TranslationJob.objects.create(
                        source_page=page,
                        target_locale=locale,
                        requested_by=user if user and user.is_authenticated else None,
                        reason=reason[:100],
                        submit_for_review=submit_for_review,
                        enqueued_at=timezone.now(),
                    )
            except IntegrityError:  # another process asked at the same moment
                job = TranslationJob.objects.get(
                    active, source_page=page, target_locale=locale
                )
            else:
                job_id = job.pk
                transaction.on_commit(
                    lambda job_id=job_id: translate_job.enqueue(job_id)
                )
        jobs.append(job)
    return jobs


def translation_request_for_revision(*, page: Page) -> None:
    """A foreign-language original was created or edited: its Japanese
    translation follows (only the changed strings are sent)."""
    from cms.models import ArticlePage

    specific = page.specific_class
    if specific is None or not issubclass(specific, ArticlePage):
        return
    if page.locale.language_code == settings.LANGUAGE_CODE:
        return
    if Translation.objects.filter(
        source__object_id=page.translation_key, target_locale_id=page.locale_id
    ).exists():
        return  # this page is itself a translation
    translation_request(page=page, reason="source created or changed")


# -- the service's state ------------------------------------------------------------


def key_fingerprint() -> str:
    key = translation_setting("DEEPL_AUTH_KEY") or ""
    return hashlib.sha256(key.encode()).hexdigest()[:16] if key else ""


def service_status() -> ServiceStatus:
    row, _created = ServiceStatus.objects.get_or_create(pk=1)
    return row


def service_status_set(*, state: str, message: str = "") -> None:
    now = timezone.now()
    service_status()
    ServiceStatus.objects.filter(pk=1).update(
        state=state,
        message=message,
        since=now if state != ServiceStatus.State.OK else None,
        checked_at=now,
        key_fingerprint=key_fingerprint(),
    )


def job_retry(*, job: TranslationJob) -> bool:
    """An operator's retry of a failed or stopped job."""
    from .tasks import translate_job

    if job.state not in (
        TranslationJob.State.FAILED,
        TranslationJob.State.CONFIG_ERROR,
        TranslationJob.State.NO_BACKEND,
        TranslationJob.State.WAITING_QUOTA,
        TranslationJob.State.WAITING_BUDGET,
    ):
        return False
    if (
        TranslationJob.objects.filter(
            source_page_id=job.source_page_id,
            target_locale_id=job.target_locale_id,
            state__in=TranslationJob.ACTIVE,
        )
        .exclude(pk=job.pk)
        .exists()
    ):
        return False
    with transaction.atomic():
        TranslationJob.objects.filter(pk=job.pk).update(
            state=TranslationJob.State.QUEUED,
            attempts=0,
            next_attempt_at=None,
            enqueued_at=timezone.now(),
        )
        transaction.on_commit(lambda: translate_job.enqueue(job.pk))
    return True
