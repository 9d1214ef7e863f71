#!/usr/bin/env python3
"""Tiny Llama-family and GPT-NeoX checkpoints and their Hugging Face references (issue 7).

`write(tokenizer_dir, out_dir)` builds, with fixed seeds, one tiny random checkpoint per
architecture SwiftSight runs besides GPT-2, saved by `save_pretrained(safe_serialization=True)`
with the fixture GPT-2 byte-level tokenizer (tokenizer_dir/tokenizer.json):

  tiny-llama          llama: RMSNorm, SwiGLU, GQA 4/2, rope_theta 5e5 with llama3 rope scaling
                      (all three frequency bands hit), untied lm_head
  tiny-mistral        mistral: GQA 4/1, head_dim 24 (q width 96 != hidden 64), linear rope
                      scaling, sliding_window 5, tied embeddings
  tiny-qwen2          qwen2: q/k/v biases, GQA 4/2, use_sliding_window with max_window_layers 1
                      (layer 0 full, layer 1 windowed), tied embeddings, yarn rope scaling
                      (factor 4 over 16 original positions: ramp and attention factor)
  tiny-neox           gpt_neox: use_parallel_residual true, rotary_pct 0.25, exact GELU, untied head
                      (module `lm_head` in transformers 5, saved as `embed_out.weight`)
  tiny-neox-sequential gpt_neox: use_parallel_residual false
  tiny-phi3           phi3: fused qkv_proj (GQA 4/2, head_dim 24) and gate_up_proj, partial_rotary_factor
                      0.5 (12 of 24 features rotated), sliding_window 5, untied lm_head
  tiny-granite        granite: embedding_multiplier 6, residual_multiplier 0.5, attention_multiplier 0.15
                      (not 1/sqrt(16)), logits_scaling 4, attention and MLP biases, GQA 4/1, untied lm_head
  tiny-gemma          gemma: (1 + w) RMSNorm, embeddings × √hidden inside embed_tokens, GeGLU
                      (gelu_pytorch_tanh), MQA 4/1, head_dim 24 (q width 96 != hidden 64), tied head
  tiny-gemma2         gemma2: pre and post norms around attention and MLP, attention scores
                      soft-capped at 2 and logits at 1.5, query_pre_attn_scalar 24 with head_dim 20,
                      GQA 4/2, sliding_window 3 on layer 0 only (`layer_types`), tied head;
                      its `model.lm_head.output` key holds `.logits` (after the soft-cap)
  tiny-qwen3          qwen3: per-head q/k RMSNorms, head_dim 24 (q width 96 != hidden 64), 1 key/value
                      head, attention_bias on q/k/v/o, layer_types with a sliding window of 3 on
                      layer 0 only, rope_theta 1e6, untied lm_head
  tiny-gptj           gptj: one ln_1 feeding attention and MLP, interleaved rotary on 10 of 18 features
                      per head (hidden 72), untied lm_head with a bias
  tiny-phi            phi: one input_layernorm feeding attention and MLP, q/k/v/dense biases, GQA 4/2,
                      head_dim 24 (queries 96 wide on a 64-wide model), partial_rotary_factor 0.25 (6 of 24)
  tiny-phi-qk         phi: qk_layernorm (per-head LayerNorms of q and k), 1 key/value head, linear rope,
                      tied embeddings with the lm_head bias its own
  tiny-stablelm       stablelm: LayerNorms with biases, sequential residual, use_qkv_bias, GQA 4/2,
                      partial_rotary_factor 0.25 (4 of 16, half-split), SwiGLU, untied lm_head
  tiny-stablelm-parallel  stablelm: use_parallel_residual (attention and MLP from input_layernorm), MQA 4/1,
                      linear rope (factor 2) on 8 of 16 features, tied head
  tiny-olmo           olmo: LayerNorms without parameters, clip_qkv 0.5 (clamps part of q, k and v),
                      head_dim 24, GQA 4/2, attention_bias, linear rope scaling, tied embeddings
  tiny-olmo2          olmo2: no pre-norms, RMSNorms on the attention and MLP outputs, q/k RMSNorms over the
                      whole projection width (q 4·24 = 96, k 1·24), MQA 4/1, attention_bias, untied lm_head
  tiny-gemma3         gemma3_text: Gemma 2's block plus per-head (1 + w) q/k RMSNorms, layer 0 sliding (window 3,
                      rope_theta 1e4) and layer 1 global (rope_theta 1e6, linear scaling 2), head_dim 20,
                      query_pre_attn_scalar 24, GQA 4/2, soft-caps null, tied head; rope.inv_freq is the
                      global layers', rope.local_inv_freq the sliding ones'
  tiny-mixtral        mixtral: sparse MoE MLP, 5 experts of width 40, top 2 (renormalised), router
                      weights scaled ×8 (sharp, varied routing), GQA 4/2, head_dim 24,
                      sliding_window 5, untied lm_head; saved under `block_sparse_moe` (experts
                      `w1`/`w2`/`w3`), run by transformers under `mlp` (fused experts)
  tiny-qwen3-moe      qwen3_moe: layer 0 dense (`mlp_only_layers`), layer 1 a MoE of 6 experts of width 32,
                      top 3 without renormalisation (norm_topk_prob false), router ×8, Qwen3 attention
                      (q/k norms, head_dim 24, 1 key/value head, attention_bias), sliding_window 4, tied head
  tiny-opt            opt: learned positions 2 rows on (left padding: positions from the mask), pre-LN,
                      ReLU fc1/fc2 (ffn 96), biases everywhere, 8 heads of 8, tied head; no module
                      is the MLP: its input is fc1's, its output fc2's (no rotary: no rope.* tensors)
  tiny-starcoder2     starcoder2: LayerNorms with biases, q/k/v/o and c_fc/c_proj biases (use_bias), MQA 4/1,
                      head_dim 24 (queries 96 wide on a 64-wide model), gelu_pytorch_tanh, sliding_window 5,
                      rope_theta 1e5, tied head
  tiny-gpt-neo        gpt_neo: learned positions, q/k/v without biases, out_proj with one, unscaled scores,
                      attention_types local (window 3, shorter than the prompts) then global, MLP width 80,
                      tied head; saved under `attn.attention`, hooked at `attn` (no rope.* tensors)

and out_dir/references/<model>.safetensors holding, keyed like nnsight (`model.<module>.output`):
  tailor.* / batch.*      every hook point SwiftSight exposes (inputs and outputs of the layers,
                          attentions and MLPs, embeddings, final norm, logits) for one prompt and
                          for a left-padded batch of three; plus input_ids and attention_mask
  tailor.model.<attn>.attention_probabilities.output   eager attention weights, [1, heads, seq, seq]
  grad.sum.* / grad.cross_entropy.*   torch autograd gradients at the embeddings and layer outputs
  param.<checkpoint name>             parameter gradients of logits.sum()
  rope.inv_freq                       the rotary inverse frequencies transformers computed
  rope.attention_scaling              what it multiplies cos and sin by ([1], 1 but for yarn)
and out_dir/references/<model>.json: prompts, token ids, and greedy `generate` continuations
(KV cache on; each batch row equals its prompt alone, and the cache-less run agrees).

Called by Scripts/make_fixtures.py; alone (pinned venv, torch 2.15.0, transformers 5.24.0):
  /tmp/ref-venv/bin/python Scripts/fixtures_architectures.py
The output is byte-identical between runs.
"""
import json
import os
import shutil
import sys

