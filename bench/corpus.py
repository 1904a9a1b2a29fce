"""What the benchmark's feed servers serve: the corpus feeds, one copy per source.

Each source gets its own copy of a corpus feed, made unique so that Tsunagu's
de-duplication across sources (same canonical URL, same text, SimHash within
3 bits) sees 1,000 different sources and not 40 feeds repeated: every link
gets a host of its own (``https://s17-www.lemonde.fr/...``) and every title
and text a few words of its own. Round 1 serves the feed without its first
entries; in round 2 the changed sources serve the whole feed, so they answer
with a few new entries on top of the ones seen before (the usual change of a
news feed), and the other sources answer 304.

Everything is done on the bytes with ASCII patterns, so the feeds keep their
own encodings (ISO-8859-1, windows-1251, GB2312, ...); a feed whose copies do
not parse to the expected entries is left out, and the benchmark says so.
"""

import csv
import hashlib
import json
import os
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

# TSUNAGU_CORPUS, else the shared folder beside the checkout, else where this
# workplace keeps it when the checkout is a clone elsewhere (as the tests do).
_CORPUS_CANDIDATES = [
    Path(os.environ["TSUNAGU_CORPUS"]) if "TSUNAGU_CORPUS" in os.environ else None,
    Path(__file__).resolve().parents[2] / "shared" / "corpus",
    Path("/work/shared/corpus"),
]
DEFAULT_CORPUS = next(
    (path for path in _CORPUS_CANDIDATES if path is not None and path.is_dir()),
    Path(__file__).resolve().parents[2] / "shared" / "corpus",
)
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf"}
CONTENT_TYPES = {
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".rss": "application/rss+xml",
    ".xml": "application/xml",
}
OFFICES = ("nyc", "lon", "par", "sin", "sel", "bjs", "syd")

_ENTRY = re.compile(rb"<(item|entry)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_TEXT_OPEN = re.compile(
    rb"<(?:description|summary|content(?::encoded)?)\b[^>]*(?<!/)>", re.I
)
_TITLE_OPEN = re.compile(rb"<title\b[^>]*(?<!/)>", re.I)
_LINK_TEXT = re.compile(
    rb"(<(?:link|guid)\b[^>]*(?<!/)>\s*(?:<!\[CDATA\[\s*)?https?://)", re.I
)
_LINK_HREF = re.compile(rb"(<link\b[^>]*?\bhref\s*=\s*[\"']https?://)", re.I)
_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class PlannedSource:
    index: int
    host: str
    path: str
    file: str  # relative to the corpus folder
    language: str
    office: str
    changed: bool  # answers new entries in round 2 (else 304)

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}{self.path}"

    @property
    def name(self) -> str:
        return f"Bench {self.index:04d} {Path(self.file).stem}"[:200]


def _languages(corpus: Path) -> dict[str, str]:
    with (corpus / "index.tsv").open(encoding="utf-8") as index:
        return {
            row["file"]: row["lang"] for row in csv.DictReader(index, delimiter="\t")
        }


def _source_language(code: str) -> str:
    """What an editor would enter: the corpus's language, Chinese as our
    locale codes (a language without a page tree, Russian say, makes drafts in
    the office's first language)."""
    code = code.lower()
    return {"zh": "zh-hans", "zh-tw": "zh-hant"}.get(code, code)


def _words(seed: str, count: int) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - filler words, not security
    return b" ".join(b"w%08x" % rng.getrandbits(32) for _ in range(count))


def entry_count(body: bytes) -> int:
    return len(_ENTRY.findall(body))


