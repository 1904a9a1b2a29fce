"""What MailchimpBackend makes of Mailchimp's error answers, of a slow or lost
answer and of an unreachable server: our domain errors, in plain words,
never with the API key; and the timeout really applied to every call."""

import logging
import socket
import threading
import time

import pytest

from publishers.backends.newsletter import (
    ConfigurationError,
    NewsletterError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    TemporaryError,
)
from publishers.backends.newsletter.mailchimp import MailchimpBackend
from publishers.backends.newsletter.mailchimp_calls import RATE_LIMIT_RETRY_SECONDS

EMAIL = "kokusai@city.example.jp"


def quick_backend(mailchimp, timeout=0.3, **options):
    return MailchimpBackend(
        mailchimp.backend_options(TIMEOUT_SECONDS=timeout, **options)
    )


# -- status codes --------------------------------------------------------------


def test_a_wrong_key_is_a_configuration_error_without_the_key(mailchimp, caplog):
    wrong = "ffffffffffffffffffffffffffffffff-us21"
    backend = MailchimpBackend(mailchimp.backend_options(API_KEY=wrong))

    with pytest.raises(ConfigurationError) as error:
        backend.member_get(email=EMAIL)

    assert "401 API Key Invalid" in str(error.value)
    assert wrong not in str(error.value)
    assert wrong not in caplog.text
    assert mailchimp.api_key not in caplog.text


def test_forbidden_is_a_configuration_error(backend, mailchimp):
    mailchimp.fail_next(403)

    with pytest.raises(ConfigurationError, match="403 Forbidden"):
        backend.campaign_status(campaign_id="abc")


def test_an_unknown_audience_is_a_configuration_error(mailchimp):
    backend = MailchimpBackend(mailchimp.backend_options(LIST_ID="0000000000"))

    with pytest.raises(ConfigurationError, match="no audience '0000000000'"):
        backend.member_get(email=EMAIL)
    with pytest.raises(ConfigurationError):
        backend.check()


def test_check_passes_with_a_good_key_and_audience(backend, mailchimp):
    backend.check()

    assert [r.path for r in mailchimp.requests] == [
        "/ping",
        f"/lists/{mailchimp.list_id}",
    ]


def test_too_many_requests_is_rate_limited(backend, mailchimp):
    mailchimp.fail_next(429)

    with pytest.raises(RateLimited) as error:
        backend.member_get(email=EMAIL)

    # Mailchimp's 429 has no Retry-After: the backend's own estimate.
    assert error.value.retry_after_seconds == RATE_LIMIT_RETRY_SECONDS
    assert isinstance(error.value, TemporaryError)


