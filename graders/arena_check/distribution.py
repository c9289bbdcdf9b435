"""Build the ``arena-check`` wheel from a source checkout, offline.

Two callers need the wheel itself rather than an installed copy: the book build, which serves it
on the Setup page so a learner with only the website can install the grader, and
``arena-check gradescope-bundle``, which puts it inside Gradescope's autograder archive.

The build runs ``pip wheel --no-deps --no-build-isolation --no-index`` on a *temporary copy* of
the files the distribution is made of (``pyproject.toml``, the readme, the package folders), for
two reasons: it needs no network (setuptools from the running environment builds it), and it
leaves no ``build/`` or ``*.egg-info`` behind in a working tree other people are using.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

#: The distribution's name as pyproject.toml spells it.
DIST_NAME = "arena-check"

#: Fixed wheel timestamps (1980-01-01, the earliest a zip can hold): the same tree gives the same wheel.
SOURCE_DATE_EPOCH = "315532800"

_IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", ".ruff_cache")


class WheelBuildError(RuntimeError):
    """The wheel could not be built; the message says why in a sentence fit to show."""


def source_root(start: Path | None = None) -> Path | None:
    """The checkout this ``arena_check`` was imported from (editable install, or run from the
    repository), or None when it was installed from a wheel and has no source tree to build from."""
    here = (start or Path(__file__)).resolve()
    for parent in here.parents:
        pyproject = parent / "pyproject.toml"
        if pyproject.is_file():
            try:
                name = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["name"]
            except (OSError, KeyError, tomllib.TOMLDecodeError):
                return None
            return parent if name == DIST_NAME else None
    return None


def project_version(root: Path) -> str:
    """The version pyproject.toml declares (what the wheel's file name will carry)."""
    return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def wheel_filename(version: str) -> str:
    """The file name pip requires for a pure-Python wheel of this distribution (PEP 427)."""
    return f"{re.sub(r'[-_.]+', '_', DIST_NAME)}-{version}-py3-none-any.whl"


def _distribution_files(root: Path) -> list[str]:
    """Top-level paths setuptools reads: pyproject.toml, the readme, the package folders."""
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    readme = meta["project"].get("readme")
    where = meta.get("tool", {}).get("setuptools", {}).get("packages", {}).get("find", {}).get("where", ["."])
    names = ["pyproject.toml", *([readme] if isinstance(readme, str) else []), *where]
    return [n for n in names if n != "."]


def build_wheel(root: Path, out_dir: Path) -> Path:
    """Build the wheel of the checkout at ``root`` into ``out_dir`` and return its path.

    Raises :class:`WheelBuildError` when the build fails (e.g. setuptools missing).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arena-wheel-") as tmp:
        src, dist = Path(tmp) / "src", Path(tmp) / "dist"
        src.mkdir()
        for name in _distribution_files(root):
            path = root / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=_IGNORED)
            elif path.is_file():
                shutil.copy2(path, src / name)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
               "--no-index", str(src), "-w", str(dist)]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        wheels = sorted(dist.glob("*.whl"))
        if done.returncode != 0 or len(wheels) != 1:
            tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            raise WheelBuildError(
                f"could not build the {DIST_NAME} wheel from {root} (pip wheel exited {done.returncode}): "
                f"{tail or 'no wheel was written'}. It needs setuptools>=70.1 in this environment."
            )
        target = out_dir / wheels[0].name
        shutil.move(str(wheels[0]), target)
    return target
