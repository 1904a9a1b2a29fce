"""The weekly newsletter issue: composed by itself from the week's Japanese
articles, in sections by region, and rendered as the e-mail (HTML with a
table layout and inline styles, which mail clients render, and plain text).

The issue is a page (cms.DigestIssuePage) so that editors can change it,
and the site keeps an archive; composing never overwrites an issue that
exists. Sending goes through the outbox's newsletter channel.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.models import Locale, PageLogEntry

from cms.models import (
    ArticlePage,
    Country,
    DigestIssuePage,
    NewsletterIndexPage,
    Region,
)
from cms.siteurl import page_full_url, site_base_url

from .models import Delivery

# Weeks run Monday to Sunday in Japan, where the readers are.
NEWSLETTER_TIME_ZONE = ZoneInfo("Asia/Tokyo")
OTHER_HEADING = "その他"
CORRECTIONS_ACTIONS = ("wagtail.unpublish", "wagtail.unpublish.scheduled")


def week_start_of(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment, NEWSLETTER_TIME_ZONE).date()
    return moment - timedelta(days=moment.weekday())


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    start = datetime.combine(week_start, datetime.min.time(), NEWSLETTER_TIME_ZONE)
    return start, start + timedelta(days=7)


def last_complete_week(now: datetime | None = None) -> date:
    return week_start_of(now or timezone.now()) - timedelta(days=7)


def _japanese() -> Locale:
    return Locale.objects.get(language_code=settings.LANGUAGE_CODE)


def week_articles(week_start: date) -> list[ArticlePage]:
    """The Japanese articles first published that week, oldest first."""
    start, end = week_bounds(week_start)
    return list(
        ArticlePage.objects.live()
        .public()
        .filter(
            locale=_japanese(),
            first_published_at__gte=start,
            first_published_at__lt=end,
        )
        .select_related("office")
        .prefetch_related(
            "topics",
            Prefetch("countries", queryset=Country.objects.select_related("region")),
        )
        .order_by("first_published_at", "pk")
    )


def week_corrections(week_start: date) -> list[ArticlePage]:
    """Japanese articles that week corrected (a correction notice published)
    or withdrawn (unpublished)."""
    start, end = week_bounds(week_start)
    withdrawn = PageLogEntry.objects.filter(
        action__in=CORRECTIONS_ACTIONS, timestamp__gte=start, timestamp__lt=end
    ).values("page_id")
    return list(
        ArticlePage.objects.public()
        .filter(locale=_japanese())
        .filter(
            Q(live=True, last_published_at__gte=start, last_published_at__lt=end)
            & ~Q(correction="")
            | Q(live=False, pk__in=withdrawn)
        )
        .order_by("pk")
    )


@dataclass
class Section:
    heading: str
    region: Region | None
    articles: list[ArticlePage] = field(default_factory=list)


def sections_by_region(articles: list[ArticlePage]) -> list[Section]:
    """One section a region (the region of an article's first country, in
    the regions' order), articles ordered by topic then time within it;
    articles with no country last, under "その他"."""
    by_region: dict[Region | None, list[ArticlePage]] = defaultdict(list)
    for article in articles:
        regions = sorted(
            {country.region for country in article.countries.all()},
            key=lambda region: (region.sort_order, region.pk),
        )
        by_region[regions[0] if regions else None].append(article)

    def topic_key(article: ArticlePage) -> tuple:
        topics = sorted(article.topics.all(), key=lambda t: (t.sort_order, t.slug))
        first = topics[0] if topics else None
        return (
            (first.sort_order, first.slug) if first else (10**6, ""),
            article.first_published_at,
            article.pk,
        )

    regions = sorted(
        (region for region in by_region if region is not None),
        key=lambda region: (region.sort_order, region.pk),
    )
    sections = [
        Section(
            heading=region.name_ja,
            region=region,
            articles=sorted(by_region[region], key=topic_key),
        )
        for region in regions
    ]
    if by_region.get(None):
        sections.append(
            Section(
                heading=OTHER_HEADING,
                region=None,
                articles=sorted(by_region[None], key=topic_key),
            )
        )
    return sections


def digest_compose(*, week_start: date | None = None) -> DigestIssuePage:
    """The issue of a week as a draft in the newsletter archive (the last
    complete week by default). An issue that exists is returned as it is:
    editors may have changed it."""
    week_start = week_start_of(week_start or last_complete_week())
    archive = NewsletterIndexPage.objects.filter(locale=_japanese()).first()
    if archive is None:
        raise LookupError(
            "There is no newsletter archive page: run manage.py newsroom_setup"
        )
    existing = DigestIssuePage.objects.child_of(archive).filter(week_start=week_start)
    if issue := existing.first():
        return issue
    sections = sections_by_region(week_articles(week_start))
    corrections = week_corrections(week_start)
    label = f"{week_start:%Y年%-m月%-d日}の週"
    count = sum(len(section.articles) for section in sections)
    issue = DigestIssuePage(
        title=f"ニュースレター {label}",
        slug=f"{week_start:%Y-%m-%d}",
        week_start=week_start,
        subject=f"つなぐ 海外自治体ニュース {label}（{count}件）",
        preview_text="、".join(section.heading for section in sections)[:150],
        sections=[
            (
                "section",
                {
                    "heading": section.heading,
                    "region": section.region,
                    "articles": section.articles,
                },
            )
            for section in sections
        ],
        corrections=[("correction", article) for article in corrections],
        live=False,
    )
    archive.add_child(instance=issue)
    issue.save_revision()
    return issue


# -- the e-mail ----------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    preview_text: str = ""


def _article_context(article: ArticlePage) -> dict:
    regions = sorted({country.region.name_ja for country in article.countries.all()})
    return {
        "title": article.title,
        "url": page_full_url(article) or "",
        "summary": article.summary,
        "office": article.office.name_ja if article.office_id else "",
        "topics": [topic.name_ja for topic in article.topics.all()],
        "regions": regions,
        "source_name": article.source_name,
        "source_url": article.source_url,
        "date": timezone.localtime(
            article.first_published_at or timezone.now(), NEWSLETTER_TIME_ZONE
        ).date(),
    }


def digest_email_render(
    *, issue: DigestIssuePage, unsubscribe_url: str, test: bool = False
) -> RenderedEmail:
    """The issue as an e-mail. ``unsubscribe_url``: the reader's own link
    (Django e-mail) or Mailchimp's merge tag ``*|UNSUB|*``."""
    sections = [
        {
            "heading": heading,
            "articles": [_article_context(page) for page in articles],
        }
        for heading, articles in issue.sections_shown()
    ]
    corrections = [
        {
            "title": page.title,
            "url": page_full_url(page) if page.live else "",
            "correction": getattr(page, "correction", ""),
            "withdrawn": not page.live,
        }
        for page in issue.corrections_shown()
    ]
    context = {
        "issue": issue,
        "subject": issue.subject,
        "preview_text": issue.preview_text,
        "intro": issue.intro,
        "sections": sections,
        "corrections": corrections,
        "web_url": page_full_url(issue) or "",
        "site_url": _site_url(),
        "unsubscribe_url": unsubscribe_url,
        "test": test,
    }
    subject = f"[テスト] {issue.subject}" if test else issue.subject
    return RenderedEmail(
        subject=subject,
        html=render_to_string("publishers/digest/email.html", context),
        text=render_to_string("publishers/digest/email.txt", context),
        preview_text=issue.preview_text,
    )


def urgent_email_render(
    *, article: ArticlePage, unsubscribe_url: str, test: bool = False
) -> RenderedEmail:
    """One urgent article as an e-mail of its own."""
    item = _article_context(article)
    context = {
        "article": item,
        "subject": f"【緊急】{article.title}",
        "preview_text": article.summary[:150],
        "site_url": _site_url(),
        "unsubscribe_url": unsubscribe_url,
        "test": test,
    }
    subject = context["subject"]
    return RenderedEmail(
        subject=f"[テスト] {subject}" if test else subject,
        html=render_to_string("publishers/digest/urgent.html", context),
        text=render_to_string("publishers/digest/urgent.txt", context),
        preview_text=context["preview_text"],
    )


def _site_url() -> str:
    return site_base_url()


# -- sending -------------------------------------------------------------------


def digest_send(
    *, issue: DigestIssuePage, user: Any = None, at: datetime | None = None
) -> Delivery:
    """Send the issue (at ``at``, or now): it is published first, so its web
    version exists, then goes out as one newsletter delivery of its live
    revision. Asking twice for the same revision changes nothing: an issue
    is never sent twice."""
    from .channels import channel_get
    from .services import deliveries_enqueue

    channel = channel_get("newsletter")
    if channel is None:
        raise LookupError("No newsletter channel is configured")
    if not issue.live or issue.has_unpublished_changes:
        issue.save_revision(user=user).publish(user=user)
        issue.refresh_from_db()
    payload: dict[str, Any] = {"kind": "digest"}
    if at is not None:
        payload["send_at"] = at.isoformat()
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            page_key=issue.pk,
            channel="newsletter",
            target="",
            purpose=Delivery.Purpose.DIGEST,
            revision_key=issue.live_revision_id,
            defaults={
                "page": issue,
                "page_title": issue.title[:255],
                "revision_id": issue.live_revision_id,
                "payload": payload,
                "next_attempt_at": at,
            },
        )
        if created:
            deliveries_enqueue(delivery_ids=[delivery.pk])
    return delivery


