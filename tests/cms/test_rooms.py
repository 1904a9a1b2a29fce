"""Every role stays in its room: the Japanese tree changes only through
review, an office editor only in their office's languages, and nobody reads
another office's draft titles anywhere in the admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import TranslationSource
from wagtail_localize.operations import TranslationCreator

from cms.models import ArticlePage, Office, OfficePage
from tests.cms import admin_walk as walk

pytestmark = pytest.mark.django_db

SECRET = "SECRET-PARIS"


def _section(code: str, language: str) -> OfficePage:
    return OfficePage.objects.get(office__code=code, locale__language_code=language)


def _article(section: OfficePage, title: str, *, live: bool = True) -> ArticlePage:
    article = ArticlePage(
        title=title, summary="Summary.", body="<p>Body.</p>", live=live
    )
    section.add_child(instance=article)
    revision = article.save_revision()
    if live:
        revision.publish()
    return article


@pytest.fixture
def london_editor(user_in_group):
    return user_in_group("Office editors: lon", "london")


@pytest.fixture
def paris_editor(user_in_group):
    return user_in_group("Office editors: par", "paris")


@pytest.fixture
def reviewer(user_in_group):
    return user_in_group("HQ reviewers", "reviewer")


@pytest.fixture
def reviewed_japanese(reviewer):
    """London's English article and its reviewed, live Japanese translation."""
    source = _article(_section("lon", "en"), "Flood plan")
    ja = Locale.get_default()
    TranslationCreator(user=None, target_locales=[ja]).create_translations(source)
    translation = source.get_translation(ja).specific
    translation.title = "洪水対策"
    translation.save_revision(user=reviewer).publish()
    return source, translation


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# -- The Japanese tree changes only through review -------------------------------


def test_office_editor_cannot_convert_a_reviewed_japanese_page_to_an_alias(
    reviewed_japanese, london_editor
):
    _source, translation = reviewed_japanese
    url = reverse("wagtail_localize:convert_to_alias", args=[translation.pk])
    response = _client(london_editor).post(url)
    assert walk.outcome(response) == walk.DENIED
    translation.refresh_from_db()
    assert translation.alias_of_id is None
    assert translation.title == "洪水対策"


def test_hq_reviewer_may_convert_a_japanese_page_to_an_alias(
    reviewed_japanese, reviewer
):
    source, translation = reviewed_japanese
    url = reverse("wagtail_localize:convert_to_alias", args=[translation.pk])
    _client(reviewer).post(url)
    translation.refresh_from_db()
    assert translation.alias_of_id == source.pk


def test_syncing_translations_with_publish_needs_publish_on_every_target(
    reviewed_japanese, london_editor
):
    source, translation = reviewed_japanese
    london_editor.user_permissions.add(
        Permission.objects.get(codename="submit_translation")
    )
    source.title = "Flood plan, revised"
    source.save_revision().publish()
    translation_source = TranslationSource.objects.get(
        object_id=source.translation_key, locale=source.locale
    )
    url = reverse("wagtail_localize:update_translations", args=[translation_source.pk])
    response = _client(london_editor).post(url, {"publish_translations": "on"})
    assert walk.outcome(response) == walk.DENIED
    translation.refresh_from_db()
    assert translation.title == "洪水対策"


@pytest.mark.parametrize("action", ["delete", "unpublish", "move"])
def test_office_editor_cannot_act_on_japanese_pages_outside_review_in_bulk(
    reviewed_japanese, london_editor, action
):
    _source, translation = reviewed_japanese
    draft = _article(_section("lon", "ja"), "下書き", live=False)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", action])
    data = {"destination": _section("lon", "ja").pk} if action == "move" else {}
    _client(london_editor).post(f"{url}?id={translation.pk}&id={draft.pk}", data)
    translation.refresh_from_db()
    assert translation.live
    assert ArticlePage.objects.filter(pk=draft.pk).exists()


