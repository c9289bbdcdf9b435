"""What a reader sees on every page: no machine paths or warnings, no widget output, readable
check output and hints in both colour schemes, no "Listing N" captions, outputs inside the text
column, copy buttons that leave out prompts, a favicon, a glossary and a real index.

The static checks read the built HTML; the others open it in headless Chromium (offline).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sitecheck import ROOT

from arena_check.kit.agentbench.shell import HOME as SHELL_HOME

pytestmark = pytest.mark.site

SECTION_PAGES = sorted(p.relative_to(ROOT).with_suffix(".html").as_posix() for p in ROOT.glob("book/*/[0-9]*.md"))
#: What must never be shown: the build machine's file system, or a Python warning. One home is
#: not the machine's: 4.5's sandboxed shell runs on an in-memory file system whose user lives in
#: ``kit.agentbench.shell.HOME`` (/home/user), and its transcripts are the lesson.
SANDBOX_HOME = re.escape(SHELL_HOME.strip("/").split("/")[-1])
MACHINE_PATH = re.compile(rf"(/tmp/|/home/(?!{SANDBOX_HOME}\b)|/root/|site-packages)")
WARNING_LINE = re.compile(r"^.*\b[A-Z]\w*Warning: .*$", re.M)
MIN_CONTRAST = 4.5  # WCAG AA for normal text


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).parts[0].startswith("_"))


class _OutputText(HTMLParser):
    """The text of every cell output (``div.cell_output``) of a page, one string per output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outputs: list[str] = []
        self._depth = 0  # >0 while inside a cell_output div (counting nested divs)

    def handle_starttag(self, tag, attrs):
        if tag != "div":
            return
        if self._depth:
            self._depth += 1
        elif "cell_output" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.outputs.append("")

    def handle_endtag(self, tag):
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.outputs[-1] += data


def _outputs(page: Path) -> list[str]:
    parser = _OutputText()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser.outputs


# ------------------------------------------------------------------------------------------
# Static: every page
# ------------------------------------------------------------------------------------------
def test_output_parser_finds_outputs(site_dir):
    """The parser the next test relies on must see the 0.0 page's check outputs."""
    outputs = _outputs(site_dir / SECTION_PAGES[0])
    assert sum("checks passed" in o for o in outputs) >= 10, "cell outputs not found: parser out of date?"


def test_no_page_shows_a_machine_path_or_a_warning(site_dir):
    problems = []
    for page in _pages(site_dir):
        for text in _outputs(page):
            for m in MACHINE_PATH.finditer(text):
                line = text[text.rfind("\n", 0, m.start()) + 1 : text.find("\n", m.end())]
                problems.append(f"{page.relative_to(site_dir)}: path of the build machine: {line.strip()[:160]}")
            for m in WARNING_LINE.finditer(text):
                problems.append(f"{page.relative_to(site_dir)}: a warning: {m[0].strip()[:160]}")
    assert not problems, "pages show what only the build machine should see:\n  " + "\n  ".join(problems)


def test_no_code_block_is_numbered(site_dir):
    numbered = [p.relative_to(site_dir).as_posix() for p in _pages(site_dir) if 'class="caption-number"' in p.read_text(encoding="utf-8")]
    assert not numbered, f"'Listing N' / 'Fig. N' captions on: {numbered}"


def test_ratings_read_as_text(site_dir):
    """Difficulty and importance are words and numbers; the dots are hidden from screen readers."""
    text = (site_dir / SECTION_PAGES[0]).read_text(encoding="utf-8")
    ratings = re.findall(r"difficulty ([1-5])/5 · <span[^>]*>[●○]{5}</span> importance ([1-5])/5", text)
    assert len(ratings) >= 10, "no 'difficulty N/5 · importance N/5' lines on the 0.0 page"
    assert "🔴" not in text and "🔵" not in text and "⏱" not in text, "emoji ratings are back"
    assert all('aria-hidden="true"' in s for s in re.findall(r'<span class="arena-rating[^>]*>', text))


def test_glossary_terms_are_linked_and_indexed(site_dir):
    section = (site_dir / SECTION_PAGES[0]).read_text(encoding="utf-8")
    linked = set(re.findall(r'href="[^"]*glossary\.html#(term-[^"]+)"', section))
    assert len(linked) >= 8, f"0.0 links only {len(linked)} glossary terms"
    glossary = (site_dir / "book" / "glossary.html").read_text(encoding="utf-8")
    defined = set(re.findall(r'<dt id="(term-[^"]+)"', glossary))
    assert linked <= defined, f"links to undefined terms: {linked - defined}"
    index = (site_dir / "genindex.html").read_text(encoding="utf-8")
    indexed = set(re.findall(r'glossary\.html#(term-[^"]+)"', index))
    assert defined and defined <= indexed, f"glossary terms missing from the index: {defined - indexed}"


def test_every_glossary_term_is_used_somewhere(site_dir):
    glossary = (site_dir / "book" / "glossary.html").read_text(encoding="utf-8")
    defined = set(re.findall(r'<dt id="(term-[^"]+)"', glossary))
    used: set[str] = set()
    for page in _pages(site_dir):
        if page.name not in ("glossary.html", "genindex.html"):
            used |= set(re.findall(r'glossary\.html#(term-[^"]+)"', page.read_text(encoding="utf-8")))
    assert defined - used == set(), f"glossary terms no page links to: {sorted(defined - used)}"


