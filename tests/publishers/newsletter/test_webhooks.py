"""Mailchimp's webhooks: the secret in the URL, the GET check, and what
unsubscribe, cleaned, subscribe, profile and upemail events do here (once:
Mailchimp may post an event again)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from publishers.backends.newsletter.memory import webhook_form
from publishers.newsletter.models import ConsentRecord, Subscriber

from .conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

EMAIL = "tanaka@city.example.lg.jp"
URL = f"/newsletter/webhooks/mailchimp/{WEBHOOK_SECRET}/"


@pytest.fixture
def member(mailchimp, signup) -> Subscriber:
    """Signed up here, pending at Mailchimp."""
    signup(EMAIL)
    return Subscriber.objects.get()


def post(form: dict[str, str], url: str = URL):
    return Client(enforce_csrf_checks=True).post(url, form)


def test_get_answers_200_for_mailchimps_url_check(mailchimp):
    response = Client().get(URL)
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize(
    "secret", ["wrong", WEBHOOK_SECRET[:-1], WEBHOOK_SECRET + "x", "%00"]
)
def test_a_wrong_secret_is_404(mailchimp, member, secret):
    url = f"/newsletter/webhooks/mailchimp/{secret}/"
    assert Client().get(url).status_code == 404
    assert post(webhook_form("unsubscribe", EMAIL), url).status_code == 404
    member.refresh_from_db()
    assert member.status == Subscriber.Status.PENDING


def test_no_secret_configured_means_no_webhook(mailchimp, settings):
    settings.MAILCHIMP_WEBHOOK_SECRET = ""
    assert Client().get("/newsletter/webhooks/mailchimp/x/").status_code == 404


def test_no_mailchimp_configured_means_no_webhook(client):
    assert client.get(URL).status_code == 404


def test_subscribe_event_confirms_and_records_consent(mailchimp, member):
    response = post(mailchimp.member_confirm(EMAIL))
    assert response.status_code == 200
    assert response.content == b"subscribe: applied"
    member.refresh_from_db()
    assert member.status == Subscriber.Status.SUBSCRIBED
    assert member.remote_status == "subscribed"
    assert member.confirmed_at is not None
    record = ConsentRecord.objects.get(action="confirmed")
    assert record.source == "mailchimp-webhook"
    assert record.consent_version == "2026-11"


def test_unsubscribe_event_withdraws_consent_once(mailchimp, member):
    post(mailchimp.member_confirm(EMAIL))
    form = mailchimp.member_unsubscribe(EMAIL, reason="manual")
    assert post(form).content == b"unsubscribe: applied"
    assert post(form).content == b"unsubscribe: nothing to change"
    member.refresh_from_db()
    assert member.status == Subscriber.Status.UNSUBSCRIBED
    assert member.unsubscribed_at is not None
    [record] = ConsentRecord.objects.filter(action="withdrawn")
    assert (record.source, record.reason) == ("mailchimp-webhook", "manual")
    # Told by Mailchimp: nothing to send back to it.
    assert not member.sync_needed


def test_cleaned_event_marks_the_address_bounced(mailchimp, member):
    post(mailchimp.member_confirm(EMAIL))
    form = mailchimp.member_clean(EMAIL, reason="hard")
    post(form)
    post(form)
    member.refresh_from_db()
    assert member.status == Subscriber.Status.CLEANED
    [record] = ConsentRecord.objects.filter(action="cleaned")
    assert record.reason == "hard"


def test_profile_event_updates_organisation_and_prefecture(mailchimp, member):
    form = webhook_form(
        "profile", EMAIL, merges={"ORG": "函館市 企画部", "PREF": "東京都"}
    )
    assert post(form).content == b"profile: applied"
    assert post(form).content == b"profile: nothing to change"
    member.refresh_from_db()
    assert member.organisation == "函館市 企画部"
    assert member.prefecture == "13"


def test_profile_event_with_an_unknown_prefecture_keeps_ours(mailchimp, member):
    post(webhook_form("profile", EMAIL, merges={"PREF": "Atlantis"}))
    member.refresh_from_db()
    assert member.prefecture == "01"


def test_upemail_event_moves_the_subscriber_to_the_new_address(mailchimp, member):
    form = webhook_form("upemail", EMAIL, new_email="Tanaka.New@city.example.lg.jp")
    assert post(form).content == b"upemail: address changed"
    member.refresh_from_db()
    assert member.email == "Tanaka.New@city.example.lg.jp"
    assert member.email_key == "tanaka.new@city.example.lg.jp"
    assert post(form).content == b"upemail: unknown address, ignored"


def test_upemail_to_an_address_another_subscriber_has_is_left(
    mailchimp, member, signup
):
    signup("other@city.example.lg.jp")
    form = webhook_form("upemail", EMAIL, new_email="other@city.example.lg.jp")
    assert b"another subscriber" in post(form).content
    member.refresh_from_db()
    assert member.email == EMAIL


def test_unknown_addresses_are_ignored(mailchimp):
    response = post(webhook_form("unsubscribe", "nobody@example.jp"))
    assert response.status_code == 200
    assert response.content == b"unsubscribe: unknown address, ignored"
    assert not ConsentRecord.objects.exists()


def test_a_stale_event_does_not_undo_a_newer_change(mailchimp, member):
    post(mailchimp.member_confirm(EMAIL))
    old = datetime.now(UTC) - timedelta(days=1)
    post(webhook_form("unsubscribe", EMAIL, fired_at=old))
    member.refresh_from_db()
    assert member.status == Subscriber.Status.SUBSCRIBED


def test_a_resubscription_at_mailchimp_after_leaving_is_followed(mailchimp, member):
    post(mailchimp.member_confirm(EMAIL))
    post(mailchimp.member_unsubscribe(EMAIL))
    later = datetime.now(UTC) + timedelta(seconds=5)
    post(webhook_form("subscribe", EMAIL, fired_at=later))
    member.refresh_from_db()
    assert member.status == Subscriber.Status.SUBSCRIBED


def test_campaign_events_and_unknown_types_are_accepted_and_ignored(mailchimp):
    campaign = {
        "type": "campaign",
        "fired_at": "2026-11-26 10:00:00",
        "data[id]": "c1",
        "data[status]": "sent",
    }
    assert post(campaign).status_code == 200
    assert post({"type": "somethingnew", "data[email]": EMAIL}).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"data[email]": EMAIL},
        {"type": "unsubscribe"},
        {"type": "unsubscribe", "data[email]": "   "},
        {"type": "campaign"},
    ],
    ids=["empty", "no-type", "no-email", "blank-email", "campaign-without-id"],
)
def test_bad_bodies_are_400_with_a_clear_message(mailchimp, body):
    response = post(body)
    assert response.status_code == 400
    assert response.content.startswith(b"Not a Mailchimp webhook: ")


def test_a_json_body_is_400(mailchimp):
    response = Client().post(
        URL, {"type": "unsubscribe"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_an_erased_subscriber_is_not_brought_back(mailchimp, member, admin_user):
    from publishers.backends.newsletter import TemporaryError
    from publishers.newsletter.services import subscriber_erase

    mailchimp.fail_next(TemporaryError("down"), method="member_delete_permanently")
    subscriber_erase(subscriber=member, user=admin_user)
    form = webhook_form("subscribe", EMAIL)
    assert post(form).content == b"subscribe: unknown address, ignored"
    member.refresh_from_db()
    assert member.status == Subscriber.Status.ERASED
