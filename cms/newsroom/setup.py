"""Set up (or bring up to date) the newsroom's structure. Safe to run again.

Locales, reference data, one page tree per locale (home, news, one section per
office), a group per office, the HQ reviewers group and the "Translation
review" workflow on the Japanese tree.
"""

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import (
    Country,
    HomePage,
    NewsIndexPage,
    NewsletterIndexPage,
    Office,
    OfficePage,
    Region,
    Topic,
)
from cms.siteurl import site_base_url
from translation.glossary_csv import glossary_seed_load

from .reference import (
    HOME_TITLES,
    NEWS_TITLES,
    NEWSLETTER_TITLE,
    OFFICES,
    REGIONS,
    TOPICS,
)

logger = logging.getLogger(__name__)

HQ_REVIEWERS_GROUP = "HQ reviewers"
WORKFLOW_NAME = "Translation review"
REVIEW_TASK_NAME = "HQ translation review"

# Page permissions (wagtailcore codenames) per kind of tree.
OFFICE_PERMS_SOURCE_TREES = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
)
OFFICE_PERMS_JAPANESE_TREE = ("add_page", "change_page", "lock_page", "unlock_page")
HQ_PERMS_JAPANESE_TREE = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
)
MEDIA_PERMS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
)


@dataclass
class SetupReport:
    created: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)
        # One line each only when asked: a first set-up makes a hundred things.
        logger.debug("Created %s", what)


def _page_perm(codename: str) -> Permission:
    return Permission.objects.get(
        content_type__app_label="wagtailcore", codename=codename
    )


def _default_language() -> str:
    return settings.LANGUAGE_CODE


def locales_ensure(report: SetupReport) -> dict[str, Locale]:
    locales = {}
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        locales[code], created = Locale.objects.get_or_create(language_code=code)
        if created:
            report.note(f"locale {code}")
    return locales


def reference_data_ensure(report: SetupReport) -> dict[str, Office]:
    regions = {}
    for order, data in enumerate(REGIONS):
        regions[data.code], created = Region.objects.update_or_create(
            code=data.code,
            defaults={
                "name_ja": data.name_ja,
                "name_en": data.name_en,
                "sort_order": order,
            },
        )
        if created:
            report.note(f"region {data.code}")
        for iso, name_ja, name_en in data.countries:
            Country.objects.update_or_create(
                code=iso,
                defaults={
                    "name_ja": name_ja,
                    "name_en": name_en,
                    "region": regions[data.code],
                },
            )
    for order, (slug, name_ja, name_en) in enumerate(TOPICS):
        _topic, created = Topic.objects.update_or_create(
            slug=slug,
            defaults={"name_ja": name_ja, "name_en": name_en, "sort_order": order},
        )
        if created:
            report.note(f"topic {slug}")
    offices = {}
    for order, data in enumerate(OFFICES):
        office, created = Office.objects.get_or_create(
            code=data.code,
            defaults={
                "name_ja": data.name_ja,
                "name_en": data.name_en,
                "city_ja": data.city_ja,
                "city_en": data.city_en,
                "time_zone": data.time_zone,
                "working_languages": list(data.working_languages),
                "sort_order": order,
            },
        )
        if created:
            office.full_clean()
            office.regions.set([regions[code] for code in data.regions])
            report.note(f"office {data.code}")
        offices[data.code] = office
    return offices


def _publish(page: Page) -> None:
    page.save_revision(log_action=True).publish()


def _translation_ensure(
    source: Page, locale: Locale, title: str, report: SetupReport
) -> Page:
    translation = source.get_translation_or_none(locale)
    if translation is None:
        translation = source.copy_for_translation(locale)
        translation.title = title
        _publish(translation)
        report.note(f"{locale.language_code} page {title}")
    return translation.specific


def page_trees_ensure(
    locales: dict[str, Locale], offices: dict[str, Office], report: SetupReport
) -> HomePage:
    """The Japanese tree first; every other locale's tree is a translation of it."""
    ja = locales[_default_language()]
    # Wagtail's migrations make the root page and collection; an emptied
    # database gets them back here.
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=ja)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    home = HomePage.objects.filter(locale=ja).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(title=HOME_TITLES["ja"], slug="tsunagu", locale=ja)
        )
        _publish(home)
        report.note("Japanese home page")
    site = Site.objects.filter(is_default_site=True).first()
    # Wagtail routes by the Site record and some of its own screens build
    # links from it: kept in step with TSUNAGU_BASE_URL on every set-up (our
    # own absolute URLs read the setting, cms.siteurl).
    base = urlsplit(site_base_url())
    hostname = base.hostname or "localhost"
    port = base.port or (443 if base.scheme == "https" else 80)
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    elif site.root_page_id != home.pk:
        # A fresh install: Wagtail's default site points at its welcome page.
        site.hostname, site.port = hostname, port
        old_root = site.root_page
        site.root_page = home
        site.site_name = settings.WAGTAIL_SITE_NAME
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" page is no longer needed.
        if (
            old_root.specific_class is Page
            and old_root.depth == 2
            and not old_root.get_children().exists()
        ):
            old_root.delete()
    elif (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])

    news = NewsIndexPage.objects.child_of(home).first()
    if news is None:
        news = home.add_child(
            instance=NewsIndexPage(title=NEWS_TITLES["ja"], slug="news")
        )
        _publish(news)
        report.note("Japanese news index")
    if not NewsletterIndexPage.objects.child_of(home).exists():
        archive = home.add_child(
            instance=NewsletterIndexPage(title=NEWSLETTER_TITLE, slug="digest")
        )
        _publish(archive)
        report.note("Japanese newsletter archive")
    office_pages = {}
    for code, office in offices.items():
        page = OfficePage.objects.child_of(home).filter(office=office).first()
        if page is None:
            page = home.add_child(
                instance=OfficePage(title=office.name_ja, slug=code, office=office)
            )
            _publish(page)
            report.note(f"Japanese office section {code}")
        office_pages[code] = page

    for code, locale in locales.items():
        if locale == ja:
            continue
        _translation_ensure(
            home, locale, HOME_TITLES.get(code, HOME_TITLES["en"]), report
        )
        _translation_ensure(
            news, locale, NEWS_TITLES.get(code, NEWS_TITLES["en"]), report
        )
        for office_code, page in office_pages.items():
            _translation_ensure(page, locale, offices[office_code].name_en, report)
    return home


