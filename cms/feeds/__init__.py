"""Feeds for partners: RSS 2.0, Atom 1.0 and JSON Feed 1.1 at /feeds/.

- ``views``: the three URLs, filtered by office, region, country, topic and
  locale; cached and answered conditionally through ``cms.caching``.
- ``selectors``: filters, the latest ``FEED_LIMIT`` (50) live public
  articles, feed URLs, the republishing rule, translation states.
- ``entries``: one article as a feed entry (text or summary, provenance).
- ``formats``: the three writers.
- ``websub``: the hub ping; ``tasks``: purge then ping, after commit.
- ``models``: the content generation row that ``cms.caching`` keys on.
"""
