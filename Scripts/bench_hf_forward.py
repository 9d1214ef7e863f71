#!/usr/bin/env python3
"""Times Hugging Face transformers' forward pass on the benchmark checkpoint, with the same
prompts as `swiftsight bench-forward` (8 and 128 tokens of the same fixed text), so the two
can be compared in one sitting. Prints one JSON object: {"forward_8": ms, "forward_128": ms}.
  /tmp/ref-venv/bin/python Scripts/bench_hf_forward.py [MODEL_DIR] [RUNS]
"""
import json
import os
import statistics
import sys
import time

import torch
from tokenizers import Tokenizer
from transformers import GPT2LMHeadModel

TEXT = ("The transformer reads tokens, mixes them with attention, and writes logits for the next token. "
        "Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all. "
        "My tailor is rich, and the quick brown fox jumps over the lazy dog while the model predicts every word.")


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/swiftsight-bench-gpt2"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    torch.set_num_threads(os.cpu_count())
    model = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    ids = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json")).encode(TEXT).ids
    result = {}
    with torch.inference_mode():
        for n in (8, 128):
            x = torch.tensor([[ids[i % len(ids)] for i in range(n)]])
            for _ in range(3):
                model(x)
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                model(x)
                times.append((time.perf_counter() - t) * 1000)
            result[f"forward_{n}"] = round(statistics.median(times), 3)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
