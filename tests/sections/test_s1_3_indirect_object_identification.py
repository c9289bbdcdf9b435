"""Section 1.3: the checks pass the reference and reject the stub and plausible mistakes.

The mutants are the mistakes the issue names and their relatives: patching the clean run instead
of the corrupted one, a logit difference of the wrong sign or at the wrong position, ablating by
zero instead of by the mean (or by the mean over every template), forgetting to detach or clone
(results still in the autograd graph, a reused cache edited in place), gradients of the sum, the
DLA scale multiplied or centred, axis mix-ups that keep the shape on square inputs. Alternatives are
correct solutions in another style (loops, masks, gather, scatter, torch.corrcoef, backward with
retain_grad).
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.3"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "abc_corrupt": [
        ("replaces the first mention", """
            def abc_corrupt(text, s, c):
                return re.sub(rf"\\b{re.escape(s)}\\b", c, text, count=1)
        """),
        ("replaces every mention", """
            def abc_corrupt(text, s, c):
                return re.sub(rf"\\b{re.escape(s)}\\b", c, text)
        """),
        ("substring match (Dan inside Daniel)", """
            def abc_corrupt(text, s, c):
                i = text.index(s, text.index(s) + len(s))
                return text[:i] + c + text[i + len(s):]
        """),
        ("replaces the last mention, no count check", """
            def abc_corrupt(text, s, c):
                i = text.rindex(" " + s) + 1 if (" " + s) in text else text.rindex(s)
                return text[:i] + c + text[i + len(s):]
        """),
    ],
    "logit_diff": [
        ("wrong sign: S − IO", """
            def logit_diff(logits, end, io_ids, s_ids):
                rows = torch.arange(logits.shape[0])
                final = logits[rows, end]
                return final[rows, s_ids] - final[rows, io_ids]
        """),
        ("reads the last column (padding) instead of END", """
            def logit_diff(logits, end, io_ids, s_ids):
                rows = torch.arange(logits.shape[0])
                return logits[rows, -1, io_ids] - logits[rows, -1, s_ids]
        """),
        ("every prompt's ids at every prompt (a batch × batch grid, diagonal not taken)", """
            def logit_diff(logits, end, io_ids, s_ids):
                rows = torch.arange(logits.shape[0])
                final = logits[rows, end]
                return (final[:, io_ids] - final[:, s_ids]).mean(1)
        """),
        ("the mean over the batch, not one number per prompt", """
            def logit_diff(logits, end, io_ids, s_ids):
                rows = torch.arange(logits.shape[0])
                final = logits[rows, end]
                return (final[rows, io_ids] - final[rows, s_ids]).mean()
        """),
    ],
    "patching_metric": [
        ("reversed: 1 at corrupted", """
            def patching_metric(ld_patched, ld_clean, ld_corrupted):
                return (ld_clean - ld_patched) / (ld_clean - ld_corrupted)
        """),
        ("ratio to the clean LD only", """
            def patching_metric(ld_patched, ld_clean, ld_corrupted):
                return ld_patched / ld_clean
        """),
        ("denominator corrupted − clean", """
            def patching_metric(ld_patched, ld_clean, ld_corrupted):
                return (ld_patched - ld_corrupted) / (ld_corrupted - ld_clean)
        """),
    ],
    "logit_diff_directions": [
        ("not transposed", """
            def logit_diff_directions(W_U, io_ids, s_ids):
                return W_U[:, io_ids] - W_U[:, s_ids]
        """),
        ("rows of W_U instead of columns", """
            def logit_diff_directions(W_U, io_ids, s_ids):
                return W_U.T[:, io_ids].T[:, :W_U.shape[0]] - W_U.T[:, s_ids].T[:, :W_U.shape[0]]
        """),
        ("S − IO", """
            def logit_diff_directions(W_U, io_ids, s_ids):
                return (W_U[:, s_ids] - W_U[:, io_ids]).T
        """),
    ],
    "head_dla": [
        ("multiplies by the scale", """
            def head_dla(z_end, W_O, final_scale, directions):
                out = einsum(z_end, W_O, "b l h d, l h d m -> b l h m")
                return einsum(out, directions, "b l h m, b m -> b l h") * final_scale[:, None, None]
        """),
        ("centres the output as for LayerNorm", """
            def head_dla(z_end, W_O, final_scale, directions):
                out = einsum(z_end, W_O, "b l h d, l h d m -> b l h m")
                out = out - out.mean(-1, keepdim=True)
                return einsum(out, directions, "b l h m, b m -> b l h") / final_scale[:, None, None]
        """),
        ("forgets the scale", """
            def head_dla(z_end, W_O, final_scale, directions):
                out = einsum(z_end, W_O, "b l h d, l h d m -> b l h m")
                return einsum(out, directions, "b l h m, b m -> b l h")
        """),
        ("scale indexed by layer (broadcast on the wrong axis)", """
            def head_dla(z_end, W_O, final_scale, directions):
                out = einsum(z_end, W_O, "b l h d, l h d m -> b l h m")
                return einsum(out, directions, "b l h m, b m -> b l h") / final_scale[None, :, None]
        """),
    ],
    "patch_resid_hook": [
        ("every row patched at every listed position", """
            def patch_resid_hook(resid, hook, clean_resid, positions):
                resid = resid.clone()
                resid[:, positions] = clean_resid[:, positions]
                return resid
        """),
        ("edits the clean cache instead (patches in the wrong direction)", """
            def patch_resid_hook(resid, hook, clean_resid, positions):
                rows = torch.arange(resid.shape[0])
                clean_resid[rows, positions] = resid[rows, positions]
                return clean_resid
        """),
        ("returns the clean residual at every position", """
            def patch_resid_hook(resid, hook, clean_resid, positions):
                return clean_resid.clone()
        """),
        ("edits a copy and returns nothing", """
            def patch_resid_hook(resid, hook, clean_resid, positions):
                resid = resid.clone()
                rows = torch.arange(resid.shape[0])
                resid[rows, positions] = clean_resid[rows, positions]
        """),
    ],
    "patch_head_hook": [
        ("patches the position axis with head (axis mix-up)", """
            def patch_head_hook(z, hook, clean_z, head, positions=None):
                z = z.clone()
                if positions is None:
                    z[:, head] = clean_z[:, head]
                else:
                    rows = torch.arange(z.shape[0])
                    z[rows, positions, head] = clean_z[rows, positions, head]
                return z
        """),
        ("ignores positions (always all positions)", """
            def patch_head_hook(z, hook, clean_z, head, positions=None):
                z = z.clone()
                z[:, :, head] = clean_z[:, :, head]
                return z
        """),
        ("patches every head at the positions", """
            def patch_head_hook(z, hook, clean_z, head, positions=None):
                z = z.clone()
                if positions is None:
                    z[:, :, head] = clean_z[:, :, head]
                else:
                    rows = torch.arange(z.shape[0])
                    z[rows, positions] = clean_z[rows, positions]
                return z
        """),
        ("writes into the clean cache and returns it", """
            def patch_head_hook(z, hook, clean_z, head, positions=None):
                keep = [h for h in range(z.shape[2]) if h != head]
                clean_z[:, :, keep] = z[:, :, keep]
                return clean_z
        """),
    ],
    "patch_head_logit_diff": [
        ("patches the clean run instead of the corrupted one", """
            def patch_head_logit_diff(model, batch, clean_z, layer, head, positions=None):
                hook = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)
                logits = model.run_with_hooks(batch.tokens, fwd_hooks=[(f"blocks.{layer}.attn.hook_z", hook)])
                return logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
        """),
        ("reads the last column instead of END", """
            def patch_head_logit_diff(model, batch, clean_z, layer, head, positions=None):
                hook = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)
                logits = model.run_with_hooks(batch.corrupted_tokens, fwd_hooks=[(f"blocks.{layer}.attn.hook_z", hook)])
                rows = torch.arange(logits.shape[0])
                return logits[rows, -1, batch.io_ids] - logits[rows, -1, batch.s_ids]
        """),
        ("hook on the wrong layer (off by one)", """
            def patch_head_logit_diff(model, batch, clean_z, layer, head, positions=None):
                hook = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)
                name = f"blocks.{min(layer + 1, model.cfg.n_layers - 1)}.attn.hook_z"
                logits = model.run_with_hooks(batch.corrupted_tokens, fwd_hooks=[(name, hook)])
                return logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
        """),
        ("leaves the hook attached", """
            def patch_head_logit_diff(model, batch, clean_z, layer, head, positions=None):
                hook = lambda z, hook: patch_head_hook(z, hook, clean_z, head, positions)
                model.add_hook(f"blocks.{layer}.attn.hook_z", hook)
                logits = model(batch.corrupted_tokens)
                return logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
        """),
    ],
    "corrupted_z_and_grads": [
        ("runs the clean prompts", """
            def corrupted_z_and_grads(model, batch):
                store = {}
                def leaf(e, hook):
                    return e.detach().requires_grad_(True)
                def keep(z, hook):
                    store[hook.name] = z
                names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
                with torch.enable_grad():
                    resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers,
                                                 fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
                    metric = ioi.final_logit_diff(model, resid, batch).mean()
                    grads = torch.autograd.grad(metric, [store[n] for n in names])
                return torch.stack([store[n].detach() for n in names]), torch.stack(grads)
        """),
        ("gradient of the sum, not the mean", """
            def corrupted_z_and_grads(model, batch):
                store = {}
                def leaf(e, hook):
                    return e.detach().requires_grad_(True)
                def keep(z, hook):
                    store[hook.name] = z
                names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
                with torch.enable_grad():
                    resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers,
                                                 fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
                    metric = ioi.final_logit_diff(model, resid, batch).sum()
                    grads = torch.autograd.grad(metric, [store[n] for n in names])
                return torch.stack([store[n].detach() for n in names]), torch.stack(grads)
        """),
        ("z not detached (still in the graph)", """
            def corrupted_z_and_grads(model, batch):
                store = {}
                def leaf(e, hook):
                    return e.detach().requires_grad_(True)
                def keep(z, hook):
                    store[hook.name] = z
                names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
                with torch.enable_grad():
                    resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers,
                                                 fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
                    metric = ioi.final_logit_diff(model, resid, batch).mean()
                    grads = torch.autograd.grad(metric, [store[n] for n in names], retain_graph=True)
                    z = torch.stack([store[n] for n in names])
                return z, torch.stack(grads)
        """),
        ("backward() into the parameters as a side effect", """
            def corrupted_z_and_grads(model, batch):
                store = {}
                def keep(z, hook):
                    z.retain_grad()
                    store[hook.name] = z
                names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
                with torch.enable_grad():
                    for p in model.parameters():
                        p.requires_grad_(True)
                    resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers,
                                                 fwd_hooks=[(n, keep) for n in names])
                    ioi.final_logit_diff(model, resid, batch).mean().backward()
                return (torch.stack([store[n].detach() for n in names]),
                        torch.stack([store[n].grad for n in names]))
        """),
        ("the logit difference at the last column (padding), not END", """
            def corrupted_z_and_grads(model, batch):
                store = {}
                def leaf(e, hook):
                    return e.detach().requires_grad_(True)
                def keep(z, hook):
                    store[hook.name] = z
                names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
                with torch.enable_grad():
                    logits = model.run_with_hooks(batch.corrupted_tokens,
                                                  fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
                    rows = torch.arange(logits.shape[0])
                    metric = (logits[rows, -1, batch.io_ids] - logits[rows, -1, batch.s_ids]).mean()
                    grads = torch.autograd.grad(metric, [store[n] for n in names])
                return torch.stack([store[n].detach() for n in names]), torch.stack(grads)
        """),
    ],
    "attribution_scores": [
        ("corrupted − clean (wrong sign)", """
            def attribution_scores(clean_z, corrupt_z, grads, positions=None):
                return -ref_attribution(clean_z, corrupt_z, grads, positions)
            def ref_attribution(clean_z, corrupt_z, grads, positions):
                delta = (clean_z - corrupt_z) * grads
                if positions is not None:
                    rows = torch.arange(delta.shape[1])
                    return delta[:, rows, positions].sum(dim=(1, 3))
                return delta.sum(dim=(1, 2, 4))
        """),
        ("mean over the batch", """
            def attribution_scores(clean_z, corrupt_z, grads, positions=None):
                delta = (clean_z - corrupt_z) * grads
                if positions is not None:
                    rows = torch.arange(delta.shape[1])
                    return delta[:, rows, positions].mean(1).sum(-1)
                return delta.mean(1).sum(dim=(1, 3))
        """),
        ("every row at every listed position", """
            def attribution_scores(clean_z, corrupt_z, grads, positions=None):
                delta = (clean_z - corrupt_z) * grads
                if positions is not None:
                    return delta[:, :, positions].sum(dim=(1, 2, 4))
                return delta.sum(dim=(1, 2, 4))
        """),
        ("gradient times clean activation only", """
            def attribution_scores(clean_z, corrupt_z, grads, positions=None):
                delta = clean_z * grads
                if positions is not None:
                    rows = torch.arange(delta.shape[1])
                    return delta[:, rows, positions].sum(dim=(1, 3))
                return delta.sum(dim=(1, 2, 4))
        """),
    ],
    "pearson": [
        ("not centred (cosine similarity)", """
            def pearson(x, y):
                x, y = x.flatten(), y.flatten()
                return (x * y).sum() / (x.norm() * y.norm())
        """),
        ("covariance only", """
            def pearson(x, y):
                x, y = x.flatten(), y.flatten()
                return ((x - x.mean()) * (y - y.mean())).mean()
        """),
        ("unbiased std with a biased covariance", """
            def pearson(x, y):
                x, y = x.flatten(), y.flatten()
                return ((x - x.mean()) * (y - y.mean())).mean() / (x.std() * y.std())
        """),
    ],
    "path_patch_inputs": [
        ("does not freeze the other heads (only the senders patched)", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    return None if layer not in by_layer else _p(z, corrupt_z[layer], by_layer[layer])
                def _p(z, src, heads):
                    z = z.clone()
                    z[:, :, heads] = src[:, :, heads]
                    return z
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_{component}_input", record) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
        ("senders patched from the clean run (clean_z) instead of corrupt_z", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    out = clean_z[layer].clone()
                    heads = by_layer.get(layer, [])
                    out[:, :, heads] = clean_z[layer][:, :, heads]
                    return out
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_{component}_input", record) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
        ("runs the corrupted prompts", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    out = clean_z[layer].clone()
                    heads = by_layer.get(layer, [])
                    out[:, :, heads] = corrupt_z[layer][:, :, heads]
                    return out
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_{component}_input", record) for l in receiver_layers]
                model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
        ("freezes only the senders' own layers", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    if layer not in by_layer:
                        return z
                    out = clean_z[layer].clone()
                    out[:, :, by_layer[layer]] = corrupt_z[layer][:, :, by_layer[layer]]
                    return out
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_{component}_input", record) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
        ("records resid_pre (no slot axis) instead of the receivers' inputs", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    out = clean_z[layer].clone()
                    heads = by_layer.get(layer, [])
                    out[:, :, heads] = corrupt_z[layer][:, :, heads]
                    return out
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_resid_pre", record) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
        ("every head frozen at its corrupted output", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                def freeze(z, hook):
                    return corrupt_z[hook.layer()].clone()
                store = {}
                def rec(x, hook):
                    store[hook.layer()] = x.clone()
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(max(receiver_layers))]
                hooks += [(f"blocks.{l}.hook_{component}_input", rec) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, fwd_hooks=hooks)
                return store
        """),
        ("stops before the receiver layer (its input hook never fires)", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by = {}
                for l, h in senders:
                    by.setdefault(l, []).append(h)
                def freeze(z, hook):
                    out = clean_z[hook.layer()].clone()
                    hs = by.get(hook.layer(), [])
                    out[:, :, hs] = corrupt_z[hook.layer()][:, :, hs]
                    return out
                store = {}
                def rec(x, hook):
                    store[hook.layer()] = x.clone()
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(max(receiver_layers))]
                hooks += [(f"blocks.{l}.hook_{component}_input", rec) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=max(receiver_layers), fwd_hooks=hooks)
                return store
        """),
        ("records every component's input as the query input", """
            def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
                by_layer = {}
                for l, h in senders:
                    by_layer.setdefault(l, []).append(h)
                def freeze(z, hook):
                    layer = hook.layer()
                    out = clean_z[layer].clone()
                    heads = by_layer.get(layer, [])
                    out[:, :, heads] = corrupt_z[layer][:, :, heads]
                    return out
                store = {}
                def record(x, hook):
                    store[hook.layer()] = x.detach().clone()
                last = max(receiver_layers)
                hooks = [(f"blocks.{l}.attn.hook_z", freeze) for l in range(last)]
                hooks += [(f"blocks.{l}.hook_q_input", record) for l in receiver_layers]
                model.run_with_hooks(batch.tokens, stop_at_layer=last + 1, fwd_hooks=hooks)
                return {l: store[l] for l in receiver_layers}
