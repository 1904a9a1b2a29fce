"""Testing and sending an issue from the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from publishers.digest import digest_compose, week_start_of
from publishers.models import Delivery

from .test_sending import newsletter_by_email, subscriber  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(make_article):
    make_article("ソウルの子育て支援", office="sel", locale="ja", countries=("KR",))
    return digest_compose(week_start=week_start_of(timezone.now()))


def test_hq_tests_then_sends_an_issue(client, user_in_group, issue):
    subscriber("reader@city.example.jp")
    client.force_login(user_in_group("HQ reviewers"))
    editor = client.get(reverse("wagtailadmin_pages:edit", args=[issue.pk]))
    assert b"data-digest-panel" in editor.content
    url = reverse("publishers_digest_send", args=[issue.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"data-digest-send" in page.content
    bad = client.post(url, {"test": "1", "test-emails": "not an address"})
    assert bad.status_code == 200 and mail.outbox == []
    client.post(url, {"test": "1", "test-emails": "editor@tsunagu.example.jp"})
    (test,) = mail.outbox
    assert test.to == ["editor@tsunagu.example.jp"]
    assert test.subject.startswith("[テスト]")
    mail.outbox.clear()
    response = client.post(url, {"send": "1", "send-when": "now"})
    assert response.status_code == 302
    delivery = Delivery.objects.get(page_key=issue.pk, channel="newsletter")
    issue.refresh_from_db()
    assert issue.live  # its web version is published first
    assert delivery.purpose == "digest"


def test_an_issue_can_be_scheduled(client, user_in_group, issue):
    client.force_login(user_in_group("HQ reviewers"))
    url = reverse("publishers_digest_send", args=[issue.pk])
    past = client.post(
        url,
        {"send": "1", "send-when": "at", "send-at": "2020-01-01T09:00"},
    )
    assert past.status_code == 200  # refused: in the past
    assert not Delivery.objects.filter(page_key=issue.pk).exists()
    at = timezone.localtime(timezone.now() + timedelta(days=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    client.post(url, {"send": "1", "send-when": "at", "send-at": at})
    delivery = Delivery.objects.get(page_key=issue.pk, channel="newsletter")
    assert delivery.next_attempt_at > timezone.now() + timedelta(hours=23)


def test_office_editors_cannot_send_the_newsletter(client, user_in_group, issue):
    client.force_login(user_in_group("Office editors: lon"))
    url = reverse("publishers_digest_send", args=[issue.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"send": "1", "send-when": "now"}).status_code in (
        302,
        403,
    )
    assert not Delivery.objects.filter(page_key=issue.pk).exists()
