"""A real browser against a live server holding the demo newsroom.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright's Python client,
axe-core from npm (``var/node``); ``make browser-deps`` installs both. A
missing piece fails the tests with what to run: it never skips them.

The server is Django's LiveServerThread (what pytest-django's ``live_server``
runs) started here rather than through that fixture: ``live_server`` makes a
test transactional, and a transactional test empties the database when it
ends, demo included. These tests only read, and use ``db`` like any other.
"""

import json
import os
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.test.testcases import LiveServerThread

from tests.conftest import PROJECT_DIR

CHROMIUM = Path(os.environ.get("TSUNAGU_CHROMIUM", "/usr/bin/chromium"))
AXE = PROJECT_DIR / "var" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_DIR / "var" / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# As the machine's notes say: without the background-networking flags Chromium
# keeps calling Google's hosts, which a closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_INSTALL = (
    "Run `make browser-deps` (as root it installs Debian's chromium and"
    " fonts-noto-cjk, and axe-core from npm into var/node)."
)


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}. {HOW_TO_INSTALL}")
    return AXE.read_text()


class BrowserThread:
    """Playwright's sync API in a thread of its own.

    Its event loop counts as running in the thread that started it, and
    Django refuses database work from a thread with a running loop; the
    tests' own thread keeps doing database work (transactions around each
    test), so the browser lives elsewhere and tests send it functions.
    """

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pw")
        self._playwright = None
        self.browser = None

    def start(self) -> None:
        from playwright.sync_api import sync_playwright

        def launch() -> None:
            self._playwright = sync_playwright().start()
            self.browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )

        self._executor.submit(launch).result()

    def run[T](self, function: Callable[..., T], *args: object) -> T:
        """``function(browser, *args)`` in the browser's thread; its result or
        its exception (a failed assertion) comes back here."""
        return self._executor.submit(function, self.browser, *args).result()

    def stop(self) -> None:
        def close() -> None:
            if self.browser is not None:
                self.browser.close()
            if self._playwright is not None:
                self._playwright.stop()

        self._executor.submit(close).result()
        self._executor.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserThread]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}. {HOW_TO_INSTALL}")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("The playwright package is missing: `make install` installs it.")
    thread = BrowserThread()
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """A live server for the session; requests read the committed demo data."""
    server = LiveServerThread("127.0.0.1", StaticFilesHandler)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    yield f"http://127.0.0.1:{server.port}"
    server.terminate()


@pytest.fixture(scope="session")
def artifacts() -> Iterator[dict[str, object]]:
    """Screenshots in var/test-artifacts/screenshots; axe's findings in a report."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {}
    yield report
    (ARTIFACTS / "axe-report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
