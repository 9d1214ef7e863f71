#!/usr/bin/env python3
"""Hugging Face `generate` references for SwiftSight's generation tests.

`write(model_dir, out_dir)` runs greedy `generate(do_sample=False)` (KV cache on) on the tiny
fixture model in `model_dir` and on its `flags-f32` variant (../tiny-gpt2-variants/flags-f32),
and writes `out_dir/generation.json`: each case's prompts, prompt ids, options and the new token
ids per prompt (trimmed after the first stop token, padding dropped) with their decoded text.
Cases: single prompts (24 new tokens), a left-padded batch (attention_mask given, so HF computes
positions from the mask), a stop on extra stop-token ids, and end-of-text stops.
Called by Scripts/make_fixtures.py; alone:
  /tmp/ref-venv/bin/python Scripts/fixtures_generation.py [MODEL_DIR] [OUT_DIR]
"""
import json
import os
import sys

import torch
import transformers
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

PROMPTS = ["My tailor is rich", "Hello world", "Once upon a time there was a little model",
           "The quick brown fox jumps over the lazy dog."]
NEW = 24


def _trim(ids, stops):
    for i, t in enumerate(ids):
        if t in stops:
            return ids[:i + 1]
    return ids


@torch.no_grad()
def _generate(model, tok, prompts, eos, stop_ids, new=NEW):
    """Greedy HF generate on a left-padded batch; returns the new ids of each row, trimmed."""
    ids = [tok.encode(p).ids for p in prompts]
    width = max(len(x) for x in ids)
    input_ids = torch.tensor([[eos] * (width - len(x)) + x for x in ids], dtype=torch.int64)
    mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in ids], dtype=torch.int64)
    stops = [eos] + list(stop_ids)
    out = model.generate(input_ids, attention_mask=mask, max_new_tokens=new, do_sample=False,
                         eos_token_id=stops, pad_token_id=eos)
    rows = [_trim(r[width:].tolist(), set(stops)) for r in out]
    return ids, rows


def _case(name, model_name, model, tok, prompts, eos, stop_ids=(), new=NEW):
    prompt_ids, rows = _generate(model, tok, prompts, eos, stop_ids, new)
    return {"name": name, "model": model_name, "prompts": prompts, "prompt_ids": prompt_ids,
            "max_new_tokens": new, "stop_tokens": list(stop_ids), "eos": eos, "new_ids": rows,
            "texts": [tok.decode(r, skip_special_tokens=True) for r in rows]}


def write(model_dir, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    variant_dir = os.path.join(os.path.dirname(model_dir), "tiny-gpt2-variants", "flags-f32")
    cases = []
    for model_name, path in (("tiny-gpt2", model_dir), ("tiny-gpt2-variants/flags-f32", variant_dir)):
        model = GPT2LMHeadModel.from_pretrained(path).eval()
        tok = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        eos = tok.token_to_id("<|endoftext|>")
        short = model_name.split("/")[-1]
        alone = []
        for i, p in enumerate(PROMPTS):
            case = _case(f"{short}-single-{i}", model_name, model, tok, [p], eos)
            alone.append(case["new_ids"][0])
            cases.append(case)
        batch = _case(f"{short}-batch", model_name, model, tok, PROMPTS, eos)
        # The batch must equal each prompt alone, else the comparison tests numerics, not padding.
        assert batch["new_ids"] == alone, (batch["new_ids"], alone)
        cases.append(batch)
        # Stop tokens: a token a prompt first produces mid-way (step 3 or later) becomes a stop token.
        p, stop = next(((p, t) for p, row in zip(PROMPTS, alone) for i, t in enumerate(row)
                        if i >= 3 and t != eos and t not in row[:i]), (PROMPTS[0], alone[0][-1]))
        cases.append(_case(f"{short}-stop", model_name, model, tok, [p], eos, [stop]))
        cases.append(_case(f"{short}-batch-stop", model_name, model, tok, PROMPTS, eos, [stop]))
        # End-of-text: prompts whose greedy continuation reaches <|endoftext|> before the limit.
        for i, p in enumerate(_eos_prompts(model, tok, eos)):
            cases.append(_case(f"{short}-eos-{i}", model_name, model, tok, [p], eos, (), 40))
    versions = {"torch": torch.__version__.split("+")[0], "transformers": transformers.__version__}
    with open(os.path.join(out_dir, "generation.json"), "w", encoding="utf-8") as f:
        json.dump({"versions": versions, "cases": cases}, f, ensure_ascii=False, indent=1)


def _eos_prompts(model, tok, eos, want=1):
    """Up to `want` prompts (from a fixed list) whose greedy continuation ends at end-of-text.
    Candidates are screened in one batched call, then confirmed one by one."""
    words = ["Paris", "Hello", "Numbers", "def", "café", "tabs", "line", "The", "It", "I'm", "a", "x",
             "Rome", "Berlin", "quick", "world", "model", "story", "token", "rich", "fox", "lazy", "data"]
    candidates = [f"{a} {b}" for a in words for b in words]
    _, rows = _generate(model, tok, candidates, eos, (), 40)
    found = []
    for p, row in zip(candidates, rows):
        if len(row) >= 2 and row[-1] == eos:
            _, alone = _generate(model, tok, [p], eos, (), 40)
            if alone[0] == row:
                found.append(p)
                if len(found) == want:
                    break
    return found


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fix = os.path.join(root, "Tests", "Fixtures")
    write(sys.argv[1] if len(sys.argv) > 1 else os.path.join(fix, "tiny-gpt2"),
          sys.argv[2] if len(sys.argv) > 2 else os.path.join(fix, "generation"))
