"""CLIP byte-level BPE data for small packs (reduced vocabulary), plus a reference encoder.

Why a reduced vocabulary: the full CLIP vocabulary (49,408 entries) would make the token
embedding of a tiny text encoder larger than the rest of the pack. The reduced vocabulary keeps
the CLIP file format (`vocab.json`, `merges.txt`), so the same tokenizer code reads both.

Layout (the TypeScript side implements the same; keep them identical):
  ids 0..255     the 256 byte-level symbols, in openai/CLIP `bytes_to_unicode()` order
  ids 256..511   the same symbols with `</w>` appended
  ids 512..      one id per merge result, in merge order
  then           `<|startoftext|>`, `<|endoftext|>` (the last id; pad = unk = `<|endoftext|>`)
Merges: for each word of the word list (lower-cased), the merges that build `word</w>` left to
right (first two symbols, then that result with the next symbol, ...), skipping merges that are
already present. `merges.txt` starts with `#version: 0.2`.
"""
from __future__ import annotations

import json
import os
import re
from typing import Dict, Iterable, List, Sequence, Tuple

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"
MAX_LENGTH = 77

# Everyday prompt words, plus the shapes/colours/backgrounds of a synthetic test world.
# Order matters: it fixes merge order and therefore ids. CLIP's BPE applies the lowest-ranked
# merge first, so an earlier word's first merge (e.g. "a t</w>" of "at") can split a later word
# ("c" + "at</w>"). This order (from `order_words_for_single_tokens`) makes every word one token.
TINY_WORDS: Tuple[str, ...] = (
    "a", "the", "of", "with", "photo", "painting", "picture", "image", "cat", "at", "dog",
    "lion", "on", "fox", "horse", "bear", "yellow", "white", "orange", "purple", "pink",
    "circle", "square", "triangle", "and", "star", "ball", "box", "small", "little", "bright",
    "dark", "background", "green", "gray", "house", "tree", "red", "car", "flower", "mountain",
    "in", "river", "sky", "grass", "rabbit", "bird", "big", "woman", "man", "an", "riding",
    "bicycle", "eating", "burger", "sitting", "tiger", "table", "blue", "black", "large",
)


def bytes_to_unicode() -> Dict[int, str]:
    """openai/CLIP's reversible byte -> printable unicode mapping (insertion order matters)."""
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("\u00a1"), ord("\u00ac") + 1))
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def _word_symbols(word: str) -> List[str]:
    """Byte-level symbols of one word, the last one carrying `</w>` (as CLIP's bpe() does)."""
    b2u = bytes_to_unicode()
    syms = [b2u[b] for b in word.encode("utf-8")]
    syms[-1] = syms[-1] + "</w>"
    return syms


def build_reduced_bpe(words: Iterable[str]) -> Tuple[Dict[str, int], List[Tuple[str, str]]]:
    """Returns (vocab, merges) for the reduced layout described in the module docstring."""
    base = list(bytes_to_unicode().values())
    vocab_list = base + [s + "</w>" for s in base]
    merges: List[Tuple[str, str]] = []
    seen = set()
    for word in words:
        syms = _word_symbols(word.lower())
        cur = syms[0]
        for nxt in syms[1:]:
            pair = (cur, nxt)
            if pair not in seen:
                seen.add(pair)
                merges.append(pair)
                vocab_list.append(cur + nxt)
            cur = cur + nxt
    vocab_list += [BOS, EOS]
    if len(set(vocab_list)) != len(vocab_list):
        raise ValueError("duplicate vocabulary entries: the word list yields a merge result twice")
    return {tok: i for i, tok in enumerate(vocab_list)}, merges


