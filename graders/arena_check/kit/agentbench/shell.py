"""A sandboxed pure-Python shell for the OS-style task set of section 4.5.

The filesystem is a dictionary in memory (absolute path → file text) plus a set of directories; a
handful of commands are implemented in Python. Nothing touches the real disk and nothing starts a
process, so an agent can do no harm whatever it types:

    shell = Shell({"/home/user/notes.txt": "buy milk\\n"})
    shell.run("cp notes.txt backup.txt")      # ''
    shell.run("grep -c milk backup.txt")      # '1'
    shell.run("rm /etc")                      # 'rm: /etc: is a directory'

Commands: ``pwd ls cd cat head wc grep echo mkdir touch cp mv rm``; ``echo`` understands ``> f``
and ``>> f``. A failing command returns a message starting with its name and a colon (as a real
shell prints to stderr) and leaves the filesystem unchanged.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Callable, Mapping

HOME = "/home/user"


class ShellError(Exception):
    """A command's own failure (a missing file, a bad option): shown to the agent as text."""


def resolve_path(cwd: str, path: str) -> str:
    """``path`` made absolute against ``cwd`` and normalised (``.``, ``..``, repeated slashes);
    ``..`` at the root stays at the root; ``~`` is the home directory."""
    if path == "~" or path.startswith("~/"):
        path = HOME + path[1:]
    joined = path if path.startswith("/") else f"{cwd}/{path}"
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "/" + "/".join(parts)


def parse_command(line: str) -> tuple[list[str], str | None, str | None]:
    """(argv, redirect, target): ``redirect`` is ``">"``, ``">>"`` or None. Quotes as in a POSIX
    shell. Raises ShellError on an empty line, a redirect with no target, or text after it."""
    try:
        tokens = shlex.split(line)
    except ValueError as error:
        raise ShellError(f"parse error: {error}") from None
    for op in (">>", ">"):
        if op in tokens:
            i = tokens.index(op)
            if i != len(tokens) - 2:
                raise ShellError(f"parse error: `{op}` must be followed by exactly one file name")
            if i == 0:
                raise ShellError("parse error: no command before the redirect")
            return tokens[:i], op, tokens[i + 1]
    if not tokens:
        raise ShellError("parse error: empty command")
    return tokens, None, None


