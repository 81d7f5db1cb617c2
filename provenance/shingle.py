"""Tokens and shingles for any script.

Spaced scripts (Latin, Cyrillic, Arabic, Greek, Hangul, ...) are cut into
words; scripts written without spaces between words (Han, Hiragana, Katakana,
Thai, Lao, Khmer, Myanmar) are cut into single characters, so that a Chinese
article gets character shingles and an English one word shingles, and a mixed
text gets both in reading order. A shingle is ``k`` consecutive tokens, hashed
with xxh32 (stable across processes and ``PYTHONHASHSEED``; never ``hash()``).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from provenance import kernels

__all__ = ["ShingleOptions", "shingle_hashes", "tokenize"]

# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, CJK
# radicals, Hiragana, Katakana, Bopomofo, CJK ideographs (with extensions and
# compatibility forms). Each of their characters is a token of its own.
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3040-\u30ff"
    "\u3100-\u31bf\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
)
# A token is one unspaced-script character or a run of letters and digits.
# Python's \\w leaves out combining marks (category M): in scripts that use them
# inside words (Devanagari, say) a word splits at its marks. That is harmless
# here, because every copy of a text splits the same way, and it lets one C-level
# regex do the whole tokenisation (punctuation and symbols are never tokens).
_TOKEN = re.compile(f"[{_UNSPACED}]|[^\\W_{_UNSPACED}]+")
# A word broken across lines by a hyphen ("pension-\nnat"), as in printed and
# OCR'd text: joined before tokenising so the word shingles as one (a blank
# line may stand between the halves once lines became text blocks).
_LINE_BREAK_HYPHEN = re.compile(r"(\w)-[ \t]*(?:\r?\n[ \t]*){1,2}(\w)")


@cache
def _token_classes() -> npt.NDArray[np.uint8]:
    """The class of every code point, as :data:`_TOKEN` sees it.

    Built from the regex itself (runs of word characters, then the unspaced
    scripts), so the compiled tokeniser cannot drift from :func:`tokenize`.
    """
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    classes = np.full(sys.maxunicode + 1, kernels.SEPARATOR, dtype=np.uint8)
    for match in re.finditer(r"[^\W_]+", every):
        classes[match.start() : match.end()] = kernels.WORD
    for match in re.finditer(f"[{_UNSPACED}]+", every):
        classes[match.start() : match.end()] = kernels.SINGLE
    return classes


@dataclass(frozen=True, slots=True)
class ShingleOptions:
    """How text is cut into shingles.

    Attributes:
        k: Tokens per shingle. Five words is specific enough that independent
            articles on one event rarely share a shingle by chance, and short
            enough that a light edit only breaks a few; five CJK characters are
            about two or three words.
        seed: The xxh32 seed of shingle hashes. Changing it changes every stored
            fingerprint.
    """

    k: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be at least 1")


def _prepare(text: str) -> str:
    if "-\n" in text or "- \n" in text or "-\r\n" in text:
        text = _LINE_BREAK_HYPHEN.sub(r"\1\2", text)
    return unicodedata.normalize("NFKC", text).casefold()


def tokenize(text: str) -> list[str]:
    """Split text into word tokens and single unspaced-script characters.

    The text is NFKC-normalised and case-folded first, as
    :func:`provenance.normalize.normalize_text` does; punctuation never forms
    part of a token.

    Args:
        text: Any text.

    Returns:
        Tokens in reading order.
    """
    return _TOKEN.findall(_prepare(text))


def shingle_hashes(text: str, *, options: ShingleOptions | None = None) -> npt.NDArray[np.uint32]:
    """Hash every ``k``-token shingle of ``text``, in reading order.

    Each token (as :func:`tokenize` cuts it) is hashed with xxh32 over its
    UTF-8 bytes; a shingle's hash combines its ``k`` token hashes positionally
    (``h = t0``, then ``h = h * 0x01000193 ^ t_i`` in 32-bit arithmetic), and
    MinHash pre-mixes the values before permuting them. Both steps run in the
    compiled kernels of :mod:`provenance.kernels`, which give the same values
    as that definition written in Python (``tests/test_kernels.py``).

    A text shorter than ``k`` tokens yields one shingle of all its tokens, so
    that very short texts still have a fingerprint; an empty text yields none.

    Args:
        text: Any text.
        options: Shingle length and hash seed.

    Returns:
        The hashes as a ``uint32`` array, duplicates kept (order matters for
        passage signatures).
    """
    opts = options or ShingleOptions()
    # Lone surrogates (possible in text decoded from JSON) are separators to
    # the tokeniser; "surrogatepass" lets them through the encoder as such.
    codepoints = np.frombuffer(_prepare(text).encode("utf-32-le", "surrogatepass"), np.uint32)
    tokens = kernels.token_kernel(codepoints, _token_classes(), opts.seed)
    if not len(tokens):
        return np.empty(0, dtype=np.uint32)
    return kernels.shingle_kernel(tokens, min(opts.k, len(tokens)))
