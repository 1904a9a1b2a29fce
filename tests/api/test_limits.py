"""Rate limits per address and per partner key; keys counted and revocable."""

import pytest
from django.test import override_settings
from django.utils import timezone

from cms.api import limits
from cms.models import PartnerKey, PartnerKeyDailyUse

pytestmark = pytest.mark.django_db

URL = "/api/v2/articles/"


def api_settings(**values):
    from django.conf import settings

    return override_settings(TSUNAGU_API={**settings.TSUNAGU_API, **values})


@pytest.fixture
def partner_key():
    key = PartnerKey(
        organisation="Prefecture", contact="it@pref.example", rate_limit_per_minute=5
    )
    raw = key.key_new()
    key.save()
    return key, raw


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_anonymous_callers_get_429_with_retry_after_past_their_limit(client):
    with api_settings(ANON_RATE_PER_MINUTE=3):
        answers = [client.get(URL, {"limit": 1}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a["RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0]["RateLimit-Limit"] == "3"
    assert answers[0]["RateLimit-Policy"] == "3;w=60"
    refused = answers[-1]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Retry-After"] == refused["RateLimit-Reset"]
    assert refused["Content-Type"] == "application/json"
    assert "Too many requests" in refused.json()["message"]


def test_each_address_has_its_own_limit(client):
    with api_settings(ANON_RATE_PER_MINUTE=1):
        assert client.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 200
        assert client.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 429
        assert client.get(URL, REMOTE_ADDR="192.0.2.2").status_code == 200
        # One IPv6 host usually holds a whole /64.
        assert client.get(URL, REMOTE_ADDR="2001:db8::1").status_code == 200
        assert client.get(URL, REMOTE_ADDR="2001:db8::2").status_code == 429


def test_forwarded_for_counts_only_behind_trusted_proxies(client):
    forged = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.1"}
    with api_settings(ANON_RATE_PER_MINUTE=1, TRUSTED_PROXY_COUNT=0):
        assert client.get(URL, **forged).status_code == 200
        # The header is ignored: the same connecting address is over its limit.
        other = {**forged, "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
        assert client.get(URL, **other).status_code == 429
    limits.cache.clear()
    with api_settings(ANON_RATE_PER_MINUTE=1, TRUSTED_PROXY_COUNT=1):
        behind = {"REMOTE_ADDR": "10.0.0.1"}
        chain = "203.0.113.9, 198.51.100.7"  # forged first entry, then the real one
        assert client.get(URL, HTTP_X_FORWARDED_FOR=chain, **behind).status_code == 200
        again = "203.0.113.10, 198.51.100.7"
        assert client.get(URL, HTTP_X_FORWARDED_FOR=again, **behind).status_code == 429
        other = "203.0.113.9, 198.51.100.8"
        assert client.get(URL, HTTP_X_FORWARDED_FOR=other, **behind).status_code == 200


def test_a_partner_key_has_its_own_higher_limit(client, partner_key):
    _key, raw = partner_key
    with api_settings(ANON_RATE_PER_MINUTE=2):
        assert client.get(URL).status_code == 200
        assert client.get(URL).status_code == 200
        assert client.get(URL).status_code == 429
        keyed = [client.get(URL, **bearer(raw)) for _ in range(6)]
    assert [a.status_code for a in keyed] == [200] * 5 + [429]
    assert keyed[0]["RateLimit-Limit"] == "5"


def test_a_partner_keys_use_is_counted(client, partner_key):
    key, raw = partner_key
    for _ in range(3):
        assert client.get(URL, **bearer(raw)).status_code == 200
    key.refresh_from_db()
    # The first request writes at once; the rest wait for the next write.
    assert key.use_count == 1
    assert key.last_used_at is not None
    assert limits.partner_use_write_all() == "2 partner requests written"
    key.refresh_from_db()
    assert key.use_count == 3
    today = PartnerKeyDailyUse.objects.get(key=key, day=timezone.localdate())
    assert today.count == 3
    assert limits.partner_use_write_all() == "0 partner requests written"
    client.get(URL)  # anonymous: not counted for anyone
    assert limits.partner_use_write_all() == "0 partner requests written"


def test_a_revoked_or_unknown_key_is_refused(client, partner_key):
    key, raw = partner_key
    assert client.get(URL, **bearer(raw)).status_code == 200
    key.active = False
    key.save()
    for headers in (bearer(raw), bearer("tsu_made-up"), bearer("")):
        refused = client.get(URL, **headers)
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"].startswith("Bearer")
        assert "revoked" in refused.json()["message"]
    # Other schemes (a staging site's basic auth) are not partner keys.
    assert client.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwdw==").status_code == 200


def test_only_a_hash_of_the_key_is_stored(partner_key):
    key, raw = partner_key
    assert raw.startswith("tsu_") and len(raw) > 40
    assert raw not in (key.key_hash, key.key_start)
    assert raw.startswith(key.key_start)
    assert PartnerKey.objects.filter(key_hash=raw).count() == 0


def test_rate_limit_windows_are_fixed_minutes():
    caller = limits.Caller(bucket="test", limit=2)
    start = 1_000_040.0  # 20 s into a minute (1_000_020 starts one)
    assert limits.rate_limit_hit(caller, now=start).reset == 40
    assert limits.rate_limit_hit(caller, now=start + 39).allowed
    assert not limits.rate_limit_hit(caller, now=start + 39.5).allowed
    fresh = limits.rate_limit_hit(caller, now=start + 40)
    assert fresh.allowed and fresh.remaining == 1 and fresh.reset == 60
