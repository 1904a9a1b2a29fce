"""Every role stays in its room, on every route of the admin.

The walk finds the routes in Django's URL resolver (``admin_walk``), calls
each as every role with the pages and objects of the scene below, and checks
the answer against the route table (``admin_routes``); no answer may be a 5xx.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import resolve, reverse
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Locale, Page, Task, Workflow
from wagtail_localize.operations import TranslationCreator

from cms.models import ArticlePage, Office, OfficePage, PartnerKey, Topic
from tests.cms import admin_walk as walk
from tests.cms.admin_routes import (
    ALLOW,
    DENY,
    LOGIN,
    MISSING,
    PAGE_TARGETS,
    PATTERN_RULES,
    ROLES,
    ROUTES,
)

pytestmark = pytest.mark.django_db

# 5xx answers not fixed yet, as (route, role): each must still fail, like a
# strict xfail, and leaves the list when its fix lands. Empty: the sources'
# history and usage pages were the last. 5xx the walk does not reach (it
# only GETs, and POSTs where GET is refused) have tests of their own:
# deleting a live article (tests/publishers/outbox/test_page_deletion.py),
# copy with publish (tests/cms/test_article_copy.py), the newsletter's
# region ids (tests/publishers/newsletter/test_oversized_ids.py).
KNOWN_5XX: dict[tuple[str, str], str] = {}

# How to call routes whose parameters do not say what they name: the demo
# object (a key of the scene's objects, or "page" for the target page) and
# fixed values.
ROUTE_VALUES: dict[str, dict[str, object]] = {
    "wagtailadmin_api:pages:detail": {"pk": "page"},
    "wagtailadmin_api:pages:action": {"pk": "page", "action_name": "copy"},
    "wagtailadmin_pages:revisions_compare": {"pk": "page"},
    "wagtailadmin_api:documents:detail": {"pk": "document"},
    "wagtaildocs_chooser:chosen": {"pk": "document"},
    "wagtailadmin_api:images:detail": {"pk": "image"},
    "wagtailadmin_workflows:enable": {"pk": "workflow"},
    "wagtailadmin_workflows:edit": {"pk": "workflow"},
    "wagtailadmin_workflows:enable_task": {"pk": "task"},
    "wagtailadmin_workflows:edit_task": {"pk": "task"},
    "wagtailadmin_workflows:add_task": {
        "app_label": "wagtailcore",
        "model_name": "groupapprovaltask",
    },
    "wagtailadmin_pages:choose_parent": {
        "app_label": "cms",
        "model_name": "articlepage",
    },
    "wagtailadmin_tag_model_autocomplete": {
        "app_name": "taggit",
        "model_name": "tag",
    },
    "scrapers_source_fetch": {"pk": "source"},
    "translation_job_retry": {"pk": "translation_job"},
    "translation_glossary_restore": {"snapshot_id": 999_999},
    "newsletter_subscriber_erase": {"pk": "subscriber"},
    "publishers_delivery_retry": {"pk": "delivery"},
    "publishers_delivery_skip": {"pk": "delivery"},
    "publishers_digest_send": {"pk": "digest"},
    "wagtailsettings:edit": {
        "app_name": "translation",
        "model_name": "translationsettings",
        "pk": "translation_settings",
    },
    "wagtailsettings:preview_on_edit": {
        "app_name": "translation",
        "model_name": "translationsettings",
        "pk": "translation_settings",
    },
    "wagtail_localize:submit_snippet_translation": {
        "app_label": "cms",
        "model_name": "topic",
        "pk": "topic",
    },
    "wagtail_localize:snippets_api_listing": {
        "app_label": "cms",
        "model_name": "topic",
    },
    "wagtail_localize:snippets_api_detail": {
        "app_label": "cms",
        "model_name": "topic",
        "pk": "topic",
    },
    "admin:app_list": {"app_label": "auth"},
    "admin:view_on_site": {"content_type_id": 1, "object_id": 1},
}
# Routes that end the session: the walk does not POST to them.
NOT_POSTED = {"wagtailadmin_logout", "admin:logout"}
# Routes whose GET only redirects: the walk POSTs to them.
POSTED = {"scrapers_source_fetch"}
PAGE_ROUTE_PARAMS = walk.PAGE_PARAMS


# -- The scene ------------------------------------------------------------------


def _article(code: str, language: str, title: str, *, live: bool = True):
    section = OfficePage.objects.get(office__code=code, locale__language_code=language)
    article = ArticlePage(title=title, summary="Summary.", body="<p>Body.</p>")
    section.add_child(instance=article)
    revision = article.save_revision()
    if live:
        revision.publish()
    return article


def _reviewed_translation(source, reviewer, editor):
    """The Japanese translation of ``source``: reviewed and live, then a new
    draft of it in review again."""
    ja = Locale.get_default()
    TranslationCreator(user=None, target_locales=[ja]).create_translations(source)
    translation = source.get_translation(ja).specific
    translation.title = f"{source.title} (ja)"
    translation.save_revision(user=reviewer).publish()
    translation.save_revision(user=editor)
    translation.get_workflow().start(translation, editor)
    return translation


def _user(username: str, group: str | None = None, **flags):
    user = get_user_model().objects.create_user(username=username, **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@dataclass
class Scene:
    users: dict[str, object]
    pages: dict[str, object]  # lon_en, par_fr, lon_ja, par_ja
    objects: dict[str, object]
    partner_key: str

    def page_for(self, role: str, target: str):
        """The page ``target`` means for ``role`` (see admin_routes)."""
        own, other = ("par", "lon") if role == "par" else ("lon", "par")
        language = {"lon": "en", "par": "fr"}
        code = {"own": own, "other": other, "ja": own, "other_ja": other}[target]
        suffix = "ja" if target in ("ja", "other_ja") else language[code]
        return self.pages[f"{code}_{suffix}"]

    def client_for(self, role: str) -> Client:
        if role == "partner":
            return Client(
                raise_request_exception=False,
                HTTP_AUTHORIZATION=f"Bearer {self.partner_key}",
            )
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(self.users[role])
        return client


@pytest.fixture
def scene() -> Scene:
    from django.contrib.contenttypes.models import ContentType

    from cms.models import ArticlePage
    from publishers.models import ChannelDefault, Delivery, PartnerWebhook
    from publishers.newsletter.models import Subscriber
    from scrapers.models import Source
    from translation.models import TranslationJob, TranslationSettings

    users = {
        "admin": _user("walk-admin", is_superuser=True, is_staff=True),
        "hq": _user("walk-hq", "HQ reviewers"),
        "lon": _user("walk-lon", "Office editors: lon"),
        "par": _user("walk-par", "Office editors: par"),
    }
    lon_en = _article("lon", "en", "Walk: London article")
    par_fr = _article("par", "fr", "Walk: article de Paris")
    pages = {
        "lon_en": lon_en,
        "par_fr": par_fr,
        "lon_ja": _reviewed_translation(lon_en, users["hq"], users["lon"]),
        "par_ja": _reviewed_translation(par_fr, users["hq"], users["par"]),
    }
    partner = PartnerKey(organisation="Walk", contact="walk@example.org")
    key = partner.key_new()
    partner.save()
    objects = {
        "image": Image.objects.create(title="Walk", file=get_test_image_file()),
        "document": Document.objects.create(
            title="Walk", file=ContentFile(b"walk", name="walk.txt")
        ),
        "redirect": Redirect.objects.create(old_path="/walk", redirect_link="/"),
        "collection": Collection.get_first_root_node().add_child(name="Walk"),
        "workflow": Workflow.objects.get(name="Translation review"),
        "task": Task.objects.first(),
        "source": Source.objects.create(
            office=Office.objects.get(code="lon"),
            name="Walk",
            url="https://walk.example/feed.xml",
            language="en",
        ),
        "translation_job": TranslationJob.objects.first(),
        "subscriber": Subscriber.objects.first(),
        "delivery": Delivery.objects.first(),
        "digest": Page.objects.filter(content_type__model="digestissuepage").first(),
        "translation_settings": TranslationSettings.load(),
        "topic": Topic.objects.first(),
        "partnerkey": partner,
        "partnerwebhook": PartnerWebhook.objects.create(
            organisation="Walk", url="https://walk.example/hook", secret="w" * 40
        ),
        "channeldefault": ChannelDefault.objects.create(
            page_type=ContentType.objects.get_for_model(ArticlePage),
            office=Office.objects.get(code="lon"),
            channel="webhooks",
        ),
    }
    return Scene(users=users, pages=pages, objects=objects, partner_key=key)


# -- The walk -------------------------------------------------------------------


def _values(route: walk.Route, scene: Scene, page) -> dict[str, object]:
    values = walk.object_values(route, scene.objects)
    if page is not None:
        values.update(
            walk.page_values(walk.page_target(page)),
        )
    for param, value in ROUTE_VALUES.get(route.name, {}).items():
        if value == "page":
            value = page.pk
        elif isinstance(value, str) and value in scene.objects:
            obj = scene.objects[value]
            value = obj.pk if obj is not None else 0
        values[param] = value
    values.setdefault("object_id", 1)
    values.setdefault("id", 1)
    values.setdefault("content_type_id", 1)
    values.setdefault("url", "walk")
    return values


def _is_page_route(route: walk.Route) -> bool:
    return bool(set(route.params) & PAGE_ROUTE_PARAMS) or (
        ROUTE_VALUES.get(route.name, {}).get("pk") == "page"
    )


def _matches(expected: str, outcome: str) -> bool:
    if expected == ALLOW:
        return outcome == walk.OK
    if expected == DENY:
        return outcome in (walk.DENIED, walk.NOT_FOUND)
    if expected == LOGIN:
        return outcome == walk.LOGIN
    if expected == MISSING:
        return outcome in (walk.NOT_FOUND, walk.DENIED)
    raise AssertionError(expected)


def walk_role(scene: Scene, role: str) -> list[tuple[str, str, str, str, str]]:
    """Call every admin route as ``role``: (route, target, expected, got, url)."""
    client = scene.client_for(role)
    answers = []
    seen: set[str] = set()
    for route in walk.admin_routes():
        rule = PATTERN_RULES.get(route.pattern) or ROUTES.get(route.name)
        if rule is None:
            continue  # test_every_admin_route_is_in_the_table reports it
        if route.pattern in seen:
            continue
        seen.add(route.pattern)
        targets = PAGE_TARGETS if _is_page_route(route) else ("-",)
        if role not in scene.users and targets != ("-",):
            targets = ("own",)  # the login page comes before any page
        for target in targets:
            page = scene.page_for(role, target) if target != "-" else None
            url = walk.fill(route.pattern, _values(route, scene, page))
            response = walk.request(client, "GET", url)
            got = walk.outcome(response)
            if (
                got == walk.NOT_ALLOWED and route.name not in NOT_POSTED
            ) or route.name in POSTED:
                response = walk.request(client, "POST", url)
                got = walk.outcome(response)
            if got == walk.NOT_ALLOWED and route.name not in NOT_POSTED:
                # wagtail-localize's string editor takes PUT.
                got = walk.outcome(walk.request(client, "PUT", url))
            if got == walk.NOT_ALLOWED and route.name in NOT_POSTED:
                got = walk.OK
            answers.append((route.name, target, rule.expected(role, target), got, url))
            if route.name in NOT_POSTED and role in scene.users:
                # Wagtail's logout drops the session cookie whatever the method.
                client.force_login(scene.users[role])
    return answers


def test_every_admin_route_is_in_the_table():
    names = {route.name for route in walk.admin_routes()}
    assert sorted(names - set(ROUTES)) == [], "classify these routes in admin_routes"
    assert sorted(set(ROUTES) - names) == [], "these routes are gone: remove them"


def test_our_guards_answer_at_the_urls_of_the_routes_they_take_over():
    """Reversing wagtail-localize's and Wagtail's names leads to our views:
    the guards' URLs come first in the resolver."""
    for name, args, ours in (
        ("wagtail_localize:convert_to_alias", [1], "translation_guard_"),
        ("wagtail_localize:submit_page_translation", [1], "translation_guard_"),
        ("wagtail_localize:update_translations", [1], "translation_guard_"),
        ("wagtail_localize:translations_report", [], "translation_guard_"),
        ("wagtail_localize:translations_report_results", [], "translation_guard_"),
        ("wagtail_localize:edit_string_translation", [1, 1], "translation_guard_"),
        ("wagtail_localize:edit_override", [1, 1], "translation_guard_"),
        ("wagtail_localize:upload_pofile", [1], "translation_guard_"),
        ("wagtail_localize:machine_translate", [1], "translation_machine"),
        ("wagtailadmin_reports:page_types_usage", [], "cms_"),
        ("wagtailadmin_reports:page_types_usage_results", [], "cms_"),
        ("wagtailredirects:process_import", [], "cms_"),
    ):
        assert resolve(reverse(name, args=args)).url_name.startswith(ours), name
    assert {name for name, rule in ROUTES.items() if rule.name == "SHADOWED"} == {
        "wagtail_localize:convert_to_alias",
        "wagtail_localize:submit_page_translation",
        "wagtail_localize:update_translations",
        "wagtail_localize:translations_report",
        "wagtail_localize:translations_report_results",
        "wagtail_localize:edit_string_translation",
        "wagtail_localize:edit_override",
        "wagtail_localize:upload_pofile",
        "wagtail_localize:machine_translate",
        "wagtailadmin_reports:page_types_usage",
        "wagtailadmin_reports:page_types_usage_results",
        "wagtailredirects:process_import",
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_route_answers_each_role_as_the_table_says(scene, role):
    answers = walk_role(scene, role)
    if dump := os.environ.get("ADMIN_ROUTES_DUMP"):
        # The answers as walked, for a person to read (see admin_routes).
        Path(dump, f"{role}.json").write_text(json.dumps(answers, indent=0))
    server_errors = [
        (name, target, url)
        for name, target, _expected, got, url in answers
        if got == walk.ERROR_5XX
        and (name, role) not in KNOWN_5XX
        and ROUTES[name].name != "DELIBERATE_ERROR"
    ]
    wrong = [
        f"{name} [{target}] {url}: expected {expected}, got {got}"
        for name, target, expected, got, url in answers
        if got != walk.ERROR_5XX and not _matches(expected, got)
    ]
    # Like a strict xfail: a known 5xx that is fixed must leave the list.
    fixed = [
        name
        for name, _target, _expected, got, _url in answers
        if (name, role) in KNOWN_5XX and got != walk.ERROR_5XX
    ]
    assert server_errors == []
    assert wrong == []
    assert fixed == [], "fixed: remove them from KNOWN_5XX"


def test_malformed_admin_posts_are_answered_400_not_500(scene):
    """Wagtail's redirect import and wagtail-localize's string editor and .po
    upload read fields they never checked were sent."""
    client = scene.client_for("admin")
    target = walk.page_target(scene.pages["lon_ja"])
    string_url = reverse(
        "wagtail_localize:edit_string_translation",
        args=[target.translation_id, target.string_segment_id],
    )
    for method, url in (
        ("POST", reverse("wagtailredirects:process_import")),
        ("PUT", string_url),
        (
            "POST",
            reverse("wagtail_localize:upload_pofile", args=[target.translation_id]),
        ),
    ):
        response = walk.request(client, method, url)
        assert response.status_code == 400, url


def test_the_route_table_page_for_people_is_current():
    from tests.cms.admin_routes import as_markdown

    page = Path(__file__).resolve().parents[2] / "docs" / "admin-routes.md"
    assert page.read_text() == as_markdown(), (
        "run: .venv/bin/python -m tests.cms.admin_routes > docs/admin-routes.md"
    )
