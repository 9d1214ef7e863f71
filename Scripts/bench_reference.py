#!/usr/bin/env python3
"""The Python side of SwiftSight's side-by-side benchmark: the same cases as `swiftsight bench`,
run with Hugging Face transformers and nnsight on the same checkpoint, printing one JSON object
mapping case names to median milliseconds (and `peak_rss_mb`).

Pinned: torch 2.15.0, transformers 5.24.0, nnsight 0.6.3 (see ../shared/reference/README.md).
  /tmp/ref-venv/bin/pip install nnsight==0.6.3 nnterp==1.3.0
  /tmp/ref-venv/bin/python Scripts/bench_reference.py [MODEL_DIR] [RUNS]

Cases (names match `swiftsight bench --json`):
  forward_8, forward_128                  HF forward (logits for every position)
  trace_read_l5_8, trace_read_l5_128      nnsight trace saving layers_output[5]
  trace_stop_l5_8, trace_stop_l5_128      the same, then tracer.stop()
  trace_grad_l1_8, trace_grad_l1_128      backward of logits.sum() to layers_output[1]
  trace_save_all_128                      save the 12 layer outputs and the logits
  trace_cache_all_128                     tracer.cache() of every layer
  generate_greedy_20                      HF generate, 8-token prompt, 20 new tokens
  sequential_32x64                        32 traces of 64 tokens, one after another
"""
import json
import os
import resource
import sys

import torch
from transformers import GPT2LMHeadModel
from nnsight import LanguageModel

from bench_common import bench_ids, timed, tokens as bench_tokens


def median_ms(body, runs, warmup=2):
    return timed(body, runs, warmup)[0]


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else "/tmp/swiftsight-bench-gpt2"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 11
    torch.set_num_threads(os.cpu_count())
    hf = GPT2LMHeadModel.from_pretrained(model_dir).eval()
    model = LanguageModel(hf, tokenizer=None)
    ids = bench_ids(model_dir)

    def tokens(n, offset=0):
        return bench_tokens(ids, n, offset)

    out = {}
    layers = hf.transformer.h
    for n in (8, 128):
        x = tokens(n)
        with torch.inference_mode():
            out[f"forward_{n}"] = median_ms(lambda: hf(x), runs)

        def read():
            with model.trace(x):
                model.transformer.h[5].output.save()
        out[f"trace_read_l5_{n}"] = median_ms(read, runs)

        def stop():
            with model.trace(x) as tracer:
                model.transformer.h[5].output.save()
                tracer.stop()
        out[f"trace_stop_l5_{n}"] = median_ms(stop, runs)

        def grad():
            with model.trace(x):
                l1 = model.transformer.h[1].output
                logits = model.output.logits
                with logits.sum().backward():
                    l1.grad.save()
        out[f"trace_grad_l1_{n}"] = median_ms(grad, runs)

        if n == 128:
            def save_all():
                with model.trace(x):
                    for i in range(len(layers)):
                        model.transformer.h[i].output.save()
                    model.lm_head.output.save()
            out["trace_save_all_128"] = median_ms(save_all, runs)

            def cache_all():
                with model.trace(x) as tracer:
                    tracer.cache(modules=[model.transformer.h[i] for i in range(len(layers))]).save()
            out["trace_cache_all_128"] = median_ms(cache_all, runs)

    prompt = tokens(8)
    with torch.inference_mode():
        out["generate_greedy_20"] = median_ms(
            lambda: hf.generate(prompt, max_new_tokens=20, min_new_tokens=20, do_sample=False, pad_token_id=0), runs)

    prompts = [tokens(64, offset=i) for i in range(32)]

    def sequential():
        for p in prompts:
            with model.trace(p):
                model.transformer.h[5].output.save()
    out["sequential_32x64"] = median_ms(sequential, max(3, runs // 3), warmup=1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["versions"] = {"torch": torch.__version__, "nnsight": __import__("nnsight").__version__}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
