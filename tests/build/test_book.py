"""The book's structure agrees with itself: curriculum map, _toc.yml, section files, built site.

The source checks need no build. The last two tests read the built site at ``$ARENA_SITE_DIR``
(default ``_build/html``) and fail with a hint to run ``make book`` when it is missing.
"""

from __future__ import annotations

import fnmatch
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import curriculum
import pytest
import yaml
from authoring import SECTION_FILE

ROOT = Path(__file__).resolve().parents[2]
PAGE_BUDGET_S = 120.0  # DESIGN §6: any page executes in ≤ 120 s
SOURCE_SUFFIXES = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}


def _toc_files() -> list[str]:
    """Every document in _toc.yml (root included, globs expanded), as repo-relative paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []
    all_docs = sorted(_docname(p) for p in (ROOT / "book").rglob("*.md"))

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(re.sub(r"\.(md|ipynb)$", "", str(node[key])))
            if "glob" in node:
                files.extend(d for d in all_docs if fnmatch.fnmatch(d, str(node["glob"])))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return files


def _section_files() -> dict[str, Path]:
    """Section id -> source file ``book/<chapter>/<id>_<slug>.md``."""
    found: dict[str, Path] = {}
    for path in sorted((ROOT / "book").glob("*/*.md")):
        m = SECTION_FILE.match(path.name)
        if m:
            assert m["id"] not in found, (
                f"two sources for section {m['id']}: {found[m['id']]}, {path}"
            )
            found[m["id"]] = path
    return found


def _docname(path: Path) -> str:
    return path.relative_to(ROOT).with_suffix("").as_posix()


def _discovered_docs() -> set[str]:
    """What Sphinx reads from the repo root, given _config.yml's exclude_patterns."""
    from jupyter_book.config import get_final_config
    from sphinx.project import Project

    config, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", sourcedir=ROOT, cli_config={"latex_individualpages": False}
    )
    return set(Project(str(ROOT), SOURCE_SUFFIXES).discover(config["exclude_patterns"]))


