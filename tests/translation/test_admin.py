"""The translation stage in the admin: the dashboard panel, the Translation
menu's views and "Translate with DeepL" with its estimate."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from cms.models import ArticlePage, OfficePage
from translation.backends import backend_get
from translation.budget import budget_set
from translation.models import (
    ServiceStatus,
    TranslationJob,
    TranslationState,
    UsageRecord,
)
from translation.runner import job_run
from translation.selectors import translation_estimate
from translation.services import service_status_set, translation_request

from .conftest import french_draft

pytestmark = pytest.mark.django_db

BULK_URL = reverse(
    "wagtail_bulk_action", args=["wagtailcore", "page", "machine_translate"]
)


@pytest.fixture(autouse=True)
def clean_slate(db):
    """This test's own ledger, jobs and states only (the demo has its own)."""
    UsageRecord.objects.all().delete()
    TranslationJob.objects.all().delete()
    TranslationState.objects.all().delete()
    ServiceStatus.objects.all().delete()
    budget_set(characters=500_000)


@pytest.fixture
def login(client):
    """Log a user in, with the admin in English for readable assertions."""

    def log_in(user):
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = "en"
        profile.save()
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def paris(user_in_group):
    return user_in_group("Office editors: par", "paris")


@pytest.fixture
def london(user_in_group):
    return user_in_group("Office editors: lon", "london")


@pytest.fixture
def hq(user_in_group):
    return user_in_group("HQ reviewers", "hq")


@pytest.fixture
def translated(memory_backend, paris):
    """A French draft of the Paris office, machine-translated into Japanese."""
    draft = french_draft()
    (job,) = translation_request(page=draft, user=paris, reason="test")
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error
    return job


def _failed_job(page, **fields) -> TranslationJob:
    return TranslationJob.objects.create(
        source_page=page,
        target_locale=Locale.objects.get(language_code="ja"),
        state=TranslationJob.State.FAILED,
        attempts=5,
        error="The service answered 500 (gave up after 5 attempts)",
        **fields,
    )


def _refused(response) -> bool:
    """Wagtail's admin answers PermissionDenied with a redirect home."""
    return response.status_code == 302 and response["Location"] == reverse(
        "wagtailadmin_home"
    )


def _messages(response) -> list[str]:
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


def _translate_url(*pages, next_url="/admin/") -> str:
    query = [("id", page.pk) for page in pages] + [("next", next_url)]
    return f"{BULK_URL}?{urlencode(query)}"


# -- the dashboard panel -------------------------------------------------------


def test_panel_shows_the_month_s_characters_per_office_after_a_job_ran(
    login, paris, translated
):
    html = login(paris).get("/admin/").content.decode()
    assert "Machine translation" in html
    assert 'data-budget-state="ok"' in html
    billed = translated.billed_characters
    assert billed > 0
    assert '<tr data-office="par"><td><strong>' in html
    assert f"<td>{billed:,}</td>" in html
    assert f"{billed:,} of 500,000 characters" in html
    assert 'data-reviews="1"' in html
    assert reverse("translation_review") in html


def test_panel_shows_another_office_s_use_only_as_a_sum(login, london, translated):
    html = login(london).get("/admin/").content.decode()
    assert 'data-office="par"' not in html
    assert "Other offices" in html
    assert 'data-reviews="0"' in html  # the Paris draft is not London's to review


def test_panel_warns_at_80_percent_and_looks_stopped_at_100(login, paris, translated):
    billed = translated.billed_characters
    client = login(paris)
    budget_set(characters=int(billed / 0.85))
    html = client.get("/admin/").content.decode()
    assert 'data-budget-state="warning"' in html
    assert "data-budget-warning" in html and "data-budget-stopped" not in html

    budget_set(characters=billed)
    html = client.get("/admin/").content.decode()
    assert 'data-budget-state="stopped"' in html
    assert "data-budget-stopped" in html
    assert "budget is spent" in html