import torch
import transformers
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import (AutoModelForCausalLM, Gemma2Config, Gemma3TextConfig, GemmaConfig, GPT2Config,
                          GPTJConfig, GPTNeoConfig, GPTNeoXConfig, GraniteConfig, LlamaConfig, MistralConfig,
                          MixtralConfig, Olmo2Config, OlmoConfig, OPTConfig, Phi3Config, PhiConfig,
                          Qwen2Config, Qwen3Config, Qwen3MoeConfig, StableLmConfig, Starcoder2Config)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import batch_inputs  # noqa: E402

LLAMA_NAMES = dict(embed="model.embed_tokens", layer="model.layers.{i}", attn="model.layers.{i}.self_attn",
                   mlp="model.layers.{i}.mlp", norm="model.norm", head="lm_head")
NEOX_NAMES = dict(embed="gpt_neox.embed_in", layer="gpt_neox.layers.{i}", attn="gpt_neox.layers.{i}.attention",
                  mlp="gpt_neox.layers.{i}.mlp", norm="gpt_neox.final_layer_norm", head="lm_head")
GPTJ_NAMES = dict(embed="transformer.wte", layer="transformer.h.{i}", attn="transformer.h.{i}.attn",
                  mlp="transformer.h.{i}.mlp", norm="transformer.ln_f", head="lm_head")
