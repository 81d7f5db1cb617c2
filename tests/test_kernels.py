"""The compiled kernels give exactly the values of their plain-Python definitions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import xxhash
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.shingle import ShingleOptions, shingle_hashes, tokenize

_SHARED = Path(__file__).resolve().parents[2] / "shared"
_PAIRS = _SHARED / "data" / "semeval2022_task8_even" / "pairs.jsonl"
# Letters of several scripts, digits, separators and the characters that tend
# to break tokenisers: combining marks, ZWJ, underscore, surrogates, emoji.
_ALPHABET = st.sampled_from(
    list("abcXYZ019 _-.,\n\t'’")
    + list("ñçßİıÅ\u0301\u0308\u200d")
    + list("мирПривет")
    + list("新华社北京电ภาษาไทยかなカナ한국어")
    + list("مرحبا\u0905\u093f\u094d")
    + ["\ud800", "\U0001f600", "\U00020000", "\ufb01", "Ⅻ", "½"]
)


def _identity(value: int) -> int:
    """datasketch's hash function for input that is already hashed."""
    return value


def _reference(text: str, options: ShingleOptions) -> npt.NDArray[np.uint32]:
    """The definition: xxh32 of each regex token's UTF-8, combined positionally in Python."""
    tokens = [xxhash.xxh32_intdigest(t.encode(), seed=options.seed) for t in tokenize(text)]
    if not tokens:
        return np.empty(0, dtype=np.uint32)
    k = min(options.k, len(tokens))
    out = []
    for i in range(len(tokens) - k + 1):
        h = tokens[i]
        for offset in range(1, k):
            h = ((h * 0x01000193) & 0xFFFFFFFF) ^ tokens[i + offset]
        out.append(h)
    return np.array(out, dtype=np.uint32)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=_ALPHABET, max_size=120),
    k=st.integers(min_value=1, max_value=6),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_shingles_equal_the_python_definition(text: str, k: int, seed: int) -> None:
    options = ShingleOptions(k=k, seed=seed)
    assert shingle_hashes(text, options=options).tolist() == _reference(text, options).tolist()


@pytest.mark.parametrize(
    "word",
    [
        "a",
        "abcd",
        "abcdefghijklmno",  # 15 bytes: the last length below xxh32's 16-byte stripes
        "abcdefghijklmnop",  # 16 bytes: exactly one stripe
        "donaudampfschifffahrtsgesellschaftskapitän",  # stripes, then a tail
        "привет" * 7,  # two-byte letters across stripe boundaries
        "\U00010400\U00010401\U00010402\U00010403\U00010404",  # four-byte letters
    ],
)
def test_token_hash_is_xxh32_of_utf8_at_every_length(word: str) -> None:
    options = ShingleOptions(k=1, seed=7)
    assert tokenize(word) == [word.casefold()]
    expected = xxhash.xxh32_intdigest(word.casefold().encode(), seed=7)
    assert shingle_hashes(word, options=options).tolist() == [expected]


def test_real_multilingual_texts_equal_the_python_definition() -> None:
    if not _PAIRS.exists():
        pytest.skip(f"{_PAIRS} is not present")
    texts: list[str] = []
    with _PAIRS.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts.extend(t for t in (row["text_1"], row["text_2"]) if t)
            if len(texts) >= 200:
                break
    options = ShingleOptions()
    for text in texts:
        assert shingle_hashes(text).tolist() == _reference(text, options).tolist()


@settings(max_examples=60, deadline=None)
@given(
    shingles=st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=130),
    passage=st.integers(min_value=2, max_value=41),
)
def test_signatures_equal_datasketch_for_document_and_every_window(
    shingles: list[int], passage: int
) -> None:
    options = FingerprintOptions(passage=passage)
    values = np.array(shingles, dtype=np.uint32)
    fingerprint = fingerprint_shingles(values, options=options)
    document = MinHash(num_perm=128, seed=options.seed, hashfunc=_identity, scheme="affine32")
    document.update_batch(shingles)
    assert np.array_equal(fingerprint.signature.hashvalues, document.hashvalues)
    half = max(1, passage // 2)
    starts = range(0, max(1, len(shingles) - half), half)
    # Every window, then the lead (first half window) for texts longer than one.
    spans = [(start, start + 2 * half) for start in starts]
    if len(shingles) > half:
        spans.append((0, half))
    assert len(fingerprint.passages) == len(spans)
    for row, (start, end) in zip(fingerprint.passage_values, spans, strict=True):
        window = MinHash(num_perm=128, seed=options.seed, hashfunc=_identity, scheme="affine32")
        window.update_batch(shingles[start:end])
        assert np.array_equal(row, window.hashvalues)
