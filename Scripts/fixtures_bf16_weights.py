#!/usr/bin/env python3
"""References for SwiftSight's opt-in BF16 weight storage (`weightPrecision: .bfloat16`).

SwiftSight rounds the weight of every matrix product (GPT-2's Conv1D weights c_attn, c_proj,
c_fc, mlp.c_proj, and the output head) to bfloat16 and computes in Float32; embeddings, biases
and LayerNorm parameters stay Float32. The reference is the same model in Hugging Face with
exactly those weights rounded by torch (`.to(torch.bfloat16).to(torch.float32)`); the tied head
becomes its own rounded copy of wte while the embedding lookup keeps the Float32 table.

`write(model_dir, acts_dir)` writes acts_dir/bf16-weights-{tailor,batch}.safetensors (every hook
point, keyed like make_fixtures.py's) and adds the cases to acts_dir/index.json.
Scripts/make_fixtures.py calls it; alone, with the pinned venv:
  /tmp/ref-venv/bin/python Scripts/fixtures_bf16_weights.py
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import batch_inputs, capture  # noqa: E402

PROMPTS = {
    "tailor": ["My tailor is rich"],
    "batch": ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."],
}


def bf16(t):
    return t.to(torch.bfloat16).to(torch.float32)


@torch.no_grad()
def rounded_products(model):
    """`model` with the matrix-product weights rounded to bfloat16 and the head untied."""
    for block in model.transformer.h:
        for conv in (block.attn.c_attn, block.attn.c_proj, block.mlp.c_fc, block.mlp.c_proj):
            conv.weight.copy_(bf16(conv.weight))
    head = torch.nn.Linear(model.config.n_embd, model.config.vocab_size, bias=False)
    head.weight = torch.nn.Parameter(bf16(model.lm_head.weight.detach().clone()))
    model.lm_head = head
    return model


def write(model_dir, acts_dir):
    model = GPT2LMHeadModel.from_pretrained(model_dir, dtype=torch.float32).eval()
    plain_logits = {}
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    eos = tok.token_to_id("<|endoftext|>")
    inputs = {name: batch_inputs(tok, ps, eos) for name, ps in PROMPTS.items()}
    for name, (ids, mask) in inputs.items():
        plain_logits[name] = capture(model, ids, mask)["model.lm_head.output"]
    model = rounded_products(model)
    index_path = os.path.join(acts_dir, "index.json")
    with open(index_path) as f:
        index = json.load(f)
    model_rel = os.path.relpath(model_dir, os.path.dirname(acts_dir))
    for name, (ids, mask) in inputs.items():
        out = capture(model, ids, mask)
        key = f"bf16-weights-{name}"
        save_file(out, os.path.join(acts_dir, f"{key}.safetensors"))
        index["cases"][key] = {"model": model_rel, "prompts": PROMPTS[name]}
        moved = (out["model.lm_head.output"] - plain_logits[name]).abs().max().item()
        print(f"{key}: logits move by up to {moved:.3g} from the Float32 model's")
    with open(index_path, "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fix = os.path.join(root, "Tests", "Fixtures")
    write(os.path.join(fix, "tiny-gpt2"), os.path.join(fix, "activations"))
