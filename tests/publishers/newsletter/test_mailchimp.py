"""With Mailchimp (the in-memory twin): the member upserted as pending with
merge fields and interests, interests kept in step with the regions and
topics, unsubscription sent there, errors retried without losing anything."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cms.models import Region, Topic
from publishers.backends.newsletter import (
    ConfigurationError,
    RateLimited,
    Rejected,
    TemporaryError,
    subscriber_hash,
)
from publishers.newsletter.jobs import newsletter_sweep
from publishers.newsletter.models import ConsentRecord, MailchimpInterest, Subscriber
from publishers.newsletter.selectors import (
    interest_ids_for_regions,
    interest_ids_for_topics,
)
from publishers.newsletter.services import subscriber_unsubscribe
from publishers.newsletter.sync import (
    REGION_CATEGORY,
    TOPIC_CATEGORY,
    newsletter_interests_sync,
    subscriber_sync,
)

from .conftest import confirm_path

pytestmark = pytest.mark.django_db

EMAIL = "tanaka@city.example.lg.jp"


def _member(mailchimp, email=EMAIL):
    return mailchimp.members.get(subscriber_hash(email))


def _due(subscriber: Subscriber) -> None:
    Subscriber.objects.filter(pk=subscriber.pk).update(
        sync_next_at=timezone.now() - timedelta(seconds=1)
    )


def test_signup_upserts_a_pending_member_with_fields_and_interests(
    mailchimp, signup, regions, topics
):
    signup()
    member = _member(mailchimp)
    assert member.status == "pending"
    assert member.merge_fields == {"ORG": "札幌市 国際部", "PREF": "北海道"}
    assert member.language == "ja"
    chosen = set(interest_ids_for_regions([r.pk for r in regions[:2]]))
    chosen |= set(interest_ids_for_topics([topics[0].pk]))
    assert {i for i, on in member.interests.items() if on} == chosen
    # Every interest of our categories is sent, the others as not chosen.
    assert len(member.interests) == Region.objects.count() + Topic.objects.count()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.remote_status == "pending"
    assert not subscriber.sync_needed
    assert subscriber.synced_at is not None
    # Mailchimp sends its own confirmation e-mail; the site sends none.
    assert mail.outbox == []


def test_interest_categories_are_created_from_regions_and_topics(mailchimp, signup):
    signup()
    assert set(mailchimp.categories) == {REGION_CATEGORY, TOPIC_CATEGORY}
    names = set(mailchimp.categories[REGION_CATEGORY])
    assert names == set(Region.objects.values_list("name_ja", flat=True))
    assert MailchimpInterest.objects.count() == (
        Region.objects.count() + Topic.objects.count()
    )


def test_a_renamed_region_gets_a_new_interest_and_its_members_are_resent(
    mailchimp, signup, regions, committed
):
    signup()
    old_id = interest_ids_for_regions([regions[0].pk])
    Region.objects.filter(pk=regions[0].pk).update(name_ja="新しい名前")
    mailchimp.calls.clear()
    with committed():
        assert "interests synced" in newsletter_sweep()
    new_id = interest_ids_for_regions([regions[0].pk])
    assert new_id != old_id
    assert "新しい名前" in mailchimp.categories[REGION_CATEGORY]
    assert _member(mailchimp).interests[new_id[0]] is True
    assert [name for name, _ in mailchimp.calls].count("member_upsert") == 1


def test_a_new_topic_is_synced_by_the_sweep(mailchimp, signup):
    signup()
    topic = Topic.objects.create(slug="new-topic", name_ja="新分野", name_en="New")
    newsletter_sweep()
    assert interest_ids_for_topics([topic.pk])
    assert "新分野" in mailchimp.categories[TOPIC_CATEGORY]
    # Nothing changed since: no call at all.
    mailchimp.calls.clear()
    newsletter_sweep()
    assert mailchimp.calls == []


def test_confirmation_at_mailchimp_arrives_in_the_sync_answer(mailchimp, signup):
    signup()
    mailchimp.member_confirm(EMAIL)
    subscriber = Subscriber.objects.get()
    Subscriber.objects.filter(pk=subscriber.pk).update(sync_needed=True)
    subscriber_sync(subscriber_id=subscriber.pk)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUBSCRIBED
    record = ConsentRecord.objects.get(action="confirmed")
    assert record.source == "mailchimp-webhook"


def test_mailchimp_down_at_signup_loses_nothing(mailchimp, signup, committed):
    newsletter_interests_sync()
    mailchimp.fail_next(
        TemporaryError("Mailchimp is unavailable"), times=3, method="member_upsert"
    )
    response = signup()
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert subscriber.sync_needed
    assert subscriber.sync_attempts == 1
    assert "unavailable" in subscriber.sync_error
    assert subscriber.sync_next_at > timezone.now()
    # Not due yet: the sweep leaves it.
    with committed():
        newsletter_sweep()
    assert _member(mailchimp) is None
    # Due again, Mailchimp still down twice, then up.
    for attempts in (2, 3):
        _due(subscriber)
        with committed():
            newsletter_sweep()
        subscriber.refresh_from_db()
        assert subscriber.sync_attempts == attempts
        assert subscriber.sync_next_at - timezone.now() > timedelta(seconds=30)
    _due(subscriber)
    with committed():
        newsletter_sweep()
    subscriber.refresh_from_db()
    assert not subscriber.sync_needed
    assert subscriber.sync_error == ""
    assert _member(mailchimp).status == "pending"


def test_rate_limit_waits_as_long_as_mailchimp_says(mailchimp, signup):
    mailchimp.fail_next(RateLimited("429", retry_after_seconds=120))
    signup()
    subscriber = Subscriber.objects.get()
    wait = subscriber.sync_next_at - timezone.now()
    assert timedelta(seconds=100) < wait <= timedelta(seconds=120)


def test_refused_address_waits_an_hour_with_mailchimps_words(mailchimp, signup):
    mailchimp.fail_next(
        Rejected("tanaka@... looks fake or invalid", title="Invalid Resource")
    )
    signup()
    subscriber = Subscriber.objects.get()
    assert subscriber.sync_needed
    assert "looks fake or invalid" in subscriber.sync_error
    assert subscriber.sync_next_at - timezone.now() > timedelta(minutes=59)


def test_configuration_error_keeps_the_signup(mailchimp, signup):
    mailchimp.fail_next(ConfigurationError("The API key is wrong"))
    signup()
    assert Subscriber.objects.get().sync_needed
    assert ConsentRecord.objects.filter(action="given").count() == 1


def test_a_change_during_the_sync_is_sent_again(mailchimp, signup, regions):
    signup()
    subscriber = Subscriber.objects.get()
    # The row changes (raising sync_version) while Mailchimp is asked.
    stale = Subscriber.objects.get(pk=subscriber.pk)
    Subscriber.objects.filter(pk=subscriber.pk).update(
        sync_needed=True, sync_version=stale.sync_version + 5
    )
    stale.sync_needed = True
    from publishers.newsletter import sync

    sync._done(stale, remote_status="pending")
    assert Subscriber.objects.get().sync_needed


def test_unsubscribing_here_unsubscribes_at_mailchimp(mailchimp, signup, committed):
    signup()
    mailchimp.member_confirm(EMAIL)
    subscriber = Subscriber.objects.get()
    with committed():
        subscriber_unsubscribe(subscriber=subscriber, reason="one-click")
    assert _member(mailchimp).status == "unsubscribed"
    subscriber.refresh_from_db()
    assert subscriber.remote_status == "unsubscribed"
    assert not subscriber.sync_needed


def test_unsubscribing_while_mailchimp_is_down_is_retried(mailchimp, signup, committed):
    signup()
    mailchimp.member_confirm(EMAIL)
    mailchimp.fail_next(TemporaryError("down"), method="member_status_set")
    subscriber = Subscriber.objects.get()
    with committed():
        subscriber_unsubscribe(subscriber=subscriber, reason="link")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.sync_needed
    assert _member(mailchimp).status == "subscribed"
    _due(subscriber)
    with committed():
        newsletter_sweep()
    assert _member(mailchimp).status == "unsubscribed"


def test_unsubscribing_someone_mailchimp_does_not_hold_is_done(
    mailchimp, signup, committed
):
    signup()
    # Deleted at Mailchimp meanwhile (by an operator): nobody to stop mailing.
    mailchimp.members.clear()
    subscriber = Subscriber.objects.get()
    with committed():
        subscriber_unsubscribe(subscriber=subscriber, reason="link")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert not subscriber.sync_needed
    assert subscriber.remote_status == ""
    assert subscriber.sync_error == ""
    assert _member(mailchimp) is None


def test_the_merge_fields_are_made_before_the_first_member_and_once(mailchimp, signup):
    assert "ORG" not in mailchimp.merge_fields
    signup()
    signup("suzuki@city.example.lg.jp")
    assert mailchimp.merge_fields["ORG"] == "所属団体"
    assert mailchimp.merge_fields["PREF"] == "都道府県"
    names = [name for name, _ in mailchimp.calls]
    # Once for the process, before the first upsert (which it would refuse).
    assert names.count("merge_fields_ensure") == 1
    assert names.index("merge_fields_ensure") < names.index("member_upsert")
    assert names.count("member_upsert") == 2


def test_a_merge_field_deleted_at_mailchimp_is_made_again(mailchimp, signup, committed):
    signup()
    # An operator deleted a field in the audience's settings.
    del mailchimp.merge_fields["PREF"]
    subscriber = Subscriber.objects.get()
    Subscriber.objects.filter(pk=subscriber.pk).update(
        organisation="新しい所属", sync_needed=True
    )
    subscriber_sync(subscriber_id=subscriber.pk)
    subscriber.refresh_from_db()
    assert subscriber.sync_needed
    assert "merge field PREF" in subscriber.sync_error
    _due(subscriber)
    with committed():
        newsletter_sweep()
    subscriber.refresh_from_db()
    assert not subscriber.sync_needed
    assert "PREF" in mailchimp.merge_fields
    assert _member(mailchimp).merge_fields["ORG"] == "新しい所属"


def test_a_member_who_left_cannot_be_put_back_without_the_opt_in(mailchimp, signup):
    # The twin refuses as Mailchimp does: the sync only ever asks for
    # pending (the opt-in e-mail) for someone who unsubscribed.
    signup()
    mailchimp.member_confirm(EMAIL)
    mailchimp.member_unsubscribe(EMAIL)
    with pytest.raises(Rejected) as refused:
        mailchimp.member_status_set(email=EMAIL, status="subscribed")
    assert refused.value.title == "Member In Compliance State"
    assert _member(mailchimp).status == "unsubscribed"


def test_a_member_who_left_and_signs_up_again_gets_mailchimps_opt_in(mailchimp, signup):
    signup()
    mailchimp.member_confirm(EMAIL)
    mailchimp.member_unsubscribe(EMAIL)
    Subscriber.objects.update(status=Subscriber.Status.UNSUBSCRIBED)
    signup()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    # Back to pending there: Mailchimp sends its double opt-in e-mail.
    assert _member(mailchimp).status == "pending"
    assert subscriber.remote_status == "pending"
    assert subscriber.sync_error == ""


def test_a_bounced_member_is_not_put_back_and_the_admin_sees_why(mailchimp, signup):
    signup()
    mailchimp.member_clean(EMAIL)
    Subscriber.objects.update(status=Subscriber.Status.CLEANED)
    signup()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.remote_status == "cleaned"
    assert "sign-up form" in subscriber.sync_error
    assert _member(mailchimp).status == "cleaned"


def test_a_subscribed_members_change_is_confirmed_by_email_then_sent(
    mailchimp, signup, client, committed, regions
):
    signup()
    mailchimp.member_confirm(EMAIL)
    Subscriber.objects.update(status=Subscriber.Status.SUBSCRIBED)
    signup(organisation="新しい所属", regions=[regions[2].pk], topics=None)
    # Not sent yet: the change waits for the e-mailed link.
    assert _member(mailchimp).merge_fields["ORG"] == "札幌市 国際部"
    [message] = mail.outbox
    with committed():
        response = client.post(confirm_path(message))
    assert response.status_code == 200
    subscriber = Subscriber.objects.get()
    assert list(subscriber.regions.all()) == [regions[2]]
    member = _member(mailchimp)
    assert member.merge_fields["ORG"] == "新しい所属"
    chosen = {i for i, on in member.interests.items() if on}
    assert chosen == set(interest_ids_for_regions([regions[2].pk]))
    assert member.status == "subscribed"