@pytest.mark.parametrize(
    ("state", "words"),
    [
        (
            ServiceStatus.State.QUOTA,
            "character quota for this billing period is short",
        ),
        (ServiceStatus.State.CONFIG, "refused the configuration"),
    ],
)
def test_panel_says_plainly_when_the_service_is_stopped(
    login, paris, memory_backend, state, words
):
    service_status_set(state=state, message="DeepL answered 456 at 10:02")
    html = login(paris).get("/admin/").content.decode()
    assert "data-service-notice" in html
    assert words in html
    assert "DeepL answered 456 at 10:02" in html
    assert "Since " in html


def test_panel_says_nothing_of_the_service_when_it_works(login, paris, memory_backend):
    service_status_set(state=ServiceStatus.State.OK)
    html = login(paris).get("/admin/").content.decode()
    assert "data-service-notice" not in html


def test_panel_counts_the_jobs_needing_attention_with_links(
    login, paris, memory_backend
):
    draft = french_draft()
    _failed_job(draft)
    TranslationJob.objects.create(
        source_page=draft,
        target_locale=Locale.objects.get(language_code="en"),
        state=TranslationJob.State.WAITING_BUDGET,
    )
    html = login(paris).get("/admin/").content.decode()
    assert 'data-jobs-waiting="2"' in html
    assert f"{reverse('translation_jobs')}?state=failed" in html
    assert f"{reverse('translation_jobs')}?state=waiting_budget" in html


def test_panel_costs_a_fixed_number_of_queries(
    login, paris, translated, django_assert_max_num_queries
):
    from translation.panels import TranslationPanel

    client = login(paris)
    request = client.get("/admin/").wsgi_request
    for _index in range(3):
        french_draft()  # more pages and offices must not mean more queries
    with django_assert_max_num_queries(10):
        TranslationPanel(request).render_html()


def test_users_outside_the_newsroom_get_no_panel_and_no_menu(client, db):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("outsider", password="pw")
    user.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    client.force_login(user)
    html = client.get("/admin/").content.decode()
    assert "data-translation-panel" not in html
    for name in ("translation_jobs", "translation_review", "translation_usage"):
        assert _refused(client.get(reverse(name)))
        assert reverse(name) not in html


def test_the_translation_menu_holds_the_views_beside_the_glossary(login, paris):
    html = login(paris).get("/admin/").content.decode()
    start = html.index('"name": "translation", "label"')
    menu = html[start : html.index("]]}", start)]
    for name in ("translation_review", "translation_jobs", "translation_usage"):
        assert f'"url": "{reverse(name)}"' in menu
    assert '"url": "/admin/snippets/translation/glossaryterm/"' in menu


# -- waiting for review --------------------------------------------------------


def test_review_lists_the_office_s_machine_translated_drafts(login, paris, translated):
    html = login(paris).get(reverse("translation_review")).content.decode()
    target = translated.target_page
    assert f'data-page="{target.pk}"' in html
    assert reverse("wagtailadmin_pages:edit", args=[target.pk]) in html
    # The source page, and the review workflow the draft is in.
    assert reverse("wagtailadmin_pages:edit", args=[translated.source_page_id]) in html
    assert "HQ translation review" in html


def test_review_hides_other_offices_drafts(login, london, translated):
    html = login(london).get(reverse("translation_review")).content.decode()
    assert f'data-page="{translated.target_page_id}"' not in html
    assert "No machine-translated draft waits for review." in html


@pytest.mark.parametrize("who", ["hq", "admin_user"])
def test_hq_and_superusers_see_every_office_s_drafts(login, request, who, translated):
    client = login(request.getfixturevalue(who))
    html = client.get(reverse("translation_review")).content.decode()
    assert f'data-page="{translated.target_page_id}"' in html
    filtered = client.get(reverse("translation_review") + "?office=lon")
    assert f'data-page="{translated.target_page_id}"' not in filtered.content.decode()


# -- jobs ----------------------------------------------------------------------


