"""Partner webhooks over real HTTP to a local endpoint, through SafeClient."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from publishers.channels.webhooks import SIGNATURE_HEADER, signature_valid
from publishers.models import Delivery, PartnerWebhook
from publishers.services import delivery_run

pytestmark = pytest.mark.django_db

State = Delivery.State


def hook_for(receiver, **fields) -> PartnerWebhook:
    return PartnerWebhook.objects.create(
        organisation="Prefecture", url=receiver.url, **fields
    )


def webhook_rows(article) -> list[Delivery]:
    return list(
        Delivery.objects.filter(page_key=article.pk, channel="webhooks").order_by("pk")
    )


def again(delivery: Delivery) -> str:
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    return delivery_run(delivery_id=delivery.pk)


def test_a_partner_gets_a_signed_event_it_can_check(make_article, receiver):
    hook = hook_for(receiver)
    article = make_article("Signé", topics=("exchange",), countries=("FR",))
    (delivery,) = webhook_rows(article)
    assert delivery_run(delivery_id=delivery.pk).startswith("done")
    (event,) = receiver.events
    assert signature_valid(
        secret=hook.secret, header=event.headers[SIGNATURE_HEADER], body=event.body
    )
    assert not signature_valid(
        secret="another", header=event.headers[SIGNATURE_HEADER], body=event.body
    )
    assert not signature_valid(
        secret=hook.secret,
        header=event.headers[SIGNATURE_HEADER],
        body=event.body + b" ",
    )
    body = event.json
    assert body["id"] == event.headers["Tsunagu-Delivery"] == f"dlv_{delivery.pk}"
    assert body["event"] == event.headers["Tsunagu-Event"] == "article.published"
    assert body["article"]["id"] == article.pk
    assert body["article"]["topics"] == ["exchange"]
    assert body["article"]["countries"] == ["FR"]
    assert body["article"]["url"].endswith(article.url)


def test_an_old_signature_is_refused():
    body = b"{}"
    from publishers.channels.webhooks import signature

    header = signature(secret="s", timestamp=1_000_000, body=body)
    assert signature_valid(secret="s", header=header, body=body, now=1_000_100)
    assert not signature_valid(secret="s", header=header, body=body, now=1_000_400)
    assert not signature_valid(secret="s", header="garbage", body=body)


def test_updates_corrections_and_unpublishing_are_events_too(make_article, receiver):
    hook_for(receiver)
    article = make_article("Suivi")
    article.summary = "Changed."
    article.save_revision().publish()
    article.correction = "Le montant était faux."
    article.save_revision().publish()
    article.unpublish()
    for delivery in webhook_rows(article):
        delivery_run(delivery_id=delivery.pk)
    assert [event.json["event"] for event in receiver.events] == [
        "article.published",
        "article.updated",
        "article.corrected",
        "article.unpublished",
    ]
    assert receiver.events[2].json["article"]["correction"] == "Le montant était faux."


def test_a_failing_partner_gets_the_same_event_again(make_article, receiver):
    hook_for(receiver)
    article = make_article("Réessayé")
    (delivery,) = webhook_rows(article)
    receiver.answer_next(500)
    assert delivery_run(delivery_id=delivery.pk).startswith("pending")
    delivery.refresh_from_db()
    assert "answered 500" in delivery.last_error
    assert again(delivery).startswith("done")
    assert receiver.counts() == {f"dlv_{delivery.pk}": 1}


def test_retry_after_is_honoured_and_a_429_does_not_count(make_article, receiver):
    hook_for(receiver)
    article = make_article("Patience")
    (delivery,) = webhook_rows(article)
    receiver.answer_next(429, headers={"Retry-After": "120"})
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 0
    wait = delivery.next_attempt_at - timezone.now()
    assert timedelta(seconds=100) < wait <= timedelta(seconds=121)


def test_a_partner_that_says_gone_waits_for_an_operator(make_article, receiver):
    hook_for(receiver)
    article = make_article("Parti")
    (delivery,) = webhook_rows(article)
    receiver.answer_next(410)
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert "410" in delivery.last_error


def test_a_slow_partner_times_out_and_is_retried(make_article, receiver):
    hook_for(receiver, timeout_seconds=1)
    article = make_article("Lent")
    (delivery,) = webhook_rows(article)
    receiver.answer_next(200, delay=3)
    assert delivery_run(delivery_id=delivery.pk).startswith("pending")
    delivery.refresh_from_db()
    assert "did not answer in time" in delivery.last_error


def test_a_webhook_to_a_private_address_is_refused(make_article, settings):
    PartnerWebhook.objects.create(
        organisation="Intranet", url="http://169.254.169.254/latest/meta-data/"
    )
    article = make_article("Métadonnées")
    (delivery,) = webhook_rows(article)
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.FAILED
    assert "169.254.169.254" in delivery.last_error


def test_partners_choose_their_languages(make_article, receiver):
    hook_for(receiver, locales="ja, en")
    assert webhook_rows(make_article("Français seulement")) == []
    assert webhook_rows(make_article("In English", office="lon", locale="en"))


def test_the_body_is_the_same_on_every_attempt(make_article, receiver):
    hook_for(receiver)
    article = make_article("Même corps")
    (delivery,) = webhook_rows(article)
    receiver.answer_next(503)
    delivery_run(delivery_id=delivery.pk)
    article.title = "Renamed since"
    article.save_revision().publish()
    again(delivery)
    (event,) = [e for e in receiver.events if e.json["id"] == f"dlv_{delivery.pk}"]
    assert json.loads(event.body)["article"]["title"] == "Même corps"
