"""Checks for section 3.5 — RLHF and fine-tuning language models.

Most checks compare deterministic pieces with the reference on seeded tensors: log-probabilities
at the right positions, the SFT loss with masked prompts, the Bradley–Terry loss, masks, the KL
estimate and the REINFORCE loss with its gradient (including where gradient must NOT flow).
Two fixtures, made once before the checks fork: SmolLM2's tokenizer (for the chat template) and a
tiny randomly initialised Llama wrapped by ``peft`` with a non-zero LoRA adapter (so that a
"reference" computed with the adapter on differs from the real one). Inputs are built inside
the checks, never at import time.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from torch import Tensor, nn

from arena_check.reference import s3_5_rlhf as ref
from arena_check.registry import check, fixture
from arena_check.testing import (
    Case,
    CheckFailed,
    call,
    check_defaults,
    compare_to_reference,
    describe,
    expect_equal,
    expect_tensor,
    randint,
    randn,
)

SECTION = "3.5"


@fixture(SECTION)
def smollm2_tokenizer() -> Any:
    from arena_check.kit.models.smollm2 import load_tokenizer

    return load_tokenizer()


@fixture(SECTION)
def tiny_peft_llama() -> Any:
    """A 2-layer Llama (vocab 40, width 16) with a LoRA adapter on q and v whose B is non-zero."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    warnings.filterwarnings("ignore", category=FutureWarning, module="transformers")  # a peft/transformers deprecation
    config = LlamaConfig(vocab_size=40, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                         pad_token_id=0, bos_token_id=1, eos_token_id=2)
    base = LlamaForCausalLM(config).eval()
    model = get_peft_model(base, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"],
                                            lora_dropout=0.0))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name))) * 0.5)
    return model


def _expect_float(got: Any, want: float, *, context: str, hint: str, tol: float = 1e-6) -> None:
    if not isinstance(got, float):
        raise CheckFailed(f"For {context}: expected a Python float, got {describe(got)}. Hint: use `.item()`.")
    if abs(got - want) > tol:
        raise CheckFailed(f"For {context}: expected {want:.6g}, got {got:.6g}. Hint: {hint}")


# ------------------------------------------------------------------------------------------
# Part 1 · SFT
# ------------------------------------------------------------------------------------------
@check(SECTION, "tokenize_chat", points=2, timeout=20)
def check_tokenize_chat(tokenize_chat) -> None:
    """Exact ids and labels with SmolLM2's tokenizer: short and long answers, a custom system."""
    tok = smollm2_tokenizer()
    check_defaults(tokenize_chat, ref.tokenize_chat, name="tokenize_chat")
    cases = [
        ("prompt 'Name a colour.', response 'Teal.'", ("Name a colour.", "Teal."), {}),
        ("a two-sentence answer", ("How are you?", "Very well, thank you. And you?"), {}),
        ("system 'Be brief.', prompt 'Hi', response 'Hello!'", ("Hi", "Hello!"), {"system": "Be brief."}),
    ]
    for context, (prompt, response), kwargs in cases:
        got = call(tokenize_chat, tok, prompt, response, name="tokenize_chat", context=context, **kwargs)
        want_ids, want_labels = ref.tokenize_chat(tok, prompt, response, **kwargs)
        if not isinstance(got, tuple) or len(got) != 2:
            raise CheckFailed(f"For {context}: expected a tuple (input_ids, labels), got {describe(got)}.")
        ids, labels = got
        expect_tensor(ids, want_ids, context=f"{context}: input_ids", exact=True,
                      hint="apply the chat template to [system, user, assistant] with tokenize=False, then "
                      "tokenise with add_special_tokens=False (the template has its own special tokens).")
        if isinstance(labels, Tensor) and labels.shape == want_labels.shape:
            n_got, n_want = int((labels == ref.IGNORE).sum()), int((want_labels == ref.IGNORE).sum())
            if n_got != n_want:
                raise CheckFailed(
                    f"For {context}: {n_got} label positions are IGNORE, expected {n_want} (every token of the "
                    "prompt, up to and including the assistant header's last token, and nothing of the "
                    "response). Hint: mask exactly len(prompt_ids) positions, where prompt_ids tokenises the "
                    "template of [system, user] with add_generation_prompt=True."
                )
        expect_tensor(labels, want_labels, context=f"{context}: labels", exact=True,
                      hint="labels are a copy of input_ids with the prompt's positions set to IGNORE (-100); the "
                      "response and the closing <|im_end|> and newline stay targets.")


