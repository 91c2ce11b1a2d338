"""The synthetic model's vocabulary: byte tokens, trained merges, padding and harmony specials."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

from tests.support.bpe import byte_to_unicode, force_single_tokens, train_bpe
from tests.support.corpus import CORPUS, WORDS

# Strings that must be single tokens (channel names, the constrain type, the role).
SINGLE_TOKEN_WORDS: tuple[str, ...] = ("analysis", "final", "commentary", "assistant", "json")

# The harmony special tokens in the real o200k_harmony order (ids 199998..200012 there);
# the unnamed slots in between are reserved tokens, as in the real vocabulary.
_SPECIAL_LAYOUT: tuple[str | None, ...] = (
    "<|startoftext|>",
    "<|endoftext|>",
    None,
    None,
    "<|return|>",
    "<|constrain|>",
    None,
    "<|channel|>",
    "<|start|>",
    "<|end|>",
    "<|message|>",
    None,
    None,
    None,
    "<|call|>",
)

SPECIAL_TOKENS: tuple[str, ...] = tuple(t for t in _SPECIAL_LAYOUT if t is not None)

TOKEN_TYPE_NORMAL = 1
TOKEN_TYPE_CONTROL = 3


@dataclass(frozen=True)
class Vocab:
    """Token strings, their llama.cpp token types, and the merges, ready for GGUF."""

    tokens: tuple[str, ...]
    token_types: tuple[int, ...]
    merges: tuple[str, ...]
    n_trained_merges: int

    def token_id(self, text: str) -> int:
        """Return the id of the token whose text is exactly ``text``."""
        return self.tokens.index(text)


@lru_cache(maxsize=4)
def build_vocab(n_merges: int, total_size: int | None = None, min_count: int = 2) -> Vocab:
    """Build the vocabulary from up to ``n_merges`` merges seen ``min_count`` times or more.

    With ``total_size`` the vocabulary is padded to that many entries (specials included).
    The embedded corpus only supports a few thousand useful merges, so a realistic ~32k
    vocabulary is reached with extra distinct NORMAL tokens: short letter strings in
    byte-level form that no merge produces. They give the embedding and output matrices
    the real shapes and cost, are valid byte-level text if the random model samples them,
    and never change how text is tokenized.
    """
    words = WORDS.split()
    corpus = "\n".join(
        [
            CORPUS,
            " ".join(form for word in words for form in word_forms(word)),  # after a space
            "\n".join(form for word in words for form in (word, word.capitalize())),  # line start
            " ".join(str(number) for number in range(1000)),  # digits split in 1-3s, as in o200k
        ]
    )
    trained = train_bpe(corpus, n_merges, min_count=min_count)
    merges = force_single_tokens(trained, SINGLE_TOKEN_WORDS)

    tokens: list[str] = [byte_to_unicode()[b] for b in range(256)]
    seen = set(tokens)
    for left, right in merges:
        if left not in seen or right not in seen:
            raise AssertionError(f"merge parts must be tokens already: {left!r} {right!r}")
        if left + right not in seen:
            tokens.append(left + right)
            seen.add(left + right)

    n_special = len(_SPECIAL_LAYOUT)
    if total_size is not None:
        for filler in _padding_strings():
            if len(tokens) + n_special >= total_size:
                break
            if filler not in seen:
                tokens.append(filler)
                seen.add(filler)
        if len(tokens) + n_special != total_size:
            raise AssertionError("not enough padding strings for the requested vocabulary")

    types = [TOKEN_TYPE_NORMAL] * len(tokens)
    for name in _SPECIAL_LAYOUT:
        tokens.append(name if name is not None else f"<|reserved_{len(tokens)}|>")
        types.append(TOKEN_TYPE_CONTROL)
    return Vocab(
        tokens=tuple(tokens),
        token_types=tuple(types),
        merges=tuple(f"{left} {right}" for left, right in merges),
        n_trained_merges=len(trained),
    )


def word_forms(word: str) -> tuple[str, ...]:
    """Return ``word`` with naive plural, past, -ing and capitalised forms (for training)."""
    stem = word[:-1] if word.endswith("e") else word
    plural = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return (word, plural, stem + "ed", stem + "ing", word.capitalize())


def _padding_strings() -> itertools.chain[str]:
    """Yield distinct byte-level strings: 3 letters, then 'Ġ' (a space) + 3 letters."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    plain = ("".join(p) for p in itertools.product(letters, repeat=3))
    spaced = ("Ġ" + "".join(p) for p in itertools.product(letters, repeat=3))
    return itertools.chain(plain, spaced)
