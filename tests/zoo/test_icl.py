"""The ICL task kit (section 1.6): word lists, prompts, shuffled twins, splits and batches."""

from __future__ import annotations

import pytest
import torch

from arena_check.kit import icl


def test_antonyms_are_unique_one_token_answers() -> None:
    from arena_check.kit.models import smollm2

    tokenizer = smollm2.load_tokenizer()
    assert len(icl.ANTONYMS) == 120
    inputs = [x for x, _ in icl.ANTONYMS]
    assert len(set(inputs)) == len(inputs)
    for x, y in icl.ANTONYMS:
        assert x != y
        assert len(tokenizer.encode(" " + y, add_special_tokens=False)) == 1, y


def test_other_tasks() -> None:
    upper = icl.uppercase_pairs()
    assert upper[0] == (icl.ANTONYMS[0][0], icl.ANTONYMS[0][0].upper()) and len(upper) == 120
    capitals = icl.capital_pairs()
    assert len(capitals) == 60 and ("France", "Paris") in capitals and ("Japan", "Tokyo") in capitals
    assert all(" " not in x and " " not in y for x, y in capitals)
    assert icl.task_pairs("capital") == capitals
    with pytest.raises(ValueError):
        icl.task_pairs("synonym")


def test_split_is_fixed_and_disjoint() -> None:
    train, held = icl.split(icl.ANTONYMS, 40)
    assert len(held) == 40 and len(train) == 80
    assert set(train).isdisjoint(held) and set(train) | set(held) == set(icl.ANTONYMS)
    assert icl.split(icl.ANTONYMS, 40) == (train, held)


def test_prompts_and_shuffled_twins() -> None:
    assert icl.prompt([("hot", "cold"), ("big", "small")], "up") == "hot -> cold\nbig -> small\nup ->"
    assert icl.prompt([], "up") == "up ->"
    pairs = icl.ANTONYMS[:30]
    prompts = icl.icl_prompts(pairs, 5, 6, seed=3)
    assert prompts == icl.icl_prompts(pairs, 5, 6, seed=3)
    for p in prompts:
        clean_lines, shuffled_lines = p.text.split("\n"), p.shuffled.split("\n")
        assert clean_lines[-1] == shuffled_lines[-1] == f"{p.query} ->" and len(clean_lines) == 7
        assert (p.query, p.answer) in pairs and p.query not in [line.split(" ->")[0] for line in clean_lines[:-1]]
        for c, s in zip(clean_lines[:-1], shuffled_lines[:-1], strict=True):
            assert c.split(" -> ")[0] == s.split(" -> ")[0] and c != s
        assert sorted(c.split(" -> ")[1] for c in clean_lines[:-1]) == sorted(s.split(" -> ")[1] for s in shuffled_lines[:-1])
    fixed = icl.icl_prompts(pairs, 4, 2, seed=0, queries=pairs[:2])
    assert [p.query for p in fixed] == [pairs[0][0], pairs[1][0], pairs[0][0], pairs[1][0]]


def test_icl_batch(smollm2_hooked) -> None:
    texts = ["hot -> cold\nbig ->", "up ->"]
    batch = icl.icl_batch(smollm2_hooked, texts, ["small", "down"])
    assert batch.tokens.shape[0] == 2 and batch.lengths.tolist()[1] < batch.lengths.tolist()[0]
    assert batch.tokens[0, 0].item() == smollm2_hooked.tokenizer.bos_token_id
    assert smollm2_hooked.tokenizer.decode(batch.answer_ids.tolist()) == " small down"
    row = smollm2_hooked.to_tokens("up ->")[0]
    assert torch.equal(batch.tokens[1, : len(row)], row)
