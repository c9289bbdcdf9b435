"""Cache section 1.3's exact activation-patching sweeps on SmolLM2-135M (too slow for the page).

    .venv/bin/python tools/cache_ioi_patching_smollm2.py                 # writes the shipped cache
    .venv/bin/python tools/cache_ioi_patching_smollm2.py --out /tmp/x    # somewhere else
    .venv/bin/python tools/cache_ioi_patching_smollm2.py --layers 25 26  # a subset (for tests)
    .venv/bin/python tools/cache_ioi_patching_smollm2.py --workers 2     # two processes, same numbers

CPU, one thread per worker: 600 patched runs of 36 prompts, each started at the patched layer and
recomputing only the tokens from S2 on, after a shared prefix kept in a frozen key/value cache
(see ``_Group``). The shipped run took 25 min wall with ``--workers 2`` on a 2-core machine shared
with other jobs (load average ≈ 8; meta.json records the time); on a quiet machine the estimate is
under 10 minutes. Deterministic: the prompts come from a fixed
seed and nothing is sampled. ``--workers 2`` splits the layers over two processes.

The set-up is the page's (section 1.3, "Indirect object identification"): 36 *localisation*
prompts, templates 0–5 of :mod:`arena_check.kit.ioi` with :data:`ioi.LOCALISATION_NAMES`, 3 name
triples per template in both orders; each prompt's corrupted twin is its ABC version (the second
S replaced by a third name). Every number is *denoising* patching: run the corrupted prompts,
put back one clean activation, and report the normalised metric

    (LD_patched − LD_corrupted) / (LD_clean − LD_corrupted),   LD = mean IO − S logit difference,

so 0 means "no effect" and 1 means "restores the whole clean behaviour". Written to
``graders/arena_check/kit/weights/ioi-patching-smollm2/`` (via ``kit.paths.weights_dir``):

* ``patching.safetensors`` —
  ``head_all`` [30, 9]: one head's output (``hook_z``) patched at every position;
  ``head_end`` [30, 9]: the same at the final position (END) only;
  ``resid`` [2, 30]: the residual stream before each layer, at S2 and at END;
* ``meta.json`` — seeds, set-up, clean and corrupted logit differences, the run time.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformer_lens.cache.key_value_cache import TransformerLensKeyValueCache

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "graders"))

from arena_check.kit import ioi, zoo  # noqa: E402
from arena_check.kit.paths import weights_dir  # noqa: E402

NAME = "ioi-patching-smollm2"
SEED = 0  # the localisation prompts' seed (the page uses the same)
PAIRS_PER_TEMPLATE = 3
TEMPLATES = list(range(6))
RESID_POSITIONS = ("S2", "END")


def localisation_batch(model) -> ioi.IOIBatch:
    """The page's localisation prompts, tokenised."""
    prompts = ioi.ioi_pairs(PAIRS_PER_TEMPLATE, SEED, templates=TEMPLATES, names=ioi.LOCALISATION_NAMES)
    return ioi.ioi_batch(model, prompts)


@dataclass
class _Group:
    """Prompts whose S2 and END sit at the same positions, with the shared prefix's keys and values.

    Clean and ABC prompts are identical before S2, so every activation there is the same in both
    runs and no patch can change it. The prefix (BOS … the token before S2) therefore runs once, into
    a frozen key/value cache, and every patched run recomputes only the suffix S2 … END — about a
    quarter of the tokens — starting at the patched layer.
    """

    rows: torch.Tensor
    kv: TransformerLensKeyValueCache
    io_ids: torch.Tensor
    s_ids: torch.Tensor
    clean: dict[str, torch.Tensor]  # suffix activations of the clean run
    corrupt: dict[str, torch.Tensor]  # and of the corrupted run


