"""Erasure on request: Mailchimp's permanent delete first, then the row
here; the consent audit stays with the digest only; Mailchimp down means
waiting and retrying, never losing the request."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from publishers.backends.newsletter import ConfigurationError, TemporaryError
from publishers.backends.newsletter import subscriber_hash as mailchimp_hash
from publishers.newsletter.addresses import email_digest
from publishers.newsletter.jobs import newsletter_sweep
from publishers.newsletter.models import ConsentRecord, Subscriber
from publishers.newsletter.selectors import (
    subscriber_counts,
    subscribers_for_digest,
    subscribers_for_regions,
)
from publishers.newsletter.services import Erasure, subscriber_erase

from .conftest import confirm_path

pytestmark = pytest.mark.django_db

EMAIL = "tanaka@city.example.lg.jp"


def _no_personal_data_left() -> None:
    assert not Subscriber.objects.exists()
    for record in ConsentRecord.objects.all():
        assert record.subscriber_id is None
        assert record.email_digest == email_digest(EMAIL)
        values = [str(v) for v in record.__dict__.values()]
        assert not any("tanaka" in v or "札幌" in v for v in values)


def test_embedded_erasure_deletes_the_row_and_keeps_a_digest_only_audit(
    signup, client, admin_user
):
    signup(EMAIL)
    client.post(confirm_path(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber_erase(subscriber=subscriber, user=admin_user) == Erasure.DONE
    _no_personal_data_left()
    actions = list(
        ConsentRecord.objects.order_by("at", "pk").values_list("action", flat=True)
    )
    assert actions == ["given", "confirmed", "erased"]
    erased = ConsentRecord.objects.get(action="erased")
    assert erased.source == "admin"
    assert erased.reason == f"on request, by user {admin_user.pk}"


def test_mailchimp_erasure_deletes_permanently_there_first(
    mailchimp, signup, admin_user
):
    signup(EMAIL)
    mailchimp.member_confirm(EMAIL)
    subscriber = Subscriber.objects.get()
    mailchimp.calls.clear()
    assert subscriber_erase(subscriber=subscriber, user=admin_user) == Erasure.DONE
    assert [name for name, _ in mailchimp.calls] == ["member_delete_permanently"]
    assert mailchimp_hash(EMAIL) in mailchimp.forgotten
    _no_personal_data_left()


def test_mailchimp_down_keeps_the_erasure_waiting_and_retries(
    mailchimp, signup, admin_user, committed, regions
):
    signup(EMAIL)
    mailchimp.member_confirm(EMAIL)
    subscriber = Subscriber.objects.get()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        status=Subscriber.Status.SUBSCRIBED
    )
    mailchimp.fail_next(
        TemporaryError("Mailchimp is unavailable"),
        times=2,
        method="member_delete_permanently",
    )
    outcome = subscriber_erase(subscriber=subscriber, user=admin_user)
    assert outcome == Erasure.WAITING
    subscriber.refresh_from_db()
    # Erased here as far as it can be: only the address, to ask again.
    assert subscriber.status == Subscriber.Status.ERASED
    assert subscriber.organisation == ""
    assert subscriber.prefecture == ""
    assert not subscriber.regions.exists()
    assert subscriber.sync_needed
    assert "unavailable" in subscriber.sync_error
    # In no list meanwhile.
    assert not subscribers_for_digest().exists()
    assert not subscribers_for_regions([r.pk for r in regions]).exists()
    assert subscriber_counts()["erased"] == 1
    assert mailchimp.members[mailchimp_hash(EMAIL)].status == "subscribed"

    for expected in (Subscriber.Status.ERASED, None):
        Subscriber.objects.filter(pk=subscriber.pk).update(
            sync_next_at=timezone.now() - timedelta(seconds=1)
        )
        with committed():
            newsletter_sweep()
        row = Subscriber.objects.filter(pk=subscriber.pk).first()
        assert (row.status if row else None) == expected
    assert mailchimp_hash(EMAIL) in mailchimp.forgotten
    _no_personal_data_left()
    assert ConsentRecord.objects.filter(action="erased").count() == 1


def test_a_misconfigured_mailchimp_keeps_the_erasure_waiting(
    mailchimp, signup, admin_user
):
    signup(EMAIL)
    mailchimp.fail_next(ConfigurationError("The API key is wrong"))
    subscriber = Subscriber.objects.get()
    outcome = subscriber_erase(subscriber=subscriber, user=admin_user)
    assert outcome == Erasure.WAITING
    subscriber.refresh_from_db()
    assert subscriber.sync_next_at - timezone.now() > timedelta(minutes=59)


def test_an_address_mailchimp_never_had_is_erased_too(mailchimp, admin_user):
    subscriber = Subscriber.objects.create(
        email=EMAIL, email_key=EMAIL, organisation="x", consent_version="2026-11"
    )
    assert subscriber_erase(subscriber=subscriber, user=admin_user) == Erasure.DONE
    assert not Subscriber.objects.exists()


def test_erasing_twice_is_harmless(signup, admin_user):
    signup(EMAIL)
    subscriber = Subscriber.objects.get()
    subscriber_erase(subscriber=subscriber, user=admin_user)
    assert subscriber_erase(subscriber=subscriber, user=admin_user) == Erasure.DONE
    assert ConsentRecord.objects.filter(action="erased").count() == 1


def test_signing_up_while_an_erasure_waits_changes_nothing(
    mailchimp, signup, admin_user
):
    signup(EMAIL)
    mailchimp.fail_next(TemporaryError("down"), method="member_delete_permanently")
    subscriber_erase(subscriber=Subscriber.objects.get(), user=admin_user)
    signup(EMAIL, organisation="again")
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.ERASED
    assert subscriber.organisation == ""


def test_consent_records_cannot_be_rewritten(signup):
    signup(EMAIL)
    record = ConsentRecord.objects.get()
    record.action = "confirmed"
    with pytest.raises(ValueError, match="never changed"):
        record.save()


def test_a_refused_address_is_cleaned_once(signup, client):
    from publishers.newsletter.services import subscriber_clean

    signup(EMAIL)
    client.post(confirm_path(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert subscriber_clean(subscriber=subscriber, reason="550 no such user")
    assert not subscriber_clean(subscriber=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CLEANED
    assert not subscribers_for_digest().exists()
    record = ConsentRecord.objects.get(action="cleaned")
    assert (record.source, record.reason) == ("system", "550 no such user")
