#!/usr/bin/env python3
"""Trains SwiftSight's embedded demo model: a small GPT-2 on the King James Bible.

  Data/corpus/kjv.txt.gz         the corpus (public domain; see Data/corpus/README.md)
  Sources/EmbeddedModel/Resources/EmbeddedModel/
      tokenizer.json             byte-level BPE trained here on the corpus
      config.json, model.safetensors   GPT2LMHeadModel saved by transformers

Run from the repository root with the pinned stack (the same venv as make_fixtures.py):
  /tmp/ref-venv/bin/python Scripts/train_demo_model.py               # the embedded model: 3770 steps (31 min here)
  /tmp/ref-venv/bin/python Scripts/train_demo_model.py --minutes 12  # a time budget instead: a weaker model
  /tmp/ref-venv/bin/python Scripts/train_demo_model.py --evaluate    # losses and samples of the model in --out
  python3 Scripts/train_demo_model.py --extract-corpus               # rebuild the corpus file from
                                                                     # Debian's bible-kjv-text (no torch)

Everything is seeded and runs on one CPU thread. With --minutes the number of
optimizer steps is fixed after timing the first steps, and printed; rerunning with --steps and
that number repeats the run step for step. The cosine learning-rate schedule spans the steps.
"""
import argparse
import gzip
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Data", "corpus", "kjv.txt.gz")
EMBEDDED = os.path.join(ROOT, "Sources", "EmbeddedModel", "Resources", "EmbeddedModel")
EOT = "<|endoftext|>"

PINNED = {"torch": "2.15.0", "transformers": "5.24.0", "tokenizers": "0.23.3", "safetensors": "0.8.0"}

# The model: GPT-2 architecture, small enough to train on one CPU thread in minutes.
MODEL = dict(n_layer=4, n_embd=128, n_head=4, n_positions=256, activation_function="gelu_new",
             resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, layer_norm_epsilon=1e-5)
VOCAB_SIZE = 4096
SEQ_LEN = 256
BATCH = 8
LR = 3e-3
MIN_LR = 1e-4
WARMUP = 50
WEIGHT_DECAY = 0.1
SEED = 2024
VALID_EVERY = 40           # every 40th chapter is held out for validation
SAMPLE_PROMPTS = ["In the beginning", "And God said, Let there be", "The LORD is my shepherd",
                  "And Jesus answered and said unto them,", "Blessed are the", "And the LORD said unto Moses,"]


# ---------------------------------------------------------------- corpus extraction

