"""The glossary: terms editors keep in the CMS, synced to the service.

Every change of a term raises ``GlossaryState.version`` and records it as the
version of the term's language; the translation memory is keyed by that
language version (``glossary_for``), so a change to the French terms leaves
English translations valid. The service holds one copy, replaced as a whole
by ``glossary_sync``: a task rung on commit, and rung again by the scheduler's
sweep while ``glossary_sync_due()``. Until the service has a language's newest
terms, ``glossary_for`` gives that language no glossary rather than an old one.
"""

import logging
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.html import strip_tags

from cms.scheduler import lease_acquire, lease_release

from .backends import (
    ConfigurationError,
    GlossaryDictionary,
    QuotaExceeded,
    TranslationBackend,
    TranslationError,
    backend_get,
)
from .models import GlossaryState, GlossaryTerm
from .tasks import glossary_sync as glossary_sync_task

logger = logging.getLogger(__name__)

# The glossary puts terms into Japanese; the CSV's "ja_term" column says so.
TARGET_LANGUAGE = "ja"
# The seed in the shared folder beside the project (as bench/corpus.py finds
# ../shared/corpus).

# Codes people write for our locales.

SYNC_LEASE = "glossary_sync"
# Back-off of a failed sync: 1, 2, 4 … minutes, at most an hour.
SYNC_RETRY_SECONDS = 60
SYNC_RETRY_MAX_SECONDS = 3600
# Longer than a DeepL call with its retries, so one sync runs at a time.
SYNC_LEASE_SECONDS = 600


@dataclass(frozen=True)
class GlossaryUse:
    """What a translation from one language uses: the service's glossary id
    ('' for none) and our version of that language's terms (0 for none).
    ``wanted``: the language has terms, so a translation without them is
    marked and its strings with terms go again once the service has them."""

    remote_id: str
    version: int
    wanted: bool = field(default=False, compare=False)


def glossary_state() -> GlossaryState:
    state, _created = GlossaryState.objects.get_or_create(pk=1)
    return state


def glossary_for(*, source_language: str, target_language: str) -> GlossaryUse:
    state = glossary_state()
    wanted = (
        target_language == TARGET_LANGUAGE
        and GlossaryTerm.objects.filter(source_language=source_language).exists()
    )
    if (
        not state.remote_id
        or state.synced_version is None
        or [source_language, target_language] not in state.remote_languages
    ):
        return GlossaryUse(remote_id="", version=0, wanted=wanted)
    version = int(state.language_versions.get(source_language, 0))
    if version > state.synced_version:
        # Changed since the last sync: the service holds an older list.
        return GlossaryUse(remote_id="", version=0, wanted=wanted)
    return GlossaryUse(remote_id=state.remote_id, version=version, wanted=wanted)


def glossary_recreate(*, lost_id: str) -> str:
    """The service answered that it does not know ``lost_id`` (DeepL: 404,
    some of its servers 400, "Glossary not found"): forget it and send the
    CMS's current terms at once, so the caller can retry with the new id."""
    GlossaryState.objects.filter(pk=1, remote_id=lost_id).update(
        remote_id="", synced_version=None, next_sync_at=None
    )
    return glossary_sync()


# -- versions -----------------------------------------------------------------

# Languages changed inside an import: raised once each when it ends, not once
# per row.
_batch: ContextVar[set[str] | None] = ContextVar("glossary_batch", default=None)


def glossary_term_changed(*, source_language: str) -> None:
    """A term was added, changed or removed: its language gets a new version."""
    batch = _batch.get()
    if batch is not None:
        batch.add(source_language)
        return
    _versions_raise(languages=[source_language])


@contextmanager
def versions_batch() -> Iterator[set[str]]:
    touched: set[str] = set()
    token = _batch.set(touched)
    try:
        yield touched
    finally:
        _batch.reset(token)
    _versions_raise(languages=touched)


def _versions_raise(*, languages: Iterable[str]) -> None:
    languages = sorted(set(languages))
    if not languages:
        return
    glossary_state()
    with transaction.atomic():
        # The UPDATE comes first: it takes the write lock (PostgreSQL: the
        # row; SQLite: the database) before anything is read, so a second
        # process waits, then reads the version this one raised.
        GlossaryState.objects.filter(pk=1).update(version=F("version") + len(languages))
        state = GlossaryState.objects.select_for_update().get(pk=1)
        first = state.version - len(languages) + 1
        for offset, language in enumerate(languages):
            state.language_versions[language] = first + offset
        state.save(update_fields=["language_versions"])
    transaction.on_commit(_sync_enqueue)


