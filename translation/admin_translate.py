"""“Translate with DeepL”: one page (header and listing buttons) or a
selection (a bulk action), the estimate first, then jobs."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Case, Exists, OuterRef, QuerySet, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction
from wagtail.models import Locale, Page
from wagtail_localize.models import Translation

from cms.forms import BoundedModelMultipleChoiceField

from .admin_views import (
    can_edit,
)
from .backends import backend_get
from .budget import budget_status, cost_estimate
from .selectors import Estimate, translation_estimate
from .services import translation_request

EDITOR_REQUEST = "editor request"
# The name of the "Translation" menu that wagtail_hooks makes for the glossary.
MENU_NAME = "translation"


# -- "Translate with DeepL" ----------------------------------------------------


def _is_translation() -> Exists:
    """The page is the target of a wagtail-localize translation."""
    return Exists(
        Translation.objects.filter(
            source__object_id=OuterRef("translation_key"),
            target_locale_id=OuterRef("locale_id"),
        )
    )


@dataclass(frozen=True)
class TranslationPlan:
    """Which pages go into which locale, and what was left out and why."""

    by_locale: dict[Locale, list[Page]]
    # An original page (not a translation) already holds that language.
    originals_in_the_way: list[tuple[Page, Locale]]

    @property
    def jobs(self) -> int:
        return sum(len(pages) for pages in self.by_locale.values())

    def locales_for(self, page: Page) -> list[Locale]:
        return [
            locale
            for locale, pages in self.by_locale.items()
            if any(other.pk == page.pk for other in pages)
        ]

    @property
    def pages(self) -> list[Page]:
        seen: dict[int, Page] = {}
        for pages in self.by_locale.values():
            for page in pages:
                seen.setdefault(page.pk, page)
        return list(seen.values())


def translation_plan(
    *, pages: list[Page], locales: Iterable[Locale]
) -> TranslationPlan:
    """Each page into each chosen locale but its own, unless an original page
    of its own already lives there: translating would overwrite it."""
    locales = list(locales)
    originals = set(
        Page.objects.filter(
            translation_key__in={page.translation_key for page in pages},
            locale__in=locales,
        )
        .annotate(is_translation=_is_translation())
        .filter(is_translation=False)
        .values_list("translation_key", "locale_id")
    )
    by_locale: dict[Locale, list[Page]] = {}
    in_the_way = []
    for locale in locales:
        for page in pages:
            if page.locale_id == locale.pk:
                continue
            if (page.translation_key, locale.pk) in originals:
                in_the_way.append((page, locale))
                continue
            by_locale.setdefault(locale, []).append(page)
    return TranslationPlan(by_locale=by_locale, originals_in_the_way=in_the_way)


def plan_estimate(plan: TranslationPlan) -> Estimate:
    """translation_estimate over the plan: one call when every locale gets the
    same pages, otherwise one per locale, added up."""
    groups = list(plan.by_locale.items())
    same_pages = len({tuple(page.pk for page in pages) for _l, pages in groups}) <= 1
    if same_pages:
        pages = groups[0][1] if groups else []
        return translation_estimate(
            pages=pages, locales=[locale for locale, _p in groups]
        )
    parts = [
        translation_estimate(pages=pages, locales=[locale]) for locale, pages in groups
    ]
    characters = sum(part.characters for part in parts)
    return Estimate(
        pages=len(plan.pages),
        strings=sum(part.strings for part in parts),
        characters=characters,
        cost=cost_estimate(characters),
        currency=parts[0].currency,
        budget_remaining=parts[0].budget_remaining,
    )


class TranslateForm(forms.Form):
    locales = BoundedModelMultipleChoiceField(
        queryset=Locale.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Translate into"),
        error_messages={"required": gettext_lazy("Choose at least one language.")},
    )

    def __init__(self, *args, locales: QuerySet[Locale], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["locales"]
        field.queryset = locales
        field.label_from_instance = lambda locale: locale.get_display_name()


@hooks.register("register_bulk_action")
class TranslateBulkAction(PageBulkAction):
    """Queue machine translations of the chosen pages, after showing what they
    would cost. Also behind each page's "Translate with DeepL" button."""

    display_name = gettext_lazy("Translate with DeepL")
    action_type = "machine_translate"
    aria_label = gettext_lazy("Translate the selected pages with DeepL")
    template_name = "translation/admin/confirm_translate.html"
    action_priority = 60
    form_class = TranslateForm

    def __init__(self, request: HttpRequest, model: type) -> None:
        super().__init__(request, model)
        self._actionable = None
        self.refusals: dict[int, str] = {}

    @classmethod
    def get_queryset(cls, model: type, object_ids: Iterable) -> list[Page]:
        pages = list(
            Page.objects.filter(pk__in=object_ids)
            .select_related("locale")
            .annotate(is_translation=_is_translation())
            .order_by("path")
        )
        if not pages:
            raise Http404
        return pages

    def check_perm(self, page: Page) -> bool:
        if page.is_root():
            reason = _("The root of the page tree is not translated.")
        elif page.is_translation:
            reason = _("It is itself a translation: translate its source page instead.")
        elif not can_edit(self.request.user, page):
            reason = _("You may not edit it.")
        else:
            return True
        self.refusals[page.pk] = reason
        return False

    def get_actionable_objects(self):
        # Asked for by the form, the context and the action: looked up once.
        if self._actionable is None:
            self._actionable = super().get_actionable_objects()
        return self._actionable

    def pages(self) -> list[Page]:
        return self.get_actionable_objects()[0]

    def target_locales(self) -> QuerySet[Locale]:
        """The site's languages, Japanese first; not the pages' own when
        they all share one."""
        own = {page.locale_id for page in self.pages()}
        japanese_first = Case(
            When(language_code=settings.LANGUAGE_CODE, then=0), default=1
        )
        locales = Locale.objects.order_by(japanese_first, "language_code")
        return locales.exclude(pk__in=own) if len(own) == 1 else locales

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["locales"] = locales = self.target_locales()
        kwargs["initial"] = {
            "locales": list(locales.filter(language_code=settings.LANGUAGE_CODE))
        }
        return kwargs

    def chosen_locales(self, form: TranslateForm) -> list[Locale]:
        if form.is_bound:
            return (
                list(form.cleaned_data.get("locales") or []) if form.is_valid() else []
            )
        return list(form.initial["locales"])

    def plan(self, form: TranslateForm) -> TranslationPlan:
        return translation_plan(pages=self.pages(), locales=self.chosen_locales(form))

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["items_with_no_access"] = [
            {**row, "reason": self.refusals.get(row["item"].pk, "")}
            for row in context["items_with_no_access"]
        ]
        context["machine_translation_on"] = backend_get().translates
        if context["machine_translation_on"] and context["items"]:
            plan = self.plan(context["form"])
            context["plan"] = plan
            context["estimate"] = plan_estimate(plan) if plan.jobs else None
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not backend_get().translates:
            messages.error(request, _machine_translation_off())
            return redirect(self.next_url)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: TranslateForm) -> HttpResponse:
        if self.request.POST.get("action") == "estimate":
            return self.render_to_response(self.get_context_data(form=form))
        self.queued_plan = self.plan(form)
        return super().form_valid(form)

    def get_execution_context(self) -> dict:
        return {"user": self.request.user, "plan": self.queued_plan}

    @classmethod
    def execute_action(
        cls, objects: list[Page], user=None, plan: TranslationPlan | None = None, **kw
    ) -> tuple[int, int]:
        if plan is None:
            return 0, 0
        jobs = 0
        for page in plan.pages:
            jobs += len(
                translation_request(
                    page=page,
                    locales=plan.locales_for(page),
                    user=user,
                    reason=EDITOR_REQUEST,
                )
            )
        return len(plan.pages), jobs

    def get_success_message(self, num_parent_objects: int, num_child_objects: int):
        plan = self.queued_plan
        for page, locale in plan.originals_in_the_way:
            messages.info(
                self.request,
                _(
                    "“%(title)s” was not translated into %(language)s: an original "
                    "page already exists in that language."
                )
                % {
                    "title": page.get_admin_display_title(),
                    "language": locale.get_display_name(),
                },
            )
        if not num_child_objects:
            return _("No translation was queued.")
        if budget_status().stopped:
            messages.warning(
                self.request,
                _(
                    "This month's translation budget is spent: the jobs wait until "
                    "the month turns or the budget is raised."
                ),
            )
        return ngettext(
            "%(jobs)d translation job queued for %(pages)s.",
            "%(jobs)d translation jobs queued for %(pages)s.",
            num_child_objects,
        ) % {
            "jobs": num_child_objects,
            "pages": self.get_parent_page_text(num_parent_objects),
        }


