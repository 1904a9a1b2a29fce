"""The glossary: versions, sync with the service's in-memory twin, CSV import
and export, the seed, and the admin."""

import codecs
import csv
import io
import threading

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.newsroom.setup import newsroom_setup
from cms.scheduler import lease_acquire
from translation.backends import ConfigurationError, QuotaExceeded, TranslationError
from translation.glossary import (
    GlossaryUse,
    glossary_for,
    glossary_state,
    glossary_sync,
    glossary_sync_due,
    glossary_term_changed,
)
from translation.glossary_csv import (
    MAX_ROWS,
    GlossaryFileError,
    glossary_csv_decode,
    glossary_export_csv,
    glossary_import_csv,
    glossary_seed_load,
    seed_path,
)
from translation.models import GlossarySnapshot, GlossaryState, GlossaryTerm

HEADER = "source_lang,source_term,ja_term,note"
LIST_URL = "wagtailsnippets_translation_glossaryterm:list"
IMPORT_URL = "translation_glossary_import"
EXPORT_URL = "translation_glossary_export"


@pytest.fixture
def glossary(db) -> GlossaryState:
    """An empty glossary, never changed and never synced (the session's
    database holds the seed)."""
    GlossaryTerm.objects.all().delete()
    GlossaryState.objects.all().delete()
    return glossary_state()


def _term(language: str, source: str, target: str = "", **fields) -> GlossaryTerm:
    return GlossaryTerm.objects.create(
        source_language=language, source_term=source, target_term=target, **fields
    )


def _state() -> GlossaryState:
    return GlossaryState.objects.get(pk=1)


def _csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def _terms() -> dict[tuple[str, str], tuple[str, bool, str]]:
    return {
        (t.source_language, t.source_term): (t.target_term, t.do_not_translate, t.note)
        for t in GlossaryTerm.objects.all()
    }


# -- versions -----------------------------------------------------------------


def test_a_new_term_raises_the_version_and_records_it_for_its_language(glossary):
    _term("fr", "mairie", "市役所")
    state = _state()
    assert state.version == 1
    assert state.language_versions == {"fr": 1}


def test_a_change_in_one_language_leaves_the_others_version(glossary):
    mairie = _term("fr", "mairie", "市役所")
    _term("en", "city hall", "市役所")
    mairie.target_term = "役所"
    mairie.save()
    assert _state().language_versions == {"fr": 3, "en": 2}


def test_deleting_a_term_raises_its_languages_version(glossary):
    _term("ko", "시청", "市役所").delete()
    state = _state()
    assert state.version == 2
    assert state.language_versions == {"ko": 2}


