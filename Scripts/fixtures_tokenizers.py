#!/usr/bin/env python3
"""Builds the reference tokenizers of the Llama, Qwen2 and GPT-NeoX families.

Nothing is downloaded: for each family a small BPE is trained with `tokenizers` on a local
corpus, then saved as a `tokenizer.json` laid out as the real files of that family are
(transformers' `convert_slow_tokenizer.py` and `models/*/tokenization_*.py` build them so):

  llama3/    Split on the Llama 3 (tiktoken cl100k) pattern + ByteLevel(use_regex=false),
             ignore_merges, post-processor Sequence[ByteLevel, TemplateProcessing
             "<|begin_of_text|> $A"], special tokens after the vocabulary
  qwen2/     NFC, Split on Qwen2's pattern (single digits) + ByteLevel, post-processor
             ByteLevel, prefix/suffix written as "", <|endoftext|> <|im_start|> <|im_end|>
  gpt-neox/  Pythia's layout: NFC, ByteLevel pre-tokenizer (no use_regex key, trim_offsets),
             <|endoftext|> and <|padding|> as ids 0 and 1, and the 23 added space-run tokens
  llama2/    SentencePiece-style: normalizer Prepend("▁") + Replace(" ", "▁"), no
             pre-tokenizer, BPE with byte_fallback and fuse_unk over <unk> <s> </s> <0x00>…<0xFF>,
             decoder Replace/ByteFallback/Fuse/Strip, TemplateProcessing "<s> $A"
  mistral/   the same model in the newer form transformers 5 writes: Metaspace
             (prepend_scheme "first", split false) instead of the normalizer

Each folder gets tokenizer.json, tokenizer_config.json (its eos_token) and cases.json: for
every text, the ids with and without special tokens and both decodings, plus decodings of
arbitrary id lists (ill-formed byte sequences, special tokens, unknown ids). Also writes
pretokenizer_pieces.json: random strings split by the Llama 3 and Qwen2 regexes.

Run from the repository root with the pinned stack (see Scripts/make_fixtures.py):
  /tmp/ref-venv/bin/python Scripts/fixtures_tokenizers.py
CI never runs this; it reads the committed outputs.
"""
import json
import os
import random
import sys

import tokenizers
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

PINNED = "0.23.3"
if tokenizers.__version__.split("+")[0] != PINNED:
    sys.exit(f"tokenizers {tokenizers.__version__} found, {PINNED} pinned: install the pinned version")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "Tests", "Fixtures")
OUT = os.path.join(FIX, "tokenizers")

# As in transformers' TikTokenConverter (Llama 3) and Qwen2Tokenizer.
LLAMA3_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""

TRAINING_TEXT = """My tailor is rich. The quick brown fox jumps over the lazy dog.
Hello world! Hello, world. It's a truth universally acknowledged that a model needs data.
I'm sure they'll say we've done what you'd expect: it's not what he's got, it's what she'd give.
Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024 3.14159 1,000,000 123456789.
def main():\n    print("hello")\n    return 0\n\nfor i in range(10):\n\tx += i
The transformer reads tokens, mixes them with attention, and writes logits for the next token.
Attention heads look back at earlier positions; the MLP stores facts; the residual stream carries it all.
Interpretability means reading activations, patching them, and watching the output change.
Paris is the capital of France. Berlin is the capital of Germany. Rome is the capital of Italy.
Windows lines end with CRLF:\r\nlike this\r\n\r\nand this.
café naïve résumé Ångström Zürich façade déjà vu
Привет, мир! Как дела? Москва
你好，世界。日本語のテキスト。한국어
"""

