"""Learner progress: what each kit scored when it was last graded, kept between runs.

Every ``arena-check SECTION FILE`` run updates a small JSON record in the cache folder
(``$ARENA_CHECK_CACHE`` or ``~/.cache/arena-check``, see :func:`arena_check.kit.paths.cache_dir`),
and ``arena-check progress [FOLDER]`` reads it back as a table: one row per kit file found in
FOLDER, with points earned / points available and when it was last graded.

Design choices, and why:

* **Per check, merged.** The record keeps each check's last result, so ``arena-check 0.0 f.py -e
  softmax`` updates softmax's checks and keeps the others: points earned are the sum of the latest
  result of every check the section has *now* (a check added since scores 0 until graded).
* **Per file and section.** A file graded by mistake against the wrong section does not overwrite
  its real section's results.
* **A kit never graded shows "not graded"**, and ``--grade`` grades exactly those and the ones
  changed since their last grading (file newer than the grading), so one command brings the table
  up to date without re-running everything.
* **Safe to share.** Writes are atomic (a temporary file, then ``os.replace``) under a lock, so
  two gradings at once lose nothing. A record that cannot be read is treated as empty, with a
  note; the next write keeps the unreadable file as ``progress.json.corrupt``. Entries for files
  that no longer exist are dropped on write, so the record does not grow without bound.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from arena_check import api, registry
from arena_check.kit.paths import cache_dir
from arena_check.results import Report

RECORD_NAME = "progress.json"
RECORD_VERSION = 1
#: A folder may list kits whose names say nothing: one ``[SECTION] PATH`` per line.
LIST_FILE = "arena-kits.txt"
KIT_PATTERNS = ("*_exercises.py", "*.ipynb")
MAX_DEPTH = 4
SKIP_DIRS = {"__pycache__", "node_modules", "site-packages", "_build", "venv", "env"}

_SECTION_PREFIX = re.compile(r"^(\d+\.\d+)_")
#: ``arena_check.check("0.0", …)`` in a script, or with escaped quotes inside a notebook's JSON.
_CHECK_CALL = re.compile(r"""check\(\s*\\?["'](\d+\.\d+)\\?["']""")
_SCAN_BYTES = 2_000_000


# ---------------------------------------------------------------------------------------
# The record: {"version": 1, "files": {abs path: {section: entry}}}
#   entry = {"graded_at": epoch s, "mtime": file's mtime then, "checks": {task_id: [points, max, status]}}
# ---------------------------------------------------------------------------------------
def record_path() -> Path:
    """Where the record lives (the folder is created if needed; may raise OSError)."""
    return cache_dir() / RECORD_NAME


def _valid(data: object) -> bool:
    if not (isinstance(data, dict) and data.get("version") == RECORD_VERSION and isinstance(data.get("files"), dict)):
        return False
    for sections in data["files"].values():
        if not isinstance(sections, dict):
            return False
        for entry in sections.values():
            if not (
                isinstance(entry, dict)
                and isinstance(entry.get("graded_at"), int | float)
                and isinstance(entry.get("mtime"), int | float)
                and isinstance(entry.get("checks"), dict)
                and all(isinstance(v, list) and len(v) == 3 for v in entry["checks"].values())
            ):
                return False
    return True


def load_record(path: Path) -> tuple[dict[str, dict[str, dict]], str | None]:
    """The record's files, and a note when it exists but cannot be used (then it reads as empty)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as e:
        return {}, f"could not read your progress record {path} ({getattr(e, 'strerror', None) or e}); treating it as empty."
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        data, reason = None, f"not valid JSON: {e.msg} at line {e.lineno}"
    else:
        reason = "not in the expected format"
    if not _valid(data):
        return {}, (
            f"your progress record {path} is {reason}; treating it as empty "
            f"(the next grading starts a new one and keeps the old file as {path.name}.corrupt)."
        )
    return data["files"], None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the record (no lock where ``fcntl`` does not exist)."""
    try:
        import fcntl
    except ImportError:  # Windows: grading needs fork there anyway
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_atomically(path: Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def update_record(report: Report, source: str | os.PathLike[str], *, path: Path | None = None,
                  now: float | None = None) -> str | None:
    """Merge one grading run into the record. Returns a note to show (the old record was
    unreadable), or None. Raises ``OSError`` when the record cannot be written."""
    path = path or record_path()
    file = Path(source).resolve()
    with _locked(path):
        files, note = load_record(path)
        if note is not None and path.exists():
            os.replace(path, path.with_name(path.name + ".corrupt"))
        entry = files.setdefault(str(file), {}).setdefault(report.section, {"checks": {}})
        entry["graded_at"] = time.time() if now is None else now
        entry["mtime"] = file.stat().st_mtime if file.exists() else 0.0
        for r in report.results:
            entry["checks"][r.task_id] = [r.points, r.max_points, r.status.value]
        files = {f: s for f, s in files.items() if Path(f).exists()}
        _write_atomically(path, {"version": RECORD_VERSION, "files": files})
    return note


# ---------------------------------------------------------------------------------------
# Finding kits in a folder
# ---------------------------------------------------------------------------------------
def section_of(path: Path) -> str | None:
    """A kit's section: from its name (``0.0_exercises.py``), else from the
    ``arena_check.check("0.0", …)`` calls it contains (most frequent id), else None."""
    m = _SECTION_PREFIX.match(path.name)
    if m:
        return m[1]
    try:
        with open(path, "rb") as fh:
            text = fh.read(_SCAN_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    ids = _CHECK_CALL.findall(text)
    return max(set(ids), key=ids.count) if ids else None


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` matching KIT_PATTERNS, skipping hidden folders and environments."""
    base_depth = len(folder.parts)
    for dirpath, dirnames, _ in os.walk(folder):
        here = Path(dirpath)
        if len(here.parts) - base_depth >= MAX_DEPTH:
            dirnames.clear()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)
        for pattern in KIT_PATTERNS:
            yield from sorted(here.glob(pattern))


def _listed(folder: Path) -> list[tuple[Path, str | None]]:
    """Entries of the folder's LIST_FILE: ``PATH`` or ``SECTION PATH``, relative to the folder."""
    listing = folder / LIST_FILE
    if not listing.is_file():
        return []
    found = []
    for line in listing.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        first, _, rest = line.partition(" ")
        if rest.strip() and re.fullmatch(r"\d+\.\d+", first):
            found.append((folder / rest.strip(), first))
        else:
            found.append((folder / line, None))
    return found


@dataclass
class Kit:
    path: Path
    section: str | None
    problem: str | None = None


def find_kits(folder: Path, files: dict[str, dict[str, dict]]) -> list[Kit]:
    """Kit files in ``folder``: by name pattern, by the list file, and any file under it that
    was graded before (``my_work.py`` counts once you have graded it)."""
    folder = folder.resolve()
    kits: dict[Path, Kit] = {}
    for path in _walk(folder):
        section = section_of(path)
        if section is not None:
            kits[path.resolve()] = Kit(path.resolve(), section)
    for path, section in _listed(folder):
        p = path.resolve()
        if not p.is_file():
            kits[p] = Kit(p, section, f"listed in {LIST_FILE} but not found")
        else:
            kits[p] = Kit(p, section or section_of(p))
    for name, sections in files.items():
        p = Path(name)
        if p not in kits and p.is_relative_to(folder) and p.is_file() and sections:
            named = section_of(p)
            kits[p] = Kit(p, named if named in sections else max(sections, key=lambda s: sections[s]["graded_at"]))
    for kit in kits.values():
        if kit.section is None and kit.problem is None:
            graded = files.get(str(kit.path))
            if graded:
                kit.section = max(graded, key=lambda s: graded[s]["graded_at"])
            else:
                kit.problem = "cannot tell its section (name it <id>_…, or list it as 'SECTION PATH')"
    return list(kits.values())


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------
@dataclass
class Row:
    path: Path
    section: str | None
    points: float | None = None  # None: not graded
    max_points: float | None = None
    passed: int | None = None
    checks: int | None = None
    graded_at: float | None = None
    changed: bool = False  # the file is newer than its last grading
    problem: str | None = None

    @property
    def needs_grading(self) -> bool:
        return self.problem is None and (self.graded_at is None or self.changed)


def _section_tasks(section: str) -> dict[str, float] | str:
    """task id → points, for the section's checks as they are now; or why they are unavailable."""
    try:
        return {s.task_id: s.points for s in registry.checks_for(section)}
    except registry.UnknownSection:
        return f"unknown section {section}"
    except Exception as e:  # noqa: BLE001 — a section whose checks cannot load must not hide the others
        return f"section {section}'s checks could not be loaded ({type(e).__name__})"


def build_rows(kits: list[Kit], files: dict[str, dict[str, dict]]) -> list[Row]:
    """One row per kit, scored against each section's current checks."""
    rows = []
    tasks_cache: dict[str, dict[str, float] | str] = {}
    for kit in kits:
        row = Row(kit.path, kit.section, problem=kit.problem)
        rows.append(row)
        if kit.problem is not None or kit.section is None:
            continue
        tasks = tasks_cache.setdefault(kit.section, _section_tasks(kit.section))
        entry = files.get(str(kit.path), {}).get(kit.section)
        if isinstance(tasks, str):
            row.problem = tasks
            continue
        row.max_points, row.checks = sum(tasks.values()), len(tasks)
        if entry is None:
            continue
        recorded = entry["checks"]
        row.points = sum(recorded[t][0] for t in tasks if t in recorded)
        row.passed = sum(1 for t in tasks if t in recorded and recorded[t][2] == "passed")
        row.graded_at = entry["graded_at"]
        try:
            row.changed = kit.path.stat().st_mtime > entry["mtime"]
        except OSError:
            pass
    return sorted(rows, key=lambda r: (_section_key(r.section), str(r.path)))


def _section_key(section: str | None) -> tuple:
    if section is None:
        return (1,)
    return (0, *(int(p) for p in section.split(".") if p.isdigit()))


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _display_path(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)


def to_text(rows: list[Row], folder: Path) -> str:
    """The table a learner reads, with what to do next."""
    folder = folder.resolve()
    lines = [f"arena-check progress · {folder}"]
    if not rows:
        lines.append(
            f"No kits found (looked for {' and '.join(KIT_PATTERNS)} that name a section, files listed in "
            f"{LIST_FILE}, and files you graded before). Unzip arena-kits.zip here, or grade a file: "
            "arena-check SECTION FILE."
        )
        return "\n".join(lines)
    table = [("section", "file", "points", "checks", "last graded")]
    for r in rows:
        if r.problem is not None:
            table.append((r.section or "?", _display_path(r.path, folder), "", "", r.problem))
        elif r.graded_at is None:
            table.append((r.section or "?", _display_path(r.path, folder), f"-/{r.max_points:g}", f"-/{r.checks}",
                          "not graded"))
        else:
            table.append((r.section or "?", _display_path(r.path, folder), f"{r.points:g}/{r.max_points:g}",
                          f"{r.passed}/{r.checks}", _when(r.graded_at) + (" *" if r.changed else "")))
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        lines.append(
            f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}  {row[4]}".rstrip()
        )
    if any(r.changed for r in rows):
        lines.append("* changed since it was last graded")
    best: dict[str, tuple[float, float]] = {}
    for r in rows:
        if r.section is not None and r.max_points is not None:
            got = best.get(r.section, (0.0, r.max_points))[0]
            best[r.section] = (max(got, r.points or 0.0), r.max_points)
    if best:
        lines.append(
            f"Total: {sum(p for p, _ in best.values()):g}/{sum(m for _, m in best.values()):g} points "
            f"over {len(best)} section{'s' if len(best) != 1 else ''} (best kit of each)."
        )
    waiting = sum(r.needs_grading for r in rows)
    if waiting:
        lines.append(
            f"{waiting} kit{'s are' if waiting != 1 else ' is'} new or changed since grading: "
            "add --grade to grade them now."
        )
    return "\n".join(lines)


def to_json_dict(rows: list[Row], folder: Path) -> dict:
    folder = folder.resolve()
    return {
        "folder": str(folder),
        "kits": [
            {
                "section": r.section,
                "file": _display_path(r.path, folder),
                "path": str(r.path),
                "points": r.points,
                "max_points": r.max_points,
                "checks_passed": r.passed,
                "checks": r.checks,
                "graded_at": None if r.graded_at is None
                else datetime.fromtimestamp(r.graded_at, UTC).isoformat(timespec="seconds"),
                "changed_since_graded": r.changed,
                "problem": r.problem,
            }
            for r in rows
        ],
    }


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------
def collect(folder: Path, *, grade: bool = False, log: Callable[[str], None] = print) -> tuple[list[Row], list[str]]:
    """Rows for the kits in ``folder`` and notes for stderr. With ``grade``, first grade every kit
    that is new or changed since its last grading (``log`` says which, and its result)."""
    notes: list[str] = []
    try:
        path: Path | None = record_path()
    except OSError as e:
        path = None
        notes.append(f"cannot use the cache folder ({e.strerror or e}); no grading is remembered.")
    files, note = load_record(path) if path is not None else ({}, None)
    if note:
        notes.append(note)
    rows = build_rows(find_kits(folder, files), files)
    if not grade:
        return rows, notes
    for row in [r for r in rows if r.needs_grading]:
        assert row.section is not None
        log(f"grading {row.section} {_display_path(row.path, folder.resolve())} …")
        try:
            report = api.grade_file(row.section, row.path)
        except Exception as e:  # noqa: BLE001 — unknown section, unloadable checks: one note, go on
            notes.append(f"could not grade {row.path}: {e}")
            continue
        log("    " + (f"! {report.load_error.splitlines()[0]}" if report.load_error else report.progress_line()))
        if path is None:
            continue
        try:
            update_record(report, row.path, path=path)
        except OSError as e:
            notes.append(f"could not update your progress record {path}: {e.strerror or e}")
            path = None
    if path is not None:
        files, _ = load_record(path)
        rows = build_rows(find_kits(folder, files), files)
    return rows, notes
