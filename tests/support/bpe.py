"""A small byte-level BPE trainer and encoder for the synthetic model's tokenizer.

The tokenizer it produces follows the GPT-2 conventions that llama.cpp's ``gpt2`` tokenizer
model expects: every byte is first mapped to a printable unicode character (so a space is
``Ġ`` and a newline ``Ċ``), text is split into pre-tokens before merging, and merges are
listed as ``"left right"`` pairs in priority order.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

# An approximation of llama.cpp's "gpt-4o" pre-tokenizer (Python's ``re`` has no \p{L}):
# a word with at most one leading non-letter character, numbers of up to three digits,
# runs of punctuation, and whitespace. Merges learned across a boundary that llama.cpp
# draws differently are simply never applied there, which is harmless.
_PRETOKEN_RE = re.compile(
    r"[^\r\n\w]?[^\W\d_]+(?:'s|'t|'re|'ve|'m|'ll|'d)?"
    r"|\d{1,3}"
    r"| ?[^\s\w]+[\r\n/]*"
    r"| ?_+"
    r"|\s*[\r\n]+"
    r"|\s+(?!\S)"
    r"|\s+"
)

Pair = tuple[str, str]


@lru_cache(maxsize=1)
def byte_to_unicode() -> dict[int, str]:
    """Return the GPT-2 byte-to-character table (printable bytes map to themselves)."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    table: dict[int, str] = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def byte_encode(text: str) -> str:
    """Map ``text``'s UTF-8 bytes to their GPT-2 byte-level characters."""
    table = byte_to_unicode()
    return "".join(table[b] for b in text.encode("utf-8"))


def pretokenize(text: str) -> list[str]:
    """Split ``text`` into byte-level encoded pre-tokens."""
    return [byte_encode(piece) for piece in _PRETOKEN_RE.findall(text)]


def train_bpe(text: str, n_merges: int, *, min_count: int = 2) -> list[Pair]:
    """Learn up to ``n_merges`` merges from ``text``, most frequent pair first.

    Ties are broken by the pair's text so the result is deterministic. Training stops
    early when no pair occurs at least ``min_count`` times.
    """
    word_counts = Counter(pretokenize(text))
    words: list[list[str]] = [list(w) for w in sorted(word_counts)]
    freqs: list[int] = [word_counts[w] for w in sorted(word_counts)]

    pair_counts: Counter[Pair] = Counter()
    where: dict[Pair, set[int]] = {}
    for idx, symbols in enumerate(words):
        _add_pairs(symbols, freqs[idx], idx, pair_counts, where)

    heap: list[tuple[int, Pair]] = [(-count, pair) for pair, count in pair_counts.items()]
    heapq.heapify(heap)
    merges: list[Pair] = []
    while heap and len(merges) < n_merges:
        neg_count, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -neg_count:
            continue  # stale heap entry; a fresher one is (or was) pushed
        if -neg_count < min_count:
            break
        merges.append(pair)
        touched: set[Pair] = set()
        for idx in sorted(where.pop(pair, ())):
            _remove_pairs(words[idx], freqs[idx], idx, pair_counts, where, touched)
            words[idx] = merge_pair(words[idx], pair)
            _add_pairs(words[idx], freqs[idx], idx, pair_counts, where, touched)
        pair_counts.pop(pair, None)
        for other in sorted(touched):
            if other != pair and pair_counts.get(other, 0) > 0:
                heapq.heappush(heap, (-pair_counts[other], other))
    return merges


def merge_pair(symbols: Sequence[str], pair: Pair) -> list[str]:
    """Return ``symbols`` with every non-overlapping occurrence of ``pair`` joined."""
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def bpe_encode(word: str, ranks: dict[Pair, int]) -> list[str]:
    """Apply merges to one byte-level pre-token, lowest rank first, as llama.cpp does."""
    symbols = list(word)
    while len(symbols) > 1:
        candidates = [(ranks[p], p) for p in zip(symbols, symbols[1:], strict=False) if p in ranks]
        if not candidates:
            break
        symbols = merge_pair(symbols, min(candidates)[1])
    return symbols


def force_single_tokens(merges: list[Pair], words: Iterable[str]) -> list[Pair]:
    """Append merges so that each of ``words`` (plain ASCII) encodes to one token."""
    merges = list(merges)
    for word in words:
        ranks = {pair: rank for rank, pair in enumerate(merges)}
        pieces = bpe_encode(byte_encode(word), ranks)
        joined = pieces[0]
        for piece in pieces[1:]:
            if (joined, piece) not in ranks:
                merges.append((joined, piece))
                ranks[(joined, piece)] = len(merges) - 1
            joined += piece
        final = bpe_encode(byte_encode(word), ranks)
        if len(final) != 1:
            raise AssertionError(f"could not make {word!r} a single token: {final}")
    return merges


def _add_pairs(
    symbols: Sequence[str],
    freq: int,
    idx: int,
    counts: Counter[Pair],
    where: dict[Pair, set[int]],
    touched: set[Pair] | None = None,
) -> None:
    for pair in zip(symbols, symbols[1:], strict=False):
        counts[pair] += freq
        where.setdefault(pair, set()).add(idx)
        if touched is not None:
            touched.add(pair)


def _remove_pairs(
    symbols: Sequence[str],
    freq: int,
    idx: int,
    counts: Counter[Pair],
    where: dict[Pair, set[int]],
    touched: set[Pair],
) -> None:
    for pair in zip(symbols, symbols[1:], strict=False):
        counts[pair] -= freq
        touched.add(pair)
        if pair in where:
            where[pair].discard(idx)