NEO_NAMES = dict(GPTJ_NAMES)  # the same module paths; its own object (`names is GPTJ_NAMES` means rotary)
PHI_NAMES = dict(LLAMA_NAMES, norm="model.final_layernorm")
OPT_NAMES = dict(embed="model.decoder.embed_tokens", layer="model.decoder.layers.{i}",
                 attn="model.decoder.layers.{i}.self_attn", mlp="model.decoder.layers.{i}.fc2",
                 mlp_in="model.decoder.layers.{i}.fc1", norm="model.decoder.final_layer_norm", head="lm_head")

TAILOR = ["My tailor is rich"]
BATCH = ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."]
GENERATE = ["My tailor is rich", "Hello world", "Once upon a time there was a little model"]
NEW_TOKENS = 12


def specs(vocab, eos):
    common = dict(vocab_size=vocab, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                  max_position_embeddings=64, bos_token_id=eos, eos_token_id=eos, pad_token_id=eos)
    return [
        ("tiny-llama", LLAMA_NAMES, 701, LlamaConfig(
            **common, intermediate_size=96, num_key_value_heads=2, rms_norm_eps=1e-5, tie_word_embeddings=False,
            rope_parameters=dict(rope_type="llama3", rope_theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                 high_freq_factor=4.0, original_max_position_embeddings=16))),
        ("tiny-mistral", LLAMA_NAMES, 702, MistralConfig(
            **common, intermediate_size=96, num_key_value_heads=1, head_dim=24, rms_norm_eps=1e-6,
            tie_word_embeddings=True, sliding_window=5,
            rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0))),
        ("tiny-qwen2", LLAMA_NAMES, 703, Qwen2Config(
            **common, intermediate_size=96, num_key_value_heads=2, rms_norm_eps=1e-6, tie_word_embeddings=True,
            use_sliding_window=True, sliding_window=4, max_window_layers=1,
            rope_parameters=dict(rope_type="yarn", rope_theta=1000000.0, factor=4.0,
                                 original_max_position_embeddings=16))),
        ("tiny-neox", NEOX_NAMES, 704, GPTNeoXConfig(
            **common, intermediate_size=128, use_parallel_residual=True, hidden_act="gelu", layer_norm_eps=1e-5,
            rotary_pct=0.25, rotary_emb_base=10000, tie_word_embeddings=False)),
        ("tiny-neox-sequential", NEOX_NAMES, 705, GPTNeoXConfig(
            **common, intermediate_size=128, use_parallel_residual=False, hidden_act="gelu", layer_norm_eps=1e-5,
            rotary_pct=0.25, rotary_emb_base=10000, tie_word_embeddings=False)),
        ("tiny-phi3", LLAMA_NAMES, 706, Phi3Config(
            **common, intermediate_size=80, num_key_value_heads=2, head_dim=24, rms_norm_eps=1e-5,
            tie_word_embeddings=False, sliding_window=5,
            rope_parameters=dict(rope_type="default", rope_theta=10000.0, partial_rotary_factor=0.5))),
        ("tiny-granite", LLAMA_NAMES, 707, GraniteConfig(
            **common, intermediate_size=96, num_key_value_heads=1, rms_norm_eps=1e-6, tie_word_embeddings=False,
            attention_bias=True, mlp_bias=True, embedding_multiplier=6.0, residual_multiplier=0.5,
            attention_multiplier=0.15, logits_scaling=4.0, rope_parameters=dict(rope_type="default", rope_theta=10000.0))),
        ("tiny-gemma", LLAMA_NAMES, 706, GemmaConfig(
            **common, intermediate_size=96, num_key_value_heads=1, head_dim=24, hidden_act="gelu_pytorch_tanh",
            rms_norm_eps=1e-6, tie_word_embeddings=True, rope_parameters=dict(rope_type="default", rope_theta=10000.0))),
        ("tiny-gemma2", LLAMA_NAMES, 707, Gemma2Config(
            **common, intermediate_size=96, num_key_value_heads=2, head_dim=20, hidden_activation="gelu_pytorch_tanh",
            rms_norm_eps=1e-6, tie_word_embeddings=True, query_pre_attn_scalar=24, attn_logit_softcapping=2.0,
            final_logit_softcapping=1.5, sliding_window=3, layer_types=["sliding_attention", "full_attention"],
            rope_parameters=dict(rope_type="default", rope_theta=10000.0))),
        ("tiny-qwen3", LLAMA_NAMES, 706, Qwen3Config(
            **common, intermediate_size=96, num_key_value_heads=1, head_dim=24, rms_norm_eps=1e-6,
            attention_bias=True, tie_word_embeddings=False, use_sliding_window=True, sliding_window=3,
            layer_types=["sliding_attention", "full_attention"],
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0))),
        ("tiny-olmo", LLAMA_NAMES, 707, OlmoConfig(
            **common, intermediate_size=96, num_key_value_heads=2, head_dim=24, attention_bias=True,
            clip_qkv=0.5, tie_word_embeddings=True,
            rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0))),
        ("tiny-olmo2", LLAMA_NAMES, 708, Olmo2Config(
            **common, intermediate_size=80, num_key_value_heads=1, head_dim=24, attention_bias=True,
            rms_norm_eps=1e-6, tie_word_embeddings=False,
            rope_parameters=dict(rope_type="default", rope_theta=500000.0))),
        ("tiny-gemma3", LLAMA_NAMES, 709, Gemma3TextConfig(
            **common, intermediate_size=96, num_key_value_heads=2, head_dim=20, hidden_activation="gelu_pytorch_tanh",
            rms_norm_eps=1e-6, tie_word_embeddings=True, query_pre_attn_scalar=24, sliding_window=3,
            layer_types=["sliding_attention", "full_attention"],
            rope_parameters=dict(full_attention=dict(rope_type="linear", rope_theta=1000000.0, factor=2.0),
                                 sliding_attention=dict(rope_type="default", rope_theta=10000.0)))),
        ("tiny-mixtral", LLAMA_NAMES, 710, MixtralConfig(
            **common, intermediate_size=40, num_key_value_heads=2, head_dim=24, rms_norm_eps=1e-5,
            num_local_experts=5, num_experts_per_tok=2, tie_word_embeddings=False, sliding_window=5,
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0))),
        ("tiny-qwen3-moe", LLAMA_NAMES, 711, Qwen3MoeConfig(
            **common, intermediate_size=96, moe_intermediate_size=32, num_experts=6, num_experts_per_tok=3,
            norm_topk_prob=False, mlp_only_layers=[0], num_key_value_heads=1, head_dim=24, rms_norm_eps=1e-6,
            attention_bias=True, tie_word_embeddings=True, use_sliding_window=True, sliding_window=4,
            rope_parameters=dict(rope_type="default", rope_theta=1000000.0))),
        ("tiny-gptj", GPTJ_NAMES, 712, GPTJConfig(
            **dict(common, hidden_size=72), n_inner=80, rotary_dim=10, activation_function="gelu_new",
            layer_norm_epsilon=1e-5, tie_word_embeddings=False)),
        ("tiny-phi", PHI_NAMES, 713, PhiConfig(
            **common, intermediate_size=80, num_key_value_heads=2, head_dim=24, hidden_act="gelu_new",
            layer_norm_eps=1e-5, tie_word_embeddings=False, qk_layernorm=False,
            rope_parameters=dict(rope_type="default", rope_theta=10000.0, partial_rotary_factor=0.25))),
        ("tiny-phi-qk", PHI_NAMES, 713, PhiConfig(
            **common, intermediate_size=80, num_key_value_heads=1, hidden_act="gelu_new", layer_norm_eps=1e-5,
            tie_word_embeddings=True, qk_layernorm=True,
            rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0, partial_rotary_factor=0.5))),
        ("tiny-stablelm", LLAMA_NAMES, 718, StableLmConfig(
            **common, intermediate_size=80, num_key_value_heads=2, layer_norm_eps=1e-5, use_qkv_bias=True,
            use_parallel_residual=False, tie_word_embeddings=False,
            rope_parameters=dict(rope_type="default", rope_theta=10000.0, partial_rotary_factor=0.25))),
        ("tiny-stablelm-parallel", LLAMA_NAMES, 718, StableLmConfig(
            **common, intermediate_size=80, num_key_value_heads=1, layer_norm_eps=1e-5, use_qkv_bias=False,
            use_parallel_residual=True, tie_word_embeddings=True,
            rope_parameters=dict(rope_type="linear", rope_theta=10000.0, factor=2.0, partial_rotary_factor=0.5))),
        ("tiny-opt", OPT_NAMES, 714, OPTConfig(
            vocab_size=vocab, hidden_size=64, num_hidden_layers=2, num_attention_heads=8, ffn_dim=96,
            max_position_embeddings=64, bos_token_id=eos, eos_token_id=eos, pad_token_id=eos,
            do_layer_norm_before=True, activation_function="relu", tie_word_embeddings=True)),
        ("tiny-starcoder2", LLAMA_NAMES, 716, Starcoder2Config(
            **common, intermediate_size=80, num_key_value_heads=1, head_dim=24, hidden_act="gelu_pytorch_tanh",
            norm_epsilon=1e-5, use_bias=True, tie_word_embeddings=True, sliding_window=5,
            rope_parameters=dict(rope_type="default", rope_theta=100000.0))),
        ("tiny-gpt-neo", NEO_NAMES, 717, GPTNeoConfig(
            vocab_size=vocab, hidden_size=64, num_layers=2, num_heads=4, intermediate_size=80,
            attention_types=[[["local", "global"], 1]], window_size=3, max_position_embeddings=64,
            activation_function="gelu_new", layer_norm_epsilon=1e-5, bos_token_id=eos, eos_token_id=eos,
            pad_token_id=eos, tie_word_embeddings=True)),
    ]


