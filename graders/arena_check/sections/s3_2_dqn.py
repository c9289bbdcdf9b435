"""Checks for section 3.2 — deep Q-learning.

Every check compares deterministic pieces against the reference on seeded inputs, never a long
training run. Each aims at a class of DQN bug:

* ``ReplayBuffer``: a ring buffer filled past its capacity, so a write to the wrong slot, a
  position that does not wrap, a size that overshoots, sampling from the capacity instead of the
  filled part, or sampling with the global RNG (not the given generator) all show, exactly;
* ``linear_schedule`` / ``epsilon_greedy``: the first and last steps of the schedule and the
  steps after it (off by one, wrong end value); a long sequence of ε-greedy actions drawn from a
  seeded generator, compared action by action;
* ``q_taken`` / ``td_target`` / ``double_dqn_target``: square batches (batch = number of actions,
  where gathering or maximising over the wrong axis keeps the shape), rows that terminate, targets
  that must not carry gradients, and two networks that disagree about the best next action (so
  selecting and evaluating with the same one shows);
* ``huber_loss`` / ``dqn_loss``: errors on both sides of δ, values and gradients; the loss's
  gradient reaches the online network only; and four probe environments with known Q-values
  (constant reward, observation-dependent reward, discounting, two-action credit assignment) on
  which the learner's loss must train a small network to the right values;
* ``hard_update`` / ``polyak_update``: copies that share no storage, τ applied the right way round;
* ``step_and_store``: a probe environment whose episodes terminate and truncate at known steps,
  so storing the reset observation, storing `truncated` as a termination, or not resetting on
  truncation all change the buffer.

Inputs are built inside the checks, never at import time.
"""

from __future__ import annotations

import copy
import math

import gymnasium as gym
import numpy as np
import torch
from torch import nn

from arena_check.reference import s3_2_dqn as ref
from arena_check.registry import check
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    compare_to_reference,
    expect_equal,
    expect_tensor,
    randn,
    require,
    seeded,
)

SECTION = "3.2"


def _net(obs_dim: int, n_actions: int, seed: int, hidden: int = 8) -> nn.Module:
    """A reference QNetwork with seeded weights, scaled up so that Q-values differ clearly."""
    torch.manual_seed(seed)
    net = ref.QNetwork(obs_dim, n_actions, hidden=hidden)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(2.0)
    return net


# ------------------------------------------------------------------------------------------
# Part 1 · replay buffer and exploration
# ------------------------------------------------------------------------------------------
_STORAGE = ("obs", "actions", "rewards", "next_obs", "terminated")


def _transition(k: int, obs_dim: int) -> tuple:
    obs = np.arange(obs_dim, dtype=np.float32) + 10.0 * k
    return obs, k % 3, 0.5 * k - 1.0, obs + 0.25, k % 4 == 3


def _expect_buffer(got: object, want: object, context: str) -> None:
    for attr in ("pos", "size"):
        if not hasattr(got, attr):
            raise CheckFailed(f"For {context}: your buffer has no attribute `{attr}`; keep the names of the docstring.")
        expect_equal(getattr(got, attr), getattr(want, attr), context=f"{context}, `{attr}`",
                     hint="pos is the slot the NEXT add writes, wrapping to 0 after the last slot; "
                          "size counts stored transitions and stops at capacity.")
    for name in _STORAGE:
        if not hasattr(got, name):
            raise CheckFailed(f"For {context}: your buffer has no storage tensor `{name}`.")
        expect_tensor(getattr(got, name), getattr(want, name), context=f"{context}, storage `{name}`", exact=True,
                      hint="add writes slot pos, then advances it; once full, the oldest transition "
                           "(the slot pos has wrapped round to) is overwritten.")


