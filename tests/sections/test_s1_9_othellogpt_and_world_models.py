"""Section 1.9: the checks pass the reference and reject the stub and plausible mistakes.

The mutants include the mistake the issue names — a probe fitted to absolute colour instead of
mine / theirs (labels by colour) — and its relatives (mine and theirs swapped, relative to the
player who just moved), rules that wrap round the board's edge or forget the closing disc, inputs
not shifted, a legal-move rate that counts the pad token, a layer stack one block off, probes not
standardised or not folded back, directions not normalised, edits added instead of replaced or
left hooked on the model. Alternatives are correct solutions in another style.
"""

from __future__ import annotations

from section_harness import make_tests

SECTION = "1.9"

MUTANTS: dict[str, list[tuple[str, str]]] = {
    "flips_in_direction": [
        ("closing disc looked up through the flat index (wraps)", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run, r, c = [], row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r * 8 + c < 64 and board[r * 8 + c] == player:
                    return run
                return []
        """),
        ("walks the flat index: wraps round the board's edge", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                step = dr * 8 + dc
                run, s = [], square + step
                while 0 <= s < 64 and board[s] == -player:
                    run.append(s)
                    s += step
                if run and 0 <= s < 64 and board[s] == player:
                    return run
                return []
        """),
        ("run not required to be closed by the player's disc", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run, r, c = [], row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                return run
        """),
        ("closing disc included", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run, r, c = [], row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
                    return run + [r * 8 + c]
                return []
        """),
        ("occupied squares not refused", """
            def flips_in_direction(board, player, square, dr, dc):
                row, col = divmod(square, 8)
                run, r, c = [], row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
                    return run
                return []
        """),
        ("sorted instead of nearest first", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run, r, c = [], row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
                    return sorted(run)
                return []
        """),
        ("a run of exactly one disc only", """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                r, c = row + dr, col + dc
                r2, c2 = r + dr, c + dc
                if 0 <= r2 < 8 and 0 <= c2 < 8 and board[r * 8 + c] == -player and board[r2 * 8 + c2] == player:
                    return [r * 8 + c]
                return []
        """),
    ],
    "legal_moves_mask": [
        ("orthogonal directions only", """
            def legal_moves_mask(board, player):
                mask = np.zeros(64, dtype=bool)
                for s in range(64):
                    mask[s] = any(flips_in_direction(board, player, s, dr, dc) for dr, dc in [(0, 1), (0, -1), (1, 0), (-1, 0)])
                return mask
        """),
        ("the opponent's moves", """
            def legal_moves_mask(board, player):
                mask = np.zeros(64, dtype=bool)
                for s in range(64):
                    mask[s] = any(flips_in_direction(board, -player, s, dr, dc) for dr, dc in othello.DIRECTIONS)
                return mask
        """),
        ("every empty square next to a disc", """
            def legal_moves_mask(board, player):
                mask = np.zeros(64, dtype=bool)
                for s in range(64):
                    r, c = divmod(s, 8)
                    mask[s] = board[s] == 0 and any(
                        0 <= r + dr < 8 and 0 <= c + dc < 8 and board[(r + dr) * 8 + c + dc] == -player
                        for dr, dc in othello.DIRECTIONS)
                return mask
        """),
        ("a list of squares, not a mask", """
            def legal_moves_mask(board, player):
                return [s for s in range(64) if any(flips_in_direction(board, player, s, dr, dc) for dr, dc in othello.DIRECTIONS)]
        """),
    ],
    "apply_move": [
        ("only the first direction that flips", """
            def apply_move(board, player, square):
                for dr, dc in othello.DIRECTIONS:
                    run = flips_in_direction(board, player, square, dr, dc)
                    if run:
                        out = board.copy()
                        out[square] = player
                        out[run] = player
                        return out
                raise ValueError("illegal")
        """),
        ("modifies the board in place", """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                if not turned:
                    raise ValueError("illegal")
                board[square] = player
                board[turned] = player
                return board
        """),
        ("flips but forgets the placed disc", """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                if not turned:
                    raise ValueError("illegal")
                out = board.copy()
                out[turned] = player
                return out
        """),
        ("flips direction by direction on the changing board", """
            def apply_move(board, player, square):
                out = board.copy()
                any_flip = False
                for dr, dc in othello.DIRECTIONS:
                    run = flips_in_direction(out, player, square, dr, dc)
                    out[run] = player
                    any_flip |= bool(run)
                    if run:
                        out[square] = player
                if not any_flip:
                    raise ValueError("illegal")
                return out
        """),
        ("illegal moves accepted", """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                out = board.copy()
                out[square] = player
                out[turned] = player
                return out
        """),
        ("int64 board", """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                if not turned:
                    raise ValueError("illegal")
                out = board.astype(np.int64)
                out[square] = player
                out[turned] = player
                return out
        """),
    ],
    "shift_input": [
        ("rolled: the last move wraps to position 0", """
            def shift_input(tokens):
                return torch.roll(tokens.long(), 1, dims=1)
        """),
        ("not shifted", """
            def shift_input(tokens):
                return tokens.long().clone()
        """),
        ("pad at the end", """
            def shift_input(tokens):
                pad = torch.zeros(tokens.shape[0], 1, dtype=torch.long)
                return torch.cat([tokens[:, 1:].long(), pad], dim=1)
        """),
        ("start token 1", """
            def shift_input(tokens):
                pad = torch.ones(tokens.shape[0], 1, dtype=torch.long)
                return torch.cat([pad, tokens[:, :-1].long()], dim=1)
        """),
        ("keeps the input dtype", """
            def shift_input(tokens):
                pad = torch.zeros(tokens.shape[0], 1, dtype=tokens.dtype)
                return torch.cat([pad, tokens[:, :-1]], dim=1)
        """),
    ],
    "top1_legal_rate": [
        ("mean of per-game rates", """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(-1) + 1
                hit = legal.gather(-1, best[..., None])[..., 0].float()
                return float(torch.stack([hit[g][valid[g]].mean() for g in range(len(hit))]).mean())
        """),
        ("argmax includes the pad token", """
            def top1_legal_rate(logits, legal, valid):
                best = logits.argmax(dim=-1)
                return float(legal.gather(-1, best[..., None])[..., 0][valid].float().mean())
        """),
        ("index off by one (no + 1)", """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1)
                return float(legal.gather(-1, best[..., None])[..., 0][valid].float().mean())
        """),
        ("every position, valid ignored", """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1) + 1
                return float(legal.gather(-1, best[..., None])[..., 0].float().mean())
        """),
        ("a tensor, not a float", """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1) + 1
                return legal.gather(-1, best[..., None])[..., 0][valid].float().mean()
        """),
    ],
    "resid_stack": [
        ("resid_pre of every block: the last block's output missing", """
            def resid_stack(model, inputs):
                names = [f"blocks.{i}.hook_resid_pre" for i in range(model.cfg.n_layers)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs, names_filter=lambda n: n in names)
                return torch.stack([cache[n] for n in names])
        """),
        ("no embedding entry", """
            def resid_stack(model, inputs):
                names = [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs, names_filter=lambda n: n in names)
                return torch.stack([cache[n] for n in names])
        """),
        ("hard-coded 4 layers", """
            def resid_stack(model, inputs):
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(4)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs)
                return torch.stack([cache[n] for n in names])
        """),
        ("resid_mid instead of resid_post", """
            def resid_stack(model, inputs):
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_mid" for i in range(model.cfg.n_layers)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs, names_filter=lambda n: n in names)
                return torch.stack([cache[n] for n in names])
        """),
        ("stacked on the batch axis", """
            def resid_stack(model, inputs):
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs, names_filter=lambda n: n in names)
                return torch.stack([cache[n] for n in names], dim=1)
        """),
    ],
    "relative_labels": [
        ("absolute colour: a probe fitted to black / white", """
            def relative_labels(boards, to_move):
                b = boards.astype(np.int64)
                return torch.from_numpy(np.where(b == 0, 0, np.where(b > 0, 1, 2)))
        """),
        ("relative to the player who just moved", """
            def relative_labels(boards, to_move):
                rel = -boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)))
        """),
        ("classes 0 mine, 1 theirs, 2 empty", """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
                return torch.from_numpy(np.where(rel == 0, 2, np.where(rel > 0, 0, 1)))
        """),
        ("raw -1 / 0 / +1 values", """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
                return torch.from_numpy(rel)
        """),
        ("int8 labels", """
            def relative_labels(boards, to_move):
                rel = boards * np.asarray(to_move, dtype=np.int8)[..., None]
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)).astype(np.int8))
        """),
    ],
    "fit_probe": [
        ("no standardisation", """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                x = acts.detach().float()
                W = torch.zeros(x.shape[1], 64, 3, requires_grad=True)
                b = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([W, b], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", x, W) + b
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (W ** 2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return W.detach(), b.detach()
        """),
        ("not folded back: the standardised-space probe", """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V ** 2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V.detach(), c.detach()
        """),
        ("bias not corrected for the mean", """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V ** 2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V.detach() / std[:, None, None], c.detach()
        """),
        ("weight decay ignored", """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1))
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                V, c = V.detach(), c.detach()
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)
        """),
        ("default weight decay 1e-3", """
            _reference_fit = fit_probe
            def fit_probe(acts, labels, weight_decay=1e-3, max_iter=30):
                return _reference_fit(acts, labels, weight_decay, max_iter)
        """),
        ("gradient attached", """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V ** 2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)
        """),
    ],
    "probe_accuracy": [
        ("argmax over squares", """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=1)
                return (pred[:, None] == labels[:, :3]).float().mean(dim=0).repeat(22)[:64]
        """),
        ("bias dropped", """
            def probe_accuracy(acts, W, b, labels):
                pred = torch.einsum("nd,dsc->nsc", acts, W).argmax(dim=-1)
                return (pred == labels).float().mean(dim=0)
        """),
        ("averaged over squares instead of rows", """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=-1)
                return (pred == labels).float().mean(dim=1)
        """),
        ("argmin", """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmin(dim=-1)
                return (pred == labels).float().mean(dim=0)
        """),
    ],
    "probe_directions": [
        ("each class normalised before subtracting", """
            def probe_directions(W):
                m = W[:, :, 1] / W[:, :, 1].norm(dim=0)
                t = W[:, :, 2] / W[:, :, 2].norm(dim=0)
                return (m - t).T
        """),
        ("not normalised", """
            def probe_directions(W):
                return (W[:, :, 1] - W[:, :, 2]).T
        """),
        ("theirs minus mine", """
            def probe_directions(W):
                d = (W[:, :, 2] - W[:, :, 1]).T
                return d / d.norm(dim=-1, keepdim=True)
        """),
        ("mine's weights alone", """
            def probe_directions(W):
                d = W[:, :, 1].T
                return d / d.norm(dim=-1, keepdim=True)
        """),
        ("normalised over squares", """
            def probe_directions(W):
                d = (W[:, :, 1] - W[:, :, 2]).T
                return d / d.norm(dim=0, keepdim=True)
        """),
    ],
    "set_component": [
        ("direction not normalised", """
            def set_component(resid, direction, value):
                coord = (resid * direction).sum(-1, keepdim=True)
                return resid + (value[:, None] - coord) * direction
        """),
        ("value added, old component kept", """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                return resid + value[:, None] * u
        """),
        ("in place", """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                coord = (resid * u).sum(-1, keepdim=True)
                resid += (value[:, None] - coord) * u
                return resid
        """),
        ("coordinate summed over the batch", """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                coord = (resid * u).sum()
                return resid + (value[:, None] - coord) * u
        """),
    ],
    "reflect_along": [
        ("the last position edited, not pos", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                def hook(resid, hook):
                    u = directions / directions.norm(dim=-1, keepdim=True)
                    r = resid[:, -1]
                    resid[:, -1] = r - 2 * (r * u).sum(-1, keepdim=True) * u
                    return resid
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ("hook one block late", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = f"blocks.{min(layer, model.cfg.n_layers - 1)}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos] = set_component(r, directions, -coord)
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ("every position edited", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                def hook(resid, hook):
                    u = directions / directions.norm(dim=-1, keepdim=True)
                    coord = (resid * u[:, None]).sum(-1, keepdim=True)
                    return resid - 2 * coord * u[:, None]
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ("unit direction not used: reflects by the raw dot product", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1, keepdim=True)
                    edited[rows, pos] = r - 2 * coord * directions
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ("projected out instead of reflected", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    edited[rows, pos] = set_component(resid[rows, pos], directions, torch.zeros(len(rows)))
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ("hook left on the model", """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    if resid.shape[0] != len(rows):
                        return resid
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos] = set_component(r, directions, -coord)
                    return edited
                model.add_hook(name, hook)
                with torch.no_grad():
                    return model(inputs)
        """),
    ],
    "legality_change": [
        ("every changed square in both masks", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                changed = legal_moves_mask(rel_board, 1) != legal_moves_mask(flipped, 1)
                return changed, changed
        """),
        ("square emptied instead of flipped", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = 0
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                return after & ~before, before & ~after
        """),
        ("for the opponent", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, -1), legal_moves_mask(flipped, -1)
                return after & ~before, before & ~after
        """),
        ("the two masks swapped", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                return before & ~after, after & ~before
        """),
        ("flips the caller's board in place", """
            def legality_change(rel_board, square):
                before = legal_moves_mask(rel_board, 1)
                rel_board[square] = -rel_board[square]
                after = legal_moves_mask(rel_board, 1)
                return after & ~before, before & ~after
        """),
        ("legal moves after, not the change", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                return after, before
        """),
    ],
}

