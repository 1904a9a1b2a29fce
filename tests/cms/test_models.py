import pytest
from django.core.exceptions import ValidationError

from cms.models import Country, Office, OfficePage, Region

pytestmark = pytest.mark.django_db


def _office(**fields) -> Office:
    values = {
        "code": "tst",
        "name_ja": "テスト事務所",
        "name_en": "Test Office",
        "city_ja": "テスト",
        "city_en": "Test",
        "time_zone": "Europe/Paris",
        "working_languages": ["fr"],
    }
    return Office(**{**values, **fields})


def test_office_with_an_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError) as error:
        _office(time_zone="Europe/Atlantis").full_clean()
    assert "time_zone" in error.value.message_dict


@pytest.mark.parametrize("languages", [["xx"], "fr", [None]])
def test_office_working_languages_must_be_site_locales(languages):
    with pytest.raises(ValidationError) as error:
        _office(working_languages=languages).full_clean()
    assert "working_languages" in error.value.message_dict


def test_country_code_must_be_two_capital_letters():
    region = Region.objects.first()
    for code in ("fr", "F1", "ÉT", "F"):
        with pytest.raises(ValidationError):
            Country(code=code, name_ja="x", name_en="x", region=region).full_clean()


def test_an_article_cannot_claim_another_offices_section():
    from cms.models import ArticlePage

    paris = OfficePage.objects.get(office__code="par", locale__language_code="fr")
    article = ArticlePage(title="Mauvais bureau", office=Office.objects.get(code="lon"))
    with pytest.raises(ValidationError) as error:
        paris.add_child(instance=article)
    assert "office" in error.value.message_dict


def test_names_follow_the_active_language():
    from django.utils import translation

    office = Office.objects.get(code="lon")
    with translation.override("ja"):
        assert str(office) == "ロンドン事務所"
    with translation.override("en"):
        assert str(office) == "London Office"
