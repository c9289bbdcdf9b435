"""Section 0.0: each check passes the reference and rejects the stub and plausible mistakes."""

from __future__ import annotations

from section_harness import make_tests

SECTION = "0.0"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "softmax": [
        (
            "no max subtraction (overflows)",
            """
            def softmax(x):
                e = x.exp()
                return e / e.sum(dim=-1, keepdim=True)
            """,
        ),
        (
            "normalised over the first dimension",
            """
            def softmax(x):
                e = (x - x.amax(dim=0, keepdim=True)).exp()
                return e / e.sum(dim=0, keepdim=True)
            """,
        ),
    ],
}

globals().update(make_tests(SECTION, MUTANTS))
