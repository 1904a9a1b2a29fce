"""The main pages in headless Chromium, at a phone's width and a desktop's.

Each page must load without a console error or a failed request, link only to
same-site pages that answer below 400 (and to anchors that exist), fit the
phone's width without scrolling sideways, and pass axe-core with no serious or
critical violation. Screenshots land in var/test-artifacts/screenshots/.
"""

from urllib.parse import urldefrag, urlsplit

import pytest

from .conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PAGES = {
    "home-ja": "/",
    "office-ja": "/lon/",
    "article-ja": "/lon/manchester-flood-resilience/",
    "article-fr": "/fr/par/paris-accueil-nouveaux-arrivants/",
    "topic-ja": "/news/topic/multicultural/",
    "search-ja": "/search/?q=多文化",
    "newsletter-ja": "/newsletter/",
    "digest-archive-ja": "/digest/",
}
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}
# Served through the page's own origin, so the site's Content-Security-Policy
# (scripts from 'self' only) stays on while axe runs.
AXE_PATH = "/__tests__/axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

# Same-site links already checked, across pages: url -> (status, body).
_checked: dict[str, tuple[int, str]] = {}


def _check_links(page, site_url: str) -> list[str]:
    """Every same-site <a href> answers below 400; a #fragment exists there."""
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    problems = []
    for href in sorted(set(hrefs)):
        if not href.startswith(site_url + "/"):
            continue  # other sites (sources' pages) are not ours to test
        url, fragment = urldefrag(href)
        if url not in _checked:
            response = page.request.get(url)
            _checked[url] = (response.status, response.text())
        status, body = _checked[url]
        if status >= 400:
            problems.append(f"{href}: {status}")
        elif fragment and f'id="{fragment}"' not in body:
            problems.append(f"{href}: no element with id {fragment!r}")
    return problems


def _format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']}"
            f" ({violation['helpUrl']})\n    " + "\n    ".join(targets)
        )
    return "\n".join(lines)


def _visit(browser, site_url: str, axe_source: str, name: str, width: str) -> list:
    """Load one page at one width and check it; returns axe's violations."""
    viewport_width, viewport_height = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": viewport_width, "height": viewport_height},
        locale="ja-JP",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: errors.append(f"request failed: {request.url}"),
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    page.route(
        f"{site_url}{AXE_PATH}",
        lambda route: route.fulfill(
            body=axe_source, content_type="application/javascript"
        ),
    )
    try:
        response = page.goto(site_url + PAGES[name], wait_until="load")
        assert response is not None and response.status == 200

        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)

        overflow = page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}"

        broken = _check_links(page, site_url)
        assert not broken, "broken links:\n" + "\n".join(broken)

        page.add_script_tag(url=AXE_PATH)
        results = page.evaluate(
            """tags => axe.run(document, {
                runOnly: {type: "tag", values: tags},
                resultTypes: ["violations"],
            })""",
            AXE_TAGS,
        )
        assert not errors, "\n".join(errors)
        return results["violations"]
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_in_a_real_browser(
    browser, site_url, axe_source, artifacts, name: str, width: str
):
    violations = browser.run(_visit, site_url, axe_source, name, width)
    artifacts[f"{name}-{width}"] = [
        {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"])}
        for v in violations
    ]
    if violations:
        print(f"axe on {name} at {width}:\n{_format_violations(violations)}")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, (
        f"axe-core: serious or critical violations on {name} at {width}:\n"
        + _format_violations(failing)
    )


def _keyboard(browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        page.goto(site_url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link"
        # Visible once focused, not left off-screen.
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0
        page.keyboard.press("Enter")
        assert urlsplit(page.url).fragment == "main"
        assert page.evaluate("document.activeElement.id") == "main"
        # The next Tab goes into the content, past the header.
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.getElementById('main').contains(document.activeElement)"
        )
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus(browser, site_url):
    browser.run(_keyboard, site_url)


def _heading_fonts(browser, site_url: str) -> set[str]:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site_url + "/")
        client = context.new_cdp_session(page)
        client.send("DOM.enable")
        client.send("CSS.enable")
        root = client.send("DOM.getDocument")["root"]["nodeId"]
        node = client.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})
        fonts = client.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
        return {font["familyName"] for font in fonts["fonts"]}
    finally:
        context.close()


def test_japanese_text_is_drawn_with_a_japanese_font(browser, site_url):
    """fonts-noto-cjk gives Chromium Japanese glyphs (no tofu boxes)."""
    families = browser.run(_heading_fonts, site_url)
    assert any("CJK" in family or "JP" in family for family in families), (
        f"no Japanese font drew the heading ({families}): is fonts-noto-cjk"
        " installed? `make browser-deps` installs it"
    )
