"""The sign-up, webhooks and erasure with the real Mailchimp backend
(mailchimp_marketing) over real HTTP against the local fake of Mailchimp's
API (tests/fakes/mailchimp_server.py), webhooks posted as Mailchimp posts
them."""

from collections.abc import Iterator

import pytest
from django.test import Client

from cms.models import Region
from publishers.backends.newsletter import newsletter_backend, subscriber_hash
from publishers.newsletter.consent import consent_get
from publishers.newsletter.models import ConsentRecord, Subscriber
from publishers.newsletter.services import (
    Erasure,
    subscriber_erase,
    subscriber_signup,
    subscriber_unsubscribe,
)
from publishers.newsletter.sync import REGION_CATEGORY
from tests.fakes.mailchimp_server import MailchimpServer, post_webhook

from .conftest import WEBHOOK_SECRET

EMAIL = "kokusai@city.example.lg.jp"
WEBHOOK = f"/newsletter/webhooks/mailchimp/{WEBHOOK_SECRET}/"


@pytest.fixture(scope="module")
def mailchimp_server() -> Iterator[MailchimpServer]:
    with MailchimpServer() as server:
        yield server


@pytest.fixture
def fake(mailchimp_server, settings) -> Iterator[MailchimpServer]:
    mailchimp_server.reset()
    settings.TSUNAGU_NEWSLETTER = {
        "BACKEND": "mailchimp",
        # A short timeout: no test waits for Mailchimp's 120 s.
        "OPTIONS": mailchimp_server.backend_options(TIMEOUT_SECONDS=2),
    }
    newsletter_backend.cache_clear()
    yield mailchimp_server
    newsletter_backend.cache_clear()
    mailchimp_server.reset()


@pytest.mark.django_db
def test_signup_confirm_and_erase_over_http(fake, signup, regions, admin_user):
    signup(EMAIL)
    member = fake.member(EMAIL)
    assert member["status"] == "pending"
    assert member["merge_fields"] == {"ORG": "札幌市 国際部", "PREF": "北海道"}
    category = next(
        c for c in fake.audience.categories.values() if c.title == REGION_CATEGORY
    )
    assert category.type == "hidden"
    chosen = {i for i, on in member["interests"].items() if on}
    assert len(chosen) == 3  # two regions and a topic

    # The person clicks Mailchimp's opt-in link; Mailchimp posts the webhook.
    response = Client().post(WEBHOOK, fake.member_confirm(EMAIL))
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.SUBSCRIBED

    outcome = subscriber_erase(subscriber=subscriber, user=admin_user)
    assert outcome == Erasure.DONE
    assert fake.member(EMAIL) is None
    assert fake.requests_to(r"/lists/[^/]+/members/[0-9a-f]+/actions/delete-permanent")
    assert not Subscriber.objects.exists()
    assert ConsentRecord.objects.filter(subscriber=None, action="erased").exists()


@pytest.mark.django_db
def test_erasure_waits_while_mailchimp_answers_503(fake, signup, admin_user):
    signup(EMAIL)
    fake.fail_next(503, times=3, path="/lists", method="POST")
    subscriber = Subscriber.objects.get()
    assert subscriber_erase(subscriber=subscriber, user=admin_user) == Erasure.WAITING
    subscriber.refresh_from_db()
    assert subscriber.sync_needed
    assert subscriber.sync_error
    assert fake.member(EMAIL) is not None


@pytest.mark.django_db
def test_signup_makes_the_merge_fields_before_the_member_over_http(fake, signup):
    signup(EMAIL)
    org = fake.audience.merge_fields["ORG"]
    assert (org.name, org.type, org.public) == ("所属団体", "text", False)
    assert fake.audience.merge_fields["PREF"].name == "都道府県"
    order = [
        (r.method, r.path.rsplit("/", 1)[-1])
        for r in fake.requests_to(r"/lists/[^/]+/(merge-fields|members/[0-9a-f]+)")
    ]
    assert order == [
        ("GET", "merge-fields"),
        ("POST", "merge-fields"),
        ("POST", "merge-fields"),
        ("PUT", subscriber_hash(EMAIL)),
    ]


@pytest.mark.django_db
def test_unsubscribing_here_unsubscribes_at_mailchimp_over_http(
    fake, signup, committed
):
    signup(EMAIL)
    fake.member_confirm(EMAIL)
    with committed():
        subscriber_unsubscribe(subscriber=Subscriber.objects.get(), reason="link")
    assert fake.member(EMAIL)["status"] == "unsubscribed"
    (request,) = fake.requests_to(r"/lists/[^/]+/members/[0-9a-f]+", "PATCH")
    assert request.body == {"status": "unsubscribed"}
    subscriber = Subscriber.objects.get()
    assert not subscriber.sync_needed
    assert subscriber.remote_status == "unsubscribed"
    assert subscriber.sync_error == ""


@pytest.mark.django_db
def test_signing_up_again_after_leaving_gets_mailchimps_opt_in_over_http(fake, signup):
    signup(EMAIL)
    fake.member_confirm(EMAIL)
    fake.member_unsubscribe(EMAIL)
    Subscriber.objects.update(status=Subscriber.Status.UNSUBSCRIBED)
    signup(EMAIL)
    # Pending again there: Mailchimp sends its opt-in e-mail.
    assert fake.member(EMAIL)["status"] == "pending"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.remote_status == "pending"
    assert subscriber.sync_error == ""


@pytest.mark.django_db(transaction=True)
def test_webhooks_posted_over_http_as_mailchimp_posts_them(fake, live_server):
    region = Region.objects.create(code="nl-http-test", name_ja="試験", name_en="Test")
    subscriber_signup(
        email=EMAIL,
        organisation="函館市",
        prefecture="01",
        regions=[region],
        topics=[],
        language="ja",
        consent=consent_get(language="ja"),
    )
    # Tasks ran at the commit (the test settings' immediate backend).
    assert fake.member(EMAIL)["status"] == "pending"
    url = live_server.url + WEBHOOK

    assert post_webhook(url, fake.member_confirm(EMAIL)).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED

    form = fake.member_unsubscribe(EMAIL, reason="abuse")
    for _ in range(2):  # Mailchimp may post an event again
        response = post_webhook(url, form)
        assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
    [withdrawn] = ConsentRecord.objects.filter(action="withdrawn")
    assert withdrawn.reason == "abuse"

    assert post_webhook(url, fake.member_clean(EMAIL)).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CLEANED

    wrong = live_server.url + "/newsletter/webhooks/mailchimp/wrong/"
    assert post_webhook(wrong, form).status_code == 404
    assert post_webhook(url, {"nothing": "here"}).status_code == 400
