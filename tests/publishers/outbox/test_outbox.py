"""The outbox: one delivery per channel and intent, exactly once, whatever
path published the page and whatever happened to the worker."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageLogEntry

from publishers.channels import ChannelError, OutcomeUnknown
from publishers.models import ChannelDefault, Delivery, PartnerWebhook
from publishers.services import (
    delivery_retry,
    delivery_run,
    delivery_skip,
    outbox_sweep,
)

from . import channels as recording

pytestmark = pytest.mark.django_db

State = Delivery.State


def rows(page, **filters) -> list[Delivery]:
    return list(
        Delivery.objects.filter(page_key=page.pk, **filters).order_by("channel", "pk")
    )


def run_due() -> list[str]:
    """What a worker does with every due row, now."""
    return [
        delivery_run(delivery_id=pk)
        for pk in Delivery.objects.filter(
            state__in=[State.PENDING, State.UNKNOWN]
        ).values_list("pk", flat=True)
    ]


def make_due(delivery: Delivery) -> None:
    """Move the clock past the row's next attempt."""
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_publish_makes_one_delivery_per_channel_used(make_article):
    PartnerWebhook.objects.create(organisation="Pref A", url="https://a.example/h")
    PartnerWebhook.objects.create(organisation="Pref B", url="https://b.example/h")
    PartnerWebhook.objects.create(
        organisation="Off", url="https://c.example/h", active=False
    )
    article = make_article("Premier")
    made = rows(article)
    assert {(d.channel, d.purpose) for d in made} == {
        ("social", "publish"),
        ("webhooks", "publish"),
    }
    assert len([d for d in made if d.channel == "webhooks"]) == 2  # one a partner
    assert all(d.revision_key == article.live_revision_id for d in made)
    assert all(d.state == State.PENDING and d.enqueued_at for d in made)
    # No website row: neither a CDN nor a WebSub hub is configured.
    assert not rows(article, channel="website")


def test_the_same_publish_told_twice_makes_nothing_more(make_article):
    from publishers.services import outbox_page_published

    article = make_article("Une fois")
    before = rows(article)
    outbox_page_published(page=article, revision=article.live_revision)
    assert rows(article) == before


def test_purposes_follow_the_articles_life(make_article):
    article = make_article("Vie")
    assert [d.purpose for d in rows(article, channel="social")] == ["publish"]
    article.summary = "Changed."
    article.save_revision().publish()
    # An update is not announced on X (the recording channel skips it).
    assert [d.purpose for d in rows(article, channel="social")] == ["publish"]
    article.correction = "The date was wrong: it is the 3rd, not the 4th."
    article.save_revision().publish()
    assert [d.purpose for d in rows(article, channel="social")] == [
        "publish",
        "correction",
    ]
    article.refresh_from_db()
    live_revision = article.live_revision_id
    article.unpublish()
    unpublish = rows(article, channel="social", purpose="unpublish")
    assert [d.revision_key for d in unpublish] == [live_revision]


def test_channels_follow_the_page_then_its_office_then_everywhere(make_article):
    from django.contrib.contenttypes.models import ContentType

    from cms.models import ArticlePage, Office

    article_type = ContentType.objects.get_for_model(ArticlePage)
    ChannelDefault.objects.create(
        page_type=article_type, office=None, channel="social", enabled=False
    )
    assert not rows(make_article("Nulle part"), channel="social")
    ChannelDefault.objects.create(
        page_type=article_type,
        office=Office.objects.get(code="par"),
        channel="social",
        enabled=True,
    )
    assert rows(make_article("À Paris"), channel="social")
    assert not rows(
        make_article("À Londres", office="lon", locale="en"), channel="social"
    )
    assert rows(
        make_article("Choisi", office="lon", locale="en", to_x=True), channel="social"
    )
    assert not rows(make_article("Refusé", to_x=False), channel="social")


