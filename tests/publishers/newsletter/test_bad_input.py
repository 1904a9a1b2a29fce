"""What the sign-up form does with bad input, bots and floods: a clear
error on the form and nothing stored, or the usual answer and nothing
done."""

import pytest
from django.core import mail

from publishers.newsletter.models import ConsentRecord, Subscriber

from .conftest import confirm_path

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><b>太字</b>'


def _errors(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _nothing_stored() -> None:
    assert not Subscriber.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email",
    ["not-an-address", "a@b", "tanaka@@city.jp", "tanaka@city..jp", "", " " * 3],
)
def test_invalid_email_is_refused_on_the_form(signup, email):
    html = _errors(signup(email))
    assert 'id="id_email_error"' in html or "errorlist" in html
    _nothing_stored()


def test_email_longer_than_254_characters_is_refused(signup):
    html = _errors(signup("a" * 250 + "@city.example.lg.jp"))
    assert "errorlist" in html
    _nothing_stored()


def test_ten_thousand_character_organisation_is_refused_clearly(signup):
    response = signup(organisation="市" * 10_000, prefix="/en")
    html = _errors(response)
    assert "Ensure this value has at most 200 characters (it has 10000)." in html
    # The form comes back with what was typed, not a crash or a cut value.
    _nothing_stored()


def test_unticked_consent_is_refused(signup):
    html = _errors(signup(consent=None, prefix="/en"))
    assert "Tick the box to agree" in html
    _nothing_stored()


def test_a_region_is_required_and_unknown_ids_are_refused(signup):
    assert "Choose at least one region." in _errors(signup(regions=None, prefix="/en"))
    assert "errorlist" in _errors(signup(regions=[999_999]))
    assert "errorlist" in _errors(signup(regions=["1; DROP TABLE"]))
    _nothing_stored()


def test_unknown_prefecture_code_is_refused(signup):
    assert "errorlist" in _errors(signup(prefecture="48"))
    _nothing_stored()


def test_html_and_script_are_stored_as_typed_and_shown_escaped(signup, client):
    signup(organisation=SCRIPT)
    subscriber = Subscriber.objects.get()
    assert subscriber.organisation == SCRIPT
    [message] = mail.outbox
    # Nothing the sender typed goes into the e-mail.
    assert "script" not in message.body
    assert "script" not in message.alternatives[0][0]
    page = client.get(confirm_path(message)).content.decode()
    assert SCRIPT not in page
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;太字&lt;/b&gt;"
        in page
    )


def test_html_in_the_email_field_is_refused(signup):
    assert "errorlist" in _errors(signup('"><script>@city.jp'))
    _nothing_stored()


def test_japanese_idn_domain_is_accepted_and_mailed(signup):
    signup("tanaka@例え.テスト")
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "tanaka@例え.テスト"
    assert subscriber.email_key == "tanaka@xn--r8jz45g.xn--zckzah"
    [message] = mail.outbox
    # Django's e-mail puts the domain in its ASCII form on the envelope.
    assert "tanaka@xn--r8jz45g.xn--zckzah" in message.message()["To"]


def test_full_width_address_is_read_as_ascii(signup):
    signup("ｔａｎａｋａ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐ")
    assert Subscriber.objects.get().email == "tanaka@city.example.jp"


def test_honeypot_gets_the_usual_answer_and_nothing_is_done(signup):
    response = signup(leave_this_empty="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-email/"
    _nothing_stored()


def test_signups_per_client_address_are_limited(signup, settings):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 3
    for n in range(3):
        assert signup(f"person{n}@city.example.lg.jp").status_code == 302
    response = signup("person9@city.example.lg.jp")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Subscriber.objects.count() == 3
    assert not Subscriber.objects.filter(email__startswith="person9").exists()


def test_signups_from_another_address_are_not_limited(signup, settings, client):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 1
    signup("one@city.example.lg.jp")
    assert signup("two@city.example.lg.jp").status_code == 429
    client.defaults["REMOTE_ADDR"] = "198.51.100.23"
    assert signup("three@city.example.lg.jp").status_code == 302


def test_one_confirmation_email_per_address_in_ten_minutes(signup):
    for _ in range(5):
        assert signup().status_code == 302
    assert len(mail.outbox) == 1
    # The first link still confirms.
    assert Subscriber.objects.get().confirm_nonce
    assert ConsentRecord.objects.filter(action="given").count() == 5


def test_unknown_methods_are_refused(client):
    assert client.put("/newsletter/").status_code == 405
    assert client.delete("/newsletter/unsubscribe/x/").status_code == 405