ALTERNATIVES = {
    "flips_in_direction": """
        def flips_in_direction(board, player, square, dr, dc):
            if board[square]:
                return []
            r, c = divmod(square, 8)
            out = []
            for k in range(1, 8):
                rr, cc = r + k * dr, c + k * dc
                if not (0 <= rr < 8 and 0 <= cc < 8):
                    return []
                v = board[rr * 8 + cc]
                if v == player:
                    return out
                if v == 0:
                    return []
                out.append(rr * 8 + cc)
            return []
    """,
    "legal_moves_mask": """
        def legal_moves_mask(board, player):
            squares = [s for s in range(64) if board[s] == 0
                       and sum(len(flips_in_direction(board, player, s, dr, dc)) for dr in (-1, 0, 1) for dc in (-1, 0, 1)
                               if (dr, dc) != (0, 0)) > 0]
            mask = np.full(64, False)
            mask[squares] = True
            return mask
    """,
    "apply_move": """
        def apply_move(board, player, square):
            out = np.array(board, dtype=np.int8, copy=True)
            flipped = 0
            for dr, dc in othello.DIRECTIONS:
                for s in flips_in_direction(board, player, square, dr, dc):
                    out[s] = player
                    flipped += 1
            if flipped == 0:
                raise ValueError("no disc would be turned over")
            out[square] = player
            return out
    """,
    "shift_input": """
        def shift_input(tokens):
            out = torch.zeros(tokens.shape, dtype=torch.int64)
            out[:, 1:] = tokens[:, :-1]
            return out
    """,
    "top1_legal_rate": """
        def top1_legal_rate(logits, legal, valid):
            masked = logits.clone()
            masked[..., 0] = -float("inf")
            best = masked.argmax(-1)
            hits = legal[torch.arange(legal.shape[0])[:, None], torch.arange(legal.shape[1]), best]
            return (hits & valid).sum().item() / valid.sum().item()
    """,
    "resid_stack": """
        def resid_stack(model, inputs):
            out = []
            hooks = [("blocks.0.hook_resid_pre", lambda x, hook: out.append(x.detach().clone()))]
            hooks += [(f"blocks.{i}.hook_resid_post", lambda x, hook: out.append(x.detach().clone()))
                      for i in range(model.cfg.n_layers)]
            with torch.inference_mode():
                model.run_with_hooks(inputs, fwd_hooks=hooks)
            return torch.stack(out).clone()
    """,
    "relative_labels": """
        def relative_labels(boards, to_move):
            b = torch.from_numpy(np.asarray(boards)).long()
            side = torch.as_tensor(np.asarray(to_move)).long().unsqueeze(-1)
            labels = torch.zeros_like(b)
            labels[b == side] = 1
            labels[(b != 0) & (b != side)] = 2
            return labels
    """,
    "fit_probe": """
        def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
            x = acts.detach().float()
            mu, sigma = x.mean(dim=0), x.std(dim=0)
            xs = (x - mu) / sigma
            n, d = xs.shape
            params = torch.zeros(d + 1, 64 * 3, requires_grad=True)
            xs1 = torch.cat([xs, torch.ones(n, 1)], dim=1)
            opt = torch.optim.LBFGS([params], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
            def closure():
                opt.zero_grad()
                logits = (xs1 @ params).reshape(n * 64, 3)
                loss = F.cross_entropy(logits, labels.reshape(-1)) + weight_decay * params[:-1].pow(2).sum()
                loss.backward()
                return loss
            with torch.enable_grad():
                opt.step(closure)
            V = params.detach()[:-1].reshape(d, 64, 3)
            c = params.detach()[-1].reshape(64, 3)
            W = V / sigma[:, None, None]
            b = c - (mu[:, None, None] * W).sum(0)
            return W, b
    """,
    "probe_accuracy": """
        def probe_accuracy(acts, W, b, labels):
            logits = (acts @ W.reshape(W.shape[0], -1)).reshape(len(acts), 64, 3) + b
            return torch.stack([(logits[:, s].argmax(-1) == labels[:, s]).float().mean() for s in range(64)])
    """,
    "probe_directions": """
        def probe_directions(W):
            return F.normalize((W[..., 1] - W[..., 2]).transpose(0, 1), dim=1)
    """,
    "set_component": """
        def set_component(resid, direction, value):
            u = F.normalize(direction, dim=-1)
            orth = resid - torch.einsum("nd,nd->n", resid, u)[:, None] * u
            return orth + value[:, None] * u
    """,
    "reflect_along": """
        def reflect_along(model, inputs, layer, pos, directions):
            name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
            def hook(resid, hook):
                out = resid.clone()
                for i in range(resid.shape[0]):
                    p = int(pos[i])
                    u = directions[i] / directions[i].norm()
                    out[i, p] = resid[i, p] - 2 * (resid[i, p] @ u) * u
                return out
            model.add_hook(name, hook)
            try:
                with torch.no_grad():
                    return model(inputs)
            finally:
                model.reset_hooks()
    """,
    "legality_change": """
        def legality_change(rel_board, square):
            flipped = np.copy(rel_board)
            flipped[square] *= -1
            before = legal_moves_mask(rel_board, 1)
            after = legal_moves_mask(flipped, 1)
            return np.logical_and(after, np.logical_not(before)), np.logical_and(before, np.logical_not(after))
    """,
}

