"""The service's character quota (DeepL: 456 once it is used up).

A 456 says only that one request did not fit. What is left, and when the
period resets, come from the service's usage; from then on ``ServiceStatus``
holds that count and limit, every request is counted against them before it
goes out (one conditional UPDATE, so two workers cannot both take the last
characters), and a request that does not fit is not sent: its job waits with
what it needs, while smaller jobs that fit still run. The sweep asks the
service again (hourly) and wakes a waiting job only once its characters fit
(a new period, or a higher limit).
"""

import logging
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .backends import QuotaExceeded, TranslationBackend, TranslationError, Usage
from .models import ServiceStatus, TranslationJob
from .services import service_status, service_status_set

logger = logging.getLogger(__name__)


class QuotaShort(QuotaExceeded):
    """A request that does not fit in what is left of the quota: not sent.
    ``needs``: the characters the job's next request needs."""

    def __init__(self, message: str, needs: int) -> None:
        super().__init__(message)
        self.needs = needs


def quota_reserve(*, characters: int) -> int | None:
    """Count ``characters`` against the known quota: how many were counted
    (0 when no shortage is known: the service then decides), or None when
    they do not fit."""
    if not ServiceStatus.objects.filter(
        pk=1, state=ServiceStatus.State.QUOTA, character_limit__isnull=False
    ).exists():
        return 0
    fits = ServiceStatus.objects.filter(
        pk=1,
        state=ServiceStatus.State.QUOTA,
        character_count__lte=F("character_limit") - characters,
    ).update(character_count=F("character_count") + characters)
    return characters if fits else None


def quota_settle(*, reserved: int, billed: int) -> None:
    """Replace a reservation with what was billed (0: nothing was)."""
    if reserved and reserved != billed:
        ServiceStatus.objects.filter(
            pk=1, state=ServiceStatus.State.QUOTA, character_count__isnull=False
        ).update(character_count=F("character_count") + (billed - reserved))


def quota_spent(*, backend: TranslationBackend, error: Exception) -> ServiceStatus:
    """The service answered 456: record its count, limit and reset time
    (asked outside any transaction) so that what fits can still be sent."""
    message = f"DeepL's character quota for this billing period is short ({error})."
    usage: Usage | None
    try:
        usage = backend.usage()
    except TranslationError as exc:
        logger.warning("Could not read the translation service's usage: %s", exc)
        usage = None
    service_status_set(state=ServiceStatus.State.QUOTA, message=message)
    _usage_store(usage)
    return service_status()


def _usage_store(usage: Usage | None) -> None:
    ServiceStatus.objects.filter(pk=1).update(
        character_count=usage.character_count if usage else None,
        character_limit=usage.character_limit if usage else None,
        resets_at=usage.resets_at if usage else None,
        checked_at=timezone.now(),
    )


def quota_forget() -> None:
    """What is left is unknown again: only the sweep's recheck decides."""
    ServiceStatus.objects.filter(pk=1).update(
        character_count=None, character_limit=None
    )


def quota_left(status: ServiceStatus) -> int | None:
    if status.character_limit is None or status.character_count is None:
        return None
    return max(status.character_limit - status.character_count, 0)


def quota_recheck(*, backend: TranslationBackend) -> str:
    """The sweep's look at the quota: the count, limit and reset time again;
    the stop is lifted once every waiting job fits."""
    try:
        usage = backend.usage()
    except TranslationError as exc:
        ServiceStatus.objects.filter(pk=1).update(checked_at=timezone.now())
        return f"quota check failed: {exc}"
    _usage_store(usage)
    if usage.character_limit is None:
        service_status_set(state=ServiceStatus.State.OK)
        return "quota available again"
    left = usage.character_limit - usage.character_count
    waiting = TranslationJob.objects.filter(state=TranslationJob.State.WAITING_QUOTA)
    if left > 0 and not waiting.filter(needs_characters__gt=left).exists():
        service_status_set(state=ServiceStatus.State.OK)
        return "quota available again"
    # The jobs that fit are due (jobs_due); the others go on waiting.
    return f"quota short: {left} characters left"


def quota_wait_message(*, needs: int, status: ServiceStatus) -> str:
    """What a job waiting for the quota says, worded once for the job's
    error, the jobs list and the dashboard."""
    left = quota_left(status)
    values = {
        "needs": number_format(needs, force_grouping=True),
        "left": _("unknown")
        if left is None
        else number_format(left, force_grouping=True),
        "resets": _when(status.resets_at),
    }
    return (
        _(
            "Waiting for quota: needs %(needs)s characters, %(left)s left, "
            "resets on %(resets)s"
        )
        % values
    )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return _("the start of DeepL's next billing period")
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
