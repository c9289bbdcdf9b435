"""The built site in headless Chromium, fully offline.

Every request that is not to the loopback server is aborted and recorded; each test asserts that
its pages asked for no external URL (no CDN script, font or image), that no local file was missing
(HTTP status >= 400) and that no JavaScript error was thrown. Run ``make book`` first, or point
``ARENA_SITE_DIR`` at a built ``_build/html``. Screenshots go to ``_build/screenshots/``
(``$ARENA_SCREENSHOT_DIR`` overrides); they are for humans and are not compared.
"""

from __future__ import annotations

import html
import json
import os
import re
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

import pytest
from sitecheck import ROOT, Visit, site_path

pytestmark = pytest.mark.site

INTRO = "book/intro.html"
SEARCH_WORD_PREFERENCE = ("einsum", "einops", "rearrange", "broadcasting")


def _section_page(section_id: str) -> str:
    """Site path of a section's page, from its source ``book/<chapter>/<id>_<slug>.md``."""
    sources = sorted(ROOT.glob(f"book/*/{section_id}_*.md"))
    assert sources, f"no source book/*/{section_id}_*.md"
    return sources[0].relative_to(ROOT).with_suffix(".html").as_posix()


SECTION = _section_page("0.0")


# ------------------------------------------------------------------------------------------
# (a) intro
# ------------------------------------------------------------------------------------------
def test_intro_renders_with_curriculum_map(visit):
    page = visit.page
    visit.open("index.html")  # etoc writes a redirect to the root page
    page.wait_for_url(f"**/{INTRO}")
    page.wait_for_load_state("load")
    assert "arena-book" in page.title()
    assert page.locator("article h1").first.inner_text().strip().startswith("arena-book")

    table = page.locator("article table").filter(has=page.locator("th", has_text="status"))
    assert table.count() == 1, "intro: expected one curriculum-map table (with a 'status' column)"
    row = table.locator("tbody tr").filter(
        has=page.locator("td:first-child", has_text=re.compile(r"^\s*0\.0\s*$"))
    )
    assert row.count() == 1, "intro: the curriculum map has no row for section 0.0"
    assert "✓ written" in row.locator("td").last.inner_text(), "intro: section 0.0 is not marked written"
    link = row.locator("td").nth(1).locator("a")
    assert link.count() == 1, "intro: the 0.0 row does not link to its page"
    assert link.evaluate("a => a.href").endswith(SECTION)
    visit.assert_clean()


# ------------------------------------------------------------------------------------------
# (b) section 0.0: executed outputs, plots, stubs, folded solutions
# ------------------------------------------------------------------------------------------
def test_section_page_has_outputs_plots_and_stubs(visit):
    page = visit.page
    visit.open(SECTION)
    article = page.locator("article")
    assert article.locator("h1").first.inner_text().strip().startswith("0.0")

    errors = article.locator(".output.traceback, .output.error")
    assert errors.count() == 0, (
        "0.0: a cell shows an error output:\n" + "\n".join(errors.all_text_contents())[:2000]
    )
    assert "Traceback (most recent call last)" not in article.text_content()

    check_outputs = article.locator(".cell.tag_check .cell_output").all_text_contents()
    assert check_outputs, "0.0: no check cell has output (did the page execute?)"
    for text in check_outputs:
        m = re.search(r"(\d+)/(\d+) checks passed", text)
        assert m and m[1] == m[2], f"0.0: a check cell did not pass every check:\n{text[:500]}"

    images = article.locator("img").evaluate_all(
        """async imgs => Promise.all(imgs.map(async img => {
            img.loading = "eager";
            try { await img.decode(); } catch (e) {}
            return {src: img.getAttribute("src"), width: img.naturalWidth,
                    plot: img.closest(".cell_output") !== null};
        }))"""
    )
    broken = [i["src"] for i in images if i["width"] == 0]
    assert not broken, f"0.0: images that did not load: {broken}"
    assert any(i["plot"] for i in images), "0.0: no plot (an <img> in a cell output) on the page"

    stubs = article.locator(".arena-stub")
    assert stubs.count() >= 1, "0.0: no exercise stub (code block with class arena-stub)"
    assert article.locator(".code-block-caption", has_text="Your task").count() == stubs.count()
    for text in stubs.all_inner_texts():
        assert "raise NotImplementedError" in text, (
            f"0.0: a stub has no NotImplementedError:\n{text}"
        )
    visit.assert_clean()