class Shell:
    """The sandbox: ``files`` (path → text) and ``dirs`` (every directory, parents included)."""

    def __init__(self, files: Mapping[str, str], dirs: tuple[str, ...] = (), cwd: str = HOME) -> None:
        self.files: dict[str, str] = dict(files)
        self.dirs: set[str] = {"/"}
        for d in (HOME, cwd, *dirs, *(posixpath.dirname(p) for p in self.files)):
            self._add_dir(d)
        self.cwd = cwd
        self.commands: dict[str, Callable[[list[str]], str]] = {
            name[4:]: getattr(self, name) for name in dir(self) if name.startswith("cmd_")
        }

    def _add_dir(self, d: str) -> None:
        while d not in self.dirs:
            self.dirs.add(d)
            d = posixpath.dirname(d)

    # ------------------------------------------------------------------ helpers
    def path(self, p: str) -> str:
        return resolve_path(self.cwd, p)

    def read(self, p: str, cmd: str) -> str:
        full = self.path(p)
        if full in self.dirs:
            raise ShellError(f"{cmd}: {p}: is a directory")
        if full not in self.files:
            raise ShellError(f"{cmd}: {p}: no such file")
        return self.files[full]

    def listing(self, d: str) -> list[str]:
        """Names directly inside directory ``d`` (absolute), directories with a trailing slash."""
        prefix = d.rstrip("/") + "/"
        names = {p[len(prefix):].split("/")[0] + "/" for p in self.dirs if p.startswith(prefix) and p != prefix}
        for p in self.files:
            if p.startswith(prefix):
                rest = p[len(prefix):]
                names.add(rest.split("/")[0] + "/" if "/" in rest else rest)
        return sorted(names)

    def _target(self, src: str, dst: str) -> str:
        full = self.path(dst)
        return posixpath.join(full, posixpath.basename(src)) if full in self.dirs else full

    def _writable(self, full: str, cmd: str, shown: str) -> None:
        if full in self.dirs:
            raise ShellError(f"{cmd}: {shown}: is a directory")
        if posixpath.dirname(full) not in self.dirs:
            raise ShellError(f"{cmd}: {shown}: no such directory")

    # ------------------------------------------------------------------ the loop
    def run(self, line: str) -> str:
        """Run one command line; return what it prints (errors as text, state unchanged)."""
        try:
            argv, redirect, target = parse_command(line)
            if argv[0] not in self.commands:
                raise ShellError(f"{argv[0]}: command not found")
            if redirect and argv[0] != "echo":
                raise ShellError(f"{argv[0]}: redirection is supported for echo only")
            out = self.commands[argv[0]](argv[1:])
            if redirect:
                full = self.path(target)
                self._writable(full, "echo", target)
                old = self.files.get(full, "") if redirect == ">>" else ""
                self.files[full] = old + out + "\n"
                return ""
            return out
        except ShellError as error:
            return str(error)

    # ------------------------------------------------------------------ commands
    def cmd_pwd(self, args: list[str]) -> str:
        return self.cwd

    def cmd_ls(self, args: list[str]) -> str:
        d = self.path(args[0]) if args else self.cwd
        if d in self.files:
            return args[0]
        if d not in self.dirs:
            raise ShellError(f"ls: {args[0]}: no such directory")
        return "  ".join(self.listing(d))

    def cmd_cd(self, args: list[str]) -> str:
        d = self.path(args[0]) if args else HOME
        if d not in self.dirs:
            raise ShellError(f"cd: {args[0]}: no such directory")
        self.cwd = d
        return ""

    def cmd_cat(self, args: list[str]) -> str:
        if not args:
            raise ShellError("cat: missing file name")
        return "".join(self.read(a, "cat") for a in args).rstrip("\n")

    def cmd_head(self, args: list[str]) -> str:
        n = 10
        if len(args) == 3 and args[0] == "-n" and args[1].isdigit():
            n, args = int(args[1]), args[2:]
        if len(args) != 1:
            raise ShellError("head: usage: head [-n N] FILE")
        return "\n".join(self.read(args[0], "head").splitlines()[:n])

    def cmd_wc(self, args: list[str]) -> str:
        if len(args) != 2 or args[0] != "-l":
            raise ShellError("wc: usage: wc -l FILE")
        return str(len(self.read(args[1], "wc").splitlines()))

    def cmd_grep(self, args: list[str]) -> str:
        count = bool(args) and args[0] == "-c"
        args = args[1:] if count else args
        if len(args) != 2:
            raise ShellError("grep: usage: grep [-c] PATTERN FILE")
        lines = [x for x in self.read(args[1], "grep").splitlines() if args[0] in x]
        return str(len(lines)) if count else "\n".join(lines)

    def cmd_echo(self, args: list[str]) -> str:
        return " ".join(args)

    def cmd_mkdir(self, args: list[str]) -> str:
        for a in args or ["?"]:
            full = self.path(a)
            if full in self.dirs or full in self.files:
                raise ShellError(f"mkdir: {a}: already exists")
            if posixpath.dirname(full) not in self.dirs:
                raise ShellError(f"mkdir: {a}: no such directory")
            self.dirs.add(full)
        return ""

    def cmd_touch(self, args: list[str]) -> str:
        for a in args:
            full = self.path(a)
            self._writable(full, "touch", a)
            self.files.setdefault(full, "")
        return ""

    def cmd_cp(self, args: list[str]) -> str:
        if len(args) != 2:
            raise ShellError("cp: usage: cp SRC DST")
        text = self.read(args[0], "cp")
        dst = self._target(args[0], args[1])
        self._writable(dst, "cp", args[1])
        self.files[dst] = text
        return ""

    def cmd_mv(self, args: list[str]) -> str:
        if len(args) != 2:
            raise ShellError("mv: usage: mv SRC DST")
        text = self.read(args[0], "mv")
        dst = self._target(args[0], args[1])
        self._writable(dst, "mv", args[1])
        del self.files[self.path(args[0])]
        self.files[dst] = text
        return ""

    def cmd_rm(self, args: list[str]) -> str:
        if not args:
            raise ShellError("rm: missing file name")
        for a in args:
            self.read(a, "rm")  # raises for a directory or a missing file
        for a in args:
            del self.files[self.path(a)]
        return ""


__all__ = ["HOME", "Shell", "ShellError", "parse_command", "resolve_path"]
