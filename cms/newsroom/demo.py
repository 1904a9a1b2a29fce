"""Demo content for `make run`: safe to load again, it adds only what is missing."""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale
from wagtail_localize.models import Translation
from wagtail_localize.operations import TranslationCreator

from cms.env import env
from cms.models import ArticlePage, Country, Office, OfficePage, Topic
from scrapers.demo import demo_sources_ensure
from translation.glossary import glossary_sync_if_due
from translation.models import TranslationState
from translation.selectors import translation_state_get
from translation.services import translation_state_set

from .demo_articles import ARTICLES, REVIEWED_TRANSLATION
from .setup import HQ_REVIEWERS_GROUP, newsroom_setup

logger = logging.getLogger(__name__)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    admin_password: str | None = None  # only when generated now; shown once


# Wagtail's account page asks for a first and a last name in the same form as
# the admin language: a user without them cannot change the language.
ADMIN_NAME = ("システム", "管理者")
HQ_REVIEWER_NAME = ("本部", "確認担当")


def user_name_ensure(user, *, first_name: str, last_name: str) -> bool:
    """Give a user a name when they have none; True when one was given."""
    if user.first_name and user.last_name:
        return False
    user.first_name = user.first_name or first_name
    user.last_name = user.last_name or last_name
    user.save(update_fields=["first_name", "last_name"])
    return True


def admin_user_ensure(report: DemoReport) -> str | None:
    """The admin account; its password comes from TSUNAGU_ADMIN_PASSWORD or is
    generated and reported once (it is never stored in clear)."""
    User = get_user_model()
    username = env.str("TSUNAGU_ADMIN_USERNAME", default="admin")
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        first_name, last_name = ADMIN_NAME
        if user_name_ensure(existing, first_name=first_name, last_name=last_name):
            report.created.append(f"name of {username}")
        return None
    password = env.str("TSUNAGU_ADMIN_PASSWORD", default="")
    if not password:
        password = secrets.token_urlsafe(12)
        report.admin_password = password
    first_name, last_name = ADMIN_NAME
    User.objects.create_superuser(
        username=username,
        email=f"{username}@example.org",
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    report.created.append(f"superuser {username}")
    return password


def demo_users_ensure(report: DemoReport, password: str | None) -> None:
    """One editor per office and one HQ reviewer, made with the admin's
    password (demo only), or without a usable one when the admin existed."""
    User = get_user_model()
    wanted = [
        (f"{o.code}-editor", o.editors_group_name, (o.city_ja, "編集担当"))
        for o in Office.objects.all()
    ]
    wanted.append(("hq-reviewer", HQ_REVIEWERS_GROUP, HQ_REVIEWER_NAME))
    for username, group_name, (first_name, last_name) in wanted:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "first_name": first_name,
                "last_name": last_name,
            },
        )
        if created:
            if password:
                user.set_password(password)
            else:
                user.set_unusable_password()
            user.save(update_fields=["password"])
            report.created.append(f"user {username}")
        elif user_name_ensure(user, first_name=first_name, last_name=last_name):
            report.created.append(f"name of {username}")
        user.groups.add(Group.objects.get(name=group_name))


def demo_articles_ensure(report: DemoReport) -> None:
    topics = {t.slug: t for t in Topic.objects.all()}
    countries = {c.code: c for c in Country.objects.all()}
    now = timezone.now()
    for data in ARTICLES:
        locale = Locale.objects.get(language_code=data.locale)
        section = OfficePage.objects.get(office__code=data.office, locale=locale)
        if ArticlePage.objects.child_of(section).filter(slug=data.slug).exists():
            continue
        published = now - timedelta(days=data.days_ago)
        article = ArticlePage(
            title=data.title,
            slug=data.slug,
            summary=data.summary,
            body=data.body,
            office=section.office,
            source_name=data.source_name,
            source_url=data.source_url,
            original_language=data.locale if data.source_url else "",
            original_published_at=published - timedelta(hours=6)
            if data.source_url
            else None,
            jurisdiction=data.jurisdiction,
            first_published_at=published,
        )
        article.topics = [topics[s] for s in data.topics]
        article.countries = [countries[c] for c in data.countries]
        section.add_child(instance=article)
        article.save_revision().publish()
        translation_state_set(page=article, state=TranslationState.State.ORIGINAL)
        report.created.append(f"article {data.locale}/{data.slug}")


def demo_translations_ensure(report: DemoReport) -> None:
    """Japanese drafts of the source articles (awaiting translation: machine
    translation is off until DEEPL_AUTH_KEY is set), and one reviewed, live
    translation to show the end of the road. The translation service may
    have made the drafts already (each new source draft asks for one)."""
    ja = Locale.get_default()
    for source in ArticlePage.objects.exclude(locale=ja).filter(live=True):
        target = source.get_translation_or_none(ja)
        made = target is None
        if made:
            TranslationCreator(user=None, target_locales=[ja]).create_translations(
                source
            )
            target = source.get_translation(ja)
        if source.slug == REVIEWED_TRANSLATION["source_slug"]:
            if translation_state_get(page=target) == TranslationState.State.REVIEWED:
                continue
            target = target.specific
            target.title = REVIEWED_TRANSLATION["title"]
            target.summary = REVIEWED_TRANSLATION["summary"]
            target.body = REVIEWED_TRANSLATION["body"]
            target.save_revision().publish()
            # Written by hand: wagtail-localize no longer syncs it from the
            # source, as when an editor converts a translation to manual.
            Translation.objects.filter(
                source__object_id=source.translation_key, target_locale=ja
            ).update(enabled=False)
            translation_state_set(page=target, state=TranslationState.State.REVIEWED)
        elif made or not TranslationState.objects.filter(page_id=target.pk).exists():
            translation_state_set(page=target, state=TranslationState.State.AWAITING)
        else:
            continue
        report.created.append(f"Japanese translation of {source.slug}")


def demo_load() -> DemoReport:
    report = DemoReport(created=newsroom_setup().created)
    # Machine translation on: the seed glossary first, then the drafts.
    if synced := glossary_sync_if_due():
        logger.info("Glossary: %s", synced)
    with transaction.atomic():
        password = admin_user_ensure(report)
        demo_users_ensure(report, password)
        demo_articles_ensure(report)
        report.created += demo_sources_ensure()
    # wagtail-localize publishes on commit; keep translations in their own step.
    with transaction.atomic():
        demo_translations_ensure(report)
    return report