@check(SECTION, "token_log_probs", points=2)
def check_token_log_probs(token_log_probs) -> None:
    """Random logits (square and not), batch and length 1-2, huge logits, gradient."""
    cases: list[Case] = [
        ("logits (2, 5, 7), seed 0", (randn(2, 5, 7, seed=0), randint(7, 2, 5, seed=1))),
        ("logits (3, 4, 4) (T equals vocab), seed 2", (randn(3, 4, 4, seed=2), randint(4, 3, 4, seed=3))),
        ("batch 1, length 2, vocab 6", (randn(1, 2, 6, seed=4), randint(6, 1, 2, seed=5))),
        ("logits scaled by 1000 (log(softmax) underflows), seed 6",
         (1000 * randn(2, 3, 5, seed=6), randint(5, 2, 3, seed=7))),
        ("float64 logits (2, 3, 5)", (randn(2, 3, 5, seed=8, dtype=torch.float64), randint(5, 2, 3, seed=9))),
    ]
    compare_to_reference(
        token_log_probs, ref.token_log_probs, cases, name="token_log_probs",
        hint="the logits at position t predict token t+1: log_softmax(logits[:, :-1]) gathered at "
        "input_ids[:, 1:]. Use log_softmax, not log(softmax).",
    )
    logits = randn(2, 4, 5, seed=10).requires_grad_()
    out = call(token_log_probs, logits, randint(5, 2, 4, seed=11), name="token_log_probs",
               context="logits that require grad")
    if not isinstance(out, Tensor) or out.grad_fn is None:
        raise CheckFailed("For logits that require grad: the result has no autograd graph. Hint: no .detach(), "
                          "no torch.no_grad(): the policy's log-probabilities are trained through this function.")


def _labels(ids: Tensor, prompt_lens: list[int]) -> Tensor:
    labels = ids.clone()
    for b, n in enumerate(prompt_lens):
        labels[b, :n] = ref.IGNORE
    return labels


@check(SECTION, "sft_loss", points=2)
def check_sft_loss(sft_loss) -> None:
    """Prompts of different lengths per row (pooled mean), no mask, a one-target row."""
    ids0, ids1, ids2 = randint(6, 3, 7, seed=0), randint(5, 2, 5, seed=1), randint(9, 1, 4, seed=2)
    cases: list[Case] = [
        ("batch 3, length 7, prompts of 2, 4 and 5 tokens", (randn(3, 7, 6, seed=3), _labels(ids0, [2, 4, 5]))),
        ("batch 2, length 5, nothing masked", (randn(2, 5, 5, seed=4), ids1)),
        ("batch 1, length 4, only the last token a target", (randn(1, 4, 9, seed=5), _labels(ids2, [3]))),
        ("batch 2, length 5, prompts of 1 and 3 tokens, logits x 30",
         (30 * randn(2, 5, 5, seed=6), _labels(ids1, [1, 3]))),
    ]
    compare_to_reference(
        sft_loss, ref.sft_loss, cases, name="sft_loss",
        hint="shift by one: logits[:, :-1] are scored against labels[:, 1:]; skip IGNORE labels and average "
        "over all remaining targets of the batch together (F.cross_entropy with ignore_index=IGNORE).",
    )


