"""Offline text corpora: English prose and code that Python and installed packages already ship.

The book trains and studies small language models without downloading a dataset, so its text
comes from files every installation has. Each source below states where the text is, roughly how
large it is (Python 3.11.7 / the pinned packages; other versions differ slightly) and its licence.

* ``pydoc-topics`` — ``pydoc_data.topics``, the Python Language Reference and library topic
  texts behind ``help("assert")``: 79 topics, ≈ 0.47 M characters. PSF-2.0.
* ``stdlib-docstrings`` — the docstrings, with signatures, of the standard library's own ``.py``
  files, read with :mod:`ast` (nothing is imported; tests, GUI demos and generated codecs
  skipped): ≈ 380 modules, ≈ 1.7 M characters. PSF-2.0.
* ``zen`` — ``this.s``, the Zen of Python (ROT13 in the source, decoded here): 19 aphorisms,
  ≈ 0.9 k characters. PSF-2.0.
* ``numpy-docstrings`` — NumPy's docstrings, same reader: ≈ 160 modules, ≈ 1.7 M characters.
  BSD-3-Clause.

:func:`python_docs_corpus` (topics + stdlib docstrings, ≈ 2.2 M characters, ≈ 0.64 M GPT-2
tokens) is what ``gpt2-mini`` is trained on. Splits are by *document* (a topic or a module),
decided by a salted hash of its name, so held-out text is never a neighbour of training text and
the validation split can be read without parsing the training files.

    from arena_check.kit import corpora
    from arena_check.kit.tokenizers import GPT2_EOT_ID, gpt2_tokenizer
    docs = [d.text for d in corpora.python_docs_documents("train")]
    ids = corpora.encode_documents(gpt2_tokenizer(), docs, GPT2_EOT_ID)
    batches = corpora.token_batches(ids, seq_len=128, batch_size=8, seed=0, bos_id=GPT2_EOT_ID)
"""

from __future__ import annotations

import ast
import codecs
import functools
import hashlib
import importlib.util
import sysconfig
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import torch
from jaxtyping import Int
from torch import Tensor

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

Split = Literal["train", "validation"]

#: Fraction of documents held out as the validation split.
VALIDATION_FRACTION = 0.1
#: Salt of the split hash; changing it reshuffles which documents are held out.
SPLIT_SALT = "arena-book-v1"
#: Text placed between documents when a corpus is joined into one string.
DOCUMENT_SEPARATOR = "\n\n"

#: Standard-library folders skipped: tests, GUI demos, vendored/installed packages, and
#: `encodings` (100 generated codec modules whose docstrings are one repeated sentence).
_STDLIB_SKIP = frozenset(
    {"test", "tests", "idlelib", "lib2to3", "tkinter", "turtledemo", "ensurepip", "venv",
     "site-packages", "dist-packages", "__phello__", "lib-dynload", "encodings", "pydoc_data",
     "__pycache__"}
)
#: Docstrings shorter than this are mostly "Return self." noise.
_MIN_DOCSTRING = 40


@dataclass(frozen=True)
class Document:
    """One unit of a corpus: a help topic or one module's docstrings."""

    source: str  # "pydoc-topics", "stdlib-docstrings", ...
    name: str  # the topic key or the module's path relative to its root
    text: str


@dataclass(frozen=True)
class Source:
    """A corpus source as listed in this module's docstring (for the zoo page)."""

    name: str
    description: str
    licence: str
    documents: Callable[[], list[Document]]


# --------------------------------------------------------------------------- splits


def split_of(document_name: str, validation_fraction: float = VALIDATION_FRACTION) -> Split:
    """``"validation"`` for a stable ≈ ``validation_fraction`` of names, else ``"train"``.

    A hash (not ``random``) so the decision for one document never depends on which other
    documents exist, and can be made before the document is read.
    """
    digest = hashlib.sha256(f"{SPLIT_SALT}:{document_name}".encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64
    return "validation" if unit < validation_fraction else "train"


def _keep(name: str, split: Split | None) -> bool:
    return split is None or split_of(name) == split


# --------------------------------------------------------------------------- sources


def pydoc_topics_documents(split: Split | None = None) -> list[Document]:
    """The Python docs' topic texts (``pydoc_data.topics``), one document per topic, sorted."""
    from pydoc_data.topics import topics

    return [
        Document("pydoc-topics", key, topics[key].strip())
        for key in sorted(topics)
        if _keep(f"pydoc-topics/{key}", split)
    ]


def _stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def _signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"{node.name}({ast.unparse(node.args)})"


def module_docstrings(path: Path, module: str) -> str:
    """All docstrings of one source file as readable text: a header line per object.

    Parsed with :mod:`ast`, so importing a module (``this`` prints, ``antigravity`` opens a
    browser) never happens. Functions get their signature in the header.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parts: list[str] = []
    doc = ast.get_docstring(tree)
    if doc and len(doc) >= _MIN_DOCSTRING:
        parts.append(f"Module {module}\n\n{doc}")

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                doc = ast.get_docstring(node)
                if doc and len(doc) >= _MIN_DOCSTRING:
                    parts.append(f"class {prefix}{node.name}\n\n{doc}")
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc and len(doc) >= _MIN_DOCSTRING:
                    parts.append(f"{prefix}{_signature(node)}\n\n{doc}")

    visit(tree.body, f"{module}.")
    return DOCUMENT_SEPARATOR.join(parts)


def _source_files(root: Path, skip: frozenset[str]) -> list[Path]:
    """``.py`` files under ``root`` outside skipped folders, sorted by their relative path."""
    files = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if any(p in skip or p.startswith("test") or p.startswith("config-") for p in parts):
            continue
        files.append(path)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _docstring_documents(
    source: str, root: Path, base: Path, skip: frozenset[str], split: Split | None
) -> list[Document]:
    documents = []
    for path in _source_files(root, skip):
        rel = path.relative_to(base)
        if not _keep(f"{source}/{rel.as_posix()}", split):
            continue
        try:
            text = module_docstrings(path, _module_name(rel))
        except (SyntaxError, UnicodeDecodeError):  # a file for another Python version
            continue
        if text:
            documents.append(Document(source, rel.as_posix(), text))
    return documents


def stdlib_docstring_documents(split: Split | None = None) -> list[Document]:
    """Docstrings of the standard library, one document per module file, sorted by path."""
    root = _stdlib_root()
    return _docstring_documents("stdlib-docstrings", root, root, _STDLIB_SKIP, split)


def package_docstring_documents(package: str, split: Split | None = None) -> list[Document]:
    """Docstrings of an installed package's source (e.g. ``"numpy"``); check its licence first."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package!r} is not an installed package")
    root = Path(next(iter(spec.submodule_search_locations)))
    return _docstring_documents(
        f"{package}-docstrings", root, root.parent, frozenset({"tests", "testing", "_vendor"}), split
    )


def zen_of_python() -> str:
    """The Zen of Python, decoded from ``this.py``'s ROT13 string without importing ``this``."""
    spec = importlib.util.find_spec("this")
    assert spec is not None and spec.origin is not None
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "s" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return codecs.decode(node.value.value, "rot13")
    raise ValueError(f"no ROT13 string `s` found in {spec.origin}")


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source("pydoc-topics", "Python docs topic texts (pydoc_data.topics)", "PSF-2.0",
               pydoc_topics_documents),
        Source("stdlib-docstrings", "docstrings of the standard library's modules", "PSF-2.0",
               stdlib_docstring_documents),
        Source("zen", "the Zen of Python (this.s, ROT13-decoded)", "PSF-2.0",
               lambda: [Document("zen", "this", zen_of_python())]),
        Source("numpy-docstrings", "docstrings of NumPy's modules", "BSD-3-Clause",
               functools.partial(package_docstring_documents, "numpy")),
    )
}


