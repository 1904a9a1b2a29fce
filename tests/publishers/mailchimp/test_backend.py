"""MailchimpBackend through mailchimp_marketing, over real HTTP, against the
local fake of Mailchimp's API (tests/fakes/mailchimp_server.py): members,
interests and campaigns, as Mailchimp treats them over several calls."""

import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from publishers.backends.newsletter import (
    AlreadySent,
    Member,
    Rejected,
    quarter_hour_next,
)

EMAIL = "Kokusai@City.Example.jp"
HASH = hashlib.md5(EMAIL.lower().encode()).hexdigest()


@pytest.fixture(autouse=True)
def tsunagus_merge_fields(mailchimp):
    # As merge_fields_ensure leaves the audience (test_merge_fields.py): the
    # fake, like Mailchimp, refuses a merge tag the audience lacks.
    mailchimp.merge_field_add("ORG", "所属団体")
    mailchimp.merge_field_add("PREF", "都道府県")


def upsert(backend, email=EMAIL, **fields):
    return backend.member_upsert(
        email=email,
        merge_fields=fields.pop("merge_fields", {"ORG": "横浜市", "PREF": "神奈川県"}),
        interests=fields.pop("interests", {}),
        **fields,
    )


# -- members -------------------------------------------------------------------


def test_upsert_adds_a_new_address_as_pending_by_subscriber_hash(backend, mailchimp):
    member = upsert(backend)

    assert member == Member(
        email=EMAIL,
        remote_id=HASH,
        status="pending",
        merge_fields={"ORG": "横浜市", "PREF": "神奈川県"},
        interests={},
        language="ja",
    )
    (request,) = mailchimp.requests_to(f"/lists/{mailchimp.list_id}/members/{HASH}")
    assert request.method == "PUT"
    assert request.body["status_if_new"] == "pending"
    # Never "status": it would change an existing member's.
    assert "status" not in request.body


def test_upsert_keeps_a_subscribed_member_subscribed(backend, mailchimp):
    upsert(backend)
    mailchimp.member_confirm(EMAIL)

    member = upsert(backend, merge_fields={"ORG": "横浜市国際局"})

    assert member.status == "subscribed"
    assert member.merge_fields["ORG"] == "横浜市国際局"
    assert member.merge_fields["PREF"] == "神奈川県"


@pytest.mark.parametrize(
    ("leave", "status"),
    [("member_unsubscribe", "unsubscribed"), ("member_clean", "cleaned")],
)
def test_upsert_does_not_put_back_a_member_who_left(backend, mailchimp, leave, status):
    upsert(backend)
    mailchimp.member_confirm(EMAIL)
    getattr(mailchimp, leave)(EMAIL)

    member = upsert(backend, merge_fields={"ORG": "横浜市"})

    assert member.status == status
    assert backend.member_get(email=EMAIL).status == status


def test_member_get_reads_status_and_interests(backend, mailchimp):
    ids = backend.interests_sync(categories={"地域": ["欧州", "アジア"]})["地域"]
    upsert(backend, interests={ids["欧州"]: True})

    member = backend.member_get(email=EMAIL.upper())

    assert member.remote_id == HASH
    assert member.status == "pending"
    # Mailchimp lists every interest of the audience, chosen or not.
    assert member.interests == {ids["欧州"]: True, ids["アジア"]: False}


def test_member_get_of_an_unknown_address_is_none(backend, mailchimp):
    assert backend.member_get(email="nobody@example.jp") is None


def test_delete_permanently_then_the_address_cannot_be_added_again(backend, mailchimp):
    upsert(backend)

    backend.member_delete_permanently(email=EMAIL)
    backend.member_delete_permanently(email=EMAIL)  # already gone: done

    assert backend.member_get(email=EMAIL) is None
    with pytest.raises(Rejected) as refused:
        upsert(backend)
    assert refused.value.status == 400
    assert refused.value.title == "Forgotten Email Not Subscribed"
    assert "permanently deleted" in refused.value.detail


def test_delete_permanently_of_an_address_never_added_is_done(backend, mailchimp):
    backend.member_delete_permanently(email="nobody@example.jp")


# -- interests -----------------------------------------------------------------

CATEGORIES = {
    "地域": ["北米", "欧州", "アジア", "オセアニア"],
    "テーマ": ["多文化共生", "観光", "防災"],
}


