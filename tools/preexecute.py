#!/usr/bin/env python3
"""Execute the book's pages in parallel into the build's jupyter cache, before the build.

    python tools/preexecute.py --jobs 2                      # then: jupyter-book build .
    python tools/preexecute.py --jobs 2 --path-output /tmp/x # then: jupyter-book build . --path-output /tmp/x

Why: myst-nb executes pages one after another in the Sphinx process, and Sphinx cannot read in
parallel here (``sphinx_multitoc_numbering`` is not parallel-safe; jupyter-book never passes
``jobs``). With ``execute_notebooks: cache`` the build only executes a page whose key is missing
from ``<output>/_build/.jupyter_cache``, so executing the missing pages in N processes first, and
caching them exactly as myst-nb would, leaves the build nothing to execute.

Why the keys agree with the build's: this script does not re-implement what the build sees. It
starts the same Sphinx application ``jupyter-book build`` starts (same ``_config.yml``,
``_toc.yml``, output folder, extensions), lets Sphinx emit ``source-read`` for each page, so
``book/_ext/arena_book.py`` rewrites section pages by the very code the build runs (whatever that
code later adds to a page is hashed here too), reads the result with myst-nb's own reader and
configuration (kernel aliases and per-notebook overrides included) and asks jupyter-cache with
``match_cache_notebook``, the call myst-nb makes. Missing pages are executed with
``single_nb_execution``, the function myst-nb calls, with myst-nb's cwd (the page's folder unless
``execution_in_temp``), per-cell timeout and ``allow_errors``, and cached as myst-nb caches them
(source path as uri, ``execution_seconds`` for the status page). Each cached page is then matched
again, so a key the build would not find is an error here, not a silent serial build later.

The build stays the judge: pre-execution only adds cache entries. A page whose source changed
since has another key and the build executes it; a failing page is not cached, its traceback is
printed and the exit status is 1 (``make book`` stops there).

Each worker gets ``OMP_NUM_THREADS`` (and MKL/OpenBLAS) = cores // workers, so two pages running
side by side on 2 cores use one torch thread each (torch reads the variable at import), and a lone
page uses both. ``--jobs 1`` does nothing: the build executes serially as it always did.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@dataclass
class Page:
    """One page the build would execute, as myst-nb would see and run it."""

    docname: str
    path: Path
    notebook: Any  # nbformat.NotebookNode, after source-read and myst-nb's reader
    read_fmt: dict | None
    cwd: str | None  # None: a fresh temporary folder (execution_in_temp)
    timeout: int | None
    allow_errors: bool
    key: str = ""
    cached: bool = False


@dataclass
class Plan:
    """Where the build caches, and which of its pages are executed (cached or not)."""

    cache_path: Path
    pages: list[Page] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (docname, why)

    @property
    def pending(self) -> list[Page]:
        return [p for p in self.pages if not p.cached]


@dataclass
class Result:
    """What a worker sends back: the executed notebook, or why it failed."""

    docname: str
    notebook: Any
    seconds: float
    error: str | None = None  # exception class name
    traceback: str | None = None


# ------------------------------------------------------------------------------------------
# Planning: what the build will see
# ------------------------------------------------------------------------------------------
def _sphinx_app(source: Path, output: Path):
    """The Sphinx application ``jupyter-book build SOURCE --path-output OUTPUT`` creates.

    Mirrors ``jupyter_book.cli.main.build`` and ``jupyter_book.sphinx.build_sphinx`` up to (not
    including) ``app.build``: builder-inited has run, so myst-nb's configuration (cache path
    included) is final and every extension's ``source-read`` handler is connected.
    """
    from jupyter_book.cli.main import find_config_path
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx

    src = source.absolute()
    found_dir, has_config = find_config_path(src)
    build = output.absolute() / "_build"
    cli_config = {
        "external_toc_path": (src / "_toc.yml").as_posix(),
        "latex_individualpages": False,
        "nitpicky": True,
    }
    sphinx_config, _ = get_final_config(
        user_yaml=found_dir / "_config.yml" if has_config else None,
        cli_config=cli_config,
        sourcedir=src,
        use_external_toc=True,
    )
    return Sphinx(
        srcdir=str(src),
        confdir=None,
        outdir=str(build / "html"),
        doctreedir=str(build / ".doctrees"),
        buildername="html",
        confoverrides=sphinx_config,
        status=None,
        warning=sys.stderr,
        freshenv=True,
    )


def _read_page(app: Any, cache: Any, docname: str) -> Page | str | None:
    """``docname`` as the build will execute it; a reason string if the build will not; None if
    it is no notebook (plain Markdown, reStructuredText)."""
    import re

    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader, is_myst_markdown_notebook

    env = app.env
    nb_config, md_config = env.mystnb_config, env.myst_config
    path = Path(env.doc2path(docname))
    if app.config.source_suffix.get(path.suffix) != "myst-nb":
        return None
    text = [path.read_text(encoding=app.config.source_encoding)]
    plain = path.suffix == ".md" and ".md" not in nb_config.custom_formats
    if plain and not is_myst_markdown_notebook(text[0]):
        # Plain Markdown has no code to run. Not rewriting it here saves the book's extension
        # work it does on such pages (the curriculum tables); should a rewrite ever turn one into
        # a notebook, the build executes it as before.
        return None
    env.prepare_settings(docname)
    app.events.emit("source-read", docname, text)  # arena_book rewrites section pages here
    reader = create_nb_reader(str(path), md_config, nb_config, text[0])
    if reader is None:
        return None
    notebook = reader.read(text[0])
    # As myst_nb.sphinx_.Parser.parse: kernel aliases, then per-notebook overrides.
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel is not None and nb_config.kernel_rgx_aliases:
        for rgx, alias in nb_config.kernel_rgx_aliases.items():
            if re.fullmatch(rgx, kernel):
                notebook.metadata["kernelspec"]["name"] = alias
                break
    page_config = nb_config
    if nb_config.metadata_key in notebook.metadata:
        overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
        overrides.pop("output_folder", None)
        page_config = nb_config.copy(**overrides)
    # As myst_nb.core.execute.create_client and NotebookClientCache.start_client.
    posix = PurePosixPath(path.as_posix())
    excluded = [p for p in page_config.execution_excludepatterns if posix.match(p)]
    if excluded:
        return f"excluded by {excluded[0]!r}"
    if page_config.execution_mode != "cache":
        return f"execution_mode {page_config.execution_mode!r}"
    page = Page(
        docname=docname,
        path=path,
        notebook=notebook,
        read_fmt=reader.read_fmt,
        cwd=None if page_config.execution_in_temp else str(path.parent.absolute()),
        timeout=page_config.execution_timeout,
        allow_errors=page_config.execution_allow_errors,
        key=cache.create_hashed_notebook(notebook)[1],
    )
    try:
        cache.match_cache_notebook(notebook)
        page.cached = True
    except KeyError:
        pass
    return page


def plan(source: Path = ROOT, output: Path | None = None) -> Plan:
    """Every page the build would execute, its notebook as myst-nb reads it, and its cache state.

    A page that cannot be read here (e.g. the book's extension rejects its format) is left to the
    build, which reports it the way it reports any other error.
    """
    from jupyter_cache import get_cache
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    output = source if output is None else output
    with patch_docutils(None), docutils_namespace():
        app = _sphinx_app(source, output)
        nb_config = app.env.mystnb_config
        result = Plan(Path(nb_config.execution_cache_path or output / "_build" / ".jupyter_cache"))
        cache = get_cache(str(result.cache_path))
        app.env.find_files(app.config, app.builder)
        for docname in sorted(app.env.found_docs):
            try:
                page = _read_page(app, cache, docname)
            except Exception as exc:  # noqa: BLE001 - the build will raise it again, in context
                first = (str(exc).strip().splitlines() or [""])[0]
                page = f"not read here ({type(exc).__name__}: {first}); the build will say why"
            if isinstance(page, Page):
                result.pages.append(page)
            elif page is not None:
                result.skipped.append((docname, page))
    return result


# ------------------------------------------------------------------------------------------
# Executing
# ------------------------------------------------------------------------------------------
def _worker_init(threads: int) -> None:
    """Kernels inherit this process's environment: pin their BLAS/torch thread pools."""
    for var in THREAD_VARS:
        os.environ[var] = str(threads)


def _execute(page: Page) -> Result:
    """Run one notebook exactly as myst-nb's cache client does (same function and arguments)."""
    from tempfile import TemporaryDirectory

    from jupyter_cache.executors.utils import single_nb_execution

    with TemporaryDirectory() as tmp:
        cwd = os.path.abspath(page.cwd if page.cwd is not None else tmp)
        run = single_nb_execution(
            page.notebook,
            cwd=cwd,
            allow_errors=page.allow_errors,
            timeout=page.timeout,
            meta_override=True,
        )
    if run.err is not None:
        return Result(page.docname, None, run.time, type(run.err).__name__, run.exc_string)
    return Result(page.docname, run.nb, run.time)


def _order(pages: list[Page], cache: Any) -> list[Page]:
    """Longest first (by the last recorded run of the same file), unknown pages first of all.

    With two workers, starting the long pages first keeps one worker from running a long page
    alone at the end.
    """
    last: dict[str, float] = {}
    for record in cache.list_cache_records():
        seconds = (record.data or {}).get("execution_seconds")
        if seconds is not None:
            last[record.uri] = float(seconds)
    return sorted(pages, key=lambda p: -last.get(str(p.path.absolute()), float("inf")))


def _cache_result(cache: Any, page: Page, result: Result) -> None:
    """Store an executed page as myst-nb does, then prove the build's lookup finds it."""
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    if page.read_fmt is not None:
        stage = cache.add_nb_to_project(str(page.path), read_data=page.read_fmt)
    else:
        stage = cache.add_nb_to_project(str(page.path))
    NbProjectRecord.remove_tracebacks([stage.pk], cache.db)
    if result.error is not None:
        NbProjectRecord.set_traceback(stage.uri, result.traceback, cache.db)
        return
    record = cache.cache_notebook_bundle(
        CacheBundleIn(result.notebook, stage.uri, data={"execution_seconds": result.seconds}),
        check_validity=False,
        overwrite=True,
    )
    found = cache.match_cache_notebook(page.notebook)  # KeyError: the build would not find it
    if found.pk != record.pk:
        raise RuntimeError(f"{page.docname}: cached as record {record.pk}, matched {found.pk}")


def _log(message: str) -> None:
    print(f"preexecute: {message}", file=sys.stderr, flush=True)


def run(
    source: Path = ROOT,
    output: Path | None = None,
    jobs: int = 2,
    threads: int | None = None,
    only: list[str] | None = None,
) -> int:
    """Pre-execute every uncached page in ``jobs`` processes; 0 if all succeeded (or none ran).

    ``only``: just these docnames (``make test-section`` runs one page this way, into the same
    cache, so the next ``make book`` does not execute it again); they run even with one job.
    """
    from jupyter_cache import get_cache

    if jobs <= 1 and only is None:
        _log("--jobs 1: nothing to do, the build executes the pages itself")
        return 0
    start = time.perf_counter()
    the_plan = plan(source, output)
    if only is not None:
        unknown = set(only) - {p.docname for p in the_plan.pages}
        if unknown:
            _log(f"not pages the build executes: {', '.join(sorted(unknown))}")
            return 1
        the_plan.pages = [p for p in the_plan.pages if p.docname in only]
    cache = get_cache(str(the_plan.cache_path))
    pending = _order(the_plan.pending, cache)
    for docname, why in the_plan.skipped:
        _log(f"{docname}: skipped ({why})")
    _log(
        f"{len(the_plan.pages)} page(s) with code, {len(the_plan.pages) - len(pending)} already "
        f"cached in {the_plan.cache_path} ({time.perf_counter() - start:.1f} s to read the book)"
    )
    if not pending:
        return 0
    workers = min(jobs, len(pending))
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    _log(
        f"executing {len(pending)} page(s) in {workers} processes, {threads} thread(s) each: "
        + ", ".join(p.docname for p in pending)
    )
    failed: list[str] = []
    total = 0.0
    by_doc = {p.docname: p for p in pending}
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_worker_init, initargs=(threads,)
    ) as pool:
        futures: dict[Future[Result], Page] = {pool.submit(_execute, p): p for p in pending}
        for future in as_completed(futures):
            page = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. the kernel died: report, keep going
                result = Result(
                    page.docname, None, 0.0, type(exc).__name__, "".join(traceback.format_exc())
                )
            _cache_result(cache, by_doc[result.docname], result)
            total += result.seconds
            if result.error is None:
                _log(f"{page.docname}: executed in {result.seconds:.2f} s, cached ({page.key})")
            else:
                failed.append(page.docname)
                _log(
                    f"{page.docname}: FAILED ({result.error}) after {result.seconds:.2f} s; "
                    f"not cached\n{result.traceback}"
                )
    wall = time.perf_counter() - start
    _log(f"done in {wall:.1f} s wall ({total:.1f} s of page execution)")
    if failed:
        _log(f"{len(failed)} page(s) failed: {', '.join(failed)}")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "source", nargs="?", type=Path, default=ROOT, help="book root (default: repo)"
    )
    parser.add_argument(
        "--path-output", type=Path, help="as jupyter-book build --path-output (default: source)"
    )
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, help="BLAS/torch threads per worker (default: cores // workers)"
    )
    parser.add_argument(
        "--list", action="store_true", help="only list the pages, their keys and cache state"
    )
    args = parser.parse_args(argv)
    if args.list:
        the_plan = plan(args.source, args.path_output)
        for page in the_plan.pages:
            state = "cached" if page.cached else "to execute"
            print(f"{page.docname}\t{page.key}\t{state}")
        for docname, why in the_plan.skipped:
            print(f"{docname}\t-\tskipped: {why}")
        return 0
    return run(args.source, args.path_output, args.jobs, args.threads)


if __name__ == "__main__":
    sys.exit(main())