def test_jobs_list_shows_the_office_s_jobs_with_plain_errors(
    login, paris, memory_backend
):
    draft = french_draft()
    job = _failed_job(draft)
    html = login(paris).get(reverse("translation_jobs")).content.decode()
    assert f'data-job="{job.pk}"' in html
    assert "Failed after 5 attempts." in html
    assert "The service answered 500" in html
    assert reverse("translation_job_retry", args=[job.pk]) in html


def test_jobs_list_filters_by_state(login, paris, translated):
    failed = _failed_job(translated.source_page)
    client = login(paris)
    html = client.get(reverse("translation_jobs") + "?state=done").content.decode()
    assert f'data-job="{translated.pk}"' in html
    assert f'data-job="{failed.pk}"' not in html
    assert f"{translated.billed_characters:,}" in html


def test_jobs_of_other_offices_are_not_listed(login, london, memory_backend):
    job = _failed_job(french_draft())
    html = login(london).get(reverse("translation_jobs")).content.decode()
    assert f'data-job="{job.pk}"' not in html


def test_hq_sees_every_job_but_retries_only_what_it_may_edit(login, hq, memory_backend):
    job = _failed_job(french_draft())
    html = login(hq).get(reverse("translation_jobs")).content.decode()
    assert f'data-job="{job.pk}"' in html
    # HQ reviewers do not edit the French tree: no retry button.
    assert reverse("translation_job_retry", args=[job.pk]) not in html


def test_superusers_see_every_job_and_may_retry(login, admin_user, memory_backend):
    job = _failed_job(french_draft())
    html = login(admin_user).get(reverse("translation_jobs")).content.decode()
    assert reverse("translation_job_retry", args=[job.pk]) in html


def test_retry_runs_a_failed_job_again(
    login, paris, memory_backend, django_capture_on_commit_callbacks
):
    job = _failed_job(french_draft())
    client = login(paris)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("translation_job_retry", args=[job.pk]),
            {"next": reverse("translation_jobs")},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("translation_jobs")
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error
    assert UsageRecord.objects.filter(job=job).exists()
    assert any("again" in message for message in _messages(response))


def test_retry_is_refused_to_those_who_may_not_edit_the_source(
    login, london, hq, memory_backend
):
    job = _failed_job(french_draft())
    url = reverse("translation_job_retry", args=[job.pk])
    assert login(london).post(url).status_code == 404  # not their office's job
    assert _refused(login(hq).post(url))
    assert login(hq).get(url).status_code == 405
    job.refresh_from_db()
    assert job.state == TranslationJob.State.FAILED


def test_retry_of_a_job_that_is_not_stopped_says_so(login, paris, translated):
    response = login(paris).post(reverse("translation_job_retry", args=[translated.pk]))
    assert response.status_code == 302
    assert any("cannot be retried" in message for message in _messages(response))


# -- usage ---------------------------------------------------------------------


def test_usage_shows_the_month_per_office_and_language_pair(login, paris, translated):
    html = login(paris).get(reverse("translation_usage")).content.decode()
    billed = translated.billed_characters
    assert 'data-office="par"' in html
    assert 'data-pair="fr-ja"' in html
    assert f"Your offices: {billed:,} characters." in html
    assert html.count("data-month=") == 12


def test_usage_of_another_month_and_a_bad_month(login, hq, translated):
    client = login(hq)
    html = client.get(reverse("translation_usage") + "?month=2020-01").content.decode()
    assert "Nothing billed this month." in html
    response = client.get(reverse("translation_usage") + "?month=2020-13")
    assert response.status_code == 200
    assert any("is not a month" in message for message in _messages(response))


