"""The organisation's reference data: offices, regions, countries, topics.

The offices are those of ../shared/glossary/README.md; the regions are a
starting point that the organisation refines in the admin.
"""

from typing import NamedTuple


class RegionData(NamedTuple):
    code: str
    name_ja: str
    name_en: str
    countries: tuple[tuple[str, str, str], ...]  # (ISO code, ja, en)


class OfficeData(NamedTuple):
    code: str
    name_ja: str
    name_en: str
    city_ja: str
    city_en: str
    time_zone: str
    working_languages: tuple[str, ...]
    regions: tuple[str, ...]


REGIONS: tuple[RegionData, ...] = (
    RegionData(
        "north-america",
        "北米",
        "North America",
        (
            ("US", "アメリカ合衆国", "United States"),
            ("CA", "カナダ", "Canada"),
        ),
    ),
    RegionData(
        "latin-america",
        "中南米",
        "Latin America",
        (
            ("MX", "メキシコ", "Mexico"),
            ("BR", "ブラジル", "Brazil"),
            ("AR", "アルゼンチン", "Argentina"),
            ("CL", "チリ", "Chile"),
            ("PE", "ペルー", "Peru"),
        ),
    ),
    RegionData(
        "uk-ireland",
        "英国・アイルランド",
        "United Kingdom and Ireland",
        (
            ("GB", "英国", "United Kingdom"),
            ("IE", "アイルランド", "Ireland"),
        ),
    ),
    RegionData(
        "nordic-baltic",
        "北欧・バルト",
        "Nordic and Baltic countries",
        (
            ("SE", "スウェーデン", "Sweden"),
            ("NO", "ノルウェー", "Norway"),
            ("DK", "デンマーク", "Denmark"),
            ("FI", "フィンランド", "Finland"),
            ("IS", "アイスランド", "Iceland"),
            ("EE", "エストニア", "Estonia"),
            ("LV", "ラトビア", "Latvia"),
            ("LT", "リトアニア", "Lithuania"),
        ),
    ),
    RegionData(
        "continental-europe",
        "欧州大陸",
        "Continental Europe",
        (
            ("FR", "フランス", "France"),
            ("DE", "ドイツ", "Germany"),
            ("IT", "イタリア", "Italy"),
            ("ES", "スペイン", "Spain"),
            ("NL", "オランダ", "Netherlands"),
            ("BE", "ベルギー", "Belgium"),
            ("AT", "オーストリア", "Austria"),
            ("CH", "スイス", "Switzerland"),
            ("PT", "ポルトガル", "Portugal"),
            ("PL", "ポーランド", "Poland"),
        ),
    ),
    RegionData(
        "south-east-asia",
        "東南アジア",
        "South-East Asia",
        (
            ("SG", "シンガポール", "Singapore"),
            ("MY", "マレーシア", "Malaysia"),
            ("TH", "タイ", "Thailand"),
            ("ID", "インドネシア", "Indonesia"),
            ("PH", "フィリピン", "Philippines"),
            ("VN", "ベトナム", "Viet Nam"),
        ),
    ),
    RegionData("south-asia", "南アジア", "South Asia", (("IN", "インド", "India"),)),
    RegionData(
        "korea", "韓国", "Republic of Korea", (("KR", "大韓民国", "Republic of Korea"),)
    ),
    RegionData(
        "china-mongolia",
        "中国・モンゴル",
        "China and Mongolia",
        (
            ("CN", "中華人民共和国", "China"),
            ("MN", "モンゴル", "Mongolia"),
        ),
    ),
    RegionData(
        "oceania",
        "オセアニア",
        "Australia, New Zealand and the Pacific",
        (
            ("AU", "オーストラリア", "Australia"),
            ("NZ", "ニュージーランド", "New Zealand"),
            ("FJ", "フィジー", "Fiji"),
        ),
    ),
)

OFFICES: tuple[OfficeData, ...] = (
    OfficeData(
        "nyc",
        "ニューヨーク事務所",
        "New York Office",
        "ニューヨーク",
        "New York",
        "America/New_York",
        ("en", "es"),
        ("north-america", "latin-america"),
    ),
    OfficeData(
        "lon",
        "ロンドン事務所",
        "London Office",
        "ロンドン",
        "London",
        "Europe/London",
        ("en",),
        ("uk-ireland", "nordic-baltic"),
    ),
    OfficeData(
        "par",
        "パリ事務所",
        "Paris Office",
        "パリ",
        "Paris",
        "Europe/Paris",
        ("fr", "de", "it", "es"),
        ("continental-europe",),
    ),
    OfficeData(
        "sin",
        "シンガポール事務所",
        "Singapore Office",
        "シンガポール",
        "Singapore",
        "Asia/Singapore",
        ("en",),
        ("south-east-asia", "south-asia"),
    ),
    OfficeData(
        "sel",
        "ソウル事務所",
        "Seoul Office",
        "ソウル",
        "Seoul",
        "Asia/Seoul",
        ("ko",),
        ("korea",),
    ),
    OfficeData(
        "bjs",
        "北京事務所",
        "Beijing Office",
        "北京",
        "Beijing",
        "Asia/Shanghai",
        ("zh-hans",),
        ("china-mongolia",),
    ),
    OfficeData(
        "syd",
        "シドニー事務所",
        "Sydney Office",
        "シドニー",
        "Sydney",
        "Australia/Sydney",
        ("en",),
        ("oceania",),
    ),
)

# (slug, ja, en): the organisation's fields of work.
TOPICS: tuple[tuple[str, str, str], ...] = (
    (
        "economy-tourism",
        "海外経済活動・インバウンド観光",
        "Overseas economic activity and inbound tourism",
    ),
    ("multicultural", "多文化共生", "Multicultural coexistence"),
    ("jet", "JETプログラム", "The JET Programme"),
    ("exchange", "国際交流・姉妹都市", "International exchange and sister cities"),
    ("cooperation", "国際協力", "International cooperation"),
    ("disaster-safety", "防災・安全", "Disaster and safety"),
    ("policy-digital", "地方行政・デジタル", "Local government policy and digital"),
    ("other", "その他", "Other"),
)

# Titles of the structural pages in each locale.
HOME_TITLES = {
    "ja": "つなぐ",
    "en": "Tsunagu",
    "fr": "Tsunagu",
    "de": "Tsunagu",
    "es": "Tsunagu",
    "it": "Tsunagu",
    "ko": "츠나구",
    "zh-hans": "连接",
}
# The newsletter is in Japanese only: its archive has no translations.
NEWSLETTER_TITLE = "ニュースレター"
NEWS_TITLES = {
    "ja": "ニュース",
    "en": "News",
    "fr": "Actualités",
    "de": "Nachrichten",
    "es": "Noticias",
    "it": "Notizie",
    "ko": "뉴스",
    "zh-hans": "新闻",
}
