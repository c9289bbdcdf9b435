"""Conversion caches that are either complete or absent.

A conversion (for example GGUF → float32 safetensors) is written into a temporary folder next to
its final place and renamed into place only once every file is there, so an interrupted run
never leaves a half cache behind. Each cache has a ``meta.json`` recording a fingerprint of its
source file; a cache whose source changed is stale and gets rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

META_NAME = "meta.json"


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(path: Path) -> dict[str, Any]:
    """What ``meta.json`` records about a source file: its hash, plus size and mtime to skip re-hashing."""
    stat = path.stat()
    return {"sha256": sha256_of(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def source_matches(recorded: dict[str, Any], path: Path) -> bool:
    """True when ``path`` is the file ``recorded`` describes.

    Same size and mtime is taken as the same file (a cheap stat); otherwise the file is hashed,
    so a copy with a fresh mtime but identical bytes still counts as unchanged.
    """
    stat = path.stat()
    if stat.st_size != recorded.get("size"):
        return False
    if stat.st_mtime_ns == recorded.get("mtime_ns"):
        return True
    return sha256_of(path) == recorded.get("sha256")


def read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / META_NAME).read_text())
    except (OSError, ValueError):
        return None


def write_meta(folder: Path, meta: dict[str, Any]) -> None:
    """Write ``meta.json`` atomically (a reader sees the old or the new file, never half of one)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".meta-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(meta, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, folder / META_NAME)


def build_atomically(final: Path, build: Callable[[Path], dict[str, Any]]) -> Path:
    """Run ``build(tmp_dir)``, write the metadata it returns, then move ``tmp_dir`` to ``final``.

    An existing (stale) ``final`` is moved aside first and deleted afterwards. If another process
    finished the same conversion in the meantime, its result is kept and ours discarded.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-"))
    tmp.chmod(0o755)  # mkdtemp makes it private; the finished cache is an ordinary folder
    try:
        meta = build(tmp)
        write_meta(tmp, meta)
        if final.exists():
            trash = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.old-"))
            os.replace(final, trash / final.name)
            shutil.rmtree(trash, ignore_errors=True)
        try:
            os.replace(tmp, final)
        except OSError:
            if not (final / META_NAME).exists():  # not a concurrent success: a real failure
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
