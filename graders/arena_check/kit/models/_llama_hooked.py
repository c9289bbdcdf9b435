"""A Hugging Face Llama model → an equivalent TransformerLens ``HookedTransformer``, offline.

TransformerLens builds this itself only from a hub name (``from_pretrained("...")``), which needs
the network. Here the config is read field by field from the local ``LlamaConfig`` and the weights
go through TransformerLens's own ``convert_llama_weights``. The architecture: RMSNorm before each
sublayer and at the end, rotary position embeddings on queries and keys (no learned positions),
a gated SiLU MLP, and grouped-query attention (several query heads share one key/value head).

Folding RMSNorm: ``RMSNorm(x) @ W = (x / rms(x)) @ (diag(w) W)``, so each norm's weight ``w`` can be
multiplied into the matrices that read the normalised vector and the norm becomes weightless
(``RMSPre``). Logits are unchanged. TransformerLens's ``load_and_process_state_dict`` does the same
but loads the 600 tensors one ``load_state_dict`` call at a time, which takes ~10 s for SmolLM2;
folding the handful of matrices here and loading once takes well under a second.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
from jaxtyping import Float
from torch import Tensor
from transformer_lens import HookedTransformer, HookedTransformerConfig
from transformer_lens.pretrained.weight_conversions.llama import convert_llama_weights


def rope_theta(hf_config: Any) -> float:
    """The rotary base. transformers 5 keeps it in ``rope_parameters``; 4.x had ``rope_theta``."""
    params = getattr(hf_config, "rope_parameters", None)
    if isinstance(params, dict) and "rope_theta" in params:
        if params.get("rope_type", "default") != "default":
            raise ValueError(
                f"rope scaling {params['rope_type']!r} is not supported here; "
                "only plain rotary embeddings map onto TransformerLens's rotary_base."
            )
        return float(params["rope_theta"])
    return float(hf_config.rope_theta)


def hooked_config_from_llama(
    hf_config: Any,
    *,
    n_ctx: int | None = None,
    dtype: torch.dtype = torch.float32,
    model_name: str = "llama",
) -> HookedTransformerConfig:
    """Translate a ``LlamaConfig`` into the equivalent ``HookedTransformerConfig``.

    ``n_ctx`` may cap the context (each layer keeps ``n_ctx × d_head`` rotary tables); by default
    the checkpoint's full ``max_position_embeddings`` is kept.
    """
    n_heads = hf_config.num_attention_heads
    d_head = getattr(hf_config, "head_dim", None) or hf_config.hidden_size // n_heads
    n_kv = hf_config.num_key_value_heads
    if getattr(hf_config, "attention_bias", False) or getattr(hf_config, "mlp_bias", False):
        raise ValueError("this Llama checkpoint has biases; convert_llama_weights assumes none.")
    return HookedTransformerConfig(
        model_name=model_name,
        n_layers=hf_config.num_hidden_layers,
        d_model=hf_config.hidden_size,
        n_heads=n_heads,
        d_head=d_head,
        # None means plain multi-head attention in TransformerLens; a number means GQA
        n_key_value_heads=n_kv if n_kv != n_heads else None,
        d_mlp=hf_config.intermediate_size,
        d_vocab=hf_config.vocab_size,
        n_ctx=n_ctx or hf_config.max_position_embeddings,
        act_fn=hf_config.hidden_act,  # "silu"
        gated_mlp=True,  # down(silu(gate(x)) * up(x))
        normalization_type="RMS",
        final_rms=True,
        eps=hf_config.rms_norm_eps,
        positional_embedding_type="rotary",
        rotary_dim=d_head,
        rotary_base=rope_theta(hf_config),
        rotary_adjacent_pairs=False,  # HF rotates the two halves of each head, not neighbours
        original_architecture="LlamaForCausalLM",
        default_prepend_bos=True,
        init_weights=False,  # every weight is overwritten by the checkpoint: skip the random init
        dtype=dtype,
        device="cpu",
    )


def _scale_rows(
    w: Float[Tensor, " d_model"], matrix: Float[Tensor, "... d_model d_out"]
) -> Float[Tensor, "... d_model d_out"]:
    """``diag(w) @ matrix`` on the ``d_model`` axis (second to last), as a new tensor."""
    return matrix * w[:, None]


def fold_rms_norms(state: dict[str, Tensor], cfg: HookedTransformerConfig) -> dict[str, Tensor]:
    """Fold every RMSNorm weight into the matrices that read its output; drop the norm weights.

    Returns a new dict; the input tensors (often views of the HF model's weights) are not changed.
    """
    out = {k: v for k, v in state.items() if not k.endswith((".ln1.w", ".ln2.w", "ln_final.w"))}
    kv = "_" if cfg.n_key_value_heads is not None else ""
    for layer in range(cfg.n_layers):
        ln1 = state[f"blocks.{layer}.ln1.w"]
        for name in ("W_Q", f"{kv}W_K", f"{kv}W_V"):  # [head, d_model, d_head]
            key = f"blocks.{layer}.attn.{name}"
            out[key] = _scale_rows(ln1, state[key])
        ln2 = state[f"blocks.{layer}.ln2.w"]
        for name in ("W_in", "W_gate"):  # [d_model, d_mlp]
            key = f"blocks.{layer}.mlp.{name}"
            out[key] = _scale_rows(ln2, state[key])
    # the final norm feeds the unembedding, W_U: [d_model, d_vocab]
    out["unembed.W_U"] = _scale_rows(state["ln_final.w"], state["unembed.W_U"])
    return out


def hooked_from_llama(
    hf_model: Any,
    tokenizer: Any,
    *,
    fold_ln: bool = True,
    n_ctx: int | None = None,
    model_name: str = "llama",
) -> HookedTransformer:
    """A ``HookedTransformer`` computing the same logits as ``hf_model`` (a ``LlamaForCausalLM``).

    The weights are copied, so the two models can be changed independently afterwards.
    """
    cfg = hooked_config_from_llama(hf_model.config, n_ctx=n_ctx, model_name=model_name)
    with torch.no_grad():
        state = convert_llama_weights(hf_model, cfg)
        if fold_ln:
            state = fold_rms_norms(state, cfg)
            cfg.normalization_type = "RMSPre"  # the norms now only divide by the RMS
        with warnings.catch_warnings():  # 3.x's notice about 4.0; the project pins <4 on purpose
            warnings.filterwarnings("ignore", "HookedTransformer is deprecated", DeprecationWarning)
            model = HookedTransformer(cfg, tokenizer=tokenizer, default_padding_side="right")
        result = model.load_state_dict(state, strict=False)  # copies into the model's own tensors
    buffers = {name for name, _ in model.named_buffers()}
    missing = set(result.missing_keys) - buffers
    if missing or result.unexpected_keys:
        raise RuntimeError(
            f"weight conversion mismatch: missing {sorted(missing)[:5]}, "
            f"unexpected {sorted(result.unexpected_keys)[:5]}"
        )
    return model.eval()
