"""The glossary: terms editors keep in the CMS, synced to the service.

(Stub: the glossary's services are being written; the translation service
relies only on ``glossary_for``.)
"""

from dataclasses import dataclass

from .models import GlossaryState


@dataclass(frozen=True)
class GlossaryUse:
    """What a translation from one language uses: the service's glossary id
    ('' for none) and our version of that language's terms (0 for none)."""

    remote_id: str
    version: int


def glossary_state() -> GlossaryState:
    state, _created = GlossaryState.objects.get_or_create(pk=1)
    return state


def glossary_for(*, source_language: str, target_language: str) -> GlossaryUse:
    state = glossary_state()
    if (
        not state.remote_id
        or state.synced_version is None
        or [source_language, target_language] not in state.remote_languages
    ):
        return GlossaryUse(remote_id="", version=0)
    version = int(state.language_versions.get(source_language, 0))
    if version > state.synced_version:
        # Changed since the last sync: the service holds an older list.
        return GlossaryUse(remote_id="", version=0)
    return GlossaryUse(remote_id=state.remote_id, version=version)


def glossary_term_changed(*, source_language: str) -> None:
    """A term was added, changed or removed: a new version (stub)."""


def glossary_sync() -> str:
    """Send the glossary to the service when it changed (stub)."""
    return "glossary sync not written yet"
