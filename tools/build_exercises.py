#!/usr/bin/env python3
"""Generate learner kits and reference solutions from the book's section notebooks.

    python tools/build_exercises.py          # (re)write everything   — also `make exercises`
    python tools/build_exercises.py --check  # exit 1 and list files that are stale

For each ``book/<chapter>/<id>_<slug>.md`` it writes

    exercises/<id>/<id>_exercises.py      stubs, percent-format script (the learner's file)
    exercises/<id>/<id>_exercises.ipynb   the same as a notebook
    exercises/<id>/<id>_solutions.py      reference solutions
    graders/arena_check/reference/s<id>_<slug>.py   what the checks import

Output depends only on the sources, so running it twice changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from authoring import (  # noqa: E402
    AuthoringError,
    is_section_file,
    kit_notebook,
    read_section,
    reference_module,
    to_ipynb,
    to_py,
)

ROOT = Path(__file__).resolve().parent.parent


def section_sources(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in (root / "book").glob("*/*.md") if is_section_file(p))


def outputs(root: Path = ROOT, only: Path | None = None) -> dict[Path, str]:
    """Every generated file and its content (``only``: just that section source's)."""
    files: dict[Path, str] = {}
    for src in section_sources(root):
        if only is not None and src.resolve() != only.resolve():
            continue
        section = read_section(src)
        section = type(section)(section.id, section.slug, src.relative_to(root), section.notebook)
        kit = root / "exercises" / section.id
        files[kit / f"{section.id}_exercises.py"] = to_py(kit_notebook(section, solutions=False))
        files[kit / f"{section.id}_exercises.ipynb"] = to_ipynb(kit_notebook(section, solutions=False))
        files[kit / f"{section.id}_solutions.py"] = to_py(kit_notebook(section, solutions=True))
        ref = root / "graders" / "arena_check" / "reference" / f"{section.module_name}.py"
        files[ref] = reference_module(section)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report stale files instead of writing")
    args = parser.parse_args(argv)
    try:
        files = outputs()
    except AuthoringError as e:
        print(f"build_exercises: {e}", file=sys.stderr)
        return 2
    stale = [p for p, text in files.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}")
        if stale:
            print("Generated files are out of date: run `make exercises` and commit the result.")
        return 1 if stale else 0
    for p in stale:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(files[p], encoding="utf-8")
        print(f"wrote {p.relative_to(ROOT)}")
    print(f"{len(files)} generated files, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
