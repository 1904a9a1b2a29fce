"""The glossary in the admin: the terms as snippets, CSV import and export,
and the state of the service's copy above the list."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, Table, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.admin_ui import YesNoColumn, code_list

from .backends import backend_get
from .glossary import TARGET_LANGUAGE, glossary_state
from .glossary_csv import (
    COLUMNS,
    MAX_BYTES,
    GlossaryFileError,
    glossary_csv_decode,
    glossary_export_csv,
    glossary_import_csv,
)
from .glossary_replace import (
    glossary_can_replace,
    glossary_replace,
    glossary_replace_preview,
    glossary_restore,
)
from .models import GlossarySnapshot, GlossaryTerm

policy = ModelPermissionPolicy(GlossaryTerm)
LIST_URL = "wagtailsnippets_translation_glossaryterm:list"


def glossary_state_line() -> str:
    """The glossary's version and what the translation service holds, in one line."""
    state = glossary_state()
    values = {"version": state.version, "synced": state.synced_version or 0}
    if state.last_error:
        # A failed sync is never shown as "not yet sent": what failed, and
        # when it is tried again.
        line = _(
            "Glossary version %(version)d; the service has version %(synced)d. "
            "Sync failed: %(error)s"
        ) % {**values, "error": state.last_error}
        if state.next_sync_at:
            when = timezone.localtime(state.next_sync_at)
            line += " " + _("Next try at %(when)s.") % {
                "when": date_format(when, "SHORT_DATETIME_FORMAT")
            }
        return line
    if not backend_get().translates:
        return (
            _(
                "Glossary version %(version)d. Machine translation is off, so the "
                "glossary is not sent anywhere."
            )
            % values
        )
    if state.synced_version is None or state.synced_at is None:
        return (
            _("Glossary version %(version)d, not yet sent to the translation service.")
            % values
        )
    when = date_format(timezone.localtime(state.synced_at), "SHORT_DATETIME_FORMAT")
    return _(
        "Glossary version %(version)d; the translation service has version "
        "%(synced)d, sent %(when)s."
    ) % {**values, "when": when}


class GlossaryTable(Table):
    def render_html(self, parent_context=None) -> str:
        request = (parent_context or {}).get("request")
        return format_html(
            '<p class="nice-padding w-mt-4" data-glossary-state>{}</p>{}{}',
            glossary_state_line(),
            glossary_restore_forms(request),
            super().render_html(parent_context),
        )


class GlossaryIndexView(snippet_views.IndexView):
    table_class = GlossaryTable

    @cached_property
    def columns(self) -> list:
        # The term (first in list_display) stays the link to the edit form,
        # shown after the language (second).
        columns = list(super().columns)
        term = next(i for i, c in enumerate(columns) if isinstance(c, TitleColumn))
        columns[term], columns[term + 1] = columns[term + 1], columns[term]
        return columns

    @property
    def header_buttons(self) -> list:
        buttons = list(super().header_buttons)
        user = self.request.user
        if policy.user_has_permission(user, "view"):
            buttons.append(
                HeaderButton(
                    _("Export CSV"),
                    url=reverse("translation_glossary_export"),
                    icon_name="download",
                )
            )
        if glossary_can_import(user):
            buttons.append(
                HeaderButton(
                    _("Import CSV"),
                    url=reverse("translation_glossary_import"),
                    icon_name="upload",
                )
            )
        return buttons


class GlossaryViewSet(SnippetViewSet):
    model = GlossaryTerm
    icon = "list-ul"
    menu_label = gettext_lazy("Glossary")
    menu_name = "glossary"
    index_view_class = GlossaryIndexView
    list_display = [
        "source_term",
        "source_language",
        Column("japanese", label=gettext_lazy("Japanese"), sort_key="target_term"),
        YesNoColumn(
            "do_not_translate",
            label=gettext_lazy("Do not translate"),
            sort_key="do_not_translate",
        ),
    ]
    list_filter = ["source_language", "do_not_translate"]
    search_fields = ["source_term", "target_term", "note"]
    list_per_page = 100
    panels = [
        FieldPanel("source_language"),
        FieldPanel("source_term"),
        FieldPanel("target_term"),
        FieldPanel("do_not_translate"),
        FieldPanel("note"),
    ]


def glossary_can_import(user) -> bool:
    return policy.user_has_permission(user, "add") and policy.user_has_permission(
        user, "change"
    )


class GlossaryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    replace = forms.BooleanField(
        label=gettext_lazy("Replace one language's terms"),
        required=False,
        help_text=gettext_lazy(
            "HQ glossary managers only: the chosen language's terms become the "
            "file's, and those the file lacks are deleted. You see what changes "
            "before it applies, and the previous terms are kept for a restore. "
            "Without this, the file adds and updates terms and deletes none."
        ),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language to replace"),
        required=False,
        choices=[("", "---------")]
        + [
            (code, name)
            for code, name in settings.WAGTAIL_CONTENT_LANGUAGES
            if code != TARGET_LANGUAGE
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = format_html(
            _(
                "Columns: {columns} and, if wanted, {optional} ({yes} or {no}). "
                "The first line names them. UTF-8: in Excel, save as “CSV UTF-8 "
                "(Comma delimited)”."
            ),
            columns=code_list(COLUMNS[:4]),
            optional=code_list(COLUMNS[4:]),
            yes=code_list(("yes",)),
            no=code_list(("no",)),
        )


class GlossaryImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    form_class = GlossaryImportForm
    page_title = gettext_lazy("Import the glossary")
    header_icon = "upload"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not glossary_can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list[dict]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(LIST_URL), "label": _("Glossary")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=reverse("translation_glossary_import"),
            form_is_multipart=True,
            submit_button_label=_("Import"),
            submit_button_active_label=_("Importing…"),
        )
        return context

    def form_valid(self, form: GlossaryImportForm) -> HttpResponse:
        upload = form.cleaned_data["file"]
        replace = form.cleaned_data["replace"]
        language = form.cleaned_data["language"]
        if replace and not glossary_can_replace(self.request.user):
            form.add_error(
                "replace",
                _("Only HQ's glossary managers may replace a language's terms."),
            )
            return self.form_invalid(form)
        if replace and not language:
            form.add_error("language", _("Choose the language whose terms to replace."))
            return self.form_invalid(form)
        try:
            # No more than one byte past the limit is read.
            text = glossary_csv_decode(
                data=upload.read(MAX_BYTES + 1), size=upload.size
            )
        except GlossaryFileError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        if replace:
            return self._preview(form, text, language)
        report = glossary_import_csv(text=text)
        if not report.ok:
            form.add_error("file", report.errors)
            messages.error(
                self.request,
                _("Nothing was imported. Correct the lines below and try again."),
            )
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Glossary imported: %(created)d terms created, %(updated)d "
                "updated, %(removed)d removed, %(unchanged)d unchanged."
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "removed": report.removed,
                "unchanged": report.unchanged,
            },
        )
        return redirect(LIST_URL)

    def _preview(
        self, form: GlossaryImportForm, text: str, language: str
    ) -> HttpResponse:
        diff = glossary_replace_preview(text=text, language=language)
        if not diff.ok:
            form.add_error("file", diff.errors)
            return self.form_invalid(form)
        context = self.get_context_data(form=form)
        context.update(diff=diff, text=text, language=language)
        return TemplateResponse(
            self.request, "translation/admin/glossary_replace_preview.html", context
        )


@require_POST
def glossary_replace_view(request: HttpRequest) -> HttpResponse:
    """The replacement the preview showed, confirmed."""
    if not glossary_can_replace(request.user):
        raise PermissionDenied
    language = request.POST.get("language", "")
    if language not in dict(GlossaryImportForm.base_fields["language"].choices):
        raise PermissionDenied
    diff = glossary_replace(
        text=request.POST.get("text", ""), language=language, user=request.user
    )
    if not diff.ok:
        messages.error(request, _("Nothing was replaced: ") + " ".join(diff.errors))
        return redirect("translation_glossary_import")
    messages.success(
        request,
        _(
            "The %(language)s terms were replaced: %(added)d added, %(changed)d "
            "changed, %(removed)d removed. The previous terms are kept: "
            "“Restore” above the list puts them back."
        )
        % {
            "language": language,
            "added": len(diff.added),
            "changed": len(diff.changed),
            "removed": len(diff.removed),
        },
    )
    return redirect(LIST_URL)


@require_POST
def glossary_restore_view(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    if not glossary_can_replace(request.user):
        raise PermissionDenied
    snapshot = get_object_or_404(GlossarySnapshot, pk=snapshot_id)
    diff = glossary_restore(snapshot=snapshot, user=request.user)
    messages.success(
        request,
        _(
            "The %(language)s terms are back as they were on %(when)s: "
            "%(added)d added, %(changed)d changed, %(removed)d removed. They "
            "are sent to the translation service again."
        )
        % {
            "language": snapshot.source_language,
            "when": date_format(
                timezone.localtime(snapshot.created_at), "SHORT_DATETIME_FORMAT"
            ),
            "added": len(diff.added),
            "changed": len(diff.changed),
            "removed": len(diff.removed),
        },
    )
    return redirect(LIST_URL)


def glossary_restore_forms(request: HttpRequest) -> str:
    """One button per language with kept terms: restore the latest."""
    if request is None or not glossary_can_replace(request.user):
        return ""
    latest: dict[str, GlossarySnapshot] = {}
    for snapshot in GlossarySnapshot.objects.order_by("-created_at", "-id")[:50]:
        latest.setdefault(snapshot.source_language, snapshot)
    token = get_token(request)
    return format_html_join(
        "",
        '<form method="post" action="{}" class="nice-padding" data-glossary-restore>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<button type="submit" class="button button-small button-secondary">{}'
        "</button></form>",
        (
            (
                reverse("translation_glossary_restore", args=[snapshot.pk]),
                token,
                _(
                    "Restore the %(language)s terms as they were before %(reason)s "
                    "on %(when)s"
                )
                % {
                    "language": language,
                    "reason": snapshot.reason,
                    "when": date_format(
                        timezone.localtime(snapshot.created_at),
                        "SHORT_DATETIME_FORMAT",
                    ),
                },
            )
            for language, snapshot in sorted(latest.items())
        ),
    )


def glossary_export_view(request: HttpRequest) -> HttpResponse:
    if not policy.user_has_permission(request.user, "view"):
        raise PermissionDenied
    # The BOM makes Excel read the file as UTF-8 rather than Shift_JIS.
    response = HttpResponse(
        "\ufeff" + glossary_export_csv(), content_type="text/csv; charset=utf-8"
    )
    filename = f"glossary-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def glossary_admin_urls() -> list:
    return [
        path(
            "translation/glossary/import/",
            GlossaryImportView.as_view(),
            name="translation_glossary_import",
        ),
        path(
            "translation/glossary/replace/",
            glossary_replace_view,
            name="translation_glossary_replace",
        ),
        path(
            "translation/glossary/restore/<int:snapshot_id>/",
            glossary_restore_view,
            name="translation_glossary_restore",
        ),
        path(
            "translation/glossary/export/",
            glossary_export_view,
            name="translation_glossary_export",
        ),
    ]