def test_a_delivery_is_sent_once_and_records_the_remote_id(make_article):
    article = make_article("Envoi")
    (delivery,) = rows(article, channel="social")
    assert delivery_run(delivery_id=delivery.pk).startswith("done")
    assert delivery_run(delivery_id=delivery.pk) == "not due"
    delivery.refresh_from_db()
    assert delivery.state == State.DONE
    assert delivery.remote_id == "1"
    assert delivery.attempts == 1
    assert len(recording.REMOTE) == 1


def test_errors_back_off_then_wait_for_an_operator(make_article):
    article = make_article("Panne")
    (delivery,) = rows(article, channel="social")
    for _ in range(3):
        recording.fail_next(ChannelError("The service answered 503"))
    started = timezone.now()
    assert delivery_run(delivery_id=delivery.pk).startswith("pending")
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.last_error == "The service answered 503"
    assert started + timedelta(seconds=30) <= delivery.next_attempt_at
    assert delivery_run(delivery_id=delivery.pk) == "not due"  # backing off
    make_due(delivery)
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    # The second wait is twice the first.
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=55)
    make_due(delivery)
    assert delivery_run(delivery_id=delivery.pk).startswith("failed")
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED and delivery.next_attempt_at is None
    assert recording.REMOTE == []
    # The operator tries again: it goes through.
    assert delivery_retry(delivery=delivery, user=None)
    run_due()
    delivery.refresh_from_db()
    assert delivery.state == State.DONE and len(recording.REMOTE) == 1
    assert PageLogEntry.objects.filter(
        page_id=article.pk, action="tsunagu.delivery.retry"
    ).exists()


def test_a_rate_limit_waits_for_its_reset_without_counting(make_article):
    article = make_article("Limite")
    (delivery,) = rows(article, channel="social")
    reset = timezone.now() + timedelta(hours=24)
    for _ in range(5):
        recording.fail_next(ChannelError("429", retry_at=reset, counts=False))
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.PENDING
    assert delivery.next_attempt_at == reset
    assert delivery.attempts == 0


def test_a_permanent_error_waits_for_an_operator_at_once(make_article):
    article = make_article("Mal configuré")
    (delivery,) = rows(article, channel="social")
    recording.fail_next(ChannelError("401: the keys were refused", permanent=True))
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert delivery_skip(delivery=delivery, user=None)
    delivery.refresh_from_db()
    assert delivery.state == State.SKIPPED
    assert delivery_run(delivery_id=delivery.pk) == "not due"


def test_an_unknown_outcome_is_looked_up_and_never_sent_twice(make_article):
    article = make_article("Inconnu")
    (delivery,) = rows(article, channel="social")
    recording.fail_next(OutcomeUnknown("read timed out"), after_effect=True)
    assert delivery_run(delivery_id=delivery.pk).startswith("unknown")
    delivery.refresh_from_db()
    assert delivery.state == State.UNKNOWN and delivery.sent_at
    make_due(delivery)
    assert delivery_run(delivery_id=delivery.pk).startswith("done")
    assert [delivery.pk] == recording.LOOKS
    assert len(recording.REMOTE) == 1
    delivery.refresh_from_db()
    assert delivery.remote_id == "1"


def test_an_unknown_outcome_that_did_not_happen_is_sent_after_looking(make_article):
    article = make_article("Perdu")
    (delivery,) = rows(article, channel="social")
    recording.fail_next(OutcomeUnknown("connection dropped"))  # nothing arrived
    delivery_run(delivery_id=delivery.pk)
    make_due(delivery)
    delivery_run(delivery_id=delivery.pk)
    assert [delivery.pk] == recording.LOOKS
    assert len(recording.REMOTE) == 1


