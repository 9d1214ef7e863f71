#!/usr/bin/env python3
"""Times Hugging Face transformers' greedy `generate` on the benchmark checkpoint, with the same
case as `swiftsight bench`'s `generate_greedy_20`: the first 8 tokens of the bench text
(BenchText in Sources/CLI/BenchForward.swift), 20 new tokens, do_sample=False, KV cache on.
Prints one JSON object: {"generate_greedy_20": median ms, "min": ms, "runs": n}.
  /tmp/ref-venv/bin/python Scripts/bench_hf_generate.py [MODEL_DIR] [RUNS]
"""
import json
import os
import sys

import torch
from transformers import GPT2LMHeadModel

from bench_common import bench_ids, timed, tokens


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/swiftsight-bench-gpt2"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    torch.set_num_threads(os.cpu_count())
    model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    x = tokens(bench_ids(model_dir), 8)
    mask = torch.ones_like(x)
    eos = model.config.eos_token_id

    def generate():
        # min_new_tokens keeps the length fixed at 20 even if the model emits end-of-text,
        # like the Swift bench (which gives no stop tokens).
        return model.generate(x, attention_mask=mask, max_new_tokens=20, min_new_tokens=20, do_sample=False,
                              pad_token_id=eos)

    with torch.inference_mode():
        out = generate()
        assert out.shape[1] == 28, out.shape
        median, fastest = timed(generate, runs, warmup=2)
    print(json.dumps({"generate_greedy_20": median, "min": fastest, "runs": runs, "new_ids": out[0, 8:].tolist()}))


if __name__ == "__main__":
    main()
