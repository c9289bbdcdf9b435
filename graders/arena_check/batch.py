"""``arena-check batch``: grade a cohort's submissions, each in its own sandbox, into a gradebook.

    arena-check batch SECTION FOLDER_OR_GLOB [--jobs N] [--sandbox auto|on|off]
                      [--out gradebook.csv] [--json] [--timeout S] [--memory-mb MB] [--import MODULE]

Submissions are untrusted code. Each one is graded by a fresh worker process (``python -m
arena_check.batch SECTION FILE``, which calls :func:`arena_check.api.grade_file`, so every check
still runs in its own forked child with a time limit, a CPU-time limit and a memory cap). With the
sandbox on, that worker runs under bubblewrap (``bwrap``):

* a new network namespace: no network, not even the host's loopback servers;
* the whole filesystem read-only, but for one private, writable folder that holds a copy of the
  submission and is the worker's working directory, ``HOME`` and ``TMPDIR``;
* the submissions folder and the gradebook's folder hidden (an empty tmpfs over each), so a
  submission cannot read another learner's file or the grades;
* a new PID namespace that dies with the batch (``--die-with-parent``): a process the submission
  leaves behind is killed with its sandbox.

What it does not cover: the submission can still *read* whatever the grader's user can read outside
the hidden folders (other files in the instructor's home, for example), use CPU and memory up to its
limits, and exploit the kernel. Run batches as a user that can read nothing secret.

Results are resumable: each learner's report is written to ``<gradebook stem>_reports/<learner>.json``
as soon as it is graded, keyed by the submission's SHA-256, the grader's version (its version number
and the hash of the section's checks and reference solutions) and the sandbox mode. A re-run skips
the submissions whose key is unchanged, so a batch killed halfway loses no finished result.
"""

from __future__ import annotations

import argparse
import csv
import ctypes
import hashlib
import importlib
import importlib.util
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path

from arena_check.kit.paths import cache_path

SUFFIXES = (".py", ".ipynb")
SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints", ".git"}
#: seconds a worker may take beyond the sum of its checks' limits: interpreter start, imports,
#: the section's fixtures (models), and the sandbox's set-up
WORKER_MARGIN = 90.0
REPORT_FORMAT = 1


class BatchError(ValueError):
    """A mistake in the batch command itself (no submissions, sandbox asked for but missing).
    ``str()`` is one line fit for a terminal."""


# ---------------------------------------------------------------------------------------------
# Finding the submissions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    learner: str  # taken from the path: the file's stem, or the learner's folder
    path: Path | None  # None when the learner's folder holds no single gradable file
    problem: str = ""  # why it cannot be graded (no file, several files)
    folder: Path | None = None  # the learner's own folder, if submissions are one per folder

    @property
    def private(self) -> Path | None:
        """What other submissions' sandboxes must not see: the learner's folder, else the file."""
        return self.folder or self.path


def _gradable(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if f.endswith(SUFFIXES) and not f.startswith(".")]
    return found


def find_submissions(target: str, section: str) -> list[Submission]:
    """A folder: each ``.py``/``.ipynb`` file in it is one learner (named by its stem), and each
    subfolder is one learner (named by the folder) whose one gradable file is graded — if it has
    several, the one whose name starts with the section id. Anything else: a glob pattern, each
    match one learner, named by its folder when the matches are one per folder, else by its path.
    """
    root = Path(target)
    if root.is_dir():
        found: list[Submission] = []
        for entry in sorted(root.iterdir()):
            if entry.name.startswith(".") or entry.name in SKIPPED_DIRS:
                continue
            if entry.is_file() and entry.suffix in SUFFIXES:
                found.append(Submission(entry.stem, entry))
            elif entry.is_dir():
                files = _gradable(entry)
                if len(files) > 1:
                    files = [f for f in files if f.name.startswith(section)] or files
                if len(files) == 1:
                    found.append(Submission(entry.name, files[0], folder=entry))
                elif not files:
                    found.append(Submission(entry.name, None, "no .py or .ipynb file in the folder", entry))
                else:
                    names = ", ".join(str(f.relative_to(entry)) for f in files[:4])
                    found.append(Submission(entry.name, None, f"{len(files)} files to choose from ({names}); keep one", entry))
        return found
    matches = sorted(Path(p) for p in glob(target, recursive=True) if p.endswith(SUFFIXES) and Path(p).is_file())
    if not matches:
        return []
    parents = [m.resolve().parent for m in matches]
    if len({m.name for m in matches}) == 1 and len({p.name for p in parents}) == len(parents):
        # every learner's file has the same name: a folder per learner, named by the folder
        return [Submission(p.name, m, folder=m.parent) for p, m in zip(parents, matches, strict=True)]
    common = Path(os.path.commonpath(parents))
    names = [str(m.resolve().relative_to(common).with_suffix("")) for m in matches]
    return [Submission(name, match) for name, match in zip(names, matches, strict=True)]


