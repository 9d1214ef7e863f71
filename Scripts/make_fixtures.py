#!/usr/bin/env python3
"""Builds SwiftSight's reference fixtures with the real Hugging Face stack.

Writes into Tests/Fixtures (the embedded default model is Scripts/train_demo_model.py's):
  tiny-gpt2/          a tiny GPT-2 (random fixed weights, non-trivial biases and norms)
                      saved by transformers, with a byte-level BPE trained by `tokenizers`
  tiny-gpt2-variants/ the same kind of model stored other ways (F16 sharded without the
                      `transformer.` prefix like the original `gpt2` repo, BF16, untied head,
                      exact gelu, scale_attn_by_inverse_layer_idx)
  activations/*.safetensors  every hook point SwiftSight exposes, keyed by nnsight envoy path
  tokenizer_cases.json       ids and decodings from `tokenizers` for a varied corpus
  architectures/             tiny Llama, Mistral, Qwen2 and GPT-NeoX checkpoints with every hook
                             point, gradient and greedy generation (Scripts/fixtures_architectures.py)
  attention_gradients/       gradients through attention probabilities read and replaced, for
                             GPT-2, Llama and Mistral (Scripts/fixtures_attention_gradients.py)

Run from the repository root with the pinned stack:
  python3 -m venv /tmp/ref-venv
  /tmp/ref-venv/bin/pip install torch==2.15.0 transformers==5.24.0 tokenizers==0.23.3 safetensors==0.8.0 numpy
  /tmp/ref-venv/bin/python Scripts/make_fixtures.py
CI never runs this; it reads the committed outputs.
"""
import json
import os
import runpy
import shutil
import sys

import torch
import tokenizers
import transformers
import safetensors
from safetensors.torch import save_file, load_file
from tokenizers import ByteLevelBPETokenizer
from transformers import GPT2Config, GPT2LMHeadModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixture_common import batch_inputs, capture  # noqa: E402

PINNED = {"torch": "2.15.0", "transformers": "5.24.0", "tokenizers": "0.23.3", "safetensors": "0.8.0"}
for mod, want in [(torch, PINNED["torch"]), (transformers, PINNED["transformers"]),
                  (tokenizers, PINNED["tokenizers"]), (safetensors, PINNED["safetensors"])]:
    have = mod.__version__.split("+")[0]
    if have != want:
        sys.exit(f"{mod.__name__} {have} found, {want} pinned: install the pinned versions")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")

TRAINING_TEXT = """My tailor is rich. The quick brown fox jumps over the lazy dog.
Hello world! Hello, world. It's a truth universally acknowledged that a model needs data.
I'm sure they'll say we've done what you'd expect: it's not what he's got, it's what she'd give.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024 3.14159 1,000,000.
def main():\n    print("hello")\n    return 0\n\nfor i in range(10):\n\tx += i
The transformer reads tokens, mixes them with attention, and writes logits for the next token.
Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all.
Interpretability means reading activations, patching them, and watching the output change.
Once upon a time there was a little model that wanted to predict the next word of every story.
Paris is the capital of France. Berlin is the capital of Germany. Rome is the capital of Italy.
https://example.com/index.html?query=swift&lang=en user@example.org
café naïve résumé Ångström Zürich façade déjà vu
Привет, мир! Как дела? Москва
你好，世界。日本語のテキスト。한국어
😀 👍 👨‍👩‍👧 🏳️‍🌈
"""

TOKENIZER_CASES = [
    "", " ", "   ", "\n", "\t", "\r\n", " \n\n  \t",
    "My tailor is rich", "Hello world", "hello   world  ", "a  b   c    d",
    "I'm here, you're there, they'll come, we've seen, he'd go, it's done, don't",
    "I'M HERE, YOU'RE THERE, IT'S", "'s 't 're 've 'm 'll 'd", "rock'n'roll", "x'y",
    "Numbers 0 12 345 6789 3.14159 1,000,000 2024-11-27 ½ ² ٣",
    "line one\nline two\n\nline four\n", "tabs\tand\t\tmore\ttabs", "trailing space ",
    "  leading spaces", "mixed \t \n whitespace   runs\n\n\n",
    "café naïve résumé Ångström Zürich façade déjà vu", "e\u0301 combining accent",
    "Привет, мир! Как дела?", "你好，世界。日本語のテキスト。", "한국어 텍스트",
    "😀 👍 family: 👨‍👩‍👧‍👦 flag: 🏳️‍🌈 skin: 👋🏽", "emoji😀glued😀text",
    "https://example.com/path/to/page.html?query=swift&lang=en#section",
    "def f(x):\n    return x ** 2  # square\n", "if (a != b) { return a->c[0]; }",
    "<|endoftext|>", "Hello<|endoftext|>World", "a <|endoftext|> b<|endoftext|><|endoftext|>",
    "The quick brown fox jumps over the lazy dog.", "?!...,,;;::--__", "$100 & 50% off #1 @user",
    "ℌ𝔢𝔩𝔩𝔬 𝕨𝕠𝕣𝕝𝕕", "\u00a0non-breaking\u00a0space", "zero\u200bwidth",
]