@check(SECTION, "ReplayBuffer", points=2)
def check_replay_buffer(ReplayBuffer) -> None:
    """Empty storage; adds past the capacity compared slot by slot; sampling from a partly filled
    and a full buffer with seeded generators, call after call; copies, not views."""
    obs_dim, cap = 3, 4
    mine = call(ReplayBuffer, cap, obs_dim, name="ReplayBuffer", context=f"ReplayBuffer({cap}, {obs_dim})")
    want = ref.ReplayBuffer(cap, obs_dim)
    _expect_buffer(mine, want, f"a new ReplayBuffer({cap}, {obs_dim})")
    for k in range(7):
        mine.add(*_transition(k, obs_dim))
        want.add(*_transition(k, obs_dim))
        _expect_buffer(mine, want, f"ReplayBuffer({cap}, {obs_dim}) after {k + 1} adds")

    partial_mine, partial_ref = ReplayBuffer(10, 2), ref.ReplayBuffer(10, 2)
    for k in range(3):
        partial_mine.add(*_transition(k, 2))
        partial_ref.add(*_transition(k, 2))
    for context, b_mine, b_ref, batch, seed in (
        ("sampling 16 from a buffer of capacity 10 holding 3 transitions, generator seed 0", partial_mine, partial_ref, 16, 0),
        ("sampling 5 from a full buffer of capacity 4 (after 7 adds), generator seed 1", mine, want, 5, 1),
    ):
        gen_mine, gen_ref = seeded(seed), seeded(seed)
        for rep in (1, 2):
            ctx = f"{context}, call {rep} on the same generator"
            got = b_mine.sample(batch, gen_mine)
            exp = b_ref.sample(batch, gen_ref)
            for name in ref.ReplayBatch._fields:
                if not hasattr(got, name):
                    raise CheckFailed(f"For {ctx}: the batch has no field `{name}`; return a ReplayBatch.")
                expect_tensor(getattr(got, name), getattr(exp, name), context=f"{ctx}, field `{name}`", exact=True,
                              hint="draw idx = torch.randint(0, self.size, (batch_size,), generator=generator) — "
                                   "the filled part only, the generator you are given — and index every field with it.")
    batch = mine.sample(3, seeded(2))
    before = mine.obs.clone()
    batch.obs.add_(1000.0)
    if not torch.equal(mine.obs, before):
        raise CheckFailed("Changing a sampled batch changed the buffer's storage: return copies (index with the "
                          "idx tensor), not views of the storage.")


@check(SECTION, "linear_schedule")
def check_linear_schedule(linear_schedule) -> None:
    cases = [
        (0, 1.0, 0.05, 100), (1, 1.0, 0.05, 100), (50, 1.0, 0.05, 100), (99, 1.0, 0.05, 100),
        (100, 1.0, 0.05, 100), (101, 1.0, 0.05, 100), (5000, 1.0, 0.05, 100),
        (3, 0.1, 0.9, 10), (10, 0.1, 0.9, 10), (0, 0.5, 0.5, 7), (1, 1.0, 0.0, 1), (2, 1.0, 0.0, 1),
    ]
    for step, start, end, duration in cases:
        context = f"step {step}, start {start}, end {end}, duration {duration}"
        got = call(linear_schedule, step, start, end, duration, name="linear_schedule", context=context)
        want = ref.linear_schedule(step, start, end, duration)
        ok = isinstance(got, int | float) and not isinstance(got, bool) and math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)
        if not ok:
            expect_equal(got, want, context=context,
                         hint="start + (end − start) · min(step / duration, 1): start at step 0, exactly end at "
                              "step = duration and after; a Python float.")


@check(SECTION, "epsilon_greedy")
def check_epsilon_greedy(epsilon_greedy) -> None:
    """Action sequences from seeded generators over several ε; greedy ties; ε = 1 is uniform."""
    epsilons = [0.0, 1.0, 0.5, 0.1, 0.9, 0.3, 0.0, 1.0] * 6
    for seed, n_actions in ((0, 3), (1, 4), (2, 2)):
        gen_mine, gen_ref = seeded(seed), seeded(seed)
        got_seq, want_seq = [], []
        for k, eps in enumerate(epsilons):
            q = randn(n_actions, seed=100 * seed + k)
            got = call(epsilon_greedy, q, eps, gen_mine, name="epsilon_greedy",
                       context=f"call {k + 1} of a sequence, {n_actions} actions, ε {eps}, generator seed {seed}")
            if not isinstance(got, int) or isinstance(got, bool):
                raise CheckFailed(f"`epsilon_greedy` should return a Python int, got {type(got).__name__} "
                                  "(use int(...)).")
            got_seq.append(got)
            want_seq.append(ref.epsilon_greedy(q, eps, gen_ref))
        if got_seq != want_seq:
            first = next(i for i, (a, b) in enumerate(zip(got_seq, want_seq, strict=True)) if a != b)
            raise CheckFailed(
                f"For a sequence of {len(epsilons)} calls with {n_actions} actions and a generator seeded {seed}: "
                f"call {first + 1} (ε {epsilons[first]}) returned action {got_seq[first]}, expected {want_seq[first]}. "
                "Hint: on every call draw u = torch.rand((), generator=generator) first; if u < ε draw "
                "torch.randint(n_actions, (), generator=generator) (any action, the greedy one included); "
                "otherwise the argmax. Use only the generator you are given."
            )
    got = call(epsilon_greedy, torch.tensor([1.0, 3.0, 3.0]), 0.0, seeded(0), name="epsilon_greedy",
               context="Q-values [1, 3, 3] with ε 0 (a tie)")
    expect_equal(got, 1, context="Q-values [1, 3, 3] with ε 0 (a tie)",
                 hint="with ε = 0 return the argmax, the lowest index on ties (torch.argmax).")


