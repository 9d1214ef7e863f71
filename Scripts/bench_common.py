"""What the Python benchmark side shares with `swiftsight bench`: the bench text (the same as
BenchText in Sources/Bench/BenchInputs.swift), the prompts of every case as token ids, the
median timer and the per-case peak resident memory.

Prompts are slices of the bench text's ids. Each slice is checked to decode to a string that
tokenizes back to the same ids, because SwiftSight's traces take strings: both sides then run
exactly the ids written in the reference JSON (`inputs`), and `swiftsight bench --compare`
refuses a reference whose ids differ from its own.
"""
import os
import re
import statistics
import time

from tokenizers import Tokenizer

TEXT = ("The transformer reads tokens, mixes them with attention, and writes logits for the next token. "
        "Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all. "
        "My tailor is rich, and the quick brown fox jumps over the lazy dog while the model predicts every word.")
SHORT = "My tailor is rich"


class BenchInputs:
    """The prompts of the cases, as lists of token ids under the checkpoint's own tokenizer."""

    def __init__(self, model_dir):
        self.tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
        self.text_ids = self.tokenizer.encode(TEXT).ids
        self.short = self._checked(self.tokenizer.encode(SHORT).ids)
        self.slice_128 = self.slice(128)
        self.batch_8x64 = [self.slice(64, i) for i in range(8)]
        self.prompts_32x64 = [self.slice(64, i) for i in range(32)]
        self.prompts_256x64 = [self.slice(64, i) for i in range(256)]

    def slice(self, n, offset=0):
        """`n` ids of the text starting `offset` tokens in, wrapping around to its start."""
        ids = self.text_ids
        return self._checked([ids[(i + offset) % len(ids)] for i in range(n)])

    def _checked(self, ids):
        again = self.tokenizer.encode(self.tokenizer.decode(ids)).ids
        if again != ids:
            raise ValueError(f"bench prompt does not survive decode/encode: {ids} -> {again}")
        return ids

    def as_json(self):
        """What the reference JSON records under `inputs` (SwiftSight checks its own against it)."""
        return {"short": self.short, "slice_128": self.slice_128, "batch_8x64": self.batch_8x64,
                "prompts_32x64": self.prompts_32x64, "prompts_256x64": self.prompts_256x64}


def tensor(ids):
    """A list of ids as a [1, n] tensor, a list of lists as [batch, n]."""
    import torch
    return torch.tensor([ids] if ids and isinstance(ids[0], int) else ids)


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


def reset_peak_rss():
    """Sets VmHWM back to the current resident size (Linux: writing 5 to /proc/self/clear_refs)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def peak_rss_mb():
    """VmHWM of /proc/self/status in MiB: the peak resident size since the last reset."""
    with open("/proc/self/status") as f:
        match = re.search(r"^VmHWM:\s+(\d+)\s+kB", f.read(), re.MULTILINE)
    if match is None:
        raise RuntimeError("no VmHWM line in /proc/self/status")
    return round(int(match.group(1)) / 1024, 1)


def measure(body, runs, warmup=2, tokens=None):
    """One case's entry of the JSON: median and min ms, runs, peak RSS during the case and,
    for throughput cases, the tokens one run processes."""
    reset_peak_rss()
    median, fastest = timed(body, runs, warmup)
    entry = {"median_ms": median, "min_ms": fastest, "runs": runs, "peak_rss_mb": peak_rss_mb()}
    if tokens is not None:
        entry["tokens"] = tokens
    return entry
