"""Sphinx extension for arena-book pages.

Section pages are written once (see ``tools/authoring.py``): a code cell tagged ``exercise``
holds the reference solution. Before MyST-NB parses a section page, this extension rewrites it so
that the reader first sees the *stub* (derived from the solution by the same code that writes the
learner kit) and the solution itself is folded behind "Show solution".
"""

from __future__ import annotations

import shutil
import sys
from importlib import metadata
from pathlib import Path

import jupytext

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from authoring import is_section_file, page_notebook  # noqa: E402


def _rewrite_section(app, docname: str, source: list[str]) -> None:
    path = Path(app.env.doc2path(docname))
    if not is_section_file(path) or "exercise" not in source[0]:
        return
    section_id = path.name.split("_", 1)[0]
    nb = jupytext.reads(source[0], fmt="md:myst")
    source[0] = jupytext.writes(page_notebook(nb, section_id), fmt="md:myst")


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
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