def new_entries(count: int) -> int:
    """How many entries a changed feed adds in round 2."""
    return max(1, min(5, count // 5)) if count >= 2 else 0


def variant(body: bytes, *, index: int, full: bool) -> bytes:
    """Source ``index``'s copy of a feed: round 1 (``full=False``) without its
    first entries, round 2's changed answer (``full=True``) with all of them."""
    if body.startswith(_BOMS):
        return body  # UTF-16: no ASCII patterns to work with
    spans = [match.span() for match in _ENTRY.finditer(body)]
    drop = new_entries(len(spans))
    if not full and drop:
        body = body[: spans[0][0]] + body[spans[drop - 1][1] :]
    text_words = _words(f"text-{index}", 12) + b" "
    title_words = _words(f"title-{index}", 2) + b" "
    if full and not drop:
        # A one-entry feed changes its entry's title instead.
        title_words += b"(updated) "

    def text(match: re.Match[bytes]) -> bytes:
        tag = match.group(0)
        return tag if b"xhtml" in tag.lower() else tag + text_words

    def title(match: re.Match[bytes]) -> bytes:
        tag = match.group(0)
        return tag if b"xhtml" in tag.lower() else tag + title_words

    prefix = b"s%d-" % index
    body = _TEXT_OPEN.sub(text, body)
    body = _TITLE_OPEN.sub(title, body)
    body = _LINK_TEXT.sub(lambda m: m.group(1) + prefix, body)
    return _LINK_HREF.sub(lambda m: m.group(1) + prefix, body)


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def usable_feeds(corpus: Path) -> tuple[list[str], list[str]]:
    """The corpus feeds whose copies parse to the entries expected (with
    Tsunagu's parser, which is pure and needs no database), and notes on the
    ones left out."""
    from scrapers.parsing import FeedParseError, parse_feed

    files = sorted(
        path
        for folder in (corpus / "feeds", corpus / "feeds" / "edge")
        for path in folder.iterdir()
        if path.is_file() and path.suffix in FEED_SUFFIXES
    )
    usable, notes = [], []
    for path in files:
        name = str(path.relative_to(corpus))
        body = path.read_bytes()
        try:
            counts = [
                len(
                    parse_feed(
                        variant(body, index=7, full=full),
                        url="http://127.0.0.2/feed",
                        content_type=CONTENT_TYPES[path.suffix],
                        default_tz=None,
                    ).entries
                )
                for full in (False, True)
            ]
            original = len(
                parse_feed(
                    body,
                    url="http://127.0.0.2/feed",
                    content_type=None,
                    default_tz=None,
                ).entries
            )
        except FeedParseError as exc:
            notes.append(f"{name}: left out, does not parse ({exc})")
            continue
        if original == 0:
            notes.append(f"{name}: left out, parses to no entries")
            continue
        expected = [original - new_entries(entry_count(body)), original]
        if body.startswith(_BOMS):
            expected = [original, original]
        if counts != expected:
            notes.append(
                f"{name}: left out, its copies parse to {counts} entries, not "
                f"{expected}"
            )
            continue
        usable.append(name)
    return usable, notes


def make_plan(
    *, corpus: Path, files: list[str], sources: int, hosts: int, seed: int = 1
) -> list[PlannedSource]:
    """Sources in fetch order: consecutive sources are on different hosts
    (source i on host i mod H), as due times mix hosts in production; 20% of
    them, drawn at random, change in round 2."""
    if hosts > 254:
        raise ValueError("At most 254 hosts: 127.0.0.2 to 127.0.0.255.")
    languages = _languages(corpus)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample
    changed = set(rng.sample(range(sources), round(sources * 0.2)))
    plan = []
    for index in range(sources):
        file = files[index % len(files)]
        plan.append(
            PlannedSource(
                index=index,
                host=f"127.0.0.{2 + index % hosts}",
                path=f"/feeds/{index:04d}/{Path(file).name}",
                file=file,
                language=_source_language(languages.get(file, "")),
                office=OFFICES[index % len(OFFICES)],
                changed=index in changed,
            )
        )
    return plan


def plan_dump(plan: list[PlannedSource], path: Path, corpus: Path) -> None:
    path.write_text(
        json.dumps({"corpus": str(corpus), "sources": [asdict(s) for s in plan]})
    )


def plan_load(path: Path) -> tuple[Path, list[PlannedSource]]:
    data = json.loads(path.read_text())
    return Path(data["corpus"]), [PlannedSource(**s) for s in data["sources"]]