def order_words_for_single_tokens(words: Sequence[str]) -> List[str]:
    """Greedy order in which no word's first merge occurs inside a word placed after it.

    A helper for editing the word list (the result is then written down as TINY_WORDS); the
    builder itself never reorders, so the layout rule stays simple for other implementations.
    """

    def first(w: str):
        s = _word_symbols(w)
        return tuple(s[:2]) if len(s) > 1 else None

    def inner(w: str):
        s = _word_symbols(w)
        return {tuple(s[i : i + 2]) for i in range(1, len(s) - 1)}

    order: List[str] = []
    remaining = [w.lower() for w in words]
    while remaining:
        for w in remaining:
            f = first(w)
            if f is None or not any(f in inner(b) for b in remaining if b != w and first(b) != f):
                order.append(w)
                remaining.remove(w)
                break
        else:  # a cycle: keep the rest as given; check_single_tokens() reports the casualties
            order += remaining
            break
    return order


def check_single_tokens(words: Iterable[str], vocab: Dict[str, int], merges) -> List[str]:
    """Words of the list that the BPE does NOT encode as one token (should be empty)."""
    enc = ClipBpe(vocab, merges)
    return [w for w in words if len(enc.encode(w)) != 1]


TOKENIZER_CONFIG = {
    "tokenizer_class": "CLIPTokenizer",
    "model_max_length": MAX_LENGTH,
    "do_lower_case": True,
    "bos_token": BOS,
    "eos_token": EOS,
    "pad_token": EOS,
    "unk_token": EOS,
}


def write_tokenizer(out_dir: str, vocab: Dict[str, int], merges: Sequence[Tuple[str, str]]) -> None:
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    write_tokenizer_config(out_dir)


def write_tokenizer_config(out_dir: str) -> None:
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(TOKENIZER_CONFIG, f, indent=1)
        f.write("\n")


def read_tokenizer(tok_dir: str) -> Tuple[Dict[str, int], List[Tuple[str, str]]]:
    with open(os.path.join(tok_dir, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(tok_dir, "merges.txt"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    merges = [tuple(l.split(" ")) for l in lines[1:] if l]
    return vocab, merges  # type: ignore[return-value]


# CLIP's word pattern, written for `re` (the `regex` module is not installed here):
# letters [\p{L}] ~ [^\W\d_], numbers [\p{N}] ~ \d (one per piece), the rest ~ (?:[^\s\w]|_).
# Exact for ASCII; exotic Unicode numerals (No/Nl categories) may split differently.
_PAT = re.compile(
    r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+",
    re.IGNORECASE,
)


class ClipBpe:
    """Reference CLIP BPE encoder (no ftfy repair; whitespace folded, lower-cased)."""

    def __init__(self, vocab: Dict[str, int], merges: Sequence[Tuple[str, str]]):
        self.vocab = vocab
        self.ranks = {tuple(m): i for i, m in enumerate(merges)}
        self.b2u = bytes_to_unicode()
        self.bos = vocab[BOS]
        self.eos = vocab[EOS]

    def bpe(self, word: List[str]) -> List[str]:
        word = list(word)
        while len(word) > 1:
            pairs = [(self.ranks.get((word[i], word[i + 1]), None), i) for i in range(len(word) - 1)]
            pairs = [p for p in pairs if p[0] is not None]
            if not pairs:
                break
            rank = min(p[0] for p in pairs)
            a, b = next(m for m, r in self.ranks.items() if r == rank)
            out, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            word = out
        return word

    def encode(self, text: str) -> List[int]:
        text = re.sub(r"\s+", " ", text).strip().lower()
        ids: List[int] = []
        for piece in _PAT.findall(text):
            syms = [self.b2u[b] for b in piece.encode("utf-8")]
            syms[-1] += "</w>"
            ids.extend(self.vocab[s] for s in self.bpe(syms))
        return ids

    def __call__(self, text: str, length: int = MAX_LENGTH) -> List[int]:
        """BOS + ids + EOS, truncated to `length` (EOS kept) and padded with EOS."""
        ids = [self.bos] + self.encode(text)[: length - 2] + [self.eos]
        return ids + [self.eos] * (length - len(ids))