def test_a_change_asks_for_a_sync_once_it_commits(
    glossary, memory_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _term("fr", "mairie", "市役所")
    assert len(callbacks) == 1
    (remote_id,) = memory_backend.state.glossaries
    assert glossary_for(source_language="fr", target_language="ja") == GlossaryUse(
        remote_id=remote_id, version=1
    )


@pytest.mark.django_db(transaction=True)
def test_two_processes_raising_at_once_lose_no_raise():
    """Threads with their own connections to the SQLite file (or PostgreSQL)."""
    GlossaryState.objects.all().delete()
    glossary_state()
    rounds = 15
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def raise_many(language: str) -> None:
        try:
            start.wait()
            for _ in range(rounds):
                glossary_term_changed(source_language=language)
        except BaseException as exc:  # reported by the test below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_many, args=(lang,)) for lang in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not failures
    state = _state()
    assert state.version == 2 * rounds
    assert set(state.language_versions) == {"a", "b"}
    assert max(state.language_versions.values()) == 2 * rounds
    assert state.language_versions["a"] != state.language_versions["b"]


# -- sync ---------------------------------------------------------------------


def test_sync_sends_one_dictionary_per_language(glossary, memory_backend):
    _term("fr", "mairie", "市役所")
    _term("fr", "jumelage", "姉妹都市提携")
    _term("en", "city hall", "市役所")

    message = glossary_sync()

    (remote_id,) = memory_backend.state.glossaries
    dictionaries = memory_backend.state.glossaries[remote_id]
    assert [(d.source_language, d.target_language) for d in dictionaries] == [
        ("en", "ja"),
        ("fr", "ja"),
    ]
    assert dictionaries[1].entries == {"jumelage": "姉妹都市提携", "mairie": "市役所"}
    state = _state()
    assert state.remote_id == remote_id
    assert state.remote_languages == [["en", "ja"], ["fr", "ja"]]
    assert state.synced_version == state.version == 3
    assert state.synced_at is not None
    assert "3 terms in 2 languages" in message


def test_do_not_translate_terms_map_to_themselves(glossary, memory_backend):
    _term("en", "CLAIR", do_not_translate=True)
    _term("en", "Tsunagu", "ignored", do_not_translate=True)
    glossary_sync()
    (dictionaries,) = memory_backend.state.glossaries.values()
    assert dictionaries[0].entries == {"CLAIR": "CLAIR", "Tsunagu": "Tsunagu"}


def test_a_term_without_japanese_is_left_out_rather_than_break_the_glossary(
    glossary, memory_backend
):
    _term("en", "mayor", "市長")
    _term("en", "half done", "")
    glossary_sync()
    (dictionaries,) = memory_backend.state.glossaries.values()
    assert dictionaries[0].entries == {"mayor": "市長"}


def test_the_next_sync_replaces_the_previous_glossary(glossary, memory_backend):
    _term("fr", "mairie", "市役所")
    glossary_sync()
    first = _state().remote_id
    _term("fr", "conseil municipal", "市議会")
    glossary_sync()
    second = _state().remote_id
    assert second != first
    assert list(memory_backend.state.glossaries) == [second]
    assert _state().synced_version == 2


def test_sync_does_nothing_when_the_service_is_up_to_date(glossary, memory_backend):
    _term("fr", "mairie", "市役所")
    glossary_sync()
    message = glossary_sync()
    assert "already" in message
    assert len(memory_backend.state.glossaries) == 1


def test_sync_does_nothing_without_machine_translation(glossary, settings):
    settings.TSUNAGU_TRANSLATION = {"BACKEND": "none"}
    _term("fr", "mairie", "市役所")
    assert glossary_sync() == "machine translation is off: the glossary is not sent"
    assert _state().synced_version is None
    assert not glossary_sync_due()


def test_languages_the_service_cannot_take_are_left_out(
    glossary, memory_backend, monkeypatch
):
    monkeypatch.setattr(memory_backend, "glossary_languages", lambda: {("fr", "ja")})
    _term("fr", "mairie", "市役所")
    _term("ko", "시청", "市役所")
    message = glossary_sync()
    assert _state().remote_languages == [["fr", "ja"]]
    assert "no glossary from ko" in message
    assert glossary_for(source_language="ko", target_language="ja") == GlossaryUse(
        "", 0
    )


def test_a_failed_sync_is_recorded_in_plain_words_and_tried_again(
    glossary, memory_backend
):
    _term("fr", "mairie", "市役所")
    memory_backend.fail_next(TranslationError("503 Service Unavailable"))

    message = glossary_sync()

    state = _state()
    assert "not sent" in message
    assert state.last_error == (
        "The translation service did not take the glossary (503 Service Unavailable)."
    )
    assert state.synced_version is None and state.remote_id == ""
    # Tried again after a back-off, not at the next minute's sweep.
    assert state.next_sync_at > timezone.now()
    assert not glossary_sync_due()
    GlossaryState.objects.update(next_sync_at=timezone.now())
    assert glossary_sync_due()

    glossary_sync()
    state = _state()
    assert state.last_error == ""
    assert state.synced_version == 1
    assert not glossary_sync_due()


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (QuotaExceeded("456"), "quota is used up"),
        (ConfigurationError("403 Forbidden"), "check the key"),
    ],
)
def test_quota_and_key_errors_say_what_to_do(glossary, memory_backend, error, words):
    _term("fr", "mairie", "市役所")
    memory_backend.fail_next(error)
    glossary_sync()
    assert words in _state().last_error


def test_a_change_while_sending_is_synced_by_the_next_sweep(
    glossary, memory_backend, monkeypatch
):
    _term("fr", "mairie", "市役所")
    send = memory_backend.glossary_replace

    def send_while_an_editor_saves(**kwargs):
        _term("fr", "jumelage", "姉妹都市提携")
        return send(**kwargs)

    monkeypatch.setattr(memory_backend, "glossary_replace", send_while_an_editor_saves)
    glossary_sync()
    monkeypatch.undo()

    state = _state()
    assert (state.synced_version, state.version) == (1, 2)
    # The service lacks the newest French terms: no glossary for French yet.
    assert glossary_for(source_language="fr", target_language="ja") == GlossaryUse(
        "", 0, wanted=True
    )
    assert glossary_sync_due()
    glossary_sync()
    (dictionaries,) = memory_backend.state.glossaries.values()
    assert set(dictionaries[0].entries) == {"mairie", "jumelage"}


def test_only_one_sync_runs_at_a_time(glossary, memory_backend):
    _term("fr", "mairie", "市役所")
    assert lease_acquire(name="glossary_sync", holder="another worker", seconds=60)
    assert "another glossary sync is running" in glossary_sync()
    assert memory_backend.state.glossaries == {}