def test_office_editor_cannot_delete_or_move_a_japanese_draft(london_editor):
    draft = _article(_section("lon", "ja"), "下書き", live=False)
    perms = draft.permissions_for_user(london_editor)
    assert perms.can_edit()  # drafts are written, then sent to review
    assert not perms.can_delete()
    assert not perms.can_move()
    response = _client(london_editor).post(
        reverse("wagtailadmin_pages:delete", args=[draft.pk])
    )
    assert walk.outcome(response) == walk.DENIED
    assert ArticlePage.objects.filter(pk=draft.pk).exists()


def test_hq_reviewer_may_delete_a_japanese_draft(reviewer):
    draft = _article(_section("lon", "ja"), "下書き", live=False)
    assert draft.permissions_for_user(reviewer).can_delete()


def test_office_editor_works_only_in_the_offices_languages(london_editor, paris_editor):
    """London works in English (and drafts Japanese); Paris in French,
    German, Italian and Spanish."""
    assert _section("lon", "en").permissions_for_user(london_editor).can_edit()
    for language in ("fr", "de", "ko", "zh-hans"):
        perms = _section("lon", language).permissions_for_user(london_editor)
        assert not perms.can_edit(), language
        assert not perms.can_add_subpage(), language
    for language in ("fr", "de", "it", "es"):
        assert _section("par", language).permissions_for_user(paris_editor).can_edit()
    assert not _section("par", "en").permissions_for_user(paris_editor).can_edit()


def test_office_editor_follows_the_offices_working_languages_when_they_change(
    london_editor,
):
    office = Office.objects.get(code="lon")
    office.working_languages = ["en", "fr"]
    office.save()
    assert _section("lon", "fr").permissions_for_user(london_editor).can_publish()
    office.working_languages = ["en"]
    office.save()
    editor = type(london_editor).objects.get(pk=london_editor.pk)  # no cached rights
    assert not _section("lon", "fr").permissions_for_user(editor).can_edit()
    assert _section("lon", "en").permissions_for_user(editor).can_edit()


# -- Nobody reads another office's draft titles ---------------------------------


@pytest.fixture
def paris_secrets(paris_editor):
    """Titles of Paris's that London must not read: a French draft, the
    pending draft of a live article, and a Japanese draft in review."""
    _article(_section("par", "fr"), f"{SECRET} draft", live=False)
    live = _article(_section("par", "fr"), "Article publié")
    live.title = f"{SECRET} pending"
    live.save_revision(user=paris_editor)
    in_review = _article(_section("par", "ja"), f"{SECRET} review", live=False)
    in_review.get_workflow().start(in_review, paris_editor)
    return live


@pytest.mark.parametrize(
    "url",
    [
        "/admin/choose-page/",
        "/admin/choose-page/search/?q=SECRET",
        "/admin/pages/search/?q=SECRET",
        "/admin/pages/search/results/?q=SECRET",
        "/admin/pages/usage/cms/articlepage/",
        "/admin/reports/page-types-usage/",
        "/admin/localize/reports/translations/",
        "/admin/api/main/pages/?search=SECRET",
    ],
)
def test_office_editor_does_not_see_another_offices_draft_titles(
    paris_secrets, london_editor, url
):
    response = _client(london_editor).get(url)
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_page_chooser_does_not_show_another_offices_drafts_when_browsing(
    paris_secrets, london_editor
):
    client = _client(london_editor)
    for language in ("fr", "ja"):
        section = _section("par", language)
        response = client.get(
            reverse("wagtailadmin_choose_page_child", args=[section.pk])
        )
        assert SECRET not in response.content.decode(), language


def test_hq_reviewer_sees_every_draft_title_in_the_chooser(paris_secrets, reviewer):
    response = _client(reviewer).get("/admin/choose-page/search/?q=SECRET")
    assert SECRET in response.content.decode()


def test_no_admin_view_without_arguments_shows_another_offices_draft_titles(
    paris_secrets, london_editor
):
    client = _client(london_editor)
    leaks = []
    for route in walk.admin_routes():
        if route.params or route.name in ("wagtailadmin_logout", "admin:logout"):
            continue
        url = walk.fill(route.pattern, {})
        if "(" in url or "^" in url:
            continue
        response = walk.request(client, "GET", url)
        if SECRET in response.content.decode(errors="replace"):
            leaks.append(route.name)
    assert leaks == []