def train_tokenizer(out_dir):
    tok = ByteLevelBPETokenizer()
    lines = TRAINING_TEXT.splitlines() * 3 + TOKENIZER_CASES
    tok.train_from_iterator(lines, vocab_size=1000, min_frequency=2,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    os.makedirs(out_dir, exist_ok=True)
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    tok.save_model(out_dir)  # vocab.json + merges.txt
    return tokenizers.Tokenizer.from_file(os.path.join(out_dir, "tokenizer.json"))


def randomize(model, seed):
    """Every parameter matters: biases and norm parameters get non-trivial values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("ln_1.weight") or name.endswith("ln_2.weight") or name.endswith("ln_f.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.05 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.08 * torch.randn(p.shape, generator=g))


def make_model(vocab_size, eos, seed, **overrides):
    cfg = dict(vocab_size=vocab_size, n_positions=64, n_embd=64, n_layer=3, n_head=4,
               activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
               layer_norm_epsilon=1e-5, bos_token_id=eos, eos_token_id=eos)
    cfg.update(overrides)
    torch.manual_seed(seed)
    model = GPT2LMHeadModel(GPT2Config(**cfg))
    randomize(model, seed)
    model.eval()
    return model


def gradient_cases(model, tok, eos):
    """torch-autograd references for SwiftSight's gradients (issue 4)."""
    out = {}
    first = lambda o: o[0] if isinstance(o, tuple) else o

    def run(prompts, edit=None, grad_hooks=None):
        ids, mask = batch_inputs(tok, prompts, eos)
        position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
        acts, hooks = {}, []
        t = model.transformer

        def keep(key, editor=None):
            def hook(m, a, o):
                v = first(o)
                if editor is not None:
                    v = editor(v)
                v.retain_grad()
                acts[key] = v
                if isinstance(o, tuple):
                    return (v,) + tuple(o[1:])
                return v
            return hook
        hooks.append(t.wte.register_forward_hook(keep("model.transformer.wte.output")))
        for i, block in enumerate(t.h):
            p = f"model.transformer.h.{i}"
            hooks.append(block.register_forward_hook(keep(p + ".output", edit.get(p + ".output") if edit else None)))
            hooks.append(block.attn.register_forward_hook(keep(p + ".attn.output")))
            hooks.append(block.mlp.register_forward_hook(keep(p + ".mlp.output")))
        model.zero_grad(set_to_none=True)
        logits = model(input_ids=ids, attention_mask=mask, position_ids=position_ids).logits
        for h in hooks:
            h.remove()
        if grad_hooks:
            for key, fn in grad_hooks.items():
                acts[key].register_hook(fn)
        return ids, mask, logits, acts

    def record(prefix, acts, keys):
        for k in keys:
            out[f"{prefix}.{k}"] = acts[k].grad.detach().clone().contiguous()

    layer_keys = ["model.transformer.wte.output"] + [f"model.transformer.h.{i}.output" for i in range(model.config.n_layer)]
    prompt = ["My tailor is rich"]
    # 1. d(logits.sum()) / d(every layer output)
    _, _, logits, acts = run(prompt)
    logits.sum().backward()
    record("sum", acts, layer_keys)
    # 2. d(logits.sum() ** 2)
    _, _, logits, acts = run(prompt)
    (logits.sum() ** 2).backward()
    record("sum_squared", acts, layer_keys)
    # 3. Next-token cross-entropy
    ids, _, logits, acts = run(prompt)
    torch.nn.functional.cross_entropy(logits[0, :-1], ids[0, 1:]).backward()
    record("cross_entropy", acts, layer_keys)
    # 4. Logit difference at the last position between two fixed tokens
    a, b = tok.token_to_id("Ġthe"), tok.token_to_id("Ġa")
    _, _, logits, acts = run(prompt)
    (logits[0, -1, a] - logits[0, -1, b]).backward()
    record("logit_diff", acts, layer_keys)
    out["logit_diff.tokens"] = torch.tensor([a, b], dtype=torch.int64)
    # 5. An intervention in the path: add 0.5 to layer 1's output, then d(logits.sum())
    _, _, logits, acts = run(prompt, edit={"model.transformer.h.1.output": lambda v: v + 0.5})
    logits.sum().backward()
    record("steered", acts, layer_keys)
    out["steered.logits"] = logits.detach().clone()
    # 6. The gradient flowing through layer 1's MLP output zeroed during backward
    _, _, logits, acts = run(prompt, grad_hooks={"model.transformer.h.1.mlp.output": lambda g: torch.zeros_like(g)})
    logits.sum().backward()
    record("mlp1_grad_zeroed", acts, layer_keys)
    # 7. A two-prompt batch: each row's gradient of its own logits' sum
    _, mask, logits, acts = run(["My tailor is rich", "Hello world"])
    (logits * mask.unsqueeze(-1)).sum().backward()
    record("batch_sum", acts, layer_keys)
    # 8. A parameter gradient: d(logits.sum()) / d(h.1.mlp.c_fc.weight)
    _, _, logits, acts = run(prompt)
    logits.sum().backward()
    out["param.transformer.h.1.mlp.c_fc.weight"] = model.transformer.h[1].mlp.c_fc.weight.grad.detach().clone()
    out["param.transformer.h.1.attn.c_attn.bias"] = model.transformer.h[1].attn.c_attn.bias.grad.detach().clone()
    model.zero_grad(set_to_none=True)
    return out


def save_original_gpt2_layout(model, out_dir, dtype, shards):
    """Like the original `gpt2` repo: no `transformer.` prefix, attn.bias buffers, sharded."""
    os.makedirs(out_dir, exist_ok=True)
    sd = {}
    n_pos = model.config.n_positions
    for k, v in model.state_dict().items():
        if k == "lm_head.weight" and model.config.tie_word_embeddings:
            continue
        key = k[len("transformer."):] if k.startswith("transformer.") else k
        sd[key] = v.to(dtype).contiguous()
    for i in range(model.config.n_layer):
        sd[f"h.{i}.attn.bias"] = torch.tril(torch.ones(n_pos, n_pos, dtype=dtype)).view(1, 1, n_pos, n_pos)
    keys = sorted(sd)
    per = (len(keys) + shards - 1) // shards
    weight_map = {}
    for s in range(shards):
        name = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
        part = {k: sd[k] for k in keys[s * per:(s + 1) * per]}
        save_file(part, os.path.join(out_dir, name), metadata={"format": "pt"})
        weight_map.update({k: name for k in part})
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, f, indent=1)
    cfg = model.config.to_dict()
    cfg.pop("torch_dtype", None)
    cfg.pop("dtype", None)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)