def test_an_emptied_glossary_is_synced_without_calling_the_service(
    glossary, memory_backend
):
    _term("fr", "mairie", "市役所").delete()
    glossary_sync()
    state = _state()
    assert state.synced_version == 2
    assert state.remote_id == ""
    assert memory_backend.state.glossaries == {}
    assert not glossary_sync_due()


def test_sync_is_due_when_never_synced_or_changed_since(glossary, memory_backend):
    assert not glossary_sync_due()
    _term("fr", "mairie", "市役所")
    assert glossary_sync_due()
    glossary_sync()
    assert not glossary_sync_due()
    _term("en", "mayor", "市長")
    assert glossary_sync_due()


def test_terms_never_versioned_are_due_too(glossary, memory_backend):
    GlossaryTerm.objects.bulk_create(
        [GlossaryTerm(source_language="en", source_term="x", target_term="エックス")]
    )
    assert _state().version == 0
    assert glossary_sync_due()
    glossary_sync()
    state = _state()
    assert state.remote_languages == [["en", "ja"]]
    # A version of its own, never 0 (which means "no glossary").
    assert glossary_for(source_language="en", target_language="ja") == GlossaryUse(
        state.remote_id, 1
    )


# -- what the translation service uses ------------------------------------------


def test_glossary_for_before_sync_after_sync_and_after_a_change(
    glossary, memory_backend
):
    _term("fr", "mairie", "市役所")
    _term("en", "city hall", "市役所")
    nothing = GlossaryUse(remote_id="", version=0)
    assert glossary_for(source_language="fr", target_language="ja") == nothing

    glossary_sync()
    remote_id = _state().remote_id
    assert glossary_for(source_language="fr", target_language="ja") == GlossaryUse(
        remote_id, 1
    )
    assert glossary_for(source_language="en", target_language="ja") == GlossaryUse(
        remote_id, 2
    )
    assert glossary_for(source_language="de", target_language="ja") == nothing
    assert glossary_for(source_language="fr", target_language="en") == nothing

    _term("fr", "jumelage", "姉妹都市提携")
    # French changed: none until the service has it; English still holds.
    assert glossary_for(source_language="fr", target_language="ja") == nothing
    assert glossary_for(source_language="en", target_language="ja") == GlossaryUse(
        remote_id, 2
    )
    glossary_sync()
    assert glossary_for(source_language="fr", target_language="ja") == GlossaryUse(
        _state().remote_id, 3
    )


def test_the_service_translates_with_the_synced_glossary(glossary, memory_backend):
    _term("fr", "mairie", "市役所")
    glossary_sync()
    use = glossary_for(source_language="fr", target_language="ja")
    (result,) = memory_backend.translate(
        ["La mairie ouvre."],
        source_language="fr",
        target_language="ja",
        glossary_id=use.remote_id,
    )
    assert result.text == "[ja] La 市役所 ouvre."


# -- CSV import ---------------------------------------------------------------


def test_import_creates_terms_and_raises_the_version_once_per_language(glossary):
    report = glossary_import_csv(
        text=_csv(
            HEADER,
            "en,CLAIR,クレア,short name",
            "en,sister city,姉妹都市,",
            "en,city hall,市役所,",
            "fr,mairie,市役所,",
            "fr,jumelage,姉妹都市提携,",
        )
    )
    assert report.ok, report.errors
    assert (report.created, report.updated, report.removed) == (5, 0, 0)
    assert _terms()[("en", "CLAIR")] == ("クレア", False, "short name")
    state = _state()
    assert state.version == 2
    assert state.language_versions == {"en": 1, "fr": 2}


def test_import_updates_changed_terms_and_leaves_the_rest(glossary):
    _term("en", "CLAIR", "クレア", note="kept")
    _term("en", "mayor", "市長")
    _term("fr", "mairie", "市役所")
    version = _state().version

    report = glossary_import_csv(
        text=_csv(
            "source_lang,source_term,ja_term",
            "en,CLAIR,自治体国際化協会",
            "en,mayor,市長",
            "ko,시청,市役所",
        )
    )

    assert (report.created, report.updated, report.unchanged, report.removed) == (
        1,
        1,
        1,
        0,
    )
    terms = _terms()
    # No note column: the note stays.
    assert terms[("en", "CLAIR")] == ("自治体国際化協会", False, "kept")
    assert ("fr", "mairie") in terms
    state = _state()
    assert state.version == version + 2
    assert state.language_versions["fr"] <= version


def test_importing_the_same_file_again_changes_nothing(glossary):
    text = _csv(HEADER, "en,CLAIR,クレア,", "fr,mairie,市役所,")
    glossary_import_csv(text=text)
    version = _state().version
    report = glossary_import_csv(text=text)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert _state().version == version


