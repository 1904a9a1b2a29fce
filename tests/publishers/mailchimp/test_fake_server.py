"""The fake's own rules that the backend never provokes, checked over plain
HTTP: how it authenticates, refuses, pages and posts webhooks, so that other
tests and benchmarks can rely on it."""

from urllib.parse import parse_qs

import httpx
import pytest

from tests.fakes.mailchimp_rules import subscriber_hash
from tests.fakes.mailchimp_webhooks import post_webhook, webhook_form
from tests.fakes.webhook_receiver import WebhookReceiver

EMAIL = "kokusai@city.example.jp"


def call(mailchimp, method, path, *, auth=None, headers=None, **kwargs):
    return httpx.request(
        method,
        mailchimp.api_url + path,
        auth=auth or ("anystring", mailchimp.api_key),
        headers=headers,
        **kwargs,
    )


def member_path(mailchimp, email=EMAIL):
    return f"/lists/{mailchimp.list_id}/members/{subscriber_hash(email)}"


@pytest.mark.parametrize("scheme", ["Bearer", "apikey"])
def test_the_key_also_as_a_bearer_or_apikey_header(mailchimp, scheme):
    answer = httpx.get(
        mailchimp.api_url + "/ping",
        headers={"Authorization": f"{scheme} {mailchimp.api_key}"},
    )

    assert answer.json() == {"health_status": "Everything's Chimpy!"}


def test_no_key_or_a_wrong_one_is_401_in_mailchimps_problem_json(mailchimp):
    missing = httpx.get(mailchimp.api_url + "/ping")
    wrong = call(mailchimp, "GET", "/ping", auth=("anystring", "wrong-us21"))

    assert (missing.status_code, missing.json()["title"]) == (401, "API Key Missing")
    assert (wrong.status_code, wrong.json()["title"]) == (401, "API Key Invalid")
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert set(wrong.json()) == {"type", "title", "status", "detail", "instance"}


def test_unknown_paths_and_methods(mailchimp):
    assert call(mailchimp, "GET", "/nothing").status_code == 404
    assert httpx.get(mailchimp.url + "/ping").status_code == 404  # no /3.0
    wrong = call(mailchimp, "PATCH", "/campaigns")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "POST")


def test_a_body_that_is_not_json_is_a_parse_error(mailchimp):
    answer = call(mailchimp, "PUT", member_path(mailchimp), content=b"{nope")

    assert (answer.status_code, answer.json()["title"]) == (400, "JSON Parse Exception")


def test_a_status_cannot_put_back_an_unsubscribed_member(mailchimp):
    body = {"email_address": EMAIL, "status_if_new": "pending"}
    call(mailchimp, "PUT", member_path(mailchimp), json=body).raise_for_status()
    mailchimp.member_unsubscribe(EMAIL)

    answer = call(
        mailchimp, "PUT", member_path(mailchimp), json={**body, "status": "subscribed"}
    )

    assert (answer.status_code, answer.json()["title"]) == (
        400,
        "Member In Compliance State",
    )
    assert mailchimp.member(EMAIL)["status"] == "unsubscribed"


def test_a_patch_changes_only_a_member_the_audience_holds(mailchimp):
    patched = call(
        mailchimp, "PATCH", member_path(mailchimp), json={"status": "pending"}
    )
    body = {"email_address": EMAIL, "status_if_new": "subscribed"}
    call(mailchimp, "PUT", member_path(mailchimp), json=body).raise_for_status()
    mailchimp.member_clean(EMAIL)
    refused = call(
        mailchimp, "PATCH", member_path(mailchimp), json={"status": "pending"}
    )

    assert patched.status_code == 404
    assert (refused.status_code, refused.json()["title"]) == (
        400,
        "Member In Compliance State",
    )
    assert mailchimp.member(EMAIL)["status"] == "cleaned"


