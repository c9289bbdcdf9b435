"""book/_ext/arena_downloads.py on a two-page Sphinx project (seconds, no book build needed).

Links into ``_downloads/arena/`` resolve to plain relative links without a warning when they name
a file the build writes, and fail a ``-W`` build when they do not (a wheel of an old version);
the files are written, and the kits zip is the same bytes every time.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import arena_downloads  # noqa: E402

WHEEL = arena_downloads.served_files()[0]


def _build(tmp_path: Path, links: str) -> subprocess.CompletedProcess[str]:
    src, out = tmp_path / "src", tmp_path / "out"
    (src / "sub").mkdir(parents=True)
    (src / "conf.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
        extensions = ["myst_parser", "arena_downloads"]
        exclude_patterns = ["_build"]
    """))
    (src / "index.md").write_text("# Home\n\n```{toctree}\nsub/page\n```\n")
    (src / "sub" / "page.md").write_text(f"# Page\n\n{links}\n\nAnd a [page link](../index.md).\n")
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-n", "-q",
                           str(src), str(out)], capture_output=True, text=True, timeout=300)


def test_links_to_served_files_build_cleanly_and_the_files_exist(tmp_path: Path) -> None:
    done = _build(tmp_path, f"[wheel](../_downloads/arena/{WHEEL}) · [pins](../_downloads/arena/constraints.txt) · "
                            "[kits](../_downloads/arena/arena-kits.zip)")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "out" / "sub" / "page.html").read_text()
    for name in (WHEEL, "constraints.txt", "arena-kits.zip"):
        assert f'href="../_downloads/arena/{name}"' in page
        assert (tmp_path / "out" / "_downloads" / "arena" / name).is_file()
    with zipfile.ZipFile(tmp_path / "out" / "_downloads" / "arena" / WHEEL) as whl:
        assert "arena_check/cli.py" in whl.namelist()


@pytest.mark.parametrize("bad", [f"{WHEEL.replace('-py3', '.post9-py3')}", "arena-kit.zip"])
def test_a_link_to_a_file_the_build_does_not_write_fails_the_build(tmp_path: Path, bad: str) -> None:
    done = _build(tmp_path, f"[old wheel](../_downloads/arena/{bad})")
    assert done.returncode != 0
    assert f"link to '../_downloads/arena/{bad}', which the build does not write" in done.stderr


def test_kits_zip_is_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.zip", tmp_path / "b.zip"
    n = arena_downloads.write_kits_zip(ROOT / "exercises", a)
    arena_downloads.write_kits_zip(ROOT / "exercises", b)
    assert n == len([p for p in (ROOT / "exercises").glob("*/*") if p.is_file()]) and n >= 3
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as zf:
        assert zf.namelist() == sorted(zf.namelist())
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