EXTRA_CASES = [
    # digit runs
    "1", "12", "123", "1234", "12345", "1234567", "1234567890123", "a1b22c333d4444", "x 9876 y",
    "٣٤٥٦ ①②③④ ½¾", "v1.2.3-rc45", "0.000001 and 1e-10",
    # CRLF and newlines
    "a\r\nb", "line\r\n\r\nnext", "\r\n\r\n", " \r\n x", "x \r\n\t y", "end.\r\n", "a\rb\rc", "hello!\n\nworld",
    "x\n \ny", "  \n  z", "tail\n   ", "(\n)\r\n[\r\n\r\n]",
    # leading spaces
    " a", "  a", "   hello", "\ta", "\u3000a", " 1", "  !", "    four", "\t\tdeep",
    # mixed-case contractions
    "I'M", "We'Re", "THEY'LL", "she'D", "'S'T'RE", "x'Ve", "don'T", "it’s curly", "'ſ long s", "O'NEIL'S",
    "'ll'LL'Ll", "'", "''", "a'", "'1",
    # symbols glued to letters
    "(hello) [world] {x} <y>", "$abc #tag @user", "-minus +plus", "¿Qué? ¡Sí!", "a…b", "x→y",
    # markers that must not be taken for special tokens
    "<0x41> <0xZZ> <0x0A>", "▁ ▁▁x", "<unk> <s> </s>", "<|begin_of_text|>", "<|im_start|>user\nhi<|im_end|>",
    "<|endoftext|><|padding|>", "Hello<s>World</s>",
    # space runs (GPT-NeoX's added tokens)
    "a" + " " * 30 + "b", "x" + " " * 24 + "y", "    def f():\n        return 1", " " * 7,
    # characters outside the small training alphabets
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ✓ ✗ ∑ ∫ ∂", "ǅungla ǈubljana", "Ελληνικά και עברית وعربي", "ZWJ👨‍💻 and 🇫🇷",
    "A" * 300, "ab" * 200, "word " * 80,
    # whole-word tokens that only ignore_merges finds (Llama 3)
    "Interpretability Hello Paris transformer, Interpretability",
]


def corpus_texts():
    with open(os.path.join(FIX, "tokenizer_cases.json"), encoding="utf-8") as f:
        gpt2_texts = [case["text"] for case in json.load(f)["cases"]]
    return gpt2_texts + EXTRA_CASES


def training_lines(texts):
    return TRAINING_TEXT.split("\n") * 3 + texts


def train_byte_level(pattern, lines, vocab_size):
    """Vocabulary and merges of a byte-level BPE trained over the given Split pattern."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    model = json.loads(tok.to_str())["model"]
    return model["vocab"], [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model["merges"]]


def build_llama3(lines):
    vocab, merges = train_byte_level(LLAMA3_PATTERN, lines, 700)
    # Whole words with no merges that make them: only ignore_merges finds them.
    for word in ["ĠInterpretability", "Ġtransformer", "Hello", "ĠParis"]:
        if word not in vocab:
            vocab[word] = len(vocab)
    tok = Tokenizer(models.BPE(vocab, merges, ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=True, trim_offsets=True, use_regex=True)
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|start_header_id|>",
                "<|end_header_id|>", "<|eot_id|>"]
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in specials])
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
        processors.TemplateProcessing(
            single="<|begin_of_text|> $A:0", pair="<|begin_of_text|> $A:0 <|begin_of_text|>:1 $B:1",
            special_tokens=[("<|begin_of_text|>", bos)]),
    ])
    return tok, "<|end_of_text|>"


def build_qwen2(lines):
    vocab, merges = train_byte_level(QWEN2_PATTERN, lines, 700)
    tok = Tokenizer(models.BPE(vocab, merges, dropout=None, unk_token=None, continuing_subword_prefix="",
                               end_of_word_suffix="", fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True)
                            for t in ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]])
    return tok, "<|endoftext|>"


def build_gpt_neox(lines):
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True)
    trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>", "<|padding|>"])
    tok.train_from_iterator(lines, trainer)
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=True)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=True)
    # Pythia's added space runs, 24 spaces down to 2, normalized and not special.
    tok.add_tokens([AddedToken(" " * n, normalized=True, special=False) for n in range(24, 1, -1)])
    return tok, "<|endoftext|>"


def qwen2_layout(data):
    """The decoder's flags as Qwen2's file writes them (the Python binding does not keep them)."""
    data["decoder"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    return data


def pythia_layout(data):
    """Writes the JSON the way Pythia's file is: no use_regex, byte_fallback or ignore_merges keys."""
    data["decoder"] = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True}
    for key in ("pre_tokenizer", "post_processor"):
        data[key].pop("use_regex", None)
    data["model"].pop("byte_fallback", None)
    data["model"].pop("ignore_merges", None)
    return data


SENTENCEPIECE_ALPHABET = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;!?'\"()-_#<>/|"
                          "éèàüöñç")


