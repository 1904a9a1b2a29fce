"""Fixtures for the parsing tests: the shared corpus, the office's zone.

These tests need no database. The corpus lives beside the project
(../shared/corpus, or TSUNAGU_CORPUS); without it the corpus tests skip.
"""

import csv
import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[3]
# The corpus beside the checkout (../shared/corpus), or where this workplace
# keeps it when the checkout is a clone elsewhere (CI), or TSUNAGU_CORPUS.
_CANDIDATES = [
    Path(os.environ["TSUNAGU_CORPUS"]) if "TSUNAGU_CORPUS" in os.environ else None,
    PROJECT_DIR.parent / "shared" / "corpus",
    Path("/work/shared/corpus"),
]
CORPUS = next(
    (c for c in _CANDIDATES if c is not None and (c / "index.tsv").exists()),
    PROJECT_DIR.parent / "shared" / "corpus",
)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PARIS = ZoneInfo("Europe/Paris")


def corpus_rows(*kinds: str) -> list[dict[str, str]]:
    index = CORPUS / "index.tsv"
    if not index.exists():
        return []
    with index.open(encoding="utf-8", newline="") as handle:
        return [
            row
            for row in csv.DictReader(handle, delimiter="\t")
            if row["kind"] in kinds
        ]


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not (CORPUS / "index.tsv").exists():
        pytest.skip(f"the shared corpus is not at {CORPUS} (set TSUNAGU_CORPUS)")
    return CORPUS
