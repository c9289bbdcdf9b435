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
import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

ROLES = ("exercise", "check", "export", "book-only")
#: MyST-NB's own cell tags, which may stand beside a role. Anything else is a typo: the build fails
#: naming the nearest valid tag (a misspelled ``excercise`` once published a solution as plain code).
#: ``skip-execution`` is absent on purpose: every cell of every page runs in the build.
MYST_NB_TAGS = (
    "hide-input", "hide-output", "hide-cell", "remove-input", "remove-output", "remove-cell",
    "remove-stderr", "remove-stdout", "full-width", "margin", "raises-exception", "scroll-output",
)
KNOWN_TAGS = ROLES + MYST_NB_TAGS
KEEP_MARKER = "# keep"
SECTION_FILE = re.compile(r"^(?P<id>\d+\.\d+)_(?P<slug>[a-z0-9_]+)\.md$")
#: The line under every exercise heading, e.g. ``> difficulty 2/5 · importance 3/5 · 10 min``.
RATING_LINE = re.compile(
    r"^> difficulty (?P<difficulty>[1-5])/5 · importance (?P<importance>[1-5])/5 · (?P<time>\d+(?:–\d+)? min)[ \t]*$",
    re.M,
)
RATING_EXAMPLE = "> difficulty 2/5 · importance 3/5 · 10 min"
ROOT = Path(__file__).resolve().parent.parent


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

    def checks_file(self, root: Path = ROOT) -> Path:
        return root / "graders" / "arena_check" / "sections" / f"{self.module_name}.py"

    def reference_file(self, root: Path = ROOT) -> Path:
        return root / "graders" / "arena_check" / "reference" / f"{self.module_name}.py"


@dataclass(frozen=True)
class SectionMeta:
    """What the curriculum map and chapter tables say about a written section."""

    id: str
    title: str  # the page's first heading without the id: "Tensors and einops"
    summary: str  # "you will be able to …", from the front matter
    prerequisites: tuple[str, ...]


def section_meta(section: Section) -> SectionMeta:
    """Id from the file name, title from the first heading, the rest from ``arena:`` front matter."""
    front = section.notebook.metadata.get("arena") or {}
    where = section.source
    if not isinstance(front, dict) or not str(front.get("summary", "")).strip():
        raise AuthoringError(
            f"{where}: the front matter needs `arena: summary: …` — one line saying what a learner "
            "will be able to do (it appears in the curriculum map and the chapter's table)"
        )
    prereqs = front.get("prerequisites", []) or []
    if not isinstance(prereqs, list) or not all(re.fullmatch(r"\d+\.\d+", str(p)) for p in prereqs):
        raise AuthoringError(f'{where}: `arena: prerequisites:` must be a list of section ids, e.g. ["0.0"]')
    heading = next(
        (m for c in section.notebook.cells if c.cell_type == "markdown"
         for m in [re.search(r"^# (.+)$", c.source, flags=re.M)] if m),
        None,
    )
    if heading is None or not heading[1].startswith(section.id + " "):
        raise AuthoringError(f"{where}: the page must start with a heading `# {section.id} <title>`")
    return SectionMeta(section.id, heading[1][len(section.id) + 1 :].strip(), str(front["summary"]).strip(),
                       tuple(str(p) for p in prereqs))


# ------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------
def is_section_file(path: Path) -> bool:
    return SECTION_FILE.match(path.name) is not None


def read_section(path: Path) -> Section:
    match = SECTION_FILE.match(path.name)
    if match is None:
        raise AuthoringError(f"{path}: section files are named <id>_<slug>.md, e.g. 0.0_tensors_and_einops.md")
    text = path.read_text(encoding="utf-8")
    validate_tags(text, path)
    nb = jupytext.reads(text, fmt="md:myst")
    section = Section(match["id"], match["slug"], path, nb)
    validate(section)
    return section


_TAG_LINE = re.compile(r"^(?::tags:\s*\[(?P<cell>[^\]]*)\]|\+\+\+\s*(?P<json>\{.*\}))\s*$")


def validate_tags(text: str, where: Path | str) -> None:
    """Every tag on a cell is a role or one of MyST-NB's tags; a typo names the nearest valid one.

    Read from the text, not the parsed notebook, so the message can give the line number.
    """
    for number, line in enumerate(text.split("\n"), start=1):
        m = _TAG_LINE.match(line.strip())
        if m is None:
            continue
        if m["json"] is not None:
            try:
                tags = json.loads(m["json"]).get("tags", [])
            except (json.JSONDecodeError, AttributeError):
                raise AuthoringError(f"{where}:{number}: cell metadata is not valid JSON: {line.strip()}") from None
        else:
            tags = [t.strip().strip("'\"") for t in m["cell"].split(",") if t.strip()]
        for tag in tags:
            if tag not in KNOWN_TAGS:
                near = difflib.get_close_matches(str(tag), KNOWN_TAGS, n=1, cutoff=0.5)
                hint = f"; did you mean `{near[0]}`?" if near else f"; valid tags: {', '.join(KNOWN_TAGS)}"
                raise AuthoringError(f"{where}:{number}: unknown cell tag `{tag}`{hint}")