def test_usage_csv_holds_the_month_s_ledger_rows(login, paris, london, translated):
    response = login(paris).get(reverse("translation_usage_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows and {row["office"] for row in rows} == {"par"}
    assert sum(int(row["billed_characters"]) for row in rows) == (
        translated.billed_characters
    )
    assert rows[0]["source_language"] == "fr" and rows[0]["target_language"] == "ja"
    assert rows[0]["user"] == "paris"

    theirs = login(london).get(reverse("translation_usage_csv"))
    assert list(csv.DictReader(io.StringIO(theirs.content.decode("utf-8-sig")))) == []
    assert (
        login(london).get(reverse("translation_usage_csv") + "?month=may").status_code
        == 400
    )


# -- "Translate with DeepL" ----------------------------------------------------


def test_the_confirmation_shows_the_estimate_of_translation_estimate(
    login, paris, memory_backend
):
    draft = french_draft()
    html = login(paris).get(_translate_url(draft)).content.decode()
    ja = Locale.objects.get(language_code="ja")
    estimate = translation_estimate(pages=[draft], locales=[ja])
    assert estimate.characters > 0
    assert f'data-characters="{estimate.characters}"' in html
    assert f'data-strings="{estimate.strings}"' in html
    assert f"{estimate.cost} {estimate.currency}" in html
    # Japanese first and ticked; the page's own language is not offered.
    assert f'value="{ja.pk}" id="id_locales_0" checked' in html
    fr = Locale.objects.get(language_code="fr")
    assert f'value="{fr.pk}"' not in html
    assert "data-over-budget" not in html


def test_updating_the_estimate_for_more_languages(login, paris, memory_backend):
    draft = french_draft()
    locales = list(Locale.objects.filter(language_code__in=["ja", "en"]))
    response = login(paris).post(
        _translate_url(draft),
        {"locales": [locale.pk for locale in locales], "action": "estimate"},
    )
    assert response.status_code == 200
    estimate = translation_estimate(pages=[draft], locales=locales)
    assert f'data-characters="{estimate.characters}"' in response.content.decode()
    assert not TranslationJob.objects.exists()


def test_confirming_queues_the_jobs_and_they_run(
    login, paris, memory_backend, django_capture_on_commit_callbacks
):
    draft = french_draft()
    ja = Locale.objects.get(language_code="ja")
    client = login(paris)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _translate_url(draft, next_url="/admin/pages/"),
            {"locales": [ja.pk], "action": "translate"},
        )
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    job = TranslationJob.objects.get(source_page=draft)
    assert job.reason == "editor request" and job.requested_by == paris
    assert job.state == TranslationJob.State.DONE, job.error
    record = UsageRecord.objects.get(job=job)
    assert record.user == paris and record.office.code == "par"
    assert "1 translation job queued for 1 page." in _messages(response)


def test_over_the_budget_it_warns_and_still_queues_a_waiting_job(
    login, paris, memory_backend, django_capture_on_commit_callbacks
):
    draft = french_draft()
    budget_set(characters=10)
    client = login(paris)
    html = client.get(_translate_url(draft)).content.decode()
    assert "data-over-budget" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _translate_url(draft),
            {"locales": [Locale.objects.get(language_code="ja").pk]},
        )
    job = TranslationJob.objects.get(source_page=draft)
    assert job.state == TranslationJob.State.WAITING_BUDGET


def test_bulk_action_translates_the_pages_it_may_and_says_which_it_refuses(
    login, paris, translated, memory_backend, django_capture_on_commit_callbacks
):
    second = french_draft(title="Lyon rénove ses écoles")
    target = translated.target_page
    client = login(paris)
    html = client.get(_translate_url(second, target)).content.decode()
    assert "It is itself a translation" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _translate_url(second, target),
            {"locales": [Locale.objects.get(language_code="ja").pk]},
        )
    assert response.status_code == 302
    assert TranslationJob.objects.filter(source_page=second).count() == 1
    assert not TranslationJob.objects.filter(source_page=target).exists()


def test_another_office_s_editor_is_refused(login, london, memory_backend):
    draft = french_draft()
    client = login(london)
    html = client.get(_translate_url(draft)).content.decode()
    assert "You may not edit it." in html
    assert "data-estimate" not in html
    client.post(
        _translate_url(draft),
        {"locales": [Locale.objects.get(language_code="ja").pk]},
    )
    assert not TranslationJob.objects.exists()


