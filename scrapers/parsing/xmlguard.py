"""Hostile XML made harmless before feedparser sees it.

feedparser keeps a DOCTYPE's "safe-looking" entities (plain-text values) and,
when expat refuses the document, hands them to its lenient parser, which
expands them without any limit: a 50 kB entity referenced 50,000 times (the
"quadratic blowup") measured 48 s of CPU and a 2.5 GB title. External
entities (SYSTEM "file:///etc/passwd", "http://...") are not fetched by
feedparser's expat setup, and billion-laughs nesting is refused by expat
2.6, but neither is worth relying on. So the DOCTYPE goes entirely; entities
that only stand for one character (``<!ENTITY nbsp "&#160;">``, the one
legitimate use in feeds) are replaced in the text first.
"""

import logging
import re

logger = logging.getLogger(__name__)

# One character, as a reference or literally: what real feeds declare.
_CHARACTER_ENTITY = re.compile(
    r"<!ENTITY\s+([A-Za-z_][\w.\-]*)\s+([\"'])(&#[xX]?[0-9A-Fa-f]{1,6};|[^&%<\"'])\2\s*>"
)
_ANY_ENTITY = re.compile(r"<!ENTITY", re.I)
# feedparser's own notion of where the document starts (replace_doctype).
_FIRST_ELEMENT = re.compile(r"<\w", re.ASCII)


class HostileXMLError(ValueError):
    pass


def _skip_quoted(text: str, index: int) -> int:
    """Index after the quoted literal starting at ``index``."""
    end = text.find(text[index], index + 1)
    return len(text) if end < 0 else end + 1


def doctype_span(text: str) -> tuple[int, int] | None:
    """Where the DOCTYPE declaration is in the prolog, internal subset
    included, reading quotes and comments the way an XML parser does."""
    index = 0
    length = len(text)
    while index < length:
        if text[index].isspace():
            index += 1
        elif text.startswith("<!--", index):
            end = text.find("-->", index + 4)
            index = length if end < 0 else end + 3
        elif text.startswith("<?", index):
            end = text.find("?>", index + 2)
            index = length if end < 0 else end + 2
        elif text[index : index + 9].upper() == "<!DOCTYPE":
            start = index
            index += 9
            in_subset = False
            while index < length:
                char = text[index]
                if char in "\"'":
                    index = _skip_quoted(text, index)
                    continue
                if in_subset and text.startswith("<!--", index):
                    end = text.find("-->", index + 4)
                    index = length if end < 0 else end + 3
                    continue
                if char == "[":
                    in_subset = True
                elif char == "]":
                    in_subset = False
                elif char == ">" and not in_subset:
                    return start, index + 1
                index += 1
            return start, length
        else:
            return None
    return None


def defuse(text: str) -> tuple[str, list[str]]:
    """The document without its DOCTYPE, and a warning if entities went.

    Raises HostileXMLError if an entity declaration is still where feedparser
    would look for one (a DOCTYPE this scanner did not recognise).
    """
    warnings: list[str] = []
    span = doctype_span(text)
    if span:
        start, end = span
        doctype = text[start:end]
        text = text[:start] + text[end:]
        if _ANY_ENTITY.search(doctype):
            replacements = {
                name: value
                for name, _quote, value in _CHARACTER_ENTITY.findall(doctype)
            }
            if replacements:
                pattern = re.compile(
                    "&(" + "|".join(map(re.escape, replacements)) + ");"
                )
                text = pattern.sub(lambda match: replacements[match.group(1)], text)
            dropped = len(_ANY_ENTITY.findall(doctype)) - len(replacements)
            if dropped:
                warnings.append(
                    f"The feed declares XML entities of its own ({dropped}); "
                    "Tsunagu ignores them for safety, so some text may show as "
                    "&name; references."
                )
    first = _FIRST_ELEMENT.search(text)
    head = text[: first.start()] if first else text
    if _ANY_ENTITY.search(head):
        raise HostileXMLError(
            "The feed declares XML entities in a way Tsunagu does not read safely; "
            "it was not parsed."
        )
    return text, warnings
