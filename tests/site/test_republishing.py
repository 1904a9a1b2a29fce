"""A summary-only source: the site shows no more than the feeds and the API."""

from scrapers.models import Item, Source


def _item_for(page, republish):
    source = Source.objects.create(
        office=page.office,
        name="Ville de Lyon",
        url=f"https://www.lyon.fr/rss-{page.pk}",
        kind=Source.Kind.RSS,
        language="fr",
        republish=republish,
    )
    Item.objects.create(
        source=source,
        guid=f"g-{page.pk}",
        guid_hash=f"{page.pk:064d}",
        link="https://www.lyon.fr/actualite/1",
        title=page.title,
        page=page,
    )


def test_a_summary_only_source_shows_its_summary_and_a_link(publish_article, html):
    article = publish_article(
        title="Lyon ouvre un guichet",
        office="par",
        locale="fr",
        summary="Un guichet unique.",
        body="<p>Le texte intégral, collé par un éditeur.</p>",
        source_name="Ville de Lyon",
        source_url="https://www.lyon.fr/actualite/1",
    )
    _item_for(article, Source.Republish.SUMMARY)
    page = html(article.url)
    assert "Le texte intégral" not in page.get_text()
    assert "Un guichet unique." in page.get_text()
    link = page.select_one(".read-original a")
    assert link["href"] == "https://www.lyon.fr/actualite/1"


def test_a_full_text_source_shows_the_body(publish_article, html):
    article = publish_article(
        title="Lyon ouvre un second guichet",
        office="par",
        locale="fr",
        summary="Un second guichet.",
        body="<p>Le texte intégral du second guichet.</p>",
        source_url="https://www.lyon.fr/actualite/2",
    )
    _item_for(article, Source.Republish.FULL)
    assert "Le texte intégral du second guichet." in html(article.url).get_text()