def _sync_enqueue() -> None:
    try:
        glossary_sync_task.enqueue()
    except Exception:
        # Only a doorbell: the scheduler's sweep rings again.
        logger.exception("Could not enqueue the glossary sync")


# -- sync ---------------------------------------------------------------------


def glossary_sync_due() -> bool:
    """For the scheduler's sweep: the service lacks the newest terms."""
    if not backend_get().translates:
        return False
    from .models import ServiceStatus

    if ServiceStatus.objects.filter(state=ServiceStatus.State.CONFIG).exists():
        # A wrong key: the sweep's check of the service comes first, instead
        # of a failing sync every minute. (A spent character quota does not
        # stop glossaries: they cost no characters.)
        return False
    state = glossary_state()
    if state.next_sync_at and state.next_sync_at > timezone.now():
        return False  # backing off after a failed sync
    if state.synced_version is None:
        return GlossaryTerm.objects.exists()
    return state.version > state.synced_version


def glossary_sync_if_due() -> str | None:
    """For set-ups: the seed goes to the service before the first drafts ask
    for translations, instead of a minute later with the sweep (their
    translations would go out without it). Outside any transaction."""
    return glossary_sync() if glossary_sync_due() else None


def glossary_sync() -> str:
    """Send the glossary to the service if it changed since the last sync.

    Never raises: the service's errors (5xx, timeouts, 403, in the first call
    of a fresh worker too) are stored in plain words on the glossary state,
    with the time of the next try, and the sweep tries again with back-off.
    The network calls are made outside any transaction.
    """
    state = glossary_state()
    if state.remote_id and state.synced_version == state.version:
        return f"glossary version {state.version} is already with the service"
    backend = backend_get()
    if not backend.translates:
        return "machine translation is off: the glossary is not sent"
    holder = get_random_string(16)
    if not lease_acquire(name=SYNC_LEASE, holder=holder, seconds=SYNC_LEASE_SECONDS):
        return "another glossary sync is running; the sweep will check again"
    try:
        return _sync(backend)
    finally:
        lease_release(name=SYNC_LEASE, holder=holder)


def _sync(backend: TranslationBackend) -> str:
    state = glossary_state()
    languages = set(
        GlossaryTerm.objects.order_by()
        .values_list("source_language", flat=True)
        .distinct()
    )
    if unversioned := languages - set(state.language_versions):
        # Terms written without a signal (bulk writes, SQL): version 0 would
        # file their translations with those made without a glossary.
        _versions_raise(languages=unversioned)
        state = glossary_state()
    # Read before the terms: a change after this raises the version past it,
    # and the next sweep sends again.
    version = state.version
    if state.remote_id and state.synced_version == version:
        return f"glossary version {version} is already with the service"
    try:
        supported = backend.glossary_languages()
    except Exception as exc:
        return _sync_failed(exc, version)
    entries, left_out = _entries(supported)
    previous_id = state.remote_id
    remote_id = ""
    if entries:
        dictionaries = [
            GlossaryDictionary(
                source_language=language,
                target_language=TARGET_LANGUAGE,
                entries=terms,
            )
            for language, terms in sorted(entries.items())
        ]
        try:
            remote_id = backend.glossary_replace(
                name=f"{settings.WAGTAIL_SITE_NAME} glossary v{version}",
                dictionaries=dictionaries,
                previous_id=previous_id,
            )
        except Exception as exc:
            return _sync_failed(exc, version)
    elif previous_id:
        # The backend interface cannot delete; the service's copy goes unused.
        logger.warning(
            "No glossary terms left; glossary %s is no longer used", previous_id
        )
    stored = GlossaryState.objects.filter(pk=1, remote_id=previous_id).update(
        remote_id=remote_id,
        remote_languages=[[language, TARGET_LANGUAGE] for language in sorted(entries)],
        synced_version=version,
        synced_at=timezone.now(),
        last_error="",
        failed_at=None,
        sync_attempts=0,
        next_sync_at=None,
    )
    if not stored:
        logger.warning(
            "Another sync stored its glossary first; %s is unused", remote_id
        )
        return f"glossary version {version} superseded by another sync"
    message = (
        f"glossary version {version} sent: "
        f"{sum(len(terms) for terms in entries.values())} terms in "
        f"{len(entries)} languages"
    )
    if left_out:
        message += f"; the service takes no glossary from {', '.join(sorted(left_out))}"
    if again := glossary_retranslate_without(languages=sorted(entries)):
        message += f"; {again} translations made without it go again"
    return message


