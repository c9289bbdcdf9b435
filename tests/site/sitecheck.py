"""Where the built site is (shared by the site fixtures, the site tests and the link check)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def site_path() -> Path:
    """``$ARENA_SITE_DIR`` or ``_build/html``: what ``make book`` writes."""
    return Path(os.environ.get("ARENA_SITE_DIR", ROOT / "_build" / "html")).resolve()


def missing_site_message(site: Path) -> str:
    return (
        f"No built site at {site} (index.html missing): run `make book` first "
        "(or point ARENA_SITE_DIR at a built _build/html)."
    )