# ------------------------------------------------------------------------------------------
# In the browser
# ------------------------------------------------------------------------------------------
_CONTRAST_JS = """
els => els.filter(el => el.offsetParent !== null && el.innerText.trim()).map(el => {
  const parse = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const bg = parse(getComputedStyle(n).backgroundColor);
    if (bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
  }
  let base = [255, 255, 255];
  for (let i = layers.length - 1; i >= 0; i--) {
    const [r, g, b, a] = layers[i];
    base = [r * a + base[0] * (1 - a), g * a + base[1] * (1 - a), b * a + base[2] * (1 - a)];
  }
  const f = parse(getComputedStyle(el).color);
  const fg = [0, 1, 2].map(i => f[i] * f[3] + base[i] * (1 - f[3]));
  const lum = c => {
    const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(fg), lum(base)].sort((a, b) => b - a);
  return {ratio: (hi + 0.05) / (lo + 0.05), text: el.innerText.trim().slice(0, 60)};
})
"""

#: What a learner reads on a section page: check results, hints, the stub caption, ratings, tables.
READABLE = {
    "check output": ".cell.tag_check .cell_output pre",
    "hint title": "details.sd-dropdown > summary",
    "hint text": "details.sd-dropdown .sd-card-body p",
    "stub caption": "div.arena-stub .code-block-caption",
    "rating line": "blockquote p",
    "table cell": "article table td",
    "prose": "article section > p",
}


@pytest.mark.parametrize("page", SECTION_PAGES + ["book/intro.html", "book/1_transformer_interp/index.html"])
def test_text_contrast_in_both_schemes(visit_scheme, page):
    v = visit_scheme
    v.open(page, wait_until="networkidle")
    for details in v.page.locator("details.sd-dropdown").all()[:6]:  # open a few hints to measure them
        details.evaluate("d => d.open = true")
    low, measured = [], 0
    for what, selector in READABLE.items():
        results = v.page.locator(selector).evaluate_all(_CONTRAST_JS)
        measured += len(results)
        low += [f"{what} {r['ratio']:.2f}:1 «{r['text']}»" for r in results if r["ratio"] < MIN_CONTRAST]
    assert measured, f"{page}: nothing measured"
    assert not low, f"{page} ({v.scheme}): text below {MIN_CONTRAST}:1 contrast:\n  " + "\n  ".join(low[:15])
    v.assert_clean()


def test_check_output_is_measured_in_dark_mode(visit_scheme):
    """The contrast test must really see the dark theme (else it measures light twice)."""
    v = visit_scheme
    v.open(SECTION_PAGES[0], wait_until="networkidle")
    theme = v.page.evaluate("document.documentElement.dataset.theme")
    assert theme == v.scheme, f"expected the {v.scheme} theme, page shows {theme!r}"


@pytest.mark.parametrize("page", ["book/zoo.html", "book/organisms.html", *SECTION_PAGES])
def test_outputs_stay_inside_the_text_column(visit, page):
    visit.open(page)
    overflow = visit.page.evaluate(
        """() => {
          const col = document.querySelector("article").getBoundingClientRect();
          return [...document.querySelectorAll("div.cell_output pre, div.cell_output img")]
            .filter(el => el.getBoundingClientRect().right > col.right + 1 || el.scrollWidth > el.clientWidth + 1)
            .map(el => el.innerText ? el.innerText.slice(0, 60) : el.getAttribute("src"));
        }"""
    )
    assert not overflow, f"{page}: {len(overflow)} outputs run past the text column: {overflow[:5]}"


def test_copying_a_console_block_leaves_out_the_prompt(visit_with):
    v = visit_with(permissions=["clipboard-read", "clipboard-write"])
    v.open(SECTION_PAGES[0], wait_until="networkidle")
    block = v.page.locator("div.highlight-console").first
    assert "$ arena-check" in block.inner_text()
    block.hover()
    block.locator("button.copybtn").click()
    copied = v.page.evaluate("navigator.clipboard.readText()")
    assert copied.strip().startswith("arena-check "), f"copied {copied!r}"
    assert "$ " not in copied


def test_favicon_is_served(visit):
    visit.open("book/intro.html")
    href = visit.page.locator("link[rel~='icon']").first.evaluate("l => l.href")
    response = visit.page.request.get(href)
    assert response.ok and b"<svg" in response.body(), href
    visit.assert_clean()


#: Symbols that need an emoji font: a machine without one shows boxes. The execution-status table
#: (generated by myst-nb) is the one page allowed them.
EMOJI = re.compile("[\u2705\u23f1\u26aa\U0001f300-\U0001faff]")


def test_no_page_needs_an_emoji_font(site_dir):
    found = []
    for page in _pages(site_dir):
        if page.relative_to(site_dir).as_posix() == "book/status.html":
            continue
        text = re.sub(r"<script\b.*?</script>", "", page.read_text(encoding="utf-8"), flags=re.S)
        article = re.search(r"<article\b.*?</article>", text, flags=re.S)
        for m in EMOJI.finditer(article[0] if article else ""):
            found.append(f"{page.relative_to(site_dir)}: {m[0]!r}")
    assert not found, "emoji that render as boxes without an emoji font:\n  " + "\n  ".join(sorted(set(found))[:20])
