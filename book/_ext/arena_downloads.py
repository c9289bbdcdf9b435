"""Serve what a learner needs to install ``arena-check`` from the website alone.

After an HTML build this writes, into ``<site>/_downloads/arena/``:

* ``arena_check-<version>-py3-none-any.whl`` — the grader, built from this checkout
  (:mod:`arena_check.distribution`; offline, ~3 s). pip only installs a wheel under its proper
  name, so there is no version-less alias: pages link the exact name;
* ``constraints.txt`` — the pins the book is built and tested with (CPU torch, …);
* ``arena-kits.zip`` — every file of ``exercises/<id>/``, as ``exercises/<id>/<file>``, in sorted
  order with fixed timestamps, so the same kits give the same archive.

Pages link these files with plain relative Markdown links (``[…](../_downloads/arena/…)``). The
files do not exist when pages are read, so MyST would call such a link a missing cross-reference;
this extension turns links into the folder into ordinary links instead, and warns (failing a
``-W`` build) when a page names a file the build does not write — e.g. a wheel of an old version.
"""

from __future__ import annotations

import posixpath
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.util import logging

from arena_check import distribution

ROOT = Path(__file__).resolve().parents[2]
#: Where the files go, relative to the site root.
FOLDER = "_downloads/arena"
KITS_ZIP = "arena-kits.zip"
CONSTRAINTS = "constraints.txt"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

logger = logging.getLogger(__name__)


def served_files() -> list[str]:
    """The names this extension writes into :data:`FOLDER`."""
    wheel = distribution.wheel_filename(distribution.project_version(ROOT))
    return [wheel, CONSTRAINTS, KITS_ZIP]


def write_kits_zip(exercises: Path, target: Path) -> int:
    """Zip every file under ``exercises/<id>/`` deterministically; returns the number of files."""
    files = sorted(p for p in exercises.glob("*/*") if p.is_file() and not p.name.startswith("."))
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"exercises/{path.relative_to(exercises).as_posix()}", _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever machine builds it
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)
    return len(files)


def _resolve_download_links(app: Sphinx, doctree: nodes.document) -> None:
    """Plain Markdown links into FOLDER become ordinary links (MyST cannot see the files yet)."""
    docname = app.env.docname
    known = set(served_files())
    for node in list(doctree.findall(pending_xref)):
        if node.get("reftype") != "myst" or node.get("refdomain"):
            continue
        target = node["reftarget"]
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(docname), target))
        folder, _, name = resolved.rpartition("/")
        if folder != FOLDER:
            continue
        if name not in known:
            logger.warning(
                f"link to {target!r}, which the build does not write; it writes {', '.join(sorted(known))} "
                f"into {FOLDER}/ (update the link after a version change)",
                location=node,
            )
        ref = nodes.reference("", "", refuri=target, internal=False)
        ref.extend(child.deepcopy() for child in node.children)
        node.replace_self(ref)


def _write_downloads(app: Sphinx, exc: Exception | None) -> None:
    if exc is not None or app.builder.name != "html":
        return
    out = Path(app.outdir) / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="arena-downloads-") as tmp:
            wheel = distribution.build_wheel(ROOT, Path(tmp))
            expected = served_files()[0]
            if wheel.name != expected:
                logger.warning(f"arena_downloads: built {wheel.name}, expected {expected}")
            for old in out.glob("*.whl"):  # an earlier version's wheel must not linger
                old.unlink()
            shutil.copy2(wheel, out / wheel.name)
    except distribution.WheelBuildError as e:
        logger.warning(f"arena_downloads: {e}")
        return
    wheel_seconds = time.monotonic() - start
    shutil.copy2(ROOT / CONSTRAINTS, out / CONSTRAINTS)
    n = write_kits_zip(ROOT / "exercises", out / KITS_ZIP)
    logger.info(
        f"arena_downloads: {FOLDER}/{wheel.name} (built in {wheel_seconds:.1f} s), "
        f"{CONSTRAINTS}, {KITS_ZIP} ({n} files)"
    )


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", _resolve_download_links)
    app.connect("build-finished", _write_downloads)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