def test_interests_sync_creates_hidden_categories_and_their_interests(
    backend, mailchimp
):
    synced = backend.interests_sync(categories=CATEGORIES)

    categories = {c.title: c for c in mailchimp.audience.categories.values()}
    assert set(categories) == {"地域", "テーマ"}
    assert {c.type for c in categories.values()} == {"hidden"}
    for title, names in CATEGORIES.items():
        held = {i.name: i.id for i in categories[title].interests.values()}
        assert synced[title] == held
        assert list(synced[title]) == names


def test_interests_sync_twice_creates_nothing_more(backend, mailchimp):
    first = backend.interests_sync(categories=CATEGORIES)
    mailchimp.requests.clear()

    second = backend.interests_sync(categories=CATEGORIES)

    assert second == first
    assert [r.method for r in mailchimp.requests] == ["GET"] * 3
    assert len(mailchimp.audience.interest_ids()) == 7


def test_interests_sync_deletes_a_removed_interest_and_leaves_others_alone(
    backend, mailchimp
):
    # A category an editor made in Mailchimp's own screens.
    httpx.post(
        f"{mailchimp.api_url}/lists/{mailchimp.list_id}/interest-categories",
        json={"title": "Mailchimp only", "type": "checkboxes"},
        auth=("any", mailchimp.api_key),
    ).raise_for_status()
    first = backend.interests_sync(categories=CATEGORIES)
    upsert(backend, interests={first["テーマ"]["防災"]: True})

    second = backend.interests_sync(
        categories={
            "地域": CATEGORIES["地域"],
            "テーマ": ["多文化共生", "観光", "教育"],
        }
    )

    names = {i.name for i in mailchimp.audience.interests_of("テーマ")}
    assert names == {"多文化共生", "観光", "教育"}
    assert second["テーマ"]["観光"] == first["テーマ"]["観光"]
    assert mailchimp.audience.interests_of("Mailchimp only") == []
    assert {c.title for c in mailchimp.audience.categories.values()} == {
        "地域",
        "テーマ",
        "Mailchimp only",
    }
    assert first["テーマ"]["防災"] not in backend.member_get(email=EMAIL).interests


def test_interests_sync_reads_past_mailchimps_first_page(backend, mailchimp):
    # Collections answer 10 items unless asked for more.
    many = {f"カテゴリー{n:02}": ["一般"] for n in range(12)}
    backend.interests_sync(categories=many)

    backend.interests_sync(categories=many)

    assert len(mailchimp.audience.categories) == 12


def test_interests_sync_refuses_more_than_sixty_interests_before_any_call(
    backend, mailchimp
):
    too_many = {
        "地域": [f"地域{n}" for n in range(40)],
        "テーマ": [f"{n}" for n in range(21)],
    }

    with pytest.raises(Rejected, match="at most 60"):
        backend.interests_sync(categories=too_many)

    assert mailchimp.requests == []


# -- campaigns -----------------------------------------------------------------


def test_campaign_create_makes_a_regular_draft_with_its_content(
    backend, mailchimp, create_digest
):
    campaign_id = create_digest()

    campaign = mailchimp.campaigns[campaign_id]
    assert campaign.type == "regular"
    assert campaign.status == "save"
    assert campaign.list_id == mailchimp.list_id
    assert campaign.segment_opts is None
    assert campaign.settings == {
        "title": "Tsunagu weekly 2026-48",
        "subject_line": "今週の海外自治体ニュース",
        "preview_text": "ロンドン、パリ、ソウルから",
        "from_name": "Tsunagu",
        "reply_to": "newsletter@tsunagu.example.jp",
    }
    assert campaign.html == "<h1>今週のニュース</h1><p>…</p>"
    assert campaign.plain_text == "今週のニュース\n…"
    assert backend.campaign_status(campaign_id=campaign_id) == "save"


def test_campaign_lifecycle_test_schedule_unschedule_send(
    backend, mailchimp, create_digest
):
    campaign_id = create_digest()

    backend.campaign_test(campaign_id=campaign_id, emails=["editor@tsunagu.example.jp"])
    at = quarter_hour_next(datetime.now(UTC) + timedelta(days=1))
    backend.campaign_schedule(campaign_id=campaign_id, at=at)
    scheduled = backend.campaign_status(campaign_id=campaign_id)
    backend.campaign_unschedule(campaign_id=campaign_id)
    unscheduled = backend.campaign_status(campaign_id=campaign_id)
    backend.campaign_send(campaign_id=campaign_id)

    assert (scheduled, unscheduled) == ("schedule", "save")
    assert backend.campaign_status(campaign_id=campaign_id) == "sent"
    assert mailchimp.campaigns[campaign_id].tests == [["editor@tsunagu.example.jp"]]
    (schedule,) = mailchimp.requests_to(f"/campaigns/{campaign_id}/actions/schedule")
    assert schedule.body == {"schedule_time": at.isoformat()}
    assert at.isoformat().endswith("+00:00")
    assert mailchimp.send_count(campaign_id) == 1