EXTRA_ALTERNATIVES = {
    "legal_moves_mask": """
        def legal_moves_mask(board, player):
            return np.array([bool(othello.flips(board, player, s)) for s in range(64)])
    """,
    "shift_input": """
        def shift_input(tokens):
            out = torch.roll(tokens.long(), 1, dims=1)
            out[:, 0] = othello.PAD
            return out
    """,
    "top1_legal_rate": """
        def top1_legal_rate(logits, legal, valid):
            best = logits[..., 1:].argmax(-1)
            hit = legal[..., 1:].gather(-1, best.unsqueeze(-1)).squeeze(-1)
            return float(hit[valid].sum() / valid.sum())
    """,
    "resid_stack": """
        def resid_stack(model, inputs):
            _, cache = model.run_with_cache(inputs)
            return cache.accumulated_resid(incl_mid=False).detach()
    """,
    "reflect_along": """
        def reflect_along(model, inputs, layer, pos, directions):
            hook_name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
            def hook(resid, hook):
                for i in range(resid.shape[0]):
                    u = directions[i] / directions[i].norm()
                    resid[i, pos[i]] -= 2 * (resid[i, pos[i]] @ u) * u
                return resid
            with torch.inference_mode():
                return model.run_with_hooks(inputs, fwd_hooks=[(hook_name, hook)])
    """,
    "fit_probe": """
        def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
            mu, sd = acts.mean(0), acts.std(0, unbiased=False)
            z = (acts - mu) / sd
            V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
            c = torch.zeros(64, 3, requires_grad=True)
            opt = torch.optim.LBFGS([V, c], max_iter=max_iter, line_search_fn="strong_wolfe")
            def closure():
                opt.zero_grad()
                out = torch.einsum("nd,dsc->nsc", z, V) + c
                loss = F.cross_entropy(out.permute(0, 2, 1), labels) + weight_decay * V.pow(2).sum()
                loss.backward()
                return loss
            opt.step(closure)
            W = (V / sd[:, None, None]).detach()
            return W, (c - torch.einsum("d,dsc->sc", mu, W)).detach()
    """,
}