def _machine_translation_off() -> str:
    return _(
        "Machine translation is off (no DeepL key is set), so nothing can be "
        "queued. Translate the page in the translation editor instead."
    )


def translate_url(page: Page, next_url: str | None = None) -> str:
    """The confirmation form for one page (the bulk action with one id)."""
    query = {"id": page.pk}
    query["next"] = next_url or reverse("wagtailadmin_pages:edit", args=[page.pk])
    return (
        reverse(
            "wagtail_bulk_action",
            args=["wagtailcore", "page", TranslateBulkAction.action_type],
        )
        + "?"
        + urlencode(query)
    )


class TranslatePageMenuItem(PageMenuItem):
    label = gettext_lazy("Translate with DeepL")
    icon_name = "openquote"

    def is_shown(self, user) -> bool:
        # Translations themselves are refused by the form, which says why: a
        # query per row of the page explorer would cost more than it saves.
        return (
            backend_get().translates
            and not self.page.is_root()
            and can_edit(user, self.page)
        )

    @property
    def url(self) -> str:
        return translate_url(self.page, self.next_url)


@hooks.register("register_page_header_buttons")
def translate_header_button(page: Page, user, view_name: str, next_url=None):
    yield TranslatePageMenuItem(page=page, next_url=next_url, priority=62)


@hooks.register("register_page_listing_more_buttons")
def translate_listing_button(page: Page, user, next_url=None):
    yield TranslatePageMenuItem(page=page, next_url=next_url, priority=62)
