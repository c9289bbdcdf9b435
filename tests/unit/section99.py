"""A tiny test-only section, "9.9", so the unit tests do not depend on any real section's content.

Importing this module registers it (idempotently). Checks run in forked children, which inherit
the registry from the test process, so nothing needs to be written into the package.
"""

from __future__ import annotations

import torch

from arena_check import registry
from arena_check.testing import CheckFailed, call, compare_to_reference, seeded

SECTION = "9.9"
BROKEN_SECTION = "9.8"
TIMEOUT = 2.0  # per check; the loop cases wait this long, so keep it short


def _register() -> None:
    if SECTION in registry._EXTRA_SECTIONS:
        return
    registry.register_section(SECTION, "unit-test section")

    @registry.check(SECTION, "double", points=2, timeout=TIMEOUT)
    def check_double(double) -> None:
        """double(x) == 2 * x, float32, same shape, input untouched."""
        cases = [
            ("x of shape (3, 4), seed 0", (torch.randn(3, 4, generator=seeded(0)),)),
            ("x of shape (1,)", (torch.tensor([1.5]),)),
        ]
        compare_to_reference(double, lambda x: 2 * x, cases, name="double", hint="multiply by two")

    @registry.check(SECTION, "add_one", timeout=TIMEOUT)
    def check_add_one(add_one) -> None:
        """add_one(n) == n + 1 for a few ints."""
        for n in (0, 41):
            got = add_one(n)
            if got != n + 1:
                raise CheckFailed(f"For n={n}: expected {n + 1}, got {got!r}.")

    registry.register_section(BROKEN_SECTION, "a section whose check has a bug")

    @registry.check(BROKEN_SECTION, "double", timeout=TIMEOUT)
    def check_buggy(double) -> None:
        """A check with a bug of its own (grader code, not the learner's)."""
        call(double, torch.ones(2), name="double")
        raise KeyError("oops")


_register()
