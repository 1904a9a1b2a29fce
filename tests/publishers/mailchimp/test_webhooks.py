"""Reading Mailchimp's webhook bodies: the form-encoded POSTs its webhook
guide documents, as Django's request.POST or as parse_qs gives them."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode

import pytest
from django.http import QueryDict

from publishers.backends.newsletter import InvalidWebhook, WebhookEvent
from publishers.backends.newsletter.mailchimp import MailchimpBackend
from publishers.backends.newsletter.memory import InMemoryNewsletterBackend
from tests.fakes.mailchimp_webhooks import webhook_form

# The documented examples (mailchimp.com/developer: "Synchronize audience
# data with webhooks", and the earlier "About webhooks" reference).
UNSUBSCRIBE = {
    "type": "unsubscribe",
    "fired_at": "2009-03-26 21:40:57",
    "data[action]": "unsub",
    "data[reason]": "manual",
    "data[id]": "8a25ff1d98",
    "data[list_id]": "a6b5da1054",
    "data[email]": "api+unsub@mailchimp.com",
    "data[email_type]": "html",
    "data[merges][EMAIL]": "api+unsub@mailchimp.com",
    "data[merges][FNAME]": "Mailchimp",
    "data[merges][LNAME]": "API",
    "data[merges][INTERESTS]": "Group1,Group2",
    "data[ip_opt]": "10.20.10.30",
    "data[campaign_id]": "cb398d21d2",
}
CLEANED = {
    "type": "cleaned",
    "fired_at": "2009-03-26 22:01:00",
    "data[list_id]": "a6b5da1054",
    "data[campaign_id]": "4fjk2ma9xd",
    "data[reason]": "hard",
    "data[email]": "api+cleaned@mailchimp.com",
}
PROFILE = {
    "type": "profile",
    "fired_at": "2009-03-26 21:31:21",
    "data[id]": "8a25ff1d98",
    "data[list_id]": "a6b5da1054",
    "data[email]": "api@mailchimp.com",
    "data[email_type]": "html",
    "data[merges][EMAIL]": "api@mailchimp.com",
    "data[merges][FNAME]": "Mailchimp",
    "data[merges][LNAME]": "API",
    "data[merges][INTERESTS]": "Group1,Group2",
    "data[ip_opt]": "10.20.10.30",
}
UPEMAIL = {
    "type": "upemail",
    "fired_at": "2009-03-26 22:15:09",
    "data[list_id]": "a6b5da1054",
    "data[new_id]": "51da8c3259",
    "data[new_email]": "api+new@mailchimp.com",
    "data[old_email]": "api+old@mailchimp.com",
}
CAMPAIGN = {
    "type": "campaign",
    "fired_at": "2009-03-26 21:31:21",
    "data[id]": "5aa2102003",
    "data[subject]": "Test Campaign Subject",
    "data[status]": "sent",
    "data[reason]": "",
    "data[list_id]": "a6b5da1054",
}

KEY = "0123456789abcdef0123456789abcdef-us21"


@pytest.fixture(params=["mailchimp", "memory"])
def backend(request):
    if request.param == "memory":
        return InMemoryNewsletterBackend()
    return MailchimpBackend({"API_KEY": KEY, "LIST_ID": "a6b5da1054"})


def post(form: dict[str, str]) -> QueryDict:
    """The form as Django's request.POST holds it."""
    return QueryDict(urlencode(form))


def test_unsubscribe_with_its_reason(backend):
    (event,) = backend.webhook_events(post(UNSUBSCRIBE))

    assert event == WebhookEvent(
        type="unsubscribe",
        email="api+unsub@mailchimp.com",
        reason="manual",
        fired_at=datetime(2009, 3, 26, 21, 40, 57, tzinfo=UTC),
        raw=UNSUBSCRIBE,
        list_id="a6b5da1054",
        remote_id="8a25ff1d98",
        action="unsub",
        campaign_id="cb398d21d2",
        merges={
            "EMAIL": "api+unsub@mailchimp.com",
            "FNAME": "Mailchimp",
            "LNAME": "API",
            "INTERESTS": "Group1,Group2",
        },
    )


@pytest.mark.parametrize("reason", ["hard", "abuse"])
def test_cleaned_with_its_reason(backend, reason):
    (event,) = backend.webhook_events(post({**CLEANED, "data[reason]": reason}))

    assert (event.type, event.email, event.reason) == (
        "cleaned",
        "api+cleaned@mailchimp.com",
        reason,
    )
    assert event.campaign_id == "4fjk2ma9xd"


def test_profile_with_its_merge_fields(backend):
    (event,) = backend.webhook_events(post(PROFILE))

    assert (event.type, event.email, event.reason) == (
        "profile",
        "api@mailchimp.com",
        "",
    )
    assert event.merges["FNAME"] == "Mailchimp"


def test_upemail_names_the_old_and_the_new_address(backend):
    (event,) = backend.webhook_events(post(UPEMAIL))

    assert (event.type, event.email, event.new_email, event.remote_id) == (
        "upemail",
        "api+old@mailchimp.com",
        "api+new@mailchimp.com",
        "51da8c3259",
    )
    assert event.fired_at == datetime(2009, 3, 26, 22, 15, 9, tzinfo=UTC)


def test_campaign_has_no_member(backend):
    (event,) = backend.webhook_events(post(CAMPAIGN))

    assert (event.type, event.email, event.campaign_id, event.campaign_status) == (
        "campaign",
        "",
        "5aa2102003",
        "sent",
    )


def test_a_dict_of_lists_as_parse_qs_gives_it(backend):
    form = parse_qs(urlencode(UNSUBSCRIBE))

    (event,) = backend.webhook_events(form)

    assert event.email == "api+unsub@mailchimp.com"
    assert event.raw == UNSUBSCRIBE


@pytest.mark.parametrize(
    "kind", ["subscribe", "unsubscribe", "profile", "cleaned", "upemail"]
)
def test_the_fakes_webhook_forms_read_back(backend, kind):
    form = webhook_form(kind, "kokusai@city.example.jp", new_email="new@example.jp")

    (event,) = backend.webhook_events(post(form))

    assert event.type == kind
    assert event.email == "kokusai@city.example.jp"


def test_a_body_without_a_type_is_invalid(backend):
    with pytest.raises(InvalidWebhook, match="no type"):
        backend.webhook_events(post({"data[email]": "a@example.jp"}))
    with pytest.raises(InvalidWebhook):
        backend.webhook_events(QueryDict(""))


def test_a_member_event_without_an_address_is_invalid(backend):
    form = {key: v for key, v in UNSUBSCRIBE.items() if key != "data[email]"}

    with pytest.raises(InvalidWebhook, match="without an e-mail"):
        backend.webhook_events(post(form))
    assert isinstance(InvalidWebhook("x"), ValueError)


def test_an_unknown_type_is_ignored(backend):
    # Mailchimp may add kinds of events: answering 200 and ignoring them
    # keeps it from retrying and disabling the webhook.
    assert backend.webhook_events(post({**PROFILE, "type": "merged"})) == []


def test_an_unreadable_time_is_none(backend):
    (event,) = backend.webhook_events(post({**CLEANED, "fired_at": "yesterday"}))

    assert event.fired_at is None
