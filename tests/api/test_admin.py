"""Partner keys in the admin: HQ only; the key is shown once, at creation."""

import re

import pytest
from django.urls import reverse

from cms.models import PartnerKey
from cms.models.partners import partner_key_hash

pytestmark = pytest.mark.django_db

FORM = {
    "organisation": "Hokkaido Prefecture",
    "contact": "Sato, it@pref.hokkaido.example",
    "rate_limit_per_minute": "300",
    "active": "on",
    "notes": "",
}


def test_hq_makes_a_key_and_sees_it_once(client, user_in_group):
    client.force_login(user_in_group("HQ reviewers"))
    index = client.get(reverse("partner_keys:index"))
    assert index.status_code == 200
    created = client.post(reverse("partner_keys:add"), FORM)
    assert created.status_code == 200
    assert "no-store" in created["Cache-Control"]
    (key,) = re.findall(
        r"<code data-partner-key[^>]*>([^<]+)</code>", created.content.decode()
    )
    row = PartnerKey.objects.get(organisation="Hokkaido Prefecture")
    assert row.key_hash == partner_key_hash(key)
    assert row.rate_limit_per_minute == 300
    # Never again: not on the list, not on the edit form.
    listing = client.get(reverse("partner_keys:index")).content.decode()
    edit = client.get(reverse("partner_keys:edit", args=[row.pk])).content.decode()
    assert row.key_start in listing
    assert key not in listing and key not in edit
    # The key works at once, and at its own rate.
    answer = client.get("/api/v2/articles/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    assert answer["RateLimit-Limit"] == "300"


def test_hq_revokes_a_key_in_the_admin(admin_client):
    row = PartnerKey(organisation="Media", contact="desk@media.example")
    key = row.key_new()
    row.save()
    response = admin_client.post(
        reverse("partner_keys:edit", args=[row.pk]), {**FORM, "active": ""}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert not row.active
    answer = admin_client.get("/api/v2/articles/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 401


def test_office_editors_cannot_see_or_make_keys(client, user_in_group):
    client.force_login(user_in_group("Office editors: lon"))
    assert client.get(reverse("partner_keys:index")).status_code in (302, 403)
    assert client.post(reverse("partner_keys:add"), FORM).status_code in (302, 403)
    assert not PartnerKey.objects.exists()
    menu = client.get("/admin/").content.decode()
    assert reverse("partner_keys:index") not in menu


def test_hq_sees_each_keys_use_per_day(admin_client):
    from datetime import timedelta

    from django.utils import timezone

    from cms.api.limits import partner_use_write
    from cms.models import PartnerKeyDailyUse

    row = PartnerKey(organisation="Osaka City", contact="it@city.osaka.example")
    key = row.key_new()
    row.save()
    today = timezone.localdate()
    PartnerKeyDailyUse.objects.create(key=row, day=today - timedelta(days=3), count=7)
    PartnerKeyDailyUse.objects.create(key=row, day=today - timedelta(days=20), count=40)
    PartnerKeyDailyUse.objects.create(
        key=row, day=today - timedelta(days=45), count=900
    )
    for _ in range(5):
        answer = admin_client.get(
            "/api/v2/articles/", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert answer.status_code == 200
    partner_use_write(key_id=row.pk)

    listing = admin_client.get(reverse("partner_keys:index")).content.decode()
    assert "直近7日" in listing  # the admin speaks Japanese by default
    # 5 today and 7 three days ago; not the older days.
    assert re.search(r">\s*12\s*<", listing)

    edit = admin_client.get(
        reverse("partner_keys:edit", args=[row.pk])
    ).content.decode()
    table = edit[edit.index("data-partner-key-use") :]
    days = re.findall(r'<time datetime="([\d-]+)">', table)
    counts = [int(n) for n in re.findall(r"<td data-count>(\d+)</td>", table)]
    assert len(days) == len(counts) == 30
    assert days[0] == today.isoformat()  # newest first
    by_day = dict(zip(days, counts, strict=True))
    assert by_day[today.isoformat()] == 5
    assert by_day[(today - timedelta(days=3)).isoformat()] == 7
    assert by_day[(today - timedelta(days=20)).isoformat()] == 40
    assert sum(counts) == 52  # the day 45 days ago is outside the panel
    assert "直近30日間のリクエスト数：52件" in edit


def test_a_new_key_form_has_no_use_panel(admin_client):
    form = admin_client.get(reverse("partner_keys:add")).content.decode()
    assert "data-partner-key-use" not in form