def test_a_scheduled_campaign_goes_out_at_its_time(backend, mailchimp, create_digest):
    campaign_id = create_digest()
    at = quarter_hour_next(datetime.now(UTC) + timedelta(hours=2))
    backend.campaign_schedule(campaign_id=campaign_id, at=at)

    mailchimp.now = lambda: at + timedelta(seconds=1)

    assert backend.campaign_status(campaign_id=campaign_id) == "sent"
    with pytest.raises(AlreadySent):
        backend.campaign_send(campaign_id=campaign_id)
    assert mailchimp.send_count(campaign_id) == 1


@pytest.mark.parametrize(
    "at",
    [
        datetime(2030, 5, 1, 9, 10, tzinfo=UTC),
        datetime(2030, 5, 1, 9, 15, 30, tzinfo=UTC),
        datetime(2030, 5, 1, 9, 15),  # no zone
    ],
)
def test_schedule_off_a_quarter_hour_is_refused_before_any_call(
    backend, mailchimp, create_digest, at
):
    campaign_id = create_digest()

    with pytest.raises(ValueError):
        backend.campaign_schedule(campaign_id=campaign_id, at=at)

    assert mailchimp.requests_to(".*/actions/schedule") == []


def test_the_fake_refuses_a_schedule_off_a_quarter_hour_as_mailchimp_does(
    backend, mailchimp, create_digest
):
    campaign_id = create_digest()

    answer = httpx.post(
        f"{mailchimp.api_url}/campaigns/{campaign_id}/actions/schedule",
        json={"schedule_time": "2030-05-01T09:10:00+00:00"},
        auth=("any", mailchimp.api_key),
    )

    assert answer.status_code == 400
    assert "quarter-hour" in answer.json()["detail"]
    assert backend.campaign_status(campaign_id=campaign_id) == "save"


def test_a_second_send_is_already_sent_and_sends_nothing(
    backend, mailchimp, create_digest
):
    campaign_id = create_digest()
    backend.campaign_send(campaign_id=campaign_id)

    with pytest.raises(AlreadySent) as second:
        backend.campaign_send(campaign_id=campaign_id)

    assert second.value.status == 400
    assert mailchimp.send_count(campaign_id) == 1


def test_a_send_while_sending_is_already_sent(backend, mailchimp, create_digest):
    mailchimp.sending_seconds = 600
    campaign_id = create_digest()
    backend.campaign_send(campaign_id=campaign_id)

    with pytest.raises(AlreadySent, match="sending"):
        backend.campaign_send(campaign_id=campaign_id)

    assert backend.campaign_status(campaign_id=campaign_id) == "sending"


def test_an_urgent_campaign_goes_only_to_members_of_its_regions(
    backend, mailchimp, create_digest
):
    ids = backend.interests_sync(categories=CATEGORIES)
    regions, topics = ids["地域"], ids["テーマ"]
    people = {
        "europe@example.jp": {regions["欧州"]: True},
        "asia@example.jp": {regions["アジア"]: True},
        "disaster@example.jp": {topics["防災"]: True},
        "nothing@example.jp": {},
        "pending@example.jp": {regions["欧州"]: True},
    }
    for email, interests in people.items():
        upsert(backend, email=email, interests=interests)
        if email != "pending@example.jp":
            mailchimp.member_confirm(email)

    campaign_id = create_digest(interest_ids=[regions["欧州"], topics["防災"]])
    backend.campaign_send(campaign_id=campaign_id)

    (sent,) = mailchimp.sends
    assert sorted(sent.recipients) == ["disaster@example.jp", "europe@example.jp"]
    segment = mailchimp.campaigns[campaign_id].segment_opts
    assert segment["match"] == "any"
    assert sorted(c["field"] for c in segment["conditions"]) == sorted(
        f"interests-{c.id}" for c in mailchimp.audience.categories.values()
    )


def test_a_campaign_to_an_unknown_interest_is_refused(backend, mailchimp):
    backend.interests_sync(categories=CATEGORIES)

    with pytest.raises(Rejected, match="sync the interests"):
        backend.campaign_create(
            title="t",
            subject="s",
            preview_text="",
            from_name="Tsunagu",
            reply_to="newsletter@tsunagu.example.jp",
            html="<p>x</p>",
            text="x",
            interest_ids=["0000000000"],
        )
    assert mailchimp.campaigns == {}
