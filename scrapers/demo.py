"""Demo sources that work offline: the bundled feeds in demo_feeds/, served by
`manage.py serve_demo_sources` (started by make run) on DEMO_SOURCES_ADDR
(run_all --demo-sources-addr; 127.0.0.1:8001 by default)."""

from urllib.parse import urlsplit

from django.conf import settings

from cms.models import Country, Office
from cms.siteurl import addr_url

from .models import Source

# Hosts the demo feeds may have been served on before (another port).
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def demo_sources_base() -> str:
    return addr_url(settings.TSUNAGU_DEMO_SOURCES_ADDR)


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


def _demo_source_at(office: Office, filename: str) -> Source | None:
    """The office's demo source for this file on any loopback port: the
    demo server may have moved since it was made."""
    for source in Source.objects.filter(office=office, url__endswith=f"/{filename}"):
        parts = urlsplit(source.url)
        if parts.hostname in LOOPBACK_HOSTS and parts.path == f"/{filename}":
            return source
    return None


def demo_sources_ensure() -> list[str]:
    """Each demo source once, pointing at where the demo feeds are served
    now; a source made for another port is moved, never doubled."""
    changed = []
    base = demo_sources_base()
    offices = {office.code: office for office in Office.objects.all()}
    countries = {country.code: country for country in Country.objects.all()}
    for office, name, filename, kind, language, country, city, extra in DEMO_SOURCES:
        url = f"{base}/{filename}"
        source = _demo_source_at(offices[office], filename)
        if source is None:
            Source.objects.create(
                office=offices[office],
                url=url,
                name=name,
                kind=kind,
                language=language,
                country=countries.get(country),
                city=city,
                fetch_interval_minutes=30,
                **extra,
            )
            changed.append(f"demo source {filename}")
        elif source.url != url:
            source.url = url
            source.save(update_fields=["url"])
            changed.append(f"demo source {filename} moved to {base}")
    return changed