# ------------------------------------------------------------------------------------------
# Part 2 · the network and the targets
# ------------------------------------------------------------------------------------------
@check(SECTION, "QNetwork")
def check_qnetwork(QNetwork) -> None:
    """Layout of `net`, default width, state-dict keys, outputs with the reference's weights, init."""
    torch.manual_seed(0)
    default = call(QNetwork, 4, 2, name="QNetwork", context="QNetwork(4, 2)")
    seq = getattr(default, "net", None)
    if not isinstance(seq, nn.Sequential):
        raise CheckFailed(f"`QNetwork` should keep its layers in `self.net`, an nn.Sequential; got {type(seq).__name__}.")
    kinds = [type(m).__name__ for m in seq]
    if kinds != ["Linear", "ReLU", "Linear", "ReLU", "Linear"]:
        raise CheckFailed(f"`QNetwork.net` should be Linear, ReLU, Linear, ReLU, Linear; got {', '.join(kinds)}.")
    shapes = [tuple(seq[i].weight.shape) for i in (0, 2, 4)]
    if shapes != [(64, 4), (64, 64), (2, 64)]:
        raise CheckFailed(f"For QNetwork(4, 2) (default hidden 64): the Linear weights should have shapes "
                          f"(64, 4), (64, 64), (2, 64); got {shapes}.")
    for i in (0, 2, 4):
        w, bound = seq[i].weight.detach(), 1 / math.sqrt(seq[i].weight.shape[1])
        if float(w.abs().max()) > bound + 1e-6 or float(w.std()) < bound / 4:
            raise CheckFailed(f"QNetwork(4, 2).net[{i}] does not have PyTorch's default initialisation "
                              f"(uniform within ±{bound:.3g}); leave nn.Linear's own initialisation alone.")

    mine = call(QNetwork, 3, 5, hidden=8, name="QNetwork", context="QNetwork(3, 5, hidden=8)")
    theirs = _net(3, 5, seed=1)
    if set(mine.state_dict()) != set(theirs.state_dict()):
        raise CheckFailed(f"QNetwork(3, 5, hidden=8)'s state dict keys should be {sorted(theirs.state_dict())}; "
                          f"got {sorted(mine.state_dict())}. The shipped weights load by these names.")
    try:
        mine.load_state_dict(theirs.state_dict())
    except Exception as e:  # noqa: BLE001 — shapes that do not match: say so in words
        raise CheckFailed(f"The reference weights of QNetwork(3, 5, hidden=8) do not load into yours: {e}") from None
    for context, obs in (("6 observations of size 3", randn(6, 3, seed=2)), ("a batch of 1", randn(1, 3, seed=3))):
        got = call(mine, obs, name="QNetwork.forward", context=context)
        expect_tensor(got, theirs(obs), context=f"QNetwork(3, 5, hidden=8) on {context}",
                      hint="return self.net(obs): one row of n_actions Q-values per observation.")