def test_merge_fields_page_tags_and_values(mailchimp):
    path = f"/lists/{mailchimp.list_id}/merge-fields"
    for n in range(8):
        body = {"name": f"Field {n}", "type": "text"}
        call(mailchimp, "POST", path, json=body).raise_for_status()
    twice = call(
        mailchimp, "POST", path, json={"tag": "MMERGE5", "name": "x", "type": "text"}
    )
    first = call(mailchimp, "GET", path).json()
    body = {
        "email_address": EMAIL,
        "status_if_new": "pending",
        "merge_fields": {"FNAME": 7},
    }
    not_text = call(mailchimp, "PUT", member_path(mailchimp), json=body)

    # Four of Mailchimp's own, then MMERGE5 to MMERGE12 (no tag given).
    assert (len(first["merge_fields"]), first["total_items"]) == (10, 12)
    assert [f["tag"] for f in first["merge_fields"]][:5] == [
        "FNAME",
        "LNAME",
        "ADDRESS",
        "PHONE",
        "MMERGE5",
    ]
    assert (twice.status_code, twice.json()["title"]) == (400, "Invalid Resource")
    assert not_text.status_code == 400
    assert not_text.json()["errors"][0]["field"] == "merge_fields.FNAME"


def test_the_path_may_hold_the_address_itself(mailchimp):
    body = {"email_address": EMAIL, "status_if_new": "subscribed"}

    answer = call(
        mailchimp, "PUT", f"/lists/{mailchimp.list_id}/members/{EMAIL}", json=body
    )

    assert answer.json()["id"] == subscriber_hash(EMAIL)


def test_collections_answer_ten_unless_asked_and_sixty_interests_at_most(mailchimp):
    categories = f"/lists/{mailchimp.list_id}/interest-categories"
    ids = []
    for n in range(12):
        created = call(
            mailchimp, "POST", categories, json={"title": f"c{n}", "type": "hidden"}
        )
        ids.append(created.json()["id"])
    for n in range(60):
        path = f"{categories}/{ids[n % 12]}/interests"
        call(mailchimp, "POST", path, json={"name": f"i{n}"}).raise_for_status()

    first = call(mailchimp, "GET", categories).json()
    more = call(
        mailchimp, "POST", f"{categories}/{ids[0]}/interests", json={"name": "x"}
    )

    assert (len(first["categories"]), first["total_items"]) == (10, 12)
    assert (
        len(
            call(mailchimp, "GET", categories, params={"count": 1000}).json()[
                "categories"
            ]
        )
        == 12
    )
    assert more.status_code == 400
    assert "60" in more.json()["detail"]


def test_a_campaign_without_content_is_not_ready_to_send(mailchimp):
    created = call(
        mailchimp,
        "POST",
        "/campaigns",
        json={"type": "regular", "recipients": {"list_id": mailchimp.list_id}},
    ).json()

    answer = call(mailchimp, "POST", f"/campaigns/{created['id']}/actions/send")

    assert answer.status_code == 400
    assert answer.json()["detail"] == "Your Campaign is not ready to send."
    assert mailchimp.sends == []


def test_beyond_ten_connections_mailchimps_429(mailchimp):
    mailchimp.fail_next(429)

    answer = call(mailchimp, "GET", "/ping")

    assert answer.status_code == 429
    assert "10 simultaneous connections" in answer.json()["detail"]


def test_post_webhook_posts_the_form_mailchimp_sends(mailchimp):
    receiver = WebhookReceiver().start()
    try:
        body = {"email_address": EMAIL, "status_if_new": "pending"}
        call(mailchimp, "PUT", member_path(mailchimp), json=body).raise_for_status()
        form = mailchimp.member_unsubscribe(EMAIL, reason="abuse")

        answer = post_webhook(f"{receiver.url}?secret=s3cret", form)
    finally:
        receiver.stop()

    assert answer.status_code < 300
    (received,) = receiver.events
    headers = {name.lower(): value for name, value in received.headers.items()}
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert headers["user-agent"] == "MailChimp.com"
    posted = {
        key: values[-1]
        for key, values in parse_qs(
            received.body.decode(), keep_blank_values=True
        ).items()
    }
    assert posted == form
    assert (posted["type"], posted["data[reason]"], posted["data[email]"]) == (
        "unsubscribe",
        "abuse",
        EMAIL,
    )
    assert posted["data[id]"] == subscriber_hash(EMAIL)
    assert set(webhook_form("unsubscribe", EMAIL)) == set(posted)