def test_section_solutions_are_folded_until_opened(visit):
    page = visit.page
    visit.open(SECTION)
    cells = page.locator("article .cell.tag_exercise")
    n = cells.count()
    assert n >= 1, "0.0: no exercise cells"
    assert n == page.locator("article .arena-stub").count(), (
        "0.0: exercises and stubs do not pair up"
    )
    for i in range(n):
        cell = cells.nth(i)
        assert cell.locator(".cell_input").count() == 1
        assert cell.locator("details .cell_input").count() == 1, (
            f"exercise {i + 1}: solution is not inside <details>"
        )
        details = cell.locator("details").filter(has=page.locator(".cell_input")).first
        assert details.get_attribute("open") is None, f"exercise {i + 1}: solution starts open"
        summary = details.locator("summary")
        assert summary.is_visible()
        assert summary.inner_text().strip() == "Show solution"
        code = details.locator(".cell_input")
        assert not code.is_visible(), f"exercise {i + 1}: solution code visible before opening"
        summary.click()
        code.wait_for(state="visible")
        assert details.get_attribute("open") is not None
        solution = code.inner_text()
        assert solution.strip(), f"exercise {i + 1}: empty solution"
        assert 'NotImplementedError("exercise:' not in solution, (
            f"exercise {i + 1}: the folded code is a stub"
        )
        assert summary.inner_text().strip() == "Hide solution"
    visit.assert_clean()


def _pages_with_math(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if 'class="math' in p.read_text(encoding="utf-8", errors="replace")
    )


def test_math_typesets_offline(visit, site_dir):
    pages = _pages_with_math(site_dir)
    assert pages, "no built page has math: is the dollarmath extension still on?"
    for path in pages:
        visit.open(path)
        visit.wait(
            visit.page.locator("mjx-container").first,
            f"{path}: MathJax did not typeset the page's math (is it served from _static/mathjax?)",
            state="attached",
        )
    visit.assert_clean()


# ------------------------------------------------------------------------------------------
# (c) exercise-kit downloads
# ------------------------------------------------------------------------------------------
def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # loopback server only
            assert r.status == 200, f"{url}: HTTP {r.status}"
            return r.read()
    except urllib.error.HTTPError as e:
        pytest.fail(f"download link {url}: HTTP {e.code}", pytrace=False)


def test_section_kit_downloads_resolve(visit):
    page = visit.page
    visit.open(SECTION)
    hrefs = sorted(
        set(
            page.locator("article a.download, article a[href*='_downloads/']").evaluate_all(
                "as => as.map(a => a.href)"
            )
        )
    )
    names = [PurePosixPath(h.split("#")[0].split("?")[0]).name for h in hrefs]
    assert any(n.endswith(".py") for n in names), f"0.0: no .py kit download link (found {names})"
    assert any(n.endswith(".ipynb") for n in names), (
        f"0.0: no .ipynb kit download link (found {names})"
    )
    stubbed_py = 0
    for href, name in zip(hrefs, names, strict=True):
        assert href.startswith(visit.base + "/"), f"download link leaves the site: {href}"
        body = _fetch(href)
        assert body.strip(), f"{name}: empty download"
        text = body.decode("utf-8")
        if name.endswith(".py"):
            has_stub = "raise NotImplementedError" in text
            stubbed_py += has_stub
            if "exercises" in name:
                assert has_stub, f"{name}: the learner kit has no stubs"
        elif name.endswith(".ipynb"):
            try:
                nb = json.loads(text)
            except json.JSONDecodeError as e:
                pytest.fail(f"{name}: not valid JSON ({e})", pytrace=False)
            assert nb.get("nbformat") == 4 and nb.get("cells"), f"{name}: not a notebook"
            if "exercises" in name:
                sources = "".join(
                    "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
                )
                assert "raise NotImplementedError" in sources, (
                    f"{name}: the notebook kit has no stubs"
                )
    assert stubbed_py, "0.0: no .py download contains `raise NotImplementedError`"
    visit.assert_clean()


