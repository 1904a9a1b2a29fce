"""Sending the newsletter through the outbox: the weekly issue and urgent
articles, by Django's e-mail (the embedded default) and by Mailchimp over
real HTTP to the local fake; never twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from cms.models import Region
from publishers.backends.newsletter import newsletter_backend
from publishers.channels import channels_all
from publishers.digest import digest_compose, digest_send, week_start_of
from publishers.models import Delivery, NewsletterRecipient
from publishers.newsletter.addresses import email_key
from publishers.newsletter.models import Subscriber
from publishers.services import delivery_run
from tests.fakes.mailchimp_server import MailchimpServer

pytestmark = pytest.mark.django_db

State = Delivery.State


def subscriber(email: str, *regions: str) -> Subscriber:
    row = Subscriber.objects.create(
        email=email,
        email_key=email_key(email),
        organisation="札幌市",
        status=Subscriber.Status.SUBSCRIBED,
        consent_version="2026-11",
    )
    row.regions.set(Region.objects.filter(code__in=regions))
    return row


@pytest.fixture(autouse=True)
def newsletter_by_email(settings):
    settings.TSUNAGU_NEWSLETTER = {}
    newsletter_backend.cache_clear()
    channels_all.cache_clear()
    yield
    newsletter_backend.cache_clear()
    channels_all.cache_clear()


@pytest.fixture
def issue(make_article):
    make_article("ロンドンの新制度", office="lon", locale="ja", countries=("GB",))
    make_article("パリの住民参加", office="par", locale="ja", countries=("FR",))
    return digest_compose(week_start=week_start_of(timezone.now()))


def run_newsletter(issue) -> Delivery:
    delivery = Delivery.objects.get(page_key=issue.pk, channel="newsletter")
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def test_the_issue_goes_to_every_subscriber_once_with_their_own_link(issue):
    readers = [subscriber(f"reader{n}@city.example.jp") for n in range(3)]
    subscriber("gone@city.example.jp").delete()
    Subscriber.objects.filter(pk=readers[2].pk).update(
        status=Subscriber.Status.UNSUBSCRIBED
    )
    digest_send(issue=issue)
    delivery = run_newsletter(issue)
    assert delivery.state == State.DONE, delivery.last_error
    assert sorted(m.to[0] for m in mail.outbox) == [
        "reader0@city.example.jp",
        "reader1@city.example.jp",
    ]
    links = set()
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe-Post"] == (
            "List-Unsubscribe=One-Click"
        )
        link = message.extra_headers["List-Unsubscribe"].split(">")[0][1:]
        assert link in message.body
        assert link in message.alternatives[0][0]
        links.add(link)
    assert len(links) == 2  # each reader's own
    # Asking again for the same revision sends nothing more.
    assert digest_send(issue=issue).pk == delivery.pk
    assert delivery_run(delivery_id=delivery.pk) == "not due"
    assert len(mail.outbox) == 2


def test_a_crash_mid_send_resends_to_nobody_who_may_have_it(issue):
    readers = [subscriber(f"r{n}@city.example.jp") for n in range(4)]
    digest_send(issue=issue)
    delivery = Delivery.objects.get(page_key=issue.pk, channel="newsletter")
    # A worker sent to the first, wrote the second's row and died.
    NewsletterRecipient.objects.create(
        delivery=delivery,
        subscriber_id=readers[0].pk,
        state=NewsletterRecipient.State.SENT,
    )
    NewsletterRecipient.objects.create(delivery=delivery, subscriber_id=readers[1].pk)
    delivery = run_newsletter(issue)
    assert delivery.state == State.DONE
    assert sorted(m.to[0] for m in mail.outbox) == [
        "r2@city.example.jp",
        "r3@city.example.jp",
    ]
    assert (
        NewsletterRecipient.objects.filter(
            delivery=delivery, state=NewsletterRecipient.State.SENDING
        ).count()
        == 1
    )  # the one whose outcome is unknown: counted, not resent


class FailingAfterOne(EmailBackend):
    """Accepts one message per connection, then the server goes away."""

    def send_messages(self, messages):
        if getattr(self, "_sent_one", False):
            raise ConnectionResetError("the mail server closed the connection")
        self._sent_one = True
        return super().send_messages(messages)


def test_a_mail_server_failing_mid_send_is_resumed_without_duplicates(issue, settings):
    for n in range(3):
        subscriber(f"s{n}@city.example.jp")
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingAfterOne"}}
    digest_send(issue=issue)
    delivery = run_newsletter(issue)
    assert delivery.state == State.PENDING
    assert "mail server failed" in delivery.last_error
    for _ in range(2):
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        delivery = run_newsletter(issue)
    assert delivery.state == State.DONE
    assert sorted(m.to[0] for m in mail.outbox) == [
        "s0@city.example.jp",
        "s1@city.example.jp",
        "s2@city.example.jp",
    ]


def test_an_urgent_article_goes_at_once_to_those_following_its_region(
    make_article,
):
    subscriber("oceania@city.example.jp", "oceania")
    subscriber("europe@city.example.jp", "continental-europe")
    article = make_article(
        "サイクロン接近、避難指示",
        office="syd",
        locale="ja",
        countries=("AU",),
        topics=("disaster-safety",),
    )
    delivery = Delivery.objects.get(page_key=article.pk, channel="newsletter")
    delivery_run(delivery_id=delivery.pk)
    assert [m.to[0] for m in mail.outbox] == ["oceania@city.example.jp"]
    assert mail.outbox[0].subject == "【緊急】サイクロン接近、避難指示"
    # An ordinary article waits for the weekly issue.
    ordinary = make_article("定例の報告", office="syd", locale="ja", countries=("AU",))
    assert not Delivery.objects.filter(page_key=ordinary.pk, channel="newsletter")


def test_a_scheduled_issue_waits_for_its_time(issue):
    subscriber("later@city.example.jp")
    at = timezone.now() + timedelta(hours=3)
    delivery = digest_send(issue=issue, at=at)
    assert delivery.next_attempt_at == at
    assert delivery_run(delivery_id=delivery.pk) == "not due"
    assert mail.outbox == []


# -- Mailchimp ------------------------------------------------------------------


@pytest.fixture
def mailchimp(settings):
    # Mailchimp wants a real reply-to address on its campaigns.
    settings.NEWSLETTER_FROM_EMAIL = "newsletter@tsunagu.example.jp"
    with MailchimpServer() as server:
        settings.TSUNAGU_NEWSLETTER = {
            "BACKEND": "mailchimp",
            "OPTIONS": server.backend_options(TIMEOUT_SECONDS=2),
        }
        newsletter_backend.cache_clear()
        yield server
    newsletter_backend.cache_clear()


def test_mailchimp_sends_one_campaign_and_never_twice(issue, mailchimp):
    digest_send(issue=issue)
    delivery = run_newsletter(issue)
    assert delivery.state == State.DONE, delivery.last_error
    campaign_id = delivery.remote_id
    assert mailchimp.send_count(campaign_id) == 1
    assert mail.outbox == []
    # The operator retries it anyway: the status says sent, nothing is sent.
    Delivery.objects.filter(pk=delivery.pk).update(state=State.PENDING, sent_at=None)
    delivery_run(delivery_id=delivery.pk)
    assert mailchimp.send_count(campaign_id) == 1
    assert len(mailchimp.requests_to(r"/campaigns", "POST")) == 1


def test_a_send_whose_answer_was_lost_is_checked_not_repeated(issue, mailchimp):
    mailchimp.timeout_after_arrival_next(
        path="/campaigns/",
        method="POST",
        hold_seconds=5,  # the send action
    )
    digest_send(issue=issue)
    delivery = run_newsletter(issue)
    assert delivery.state == State.UNKNOWN
    campaign_id = delivery.remote_id
    assert campaign_id  # stored before the send
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    delivery = run_newsletter(issue)
    assert delivery.state == State.DONE
    assert mailchimp.send_count(campaign_id) == 1


def test_mailchimp_schedules_on_a_quarter_hour(issue, mailchimp):
    at = timezone.now() + timedelta(days=1, minutes=7)
    delivery = digest_send(issue=issue, at=at)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)
    delivery = run_newsletter(issue)
    assert delivery.state == State.DONE, delivery.last_error
    campaign = mailchimp.campaigns[delivery.remote_id]
    assert campaign.send_count == 0
    assert campaign.status == "schedule"


def test_an_urgent_article_is_one_mailchimp_campaign_to_its_regions_followers(
    make_article, mailchimp
):
    from publishers.models import Delivery as DeliveryModel
    from publishers.newsletter.models import MailchimpInterest
    from publishers.newsletter.sync import newsletter_interests_sync

    newsletter_interests_sync()
    oceania = MailchimpInterest.objects.get(
        kind=MailchimpInterest.Kind.REGION,
        object_id=Region.objects.get(code="oceania").pk,
    )
    article = make_article(
        "森林火災の避難情報",
        office="syd",
        locale="ja",
        countries=("AU",),
        urgent=True,
    )
    delivery = DeliveryModel.objects.get(page_key=article.pk, channel="newsletter")
    delivery_run(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == State.DONE, delivery.last_error
    campaign = mailchimp.campaigns[delivery.remote_id]
    assert campaign.send_count == 1
    conditions = campaign.segment_opts["conditions"]
    assert [c["value"] for c in conditions] == [[oceania.interest_id]]
    assert "森林火災の避難情報" in campaign.settings["subject_line"]
