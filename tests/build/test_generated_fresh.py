"""Generated files are fresh and deterministic; the authoring format's pieces behave as documented.

``exercises/`` and ``graders/arena_check/reference/`` are generated from ``book/`` by
``tools/build_exercises.py``; ``tools/authoring.py`` derives the stubs (also used by the page).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import build_exercises
import jupytext
import pytest
from authoring import AuthoringError, Section, make_stub, markdown_for_kit, validate

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------------------------------
# Freshness and determinism
# ------------------------------------------------------------------------------------------
def test_generated_files_are_fresh():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "build_exercises.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        "generated files are stale or the sources are invalid "
        f"(exit {proc.returncode}); run `make exercises`:\n{proc.stdout}{proc.stderr}"
    )


def test_generation_is_deterministic():
    first = build_exercises.outputs()
    second = build_exercises.outputs()
    assert first, "no section sources found under book/"
    assert list(first) == list(second)
    changed = [p for p in first if first[p] != second[p]]
    assert not changed, f"two generations differ: {changed}"
    # Nothing machine-specific leaks into the output (it is committed and compared elsewhere).
    leaking = [p for p, text in first.items() if str(ROOT) in text]
    assert not leaking, f"generated files contain the absolute repo path {ROOT}: {leaking}"


def test_every_section_has_a_full_kit():
    files = {p.relative_to(ROOT).as_posix() for p in build_exercises.outputs()}
    for src in build_exercises.section_sources():
        sid = src.name.split("_", 1)[0]
        for name in (f"{sid}_exercises.py", f"{sid}_exercises.ipynb", f"{sid}_solutions.py"):
            assert f"exercises/{sid}/{name}" in files, f"{src.name}: no generated {name}"


# ------------------------------------------------------------------------------------------
# make_stub
# ------------------------------------------------------------------------------------------
def _stub(source: str) -> str:
    stub = make_stub(textwrap.dedent(source).strip("\n") + "\n")
    ast.parse(stub)  # a stub is always valid Python
    return stub


def _run(stub: str, call: str) -> None:
    namespace: dict = {"dec": lambda f: f}
    exec(compile(stub, "<stub>", "exec"), namespace)
    exec(call, namespace)


def test_make_stub_replaces_function_body_keeps_signature_docstring_decorator():
    stub = _stub(
        '''
        @dec
        def scale(x: float,
                  factor: float = 2.0) -> float:
            """Multiply x by factor."""
            y = x * factor
            return y
        '''
    )
    assert stub.startswith("@dec\ndef scale(x: float,\n          factor: float = 2.0) -> float:\n")
    assert '"""Multiply x by factor."""' in stub
    assert "x * factor" not in stub and "return y" not in stub
    assert 'raise NotImplementedError("exercise: scale")' in stub
    with pytest.raises(NotImplementedError, match="exercise: scale"):
        _run(stub, "scale(1.0)")


def test_make_stub_keeps_keep_lines_without_marker():
    stub = _stub(
        """
        def f(x):
            n = x.shape[0]  # keep
            total = x.sum()
            return total / n
        """
    )
    lines = stub.splitlines()
    assert "    n = x.shape[0]" in lines
    assert "# keep" not in stub
    assert "total" not in stub
    assert lines.index("    n = x.shape[0]") < lines.index(
        '    raise NotImplementedError("exercise: f")'
    )


def test_make_stub_stubs_methods_and_keeps_class_attributes():
    stub = _stub(
        '''
        class Counter:
            """Counts."""

            start: int = 0
            names = ["a", "b"]

            def __init__(self, n: int):
                self.n = n

            @property
            def double(self) -> int:
                """Twice n."""
                return 2 * self.n
        '''
    )
    assert '"""Counts."""' in stub and "start: int = 0" in stub and 'names = ["a", "b"]' in stub
    assert "self.n = n" not in stub and "2 * self.n" not in stub
    assert 'raise NotImplementedError("exercise: Counter.__init__")' in stub
    assert '    @property\n    def double(self) -> int:\n        """Twice n."""\n' in stub
    assert 'raise NotImplementedError("exercise: Counter.double")' in stub
    with pytest.raises(NotImplementedError, match=r"Counter\.__init__"):
        _run(stub, "Counter(3)")


def test_make_stub_removes_nested_functions_with_the_body():
    stub = _stub(
        """
        def outer(x):
            def helper(y):
                return y + 1
            return helper(x)
        """
    )
    assert "helper" not in stub
    assert stub.strip().splitlines() == [
        "def outer(x):",
        '    raise NotImplementedError("exercise: outer")',
    ]


def test_make_stub_keeps_module_level_code_and_docstring_only_functions():
    stub = _stub(
        '''
        SCALE = 3

        def documented():
            """Only a docstring."""

        async def fetch():
            return await other()
        '''
    )
    assert "SCALE = 3" in stub
    assert '"""Only a docstring."""\n    raise NotImplementedError("exercise: documented")' in stub
    assert "await other()" not in stub and 'raise NotImplementedError("exercise: fetch")' in stub


def test_make_stub_one_line_function():
    stub = make_stub("def f(x): return x + 1\n")
    ast.parse(stub)
    assert stub.startswith("def f(x):")


# ------------------------------------------------------------------------------------------
# validate
# ------------------------------------------------------------------------------------------
HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
RATED = "## Exercise · `f`\n\n> difficulty 2/5 · importance 3/5 · 5 min\n"
IMPORT = "\n```{code-cell} ipython3\n:tags: [export]\nimport arena_check\n```\n"


def _section(body: str, name: str = "9.9_demo.md") -> Section:
    nb = jupytext.reads(HEADER + textwrap.dedent(body), fmt="md:myst")
    return Section("9.9", "demo", Path("book/9_demo") / name, nb)


def _cell(tags: str, source: str) -> str:
    return f"\n```{{code-cell}} ipython3\n{tags}\n{source}\n```\n"


def test_validate_accepts_a_well_formed_section():
    validate(_section(RATED + _cell(":tags: [exercise]", "def f(x):\n    return x") + IMPORT))


def test_validate_refuses_hand_written_check_cells():
    """Check cells are generated after each exercise; a hand-written one would run twice."""
    with pytest.raises(AuthoringError, match=r"code cell 3 \('f\(1\)'\) is a hand-written check cell"):
        validate(_section(RATED + _cell(":tags: [exercise]", "def f(x):\n    return x") + _cell(":tags: [check]", "f(1)")))


def test_validate_requires_the_grader_import_for_generated_checks():
    with pytest.raises(AuthoringError, match="add `import arena_check` to an export cell"):
        validate(_section(RATED + _cell(":tags: [exercise]", "def f(x):\n    return x")))


def test_validate_rejects_untagged_code_cell():
    with pytest.raises(AuthoringError) as err:
        validate(_section(RATED + _cell("", "print('hello')")))
    message = str(err.value)
    assert "9.9_demo.md" in message and "code cell 2" in message and "print('hello')" in message
    assert "exactly one of the tags exercise, check, export, book-only" in message


def test_validate_rejects_two_role_tags():
    with pytest.raises(
        AuthoringError, match=r"exactly one of the tags .*has \['export', 'check'\]"
    ):
        validate(_section(RATED + _cell(":tags: [export, check]", "x = 1")))


@pytest.mark.parametrize(
    "line",
    ["", "> difficulty 2/5 · importance 3/5", "> 🔴🔴⚪⚪⚪ difficulty · 🔵🔵🔵⚪⚪ importance · ⏱ 5 min",
     "> difficulty 7/5 · importance 3/5 · 5 min"],
    ids=["missing", "no time", "symbols only", "out of range"],
)
def test_validate_rejects_exercise_without_a_rating_line(line):
    rated = RATED.replace("> difficulty 2/5 · importance 3/5 · 5 min", line)
    with pytest.raises(AuthoringError) as err:
        validate(_section(rated + _cell(":tags: [exercise]", "def f(x):\n    return x") + IMPORT))
    message = str(err.value)
    assert "exercise cell 2 (f)" in message and "> difficulty 2/5 · importance 3/5 · 10 min" in message


def test_validate_ratings_do_not_carry_over_headings():
    body = (
        RATED
        + _cell(":tags: [exercise]", "def f(x):\n    return x")
        + "\n## Exercise · `g`\n\nNo ratings here.\n"
    )
    body += _cell(":tags: [exercise]", "def g(x):\n    return x")
    with pytest.raises(AuthoringError, match=r"exercise cell 4 \(g\)"):
        validate(_section(body))


def test_validate_rejects_exercise_that_does_not_parse():
    with pytest.raises(AuthoringError, match=r"9\.9_demo\.md: exercise cell 2 \('def f\(x:'\) does not parse"):
        validate(_section(RATED + _cell(":tags: [exercise]", "def f(x:\n    return x")))


# ------------------------------------------------------------------------------------------
# markdown_for_kit
# ------------------------------------------------------------------------------------------
def test_markdown_for_kit_backtick_dropdown_becomes_details():
    text = "Before.\n\n```{dropdown} Hint 1\nSubtract the max.\n```"
    assert markdown_for_kit(text) == (
        "Before.\n\n<details><summary>Hint 1</summary>\n\nSubtract the max.\n\n</details>"
    )


def test_markdown_for_kit_colon_dropdown_drops_options():
    text = "::::{dropdown} Why?\n:open:\n:color: info\nBecause `x` is **big**.\n::::"
    assert (
        markdown_for_kit(text)
        == "<details><summary>Why?</summary>\n\nBecause `x` is **big**.\n\n</details>"
    )


def test_markdown_for_kit_converts_every_dropdown():
    text = "```{dropdown} A\none\n```\n\n```{dropdown} B\ntwo\n```"
    out = markdown_for_kit(text)
    assert out.count("<details>") == 2 and "{dropdown}" not in out
    assert "<summary>A</summary>" in out and "<summary>B</summary>" in out


def test_markdown_for_kit_leaves_other_fences_alone():
    text = "```python\nx = 1\n```\n\n```{note}\nA note.\n```"
    assert markdown_for_kit(text) == text


def test_markdown_for_kit_keeps_blank_line_after_dropdown():
    text = "```{dropdown} Hint\nBody.\n```\n\nAfter **bold**."
    assert markdown_for_kit(text).endswith("</details>\n\nAfter **bold**.")


def test_markdown_for_kit_untitled_dropdown():
    assert markdown_for_kit(":::{dropdown}\nBody line.\n:::") == (
        "<details><summary>Show</summary>\n\nBody line.\n\n</details>"
    )
