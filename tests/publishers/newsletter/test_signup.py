"""The embedded default's double opt-in: the form, the e-mail, the landing
page whose button confirms, and the consent audit."""

import pytest
from django.core import mail
from django.test import Client

from publishers.newsletter.addresses import email_digest
from publishers.newsletter.consent import consent_get
from publishers.newsletter.models import ConsentRecord, Subscriber

from .conftest import BASE_URL, confirm_path

pytestmark = pytest.mark.django_db


def test_signup_page_is_in_japanese_with_the_consent_text_and_no_cache(client):
    response = client.get("/newsletter/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ニュースレターをメールで受け取ることに同意します" in html
    assert 'data-consent-version="2026-11"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The consent box starts unticked.
    assert 'name="consent"' in html
    assert 'name="consent" checked' not in html
    assert "no-store" in response["Cache-Control"]
    assert "X-Tsunagu-Cache" not in response


def test_home_page_links_to_the_signup_page_without_a_form(client):
    html = client.get("/").content.decode()
    assert 'href="/newsletter/"' in html
    assert "csrfmiddlewaretoken" not in html


def test_signup_sends_a_confirmation_with_text_and_html(signup, regions, topics):
    response = signup()
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-email/"
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.email_key == "tanaka@city.example.lg.jp"
    assert subscriber.prefecture == "01"
    assert set(subscriber.regions.all()) == set(regions[:2])
    assert list(subscriber.topics.all()) == [topics[0]]
    assert subscriber.language == "ja"
    assert subscriber.consent_version == "2026-11"
    [message] = mail.outbox
    assert message.to == ["tanaka@city.example.lg.jp"]
    assert message.from_email == "Tsunagu <newsletter@tsunagu.example.jp>"
    assert "ニュースレター登録の確認" in message.subject
    assert [mimetype for _body, mimetype in message.alternatives] == ["text/html"]
    assert confirm_path(message).startswith("/newsletter/confirm/")
    assert BASE_URL + confirm_path(message) in message.alternatives[0][0]
    # A transactional e-mail: not the newsletter's bulk headers.
    assert "List-Unsubscribe" not in message.extra_headers


def test_get_of_the_link_does_not_confirm_and_post_does(signup, client):
    signup()
    path = confirm_path(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200
    assert "札幌市 国際部" in page.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    # A mail scanner's GET again: still nothing.
    Client().get(path)
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    done = client.post(path)
    assert done.status_code == 200
    assert 'data-outcome="confirmed"' in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.SUBSCRIBED
    assert subscriber.confirmed_at is not None


def test_confirm_post_needs_the_csrf_token(signup):
    signup()
    path = confirm_path(mail.outbox[0])
    response = Client(enforce_csrf_checks=True).post(path)
    assert response.status_code == 403
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_consent_is_recorded_given_then_confirmed(signup, client):
    signup()
    client.post(confirm_path(mail.outbox[0]))
    subscriber = Subscriber.objects.get()
    records = list(subscriber.consent_records.order_by("at", "pk"))
    assert [r.action for r in records] == ["given", "confirmed"]
    given = records[0]
    consent = consent_get(language="ja")
    assert given.consent_version == "2026-11"
    assert given.text_sha256 == consent.sha256
    assert given.language == "ja"
    assert given.source == "site"
    assert given.email_digest == email_digest("tanaka@city.example.lg.jp")
    assert "tanaka" not in given.email_digest
    assert records[1].text_sha256 == consent.sha256


def test_a_second_use_of_the_link_says_already_confirmed(signup, client):
    signup()
    path = confirm_path(mail.outbox[0])
    client.post(path)
    again = client.post(path)
    assert 'data-outcome="already"' in again.content.decode()
    assert client.get(path).status_code == 200
    assert ConsentRecord.objects.filter(action="confirmed").count() == 1


def test_known_and_new_addresses_get_the_same_answer(signup, client):
    first = signup("new@city.example.lg.jp", follow=True)
    client.post(confirm_path(mail.outbox[0]))
    known = signup("new@city.example.lg.jp", follow=True)
    other = signup("other@city.example.lg.jp", follow=True)

    def page(response) -> str:
        html = response.content.decode()
        return html.split("<main", 1)[1].split("</main>", 1)[0]

    assert first.redirect_chain == known.redirect_chain == other.redirect_chain
    assert page(first) == page(known) == page(other)


def test_english_signup_gets_an_english_email_and_english_links(signup):
    signup(prefix="/en")
    [message] = mail.outbox
    assert message.subject == "Tsunagu: confirm your newsletter subscription"
    assert confirm_path(message).startswith("/en/newsletter/confirm/")
    assert Subscriber.objects.get().language == "en"
    assert ConsentRecord.objects.get().language == "en"


def test_french_signup_reads_the_english_consent_text(client):
    html = client.get("/fr/newsletter/").content.decode()
    assert "I agree to receive the Tsunagu newsletter by e-mail." in html


def test_address_case_and_idn_domain_are_one_subscriber(signup):
    signup("Tanaka@例え.jp")
    signup("tanaka@XN--R8JZ45G.JP")
    subscriber = Subscriber.objects.get()
    assert subscriber.email_key == "tanaka@xn--r8jz45g.jp"


def test_a_subscribed_persons_new_choices_wait_for_their_confirmation(
    signup, client, regions
):
    signup()
    client.post(confirm_path(mail.outbox[0]))
    mail.outbox.clear()
    # Someone else sends the form with this address and other choices.
    signup(organisation="Not me", regions=[regions[2].pk], topics=None)
    subscriber = Subscriber.objects.get()
    assert subscriber.organisation == "札幌市 国際部"
    assert set(subscriber.regions.all()) == set(regions[:2])
    assert subscriber.pending_change["organisation"] == "Not me"
    [message] = mail.outbox
    assert "変更" in message.subject
    path = confirm_path(message)
    assert "Not me" in client.get(path).content.decode()
    client.post(path)
    subscriber.refresh_from_db()
    assert subscriber.organisation == "Not me"
    assert list(subscriber.regions.all()) == [regions[2]]
    assert list(subscriber.topics.all()) == []
    assert subscriber.pending_change == {}
    assert subscriber.status == Subscriber.Status.SUBSCRIBED


def test_only_the_latest_link_confirms(signup, client, settings):
    settings.NEWSLETTER_CONFIRM_RESEND_SECONDS = 0
    signup()
    signup()
    old, new = (confirm_path(m) for m in mail.outbox)
    response = client.post(old)
    assert 'data-outcome="replaced"' in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    client.post(new)
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED


def test_unsubscribed_person_can_sign_up_again(signup, client):
    from publishers.newsletter.services import subscriber_unsubscribe

    signup()
    client.post(confirm_path(mail.outbox[0]))
    subscriber_unsubscribe(subscriber=Subscriber.objects.get(), reason="test")
    mail.outbox.clear()
    signup()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    client.post(confirm_path(mail.outbox[0]))
    assert Subscriber.objects.get().status == Subscriber.Status.SUBSCRIBED
    actions = list(
        ConsentRecord.objects.order_by("at", "pk").values_list("action", flat=True)
    )
    assert actions == ["given", "confirmed", "withdrawn", "given", "confirmed"]
