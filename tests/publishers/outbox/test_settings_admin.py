"""Partner webhooks and channel defaults in the admin: HQ only."""

import pytest
from django.urls import reverse

from publishers.models import ChannelDefault, PartnerWebhook

pytestmark = pytest.mark.django_db


def test_hq_registers_a_partner_webhook_with_a_secret(client, user_in_group):
    client.force_login(user_in_group("HQ reviewers"))
    assert client.get(reverse("partner_webhooks:index")).status_code == 200
    form = client.get(reverse("partner_webhooks:add"))
    assert form.status_code == 200
    response = client.post(
        reverse("partner_webhooks:add"),
        {
            "organisation": "Prefecture of Hokkaido",
            "url": "https://partner.example.jp/hooks/tsunagu",
            "locales": "ja",
            "active": "on",
            "timeout_seconds": "10",
            "contact": "it@pref.example.jp",
            "secret": "a-long-shared-secret-for-signing",
        },
    )
    assert response.status_code == 302
    hook = PartnerWebhook.objects.get(organisation="Prefecture of Hokkaido")
    assert hook.takes_locale("ja") and not hook.takes_locale("en")


def test_a_new_webhook_gets_a_random_secret():
    first = PartnerWebhook.objects.create(organisation="A", url="https://a.example/")
    second = PartnerWebhook.objects.create(organisation="B", url="https://b.example/")
    assert len(first.secret) >= 32 and first.secret != second.secret


def test_hq_sets_a_channel_default(client, user_in_group):
    from django.contrib.contenttypes.models import ContentType

    from cms.models import ArticlePage, Office

    client.force_login(user_in_group("HQ reviewers"))
    response = client.post(
        reverse("channel_defaults:add"),
        {
            "page_type": ContentType.objects.get_for_model(ArticlePage).pk,
            "office": Office.objects.get(code="syd").pk,
            "channel": "x",
            "enabled": "",
        },
    )
    assert response.status_code == 302
    assert ChannelDefault.objects.get(channel="x").enabled is False


def test_office_editors_cannot_see_webhooks_or_defaults(client, user_in_group):
    client.force_login(user_in_group("Office editors: lon"))
    for name in ("partner_webhooks:index", "channel_defaults:index"):
        assert client.get(reverse(name)).status_code in (302, 403)
