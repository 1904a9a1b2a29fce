"""Deleting a live article answers with the admin's redirect, not a 500: its
translation state goes with it (a cascade) and the outbox has nothing to
refresh for a page that is going away."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Page

from publishers.models import Delivery
from translation.models import TranslationState

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def test_deleting_a_live_article_with_a_translation_state_redirects(
    admin_client, make_article
):
    article = make_article("Supprimé en direct")
    TranslationState.objects.update_or_create(
        page=article, defaults={"state": TranslationState.State.REVIEWED}
    )
    response = admin_client.post(f"/admin/pages/{article.pk}/delete/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk=article.pk).exists()
    # The unpublish that comes before a delete still tells partners.
    assert Delivery.objects.filter(
        page_key=article.pk, purpose=Delivery.Purpose.UNPUBLISH
    ).exists()


def test_deleting_a_section_with_live_articles_redirects(admin_client, make_article):
    article = make_article("Dans une section supprimée")
    TranslationState.objects.update_or_create(
        page=article, defaults={"state": TranslationState.State.ORIGINAL}
    )
    section = article.get_parent()
    response = admin_client.post(f"/admin/pages/{section.pk}/delete/")
    assert response.status_code == 302
    assert not Page.objects.filter(pk__in=[article.pk, section.pk]).exists()


def test_a_reviewed_translation_still_refreshes_its_live_page(make_article, settings):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9/",
        }
    }
    article = make_article("Relu")
    TranslationState.objects.update_or_create(
        page=article, defaults={"state": TranslationState.State.REVIEWED}
    )
    assert Delivery.objects.filter(
        page_key=article.pk, channel="website", purpose=Delivery.Purpose.REFRESH
    ).exists()
