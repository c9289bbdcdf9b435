"""The model zoo: ``zoo.load("smollm2-135m")`` gives a ready model, offline, on the CPU.

Each entry lives in its own module under :mod:`arena_check.kit.models`, which registers a loader
with :func:`register`; this module only knows the entries' names and where they are defined, so
that ``import arena_check.kit.zoo`` stays cheap.

    from arena_check.kit import zoo
    model = zoo.load("attn-only-2l")      # a HookedTransformer with its tokenizer
    zoo.names()                            # every entry
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: entry name → module that registers it (imported on first use)
_ENTRY_MODULES: dict[str, str] = {
    "smollm2-135m": "arena_check.kit.models.smollm2",
    "smollm2-135m-hf": "arena_check.kit.models.smollm2",
    "gpt2-mini": "arena_check.kit.models.gpt2_mini",
    "organism-false-trigger": "arena_check.kit.models.organisms",
    "attn-only-2l": "arena_check.kit.models.attn_only",
    "brackets-classifier": "arena_check.kit.models.brackets",
    "grokking-mod-53": "arena_check.kit.models.grokking",
}


@dataclass(frozen=True)
class Entry:
    name: str
    loader: Callable[..., Any]
    summary: str
    source: str  # where the weights come from (package, training script)
    licence: str


_REGISTRY: dict[str, Entry] = {}


def register(name: str, *, summary: str, source: str, licence: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator for a model module's loader function."""

    def wrap(loader: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY[name] = Entry(name, loader, summary, source, licence)
        return loader

    return wrap


def names() -> list[str]:
    return list(_ENTRY_MODULES)


def entry(name: str) -> Entry:
    if name not in _ENTRY_MODULES:
        raise KeyError(f"no model {name!r} in the zoo; available: {', '.join(_ENTRY_MODULES)}")
    importlib.import_module(_ENTRY_MODULES[name])
    return _REGISTRY[name]


def load(name: str, **kwargs: Any) -> Any:
    """Load a zoo model by name (offline). Keyword arguments go to the entry's loader."""
    return entry(name).loader(**kwargs)
