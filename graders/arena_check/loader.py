"""Load a learner's ``.py`` or ``.ipynb`` file as a module, turning every failure into a sentence.

Runs inside the isolated worker process (see :mod:`arena_check.runner`), never in the grader.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import types
from pathlib import Path

#: Set while grading, so ``arena_check.check(...)`` calls left in a learner's file do nothing.
GRADING_ENV = "ARENA_CHECK_GRADING"


class LoadError(Exception):
    """The learner's file could not be loaded; the message says why and where."""


def describe_exception(exc: BaseException, filename: str) -> str:
    """``ValueError: bad shape (my_file.py, line 12, in softmax)`` — the learner's own frame if any."""
    message = str(exc).strip().split("\n")[0]
    if len(message) > 300:
        message = message[:300] + "…"
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if f.filename.startswith(filename)]
    if mine:
        f = mine[-1]
        where = Path(f.filename).name if "[cell" not in f.filename else f.filename.rsplit("/", 1)[-1]
        text += f" ({where}, line {f.lineno}, in {f.name})"
    return text


def _notebook_cells(path: Path) -> list[str]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise LoadError(f"{path.name} is not a valid notebook (JSON error: {e}).") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise LoadError(f"{path.name} is not a valid notebook (no list of cells).")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            sources.append("")
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        if src.lstrip().startswith("%%"):  # a cell magic (%%time, %%capture…): not plain Python
            sources.append("")
            continue
        # Line magics and shell escapes are IPython-only; drop them so the cell is plain Python.
        lines = [
            "" if line.lstrip().startswith(("%", "!")) else line for line in src.split("\n")
        ]
        sources.append("\n".join(lines))
    return sources


def _compile(source: str, filename: str, label: str):
    try:
        return compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as e:
        line = (e.text or "").rstrip()
        shown = f"\n    {line.strip()}" if line else ""
        raise LoadError(f"SyntaxError in {label}, line {e.lineno}: {e.msg}{shown}") from None


def load_learner_file(path: str | os.PathLike[str]) -> types.ModuleType:
    """Execute the learner's file in a fresh module and return it.

    ``__name__`` is not ``"__main__"``, so code under ``if __name__ == "__main__":`` does not run.
    """
    path = Path(path).resolve()
    os.environ[GRADING_ENV] = "1"
    module = types.ModuleType("learner_solution")
    module.__file__ = str(path)
    sys.modules["learner_solution"] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))  # so the learner's file can import its neighbours

    if path.suffix == ".ipynb":
        chunks = [
            (src, f"{path}[cell {i + 1}]", f"notebook cell {i + 1}")
            for i, src in enumerate(_notebook_cells(path))
            if src.strip()
        ]
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise LoadError(f"{path.name} is not UTF-8 text.") from None
        chunks = [(text, str(path), path.name)]

    for source, filename, label in chunks:
        code = _compile(source, filename, label)
        try:
            exec(code, module.__dict__)
        except SystemExit as e:
            raise LoadError(
                f"{label} called sys.exit({e.code!r}) while being loaded. "
                "Put script code under `if __name__ == \"__main__\":`."
            ) from None
        except KeyboardInterrupt:
            raise LoadError(f"{label} was interrupted while being loaded.") from None
        except MemoryError:
            raise LoadError(f"{label} ran out of memory while being loaded.") from None
        except Exception as e:  # the learner's own error: say which and where
            raise LoadError(f"{label} raised {describe_exception(e, str(path))}") from None
    return module
