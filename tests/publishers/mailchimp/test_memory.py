"""The in-memory twin behaves as MailchimpBackend does against the fake, for
the services' tests elsewhere: same statuses, same refusals, same errors."""

from datetime import UTC, datetime, timedelta

import pytest

from publishers.backends.newsletter import (
    AlreadySent,
    NotFound,
    OutcomeUnknown,
    Rejected,
    TemporaryError,
    quarter_hour_next,
)
from publishers.backends.newsletter.memory import InMemoryNewsletterBackend

EMAIL = "kokusai@city.example.jp"
DIGEST = {
    "title": "Tsunagu weekly",
    "subject": "今週のニュース",
    "preview_text": "",
    "from_name": "Tsunagu",
    "reply_to": "newsletter@tsunagu.example.jp",
    "html": "<p>…</p>",
    "text": "…",
}


@pytest.fixture
def twin():
    return InMemoryNewsletterBackend()


def test_members_as_mailchimp_keeps_them(twin):
    ids = twin.interests_sync(categories={"地域": ["欧州"]})["地域"]
    twin.merge_fields_ensure(fields={"ORG": "所属団体"})
    assert twin.member_upsert(email=EMAIL, merge_fields={}, interests={}).status == (
        "pending"
    )
    twin.member_unsubscribe(EMAIL)

    member = twin.member_upsert(
        email=EMAIL, merge_fields={"ORG": "横浜市"}, interests={ids["欧州"]: True}
    )

    assert member.status == "unsubscribed"
    assert member.interests == {ids["欧州"]: True}
    twin.member_delete_permanently(email=EMAIL)
    twin.member_delete_permanently(email=EMAIL)
    with pytest.raises(Rejected, match="permanently deleted"):
        twin.member_upsert(email=EMAIL, merge_fields={}, interests={})


def test_an_unknown_merge_tag_is_refused_until_ensured(twin):
    with pytest.raises(Rejected) as refused:
        twin.member_upsert(email=EMAIL, merge_fields={"PREF": "北海道"}, interests={})
    assert refused.value.title == "Invalid Resource"
    assert refused.value.errors[0]["field"] == "merge_fields.PREF"

    twin.merge_fields_ensure(fields={"PREF": "都道府県"})
    twin.merge_fields_ensure(fields={"PREF": "Prefecture"})  # already there

    assert twin.merge_fields["PREF"] == "都道府県"
    member = twin.member_upsert(
        email=EMAIL, merge_fields={"PREF": "北海道"}, interests={}
    )
    assert member.merge_fields == {"PREF": "北海道"}


def test_member_status_set_as_mailchimp_allows_it(twin):
    with pytest.raises(NotFound):
        twin.member_status_set(email=EMAIL, status="unsubscribed")
    twin.member_upsert(email=EMAIL, merge_fields={}, interests={})
    twin.member_confirm(EMAIL)

    assert twin.member_status_set(email=EMAIL, status="unsubscribed").status == (
        "unsubscribed"
    )
    with pytest.raises(Rejected, match="compliance state") as refused:
        twin.member_status_set(email=EMAIL, status="subscribed")
    assert refused.value.title == "Member In Compliance State"
    assert twin.member_status_set(email=EMAIL, status="pending").status == "pending"

    twin.member_clean(EMAIL)
    for status in ("subscribed", "pending"):
        with pytest.raises(Rejected, match="compliance state"):
            twin.member_status_set(email=EMAIL, status=status)
    with pytest.raises(ValueError):
        twin.member_status_set(email=EMAIL, status="cleaned")
    assert twin.member_get(email=EMAIL).status == "cleaned"


def test_interests_sync_keeps_ids_and_drops_removed_interests(twin):
    first = twin.interests_sync(categories={"テーマ": ["観光", "防災"]})

    second = twin.interests_sync(categories={"テーマ": ["観光", "教育"]})

    assert second["テーマ"]["観光"] == first["テーマ"]["観光"]
    assert set(twin.categories["テーマ"]) == {"観光", "教育"}


def test_a_send_whose_answer_is_lost_happened_and_cannot_happen_twice(twin):
    campaign_id = twin.campaign_create(**DIGEST)
    twin.fail_next(OutcomeUnknown("lost"), method="campaign_send", after_effect=True)

    with pytest.raises(OutcomeUnknown):
        twin.campaign_send(campaign_id=campaign_id)

    assert twin.campaign_status(campaign_id=campaign_id) == "sent"
    with pytest.raises(AlreadySent):
        twin.campaign_send(campaign_id=campaign_id)
    assert twin.send_count(campaign_id) == 1


def test_a_failure_before_the_effect_changes_nothing(twin):
    campaign_id = twin.campaign_create(**DIGEST)
    twin.fail_next(TemporaryError("down"))

    with pytest.raises(TemporaryError):
        twin.campaign_send(campaign_id=campaign_id)

    assert twin.campaign_status(campaign_id=campaign_id) == "save"
    assert [name for name, _ in twin.calls] == [
        "campaign_create",
        "campaign_send",
        "campaign_status",
    ]


def test_schedules_on_quarter_hours_and_delivers_when_due(twin):
    campaign_id = twin.campaign_create(**DIGEST)
    at = quarter_hour_next(datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(ValueError):
        twin.campaign_schedule(campaign_id=campaign_id, at=at + timedelta(minutes=1))

    twin.campaign_schedule(campaign_id=campaign_id, at=at)

    assert twin.campaign_deliver_due(at - timedelta(seconds=1)) == []
    assert twin.campaign_deliver_due(at) == [campaign_id]
    assert twin.campaign_status(campaign_id=campaign_id) == "sent"


def test_an_urgent_campaign_goes_to_the_region(twin):
    ids = twin.interests_sync(categories={"地域": ["欧州", "アジア"]})["地域"]
    for email, region in [("eu@example.jp", "欧州"), ("asia@example.jp", "アジア")]:
        twin.member_upsert(email=email, merge_fields={}, interests={ids[region]: True})
        twin.member_confirm(email)

    campaign_id = twin.campaign_create(**DIGEST, interest_ids=[ids["欧州"]])
    twin.campaign_send(campaign_id=campaign_id)

    assert twin.campaigns[campaign_id].recipients == ["eu@example.jp"]


def test_an_unknown_campaign_is_not_found(twin):
    with pytest.raises(NotFound):
        twin.campaign_status(campaign_id="nothing")
