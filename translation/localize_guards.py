"""wagtail-localize's admin routes that change pages, with the newsroom's
page permissions in front.

wagtail-localize checks less than its routes do: "convert to alias" asks
only for the edit right, yet makes the page mirror its source, live status
included (a publish without review); "sync translated pages" and "translate
this page" ask only for the model-wide ``submit_translation`` permission,
yet save (and may publish) the translations in every tree; its translations
report lists every translation to every user. These views take the same URLs
(registered before wagtail-localize's, see ``admin_hooks``), check the page
permissions of ``cms.permissions`` and hand over to wagtail-localize.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail_localize.models import Translation, TranslationSource
from wagtail_localize.views import (
    convert,
    edit_translation,
    report,
    submit_translations,
    update_translations,
)

from cms.permissions import pages_in_rooms
from cms.selectors import user_is_hq


def convert_to_alias(request: HttpRequest, page_id: int) -> HttpResponse:
    """An alias shows its source as it is, live or not: converting is publishing."""
    page = get_object_or_404(Page, id=page_id)
    if not page.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return convert.convert_to_alias(request, page_id)


class SubmitPageTranslationView(submit_translations.SubmitPageTranslationView):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        page = get_object_or_404(Page, id=kwargs["page_id"])
        if not page.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UpdateTranslationsView(update_translations.UpdateTranslationsView):
    """Syncing saves every enabled translation, and publishes them on request:
    the user needs that right on each of them (in the Japanese tree, publish)."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        source = get_object_or_404(
            TranslationSource, id=kwargs["translation_source_id"]
        )
        publishing = bool(request.POST.get("publish_translations"))
        for translation in source.translations.filter(enabled=True):
            target = translation.get_target_instance()
            if not isinstance(target, Page):
                continue
            perms = target.permissions_for_user(request.user)
            allowed = (
                perms.can_publish() if publishing else perms.can_change_outside_review()
            )
            if not allowed:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def translations_visible(user, translations: QuerySet[Translation]) -> QuerySet:
    """HQ sees every translation; an office editor those of the pages in
    their rooms (any language version of them)."""
    if user_is_hq(user):
        return translations
    keys = pages_in_rooms(user).values("translation_key")
    return translations.filter(source__object_id__in=keys)


class TranslationsReportFilterSet(report.TranslationsReportFilterSet):
    """wagtail-localize names its two locale filters from their field names
    ("Source locale", "Target locale"), which no catalogue can translate."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["source_locale"].label = _("Source language")
        self.filters["target_locale"].label = _("Target language")


class TranslationsReportView(report.TranslationsReportView):
    filterset_class = TranslationsReportFilterSet

    def get_queryset(self) -> QuerySet[Translation]:
        return translations_visible(self.request.user, super().get_queryset())


def field_required(view):
    """wagtail-localize's string editor and .po upload read their field with
    ``request.POST[...]`` / ``request.FILES[...]``: a request without it was a
    500. It is a 400 here."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except MultiValueDictKeyError as missing:
            return HttpResponseBadRequest(f"Missing field: {missing}")

    wrapped.__wrapped__ = view
    return wrapped


edit_string_translation = field_required(edit_translation.edit_string_translation)
edit_override = field_required(edit_translation.edit_override)
upload_pofile = field_required(edit_translation.upload_pofile)


def guarded_admin_urls() -> list:
    """The same paths as wagtail-localize's (``admin/localize/...``), so
    ``reverse("wagtail_localize:...")`` leads here; this app's hooks run
    before wagtail-localize's (INSTALLED_APPS order), so these match first.
    tests/cms/test_admin_routes.py checks that they do."""
    return [
        path(
            "localize/page/<int:page_id>/convert_to_alias/",
            convert_to_alias,
            name="translation_guard_convert_to_alias",
        ),
        path(
            "localize/submit/page/<int:page_id>/",
            SubmitPageTranslationView.as_view(),
            name="translation_guard_submit_page",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            UpdateTranslationsView.as_view(),
            name="translation_guard_update_translations",
        ),
        path(
            "localize/translate/<int:translation_id>/strings/"
            "<int:string_segment_id>/edit/",
            edit_string_translation,
            name="translation_guard_edit_string",
        ),
        path(
            "localize/translate/<int:translation_id>/overrides/"
            "<int:overridable_segment_id>/edit/",
            edit_override,
            name="translation_guard_edit_override",
        ),
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            upload_pofile,
            name="translation_guard_upload_pofile",
        ),
        path(
            "localize/reports/translations/",
            TranslationsReportView.as_view(),
            name="translation_guard_translations_report",
        ),
        path(
            "localize/reports/translations/results/",
            TranslationsReportView.as_view(results_only=True),
            name="translation_guard_translations_report_results",
        ),
    ]
