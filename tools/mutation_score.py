#!/usr/bin/env python3
"""How many small, mechanical mistakes in a section's solutions the checks catch.

    python tools/mutation_score.py 0.0                # every mutant, a summary per exercise
    python tools/mutation_score.py 0.0 --show-survivors

Each mutant is the generated solutions file (``exercises/<id>/<id>_solutions.py``) with ONE small
change inside ONE exercise function — an arithmetic operator swapped (``+``↔``-``, ``*``↔``/``,
``**``→``*``), a comparison flipped (``<``↔``<=``, ``==``↔``!=``, ``>``↔``>=``), an integer
constant moved by one, a ``dim=``/``axis=`` argument negated or moved, ``True``↔``False``, a
``.max(``↔``.min(``/``.sum(``↔``.mean(`` call swapped. The mutant is graded on that exercise's
checks with ``arena-check``'s own machinery; it is *killed* if any check does not pass. Mutants
that leave the code equivalent (``x * 1`` → ``x / 1``) inflate the survivors a little, so read
``--show-survivors`` before strengthening a check. The issue bar is ≥ 70 % killed.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_SWAP_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
               ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
_SWAP_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
_SWAP_METHOD = {"max": "min", "min": "max", "sum": "mean", "mean": "sum", "argmax": "argmin", "argmin": "argmax"}


@dataclass(frozen=True)
class Mutant:
    exercise: str
    line: int
    what: str
    source: str


class _Mutator(ast.NodeTransformer):
    """Applies the ``target``-th possible change (counting in visiting order) and records it."""

    def __init__(self, target: int) -> None:
        self.target, self.seen, self.what = target, 0, ""

    def _hit(self, what: str) -> bool:
        hit = self.seen == self.target
        self.seen += 1
        if hit:
            self.what = what
        return hit

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        new = _SWAP_BINOP.get(type(node.op))
        if new and self._hit(f"{type(node.op).__name__} → {new.__name__}"):
            node.op = new()
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for i, op in enumerate(node.ops):
            new = _SWAP_CMP.get(type(op))
            if new and self._hit(f"{type(op).__name__} → {new.__name__}"):
                node.ops[i] = new()
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if isinstance(node.value, bool):
            if self._hit(f"{node.value} → {not node.value}"):
                return ast.copy_location(ast.Constant(not node.value), node)
        elif isinstance(node.value, int) and self._hit(f"{node.value} → {node.value + 1}"):
            return ast.copy_location(ast.Constant(node.value + 1), node)
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.AST:
        self.generic_visit(node)
        if node.arg in ("dim", "axis") and self._hit(f"{node.arg}=… negated"):
            node.value = ast.UnaryOp(ast.USub(), node.value)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        new = _SWAP_METHOD.get(node.attr)
        if new and self._hit(f".{node.attr} → .{new}"):
            node.attr = new
        return node


def mutants(source: str, exercises: set[str]) -> list[Mutant]:
    tree = ast.parse(source)
    out = []
    for i, node in enumerate(tree.body):
        if not (isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in exercises):
            continue
        target = 0
        while True:
            mutated_tree = copy.deepcopy(tree)
            mutator = _Mutator(target)
            mutated_tree.body[i] = mutator.visit(mutated_tree.body[i])
            if mutator.seen <= target:
                break
            out.append(Mutant(node.name, node.lineno, mutator.what, ast.unparse(ast.fix_missing_locations(mutated_tree))))
            target += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("section")
    parser.add_argument("--show-survivors", action="store_true")
    parser.add_argument("--bar", type=float, default=0.7, help="exit 1 below this fraction killed (default 0.7)")
    args = parser.parse_args(argv)

    from arena_check import api, registry

    exercises = set(registry.exercises_for(args.section))
    solutions = ROOT / "exercises" / args.section / f"{args.section}_solutions.py"
    all_mutants = mutants(solutions.read_text(encoding="utf-8"), exercises)
    killed: dict[str, list[bool]] = {}
    survivors = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, m in enumerate(all_mutants):
            path = Path(tmp) / f"mutant_{k}.py"
            path.write_text(m.source, encoding="utf-8")
            report = api.grade_file(args.section, path, exercise=m.exercise, timeout=20)
            dead = not report.passed
            killed.setdefault(m.exercise, []).append(dead)
            if not dead:
                survivors.append(m)
    total = sum(len(v) for v in killed.values())
    n_killed = sum(sum(v) for v in killed.values())
    for name in sorted(killed):
        v = killed[name]
        print(f"{name:28s} {sum(v):3d}/{len(v):3d} killed")
    score = n_killed / total if total else 1.0
    print(f"section {args.section}: {n_killed}/{total} mutants killed ({score:.0%}); bar {args.bar:.0%}")
    if args.show_survivors:
        for m in survivors:
            print(f"  survived: {m.exercise}: {m.what}")
    return 0 if score >= args.bar else 1


if __name__ == "__main__":
    sys.exit(main())