def _safe_name(learner: str) -> str:
    """A learner's name as a file name (``alice/week1`` → ``alice__week1``)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in learner.replace(os.sep, "__")) or "_"


# ---------------------------------------------------------------------------------------------
# The sandbox
# ---------------------------------------------------------------------------------------------


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def sandbox_mode(asked: str) -> str:
    """``on``/``off`` for ``auto``, or a :class:`BatchError` for ``on`` where bwrap cannot run."""
    if asked == "off":
        return "off"
    problem = _bwrap_problem()
    if problem is None:
        return "on"
    if asked == "on":
        raise BatchError(f"--sandbox on needs bubblewrap, but {problem}. Install it (Debian: apt-get install bubblewrap) or use --sandbox off.")
    return "off"


def _bwrap_problem() -> str | None:
    """Why bwrap cannot be used here, or None. It must exist and be allowed to make namespaces."""
    if not sys.platform.startswith("linux"):
        return "it runs only on Linux"
    bwrap = bwrap_path()
    if bwrap is None:
        return "bwrap is not installed"
    try:
        run = subprocess.run(
            [bwrap, "--ro-bind", "/", "/", "--unshare-net", "--unshare-pid", "--die-with-parent", "true"],
            capture_output=True, text=True, timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bwrap could not start ({e})"
    if run.returncode != 0:
        return f"bwrap cannot create namespaces here ({run.stderr.strip().splitlines()[-1:] or run.returncode})"
    return None


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def sandbox_command(work: Path, private_root: Path, hidden: Iterable[Path], needed: Iterable[Path]) -> list[str]:
    """The ``bwrap`` prefix for one worker: the host's filesystem, all of it read-only, minus what
    is hidden, plus one writable folder, ``work`` (which holds the copy of the submission and is
    the worker's working directory, ``HOME`` and ``TMPDIR``).

    ``private_root`` holds every worker's ``work`` folder: it is hidden, then this worker's own is
    bound back. ``hidden`` folders get an empty tmpfs over them and hidden files an empty file —
    except a folder that contains something the grader ``needed`` (its Python, the model cache)."""
    cmd = [
        bwrap_path() or "bwrap",
        "--ro-bind", "/", "/",
        "--dev", "/dev",
        "--proc", "/proc",
        "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
        "--die-with-parent", "--new-session",
    ]
    required = [p.resolve() for p in needed if p.exists()]
    for path in sorted({p.resolve() for p in hidden}):
        if not path.exists() or path == Path("/") or any(_under(n, path) for n in required):
            continue
        cmd += ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]
    cmd += ["--tmpfs", str(private_root), "--bind", str(work), str(work), "--chdir", str(work)]
    for variable in ("HOME", "TMPDIR"):
        cmd += ["--setenv", variable, str(work)]
    return cmd


# ---------------------------------------------------------------------------------------------
# Grading one submission (parent side)
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    learner: str
    file: str
    status: str  # pass · fail · error (the file could not be graded) · grader-error (the worker died)
    points: float = 0.0
    max_points: float = 0.0
    exercises: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    sandbox: str = "off"
    message: str = ""
    sha256: str = ""
    grader: str = ""
    report: dict | None = None

    def to_dict(self) -> dict:
        return {
            "format": REPORT_FORMAT, "learner": self.learner, "file": self.file, "status": self.status,
            "points": self.points, "max_points": self.max_points, "exercises": self.exercises,
            "seconds": round(self.seconds, 2), "sandbox": self.sandbox, "message": self.message,
            "sha256": self.sha256, "grader": self.grader, "report": self.report,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Row:
        keys = ("learner", "file", "status", "points", "max_points", "exercises", "seconds", "sandbox",
                "message", "sha256", "grader", "report")
        return cls(**{k: d[k] for k in keys})


def grader_version(section: str) -> str:
    """The package version and a hash of the section's checks and reference solutions: a change
    to either re-grades every submission on the next run."""
    from arena_check import __version__, registry

    info = registry.sections()[section]
    digest = hashlib.sha256()
    for module in (info.module, info.reference):
        spec = importlib.util.find_spec(module) if module else None
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            digest.update(Path(spec.origin).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _die_with_parent() -> None:
    """In the worker before exec: its own process group, and SIGKILL when the batch dies."""
    os.setsid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@dataclass
class Settings:
    section: str
    sandbox: str  # "on" or "off", resolved
    timeout: float | None
    memory_mb: int | None
    imports: list[str]
    hidden: list[Path]
    worker_limit: float
    exercises: list[str]
    grader: str


def grade_one(sub: Submission, settings: Settings, sha256: str) -> Row:
    """Grade one submission in a worker process; never raises for anything the submission does."""
    assert sub.path is not None
    start = time.monotonic()
    row = Row(sub.learner, str(sub.path), "grader-error", sandbox=settings.sandbox, sha256=sha256, grader=settings.grader)
    with tempfile.TemporaryDirectory(prefix="arena-batch-") as tmp:
        work = Path(tmp) / "submission"
        work.mkdir()
        copy = work / sub.path.name
        shutil.copyfile(sub.path, copy)
        worker = [sys.executable, "-m", "arena_check.batch", "--worker", settings.section, str(copy)]
        if settings.timeout is not None:
            worker += ["--timeout", str(settings.timeout)]
        if settings.memory_mb is not None:
            worker += ["--memory-mb", str(settings.memory_mb)]
        for module in settings.imports:
            worker += ["--import", module]
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(work), "TMPDIR": str(work)}
        if settings.sandbox == "on":
            needed = [Path(p) for p in sys.path if p] + [Path(sys.prefix), Path(sys.base_prefix), cache_path()]
            needed += [Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
            cmd = sandbox_command(work, Path(tmp), settings.hidden, needed) + worker
        else:
            cmd = worker
        try:
            proc = subprocess.Popen(
                cmd, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, preexec_fn=_die_with_parent,  # noqa: PLW1509 — needed for setsid + pdeathsig
            )
        except OSError as e:
            row.message = f"could not start the grader: {e}"
            return row
        with _RUNNING_LOCK:
            _RUNNING.add(proc)
        try:
            out, err = proc.communicate(timeout=settings.worker_limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            out, err = proc.communicate()
            row.message = f"grading took longer than {settings.worker_limit:.0f} s and was stopped"
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard(proc)
            _kill(proc)
    row.seconds = time.monotonic() - start
    if row.message:
        return row
    try:
        result = json.loads(out.decode("utf-8", errors="replace"))
    except json.JSONDecodeError:
        tail = err.decode("utf-8", errors="replace").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        row.message = f"the grader stopped without a report ({tail[0][:200]})"
        return row
    row.status, row.points, row.max_points = result["status"], result["points"], result["max_points"]
    row.exercises, row.message, row.report = result["exercises"], result["message"], result["report"]
    return row


_RUNNING: set[subprocess.Popen] = set()
_RUNNING_LOCK = threading.Lock()


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# ---------------------------------------------------------------------------------------------
# The batch
# ---------------------------------------------------------------------------------------------


def reports_dir(out: Path) -> Path:
    return out.with_name(out.stem + "_reports")


def _load_previous(path: Path) -> Row | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Row.from_dict(data) if data.get("format") == REPORT_FORMAT else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class BatchResult:
    rows: list[Row]
    graded: int
    skipped: int
    sandbox: str
    out: Path


def run_batch(
    section: str,
    target: str,
    *,
    jobs: int | None = None,
    sandbox: str = "auto",
    out: Path = Path("gradebook.csv"),
    timeout: float | None = None,
    memory_mb: int | None = None,
    imports: Iterable[str] = (),
    log: Callable[[int, int, Row, bool], None] | None = None,
) -> BatchResult:
    """Grade every submission under ``target``; write the per-learner reports and the gradebook."""
    from arena_check import registry

    imports = list(imports)
    for module in imports:
        importlib.import_module(module)
    specs = registry.checks_for(section)  # UnknownSection / SectionUnavailable for the caller
    mode = sandbox_mode(sandbox)
    submissions = find_submissions(target, section)
    if not submissions:
        raise BatchError(f"no submissions found in {target} (looked for .py and .ipynb files)")
    learners = [s.learner for s in submissions]
    duplicates = sorted({n for n in learners if learners.count(n) > 1})
    if duplicates:
        raise BatchError(f"two submissions have the same learner name: {', '.join(duplicates[:3])}")
    out = Path(out)
    reports = reports_dir(out)
    reports.mkdir(parents=True, exist_ok=True)
    limits = sum(timeout or s.timeout for s in specs) + (timeout or 30.0)
    settings = Settings(
        section=section, sandbox=mode, timeout=timeout, memory_mb=memory_mb, imports=imports,
        hidden=[s.private for s in submissions if s.private is not None] + [reports, out],
        worker_limit=limits + WORKER_MARGIN, exercises=registry.exercises_for(section),
        grader=grader_version(section),
    )
    rows: dict[str, Row] = {}
    to_grade: list[tuple[Submission, str]] = []
    skipped = 0
    for sub in submissions:
        if sub.path is None:
            rows[sub.learner] = Row(sub.learner, "", "error", sandbox=mode, message=sub.problem,
                                    max_points=sum(s.points for s in specs), grader=settings.grader)
            continue
        sha = _file_hash(sub.path)
        previous = _load_previous(reports / f"{_safe_name(sub.learner)}.json")
        if previous and (previous.sha256, previous.grader, previous.sandbox) == (sha, settings.grader, mode) \
                and previous.status != "grader-error":
            rows[sub.learner] = previous
            skipped += 1
        else:
            to_grade.append((sub, sha))
    total, done = len(submissions), len(submissions) - len(to_grade)
    lock = threading.Lock()

    def work(item: tuple[Submission, str]) -> None:
        nonlocal done
        sub, sha = item
        row = grade_one(sub, settings, sha)
        if not row.max_points:
            row.max_points = sum(s.points for s in specs)
        _write_atomically(reports / f"{_safe_name(sub.learner)}.json", json.dumps(row.to_dict(), indent=1))
        with lock:
            rows[sub.learner] = row
            done += 1
            if log:
                log(done, total, row, False)

    if log:
        for learner in learners:
            if learner in rows:
                log(0, total, rows[learner], True)
    workers = max(1, jobs or os.cpu_count() or 1)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work, item) for item in to_grade]:
                future.result()
    except BaseException:
        with _RUNNING_LOCK:
            for proc in list(_RUNNING):
                _kill(proc)
        raise
    ordered = [rows[n] for n in learners]
    write_gradebook(out, ordered, settings.exercises)
    return BatchResult(ordered, len(to_grade), skipped, mode, out)


def gradebook_columns(exercises: list[str]) -> list[str]:
    return ["learner", "status", "points", "max_points", *exercises, "seconds", "sandbox", "file", "message"]


def write_gradebook(out: Path, rows: list[Row], exercises: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(gradebook_columns(exercises))
    for r in rows:
        writer.writerow([
            r.learner, r.status, f"{r.points:g}", f"{r.max_points:g}",
            *[f"{r.exercises.get(e, 0.0):g}" for e in exercises],
            f"{r.seconds:.1f}", r.sandbox, r.file, r.message.split("\n")[0][:300],
        ])
    _write_atomically(out, buffer.getvalue())


# ---------------------------------------------------------------------------------------------
# The worker: runs inside the sandbox, grades one file, prints one JSON object
# ---------------------------------------------------------------------------------------------


def _worker(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m arena_check.batch --worker")
    p.add_argument("section")
    p.add_argument("path")
    p.add_argument("--timeout", type=float)
    p.add_argument("--memory-mb", type=int)
    p.add_argument("--import", dest="imports", action="append", default=[])
    args = p.parse_args(argv)
    for module in args.imports:
        importlib.import_module(module)
    from arena_check import api, registry

    report = api.grade_file(args.section, args.path, timeout=args.timeout, memory_mb=args.memory_mb)
    exercises = {e: 0.0 for e in registry.exercises_for(args.section)}
    for r in report.results:
        exercises[r.exercise] = exercises.get(r.exercise, 0.0) + r.points
    status = "error" if report.load_error is not None else ("pass" if report.passed else "fail")
    result = {
        "status": status, "points": report.points, "max_points": report.max_points, "exercises": exercises,
        "message": report.load_error or "", "report": report.to_json_dict(),
    }
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        sys.exit(_worker(sys.argv[2:]))
    sys.exit("usage: arena-check batch SECTION FOLDER_OR_GLOB (this module's own entry is for the batch's workers)")
