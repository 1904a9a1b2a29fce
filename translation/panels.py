"""The machine-translation panel of the admin dashboard, and the figures it
shares with the Translation menu's views and ``manage.py translation_usage``.

Every figure is one aggregate query: the dashboard is loaded on every visit
to the admin's home page.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.ui.components import Component

from cms.models import Office
from cms.selectors import offices_for_user, user_is_hq

from .backends import backend_get
from .budget import BudgetStatus, budget_status, month_start
from .models import ServiceStatus, TranslationJob, TranslationState, UsageRecord

MONTHS_SHOWN = 12
_MONTH = re.compile(r"(\d{4})-(\d{2})")

# The jobs an editor is asked to look at: the link from the dashboard opens
# the jobs listing filtered to each.
JOBS_NEEDING_ATTENTION = (
    TranslationJob.State.WAITING_BUDGET,
    TranslationJob.State.WAITING_QUOTA,
    TranslationJob.State.CONFIG_ERROR,
    TranslationJob.State.FAILED,
)


# -- whose work a user sees ----------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The offices whose translation work a user sees. HQ reviewers and
    superusers see everything, work filed under no office included."""

    offices: list[Office]
    everything: bool

    @property
    def office_ids(self) -> list[int]:
        return [office.pk for office in self.offices]

    def filter(self, queryset: QuerySet, office_field: str) -> QuerySet:
        if self.everything:
            return queryset
        return queryset.filter(**{f"{office_field}__in": self.office_ids})

    def limited_to(self, office_code: str) -> "Scope":
        """The same scope narrowed to one of its offices (a listing's filter)."""
        offices = [office for office in self.offices if office.code == office_code]
        return Scope(offices=offices, everything=False) if offices else self


def scope_for(user: AbstractBaseUser) -> Scope:
    return Scope(offices=list(offices_for_user(user)), everything=user_is_hq(user))


# -- months --------------------------------------------------------------------


def month_parse(text: str) -> date:
    """``2026-05`` as the first day of that month; ValueError otherwise."""
    match = _MONTH.fullmatch(text.strip())
    try:
        if match:
            return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        pass
    raise ValueError(
        _("“%(month)s” is not a month: write it as YYYY-MM, e.g. 2026-05.")
        % {"month": text}
    )


def months_back(*, count: int = MONTHS_SHOWN, until: date | None = None) -> list[date]:
    """This month (or ``until``'s) and the ``count - 1`` before it, newest first."""
    month = month_start(until)
    months = []
    for _index in range(count):
        months.append(month)
        month = (month.replace(day=1) - date.resolution).replace(day=1)
    return months


# -- usage ---------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeUsage:
    label: str
    characters: int
    code: str = ""  # empty for "other offices" and "no office"
    mine: bool = False


@dataclass(frozen=True)
class PairUsage:
    source_language: str
    target_language: str
    characters: int
    texts: int


@dataclass(frozen=True)
class MonthUsage:
    """One month's billed characters, against the (current) budget."""

    status: BudgetStatus
    offices: list[OfficeUsage]
    pairs: list[PairUsage]
    # Characters billed for the offices the user sees (all of them for HQ).
    in_scope: int

    @property
    def month(self) -> date:
        return self.status.month

    @property
    def percent(self) -> int:
        return min(round(self.status.share * 100), 100)

    @property
    def state(self) -> str:
        if self.status.stopped:
            return "stopped"
        if self.status.warning:
            return "warning"
        return "ok"


def usage_by_office(
    *, month: date, scope: Scope, every_office: bool = True
) -> list[OfficeUsage]:
    """Characters billed in ``month`` per office: the scope's offices first;
    what the user does not see individually is summed in one row."""
    billed = dict(
        UsageRecord.objects.filter(month=month)
        .order_by()
        .values("office")
        .annotate(characters=Sum("billed_characters"))
        .values_list("office", "characters")
    )
    mine = set(scope.office_ids)
    offices = list(Office.objects.all()) if scope.everything else scope.offices
    rows = [
        OfficeUsage(
            label=str(office),
            code=office.code,
            characters=billed.get(office.pk, 0),
            mine=office.pk in mine,
        )
        for office in sorted(offices, key=lambda office: office.pk not in mine)
        if every_office or billed.get(office.pk)
    ]
    shown = {office.pk for office in offices}
    if not scope.everything:
        others = sum(
            characters
            for office_id, characters in billed.items()
            if office_id is not None and office_id not in shown
        )
        if others:
            rows.append(OfficeUsage(label=_("Other offices"), characters=others))
    unfiled = billed.get(None, 0)
    if unfiled:
        # Strings translated in the translation editor outside any page job.
        rows.append(OfficeUsage(label=_("No office"), characters=unfiled))
    return rows


