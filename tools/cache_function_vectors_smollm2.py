"""Cache section 1.6's head-patching sweep on SmolLM2-135M: each head's causal effect on ICL prompts.

    .venv/bin/python tools/cache_function_vectors_smollm2.py                   # the shipped cache
    .venv/bin/python tools/cache_function_vectors_smollm2.py --out /tmp/x      # somewhere else
    .venv/bin/python tools/cache_function_vectors_smollm2.py --tasks antonym   # one task (tests)

CPU, one thread. The shipped cache took 530 s (under 9 minutes) on a 2-core machine with a test
suite running beside it (load average 3–5; meta.json records the time); a first run under load
5–7 took 26 minutes and wrote bit-identical effects. The antonym task alone reruns in about 2
minutes. The cost is one pass per layer and
prompt-length group, not per head (see ``sweep``). Deterministic: prompts come from fixed seeds
and nothing is sampled.

The set-up is the page's (section 1.6, "Function vectors and steering"), after Todd et al. (2023,
https://arxiv.org/abs/2310.15213). For each task of :mod:`arena_check.kit.icl` (antonym,
uppercase, capital): 30 prompts of 10 demonstrations from the task's training pairs
(``icl.split(pairs, len(pairs) // 3)``), seed 0, and their *shuffled* twins, whose demonstration
outputs are permuted so no output sits beside its own input. The mean of every head's ``hook_z``
at the last position over the clean prompts is patched, one head at a time, into the last position
of the shuffled prompts; the head's **causal indirect effect** is the change in the mean log-prob
of the correct answer's first token.

Only the last position changes, so each length group's prefix runs once into a frozen key/value
cache and every patched run recomputes one token per prompt from the patched layer on; one run
per layer patches all nine heads, in nine copies of the batch.

Written to ``graders/arena_check/kit/weights/function-vectors-smollm2/`` (``kit.paths.weights_dir``):

* ``effects.safetensors`` — ``<task>`` [30, 9]: each head's causal indirect effect (nats);
* ``meta.json`` — set-up, per-task clean / shuffled log-probs and accuracies, top-10 heads, time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformer_lens.cache.key_value_cache import TransformerLensKeyValueCache
from transformer_lens.cache.key_value_cache_entry import TransformerLensKeyValueCacheEntry

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from arena_check.kit import icl, zoo  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = "function-vectors-smollm2"
TASKS = ("antonym", "uppercase", "capital")
SEED = 0
N_PROMPTS = 30
N_SHOTS = 10


def task_batches(model, task: str) -> tuple[icl.ICLBatch, icl.ICLBatch]:
    """The page's clean and shuffled ICL batches for ``task``."""
    pairs = icl.task_pairs(task)
    train, _ = icl.split(pairs, len(pairs) // 3)
    prompts = icl.icl_prompts(train, N_PROMPTS, N_SHOTS, seed=SEED)
    answers = [p.answer for p in prompts]
    return (icl.icl_batch(model, [p.text for p in prompts], answers),
            icl.icl_batch(model, [p.shuffled for p in prompts], answers))


def last_logprobs(model, resid_last: torch.Tensor, answer_ids: torch.Tensor) -> torch.Tensor:
    """log p(answer) from final residual vectors at the last position, [batch, d_model]."""
    logits = model.unembed(model.ln_final(resid_last[:, None]))[:, 0]
    return logits.log_softmax(-1)[torch.arange(len(answer_ids)), answer_ids]


def clean_stats(model, batch: icl.ICLBatch) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(mean hook_z at the last position [layer, head, d_head], log p(answer) [batch], top-1 hit)."""
    L = model.cfg.n_layers
    rows = torch.arange(len(batch.lengths))
    last = batch.lengths - 1
    with torch.inference_mode():
        resid, cache = model.run_with_cache(batch.tokens, names_filter=lambda n: n.endswith("hook_z"),
                                            stop_at_layer=L)
        mean_z = torch.stack([cache["z", layer][rows, last].mean(0) for layer in range(L)])
        logits = model.unembed(model.ln_final(resid[rows, last][:, None]))[:, 0]
    logp = logits.log_softmax(-1)[rows, batch.answer_ids]
    return mean_z, logp, logits.argmax(-1) == batch.answer_ids


def sweep(model, clean: icl.ICLBatch, corrupt: icl.ICLBatch, log=print) -> tuple[torch.Tensor, dict]:
    """Causal indirect effect of every head (nats), and the clean/shuffled statistics."""
    L, H = model.cfg.n_layers, model.cfg.n_heads
    mean_z, clean_logp, clean_hit = clean_stats(model, clean)
    total = torch.zeros(L, H)
    base_sum, base_hits = 0.0, 0
    n = len(corrupt.lengths)
    start = time.perf_counter()
    for length in sorted(set(corrupt.lengths.tolist())):
        rows = (corrupt.lengths == length).nonzero()[:, 0]
        toks = corrupt.tokens[rows, :length]
        ids = corrupt.answer_ids[rows]
        kv = TransformerLensKeyValueCache.init_cache(model.cfg, "cpu", len(rows))
        with torch.inference_mode():
            model(toks[:, :-1], past_kv_cache=kv, stop_at_layer=L)
            kv.freeze()
            final, cache = model.run_with_cache(toks[:, -1:], past_kv_cache=kv, stop_at_layer=L,
                                                names_filter=lambda name: name.endswith("hook_resid_pre"))
            base = last_logprobs(model, final[:, -1], ids)
            base_sum += base.sum().item()
            base_hits += (model.unembed(model.ln_final(final))[:, -1].argmax(-1) == ids).sum().item()
            # One run per layer patches all heads at once: the batch is repeated H times, copy h
            # patching head h (a small batch costs as much as a large one: reading the weights).
            big = TransformerLensKeyValueCache(
                entries=[TransformerLensKeyValueCacheEntry(e.past_keys.repeat(H, 1, 1, 1),
                                                           e.past_values.repeat(H, 1, 1, 1), frozen=True)
                         for e in kv.entries],
                previous_attention_mask=kv.previous_attention_mask.repeat(H, 1), frozen=True)
            m = len(rows)
            for layer in range(L):
                resid = cache[f"blocks.{layer}.hook_resid_pre"].repeat(H, 1, 1)

                def patch(z, hook, layer=layer, m=m):
                    z = z.clone()
                    for head in range(H):
                        z[head * m:(head + 1) * m, -1, head] = mean_z[layer, head]
                    return z

                with model.hooks(fwd_hooks=[(f"blocks.{layer}.attn.hook_z", patch)]):
                    out = model(resid, start_at_layer=layer, stop_at_layer=L, past_kv_cache=big)
                gain = last_logprobs(model, out[:, -1], ids.repeat(H)) - base.repeat(H)
                total[layer] += gain.reshape(H, m).sum(1)
        log(f"length group {length} ({len(rows)} prompts) done at {time.perf_counter() - start:.0f} s")
    stats = {
        "clean_logprob": round(clean_logp.mean().item(), 4),
        "clean_accuracy": round(clean_hit.float().mean().item(), 4),
        "shuffled_logprob": round(base_sum / n, 4),
        "shuffled_accuracy": round(base_hits / n, 4),
    }
    return total / n, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: the shipped cache)")
    parser.add_argument("--tasks", nargs="*", default=list(TASKS), choices=TASKS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    start = time.perf_counter()
    model = zoo.load("smollm2-135m")
    effects, per_task = {}, {}
    for task in args.tasks:
        clean, corrupt = task_batches(model, task)
        effects[task], stats = sweep(model, clean, corrupt, log=lambda msg, t=task: print(f"{t}: {msg}", flush=True))
        stats["top_heads"] = [[int(i) // model.cfg.n_heads, int(i) % model.cfg.n_heads]
                              for i in effects[task].flatten().argsort(descending=True)[:10]]
        per_task[task] = stats
        print(task, stats, flush=True)
    seconds = time.perf_counter() - start
    folder = args.out or weights_dir(NAME)
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in effects.items()}, str(folder / "effects.safetensors"))
    meta = {
        "script": "tools/cache_function_vectors_smollm2.py",
        "model": "smollm2-135m",
        "seed": SEED,
        "n_prompts": N_PROMPTS,
        "n_shots": N_SHOTS,
        "split": "icl.split(pairs, len(pairs) // 3): train pairs only",
        "corruption": "shuffled: demonstration outputs permuted, none beside its own input",
        "effect": "mean log p(answer first token), mean clean hook_z patched at the last position, minus shuffled",
        "threads": 1,
        "seconds": round(seconds, 1),
        "tasks": per_task,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {folder} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
