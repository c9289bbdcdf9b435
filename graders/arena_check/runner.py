"""Isolation: run a piece of work in a child process with a time limit, memory cap and output cap.

The grader forks once per check. Forking (rather than starting a new interpreter) keeps each check
cheap — torch and the section's checks are imported once, in the parent, which never runs tensor
code itself, so no thread pools exist to be broken by ``fork``. The child

* runs in its own process group (so a learner's own subprocesses die with it on timeout),
* has an address-space limit (``RLIMIT_AS``) a fixed amount above what the grader already mapped,
* writes stdout/stderr into a pipe that the parent drains and caps,
* reports its result as JSON on a second pipe, then leaves with ``os._exit`` (no atexit surprises).

Whatever the child does — loop, exit, crash, allocate 100 GB, print 10 MB — the parent gets an
:class:`Outcome`, never an exception or a hang.
"""

from __future__ import annotations

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


def _child(work: Callable[[], dict], limits: Limits, out_w: int, res_w: int) -> None:
    """Body of the forked child. Never returns."""
    code = 0
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        sys.stdin = open(os.devnull)  # noqa: SIM115
        if _vm_bytes():  # Linux: cap the address space above what is mapped already
            cap = _vm_bytes() + limits.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            payload = work()
        except BaseException as e:  # noqa: BLE001 — nothing may escape the child
            payload = {"internal_error": f"{type(e).__name__}: {e}"}
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except Exception:
            pass
        data = json.dumps(payload).encode()
        view = memoryview(data)
        while view:
            n = os.write(res_w, view)
            view = view[n:]
    except BaseException:  # noqa: BLE001
        code = 70
    finally:
        os._exit(code)


def run_isolated(work: Callable[[], dict], limits: Limits) -> Outcome:
    """Run ``work()`` in a forked child under ``limits``; ``work`` returns a JSON-able dict."""
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        os.close(out_r)
        os.close(res_r)
        _child(work, limits, out_w, res_w)
    os.close(out_w)
    os.close(res_w)

    kept = bytearray()
    total = 0
    result = bytearray()
    kind: str = "done"
    sel = selectors.DefaultSelector()
    sel.register(out_r, selectors.EVENT_READ, "out")
    sel.register(res_r, selectors.EVENT_READ, "res")
    deadline = start + limits.timeout
    open_fds = 2
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            kind = "timeout"
            break
        for key, _ in sel.select(timeout=min(remaining, 0.5)):
            chunk = os.read(key.fd, 65536)
            if not chunk:
                sel.unregister(key.fd)
                open_fds -= 1
                continue
            if key.data == "res":
                result += chunk
            else:
                total += len(chunk)
                if len(kept) < KEPT_OUTPUT:
                    kept += chunk[: KEPT_OUTPUT - len(kept)]
                if total > limits.output_cap:
                    kind = "output_flood"
        if kind == "output_flood":
            break
    sel.close()

    if kind != "done":
        _kill_group(pid)
    status = _reap(pid, grace=2.0)
    os.close(out_r)
    os.close(res_r)
    seconds = time.monotonic() - start
    output = kept.decode("utf-8", errors="replace")

    if kind != "done":
        return Outcome(kind, None, output, total, seconds)  # type: ignore[arg-type]
    try:
        payload = json.loads(result.decode()) if result else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if payload is None:
        return Outcome("crashed", None, output, total, seconds, _describe_status(status))
    return Outcome("done", payload, output, total, seconds)


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int, grace: float) -> int:
    """Wait for the child; kill it if it lingers after closing its pipes."""
    end = time.monotonic() + grace
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > end:
            _kill_group(pid)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.01)


def _describe_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        if sig == signal.SIGKILL:
            return "was killed (SIGKILL), most likely for using too much memory"
        if sig == signal.SIGSEGV:
            return "crashed with a segmentation fault (SIGSEGV)"
        return f"was stopped by signal {name}"
    if os.WIFEXITED(status):
        return f"exited with code {os.WEXITSTATUS(status)} before reporting a result"
    return "stopped unexpectedly"
