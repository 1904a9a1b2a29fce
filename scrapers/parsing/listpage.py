"""HTML list pages read with a source's CSS selectors (BeautifulSoup + lxml)."""

import logging
from datetime import datetime, tzinfo

import soupsieve
from bs4 import BeautifulSoup, Tag

from .dates import numeric_order, parse_date
from .encoding import decode_document
from .entries import EntryCollector, make_guid
from .language import normalise_language
from .markup import repair_unclosed
from .results import ListRule, Note, ParsedEntry, ParsedFeed, RuleError
from .sanitise import clean_title, sanitise_html
from .urls import absolute_http_url

logger = logging.getLogger(__name__)

# Where a date hides in markup before it shows as text.
_DATE_ATTRIBUTES = ("datetime", "content", "data-date", "title")


def _compile(name: str, selector: str) -> soupsieve.SoupSieve | None:
    if not selector.strip():
        return None
    try:
        return soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        reason = str(exc).splitlines()[0]
        raise RuleError(
            f"The {name} selector “{selector}” is not a valid CSS selector ({reason})."
        ) from exc


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        resolved = absolute_http_url(str(base["href"]), base=url)
        if resolved:
            return resolved
    return url


def _date_text(element: Tag) -> str:
    for attribute in _DATE_ATTRIBUTES:
        value = element.get(attribute)
        if isinstance(value, str) and value.strip() and any(c.isdigit() for c in value):
            return value
    return element.get_text(" ", strip=True)


def parse_list_page(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    rule: ListRule,
    default_tz: tzinfo | None,
) -> ParsedFeed:
    """The items of a news list page, found with the rule's selectors.

    Raises RuleError when a selector is not valid CSS or the item selector
    finds nothing (the site has probably changed its layout). Items without
    a link are skipped: there would be nothing to link back to.
    """
    if not rule.item.strip():
        raise RuleError("The rule has no item selector.")
    item_selector = _compile("item", rule.item)
    link_selector = _compile("link", rule.link)
    title_selector = _compile("title", rule.title)
    date_selector = _compile("date", rule.date)
    summary_selector = _compile("summary", rule.summary)

    decoded = decode_document(body, content_type)
    warnings = list(decoded.warnings)
    # An unclosed <script> or <style> would hide every item after it.
    text, repaired = repair_unclosed(decoded.text)
    for name in dict.fromkeys(repaired):
        warnings.append(
            f"The page has an unclosed <{name}> element; it was closed where the "
            "next tag begins, so the items after it are read."
        )
    soup = BeautifulSoup(text, "lxml")
    base = _base_url(soup, url)
    html_tag = soup.find("html")
    language = normalise_language(
        str(html_tag.get("lang") or "") if isinstance(html_tag, Tag) else None
    )
    items = item_selector.select(soup) if item_selector else []
    if not items:
        raise RuleError(
            f"The item selector “{rule.item}” finds nothing on the page; the site "
            "may have changed its layout."
        )

    date_texts: list[str] = []
    if date_selector:
        for item in items:
            found = date_selector.select_one(item)
            date_texts.append(_date_text(found) if found else "")
    month_first = numeric_order(date_texts, language=language)

    # The dates have their own sentence below, naming the selector.
    collector = EntryCollector(summarised=("date_unreadable",))
    undated = 0
    for index, item in enumerate(items):
        if link_selector:
            anchor = link_selector.select_one(item)
            if anchor is not None and anchor.name != "a" and not anchor.get("href"):
                anchor = anchor.find("a", href=True) or anchor.find_parent(
                    "a", href=True
                )
        elif item.name == "a" and item.get("href"):
            anchor = item
        else:
            anchor = item.find("a", href=True)
        href = anchor.get("href") if anchor is not None else None
        link = absolute_http_url(href if isinstance(href, str) else None, base=base)
        if link is None:
            collector.skip("no link (an http or https address) in the item")
            continue
        title_element = title_selector.select_one(item) if title_selector else anchor
        title = clean_title(
            title_element.get_text(" ", strip=True) if title_element else ""
        )
        if not title and anchor is not None:
            title = clean_title(
                anchor.get_text(" ", strip=True) or str(anchor.get("title") or "")
            )
        notes: list[Note] = []
        published_at: datetime | None = None
        if date_selector and date_texts[index]:
            published_at = parse_date(
                date_texts[index], default_tz=default_tz, month_first=month_first
            )
            if published_at is None:
                undated += 1
                notes.append(
                    Note.of(
                        "date_unreadable", text=clean_title(date_texts[index])[:100]
                    )
                )
        summary_html = ""
        if summary_selector:
            found = summary_selector.select_one(item)
            if found is not None:
                summary_html = sanitise_html(str(found), base_url=base, notes=notes)
        collector.add(
            ParsedEntry(
                guid=make_guid(
                    entry_id=None,
                    link=link,
                    title=title,
                    date=published_at,
                    text=summary_html,
                ),
                link=link,
                title=title,
                summary_html=summary_html,
                published_at=published_at,
                language=language,
                notes=tuple(dict.fromkeys(notes)),
            )
        )
    if undated:
        warnings.append(
            f"{undated} date(s) found by “{rule.date}” could not be read as dates; "
            "those items are kept with the time they were fetched."
        )
    warnings += collector.warnings()
    title_tag = soup.find("title")
    return ParsedFeed(
        kind="html",
        title=clean_title(title_tag.get_text(" ", strip=True) if title_tag else ""),
        link=url,
        language=language,
        entries=collector.entries,
        warnings=warnings,
    )
