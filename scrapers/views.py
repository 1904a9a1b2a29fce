"""Admin views of the scrapers: try a source, import sources, triage items."""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.safehttp import SafeClient, SafeHTTPError
from cms.selectors import offices_for_user

from .csv_import import sources_import_csv
from .drafts import DraftError, item_make_draft, items_ignore
from .forms import ImportForm, TryForm
from .models import Item, Source
from .parsing import FeedParseError, ListRule, RuleError
from .permissions import OfficeSourcePermissionPolicy, sources_for_user
from .politeness import RobotsDisallowed, robots_check, robots_for
from .services import response_parse

logger = logging.getLogger(__name__)
policy = OfficeSourcePermissionPolicy(Source)
TRY_ENTRIES_SHOWN = 30


def _require(request: HttpRequest, action: str) -> None:
    if not policy.user_has_permission(request.user, action):
        raise PermissionDenied


class SourceTryView(WagtailAdminTemplateMixin, FormView):
    """Fetch a feed or apply a rule to the live page and show what would come out,
    before anything is saved. It honours robots.txt but not the host delay: an
    editor waits for the answer."""

    template_name = "scrapers/admin/try.html"
    form_class = TryForm
    page_title = gettext_lazy("Try a source")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        _require(request, "add")
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        source_id = self.request.GET.get("source")
        if source_id:
            source = get_object_or_404(
                sources_for_user(self.request.user), pk=source_id
            )
            return {
                field: getattr(source, field)
                for field in (
                    "url",
                    "kind",
                    "rule_item",
                    "rule_link",
                    "rule_title",
                    "rule_date",
                    "rule_summary",
                )
            }
        return {"kind": Source.Kind.DETECT}

    def form_valid(self, form: TryForm) -> HttpResponse:
        data = form.cleaned_data
        context = {"form": form, "tried": True}
        office = offices_for_user(self.request.user).first()
        default_tz = office.tz if office else None
        try:
            with SafeClient() as client:
                rules = robots_for(client=client, url=data["url"], max_wait_seconds=10)
                robots_check(rules=rules, url=data["url"])
                response = client.get(data["url"])
            context["status"] = response.status_code
            if response.status_code != 200:
                context["error"] = _("The site answered %(status)s.") % {
                    "status": response.status_code
                }
            else:
                context["feed"] = response_parse(
                    response=response,
                    kind=data["kind"],
                    rule=ListRule(
                        item=data["rule_item"],
                        link=data["rule_link"],
                        title=data["rule_title"],
                        date=data["rule_date"],
                        summary=data["rule_summary"],
                    ),
                    default_tz=default_tz,
                )
        except (SafeHTTPError, RobotsDisallowed, FeedParseError, RuleError) as exc:
            context["error"] = str(exc)
        if "feed" in context:
            context["entries"] = context["feed"].entries[:TRY_ENTRIES_SHOWN]
        return self.render_to_response(self.get_context_data(**context))


class SourceImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "scrapers/admin/import.html"
    form_class = ImportForm
    page_title = gettext_lazy("Import sources")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _require(request, "add")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: ImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            form.add_error("file", _("The file is larger than 5 MB."))
            return self.form_invalid(form)
        report = sources_import_csv(
            data=upload.read(), offices=offices_for_user(self.request.user)
        )
        if report.ok:
            messages.success(
                self.request,
                _("%(created)d sources created, %(updated)d updated.")
                % {"created": report.created, "updated": report.updated},
            )
            return redirect("wagtailsnippets_scrapers_source:list")
        return self.render_to_response(
            self.get_context_data(form=form, import_errors=report.errors)
        )


def source_fetch_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Put the source first in line for the next scheduler round."""
    if request.method != "POST":
        return redirect("wagtailsnippets_scrapers_source:list")
    source = get_object_or_404(sources_for_user(request.user), pk=pk)
    if not policy.user_has_permission_for_instance(request.user, "change", source):
        raise PermissionDenied
    from django.utils import timezone

    Source.objects.filter(pk=source.pk).update(
        next_fetch_at=timezone.now(), enqueued_at=None
    )
    messages.success(
        request, _("%(name)s will be fetched within a minute.") % {"name": source.name}
    )
    return redirect("wagtailsnippets_scrapers_source:list")


class TriageView(WagtailAdminTemplateMixin, TemplateView):
    """New items of the editor's offices; make drafts of them or ignore them."""

    template_name = "scrapers/admin/triage.html"
    page_title = gettext_lazy("Triage")
    header_icon = "tasks"
    per_page = 50

    def dispatch(self, request, *args, **kwargs):
        if not offices_for_user(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def items(self):
        items = Item.objects.filter(
            source__in=sources_for_user(self.request.user), state=Item.State.NEW
        ).select_related("source", "source__office")
        if office := self.request.GET.get("office"):
            items = items.filter(source__office__code=office)
        if source := self.request.GET.get("source"):
            items = items.filter(source_id=source)
        return items.order_by("-first_seen_at", "-id")

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["items"] = Paginator(self.items(), self.per_page).get_page(
            self.request.GET.get("p")
        )
        context["offices"] = offices_for_user(self.request.user)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("item") if i.isdigit()]
        mine = list(self.items().filter(pk__in=ids).values_list("pk", flat=True))
        if request.POST.get("action") == "ignore":
            count = items_ignore(item_ids=mine)
            messages.success(request, _("%(n)d items ignored.") % {"n": count})
        elif request.POST.get("action") == "draft":
            made, problems = 0, []
            for item_id in mine:
                try:
                    if item_make_draft(item_id=item_id, user=request.user):
                        made += 1
                except DraftError as exc:
                    problems.append(str(exc))
            messages.success(request, _("%(n)d drafts made.") % {"n": made})
            for problem in sorted(set(problems)):
                messages.error(request, problem)
        return redirect(reverse("scrapers_triage") + "?" + request.GET.urlencode())
