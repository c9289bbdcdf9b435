"""Mistakes in a section's source fail loudly, naming the file (and line) — never a green build.

Each test here reproduces a silent failure a contributor once met: a misspelled tag that published
a solution as plain code, an ``export`` tag that shipped a solution in the learner kit, a checks
module edit that did not re-run the page.
"""

from __future__ import annotations

import ast
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import arena_book  # noqa: E402
from authoring import (  # noqa: E402
    AuthoringError,
    fingerprint,
    kit_notebook,
    page_notebook,
    read_section,
    role,
    to_py,
)

PAGE = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
arena:
  summary: make one-hot vectors
---

# 0.9 Demo

## Setup

```{code-cell} ipython3
:tags: [export]

import torch
import arena_check
```

### Exercise 1 · `one_hot`

> difficulty 1/5 · importance 2/5 · 5 min

```{code-cell} ipython3
:tags: [TAG]

def one_hot(i: int, n: int) -> torch.Tensor:
    \"\"\"A float vector of length n with a 1 at index i.\"\"\"
    out = torch.zeros(n)
    out[i] = 1.0
    return out
```
"""

CHECKS = """\
from arena_check.registry import check


@check("0.9", "one_hot")
def check_one_hot(one_hot) -> None:
    pass
"""


def _repo(tmp_path: Path, tag: str = "exercise", checks: str = CHECKS) -> Path:
    """A minimal repository layout in ``tmp_path`` with section 0.9; returns the page's path."""
    page = tmp_path / "book" / "0_fundamentals" / "0.9_demo.md"
    page.parent.mkdir(parents=True)
    page.write_text(PAGE.replace("TAG", tag), encoding="utf-8")
    sections = tmp_path / "graders" / "arena_check" / "sections"
    sections.mkdir(parents=True)
    (sections / "s0_9_demo.py").write_text(checks, encoding="utf-8")
    (tmp_path / "graders" / "arena_check" / "reference").mkdir()
    return page


def test_a_misspelled_tag_names_the_valid_one_and_the_line(tmp_path):
    page = _repo(tmp_path, tag="excercise")
    with pytest.raises(AuthoringError) as err:
        read_section(page)
    line = PAGE.split("\n").index(":tags: [TAG]") + 1
    assert f"0.9_demo.md:{line}: unknown cell tag `excercise`; did you mean `exercise`?" in str(err.value)


def test_an_unknown_markdown_tag_is_refused_too(tmp_path):
    page = _repo(tmp_path)
    page.write_text(page.read_text().replace("## Setup", '+++ {"tags": ["bookonly"]}\n\n## Setup'))
    with pytest.raises(AuthoringError, match="unknown cell tag `bookonly`; did you mean `book-only`"):
        read_section(page)


def test_the_book_build_fails_on_a_misspelled_tag(tmp_path):
    """The Sphinx extension validates before rewriting, so `make book` cannot go green."""
    page = _repo(tmp_path, tag="excercise")

    class Env:
        def doc2path(self, docname):
            return str(page)

    class App:
        env = Env()

    with pytest.raises(arena_book.SectionFormatError, match="did you mean `exercise`"):
        arena_book._rewrite_section(App(), "book/0_fundamentals/0.9_demo", [page.read_text()])


def test_an_export_tag_on_a_graded_function_is_refused(tmp_path):
    page = _repo(tmp_path, tag="export")
    with pytest.raises(AuthoringError) as err:
        read_section(page)
    message = str(err.value)
    assert "defines one_hot, which s0_9_demo.py grades" in message and "Tag the cell `exercise`" in message