def test_a_worker_killed_between_sending_and_recording_loses_nothing(make_article):
    """The worker sent, then died before writing the outcome: its lease runs
    out, the sweep rings again, and the next run finds the post."""
    from publishers.services import _claim

    article = make_article("Tué")
    (delivery,) = rows(article, channel="social")
    now = timezone.now()
    lease = _claim(delivery.pk, now)
    Delivery.objects.filter(pk=delivery.pk).update(sent_at=now)
    recording.REMOTE.append({"id": "77", "delivery": delivery.pk})  # it arrived
    # ... and the worker is gone. Another worker cannot take the row yet:
    assert delivery_run(delivery_id=delivery.pk) == "not due"
    Delivery.objects.filter(pk=delivery.pk).update(
        lease_until=lease - timedelta(hours=1), enqueued_at=None
    )
    assert "enqueued 1" in outbox_sweep()
    delivery.refresh_from_db()
    assert delivery.state == State.SENDING  # the immediate backend ran... not yet
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.DONE and delivery.remote_id == "77"
    assert len(recording.REMOTE) == 1


def test_the_sweep_makes_what_the_signal_path_missed(make_article):
    article = make_article("Manqué")
    made = {(d.channel, d.target, d.purpose) for d in rows(article)}
    Delivery.objects.all().delete()  # the worker died before the signal's work
    outbox_sweep()
    assert {(d.channel, d.target, d.purpose) for d in rows(article)} == made
    assert "made 0 missing" in outbox_sweep()  # reading the log again: nothing


def test_the_sweep_sees_an_unpublish_the_signal_path_missed(make_article):
    article = make_article("Retiré")
    article.unpublish()
    Delivery.objects.filter(purpose="unpublish").delete()
    outbox_sweep()
    assert [d.purpose for d in rows(article, channel="social", purpose="unpublish")]


def test_scheduled_publishing_makes_deliveries(make_article):
    article = make_article("Plus tard", publish=False)
    article.go_live_at = timezone.now() - timedelta(minutes=1)
    revision = article.save_revision()
    revision.approved_go_live_at = article.go_live_at
    revision.save()
    call_command("publish_scheduled", verbosity=0)
    article.refresh_from_db()
    assert article.live
    made = rows(article, channel="social")
    assert [d.purpose for d in made] == ["publish"]
    run_due()
    outbox_sweep()  # the log shows the scheduled publish: nothing more is made
    run_due()
    assert [d.state for d in rows(article, channel="social")] == [State.DONE]
    # Exactly once on the channel's side. (The sweep may also have made rows
    # for demo pages it found published in the last minutes.)
    assert [p["title"] for p in recording.REMOTE].count("Plus tard") == 1


def test_a_deleted_live_page_still_tells_the_channels(make_article):
    article = make_article("Supprimé")
    page_id = article.pk
    article.delete()
    unpublish = Delivery.objects.filter(
        page_key=page_id, channel="social", purpose="unpublish"
    ).get()
    assert unpublish.page is None and unpublish.page_title == "Supprimé"
    assert delivery_run(delivery_id=unpublish.pk).startswith("done")


def test_a_translation_published_from_wagtail_localizes_editor(
    make_article, django_capture_on_commit_callbacks
):
    """wagtail-localize's editor publishes through Translation.save_target."""
    from wagtail.models import Locale
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import TranslationCreator

    from translation.models import TranslationJob

    source = make_article("Source à traduire")
    japanese = Locale.objects.get(language_code="ja")
    TranslationCreator(user=None, target_locales=[japanese]).create_translations(source)
    TranslationJob.objects.all().delete()  # no machine translation here
    translation = Translation.objects.get(
        source__object_id=source.translation_key, target_locale=japanese
    )
    # wagtail-localize publishes after the commit, outside its transaction.
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(user=None, publish=True)
    target = source.get_translation(japanese)
    assert target.live
    made = rows(target, channel="social")
    # Made by the signal and, after the commit, delivered (tasks run at once).
    assert [(d.purpose, d.state) for d in made] == [("publish", State.DONE)]
    assert [post["title"] for post in recording.REMOTE] == [target.title]
    outbox_sweep()  # the log shows the publish: nothing is made twice
    assert len(rows(target, channel="social")) == 1
