"""The scheduler's job for the newsletter's subscribers
(settings.TSUNAGU_SCHEDULER: ``publishers.newsletter.jobs.newsletter_sweep``):
ring again for what is due, keep Mailchimp's interests in step with the
regions and topics, and forget sign-ups never confirmed."""

import logging

from django.db import transaction
from django.utils import timezone

from publishers.backends.newsletter import NewsletterError, newsletter_backend

from .services import confirmation_enqueue, confirmations_due, pending_prune
from .sync import interests_stale, newsletter_interests_sync, sync_enqueue, syncs_due

logger = logging.getLogger(__name__)


def newsletter_sweep() -> str:
    now = timezone.now()
    notes = []
    if newsletter_backend() is not None and interests_stale():
        # A region or topic is new, renamed or gone.
        try:
            notes.append(newsletter_interests_sync())
        except NewsletterError as error:
            logger.warning("Mailchimp interests sync failed: %s", error)
            notes.append(f"interests sync failed: {error}")
    syncs = syncs_due(now=now)
    confirmations = confirmations_due(now=now)
    with transaction.atomic():
        sync_enqueue(subscriber_ids=syncs)
        confirmation_enqueue(subscriber_ids=confirmations)
    pruned = pending_prune(now=now)
    return "; ".join(
        [
            f"enqueued {len(syncs)} Mailchimp syncs and "
            f"{len(confirmations)} confirmation e-mails",
            f"deleted {pruned} sign-ups never confirmed",
            *notes,
        ]
    )