@check(SECTION, "LoRALinear", points=2)
def check_lora_linear(LoRALinear) -> None:
    """Attributes and shapes, frozen base, zero start, the forward formula, gradients."""
    check_defaults(LoRALinear, ref.LoRALinear, name="LoRALinear")
    for r, alpha, (d_in, d_out) in [(2, 4.0, (5, 3)), (3, 3.0, (4, 4)), (1, 16.0, (6, 2))]:
        context = f"LoRALinear(nn.Linear({d_in}, {d_out}), r={r}, alpha={alpha})"
        torch.manual_seed(0)
        base = nn.Linear(d_in, d_out)
        layer = call(LoRALinear, base, r=r, alpha=alpha, name="LoRALinear", context=context)
        if not isinstance(layer, nn.Module):
            raise CheckFailed(f"For {context}: expected an nn.Module, got {describe(layer)}.")
        if getattr(layer, "base", None) is not base:
            raise CheckFailed(f"For {context}: `self.base` should be the nn.Linear you were given (the same object).")
        A, B = getattr(layer, "A", None), getattr(layer, "B", None)
        for pname, p, shape in [("A", A, (r, d_in)), ("B", B, (d_out, r))]:
            if not isinstance(p, nn.Parameter) or tuple(p.shape) != shape:
                raise CheckFailed(f"For {context}: `self.{pname}` should be an nn.Parameter of shape {shape}, "
                                  f"got {describe(p)}.")
        if bool((B != 0).any()):
            raise CheckFailed(f"For {context}: B should start at zero, so that the adapted layer starts exactly "
                              "at the pretrained one.")
        if bool((A == 0).all()):
            raise CheckFailed(f"For {context}: A is all zeros; with B = 0 too, no gradient would ever reach either. "
                              "Initialise A randomly.")
        scale = getattr(layer, "scale", None)
        if not isinstance(scale, int | float) or abs(scale - alpha / r) > 1e-9:
            raise CheckFailed(f"For {context}: `self.scale` should be alpha / r = {alpha / r}, got {scale!r}.")
        trainable = sorted(n for n, p in layer.named_parameters() if p.requires_grad)
        expect_equal(trainable, ["A", "B"], context=f"{context}: the names of the trainable parameters",
                     hint="freeze every parameter of base (requires_grad_(False)); only A and B train.")
        x = randn(2, 3, d_in, seed=1)
        with torch.no_grad():
            expect_tensor(layer(x), base(x), context=f"{context}, fresh (B = 0), input (2, 3, {d_in})",
                          hint="a fresh layer computes exactly base(x).")
            A.copy_(randn(r, d_in, seed=2))
            B.copy_(randn(d_out, r, seed=3))
        out = call(layer, x, name="LoRALinear.forward", context=f"{context}, input (2, 3, {d_in})")
        want = base(x) + alpha / r * x @ A.detach().T @ B.detach().T
        expect_tensor(out, want, context=f"{context} with A, B set to random values, input (2, 3, {d_in})",
                      hint="y = base(x) + (alpha / r) * x @ A.T @ B.T.")
        out.sum().backward()
        if A.grad is None or B.grad is None:
            raise CheckFailed(f"For {context}: after backward, A or B has no gradient. Hint: use the parameters "
                              "themselves in forward, not detached copies.")
        expect_tensor(B.grad, (alpha / r) * (x @ A.detach().T).reshape(-1, r).sum(0).expand(d_out, r),
                      context=f"{context}: the gradient of out.sum() with respect to B",
                      hint="y = base(x) + (alpha / r) * x @ A.T @ B.T.")


# ------------------------------------------------------------------------------------------
# Part 2 · reward model
# ------------------------------------------------------------------------------------------
@check(SECTION, "last_token_features", points=2)
def check_last_token_features(last_token_features) -> None:
    """Right, left and no padding; batch 1; T equal to d (a swapped axis keeps its shape)."""
    right = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    left = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1], [0, 0, 0, 1]])
    cases: list[Case] = [
        ("right padding, lengths 3, 5, 1, hidden (3, 5, 4)", (randn(3, 5, 4, seed=0), right)),
        ("left padding, hidden (3, 4, 4) (T equals d)", (randn(3, 4, 4, seed=1), left)),
        ("no padding, hidden (2, 3, 6)", (randn(2, 3, 6, seed=2), torch.ones(2, 3, dtype=torch.int64))),
        ("batch 1, length 1", (randn(1, 1, 3, seed=3), torch.ones(1, 1, dtype=torch.int64))),
        ("batch 3, T = d = 3, right padding, batch equal to T", (randn(3, 3, 3, seed=4),
                                                                  torch.tensor([[1, 1, 0], [1, 0, 0], [1, 1, 1]]))),
    ]
    compare_to_reference(
        last_token_features, ref.last_token_features, cases, name="last_token_features", exact=True,
        hint="each row's index is the position of the LAST 1 in its mask (not mask.sum() - 1, which is wrong "
        "with left padding, and not position T-1, which is padding); then hidden[arange(batch), index].",
    )


