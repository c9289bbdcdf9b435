"""Load a learner's ``.py`` or ``.ipynb`` file as a module, turning every failure into a sentence.

Runs inside the isolated worker process (see :mod:`arena_check.runner`) when grading; the section
tests' harness also loads files in-process, so loading leaves no global state behind that matters.
"""

from __future__ import annotations

import functools
import io
import json
import linecache
import os
import sys
import sysconfig
import tokenize
import traceback
import types
from pathlib import Path

#: Set while grading, so ``arena_check.check(...)`` calls left in a learner's file do nothing.
GRADING_ENV = "ARENA_CHECK_GRADING"


#: Substrings of torch's (and numpy's) messages when an allocation fails under the memory cap.
MEMORY_MARKERS = ("can't allocate memory", "DefaultCPUAllocator", "out of memory", "Unable to allocate")


class LoadError(Exception):
    """The learner's file could not be loaded; the message says why and where.

    ``out_of_memory`` is set when loading ran out of memory, so that the grader can name its cap.
    """

    def __init__(self, message: str, *, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.out_of_memory = out_of_memory


def is_out_of_memory(exc: BaseException) -> bool:
    """``MemoryError``, or torch's ``RuntimeError`` for an allocation refused by ``RLIMIT_AS``."""
    if isinstance(exc, MemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(m in safe_str(exc) for m in MEMORY_MARKERS)


def safe_str(exc: BaseException) -> str:
    """``str(exc)``, even for a learner's exception whose ``__str__`` itself raises."""
    try:
        return str(exc)
    except Exception:  # noqa: BLE001
        return f"<{type(exc).__name__} whose message cannot be shown>"


@functools.cache
def _library_dirs() -> tuple[str, ...]:
    """Where code that is not the learner's lives: the standard library, installed packages and
    arena_check itself. Frames there are never blamed on the learner."""
    paths = sysconfig.get_paths()
    dirs = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    dirs.add(str(Path(__file__).resolve().parent))
    return tuple(sorted(d.rstrip(os.sep) + os.sep for d in dirs))


def learner_frame(
    exc: BaseException, filename: str = "", grader_files: tuple[str, ...] = ()
) -> traceback.FrameSummary | None:
    """The innermost frame of ``exc``'s traceback that belongs to the learner, or None.

    A frame is the learner's if it is in ``filename`` (their file), or in neither a library
    directory nor one of ``grader_files`` (the check's own module, which may live anywhere).
    Why not just ``filename``: notebook cells and neighbouring modules have other file names.
    """
    library = _library_dirs()
    mine = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if (filename and f.filename.startswith(filename))
        or not (f.filename.startswith(library) or f.filename in grader_files or f.filename.startswith("<frozen "))
    ]
    return mine[-1] if mine else None


def _where(frame: traceback.FrameSummary) -> str:
    """``my_file.py, line 12, in softmax``; a notebook cell reads ``nb.ipynb cell 3, line 2…``."""
    name = Path(frame.filename).name
    if name.endswith("]") and "[cell " in name:
        name = name.replace("[cell ", " cell ")[:-1]
    return f"{name}, line {frame.lineno}, in {frame.name}"


def _exception_text(exc: BaseException) -> str:
    """``ValueError: bad shape``: the type and the first line of the message, capped."""
    message = safe_str(exc).strip().split("\n")[0]
    if len(message) > 300:
        message = message[:300] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def describe_exception(exc: BaseException, filename: str, grader_files: tuple[str, ...] = ()) -> str:
    """``ValueError: bad shape (my_file.py, line 12, in softmax)`` — the learner's own frame if any."""
    text = _exception_text(exc)
    frame = learner_frame(exc, filename, grader_files)
    if frame is not None:
        text += f" ({_where(frame)})"
    return text


_RUN_CELL_MAGICS = ("%%time", "%%capture")  # cell magics whose body is ordinary Python


def _drop_magics(src: str) -> str:
    """IPython-only syntax → plain Python: line magics and ``!shell`` lines become ``pass``
    (keeping indentation, so a magic alone in an ``if`` body stays valid); a ``%%time`` or
    ``%%capture`` cell keeps its body; any other cell magic (``%%bash``…) drops the cell."""
    if src.lstrip().startswith("%%"):
        head, _, body = src.lstrip().partition("\n")
        return body if head.split()[0] in _RUN_CELL_MAGICS else ""
    lines = []
    for line in src.split("\n"):
        stripped = line.lstrip()
        lines.append(line[: len(line) - len(stripped)] + "pass" if stripped.startswith(("%", "!")) else line)
    return "\n".join(lines)


def _notebook_cells(path: Path) -> list[str]:
    """The source of every cell, in order (markdown and raw cells as ""), as plain Python."""
    try:
        nb = json.loads(_read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError:
        raise LoadError(f"{path.name} is not a valid notebook (not UTF-8 text).") from None
    except json.JSONDecodeError as e:
        raise LoadError(f"{path.name} is not a valid notebook (JSON error: {e}).") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise LoadError(f"{path.name} is not a valid notebook (no list of cells).")
    sources = []
    for i, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            sources.append("")
            continue
        src = cell.get("source", "")
        if isinstance(src, list) and all(isinstance(part, str) for part in src):
            src = "".join(src)
        if not isinstance(src, str):
            raise LoadError(f"{path.name} is not a valid notebook (cell {i + 1} has no source text).")
        sources.append(_drop_magics(src))
    return sources


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:  # unreadable, deleted meanwhile, a directory…
        raise LoadError(f"{path.name} could not be read: {e.strerror or e}.") from None


def _read_python(path: Path) -> str:
    """The text of a ``.py`` file, honouring a BOM or a ``# -*- coding: … -*-`` line (PEP 263)."""
    raw = _read_bytes(path)
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        try:
            raw.decode("utf-8")
            where = ""
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            where = f" (line {line}, byte {e.start})"
        raise LoadError(f"{path.name} is not UTF-8 text{where}. Save it as UTF-8 and try again.") from None
    if "\0" in text:  # compile() would fail with a confusing "line None"
        raise LoadError(f"{path.name} contains null bytes, so it is not a Python source file.")
    return text


def _compile(source: str, filename: str, label: str) -> types.CodeType:
    try:
        return compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as e:
        line = (e.text or "").rstrip()
        shown = f"\n    {line.strip()}" if line else ""
        raise LoadError(f"{type(e).__name__} in {label}, line {e.lineno}: {e.msg}{shown}") from None
    except ValueError as e:  # e.g. null bytes in a notebook cell
        raise LoadError(f"{label} cannot be compiled: {e}.") from None


class _NoIPython:
    """What ``get_ipython()`` returns while grading: magics do nothing. Why: ``jupyter nbconvert
    --to script`` writes ``get_ipython().run_line_magic('matplotlib', 'inline')`` into ``.py``
    files, which should load without IPython."""

    def __getattr__(self, name: str):  # run_line_magic, run_cell_magic, system, …
        return lambda *args, **kwargs: None


def load_learner_file(path: str | os.PathLike[str]) -> types.ModuleType:
    """Execute the learner's file in a fresh module and return it.

    ``__name__`` is not ``"__main__"``, so code under ``if __name__ == "__main__":`` does not run.
    ``ARENA_CHECK_GRADING`` is set while the file runs (so ``arena_check.check`` calls in it do
    nothing) and restored afterwards, so loading in-process (tests do) leaves no trace behind.
    """
    path = Path(path).resolve()
    module = types.ModuleType("learner_solution")
    module.__file__ = str(path)
    module.__dict__["get_ipython"] = _NoIPython
    sys.modules["learner_solution"] = module
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))  # so the learner's file can import its neighbours

    if path.suffix == ".ipynb":
        chunks = [
            (src, f"{path}[cell {i + 1}]", f"{path.name} cell {i + 1}")
            for i, src in enumerate(_notebook_cells(path))
            if src.strip()
        ]
    else:
        chunks = [(_read_python(path), str(path), path.name)]

    for source, filename, _ in chunks:
        if filename != str(path):
            # A notebook cell has no file of its own: keep its text where ``inspect.getsource``
            # looks, as IPython does, so checks that read the learner's source work on notebooks.
            linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)

    previous = os.environ.get(GRADING_ENV)
    os.environ[GRADING_ENV] = "1"
    try:
        for source, filename, label in chunks:
            _exec(_compile(source, filename, label), module, label, str(path))
    finally:
        if previous is None:
            os.environ.pop(GRADING_ENV, None)
        else:
            os.environ[GRADING_ENV] = previous
    return module


def _exec(code: types.CodeType, module: types.ModuleType, label: str, path: str) -> None:
    """Run one chunk of the learner's file; every way it can fail becomes a :class:`LoadError`."""
    try:
        exec(code, module.__dict__)
    except SystemExit as e:
        raise LoadError(
            f"{label} called sys.exit({e.code!r}) while being loaded. "
            "Put script code under `if __name__ == \"__main__\":`."
        ) from None
    except KeyboardInterrupt:
        raise LoadError(f"{label} was interrupted while being loaded.") from None
    except BaseException as e:  # noqa: BLE001 — the learner's own error: say which and where
        frame = learner_frame(e, path)
        if frame is None:
            where = ""
        elif frame.filename == code.co_filename and frame.name == "<module>":
            where = f" (line {frame.lineno})"  # the label already names the file or cell
        else:
            where = f" ({_where(frame)})"
        if is_out_of_memory(e):
            raise LoadError(
                f"{label} ran out of memory while being loaded{where}. "
                "Avoid creating huge tensors or lists at the top level of your file.",
                out_of_memory=True,
            ) from None
        raise LoadError(f"{label} raised {_exception_text(e)}{where}") from None
