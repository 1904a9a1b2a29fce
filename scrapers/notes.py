"""Notes on an item: what was odd or went wrong on its way in.

Stored as a code and plain parameters (``{"code": ..., "params": {...}}``),
not as sentences, so the admin shows each note in the reader's language;
the parameters themselves (an error from a site, a date as the feed wrote
it) stay as they came.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .parsing import Note

MESSAGES: dict[str, Promise] = {
    # A note written before notes had codes.
    "text": _("%(text)s"),
    "fulltext_not_fetched": _(
        "The full text was not fetched (%(error)s); only the feed's text is there."
    ),
    "fulltext_status": _(
        "The full text was not fetched: the page answered %(status)s; only the "
        "feed's text is there."
    ),
    "fulltext_not_read": _(
        "The full text could not be read (%(error)s); only the feed's text is there."
    ),
    "fulltext_empty": _(
        "No main text was found on the article's page; only the feed's text is there."
    ),
    "fulltext_failed": _(
        "The full text could not be extracted (unexpected error %(error)s, "
        "details in the server's log); only the feed's text is there."
    ),
    "draft_failed": _("No draft could be made: %(error)s"),
    "language_no_tree": _(
        "The item is in %(language)s, which has no tree: the draft is in the "
        "%(tree)s tree."
    ),
    "language_unknown": _(
        "The item's language could not be detected and its source sets none: "
        "the draft is in the %(tree)s tree."
    ),
    "language_undetected": _(
        "The language could not be detected from the text, and the source sets none."
    ),
    "language_mismatch": _(
        "The text reads as %(detected)s, but the feed or source says %(declared)s."
    ),
    "date_unreadable": _(
        "The date “%(text)s” could not be read; the time the item was fetched "
        "is used instead."
    ),
    "markup_unclosed": _(
        "An unclosed <%(tag)s> element would have hidden the text after it; it "
        "was closed where the next tag begins. Check the text against the "
        "original."
    ),
    "markup_text_lost": _(
        "Broken markup hid about %(chars)s characters of the text; check the "
        "text against the original."
    ),
}


def note(code: str, **params: Any) -> dict[str, Any]:
    """One stored note."""
    if code not in MESSAGES:
        raise ValueError(f"Unknown item note {code!r}.")
    return {"code": code, "params": {key: str(value) for key, value in params.items()}}


def from_parsed(parsed: Iterable[Note]) -> list[dict[str, Any]]:
    return [note(n.code, **dict(n.params)) for n in parsed]


def notes_merge(
    existing: list[dict[str, Any]], new: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Existing notes, then the new ones not already there: a note is never
    overwritten, and the same note twice is one."""
    merged = list(existing or [])
    for item in new:
        if item not in merged:
            merged.append(dict(item))
    return merged


# Parameters that hold a language code, named in the reader's language.
_LANGUAGE_PARAMS = frozenset({"language", "detected", "declared", "tree"})


def language_label(code: str) -> str:
    """``sv`` as "Swedish (sv)", in the active language; the code alone when
    Django does not know its name."""
    if not code:
        return "?"
    for candidate in (code, code.split("-")[0]):
        try:
            info = get_language_info(candidate)
        except KeyError:
            continue
        return f"{info['name_translated']} ({code})"
    return code


def note_text(stored: Mapping[str, Any]) -> str:
    """A stored note in the active language."""
    params = {
        key: language_label(value) if key in _LANGUAGE_PARAMS else value
        for key, value in (stored.get("params") or {}).items()
    }
    message = MESSAGES.get(stored.get("code", ""))
    if message is None:
        return "; ".join(str(value) for value in params.values()) or str(
            stored.get("code", "")
        )
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        # A translation or an old note missing a parameter: the English text
        # with the parameters beside it is better than nothing.
        return f"{stored.get('code')}: {params}"