@check(SECTION, "q_taken")
def check_q_taken(q_taken) -> None:
    net = _net(3, 4, seed=0)
    cases: list[Case] = [
        ("a batch of 6, 4 actions", (net, randn(6, 3, seed=1), torch.tensor([0, 3, 1, 1, 2, 0]))),
        ("a square batch: 4 rows, 4 actions (the wrong axis keeps the shape)", (net, randn(4, 3, seed=2), torch.tensor([3, 0, 2, 1]))),
        ("a batch of 1", (net, randn(1, 3, seed=3), torch.tensor([2]))),
    ]
    compare_to_reference(q_taken, ref.q_taken, cases, name="q_taken",
                         hint="row i's value in column actions[i]: q_net(obs).gather(1, actions[:, None]).squeeze(1), "
                              "shape (batch,), not (batch, 1).")
    obs, actions = randn(5, 3, seed=4), torch.tensor([1, 0, 3, 3, 2])
    out = call(q_taken, net, obs, actions, name="q_taken", context="the gradient, a batch of 5")
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise CheckFailed("q_taken's result must carry gradients to q_net (no torch.no_grad, no .detach()).")
    net.zero_grad()
    out.sum().backward()
    got = [p.grad.clone() if p.grad is not None else torch.zeros_like(p) for p in net.parameters()]
    net.zero_grad()
    ref.q_taken(net, obs, actions).sum().backward()
    for (name, p), g in zip(net.named_parameters(), got, strict=True):
        expect_tensor(g, p.grad, context=f"the gradient of sum(q_taken) with respect to q_net.{name}",
                      hint="only the taken action's output should receive gradient.")


def _target_cases() -> tuple[list[Case], nn.Module]:
    target = _net(3, 4, seed=10)
    rewards, next_obs = randn(6, seed=11), randn(6, 3, seed=12)
    term = torch.tensor([False, True, False, False, True, False])
    cases: list[Case] = [
        ("6 rows, rows 1 and 4 terminated, γ 0.9", (target, rewards, next_obs, term, 0.9)),
        ("6 rows, none terminated, γ 0.99", (target, rewards, next_obs, torch.zeros(6, dtype=torch.bool), 0.99)),
        ("6 rows, all terminated (targets = rewards)", (target, rewards, next_obs, torch.ones(6, dtype=torch.bool), 0.99)),
        ("a square batch: 4 rows, 4 actions, row 2 terminated, γ 0.5",
         (target, rewards[:4], next_obs[:4], torch.tensor([False, False, True, False]), 0.5)),
        ("a batch of 1, not terminated, γ 0.9", (target, rewards[:1], next_obs[:1], torch.zeros(1, dtype=torch.bool), 0.9)),
    ]
    return cases, target


_TARGET_HINT = ("y = r + γ · (1 − terminated) · max over actions (dim 1) of target_net(next_obs): a terminated "
                "row's target is its reward alone.")


def _expect_no_grad(out: object, context: str) -> None:
    if isinstance(out, torch.Tensor) and out.requires_grad:
        raise CheckFailed(f"For {context}: the target requires grad. It is a label: compute it under "
                          "torch.no_grad() (or detach it), so that no gradient flows through it.")


@check(SECTION, "td_target", points=2)
def check_td_target(td_target) -> None:
    cases, target = _target_cases()
    compare_to_reference(td_target, ref.td_target, cases, name="td_target", hint=_TARGET_HINT)
    out = call(td_target, *cases[0][1], name="td_target", context=cases[0][0])
    _expect_no_grad(out, "td_target on " + cases[0][0])


@check(SECTION, "double_dqn_target", points=2)
def check_double_dqn_target(double_dqn_target) -> None:
    """An online and a target net that disagree about the best next action in most rows."""
    cases, target = _target_cases()
    online = _net(3, 4, seed=20)
    hint = ("a* = argmax over actions of q_net(next_obs) (the ONLINE net selects); its value is read from "
            "target_net(next_obs) (the TARGET net evaluates); then r + γ · (1 − terminated) · that value.")
    double_cases: list[Case] = [(name + ", online and target nets different", (online, *args)) for name, args in cases]
    double_cases.append(("6 rows, the same network passed as both (equals the plain target)", (target, *cases[0][1])))
    compare_to_reference(double_dqn_target, ref.double_dqn_target, double_cases, name="double_dqn_target", hint=hint)
    out = call(double_dqn_target, *double_cases[0][1], name="double_dqn_target", context=double_cases[0][0])
    _expect_no_grad(out, "double_dqn_target on " + double_cases[0][0])