@check(SECTION, "bradley_terry_loss", points=2)
def check_bradley_terry_loss(bradley_terry_loss) -> None:
    """Random rewards, one pair, lopsided pairs, a huge negative margin, the gradients."""
    cases: list[Case] = [
        ("8 random pairs, seed 0", (randn(8, seed=0), randn(8, seed=1))),
        ("one pair r_chosen=2, r_rejected=-1", (torch.tensor([2.0]), torch.tensor([-1.0]))),
        ("pairs [3, 0] vs [0, 0] (one right, one tie)", (torch.tensor([3.0, 0.0]), torch.zeros(2))),
        ("a pair ranked wrong by 1000 (log(sigmoid) is -inf)", (torch.tensor([-1000.0, 1.0]), torch.tensor([0.0, 0.0]))),
        ("5 float64 pairs", (randn(5, seed=2, dtype=torch.float64), randn(5, seed=3, dtype=torch.float64))),
    ]
    hint = ("-logsigmoid(r_chosen - r_rejected), averaged over the pairs: chosen minus rejected (not the "
            "reverse), F.logsigmoid (stable), a mean (not a sum).")
    compare_to_reference(bradley_terry_loss, ref.bradley_terry_loss, cases, name="bradley_terry_loss", hint=hint)
    rc, rr = randn(4, seed=4).requires_grad_(), randn(4, seed=5).requires_grad_()
    got = call(bradley_terry_loss, rc, rr, name="bradley_terry_loss", context="4 pairs that require grad")
    if not isinstance(got, Tensor) or got.grad_fn is None:
        raise CheckFailed("For 4 pairs that require grad: the loss has no autograd graph. Hint: no .item(), no "
                          "detach: the reward model is trained through this loss.")
    g_c, g_r = torch.autograd.grad(got, [rc, rr], allow_unused=True)
    rc2, rr2 = rc.detach().clone().requires_grad_(), rr.detach().clone().requires_grad_()
    w_c, w_r = torch.autograd.grad(ref.bradley_terry_loss(rc2, rr2), [rc2, rr2])
    for label, g, w in [("r_chosen", g_c, w_c), ("r_rejected", g_r, w_r)]:
        if g is None:
            raise CheckFailed(f"For 4 pairs that require grad: no gradient reaches {label}. Hint: {hint}")
        expect_tensor(g, w, context=f"4 pairs that require grad: the gradient with respect to {label}", hint=hint)


@check(SECTION, "pairwise_accuracy", points=1)
def check_pairwise_accuracy(pairwise_accuracy) -> None:
    """A Python float; ties count half; all right, all wrong, mixed."""
    cases = [
        ("[3, 1, 2] vs [1, 2, 2] (right, wrong, tie)", torch.tensor([3.0, 1.0, 2.0]), torch.tensor([1.0, 2.0, 2.0])),
        ("4 pairs all ranked right", torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.zeros(4)),
        ("3 pairs all ranked wrong", torch.zeros(3), torch.ones(3)),
        ("5 ties (a constant reward)", torch.ones(5), torch.ones(5)),
        ("10 random pairs, seed 0", randn(10, seed=0), randn(10, seed=1)),
    ]
    for context, rc, rr in cases:
        got = call(pairwise_accuracy, rc, rr, name="pairwise_accuracy", context=context)
        _expect_float(got, ref.pairwise_accuracy(rc, rr), context=context,
                      hint="the mean over pairs of 1 if r_chosen > r_rejected, 0.5 on a tie, 0 otherwise.")