def test_replace_deletes_the_terms_not_in_the_file(glossary):
    _term("en", "CLAIR", "クレア")
    _term("fr", "mairie", "市役所")
    _term("ko", "시청", "市役所")
    report = glossary_import_csv(text=_csv(HEADER, "en,CLAIR,クレア,"), replace=True)
    assert (report.unchanged, report.removed) == (1, 2)
    assert list(_terms()) == [("en", "CLAIR")]
    # One raise each for French and Korean, none for English.
    state = _state()
    assert state.version == 5
    assert state.language_versions["en"] == 1
    assert {state.language_versions["fr"], state.language_versions["ko"]} == {4, 5}


def test_export_and_import_round_trip(glossary):
    _term("en", "CLAIR", do_not_translate=True, note='the "short" name, with comma')
    _term("fr", "mairie", "市役所", note="two\nlines")
    _term("zh-hans", "北京市", "北京市")
    before = _terms()

    exported = glossary_export_csv()
    assert exported.splitlines()[0] == (
        "source_lang,source_term,ja_term,note,do_not_translate"
    )
    GlossaryTerm.objects.all().delete()
    report = glossary_import_csv(text=exported)

    assert report.ok, report.errors
    assert report.created == 3
    assert _terms() == before
    assert glossary_import_csv(text=glossary_export_csv()).unchanged == 3


def test_import_accepts_what_excel_writes(glossary):
    """A BOM, CRLF line ends, quoted values, TRUE, codes in capitals, zh for
    Simplified Chinese, a trailing row of empty cells."""
    text = (
        "\ufeffsource_lang,source_term,ja_term,note,do_not_translate\r\n"
        'EN,"Coordinator, International Relations",国際交流員,"a ""CIR""",FALSE\r\n'
        "zh,北京市,,keep,TRUE\r\n"
        "en-GB,council,議会,,\r\n"
        ",,,,\r\n"
    )
    report = glossary_import_csv(text=text)
    assert report.ok, report.errors
    assert _terms() == {
        ("en", "Coordinator, International Relations"): (
            "国際交流員",
            False,
            'a "CIR"',
        ),
        ("zh-hans", "北京市"): ("", True, "keep"),
        ("en", "council"): ("議会", False, ""),
    }


def test_import_reads_semicolons_as_french_excel_writes_them(glossary):
    report = glossary_import_csv(
        text=_csv("source_lang;source_term;ja_term;note", "fr;mairie;市役所;")
    )
    assert report.ok, report.errors
    assert ("fr", "mairie") in _terms()


def test_line_numbers_count_lines_of_values_that_span_lines(glossary):
    report = glossary_import_csv(
        text=_csv(HEADER, 'en,mayor,市長,"a note', 'on two lines"', "xx,bad,悪い,")
    )
    assert report.errors == [
        "4行目: 「xx」は用語集の翻訳元の言語ではありません。"
        "en, fr, de, es, it, ko, zh-hans のいずれかを指定してください。"
    ]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            _csv("en,CLAIR,クレア,", "fr,mairie,市役所,"),
            "1行目には列名（source_lang, source_term, ja_term, note、"
            "do_not_translate は任意）が必要ですが、用語が入っています。",
        ),
        (
            _csv("source_lang,source_term,note", "en,CLAIR,"),
            "1行目: 列 ja_term がありません。列は source_lang, source_term, "
            "ja_term, note, do_not_translate です。",
        ),
        (
            _csv("source_lang,source_term,japanese,note", "en,CLAIR,クレア,"),
            "1行目: 列 ja_term がありません。",
        ),
        (
            _csv("source_lang,source_term,ja_term,ja_term", "en,CLAIR,クレア,クレア"),
            "1行目: 列 ja_term が重複しています。",
        ),
        (
            _csv(HEADER, "xx,CLAIR,クレア,"),
            "2行目: 「xx」は用語集の翻訳元の言語ではありません",
        ),
        (
            _csv(HEADER, "ja,クレア,クレア,"),
            "2行目: 「ja」は用語集の翻訳元の言語ではありません",
        ),
        (
            _csv(HEADER, "zh-tw,北京市,北京市,"),
            "2行目: 「zh-tw」は用語集の翻訳元の言語ではありません",
        ),
        (
            _csv(HEADER, ",CLAIR,クレア,"),
            "2行目: 「」は用語集の翻訳元の言語ではありません",
        ),
        (_csv(HEADER, "en,,クレア,"), "2行目: source_term が空です。"),
        (
            _csv(HEADER, "en,CLAIR,,"),
            "2行目: ja_term が空です。入力するか、"
            "用語をそのまま残す場合は do_not_translate",
        ),
        (
            _csv(HEADER, f"en,{'x' * 256},クレア,"),
            "2行目: source_term が255文字を超えています。",
        ),
        (
            _csv(HEADER, f"en,CLAIR,{'ク' * 256},"),
            "2行目: ja_term が255文字を超えています。",
        ),
        (
            _csv(HEADER, "en,CLAIR,クレア,", "en,mayor,市長,", "en,CLAIR,クレア2,"),
            "4行目: 「CLAIR」（en）は2行目にもあります。",
        ),
        (
            _csv(HEADER, "en,CLAIR,クレア,,extra"),
            "2行目: 値の数が列の数より多くなっています",
        ),
        (
            _csv(HEADER, "en,CL\tAIR,クレア,"),
            "2行目: source_term に改行、タブなどの制御文字",
        ),
        (
            _csv(HEADER + ",do_not_translate", "en,CLAIR,クレア,,maybe"),
            "2行目: do_not_translate は yes か no（または空欄）にしてください"
            "（「maybe」になっています）。",
        ),
        ("", "ファイルが空です。"),
        ("\ufeff\r\n", "ファイルが空です。"),
        ("source_lang,source_term\x00", "ファイルがテキストファイルではありません。"),
    ],
)
def test_bad_input_is_refused_with_the_line_and_nothing_imported(glossary, text, error):
    report = glossary_import_csv(text=text)
    assert not report.ok
    assert any(message.startswith(error) for message in report.errors), report.errors
    assert not GlossaryTerm.objects.exists()
    assert _state().version == 0