@check(SECTION, "huber_loss")
def check_huber_loss(huber_loss) -> None:
    """Errors on both sides of δ and of 0; other δ; the boundary; values and gradients."""
    require(huber_loss, name="huber_loss", rule="Write it yourself: do not call F.huber_loss, F.smooth_l1_loss or nn.HuberLoss",
            forbids_calls=["huber_loss", "smooth_l1_loss", "HuberLoss", "SmoothL1Loss"])
    pred = randn(10, seed=0) * 2
    target = randn(10, seed=1)
    cases: list[Case] = [
        ("10 errors of both signs, some beyond δ = 1 (the default)", (pred, target)),
        ("the same errors, δ 0.5", (pred, target, 0.5)),
        ("the same errors, δ 3 (all quadratic)", (pred, target), {"delta": 3.0}),
        ("errors −2.5, −1, −0.3, 0, 1, 4 (on and beyond δ = 1)",
         (torch.tensor([-2.5, -1.0, -0.3, 0.0, 1.0, 4.0]), torch.zeros(6))),
        ("a single large error 10", (torch.tensor([10.0]), torch.tensor([0.0]))),
    ]
    hint = "mean of ½x² where |x| ≤ δ and δ·(|x| − ½δ) elsewhere, x = pred − target."
    compare_to_reference(huber_loss, ref.huber_loss, cases, name="huber_loss", hint=hint)
    for context, p, t, d in (("10 errors, δ 1", pred, target, 1.0), ("10 errors, δ 0.5", pred, target, 0.5)):
        mine, theirs = p.clone().requires_grad_(), p.clone().requires_grad_()
        call(huber_loss, mine, t, d, name="huber_loss", context=f"the gradient, {context}").backward()
        ref.huber_loss(theirs, t, d).backward()
        if mine.grad is None:
            raise CheckFailed(f"For the gradient, {context}: no gradient reached pred.")
        expect_tensor(mine.grad, theirs.grad, context=f"the gradient of huber_loss with respect to pred, {context}",
                      hint="each sample's gradient is x / batch inside ±δ and ±δ / batch outside.")


def _loss_batch(seed: int, n: int = 8, reward_scale: float = 5.0) -> ref.ReplayBatch:
    return ref.ReplayBatch(
        randn(n, 3, seed=seed), torch.randint(0, 4, (n,), generator=seeded(seed + 1)),
        reward_scale * randn(n, seed=seed + 2), randn(n, 3, seed=seed + 3),
        torch.tensor([k % 3 == 1 for k in range(n)]),
    )


@check(SECTION, "dqn_loss", points=2)
def check_dqn_loss(dqn_loss) -> None:
    """Values for plain and Double targets with two different nets; gradients reach q_net only."""
    online, target = _net(3, 4, seed=30), _net(3, 4, seed=31)
    batch = _loss_batch(40)
    cases: list[Case] = [
        ("8 transitions, 3 terminated, errors beyond δ, γ 0.9, the default (plain target)", (online, target, batch, 0.9)),
        ("the same batch, Double DQN target", (online, target, batch, 0.9, True)),
        ("8 other transitions with small rewards, γ 0.99, plain", (online, target, _loss_batch(50, reward_scale=0.1), 0.99, False)),
        ("8 other transitions, γ 0.99, Double", (online, target, _loss_batch(60), 0.99), {"double": True}),
    ]
    compare_to_reference(dqn_loss, ref.dqn_loss, cases, name="dqn_loss",
                         hint="huber_loss(q_taken(q_net, obs, actions), y) with y from td_target(target_net, …), or "
                              "double_dqn_target(q_net, target_net, …) if double; the target uses the TARGET net.")
    for double in (False, True):
        context = f"the gradients of dqn_loss ({'Double' if double else 'plain'} target)"
        for net in (online, target):
            net.zero_grad()
        call(dqn_loss, online, target, batch, 0.9, double, name="dqn_loss", context=context).backward()
        got = [p.grad.clone() if p.grad is not None else torch.zeros_like(p) for p in online.parameters()]
        leaked = [n for n, p in target.named_parameters() if p.grad is not None and bool(p.grad.abs().sum() > 0)]
        if leaked:
            raise CheckFailed(f"For {context}: the target network's parameters received gradients ({', '.join(leaked)}). "
                              "Compute the target under torch.no_grad(): only the online network learns.")
        online.zero_grad()
        ref.dqn_loss(online, target, batch, 0.9, double).backward()
        for (name, p), g in zip(online.named_parameters(), got, strict=True):
            expect_tensor(g, p.grad, context=f"{context}, with respect to q_net.{name}",
                          hint="no gradient through the target; the Huber loss caps each sample's gradient.")
        online.zero_grad()


# The probes: train a 16-unit net on each with the learner's loss; compare with the known Q-values.
_PROBE_GAMMA = 0.9
_PROBE_BUGS = {
    "constant": "the loss cannot fit even a constant, or the target bootstraps past the end of the episode "
                "(no terminal mask: Q drifts towards 1 / (1 − γ))",
    "observation": "the loss does not pair each prediction with its own row's target (a (batch, 1) minus (batch,) "
                   "broadcast, or rows mixed up)",
    "discount": "discounting or bootstrapping is wrong: step 0's target is γ · Q(step 1); the last step's is its reward",
    "action": "the loss does not train the Q-value of the action taken (gathering the wrong column or axis)",
}


