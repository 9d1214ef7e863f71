#!/usr/bin/env python3
"""References for SwiftSight's nnterp toolkit (issue 5): logit lens, attention probabilities,
activation patching, steering and the patchscope lens, computed with Hugging Face and hooks.

`write(model_dir, out_dir)` reads a GPT-2 checkpoint folder (config, safetensors,
tokenizer.json) and writes out_dir/toolkit.safetensors plus out_dir/cases.json (the prompts and
token ids the tests use). Scripts/make_fixtures.py calls it for Tests/Fixtures/tiny-gpt2; run it
alone with the pinned venv (torch 2.15.0, transformers 5.24.0):
  /tmp/ref-venv/bin/python Scripts/fixtures_toolkit.py [MODEL_DIR [OUT_DIR]]
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

LENS_PROMPTS = ["My tailor is rich", "Hello world"]
CLEAN, CORRUPTED = "The quick brown fox", "The lazy brown dog"
TARGET, TRAP = " fox", " dog"
STEER_PROMPT, STEER_FROM, STEER_TO, STEER_LAYER, STEER_FACTOR = "My tailor is", "Hello world", "My tailor is rich", 1, 4.0
PATCHSCOPE_SOURCE, PATCHSCOPE_TARGET = "My tailor is rich", "cat -> cat\nhello -> hello\n?"


def project(model, h):
    """nnterp's project_on_vocab then softmax: ln_f, lm_head, softmax."""
    return torch.softmax(model.lm_head(model.transformer.ln_f(h)), dim=-1)


def block_outputs(model, ids, edit=None):
    """Each block's output (and input, attention output) for one unpadded prompt, via hooks.
    `edit(i, output) -> output` may replace block i's output."""
    outs, ins, attn = {}, {}, {}
    hooks = []
    for i, block in enumerate(model.transformer.h):
        def pre(m, a, kw, i=i):
            ins[i] = (a[0] if a else kw["hidden_states"]).detach().clone()
        def post(m, a, o, i=i):
            h = o[0] if isinstance(o, tuple) else o
            if edit is not None:
                h = edit(i, h)
            outs[i] = h.detach().clone()
            return (h,) + tuple(o[1:]) if isinstance(o, tuple) else h
        def attn_post(m, a, o, i=i):
            attn[i] = (o[0] if isinstance(o, tuple) else o).detach().clone()
        hooks += [block.register_forward_pre_hook(pre, with_kwargs=True), block.register_forward_hook(post),
                  block.attn.register_forward_hook(attn_post)]
    result = model(input_ids=torch.tensor([ids]), output_attentions=True)
    for h in hooks:
        h.remove()
    return outs, ins, attn, result


@torch.no_grad()
def write(model_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    model = GPT2LMHeadModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    enc = lambda s: tok.encode(s).ids
    layers = model.config.n_layer
    t = {}

    # Logit lens at every position (layers_output.i -> ln_f -> lm_head -> softmax), the residual
    # stream between attention and MLP, and attention probabilities (eager attention).
    for k, prompt in enumerate(LENS_PROMPTS):
        outs, ins, attn, result = block_outputs(model, enc(prompt))
        t[f"logit_lens.{k}"] = torch.stack([project(model, outs[i][0]) for i in range(layers)])          # [layers, seq, vocab]
        t[f"after_attention.{k}"] = torch.stack([project(model, ins[i][0] + attn[i][0]) for i in range(layers)])
        for i in range(layers):
            t[f"attention.{k}.{i}"] = result.attentions[i]                                              # [1, heads, seq, seq]

    # Activation patching of layers_output.i at each position, clean into corrupted; metric:
    # logit(target) - logit(trap) at the last position.
    clean_ids, corrupted_ids = enc(CLEAN), enc(CORRUPTED)
    assert len(clean_ids) == len(corrupted_ids), "clean and corrupted prompts need the same length"
    target, trap = enc(TARGET)[0], enc(TRAP)[0]
    clean_outs, _, _, clean_result = block_outputs(model, clean_ids)
    metric = lambda r: (r.logits[0, -1, target] - r.logits[0, -1, trap]).item()
    matrix = torch.zeros(layers, len(clean_ids))
    for layer in range(layers):
        for pos in range(len(clean_ids)):
            def patch(i, h, layer=layer, pos=pos):
                if i != layer:
                    return h
                h = h.clone()
                h[:, pos] = clean_outs[layer][:, pos]
                return h
            matrix[layer, pos] = metric(block_outputs(model, corrupted_ids, patch)[3])
    t["patching"] = matrix
    t["patching_baselines"] = torch.tensor([metric(clean_result), metric(block_outputs(model, corrupted_ids)[3])])

    # Steering: vector = mean over positions of layers_output.L(to) - the same for `from`,
    # added with a factor to layers_output.L at every position of the prompt.
    mean_at = lambda s: block_outputs(model, enc(s))[0][STEER_LAYER][0].mean(0)
    vector = mean_at(STEER_TO) - mean_at(STEER_FROM)
    steered = block_outputs(model, enc(STEER_PROMPT),
                            lambda i, h: h + STEER_FACTOR * vector if i == STEER_LAYER else h)[3]
    t["steering_vector"] = vector
    t["steered_probs"] = torch.softmax(steered.logits[0, -1], -1)

    # Patchscope lens: the source's last position at layers_output.L patched into the target's
    # last position at the same layer; the target's next-token probabilities, [layers, vocab].
    source_outs = block_outputs(model, enc(PATCHSCOPE_SOURCE))[0]
    rows = []
    for layer in range(layers):
        def patch(i, h, layer=layer):
            if i != layer:
                return h
            h = h.clone()
            h[:, -1] = source_outs[layer][:, -1]
            return h
        rows.append(torch.softmax(block_outputs(model, enc(PATCHSCOPE_TARGET), patch)[3].logits[0, -1], -1))
    t["patchscope"] = torch.stack(rows)

    save_file({k: v.contiguous().float() for k, v in t.items()}, os.path.join(out_dir, "toolkit.safetensors"))
    cases = {"lens_prompts": LENS_PROMPTS, "clean": CLEAN, "corrupted": CORRUPTED, "target": TARGET, "trap": TRAP,
             "target_id": target, "trap_id": trap,
             "steer": {"prompt": STEER_PROMPT, "from": STEER_FROM, "to": STEER_TO, "layer": STEER_LAYER, "factor": STEER_FACTOR},
             "patchscope": {"source": PATCHSCOPE_SOURCE, "target": PATCHSCOPE_TARGET}}
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "Tests", "Fixtures", "tiny-gpt2")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "Tests", "Fixtures", "toolkit")
    write(model_dir, out_dir)
    print("toolkit fixtures written to", out_dir)