def role(cell: nbformat.NotebookNode) -> str | None:
    tags = [t for t in cell.get("metadata", {}).get("tags", []) if t in ROLES]
    return tags[0] if len(tags) == 1 else None


def validate(section: Section) -> None:
    """The format's rules, each failure naming the file and the cell.

    Every code cell has exactly one role; every exercise parses and has its rating line under its
    heading; check cells are not written by hand (they are generated from the exercise cells); a
    section with exercises imports ``arena_check`` in an ``export`` cell; and no ``export`` cell
    defines a name the section's checks grade, since export cells ship verbatim in the learner kit.
    """
    where = section.source
    text_since_heading = ""
    checked = checked_names(section)
    has_exercise = imports_grader = False
    for i, cell in enumerate(section.notebook.cells, start=1):
        if cell.cell_type == "markdown":
            if re.search(r"^#{1,6} ", cell.source, flags=re.M):
                text_since_heading = ""
            text_since_heading += cell.source
            continue
        if cell.cell_type != "code":
            continue
        first = cell.source.strip().split("\n")[0][:60]
        tags = [t for t in cell.metadata.get("tags", []) if t in ROLES]
        if len(tags) != 1:
            raise AuthoringError(
                f"{where}: code cell {i} ({first!r}) needs exactly one of the tags {', '.join(ROLES)}; has {tags}"
            )
        if tags[0] == "check":
            raise AuthoringError(
                f"{where}: code cell {i} ({first!r}) is a hand-written check cell. Check cells are "
                "generated after every exercise cell; delete this one."
            )
        try:
            names = defined_names(cell.source)
        except SyntaxError as e:
            raise AuthoringError(f"{where}: {tags[0]} cell {i} ({first!r}) does not parse: {e}") from None
        if tags[0] == "export":
            imports_grader |= bool(re.search(r"^import arena_check\b", cell.source, flags=re.M))
            leaked = [n for n in names if n in checked]
            if leaked:
                raise AuthoringError(
                    f"{where}: export cell {i} defines {', '.join(leaked)}, which "
                    f"{section.checks_file().name} grades: an export cell ships verbatim in the "
                    "learner kit, so its solution would too. Tag the cell `exercise`."
                )
        if tags[0] == "exercise":
            has_exercise = True
            if not names:
                raise AuthoringError(f"{where}: exercise cell {i} ({first!r}) defines no function or class")
            if not RATING_LINE.search(text_since_heading):
                raise AuthoringError(
                    f"{where}: exercise cell {i} ({', '.join(names)}) needs its rating line under its "
                    f"heading, exactly like: {RATING_EXAMPLE}"
                )
    if has_exercise and not imports_grader:
        raise AuthoringError(f"{where}: add `import arena_check` to an export cell: the generated check cells call it")


def checked_names(section: Section) -> set[str]:
    """Exercise names the section's checks module registers (read by AST: nothing is imported).

    ``@check(SECTION, "name", …)`` with a string literal as the second argument.
    """
    path = section.checks_file(_root_of(section))
    if not path.is_file():
        return set()
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "check":
            if len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                names.add(node.args[1].value)
    return names


def _root_of(section: Section) -> Path:
    """The repository a section's source lives in (``book/<chapter>/<file>`` → its grandparent's parent)."""
    source = section.source if section.source.is_absolute() else ROOT / section.source
    return source.resolve().parents[2]


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


_ROLE_WITH_TARGET = re.compile(r"\{(?:term|doc|ref|download)\}`(?P<text>[^`<]*?)\s*<[^>`]*>`")
_ROLE_PLAIN = re.compile(r"\{(?:term|doc|ref|download)\}`(?P<text>[^`]*)`")


def markdown_for_kit(text: str) -> str:
    """Markdown as Jupyter and editors show it: MyST dropdowns become HTML ``<details>`` (so hints
    stay folded), and cross-reference roles such as ``{term}`einsum``` become their plain text."""

    def repl(m: re.Match[str]) -> str:
        body = _OPTION_LINE.sub("", m["body"]).strip()
        return f"<details><summary>{m['title'] or 'Show'}</summary>\n\n{body}\n\n</details>"

    text = _DROPDOWN.sub(repl, text)
    text = _ROLE_WITH_TARGET.sub(lambda m: m["text"], text)
    return _ROLE_PLAIN.sub(lambda m: m["text"], text)


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


# ------------------------------------------------------------------------------------------
# Generated cells: the check after each exercise, the kit's download links
# ------------------------------------------------------------------------------------------
def check_cell(section_id: str, name: str) -> nbformat.NotebookNode:
    """The cell that grades ``name`` right after its exercise, on the page and in the kit."""
    cell = nbformat.v4.new_code_cell(f'arena_check.check("{section_id}", "{name}", {name})')
    cell.metadata["tags"] = ["check"]
    return cell