def randomize(model, seed):
    """Every parameter matters: norm weights around 1, non-zero biases, small random weights."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ("norm" in name or ".ln_" in name) and name.endswith(".weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.08 * torch.randn(p.shape, generator=g))
        if model.config.model_type in ("mixtral", "qwen3_moe"):  # sharper routing: far from ties, varied choices
            for layer in model.model.layers:
                if hasattr(layer.mlp, "gate") and hasattr(layer.mlp.gate, "top_k"):
                    layer.mlp.gate.weight.mul_(8.0)


def at(template, i):
    return template.replace("{i}", str(i))


def positions(mask):
    """Left padding: positions count real tokens only (cumsum of the mask), as generate() does."""
    return (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)


def first(o):
    return o[0] if isinstance(o, tuple) else o


@torch.no_grad()
def capture(model, names, input_ids, mask, prefix, attentions=False):
    """Every hook point's value, keyed `prefix.model.<module>.<input|output>` (nnsight's envoy keys)."""
    out, hooks = {}, []

    def save_out(key):
        return lambda m, a, o: out.__setitem__(key, first(o).detach().clone())

    def save_in(key):
        return lambda m, a, kw: out.__setitem__(key, (a[0] if a else kw["hidden_states"]).detach().clone())

    sub = model.get_submodule
    hooks.append(sub(names["embed"]).register_forward_hook(save_out(f"model.{names['embed']}.output")))
    for i in range(model.config.num_hidden_layers):
        for kind in ("layer", "attn", "mlp"):
            path = at(names[kind], i)
            in_path = at(names.get(kind + "_in", names[kind]), i)  # OPT: the MLP's input is fc1's
            hooks.append(sub(in_path).register_forward_pre_hook(save_in(f"model.{in_path}.input"), with_kwargs=True))
            hooks.append(sub(path).register_forward_hook(save_out(f"model.{path}.output")))
    hooks.append(sub(names["norm"]).register_forward_hook(save_out(f"model.{names['norm']}.output")))
    hooks.append(sub(names["head"]).register_forward_hook(save_out(f"model.{names['head']}.output")))
    result = model(input_ids=input_ids, attention_mask=mask, position_ids=positions(mask), output_attentions=attentions)
    for h in hooks:
        h.remove()
    for k, v in out.items():  # OPT flattens [batch, seq] around fc1/fc2; the points keep [batch, seq, hidden]
        if v.dim() == 2:
            out[k] = v.view(*input_ids.shape, -1)
    if model.config.model_type == "granite" or getattr(model.config, "final_logit_softcapping", None) is not None:
        # The standardized logits point is transformers' `.logits`: after Granite's ÷ logits_scaling
        # and after the soft-cap that follows lm_head.
        out[f"model.{names['head']}.output"] = result.logits.detach().clone()
    if attentions:
        for i, a in enumerate(result.attentions):
            out[f"model.{at(names['attn'], i)}.attention_probabilities.output"] = a.detach().clone()
    out["input_ids"] = input_ids.clone()
    out["attention_mask"] = mask.clone()
    return {f"{prefix}.{k}": v.contiguous() for k, v in out.items()}


def gradients(model, names, tok, eos, params):
    """torch autograd: d(loss)/d(embeddings, every layer output) for two losses, and parameter gradients."""
    out = {}
    ids, mask = batch_inputs(tok, TAILOR, eos)
    keys = [f"model.{names['embed']}.output"] + [f"model.{at(names['layer'], i)}.output"
                                                  for i in range(model.config.num_hidden_layers)]

    def run():
        acts, hooks = {}, []

        def keep(key):
            def hook(m, a, o):
                v = first(o)
                v.retain_grad()
                acts[key] = v
            return hook
        hooks.append(model.get_submodule(names["embed"]).register_forward_hook(keep(keys[0])))
        for i in range(model.config.num_hidden_layers):
            hooks.append(model.get_submodule(at(names["layer"], i)).register_forward_hook(keep(keys[i + 1])))
        model.zero_grad(set_to_none=True)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions(mask)).logits
        for h in hooks:
            h.remove()
        return logits, acts

    logits, acts = run()
    logits.sum().backward()
    for k in keys:
        out[f"grad.sum.{k}"] = acts[k].grad.detach().clone()
    for name in params:
        out[f"param.{name}"] = parameter_gradient(model, name).detach().clone()
    logits, acts = run()
    torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:]).backward()
    for k in keys:
        out[f"grad.cross_entropy.{k}"] = acts[k].grad.detach().clone()
    model.zero_grad(set_to_none=True)
    return {k: v.contiguous() for k, v in out.items()}


def trim(ids, eos):
    return ids[:ids.index(eos) + 1] if eos in ids else ids


@torch.no_grad()
def generate(model, tok, prompts, eos, use_cache=True):
    ids, mask = batch_inputs(tok, prompts, eos)
    out = model.generate(ids, attention_mask=mask, max_new_tokens=NEW_TOKENS, do_sample=False,
                         eos_token_id=eos, pad_token_id=eos, use_cache=use_cache)
    return [trim(r[ids.shape[1]:].tolist(), eos) for r in out]


def parameter_gradient(model, name):
    """The gradient of a checkpoint tensor: Mixtral's saved `block_sparse_moe` names are runtime
    `mlp.gate` and slices of the fused `mlp.experts.gate_up_proj` ([experts, 2 f, d]: w1 rows then
    w3 rows) and `mlp.experts.down_proj` (w2); Qwen3-MoE's saved `mlp.experts.E.gate_proj/up_proj/down_proj`
    are the same slices."""
    if ".mlp.experts." in name:  # Qwen3-MoE: experts.E.gate_proj / up_proj / down_proj
        layer, rest = name.split(".mlp.experts.")
        e, w, _ = rest.split(".")
        name = f"{layer}.block_sparse_moe.experts.{e}." + dict(gate_proj="w1", up_proj="w3", down_proj="w2")[w] + ".weight"
        return parameter_gradient(model, name)
    if ".block_sparse_moe." not in name:
        return model.get_parameter(name).grad
    layer = name.split(".block_sparse_moe.")[0]
    rest = name.split(".block_sparse_moe.")[1]
    if rest == "gate.weight":
        return model.get_parameter(f"{layer}.mlp.gate.weight").grad
    _, e, w, _ = rest.split(".")
    f = model.config.moe_intermediate_size if model.config.model_type == "qwen3_moe" else model.config.intermediate_size
    if w == "w2":
        return model.get_parameter(f"{layer}.mlp.experts.down_proj").grad[int(e)]
    fused = model.get_parameter(f"{layer}.mlp.experts.gate_up_proj").grad[int(e)]
    return fused[:f] if w == "w1" else fused[f:]


def parameter_names(names, model):
    if names is NEOX_NAMES:
        return ["gpt_neox.layers.1.attention.query_key_value.weight", "gpt_neox.layers.1.attention.query_key_value.bias",
                "gpt_neox.layers.0.input_layernorm.weight", "gpt_neox.layers.1.mlp.dense_h_to_4h.weight"]
    if model.config.model_type == "gptj":  # one ln_1 feeds attention and MLP; lm_head has a bias
        return ["transformer.h.0.ln_1.weight", "transformer.h.1.ln_1.bias", "transformer.h.1.attn.q_proj.weight",
                "transformer.h.0.mlp.fc_in.bias", "transformer.ln_f.weight", "lm_head.weight", "lm_head.bias"]
    if model.config.model_type == "phi":  # one input_layernorm feeds attention and MLP; lm_head has a bias
        p = ["model.layers.0.input_layernorm.weight", "model.layers.1.input_layernorm.bias",
             "model.layers.1.self_attn.q_proj.bias", "model.layers.0.self_attn.dense.weight", "model.layers.1.mlp.fc1.weight",
             "model.final_layernorm.weight", "lm_head.bias"]
        if model.config.qk_layernorm:
            p += ["model.layers.0.self_attn.q_layernorm.weight", "model.layers.1.self_attn.k_layernorm.bias",
                  "model.embed_tokens.weight"]
        return p
    if model.config.model_type == "stablelm":  # LayerNorms with biases; parallel: no post_attention_layernorm
        p = ["model.layers.0.input_layernorm.weight", "model.layers.1.input_layernorm.bias",
             "model.layers.1.self_attn.k_proj.weight", "model.layers.1.mlp.gate_proj.weight", "model.norm.bias"]
        p += (["model.embed_tokens.weight"] if model.config.use_parallel_residual else
              ["model.layers.0.post_attention_layernorm.weight", "model.layers.1.self_attn.q_proj.bias"])
        return p
    if model.config.model_type == "phi3":
        return ["model.layers.1.self_attn.qkv_proj.weight", "model.layers.1.mlp.gate_up_proj.weight",
                "model.layers.0.input_layernorm.weight", "model.norm.weight"]
    if model.config.model_type == "mixtral":  # checkpoint names (parameter_gradient maps them)
        return ["model.layers.1.self_attn.k_proj.weight", "model.layers.0.input_layernorm.weight",
                "model.layers.0.block_sparse_moe.gate.weight", "model.layers.1.block_sparse_moe.experts.2.w1.weight",
                "model.layers.1.block_sparse_moe.experts.3.w3.weight", "model.layers.0.block_sparse_moe.experts.0.w2.weight"]
    if model.config.model_type == "qwen3_moe":  # checkpoint names (parameter_gradient maps them)
        return ["model.layers.1.mlp.gate.weight", "model.layers.1.mlp.experts.4.gate_proj.weight",
                "model.layers.1.mlp.experts.1.up_proj.weight", "model.layers.1.mlp.experts.2.down_proj.weight",
                "model.layers.0.mlp.up_proj.weight", "model.layers.1.self_attn.k_norm.weight", "model.embed_tokens.weight"]
    if model.config.model_type == "opt":
        return ["model.decoder.layers.1.fc1.weight", "model.decoder.layers.0.self_attn_layer_norm.weight",
                "model.decoder.final_layer_norm.bias", "model.decoder.layers.1.self_attn.k_proj.bias",
                "model.decoder.embed_positions.weight", "model.decoder.embed_tokens.weight"]
    if model.config.model_type == "starcoder2":  # LayerNorms with biases, plain c_fc/c_proj MLP, tied head
        return ["model.layers.1.mlp.c_fc.weight", "model.layers.0.mlp.c_proj.bias", "model.layers.0.input_layernorm.bias",
                "model.layers.1.post_attention_layernorm.weight", "model.norm.bias", "model.layers.1.self_attn.k_proj.weight",
                "model.layers.0.self_attn.o_proj.bias", "model.embed_tokens.weight"]
    if model.config.model_type == "gpt_neo":  # checkpoint names: q/k/v/out_proj under attn.attention
        return ["transformer.h.0.attn.attention.q_proj.weight", "transformer.h.1.attn.attention.out_proj.bias",
                "transformer.h.0.ln_1.bias", "transformer.h.1.mlp.c_fc.weight", "transformer.wpe.weight",
                "transformer.wte.weight"]
    if model.config.model_type == "olmo":  # its norms have no parameters
        return ["model.layers.1.mlp.up_proj.weight", "model.layers.1.self_attn.k_proj.weight",
                "model.layers.0.self_attn.v_proj.bias", "model.embed_tokens.weight"]
    if model.config.model_type == "olmo2":  # no input_layernorm
        return ["model.layers.1.mlp.up_proj.weight", "model.layers.0.self_attn.q_norm.weight",
                "model.layers.1.self_attn.k_norm.weight", "model.layers.0.post_attention_layernorm.weight",
                "model.layers.1.post_feedforward_layernorm.weight", "model.norm.weight",
                "model.layers.0.self_attn.k_proj.bias"]
    p = ["model.layers.1.mlp.up_proj.weight", "model.layers.0.input_layernorm.weight", "model.norm.weight",
         "model.layers.1.self_attn.k_proj.weight"]
    if model.config.model_type == "qwen2":
        p.append("model.layers.1.self_attn.q_proj.bias")
    if model.config.model_type == "granite":
        p += ["model.layers.0.self_attn.o_proj.bias", "model.layers.1.mlp.down_proj.bias", "model.embed_tokens.weight"]
    if model.config.model_type in ("gemma", "gemma2", "gemma3_text"):
        p.append("model.embed_tokens.weight")  # scaled lookup and tied head both add to it
    if model.config.model_type in ("gemma2", "gemma3_text"):
        p += ["model.layers.0.post_attention_layernorm.weight", "model.layers.1.pre_feedforward_layernorm.weight",
              "model.layers.0.post_feedforward_layernorm.weight"]
    if model.config.model_type == "gemma3_text":
        p += ["model.layers.0.self_attn.q_norm.weight", "model.layers.1.self_attn.k_norm.weight"]
    if model.config.model_type == "qwen3":
        p += ["model.layers.0.self_attn.q_norm.weight", "model.layers.1.self_attn.k_norm.weight",
              "model.layers.1.self_attn.o_proj.bias"]
    return p


def write(tokenizer_dir, out_dir):
    torch.set_num_threads(1)  # deterministic reductions
    tok_path = os.path.join(tokenizer_dir, "tokenizer.json")
    tok = Tokenizer.from_file(tok_path)
    eos = tok.token_to_id("<|endoftext|>")
    refs = os.path.join(out_dir, "references")
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    os.makedirs(refs)
    index = {}
    for name, names, seed, config in specs(tok.get_vocab_size(), eos):
        torch.manual_seed(seed)
        model = AutoModelForCausalLM.from_config(config, attn_implementation="eager")
        randomize(model, seed)
        model.eval()
        d = os.path.join(out_dir, name)
        model.save_pretrained(d, safe_serialization=True)
        shutil.copy(tok_path, d)

        t = {}
        t.update(capture(model, names, *batch_inputs(tok, TAILOR, eos), "tailor", attentions=True))
        t.update(capture(model, names, *batch_inputs(tok, BATCH, eos), "batch"))
        params = parameter_names(names, model)
        t.update(gradients(model, names, tok, eos, params))
        if names is GPTJ_NAMES:  # a sin/cos table only: its frequencies by create_sinusoidal_positions' formula
            dim = config.rotary_dim
            t["rope.inv_freq"] = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.int64) / dim))
            t["rope.attention_scaling"] = torch.tensor([1.0], dtype=torch.float32)
        elif names is not OPT_NAMES and names is not NEO_NAMES:  # OPT's and GPT-Neo's positions are learned: no rope.* tensors
            rotary = model.get_submodule("gpt_neox.rotary_emb" if names is NEOX_NAMES else "model.rotary_emb")
            if model.config.model_type == "gemma3_text":  # one rotary embedding per layer type
                t["rope.inv_freq"] = rotary.full_attention_inv_freq.detach().clone().float()
                t["rope.local_inv_freq"] = rotary.sliding_attention_inv_freq.detach().clone().float()
                scaling = rotary.full_attention_attention_scaling
            else:
                t["rope.inv_freq"] = rotary.inv_freq.detach().clone().float()
                scaling = rotary.attention_scaling
            t["rope.attention_scaling"] = torch.tensor([float(scaling)], dtype=torch.float32)
        save_file(t, os.path.join(refs, f"{name}.safetensors"))

        alone = [generate(model, tok, [p], eos)[0] for p in GENERATE]
        batched = generate(model, tok, GENERATE, eos)
        assert batched == alone, (name, batched, alone)           # else the test checks numerics, not padding
        assert generate(model, tok, GENERATE, eos, use_cache=False) == alone, name
        case = {"model": name, "model_type": model.config.model_type, "eos": eos,
                "tailor": TAILOR, "batch": BATCH, "parameters": params,
                "generation": {"prompts": GENERATE, "prompt_ids": [tok.encode(p).ids for p in GENERATE],
                               "max_new_tokens": NEW_TOKENS, "new_ids": alone,
                               "texts": [tok.decode(r, skip_special_tokens=True) for r in alone]}}
        with open(os.path.join(refs, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False, indent=1)
        index[name] = model.config.model_type
    versions = {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__}
    with open(os.path.join(refs, "index.json"), "w") as f:
        json.dump({"versions": versions, "models": index}, f, indent=1)


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fix = os.path.join(root, "Tests", "Fixtures")
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(fix, "tiny-gpt2"),
          sys.argv[2] if len(sys.argv) > 2 else os.path.join(fix, "architectures"))
    print("architecture fixtures written")