def test_with_machine_translation_off_nothing_can_be_queued(login, paris, db):
    draft = french_draft()
    with override_settings(TSUNAGU_TRANSLATION={"BACKEND": "none"}):
        assert not backend_get().translates
        client = login(paris)
        html = client.get(_translate_url(draft)).content.decode()
        assert "data-machine-translation-off" in html
        assert "data-estimate" not in html
        response = client.post(
            _translate_url(draft),
            {"locales": [Locale.objects.get(language_code="ja").pk]},
        )
        assert response.status_code == 302
        assert any("Machine translation is off" in m for m in _messages(response))
    assert not TranslationJob.objects.exists()


def test_a_japanese_original_may_go_into_english(
    login, london, memory_backend, django_capture_on_commit_callbacks
):
    ja = Locale.objects.get(language_code="ja")
    section = OfficePage.objects.get(office__code="lon", locale=ja)
    report = ArticlePage(
        title="ロンドン市の多文化共生政策", slug="london-report", live=False
    )
    section.add_child(instance=report)
    report.save_revision()
    client = login(london)
    html = client.get(_translate_url(report)).content.decode()
    assert f'value="{ja.pk}"' not in html  # its own language is not offered
    en = Locale.objects.get(language_code="en")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_translate_url(report), {"locales": [en.pk]})
    job = TranslationJob.objects.get(source_page=report)
    assert job.target_locale == en
    assert job.state == TranslationJob.State.DONE, job.error


def test_an_original_page_in_the_target_language_is_left_alone(
    login, admin_user, memory_backend
):
    # The Paris section exists in French and in Japanese, neither a translation
    # of the other: translating one into the other would overwrite it.
    ja = Locale.objects.get(language_code="ja")
    section = OfficePage.objects.get(office__code="par", locale__language_code="fr")
    html = login(admin_user).get(_translate_url(section)).content.decode()
    assert "already has an original page in" in html
    assert "data-estimate" not in html
    login(admin_user).post(_translate_url(section), {"locales": [ja.pk]})
    assert not TranslationJob.objects.exists()


def test_the_page_offers_translate_with_deepl(login, paris, memory_backend):
    draft = french_draft()
    client = login(paris)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[draft.pk]))
    assert "Translate with DeepL" in edit.content.decode()
    assert BULK_URL in edit.content.decode()
    listing = client.get(reverse("wagtailadmin_explore", args=[draft.get_parent().pk]))
    html = listing.content.decode()
    assert f"{BULK_URL}?id={draft.pk}" in html.replace("&amp;", "&")


def test_the_button_is_not_offered_when_machine_translation_is_off(login, paris, db):
    draft = french_draft()
    with override_settings(TSUNAGU_TRANSLATION={"BACKEND": "none"}):
        html = (
            login(paris)
            .get(reverse("wagtailadmin_pages:edit", args=[draft.pk]))
            .content.decode()
        )
    assert f"{BULK_URL}?id=" not in html.replace("&amp;", "&")


def test_the_root_page_is_refused(login, admin_user, memory_backend):
    root = Page.get_first_root_node()
    html = login(admin_user).get(_translate_url(root)).content.decode()
    assert "The root of the page tree is not translated." in html


def test_confirming_without_a_language_asks_for_one(login, paris, memory_backend):
    draft = french_draft()
    response = login(paris).post(_translate_url(draft), {"action": "translate"})
    assert response.status_code == 200
    assert "Choose at least one language." in response.content.decode()
    assert not TranslationJob.objects.exists()


def test_every_view_renders_in_japanese(client, paris, translated):
    """The admin's default language, for an editor who never chose one."""
    _failed_job(translated.source_page)
    client.force_login(paris)
    for url in [
        "/admin/",
        reverse("translation_review"),
        reverse("translation_jobs"),
        reverse("translation_usage"),
        _translate_url(french_draft()),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="ja"' in response.content.decode()