"""),
    ],
    "patch_receivers_logit_diff": [
        ("runs the corrupted prompts", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            if positions is None:
                                x[:, :, h // per] = inputs[l][:, :, h // per]
                            else:
                                x[rows, positions, h // per] = inputs[l][rows, positions, h // per]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.corrupted_tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("ignores positions (patches every position)", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            x[:, :, h // per] = inputs[l][:, :, h // per]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("every row patched at every listed position", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            if positions is None:
                                x[:, :, h // per] = inputs[l][:, :, h // per]
                            else:
                                x[:, positions, h // per] = inputs[l][:, positions, h // per]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("patches every slot of the receiver's layer", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    src = inputs[hook.layer()]
                    if positions is None:
                        return src.clone()
                    x[rows, positions] = src[rows, positions]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("uses the query-head index for keys and values (ignores GQA groups)", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            h = min(h, x.shape[2] - 1)
                            if positions is None:
                                x[:, :, h] = inputs[l][:, :, h]
                            else:
                                x[rows, positions, h] = inputs[l][rows, positions, h]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("patches the receiver layer's whole resid_pre (the MLP and every head see it)", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    l = hook.layer()
                    h = [h for ll, h in receivers if ll == l][0] // per
                    if positions is None:
                        x[:] = inputs[l][:, :, h]
                    else:
                        x[rows, positions] = inputs[l][rows, positions, h]
                    return x
                hooks = [(f"blocks.{l}.hook_resid_pre", patch) for l in {l for l, _ in receivers}]
                resid = model.run_with_hooks(batch.tokens, stop_at_layer=model.cfg.n_layers, fwd_hooks=hooks)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("leaves the hooks attached", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            if positions is None:
                                x[:, :, h // per] = inputs[l][:, :, h // per]
                            else:
                                x[rows, positions, h // per] = inputs[l][rows, positions, h // per]
                    return x
                for l in {l for l, _ in receivers}:
                    model.add_hook(f"blocks.{l}.hook_{component}_input", patch)
                resid = model(batch.tokens, stop_at_layer=model.cfg.n_layers)
                return ioi.final_logit_diff(model, resid, batch)
        """),
        ("reads the last column instead of END", """
            def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
                per = 1 if component == "q" else model.cfg.n_heads // model.cfg.n_key_value_heads
                rows = torch.arange(batch.tokens.shape[0])
                def patch(x, hook):
                    x = x.clone()
                    for l, h in receivers:
                        if l == hook.layer():
                            if positions is None:
                                x[:, :, h // per] = inputs[l][:, :, h // per]
                            else:
                                x[rows, positions, h // per] = inputs[l][rows, positions, h // per]
                    return x
                hooks = [(f"blocks.{l}.hook_{component}_input", patch) for l in {l for l, _ in receivers}]
                logits = model.run_with_hooks(batch.tokens, fwd_hooks=hooks)
                return logits[rows, -1, batch.io_ids] - logits[rows, -1, batch.s_ids]
        """),
    ],
    "top_k_heads": [
        ("by signed score, not |score|", """
            def top_k_heads(scores, k):
                flat = scores.flatten().argsort(descending=True)[:k]
                return [(int(i) // scores.shape[1], int(i) % scores.shape[1]) for i in flat]
        """),
        ("divides by the number of layers", """
            def top_k_heads(scores, k):
                flat = scores.abs().flatten().argsort(descending=True)[:k]
                return [(int(i) // scores.shape[0], int(i) % scores.shape[0]) for i in flat]
        """),
        ("smallest first", """
            def top_k_heads(scores, k):
                flat = scores.abs().flatten().argsort()[-k:]
                return [(int(i) // scores.shape[1], int(i) % scores.shape[1]) for i in flat]
        """),
    ],
    "reference_means": [
        ("zeros instead of means", """
            def reference_means(z_ref, ref_groups, groups):
                if not all(bool((ref_groups == g).any()) for g in groups):
                    raise ValueError("missing group")
                return torch.zeros((len(groups), *z_ref.shape[1:]))
        """),
        ("the mean over every reference row (all templates)", """
            def reference_means(z_ref, ref_groups, groups):
                if not all(bool((ref_groups == g).any()) for g in groups):
                    raise ValueError("missing group")
                return z_ref.mean(0, keepdim=True).expand(len(groups), *z_ref.shape[1:]).clone()
        """),
        ("also averages over positions", """
            def reference_means(z_ref, ref_groups, groups):
                out = torch.empty((len(groups), *z_ref.shape[1:]))
                for g in groups.unique():
                    mask = ref_groups == g
                    if not mask.any():
                        raise ValueError("missing group")
                    out[groups == g] = z_ref[mask].mean(dim=(0, 1))
                return out
        """),
        ("groups indexed by row position, not by label", """
            def reference_means(z_ref, ref_groups, groups):
                out = torch.empty((len(groups), *z_ref.shape[1:]))
                for b, g in enumerate(groups):
                    mask = ref_groups == ref_groups[int(g) % len(ref_groups)]
                    if not (ref_groups == g).any():
                        raise ValueError("missing group")
                    out[b] = z_ref[mask].mean(0)
                return out
        """),
        ("no error for a missing group (NaN rows)", """
            def reference_means(z_ref, ref_groups, groups):
                out = torch.empty((len(groups), *z_ref.shape[1:]))
                for b, g in enumerate(groups):
                    out[b] = z_ref[ref_groups == g].mean(0)
                return out
        """),
    ],
    "circuit_hook": [
        ("zero ablation", """
            def circuit_hook(z, hook, means, keep):
                out = torch.zeros_like(z)
                out[:, :, list(keep)] = z[:, :, list(keep)]
                return out
        """),
        ("ablates the kept heads instead", """
            def circuit_hook(z, hook, means, keep):
                out = z.clone()
                out[:, :, list(keep)] = means[:, :, list(keep)]
                return out
        """),
        ("writes into the reused means", """
            def circuit_hook(z, hook, means, keep):
                means[:, :, list(keep)] = z[:, :, list(keep)]
                return means
        """),
        ("means averaged over the batch again", """
            def circuit_hook(z, hook, means, keep):
                out = means.mean(0, keepdim=True).expand_as(z).clone()
                out[:, :, list(keep)] = z[:, :, list(keep)]
                return out
        """),
    ],
}