# ------------------------------------------------------------------------------------------
# (d) search
# ------------------------------------------------------------------------------------------
def _prose_words(path: Path) -> set[str]:
    """Lower-case words of a page's article text, outside code blocks (what search indexes)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    m = re.search(r"<article\b.*?</article>", text, flags=re.S)
    text = re.sub(r"<pre\b.*?</pre>", " ", m[0] if m else "", flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return set(re.findall(r"[a-z]{5,}", text.lower()))


def _search_word(site: Path) -> str:
    """A word of the 0.0 page that no other page has (``einsum`` when it qualifies)."""
    mine = _prose_words(site / SECTION)
    others: set[str] = set()
    for p in site.rglob("*.html"):
        rel = p.relative_to(site).as_posix()
        if rel != SECTION and rel.startswith("book/"):
            others |= _prose_words(p)
    unique = mine - others
    for word in SEARCH_WORD_PREFERENCE:
        if word in unique:
            return word
    assert unique, "0.0: no word of its prose appears only on its page; cannot test search"
    return sorted(unique, key=lambda w: (-len(w), w))[0]


def _search(visit: Visit, query: str) -> tuple[str, list[str]]:
    visit.open(f"search.html?q={query}")
    summary = visit.page.locator("#search-results .search-summary")
    visit.wait(
        summary.filter(has_text=re.compile("Search finished|did not match")),
        f"search for {query!r} never finished",
    )
    hrefs = visit.page.locator("#search-results ul.search li a").evaluate_all(
        "as => as.map(a => a.href)"
    )
    return summary.inner_text(), hrefs


def test_search_finds_section_page(visit, site_dir):
    word = _search_word(site_dir)
    summary, hrefs = _search(visit, word)
    assert any(SECTION in h for h in hrefs), (
        f"search for {word!r} did not list {SECTION}: {summary} {hrefs}"
    )
    _, hrefs = _search(visit, "qzxjvwkplm")
    assert not hrefs, f"search for a nonsense word found pages: {hrefs}"
    visit.assert_clean()


# ------------------------------------------------------------------------------------------
# (e) screenshots for humans
# ------------------------------------------------------------------------------------------
def test_screenshots(visit):
    out = Path(os.environ.get("ARENA_SCREENSHOT_DIR", site_path().parent / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    for path in (INTRO, SECTION, "book/status.html"):
        visit.open(path, wait_until="networkidle")
        target = out / (PurePosixPath(path).stem + ".png")
        visit.page.screenshot(path=str(target), full_page=True)
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    visit.assert_clean()


# ------------------------------------------------------------------------------------------
# every page, offline
def _all_pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if not p.relative_to(site).parts[0].startswith("_")  # _static, _sources: not pages
    )


#: Output a static page cannot show offline: a Jupyter widget needs its JavaScript manager.
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_every_page_loads_offline_without_errors(visit, site_dir):
    """Any page, not only the ones the other tests open: no CDN script, no missing file, no JS error.

    The zoo page once pulled require.js and the widget manager from CDNs because one cell displayed
    an (empty) ipywidgets ``Output()``; only a test that opens every page catches the next one.
    """
    pages = _all_pages(site_dir)
    assert INTRO in pages and SECTION in pages, pages
    for path in pages:
        visit.open(path)
        if path == "index.html":  # a redirect page: let it finish before the next goto, which
            visit.page.wait_for_url(f"**/{INTRO}")  # it would otherwise interrupt (flaky "HTTP None")
            visit.page.wait_for_load_state("load")
        visit.assert_clean()
        source = (site_dir / path).read_text(encoding="utf-8", errors="replace")
        assert WIDGET_MIME not in source, (
            f"{path} has a Jupyter widget output, which does not render on a static offline page; "
            "make the cell print text instead (e.g. inspect_ai eval(..., display='log'))"
        )
