"""arena-check: grade arena-book exercises offline, and share helpers between the book and learners.

Two ways in:

* from a shell, ``arena-check 0.0 my_solutions.py`` grades a whole file (see :mod:`arena_check.cli`);
* from a notebook, ``arena_check.check("0.0", "softmax", softmax)`` checks one object you just wrote.
"""

from __future__ import annotations

from arena_check.api import check, grade_file
from arena_check.results import CheckResult, Report, Status

__all__ = ["check", "grade_file", "CheckResult", "Report", "Status"]
__version__ = "0.1.0"