def _functions(node: ast.AST) -> dict[str, ast.FunctionDef]:
    """The function itself, or a class's methods, by name."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return {node.name: node}
    return {n.name: n for n in getattr(node, "body", []) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def _raises_not_implemented(fn: ast.AST) -> bool:
    return any(
        isinstance(s, ast.Raise) and "NotImplementedError" in ast.unparse(s) for s in fn.body
    ) and not any(isinstance(s, ast.Return) for s in fn.body)


def _body_is_stub(source: str, name: str) -> bool:
    """Every function (or every method of the class) ``name`` defines raises NotImplementedError."""
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    functions = _functions(node)
    return bool(functions) and all(_raises_not_implemented(f) for f in functions.values())


def test_an_exercise_never_reaches_the_kit_or_the_page_as_plain_code(tmp_path):
    section = read_section(_repo(tmp_path))
    assert _body_is_stub(to_py(kit_notebook(section, solutions=False)), "one_hot")
    page = page_notebook(section)
    exercise = [c for c in page.cells if c.cell_type == "code" and role(c) == "exercise"]
    assert exercise and all("hide-input" in c.metadata["tags"] for c in exercise)
    stub_index = next(i for i, c in enumerate(page.cells) if "arena-stub" in c.source)
    assert page.cells[stub_index + 1] is exercise[0], "the stub must stand right before the folded solution"


def test_every_graded_name_is_a_stub_in_every_committed_kit():
    """The same property over the real sections: nothing graded ships solved."""
    for source in sorted((ROOT / "book").glob("*/[0-9]*.md")):
        section = read_section(source)
        kit = (ROOT / "exercises" / section.id / f"{section.id}_exercises.py").read_text(encoding="utf-8")
        from authoring import checked_names

        solutions = (ROOT / "exercises" / section.id / f"{section.id}_solutions.py").read_text(encoding="utf-8")
        kit_defs = {getattr(n, "name", None): n for n in ast.parse(kit).body}
        solution_defs = {getattr(n, "name", None): n for n in ast.parse(solutions).body}
        for name in checked_names(section):
            solved = _functions(solution_defs[name])
            stubbed = _functions(kit_defs[name])
            for method, fn in solved.items():
                if ast.unparse(fn) == ast.unparse(stubbed.get(method, fn)):
                    # unchanged: acceptable only for code with nothing to write (a docstring, `pass`)
                    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
                    assert all(isinstance(s, ast.Pass) for s in body), (
                        f"{section.id}: `{name}.{method}` ships solved in the learner kit"
                    )
                else:
                    assert _raises_not_implemented(stubbed[method]), f"{section.id}: `{name}.{method}` is not a stub"


def test_check_cells_are_generated_after_each_exercise(tmp_path):
    section = read_section(_repo(tmp_path))
    for nb in (page_notebook(section), kit_notebook(section, solutions=False)):
        sources = [c.source for c in nb.cells if c.cell_type == "code"]
        at = next(i for i, s in enumerate(sources) if "def one_hot" in s)
        assert sources[at + 1] == 'arena_check.check("0.9", "one_hot", one_hot)'


def test_editing_the_checks_changes_what_the_page_executes(tmp_path):
    """The execution cache keys on the executed code; the page carries the checks' fingerprint."""
    page = _repo(tmp_path)
    before = page_notebook(read_section(page))
    (tmp_path / "graders/arena_check/sections/s0_9_demo.py").write_text(CHECKS + "\n# a stricter check\n")
    after = page_notebook(read_section(page))
    code = lambda nb: [c.source for c in nb.cells if c.cell_type == "code"]  # noqa: E731
    assert code(before) != code(after)
    (tmp_path / "graders/arena_check/reference/s0_9_demo.py").write_text("# regenerated\n")
    assert code(page_notebook(read_section(page))) != code(after)
    assert fingerprint(read_section(page)) in code(page_notebook(read_section(page)))[0]


def test_front_matter_summary_is_required(tmp_path):
    page = _repo(tmp_path)
    page.write_text(page.read_text().replace("arena:\n  summary: make one-hot vectors\n", ""))
    from authoring import section_meta

    with pytest.raises(AuthoringError, match="needs `arena: summary: …`"):
        section_meta(read_section(page))


def test_no_skip_execution_tag():
    """Every cell runs in the build: the tag that skips a cell is not a valid tag."""
    from authoring import KNOWN_TAGS

    assert "skip-execution" not in KNOWN_TAGS
    with pytest.raises(AuthoringError, match="unknown cell tag `skip-execution`"):
        from authoring import validate_tags

        validate_tags(textwrap.dedent("""\
            ```{code-cell} ipython3
            :tags: [book-only, skip-execution]
            slow()
            ```"""), "x.md")
