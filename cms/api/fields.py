"""How an article appears in the API: its own fields, with the body held back
where the source allows only a summary, and where the text stands in
translation.

Both come from the feeds' selectors (one rule for feeds and API), asked once
per page of results by ``articles_decorate``: a fixed number of queries
whatever the number of articles. A single article not decorated asks for
itself.
"""

from collections import defaultdict
from collections.abc import Iterable

from rest_framework.fields import Field
from wagtail.api import APIField
from wagtail.api.v2.serializers import (
    PageHtmlUrlField,
    PageSerializer,
    RichTextFieldSerializer,
)

from ..feeds.selectors import summary_only_keys, translation_states
from ..models import ArticlePage, Country, Topic
from ..siteurl import page_full_url

REPUBLISH_FULL = "full"
REPUBLISH_SUMMARY = "summary"


# Topics and countries (with their regions) by id, per content generation:
# a handful of rows that change rarely (every change starts a generation),
# kept in the process so a page of results costs two small queries for its
# classification instead of joins and a hundred model instances.
_TAXONOMY: dict[str, tuple[dict[int, Topic], dict[int, Country]]] = {}


def taxonomy_by_id(token: str | None) -> tuple[dict[int, Topic], dict[int, Country]]:
    found = _TAXONOMY.get(token) if token else None
    if found is None:
        found = (
            {topic.pk: topic for topic in Topic.objects.all()},
            {c.pk: c for c in Country.objects.select_related("region")},
        )
        if token:
            _TAXONOMY.clear()
            _TAXONOMY[token] = found
    return found


def articles_classify(articles: list, *, token: str | None = None) -> None:
    """Give each article its topics and countries in memory (ordered as the
    models order them), from the through tables and ``taxonomy_by_id``."""
    ids = [page.pk for page in articles]
    topics, countries = taxonomy_by_id(token)
    by_article: dict[str, dict[int, list]] = {
        "topics": defaultdict(list),
        "countries": defaultdict(list),
    }
    through = ArticlePage.topics.through.objects.filter(articlepage_id__in=ids)
    for article_id, topic_id in through.values_list("articlepage_id", "topic_id"):
        by_article["topics"][article_id].append(topics[topic_id])
    through = ArticlePage.countries.through.objects.filter(articlepage_id__in=ids)
    for article_id, country_id in through.values_list("articlepage_id", "country_id"):
        by_article["countries"][article_id].append(countries[country_id])
    for page in articles:
        page.topics = sorted(
            by_article["topics"][page.pk], key=lambda t: (t.sort_order, t.slug)
        )
        page.countries = sorted(by_article["countries"][page.pk], key=lambda c: c.code)


def articles_decorate(pages: Iterable, *, token: str | None = None) -> None:
    """Set ``full_text_allowed`` and ``api_translation_state`` on the articles
    among ``pages`` (other page types are left alone), and their topics and
    countries (``token``: the content generation, for the taxonomy cache)."""
    articles = [page for page in pages if isinstance(page, ArticlePage)]
    if not articles:
        return
    summary_only = summary_only_keys(page.translation_key for page in articles)
    states = translation_states(articles)
    for page in articles:
        page.full_text_allowed = page.translation_key not in summary_only
        page.api_translation_state = states[page.pk]
    articles_classify(articles, token=token)


def _full_text_allowed(page: ArticlePage) -> bool:
    if getattr(page, "full_text_allowed", None) is None:
        articles_decorate([page])
    return page.full_text_allowed


class ArticleBodyField(RichTextFieldSerializer):
    """The body, or null where the source allows only its summary and a link."""

    def get_attribute(self, instance: ArticlePage):
        if not _full_text_allowed(instance):
            return None
        return super().get_attribute(instance)


class RepublishField(Field):
    """ "full", or "summary" when only the summary and the link may be shown."""

    def __init__(self) -> None:
        super().__init__(read_only=True)

    def get_attribute(self, instance: ArticlePage) -> str:
        return REPUBLISH_FULL if _full_text_allowed(instance) else REPUBLISH_SUMMARY

    def to_representation(self, value: str) -> str:
        return value


class TranslationStateField(Field):
    """original, awaiting, machine_translated or reviewed."""

    def __init__(self) -> None:
        super().__init__(read_only=True)

    def get_attribute(self, instance: ArticlePage) -> str:
        if getattr(instance, "api_translation_state", None) is None:
            articles_decorate([instance])
        return instance.api_translation_state

    def to_representation(self, value: str) -> str:
        return value


def article_api_fields(model_fields: list[APIField]) -> list[APIField]:
    """The model's api_fields with the body guarded, plus the provenance the
    page's own fields do not hold."""
    fields = [
        APIField("body", serializer=ArticleBodyField()) if f.name == "body" else f
        for f in model_fields
    ]
    return [
        *fields,
        APIField("translation_state", serializer=TranslationStateField()),
        APIField("republish", serializer=RepublishField()),
    ]


class SiteHtmlUrlField(PageHtmlUrlField):
    """``html_url`` on the site's public address (TSUNAGU_BASE_URL), for
    plain pages too (the pages endpoint lists them unspecific)."""

    def to_representation(self, page) -> str | None:
        return page_full_url(page)


class PublicPageSerializer(PageSerializer):
    html_url = SiteHtmlUrlField(read_only=True)