def test_every_bad_line_is_reported_and_the_good_ones_wait(glossary):
    report = glossary_import_csv(
        text=_csv(
            HEADER, "en,CLAIR,クレア,", "xx,bad,悪い,", "en,mayor,市長,", "en,,x,"
        )
    )
    assert [error.split(":")[0] for error in report.errors] == ["3行目", "5行目"]
    assert (report.created, report.updated) == (0, 0)
    assert not GlossaryTerm.objects.exists()


def test_an_empty_ja_term_of_an_existing_do_not_translate_term_is_fine(glossary):
    _term("en", "CLAIR", do_not_translate=True)
    report = glossary_import_csv(text=_csv(HEADER, "en,CLAIR,,new note"))
    assert report.ok, report.errors
    assert _terms()[("en", "CLAIR")] == ("", True, "new note")


def test_too_many_rows_are_refused(glossary):
    rows = [f"en,term {n},用語{n}," for n in range(MAX_ROWS + 1)]
    report = glossary_import_csv(text=_csv(HEADER, *rows))
    assert report.errors == [
        f"ファイルの用語が{MAX_ROWS}件を超えています。分割してください。"
    ]
    assert not GlossaryTerm.objects.exists()


def test_a_huge_text_is_refused_before_it_is_read(glossary):
    report = glossary_import_csv(text=HEADER + "\n" + "x" * (3 * 1024 * 1024))
    assert report.errors[0].startswith("ファイルのサイズ（3.0")
    assert "上限の2.0" in report.errors[0]


def test_a_value_bigger_than_the_csv_reader_takes_is_an_error_not_a_crash(glossary):
    report = glossary_import_csv(text=_csv(HEADER, 'en,CLAIR,クレア,"' + "x" * 200_000))
    assert report.errors
    assert "2行目をCSVとして読み取れません" in report.errors[0]


# -- decoding uploads ---------------------------------------------------------


def test_utf8_with_and_without_a_bom_is_read():
    text = _csv(HEADER, "en,CLAIR,クレア,")
    assert glossary_csv_decode(data=text.encode()) == text
    assert glossary_csv_decode(data=codecs.BOM_UTF8 + text.encode()) == text


def test_utf16_as_excel_unicode_text_saves_it_is_read(glossary):
    text = "source_lang\tsource_term\tja_term\tnote\r\nen\tCLAIR\tクレア\t\r\n"
    decoded = glossary_csv_decode(data=text.encode("utf-16"))
    assert decoded == text
    assert glossary_import_csv(text=decoded).created == 1


def test_shift_jis_is_refused_with_what_to_do():
    data = _csv(HEADER, "en,CLAIR,クレア,").encode("shift_jis")
    with pytest.raises(GlossaryFileError) as caught:
        glossary_csv_decode(data=data)
    message = str(caught.value)
    assert "UTF-8のテキストではありません（2行目を読み取れません）" in message
    assert "Shift_JIS" in message
    assert "CSV UTF-8" in message


def test_latin1_is_refused():
    with pytest.raises(GlossaryFileError, match="UTF-8のテキストではありません"):
        glossary_csv_decode(
            data=_csv(HEADER, "fr,département,département,").encode("latin-1")
        )


def test_an_excel_workbook_is_refused_with_what_to_do():
    with pytest.raises(GlossaryFileError, match="CSVファイルではなくExcelブック"):
        glossary_csv_decode(data=b"PK\x03\x04" + b"\x00" * 100)