def _fit_probe(dqn_loss, kind: str, double: bool, n_updates: int = 100, lr: float = 0.2) -> tuple[torch.Tensor, torch.Tensor]:
    env = ref.ProbeEnv(kind)
    n_actions = int(env.action_space.n)
    gen = seeded(7)
    buffer = ref.ReplayBuffer(256, 1)
    obs, _ = env.reset(seed=7)
    for _ in range(200):
        obs, _, _ = ref.step_and_store(env, obs, int(torch.randint(n_actions, (), generator=gen)), buffer)
    torch.manual_seed(7)
    q_net = ref.QNetwork(1, n_actions, hidden=16)
    target = copy.deepcopy(q_net)
    for k in range(n_updates):
        loss = dqn_loss(q_net, target, buffer.sample(32, gen), _PROBE_GAMMA, double)
        q_net.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p in q_net.parameters():
                if p.grad is not None:
                    p.sub_(lr * p.grad)
        if (k + 1) % 20 == 0:
            ref.hard_update(target, q_net)
    probe_obs, want = ref.probe_expected(kind, _PROBE_GAMMA)
    with torch.no_grad():
        return q_net(probe_obs), want


@check(SECTION, "dqn_loss", points=2, timeout=30.0, name="probe environments")
def check_dqn_loss_probes(dqn_loss) -> None:
    """Train on the four probes with the learner's loss (plain target, then Double on two)."""
    for kind, double in (("constant", False), ("observation", False), ("discount", False), ("action", False),
                         ("discount", True)):
        got, want = _fit_probe(dqn_loss, kind, double)
        if not isinstance(got, torch.Tensor) or not torch.isfinite(got).all() or (got - want).abs().max() > 0.1:
            obs, _ = ref.probe_expected(kind, _PROBE_GAMMA)
            shown = ", ".join(f"Q({o:+g}) = {[round(v, 3) for v in g.tolist()]} (correct {[round(v, 3) for v in w.tolist()]})"
                              for o, g, w in zip(obs.flatten().tolist(), got, want, strict=True))
            raise CheckFailed(
                f"On the `{kind}` probe environment (γ {_PROBE_GAMMA}, {'Double' if double else 'plain'} target), "
                f"100 updates with your dqn_loss learned {shown}. This probe isolates one bug: {_PROBE_BUGS[kind]}."
            )


# ------------------------------------------------------------------------------------------
# Part 3 · target-network updates
# ------------------------------------------------------------------------------------------
def _call_update(run, online: nn.Module, name: str, context: str) -> None:
    """Run an update that must change the target in place and leave the online net alone."""
    before = {k: v.clone() for k, v in online.state_dict().items()}
    call(run, name=name, context=context)
    for k, v in online.state_dict().items():
        if not torch.equal(v, before[k]):
            raise CheckFailed(f"For {context}: `{name}` changed the ONLINE network's {k}. Only the target "
                              "(the first argument) changes; is the argument order swapped?")


@check(SECTION, "hard_update")
def check_hard_update(hard_update) -> None:
    target, online = _net(3, 4, seed=1), _net(3, 4, seed=2)
    _call_update(lambda: hard_update(target, online), online, "hard_update",
                 "two QNetwork(3, 4, hidden=8) with different weights")
    for (name, t), o in zip(target.state_dict().items(), online.state_dict().values(), strict=True):
        expect_tensor(t, o, context=f"the target's {name} after hard_update", exact=True,
                      hint="copy the online network's values INTO the target's tensors "
                           "(target.load_state_dict(online.state_dict())); rebinding a name changes nothing outside.")
    with torch.no_grad():
        for p in online.parameters():
            p.add_(1.0)
    if any(torch.equal(t, o) for t, o in zip(target.parameters(), online.parameters(), strict=True)):
        raise CheckFailed("After hard_update, changing the online network also changed the target: they share "
                          "tensors. Copy the values (load_state_dict or copy_), do not assign the parameters themselves.")


