"""Offline link check of the built site: every internal href/src points at something that exists.

Relative links (and root-relative ones) must resolve to a file in the site; a fragment must name an
``id`` (or ``name``) in the target page, including ``#frag`` links within a page. External
http(s) links are only collected, never fetched. Runs on ``$ARENA_SITE_DIR`` (default
``_build/html``); ``make linkcheck`` builds the book and runs this file.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sitecheck import missing_site_message, site_path

LINK_ATTRS = {"href", "src"}
SKIP_SCHEMES = {"mailto", "tel", "javascript", "data", "blob"}
EXTERNAL_SCHEMES = {"http", "https"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, int]] = []  # (attribute, value, line)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            # <link rel="preconnect"> and friends name hosts, not documents; <base> is not a link.
            if name in LINK_ATTRS and tag != "base":
                self.links.append((name, value.strip(), self.getpos()[0]))


@functools.cache
def _parse(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    collector.close()
    return collector


@dataclass
class LinkReport:
    pages: int = 0
    checked: int = 0
    broken: list[str] = field(default_factory=list)
    external: dict[str, set[str]] = field(default_factory=dict)  # url -> pages


def check_site(site: Path) -> LinkReport:
    report = LinkReport()
    for page in sorted(site.rglob("*.html")):
        rel_page = page.relative_to(site).as_posix()
        if rel_page.startswith("_static/"):
            continue  # theme assets (Jinja macro files copied verbatim), not pages
        report.pages += 1
        for attr, value, line in _parse(page).links:
            parts = urlsplit(value)
            scheme = parts.scheme.lower()
            if scheme in EXTERNAL_SCHEMES or value.startswith("//"):
                report.external.setdefault(value, set()).add(rel_page)
                continue
            if scheme in SKIP_SCHEMES or scheme:
                continue
            if value == "#" or (not parts.path and not parts.fragment):
                continue  # "#" alone toggles widgets; it names no target
            report.checked += 1
            where = f"{rel_page}:{line} {attr}={value!r}"
            if parts.path:
                path = unquote(parts.path)
                target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
                target = target.resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_relative_to(site):
                    report.broken.append(f"{where}: points outside the site ({target})")
                    continue
                if not target.is_file():
                    report.broken.append(
                        f"{where}: no such file {target.relative_to(site).as_posix()}"
                    )
                    continue
            else:
                target = page
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html" and fragment not in _parse(target).ids:
                report.broken.append(
                    f"{where}: no id {fragment!r} in {target.relative_to(site).as_posix()}"
                )
    return report


@pytest.fixture(scope="module")
def report() -> LinkReport:
    site = site_path()
    if not (site / "index.html").is_file():
        pytest.fail(missing_site_message(site), pytrace=False)
    return check_site(site)


def test_internal_links_resolve(report: LinkReport) -> None:
    assert report.pages > 1 and report.checked > 0, "the link check found nothing to check"
    assert not report.broken, f"{len(report.broken)} broken internal link(s):\n  " + "\n  ".join(
        report.broken
    )


def test_external_links_are_only_collected(report: LinkReport) -> None:
    """External links are listed (``pytest -rP`` shows them), never fetched; they must be well formed."""
    malformed = [
        url
        for url in report.external
        if not urlsplit(url if not url.startswith("//") else "https:" + url).netloc
    ]
    assert not malformed, f"malformed external links: {malformed}"
    for url, pages in sorted(report.external.items()):
        print(f"{url}  ({len(pages)} page(s), e.g. {sorted(pages)[0]})")