def test_beyond_the_connection_limit_calls_are_rate_limited(mailchimp):
    mailchimp.max_connections = 2
    mailchimp.delay_seconds = 0.3
    backend = quick_backend(mailchimp, timeout=5)
    outcomes = []

    def read() -> None:
        try:
            backend.member_get(email=EMAIL)
            outcomes.append("ok")
        except RateLimited:
            outcomes.append("429")

    threads = [threading.Thread(target=read) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["429"] * 3 + ["ok"] * 2


def test_the_backend_keeps_its_own_process_within_max_connections(mailchimp):
    mailchimp.max_connections = 2
    mailchimp.delay_seconds = 0.2
    backend = quick_backend(mailchimp, timeout=5, MAX_CONNECTIONS=2)

    threads = [
        threading.Thread(target=backend.member_get, kwargs={"email": EMAIL})
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert mailchimp.most_in_flight == 2
    assert {r.status for r in mailchimp.requests} == {200, 404}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_temporary(backend, mailchimp, status):
    mailchimp.fail_next(status)

    with pytest.raises(TemporaryError, match=f"unavailable \\({status}"):
        backend.campaign_status(campaign_id="abc")


def test_a_server_error_with_an_empty_body_is_still_an_error(backend, mailchimp):
    # The client returns the response itself, not an error, when the body
    # is empty: the backend checks the status.
    mailchimp.fail_next(500, body=b"")

    with pytest.raises(TemporaryError):
        backend.member_upsert(email=EMAIL, merge_fields={}, interests={})


def test_an_html_error_page_is_mapped_by_its_status(backend, mailchimp):
    mailchimp.fail_next(502, body=b"<html><body>Bad Gateway</body></html>")

    with pytest.raises(TemporaryError, match="502"):
        backend.member_get(email=EMAIL)


def test_a_bad_request_keeps_mailchimps_title_detail_and_errors(backend, mailchimp):
    with pytest.raises(Rejected) as error:
        backend.member_upsert(email="not-an-address", merge_fields={}, interests={})

    assert error.value.status == 400
    assert error.value.title == "Invalid Resource"
    assert error.value.detail == "Please provide a valid email address."
    assert "Invalid Resource" in str(error.value)


def test_member_in_compliance_state_is_rejected_with_mailchimps_words(
    backend, mailchimp
):
    mailchimp.fail_next(
        400,
        title="Member In Compliance State",
        detail=f"{EMAIL} is already a list member in compliance state due to "
        "unsubscribe, bounce, or compliance review.",
    )

    with pytest.raises(Rejected) as error:
        backend.member_upsert(email=EMAIL, merge_fields={}, interests={})

    assert error.value.title == "Member In Compliance State"


def test_an_unknown_campaign_is_not_found(backend, mailchimp):
    with pytest.raises(NotFound) as error:
        backend.campaign_status(campaign_id="0000000000")

    assert error.value.status == 404
    assert isinstance(error.value, Rejected)


# -- lost and slow answers -----------------------------------------------------


def test_a_send_whose_answer_never_comes_is_outcome_unknown_and_it_was_sent(
    mailchimp, create_digest
):
    backend = quick_backend(mailchimp)
    campaign_id = create_digest()
    mailchimp.timeout_after_arrival_next(path=f"/campaigns/{campaign_id}/actions/send")

    started = time.monotonic()
    with pytest.raises(OutcomeUnknown, match="may have happened"):
        backend.campaign_send(campaign_id=campaign_id)

    # The answer was held for 30 s: the client gave up at its timeout.
    assert time.monotonic() - started < 5
    # The caller's way to avoid a second send: look at the stored id.
    assert backend.campaign_status(campaign_id=campaign_id) == "sent"
    assert mailchimp.send_count(campaign_id) == 1
    assert not isinstance(OutcomeUnknown("x"), TemporaryError)


def test_a_send_whose_connection_drops_is_outcome_unknown(
    backend, mailchimp, create_digest
):
    campaign_id = create_digest()
    mailchimp.drop_connection_next(path=f"/campaigns/{campaign_id}/actions/send")

    with pytest.raises(OutcomeUnknown, match="lost"):
        backend.campaign_send(campaign_id=campaign_id)

    assert backend.campaign_status(campaign_id=campaign_id) == "sent"


def test_a_create_whose_answer_never_comes_is_outcome_unknown(mailchimp):
    backend = quick_backend(mailchimp)
    mailchimp.timeout_after_arrival_next(path="/campaigns", method="POST")

    with pytest.raises(OutcomeUnknown):
        backend.campaign_create(
            title="t",
            subject="s",
            preview_text="",
            from_name="Tsunagu",
            reply_to="newsletter@tsunagu.example.jp",
            html="<p>x</p>",
            text="x",
        )


def test_a_lost_answer_to_a_repeatable_call_is_temporary(backend, mailchimp):
    mailchimp.drop_connection_next(path=f"/lists/{mailchimp.list_id}/members/")

    with pytest.raises(TemporaryError, match="lost"):
        backend.member_upsert(email=EMAIL, merge_fields={}, interests={})


def test_the_timeout_applies_to_every_call(mailchimp, create_digest):
    campaign_id = create_digest()
    backend = quick_backend(mailchimp, timeout=0.3)
    mailchimp.delay_seconds = 3

    started = time.monotonic()
    with pytest.raises(TemporaryError, match=r"within 0\.3 s"):
        backend.campaign_status(campaign_id=campaign_id)
    with pytest.raises(OutcomeUnknown, match=r"within 0\.3 s"):
        backend.campaign_unschedule(campaign_id=campaign_id)

    # Without the timeout the two calls would take 6 s.
    assert time.monotonic() - started < 3
    # The client's own setting, the one it passes to requests on each call.
    assert backend.client.api_client.timeout == 0.3


def test_a_refused_connection_is_temporary(mailchimp):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = MailchimpBackend(
        mailchimp.backend_options(API_URL=f"http://127.0.0.1:{port}/3.0")
    )

    with pytest.raises(TemporaryError, match="could not be reached"):
        backend.campaign_send(campaign_id="abc")


def test_a_connection_dropped_before_any_effect_on_a_read_is_temporary(
    backend, mailchimp
):
    mailchimp.fail_next(0)

    with pytest.raises(TemporaryError):
        backend.member_get(email=EMAIL)


def test_a_failed_content_upload_removes_the_draft(backend, mailchimp, create_digest):
    mailchimp.fail_next(500, path="/campaigns/", method="PUT")

    with pytest.raises(TemporaryError):
        create_digest()

    assert mailchimp.campaigns == {}
    assert [r.method for r in mailchimp.requests_to("/campaigns.*")] == [
        "POST",
        "PUT",
        "DELETE",
    ]


def test_every_error_is_a_newsletter_error(backend, mailchimp, caplog):
    caplog.set_level(logging.INFO)
    for status in (400, 401, 404, 429, 500):
        mailchimp.fail_next(status)
        with pytest.raises(NewsletterError):
            backend.campaign_status(campaign_id="abc")
    assert mailchimp.api_key not in caplog.text