@check(SECTION, "polyak_update", points=2)
def check_polyak_update(polyak_update) -> None:
    for tau in (0.1, 0.005, 0.75, 1.0, 0.0):
        target, online = _net(3, 4, seed=3), _net(3, 4, seed=4)
        before = [p.detach().clone() for p in target.parameters()]
        context = f"τ {tau}, two QNetwork(3, 4, hidden=8)"
        _call_update(lambda t=target, o=online, x=tau: polyak_update(t, o, x), online, "polyak_update", context)
        for (name, t), b, o in zip(target.named_parameters(), before, online.parameters(), strict=True):
            expect_tensor(t.detach(), tau * o.detach() + (1 - tau) * b, context=f"{context}: the target's {name}",
                          hint="target ← τ · online + (1 − τ) · target, in place: τ weights the ONLINE network, so a "
                               "small τ moves the target a little.")
            if not t.requires_grad or not t.is_leaf:
                raise CheckFailed(f"For {context}: the target's {name} should stay a parameter (a leaf that requires "
                                  "grad); update it in place under torch.no_grad().")


# ------------------------------------------------------------------------------------------
# Part 4 · acting and storing
# ------------------------------------------------------------------------------------------
class _EpisodeProbe(gym.Env):
    """Observation (episode number, step in episode, a random start drawn at reset). Even episodes
    terminate after 3 steps (episode 2 is also truncated on that step), odd ones are truncated
    after 2. Reward = 10 · episode + step + action.
    The random start comes from the env's own generator, so reseeding every reset shows."""

    def __init__(self):
        self.observation_space = gym.spaces.Box(-1000.0, 1000.0, (3,), np.float32)
        self.action_space = gym.spaces.Discrete(2)
        self.episode, self.t, self.start = -1, 0, 0

    def _obs(self) -> np.ndarray:
        return np.array([self.episode, self.t, self.start], dtype=np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        self.episode, self.t = self.episode + 1, 0
        self.start = int(self.np_random.integers(0, 1000))
        return self._obs(), {}

    def step(self, action):
        reward = 10.0 * self.episode + self.t + int(action)
        self.t += 1
        even = self.episode % 2 == 0
        # Episode 2 hits the time limit on the step the pole falls: terminated AND truncated.
        return self._obs(), reward, even and self.t == 3, ((not even) and self.t == 2) or (self.episode == 2 and self.t == 3), {}


@check(SECTION, "step_and_store", points=2)
def check_step_and_store(step_and_store) -> None:
    """9 steps through a termination, a truncation, and a step both terminated and truncated."""
    env_mine, env_ref = _EpisodeProbe(), _EpisodeProbe()
    obs_mine, _ = env_mine.reset(seed=0)
    obs_ref, _ = env_ref.reset(seed=0)
    buf_mine, buf_ref = ref.ReplayBuffer(16, 3), ref.ReplayBuffer(16, 3)
    for k in range(9):
        action = k % 2
        context = (f"step {k + 1} on a probe env whose episodes terminate after 3 steps (even episodes; "
                   "episode 2 is truncated on the same step) or are truncated after 2 (odd episodes)")
        out = call(step_and_store, env_mine, obs_mine, action, buf_mine, name="step_and_store", context=context)
        want = ref.step_and_store(env_ref, obs_ref, action, buf_ref)
        if not (isinstance(out, tuple) and len(out) == 3):
            raise CheckFailed("`step_and_store` should return (next observation, reward, episode ended).")
        obs_mine, reward, ended = out
        obs_ref = want[0]
        if not np.array_equal(np.asarray(obs_mine), obs_ref):
            raise CheckFailed(f"For {context}: the returned observation is {np.asarray(obs_mine).tolist()}, expected "
                              f"{obs_ref.tolist()}. Hint: after an episode ends, return the observation of env.reset() — "
                              "called without a seed, so that every episode starts differently.")
        expect_equal(reward, want[1], context=f"{context}, the reward", hint="return the reward as a float.")
        expect_equal(ended, want[2], context=f"{context}, `episode ended`",
                     hint="the episode ends when it terminates OR is truncated.")
        for name in _STORAGE:
            expect_tensor(getattr(buf_mine, name), getattr(buf_ref, name), context=f"{context}, the buffer's `{name}`",
                          exact=True,
                          hint={"next_obs": "store the observation env.step returned (the true last state), not the "
                                            "reset one.",
                                "terminated": "store `terminated` only: a truncated episode still bootstraps."}.get(
                                    name, "add (obs, action, reward, next_obs, terminated) once per step."))