def extract_corpus():
    """Reads the whole KJV through Debian's `bible` reader (package bible-kjv, data from
    bible-kjv-text) and writes one verse per line, books and chapters headed like
    `Genesis 1`, to Data/corpus/kjv.txt.gz (deterministic gzip: no name, mtime 0)."""
    if shutil.which("bible") is None:
        sys.exit("`bible` not found: apt-get install -y bible-kjv-text (it pulls in bible-kjv)")
    raw = subprocess.run(["bible", "Gen1:1-Rev22:21"], check=True, capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "80"}).stdout
    out, verse, verses, prev_blank = [], None, 0, True
    for line in raw.splitlines():
        m = re.match(r"^  (\d+) (.*)$", line)
        if m:                                                         # "  3 And God said, ..."
            if verse is not None:
                out.append(verse)
            verse, verses = m.group(2).strip(), verses + 1
        elif line.strip() == "":
            pass
        elif prev_blank and re.match(r"^[1-3]? ?[A-Z][A-Za-z ]* \d+$", line):   # "Genesis 1", "1 Kings 3"
            if verse is not None:
                out.append(verse)
                verse = None
            out += ["", line.strip()]
        else:                                                         # a wrapped verse continues
            verse = verse + " " + line.strip()
        prev_blank = line.strip() == ""
    if verse is not None:
        out.append(verse)
    text = "\n".join(out).strip() + "\n"
    os.makedirs(os.path.dirname(CORPUS), exist_ok=True)
    with open(CORPUS, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(text.encode("utf-8"))
    print(f"{CORPUS}: {len(text.encode())} bytes of text, {verses} verses, "
          f"{os.path.getsize(CORPUS)} bytes gzipped")


def read_chapters():
    """[(heading, [verse, ...])] in order."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        blocks = f.read().strip().split("\n\n")
    chapters = []
    for b in blocks:
        lines = b.split("\n")
        chapters.append((lines[0], lines[1:]))
    return chapters


# ---------------------------------------------------------------- training

def check_versions():
    import torch, transformers, tokenizers, safetensors
    for mod in (torch, transformers, tokenizers, safetensors):
        have = mod.__version__.split("+")[0]
        if have != PINNED[mod.__name__]:
            sys.exit(f"{mod.__name__} {have} found, {PINNED[mod.__name__]} pinned: install the pinned versions")


def chapter_text(heading, verses):
    # What the model sees: the verses of a chapter, one per line, and an end-of-text after it.
    # (Headings are left out, so prompts read like plain Bible prose.)
    return "\n".join(verses) + "\n"


def train_tokenizer(texts, out_dir):
    from tokenizers import ByteLevelBPETokenizer, Tokenizer
    tok = ByteLevelBPETokenizer()
    tok.train_from_iterator(texts, vocab_size=VOCAB_SIZE, min_frequency=2,
                            special_tokens=[EOT], show_progress=False)
    path = os.path.join(out_dir, "tokenizer.json")
    tok.save(path)
    return Tokenizer.from_file(path)


def encode(tok, texts, eot):
    ids = []
    for enc in tok.encode_batch(texts):
        ids.extend(enc.ids)
        ids.append(eot)
    return ids


def evaluate(model, ids, max_windows=None):
    """Mean next-token loss over SEQ_LEN windows of `ids`: all of them, or max_windows evenly spaced."""
    import torch
    model.eval()
    n = (len(ids) - 1) // SEQ_LEN
    idx = [i * n // max_windows for i in range(max_windows)] if max_windows and max_windows < n else list(range(n))
    total, count = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(idx), BATCH):
            starts = [idx[j] * SEQ_LEN for j in range(i, min(i + BATCH, len(idx)))]
            x = torch.stack([ids[s:s + SEQ_LEN] for s in starts])
            y = torch.stack([ids[s + 1:s + SEQ_LEN + 1] for s in starts])
            logits = model(input_ids=x).logits
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), reduction="sum")
            total += loss.item()
            count += y.numel()
    return total / count


def report(model_dir, train_ids, valid_ids):
    """Final losses and greedy samples of the saved model, read back with transformers."""
    import torch
    from tokenizers import Tokenizer
    from transformers import GPT2LMHeadModel
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    eot = tok.token_to_id(EOT)
    model = GPT2LMHeadModel.from_pretrained(model_dir).float().eval()
    train_loss = evaluate(model, train_ids, max_windows=128)   # 128 windows spread over the training text
    valid_loss = evaluate(model, valid_ids)                    # all of the held-out chapters
    print(f"final loss: train {train_loss:.3f}, validation {valid_loss:.3f} "
          f"(perplexity {math.exp(train_loss):.1f} / {math.exp(valid_loss):.1f})")
    for prompt in SAMPLE_PROMPTS:
        ids = torch.tensor([tok.encode(prompt).ids])
        out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=30,
                             do_sample=False, pad_token_id=eot)
        print(json.dumps(prompt), "->", json.dumps(tok.decode(out[0, ids.shape[1]:].tolist())))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--extract-corpus", action="store_true", help="rebuild Data/corpus/kjv.txt.gz and exit")
    p.add_argument("--minutes", type=float, default=None, help="a training time budget instead of --steps")
    p.add_argument("--steps", type=int, default=3770,
                   help="exact number of optimizer steps (default 3770: the embedded model)")
    p.add_argument("--out", default=EMBEDDED, help="output folder (default: the embedded model)")
    p.add_argument("--evaluate", action="store_true",
                   help="do not train: print the losses and samples of the model in --out")
    args = p.parse_args()
    if args.extract_corpus:
        extract_corpus()
        return

    check_versions()
    import numpy as np
    import torch
    from tokenizers import Tokenizer
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.set_num_threads(1)
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)

    chapters = read_chapters()
    train_texts = [chapter_text(*c) for i, c in enumerate(chapters) if (i + 1) % VALID_EVERY != 0]
    valid_texts = [chapter_text(*c) for i, c in enumerate(chapters) if (i + 1) % VALID_EVERY == 0]

    staging = tempfile.mkdtemp(prefix="swiftsight-demo-")
    if args.evaluate:
        tok = Tokenizer.from_file(os.path.join(args.out, "tokenizer.json"))
    else:
        tok = train_tokenizer(train_texts, staging)
    eot = tok.token_to_id(EOT)
    vocab = tok.get_vocab_size()
    train_ids = torch.tensor(encode(tok, train_texts, eot), dtype=torch.long)
    valid_ids = torch.tensor(encode(tok, valid_texts, eot), dtype=torch.long)
    print(f"corpus: {len(chapters)} chapters; train {len(train_texts)} chapters, {len(train_ids)} tokens; "
          f"validation {len(valid_texts)} chapters, {len(valid_ids)} tokens; vocabulary {vocab}")
    if args.evaluate:
        shutil.rmtree(staging)
        report(args.out, train_ids, valid_ids)
        return

    config = GPT2Config(vocab_size=vocab, bos_token_id=eot, eos_token_id=eot, **MODEL)
    model = GPT2LMHeadModel(config)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {MODEL['n_layer']} layers, width {MODEL['n_embd']}, {MODEL['n_head']} heads, "
          f"{MODEL['n_positions']} positions, {n_params} parameters")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR, betas=(0.9, 0.95))

    gen = torch.Generator().manual_seed(SEED)

    def batch():
        starts = torch.randint(0, len(train_ids) - SEQ_LEN - 1, (BATCH,), generator=gen)
        x = torch.stack([train_ids[s:s + SEQ_LEN] for s in starts.tolist()])
        y = torch.stack([train_ids[s + 1:s + SEQ_LEN + 1] for s in starts.tolist()])
        return x, y

    def lr_at(step, total):
        if step < WARMUP:
            return LR * (step + 1) / WARMUP
        t = (step - WARMUP) / max(1, total - WARMUP)
        return MIN_LR + 0.5 * (LR - MIN_LR) * (1 + math.cos(math.pi * min(1.0, t)))

    total_steps = None if args.minutes is not None else args.steps
    timing_steps = 20
    model.train()
    t0 = time.time()
    step, ema = 0, None
    while total_steps is None or step < total_steps:
        if total_steps is None and step == timing_steps:
            per_step = (time.time() - t0) / timing_steps
            total_steps = max(timing_steps + 1, int(args.minutes * 60 / per_step))
            print(f"{per_step:.3f} s per step: {total_steps} steps in {args.minutes:g} minutes "
                  f"(rerun with --steps {total_steps} to repeat this run)")
        # Before total_steps is known the schedule is in warm-up, which does not depend on it.
        lr = lr_at(step, total_steps or 10 ** 9)
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batch()
        logits = model(input_ids=x).logits
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        step += 1
        if step % 100 == 0:
            print(f"step {step}/{total_steps}  loss {ema:.3f}  lr {lr:.2e}  {time.time() - t0:.0f} s", flush=True)
    print(f"trained {step} steps ({step * BATCH * SEQ_LEN} tokens) in {(time.time() - t0) / 60:.1f} minutes")

    # Save: F32 unless that is larger than ~6 MB (SwiftSight reads F16 too).
    model.eval()
    n_bytes = 4 * sum(p.numel() for n, p in model.state_dict().items() if n != "lm_head.weight")
    if n_bytes > 6_000_000:
        model = model.half()
    model.save_pretrained(staging, safe_serialization=True)
    os.makedirs(args.out, exist_ok=True)
    for f in ("config.json", "model.safetensors", "tokenizer.json"):
        shutil.copy(os.path.join(staging, f), args.out)
    shutil.rmtree(staging)
    print(f"saved to {args.out}: " + ", ".join(
        f"{f} {os.path.getsize(os.path.join(args.out, f))} bytes"
        for f in ("config.json", "model.safetensors", "tokenizer.json")))
    report(args.out, train_ids, valid_ids)


if __name__ == "__main__":
    main()
