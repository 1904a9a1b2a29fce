"""The consent text's versions, and the reads the newsletter's sending uses."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from publishers.newsletter import consent
from publishers.newsletter.addresses import email_digest, email_digests
from publishers.newsletter.consent import consent_check, consent_get, consent_hash
from publishers.newsletter.jobs import newsletter_sweep
from publishers.newsletter.models import ConsentRecord, Subscriber
from publishers.newsletter.selectors import (
    interest_ids_for_regions,
    subscriber_counts,
    subscribers_for_digest,
    subscribers_for_regions,
    subscribers_for_topics,
)
from publishers.newsletter.services import pending_prune
from publishers.newsletter.sync import newsletter_interests_sync

from .conftest import confirm_path


def test_published_consent_texts_match_their_hashes():
    assert consent_check() == []


def test_an_edited_consent_text_fails_the_system_check(monkeypatch):
    monkeypatch.setitem(
        consent.PUBLISHED, "2026-11", {**consent.PUBLISHED["2026-11"], "ja": "0" * 64}
    )
    [error] = consent_check()
    assert error.id == "newsletter.E003"
    assert "2026-11.ja.txt changed after it was published" in error.msg


def test_an_unpublished_version_fails_the_system_check(settings):
    settings.NEWSLETTER_CONSENT_VERSION = "2099-01"
    assert [e.id for e in consent_check()] == ["newsletter.E001"]


def test_the_hash_ignores_line_endings_only():
    assert consent_hash("a\r\nb\n") == consent_hash("a\nb")
    assert consent_hash("a\nb") != consent_hash("a\nb.")


def test_consent_for_a_language_without_a_text_is_the_english_one():
    assert consent_get(language="ko").language == "en"
    assert consent_get(language="ja").text.startswith("つなぐ")


def test_the_digest_is_keyed_and_survives_a_key_rotation(settings):
    old = email_digest("Tanaka@City.example.jp")
    assert old == email_digest("tanaka@city.example.jp")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-" + "x" * 20
    assert email_digest("tanaka@city.example.jp") != old
    assert old in email_digests("tanaka@city.example.jp")


@pytest.mark.django_db
def test_selectors_for_the_digest_and_urgent_news(signup, client, regions, topics):
    signup("a@city.example.lg.jp", regions=[regions[0].pk], topics=[topics[0].pk])
    signup("b@city.example.lg.jp", regions=[regions[1].pk], topics=None)
    signup("c@city.example.lg.jp", regions=[regions[0].pk, regions[1].pk])
    for message in mail.outbox[:2]:
        client.post(confirm_path(message))
    # c stays pending.

    def emails(queryset) -> list[str]:
        return [s.email for s in queryset]

    assert emails(subscribers_for_digest()) == [
        "a@city.example.lg.jp",
        "b@city.example.lg.jp",
    ]
    assert emails(subscribers_for_regions([regions[0].pk])) == ["a@city.example.lg.jp"]
    assert emails(subscribers_for_regions([regions[0].pk, regions[1].pk])) == [
        "a@city.example.lg.jp",
        "b@city.example.lg.jp",
    ]
    assert emails(subscribers_for_regions([regions[2].pk])) == []
    assert emails(subscribers_for_topics([topics[0].pk])) == ["a@city.example.lg.jp"]
    counts = subscriber_counts()
    assert counts == {
        "pending": 1,
        "subscribed": 2,
        "unsubscribed": 0,
        "cleaned": 0,
        "erased": 0,
    }
    assert set(counts) == set(Subscriber.Status.values)


@pytest.mark.django_db
def test_interest_ids_for_regions(mailchimp, regions):
    assert interest_ids_for_regions([regions[0].pk]) == []
    newsletter_interests_sync()
    ids = interest_ids_for_regions([regions[0].pk, regions[1].pk])
    assert len(ids) == 2
    assert set(ids) <= {
        i for names in mailchimp.categories.values() for i in names.values()
    }


@pytest.mark.django_db
def test_confirmation_emails_lost_with_their_task_are_sent_by_the_sweep(
    regions, committed
):
    # Posted without running the commit's callbacks: the task is lost.
    Client().post(
        "/newsletter/",
        {
            "email": "lost@city.example.lg.jp",
            "organisation": "x",
            "regions": [regions[0].pk],
            "consent": "on",
        },
    )
    assert mail.outbox == []
    with committed():
        assert "0 confirmation e-mails" in newsletter_sweep()
    Subscriber.objects.update(
        confirm_requested_at=timezone.now() - timedelta(minutes=11)
    )
    with committed():
        assert "1 confirmation e-mails" in newsletter_sweep()
    assert len(mail.outbox) == 1
    with committed():
        newsletter_sweep()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_confirmation_email_is_retried(signup, monkeypatch, committed):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("SMTP server refused the connection")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    signup()
    subscriber = Subscriber.objects.get()
    assert subscriber.confirm_sent_at is None
    assert "refused" in subscriber.confirm_error
    monkeypatch.undo()
    Subscriber.objects.update(confirm_next_at=timezone.now() - timedelta(seconds=1))
    with committed():
        newsletter_sweep()
    assert len(mail.outbox) == 1
    assert Subscriber.objects.get().confirm_error == ""


@pytest.mark.django_db
def test_signups_never_confirmed_are_deleted_after_the_keep_days(signup):
    signup()
    assert pending_prune() == 0
    Subscriber.objects.update(status_changed_at=timezone.now() - timedelta(days=31))
    # Its latest link (asked for yesterday) may still work: kept.
    Subscriber.objects.update(confirm_requested_at=timezone.now() - timedelta(days=1))
    assert pending_prune() == 0
    Subscriber.objects.update(confirm_requested_at=timezone.now() - timedelta(days=31))
    assert pending_prune() == 1
    assert not Subscriber.objects.exists()
    record = ConsentRecord.objects.get(action="expired")
    assert record.subscriber_id is None