def train_sentencepiece_style(lines):
    """Vocabulary and merges of a SentencePiece-style BPE: <unk> <s> </s>, the 256 byte tokens,
    then pieces over a deliberately small alphabet so that rarer characters fall back to bytes."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=600, min_frequency=2, show_progress=False)
    # A fixed small alphabet (limit_alphabet breaks frequency ties at random): other
    # characters are left out of training, so encoding them falls back to bytes.
    kept = set(SENTENCEPIECE_ALPHABET)
    tok.train_from_iterator(["".join(c for c in line if c in kept) for line in lines], trainer)
    trained = json.loads(tok.to_str())["model"]
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for token, _ in sorted(trained["vocab"].items(), key=lambda item: item[1]):
        if token not in vocab:
            vocab[token] = len(vocab)
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in trained["merges"]]
    return vocab, merges


def sentencepiece_model(vocab, merges):
    tok = Tokenizer(models.BPE(vocab, merges, unk_token="<unk>", fuse_unk=True, byte_fallback=True, dropout=None))
    tok.add_special_tokens([AddedToken(t, normalized=False, special=True) for t in ["<unk>", "<s>", "</s>"]])
    tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                     decoders.Strip(content=" ", left=1)])
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", 1)])
    return tok


def build_llama2(vocab, merges):
    tok = sentencepiece_model(vocab, merges)
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    return tok, "</s>"


def build_mistral(vocab, merges):
    tok = sentencepiece_model(vocab, merges)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
    return tok, "</s>"


def random_ids(rng, size, count, length):
    out = []
    for _ in range(count):
        out.append([rng.randrange(size + 3) for _ in range(rng.randrange(1, length))])
    return out


def write_family(name, tok, eos, texts, layout=None):
    rng = random.Random(f"decodes-{name}")
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    data = json.loads(tok.to_str())
    if layout:
        data = layout(data)
    path = os.path.join(folder, "tokenizer.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=1)
    tok = Tokenizer.from_file(path)  # the cases come from the file as written
    with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump({"eos_token": eos}, f, ensure_ascii=False, indent=1)
    cases = []
    for text in texts:
        ids = tok.encode(text).ids
        plain = tok.encode(text, add_special_tokens=False).ids
        cases.append({"text": text, "ids": ids, "idsWithoutSpecialTokens": plain,
                      "decoded": tok.decode(ids, skip_special_tokens=False),
                      "decodedSkippingSpecialTokens": tok.decode(ids, skip_special_tokens=True)})
    size = tok.get_vocab_size(with_added_tokens=True)
    decodes = []
    for ids in random_ids(rng, size, 60, 12):
        decodes.append({"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False),
                        "decodedSkippingSpecialTokens": tok.decode(ids, skip_special_tokens=True)})
    with open(os.path.join(folder, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizers": tokenizers.__version__, "vocabularySize": size, "cases": cases,
                   "decodes": decodes}, f, ensure_ascii=False, indent=1)
    print(f"{name}: vocabulary {size}, {len(cases)} cases, {len(decodes)} decodes")


ALPHABET = (list("aAbzZ'sStTrReEvVmMlLdD19٣½") + [" ", "  ", "\t", "\n", "\r", "\r\n", "\u00a0", "\u3000",
            "\u200b", "\u0301", "!", ".", "(", "$", "_", "é", "ſ", "ß", "K", "ﬆ", "👍", "日", "\u0085", "\x0b"])


def random_pieces(rng):
    """Random strings over a small alphabet of the characters the patterns treat differently,
    with the pieces each pattern splits them into."""
    out = {"llama3": [], "qwen2": []}
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 16))) for _ in range(400)]
    for name, pattern in (("llama3", LLAMA3_PATTERN), ("qwen2", QWEN2_PATTERN)):
        split = pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False)
        for text in texts:
            out[name].append({"text": text, "pieces": [p for p, _ in split.pre_tokenize_str(text)]})
    return out


def main():
    texts = corpus_texts()
    lines = training_lines(texts)
    os.makedirs(OUT, exist_ok=True)
    write_family("llama3", *build_llama3(lines), texts)
    write_family("qwen2", *build_qwen2(lines), texts, layout=qwen2_layout)
    write_family("gpt-neox", *build_gpt_neox(lines), texts, layout=pythia_layout)
    vocab, merges = train_sentencepiece_style(lines)
    write_family("llama2", *build_llama2(vocab, merges), texts)
    write_family("mistral", *build_mistral(vocab, merges), texts)
    with open(os.path.join(OUT, "pretokenizer_pieces.json"), "w", encoding="utf-8") as f:
        json.dump({"tokenizers": tokenizers.__version__, "patterns": {"llama3": LLAMA3_PATTERN, "qwen2": QWEN2_PATTERN},
                   "cases": random_pieces(random.Random(7))}, f, ensure_ascii=False, indent=1)
    print("tokenizer fixtures written to", OUT)


if __name__ == "__main__":
    main()
