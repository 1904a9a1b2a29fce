"""What Mailchimp's audience webhooks report, applied to the subscribers.

Mailchimp holds the truth about membership: unsubscribes, bounces
(cleaned), confirmations, profile and address changes made there come back
here. Unknown addresses and campaign events are ignored; the same event
applied twice changes nothing more; an event fired before the last change
here is stale (records.remote_status_apply).
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from publishers.backends.newsletter import WebhookEvent

from .addresses import email_key
from .models import Prefecture, Subscriber
from .records import remote_status_apply
from .sync import MERGE_ORGANISATION, MERGE_PREFECTURE

logger = logging.getLogger(__name__)

Status = Subscriber.Status
ORGANISATION_LENGTH = Subscriber._meta.get_field("organisation").max_length


def _find(email: str) -> Subscriber | None:
    if not email:
        return None
    subscriber = Subscriber.objects.filter(email_key=email_key(email)).first()
    if subscriber is None or subscriber.status == Status.ERASED:
        return None
    return subscriber


_PREFECTURE_BY_NAME = {label: code for code, label in Prefecture.choices}


def _profile_apply(subscriber: Subscriber, merges: dict[str, str]) -> bool:
    changes: dict[str, str] = {}
    organisation = merges.get(MERGE_ORGANISATION)
    if (
        organisation is not None
        and organisation.strip()[:ORGANISATION_LENGTH] != subscriber.organisation
    ):
        changes["organisation"] = organisation.strip()[:ORGANISATION_LENGTH]
    prefecture = merges.get(MERGE_PREFECTURE)
    if prefecture is not None:
        code = _PREFECTURE_BY_NAME.get(prefecture.strip(), "")
        if (code or not prefecture.strip()) and code != subscriber.prefecture:
            changes["prefecture"] = code
    if changes:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            **changes, updated_at=timezone.now()
        )
    return bool(changes)


def _email_change(subscriber: Subscriber, new_email: str) -> str:
    try:
        validate_email(new_email)
    except ValidationError:
        return "upemail: the new address is not valid, ignored"
    key = email_key(new_email)
    if key == subscriber.email_key and new_email == subscriber.email:
        return "upemail: nothing to change"
    if Subscriber.objects.filter(email_key=key).exclude(pk=subscriber.pk).exists():
        logger.warning(
            "Mailchimp moved subscriber %s to an address another subscriber has; "
            "left as it is",
            subscriber.pk,
            extra={"subscriber_id": subscriber.pk},
        )
        return "upemail: the new address belongs to another subscriber, ignored"
    try:
        with transaction.atomic():
            Subscriber.objects.filter(pk=subscriber.pk).update(
                email=new_email.strip(), email_key=key, updated_at=timezone.now()
            )
    except IntegrityError:
        return "upemail: the new address belongs to another subscriber, ignored"
    return "upemail: address changed"


def webhook_events_apply(*, events: list[WebhookEvent]) -> list[str]:
    """Apply what Mailchimp reports; unknown addresses and campaign events
    are ignored. Applying the same event twice changes nothing more."""
    notes = []
    for event in events:
        if event.type == "campaign":
            notes.append("campaign: not for the subscribers, ignored")
            continue
        subscriber = _find(event.email)
        if subscriber is None:
            notes.append(f"{event.type}: unknown address, ignored")
            continue
        at = event.fired_at
        if event.type == "subscribe":
            changed = remote_status_apply(
                subscriber_id=subscriber.pk,
                remote_status="subscribed",
                at=at,
                reason="webhook",
            )
        elif event.type == "unsubscribe":
            reason = (
                "deleted in Mailchimp" if event.action == "delete" else event.reason
            )
            changed = remote_status_apply(
                subscriber_id=subscriber.pk,
                remote_status="unsubscribed",
                at=at,
                reason=reason or "webhook",
            )
        elif event.type == "cleaned":
            changed = remote_status_apply(
                subscriber_id=subscriber.pk,
                remote_status="cleaned",
                at=at,
                reason=event.reason or "webhook",
            )
        elif event.type == "profile":
            changed = _profile_apply(subscriber, event.merges)
        elif event.type == "upemail":
            notes.append(_email_change(subscriber, event.new_email))
            continue
        else:
            notes.append(f"{event.type}: ignored")
            continue
        notes.append(f"{event.type}: {'applied' if changed else 'nothing to change'}")
    return notes
