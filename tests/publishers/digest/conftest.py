from tests.feeds.conftest import make_article  # noqa: F401 (a fixture)
