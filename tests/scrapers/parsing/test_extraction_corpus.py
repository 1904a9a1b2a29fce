"""Main-text extraction over the corpus pages, scored per language.

F1 is token-level against the truth text (CJK split by character, other
scripts by word) for scrapinghub (human-annotated articleBody), readability
(its expected text, approximate) and newspaper4k (its expected text); for
trafilatura pages the share of `with` snippets found and of `without`
snippets absent. Floors were set from the first measured scores, rounded
down a little: a change that makes extraction worse fails here.
"""

import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest

from scrapers.parsing import ExtractedArticle, extract_article

from .conftest import CORPUS, corpus_rows

PAGES = corpus_rows("html")
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# (measure, language) -> floor. Measured 2026-11-25 with trafilatura 2.3.1.
FLOORS = {
    ("f1", "cs"): 0.93,
    ("f1", "de"): 0.95,
    ("f1", "en"): 0.95,
    ("f1", "es"): 0.65,
    ("f1", "fr"): 0.98,
    ("f1", "id"): 0.98,
    ("f1", "it"): 0.93,
    ("f1", "ja"): 0.85,
    ("f1", "ko"): 0.97,
    ("f1", "pt"): 0.32,
    ("f1", "ru"): 0.98,
    ("f1", "zh"): 0.96,
    ("with", "de"): 0.98,
    ("with", "en"): 0.98,
    ("with", "fr"): 0.75,
    ("without", "de"): 0.88,
    ("without", "en"): 0.75,
    ("without", "fr"): 0.98,
}


@dataclass(frozen=True)
class Score:
    file: str
    language: str
    measure: str  # "f1", or "with" and "without" for trafilatura pages
    value: float
    detail: str = ""


def tokens(text: str) -> list[str]:
    result = []
    for word in re.findall(r"\w+", unicodedata.normalize("NFKC", text).lower()):
        if not CJK.search(word):
            result.append(word)
            continue
        latin = ""
        for char in word:
            if CJK.match(char):
                if latin:
                    result.append(latin)
                    latin = ""
                result.append(char)
            else:
                latin += char
        if latin:
            result.append(latin)
    return result


def token_f1(predicted: str, truth: str) -> tuple[float, float, float]:
    got, want = Counter(tokens(predicted)), Counter(tokens(truth))
    common = sum((got & want).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _extract(row: dict[str, str]) -> tuple[dict, ExtractedArticle]:
    truth = json.loads((CORPUS / row["truth"]).read_text(encoding="utf-8"))
    url = truth.get("url") or ""
    if not url.startswith(("http://", "https://")):
        url = "https://pages.example/" + row["file"]
    body = (CORPUS / row["file"]).read_bytes()
    return truth, extract_article(body, url=url, content_type=None)


def _score_page(
    row: dict[str, str], truth: dict, article: ExtractedArticle
) -> list[Score]:
    language = row["lang"]
    if "with" in truth:
        text = _normal(article.text)
        found = sum(_normal(s) in text for s in truth["with"]) / max(
            len(truth["with"]), 1
        )
        absent = sum(_normal(s) not in text for s in truth["without"]) / max(
            len(truth["without"]), 1
        )
        return [
            Score(row["file"], language, "with", found),
            Score(row["file"], language, "without", absent),
        ]
    reference = (
        truth.get("articleBody")
        or truth.get("expected_text_approx")
        or truth.get("text")
    )
    precision, recall, f1 = token_f1(article.text, reference)
    return [Score(row["file"], language, "f1", f1, f"P={precision:.2f} R={recall:.2f}")]


@pytest.fixture(scope="module")
def extracted(corpus) -> list[tuple[dict[str, str], dict, ExtractedArticle]]:
    return [(row, *_extract(row)) for row in PAGES]


@pytest.fixture(scope="module")
def scores(extracted) -> list[Score]:
    return [
        score
        for row, truth, article in extracted
        for score in _score_page(row, truth, article)
    ]


def _averages(scores: list[Score]) -> dict[tuple[str, str], tuple[float, int]]:
    grouped: dict[tuple[str, str], list[float]] = defaultdict(list)
    for score in scores:
        grouped[(score.measure, score.language)].append(score.value)
    return {key: (sum(v) / len(v), len(v)) for key, v in grouped.items()}


def test_extraction_scores_per_language_stay_above_their_floors(scores, capsys):
    averages = _averages(scores)
    lines = ["", "main-text extraction, mean per language (pages):"]
    for (measure, language), (value, count) in sorted(averages.items()):
        floor = FLOORS.get((measure, language))
        lines.append(
            f"  {measure:8} {language:3} {value:.3f}  ({count} page{'s' * (count > 1)})"
            f"  floor {floor if floor is not None else '-'}"
        )
    lines.append("weakest pages:")
    for score in sorted(scores, key=lambda s: s.value)[:6]:
        lines.append(
            f"  {score.value:.2f} {score.measure:7} {score.file} {score.detail}"
        )
    with capsys.disabled():
        print("\n".join(lines))
    assert set(averages) == set(FLOORS), "a language or measure without a floor"
    below = {
        key: round(value, 3)
        for key, (value, _count) in averages.items()
        if value < FLOORS[key]
    }
    assert not below, f"below the floor: {below}"


def test_every_page_gives_some_text_and_a_language(extracted):
    for row, _truth, article in extracted:
        assert len(article.text) > 200, row["file"]
        assert article.language, row["file"]
        assert "<script" not in article.html and "<img" not in article.html
