import io

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import GroupPagePermission, Locale, Page, Workflow, WorkflowPage

from cms.models import ArticlePage, Country, Office, OfficePage, Region, Topic
from translation.models import TranslationState


def _counts() -> dict[str, int]:
    return {
        "locales": Locale.objects.count(),
        "pages": Page.objects.count(),
        "articles": ArticlePage.objects.count(),
        "offices": Office.objects.count(),
        "office pages": OfficePage.objects.count(),
        "regions": Region.objects.count(),
        "countries": Country.objects.count(),
        "topics": Topic.objects.count(),
        "groups": Group.objects.count(),
        "page permissions": GroupPagePermission.objects.count(),
        "users": get_user_model().objects.count(),
        "workflows": Workflow.objects.count(),
        "translation states": TranslationState.objects.count(),
    }


def test_demo_data_loaded_twice_makes_no_duplicates(db):
    before = _counts()
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == before


def test_demo_has_the_seven_offices_each_with_a_section_in_every_locale(db):
    assert sorted(Office.objects.values_list("code", flat=True)) == sorted(
        ["nyc", "lon", "par", "sin", "sel", "bjs", "syd"]
    )
    codes = {"ja", "en", "fr", "de", "es", "it", "ko", "zh-hans"}
    assert set(Locale.objects.values_list("language_code", flat=True)) == codes
    assert OfficePage.objects.count() == 7 * len(codes)
    assert Locale.get_default().language_code == "ja"


def test_demo_has_the_organisations_topics(db):
    assert Topic.objects.count() == 8
    assert Topic.objects.get(slug="multicultural").name_ja == "多文化共生"


def test_demo_articles_come_in_several_languages(db):
    languages = set(
        ArticlePage.objects.live().values_list("locale__language_code", flat=True)
    )
    assert {"ja", "en", "fr", "de", "ko", "zh-hans"} <= languages


def test_the_japanese_tree_has_the_review_workflow(db):
    home = Page.objects.get(depth=2, locale=Locale.get_default())
    assignment = WorkflowPage.objects.get(page=home)
    assert assignment.workflow.name == "Translation review"
    assert not WorkflowPage.objects.filter(page__depth=1).exists()
