"""Where the built site is (shared by the site fixtures, the site tests and the link check)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def site_path() -> Path:
    """``$ARENA_SITE_DIR`` or ``_build/html``: what ``make book`` writes."""
    return Path(os.environ.get("ARENA_SITE_DIR", ROOT / "_build" / "html")).resolve()


def missing_site_message(site: Path) -> str:
    return (
        f"No built site at {site} (index.html missing): run `make book` first "
        "(or point ARENA_SITE_DIR at a built _build/html)."
    )


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
