"""Section 3.3: the checks pass the reference and reject the stub and plausible mistakes."""

from section_harness import make_tests

MUTANTS = {
    "discounted_return": [
        ("discount starts at gamma**1", """
            def discounted_return(rewards, gamma=0.99):
                return (gamma ** torch.arange(1, len(rewards) + 1, dtype=rewards.dtype) * rewards).sum()
        """),
        ("discounts reversed (last reward undiscounted)", """
            def discounted_return(rewards, gamma=0.99):
                return (gamma ** torch.arange(len(rewards), dtype=rewards.dtype).flip(0) * rewards).sum()
        """),
        ("undiscounted sum", """
            def discounted_return(rewards, gamma=0.99):
                return rewards.sum()
        """),
        ("default gamma 0.9", """
            def discounted_return(rewards, gamma=0.9):
                return (gamma ** torch.arange(len(rewards), dtype=rewards.dtype) * rewards).sum()
        """),
        ("returns a Python float, not a tensor", """
            def discounted_return(rewards, gamma=0.99):
                return float((gamma ** torch.arange(len(rewards), dtype=rewards.dtype) * rewards).sum())
        """),
    ],
    "reward_to_go": [
        ("excludes the current reward (off by one)", """
            def reward_to_go(rewards, gamma=0.99):
                out = torch.zeros_like(rewards)
                running = torch.zeros((), dtype=rewards.dtype)
                for t in reversed(range(len(rewards))):
                    out[t] = running
                    running = rewards[t] + gamma * running
                return out
        """),
        ("discount from the start of the episode (gamma**k)", """
            def reward_to_go(rewards, gamma=0.99):
                disc = gamma ** torch.arange(len(rewards), dtype=rewards.dtype) * rewards
                return disc.flip(0).cumsum(0).flip(0)
        """),
        ("the full return at every step", """
            def reward_to_go(rewards, gamma=0.99):
                g = (gamma ** torch.arange(len(rewards), dtype=rewards.dtype) * rewards).sum()
                return g.expand(len(rewards)).clone()
        """),
        ("forward cumulative sum (rewards so far)", """
            def reward_to_go(rewards, gamma=0.99):
                out = torch.zeros_like(rewards)
                running = torch.zeros((), dtype=rewards.dtype)
                for t in range(len(rewards)):
                    running = rewards[t] + gamma * running
                    out[t] = running
                return out
        """),
        ("writes into the rewards in place", """
            def reward_to_go(rewards, gamma=0.99):
                for t in reversed(range(len(rewards) - 1)):
                    rewards[t] += gamma * rewards[t + 1]
                return rewards
        """),
        ("float32 output for float64 rewards", """
            def reward_to_go(rewards, gamma=0.99):
                out = torch.zeros(len(rewards))
                running = 0.0
                for t in reversed(range(len(rewards))):
                    running = float(rewards[t]) + gamma * running
                    out[t] = running
                return out
        """),
    ],
    "normalise_advantages": [
        ("sample std over dim 0 with keepdim (a learner's version)", """
            def normalise_advantages(advantages, eps=1e-8):
                return (advantages - advantages.mean(0, keepdim=True)) / (torch.std(advantages, 0, keepdim=True) + eps)
        """),
        ("sample std (n - 1)", """
            def normalise_advantages(advantages, eps=1e-8):
                return (advantages - advantages.mean()) / (advantages.std() + eps)
        """),
        ("eps inside the square root", """
            def normalise_advantages(advantages, eps=1e-8):
                return (advantages - advantages.mean()) / (advantages.var(correction=0) + eps).sqrt()
        """),
        ("no centring", """
            def normalise_advantages(advantages, eps=1e-8):
                return advantages / (advantages.std(correction=0) + eps)
        """),
        ("no eps: NaN for a single entry", """
            def normalise_advantages(advantages, eps=1e-8):
                return (advantages - advantages.mean()) / advantages.std(correction=0)
        """),
    ],
    "Policy": [
        ("probabilities passed as logits", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return Categorical(logits=self.net(obs).softmax(-1))
        """),
        ("ReLU instead of Tanh", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return Categorical(logits=self.net(obs))
        """),
        ("softmax over the batch axis", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return Categorical(probs=torch.softmax(self.net(obs), dim=0))
        """),
        ("sigmoid outputs passed as probs", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return Categorical(probs=torch.sigmoid(self.net(obs)))
        """),
        ("returns the logits, not a distribution", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return self.net(obs)
        """),
        ("default hidden 32", """
            class Policy(nn.Module):
                def __init__(self, obs_dim, n_actions, hidden=32):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions))
                def forward(self, obs):
                    return Categorical(logits=self.net(obs))
        """),
    ],
    "ValueNet": [
        ("flatten() turns one observation's value into shape (1,)", """
            class ValueNet(nn.Module):
                def __init__(self, obs_dim, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
                def forward(self, obs):
                    return self.net(obs).flatten()
        """),
        ("no squeeze: (batch, 1)", """
            class ValueNet(nn.Module):
                def __init__(self, obs_dim, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
                def forward(self, obs):
                    return self.net(obs)
        """),
        ("squeeze() drops a batch of one", """
            class ValueNet(nn.Module):
                def __init__(self, obs_dim, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
                def forward(self, obs):
                    return self.net(obs).squeeze()
        """),
        ("ReLU instead of Tanh", """
            class ValueNet(nn.Module):
                def __init__(self, obs_dim, hidden=64):
                    super().__init__()
                    self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))
                def forward(self, obs):
                    return self.net(obs).squeeze(-1)
        """),
    ],
    "sample_episode": [
        ("stops only at terminated", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset(seed=seed)
                O, A, R = [], [], []
                terminated = False
                while not terminated:
                    o = torch.as_tensor(obs, dtype=torch.float32)
                    with torch.no_grad():
                        a = int(torch.multinomial(policy(o).probs, 1, generator=generator).item())
                    obs, r, terminated, truncated, _ = env.step(a)
                    O.append(o); A.append(a); R.append(float(r))
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float32))
        """),
        ("stores the next observation (off by one)", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset(seed=seed)
                O, A, R = [], [], []
                done = False
                while not done:
                    o = torch.as_tensor(obs, dtype=torch.float32)
                    with torch.no_grad():
                        a = int(torch.multinomial(policy(o).probs, 1, generator=generator).item())
                    obs, r, te, tr, _ = env.step(a)
                    O.append(torch.as_tensor(obs, dtype=torch.float32)); A.append(a); R.append(float(r))
                    done = te or tr
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float32))
        """),
        ("ignores the seed", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset()
                O, A, R = [], [], []
                done = False
                while not done:
                    o = torch.as_tensor(obs, dtype=torch.float32)
                    with torch.no_grad():
                        a = int(torch.multinomial(policy(o).probs, 1, generator=generator).item())
                    obs, r, te, tr, _ = env.step(a)
                    O.append(o); A.append(a); R.append(float(r))
                    done = te or tr
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float32))
        """),
        ("samples without the generator", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset(seed=seed)
                O, A, R = [], [], []
                done = False
                torch.manual_seed(1234)
                while not done:
                    o = torch.as_tensor(obs, dtype=torch.float32)
                    with torch.no_grad():
                        a = int(policy(o).sample().item())
                    obs, r, te, tr, _ = env.step(a)
                    O.append(o); A.append(a); R.append(float(r))
                    done = te or tr
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float32))
        """),
        ("greedy actions (argmax)", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset(seed=seed)
                O, A, R = [], [], []
                done = False
                while not done:
                    o = torch.as_tensor(obs, dtype=torch.float32)
                    with torch.no_grad():
                        probs = policy(o).probs
                    torch.multinomial(probs, 1, generator=generator)
                    a = int(probs.argmax())
                    obs, r, te, tr, _ = env.step(a)
                    O.append(o); A.append(a); R.append(float(r))
                    done = te or tr
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float32))
        """),
        ("float64 observations and rewards", """
            def sample_episode(env, policy, generator, seed=None):
                obs, _ = env.reset(seed=seed)
                O, A, R = [], [], []
                done = False
                while not done:
                    o = torch.as_tensor(obs)
                    with torch.no_grad():
                        a = int(torch.multinomial(policy(o.float()).probs, 1, generator=generator).item())
                    obs, r, te, tr, _ = env.step(a)
                    O.append(o); A.append(a); R.append(float(r))
                    done = te or tr
                return Episode(torch.stack(O), torch.tensor(A), torch.tensor(R, dtype=torch.float64))
        """),
    ],
    "reinforce_loss": [
        ("mean over timesteps times the number of episodes", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                lp = policy(observations).log_prob(actions)
                return -(lp * weights.detach()).sum() / len(actions) * n_episodes
        """),
        ("sign flipped (gradient descent on the return)", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                return (policy(observations).log_prob(actions) * weights.detach()).sum() / n_episodes
        """),
        ("mean over timesteps", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                return -(policy(observations).log_prob(actions) * weights.detach()).mean()
        """),
        ("weights not detached", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                return -(policy(observations).log_prob(actions) * weights).sum() / n_episodes
        """),
        ("log-probabilities gathered along the batch axis", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                logp = policy(observations).logits
                return -(logp.gather(0, actions[:, None].expand(-1, logp.shape[1]))[:, 0] * weights.detach()).sum() / n_episodes
        """),
        ("log-probability of action 0 for every step", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                return -(policy(observations).logits[:, 0] * weights.detach()).sum() / n_episodes
        """),
        ("probabilities instead of log-probabilities", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                return -(policy(observations).probs.gather(1, actions[:, None])[:, 0] * weights.detach()).sum() / n_episodes
        """),
    ],
    "baseline_loss": [
        ("broadcast (T, 1) against (T,)", """
            def baseline_loss(value_net, observations, returns):
                return ((value_net(observations)[:, None] - returns.detach()) ** 2).mean()
        """),
        ("half the mean squared error", """
            def baseline_loss(value_net, observations, returns):
                return 0.5 * ((value_net(observations) - returns.detach()) ** 2).mean()
        """),
        ("sum instead of mean", """
            def baseline_loss(value_net, observations, returns):
                return ((value_net(observations) - returns.detach()) ** 2).sum()
        """),
        ("targets not detached", """
            def baseline_loss(value_net, observations, returns):
                return ((value_net(observations) - returns) ** 2).mean()
        """),
    ],
    "advantages": [
        ("not detached", """
            def advantages(value_net, observations, returns):
                return returns - value_net(observations)
        """),
        ("value minus return", """
            def advantages(value_net, observations, returns):
                with torch.no_grad():
                    return value_net(observations) - returns
        """),
        ("normalised", """
            def advantages(value_net, observations, returns):
                with torch.no_grad():
                    a = returns - value_net(observations)
                return (a - a.mean()) / (a.std(correction=0) + 1e-8)
        """),
    ],
    "policy_gradient_estimate": [
        ("gradient of the loss, not the ascent direction", """
            def policy_gradient_estimate(policy, observations, actions, weights, n_episodes):
                loss = reinforce_loss(policy, observations, actions, weights, n_episodes)
                return torch.cat([g.flatten() for g in torch.autograd.grad(loss, list(policy.parameters()))])
        """),
        ("backward leaves .grad set", """
            def policy_gradient_estimate(policy, observations, actions, weights, n_episodes):
                reinforce_loss(policy, observations, actions, weights, n_episodes).backward()
                return -torch.cat([p.grad.flatten() for p in policy.parameters()])
        """),
        ("parameters in reverse order", """
            def policy_gradient_estimate(policy, observations, actions, weights, n_episodes):
                loss = reinforce_loss(policy, observations, actions, weights, n_episodes)
                grads = torch.autograd.grad(loss, list(policy.parameters()))
                return -torch.cat([g.flatten() for g in reversed(grads)])
        """),
        ("transposed weight gradients", """
            def policy_gradient_estimate(policy, observations, actions, weights, n_episodes):
                loss = reinforce_loss(policy, observations, actions, weights, n_episodes)
                grads = torch.autograd.grad(loss, list(policy.parameters()))
                return -torch.cat([g.t().flatten() for g in grads])
        """),
    ],
    "estimator_variance": [
        ("torch.cov with batches as variables (wrong orientation)", """
            def estimator_variance(grads):
                return torch.trace(torch.cov(grads))
        """),
        ("population divisor n", """
            def estimator_variance(grads):
                return ((grads - grads.mean(0)) ** 2).sum() / grads.shape[0]
        """),
        ("variance across parameters within a batch", """
            def estimator_variance(grads):
                return grads.var(dim=1).sum()
        """),
        ("no centring (second moment)", """
            def estimator_variance(grads):
                return (grads ** 2).sum() / (grads.shape[0] - 1)
        """),
        ("mean of the variances instead of their sum", """
            def estimator_variance(grads):
                return grads.var(dim=0).mean()
        """),
    ],
    "train_step": [
        ("returns and values normalised separately", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([ep.observations for ep in episodes])
                acts = torch.cat([ep.actions for ep in episodes])
                G = torch.cat([reward_to_go(ep.rewards, gamma) for ep in episodes])
                A = normalise_advantages(G) - normalise_advantages(value_net(obs).detach())
                policy_opt.zero_grad(); value_opt.zero_grad()
                pl = -(policy(obs).log_prob(acts) * A).sum() / len(episodes)
                vl = ((value_net(obs) - G) ** 2).mean()
                (pl + vl).backward()
                policy_opt.step(); value_opt.step()
                return {"policy_loss": pl.item(), "value_loss": vl.item()}
        """),
        ("reward-to-go across episode boundaries", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = reward_to_go(torch.cat([e.rewards for e in episodes]), gamma)
                adv = normalise_advantages(advantages(value_net, obs, rtg))
                policy_opt.zero_grad()
                p = reinforce_loss(policy, obs, acts, adv, len(episodes)); p.backward(); policy_opt.step()
                value_opt.zero_grad()
                v = baseline_loss(value_net, obs, rtg); v.backward(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("no zero_grad: stale gradients added", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                adv = normalise_advantages(advantages(value_net, obs, rtg))
                p = reinforce_loss(policy, obs, acts, adv, len(episodes)); p.backward(); policy_opt.step()
                v = baseline_loss(value_net, obs, rtg); v.backward(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("baseline not detached, both zeroed first", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                adv = rtg - value_net(obs)
                adv = (adv - adv.mean()) / (adv.std(correction=0) + 1e-8)
                policy_opt.zero_grad(); value_opt.zero_grad()
                p = -(policy(obs).log_prob(acts) * adv).sum() / len(episodes)
                v = baseline_loss(value_net, obs, rtg)
                (p + v).backward()
                policy_opt.step(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("advantages after the value update", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                value_opt.zero_grad()
                v = baseline_loss(value_net, obs, rtg); v.backward(); value_opt.step()
                adv = normalise_advantages(advantages(value_net, obs, rtg))
                policy_opt.zero_grad()
                p = reinforce_loss(policy, obs, acts, adv, len(episodes)); p.backward(); policy_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("no advantage normalisation", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                adv = advantages(value_net, obs, rtg)
                policy_opt.zero_grad()
                p = reinforce_loss(policy, obs, acts, adv, len(episodes)); p.backward(); policy_opt.step()
                value_opt.zero_grad()
                v = baseline_loss(value_net, obs, rtg); v.backward(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("divides by the number of timesteps", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                adv = normalise_advantages(advantages(value_net, obs, rtg))
                policy_opt.zero_grad()
                p = reinforce_loss(policy, obs, acts, adv, len(obs)); p.backward(); policy_opt.step()
                value_opt.zero_grad()
                v = baseline_loss(value_net, obs, rtg); v.backward(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
        ("the total return as the target of the value network", """
            def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
                obs = torch.cat([e.observations for e in episodes])
                acts = torch.cat([e.actions for e in episodes])
                rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
                tot = torch.cat([discounted_return(e.rewards, gamma).expand(len(e.rewards)) for e in episodes])
                adv = normalise_advantages(advantages(value_net, obs, rtg))
                policy_opt.zero_grad()
                p = reinforce_loss(policy, obs, acts, adv, len(episodes)); p.backward(); policy_opt.step()
                value_opt.zero_grad()
                v = baseline_loss(value_net, obs, tot); v.backward(); value_opt.step()
                return {"policy_loss": p.item(), "value_loss": v.item()}
        """),
    ],
}

ALTERNATIVES = {
    "discounted_return": [
        ("backwards recursion", """
            def discounted_return(rewards, gamma=0.99):
                g = torch.zeros((), dtype=rewards.dtype)
                for r in reversed(rewards):
                    g = r + gamma * g
                return g
        """),
        ("torch.dot with a power vector", """
            def discounted_return(rewards, gamma=0.99):
                powers = torch.pow(torch.tensor(gamma, dtype=rewards.dtype), torch.arange(len(rewards)))
                return torch.dot(powers.to(rewards.dtype), rewards) if len(rewards) else rewards.sum()
        """),
    ],
    "reward_to_go": [
        ("discounted matrix of gamma**(k - t)", """
            def reward_to_go(rewards, gamma=0.99):
                T = len(rewards)
                k = torch.arange(T)
                lag = (k[None, :] - k[:, None]).to(rewards.dtype)
                mat = torch.where(lag >= 0, torch.tensor(gamma, dtype=rewards.dtype) ** lag.clamp(min=0),
                                  torch.zeros((), dtype=rewards.dtype))
                return mat @ rewards
        """),
        ("list, then a tensor", """
            def reward_to_go(rewards, gamma=0.99):
                out, g = [], 0.0
                for r in rewards.tolist()[::-1]:
                    g = r + gamma * g
                    out.append(g)
                return torch.tensor(out[::-1], dtype=rewards.dtype)
        """),
    ],
    "normalise_advantages": """
        def normalise_advantages(advantages, eps=1e-8):
            centred = advantages - advantages.mean()
            return centred / ((centred ** 2).mean().sqrt() + eps)
    """,
    "Policy": """
        class Policy(nn.Module):
            def __init__(self, obs_dim, n_actions, hidden=64):
                super().__init__()
                layers = [nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, n_actions)]
                self.net = nn.Sequential(*layers)
            def forward(self, obs):
                return Categorical(probs=torch.softmax(self.net(obs), dim=-1))
    """,
    "ValueNet": """
        class ValueNet(nn.Module):
            def __init__(self, obs_dim, hidden=64):
                super().__init__()
                self.net = nn.Sequential(nn.Linear(obs_dim, hidden), nn.Tanh(), nn.Linear(hidden, 1))
            def forward(self, obs):
                return self.net(obs)[..., 0]
    """,
    "sample_episode": """
        def sample_episode(env, policy, generator, seed=None):
            obs, _ = env.reset(seed=seed)
            steps = []
            while True:
                o = torch.tensor(obs, dtype=torch.float32)
                with torch.no_grad():
                    dist = policy(o[None])
                a = torch.multinomial(dist.probs[0], 1, generator=generator).item()
                obs, r, terminated, truncated, _ = env.step(a)
                steps.append((o, a, r))
                if terminated or truncated:
                    break
            o, a, r = zip(*steps)
            return Episode(torch.stack(o), torch.tensor(a), torch.tensor(r).float())
    """,
    "reinforce_loss": [
        ("log_softmax and integer indexing", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                logp = torch.log_softmax(policy(observations).logits, dim=-1)
                chosen = logp[torch.arange(len(actions)), actions]
                return -torch.dot(chosen, weights.detach()) / n_episodes
        """),
        ("mean over steps rescaled to a per-episode sum", """
            def reinforce_loss(policy, observations, actions, weights, n_episodes):
                lp = policy(observations).log_prob(actions)
                return -(lp * weights.detach()).mean() * len(actions) / n_episodes
        """),
    ],
    "baseline_loss": """
        def baseline_loss(value_net, observations, returns):
            return torch.nn.functional.mse_loss(value_net(observations), returns.detach())
    """,
    "advantages": """
        def advantages(value_net, observations, returns):
            return (returns - value_net(observations)).detach()
    """,
    "policy_gradient_estimate": """
        def policy_gradient_estimate(policy, observations, actions, weights, n_episodes):
            params = list(policy.parameters())
            objective = -reinforce_loss(policy, observations, actions, weights, n_episodes)
            return torch.nn.utils.parameters_to_vector(torch.autograd.grad(objective, params))
    """,
    "estimator_variance": [
        ("var per column, summed", """
            def estimator_variance(grads):
                return torch.var(grads, dim=0, correction=1).sum()
        """),
        ("trace of torch.cov of the transposed rows", """
            def estimator_variance(grads):
                return torch.trace(torch.atleast_2d(torch.cov(grads.T, correction=1)))
        """),
    ],
    "train_step": """
        def train_step(policy, value_net, policy_opt, value_opt, episodes, gamma=0.99):
            obs = torch.cat([e.observations for e in episodes])
            acts = torch.cat([e.actions for e in episodes])
            rtg = torch.cat([reward_to_go(e.rewards, gamma) for e in episodes])
            adv = normalise_advantages(advantages(value_net, obs, rtg))
            policy_opt.zero_grad()
            value_opt.zero_grad()
            p = reinforce_loss(policy, obs, acts, adv, len(episodes))
            v = baseline_loss(value_net, obs, rtg)
            (p + v).backward()
            policy_opt.step()
            value_opt.step()
            return {"policy_loss": p.item(), "value_loss": v.item()}
    """,
}

globals().update(make_tests("3.3", MUTANTS, alternatives=ALTERNATIVES))
