"""The book's structure agrees with itself: curriculum map, _toc.yml, section files, built site.

The source checks need no build. The last two tests read the built site at ``$ARENA_SITE_DIR``
(default ``_build/html``) and fail with a hint to run ``make book`` when it is missing.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from authoring import SECTION_FILE

ROOT = Path(__file__).resolve().parents[2]
PAGE_BUDGET_S = 120.0  # DESIGN §6: any page executes in ≤ 120 s
SOURCE_SUFFIXES = {".md": "myst-nb", ".ipynb": "myst-nb", ".rst": "restructuredtext"}
MAP_ROW = re.compile(
    r"^\|\s*(?P<id>\d+\.\d+)\s*\|(?P<section>[^|]*)\|(?P<what>[^|]*)\|(?P<status>[^|]*)\|\s*$"
)
DOC_ROLE = re.compile(r"\{doc\}`(?:[^`<]*<(?P<target>[^>`]+)>|(?P<bare>[^`]+))`")


def _toc_files() -> list[str]:
    """Every document in _toc.yml (root included), as repo-relative paths without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    files.append(re.sub(r"\.(md|ipynb)$", "", str(node[key])))
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


def _curriculum_map() -> dict[str, tuple[str, str]]:
    """Section id -> (section cell, status cell) from the table in book/intro.md."""
    rows: dict[str, tuple[str, str]] = {}
    for line in (ROOT / "book" / "intro.md").read_text(encoding="utf-8").splitlines():
        m = MAP_ROW.match(line.strip())
        if m:
            assert m["id"] not in rows, f"book/intro.md: section {m['id']} listed twice"
            rows[m["id"]] = (m["section"].strip(), m["status"].strip())
    assert rows, "book/intro.md: no curriculum-map rows (| id | section | what | status |) found"
    return rows


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


def test_curriculum_map_marks_exactly_the_written_sections():
    toc = set(_toc_files())
    written = {sid for sid, path in _section_files().items() if _docname(path) in toc}
    rows = _curriculum_map()
    marked = {sid for sid, (_, status) in rows.items() if "✅" in status}
    assert all(status == "✅ written" for sid, (_, status) in rows.items() if sid in marked), (
        "book/intro.md: a ✅ row's status should read '✅ written'"
    )
    assert not marked - written, (
        f"book/intro.md marks ✅ sections with no page in the toc: {sorted(marked - written)}"
    )
    assert not written - marked, (
        f"sections written and in the toc but not marked ✅ in book/intro.md: {sorted(written - marked)}"
    )


def test_curriculum_map_links_written_sections_to_their_pages():
    sections = _section_files()
    for sid, (cell, status) in _curriculum_map().items():
        if "✅" not in status:
            continue
        m = DOC_ROLE.search(cell)
        assert m, (
            f"book/intro.md: row {sid} is ✅ but does not link its page with {{doc}}: {cell!r}"
        )
        target = (ROOT / "book" / (m["target"] or m["bare"]).strip()).resolve()
        assert sid in sections and target == sections[sid].with_suffix("").resolve(), (
            f"book/intro.md: row {sid} links {target.relative_to(ROOT)}, not its section file"
        )


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