def _groups(model, batch: ioi.IOIBatch) -> list[_Group]:
    n_layers = model.cfg.n_layers
    keep = lambda name: name.endswith(("hook_z", "hook_resid_pre")) or name == f"blocks.{n_layers - 1}.hook_resid_post"  # noqa: E731
    groups = []
    s2, end = batch.positions["S2"], batch.positions["END"]
    for a, b in sorted({(int(x), int(y)) for x, y in zip(s2, end, strict=True)}):
        rows = ((s2 == a) & (end == b)).nonzero()[:, 0]
        prefix = batch.tokens[rows, :a]
        assert torch.equal(prefix, batch.corrupted_tokens[rows, :a])
        kv = TransformerLensKeyValueCache.init_cache(model.cfg, "cpu", len(rows))
        with torch.inference_mode():
            model(prefix, past_kv_cache=kv, stop_at_layer=n_layers)
            kv.freeze()
            _, clean = model.run_with_cache(batch.tokens[rows, a:b + 1], past_kv_cache=kv, names_filter=keep,
                                            stop_at_layer=n_layers)
            _, corrupt = model.run_with_cache(batch.corrupted_tokens[rows, a:b + 1], past_kv_cache=kv,
                                              names_filter=keep, stop_at_layer=n_layers)
        groups.append(_Group(rows, kv, batch.io_ids[rows], batch.s_ids[rows],
                             dict(clean.items()), dict(corrupt.items())))
    return groups


def _suffix_ld(model, group: _Group, final: torch.Tensor) -> torch.Tensor:
    """IO − S logit difference per prompt from the suffix's last residual vector (END)."""
    normed = model.ln_final(final[:, -1:])[:, 0]
    direction = model.W_U[:, group.io_ids] - model.W_U[:, group.s_ids]
    return (normed * direction.T).sum(-1) + model.b_U[group.io_ids] - model.b_U[group.s_ids]


def patched_mean_ld(model, groups: list[_Group], layer: int, *, resid_patch=None, z_patch=None) -> float:
    """Mean logit difference over all prompts of a corrupted run from ``layer`` on, with the
    suffix's resid_pre at ``layer`` edited by ``resid_patch(corrupt, clean)`` and/or its hook_z by
    ``z_patch(z, clean_z)``."""
    total, count = 0.0, 0
    for g in groups:
        resid = g.corrupt[f"blocks.{layer}.hook_resid_pre"]
        if resid_patch is not None:
            resid = resid_patch(resid.clone(), g.clean[f"blocks.{layer}.hook_resid_pre"])
        hooks = []
        if z_patch is not None:
            clean_z = g.clean[f"blocks.{layer}.attn.hook_z"]
            hooks.append((f"blocks.{layer}.attn.hook_z", lambda z, hook, c=clean_z: z_patch(z.clone(), c)))
        with torch.inference_mode(), model.hooks(fwd_hooks=hooks):
            final = model(resid, start_at_layer=layer, stop_at_layer=model.cfg.n_layers, past_kv_cache=g.kv)
        total += _suffix_ld(model, g, final).sum().item()
        count += len(g.rows)
    return total / count


