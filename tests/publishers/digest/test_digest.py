"""The weekly issue: composed from the week's Japanese articles in sections
by region, rendered as HTML and text with no broken link and no image
without alt text."""

from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from cms.models import ArticlePage, DigestIssuePage, Region
from publishers.digest import (
    NEWSLETTER_TIME_ZONE,
    digest_compose,
    digest_email_render,
    urgent_email_render,
    week_start_of,
)

pytestmark = pytest.mark.django_db

WEEK = date(2026, 11, 16)  # a Monday
# Six regions, each with a country the demo data has, and an office.
REGION_COUNTRIES = [
    ("north-america", "US", "nyc"),
    ("uk-ireland", "GB", "lon"),
    ("continental-europe", "FR", "par"),
    ("south-east-asia", "SG", "sin"),
    ("korea", "KR", "sel"),
    ("oceania", "AU", "syd"),
]


def in_week(days: float) -> datetime:
    start = datetime.combine(WEEK, datetime.min.time(), NEWSLETTER_TIME_ZONE)
    return start + timedelta(days=days)


@pytest.fixture
def week_of_40(make_article) -> list[ArticlePage]:
    articles = []
    for n in range(40):
        region, country, office = REGION_COUNTRIES[n % 6]
        article = make_article(
            f"記事 {n:02d}: {region}の取り組み",
            office=office,
            locale="ja",
            summary=f"要約 {n}。<script>alert(1)</script> & 多文化共生",
            topics=(("multicultural", "exchange", "policy-digital")[n % 3],),
            countries=(country,),
            source_name=f"City {n}",
            source_url=f"https://city{n}.example.org/news/{n}",
        )
        ArticlePage.objects.filter(pk=article.pk).update(
            first_published_at=in_week(n / 6)
        )
        articles.append(article)
    # Outside the week: not in the issue.
    before = make_article("先週の記事", office="lon", locale="ja", countries=("GB",))
    ArticlePage.objects.filter(pk=before.pk).update(first_published_at=in_week(-1))
    return articles


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.images: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self.hrefs.append(attrs.get("href", ""))
        if tag == "img":
            self.images.append(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_a_weeks_issue_has_a_section_a_region(week_of_40):
    issue = digest_compose(week_start=WEEK)
    headings = [section.value["heading"] for section in issue.sections]
    order = {
        region.code: (region.sort_order, region.pk) for region in Region.objects.all()
    }
    expected = sorted((code for code, _c, _o in REGION_COUNTRIES), key=order.get)
    assert headings == [Region.objects.get(code=code).name_ja for code in expected]
    assert len(issue.articles()) == 40
    assert not issue.live  # a draft for the editors
    assert "40件" in issue.subject
    # Composing again returns the same issue, with the editors' changes.
    issue.intro = "<p>今週のまとめ</p>"
    issue.save_revision()
    again = digest_compose(week_start=WEEK + timedelta(days=3))
    assert again.pk == issue.pk
    assert DigestIssuePage.objects.count() == 1


def test_the_email_renders_with_no_broken_link_and_every_image_described(
    week_of_40, client
):
    issue = digest_compose(week_start=WEEK)
    issue.save_revision().publish()
    issue.refresh_from_db()
    email = digest_email_render(
        issue=issue, unsubscribe_url="http://127.0.0.1:8000/newsletter/u/x/"
    )
    parser = Links()
    parser.feed(email.html)
    assert all(image.get("alt") for image in parser.images)
    assert '<html lang="ja">' in email.html
    assert "<script>" not in email.html  # summaries are escaped
    assert "&lt;script&gt;" in email.html
    site_links = 0
    for href in parser.hrefs:
        parts = urlsplit(href)
        assert parts.scheme in ("http", "https"), href
        assert parts.netloc, href
        if parts.netloc == "127.0.0.1:8000" and "/newsletter/u/" not in parts.path:
            response = client.get(parts.path)
            assert response.status_code == 200, href
            site_links += 1
    assert site_links >= 42  # 40 articles, the web version, the site
    for article in week_of_40:
        assert article.title in email.text
        assert article.get_full_url() in email.text
    assert "配信を停止する: http://127.0.0.1:8000/newsletter/u/x/" in email.text
    for tag in ("<a ", "<p", "<td", "<br", "<h2"):  # plain text, no markup
        assert tag not in email.text


def test_corrections_and_withdrawals_of_the_week_are_listed(make_article, client):
    corrected = make_article("訂正された記事", office="par", locale="ja")
    corrected.correction = "金額を訂正しました。"
    corrected.save_revision().publish()
    withdrawn = make_article("取り下げた記事", office="par", locale="ja")
    withdrawn.unpublish()
    now = timezone.now()
    issue = digest_compose(week_start=week_start_of(now))
    listed = [block.value.pk for block in issue.corrections]
    assert set(listed) == {corrected.pk, withdrawn.pk}
    email = digest_email_render(issue=issue, unsubscribe_url="*|UNSUB|*")
    assert "金額を訂正しました。" in email.text
    assert "取り下げた記事（取り下げ）" in email.text
    assert withdrawn.get_full_url() not in email.html  # no link to a dead page


def test_an_urgent_article_renders_on_its_own(make_article):
    article = make_article(
        "豪雨による避難情報", office="syd", locale="ja", countries=("AU",)
    )
    email = urgent_email_render(article=article, unsubscribe_url="*|UNSUB|*")
    assert email.subject == "【緊急】豪雨による避難情報"
    assert article.get_full_url() in email.text
    assert "*|UNSUB|*" in email.html
    test = urgent_email_render(article=article, unsubscribe_url="x", test=True)
    assert test.subject.startswith("[テスト]")


def test_the_archive_lists_published_issues(week_of_40, client):
    issue = digest_compose(week_start=WEEK)
    archive = issue.get_parent()
    assert client.get(archive.url).status_code == 200
    assert issue.title not in client.get(archive.url).content.decode()
    issue.save_revision().publish()
    assert issue.title in client.get(archive.url).content.decode()
