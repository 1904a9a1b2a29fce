"""Reads of the newsletter's subscribers, for the digest and urgent e-mails
(the outbox's newsletter channel), the admin and the confirmation page.

The embedded default sends to ``subscribers_for_digest()`` and
``subscribers_for_regions(...)``, each message built with
``mail.newsletter_message``; with Mailchimp, campaigns go to the audience
or to the members with ``interest_ids_for_regions(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, QuerySet

from .models import MailchimpInterest, Subscriber

Status = Subscriber.Status


def subscribers_for_digest() -> QuerySet[Subscriber]:
    """Everyone subscribed (confirmed), whatever their interests."""
    return Subscriber.objects.filter(status=Status.SUBSCRIBED).order_by("pk")


def subscribers_for_regions(region_ids: Iterable[int]) -> QuerySet[Subscriber]:
    """Subscribed and interested in any of these regions (cms.Region ids)."""
    return (
        subscribers_for_digest()
        .filter(regions__in=list(region_ids))
        .distinct()
        .order_by("pk")
    )


def subscribers_for_topics(topic_ids: Iterable[int]) -> QuerySet[Subscriber]:
    """Subscribed and interested in any of these topics (cms.Topic ids)."""
    return (
        subscribers_for_digest()
        .filter(topics__in=list(topic_ids))
        .distinct()
        .order_by("pk")
    )


def _interest_ids(kind: str, object_ids: Iterable[int]) -> list[str]:
    return list(
        MailchimpInterest.objects.filter(kind=kind, object_id__in=list(object_ids))
        .order_by("interest_id")
        .values_list("interest_id", flat=True)
    )


def interest_ids_for_regions(region_ids: Iterable[int]) -> list[str]:
    """Mailchimp's interest ids for these regions, as last synced (a region
    not yet synced has none: the sweep syncs interests within a minute)."""
    return _interest_ids(MailchimpInterest.Kind.REGION, region_ids)


def interest_ids_for_topics(topic_ids: Iterable[int]) -> list[str]:
    return _interest_ids(MailchimpInterest.Kind.TOPIC, topic_ids)


def subscriber_counts() -> dict[str, int]:
    """Subscribers per status, every status present (for a dashboard)."""
    counts = dict.fromkeys(Status.values, 0)
    counts.update(
        Subscriber.objects.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return counts


def subscribers_waiting_for_mailchimp() -> QuerySet[Subscriber]:
    """Rows with a change Mailchimp has not taken yet (the admin's filter)."""
    return Subscriber.objects.filter(sync_needed=True)
