"""Fixtures for the site checks: the built site, a loopback HTTP server, headless Chromium.

The site is ``$ARENA_SITE_DIR`` (default ``_build/html``, what ``make book`` writes). Chromium is
Debian's (``/usr/bin/chromium``), driven by Playwright, which must never download a browser.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sitecheck import TIMEOUT_MS, Visit, missing_site_message, site_path

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


@pytest.fixture
def visit_with(browser, site_url):
    """A factory: ``visit_with(permissions=[...])`` gives a Visit in a context with those options."""
    contexts = []

    def make(**context_options) -> Visit:
        context, v = _visit(browser, site_url, **context_options)
        contexts.append(context)
        return v

    try:
        yield make
    finally:
        for context in contexts:
            context.close()
