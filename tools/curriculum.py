"""The curriculum as data: chapters and sections, written or planned, and the tables made from it.

Two sources, so that adding a section touches only its own files:

* ``book/curriculum.yml`` — the chapters, and the sections still *planned* (id, title, summary);
* each written section's page, ``book/<chapter folder>/<id>_<slug>.md``: its id (file name), its
  title (first heading, after the id) and, in the front matter under ``arena:``, its ``summary``
  (what a learner will be able to do) and ``prerequisites`` (section ids).

A written page replaces the planned entry with the same id. The intro's curriculum map and each
chapter page's table are rendered from this by :func:`curriculum_map` and :func:`chapter_table`
(the book's Sphinx extension substitutes them into the pages), so they cannot drift from the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from authoring import SECTION_FILE, AuthoringError, read_section, section_meta

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
PLAN_FILE = BOOK / "curriculum.yml"


@dataclass(frozen=True)
class SectionEntry:
    id: str
    title: str
    summary: str
    status: str  # "written" or "planned"
    docname: str | None = None  # "book/0_fundamentals/0.0_tensors_and_einops" when written
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    folder: str
    sections: tuple[SectionEntry, ...] = field(default_factory=tuple)

    @property
    def docname(self) -> str:
        return f"book/{self.folder}/index"

    @property
    def planned(self) -> bool:
        """A chapter none of whose sections is written yet."""
        return not any(s.status == "written" for s in self.sections)


def _id_key(section_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in section_id.split("."))


def load(book: Path = BOOK) -> list[Chapter]:
    """Every chapter with its sections in id order, written pages replacing planned entries."""
    plan = yaml.safe_load((book / "curriculum.yml").read_text(encoding="utf-8"))
    chapters = []
    for ch in plan["chapters"]:
        entries: dict[str, SectionEntry] = {
            str(s["id"]): SectionEntry(str(s["id"]), s["title"], s["summary"], "planned")
            for s in ch.get("planned", [])
        }
        for page in sorted((book / ch["folder"]).glob("*.md")):
            if not SECTION_FILE.match(page.name):
                continue
            meta = section_meta(read_section(page))
            if not meta.id.startswith(f"{ch['id']}."):
                raise AuthoringError(f"{page}: section {meta.id} is in chapter {ch['id']}'s folder {ch['folder']}")
            entries[meta.id] = SectionEntry(
                meta.id, meta.title, meta.summary, "written",
                docname=page.relative_to(book.parent).with_suffix("").as_posix(),
                prerequisites=meta.prerequisites,
            )
        sections = tuple(sorted(entries.values(), key=lambda s: _id_key(s.id)))
        chapters.append(Chapter(str(ch["id"]), ch["title"], ch["folder"], sections))
    return chapters


def sections_by_id(chapters: list[Chapter]) -> dict[str, SectionEntry]:
    return {s.id: s for ch in chapters for s in ch.sections}


def _link(target_doc: str, text: str, from_doc: str) -> str:
    """A MyST ``{doc}`` link from ``from_doc`` to ``target_doc`` (absolute docnames start with /)."""
    del from_doc  # absolute targets work from any page
    return f"{{doc}}`{_escape(text)} </{target_doc}>`"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def _status(entry: SectionEntry) -> str:
    return "✓ written" if entry.status == "written" else "planned"


def curriculum_map(chapters: list[Chapter], from_doc: str) -> str:
    """The intro's table: every chapter and section, what it teaches, written or planned."""
    lines = ["| id | section | what you will be able to do | status |", "|---|---|---|---|"]
    for ch in chapters:
        chapter_status = "planned" if ch.planned else ""
        lines.append(f"| **{ch.id}** | **{_link(ch.docname, ch.title, from_doc)}** | | {chapter_status} |")
        for s in ch.sections:
            title = _link(s.docname, s.title, from_doc) if s.docname else _escape(s.title)
            lines.append(f"| {s.id} | {title} | {_escape(s.summary)} | {_status(s)} |")
    return "\n".join(lines)


def chapter_table(chapter: Chapter, chapters: list[Chapter], from_doc: str) -> str:
    """A chapter page's table: its sections, what each teaches, prerequisites, status."""
    by_id = sections_by_id(chapters)
    lines = ["| id | section | you will be able to | prerequisites | status |", "|---|---|---|---|---|"]
    for s in chapter.sections:
        title = _link(s.docname, s.title, from_doc) if s.docname else _escape(s.title)
        prereqs = ", ".join(
            _link(by_id[p].docname, p, from_doc) if p in by_id and by_id[p].docname else p
            for p in s.prerequisites
        ) or "—"
        lines.append(f"| {s.id} | {title} | {_escape(s.summary)} | {prereqs} | {_status(s)} |")
    return "\n".join(lines)


_MARKER = re.compile(r"^```\{arena-(?P<kind>curriculum-map|chapter-table)\}[ \t]*(?P<arg>\S*)[ \t]*\n```[ \t]*$", re.M)


def expand_markers(text: str, docname: str, chapters: list[Chapter] | None = None) -> str:
    """Replace the ```{arena-curriculum-map}``` and ```{arena-chapter-table} N``` blocks of a page."""
    if not _MARKER.search(text):
        return text
    chapters = chapters if chapters is not None else load()

    def repl(m: re.Match[str]) -> str:
        if m["kind"] == "curriculum-map":
            return curriculum_map(chapters, docname)
        matches = [c for c in chapters if c.id == m["arg"]]
        if not matches:
            raise AuthoringError(f"{docname}: no chapter {m['arg']!r} in book/curriculum.yml")
        return chapter_table(matches[0], chapters, docname)

    return _MARKER.sub(repl, text)


def has_markers(text: str) -> bool:
    return _MARKER.search(text) is not None


PLANNED_NOTE = """```{note}
This chapter is planned: none of its sections is written yet. The table below says what each will
teach; every section will follow the format of {doc}`/book/0_fundamentals/0.0_tensors_and_einops`.
```"""


def mark_planned_chapter(text: str, docname: str, chapters: list[Chapter]) -> str:
    """On a chapter page whose chapter has no written section: "(planned)" after the heading (the
    sidebar shows it too) and a note under it. Nothing changes once a section is written."""
    chapter = next((c for c in chapters if c.docname == docname), None)
    if chapter is None or not chapter.planned:
        return text
    return re.sub(r"^(# .+?)[ \t]*$", lambda m: f"{m[1]} (planned)\n\n{PLANNED_NOTE}", text, count=1, flags=re.M)
