"""Section 3.2: the checks pass the reference and reject the stub and plausible DQN bugs; the
shipped CartPole weights match the training script's configuration."""

import dataclasses
import importlib.util
import json
from pathlib import Path

from section_harness import make_tests

ROOT = Path(__file__).resolve().parents[2]

_BUFFER = """
    class ReplayBuffer:
        def __init__(self, capacity, obs_dim):
            self.capacity = capacity
            self.obs = torch.zeros(capacity, obs_dim)
            self.actions = torch.zeros(capacity, dtype=torch.int64)
            self.rewards = torch.zeros(capacity)
            self.next_obs = torch.zeros(capacity, obs_dim)
            self.terminated = torch.zeros(capacity, dtype=torch.bool)
            self.pos = 0
            self.size = 0

        def add(self, obs, action, reward, next_obs, terminated):
            SLOT
            self.obs[slot] = torch.as_tensor(obs, dtype=torch.float32)
            self.actions[slot] = action
            self.rewards[slot] = reward
            self.next_obs[slot] = torch.as_tensor(next_obs, dtype=torch.float32)
            self.terminated[slot] = bool(terminated)
            ADVANCE
            SIZE

        def sample(self, batch_size, generator):
            idx = IDX
            return ReplayBatch(self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx])
"""


def _buffer(**subs: str) -> str:
    defaults = {
        "SLOT": "slot = self.pos",
        "ADVANCE": "self.pos = (self.pos + 1) % self.capacity",
        "SIZE": "self.size = min(self.size + 1, self.capacity)",
        "IDX": "torch.randint(0, self.size, (batch_size,), generator=generator)",
    }
    defaults.update(subs)
    src = _BUFFER
    for key, value in defaults.items():
        src = src.replace(key, value)
    return src


_STEP = """
    def step_and_store(env, obs, action, buffer):
        next_obs, reward, terminated, truncated, _ = env.step(action)
        STORE
        ended = ENDED
        if ended:
            RESET
        return next_obs, float(reward), bool(terminated or truncated)
"""


def _step(**subs: str) -> str:
    defaults = {
        "STORE": "buffer.add(obs, action, float(reward), next_obs, bool(terminated))",
        "ENDED": "terminated or truncated",
        "RESET": "next_obs, _ = env.reset()",
    }
    defaults.update(subs)
    src = _STEP
    for key, value in defaults.items():
        src = src.replace(key, value)
    return src