# ------------------------------------------------------------------------------------------
# Part 3 · RL pieces
# ------------------------------------------------------------------------------------------
@check(SECTION, "positive_word_reward", points=1)
def check_positive_word_reward(positive_word_reward) -> None:
    """Repeats, case, punctuation, words inside other words, the cap and its default, empty text."""
    words = frozenset({"good", "great", "happy"})
    texts = ["Good, GOOD and great!", "I am unhappy; not good-ish.", "", "goodness gracious",
             "happy happy happy happy happy", "Great. great? great! happy"]
    cases: list[Case] = [
        ("six texts, words {good, great, happy}, cap 4 (default)", (texts, words)),
        ("the same texts, cap 2", (texts, words), {"cap": 2}),
        ("the same texts, cap 1", (texts, words, 1)),
        ("one text, the page's POSITIVE_WORDS", (["What a wonderful, sunny, warm day. Joy!"], ref.POSITIVE_WORDS)),
    ]
    compare_to_reference(
        positive_word_reward, ref.positive_word_reward, cases, name="positive_word_reward", exact=True,
        hint="lowercase, split with re.findall(r'[a-z]+', ...), count the words in `words` (repeats count, "
        "'goodness' is not 'good'), then min(count, cap) as float32 (not divided by cap).",
    )


@check(SECTION, "response_mask", points=2)
def check_response_mask(response_mask) -> None:
    """EOS in the middle, first, last, twice, never; batch 1; another eos id."""
    ids = torch.tensor([[5, 6, 2, 7, 2], [2, 3, 3, 3, 3], [4, 4, 4, 4, 2], [3, 3, 3, 3, 3], [1, 2, 2, 2, 2]])
    cases: list[Case] = [
        ("5 rows, eos 2 in the middle / first / last / never / second", (ids, 2)),
        ("batch 1, length 1, the token is eos", (torch.tensor([[9]]), 9)),
        ("the same 5 rows with eos id 3", (ids, 3)),
        ("6 random rows of length 8 over 4 tokens, eos 0, seed 0", (randint(4, 6, 8, seed=0), 0)),
    ]
    compare_to_reference(
        response_mask, ref.response_mask, cases, name="response_mask", exact=True,
        hint="1.0 up to AND including the first eos of each row, 0.0 strictly after it; a row without eos is "
        "all ones; float32.",
    )


def _left_padded_batch() -> tuple[Tensor, Tensor]:
    ids = randint(40, 3, 6, seed=0, low=3)
    mask = torch.tensor([[0, 0, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1]])
    return ids.masked_fill(mask == 0, 0), mask


@check(SECTION, "reference_log_probs", points=2, timeout=20)
def check_reference_log_probs(reference_log_probs) -> None:
    """A tiny Llama with a non-zero LoRA adapter: adapter off, no graph, adapter back on after."""
    model = tiny_peft_llama()
    embedding = model.get_input_embeddings().weight
    # The fixture is shared (in a notebook, by every run of this check): start from a known state
    # and restore it, whatever the learner's function left behind.
    model.base_model.enable_adapter_layers()
    # peft freezes every base weight, so a graph would only show if one were trainable, as in a
    # full-model reference: make the embedding trainable for the duration of the check.
    embedding.requires_grad_(True)
    try:
        _check_reference_log_probs(reference_log_probs, model)
    finally:
        embedding.requires_grad_(False)
        model.base_model.enable_adapter_layers()


