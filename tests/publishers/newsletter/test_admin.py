"""The admin's subscriber list: HQ reviewers and superusers only, filters,
the CSV export of subscribed members, the consent history and "Erase"."""

import pytest
from django.core import mail

from publishers.backends.newsletter import TemporaryError
from publishers.newsletter.models import Subscriber

from .conftest import confirm_path

pytestmark = pytest.mark.django_db

INDEX = "/admin/newsletter_subscribers/"


@pytest.fixture
def people(signup, client):
    signup("subscribed@city.example.lg.jp")
    client.post(confirm_path(mail.outbox[0]))
    signup("pending@city.example.lg.jp", prefecture="13")
    signup("script@city.example.lg.jp", organisation="<script>alert(1)</script>")
    return list(Subscriber.objects.order_by("pk"))


@pytest.fixture
def english(admin_user):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()


def test_superuser_sees_the_list_with_status_and_interests(admin_client, people):
    response = admin_client.get(INDEX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "subscribed@city.example.lg.jp" in html
    assert "pending@city.example.lg.jp" in html
    assert "2026-11" in html
    region = people[0].regions.first()
    assert region.name_ja in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_filters_by_status_and_prefecture(admin_client, people):
    html = admin_client.get(INDEX, {"status": "subscribed"}).content.decode()
    assert "subscribed@city.example.lg.jp" in html
    assert "pending@city.example.lg.jp" not in html
    html = admin_client.get(INDEX, {"prefecture": "13"}).content.decode()
    assert "pending@city.example.lg.jp" in html
    assert "subscribed@city.example.lg.jp" not in html


def test_hq_reviewers_see_it_and_office_editors_do_not(client, user_in_group, people):
    client.force_login(user_in_group("HQ reviewers"))
    assert client.get(INDEX).status_code == 200
    client.force_login(user_in_group("Office editors: lon", username="lon"))
    assert client.get(INDEX).status_code in (302, 403)
    erase = f"/admin/newsletter/subscribers/{people[0].pk}/erase/"
    assert client.post(erase).status_code in (302, 403)
    assert Subscriber.objects.filter(pk=people[0].pk).exists()


def test_nobody_adds_or_edits_subscribers_in_the_admin(admin_client, people):
    assert admin_client.get(INDEX + "new/").status_code in (302, 403)
    assert admin_client.get(f"{INDEX}edit/{people[0].pk}/").status_code in (302, 403)
    assert admin_client.get(f"{INDEX}delete/{people[0].pk}/").status_code in (
        302,
        403,
    )


def test_csv_export_lists_only_subscribed_members(admin_client, people):
    response = admin_client.get(INDEX, {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "subscribed@city.example.lg.jp" in body
    assert "pending@city.example.lg.jp" not in body
    assert "北海道" in body
    assert "consent" not in body.lower()


def test_inspect_shows_the_consent_history(admin_client, people, english):
    html = admin_client.get(f"{INDEX}inspect/{people[0].pk}/").content.decode()
    assert "Consent history" in html
    assert "consent given on the form" in html
    assert "confirmed (double opt-in)" in html
    assert "/erase/" in html
    assert people[0].unsubscribe_key not in html


def test_erase_asks_then_erases(admin_client, people, english):
    url = f"/admin/newsletter/subscribers/{people[0].pk}/erase/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "subscribed@city.example.lg.jp" in page.content.decode()
    assert Subscriber.objects.filter(pk=people[0].pk).exists()
    response = admin_client.post(url, follow=True)
    assert not Subscriber.objects.filter(pk=people[0].pk).exists()
    assert "The subscriber is erased" in response.content.decode()


def test_erase_with_mailchimp_down_says_it_waits(
    admin_client, mailchimp, signup, english
):
    signup("waiting@city.example.lg.jp")
    subscriber = Subscriber.objects.get()
    mailchimp.fail_next(TemporaryError("down"), method="member_delete_permanently")
    url = f"/admin/newsletter/subscribers/{subscriber.pk}/erase/"
    html = admin_client.post(url, follow=True).content.decode()
    assert "Mailchimp could not be reached" in html
    assert "Erasure waiting for Mailchimp" in html
    assert Subscriber.objects.get().status == Subscriber.Status.ERASED
