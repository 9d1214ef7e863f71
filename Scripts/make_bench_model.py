#!/usr/bin/env python3
"""Writes a GPT-2-small-shaped checkpoint (12 layers, 768 wide, vocabulary 50257, random
weights) for benchmarks, to a folder outside the repository (default /tmp/swiftsight-bench-gpt2).

The tokenizer is the fixture tokenizer (its ids are all below 50257), so prompts tokenize the
same way here as in the tests. Usage:
  /tmp/ref-venv/bin/python Scripts/make_bench_model.py [OUT_DIR]
"""
import os
import shutil
import sys

import torch
from transformers import GPT2Config, GPT2LMHeadModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/swiftsight-bench-gpt2"
    torch.manual_seed(0)
    cfg = GPT2Config(vocab_size=50257, n_positions=1024, n_embd=768, n_layer=12, n_head=12,
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    model = GPT2LMHeadModel(cfg).eval()
    model.save_pretrained(out, safe_serialization=True)
    shutil.copy(os.path.join(ROOT, "Tests", "Fixtures", "tiny-gpt2", "tokenizer.json"), out)
    print("wrote", out)


if __name__ == "__main__":
    main()