def _check_reference_log_probs(reference_log_probs: Any, model: Any) -> None:
    for context, (ids, mask) in [
        ("a tiny peft Llama, batch 3 left-padded to length 6", _left_padded_batch()),
        ("a tiny peft Llama, batch 1 of length 4, no padding",
         (randint(40, 1, 4, seed=1, low=3), torch.ones(1, 4, dtype=torch.int64))),
    ]:
        with torch.no_grad():
            policy_before = ref.token_log_probs(ref.forward_logits(model, ids, mask), ids)
        want = ref.reference_log_probs(model, ids, mask)
        got = call(reference_log_probs, model, ids, mask, name="reference_log_probs", context=context)
        if isinstance(got, Tensor) and got.shape == want.shape and torch.allclose(got.detach(), policy_before, atol=1e-5):
            raise CheckFailed(f"For {context}: these are the log-probabilities of the POLICY (adapter on). The "
                              "reference is the pretrained model: wrap the forward pass in "
                              "`with model.disable_adapter():`.")
        expect_tensor(got, want, context=context,
                      hint="token_log_probs(forward_logits(model, ids, mask), ids) inside `with torch.no_grad(), "
                      "model.disable_adapter():` (forward_logits passes the positions left padding needs).")
        if got.requires_grad or got.grad_fn is not None:
            raise CheckFailed(f"For {context}: the reference log-probabilities carry an autograd graph. The "
                              "reference is frozen: compute them under torch.no_grad() (or detach them).")
        with torch.no_grad():
            policy_after = ref.token_log_probs(ref.forward_logits(model, ids, mask), ids)
        if not torch.allclose(policy_after, policy_before):
            raise CheckFailed(f"For {context}: after your function returned, the model's adapter is still "
                              "disabled, so training would update a switched-off adapter. Hint: use the context "
                              "manager `with model.disable_adapter():`, which switches it back on.")


