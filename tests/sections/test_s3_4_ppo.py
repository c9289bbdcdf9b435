"""Section 3.4: the checks pass the reference and reject the stub and plausible PPO bugs."""

from section_harness import make_tests

_AGENT_TEMPLATE = """
    class Agent(nn.Module):
        def __init__(self, obs_dim, n_actions, hidden=64):
            super().__init__()
            self.critic = nn.Sequential(
                layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
                layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
                layer_init(nn.Linear(hidden, 1), std=CRITIC_STD),
            )
            self.actor = nn.Sequential(
                layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
                layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
                layer_init(nn.Linear(hidden, n_actions), std=ACTOR_STD),
            )

        def get_value(self, obs):
            return VALUE

        def get_action_and_value(self, obs, action=None):
            dist = DIST
            if action is None:
                action = SAMPLE
            return action, dist.log_prob(action), ENTROPY, self.get_value(obs)
"""


def _agent(**subs: str) -> str:
    defaults = {
        "CRITIC_STD": "1.0", "ACTOR_STD": "0.01", "VALUE": "self.critic(obs).squeeze(-1)",
        "DIST": "Categorical(logits=self.actor(obs))", "SAMPLE": "dist.sample()", "ENTROPY": "dist.entropy()",
    }
    defaults.update(subs)
    src = _AGENT_TEMPLATE
    for key, value in defaults.items():
        src = src.replace(key, value)
    return src


_ROLLOUT_REF = """
    def collect_rollout(envs, agent, obs, prev_done, n_steps):
        n_envs = obs.shape[0]
        shape = (n_steps, n_envs)
        obs_buf = torch.zeros(*shape, obs.shape[-1])
        actions = torch.zeros(shape, dtype=torch.long)
        logprobs = torch.zeros(shape)
        rewards = torch.zeros(shape)
        values = torch.zeros(n_steps + 1, n_envs)
        terminated = torch.zeros(shape, dtype=torch.bool)
        truncated = torch.zeros(shape, dtype=torch.bool)
        valid = torch.zeros(shape, dtype=torch.bool)
        for t in range(n_steps):
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(obs)
            next_obs, reward, term, trunc, _ = envs.step(action.numpy())
            OBS_STORE
            actions[t], logprobs[t], values[t] = action, logprob, value
            rewards[t] = torch.as_tensor(reward, dtype=torch.float32)
            VALID
            terminated[t] = torch.as_tensor(term) & MASK
            truncated[t] = torch.as_tensor(trunc) & MASK
            PREV_DONE
            obs = torch.as_tensor(next_obs, dtype=torch.float32)
        with torch.no_grad():
            values[n_steps] = BOOT
        return Rollout(obs_buf, actions, logprobs, rewards, values, terminated, truncated, valid), obs, prev_done
"""


def _rollout(**subs: str) -> str:
    defaults = {
        "OBS_STORE": "obs_buf[t] = obs", "VALID": "valid[t] = ~prev_done", "MASK": "valid[t]",
        "PREV_DONE": "prev_done = terminated[t] | truncated[t]", "BOOT": "agent.get_value(obs)",
    }
    defaults.update(subs)
    src = _ROLLOUT_REF
    for key, value in defaults.items():
        src = src.replace(key, value)
    return src


_GAE = """
    def compute_gae(rewards, values, terminated, truncated, gamma=0.99, lam=0.95):
        adv = torch.zeros_like(rewards)
        last = torch.zeros_like(rewards[0])
        T = rewards.shape[0]
        for t in reversed(range(T)):
            DELTA
            last = delta + gamma * lam * CONT * last
            adv[t] = last
        return adv
"""


def _gae(delta: str = "delta = rewards[t] + gamma * values[t + 1] * (~terminated[t]) - values[t]",
         cont: str = "(~(terminated[t] | truncated[t]))") -> str:
    return _GAE.replace("DELTA", delta).replace("CONT", cont)