def with_check_cells(cells: list[nbformat.NotebookNode], section_id: str) -> list[nbformat.NotebookNode]:
    out = []
    for cell in cells:
        out.append(cell)
        if cell.cell_type == "code" and role(cell) == "exercise":
            out.extend(check_cell(section_id, name) for name in defined_names(cell.source))
    return out


def kit_links_markdown(section: Section) -> str:
    """The page's "exercise kit" block: download links and the grading command."""
    sid = section.id
    kit = f"/exercises/{sid}/{sid}"
    return f"""## The exercise kit

Work in your own editor or in Jupyter with this section's kit. It holds every exercise as a stub
(signature, docstring, `raise NotImplementedError`), the hints, and a check after each exercise:

- {{download}}`{sid}_exercises.py <{kit}_exercises.py>` — a script with `# %%` cells (VS Code,
  PyCharm and Jupyter open it as a notebook);
- {{download}}`{sid}_exercises.ipynb <{kit}_exercises.ipynb>` — the same as a notebook;
- {{download}}`{sid}_solutions.py <{kit}_solutions.py>` — reference solutions, for after you have tried.

Grade your whole file at any time, offline ({{doc}}`/book/setup` shows how to install the grader):

```console
$ arena-check {sid} {sid}_exercises.py
```

Each failing check names the input it used, the first entry that differs, and a hint. On this page
each exercise shows its stub; the solution is folded under **Show solution**, and the check below
it runs the same grader on the reference solution."""


def _before_first_part(cells: list[nbformat.NotebookNode], block: nbformat.NotebookNode) -> list:
    """Insert ``block`` right before the first level-2 heading (splitting its cell if needed)."""
    for i, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        m = re.search(r"^## ", cell.source, flags=re.M)
        if m is None:
            continue
        before, after = cell.source[: m.start()].rstrip("\n"), cell.source[m.start() :]
        rest = copy.deepcopy(cell)
        rest.source = after
        head = [copy.deepcopy(cell)] if before.strip() else []
        if head:
            head[0].source = before
        return cells[:i] + head + [block] + [rest] + cells[i + 1 :]
    return cells + [block]


def _dots(n: int) -> str:
    return "●" * n + "○" * (5 - n)


def decorate_ratings(text: str) -> str:
    """The rating line as the page shows it: the words carry the meaning ("difficulty 2/5"), the
    dots are decoration hidden from screen readers (and need no emoji font)."""

    def repl(m: re.Match[str]) -> str:
        d, i = int(m["difficulty"]), int(m["importance"])
        return (
            f'> <span class="arena-rating arena-difficulty" aria-hidden="true">{_dots(d)}</span> '
            f"difficulty {d}/5 · "
            f'<span class="arena-rating arena-importance" aria-hidden="true">{_dots(i)}</span> '
            f"importance {i}/5 · {m['time']}"
        )

    return RATING_LINE.sub(repl, text)


def fingerprint(section: Section) -> str:
    """A hash of the section's checks and reference modules. The page carries it in a hidden cell,
    so that editing either makes the execution cache re-run the page (which runs the checks)."""
    digest = hashlib.sha256()
    root = _root_of(section)
    for path in (section.checks_file(root), section.reference_file(root)):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()[:16]


# ------------------------------------------------------------------------------------------
# Rendering the kit
# ------------------------------------------------------------------------------------------
def kit_notebook(section: Section, solutions: bool) -> nbformat.NotebookNode:
    """The learner notebook: markdown and code minus book-only cells; stubs unless ``solutions``."""
    kind = "solutions" if solutions else "exercises"
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = [nbformat.v4.new_markdown_cell(f"*{banner(section, kind)}*".replace("\n", "*\n\n*"))]
    for cell in with_check_cells(section.notebook.cells, section.id):
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


# ------------------------------------------------------------------------------------------
# Rendering the page
# ------------------------------------------------------------------------------------------
def page_notebook(section: Section) -> nbformat.NotebookNode:
    """What the book renders and executes.

    Before each exercise cell its stub, the solution folded away, and the generated check cells
    after it; the kit's download block before the first part; rating lines decorated; and a hidden
    first cell holding :func:`fingerprint`, so the execution cache re-runs the page when its checks
    or reference change. The book extension and any pre-executor must both use this function, so
    that they agree on what is executed (and so on the cache key).
    """
    out = copy.deepcopy(section.notebook)
    marker = nbformat.v4.new_code_cell(f"# arena: checks and reference {fingerprint(section)}")
    marker.metadata["tags"] = ["remove-cell"]
    kit_block = nbformat.v4.new_markdown_cell(kit_links_markdown(section))
    kit_block.metadata["tags"] = ["book-only"]
    cells = [marker]
    for cell in _before_first_part(with_check_cells(out.cells, section.id), kit_block):
        if cell.cell_type == "markdown":
            cell.source = decorate_ratings(cell.source)
        elif cell.cell_type == "code" and role(cell) == "exercise":
            stub = make_stub(cell.source)
            fence = "````"
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"{fence}{{code-block}} python\n:caption: Your task (in `{section.id}_exercises.py`)\n:class: arena-stub\n\n"
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
