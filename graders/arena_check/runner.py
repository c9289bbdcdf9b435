"""Isolation: run a piece of work in a child process with a time limit, memory cap and output cap.

The grader forks once per check. Forking (rather than starting a new interpreter) keeps each check
cheap: torch and the section's checks are imported once, in the parent. The child

* runs in its own process group, which is killed when the child ends or times out, so nothing the
  learner started (``subprocess.Popen(["sleep", "100"])``) outlives the check or holds it up;
* has an address-space limit (``RLIMIT_AS``) a fixed amount above what the grader already mapped
  (relative, because importing torch alone maps gigabytes of address space) and one torch thread;
* writes stdout/stderr into a pipe that the parent drains and caps, through fresh streams (the
  inherited ``sys.stdout`` may be pytest's or Jupyter's);
* reports its result as JSON on a second pipe, then leaves with ``os._exit`` (no atexit surprises).

Whatever the child does — loop, exit, crash, allocate 100 GB, print 10 MB — the parent gets an
:class:`Outcome`, never an exception or a hang.
"""

from __future__ import annotations

import faulthandler
import json
import os
import resource
import selectors
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

DEFAULT_MEMORY_MB = 2048
DEFAULT_OUTPUT_CAP = 2 * 1024 * 1024  # bytes of stdout+stderr before the child is stopped
KEPT_OUTPUT = 4096  # bytes of output kept for the report


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds of wall-clock time
    memory_mb: int = DEFAULT_MEMORY_MB  # extra address space beyond the grader's own
    output_cap: int = DEFAULT_OUTPUT_CAP