MUTANTS = {
    "layer_init": [
        ("xavier instead of orthogonal", """
            def layer_init(layer, std=math.sqrt(2), bias=0.0):
                nn.init.xavier_normal_(layer.weight, std)
                nn.init.constant_(layer.bias, bias)
                return layer
        """),
        ("gain ignored", """
            def layer_init(layer, std=math.sqrt(2), bias=0.0):
                nn.init.orthogonal_(layer.weight)
                nn.init.constant_(layer.bias, bias)
                return layer
        """),
        ("bias left at PyTorch's default", """
            def layer_init(layer, std=math.sqrt(2), bias=0.0):
                nn.init.orthogonal_(layer.weight, std)
                return layer
        """),
        ("default std 1", """
            def layer_init(layer, std=1.0, bias=0.0):
                nn.init.orthogonal_(layer.weight, std)
                nn.init.constant_(layer.bias, bias)
                return layer
        """),
        ("returns a new layer", """
            def layer_init(layer, std=math.sqrt(2), bias=0.0):
                new = nn.Linear(layer.in_features, layer.out_features)
                nn.init.orthogonal_(new.weight, std)
                nn.init.constant_(new.bias, bias)
                return new
        """),
    ],
    "Agent": [
        ("actor head with gain √2", _agent(ACTOR_STD="math.sqrt(2)")),
        ("critic head with gain 0.01", _agent(CRITIC_STD="0.01")),
        ("value not squeezed: shape (batch, 1)", _agent(VALUE="self.critic(obs)")),
        ("logits passed as probs", _agent(DIST="Categorical(probs=self.actor(obs).softmax(-1).pow(2))")),
        ("greedy action instead of a sample", _agent(SAMPLE="dist.logits.argmax(-1)")),
        ("entropy sign flipped", _agent(ENTROPY="-dist.entropy()")),
        ("mean entropy instead of per-row", _agent(ENTROPY="dist.entropy().mean()")),
        ("value computed under no_grad", _agent(VALUE="self.critic(obs).squeeze(-1).detach()")),
    ],
    "collect_rollout": [
        ("stores the next observation", _rollout(OBS_STORE="obs_buf[t] = torch.as_tensor(next_obs, dtype=torch.float32)")),
        ("autoreset steps counted as valid", _rollout(VALID="valid[t] = torch.ones_like(prev_done)")),
        ("prev_done never updated", _rollout(PREV_DONE="pass")),
        ("prev_done only on termination", _rollout(PREV_DONE="prev_done = terminated[t]")),
        ("bootstrap value zero", _rollout(BOOT="torch.zeros(obs.shape[0])")),
        ("bootstrap value from the last stored observation",
         _rollout(BOOT="agent.get_value(obs_buf[-1])")),
    ],
    "compute_gae": [
        ("done flag of row t+1 (off by one)",
         _gae(cont="(~(terminated[t + 1] | truncated[t + 1]) if t + 1 < T else 1.0)")),
        ("truncation treated as termination",
         _gae(delta="delta = rewards[t] + gamma * values[t + 1] * (~(terminated[t] | truncated[t])) - values[t]")),
        ("recursion does not stop at truncation", _gae(cont="(~terminated[t])")),
        ("recursion never stops", _gae(cont="1.0")),
        ("bootstraps after a terminal", _gae(delta="delta = rewards[t] + gamma * values[t + 1] - values[t]")),
        ("γ missing from the recursion", _gae(cont="(~(terminated[t] | truncated[t])) / gamma")),
        ("values[t+1] and values[t] swapped",
         _gae(delta="delta = rewards[t] + gamma * values[t] * (~terminated[t]) - values[t + 1]")),
        ("default λ 1", _gae().replace("lam=0.95", "lam=1.0")),
        ("float32 result for float64 input", _gae().replace("adv = torch.zeros_like(rewards)",
                                                            "adv = torch.zeros(rewards.shape)")),
    ],
    "returns_from_advantages": [
        ("values[1:] added", """
            def returns_from_advantages(advantages, values):
                return advantages + values[1:]
        """),
        ("advantages minus values", """
            def returns_from_advantages(advantages, values):
                return advantages - values[:-1]
        """),
    ],
    "ppo_clip_loss": [
        ("ratio exp(old − new)", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (old_logprobs - new_logprobs).exp()
                return -torch.min(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("clipped term only (no minimum)", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return -(ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("maximum instead of minimum", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return -torch.max(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("sign flipped (returns the objective)", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return torch.min(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("biased std in the normalisation", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std(unbiased=False) + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return -torch.min(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("normalisation ignores the flag", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return -torch.min(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("no centring, only scaling", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = advantages / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                return -torch.min(ratio * advantages, ratio.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean()
        """),
        ("the ratio detached (no gradient)", """
            def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
                if normalise:
                    advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
                ratio = (new_logprobs - old_logprobs).exp()
                r = ratio.detach()
                return -torch.min(r * advantages, r.clamp(1 - clip_coef, 1 + clip_coef) * advantages).mean() + 0 * ratio.sum()
        """),
    ],
    "value_loss": [
        ("no factor 0.5", """
            def value_loss(new_values, old_values, returns, clip_coef=None):
                return ((new_values - returns) ** 2).mean()
        """),
        ("clipped version uses the minimum", """
            def value_loss(new_values, old_values, returns, clip_coef=None):
                err = (new_values - returns) ** 2
                if clip_coef is None:
                    return 0.5 * err.mean()
                clipped = old_values + (new_values - old_values).clamp(-clip_coef, clip_coef)
                return 0.5 * torch.min(err, (clipped - returns) ** 2).mean()
        """),
        ("clip ignored", """
            def value_loss(new_values, old_values, returns, clip_coef=None):
                return 0.5 * ((new_values - returns) ** 2).mean()
        """),
        ("clipped value around the returns", """
            def value_loss(new_values, old_values, returns, clip_coef=None):
                err = (new_values - returns) ** 2
                if clip_coef is None:
                    return 0.5 * err.mean()
                clipped = returns + (new_values - returns).clamp(-clip_coef, clip_coef)
                return 0.5 * torch.max(err, (clipped - returns) ** 2).mean()
        """),
    ],
    "entropy_bonus": [
        ("naive softmax().log()", """
            def entropy_bonus(logits):
                p = logits.softmax(-1)
                return -(p * p.log()).sum(-1).mean()
        """),
        ("sign flipped", """
            def entropy_bonus(logits):
                log_p = logits.log_softmax(-1)
                return (log_p.exp() * log_p).sum(-1).mean()
        """),
        ("summed over the batch", """
            def entropy_bonus(logits):
                log_p = logits.log_softmax(-1)
                return -(log_p.exp() * log_p).sum()
        """),
        ("softmax over the batch axis", """
            def entropy_bonus(logits):
                log_p = logits.log_softmax(0)
                return -(log_p.exp() * log_p).sum(0).mean()
        """),
    ],
    "approx_kl": [
        ("log-ratio old − new", """
            def approx_kl(new_logprobs, old_logprobs):
                lr = old_logprobs - new_logprobs
                return ((lr.exp() - 1) - lr).mean()
        """),
        ("k1 estimator with the wrong sign", """
            def approx_kl(new_logprobs, old_logprobs):
                return (new_logprobs - old_logprobs).mean()
        """),
        ("k3 with the sign of the log term flipped", """
            def approx_kl(new_logprobs, old_logprobs):
                lr = new_logprobs - old_logprobs
                return ((lr.exp() - 1) + lr).mean()
        """),
    ],
    "clip_fraction": [
        ("only the upper side", """
            def clip_fraction(new_logprobs, old_logprobs, clip_coef=0.2):
                ratio = (new_logprobs - old_logprobs).exp()
                return (ratio > 1 + clip_coef).float().mean()
        """),
        ("log-ratio compared with clip_coef", """
            def clip_fraction(new_logprobs, old_logprobs, clip_coef=0.2):
                return ((new_logprobs - old_logprobs).abs() > clip_coef).float().mean()
        """),
        ("count instead of fraction", """
            def clip_fraction(new_logprobs, old_logprobs, clip_coef=0.2):
                ratio = (new_logprobs - old_logprobs).exp()
                return ((ratio - 1).abs() > clip_coef).float().sum()
        """),
    ],
    "explained_variance": [
        ("variance of the values in the denominator", """
            def explained_variance(values, returns):
                var = values.var()
                if var == 0:
                    return float("nan")
                return float(1 - (returns - values).var() / var)
        """),
        ("ratio of variances (no errors)", """
            def explained_variance(values, returns):
                var = returns.var()
                if var == 0:
                    return float("nan")
                return float(values.var() / var)
        """),
        ("returns a tensor", """
            def explained_variance(values, returns):
                var = returns.var()
                if var == 0:
                    return float("nan")
                return 1 - (returns - values).var() / var
        """),
        ("mean squared error instead of variance", """
            def explained_variance(values, returns):
                var = returns.var()
                if var == 0:
                    return float("nan")
                return float(1 - ((returns - values) ** 2).mean() / var)
        """),
        ("0 instead of NaN for constant returns", """
            def explained_variance(values, returns):
                var = returns.var()
                if var == 0:
                    return 0.0
                return float(1 - (returns - values).var() / var)
        """),
    ],
    "minibatch_indices": [
        ("no shuffle", """
            def minibatch_indices(batch_size, minibatch_size, generator):
                return list(torch.arange(batch_size).split(minibatch_size))
        """),
        ("global RNG instead of the generator", """
            def minibatch_indices(batch_size, minibatch_size, generator):
                return list(torch.randperm(batch_size).split(minibatch_size))
        """),
        ("a fresh generator each call", """
            def minibatch_indices(batch_size, minibatch_size, generator):
                g = torch.Generator().manual_seed(generator.initial_seed())
                return list(torch.randperm(batch_size, generator=g).split(minibatch_size))
        """),
        ("the short last chunk dropped", """
            def minibatch_indices(batch_size, minibatch_size, generator):
                perm = torch.randperm(batch_size, generator=generator)
                return [perm[i:i + minibatch_size] for i in range(0, batch_size - minibatch_size + 1, minibatch_size)]
        """),
    ],
    "linear_lr": [
        ("off by one: zero at the last update", """
            def linear_lr(update, n_updates, lr0):
                return lr0 * (1 - (update + 1) / n_updates)
        """),
        ("divides by n_updates − 1", """
            def linear_lr(update, n_updates, lr0):
                return lr0 * (1 - update / max(n_updates - 1, 1))
        """),
        ("no annealing", """
            def linear_lr(update, n_updates, lr0):
                return lr0
        """),
    ],
}

ALTERNATIVES = {
    "layer_init": """
        def layer_init(layer, std=math.sqrt(2), bias=0.0):
            with torch.no_grad():
                w = torch.empty_like(layer.weight)
                torch.nn.init.orthogonal_(w)
                layer.weight.copy_(w * std)
                layer.bias.fill_(bias)
            return layer
    """,
    "Agent": """
        class Agent(nn.Module):
            def __init__(self, obs_dim, n_actions, hidden=64):
                super().__init__()
                def mlp(out, last_std):
                    return nn.Sequential(
                        layer_init(nn.Linear(obs_dim, hidden)), nn.Tanh(),
                        layer_init(nn.Linear(hidden, hidden)), nn.Tanh(),
                        layer_init(nn.Linear(hidden, out), std=last_std),
                    )
                self.actor = mlp(n_actions, 0.01)
                self.critic = mlp(1, 1.0)

            def get_value(self, obs):
                return self.critic(obs)[:, 0]

            def get_action_and_value(self, obs, action=None):
                logp_all = self.actor(obs).log_softmax(-1)
                if action is None:
                    action = torch.multinomial(logp_all.exp(), 1).squeeze(-1)
                logp = logp_all.gather(-1, action[:, None]).squeeze(-1)
                entropy = -(logp_all.exp() * logp_all).sum(-1)
                return action, logp, entropy, self.get_value(obs)
    """,
    "collect_rollout": """
        def collect_rollout(envs, agent, obs, prev_done, n_steps):
            rows = []
            for _ in range(n_steps):
                with torch.no_grad():
                    action, logprob, _, value = agent.get_action_and_value(obs)
                next_obs, reward, term, trunc, _ = envs.step(action.numpy())
                ok = ~prev_done
                term_t = torch.from_numpy(np.asarray(term)) & ok
                trunc_t = torch.from_numpy(np.asarray(trunc)) & ok
                rows.append((obs, action, logprob, torch.tensor(reward, dtype=torch.float32), value, term_t, trunc_t, ok))
                prev_done = term_t | trunc_t
                obs = torch.tensor(next_obs, dtype=torch.float32)
            with torch.no_grad():
                last_value = agent.get_value(obs)
            cols = list(zip(*rows))
            stacked = [torch.stack(c) for c in cols]
            values = torch.cat([stacked[4], last_value[None]])
            ro = Rollout(stacked[0], stacked[1].long(), stacked[2], stacked[3], values, stacked[5], stacked[6], stacked[7])
            return ro, obs, prev_done
    """,
    "compute_gae": """
        def compute_gae(rewards, values, terminated, truncated, gamma=0.99, lam=0.95):
            T = rewards.shape[0]
            not_term = (~terminated).to(rewards.dtype)
            cont = (~(terminated | truncated)).to(rewards.dtype)
            deltas = rewards + gamma * values[1:] * not_term - values[:-1]
            out = []
            running = torch.zeros_like(deltas[0])
            for t in range(T - 1, -1, -1):
                running = deltas[t] + gamma * lam * cont[t] * running
                out.append(running)
            return torch.stack(out[::-1])
    """,
    "returns_from_advantages": """
        def returns_from_advantages(advantages, values):
            return values[: advantages.shape[0]] + advantages
    """,
    "ppo_clip_loss": """
        def ppo_clip_loss(new_logprobs, old_logprobs, advantages, clip_coef=0.2, normalise=True):
            a = advantages
            if normalise:
                a = (a - a.mean()) / (a.var().sqrt() + 1e-8)
            ratio = torch.exp(new_logprobs - old_logprobs)
            surrogate = torch.where(a >= 0, torch.minimum(ratio, torch.tensor(1 + clip_coef)) * a,
                                    torch.maximum(ratio, torch.tensor(1 - clip_coef)) * a)
            return -surrogate.mean()
    """,
    "value_loss": """
        def value_loss(new_values, old_values, returns, clip_coef=None):
            if clip_coef is not None:
                v_clip = torch.clamp(new_values, old_values - clip_coef, old_values + clip_coef)
                return torch.maximum((new_values - returns).pow(2), (v_clip - returns).pow(2)).mean() / 2
            return torch.nn.functional.mse_loss(new_values, returns) / 2
    """,
    "entropy_bonus": """
        def entropy_bonus(logits):
            return Categorical(logits=logits).entropy().mean()
    """,
    "approx_kl": """
        def approx_kl(new_logprobs, old_logprobs):
            ratio = torch.exp(new_logprobs - old_logprobs)
            return (ratio - 1 - torch.log(ratio)).mean()
    """,
    "clip_fraction": """
        def clip_fraction(new_logprobs, old_logprobs, clip_coef=0.2):
            ratio = torch.exp(new_logprobs - old_logprobs)
            outside = (ratio > 1 + clip_coef) | (ratio < 1 - clip_coef)
            return outside.to(torch.float32).mean()
    """,
    "explained_variance": """
        def explained_variance(values, returns):
            v = returns.var(unbiased=False).item()
            if v == 0:
                return math.nan
            return 1.0 - (returns - values).var(unbiased=False).item() / v
    """,
    "minibatch_indices": """
        def minibatch_indices(batch_size, minibatch_size, generator):
            perm = torch.randperm(batch_size, generator=generator)
            return [perm[i:i + minibatch_size] for i in range(0, batch_size, minibatch_size)]
    """,
    "linear_lr": """
        def linear_lr(update, n_updates, lr0):
            frac = (n_updates - update) / n_updates
            return frac * lr0
    """,
}

globals().update(make_tests("3.4", MUTANTS, alternatives=ALTERNATIVES))