ALL_ALTERNATIVES = {
    name: [("written differently", source)] + ([("another style", EXTRA_ALTERNATIVES[name])] if name in EXTRA_ALTERNATIVES else [])
    for name, source in ALTERNATIVES.items()
}


# Written by an independent reviewer from the page alone (session 4).
REVIEW_MUTANTS: dict[str, list[tuple[str, str]]] = {
    "probe_accuracy": [
        ('review: float64', """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=-1)
                return (pred == labels).double().mean(dim=0)
        """),
        ('review: one accuracy for all squares', """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=-1)
                return (pred == labels).float().mean().expand(64)
        """),
        ('review: bias dropped', """
            def probe_accuracy(acts, W, b, labels):
                pred = torch.einsum("nd,dsc->nsc", acts, W).argmax(dim=-1)
                return (pred == labels).float().mean(dim=0)
        """),
        ('review: argmax over squares', """
            def probe_accuracy(acts, W, b, labels):
                pred = (torch.einsum("nd,dsc->nsc", acts, W) + b).argmax(dim=1)
                return (pred == labels[:, :3]).float().mean(dim=0).repeat(22)[:64]
        """),
    ],
    "apply_move": [
        ('review: only the first direction that flips', """
            def apply_move(board, player, square):
                for dr, dc in othello.DIRECTIONS:
                    turned = flips_in_direction(board, player, square, dr, dc)
                    if turned:
                        out = board.copy()
                        out[square] = player
                        out[turned] = player
                        return out
                raise ValueError("illegal")
        """),
        ('review: writes into the board it was given', """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                if not turned:
                    raise ValueError("illegal")
                board[square] = player
                board[turned] = player
                return board
        """),
        ('review: returns int64', """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                if not turned:
                    raise ValueError("illegal")
                out = board.astype(np.int64)
                out[square] = player
                out[turned] = player
                return out
        """),
        ('review: illegal moves played silently', """
            def apply_move(board, player, square):
                turned = [s for dr, dc in othello.DIRECTIONS for s in flips_in_direction(board, player, square, dr, dc)]
                out = board.copy()
                out[square] = player
                out[turned] = player
                return out
        """),
    ],
    "probe_directions": [
        ('review: mine minus empty', """
            def probe_directions(W):
                diff = (W[:, :, 1] - W[:, :, 0]).T
                return diff / diff.norm(dim=-1, keepdim=True)
        """),
        ('review: normalised over squares', """
            def probe_directions(W):
                diff = (W[:, :, 1] - W[:, :, 2]).T
                return diff / diff.norm(dim=0, keepdim=True)
        """),
        ('review: reshape instead of transpose', """
            def probe_directions(W):
                diff = (W[:, :, 1] - W[:, :, 2]).reshape(64, -1)
                return diff / diff.norm(dim=-1, keepdim=True)
        """),
        ('review: theirs minus mine', """
            def probe_directions(W):
                diff = (W[:, :, 2] - W[:, :, 1]).T
                return diff / diff.norm(dim=-1, keepdim=True)
        """),
        ('review: not normalised', """
            def probe_directions(W):
                return (W[:, :, 1] - W[:, :, 2]).T
        """),
    ],
    "fit_probe": [
        ('review: bias folded with mean instead of mean / std', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                V, c = V.detach(), c.detach()
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean, V)
        """),
        ('review: W and b still attached to the graph', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)
        """),
        ('review: standardised probe returned, not folded back', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V.detach(), c.detach()
        """),
        ('review: no standardisation', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", acts, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + weight_decay * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                return V.detach(), c.detach()
        """),
        ('review: cross-entropy summed over squares', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1), reduction="sum") / len(xs) + weight_decay * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                V, c = V.detach(), c.detach()
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)
        """),
        ('review: weight_decay argument ignored', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                acts = acts.detach().float()
                mean, std = acts.mean(0), acts.std(0)
                xs = (acts - mean) / std
                V = torch.zeros(acts.shape[1], 64, 3, requires_grad=True)
                c = torch.zeros(64, 3, requires_grad=True)
                opt = torch.optim.LBFGS([V, c], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")
                def closure():
                    opt.zero_grad()
                    logits = torch.einsum("nd,dsc->nsc", xs, V) + c
                    loss = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)) + 1e-5 * (V**2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                V, c = V.detach(), c.detach()
                return V / std[:, None, None], c - torch.einsum("d,dsc->sc", mean / std, V)
        """),
    ],
    "flips_in_direction": [
        ('review: run closed by anything but the opponent (an empty square counts)', """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run = []
                r, c = row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] != -player:
                    return run
                return []
        """),
        ('review: occupied played square not refused', """
            def flips_in_direction(board, player, square, dr, dc):
                row, col = divmod(square, 8)
                run = []
                r, c = row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.append(r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
                    return run
                return []
        """),
        ('review: run listed far-first', """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                row, col = divmod(square, 8)
                run = []
                r, c = row + dr, col + dc
                while 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == -player:
                    run.insert(0, r * 8 + c)
                    r, c = r + dr, c + dc
                if run and 0 <= r < 8 and 0 <= c < 8 and board[r * 8 + c] == player:
                    return run
                return []
        """),
        ('review: walks the flat index (step dr*8+dc), wraps round the edge', """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square] != 0:
                    return []
                step = dr * 8 + dc
                run = []
                s = square + step
                while 0 <= s < 64 and board[s] == -player:
                    run.append(s)
                    s += step
                if run and 0 <= s < 64 and board[s] == player:
                    return run
                return []
        """),
    ],
    "legality_change": [
        ('review: the square emptied instead of turned', """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = 0
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                return after & ~before, before & ~after
        """),
        ("review: flips the caller's board", """
            def legality_change(rel_board, square):
                before = legal_moves_mask(rel_board, 1)
                rel_board[square] = -rel_board[square]
                after = legal_moves_mask(rel_board, 1)
                return after & ~before, before & ~after
        """),
        ("review: the opponent's (-1) legal moves", """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, -1), legal_moves_mask(flipped, -1)
                return after & ~before, before & ~after
        """),
        ('review: the two masks swapped', """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                return before & ~after, after & ~before
        """),
        ('review: both masks the symmetric difference', """
            def legality_change(rel_board, square):
                flipped = rel_board.copy()
                flipped[square] = -flipped[square]
                before, after = legal_moves_mask(rel_board, 1), legal_moves_mask(flipped, 1)
                ch = after ^ before
                return ch, ch
        """),
    ],
    "legal_moves_mask": [
        ('review: only the four orthogonal directions', """
            def legal_moves_mask(board, player):
                mask = np.zeros(64, dtype=bool)
                for s in range(64):
                    mask[s] = any(flips_in_direction(board, player, s, dr, dc) for dr, dc in [(0,1),(0,-1),(1,0),(-1,0)])
                return mask
        """),
        ('review: a Python list instead of a numpy bool array', """
            def legal_moves_mask(board, player):
                return [any(flips_in_direction(board, player, s, dr, dc) for dr, dc in othello.DIRECTIONS) for s in range(64)]
        """),
        ("review: the opponent's legal moves", """
            def legal_moves_mask(board, player):
                mask = np.zeros(64, dtype=bool)
                for s in range(64):
                    mask[s] = any(flips_in_direction(board, -player, s, dr, dc) for dr, dc in othello.DIRECTIONS)
                return mask
        """),
    ],
    "reflect_along": [
        ('review: every position reflected', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                def hook(resid, hook):
                    u = (directions / directions.norm(dim=-1, keepdim=True))[:, None, :]
                    coord = (resid * u).sum(-1, keepdim=True)
                    return resid - 2 * coord * u
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ('review: forward pass with gradients', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos] = set_component(r, directions, -coord)
                    return edited
                return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ('review: hook left on the model', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos] = set_component(r, directions, -coord)
                    return edited
                model.add_hook(name, hook)
                with torch.no_grad():
                    return model(inputs)
        """),
        ('review: hook one block late', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = f"blocks.{layer}.hook_resid_pre" if layer < model.cfg.n_layers else f"blocks.{layer-1}.hook_resid_post"
                name = f"blocks.{min(layer, model.cfg.n_layers - 1)}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos] = set_component(r, directions, -coord)
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ('review: pos[0] used for every sequence', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos[0]]
                    coord = (r * directions).sum(-1) / directions.norm(dim=-1)
                    edited[rows, pos[0]] = set_component(r, directions, -coord)
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ('review: unnormalised direction', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    coord = (r * directions).sum(-1, keepdim=True)
                    edited[rows, pos] = r - 2 * coord * directions
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
        ('review: component zeroed, not reflected', """
            def reflect_along(model, inputs, layer, pos, directions):
                name = "blocks.0.hook_resid_pre" if layer == 0 else f"blocks.{layer - 1}.hook_resid_post"
                rows = torch.arange(inputs.shape[0])
                def hook(resid, hook):
                    edited = resid.clone()
                    r = resid[rows, pos]
                    edited[rows, pos] = set_component(r, directions, torch.zeros(len(rows)))
                    return edited
                with torch.no_grad():
                    return model.run_with_hooks(inputs, fwd_hooks=[(name, hook)])
        """),
    ],
    "relative_labels": [
        ('review: to_move flattened, breaks [g, p, 64] batches', """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64).reshape(-1, 1)
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)))
        """),
        ('review: colour labels, to_move ignored', """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64)
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)))
        """),
        ('review: int32 labels', """
            def relative_labels(boards, to_move):
                rel = boards * to_move[..., None]
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, 2)).astype(np.int32))
        """),
        ('review: theirs labelled -1', """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
                return torch.from_numpy(np.where(rel > 0, 1, np.where(rel < 0, 2, 0))) if False else torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 1, -1)))
        """),
        ('review: mine and theirs swapped', """
            def relative_labels(boards, to_move):
                rel = boards.astype(np.int64) * np.asarray(to_move, dtype=np.int64)[..., None]
                return torch.from_numpy(np.where(rel == 0, 0, np.where(rel > 0, 2, 1)))
        """),
    ],
    "resid_stack": [
        ('review: last entry after ln_final', """
            def resid_stack(model, inputs):
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs)
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers - 1)]
                return torch.stack([cache[n] for n in names] + [cache["ln_final.hook_normalized"]])
        """),
        ('review: embedding missing', """
            def resid_stack(model, inputs):
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs)
                return torch.stack([cache[f"blocks.{i}.hook_resid_post"] for i in range(model.cfg.n_layers)])
        """),
        ("review: resid_pre of every block (last block's output missing)", """
            def resid_stack(model, inputs):
                names = [f"blocks.{i}.hook_resid_pre" for i in range(model.cfg.n_layers)] + [f"blocks.{model.cfg.n_layers-1}.hook_resid_post"]
                names = [f"blocks.{i}.hook_resid_pre" for i in range(model.cfg.n_layers)]
                with torch.no_grad():
                    _, cache = model.run_with_cache(inputs)
                return torch.stack([cache[n] for n in names])
        """),
    ],
    "set_component": [
        ('review: value added, not replaced', """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                return resid + value[:, None] * u
        """),
        ('review: value broadcast along d_model', """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                coord = (resid * u).sum(dim=-1)
                return resid + (value - coord) * u
        """),
        ('review: coordinate divided by the squared norm', """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                coord = (resid * direction).sum(dim=-1, keepdim=True) / direction.norm(dim=-1, keepdim=True) ** 2
                return resid + (value[:, None] - coord) * u
        """),
        ('review: edits resid in place', """
            def set_component(resid, direction, value):
                u = direction / direction.norm(dim=-1, keepdim=True)
                coord = (resid * u).sum(dim=-1, keepdim=True)
                resid += (value[:, None] - coord) * u
                return resid
        """),
        ('review: direction not normalised', """
            def set_component(resid, direction, value):
                coord = (resid * direction).sum(dim=-1, keepdim=True)
                return resid + (value[:, None] - coord) * direction
        """),
    ],
    "shift_input": [
        ('review: batch of 1 collapsed to 1-D', """
            def shift_input(tokens):
                return torch.cat([torch.tensor([[othello.PAD]]).expand(len(tokens), 1), tokens[:, :-1].long()], 1) if len(tokens) > 1 else torch.cat([torch.tensor([othello.PAD]), tokens[0, :-1].long()])
        """),
        ('review: keeps the input dtype (int32 stays int32)', """
            def shift_input(tokens):
                pad = torch.full((tokens.shape[0], 1), othello.PAD, dtype=tokens.dtype)
                return torch.cat([pad, tokens[:, :-1]], dim=1)
        """),
        ("review: shifts the caller's tokens in place", """
            def shift_input(tokens):
                tokens[:, 1:] = tokens[:, :-1].clone()
                tokens[:, 0] = othello.PAD
                return tokens.long()
        """),
        ('review: no shift at all', """
            def shift_input(tokens):
                return tokens.long().clone()
        """),
        ('review: torch.roll, the last move wraps to position 0', """
            def shift_input(tokens):
                return torch.roll(tokens.long(), 1, dims=1)
        """),
    ],
    "top1_legal_rate": [
        ('review: divides by every position, pads included', """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1) + 1
                hit = legal.gather(-1, best[..., None])[..., 0]
                return float((hit & valid).float().sum() / hit.numel())
        """),
        ('review: divides by games with any valid position times positions', """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1) + 1
                hit = legal.gather(-1, best[..., None])[..., 0]
                return float(hit.float().mean(-1)[valid.any(-1)].mean()) if False else float(hit[:, :][valid].float().sum() / valid.any(-1).sum() / valid.shape[1])
        """),
        ('review: argmax over logits[..., 1:] without + 1', """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1)
                hit = legal.gather(-1, best[..., None])[..., 0]
                return float(hit[valid].float().mean())
        """),
        ('review: argmax over all 61 tokens (pad included)', """
            def top1_legal_rate(logits, legal, valid):
                best = logits.argmax(dim=-1)
                hit = legal.gather(-1, best[..., None])[..., 0]
                return float(hit[valid].float().mean())
        """),
        ('review: returns a 0-d tensor', """
            def top1_legal_rate(logits, legal, valid):
                best = logits[..., 1:].argmax(dim=-1) + 1
                hit = legal.gather(-1, best[..., None])[..., 0]
                return hit[valid].float().mean()
        """),
    ],
}
REVIEW_ALTERNATIVES: dict[str, list[tuple[str, str]]] = {
    "apply_move": [
        ('review: flips written direction by direction (rays are disjoint)', """
            def apply_move(board, player, square):
                out = board.copy()
                if out[square] != 0:
                    raise ValueError("occupied")
                out[square] = player
                n = 0
                saved = out[square]
                for dr, dc in othello.DIRECTIONS:
                    out[square] = 0
                    f = flips_in_direction(out, player, square, dr, dc)
                    out[square] = saved
                    out[f] = player
                    n += len(f)
                if not n:
                    raise ValueError("illegal")
                return out
        """),
        ('review: apply in another style', """
            def apply_move(board, player, square):
                new = np.array(board, dtype=np.int8, copy=True)
                any_flip = False
                for dr, dc in othello.DIRECTIONS:
                    f = flips_in_direction(board, player, square, dr, dc)
                    if f:
                        any_flip = True
                        new[f] = player
                if not any_flip:
                    raise ValueError("illegal")
                new[square] = player
                return new
        """),
    ],
    "resid_stack": [
        ('review: run_with_cache without no_grad (the cache is detached anyway)', """
            def resid_stack(model, inputs):
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
                _, cache = model.run_with_cache(inputs, names_filter=lambda name: name in names)
                return torch.stack([cache[name] for name in names])
        """),
        ('review: resid in another style', """
            def resid_stack(model, inputs):
                store = {}
                def save(t, hook):
                    store[hook.name] = t.detach().clone()
                names = ["blocks.0.hook_resid_pre"] + [f"blocks.{i}.hook_resid_post" for i in range(model.cfg.n_layers)]
                with torch.inference_mode():
                    model.run_with_hooks(inputs, fwd_hooks=[(n, save) for n in names])
                return torch.stack([store[n] for n in names]).clone()
        """),
    ],
    "probe_accuracy": [
        ('review: acc in another style', """
            def probe_accuracy(acts, W, b, labels):
                logits = acts @ W.reshape(W.shape[0], -1)
                logits = logits.reshape(len(acts), 64, 3) + b
                pred = torch.max(logits, dim=2).indices
                return torch.eq(pred, labels).to(torch.float32).sum(0) / len(acts)
        """),
    ],
    "probe_directions": [
        ('review: dirs in another style', """
            def probe_directions(W):
                d = torch.stack([W[:, s, 1] - W[:, s, 2] for s in range(W.shape[1])])
                return F.normalize(d, dim=1)
        """),
    ],
    "fit_probe": [
        ('review: fit in another style', """
            def fit_probe(acts, labels, weight_decay=1e-5, max_iter=30):
                x = acts.detach().to(torch.float32)
                mu = x.mean(dim=0)
                sd = x.std(dim=0)
                z = (x - mu) / sd
                d = x.shape[-1]
                Vf = torch.zeros(d * 64 * 3, requires_grad=True)
                cf = torch.zeros(64 * 3, requires_grad=True)
                opt = torch.optim.LBFGS([Vf, cf], lr=1.0, max_iter=max_iter, line_search_fn="strong_wolfe")
                y = labels.reshape(-1)
                def closure():
                    opt.zero_grad()
                    V = Vf.view(d, 64 * 3)
                    logits = (z @ V + cf).view(-1, 3)
                    loss = F.cross_entropy(logits, y) + weight_decay * Vf.pow(2).sum()
                    loss.backward()
                    return loss
                with torch.enable_grad():
                    opt.step(closure)
                V = Vf.detach().view(d, 64, 3)
                c = cf.detach().view(64, 3)
                W = V / sd.view(d, 1, 1)
                b = c - (W * mu.view(d, 1, 1)).sum(0)
                return W, b
        """),
    ],
    "flips_in_direction": [
        ('review: flips in another style', """
            def flips_in_direction(board, player, square, dr, dc):
                if board[square]:
                    return []
                r, c = square // 8, square % 8
                out = []
                for k in range(1, 8):
                    rr, cc = r + k * dr, c + k * dc
                    if not (rr in range(8) and cc in range(8)):
                        return []
                    v = int(board[rr * 8 + cc])
                    if v == -player:
                        out.append(int(rr * 8 + cc))
                    elif v == player:
                        return out
                    else:
                        return []
                return []
        """),
    ],
    "legal_moves_mask": [
        ('review: legal in another style', """
            def legal_moves_mask(board, player):
                empties = np.flatnonzero(board == 0)
                mask = np.zeros(64, bool)
                for s in empties:
                    for d in othello.DIRECTIONS:
                        if len(flips_in_direction(board, player, int(s), *d)) > 0:
                            mask[s] = True
                            break
                return mask
        """),
    ],
    "legality_change": [
        ('review: legchange in another style', """
            def legality_change(rel_board, square):
                new = np.array(rel_board)
                new[square] *= -1
                a = legal_moves_mask(rel_board, 1)
                b = legal_moves_mask(new, 1)
                return np.logical_and(b, np.logical_not(a)), np.logical_and(a, np.logical_not(b))
        """),
    ],
    "reflect_along": [
        ('review: reflect in another style', """
            def reflect_along(model, inputs, layer, pos, directions):
                from transformer_lens import utils
                name = utils.get_act_name("resid_pre", 0) if layer == 0 else utils.get_act_name("resid_post", layer - 1)
                u = directions / directions.norm(dim=-1, keepdim=True)
                def hook(resid, hook):
                    resid = resid.clone()
                    for i in range(resid.shape[0]):
                        x = resid[i, pos[i]]
                        resid[i, pos[i]] = x - 2 * (x @ u[i]) * u[i]
                    return resid
                with torch.inference_mode():
                    model.add_hook(name, hook)
                    try:
                        return model(inputs)
                    finally:
                        model.reset_hooks()
        """),
    ],
    "relative_labels": [
        ('review: rel in another style', """
            def relative_labels(boards, to_move):
                b = torch.as_tensor(np.asarray(boards), dtype=torch.int64)
                t = torch.as_tensor(np.asarray(to_move), dtype=torch.int64).unsqueeze(-1)
                out = torch.zeros_like(b)
                out[b == t] = 1
                out[(b != 0) & (b != t)] = 2
                return out
        """),
    ],
    "set_component": [
        ('review: setc in another style', """
            def set_component(resid, direction, value):
                out = torch.empty_like(resid)
                for i in range(resid.shape[0]):
                    u = direction[i] / torch.linalg.vector_norm(direction[i])
                    out[i] = resid[i] - torch.dot(resid[i], u) * u + value[i] * u
                return out
        """),
    ],
    "shift_input": [
        ('review: shift in another style', """
            def shift_input(tokens):
                out = torch.zeros(tokens.shape, dtype=torch.int64)
                out[:, 1:] = tokens[:, :-1]
                out[:, 0] = othello.PAD
                return out
        """),
    ],
    "top1_legal_rate": [
        ('review: top1 in another style', """
            def top1_legal_rate(logits, legal, valid):
                l = logits.clone()
                l[..., 0] = -float("inf")
                best = l.argmax(-1)
                hits = 0
                n = 0
                for g in range(l.shape[0]):
                    for p in range(l.shape[1]):
                        if valid[g, p]:
                            n += 1
                            hits += bool(legal[g, p, best[g, p]])
                return hits / n
        """),
    ],
}
for _name, _items in REVIEW_MUTANTS.items():
    MUTANTS[_name] = MUTANTS[_name] + _items
for _name, _items in REVIEW_ALTERNATIVES.items():
    ALL_ALTERNATIVES[_name] = ALL_ALTERNATIVES[_name] + _items

globals().update(make_tests(SECTION, MUTANTS, alternatives=ALL_ALTERNATIVES))