def usage_by_pair(*, month: date, scope: Scope) -> list[PairUsage]:
    rows = (
        scope.filter(UsageRecord.objects.filter(month=month), "office")
        .order_by()
        .values("source_language", "target_language")
        .annotate(characters=Sum("billed_characters"), texts=Sum("texts"))
        .order_by("-characters", "source_language", "target_language")
    )
    return [PairUsage(**row) for row in rows]


def usage_month(
    *, month: date | None = None, scope: Scope, pairs: bool = True
) -> MonthUsage:
    month = month_start(month)
    offices = usage_by_office(month=month, scope=scope)
    status = budget_status(month=month)
    in_scope = (
        status.used
        if scope.everything
        else sum(row.characters for row in offices if row.mine)
    )
    return MonthUsage(
        status=status,
        offices=offices,
        pairs=usage_by_pair(month=month, scope=scope) if pairs else [],
        in_scope=in_scope,
    )


def usage_by_month(*, months: list[date], scope: Scope) -> dict[date, int]:
    """Characters billed per month for the scope's offices (one query)."""
    rows = (
        scope.filter(UsageRecord.objects.filter(month__in=months), "office")
        .order_by()
        .values("month")
        .annotate(characters=Sum("billed_characters"))
        .values_list("month", "characters")
    )
    billed = dict(rows)
    return {month: billed.get(month, 0) for month in months}


# -- jobs and reviews ----------------------------------------------------------


def jobs_in_scope(scope: Scope) -> QuerySet[TranslationJob]:
    return scope.filter(
        TranslationJob.objects.all(), "source_page__articlepage__office"
    )


def reviews_in_scope(scope: Scope) -> QuerySet[TranslationState]:
    """Machine-translated Japanese drafts nobody has reviewed yet."""
    return scope.filter(
        TranslationState.objects.filter(
            state=TranslationState.State.MACHINE_TRANSLATED,
            page__locale__language_code=settings.LANGUAGE_CODE,
        ),
        "page__articlepage__office",
    )


def jobs_waiting_counts(scope: Scope) -> dict[str, int]:
    """The jobs needing attention, per state (one query)."""
    return jobs_in_scope(scope).aggregate(
        **{
            state.value: Count("pk", filter=Q(state=state))
            for state in JOBS_NEEDING_ATTENTION
        }
    )


# -- the dashboard panel -------------------------------------------------------


@dataclass
class ServiceNotice:
    headline: str
    message: str = ""
    since: Any = None
    kind: str = "warning"


def service_notice() -> ServiceNotice | None:
    """The translation service's trouble in plain words; None when it works."""
    if not backend_get().translates:
        return ServiceNotice(
            headline=_(
                "Machine translation is off (no DeepL key is set): new drafts "
                "await translation by an editor."
            ),
            kind="info",
        )
    # Read without creating the row: the dashboard only looks.
    status = ServiceStatus.objects.filter(pk=1).first()
    if status is None or status.state == ServiceStatus.State.OK:
        return None
    if status.state == ServiceStatus.State.QUOTA:
        headline = _(
            "DeepL's character quota for this billing period is short. Jobs "
            "that fit in what is left still run; the others wait, each saying "
            "what it needs, and start again by themselves once it fits."
        )
    else:
        headline = _(
            "DeepL refused the configuration (usually the authentication key). "
            "Translation is stopped until an operator fixes it; the jobs then "
            "start again by themselves."
        )
    return ServiceNotice(
        headline=headline, message=status.message, since=status.since, kind="critical"
    )


class TranslationPanel(Component):
    """This month's machine translation: the budget, the offices' use, the
    service's trouble and the work waiting for the editor."""

    name = "tsunagu_translation"
    order = 70
    template_name = "translation/admin/dashboard_panel.html"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict:
        user = self.request.user
        scope = scope_for(user)
        usage = usage_month(scope=scope, pairs=False)
        waiting = jobs_waiting_counts(scope)
        jobs_url = reverse("translation_jobs")
        return {
            "usage": usage,
            "offices": [row for row in usage.offices if row.characters or row.mine],
            "everything": scope.everything,
            "notice": service_notice(),
            "waiting": [
                {
                    "state": state.value,
                    "label": state.label,
                    "count": waiting[state.value],
                    "url": f"{jobs_url}?state={state.value}",
                }
                for state in JOBS_NEEDING_ATTENTION
                if waiting[state.value]
            ],
            "waiting_total": sum(waiting.values()),
            "jobs_url": jobs_url,
            "reviews": reviews_in_scope(scope).count(),
            "reviews_url": reverse("translation_review"),
            "usage_url": reverse("translation_usage"),
            "settings_url": (
                reverse(
                    "wagtailsettings:edit", args=["translation", "translationsettings"]
                )
                if user.has_perm("translation.change_translationsettings")
                else ""
            ),
        }
