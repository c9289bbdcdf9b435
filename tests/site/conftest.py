"""Fixtures for the site checks: the built site, a loopback HTTP server, headless Chromium.

The site is ``$ARENA_SITE_DIR`` (default ``_build/html``, what ``make book`` writes). Chromium is
Debian's (``/usr/bin/chromium``), driven by Playwright, which must never download a browser.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sitecheck import missing_site_message, site_path

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site; fails (never skips) when it has not been built."""
    site = site_path()
    if not (site / "index.html").is_file():
        pytest.fail(missing_site_message(site), pytrace=False)
    return site


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="session")
def site_url(site_dir: Path) -> Iterator[str]:
    """Serve the site on 127.0.0.1 (loopback only, free port) from a background thread."""
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the whole session (Debian's binary; nothing is downloaded)."""
    executable = next((c for c in CHROMIUM_CANDIDATES if os.access(c, os.X_OK)), None)
    if executable is None:
        pytest.fail(
            "Chromium not found at /usr/bin/chromium: run `make browser` "
            "(apt-get install -y chromium) to run the site tests.",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: run `make setup` (dev extra).", pytrace=False)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


TIMEOUT_MS = 15_000
# Sphinx 7 adds sphinx-thebe's inline config script twice (fixed upstream: sphinx-doc/sphinx#13402), so the
# second `const` declaration throws. Harmless here: thebe is off. Only this exact message is allowed.
KNOWN_JS_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)


@dataclass
class Visit:
    """A page in a fresh browser context that only reaches the loopback server."""

    page: object
    base: str
    external: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    scheme: str = "light"

    def open(self, path: str, wait_until: str = "load") -> None:
        response = self.page.goto(f"{self.base}/{path}", wait_until=wait_until)
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"

    def wait(self, locator, what: str, state: str = "visible") -> None:
        """Wait for ``locator``; on timeout fail with ``what`` and any JS errors or blocked URLs."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            locator.wait_for(state=state)
        except PlaywrightTimeout:
            pytest.fail(
                f"{what} (waited {TIMEOUT_MS / 1000:.0f} s on {self.page.url}); "
                f"JS errors: {self.js_errors}; blocked external URLs: {self.external}; "
                f"failed local requests: {self.http_errors}",
                pytrace=False,
            )

    def assert_clean(self) -> None:
        assert not self.external, (
            "the site requested external URLs (it must render offline; serve assets locally):\n  "
            + "\n  ".join(sorted(set(self.external)))
        )
        assert not self.http_errors, "local requests failed:\n  " + "\n  ".join(self.http_errors)
        js_errors = [e for e in self.js_errors if e not in KNOWN_JS_ERRORS]
        assert not js_errors, "JavaScript errors:\n  " + "\n  ".join(js_errors)


def _visit(browser, site_url, **context_options):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, service_workers="block", **context_options
    )
    v = Visit(page=None, base=site_url)

    def route(r):
        url = r.request.url
        if url == site_url or url.startswith(site_url + "/") or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            v.external.append(url)
            r.abort()

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            v.http_errors.append(f"{response.status} {response.url}")

    context.route("**/*", route)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("response", on_response)
    page.on("pageerror", lambda exc: v.js_errors.append(str(exc)))
    v.page = page
    return context, v


@pytest.fixture
def visit(browser, site_url):
    """A fresh browser context (light scheme) that reaches only the loopback server."""
    context, v = _visit(browser, site_url, color_scheme="light")
    try:
        yield v
    finally:
        context.close()


@pytest.fixture(params=["light", "dark"])
def visit_scheme(request, browser, site_url):
    """The same, once with the light and once with the dark colour scheme."""
    context, v = _visit(browser, site_url, color_scheme=request.param)
    v.scheme = request.param
    try:
        yield v
    finally:
        context.close()