def test_a_huge_upload_is_refused_by_its_size():
    with pytest.raises(GlossaryFileError, match=r"ファイルのサイズ（10\.0"):
        glossary_csv_decode(data=b"x" * 100, size=10 * 1024 * 1024)


# -- the seed -----------------------------------------------------------------


def _seed_rows() -> list[dict[str, str]]:
    with seed_path().open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


@pytest.mark.django_db
def test_the_newsroom_set_up_loaded_the_seed():
    # The session's database was set up by load_demo (newsroom_setup).
    assert GlossaryTerm.objects.filter(source_language="en", source_term="CLAIR")


@pytest.mark.django_db
def test_newsroom_set_up_loaded_it_once_and_keeps_editors_changes():
    clair = GlossaryTerm.objects.get(source_language="en", source_term="CLAIR")
    clair.target_term = "クレア（自治体国際化協会）"
    clair.save()
    count = GlossaryTerm.objects.count()

    report = newsroom_setup()

    assert not [line for line in report.created if "glossary" in line]
    assert GlossaryTerm.objects.count() == count
    clair.refresh_from_db()
    assert clair.target_term == "クレア（自治体国際化協会）"


def test_the_seed_loads_into_an_empty_glossary_once(glossary):
    rows = _seed_rows()
    assert glossary_seed_load() == len(rows)
    assert GlossaryTerm.objects.count() == len(rows)
    languages = {row["source_lang"] for row in rows}
    assert set(_state().language_versions) == {
        "zh-hans" if code == "zh" else code for code in languages
    }
    assert _state().version == len(languages)

    assert glossary_seed_load() == 0
    # Even emptied by editors, the glossary is theirs: the seed stays out.
    GlossaryTerm.objects.all().delete()
    assert glossary_seed_load() == 0
    assert not GlossaryTerm.objects.exists()


def test_a_seed_with_zh_codes_lands_in_simplified_chinese(glossary, tmp_path):
    seed = tmp_path / "terms.csv"
    seed.write_text(_csv(HEADER, "zh,友好城市,友好都市,", "en,mayor,市長,"))
    assert glossary_seed_load(path=seed) == 2
    assert ("zh-hans", "友好城市") in _terms()


def test_a_missing_or_broken_seed_loads_nothing(glossary, tmp_path, caplog):
    assert glossary_seed_load(path=tmp_path / "missing.csv") == 0
    broken = tmp_path / "terms.csv"
    broken.write_text(_csv(HEADER, "xx,bad,悪い,"))
    assert glossary_seed_load(path=broken) == 0
    assert "was not loaded: 2行目" in caplog.text
    assert not GlossaryTerm.objects.exists()


# -- the admin ----------------------------------------------------------------


def _english(user) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()


@pytest.fixture
def admin(admin_client, admin_user):
    _english(admin_user)
    return admin_client


def _client_for(client, user):
    _english(user)
    client.force_login(user)
    return client


def _user_with(*codenames: str, name: str = "glossary-test"):
    group = Group.objects.create(name=f"group {name}")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="translation", codename__in=codenames
        ),
    )
    user = get_user_model().objects.create_user(username=name, password="pw")
    user.groups.add(group)
    return user


def _upload(text: str | bytes, **data):
    content = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile("glossary.csv", content, "text/csv"), **data}


def test_listing_shows_terms_columns_and_the_state(admin, glossary):
    _term("fr", "mairie", "市役所")
    _term("en", "CLAIR", do_not_translate=True)
    html = admin.get(reverse(LIST_URL)).content.decode()
    assert "mairie" in html and "市役所" in html
    for heading in ("Source language", "Source term", "Japanese", "Do not translate"):
        assert heading in html
    assert "Glossary version 2. Machine translation is off" in html
    assert reverse(EXPORT_URL) in html
    assert reverse(IMPORT_URL) in html
    # Language before the term.
    assert html.index("Source language") < html.index("Source term")


def test_listing_state_shows_the_sync_and_its_last_error(
    admin, glossary, memory_backend
):
    _term("fr", "mairie", "市役所")
    glossary_sync()
    html = admin.get(reverse(LIST_URL)).content.decode()
    assert "Glossary version 1; the translation service has version 1, sent" in html

    _term("fr", "jumelage", "姉妹都市提携")
    memory_backend.fail_next(QuotaExceeded("456"))
    glossary_sync()
    html = admin.get(reverse(LIST_URL)).content.decode()
    assert "Glossary version 2; the service has version 1." in html
    assert "Sync failed: The translation service&#x27;s quota" in html
    assert "Next try at" in html
    assert "not yet sent" not in html


