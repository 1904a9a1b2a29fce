"""The main text of an article page, with trafilatura.

trafilatura gets the decoded string (never a URL, so it never fetches) and
keeps headings, lists, bold/italic and links; the result is then sanitised
like everything else. The plain text is read back from the sanitised HTML,
so text and html always agree.
"""

import logging
from datetime import datetime, tzinfo

from .dates import parse_date
from .encoding import decode_document
from .language import detect_language, normalise_language
from .markup import repair_unclosed
from .results import ExtractedArticle, Note
from .sanitise import clean_title, html_to_text, sanitise_html

logger = logging.getLogger(__name__)


def _language(*, declared: str | None, text: str) -> str | None:
    """The page's declared language unless its text says otherwise: themes
    ship with lang="en-US" whatever the site writes in. The declared tag is
    kept when it agrees, being the more precise (en-GB, pt-BR)."""
    detected = detect_language(text)
    if declared is None or detected is None:
        return detected or declared
    if declared.split("-")[0] == detected.split("-")[0] and declared != "zh":
        return declared
    return detected


def _trafilatura():
    """Imported on first use: it and its date and URL libraries cost every
    worker some 18 MB, and only sources that fetch full articles need them."""
    import trafilatura

    return trafilatura


def extract_article(
    body: bytes,
    *,
    url: str,
    content_type: str | None,
    default_tz: tzinfo | None = None,
) -> ExtractedArticle:
    """Title, main text (plain and sanitised HTML), date and language.

    A page trafilatura finds no main text in gives empty text and html and
    a warning, not an error: the item keeps its feed summary.
    ``default_tz`` reads a date without a zone (pages mostly give only a
    day); UTC when not given.
    """
    decoded = decode_document(body, content_type)
    warnings = list(decoded.warnings)
    # An unclosed <style> or <script> would hide the rest of the page from
    # lxml, and so from trafilatura.
    text, repaired = repair_unclosed(decoded.text)
    notes = tuple(
        Note.of("markup_unclosed", tag=name) for name in dict.fromkeys(repaired)
    )
    try:
        document = _trafilatura().bare_extraction(
            text,
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_formatting=True,
            include_links=True,
            with_metadata=True,
        )
    except Exception:  # trafilatura raises assorted errors on odd markup
        logger.exception("trafilatura failed on %s", url)
        document = None
    if document is None or getattr(document, "body", None) is None:
        warnings.append("No main text was found on the page.")
        return ExtractedArticle(
            title="",
            text="",
            html="",
            published_at=None,
            language=None,
            warnings=warnings,
            notes=notes,
        )
    from trafilatura.htmlprocessing import build_html_output

    html = sanitise_html(build_html_output(document), base_url=url)
    text = html_to_text(html)
    published_at: datetime | None = None
    if document.date:
        published_at = parse_date(document.date, default_tz=default_tz)
    language = _language(declared=normalise_language(document.language), text=text)
    if not text:
        warnings.append("No main text was found on the page.")
    return ExtractedArticle(
        title=clean_title(document.title),
        text=text,
        html=html,
        published_at=published_at,
        language=language,
        warnings=warnings,
        notes=notes,
    )
