import io
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import (
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
)

from cms.models import ArticlePage, Country, Office, OfficePage, Region, Topic
from scrapers.demo import DEMO_SOURCES
from scrapers.models import Source
from translation.models import GlossaryTerm, TranslationState


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
        "sources": Source.objects.count(),
        "sites": Site.objects.count(),
        "glossary terms": GlossaryTerm.objects.count(),
    }


def test_demo_data_loaded_twice_makes_no_duplicates(db):
    before = _counts()
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert _counts() == before
    assert "nothing to add" in out.getvalue()


def test_demo_loaded_again_on_other_addresses_moves_and_never_doubles(db, settings):
    """run_all --addr/--demo-sources-addr on an existing database: the site
    record and the demo sources follow; nothing is made twice."""
    before = _counts()
    settings.TSUNAGU_BASE_URL = "http://127.0.0.1:9123"
    settings.TSUNAGU_DEMO_SOURCES_ADDR = "127.0.0.1:9124"
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    assert _counts() == before
    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:9123"
    files = [entry[2] for entry in DEMO_SOURCES]
    urls = [
        u
        for u in Source.objects.values_list("url", flat=True)
        if u.rsplit("/", 1)[-1] in files
    ]
    assert len(urls) == 8
    assert all(url.startswith("http://127.0.0.1:9124/") for url in urls), urls


def test_load_demo_says_what_it_made_in_a_few_lines(db, caplog):
    """A first set-up makes some 150 things: one summary line, not one line
    per thing (nor Wagtail's four log lines per page)."""
    Page.objects.get(depth=2, locale__language_code="it").delete()  # 9 pages
    get_user_model().objects.filter(username__endswith="-editor").delete()
    out = io.StringIO()
    with caplog.at_level(logging.INFO):
        call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert "9 page, 7 user" in lines[0] and len(lines) <= 3, lines
    logged = [r for r in caplog.records if r.levelno < logging.WARNING]
    assert len(logged) <= 5, [r.getMessage() for r in logged]


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
