"""Titles and summaries of real articles from ../shared/corpus (feeds in
many languages and encodings, and the article pages' recorded truth), for
composing posts over text nobody on this project wrote."""

import csv
import html
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import feedparser

from tests.fakes.prism import specs_dir

ENTRIES_PER_FEED = 15
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Article:
    source: str
    language: str
    title: str
    summary: str


def corpus_dir() -> Path:
    return specs_dir().parent / "corpus"


def _text(value: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", value or "")).split())


@cache
def corpus_articles() -> tuple[Article, ...]:
    root = corpus_dir()
    articles: list[Article] = []
    with (root / "index.tsv").open(encoding="utf-8") as index:
        rows = list(csv.DictReader(index, delimiter="\t"))
    for row in rows:
        path = root / row["file"]
        if row["kind"].startswith("feed"):
            # Parsing only: our own sanitiser is not what is tested here.
            feed = feedparser.parse(
                path.read_bytes(), sanitize_html=False, resolve_relative_uris=False
            )
            for entry in feed.entries[:ENTRIES_PER_FEED]:
                title = _text(entry.get("title", ""))
                summary = _text(entry.get("summary", ""))
                if title or summary:
                    articles.append(Article(row["file"], row["lang"], title, summary))
        elif row["truth"]:
            truth = json.loads((root / row["truth"]).read_text(encoding="utf-8"))
            metadata = truth.get("metadata")
            if isinstance(metadata, str):
                metadata = {}
            title = truth.get("title") or (metadata or {}).get("title") or ""
            body = (
                truth.get("text")
                or truth.get("articleBody")
                or truth.get("expected_text_approx")
                or (metadata or {}).get("excerpt")
                or truth.get("description")
                or ""
            )
            # A page's first paragraphs stand in for an editor's summary.
            summary = _text(str(body))[:600]
            if title or summary:
                articles.append(
                    Article(row["file"], row["lang"], _text(title), summary)
                )
    return tuple(articles)
