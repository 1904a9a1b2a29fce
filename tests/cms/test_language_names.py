"""Languages are named for the reader: in the admin, in the editor's
language (フランス語); on the public site, each in itself (Français)."""

import pytest
from django.utils import translation
from wagtail.models import Locale

from cms.models import ArticlePage
from translation.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def test_the_admin_names_content_languages_in_japanese():
    with translation.override("ja"):
        assert Locale.objects.get(language_code="fr").get_display_name() == "フランス語"
        choices = dict(GlossaryTerm._meta.get_field("source_language").choices)
        assert str(choices["de"]) == "ドイツ語"
        assert str(choices["ko"]) == "韓国語"


def test_the_public_language_switcher_names_each_language_in_itself(client):
    japanese = ArticlePage.objects.live().filter(locale__language_code="ja")
    page = next(p for p in japanese if p.get_translations().live().exists())
    other = page.get_translations().live().first().locale.language_code
    html = client.get(page.url).content.decode()
    names = {"en": "English", "fr": "Français", "de": "Deutsch", "ko": "한국어"}
    assert f'hreflang="{other}"' in html
    assert f">{names.get(other, other)}</a>" in html
