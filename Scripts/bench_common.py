"""What the Python benchmark scripts share: the bench text (the same as BenchText in
Sources/CLI/BenchForward.swift), its token ids, and the median timer."""
import os
import statistics
import time

from tokenizers import Tokenizer

TEXT = ("The transformer reads tokens, mixes them with attention, and writes logits for the next token. "
        "Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all. "
        "My tailor is rich, and the quick brown fox jumps over the lazy dog while the model predicts every word.")


def bench_ids(model_dir):
    """The bench text's ids under the checkpoint's own tokenizer."""
    return Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json")).encode(TEXT).ids


def tokens(ids, n, offset=0):
    """`n` ids of the text starting `offset` tokens in, repeated as needed, as a [1, n] tensor."""
    import torch
    return torch.tensor([[ids[(i + offset) % len(ids)] for i in range(n)]])


def timed(body, runs, warmup=2):
    """Median and minimum milliseconds of `body` over `runs` runs after `warmup` untimed ones."""
    for _ in range(warmup):
        body()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        body()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 3), round(min(times), 3)
