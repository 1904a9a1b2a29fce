"""What `make bench-translation` translates: corpus main texts as articles.

The texts are the `truth/` main texts of the corpus's article pages (plain
text, no Django needed here). Each becomes an article in its language's tree,
in the section of an office that works in that language; round 3's copy goes
to another office's section of the same tree.
"""

import json
import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cms.newsroom.reference import OFFICES

# The corpus's language codes → our locales. Japanese texts are left out (the
# target language: nothing to translate), and so are languages without a
# tree of ours (ru, pt, id, cs): the scrapers would file them under an
# office's first language, and DeepL would be told the wrong source language.
LOCALES = {
    "en": "en",
    "fr": "fr",
    "de": "de",
    "es": "es",
    "it": "it",
    "ko": "ko",
    "zh": "zh-hans",
}
CJK_LOCALES = {"ko", "zh-hans"}
MIN_PARAGRAPH = 20  # characters; shorter lines are captions and labels
MIN_TEXT = 300  # characters of paragraphs kept
TITLE_CHARS = 80
SUMMARY_CHARS = 300
EDIT_MARK = " (rev. 2)"
SEED = 20_260_601

_SPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad"))


@dataclass(frozen=True)
class CorpusText:
    name: str  # the truth file's name without .json
    locale: str
    title: str  # empty when the truth has none
    paragraphs: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class PlannedArticle:
    index: int
    text: CorpusText
    copy: int  # 1: the text as it is; 2, 3, ...: marked copies
    office: str  # round 1's section
    other_office: str  # round 3's section (same locale)

    def _mark(self, text: str) -> str:
        return text if self.copy == 1 else f"[{self.copy}] {text}"

    @property
    def title(self) -> str:
        title = self.text.title or _truncate(self.text.paragraphs[0], TITLE_CHARS)
        return self._mark(title)

    @property
    def paragraphs(self) -> list[str]:
        return [self._mark(paragraph) for paragraph in self.text.paragraphs]

    @property
    def summary(self) -> str:
        return _truncate(self.paragraphs[0], SUMMARY_CHARS)

    @property
    def source_name(self) -> str:
        return urlsplit(self.text.url).hostname or self.text.name


def _truncate(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def _clean(line: str) -> str:
    line = unicodedata.normalize("NFC", line.translate(_INVISIBLE))
    return _SPACE.sub(" ", line).strip()


def _cjk_share(text: str) -> float:
    letters = [c for c in text if c.isalpha()]
    cjk = sum(
        1
        for c in letters
        if "\u3040" <= c <= "\u30ff"
        or "\u4e00" <= c <= "\u9fff"
        or "\uac00" <= c <= "\ud7af"
    )
    return cjk / max(len(letters), 1)


def _truth_text(data: dict) -> tuple[str, str, str]:
    """(main text, title, URL) of a truth file; an empty text when it holds
    only snippets (trafilatura's with/without)."""
    metadata = data.get("metadata") or {}
    text = data.get("articleBody") or data.get("text") or ""
    text = text or data.get("expected_text_approx") or ""
    title = data.get("title") or metadata.get("title") or ""
    url = data.get("url") or metadata.get("url") or ""
    return text, title, url


def corpus_texts(corpus: Path) -> tuple[list[CorpusText], list[str]]:
    """The usable texts and notes on what was left out or mapped, and why."""
    texts: list[CorpusText] = []
    notes: list[str] = []
    skipped: dict[str, list[str]] = {}
    with (corpus / "index.tsv").open(encoding="utf-8") as index:
        header = index.readline().rstrip("\n").split("\t")
        rows = [
            dict(zip(header, line.rstrip("\n").split("\t"), strict=False))
            for line in index
        ]
    for row in rows:
        if row.get("kind") != "html" or not row.get("truth"):
            continue
        path = corpus / row["truth"]
        name = path.name.removesuffix(".json")
        text, title, url = _truth_text(json.loads(path.read_text(encoding="utf-8")))
        if not text:
            skipped.setdefault("no main text (snippets only)", []).append(name)
            continue
        language = row["lang"]
        if language in ("ko", "zh", "ja") and _cjk_share(text) < 0.2:
            notes.append(
                f"{name} is labelled {language} but its text is English: taken as en"
            )
            language = "en"
        if language not in LOCALES:
            reason = (
                "Japanese: the target" if language == "ja" else f"{language}: no tree"
            )
            skipped.setdefault(reason, []).append(name)
            continue
        paragraphs = [
            clean
            for line in text.splitlines()
            if len(clean := _clean(line)) >= MIN_PARAGRAPH
        ]
        if sum(map(len, paragraphs)) < MIN_TEXT:
            skipped.setdefault(f"under {MIN_TEXT} characters", []).append(name)
            continue
        texts.append(
            CorpusText(
                name=name,
                locale=LOCALES[language],
                title=_clean(title),
                paragraphs=tuple(dict.fromkeys(paragraphs)),  # no repeats
                url=url,
            )
        )
    for reason, names in skipped.items():
        notes.append(f"left out, {reason}: {len(names)} ({', '.join(sorted(names))})")
    return texts, notes


def _offices_for(locale: str) -> list[str]:
    return [office.code for office in OFFICES if locale in office.working_languages]


def _other_office(locale: str, office: str) -> str:
    """Another office working in the language if there is one, else the next
    office in the list (every office has a section in every tree)."""
    working = _offices_for(locale)
    if len(working) > 1:
        return working[(working.index(office) + 1) % len(working)]
    codes = [o.code for o in OFFICES]
    return codes[(codes.index(office) + 1) % len(codes)]


def articles_plan(texts: list[CorpusText], count: int) -> list[PlannedArticle]:
    """``count`` articles: text i mod N, copy i // N + 1, so that the copies
    of one text are spread out; an office of the language in turn."""
    planned = []
    for index in range(count):
        text = texts[index % len(texts)]
        copy = index // len(texts) + 1
        working = _offices_for(text.locale)
        office = working[(copy - 1) % len(working)]
        planned.append(
            PlannedArticle(
                index=index,
                text=text,
                copy=copy,
                office=office,
                other_office=_other_office(text.locale, office),
            )
        )
    return planned


def edits_plan(
    planned: list[PlannedArticle], share: float, seed: int = SEED
) -> dict[int, list[int]]:
    """Article index → paragraph indexes to edit: ``share`` of all paragraphs,
    each article's part in proportion to its paragraphs (largest remainders
    first), the paragraphs drawn with a fixed seed."""
    rng = random.Random(seed)  # noqa: S311 - a fixed sample, not a secret
    sizes = [len(article.text.paragraphs) for article in planned]
    wanted = round(share * sum(sizes))
    quotas = [share * size for size in sizes]
    counts = [int(quota) for quota in quotas]
    order = sorted(
        range(len(planned)),
        key=lambda i: (quotas[i] - counts[i], rng.random()),
        reverse=True,
    )
    for i in order[: wanted - sum(counts)]:
        counts[i] += 1
    return {
        article.index: sorted(rng.sample(range(sizes[i]), counts[i]))
        for i, article in enumerate(planned)
        if counts[i]
    }


def edited(paragraph: str) -> str:
    return paragraph + EDIT_MARK