def _grant(group: Group, page: Page, codenames: tuple[str, ...]) -> None:
    """Exactly these page permissions for the group on the page."""
    wanted = {_page_perm(c) for c in codenames}
    for perm in wanted:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=perm
        )
    GroupPagePermission.objects.filter(group=group, page=page).exclude(
        permission__in=wanted
    ).delete()


def office_page_rights_ensure(*, office: Office) -> None:
    """The office's editors get its section in the Japanese tree (drafts for
    review) and in its working languages; in any other language, nothing.
    Run again when the office's working languages change."""
    if office.editors_id is None:
        return
    default_language = _default_language()
    for page in OfficePage.objects.filter(office=office).select_related("locale"):
        language = page.locale.language_code
        if language == default_language:
            codenames = OFFICE_PERMS_JAPANESE_TREE
        elif language in office.working_languages:
            codenames = OFFICE_PERMS_SOURCE_TREES
        else:
            codenames = ()
        _grant(office.editors, page, codenames)


def groups_ensure(
    home: HomePage, offices: dict[str, Office], report: SetupReport
) -> Group:
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    root_collection = Collection.get_first_root_node()
    media_perms = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in MEDIA_PERMS
    ]

    def base_group(name: str) -> Group:
        group, created = Group.objects.get_or_create(name=name)
        if created:
            report.note(f"group {name}")
        group.permissions.add(access_admin)
        for perm in media_perms:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=perm
            )
        return group

    # Sources are scoped to the user's offices by scrapers.permissions.
    source_perms = list(
        Permission.objects.filter(
            content_type__app_label="scrapers",
            codename__in=[f"{a}_source" for a in ("add", "change", "delete", "view")],
        )
    )
    # The glossary machine translation uses is kept by the offices and HQ.
    glossary_perms = list(
        Permission.objects.filter(
            content_type__app_label="translation",
            codename__in=[
                f"{a}_glossaryterm" for a in ("add", "change", "delete", "view")
            ],
        )
    )
    for office in offices.values():
        group = base_group(office.editors_group_name)
        group.permissions.add(*source_perms, *glossary_perms)
        if office.editors_id != group.pk:
            office.editors = group
            office.save(update_fields=["editors"])
        office_page_rights_ensure(office=office)

    hq = base_group(HQ_REVIEWERS_GROUP)
    hq.permissions.add(*source_perms, *glossary_perms)
    # Replacing a language's glossary from CSV: HQ's glossary managers only.
    hq.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="translation", codename="replace_glossaryterm"
        )
    )
    _grant(hq, home, HQ_PERMS_JAPANESE_TREE)
    hq.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="cms",
            codename__in=[
                f"{action}_{model}"
                for action in ("add", "change")
                for model in ("region", "country", "topic")
            ],
        )
    )
    # Wagtail's starter groups may publish anywhere from the root; here only
    # HQ reviewers publish in the Japanese tree, so they lose their root rights.
    GroupPagePermission.objects.filter(
        group__name__in=("Moderators", "Editors"), page__depth=1
    ).delete()
    return hq


def workflow_ensure(home: HomePage, hq: Group, report: SetupReport) -> Workflow:
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
        report.note(f"task {REVIEW_TASK_NAME}")
    task.groups.add(hq)
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created:
        report.note(f"workflow {WORKFLOW_NAME}")
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    WorkflowPage.objects.update_or_create(page=home, defaults={"workflow": workflow})
    # Wagtail's default "Moderators approval" on the root would apply to every
    # tree; source-language trees publish without review.
    WorkflowPage.objects.filter(page__depth=1).delete()
    return workflow


@transaction.atomic
def newsroom_setup() -> SetupReport:
    report = SetupReport()
    locales = locales_ensure(report)
    offices = reference_data_ensure(report)
    home = page_trees_ensure(locales, offices, report)
    hq = groups_ensure(home, offices, report)
    workflow_ensure(home, hq, report)
    if seeded := glossary_seed_load():
        report.note(f"glossary: {seeded} terms from the seed")
    return report
