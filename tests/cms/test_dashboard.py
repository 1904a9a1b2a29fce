"""The admin's home page is for editors: what waits for me comes first,
scoped to my offices (HQ sees every office); the scheduler and the workers
are on a page of their own, for administrators."""

from html import escape

import pytest
from django.contrib.auth import get_user_model
from wagtail.users.models import UserProfile

from cms.models import ArticlePage
from publishers.models import Delivery
from scrapers.models import Source

from .admin_text import page_read

pytestmark = pytest.mark.django_db


def _login(client, username: str):
    user = get_user_model().objects.get(username=username)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ja"
    profile.save()
    client.force_login(user)
    return user


@pytest.fixture
def failing_sources():
    """One failing source in New York, one in London."""
    made = {}
    for code in ("nyc", "lon"):
        source = Source.objects.filter(office__code=code).first()
        source.consecutive_failures = 3
        source.last_error = f"HTTP 503 from {code}"
        source.save()
        made[code] = source
    return made


@pytest.fixture
def failed_deliveries():
    """A failed delivery of a New York article and of a London one."""
    made = {}
    for code in ("nyc", "lon"):
        page = ArticlePage.objects.filter(office__code=code, live=True).first()
        made[code] = Delivery.objects.create(
            page=page,
            page_key=page.pk,
            page_title=page.title,
            channel="webhooks",
            purpose=Delivery.Purpose.PUBLISH,
            state=Delivery.State.FAILED,
            attempts=5,
            last_error="refused",
        )
    return made


def _panel(html: str) -> str:
    start = html.index("data-waiting-panel")
    return html[start : html.index("</section>", start)]


def test_office_editor_sees_first_what_waits_in_their_office(
    client, failing_sources, failed_deliveries
):
    _login(client, "nyc-editor")
    html = client.get("/admin/").content.decode()
    panel = _panel(html)

    # The first of our panels on the page.
    assert html.index("data-waiting-panel") < html.index("tsunagu-sources-heading")
    assert html.index("data-waiting-panel") < html.index("data-deliveries-panel")
    assert "あなたを待っている作業（担当事務所）" in panel
    assert escape(failing_sources["nyc"].name) in panel
    assert escape(failing_sources["lon"].name) not in panel
    assert 'data-waiting="deliveries"' in panel
    assert "1件の配信が失敗しました" in panel
    assert "今月の翻訳予算の残り" in panel


def test_hq_reviewer_sees_what_waits_in_every_office(
    client, failing_sources, failed_deliveries
):
    _login(client, "hq-reviewer")
    panel = _panel(client.get("/admin/").content.decode())
    assert "あなたを待っている作業（全事務所）" in panel
    assert escape(failing_sources["nyc"].name) in panel
    assert escape(failing_sources["lon"].name) in panel
    assert "2件の配信が失敗しました" in panel


def test_a_quiet_day_says_nothing_waits(client):
    Source.objects.update(consecutive_failures=0)
    ArticlePage.objects.filter(live=False).delete()
    _login(client, "syd-editor")
    panel = _panel(client.get("/admin/").content.decode())
    assert "待っている作業はありません。" in panel or 'data-waiting="reviews"' in panel


@pytest.mark.parametrize("username", ["nyc-editor", "hq-reviewer"])
def test_editors_see_no_scheduler_or_worker_internals(client, username):
    _login(client, username)
    html = client.get("/admin/").content.decode()
    assert "システムの状態" not in html
    assert "スケジューラー" not in html
    assert "/admin/system/" not in html
    assert client.get("/admin/system/").status_code in (302, 403)


def test_administrator_has_the_system_status_page_under_settings(client):
    _login(client, "admin")
    home = client.get("/admin/").content.decode()
    assert "/admin/system/" in home  # the Settings menu's item

    response = client.get("/admin/system/")

    assert response.status_code == 200
    html = response.content.decode()
    assert page_read(html)[1] == "システムの状態"
    assert "スケジューラーが動いていません。予約公開が止まっています。" in html
    assert "タスクワーカーが動いていません" in html


def test_administrator_hears_of_machinery_trouble_on_the_dashboard(client):
    _login(client, "admin")
    panel = _panel(client.get("/admin/").content.decode())
    assert "data-system-problems" in panel
    assert "システムの状態を確認" in panel
