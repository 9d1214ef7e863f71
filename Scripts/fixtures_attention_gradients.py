#!/usr/bin/env python3
"""References for gradients through attention probabilities (`attention_probabilities.i` read
and replaced in traces that record gradients), computed with transformers' eager attention.

`write(fix_dir)` loads the committed tiny fixtures (fix_dir/tiny-gpt2, and
fix_dir/architectures/tiny-llama (GQA 4/2) and tiny-mistral (GQA 4/1, sliding window 5)) and
writes fix_dir/attention_gradients/attention_gradients.safetensors plus cases.json. For each
model, on PROMPT (long enough that Mistral's window bites), with L = (logits * weights).sum()
(weights fixed, seeded):

  <model>.input_ids          the prompt's ids, [1, n]
  <model>.weights            the loss weights, [1, n, vocab]
  <model>.probabilities      eager attention probabilities at LAYER, [1, heads, n, n]
  <model>.read.dP            dL/dP at LAYER (P as used by P·V), [1, heads, n, n]
  <model>.read.layer0        dL/d(layer 0 output) with P read (flows through P into Q and K)
  <model>.replaced.logits    logits with P at LAYER replaced by UNIFORM (uniform over keys 0..i)
  <model>.replaced.layer0    dL/d(layer 0 output) then (a constant P: only V carries gradient)
  <model>.mixed.layer0       dL/d(layer 0 output) with P replaced by 0.5 P + 0.5 UNIFORM
                             (gradient flows through the tracked part of the replacement)

and for GPT-2 a left-padded batch of BATCH (L = (logits * weights * mask).sum()):

  gpt2.batch.input_ids / attention_mask / weights
  gpt2.batch.read.dP         [2, heads, n, n], zero at padded query rows and keys
  gpt2.batch.read.layer0     [2, n, hidden], zero at padded rows

P is intercepted by wrapping each modeling module's `eager_attention_forward`: the wrapper
recomputes the output as P·V from the P it keeps (retain_grad) or substitutes, so dL/dP is
the gradient at the tensor P·V actually reads.

Called by Scripts/make_fixtures.py; alone (pinned venv, torch 2.15.0, transformers 5.24.0):
  /tmp/ref-venv/bin/python Scripts/fixtures_attention_gradients.py
The output is byte-identical between runs.
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM
from transformers.models.gpt2 import modeling_gpt2
from transformers.models.llama import modeling_llama
from transformers.models.mistral import modeling_mistral

PROMPT = "The quick brown fox jumps over the lazy dog."
BATCH = ["My tailor is rich", "Hello world"]
LAYER = 1
MODELS = [("gpt2", "tiny-gpt2"), ("llama", "architectures/tiny-llama"), ("mistral", "architectures/tiny-mistral")]


class Interception:
    """What the wrapped eager attention does at LAYER: keep P (mode "read"), or use
    `replace(P)` in its place (mode "replace")."""
    mode = None
    replace = None
    kept = None


def wrapped(original):
    def attention(module, query, key, value, attention_mask, *args, **kwargs):
        output, p = original(module, query, key, value, attention_mask, *args, **kwargs)
        if Interception.mode is None or module.layer_idx != LAYER:
            return output, p
        if Interception.mode == "replace":
            p = Interception.replace(p)
        else:
            p.retain_grad()
        Interception.kept = p
        v = value.repeat_interleave(query.shape[1] // value.shape[1], dim=1)  # query head h reads kv head h // group
        return torch.matmul(p, v).transpose(1, 2).contiguous(), p
    return attention


MODULES = (modeling_gpt2, modeling_llama, modeling_mistral)


def uniform(p):
    """Uniform over keys 0..i for query i, [.., n, n]."""
    n = p.shape[-1]
    causal = torch.tril(torch.ones(n, n))
    return (causal / causal.sum(-1, keepdim=True)).expand_as(p).contiguous()


def run(model, ids, weights, mask=None, mode=None, replace=None):
    """Forward with layer 0's output kept; L = (logits * weights [* mask]).sum(), backward.
    Returns (logits, dL/d layer-0 output, the P intercepted at LAYER)."""
    Interception.mode, Interception.replace, Interception.kept = mode, replace, None
    kept = {}
    def hook(m, a, o):
        h = o[0] if isinstance(o, tuple) else o
        h.retain_grad()
        kept["h"] = h
    layers = model.transformer.h if hasattr(model, "transformer") else model.model.layers
    handle = layers[0].register_forward_hook(hook)
    kwargs = {}
    if mask is not None:
        kwargs = dict(attention_mask=mask, position_ids=(mask.cumsum(-1) - 1).masked_fill(mask == 0, 1))
    logits = model(input_ids=ids, **kwargs).logits
    handle.remove()
    loss_weights = weights if mask is None else weights * mask.unsqueeze(-1)
    (logits * loss_weights).sum().backward()
    p = Interception.kept
    Interception.mode, Interception.replace, Interception.kept = None, None, None
    model.zero_grad(set_to_none=True)
    return logits.detach().clone(), kept["h"].grad.detach().clone(), p


def write(fix_dir):
    """Wraps the eager attention functions for the duration (other fixture scripts see the originals)."""
    originals = [module.eager_attention_forward for module in MODULES]
    for module in MODULES:
        module.eager_attention_forward = wrapped(module.eager_attention_forward)
    try:
        write_references(fix_dir)
    finally:
        for module, original in zip(MODULES, originals):
            module.eager_attention_forward = original


def write_references(fix_dir):
    out_dir = os.path.join(fix_dir, "attention_gradients")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # deterministic reductions, alone or after make_fixtures' other steps
    t = {}
    for name, folder in MODELS:
        directory = os.path.join(fix_dir, folder)
        model = AutoModelForCausalLM.from_pretrained(directory, attn_implementation="eager").eval()
        tok = Tokenizer.from_file(os.path.join(directory, "tokenizer.json"))
        ids = torch.tensor([tok.encode(PROMPT).ids])
        generator = torch.Generator().manual_seed(20240611)
        weights = torch.randn(1, ids.shape[1], model.config.vocab_size, generator=generator)
        t[f"{name}.input_ids"] = ids
        t[f"{name}.weights"] = weights
        _, layer0, p = run(model, ids, weights, mode="read")
        t[f"{name}.probabilities"] = p.detach().clone()
        t[f"{name}.read.dP"] = p.grad.detach().clone()
        t[f"{name}.read.layer0"] = layer0
        logits, layer0, _ = run(model, ids, weights, mode="replace", replace=uniform)
        t[f"{name}.replaced.logits"] = logits
        t[f"{name}.replaced.layer0"] = layer0
        _, layer0, _ = run(model, ids, weights, mode="replace", replace=lambda p: 0.5 * p + 0.5 * uniform(p))
        t[f"{name}.mixed.layer0"] = layer0
        if name == "gpt2":
            # A left-padded batch: each row's own weighted logits; padding gets zero gradient.
            encoded = [tok.encode(s).ids for s in BATCH]
            n = max(len(e) for e in encoded)
            pad = model.config.eos_token_id
            batch_ids = torch.tensor([[pad] * (n - len(e)) + e for e in encoded])
            mask = torch.tensor([[0] * (n - len(e)) + [1] * len(e) for e in encoded])
            batch_weights = torch.randn(len(BATCH), n, model.config.vocab_size, generator=generator)
            _, layer0, p = run(model, batch_ids, batch_weights, mask=mask, mode="read")
            visible = (mask[:, None, :, None] * mask[:, None, None, :]).float()
            t["gpt2.batch.input_ids"] = batch_ids
            t["gpt2.batch.attention_mask"] = mask
            t["gpt2.batch.weights"] = batch_weights
            t["gpt2.batch.read.dP"] = p.grad.detach() * visible
            t["gpt2.batch.read.layer0"] = layer0 * mask.unsqueeze(-1)
    tensors = {k: (v.contiguous() if v.dtype == torch.int64 else v.contiguous().float()) for k, v in t.items()}
    save_file(tensors, os.path.join(out_dir, "attention_gradients.safetensors"))
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump({"prompt": PROMPT, "batch": BATCH, "layer": LAYER,
                   "models": {name: folder for name, folder in MODELS},
                   "loss": "(logits * weights).sum(); the batch also times attention_mask"}, f, indent=1)


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "Fixtures"))
    print("attention gradient fixtures written")
