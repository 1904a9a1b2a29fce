"""The Translation menu's views: drafts waiting for review, the jobs and
the usage against the budget.

Editors see their offices' work, HQ reviewers and superusers all of it
(``panels.scope_for``). Every change goes through the translation service.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page, WorkflowState

from cms.models import Office
from cms.spreadsheets import csv_writer

from .budget import BudgetStatus, budget_characters, month_start
from .models import MonthlyBudgetUse, ServiceStatus, TranslationJob, UsageRecord
from .panels import (
    Scope,
    jobs_in_scope,
    month_parse,
    months_back,
    reviews_in_scope,
    scope_for,
    usage_by_month,
    usage_month,
)
from .quota import quota_wait_message
from .services import job_retry, service_status

PER_PAGE = 50

# The states job_retry accepts.
RETRYABLE = (
    TranslationJob.State.FAILED,
    TranslationJob.State.CONFIG_ERROR,
    TranslationJob.State.NO_BACKEND,
    TranslationJob.State.WAITING_QUOTA,
    TranslationJob.State.WAITING_BUDGET,
)


def _newsroom_scope(request: HttpRequest) -> Scope:
    """Office editors, HQ reviewers and superusers; nobody else."""
    scope = scope_for(request.user)
    if not (scope.offices or scope.everything):
        raise PermissionDenied
    return scope


def can_edit(user: AbstractBaseUser, page: Page) -> bool:
    return page.permissions_for_user(user).can_edit()


class _ScopedView(WagtailAdminTemplateMixin, TemplateView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.scope = _newsroom_scope(request)
        return super().dispatch(request, *args, **kwargs)

    def filtered_scope(self) -> Scope:
        office = self.request.GET.get("office", "")
        return self.scope.limited_to(office) if office else self.scope

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["offices"] = (
            Office.objects.all() if self.scope.everything else self.scope.offices
        )
        context["office"] = self.request.GET.get("office", "")
        return context


# -- waiting for review --------------------------------------------------------


class ReviewView(_ScopedView):
    """Machine-translated Japanese drafts, waiting for an editor's review."""

    template_name = "translation/admin/review.html"
    page_title = gettext_lazy("Waiting for review")
    header_icon = "doc-empty-inverse"

    def rows(self) -> QuerySet:
        last_source = (
            TranslationJob.objects.filter(target_page_id=OuterRef("page_id"))
            .order_by("-created_at")
            .values("source_page_id")[:1]
        )
        return (
            reviews_in_scope(self.filtered_scope())
            .select_related("page")
            .annotate(
                source_page_id=Subquery(last_source),
                office_id=F("page__articlepage__office"),
            )
            .order_by("-updated_at", "-page_id")
        )

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        rows = Paginator(self.rows(), PER_PAGE).get_page(self.request.GET.get("p"))
        sources = Page.objects.in_bulk(
            [row.source_page_id for row in rows if row.source_page_id]
        )
        offices = {office.pk: office for office in context["offices"]}
        workflows = _latest_workflow_states([row.page_id for row in rows])
        context["rows"] = rows
        context["items"] = [
            {
                "state": row,
                "page": row.page,
                "source": sources.get(row.source_page_id),
                "office": offices.get(row.office_id),
                "workflow": workflows.get(str(row.page_id)),
            }
            for row in rows
        ]
        return context


def _latest_workflow_states(page_ids: list[int]) -> dict[str, WorkflowState]:
    """Each page's latest workflow run, with its current task (one query)."""
    states = (
        WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(pk) for pk in page_ids],
        )
        .select_related("current_task_state__task")
        .order_by("object_id", "-created_at")
    )
    latest: dict[str, WorkflowState] = {}
    for state in states:
        latest.setdefault(state.object_id, state)
    return latest


# -- jobs ----------------------------------------------------------------------


def job_explanation(job: TranslationJob, status: ServiceStatus | None = None) -> str:
    """What a job's state means for the editor, in plain words."""
    State = TranslationJob.State
    if job.state == State.WAITING_BUDGET:
        return _(
            "Waiting: this month's translation budget is spent. It starts again "
            "when the month turns or the budget is raised."
        )
    if job.state == State.WAITING_QUOTA:
        return quota_wait_message(
            needs=job.needs_characters, status=status or service_status()
        )
    if job.state == State.CONFIG_ERROR:
        return _(
            "Stopped: DeepL refused the configuration (usually the key). An "
            "operator has to fix it."
        )
    if job.state == State.NO_BACKEND:
        return _(
            "Machine translation is off: the draft waits for an editor's translation."
        )
    if job.state == State.FAILED:
        return _("Failed after %(attempts)d attempts.") % {"attempts": job.attempts}
    if job.state == State.DONE and job.without_glossary:
        return _(
            "Translated without the current glossary (DeepL did not have it "
            "yet): the strings with glossary terms are translated again once "
            "it does."
        )
    if job.state == State.QUEUED and job.error and job.next_attempt_at:
        when = timezone.localtime(job.next_attempt_at)
        return _("The last attempt failed; it tries again at %(when)s.") % {
            "when": date_format(when, "SHORT_DATETIME_FORMAT")
        }
    return ""


