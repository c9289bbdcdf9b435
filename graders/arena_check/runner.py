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

Running out of memory is not always a quick ``MemoryError``. A pure-Python bomb
(``while True: junk.append(" " * 10**6)``) touches every page it allocates, and page faults are
slow: on a loaded 2-core machine it fills a 2 GB cap at ~150 MB/s, so the time limit can come
first (measured: 1.2 GB of 2 GB after 9 s, with two busy processes and three such gradings at
once). So the parent watches the child's address space (``/proc/<pid>/status``) and reports a
child that times out while holding most of its cap, or a large and still growing share of it,
as out of memory (``kind == "memory"``), not as a timeout.
"""

from __future__ import annotations

import faulthandler
import json
import math
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
    #: seconds of CPU time (all threads); None: one more than ``timeout`` rounded up. Only a child
    #: whose threads run on several cores at once reaches it before the wall clock runs out.
    cpu_seconds: int | None = None

    @property
    def cpu_limit(self) -> int:
        return self.cpu_seconds if self.cpu_seconds is not None else math.ceil(self.timeout) + 1


@dataclass
class Outcome:
    #: "memory": the time limit passed while the child held most of its memory cap, or a large
    #: and growing share of it — it was running out of memory, slowly (see the module docstring).
    kind: Literal["done", "timeout", "output_flood", "crashed", "memory"]
    payload: dict | None  # what the work returned, when kind == "done"
    output: str  # the first KEPT_OUTPUT bytes the child printed
    output_bytes: int  # how many bytes it printed in all
    seconds: float
    detail: str = ""  # for "crashed": how the child died
    #: the most address space the child was seen to use beyond the grader's own, in MB (None:
    #: unknown, e.g. not Linux); ``near_memory_cap``: that was most of ``Limits.memory_mb``
    memory_used_mb: float | None = None
    near_memory_cap: bool = False


#: A child stopped by the time limit was running out of memory if it held at least NEAR_CAP of
#: its cap, or at least GROWING_SHARE of it while still growing by GROWING_RATE of the cap per
#: second or more over the last GROWING_WINDOW seconds (a bomb under load grows by 20–150 MB/s,
#: with stalls when it is not scheduled; a stuck or slow but sane program hardly at all).
NEAR_CAP = 0.9
GROWING_SHARE = 0.1
GROWING_RATE = 0.0025
GROWING_WINDOW = 2.0
SAMPLE_EVERY = 0.25  # seconds between looks at the child's memory


def _vm_bytes(pid: int | str = "self", field: str = "VmSize") -> int:
    """A ``Vm*`` field of ``/proc/<pid>/status`` in bytes (VmSize: address space now; VmPeak: the
    most it ever was); 0 where it cannot be read (not Linux, process gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _private_bytes(pid: int) -> int:
    """Memory the process has to itself (private clean + dirty pages, ``/proc/<pid>/smaps_rollup``),
    in bytes; 0 where it cannot be read (Linux < 4.14, not Linux, process gone).

    Why, beside the address space: a forked child first reuses heap its parent freed but kept
    mapped, so a bomb can fill hundreds of MB without its ``VmSize`` moving at all (a long pytest
    run leaves such a heap). Each page it writes becomes private to it, and that is seen here.
    """
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return total


def _address_space_cap(pid: int) -> int:
    """The child's ``RLIMIT_AS`` soft limit in bytes, from ``/proc/<pid>/limits``; 0 if unknown."""
    try:
        with open(f"/proc/{pid}/limits") as f:
            for line in f:
                if line.startswith("Max address space"):
                    soft = line.split()[3]
                    return int(soft) if soft.isdigit() else 0
    except (OSError, ValueError, IndexError):
        pass
    return 0


class _MemoryWatch:
    """The parent's view of a child's address space, sampled while it runs.

    Why the parent: a child that is still page-faulting its way towards the cap when the time
    limit comes cannot report anything itself, and a child killed by the kernel leaves no result.
    """

    def __init__(self, pid: int, limits: Limits, parent_vm: int) -> None:
        self.pid = pid
        self.cap_extra = limits.memory_mb * 1024 * 1024
        self.parent_vm = parent_vm  # the child's mapping at fork, if its own cap cannot be read
        self.base: int | None = None
        self.peak = 0  # bytes beyond the base
        #: (time, bytes taken beyond the base) of the last few looks: the larger of the growth of
        #: the address space and the child's private memory
        self.samples: list[tuple[float, int]] = []
        self.last = -1.0
        self.started = time.monotonic()

    def _base(self) -> int:
        if self.base is None:
            cap = _address_space_cap(self.pid)
            # The child sets its cap right after fork; until then, fall back to the parent's size.
            if cap > self.cap_extra:
                self.base = cap - self.cap_extra
            else:
                return self.parent_vm
        return self.base

    def sample(self, now: float, force: bool = False) -> None:
        if not force and now - self.last < SAMPLE_EVERY:
            return
        self.last = now
        size = _vm_bytes(self.pid)
        if not size:
            return
        base = self._base()
        private = _private_bytes(self.pid)
        taken = max(size - base, private)
        self.peak = max(self.peak, taken, _vm_bytes(self.pid, "VmPeak") - base)
        self.samples.append((now, taken))
        del self.samples[:-24]  # six seconds: more than GROWING_WINDOW

    def used_mb(self) -> float | None:
        return self.peak / (1024 * 1024) if self.samples else None

    def growing(self) -> bool:
        """Whether the address space grew at GROWING_RATE of the cap per second or more over the
        last GROWING_WINDOW seconds — or the second half of the run, if that is shorter, so that
        memory taken once at the start and then held does not count. A long window, because a
        bomb on a loaded machine is not scheduled all the time."""
        if len(self.samples) < 2:
            return False
        now, size = self.samples[-1]
        window = min(GROWING_WINDOW, max(0.5, (now - self.started) / 2))
        earlier = [(t, s) for t, s in self.samples if now - t >= 0.5]
        if not earlier:
            return False
        in_window = [(t, s) for t, s in earlier if now - t <= window]
        then, before = in_window[0] if in_window else earlier[-1]
        return (size - before) / (now - then) >= GROWING_RATE * self.cap_extra

    def near_cap(self, *, timed_out: bool) -> bool:
        if not self.samples or self.cap_extra <= 0:
            return False
        if self.peak >= NEAR_CAP * self.cap_extra:
            return True
        return timed_out and self.peak >= GROWING_SHARE * self.cap_extra and self.growing()


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
        # CPU time, beside the wall clock: a child whose threads spin on every core uses its
        # share of the machine up faster than the clock runs, and is stopped (SIGXCPU) then.
        cpu = limits.cpu_limit
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
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
    parent_vm = _vm_bytes()
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
    memory = _MemoryWatch(pid, limits, parent_vm)

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
        now = time.monotonic()
        remaining = deadline - now
        if remaining <= 0:
            kind = "timeout"
            memory.sample(now, force=True)  # before the kill: how much was it holding?
            if memory.near_cap(timed_out=True):
                kind = "memory"
            break
        memory.sample(now)
        # Without a pidfd, poll for the exit every 50 ms.
        events = sel.select(timeout=min(remaining, SAMPLE_EVERY if watch is not None else 0.05))
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
    status, cpu_seconds = _reap(pid, grace=2.0)
    for fd in (out_r, res_r) + ((watch,) if watch is not None else ()):
        os.close(fd)
    seconds = time.monotonic() - start
    output = kept.decode("utf-8", errors="replace")

    used = memory.used_mb()
    if kind == "done" and os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL) \
            and cpu_seconds >= limits.cpu_limit - 0.05:
        # its CPU-time limit stopped it (SIGXCPU; SIGKILL at the hard limit if it ignored that)
        return Outcome("timeout", None, output, total, seconds, detail="cpu", memory_used_mb=used)
    if kind != "done":
        near = kind == "memory"
        return Outcome(kind, None, output, total, seconds, memory_used_mb=used, near_memory_cap=near)  # type: ignore[arg-type]
    try:
        payload = json.loads(result.decode()) if result else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        near = memory.near_cap(timed_out=False)
        return Outcome("crashed", None, output, total, seconds, _describe_status(status), used, near)
    return Outcome("done", payload, output, total, seconds, memory_used_mb=used)


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int, grace: float) -> tuple[int, float]:
    """Wait for the child; kill it if it lingers. Returns its wait status and the CPU seconds it used."""
    end = time.monotonic() + grace
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage.ru_utime + usage.ru_stime
        if time.monotonic() > end:
            _kill_group(pid)
            _, status, usage = os.wait4(pid, 0)
            return status, usage.ru_utime + usage.ru_stime
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