MUTANTS = {
    "ReplayBuffer": [
        ("writes one slot past pos", _buffer(SLOT="slot = (self.pos + 1) % self.capacity")),
        ("pos does not wrap: clamps at the last slot", _buffer(ADVANCE="self.pos = min(self.pos + 1, self.capacity - 1)")),
        ("size grows past capacity", _buffer(SIZE="self.size += 1", IDX="torch.randint(0, min(self.size, self.capacity), (batch_size,), generator=generator)")),
        ("size recomputed from pos: drops to 0 when pos wraps", _buffer(SIZE="self.size = self.pos if self.pos else self.size")),
        ("samples one short of the filled part", _buffer(IDX="torch.randint(0, max(self.size - 1, 1), (batch_size,), generator=generator)")),
        ("samples from the whole capacity, zeros included", _buffer(IDX="torch.randint(0, self.capacity, (batch_size,), generator=generator)")),
        ("samples with the global RNG, not the generator", _buffer(IDX="torch.randint(0, self.size, (batch_size,))")),
        ("samples with a new generator of a fixed seed", _buffer(IDX="torch.randint(0, self.size, (batch_size,), generator=torch.Generator().manual_seed(0))")),
        ("samples the most recent size transitions in order", _buffer(IDX="torch.arange(batch_size) % self.size")),
        ("numpy's global RNG", _buffer(IDX="torch.as_tensor(np.random.randint(0, self.size, batch_size))")),
    ],
    "linear_schedule": [
        ("reaches the end one step late", """
            def linear_schedule(step, start, end, duration):
                return start + (end - start) * min(step / (duration + 1), 1.0)
        """),
        ("starts one step late", """
            def linear_schedule(step, start, end, duration):
                return start + (end - start) * min((step + 1) / duration, 1.0)
        """),
        ("goes below the end value after the duration", """
            def linear_schedule(step, start, end, duration):
                return start + (end - start) * step / duration
        """),
        ("ends at 0, not at end", """
            def linear_schedule(step, start, end, duration):
                return max(start - start * step / duration, end) if step < duration else 0.0
        """),
        ("clamps with max, wrong when start < end", """
            def linear_schedule(step, start, end, duration):
                return max(end, start + (end - start) * step / duration)
        """),
        ("integer division", """
            def linear_schedule(step, start, end, duration):
                return start + (end - start) * min(step // duration, 1)
        """),
    ],
    "epsilon_greedy": [
        ("global RNG", """
            def epsilon_greedy(q_values, epsilon, generator):
                if torch.rand(()) < epsilon:
                    return int(torch.randint(q_values.shape[0], ()))
                return int(q_values.argmax())
        """),
        ("random action among the non-greedy ones only", """
            def epsilon_greedy(q_values, epsilon, generator):
                greedy = int(q_values.argmax())
                if torch.rand((), generator=generator) < epsilon:
                    a = int(torch.randint(q_values.shape[0] - 1, (), generator=generator))
                    return a + (a >= greedy)
                return greedy
        """),
        ("greedy with probability ε (comparison flipped)", """
            def epsilon_greedy(q_values, epsilon, generator):
                if torch.rand((), generator=generator) > epsilon:
                    return int(torch.randint(q_values.shape[0], (), generator=generator))
                return int(q_values.argmax())
        """),
        ("argmin", """
            def epsilon_greedy(q_values, epsilon, generator):
                if torch.rand((), generator=generator) < epsilon:
                    return int(torch.randint(q_values.shape[0], (), generator=generator))
                return int(q_values.argmin())
        """),
        ("skips the draw when ε is 0", """
            def epsilon_greedy(q_values, epsilon, generator):
                if epsilon > 0 and torch.rand((), generator=generator) < epsilon:
                    return int(torch.randint(q_values.shape[0], (), generator=generator))
                return int(q_values.argmax())
        """),
        ("returns a tensor", """
            def epsilon_greedy(q_values, epsilon, generator):
                if torch.rand((), generator=generator) < epsilon:
                    return torch.randint(q_values.shape[0], (), generator=generator)
                return q_values.argmax()
        """),
    ],
    "QNetwork": [
        ("tanh activations", """
            class QNetwork(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return self.net(obs)
        """),
        ("default width 128", """
            class QNetwork(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=128):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return self.net(obs)
        """),
        ("a ReLU on the output: Q-values cannot be negative", """
            class QNetwork(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return torch.relu(self.net(obs))
        """),
        ("layers as separate attributes", """
            class QNetwork(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.fc1, self.fc2, self.out = nn.Linear(obs_dim, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, n_actions)
                def forward(self, obs):
                    return self.out(torch.relu(self.fc2(torch.relu(self.fc1(obs)))))
        """),
        ("zero initialisation", """
            class QNetwork(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
                    for p in self.parameters():
                        nn.init.zeros_(p)
                def forward(self, obs):
                    return self.net(obs)
        """),
    ],
    "q_taken": [
        ("keeps the trailing axis: shape (batch, 1)", """
            def q_taken(q_net, obs, actions):
                return q_net(obs).gather(1, actions[:, None])
        """),
        ("gathers along the batch axis", """
            def q_taken(q_net, obs, actions):
                return q_net(obs).gather(0, actions[None, :]).squeeze(0)
        """),
        ("indexes columns only: (batch, batch) then the diagonal of the transpose", """
            def q_taken(q_net, obs, actions):
                return q_net(obs)[actions, torch.arange(len(actions))]
        """),
        ("max instead of the taken action", """
            def q_taken(q_net, obs, actions):
                return q_net(obs).max(dim=1).values
        """),
        ("detached", """
            def q_taken(q_net, obs, actions):
                return q_net(obs).detach().gather(1, actions[:, None]).squeeze(1)
        """),
    ],
    "td_target": [
        ("no terminal mask", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * target_net(next_obs).max(dim=1).values
        """),
        ("mask inverted", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * target_net(next_obs).max(dim=1).values * terminated
        """),
        ("mask also drops the reward", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return (rewards + gamma * target_net(next_obs).max(dim=1).values) * (~terminated)
        """),
        ("gradients flow through the target", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                return rewards + gamma * target_net(next_obs).max(dim=1).values * (~terminated)
        """),
        ("max over the batch axis", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * target_net(next_obs).max(dim=0).values[: len(rewards)] * (~terminated)
        """),
        ("mean over actions instead of max (expected SARSA of a uniform policy)", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * target_net(next_obs).mean(dim=1) * (~terminated)
        """),
        ("γ applied to the reward too", """
            def td_target(target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return gamma * (rewards + target_net(next_obs).max(dim=1).values * (~terminated))
        """),
    ],
    "double_dqn_target": [
        ("the target net selects and evaluates (plain DQN)", """
            def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * target_net(next_obs).max(dim=1).values * (~terminated)
        """),
        ("the online net selects and evaluates", """
            def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    return rewards + gamma * q_net(next_obs).max(dim=1).values * (~terminated)
        """),
        ("roles swapped: the target net selects, the online net evaluates", """
            def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    best = target_net(next_obs).argmax(dim=1)
                    return rewards + gamma * q_net(next_obs).gather(1, best[:, None]).squeeze(1) * (~terminated)
        """),
        ("no terminal mask", """
            def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
                with torch.no_grad():
                    best = q_net(next_obs).argmax(dim=1)
                    return rewards + gamma * target_net(next_obs).gather(1, best[:, None]).squeeze(1)
        """),
        ("gradients flow through the online selection's evaluation", """
            def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
                best = q_net(next_obs).argmax(dim=1)
                return rewards + gamma * target_net(next_obs).gather(1, best[:, None]).squeeze(1) * (~terminated)
        """),
    ],
    "huber_loss": [
        ("mean squared error", """
            def huber_loss(pred, target, delta=1.0):
                return 0.5 * ((pred - target) ** 2).mean()
        """),
        ("linear part without the −½δ offset", """
            def huber_loss(pred, target, delta=1.0):
                err = (pred - target).abs()
                return torch.where(err <= delta, 0.5 * err**2, delta * err).mean()
        """),
        ("sum, not mean", """
            def huber_loss(pred, target, delta=1.0):
                err = (pred - target).abs()
                return torch.where(err <= delta, 0.5 * err**2, delta * (err - 0.5 * delta)).sum()
        """),
        ("quadratic without the ½", """
            def huber_loss(pred, target, delta=1.0):
                err = (pred - target).abs()
                return torch.where(err <= delta, err**2, delta * (err - 0.5 * delta)).mean()
        """),
        ("δ ignored (always 1)", """
            def huber_loss(pred, target, delta=1.0):
                err = (pred - target).abs()
                return torch.where(err <= 1.0, 0.5 * err**2, err - 0.5).mean()
        """),
        ("calls F.huber_loss (forbidden by the page)", """
            def huber_loss(pred, target, delta=1.0):
                return F.huber_loss(pred, target, delta=delta)
        """),
        ("signed error in the linear part", """
            def huber_loss(pred, target, delta=1.0):
                x = pred - target
                return torch.where(x.abs() <= delta, 0.5 * x**2, delta * (x - 0.5 * delta)).mean()
        """),
    ],
    "dqn_loss": [
        ("the online net computes the target", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_taken(q_net, batch.obs, batch.actions)
                if double:
                    target = double_dqn_target(q_net, q_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                else:
                    target = td_target(q_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                return huber_loss(pred, target)
        """),
        ("double ignored", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_taken(q_net, batch.obs, batch.actions)
                return huber_loss(pred, td_target(target_net, batch.rewards, batch.next_obs, batch.terminated, gamma))
        """),
        ("default double=True", """
            def dqn_loss(q_net, target_net, batch, gamma, double=True):
                pred = q_taken(q_net, batch.obs, batch.actions)
                if double:
                    target = double_dqn_target(q_net, target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                else:
                    target = td_target(target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                return huber_loss(pred, target)
        """),
        ("MSE instead of Huber", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_taken(q_net, batch.obs, batch.actions)
                f = double_dqn_target if double else (lambda q, t, *a: td_target(t, *a))
                target = f(q_net, target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                return ((pred - target) ** 2).mean()
        """),
        ("gradient flows through the target (into the target net)", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_taken(q_net, batch.obs, batch.actions)
                next_q = target_net(batch.next_obs)
                if double:
                    next_v = next_q.gather(1, q_net(batch.next_obs).argmax(1, keepdim=True)).squeeze(1)
                else:
                    next_v = next_q.max(1).values
                return huber_loss(pred, batch.rewards + gamma * next_v * (~batch.terminated))
        """),
        ("no terminal mask (inline target)", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_taken(q_net, batch.obs, batch.actions)
                with torch.no_grad():
                    if double:
                        best = q_net(batch.next_obs).argmax(1, keepdim=True)
                        next_v = target_net(batch.next_obs).gather(1, best).squeeze(1)
                    else:
                        next_v = target_net(batch.next_obs).max(1).values
                return huber_loss(pred, batch.rewards + gamma * next_v)
        """),
        ("(batch, 1) prediction broadcast against (batch,) targets", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_net(batch.obs).gather(1, batch.actions[:, None])
                if double:
                    target = double_dqn_target(q_net, target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                else:
                    target = td_target(target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                return huber_loss(pred, target)
        """),
        ("wrong action column (max instead of the taken action)", """
            def dqn_loss(q_net, target_net, batch, gamma, double=False):
                pred = q_net(batch.obs).max(1).values
                if double:
                    target = double_dqn_target(q_net, target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                else:
                    target = td_target(target_net, batch.rewards, batch.next_obs, batch.terminated, gamma)
                return huber_loss(pred, target)
        """),
    ],
    "hard_update": [
        ("rebinds the name: nothing changes", """
            def hard_update(target, online):
                target = copy.deepcopy(online)
        """),
        ("shares the online tensors", """
            def hard_update(target, online):
                for (name, module) in target.named_modules():
                    pass
                for t_mod, o_mod in zip(target.modules(), online.modules()):
                    if isinstance(t_mod, nn.Linear):
                        t_mod.weight = o_mod.weight
                        t_mod.bias = o_mod.bias
        """),
        ("arguments swapped", """
            def hard_update(target, online):
                online.load_state_dict(target.state_dict())
        """),
        ("only the weights, not the biases", """
            def hard_update(target, online):
                with torch.no_grad():
                    for (n, t), o in zip(target.named_parameters(), online.parameters()):
                        if n.endswith("weight"):
                            t.copy_(o)
        """),
    ],
    "polyak_update": [
        ("τ applied the wrong way round", """
            def polyak_update(target, online, tau):
                with torch.no_grad():
                    for tp, p in zip(target.parameters(), online.parameters()):
                        tp.mul_(tau).add_(p, alpha=1 - tau)
        """),
        ("updates the online net towards the target", """
            def polyak_update(target, online, tau):
                with torch.no_grad():
                    for tp, p in zip(target.parameters(), online.parameters()):
                        p.mul_(1 - tau).add_(tp, alpha=tau)
        """),
        ("rebinds instead of updating in place", """
            def polyak_update(target, online, tau):
                for tp, p in zip(target.parameters(), online.parameters()):
                    tp = tau * p + (1 - tau) * tp
        """),
        ("replaces the parameter with a plain tensor", """
            def polyak_update(target, online, tau):
                for tp, p in zip(target.parameters(), online.parameters()):
                    tp.data = (tau * p + (1 - tau) * tp).detach()
                    tp.requires_grad_(False)
        """),
        ("skips the last layer", """
            def polyak_update(target, online, tau):
                with torch.no_grad():
                    pairs = list(zip(target.parameters(), online.parameters()))
                    for tp, p in pairs[:-2]:
                        tp.lerp_(p, tau)
        """),
    ],
    "step_and_store": [
        ("truncation stored as termination", _step(STORE="buffer.add(obs, action, float(reward), next_obs, bool(terminated or truncated))")),
        ("stores the reset observation as next_obs", """
            def step_and_store(env, obs, action, buffer):
                next_obs, reward, terminated, truncated, _ = env.step(action)
                if terminated or truncated:
                    next_obs, _ = env.reset()
                buffer.add(obs, action, float(reward), next_obs, bool(terminated))
                return next_obs, float(reward), bool(terminated or truncated)
        """),
        ("no reset on truncation", _step(ENDED="terminated")),
        ("a termination on the time-limit step stored as not terminated", _step(STORE="buffer.add(obs, action, float(reward), next_obs, bool(terminated and not truncated))")),
        ("reseeds on every reset: every episode starts the same", _step(RESET="next_obs, _ = env.reset(seed=0)")),
        ("returns the final observation, not the reset one", _step(RESET="env.reset()")),
        ("stores obs as next_obs too", _step(STORE="buffer.add(obs, action, float(reward), obs, bool(terminated))")),
        ("reports only terminations as episode ends", """
            def step_and_store(env, obs, action, buffer):
                next_obs, reward, terminated, truncated, _ = env.step(action)
                buffer.add(obs, action, float(reward), next_obs, bool(terminated))
                if terminated or truncated:
                    next_obs, _ = env.reset()
                return next_obs, float(reward), bool(terminated)
        """),
    ],
}

ALTERNATIVES = {
    "ReplayBuffer": [
        ("a list of tuples converted at sampling time", """
            class ReplayBuffer:
                def __init__(self, capacity, obs_dim):
                    self.capacity, self.pos, self.size = capacity, 0, 0
                    self.obs = torch.zeros((capacity, obs_dim), dtype=torch.float32)
                    self.next_obs = torch.zeros_like(self.obs)
                    self.actions = torch.zeros(capacity, dtype=torch.long)
                    self.rewards = torch.zeros(capacity, dtype=torch.float32)
                    self.terminated = torch.zeros(capacity, dtype=torch.bool)

                def add(self, obs, action, reward, next_obs, terminated):
                    i = self.pos
                    self.obs[i] = torch.from_numpy(np.asarray(obs, dtype=np.float32))
                    self.next_obs[i] = torch.from_numpy(np.asarray(next_obs, dtype=np.float32))
                    self.actions[i], self.rewards[i], self.terminated[i] = int(action), float(reward), bool(terminated)
                    self.pos = 0 if i + 1 == self.capacity else i + 1
                    if self.size < self.capacity:
                        self.size += 1

                def sample(self, batch_size, generator):
                    idx = torch.randint(self.size, (batch_size,), generator=generator)
                    return ReplayBatch(*(getattr(self, f).index_select(0, idx) for f in ReplayBatch._fields))
        """),
    ],
    "linear_schedule": [
        ("interpolation with a clamp on the fraction", """
            def linear_schedule(step, start, end, duration):
                frac = max(0.0, min(1.0, step / duration))
                return (1 - frac) * start + frac * end
        """),
        ("an if on the step", """
            def linear_schedule(step, start, end, duration):
                if step >= duration:
                    return float(end)
                return start + (end - start) * step / duration
        """),
    ],
    "epsilon_greedy": """
        def epsilon_greedy(q_values, epsilon, generator):
            explore = torch.rand(1, generator=generator).item() < epsilon
            if explore:
                return torch.randint(0, len(q_values), (1,), generator=generator).item()
            return torch.argmax(q_values).item()
    """,
    "QNetwork": """
        class QNetwork(nn.Module):
            def __init__(self, obs_dim, n_actions, hidden=64):
                super().__init__()
                layers = [nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, n_actions)]
                self.net = nn.Sequential(*layers)

            def forward(self, obs):
                x = obs
                for layer in self.net:
                    x = layer(x)
                return x
    """,
    "q_taken": [
        ("advanced indexing", """
            def q_taken(q_net, obs, actions):
                return q_net(obs)[torch.arange(actions.shape[0]), actions]
        """),
        ("one-hot mask", """
            def q_taken(q_net, obs, actions):
                q = q_net(obs)
                return (q * F.one_hot(actions, q.shape[1])).sum(dim=1)
        """),
    ],
    "td_target": """
        def td_target(target_net, rewards, next_obs, terminated, gamma):
            next_q = target_net(next_obs).detach().amax(dim=-1)
            return rewards + gamma * (1.0 - terminated.float()) * next_q
    """,
    "double_dqn_target": """
        @torch.no_grad()
        def double_dqn_target(q_net, target_net, rewards, next_obs, terminated, gamma):
            a_star = torch.argmax(q_net(next_obs), dim=-1)
            evaluated = target_net(next_obs)[torch.arange(len(a_star)), a_star]
            return torch.where(terminated, rewards, rewards + gamma * evaluated)
    """,
    "huber_loss": [
        ("min/clamp form", """
            def huber_loss(pred, target, delta=1.0):
                a = (pred - target).abs()
                quad = torch.clamp(a, max=delta)
                return (0.5 * quad**2 + delta * (a - quad)).mean()
        """),
    ],
    "dqn_loss": """
        def dqn_loss(q_net, target_net, batch, gamma, double=False):
            obs, actions, rewards, next_obs, terminated = batch
            with torch.no_grad():
                next_all = target_net(next_obs)
                if double:
                    next_v = next_all.gather(1, q_net(next_obs).argmax(1, keepdim=True)).squeeze(1)
                else:
                    next_v = next_all.max(1).values
                y = rewards + gamma * next_v * (~terminated).float()
            pred = q_net(obs).gather(1, actions.unsqueeze(1)).squeeze(1)
            return huber_loss(pred, y)
    """,
    "hard_update": [
        ("copy_ under no_grad", """
            def hard_update(target, online):
                with torch.no_grad():
                    for t, o in zip(target.parameters(), online.parameters()):
                        t.copy_(o)
        """),
    ],
    "polyak_update": [
        ("lerp_", """
            @torch.no_grad()
            def polyak_update(target, online, tau):
                for tp, p in zip(target.parameters(), online.parameters()):
                    tp.lerp_(p, tau)
        """),
        ("through the state dicts", """
            def polyak_update(target, online, tau):
                new = {k: tau * v + (1 - tau) * target.state_dict()[k] for k, v in online.state_dict().items()}
                with torch.no_grad():
                    for k, p in target.named_parameters():
                        p.copy_(new[k])
        """),
    ],
    "step_and_store": """
        def step_and_store(env, obs, action, buffer):
            out = env.step(action)
            nxt, r, term, trunc = out[0], float(out[1]), bool(out[2]), bool(out[3])
            buffer.add(obs, action, r, nxt, term)
            done = term or trunc
            return (env.reset()[0] if done else nxt), r, done
    """,
}

globals().update(make_tests("3.2", MUTANTS, alternatives=ALTERNATIVES))


def _load_script():
    spec = importlib.util.spec_from_file_location("train_dqn_cartpole", ROOT / "tools" / "train_dqn_cartpole.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_weights_match_the_training_script() -> None:
    """Stale weights are caught: the shipped meta.json records exactly the script's configuration,
    and the weights load into the page's QNetwork of that width."""
    from safetensors.torch import load_file

    from arena_check.kit.paths import weights_dir
    from arena_check.reference import s3_2_dqn as ref

    script = _load_script()
    folder = weights_dir("dqn-cartpole")
    meta = json.loads((folder / "meta.json").read_text())
    assert meta["config"] == dataclasses.asdict(script.CONFIG), "meta.json is stale: rerun tools/train_dqn_cartpole.py"
    assert meta["steps"] == script.CONFIG.total_steps
    net = ref.QNetwork(4, 2, hidden=meta["config"]["hidden"])
    net.load_state_dict(load_file(folder / "model.safetensors"))
    assert (folder / "model.safetensors").stat().st_size < 100_000
