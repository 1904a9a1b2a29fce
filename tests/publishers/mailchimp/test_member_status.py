"""member_status_set through mailchimp_marketing, over real HTTP, against the
local fake of Mailchimp's API: someone unsubscribing on the site, someone
who left signing up again (pending: Mailchimp's opt-in e-mail), Mailchimp's
refusal to put back a member who left or bounced, and an address it does
not hold."""

import hashlib

import pytest

from publishers.backends.newsletter import (
    ConfigurationError,
    NotFound,
    Rejected,
    TemporaryError,
)
from publishers.backends.newsletter.mailchimp import MailchimpBackend

EMAIL = "Kokusai@City.Example.jp"
HASH = hashlib.md5(EMAIL.lower().encode()).hexdigest()


@pytest.fixture
def subscribed(backend, mailchimp):
    backend.member_upsert(email=EMAIL, merge_fields={}, interests={})
    mailchimp.member_confirm(EMAIL)


def member_path(mailchimp) -> str:
    return f"/lists/{mailchimp.list_id}/members/{HASH}"


def test_unsubscribe_changes_the_status_alone(backend, mailchimp, subscribed):
    member = backend.member_status_set(email=EMAIL, status="unsubscribed")

    assert (member.status, member.remote_id, member.email) == (
        "unsubscribed",
        HASH,
        EMAIL,
    )
    assert mailchimp.member(EMAIL)["status"] == "unsubscribed"
    # A PATCH of the status alone: it never adds an address, and it leaves
    # the address's spelling and the member's fields as they are.
    (request,) = mailchimp.requests_to(member_path(mailchimp), "PATCH")
    assert request.body == {"status": "unsubscribed"}


def test_unsubscribe_again_changes_nothing_more(backend, mailchimp, subscribed):
    backend.member_status_set(email=EMAIL, status="unsubscribed")

    member = backend.member_status_set(email=EMAIL, status="unsubscribed")

    assert member.status == "unsubscribed"


def test_a_member_who_unsubscribed_can_be_pending_again(backend, mailchimp, subscribed):
    mailchimp.member_unsubscribe(EMAIL)

    member = backend.member_status_set(email=EMAIL, status="pending")

    # Mailchimp sends its opt-in e-mail; confirming makes them subscribed.
    assert member.status == "pending"
    mailchimp.member_confirm(EMAIL)
    assert backend.member_get(email=EMAIL).status == "subscribed"


@pytest.mark.parametrize(
    ("leave", "left", "status"),
    [
        ("member_unsubscribe", "unsubscribed", "subscribed"),
        ("member_clean", "cleaned", "subscribed"),
        ("member_clean", "cleaned", "pending"),
    ],
)
def test_mailchimp_does_not_put_back_a_member_who_left(
    backend, mailchimp, subscribed, leave, left, status
):
    getattr(mailchimp, leave)(EMAIL)

    with pytest.raises(Rejected) as refused:
        backend.member_status_set(email=EMAIL, status=status)

    assert not isinstance(refused.value, NotFound)
    assert refused.value.status == 400
    assert refused.value.title == "Member In Compliance State"
    assert "compliance state" in refused.value.detail
    assert "Member In Compliance State" in str(refused.value)
    assert mailchimp.member(EMAIL)["status"] == left


def test_an_address_mailchimp_does_not_hold_is_not_found_and_not_added(
    backend, mailchimp
):
    with pytest.raises(NotFound) as missing:
        backend.member_status_set(email=EMAIL, status="unsubscribed")

    assert missing.value.status == 404
    assert mailchimp.member(EMAIL) is None


def test_a_permanently_deleted_member_is_not_found(backend, mailchimp, subscribed):
    backend.member_delete_permanently(email=EMAIL)

    with pytest.raises(NotFound):
        backend.member_status_set(email=EMAIL, status="unsubscribed")


def test_not_found_because_the_audience_is_wrong_is_a_configuration_error(
    mailchimp,
):
    backend = MailchimpBackend(mailchimp.backend_options(LIST_ID="0000000000"))

    with pytest.raises(ConfigurationError, match="no audience '0000000000'"):
        backend.member_status_set(email=EMAIL, status="unsubscribed")


def test_a_lost_answer_is_temporary_and_repeating_is_safe(
    backend, mailchimp, subscribed
):
    mailchimp.drop_connection_next(path=member_path(mailchimp), method="PATCH")

    with pytest.raises(TemporaryError, match="lost"):
        backend.member_status_set(email=EMAIL, status="unsubscribed")

    # It happened; repeating it changes nothing more.
    assert mailchimp.member(EMAIL)["status"] == "unsubscribed"
    member = backend.member_status_set(email=EMAIL, status="unsubscribed")
    assert member.status == "unsubscribed"


@pytest.mark.parametrize("status", ["cleaned", "archived", "transactional", ""])
def test_another_status_is_refused_before_any_request(backend, mailchimp, status):
    with pytest.raises(ValueError, match="subscribed, unsubscribed"):
        backend.member_status_set(email=EMAIL, status=status)

    assert mailchimp.requests == []
