#!/usr/bin/env python3
"""The Python side of SwiftSight's side-by-side benchmark: the cases of `swiftsight bench`, run
with Hugging Face transformers (plain forward, generate) and nnsight (traces) on the same
checkpoint and the same token ids. Prints one JSON object (see `main`), which
`swiftsight bench --compare` reads.

Pinned: torch 2.15.0, transformers 5.24.0, tokenizers 0.23.3, nnsight 0.6.3 (../shared/reference/README.md).
  /tmp/ref-venv/bin/python Scripts/bench_reference.py [--model DIR] [--runs N] [--cases a,b] [--out FILE]

Cases (names match `swiftsight bench`; "short" is "My tailor is rich", 4 tokens):
  forward_short, forward_128, forward_batch_8x64   HF forward, logits for every position
  trace_read_l5_short, trace_read_l5_128           nnsight trace saving layers_output[5]
  trace_stop_l5_short, trace_stop_l5_128           the same, then tracer.stop()
  trace_save_all_128                               save the 12 layer outputs and the logits
  trace_cache_alternate_128                        tracer.cache() of layers 0, 2, ..., 10
  trace_ablate_l3_short                            layers_output[3] set to 0, save the logits
  trace_grad_l1_short, trace_grad_l1_128           backward of logits.sum(), save layers_output[1].grad
  trace_invokes_8x64                               8 invokes of 64 tokens in one trace, each saving layer 5
  generate_greedy_20                               HF generate, short prompt, 20 new tokens, greedy
  traces_32x64                                     32 traces of 64 tokens saving layer 5, one after another
  stream_l6_256x64                                 256 prompts of 64 tokens, 8 per trace, layers_output[6]
                                                   saved (then tracer.stop()) and written to disk with numpy.save
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch
import transformers
from transformers import GPT2LMHeadModel, PreTrainedTokenizerFast
import nnsight
from nnsight import LanguageModel

from bench_common import BenchInputs, measure, tensor


def cases(hf, model, inputs):
    """(name, body, heavy, tokens) for every case; heavy cases get fewer runs and one warm-up."""
    layers = model.transformer.h
    short, long = tensor(inputs.short), tensor(inputs.slice_128)
    out = []

    def add(name, body, heavy=False, tokens=None):
        out.append((name, body, heavy, tokens))

    def forward(x):
        def body():
            with torch.inference_mode():
                hf(x)
        return body
    add("forward_short", forward(short))
    add("forward_128", forward(long))
    add("forward_batch_8x64", forward(tensor(inputs.batch_8x64)))

    for label, x in (("short", short), ("128", long)):
        def read(x=x):
            with model.trace(x):
                layers[5].output.save()
        add(f"trace_read_l5_{label}", read)

        def stop(x=x):
            with model.trace(x) as tracer:
                layers[5].output.save()
                tracer.stop()
        add(f"trace_stop_l5_{label}", stop)

    def save_all():
        with model.trace(long):
            for i in range(len(layers)):
                layers[i].output.save()
            model.lm_head.output.save()
    add("trace_save_all_128", save_all)

    def cache_alternate():
        with model.trace(long) as tracer:
            tracer.cache(modules=[layers[i] for i in range(0, len(layers), 2)]).save()
    add("trace_cache_alternate_128", cache_alternate)

    def ablate():
        with model.trace(short):
            layers[3].output[:] = 0
            model.lm_head.output.save()
    add("trace_ablate_l3_short", ablate)

    for label, x in (("short", short), ("128", long)):
        def grad(x=x):
            with model.trace(x):
                l1 = layers[1].output
                logits = model.lm_head.output
                with logits.sum().backward():
                    l1.grad.save()
        add(f"trace_grad_l1_{label}", grad)

    batch = [tensor(ids) for ids in inputs.batch_8x64]

    def invokes():
        with model.trace() as tracer:
            for x in batch:
                with tracer.invoke(x):
                    layers[5].output.save()
    add("trace_invokes_8x64", invokes)

    mask = torch.ones_like(short)

    def generate():
        # min_new_tokens keeps the length at 20 even if the model emits end-of-text, like
        # SwiftSight's case (which gives no stop tokens).
        with torch.inference_mode():
            hf.generate(short, attention_mask=mask, max_new_tokens=20, min_new_tokens=20, do_sample=False,
                        pad_token_id=hf.config.eos_token_id)
    add("generate_greedy_20", generate)

    prompts = [tensor(ids) for ids in inputs.prompts_32x64]

    def sequential():
        for x in prompts:
            with model.trace(x):
                layers[5].output.save()
    add("traces_32x64", sequential, heavy=True)

    groups = [tensor(inputs.prompts_256x64[i:i + 8]) for i in range(0, len(inputs.prompts_256x64), 8)]

    def stream():
        with tempfile.TemporaryDirectory() as folder:
            for i, x in enumerate(groups):
                # stop(): nothing after layer 6 is needed (SwiftSight's stream ends there too).
                with model.trace(x) as tracer:
                    h = layers[6].output.save()
                    tracer.stop()
                np.save(os.path.join(folder, f"{i:04d}.npy"), h.detach().numpy())
    add("stream_l6_256x64", stream, heavy=True, tokens=sum(len(p) for p in inputs.prompts_256x64))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="/tmp/swiftsight-bench-gpt2")
    parser.add_argument("--runs", type=int, default=11, help="timed runs per case (heavy cases: a third, at least 3)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs per case (heavy cases: 1)")
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--out", help="write the JSON here instead of standard output")
    args = parser.parse_args()

    threads = os.cpu_count()
    torch.set_num_threads(threads)
    hf = GPT2LMHeadModel.from_pretrained(args.model).eval()
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(args.model, "tokenizer.json"))
    tokenizer.pad_token = tokenizer.eos_token or "<|endoftext|>"   # nnsight pads batched invokes
    model = LanguageModel(hf, tokenizer=tokenizer)
    inputs = BenchInputs(args.model)

    wanted = [c for c in args.cases.split(",") if c]
    all_cases = cases(hf, model, inputs)
    unknown = set(wanted) - {c[0] for c in all_cases}
    if unknown:
        parser.error(f"unknown case(s) {sorted(unknown)}; known: {[c[0] for c in all_cases]}")
    results = {}
    for name, body, heavy, tokens in all_cases:
        if wanted and name not in wanted:
            continue
        runs, warmup = (max(3, args.runs // 3), min(args.warmup, 1)) if heavy else (args.runs, args.warmup)
        results[name] = measure(body, runs, warmup, tokens)
        print(f"{name}: {results[name]}", file=sys.stderr, flush=True)

    report = {
        "side": "nnsight/HF",
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                     "nnsight": nnsight.__version__, "numpy": np.__version__},
        "threads": torch.get_num_threads(),
        "inputs": inputs.as_json(),
        "cases": results,
    }
    text = json.dumps(report)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
