"""The newsletter's issues as pages: an archive on the site (the e-mail's
"read it on the web" link) and the page editors compose, test and send.

An issue is composed by itself from the week's Japanese articles
(publishers/digest.py), in sections by region; editors change the
sections, the introduction and the subject before sending. Sending goes
through the outbox (a Delivery of the newsletter channel).
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.snippets.blocks import SnippetChooserBlock

from publishers.panels import DigestSendPanel

from ..permissions import NewsroomPermissionsMixin
from .pages import CachedPageMixin, SiteURLMixin


class DigestSectionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), max_length=100)
    region = SnippetChooserBlock(
        "cms.Region",
        required=False,
        label=_("region"),
        help_text=_("For a region's section: its readers' interests follow it."),
    )
    articles = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="cms.ArticlePage", label=_("article")),
        label=_("articles"),
    )

    class Meta:
        icon = "list-ul"
        label = _("section")


class NewsletterIndexPage(
    NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, Page
):
    """The archive of newsletter issues, newest first."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.DigestIssuePage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("newsletter archive")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["issues"] = (
            DigestIssuePage.objects.child_of(self)
            .live()
            .public()
            .order_by("-week_start", "-pk")
        )
        return context


class DigestIssuePage(NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, Page):
    week_start = models.DateField(
        _("week starting"), help_text=_("The Monday of the week it covers.")
    )
    subject = models.CharField(
        _("e-mail subject"), max_length=150, help_text=_("What the inbox shows.")
    )
    preview_text = models.CharField(
        _("preview text"),
        max_length=150,
        blank=True,
        help_text=_("The line mail clients show after the subject."),
    )
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )
    sections = StreamField(
        [("section", DigestSectionBlock())],
        blank=True,
        verbose_name=_("sections"),
    )
    corrections = StreamField(
        [
            (
                "correction",
                blocks.PageChooserBlock(
                    page_type="cms.ArticlePage", label=_("corrected article")
                ),
            )
        ],
        blank=True,
        verbose_name=_("corrections"),
        help_text=_("Articles corrected or withdrawn since the last issue."),
    )

    parent_page_types = ["cms.NewsletterIndexPage"]
    subpage_types: list[str] = []
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("week_start"),
                FieldPanel("subject"),
                FieldPanel("preview_text"),
            ],
            heading=_("Issue"),
        ),
        FieldPanel("intro"),
        FieldPanel("sections"),
        FieldPanel("corrections"),
        DigestSendPanel(heading=_("Send")),
    ]

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def articles(self) -> list:
        """Every article of the issue, in order, once."""
        seen: dict[int, object] = {}
        for section in self.sections:
            for article in section.value["articles"]:
                if article is not None and article.pk not in seen:
                    seen[article.pk] = article.specific
        return list(seen.values())

    def sections_shown(self) -> list[tuple[str, list]]:
        """(heading, articles) of each section with something to show: only
        live articles that anyone may see. An editor may have chosen a draft
        or a restricted article; neither is ever in the e-mail or on the
        issue's page."""
        from cms.selectors import pages_restricted

        chosen = [
            [page for page in section.value["articles"] if page is not None]
            for section in self.sections
        ]
        hidden = pages_restricted(page.pk for pages in chosen for page in pages)
        shown = []
        for section, pages in zip(self.sections, chosen, strict=True):
            articles = [
                page.specific for page in pages if page.live and page.pk not in hidden
            ]
            if articles:
                shown.append((section.value["heading"], articles))
        return shown

    def corrections_shown(self) -> list:
        """The corrected or withdrawn articles to list: ones that were public
        (a draft never published is not withdrawn; a restricted article is
        never named)."""
        from cms.selectors import pages_restricted

        chosen = [block.value for block in self.corrections if block.value is not None]
        hidden = pages_restricted(page.pk for page in chosen)
        return [
            page.specific
            for page in chosen
            if page.pk not in hidden and (page.live or page.first_published_at)
        ]

    def region_ids(self) -> list[int]:
        return [
            section.value["region"].pk
            for section in self.sections
            if section.value.get("region") is not None
        ]