class JobsView(_ScopedView):
    template_name = "translation/admin/jobs.html"
    page_title = gettext_lazy("Translation jobs")
    header_icon = "tasks"

    def jobs(self) -> QuerySet[TranslationJob]:
        jobs = jobs_in_scope(self.filtered_scope()).select_related(
            "source_page", "source_page__locale", "target_locale", "target_page"
        )
        state = self.request.GET.get("state", "")
        if state in TranslationJob.State.values:
            jobs = jobs.filter(state=state)
        return jobs.order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        jobs = Paginator(self.jobs(), PER_PAGE).get_page(self.request.GET.get("p"))
        status = service_status()
        context.update(
            jobs=jobs,
            rows=[
                {
                    "job": job,
                    "explanation": job_explanation(job, status),
                    "can_retry": job.state in RETRYABLE
                    and can_edit(user, job.source_page),
                }
                for job in jobs
            ],
            states=TranslationJob.State.choices,
            state=self.request.GET.get("state", ""),
            here=self.request.get_full_path(),
        )
        return context


@require_POST
def job_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a failed or stopped job again: for those who may edit its source."""
    scope = _newsroom_scope(request)
    job = get_object_or_404(
        jobs_in_scope(scope).select_related("source_page", "target_locale"), pk=pk
    )
    if not can_edit(request.user, job.source_page):
        raise PermissionDenied
    title = job.source_page.get_admin_display_title()
    if job_retry(job=job):
        messages.success(
            request,
            _("“%(title)s” will be translated into %(language)s again.")
            % {"title": title, "language": job.target_locale.get_display_name()},
        )
    else:
        messages.warning(
            request,
            _(
                "This job cannot be retried: it is not failed or stopped, or "
                "another job for the same page and language is already waiting."
            ),
        )
    return redirect(get_valid_next_url_from_request(request) or "translation_jobs")


# -- usage ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    status: BudgetStatus  # the whole organisation's use against the budget
    in_scope: int  # the user's offices' part of it

    @property
    def percent(self) -> int:
        return round(self.status.share * 100)


def usage_months(*, scope: Scope, months: list[date]) -> list[MonthRow]:
    """A year of months against the budget: three queries, not three a month."""
    everything = Scope(offices=[], everything=True)
    billed = usage_by_month(months=months, scope=everything)
    mine = billed if scope.everything else usage_by_month(months=months, scope=scope)
    counted = dict(
        MonthlyBudgetUse.objects.filter(month__in=months).values_list(
            "month", "characters"
        )
    )
    budget = budget_characters()
    return [
        MonthRow(
            status=BudgetStatus(
                month=month,
                budget=budget,
                used=billed[month],
                counted=max(counted.get(month, 0), billed[month]),
            ),
            in_scope=mine[month],
        )
        for month in months
    ]


class UsageView(_ScopedView):
    template_name = "translation/admin/usage.html"
    page_title = gettext_lazy("Machine translation usage")
    header_icon = "table"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        month = month_start()
        if asked := self.request.GET.get("month"):
            try:
                month = month_parse(asked)
            except ValueError as exc:
                messages.error(self.request, str(exc))
        context.update(
            usage=usage_month(month=month, scope=self.scope),
            months=usage_months(scope=self.scope, months=months_back()),
            everything=self.scope.everything,
            csv_url=f"{reverse('translation_usage_csv')}?month={month:%Y-%m}",
        )
        return context


CSV_COLUMNS = (
    "created_at",
    "month",
    "office",
    "page_id",
    "page_title",
    "job_id",
    "source_language",
    "target_language",
    "billed_characters",
    "texts",
    "backend",
    "origin",
    "user",
)


def usage_csv_view(request: HttpRequest) -> HttpResponse:
    """The ledger of one month, as a spreadsheet (the user's offices)."""
    scope = _newsroom_scope(request)
    try:
        month = month_parse(request.GET.get("month") or f"{month_start():%Y-%m}")
    except ValueError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain")
    rows = (
        scope.filter(UsageRecord.objects.filter(month=month), "office")
        .order_by("created_at", "pk")
        .values_list(
            "created_at",
            "month",
            "office__code",
            "page_id",
            "page__title",
            "job_id",
            "source_language",
            "target_language",
            "billed_characters",
            "texts",
            "backend",
            "origin",
            "user__username",
        )
    )
    # The BOM makes Excel read the file as UTF-8 rather than Shift_JIS.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv_writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in rows.iterator():
        created_at, month_value, *rest = row
        writer.writerow(
            [
                timezone.localtime(created_at).isoformat(timespec="seconds"),
                f"{month_value:%Y-%m}",
                *("" if value is None else value for value in rest),
            ]
        )
    filename = f"translation-usage-{month:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
