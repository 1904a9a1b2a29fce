"""From a French feed item to a live Japanese page, and the editor's button."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Locale, WorkflowState
from wagtail_localize.models import Translation

from cms.models import Office
from scrapers.drafts import item_make_draft
from scrapers.models import Item, Source
from translation.models import TranslationJob, TranslationState, UsageRecord

pytestmark = pytest.mark.django_db


def _french_item() -> Item:
    source = Source.objects.create(
        office=Office.objects.get(code="par"),
        name="Ville de Lyon",
        url="https://www.lyon.fr/rss",
        kind=Source.Kind.RSS,
        language="fr",
    )
    return Item.objects.create(
        source=source,
        guid="https://www.lyon.fr/actualite/1",
        guid_hash="1" * 64,
        link="https://www.lyon.fr/actualite/1",
        title="Lyon ouvre un guichet pour les résidents étrangers",
        summary_html="<p>Un guichet unique pour les démarches des résidents.</p>",
        language="fr",
    )


def _reviewer():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="hq", password="pw")
    user.groups.add(Group.objects.get(name="HQ reviewers"))
    return user


def test_a_french_item_ends_as_a_live_japanese_page_with_its_cost_in_the_ledger(
    memory_backend, django_capture_on_commit_callbacks
):
    item = _french_item()
    with django_capture_on_commit_callbacks(execute=True):
        draft = item_make_draft(item_id=item.pk)
    assert draft.locale.language_code == "fr" and not draft.live

    # The draft asked for its Japanese translation by itself.
    job = TranslationJob.objects.get(source_page=draft)
    assert job.state == TranslationJob.State.DONE, job.error
    target = draft.get_translation(Locale.objects.get(language_code="ja")).specific
    assert TranslationState.objects.get(page=target).state == "machine_translated"
    assert target.get_latest_revision_as_object().title.startswith("[ja] Lyon ouvre")
    workflow_state = WorkflowState.objects.get(
        object_id=str(target.pk), status=WorkflowState.STATUS_IN_PROGRESS
    )
    billed = UsageRecord.objects.filter(page=draft).values_list(
        "billed_characters", flat=True
    )
    assert sum(billed) == memory_backend.billed > 0

    # An HQ reviewer approves it in Wagtail's workflow: the page goes live.
    reviewer = _reviewer()
    with django_capture_on_commit_callbacks(execute=True):
        task_state = workflow_state.current_task_state
        task_state.task.specific.on_action(task_state, reviewer, "approve")
    target.refresh_from_db()
    assert target.live
    state = TranslationState.objects.get(page=target)
    assert state.state == "reviewed" and state.reviewed_by == reviewer


def test_the_editor_s_machine_translate_button_charges_the_same_ledger(
    memory_backend, draft, client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from translation.runner import job_run
    from translation.services import translation_request

    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    page = draft.specific
    page.body += "<p>Une nouvelle phrase ajoutée par la ville.</p>"
    page.save_revision()
    translation = Translation.objects.get(
        source__object_id=draft.translation_key, target_locale__language_code="ja"
    )
    editor = get_user_model().objects.create_superuser("ed", password="pw")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtail_localize:machine_translate", args=[translation.pk])
            + "?next=/admin/",
            follow=True,
        )
    assert response.status_code == 200
    # The admin speaks Japanese (LANGUAGE_CODE) to a user who has not chosen English.
    assert "このページを再読み込みしてください" in response.content.decode()
    record = UsageRecord.objects.filter(user=editor).get()
    assert record.billed_characters == len("Une nouvelle phrase ajoutée par la ville.")
    assert record.page_id == draft.pk
    button_job = TranslationJob.objects.filter(requested_by=editor).get()
    assert button_job.submit_for_review is False
    # Only the new sentence went out.
    assert memory_backend.requests[-1].texts == [
        "Une nouvelle phrase ajoutée par la ville."
    ]


def test_the_registered_machine_translator_goes_through_the_memory_and_ledger(
    memory_backend,
):
    from wagtail_localize.machine_translators import get_machine_translator
    from wagtail_localize.strings import StringValue

    translator = get_machine_translator()
    fr = Locale.objects.get(language_code="fr")
    ja = Locale.objects.get(language_code="ja")
    assert translator.can_translate(fr, ja)
    strings = [StringValue("Bonjour <b>Lyon</b>"), StringValue("Au revoir")]
    first = translator.translate(fr, ja, strings)
    assert first[strings[0]].data == "[ja] Bonjour <b>Lyon</b>"
    assert UsageRecord.objects.filter(origin="editor").count() == 1
    translator.translate(fr, ja, strings)
    assert len(memory_backend.requests) == 1  # the second time from memory


def test_nobody_without_edit_rights_presses_the_button(memory_backend, draft, client):
    from django.contrib.auth import get_user_model

    from translation.runner import job_run
    from translation.services import translation_request

    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    translation = Translation.objects.get(
        source__object_id=draft.translation_key, target_locale__language_code="ja"
    )
    user = get_user_model().objects.create_user("nobody", password="pw")
    user.groups.add(Group.objects.get(name="Office editors: sel"))
    client.force_login(user)
    response = client.post(
        reverse("wagtail_localize:machine_translate", args=[translation.pk])
    )
    assert response.status_code in (302, 403)
    assert not TranslationJob.objects.filter(requested_by=user).exists()


def test_drafts_say_plainly_what_they_are(memory_backend, draft, client):
    from django.contrib.auth import get_user_model

    from translation.runner import job_run
    from translation.services import translation_request, translation_state_set

    ja = Locale.objects.get(language_code="ja")
    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    target = draft.get_translation(ja)
    client.force_login(get_user_model().objects.create_superuser("p", password="pw"))
    # The preview renders in the page's locale: Japanese.
    machine = "機械翻訳です。編集部による確認はまだ済んでいません。"
    awaiting = "翻訳待ちです。このページは原文のまま表示しています。"
    preview = client.get(f"/admin/pages/{target.pk}/view_draft/")
    assert machine in preview.content.decode()
    translation_state_set(page=target, state=TranslationState.State.AWAITING)
    preview = client.get(f"/admin/pages/{target.pk}/view_draft/")
    assert awaiting in preview.content.decode()
    translation_state_set(page=target, state=TranslationState.State.REVIEWED)
    preview = client.get(f"/admin/pages/{target.pk}/view_draft/")
    assert awaiting not in preview.content.decode()
    assert machine not in preview.content.decode()
