"""Addresses that are saved (sources, partner webhooks) are checked by the
safe-HTTP rules when they are saved, by every entry point: the admin forms,
the CSV import, the import command and the model's own clean (what any other
code must call). Only http and https are accepted."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from cms.models import Office
from publishers.models import PartnerWebhook
from scrapers.csv_import import sources_import_csv
from scrapers.models import Source

pytestmark = pytest.mark.django_db

REFUSED = [
    "ftp://ville.example/flux.xml",
    "file:///etc/passwd",
    "gopher://ville.example/",
    "http://127.0.0.1/feed.xml",
    "http://localhost:8000/feed.xml",
    "http://10.1.2.3/feed.xml",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/feed.xml",
    "http://2130706433/feed.xml",
    "http://user:secret@ville.example/feed.xml",
]


@pytest.mark.parametrize("url", REFUSED)
def test_a_source_with_a_refused_address_does_not_clean(url):
    source = Source(
        office=Office.objects.get(code="par"),
        name="Refusée",
        url=url,
        kind=Source.Kind.RSS,
        language="fr",
    )
    with pytest.raises(ValidationError) as caught:
        source.full_clean()
    assert "url" in caught.value.message_dict


@pytest.mark.parametrize("url", REFUSED)
def test_a_partner_webhook_with_a_refused_address_does_not_clean(url):
    with pytest.raises(ValidationError) as caught:
        PartnerWebhook(organisation="Préfecture", url=url).full_clean()
    assert "url" in caught.value.message_dict


def test_public_and_allow_listed_addresses_clean(settings):
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [*settings.TSUNAGU_SAFEHTTP["ALLOW"], "127.0.0.1:8765"],
    }
    PartnerWebhook(organisation="P", url="https://93.184.215.14/hook").full_clean()
    PartnerWebhook(organisation="P", url="http://127.0.0.1:8765/hook").full_clean()
    # A name that does not resolve now is checked again at every use.
    PartnerWebhook(organisation="P", url="https://partner.invalid/hook").full_clean()


@pytest.mark.parametrize("url", ["ftp://ville.example/f.xml", "http://10.0.0.7/f"])
def test_the_csv_import_and_its_command_refuse_them(url, tmp_path):
    data = f"office,name,url\npar,Refusée,{url}\n".encode()
    report = sources_import_csv(data=data, offices=Office.objects.all())
    assert not report.ok
    assert report.errors[0].startswith("Row 2: url:")
    path = tmp_path / "sources.csv"
    path.write_bytes(data)
    with pytest.raises(CommandError):
        call_command("import_sources", str(path))
    assert not Source.objects.filter(url=url).exists()


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def test_the_source_form_refuses_a_private_address(admin_client):
    response = admin_client.post(
        reverse("wagtailsnippets_scrapers_source:add"),
        {
            "office": Office.objects.get(code="par").pk,
            "name": "Interne",
            "url": "http://192.168.1.10/feed.xml",
            "kind": "rss",
            "language": "fr",
            "fetch_interval_minutes": 60,
            "republish": "summary",
        },
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not Source.objects.filter(url="http://192.168.1.10/feed.xml").exists()


def test_the_partner_webhook_form_refuses_a_private_address(admin_client):
    response = admin_client.post(
        reverse("partner_webhooks:add"),
        {
            "organisation": "Préfecture",
            "url": "http://169.254.169.254/hook",
            "active": "on",
            "timeout_seconds": 10,
        },
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not PartnerWebhook.objects.exists()


def test_trying_a_source_refuses_another_scheme(admin_client):
    response = admin_client.post(
        reverse("scrapers_source_try"),
        {"url": "ftp://ville.example/flux.xml", "kind": "rss"},
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
