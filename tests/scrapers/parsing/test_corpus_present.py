from tests.scrapers.parsing.conftest import CORPUS, corpus_rows


def test_the_shared_corpus_is_there_so_no_corpus_test_is_silently_skipped():
    assert (CORPUS / "index.tsv").exists(), (
        f"No corpus at {CORPUS}: set TSUNAGU_CORPUS to ../shared/corpus"
    )
    assert len(corpus_rows("feed", "feed-edgecase")) >= 40
    assert len(corpus_rows("html")) >= 40