@dataclass
class Outcome:
    kind: Literal["done", "timeout", "output_flood", "crashed"]
    payload: dict | None  # what the work returned, when kind == "done"
    output: str  # the first KEPT_OUTPUT bytes the child printed
    output_bytes: int  # how many bytes it printed in all
    seconds: float
    detail: str = ""  # for "crashed": how the child died


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _single_threaded_torch() -> None:
    """Give the child one intra-op thread, if the grader imported torch.

    Why: the grader forks before torch ever ran an operation, so the child would build its own
    thread pool, one thread per core, each reserving stack and a malloc arena of address space.
    On a big machine that alone can exceed ``RLIMIT_AS`` and fail a correct solution.
    ``OMP_NUM_THREADS`` is read when torch is loaded, i.e. too late here.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(1)
        except Exception:  # noqa: BLE001 — an exotic torch build must not stop grading
            pass


def _child(work: Callable[[], dict], limits: Limits, out_w: int, res_w: int) -> None:
    """Body of the forked child. Never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.close(out_w)
        sys.stdin = open(os.devnull)  # noqa: SIM115
        # Fresh streams on fds 1 and 2: the inherited sys.stdout may be pytest's capture file or
        # a Jupyter socket stream, which would swallow the learner's prints (and the output cap).
        # Line buffering keeps what was printed before a timeout kill.
        sys.stdout = sys.__stdout__ = open(  # noqa: SIM115
            1, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
        )
        sys.stderr = sys.__stderr__ = open(  # noqa: SIM115
            2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False
        )
        if faulthandler.is_enabled():  # pytest enables it: a learner's segfault would dump the
            faulthandler.disable()  # grader's stack onto the terminal, outside the output cap
        _single_threaded_torch()
        mapped = _vm_bytes()
        if mapped:  # Linux: cap the address space a fixed amount above what is mapped already
            cap = mapped + limits.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            payload = work()
        except BaseException as e:  # noqa: BLE001 — nothing may escape the child
            try:
                payload = {"internal_error": f"{type(e).__name__}: {e}"}
            except Exception:  # noqa: BLE001 — an exception whose __str__ raises
                payload = {"internal_error": type(e).__name__}
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 — the learner may have closed or replaced them
            pass
        data = json.dumps(payload, default=repr).encode()
        view = memoryview(data)
        while view:
            n = os.write(res_w, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001
        code = 70
    finally:
        os._exit(code)


def _exit_watch(pid: int) -> int | None:
    """A file descriptor that becomes readable when ``pid`` exits (Linux ≥ 5.3), else None."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _has_exited(pid: int) -> bool:
    """Whether the child has exited, without reaping it (its pid, and so its process group id,
    stay reserved until :func:`_reap`, so killing the group afterwards cannot hit a stranger)."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def run_isolated(work: Callable[[], dict], limits: Limits) -> Outcome:
    """Run ``work()`` in a forked child under ``limits``; ``work`` returns a JSON-able dict.

    The parent reads the child's output and result until the child *exits* — not until the pipes
    close, since a process the learner started (``subprocess.Popen(["sleep", "100"])``) inherits
    them and may hold them open for ever. Once the child is gone, its whole process group is
    killed, so nothing the learner started outlives the check.
    """
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # or the child would print the buffered text again
        if stream is not None:
            stream.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        os.close(out_r)
        os.close(res_r)
        _child(work, limits, out_w, res_w)
    os.close(out_w)
    os.close(res_w)
    try:
        os.setpgid(pid, pid)  # also here, so a kill right after fork already reaches the group
    except OSError:
        pass

    kept = bytearray()
    total = 0
    result = bytearray()
    kind: str = "done"
    sel = selectors.DefaultSelector()
    sel.register(out_r, selectors.EVENT_READ, "out")
    sel.register(res_r, selectors.EVENT_READ, "res")
    watch = _exit_watch(pid)
    if watch is not None:
        sel.register(watch, selectors.EVENT_READ, "exit")
    deadline = start + limits.timeout
    exited = False

    open_fds = {out_r, res_r}

    def read(fd: int, data: str) -> bool:
        """Read one chunk; False at end of file."""
        nonlocal total, kind
        chunk = os.read(fd, 65536)
        if not chunk:
            sel.unregister(fd)
            open_fds.discard(fd)
            return False
        if data == "res":
            result.extend(chunk)
        else:
            total += len(chunk)
            if len(kept) < KEPT_OUTPUT:
                kept.extend(chunk[: KEPT_OUTPUT - len(kept)])
            if total > limits.output_cap:
                kind = "output_flood"
        return True

    while not exited and kind == "done":
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            kind = "timeout"
            break
        # Without a pidfd, poll for the exit every 50 ms.
        events = sel.select(timeout=min(remaining, 0.5 if watch is not None else 0.05))
        for key, _ in events:
            if key.data == "exit":
                exited = True
            elif key.fd in open_fds:
                read(key.fd, key.data)
        if watch is None:
            exited = _has_exited(pid)
    if exited:
        # Drain what the child wrote before it exited; a bounded number of reads, since a
        # process the learner started may still be writing into the same pipe.
        for _ in range(128):
            ready = [k for k, _ in sel.select(timeout=0) if k.data != "exit" and k.fd in open_fds]
            if kind != "done" or not ready:
                break
            for key in ready:
                read(key.fd, key.data)
    sel.close()

    _kill_group(pid)  # leftovers: a timed-out child, or processes the learner started
    status = _reap(pid, grace=2.0)
    for fd in (out_r, res_r) + ((watch,) if watch is not None else ()):
        os.close(fd)
    seconds = time.monotonic() - start
    output = kept.decode("utf-8", errors="replace")

    if kind != "done":
        return Outcome(kind, None, output, total, seconds)  # type: ignore[arg-type]
    try:
        payload = json.loads(result.decode()) if result else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return Outcome("crashed", None, output, total, seconds, _describe_status(status))
    return Outcome("done", payload, output, total, seconds)


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int, grace: float) -> int:
    """Wait for the child; kill it if it lingers."""
    end = time.monotonic() + grace
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > end:
            _kill_group(pid)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.005)


def _describe_status(status: int) -> str:
    """How a child that sent no result ended, as the end of a sentence starting with "what"."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL:
            return "was killed (SIGKILL), most likely for using too much memory"
        if sig == signal.SIGSEGV:
            return "crashed with a segmentation fault (SIGSEGV)"
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"was stopped by signal {name}"
    if os.WIFEXITED(status):
        return (
            f"ended the whole process (exit code {os.WEXITSTATUS(status)}) before it finished. "
            "Remove calls such as os._exit() or os.kill(), and return a value instead"
        )
    return "stopped unexpectedly"