def rounded_copy(model, dtype):
    """The reference for a model stored in `dtype`: weights rounded to it, math in Float32."""
    m = type(model)(model.config)
    m.load_state_dict({k: v.to(dtype).to(torch.float32) for k, v in model.state_dict().items()})
    m.eval()
    return m


def main():
    os.makedirs(FIX, exist_ok=True)
    tiny = os.path.join(FIX, "tiny-gpt2")
    if os.path.isdir(tiny):
        shutil.rmtree(tiny)
    tok = train_tokenizer(tiny)
    eos = tok.token_to_id("<|endoftext|>")
    vocab = tok.get_vocab_size()

    # Tokenizer cases.
    cases = []
    for text in TOKENIZER_CASES:
        enc = tok.encode(text)
        cases.append({"text": text, "ids": enc.ids, "decoded": tok.decode(enc.ids, skip_special_tokens=False)})
    with open(os.path.join(FIX, "tokenizer_cases.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizers": tokenizers.__version__, "cases": cases}, f, ensure_ascii=False, indent=1)

    # The main tiny model, saved exactly as transformers saves it.
    model = make_model(vocab, eos, seed=1234)
    model.save_pretrained(tiny, safe_serialization=True)

    acts = os.path.join(FIX, "activations")
    if os.path.isdir(acts):
        shutil.rmtree(acts)
    os.makedirs(acts)
    prompts = {
        "tailor": ["My tailor is rich"],
        "hello": ["Hello world"],
        "long": ["Once upon a time there was a little model that wanted to predict the next word of "
                 "every story. Paris is the capital of France."],
        "batch": ["My tailor is rich", "Hello", "The quick brown fox jumps over the lazy dog."],
    }
    index = {}
    for name, ps in prompts.items():
        ids, mask = batch_inputs(tok, ps, eos)
        save_file(capture(model, ids, mask), os.path.join(acts, f"{name}.safetensors"))
        index[name] = {"model": "tiny-gpt2", "prompts": ps}

    # Gradients from torch autograd.
    save_file(gradient_cases(model, tok, eos), os.path.join(acts, "gradients.safetensors"))
    index["gradients"] = {"model": "tiny-gpt2", "prompts": ["My tailor is rich"]}

    # Variants: storage layouts, dtypes and config flags.
    variants = os.path.join(FIX, "tiny-gpt2-variants")
    if os.path.isdir(variants):
        shutil.rmtree(variants)
    tailor_ids, tailor_mask = batch_inputs(tok, prompts["tailor"], eos)
    batch_ids, batch_mask = batch_inputs(tok, prompts["batch"], eos)

    flags = make_model(vocab, eos, seed=99, activation_function="gelu", n_inner=96,
                       scale_attn_by_inverse_layer_idx=True, tie_word_embeddings=False,
                       layer_norm_epsilon=1e-6)
    specs = [
        ("original-layout-f16", model, torch.float16, 3),
        ("original-layout-bf16", model, torch.bfloat16, 1),
        ("flags-f32", flags, torch.float32, 2),
    ]
    for vname, m, dtype, shards in specs:
        d = os.path.join(variants, vname)
        save_original_gpt2_layout(m, d, dtype, shards)
        for f in ("tokenizer.json",):
            shutil.copy(os.path.join(tiny, f), d)
        ref = rounded_copy(m, dtype)
        for pname, ids, mask in (("tailor", tailor_ids, tailor_mask), ("batch", batch_ids, batch_mask)):
            key = f"{vname}-{pname}"
            save_file(capture(ref, ids, mask), os.path.join(acts, f"{key}.safetensors"))
            index[key] = {"model": f"tiny-gpt2-variants/{vname}", "prompts": prompts[pname]}
    # A checkpoint with only vocab.json + merges.txt (no tokenizer.json).
    vm = os.path.join(variants, "vocab-merges")
    shutil.copytree(os.path.join(variants, "flags-f32"), vm)
    os.remove(os.path.join(vm, "tokenizer.json"))
    shutil.copy(os.path.join(tiny, "vocab.json"), vm)
    shutil.copy(os.path.join(tiny, "merges.txt"), vm)

    with open(os.path.join(acts, "index.json"), "w") as f:
        json.dump({"versions": PINNED, "cases": index}, f, indent=1)

    import fixtures_bf16_weights  # the opt-in BF16 weight storage (adds cases to index.json)
    fixtures_bf16_weights.write(tiny, acts)
    import fixtures_toolkit  # the nnterp toolkit's references (logit lens, attention, patching, steering)
    fixtures_toolkit.write(tiny, os.path.join(FIX, "toolkit"))
    import fixtures_generation  # Hugging Face generate references (greedy, batch, stop tokens)
    fixtures_generation.write(tiny, os.path.join(FIX, "generation"))
    import fixtures_architectures  # tiny Llama, Mistral, Qwen2 and GPT-NeoX checkpoints and their references
    fixtures_architectures.write(tiny, os.path.join(FIX, "architectures"))
    import fixtures_attention_gradients  # gradients through attention probabilities, read and replaced
    fixtures_attention_gradients.write(FIX)
    # Tokenizers of the Llama, Qwen2, GPT-NeoX and Mistral families (reads tokenizer_cases.json).
    runpy.run_path(os.path.join(ROOT, "Scripts", "fixtures_tokenizers.py"), run_name="__main__")
    # (The embedded default model is the trained demo model: Scripts/train_demo_model.py.)
    print("fixtures written to", FIX)


if __name__ == "__main__":
    main()