def _entries(
    supported: set[tuple[str, str]],
) -> tuple[dict[str, dict[str, str]], set[str]]:
    """The terms per source language the service can take, and the languages
    it cannot."""
    entries: dict[str, dict[str, str]] = {}
    left_out: set[str] = set()
    for term in GlossaryTerm.objects.order_by("source_language", "source_term"):
        japanese = term.japanese
        if (term.source_language, TARGET_LANGUAGE) not in supported:
            left_out.add(term.source_language)
        elif japanese and not text_has_control_characters(term.source_term + japanese):
            # An empty or malformed entry would make the service refuse the
            # whole glossary.
            entries.setdefault(term.source_language, {})[term.source_term] = japanese
        else:
            logger.warning(
                "Glossary term left out of the sync: %r",
                term.source_term,
                extra={"term_id": term.pk},
            )
    return entries, left_out


def _sync_failed(exc: Exception, version: int) -> str:
    """Record a failed sync on the glossary state: the reason in plain
    words, and the next try after a back-off (1, 2, 4 … minutes, at most
    an hour)."""
    if isinstance(exc, TranslationError):
        error = _error_in_plain_words(exc)
    else:
        logger.exception("Glossary sync failed unexpectedly")
        error = (
            f"Unexpected error ({type(exc).__name__}); the details are in the "
            "server's log."
        )
    logger.warning(
        "Glossary sync failed: %s", error, extra={"glossary_version": version}
    )
    state = glossary_state()
    attempts = state.sync_attempts + 1
    wait = min(SYNC_RETRY_SECONDS * 2 ** (attempts - 1), SYNC_RETRY_MAX_SECONDS)
    now = timezone.now()
    GlossaryState.objects.filter(pk=1).update(
        last_error=error,
        failed_at=now,
        sync_attempts=attempts,
        next_sync_at=now + timedelta(seconds=wait),
    )
    return f"glossary version {version} not sent: {error}"


def glossary_retranslate_without(*, languages: list[str]) -> int:
    """The service now has these languages' current terms: articles
    translated without them are asked for again, and only their strings that
    contain a term go to the service (the others keep their translation;
    what an editor changed is never touched)."""
    from wagtail_localize.models import StringSegment, StringTranslation, Translation

    from .models import TranslationJob
    from .services import translation_request

    jobs = TranslationJob.objects.filter(
        without_glossary=True,
        state=TranslationJob.State.DONE,
        source_page__locale__language_code__in=languages,
        target_locale__language_code=TARGET_LANGUAGE,
    ).select_related("source_page", "source_page__locale", "target_locale")
    asked = 0
    for job in jobs:
        page = job.source_page
        terms = list(
            GlossaryTerm.objects.filter(
                source_language=page.locale.language_code
            ).values_list("source_term", flat=True)
        )
        translation = Translation.objects.filter(
            source__object_id=page.translation_key,
            source__locale_id=page.locale_id,
            target_locale=job.target_locale,
        ).first()
        with transaction.atomic():
            TranslationJob.objects.filter(pk=job.pk).update(without_glossary=False)
            if translation is None:
                continue
            strings = {
                segment.string_id
                for segment in StringSegment.objects.filter(
                    source=translation.source
                ).select_related("string")
                if any(term in strip_tags(segment.string.data) for term in terms)
            }
            if not strings:
                continue
            StringTranslation.objects.filter(
                translation_of_id__in=strings,
                locale_id=job.target_locale_id,
                translation_type=StringTranslation.TRANSLATION_TYPE_MACHINE,
            ).delete()
            translation_request(
                page=page,
                locales=[job.target_locale],
                user=job.requested_by,
                reason="the glossary is now with the service",
            )
            asked += 1
    return asked


def _error_in_plain_words(exc: TranslationError) -> str:
    if isinstance(exc, QuotaExceeded):
        return f"The translation service's quota is used up ({exc})."
    if isinstance(exc, ConfigurationError):
        return (
            "The translation service refused the request; check the key and "
            f"the account ({exc})."
        )
    return f"The translation service did not take the glossary ({exc})."


def text_has_control_characters(text: str) -> bool:
    """Line breaks, tabs and other control characters, which the service's
    glossary format cannot hold."""
    return any(
        unicodedata.category(char) == "Cc" or char in "\u2028\u2029" for char in text
    )
