"""tools/preexecute.py: pages run side by side, land in the build's cache under the build's key.

A tiny book in a temporary folder has a Sphinx extension that rewrites pages on ``source-read``
(as ``book/_ext/arena_book.py`` does for section pages): a page read without the rewrite cannot
even run. Two of its pages wait for each other (a barrier), so they pass only if executed at the
same time. Then ``jupyter-book build`` must execute nothing and show their run times.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREEXECUTE = ROOT / "tools" / "preexecute.py"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
CONFIG = """\
title: tiny
only_build_toc_files: true
exclude_patterns: [_build]
execute:
  execute_notebooks: cache
  timeout: 60
  allow_errors: false
  raise_on_error: true
sphinx:
  local_extensions:
    rewrite: _ext
"""
# Replaces a name the pages use with a literal: without the rewrite a page raises NameError.
REWRITE_EXT = """\
from sphinx.errors import ExtensionError


def _rewrite(app, docname, source):
    if "REFUSED_BY_EXTENSION" in source[0]:
        raise ExtensionError("this page breaks the format")
    source[0] = source[0].replace("REWRITTEN_BY_EXTENSION", "'rewritten'")


def setup(app):
    app.connect("source-read", _rewrite)
    return {"parallel_read_safe": True}
"""


BARRIER_PAGE = HEADER + textwrap.dedent(
    """\
    # Page @ME@

    ```{code-cell} ipython3
    import os, pathlib, time

    assert REWRITTEN_BY_EXTENSION == "rewritten"
    here = pathlib.Path.cwd()
    print("cwd", here.name, "OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS"))
    (here / "@ME@.started").touch()
    deadline = time.monotonic() + 40
    while not (here / "@OTHER@.started").exists():
        assert time.monotonic() < deadline, "page @OTHER@ never ran alongside page @ME@"
        time.sleep(0.05)
    ```

    ```{code-cell} ipython3
    @TORCH@print("done @ME@")
    ```
    """
)


def _barrier_page(me: str, other: str, torch_threads: bool) -> str:
    """A page that returns only once ``other`` has started too, in the same folder (its cwd)."""
    threads = "import torch\nprint('torch threads', torch.get_num_threads())\n"
    return (
        BARRIER_PAGE.replace("@OTHER@", other)
        .replace("@ME@", me)
        .replace("@TORCH@", threads if torch_threads else "")
    )


def _write_book(root: Path, pages: dict[str, str]) -> None:
    """``pages``: docname under ``pages/`` -> text; plus intro, a status page and the extension."""
    (root / "_ext").mkdir(parents=True)
    (root / "_ext" / "rewrite.py").write_text(REWRITE_EXT)
    (root / "_config.yml").write_text(CONFIG)
    (root / "pages").mkdir()
    for name, text in pages.items():
        (root / "pages" / f"{name}.md").write_text(text)
    (root / "intro.md").write_text("# Tiny\n\nNo code on this page.\n")
    (root / "status.md").write_text("# Status\n\n```{nb-exec-table}\n```\n")
    chapters = "\n".join(f"  - file: pages/{n}" for n in [*pages, "status"]).replace(
        "pages/status", "status"
    )
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: intro\nchapters:\n{chapters}\n")


def _env() -> dict[str, str]:
    """The caller's environment minus thread pins: the pre-executor must set them itself."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    return {**env, "HF_HUB_OFFLINE": "1", "PYTHONHASHSEED": "0"}


def _preexecute(book: Path, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, str(PREEXECUTE), str(book), "--path-output", str(out), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=240)


def _listed(book: Path, out: Path) -> dict[str, tuple[str, str]]:
    """docname -> (key, state) from ``preexecute.py --list``."""
    run = _preexecute(book, out, "--list")
    assert run.returncode == 0, run.stderr
    return {d: (k, s) for d, k, s in (line.split("\t") for line in run.stdout.splitlines())}


def _cache_records(out: Path) -> dict[str, object]:
    from jupyter_cache import get_cache

    cache = get_cache(str(out / "_build" / ".jupyter_cache"))
    return {Path(r.uri).stem: r for r in cache.list_cache_records()}


def _outputs(out: Path, record) -> str:
    from jupyter_cache import get_cache

    nb = get_cache(str(out / "_build" / ".jupyter_cache")).get_cache_bundle(record.pk).nb
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    """A tiny book pre-executed with --jobs 2: (book, output folder, the pre-execute run)."""
    tmp = tmp_path_factory.mktemp("tiny")
    book, out = tmp / "book", tmp / "out"
    _write_book(
        book,
        {"a": _barrier_page("a", "b", torch_threads=True), "b": _barrier_page("b", "a", False)},
    )
    return book, out, _preexecute(book, out, "--jobs", "2")