ALTERNATIVES: dict[str, str] = {
    "abc_corrupt": """
        def abc_corrupt(text, s, c):
            words = re.split(r"(\\W+)", text)
            hits = [i for i, w in enumerate(words) if w == s]
            if len(hits) != 2:
                raise ValueError("need exactly two mentions")
            words[hits[1]] = c
            return "".join(words)
    """,
    "logit_diff": """
        def logit_diff(logits, end, io_ids, s_ids):
            final = logits.gather(1, end[:, None, None].expand(-1, 1, logits.shape[-1]))[:, 0]
            return final.gather(1, io_ids[:, None])[:, 0] - final.gather(1, s_ids[:, None])[:, 0]
    """,
    "patching_metric": """
        def patching_metric(ld_patched, ld_clean, ld_corrupted):
            return (ld_patched - ld_corrupted) * (1.0 / (ld_clean - ld_corrupted))
    """,
    "logit_diff_directions": """
        def logit_diff_directions(W_U, io_ids, s_ids):
            return torch.stack([W_U[:, int(i)] - W_U[:, int(s)] for i, s in zip(io_ids, s_ids)])
    """,
    "head_dla": """
        def head_dla(z_end, W_O, final_scale, directions):
            b, l, h, _ = z_end.shape
            out = torch.zeros(b, l, h)
            for layer in range(l):
                for head in range(h):
                    vec = z_end[:, layer, head] @ W_O[layer, head]
                    out[:, layer, head] = (vec * directions).sum(-1) / final_scale
            return out
    """,
    "patch_resid_hook": """
        def patch_resid_hook(resid, hook, clean_resid, positions):
            mask = torch.zeros(resid.shape[:2], dtype=torch.bool)
            mask[torch.arange(resid.shape[0]), positions] = True
            return torch.where(mask[..., None], clean_resid, resid)
    """,
    "patch_head_hook": """
        def patch_head_hook(z, hook, clean_z, head, positions=None):
            for b in range(z.shape[0]):
                if positions is None:
                    z[b, :, head] = clean_z[b, :, head]
                else:
                    z[b, int(positions[b]), head] = clean_z[b, int(positions[b]), head]
            return z
    """,
    "patch_head_logit_diff": """
        def patch_head_logit_diff(model, batch, clean_z, layer, head, positions=None):
            def hook(z, hook):
                return patch_head_hook(z, hook, clean_z, head, positions)
            with model.hooks(fwd_hooks=[(f"blocks.{layer}.attn.hook_z", hook)]):
                logits = model(batch.corrupted_tokens)
            return logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
    """,
    "corrupted_z_and_grads": """
        def corrupted_z_and_grads(model, batch):
            zs = []
            def keep(z, hook):
                z.retain_grad()
                zs.append(z)
            def leaf(e, hook):
                return e.detach().clone().requires_grad_(True)
            names = [f"blocks.{l}.attn.hook_z" for l in range(model.cfg.n_layers)]
            with torch.enable_grad():
                logits = model.run_with_hooks(batch.corrupted_tokens,
                                              fwd_hooks=[("hook_embed", leaf)] + [(n, keep) for n in names])
                ld = logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
                ld.mean().backward(inputs=zs)  # only the activations get .grad
            return torch.stack([z.detach().clone() for z in zs]), torch.stack([z.grad.clone() for z in zs])
    """,
    "attribution_scores": """
        def attribution_scores(clean_z, corrupt_z, grads, positions=None):
            delta = einsum(clean_z - corrupt_z, grads, "l b p h d, l b p h d -> l b p h")
            if positions is None:
                return delta.sum(dim=(1, 2))
            onehot = torch.nn.functional.one_hot(positions, delta.shape[2]).float()
            return einsum(delta, onehot, "l b p h, b p -> l h")
    """,
    "pearson": """
        def pearson(x, y):
            return torch.corrcoef(torch.stack([x.flatten(), y.flatten()]))[0, 1]
    """,
    "path_patch_inputs": [
        ("masks and one closure per layer", """
        def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
            mask = torch.zeros(clean_z.shape[0], clean_z.shape[3], dtype=torch.bool)
            for l, h in senders:
                mask[l, h] = True
            recorded = {}
            def make_freeze(layer):
                def freeze(z, hook):
                    m = mask[layer][None, None, :, None]
                    return torch.where(m, corrupt_z[layer], clean_z[layer])
                return freeze
            def make_record(layer):
                def record(x, hook):
                    recorded[layer] = x.detach().clone()
                return record
            hooks = [(f"blocks.{l}.attn.hook_z", make_freeze(l)) for l in range(model.cfg.n_layers)]
            hooks += [(f"blocks.{l}.hook_{component}_input", make_record(l)) for l in receiver_layers]
            with model.hooks(fwd_hooks=hooks):
                model(batch.tokens)
            return recorded
    """),
        ("run_with_cache inside model.hooks", """
        def path_patch_inputs(model, batch, clean_z, corrupt_z, senders, receiver_layers, component="q"):
            sender_set = set(senders)
            def freeze(z, hook):
                layer = hook.layer()
                return torch.stack([corrupt_z[layer][:, :, h] if (layer, h) in sender_set else clean_z[layer][:, :, h]
                                    for h in range(z.shape[2])], dim=2)
            names = [f"blocks.{l}.hook_{component}_input" for l in receiver_layers]
            with model.hooks(fwd_hooks=[(f"blocks.{l}.attn.hook_z", freeze) for l in range(model.cfg.n_layers)]):
                _, cache = model.run_with_cache(batch.tokens, names_filter=names)
            return {l: cache[n] for l, n in zip(receiver_layers, names)}
    """),
    ],
    "patch_receivers_logit_diff": """
        def patch_receivers_logit_diff(model, batch, inputs, receivers, component="q", positions=None):
            n_slots = model.cfg.n_heads if component == "q" else model.cfg.n_key_value_heads
            group = model.cfg.n_heads // n_slots
            hooks = []
            for layer in sorted({l for l, _ in receivers}):
                slot_mask = torch.zeros(n_slots, dtype=torch.bool)
                for l, h in receivers:
                    if l == layer:
                        slot_mask[h // group] = True
                def patch(x, hook, layer=layer, slot_mask=slot_mask):
                    pos_mask = torch.ones(x.shape[:2], dtype=torch.bool)
                    if positions is not None:
                        pos_mask = torch.nn.functional.one_hot(positions, x.shape[1]).bool()
                    m = pos_mask[:, :, None, None] & slot_mask[None, None, :, None]
                    return torch.where(m, inputs[layer], x)
                hooks.append((f"blocks.{layer}.hook_{component}_input", patch))
            with model.hooks(fwd_hooks=hooks):
                logits = model(batch.tokens)
            return logit_diff(logits, batch.positions["END"], batch.io_ids, batch.s_ids)
    """,
    "top_k_heads": """
        def top_k_heads(scores, k):
            n_layers, n_heads = scores.shape
            pairs = sorted(((abs(float(scores[l, h])), l, h) for l in range(n_layers) for h in range(n_heads)),
                           key=lambda t: -t[0])
            return [(l, h) for _, l, h in pairs[:k]]
    """,
    "reference_means": """
        def reference_means(z_ref, ref_groups, groups):
            rows = []
            for g in groups.tolist():
                chosen = z_ref[ref_groups == g]
                if len(chosen) == 0:
                    raise ValueError(f"no reference rows for group {g}")
                rows.append(chosen.sum(0) / len(chosen))
            return torch.stack(rows)
    """,
    "circuit_hook": """
        def circuit_hook(z, hook, means, keep):
            mask = torch.zeros(z.shape[2], dtype=torch.bool)
            mask[list(keep)] = True
            return torch.where(mask[None, None, :, None], z, means)
    """,
}

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALTERNATIVES))
