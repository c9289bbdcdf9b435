"""The one-source authoring format: read a section's MyST notebook, derive stubs, render the kit.

A section is ``book/<chapter>/<id>_<slug>.md`` (jupytext MyST notebook). Each code cell carries
exactly one role tag:

``exercise``   reference solution. Learners see a stub derived from it (bodies of top-level
               functions and of methods replaced by ``raise NotImplementedError``; lines ending in
               ``# keep`` survive). The page shows the stub and folds the solution.
``check``      calls ``arena_check.check(...)``; runs on the page against the reference.
``export``     helper code (imports, utilities) copied verbatim to the learner kit and reference.
``book-only``  demos, plots and results that stay on the page.

Markdown cells go to the kit unless tagged ``book-only`` (``+++ {"tags": ["book-only"]}``).

Used by ``tools/build_exercises.py`` (writes the kit) and by the Sphinx extension in
``book/_ext`` (shows stubs on the page), so both derive stubs the same way.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

ROLES = ("exercise", "check", "export", "book-only")
KEEP_MARKER = "# keep"
SECTION_FILE = re.compile(r"^(?P<id>\d+\.\d+)_(?P<slug>[a-z0-9_]+)\.md$")
RATING_MARKS = ("🔴", "🔵", "⏱")


class AuthoringError(ValueError):
    """A section source breaks the format; the message names the file and cell."""


@dataclass(frozen=True)
class Section:
    id: str
    slug: str
    source: Path  # book/<chapter>/<id>_<slug>.md
    notebook: nbformat.NotebookNode

    @property
    def module_name(self) -> str:
        """Python module name for the reference and the checks: ``s0_0_tensors_and_einops``."""
        return "s" + self.id.replace(".", "_") + "_" + self.slug


# ------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------
def is_section_file(path: Path) -> bool:
    return SECTION_FILE.match(path.name) is not None


def read_section(path: Path) -> Section:
    match = SECTION_FILE.match(path.name)
    if match is None:
        raise AuthoringError(f"{path}: section files are named <id>_<slug>.md, e.g. 0.0_tensors_and_einops.md")
    nb = jupytext.read(path, fmt="md:myst")
    section = Section(match["id"], match["slug"], path, nb)
    validate(section)
    return section


def role(cell: nbformat.NotebookNode) -> str | None:
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t in ROLES]
    return tags[0] if len(tags) == 1 else None


def validate(section: Section) -> None:
    """Every code cell has one role; every exercise parses and has ratings in the text above it."""
    where = section.source
    text_since_heading = ""
    for i, cell in enumerate(section.notebook.cells, start=1):
        if cell.cell_type == "markdown":
            if re.search(r"^#{1,6} ", cell.source, flags=re.M):
                text_since_heading = ""
            text_since_heading += cell.source
            continue
        if cell.cell_type != "code":
            continue
        tags = [t for t in cell.metadata.get("tags", []) if t in ROLES]
        if len(tags) != 1:
            first = cell.source.strip().split("\n")[0][:60]
            raise AuthoringError(
                f"{where}: code cell {i} ({first!r}) needs exactly one of the tags {', '.join(ROLES)}; has {tags}"
            )
        if tags[0] == "exercise":
            try:
                ast.parse(cell.source)
            except SyntaxError as e:
                raise AuthoringError(f"{where}: exercise cell {i} does not parse: {e}") from None
            missing = [m for m in RATING_MARKS if m not in text_since_heading]
            if missing:
                raise AuthoringError(
                    f"{where}: exercise cell {i} ({', '.join(defined_names(cell.source))}) needs "
                    f"difficulty 🔴, importance 🔵 and time ⏱ in the text under its heading; missing {missing}"
                )


def defined_names(source: str) -> list[str]:
    """Top-level functions and classes a cell defines (the exercise names)."""
    return [
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def exercise_names(section: Section) -> list[str]:
    return [
        name
        for cell in section.notebook.cells
        if cell.cell_type == "code" and role(cell) == "exercise"
        for name in defined_names(cell.source)
    ]


# ------------------------------------------------------------------------------------------
# Stubs
# ------------------------------------------------------------------------------------------
def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno] + [d.lineno for d in decorators])


def _stub_function(fn: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], qualname: str):
    """Return (first, last, new_lines): 1-based inclusive range of the body to replace."""
    body = fn.body
    if body[0].lineno == fn.lineno:  # one-liner `def f(x): return x`: keep the header, drop the rest
        def_line = lines[fn.lineno - 1]
        header = def_line[: body[0].col_offset].rstrip()
        indent = " " * (len(def_line) - len(def_line.lstrip()) + 4)
        return fn.lineno, fn.end_lineno, [header, f'{indent}raise NotImplementedError("exercise: {qualname}")']
    start_idx = 1 if body and _is_docstring(body[0]) else 0
    indent = " " * body[0].col_offset
    first = body[start_idx - 1].end_lineno + 1 if start_idx else _first_line(body[0])
    last = fn.end_lineno
    kept = []
    for line in lines[first - 1 : last]:
        if line.rstrip().endswith(KEEP_MARKER):
            kept.append(line.rstrip()[: -len(KEEP_MARKER)].rstrip())
    raise_line = f'{indent}raise NotImplementedError("exercise: {qualname}")'
    return first, last, kept + [raise_line]


def make_stub(source: str) -> str:
    """Replace function and method bodies with ``raise NotImplementedError``; keep the rest.

    Signatures, type annotations, docstrings, decorators, class attributes and module-level
    statements stay, so the stub tells the learner exactly what to build.
    """
    tree = ast.parse(source)
    lines = source.split("\n")
    edits = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            edits.append(_stub_function(node, lines, node.name))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    edits.append(_stub_function(item, lines, f"{node.name}.{item.name}"))
    for first, last, new in sorted(edits, reverse=True):
        lines[first - 1 : last] = new
    return "\n".join(lines)


def strip_keep_markers(source: str) -> str:
    return "\n".join(
        line.rstrip()[: -len(KEEP_MARKER)].rstrip() if line.rstrip().endswith(KEEP_MARKER) else line
        for line in source.split("\n")
    )


# ------------------------------------------------------------------------------------------
# Rendering the kit
# ------------------------------------------------------------------------------------------
_DROPDOWN = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{dropdown\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.S | re.M
)
_OPTION_LINE = re.compile(r"^:[a-z-]+:.*\n", re.M)


def markdown_for_kit(text: str) -> str:
    """MyST dropdowns become HTML ``<details>`` so hints stay folded in Jupyter too."""

    def repl(m: re.Match[str]) -> str:
        body = _OPTION_LINE.sub("", m["body"]).strip()
        return f"<details><summary>{m['title'] or 'Show'}</summary>\n\n{body}\n\n</details>"

    return _DROPDOWN.sub(repl, text)


def banner(section: Section, kind: str) -> str:
    src = section.source.as_posix()
    return (
        f"GENERATED from {src} by tools/build_exercises.py — do not edit by hand.\n"
        + {
            "exercises": f"Fill in every stub, then grade your work offline:  arena-check {section.id} <this file>",
            "solutions": "Reference solutions. Try the exercises first: reading a solution teaches less than writing one.",
            "reference": "Reference solutions imported by the checks in arena_check.sections.",
        }[kind]
    )


def kit_notebook(section: Section, solutions: bool) -> nbformat.NotebookNode:
    """The learner notebook: markdown and code minus book-only cells; stubs unless ``solutions``."""
    kind = "solutions" if solutions else "exercises"
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = [nbformat.v4.new_markdown_cell(f"*{banner(section, kind)}*".replace("\n", "*\n\n*"))]
    for cell in section.notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "book-only" in tags:
            continue
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(markdown_for_kit(cell.source)))
        elif cell.cell_type == "code":
            r = role(cell)
            source = cell.source
            if r == "exercise":
                source = strip_keep_markers(source) if solutions else make_stub(source)
            cells.append(nbformat.v4.new_code_cell(source))
    for i, cell in enumerate(cells):
        cell["id"] = f"{kind}-{i:03d}"  # fixed ids keep the output deterministic
    nb.cells = cells
    return nb


def to_ipynb(nb: nbformat.NotebookNode) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def to_py(nb: nbformat.NotebookNode) -> str:
    """Percent-format script (``# %%`` cells): runs as plain Python, opens as a notebook in editors."""
    nb = copy.deepcopy(nb)
    # No header: jupytext's would record its own version and make output depend on it.
    nb.metadata["jupytext"] = {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}
    text = jupytext.writes(nb, fmt="py:percent")
    return text if text.endswith("\n") else text + "\n"


def reference_module(section: Section) -> str:
    """``export`` and ``exercise`` cells only: an importable module with no side effects."""
    parts = [f'"""{banner(section, "reference")}"""', "# ruff: noqa"]
    for cell in section.notebook.cells:
        if cell.cell_type == "code" and role(cell) in ("export", "exercise"):
            parts.append(strip_keep_markers(cell.source).strip())
    return "\n\n\n".join(parts) + "\n"


def page_notebook(nb: nbformat.NotebookNode, section_id: str) -> nbformat.NotebookNode:
    """What the book renders: before each exercise cell, its stub; the solution folded away."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if cell.cell_type == "code" and role(cell) == "exercise":
            stub = make_stub(cell.source)
            fence = "````"
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"{fence}{{code-block}} python\n:caption: Your task (in `{section_id}_exercises.py`)\n:class: arena-stub\n\n"
                    f"{stub.strip()}\n{fence}"
                )
            )
            cell.source = strip_keep_markers(cell.source)
            tags = list(cell.metadata.get("tags", []))
            cell.metadata["tags"] = tags + ["hide-input"]
            cell.metadata["mystnb"] = {"code_prompt_show": "Show solution", "code_prompt_hide": "Hide solution"}
        cells.append(cell)
    out.cells = cells
    return out
