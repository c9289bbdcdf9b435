"""Offline corpora: the documented sources exist at their stated sizes, splits are clean, and the
token helpers lay out windows the way training and evaluation expect."""

from __future__ import annotations

import textwrap

import pytest
import torch

from arena_check.kit import corpora
from arena_check.kit.tokenizers import GPT2_EOT_ID, gpt2_tokenizer


@pytest.fixture(scope="module")
def documents() -> list[corpora.Document]:
    return corpora.python_docs_documents()


def test_sources_are_documented_with_a_licence():
    assert set(corpora.SOURCES) == {"pydoc-topics", "stdlib-docstrings", "zen", "numpy-docstrings"}
    for source in corpora.SOURCES.values():
        assert source.licence in {"PSF-2.0", "BSD-3-Clause"}
        assert source.name in (corpora.__doc__ or ""), f"{source.name} missing from the module table"


def test_python_docs_sizes_match_the_docstring(documents):
    """The module docstring promises ≈ 0.47 M chars of topics and ≈ 2.2 M in total."""
    topics = [d for d in documents if d.source == "pydoc-topics"]
    docstrings = [d for d in documents if d.source == "stdlib-docstrings"]
    assert len(topics) > 70 and 0.35e6 < sum(len(d.text) for d in topics) < 0.6e6
    assert len(docstrings) > 350 and 1.3e6 < sum(len(d.text) for d in docstrings) < 2.2e6
    assert 1.8e6 < len(corpora.python_docs_corpus()) < 2.8e6
    assert any("assert_stmt" in d.text for d in topics)  # the grammar rule of the "assert" topic
    assert any(d.name == "json/__init__.py" and "json.dumps(" in d.text for d in docstrings)


def test_splits_partition_the_documents_by_name(documents):
    train = corpora.python_docs_documents("train")
    validation = corpora.python_docs_documents("validation")
    train_names = {(d.source, d.name) for d in train}
    val_names = {(d.source, d.name) for d in validation}
    assert not train_names & val_names
    assert train_names | val_names == {(d.source, d.name) for d in documents}
    assert 0.05 < len(validation) / len(documents) < 0.15  # VALIDATION_FRACTION = 0.1
    # each split's text is its documents joined, nothing else
    assert corpora.python_docs_split("validation") == corpora.join_documents(validation)
    assert len(corpora.python_docs_split("train")) + len(corpora.python_docs_split("validation")) + len(
        corpora.DOCUMENT_SEPARATOR
    ) == len(corpora.join_documents(train + validation))


def test_split_is_stable_and_salted():
    names = [f"doc-{i}" for i in range(2000)]
    first = [corpora.split_of(n) for n in names]
    assert first == [corpora.split_of(n) for n in names]
    assert 0.07 < first.count("validation") / len(names) < 0.13
    assert [corpora.split_of(n, 0.5) for n in names].count("validation") > 800


def test_zen_is_decoded_without_importing_this(capsys):
    zen = corpora.zen_of_python()
    assert zen.startswith("The Zen of Python, by Tim Peters")
    assert "Beautiful is better than ugly." in zen
    assert capsys.readouterr().out == ""  # importing `this` would have printed it


def test_module_docstrings_reads_source_without_running_it(tmp_path):
    source = textwrap.dedent(
        '''
        """A module whose docstring is long enough to be kept by the reader."""
        raise SystemExit("importing this file would stop the test")

        class Box:
            """A container class with a docstring that is long enough."""

            def put(self, item, *, force=False):
                """Put an item in the box unless it is already full, or force it."""

            def tiny(self):
                """Too short."""

        async def fetch(url: str) -> bytes:
            """Fetch a URL asynchronously and return the response body."""
        '''
    )
    path = tmp_path / "mod.py"
    path.write_text(source)
    text = corpora.module_docstrings(path, "pkg.mod")
    assert text.startswith("Module pkg.mod\n\nA module whose docstring")
    assert "class pkg.mod.Box\n\nA container class" in text
    assert "pkg.mod.Box.put(self, item, *, force=False)\n\nPut an item" in text
    assert "pkg.mod.fetch(url: str)\n\nFetch a URL" in text
    assert "Too short" not in text


def test_package_docstrings_of_numpy():
    docs = corpora.package_docstring_documents("numpy", split="validation")
    assert docs and all(d.source == "numpy-docstrings" for d in docs)
    assert all(d.name.startswith("numpy/") for d in docs)
    with pytest.raises(ModuleNotFoundError):
        corpora.package_docstring_documents("no_such_package_here")


def test_encode_documents_separates_documents_with_eot():
    tok = gpt2_tokenizer()
    docs = ["First document.", "Second one,\nwith a newline."]
    ids = corpora.encode_documents(tok, docs, GPT2_EOT_ID)
    assert ids.dtype == torch.long
    assert (ids == GPT2_EOT_ID).sum() == 2 and ids[-1] == GPT2_EOT_ID
    assert tok.decode(ids) == "<|endoftext|>".join(docs) + "<|endoftext|>"


def test_token_windows_cover_the_stream_once():
    stream = torch.arange(100, 1100)
    windows = corpora.token_windows(stream, seq_len=10, bos_id=7)
    assert windows.shape == (1000 // 9, 10)
    assert (windows[:, 0] == 7).all()
    assert torch.equal(windows[:, 1:].flatten(), stream[: windows.shape[0] * 9])
    plain = corpora.token_windows(stream, seq_len=10, bos_id=None)
    assert torch.equal(plain.flatten(), stream)


def test_token_batches_are_seeded_contiguous_slices():
    stream = torch.arange(5000)
    a = corpora.token_batches(stream, seq_len=16, batch_size=4, seed=3, bos_id=-1)
    b = corpora.token_batches(stream, seq_len=16, batch_size=4, seed=3, bos_id=-1)
    c = corpora.token_batches(stream, seq_len=16, batch_size=4, seed=4, bos_id=-1)
    first_a, first_b, first_c = next(a), next(b), next(c)
    assert first_a.shape == (4, 16)
    assert torch.equal(first_a, first_b) and not torch.equal(first_a, first_c)
    assert not torch.equal(first_a, next(a))  # the stream moves on
    assert (first_a[:, 0] == -1).all()
    body = first_a[:, 1:]
    assert (body[:, 1:] - body[:, :-1] == 1).all()  # consecutive stream tokens
    with pytest.raises(ValueError):
        next(corpora.token_batches(torch.arange(5), seq_len=16, batch_size=1, seed=0))
