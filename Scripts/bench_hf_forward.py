#!/usr/bin/env python3
"""Times Hugging Face transformers' forward pass on the benchmark checkpoint, with the same
prompts as `swiftsight bench-forward` (8 and 128 tokens of the same fixed text), so the two
can be compared in one sitting. Prints one JSON object: {"forward_8": ms, "forward_128": ms}.
  /tmp/ref-venv/bin/python Scripts/bench_hf_forward.py [MODEL_DIR] [RUNS]
"""
import json
import os
import sys

import torch
from transformers import GPT2LMHeadModel

from bench_common import bench_ids, timed, tokens


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/swiftsight-bench-gpt2"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    torch.set_num_threads(os.cpu_count())
    model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    ids = bench_ids(model_dir)
    result = {}
    with torch.inference_mode():
        for n in (8, 128):
            x = tokens(ids, n)
            result[f"forward_{n}"] = timed(lambda: model(x), runs, warmup=3)[0]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
