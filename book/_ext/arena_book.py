"""Sphinx extension for arena-book pages.

* Section pages are written once (see ``tools/authoring.py``): a code cell tagged ``exercise``
  holds the reference solution. Before MyST-NB parses a section page, this extension validates it
  (a typo in a tag fails the build, naming the file and line) and rewrites it with
  :func:`authoring.page_notebook`: the stub first, the solution folded behind "Show solution",
  generated check cells and kit links.
* The intro's curriculum map and each chapter page's table are generated from
  ``book/curriculum.yml`` and the section pages (``tools/curriculum.py``); a chapter with no
  written section is marked planned in its heading, and so in the sidebar.
* Code blocks are never numbered ("Listing 12" above every stub), whatever other extensions set.
"""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import curriculum  # noqa: E402
from authoring import AuthoringError, is_section_file, page_notebook, read_section  # noqa: E402
from sphinx.errors import SphinxError  # noqa: E402


class SectionFormatError(SphinxError):
    category = "arena-book section format error"


def _rewrite_section(app, docname: str, source: list[str]) -> None:
    """Section pages: validate, then show stubs, fold solutions, add checks and kit links.
    Pages with curriculum markers: fill in the generated tables."""
    path = Path(app.env.doc2path(docname))
    try:
        if is_section_file(path):
            source[0] = jupytext.writes(page_notebook(read_section(path)), fmt="md:myst")
        elif curriculum.has_markers(source[0]):
            chapters = curriculum.load()
            text = curriculum.expand_markers(source[0], docname, chapters)
            source[0] = curriculum.mark_planned_chapter(text, docname, chapters)
    except AuthoringError as e:
        raise SectionFormatError(str(e)) from None


def _generated_pages_are_outdated(app, env, added, changed, removed) -> list[str]:
    """Pages whose tables are generated from other pages: re-read them whenever anything changed
    (a section's summary lives in its own page, which Sphinx does not know the map depends on)."""
    if not (added or changed or removed):
        return []
    return [doc for doc in env.found_docs if curriculum.has_markers(Path(env.doc2path(doc)).read_text(encoding="utf-8"))]


def _no_code_block_numbers(app, config) -> None:
    """jupyter-book's LaTeX helper sets ``numfig`` on for every builder, which puts "Listing N"
    above each stub; the book numbers nothing."""
    config.numfig = False


def _mathjax_dir() -> Path | None:
    """MathJax 3 as shipped in the ``sphinx-mathjax-offline`` wheel (Apache-2.0).

    That package's own Sphinx extension cannot be imported (its folder name has hyphens), so we
    only borrow its copy of MathJax and serve it from the site: math renders with no network.
    """
    try:
        files = metadata.files("sphinx-mathjax-offline") or []
    except metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).endswith("static/mathjax/tex-chtml.js"):
            return Path(f.locate()).parent
    return None


def _use_local_mathjax(app, config) -> None:
    if _mathjax_dir() is not None:
        config.mathjax_path = "mathjax/tex-chtml.js"


def _copy_mathjax(app, exc) -> None:
    source = _mathjax_dir()
    if exc is not None or source is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    if (target / "tex-chtml.js").exists():
        return
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "tex-chtml.js", target / "tex-chtml.js")
    shutil.copytree(source / "output" / "chtml" / "fonts", target / "output" / "chtml" / "fonts", dirs_exist_ok=True)


def setup(app):
    app.connect("source-read", _rewrite_section)
    app.connect("env-get-outdated", _generated_pages_are_outdated)
    app.connect("config-inited", _no_code_block_numbers, priority=900)
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
