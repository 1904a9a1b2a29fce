"""A handful of demo articles in several languages, written for this project.

Sources point at the governments' own sites; the texts are ours.
"""

from typing import NamedTuple


class DemoArticle(NamedTuple):
    office: str
    locale: str
    slug: str
    title: str
    summary: str
    body: str
    topics: tuple[str, ...]
    countries: tuple[str, ...]
    source_name: str
    source_url: str
    jurisdiction: str
    days_ago: int


ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        office="par",
        locale="fr",
        slug="paris-accueil-nouveaux-arrivants",
        title="Paris renforce l'accueil des nouveaux arrivants étrangers",
        summary=(
            "La Ville de Paris ouvre trois guichets multilingues pour aider les "
            "résidents étrangers dans leurs démarches administratives."
        ),
        body=(
            "<p>La Ville de Paris a annoncé l'ouverture de trois guichets "
            "multilingues dans les mairies d'arrondissement. Les agents "
            "accompagneront les nouveaux arrivants pour l'inscription scolaire, "
            "le logement et l'accès aux soins.</p>"
            "<h2>Un dispositif évalué en 2027</h2>"
            "<p>Le dispositif sera évalué après un an, avec les associations "
            "de quartier.</p>"
        ),
        topics=("multicultural",),
        countries=("FR",),
        source_name="Ville de Paris",
        source_url="https://www.paris.fr/",
        jurisdiction="Ville de Paris",
        days_ago=1,
    ),
    DemoArticle(
        office="par",
        locale="de",
        slug="berlin-staedtepartnerschaften",
        title="Berlin stärkt seine Städtepartnerschaften in Asien",
        summary=(
            "Der Senat fördert Austauschprogramme für Schulen und Verwaltungen "
            "mit Partnerstädten in Asien."
        ),
        body=(
            "<p>Der Berliner Senat stellt neue Mittel für Austauschprogramme "
            "bereit. Schulen und Bezirksverwaltungen können gemeinsame Projekte "
            "mit Partnerstädten beantragen.</p>"
        ),
        topics=("exchange",),
        countries=("DE",),
        source_name="Land Berlin",
        source_url="https://www.berlin.de/",
        jurisdiction="Land Berlin",
        days_ago=2,
    ),
    DemoArticle(
        office="lon",
        locale="en",
        slug="manchester-flood-resilience",
        title="Manchester publishes a flood resilience strategy",
        summary=(
            "The city council sets out how neighbourhoods, schools and care homes "
            "will prepare for heavier rainfall."
        ),
        body=(
            "<p>Manchester City Council has published a ten-year flood "
            "resilience strategy. It maps the streets most at risk and sets up "
            "a volunteer network to check on vulnerable residents during "
            "warnings.</p>"
        ),
        topics=("disaster-safety",),
        countries=("GB",),
        source_name="Manchester City Council",
        source_url="https://www.manchester.gov.uk/",
        jurisdiction="Manchester City Council",
        days_ago=3,
    ),
    DemoArticle(
        office="nyc",
        locale="en",
        slug="nyc-digital-services",
        title="New York City expands multilingual digital services",
        summary=(
            "Residents can now request more city services online in ten "
            "languages, including Japanese."
        ),
        body=(
            "<p>New York City has added Japanese and six other languages to its "
            "online service portal. Forms for permits, complaints and benefits "
            "are translated by professional translators.</p>"
        ),
        topics=("policy-digital", "multicultural"),
        countries=("US",),
        source_name="City of New York",
        source_url="https://www.nyc.gov/",
        jurisdiction="City of New York",
        days_ago=4,
    ),
    DemoArticle(
        office="sel",
        locale="ko",
        slug="seoul-multicultural-families",
        title="서울시, 다문화가족 지원 확대",
        summary="서울시는 다문화가족을 위한 한국어 교육과 상담 서비스를 확대한다.",
        body=(
            "<p>서울시는 내년부터 다문화가족지원센터의 상담 인력을 늘리고, "
            "자치구별 한국어 교육 과정을 확대한다고 밝혔다.</p>"
        ),
        topics=("multicultural",),
        countries=("KR",),
        source_name="서울특별시",
        source_url="https://www.seoul.go.kr/",
        jurisdiction="서울특별시",
        days_ago=2,
    ),
    DemoArticle(
        office="bjs",
        locale="zh-hans",
        slug="beijing-international-exchange",
        title="北京市推出国际交流合作新举措",
        summary="北京市将支持区县与海外友好城市开展青少年交流。",
        body=(
            "<p>北京市人民政府宣布，将支持各区与海外友好城市开展青少年交流和"
            "文化活动。</p>"
        ),
        topics=("exchange",),
        countries=("CN",),
        source_name="北京市人民政府",
        source_url="https://www.beijing.gov.cn/",
        jurisdiction="北京市",
        days_ago=5,
    ),
    DemoArticle(
        office="syd",
        locale="en",
        slug="nsw-jet-alumni",
        title="New South Wales launches a JET alumni network",
        summary=(
            "Former JET participants will help schools build links with Japanese "
            "municipalities."
        ),
        body=(
            "<p>The New South Wales Government is launching a network of JET "
            "Programme alumni who will mentor teachers planning school exchanges "
            "with Japan.</p>"
        ),
        topics=("jet", "exchange"),
        countries=("AU",),
        source_name="NSW Government",
        source_url="https://www.nsw.gov.au/",
        jurisdiction="New South Wales",
        days_ago=6,
    ),
    DemoArticle(
        office="sin",
        locale="en",
        slug="singapore-tourism-data",
        title="Singapore pilots a tourism data platform for regions",
        summary=(
            "The platform shares visitor statistics with towns to plan services "
            "for inbound tourists."
        ),
        body=(
            "<p>Singapore's tourism board is piloting a data platform that "
            "shares anonymised visitor statistics with local partners.</p>"
        ),
        topics=("economy-tourism",),
        countries=("SG",),
        source_name="Singapore Tourism Board",
        source_url="https://www.stb.gov.sg/",
        jurisdiction="Singapore",
        days_ago=7,
    ),
    DemoArticle(
        office="sel",
        locale="ja",
        slug="korea-tabunka-kyosei-report",
        title="韓国の自治体に見る多文化共生の取り組み",
        summary="ソウル事務所が、韓国の自治体による多文化共生施策をまとめました。",
        body=(
            "<p>韓国では多くの自治体が多文化家族支援センターを設け、"
            "言語教育や生活相談を行っています。本レポートでは、ソウル市と"
            "京畿道の事例を紹介します。</p>"
            "<h2>日本の自治体への示唆</h2>"
            "<p>相談窓口の多言語化と、地域住民との交流事業の組み合わせが"
            "効果を上げています。</p>"
        ),
        topics=("multicultural",),
        countries=("KR",),
        source_name="",
        source_url="",
        jurisdiction="",
        days_ago=1,
    ),
)

# A Japanese translation, reviewed and published, of the Manchester article.
REVIEWED_TRANSLATION = {
    "source_slug": "manchester-flood-resilience",
    "title": "マンチェスター市、洪水への備えに関する戦略を公表",
    "summary": (
        "市議会は、豪雨の増加に備え、地域・学校・介護施設がどう備えるかを示しました。"
    ),
    "body": (
        "<p>マンチェスター市議会は、10年間の洪水対策戦略を公表しました。"
        "浸水の危険が高い通りを地図に示し、警報時に支援が必要な住民を"
        "見守るボランティアの仕組みを設けます。</p>"
    ),
}
