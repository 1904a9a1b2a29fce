"""Copying an article into another office's section shows why not in the
copy form (with or without publishing the copy), never a 500; a copy
within the office's own section still works."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from cms.models import ArticlePage, OfficePage
from cms.models.pages import OFFICE_MISMATCH
from tests.feeds import conftest as feeds_fixtures

pytestmark = pytest.mark.django_db
make_article = feeds_fixtures.make_article


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return client


def copy(client, article, parent, **extra):
    return client.post(
        f"/admin/pages/{article.pk}/copy/",
        {
            "new_title": "Copie",
            "new_slug": "copie",
            "new_parent_page": parent.pk,
            **extra,
        },
    )


@pytest.mark.parametrize("extra", [{}, {"publish_copies": "on"}, {"alias": "on"}])
def test_copying_into_another_offices_section_shows_the_error(
    admin_client, make_article, extra
):
    article = make_article("À copier ailleurs")
    london = OfficePage.objects.get(office__code="lon", locale__language_code="fr")
    response = copy(admin_client, article, london, **extra)
    assert response.status_code == 200
    errors = response.context["form"].errors["new_parent_page"]
    with translation.override("ja"):  # the admin's language
        assert str(OFFICE_MISMATCH) in errors
    assert not ArticlePage.objects.filter(slug="copie").exists()


def test_copying_within_the_section_publishes_the_copy(admin_client, make_article):
    article = make_article("À copier ici")
    response = copy(admin_client, article, article.get_parent(), publish_copies="on")
    assert response.status_code == 302
    assert ArticlePage.objects.get(slug="copie").live


@pytest.mark.parametrize(
    "parent", ["", "not-a-number", str(2**70), "-1", "999999999", None]
)
def test_a_bad_parent_id_sends_the_editor_back_to_the_copy_form(
    admin_client, make_article, parent
):
    article = make_article(f"Parent {parent}")
    data = {"new_title": "Copie", "new_slug": "copie"}
    if parent is not None:
        data["new_parent_page"] = parent
    url = f"/admin/pages/{article.pk}/copy/"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    assert not ArticlePage.objects.filter(slug="copie").exists()