# ------------------------------------------------------------------------------------------
# Sources
# ------------------------------------------------------------------------------------------
def test_toc_entries_exist():
    missing = [
        f for f in _toc_files() if not any((ROOT / (f + s)).is_file() for s in SOURCE_SUFFIXES)
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_section_file_is_in_toc():
    toc = set(_toc_files())
    missing = [
        p.relative_to(ROOT).as_posix() for p in _section_files().values() if _docname(p) not in toc
    ]
    assert not missing, (
        f"section files missing from _toc.yml (they would silently not build): {missing}"
    )


def test_every_book_page_is_in_toc():
    """With only_build_toc_files a page left out of _toc.yml is silently dropped from the site."""
    toc = set(_toc_files())
    dropped = sorted(d for d in _discovered_docs() if d.startswith("book/") and d not in toc)
    assert not dropped, f"pages under book/ that are not in _toc.yml: {dropped}"


def test_sphinx_reads_nothing_outside_the_toc():
    """only_build_toc_files cannot exclude files in hidden folders (sphinx-external-toc's glob skips
    them), so e.g. .pytest_cache/README.md makes `-W` fail: "document isn't included in any toctree"."""
    toc = set(_toc_files())
    stray = sorted(
        d
        for d in _discovered_docs()
        if d not in toc and any(part.startswith(".") for part in d.split("/"))
    )
    assert not stray, (
        f"Sphinx would read these files and warn (the -W build fails): {stray}; "
        "add their folders to exclude_patterns in _config.yml"
    )


def test_curriculum_lists_every_written_section_and_no_page_twice():
    chapters = curriculum.load()
    written = {s.id: s for ch in chapters for s in ch.sections if s.status == "written"}
    assert set(written) == set(_section_files()), "curriculum.load() and the section files disagree"
    toc = set(_toc_files())
    for sid, entry in written.items():
        assert entry.docname == _docname(_section_files()[sid])
        assert entry.docname in toc, f"{sid}: its page is not in _toc.yml (a glob should cover it)"
        for p in entry.prerequisites:
            assert p in curriculum.sections_by_id(chapters), f"{sid}: unknown prerequisite {p}"
    ids = [s.id for ch in chapters for s in ch.sections]
    assert len(ids) == len(set(ids)), "a section id appears twice in the curriculum"
    for ch in chapters:
        assert ch.docname in toc, f"chapter {ch.id}: {ch.docname} not in _toc.yml"


def test_map_and_chapter_pages_use_the_generated_tables():
    """Tables typed by hand drift from the pages (a title once appeared three times); the intro
    and every chapter page must use the generated ones."""
    assert curriculum.has_markers((ROOT / "book" / "intro.md").read_text(encoding="utf-8"))
    for ch in curriculum.load():
        text = (ROOT / (ch.docname + ".md")).read_text(encoding="utf-8")
        assert f"```{{arena-chapter-table}} {ch.id}\n```" in text, f"{ch.docname}: no generated table"
        assert "| planned |" not in text and "✓ written" not in text, f"{ch.docname}: a hand-typed status"


def test_generated_map_has_a_row_per_section_with_links_for_written_ones():
    chapters = curriculum.load()
    table = curriculum.curriculum_map(chapters, "book/intro")
    for s in (s for ch in chapters for s in ch.sections):
        row = next((line for line in table.splitlines() if line.startswith(f"| {s.id} |")), None)
        assert row is not None, f"no row for {s.id}"
        if s.status == "written":
            assert f"</{s.docname}>`" in row and row.endswith("| ✓ written |"), row
        else:
            assert "{doc}" not in row and row.endswith("| planned |"), row


# ------------------------------------------------------------------------------------------
# Built site
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site_dir() -> Path:
    site = Path(os.environ.get("ARENA_SITE_DIR", ROOT / "_build" / "html")).resolve()
    if not (site / "index.html").is_file():
        pytest.fail(
            f"No built site at {site} (index.html missing): run `make book` first "
            "(or point ARENA_SITE_DIR at a built _build/html).",
            pytrace=False,
        )
    return site


class _Tables(HTMLParser):
    """Rows of cell texts of every <table> in a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_site_has_a_page_for_every_toc_entry(site_dir):
    missing = [f for f in _toc_files() if not (site_dir / f"{f}.html").is_file()]
    assert not missing, (
        f"{site_dir}: no HTML page for toc entries {missing} (rebuild with `make book`)"
    )


def test_status_page_lists_every_section_with_its_run_time(site_dir):
    status = site_dir / "book" / "status.html"
    assert status.is_file(), f"{status} missing"
    parser = _Tables()
    parser.feed(status.read_text(encoding="utf-8"))
    tables = [t for t in parser.tables if t and "Run Time (s)" in t[0]]
    assert len(tables) == 1, (
        "book/status.html: no execution table (is {nb-exec-table} still on the page?)"
    )
    header, *rows = tables[0]
    by_doc = {row[header.index("Document")]: dict(zip(header, row, strict=True)) for row in rows}
    toc = set(_toc_files())
    sections = [_docname(p) for p in _section_files().values() if _docname(p) in toc]
    assert sections, "no written sections in the toc"
    for doc in sections:
        assert doc in by_doc, (
            f"book/status.html does not list {doc} (was it executed?); rows: {sorted(by_doc)}"
        )
        row = by_doc[doc]
        assert row["Status"] == "✅", f"{doc}: execution status {row['Status']!r}"
        runtime = float(row["Run Time (s)"])
        assert 0 < runtime <= PAGE_BUDGET_S, f"{doc}: ran {runtime} s (budget {PAGE_BUDGET_S} s)"


def test_planned_chapters_say_so_in_the_sidebar(site_dir):
    """A chapter with no written section is "(planned)" in its title and so in the sidebar; one with
    a written section is not."""
    intro = (site_dir / "book" / "intro.html").read_text(encoding="utf-8")
    for ch in curriculum.load():
        link = re.search(rf'<a class="reference internal" href="[^"]*{re.escape(ch.folder)}/index.html">([^<]*)</a>', intro)
        assert link, f"sidebar has no link to chapter {ch.id}"
        assert link[1].endswith("(planned)") == ch.planned, f"chapter {ch.id} sidebar title: {link[1]!r}"