def test_listing_filters_by_language_and_searches_terms(admin, glossary):
    _term("fr", "mairie", "市役所")
    _term("en", "mayor", "市長")
    url = reverse(LIST_URL)
    html = admin.get(url, {"source_language": "fr"}).content.decode()
    assert "mairie" in html and "mayor" not in html
    html = admin.get(url, {"q": "市長"}).content.decode()
    assert "mayor" in html and "mairie" not in html


def test_import_form_shows_errors_by_line_and_imports_nothing(admin, glossary):
    response = admin.post(
        reverse(IMPORT_URL),
        _upload(_csv(HEADER, "en,CLAIR,クレア,", "xx,bad,悪い,", "en,CLAIR,x,")),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "Line 3: “xx” is not a language" in html
    assert "Line 4: “CLAIR” (en) is already on line 2." in html
    assert not GlossaryTerm.objects.exists()


def test_import_form_refuses_shift_jis_plainly(admin, glossary):
    response = admin.post(
        reverse(IMPORT_URL),
        _upload(_csv(HEADER, "en,CLAIR,クレア,").encode("shift_jis")),
    )
    assert response.status_code == 200
    assert "probably saved as Shift_JIS" in response.content.decode()


def test_import_form_imports_and_says_how_many(admin, glossary):
    _term("en", "CLAIR", "クレア")
    _term("en", "old", "古い")
    response = admin.post(
        reverse(IMPORT_URL),
        _upload(
            _csv(HEADER, "en,CLAIR,自治体国際化協会,", "fr,mairie,市役所,"),
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse(LIST_URL)
    assert (
        "Glossary imported: 1 terms created, 1 updated, 0 removed, 0 unchanged."
        in response.content.decode()
    )
    # An import without "replace" deletes nothing.
    assert set(_terms()) == {("en", "CLAIR"), ("en", "old"), ("fr", "mairie")}


def test_import_form_renders(admin, glossary):
    html = admin.get(reverse(IMPORT_URL)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Replace one language&#x27;s terms" in html


def test_export_is_a_csv_download_of_the_terms(admin, glossary):
    _term("fr", "mairie", "市役所", note="hôtel de ville")
    response = admin.get(reverse(EXPORT_URL))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="glossary-')
    body = response.content.decode("utf-8")
    assert body.startswith(
        "\ufeffsource_lang,source_term,ja_term,note,do_not_translate"
    )
    assert "fr,mairie,市役所,hôtel de ville,no" in body
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows == [
        {
            "source_lang": "fr",
            "source_term": "mairie",
            "ja_term": "市役所",
            "note": "hôtel de ville",
            "do_not_translate": "no",
        }
    ]


def test_office_editors_and_hq_reviewers_keep_the_glossary(
    client, glossary, user_in_group
):
    for group in ("Office editors: par", "HQ reviewers"):
        user = user_in_group(group)
        _client_for(client, user)
        assert client.get(reverse(LIST_URL)).status_code == 200
        assert client.get(reverse(EXPORT_URL)).status_code == 200
        response = client.post(
            reverse(IMPORT_URL), _upload(_csv(HEADER, f"fr,{group},用語,"))
        )
        assert response.status_code == 302
    assert GlossaryTerm.objects.count() == 2


def test_without_glossary_permissions_import_and_export_are_refused(client, glossary):
    _client_for(client, _user_with(name="nobody"))
    for url in (reverse(IMPORT_URL), reverse(EXPORT_URL), reverse(LIST_URL)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("wagtailadmin_home")
    client.post(reverse(IMPORT_URL), _upload(_csv(HEADER, "en,CLAIR,クレア,")))
    assert not GlossaryTerm.objects.exists()


def test_viewers_export_but_do_not_import(client, glossary):
    _client_for(client, _user_with("view_glossaryterm", name="viewer"))
    html = client.get(reverse(LIST_URL)).content.decode()
    assert reverse(EXPORT_URL) in html
    assert reverse(IMPORT_URL) not in html
    assert client.get(reverse(EXPORT_URL)).status_code == 200
    assert client.get(reverse(IMPORT_URL)).status_code == 302


def test_editors_without_add_permission_cannot_import(client, glossary):
    _client_for(
        client, _user_with("view_glossaryterm", "change_glossaryterm", name="changer")
    )
    assert client.get(reverse(IMPORT_URL)).status_code == 302


def test_replacing_is_for_hq_glossary_managers_only(client, glossary, user_in_group):
    _term("en", "old", "古い")
    # An office editor may add, change and delete terms, not replace a list.
    _client_for(client, user_in_group("Office editors: par"))
    response = client.post(
        reverse(IMPORT_URL),
        _upload(_csv(HEADER, "en,CLAIR,クレア,"), replace="on", language="en"),
    )
    assert response.status_code == 200
    assert "Only HQ&#x27;s glossary managers" in response.content.decode()
    confirm = client.post(
        reverse("translation_glossary_replace"),
        {"language": "en", "text": _csv(HEADER, "en,CLAIR,クレア,")},
    )
    assert confirm.status_code in (302, 403)
    assert set(_terms()) == {("en", "old")}


def test_hq_replaces_one_language_after_a_diff_and_restores_it_in_one_click(
    client, glossary, user_in_group, memory_backend, django_capture_on_commit_callbacks
):
    _term("fr", "mairie", "市役所")
    _term("fr", "port", "港")
    _term("fr", "préfecture", "県庁")
    _term("en", "mayor", "市長")
    hq = _client_for(client, user_in_group("HQ reviewers"))
    text = _csv(HEADER, "fr,mairie,市役所,", "fr,port,港湾,", "fr,métropole,都市圏,")

    # Which language: required.
    response = hq.post(reverse(IMPORT_URL), _upload(text, replace="on"))
    assert "Choose the language" in response.content.decode()
    # Another language's line in the file: refused, nothing changes.
    response = hq.post(
        reverse(IMPORT_URL),
        _upload(text + "en,mayor,町長,\n", replace="on", language="fr"),
    )
    assert "replaces the fr terms only" in response.content.decode()

    # The preview: what is added, changed and removed; nothing applied yet.
    html = hq.post(
        reverse(IMPORT_URL), _upload(text, replace="on", language="fr")
    ).content.decode()
    assert 'data-diff="added"><td>added</td><td>métropole</td>' in html
    assert (
        'data-diff="changed"><td>changed</td><td>port</td><td>港</td><td>港湾' in html
    )
    assert 'data-diff="removed"><td>removed</td><td>préfecture</td>' in html
    assert GlossaryTerm.objects.filter(source_term="préfecture").exists()

    version = _state().version
    with django_capture_on_commit_callbacks(execute=True):
        hq.post(
            reverse("translation_glossary_replace"), {"language": "fr", "text": text}
        )
    assert set(_terms()) == {
        ("fr", "mairie"),
        ("fr", "port"),
        ("fr", "métropole"),
        ("en", "mayor"),  # another language is untouched
    }
    assert _state().version > version
    # Sent to the service at once (the sync task ran on commit).
    assert _state().synced_version == _state().version

    # One click puts the previous terms back, and sends them again.
    html = hq.get(reverse(LIST_URL)).content.decode()
    assert "Restore the fr terms" in html
    snapshot = GlossarySnapshot.objects.get(source_language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        hq.post(reverse("translation_glossary_restore", args=[snapshot.pk]))
    assert _terms()[("fr", "port")][0] == "港"
    assert set(_terms()) == {
        ("fr", "mairie"),
        ("fr", "port"),
        ("fr", "préfecture"),
        ("en", "mayor"),
    }
    assert _state().synced_version == _state().version
    (dictionary,) = [
        d
        for d in next(iter(memory_backend.state.glossaries.values()))
        if d.source_language == "fr"
    ]
    assert dictionary.entries["port"] == "港"


def test_the_glossary_sits_in_the_translation_menu(admin):
    html = admin.get(reverse("wagtailadmin_home")).content.decode()
    assert "Translation" in html
    assert reverse(LIST_URL) in html


def test_export_guards_against_spreadsheet_formulas_and_import_undoes_it(glossary):
    GlossaryTerm.objects.create(
        source_language="en", source_term="=HYPERLINK(1)", target_term="@ja"
    )
    exported = glossary_export_csv()
    assert "'=HYPERLINK(1)" in exported and "'@ja" in exported
    GlossaryTerm.objects.all().delete()
    report = glossary_import_csv(text=exported)
    assert report.ok, report.errors
    term = GlossaryTerm.objects.get()
    assert (term.source_term, term.target_term) == ("=HYPERLINK(1)", "@ja")


def test_the_seed_ships_in_the_repository_and_the_setting_names_it():
    # A plain clone needs nothing beside it: the default seed is in the repo,
    # with a note saying where it comes from.
    from cms.env import BASE_DIR

    assert seed_path().is_file()
    assert seed_path().is_relative_to(BASE_DIR)
    assert "Source:" in (seed_path().parent / "README.md").read_text()


def test_the_seed_setting_points_the_first_set_up_elsewhere(
    glossary, tmp_path, settings
):
    seed = tmp_path / "ours.csv"
    seed.write_text(_csv(HEADER, "en,prefectural office,県庁,"))
    settings.TSUNAGU_TRANSLATION = {
        **settings.TSUNAGU_TRANSLATION,
        "GLOSSARY_SEED_CSV": str(seed),
    }
    assert glossary_seed_load() == 1
    assert set(_terms()) == {("en", "prefectural office")}
