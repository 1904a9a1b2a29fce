"""The monthly budget and the usage ledger.

The ledger (UsageRecord) holds what the service billed, per page, language
pair, office and month. The budget counter (MonthlyBudgetUse) is what gates
new requests: a request's characters are reserved with one conditional
UPDATE before it goes out, so two workers cannot overspend together, and
corrected to what was billed when it returns. A worker killed while its
request is out leaves the reservation counted, which errs on the side of
spending less.
"""

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from wagtail.models import Page

from cms.models import Office

from .models import MonthlyBudgetUse, TranslationJob, TranslationSettings, UsageRecord

logger = logging.getLogger(__name__)

WARN_SHARE = 0.8


def month_start(when: date | None = None) -> date:
    when = when or timezone.localdate()
    return when.replace(day=1)


def budget_settings() -> TranslationSettings:
    return TranslationSettings.load()


def budget_characters() -> int:
    return int(budget_settings().monthly_budget_characters)


def budget_reserve(*, characters: int, month: date | None = None) -> bool:
    """Count ``characters`` against this month's budget if they fit."""
    month = month or month_start()
    budget = budget_characters()
    MonthlyBudgetUse.objects.get_or_create(month=month)
    return bool(
        MonthlyBudgetUse.objects.filter(
            month=month, characters__lte=budget - characters
        ).update(characters=F("characters") + characters)
    )


def budget_settle(*, reserved: int, billed: int, month: date | None = None) -> None:
    """Replace a reservation with what was billed (0 when the request failed
    before the service translated anything)."""
    month = month or month_start()
    if reserved != billed:
        MonthlyBudgetUse.objects.filter(month=month).update(
            characters=F("characters") + (billed - reserved)
        )
    _warn_once(month)


def _warn_once(month: date) -> None:
    budget = budget_characters()
    if budget <= 0:
        return
    warned = MonthlyBudgetUse.objects.filter(
        month=month,
        warned_at__isnull=True,
        characters__gte=int(budget * WARN_SHARE),
    ).update(warned_at=timezone.now())
    if warned:
        logger.warning(
            "Machine translation has used 80%% of this month's budget (%d characters).",
            budget,
        )


def usage_record(
    *,
    billed_characters: int,
    texts: int,
    source_language: str,
    target_language: str,
    backend: str,
    origin: str,
    page: Page | None = None,
    office: Office | None = None,
    job: TranslationJob | None = None,
    user: AbstractBaseUser | None = None,
) -> UsageRecord:
    return UsageRecord.objects.create(
        month=month_start(),
        billed_characters=billed_characters,
        texts=texts,
        source_language=source_language,
        target_language=target_language,
        backend=backend,
        origin=origin,
        page=page,
        office=office,
        job=job,
        user=user if user is not None and user.is_authenticated else None,
    )


@dataclass(frozen=True)
class BudgetStatus:
    month: date
    budget: int
    used: int  # billed, from the ledger
    counted: int  # billed plus requests out now (what gates new work)

    @property
    def share(self) -> float:
        return self.counted / self.budget if self.budget else 1.0

    @property
    def remaining(self) -> int:
        return max(self.budget - self.counted, 0)

    @property
    def warning(self) -> bool:
        return self.share >= WARN_SHARE

    @property
    def stopped(self) -> bool:
        return self.counted >= self.budget


def budget_status(*, month: date | None = None) -> BudgetStatus:
    month = month or month_start()
    used = (
        UsageRecord.objects.filter(month=month).aggregate(
            total=Sum("billed_characters")
        )["total"]
        or 0
    )
    counted = (
        MonthlyBudgetUse.objects.filter(month=month)
        .values_list("characters", flat=True)
        .first()
    )
    return BudgetStatus(
        month=month,
        budget=budget_characters(),
        used=used,
        counted=max(counted or 0, used),
    )


def cost_estimate(characters: int) -> Decimal:
    settings = budget_settings()
    return (
        Decimal(characters) * settings.price_per_million / Decimal(1_000_000)
    ).quantize(Decimal("0.01"))


@transaction.atomic
def budget_set(*, characters: int) -> None:
    settings = budget_settings()
    settings.monthly_budget_characters = characters
    settings.save()
