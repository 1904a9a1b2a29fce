"""Office editors work in their own section; only HQ reviewers publish Japanese."""

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.operations import TranslationCreator

from cms.models import ArticlePage, Office, OfficePage
from translation.models import TranslationState
from translation.selectors import translation_state_get

pytestmark = pytest.mark.django_db


def _section(code: str, language: str) -> OfficePage:
    return OfficePage.objects.get(office__code=code, locale__language_code=language)


def _article_in(section: OfficePage, **fields) -> ArticlePage:
    article = ArticlePage(title=fields.pop("title", "Test article"), **fields)
    section.add_child(instance=article)
    article.save_revision().publish()
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


def test_london_editor_can_add_edit_and_publish_in_londons_english_section(
    london_editor,
):
    section = _section("lon", "en")
    article = _article_in(section, title="Flood plan")
    assert section.permissions_for_user(london_editor).can_add_subpage()
    assert article.permissions_for_user(london_editor).can_edit()
    assert article.permissions_for_user(london_editor).can_publish()


def test_london_editor_can_neither_edit_nor_publish_in_seouls_section(london_editor):
    for language in ("ko", "en", "ja"):
        section = _section("sel", language)
        article = _article_in(section, title=f"Seoul {language}")
        perms = article.permissions_for_user(london_editor)
        assert not perms.can_edit()
        assert not perms.can_publish()
        assert not section.permissions_for_user(london_editor).can_add_subpage()


def test_london_editor_edits_but_does_not_publish_in_the_japanese_tree(london_editor):
    section = _section("lon", "ja")
    article = _article_in(section, title="ロンドン")
    assert section.permissions_for_user(london_editor).can_add_subpage()
    assert article.permissions_for_user(london_editor).can_edit()
    assert not article.permissions_for_user(london_editor).can_publish()


def test_office_editors_cannot_touch_the_home_or_news_pages(london_editor):
    section = _section("lon", "en")
    home = section.get_parent()
    assert not home.permissions_for_user(london_editor).can_edit()
    assert not home.permissions_for_user(london_editor).can_add_subpage()


def test_article_takes_its_office_from_its_section():
    article = _article_in(_section("par", "fr"), title="Sans bureau")
    assert article.office == Office.objects.get(code="par")


@pytest.fixture
def french_article_translated():
    """A French article and its Japanese translation made by wagtail-localize."""
    article = _article_in(
        _section("par", "fr"),
        title="Lyon ouvre un centre d'accueil",
        summary="Un guichet unique pour les nouveaux habitants.",
        body="<p>La métropole ouvre un centre.</p>",
        source_name="Métropole de Lyon",
        source_url="https://www.grandlyon.com/",
        original_language="fr",
    )
    ja = Locale.get_default()
    TranslationCreator(user=None, target_locales=[ja]).create_translations(article)
    return article, article.get_translation(ja).specific


def test_french_article_gets_a_japanese_draft_translation_through_wagtail_localize(
    french_article_translated,
):
    article, translation = french_article_translated
    assert translation.locale.language_code == "ja"
    assert translation.get_parent().specific == _section("par", "ja")
    assert not translation.live  # translations start as drafts
    assert translation.source_url == article.source_url
    assert translation.office == article.office
    assert translation_state_get(page=translation) == TranslationState.State.AWAITING


def test_paris_editor_can_edit_but_not_publish_the_japanese_translation(
    french_article_translated, paris_editor, reviewer
):
    _article, translation = french_article_translated
    perms = translation.permissions_for_user(paris_editor)
    assert perms.can_edit()
    assert not perms.can_publish()
    assert translation.permissions_for_user(reviewer).can_publish()


def test_reviewer_approves_in_wagtails_workflow_screens(
    client, french_article_translated, paris_editor, reviewer
):
    _article, translation = french_article_translated
    translation.title = "リヨン、受け入れセンターを開設"
    translation.save_revision(user=paris_editor)
    workflow = translation.get_workflow()
    assert workflow.name == "Translation review"
    workflow_state = workflow.start(translation, paris_editor)
    task_state = workflow_state.current_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(translation.pk, "approve", task_state.pk),
    )

    client.force_login(paris_editor)
    client.post(url, {"comment": ""})
    translation.refresh_from_db()
    assert not translation.live  # the office editor cannot approve

    client.force_login(reviewer)
    response = client.post(url, {"comment": "OK"})
    assert response.status_code in (200, 302)
    translation.refresh_from_db()
    assert translation.live
    assert translation.title == "リヨン、受け入れセンターを開設"
    assert translation_state_get(page=translation) == TranslationState.State.REVIEWED