# --------------------------------------------------------------------------- the training corpus


#: Order of the sources in :func:`python_docs_corpus`.
_PYTHON_DOCS_SOURCES = ("pydoc-topics", "stdlib-docstrings")


@functools.cache
def _python_docs(split: Split) -> tuple[Document, ...]:
    # cached per split: parsing the standard library takes a few seconds
    return tuple(pydoc_topics_documents(split) + stdlib_docstring_documents(split))


def python_docs_documents(split: Split | None = None) -> list[Document]:
    """Topic texts then stdlib docstrings (each sorted by name): the documents of the corpus."""
    if split is not None:
        return list(_python_docs(split))
    documents = _python_docs("train") + _python_docs("validation")
    return sorted(documents, key=lambda d: (_PYTHON_DOCS_SOURCES.index(d.source), d.name))


def join_documents(documents: list[Document]) -> str:
    return DOCUMENT_SEPARATOR.join(d.text for d in documents)


@functools.cache
def python_docs_corpus() -> str:
    """Python's bundled documentation text as one string (≈ 2.2 M characters)."""
    return join_documents(python_docs_documents())


@functools.cache
def python_docs_split(split: Split) -> str:
    """The train or validation part of :func:`python_docs_corpus`, split by document."""
    return join_documents(python_docs_documents(split))


def corpus_sha256(text: str) -> str:
    """Fingerprint recorded beside trained weights, so a changed corpus is noticed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- tokens


def encode_documents(
    tokenizer: PreTrainedTokenizerBase, documents: list[str], eot_id: int
) -> Int[Tensor, " n"]:
    """Token ids of the documents, each followed by ``eot_id`` (GPT-2's document separator)."""
    ids: list[int] = []
    for ids_doc in tokenizer(documents, add_special_tokens=False, verbose=False).input_ids:
        ids.extend(ids_doc)
        ids.append(eot_id)
    return torch.tensor(ids, dtype=torch.long)


def token_windows(
    tokens: Int[Tensor, " n"], seq_len: int, bos_id: int | None
) -> Int[Tensor, "window seq_len"]:
    """Consecutive non-overlapping windows (the evaluation layout), each led by ``bos_id``.

    With a BOS, each window holds ``seq_len - 1`` corpus tokens; a final partial window is
    dropped. Every corpus token (but the first of each window) is predicted exactly once.
    """
    body = seq_len - (bos_id is not None)
    n = tokens.numel() // body
    windows = tokens[: n * body].view(n, body)
    if bos_id is not None:
        windows = torch.cat([torch.full((n, 1), bos_id, dtype=torch.long), windows], dim=1)
    return windows


def token_batches(
    tokens: Int[Tensor, " n"],
    seq_len: int,
    batch_size: int,
    seed: int,
    bos_id: int | None = None,
) -> Iterator[Int[Tensor, "batch seq_len"]]:
    """Endless batches of windows at random offsets (the training layout), reproducible by seed.

    Random offsets (rather than fixed chunks) show the model every position of every token;
    the leading BOS matches what ``HookedTransformer.to_tokens`` feeds the model at use time.
    """
    body = seq_len - (bos_id is not None)
    if tokens.numel() <= body:
        raise ValueError(f"need more than {body} tokens for windows of {seq_len}")
    generator = torch.Generator().manual_seed(seed)
    offsets = torch.arange(body)
    while True:
        starts = torch.randint(0, tokens.numel() - body, (batch_size, 1), generator=generator)
        batch = tokens[starts + offsets]
        if bos_id is not None:
            batch = torch.cat([torch.full((batch_size, 1), bos_id, dtype=torch.long), batch], 1)
        yield batch
