"""Demo sources that work offline: the bundled feeds in demo_feeds/, served by
`manage.py serve_demo_sources` (started by make run) on 127.0.0.1:8001."""

from cms.models import Country, Office

from .models import Source

DEMO_SOURCES_BASE = "http://127.0.0.1:8001"

# (office, name, file, kind, language, country, city, extra fields)
DEMO_SOURCES: tuple[tuple[str, str, str, str, str, str, str, dict], ...] = (
    ("par", "Ville de Paris (démo)", "paris-fr.xml", "rss", "fr", "FR", "Paris", {}),
    ("par", "Land Berlin (Demo)", "berlin-de.atom", "atom", "de", "DE", "Berlin", {}),
    (
        "lon",
        "Greater London Authority (demo)",
        "london-en.xml",
        "rss",
        "en",
        "GB",
        "London",
        {},
    ),
    ("sel", "서울특별시 (데모)", "seoul-ko.xml", "rss", "ko", "KR", "서울", {}),
    (
        "bjs",
        "北京市人民政府（演示）",
        "beijing-zh.xml",
        "rss",
        "zh-hans",
        "CN",
        "北京",
        {},
    ),
    (
        "nyc",
        "NYC Mayor's Office (demo)",
        "nyc-en.json",
        "json",
        "en",
        "US",
        "New York",
        {},
    ),
    (
        "sin",
        "Municipal Services Office (demo)",
        "singapore-en.rdf",
        "rdf",
        "en",
        "SG",
        "",
        {},
    ),
    (
        "syd",
        "City of Sydney media releases (demo)",
        "sydney-en.html",
        "html",
        "en",
        "AU",
        "Sydney",
        {
            "rule_item": "li.release",
            "rule_link": "a.release-link",
            "rule_title": "h2",
            "rule_date": "time",
            "rule_summary": "p.teaser",
            "fetch_full_article": True,
            "republish": Source.Republish.FULL,
        },
    ),
)


def demo_sources_ensure() -> list[str]:
    created = []
    offices = {office.code: office for office in Office.objects.all()}
    countries = {country.code: country for country in Country.objects.all()}
    for office, name, filename, kind, language, country, city, extra in DEMO_SOURCES:
        _source, was_created = Source.objects.get_or_create(
            office=offices[office],
            url=f"{DEMO_SOURCES_BASE}/{filename}",
            defaults={
                "name": name,
                "kind": kind,
                "language": language,
                "country": countries.get(country),
                "city": city,
                "fetch_interval_minutes": 30,
                **extra,
            },
        )
        if was_created:
            created.append(f"demo source {filename}")
    return created
