"""Contract: every request MailchimpBackend makes, through mailchimp_marketing,
is one Mailchimp's OpenAPI description accepts (Stoplight Prism validating
against ../shared/specs, with the null-body patch for the calls the client
sends ``null`` on). Prism answers the description's examples, not state: the
behaviour over several calls is tested against the fake (test_backend.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from publishers.backends.newsletter import (
    Rejected,
    quarter_hour_next,
    subscriber_hash,
)
from publishers.backends.newsletter.mailchimp import MailchimpBackend
from tests.fakes.prism import MAILCHIMP_SPEC, PRISM, prism_mock

pytestmark = pytest.mark.skipif(
    not PRISM.exists(), reason="Prism is not installed (make contract-deps)"
)

KEY = "0123456789abcdef0123456789abcdef-us21"
EMAIL = "kokusai@city.example.jp"


@pytest.fixture(scope="module")
def prism():
    with prism_mock(MAILCHIMP_SPEC) as mock:
        # prism_mock's readiness probe (GET / without credentials) is logged
        # as a violation: not one of ours.
        mock.violations_new()
        yield mock


def request_violations(prism) -> list[str]:
    """What Prism found wrong with our requests since the last look. Prism
    also logs where the description's own example answers break its schemas
    ("Violation: response..."): not ours to fix."""
    return [v for v in prism.violations_new() if v.startswith("Violation: request")]


@pytest.fixture
def backend(prism):
    backend = MailchimpBackend(
        {"API_KEY": KEY, "LIST_ID": "f0e1d2c3b4", "API_URL": prism.url}
    )
    yield backend
    assert request_violations(prism) == []


def test_check(backend, prism):
    backend.check()


def test_member_upsert(backend, prism):
    backend.member_upsert(
        email=EMAIL,
        merge_fields={},
        interests={"1a2b3c4d5e": True, "5e4d3c2b1a": False},
        language="ja",
    )


def test_member_upsert_merge_fields_break_only_the_descriptions_own_error(
    backend, prism
):
    # The 3.0.55 description types every merge field value as an object;
    # Mailchimp's merge field documentation and its API take text fields as
    # strings ({"FNAME": "Elinore"}; only ADDRESS is an object). Prism then
    # answers 422 and flags these values, and nothing else in the request.
    # https://mailchimp.com/developer/marketing/docs/merge-fields/#structure
    with pytest.raises(Rejected):
        backend.member_upsert(
            email=EMAIL,
            merge_fields={"ORG": "横浜市", "PREF": "神奈川県"},
            interests={"1a2b3c4d5e": True},
        )

    assert sorted(request_violations(prism)) == [
        "Violation: request.body.merge_fields.ORG Request body property "
        "merge_fields.ORG must be object",
        "Violation: request.body.merge_fields.PREF Request body property "
        "merge_fields.PREF must be object",
    ]


def received(prism, method: str, path: str) -> int:
    """How many requests Prism logged for ``method path`` (no query)."""
    return prism.log().count(f"[HTTP SERVER] {method.lower()} {path} ")


@pytest.mark.parametrize("status", ["unsubscribed", "pending", "subscribed"])
def test_member_status_set(backend, prism, status):
    path = f"/lists/f0e1d2c3b4/members/{subscriber_hash(EMAIL)}"
    before = received(prism, "PATCH", path)

    backend.member_status_set(email=EMAIL, status=status)

    # A PATCH: the PUT's description requires status_if_new, and a PUT adds
    # an address the audience does not hold.
    assert received(prism, "PATCH", path) == before + 1


def test_merge_fields_ensure(backend, prism):
    path = "/lists/f0e1d2c3b4/merge-fields"
    before = received(prism, "GET", path), received(prism, "POST", path)

    backend.merge_fields_ensure(fields={"ORG": "所属団体", "PREF": "都道府県"})

    # The description's example list holds one field, tagged "tag": ORG and
    # PREF are both created (count=1000 is within its maximum).
    after = received(prism, "GET", path), received(prism, "POST", path)
    assert after == (before[0] + 1, before[1] + 2)


def test_member_get(backend, prism):
    backend.member_get(email=EMAIL)


def test_member_delete_permanently(backend, prism):
    backend.member_delete_permanently(email=EMAIL)


def test_interests_sync(backend, prism):
    # Prism's example categories and interests are not ours: the sync lists,
    # creates and deletes, which is every call it can make.
    backend.interests_sync(categories={"地域": ["欧州", "アジア"], "テーマ": ["観光"]})


def test_campaign_create_to_the_audience(backend, prism):
    backend.campaign_create(
        title="Tsunagu weekly 2026-48",
        subject="今週の海外自治体ニュース",
        preview_text="ロンドン、パリ、ソウルから",
        from_name="Tsunagu",
        reply_to="newsletter@tsunagu.example.jp",
        html="<h1>今週のニュース</h1>",
        text="今週のニュース",
    )


def test_campaign_create_to_an_interest_segment(backend, prism):
    synced = backend.interests_sync(categories={"地域": ["欧州"]})
    assert request_violations(prism) == []

    backend.campaign_create(
        title="Urgent",
        subject="緊急",
        preview_text="",
        from_name="Tsunagu",
        reply_to="newsletter@tsunagu.example.jp",
        html="<p>…</p>",
        text="…",
        interest_ids=[synced["地域"]["欧州"]],
    )


def test_campaign_discard(backend, prism):
    backend._campaign_discard("a1b2c3d4e5")


def test_campaign_status(backend, prism):
    backend.campaign_status(campaign_id="a1b2c3d4e5")


def test_campaign_test(backend, prism):
    backend.campaign_test(
        campaign_id="a1b2c3d4e5", emails=["editor@tsunagu.example.jp"]
    )


def test_campaign_schedule(backend, prism):
    at = quarter_hour_next(datetime.now(UTC) + timedelta(days=1))

    backend.campaign_schedule(campaign_id="a1b2c3d4e5", at=at)


def test_campaign_unschedule(backend, prism):
    backend.campaign_unschedule(campaign_id="a1b2c3d4e5")


def test_campaign_send(backend, prism):
    backend.campaign_send(campaign_id="a1b2c3d4e5")
