"""Signed links: expired and forged ones refused with a clear page; the
unsubscribe page's two steps, RFC 8058's one-click POST, and the headers
every newsletter e-mail carries."""

import time

import pytest
from django.core import mail
from django.test import Client

from publishers.newsletter.mail import (
    newsletter_message,
    unsubscribe_headers,
    unsubscribe_url,
)
from publishers.newsletter.models import ConsentRecord, Subscriber
from publishers.newsletter.tokens import confirm_token, unsubscribe_token

from .conftest import BASE_URL, confirm_path

pytestmark = pytest.mark.django_db

ONE_CLICK = "List-Unsubscribe=One-Click"


@pytest.fixture
def subscribed(signup, client) -> Subscriber:
    signup()
    client.post(confirm_path(mail.outbox[0]))
    mail.outbox.clear()
    return Subscriber.objects.get(status=Subscriber.Status.SUBSCRIBED)


def _path(url: str) -> str:
    assert url.startswith(BASE_URL)
    return url.removeprefix(BASE_URL)


def test_expired_confirmation_link_is_refused_with_a_clear_page(
    signup, client, monkeypatch
):
    signup()
    subscriber = Subscriber.objects.get()
    four_days_ago = time.time() - 4 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: four_days_ago)
    token = confirm_token(subscriber)
    monkeypatch.undo()
    for method in (client.get, client.post):
        response = method(f"/newsletter/confirm/{token}/")
        assert response.status_code == 410
        assert 'data-problem="expired"' in response.content.decode()
    english = client.get(f"/en/newsletter/confirm/{token}/").content.decode()
    assert "This link has expired" in english
    assert "Sign up again to receive a new one." in english
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_confirmation_link_works_until_its_lifetime_ends(signup, client, settings):
    settings.NEWSLETTER_CONFIRM_MAX_AGE_SECONDS = 3600
    signup()
    path = confirm_path(mail.outbox[0])
    client.post(path)
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "not-a-token",
        lambda token: token.split(":")[0] + ":forged:signature",
    ],
    ids=["one-character", "garbage", "forged"],
)
def test_forged_confirmation_link_is_refused(signup, client, mangle):
    signup()
    token = confirm_path(mail.outbox[0]).split("/")[-2]
    response = client.post(f"/newsletter/confirm/{mangle(token)}/")
    assert response.status_code == 400
    assert 'data-problem="invalid"' in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_an_unsubscribe_token_does_not_confirm(signup, client):
    signup()
    subscriber = Subscriber.objects.get()
    response = client.post(f"/newsletter/confirm/{unsubscribe_token(subscriber)}/")
    assert response.status_code == 400
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_unsubscribe_get_shows_a_button_and_changes_nothing(subscribed, client):
    path = _path(unsubscribe_url(subscribed))
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "tanaka@city.example.lg.jp" in html
    assert '<button type="submit">' in html
    assert "no-store" in response["Cache-Control"]
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.SUBSCRIBED


def test_unsubscribe_by_the_pages_button(subscribed, committed):
    client = Client(enforce_csrf_checks=True)
    path = _path(unsubscribe_url(subscribed))
    client.get(path)
    token = client.cookies["csrftoken"].value
    # Without the token the form's POST is refused.
    assert client.post(path).status_code == 403
    with committed():
        response = client.post(path, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.UNSUBSCRIBED
    record = ConsentRecord.objects.get(action="withdrawn")
    assert (record.source, record.reason) == ("site", "link")


def test_one_click_post_unsubscribes_at_once_without_csrf(subscribed, committed):
    path = _path(unsubscribe_url(subscribed))
    client = Client(enforce_csrf_checks=True)
    with committed():
        response = client.post(
            path, ONE_CLICK, content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 200
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.UNSUBSCRIBED
    assert ConsentRecord.objects.get(action="withdrawn").reason == "one-click"


def test_one_click_post_as_multipart_form_data(subscribed):
    path = _path(unsubscribe_url(subscribed))
    response = Client(enforce_csrf_checks=True).post(
        path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.UNSUBSCRIBED


def test_one_click_twice_records_one_withdrawal(subscribed):
    path = _path(unsubscribe_url(subscribed))
    for _ in range(2):
        response = Client().post(
            path, ONE_CLICK, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 200
    assert ConsentRecord.objects.filter(action="withdrawn").count() == 1
    page = Client().get(path).content.decode()
    assert 'data-status="unsubscribed"' in page
    assert "<button" not in page.split("<main", 1)[1]


def test_one_click_with_a_forged_signature_is_refused(subscribed):
    token = unsubscribe_token(subscribed)
    forged = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    response = Client().post(
        f"/newsletter/unsubscribe/{forged}/",
        ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.SUBSCRIBED


def test_a_confirmation_token_does_not_unsubscribe(signup, client):
    signup()
    token = confirm_path(mail.outbox[0]).split("/")[-2]
    response = Client().post(
        f"/newsletter/unsubscribe/{token}/",
        ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_unsubscribe_link_of_an_erased_subscriber_says_so(subscribed, admin_user):
    from publishers.newsletter.services import subscriber_erase

    path = _path(unsubscribe_url(subscribed))
    subscriber_erase(subscriber=subscribed, user=admin_user)
    response = Client().get(path)
    assert response.status_code == 404
    assert 'data-problem="unknown"' in response.content.decode()


def test_unsubscribe_headers(subscribed, settings):
    headers = unsubscribe_headers(subscribed)
    assert headers == {
        "List-Unsubscribe": f"<{unsubscribe_url(subscribed)}>",
        "List-Unsubscribe-Post": ONE_CLICK,
    }
    assert unsubscribe_url(subscribed).startswith(
        "https://tsunagu.example.jp/newsletter/unsubscribe/"
    )
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "unsubscribe@tsunagu.example.jp"
    value = unsubscribe_headers(subscribed)["List-Unsubscribe"]
    assert value == (
        f"<{unsubscribe_url(subscribed)}>, "
        "<mailto:unsubscribe@tsunagu.example.jp?subject=unsubscribe>"
    )


def test_newsletter_email_has_both_parts_and_the_unsubscribe_headers(subscribed):
    message = newsletter_message(
        subscriber=subscribed,
        subject="今週の海外自治体ニュース",
        text="今週のニュース",
        html="<h1>今週のニュース</h1>",
    )
    message.send()
    [sent] = mail.outbox
    assert sent.alternatives[0][1] == "text/html"
    raw = sent.message()
    assert raw["List-Unsubscribe-Post"] == ONE_CLICK
    assert raw["List-Unsubscribe"] == f"<{unsubscribe_url(subscribed)}>"
    assert raw["From"] == "Tsunagu <newsletter@tsunagu.example.jp>"
    # The header's link works: one click, and the reader is out.
    Client().post(
        _path(unsubscribe_url(subscribed)),
        ONE_CLICK,
        content_type="application/x-www-form-urlencoded",
    )
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.UNSUBSCRIBED


def test_english_subscribers_get_english_unsubscribe_pages(signup, client):
    signup("smith@city.example.lg.jp", prefix="/en")
    client.post(confirm_path(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    assert "/en/newsletter/unsubscribe/" in unsubscribe_url(subscriber)
