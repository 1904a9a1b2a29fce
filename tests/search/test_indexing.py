"""Keeping the index in step: saves, drafts, deletions, update_index, other models."""

import io

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.documents import get_document_model
from wagtail.search.backends import get_search_backend

from cms.models import ArticlePage, Region, Topic
from cms.search.models import SearchEntry


def found(results) -> set[int]:
    return {obj.pk for obj in results}


def entries_of(obj) -> int:
    return SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).count()


def test_saved_changes_replace_the_old_text(article, pages):
    page = article("多文化共生の推進", "")
    page.title = "防災計画の見直し"
    page.save()
    assert found(pages().search("多文化")) == set()
    assert found(pages().search("防災")) == {page.pk}


def test_draft_is_searchable_until_deleted_and_then_leaves_the_index(article, pages):
    draft = article("草稿の記事", "<p>観光振興の計画</p>", live=False)
    assert found(pages().search("観光")) == {draft.pk}
    assert found(pages().live().search("観光")) == set()

    draft.body = "<p>交通政策の計画</p>"
    draft.save()
    assert found(pages().search("観光")) == set()
    assert found(pages().search("交通")) == {draft.pk}

    draft.delete()
    assert found(pages().search("交通")) == set()
    assert entries_of(draft) == 0


def test_deleting_a_section_takes_its_articles_out(article, pages, section):
    page = article("観光の記事", "")
    section("ja").delete()
    assert found(pages().search("観光")) == set()
    assert entries_of(page) == 0


def test_unpublished_page_stays_indexed_but_live_filter_drops_it(article, pages):
    page = article("観光の記事", "")
    page.unpublish()
    assert found(pages().search("観光")) == {page.pk}
    assert found(pages().live().search("観光")) == set()


def test_update_index_rebuilds_a_lost_index(article, pages):
    page = article("多文化共生の推進", "")
    SearchEntry.objects.all().delete()
    assert found(pages().search("多文化")) == set()

    call_command("update_index", stdout=io.StringIO())

    assert found(pages().search("多文化")) == {page.pk}
    assert entries_of(page) == 1


def test_update_index_drops_entries_of_objects_that_are_gone(article):
    page = article("多文化共生の推進", "")
    stale = SearchEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ArticlePage),
        object_id="999999999",
        title="",
        body=" 多文化",
        tokens="c" + "多文".encode().hex(),
    )
    call_command("update_index", stdout=io.StringIO())
    assert not SearchEntry.objects.filter(pk=stale.pk).exists()
    assert entries_of(page) == 1


def test_add_bulk_and_delete_through_the_backend(article, pages):
    page = article("多文化共生の推進", "")
    backend = get_search_backend()
    backend.delete(page)
    assert found(pages().search("多文化")) == set()
    backend.add_bulk(ArticlePage, [page])
    assert found(pages().search("多文化")) == {page.pk}


def test_snippets_are_searchable(db):
    region = Region.objects.create(
        code="zz-search", name_ja="北極圏・周辺地域", name_en="Arctic régions"
    )
    topic = Topic.objects.create(slug="zz-search", name_ja="氷河観測", name_en="x")
    backend = get_search_backend()
    assert found(backend.search("北極", Region)) == {region.pk}
    assert found(backend.search("regions", Region)) == {region.pk}
    assert found(backend.search("氷河", Topic)) == {topic.pk}


def test_documents_are_searchable_by_title_and_tag(db):
    document = get_document_model().objects.create(
        title="議事録 第3回多文化共生会議",
        file=ContentFile(b"minutes", name="minutes.txt"),
    )
    results = get_document_model().objects.search("多文化")
    assert document.pk in found(results)
    assert document.pk in found(get_document_model().objects.autocomplete("議事"))

    document.tags.add("氷河観測")
    document.save()  # tags are saved apart; the save reindexes
    assert found(get_document_model().objects.search("氷河")) == {document.pk}