def test_two_pages_execute_at_once_into_the_cache(tiny):
    book, out, run = tiny
    assert run.returncode == 0, f"pre-execute failed:\n{run.stderr}"
    records = _cache_records(out)
    assert set(records) == {"a", "b"}, f"cached: {sorted(records)}; log:\n{run.stderr}"
    threads = str(max(1, (os.cpu_count() or 1) // 2))
    for name, record in records.items():
        assert record.uri == str(book / "pages" / f"{name}.md")
        assert 0 < record.data["execution_seconds"] < 60
        text = _outputs(out, record)
        # cwd is the page's folder (myst-nb with execution_in_temp: false); threads are pinned
        assert f"cwd pages OMP_NUM_THREADS {threads}" in text, text
        assert f"done {name}" in text
    assert f"torch threads {threads}" in _outputs(out, records["a"])


def test_the_build_executes_nothing_and_shows_run_times(tiny):
    book, out, run = tiny
    assert run.returncode == 0, run.stderr
    build = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "--path-output", str(out), "-W", "-n"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=240,
    )
    log = build.stdout + build.stderr
    assert build.returncode == 0, log
    assert "Executing notebook" not in log, f"the build re-executed a page:\n{log}"
    assert len(re.findall(r"pages/[ab]\.md: Using cached notebook", log)) == 2, log
    status = (out / "_build" / "html" / "status.html").read_text(encoding="utf-8")
    rows = [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh].*?</t[dh]>", tr, re.S)
        ]
        for tr in re.findall(r"<tr.*?</tr>", status, re.S)
    ]
    header = next(r for r in rows if "Run Time (s)" in r)
    by_doc = {r[0]: dict(zip(header, r, strict=True)) for r in rows if r is not header}
    for name in ("a", "b"):
        assert f"pages/{name}" in by_doc, f"status page does not list pages/{name}: {rows}"
        assert 0 < float(by_doc[f"pages/{name}"]["Run Time (s)"]) < 60, by_doc


def test_a_changed_page_is_executed_again(tiny):
    """Pre-execution only adds cache entries: an edited page gets a new key, nothing stale."""
    book, out, _ = tiny
    cached_keys = {f"pages/{name}": r.hashkey for name, r in _cache_records(out).items()}
    page = book / "pages" / "b.md"
    original = page.read_text()
    try:
        page.write_text(original.replace('print("done b")', 'print("done b, edited")'))
        after = _listed(book, out)
    finally:
        page.write_text(original)
    assert after["pages/a"] == (cached_keys["pages/a"], "cached")
    assert after["pages/b"][1] == "to execute" and after["pages/b"][0] != cached_keys["pages/b"]


def test_a_failing_page_fails_with_its_error_and_is_not_cached(tmp_path):
    """allow_errors: false — the page's cell and error are printed, exit 1, nothing cached for it."""
    failing = HEADER + textwrap.dedent(
        """\
        # Broken

        ```{code-cell} ipython3
        print(REWRITTEN_BY_EXTENSION)
        raise ValueError("deliberate failure 4217")
        ```
        """
    )
    fine = HEADER + "# Fine\n\n```{code-cell} ipython3\nprint(REWRITTEN_BY_EXTENSION)\n```\n"
    refused = HEADER + "# Refused\n\n```{code-cell} ipython3\nREFUSED_BY_EXTENSION\n```\n"
    book, out = tmp_path / "book", tmp_path / "out"
    _write_book(book, {"broken": failing, "fine": fine, "refused": refused})
    run = _preexecute(book, out, "--jobs", "2")
    assert run.returncode == 1, run.stderr
    # a page the book's extension rejects is left to the build, which reports it in context
    assert "pages/refused: skipped (not read here (ExtensionError: this page breaks" in run.stderr
    assert "pages/broken: FAILED (CellExecutionError)" in run.stderr, run.stderr
    log = ANSI.sub("", run.stderr)
    assert 'raise ValueError("deliberate failure 4217")' in log  # the cell, then the error
    assert "ValueError: deliberate failure 4217" in log
    assert set(_cache_records(out)) == {"fine"}  # the other page still ran and is cached


def test_jobs_1_leaves_execution_to_the_build(tmp_path):
    book, out = tmp_path / "book", tmp_path / "out"
    _write_book(book, {"fine": HEADER + "# Fine\n\n```{code-cell} ipython3\n1\n```\n"})
    run = _preexecute(book, out, "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert not (out / "_build" / ".jupyter_cache").exists()


def test_section_pages_are_hashed_as_rewritten_by_the_book_extension(tmp_path):
    """In this book, the key of a section page is that of the rewritten page, not of its file."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import read_myst_markdown_notebook

    listed = _listed(ROOT, tmp_path)
    sections = sorted(ROOT.glob("book/*/[0-9]*.[0-9]*_*.md"))
    assert sections
    cache = get_cache(str(tmp_path / "raw"))
    for path in sections:
        doc = path.relative_to(ROOT).with_suffix("").as_posix()
        assert doc in listed, f"{doc} is not among the pages to pre-execute: {sorted(listed)}"
        raw = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
        assert listed[doc][0] != cache.create_hashed_notebook(raw)[1], (
            f"{doc}: pre-execute hashed the file as written, not as the build rewrites it"
        )