@check(SECTION, "per_token_kl", points=2)
def check_per_token_kl(per_token_kl) -> None:
    """Random log-probs, masks with zeros, float64."""
    mask = torch.tensor([[1.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    cases: list[Case] = [
        ("batch 3, length 4 with a padded mask, seed 0",
         (-randn(3, 4, seed=0).abs(), -randn(3, 4, seed=1).abs(), mask)),
        ("batch 1, length 1, mask 1", (torch.tensor([[-0.5]]), torch.tensor([[-2.0]]), torch.ones(1, 1))),
        ("batch 2, length 3, float64, all ones mask",
         (-randn(2, 3, seed=2, dtype=torch.float64).abs(), -randn(2, 3, seed=3, dtype=torch.float64).abs(),
          torch.ones(2, 3, dtype=torch.float64))),
    ]
    compare_to_reference(
        per_token_kl, ref.per_token_kl, cases, name="per_token_kl",
        hint="KL(policy || reference) is estimated by log pi_policy - log pi_reference (policy MINUS "
        "reference) on the sampled tokens, times the mask.",
    )


@check(SECTION, "MovingBaseline", points=1)
def check_moving_baseline(MovingBaseline) -> None:
    """None at first, the first mean, then the average; the default decay; floats, not tensors."""
    check_defaults(MovingBaseline, ref.MovingBaseline, name="MovingBaseline")
    for context, kwargs, batches in [
        ("MovingBaseline(decay=0.5), rewards [1, 3], then [0, 0], then [4]", {"decay": 0.5},
         [torch.tensor([1.0, 3.0]), torch.zeros(2), torch.tensor([4.0])]),
        ("MovingBaseline() (default decay), 4 random batches of 8", {}, [randn(8, seed=s) for s in range(4)]),
        ("MovingBaseline(decay=0.0), 2 batches (follows the last mean)", {"decay": 0.0},
         [torch.tensor([2.0, 4.0]), torch.tensor([-1.0])]),
    ]:
        mine = call(MovingBaseline, name="MovingBaseline", context=context, **kwargs)
        theirs = ref.MovingBaseline(**kwargs)
        if getattr(mine, "value", "missing") is not None:
            raise CheckFailed(f"For {context}: `value` should be None before the first update, got "
                              f"{getattr(mine, 'value', 'no attribute')!r}.")
        for i, rewards in enumerate(batches):
            r = rewards.clone().requires_grad_()
            got = call(mine.update, r, name="MovingBaseline.update", context=f"{context}, update {i + 1}")
            want = theirs.update(rewards)
            hint = ("the first update sets value to the batch mean; later ones value = decay * value + "
                    "(1 - decay) * mean(rewards). Return and store a Python float (.item()).")
            _expect_float(got, want, context=f"{context}, the value returned by update {i + 1}", hint=hint, tol=1e-5)
            _expect_float(mine.value, want, context=f"{context}, `value` after update {i + 1}", hint=hint, tol=1e-5)


def _rl_inputs(seed: int, batch: int, length: int) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    logp = -randn(batch, length, seed=seed).abs() - 0.1
    ref_logp = -randn(batch, length, seed=seed + 1).abs() - 0.1
    lengths = randint(length, batch, seed=seed + 2) + 1
    mask = (torch.arange(length)[None] < lengths[:, None]).float()
    scores = torch.rand(batch, generator=torch.Generator().manual_seed(seed + 3))
    return logp, ref_logp, mask, scores


RLHF_HINT = ("A_b = scores[b] - beta * sum_t mask * (logp - ref_logp) - baseline, detached; loss = "
             "-mean_b(A_b * sum_t mask[b, t] * logp[b, t]). Policy minus reference in the KL, minus sign in "
             "front, mask on the log-probabilities too.")


@check(SECTION, "rlhf_loss", points=3)
def check_rlhf_loss(rlhf_loss) -> None:
    """Values on several batches, the default beta, a tensor baseline; gradients reach logp only."""
    check_defaults(rlhf_loss, ref.rlhf_loss, name="rlhf_loss")
    cases: list[Case] = []
    for seed, (batch, length), baseline, beta in [(0, (4, 5), 0.3, 0.5), (10, (3, 3), -0.2, 2.0),
                                                  (20, (1, 4), 0.0, 0.1), (30, (5, 6), 1.0, 1.0)]:
        cases.append((f"batch {batch}, length {length}, baseline {baseline}, beta {beta}, seed {seed}",
                      (*_rl_inputs(seed, batch, length), baseline, beta)))
    cases.append(("batch 4, length 5, baseline 0.3, the default beta", (*_rl_inputs(40, 4, 5), 0.3)))
    cases.append(("batch 3, length 4, baseline as a 0-dim tensor 0.5, beta 1",
                  (*_rl_inputs(50, 3, 4), torch.tensor(0.5), 1.0)))
    compare_to_reference(rlhf_loss, ref.rlhf_loss, cases, name="rlhf_loss", hint=RLHF_HINT, defaults=False)
    for seed, beta in [(60, 1.0), (70, 0.3)]:
        context = f"batch 4, length 5, beta {beta}, every input requiring grad, seed {seed}"
        logp, ref_logp, mask, scores = _rl_inputs(seed, 4, 5)
        leaves = {"logp": logp.clone().requires_grad_(), "ref_logp": ref_logp.clone().requires_grad_(),
                  "scores": scores.clone().requires_grad_(), "baseline": torch.tensor(0.4, requires_grad=True)}
        got = call(rlhf_loss, leaves["logp"], leaves["ref_logp"], mask, leaves["scores"], leaves["baseline"], beta,
                   name="rlhf_loss", context=context)
        if not isinstance(got, Tensor) or got.grad_fn is None:
            raise CheckFailed(f"For {context}: the loss has no autograd graph. Hint: {RLHF_HINT}")
        grads = dict(zip(leaves, torch.autograd.grad(got, list(leaves.values()), allow_unused=True), strict=True))
        for name, why in [("ref_logp", "the reference is frozen"), ("baseline", "the baseline is a constant"),
                          ("scores", "the reward is a constant"), ]:
            g = grads[name]
            if g is not None and bool((g != 0).any()):
                raise CheckFailed(f"For {context}: gradient flows from your loss into `{name}` ({why}). Detach the "
                                  f"whole advantage: (scores - beta * kl - baseline).detach().")
        lp = logp.clone().requires_grad_()
        (want,) = torch.autograd.grad(ref.rlhf_loss(lp, ref_logp, mask, scores, 0.4, beta), [lp])
        if grads["logp"] is None:
            raise CheckFailed(f"For {context}: no gradient reaches `logp`. Hint: {RLHF_HINT}")
        expect_tensor(grads["logp"], want, context=f"{context}: the gradient with respect to logp",
                      hint="the gradient is -A_b * mask[b, t] / batch, with A_b a constant: no gradient through "
                      "the KL inside the advantage (it reaches the policy through the score function).")