def sweep(model, batch: ioi.IOIBatch, layers: list[int], log=print) -> dict[str, torch.Tensor]:
    """The normalised denoising effects (see the module docstring) for ``layers`` (others NaN)."""
    n_layers, n_heads = model.cfg.n_layers, model.cfg.n_heads
    groups = _groups(model, batch)
    last = f"blocks.{n_layers - 1}.hook_resid_post"
    n = sum(len(g.rows) for g in groups)
    ld_clean = sum(_suffix_ld(model, g, g.clean[last]).sum().item() for g in groups) / n
    ld_corrupt = sum(_suffix_ld(model, g, g.corrupt[last]).sum().item() for g in groups) / n
    normalise = lambda ld: (ld - ld_corrupt) / (ld_clean - ld_corrupt)  # noqa: E731
    out = {k: torch.full((n_layers, n_heads), float("nan")) for k in ("head_all", "head_end")}
    out["resid"] = torch.full((len(RESID_POSITIONS), n_layers), float("nan"))
    suffix_index = {"S2": 0, "END": -1}  # positions within the suffix S2 … END
    start = time.perf_counter()
    for layer in layers:
        for head in range(n_heads):
            def patch_all(z, clean_z, head=head):
                z[:, :, head] = clean_z[:, :, head]
                return z

            def patch_end(z, clean_z, head=head):
                z[:, -1, head] = clean_z[:, -1, head]
                return z

            out["head_all"][layer, head] = normalise(patched_mean_ld(model, groups, layer, z_patch=patch_all))
            out["head_end"][layer, head] = normalise(patched_mean_ld(model, groups, layer, z_patch=patch_end))
        for i, where in enumerate(RESID_POSITIONS):
            def patch_resid(resid, clean, p=suffix_index[where]):
                resid[:, p] = clean[:, p]
                return resid

            out["resid"][i, layer] = normalise(patched_mean_ld(model, groups, layer, resid_patch=patch_resid))
        log(f"layer {layer:2d} done at {time.perf_counter() - start:6.0f} s; "
            f"head_all max {out['head_all'][layer].abs().max():.3f}")
    out["ld"] = torch.tensor([ld_clean, ld_corrupt])
    return out


def _sweep_part(model, batch: ioi.IOIBatch, layers: list[int]) -> dict[str, torch.Tensor]:
    torch.set_num_threads(1)
    return sweep(model, batch, layers, log=lambda msg: print(msg, flush=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: the shipped cache)")
    parser.add_argument("--layers", type=int, nargs="*", default=None, help="only these layers (default: all)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes, one torch thread each, splitting the layers (same numbers)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    start = time.perf_counter()
    model = zoo.load("smollm2-135m")
    batch = localisation_batch(model)
    layers = list(range(model.cfg.n_layers)) if args.layers is None else args.layers
    if args.workers > 1:
        # Layer l costs about (n_layers - l) blocks per patch: deal the layers out by that cost.
        groups: list[list[int]] = [[] for _ in range(args.workers)]
        cost = [0] * args.workers
        for layer in sorted(layers):
            i = cost.index(min(cost))
            groups[i].append(layer)
            cost[i] += model.cfg.n_layers - layer
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            parts = pool.starmap(_sweep_part, [(model, batch, g) for g in groups])
        out = parts[0]
        for part in parts[1:]:
            for key, value in part.items():
                if key != "ld":
                    out[key] = torch.where(value.isnan(), out[key], value)
    else:
        out = sweep(model, batch, layers)
    seconds = time.perf_counter() - start
    folder = args.out or weights_dir(NAME)
    folder.mkdir(parents=True, exist_ok=True)
    ld = out.pop("ld")
    save_file({k: v.contiguous() for k, v in out.items()}, str(folder / "patching.safetensors"))
    meta = {
        "script": "tools/cache_ioi_patching_smollm2.py",
        "model": "smollm2-135m",
        "seed": SEED,
        "pairs_per_template": PAIRS_PER_TEMPLATE,
        "templates": TEMPLATES,
        "names": list(ioi.LOCALISATION_NAMES),
        "n_prompts": int(batch.tokens.shape[0]),
        "corruption": "ABC: the second S replaced by a third name",
        "direction": "denoising: clean activation patched into the corrupted run",
        "metric": "(LD_patched - LD_corrupted) / (LD_clean - LD_corrupted), LD = mean IO - S logit difference",
        "resid_positions": list(RESID_POSITIONS),
        "layers": layers,
        "threads": 1,
        "workers": args.workers,
        "seconds": round(seconds, 1),
        "ld_clean": round(ld[0].item(), 4),
        "ld_corrupted": round(ld[1].item(), 4),
        "top_heads_all": [
            [int(i) // model.cfg.n_heads, int(i) % model.cfg.n_heads]
            for i in out["head_all"].nan_to_num(0).abs().flatten().argsort(descending=True)[:10]
        ],
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {folder} in {seconds:.0f} s; clean LD {ld[0]:.3f}, corrupted LD {ld[1]:.3f}")


if __name__ == "__main__":
    main()