def digest_test_send(*, issue: DigestIssuePage, emails: list[str]) -> str:
    """Send the issue as it is now to a few addresses, marked as a test.
    With Mailchimp, through a draft campaign's test send; else by e-mail."""
    from .backends.newsletter import newsletter_backend
    from .newsletter.conf import from_email

    rendered = digest_email_render(
        issue=issue, unsubscribe_url=_site_url() + "/", test=True
    )
    backend = newsletter_backend()
    if backend is None:
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=from_email(),
            to=emails,
        )
        message.attach_alternative(rendered.html, "text/html")
        message.send()
        return f"sent to {len(emails)} addresses"
    campaign_id = backend.campaign_create(
        title=f"tsunagu-test-{issue.pk}",
        subject=rendered.subject,
        preview_text=rendered.preview_text,
        from_name="つなぐ Tsunagu",
        reply_to=from_email(),
        html=rendered.html,
        text=rendered.text,
    )
    backend.campaign_test(campaign_id=campaign_id, emails=emails)
    return f"Mailchimp sent a test of campaign {campaign_id}"


def digest_compose_weekly() -> str:
    """The scheduler's job: last week's issue as a draft, once it is over."""
    week = last_complete_week()
    if not week_articles(week):
        return f"no articles in the week of {week}"
    issue = digest_compose(week_start=week)
    return f"issue {issue.pk} for the week of {week}"
