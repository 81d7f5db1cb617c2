"""Compiled inner loops of shingling and MinHash (numba).

Fingerprinting is per character and per permutation: interpreted Python pays
one object and one call per token (the regex tokeniser alone cost about as
much as all the MinHash arithmetic), and numpy pays a fixed overhead per call
that dominates on article-sized arrays. These kernels do the same work in one
compiled pass each:

* :func:`token_kernel` walks the text's code points once, cuts tokens exactly
  as :data:`provenance.shingle._TOKEN` does (a class table built from that
  regex) and hashes each token's UTF-8 bytes with xxh32;
* :func:`shingle_kernel` combines each run of ``k`` token hashes into a
  shingle hash;
* :func:`minhash_kernel` applies datasketch's affine32 permutations to every
  shingle and keeps the minimum of every half-window block, without ever
  materialising the ``shingles x permutations`` matrix.

xxh32 is written out here because the xxhash library cannot be called from
compiled code per token; ``tests/test_kernels.py`` checks every value against
``xxhash.xxh32_intdigest`` and against datasketch's own ``update_batch``, so the
signatures are bit for bit those of the plain-Python definitions.

Compiled on first use and cached on disk next to this module (numba's
``cache=True``), so only the first process after an install pays the compile.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

__all__ = ["SEPARATOR", "SINGLE", "WORD", "minhash_kernel", "shingle_kernel", "token_kernel"]

_M32 = np.uint64(0xFFFFFFFF)
_P1 = np.uint64(0x9E3779B1)
_P2 = np.uint64(0x85EBCA77)
_P3 = np.uint64(0xC2B2AE3D)
_P4 = np.uint64(0x27D4EB2F)
_P5 = np.uint64(0x165667B1)
# Odd multiplier of the shingle combiner (the 32-bit FNV prime).
_MIX = np.uint64(0x01000193)
# Token classes of the class table: not part of any token, a letter or digit
# that runs into a word, a character that is a token by itself (unspaced scripts).
SEPARATOR, WORD, SINGLE = 0, 1, 2


@njit(cache=True, inline="always")
def _rotl(x: np.uint64, r: int) -> np.uint64:
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _M32


@njit(cache=True, inline="always")
def _lane(data: npt.NDArray[np.uint8], i: int) -> np.uint64:
    """The little-endian 32-bit word at ``data[i:i + 4]``."""
    low = np.uint64(data[i]) | np.uint64(data[i + 1]) << np.uint64(8)
    return low | np.uint64(data[i + 2]) << np.uint64(16) | np.uint64(data[i + 3]) << np.uint64(24)


@njit(cache=True, inline="always")
def _round(acc: np.uint64, lane: np.uint64) -> np.uint64:
    return (_rotl((acc + lane * _P2) & _M32, 13) * _P1) & _M32


@njit(cache=True)
def _xxh32(data: npt.NDArray[np.uint8], length: int, seed: np.uint64) -> np.uint64:
    """xxh32 of ``data[:length]``, as ``xxhash.xxh32_intdigest`` computes it."""
    i = 0
    if length >= 16:
        v1 = (seed + _P1 + _P2) & _M32
        v2 = (seed + _P2) & _M32
        v3 = seed
        v4 = (seed - _P1) & _M32
        while i + 16 <= length:
            v1 = _round(v1, _lane(data, i))
            v2 = _round(v2, _lane(data, i + 4))
            v3 = _round(v3, _lane(data, i + 8))
            v4 = _round(v4, _lane(data, i + 12))
            i += 16
        h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & _M32
    else:
        h = (seed + _P5) & _M32
    h = (h + np.uint64(length)) & _M32
    while i + 4 <= length:
        h = (_rotl((h + _lane(data, i) * _P3) & _M32, 17) * _P4) & _M32
        i += 4
    while i < length:
        h = (_rotl((h + np.uint64(data[i]) * _P5) & _M32, 11) * _P1) & _M32
        i += 1
    h ^= h >> np.uint64(15)
    h = (h * _P2) & _M32
    h ^= h >> np.uint64(13)
    h = (h * _P3) & _M32
    h ^= h >> np.uint64(16)
    return h


@njit(cache=True)
def _put_utf8(buffer: npt.NDArray[np.uint8], at: int, cp: int) -> int:
    """Write code point ``cp`` as UTF-8 at ``buffer[at:]``; returns the new end."""
    if cp < 0x80:
        buffer[at] = cp
        return at + 1
    if cp < 0x800:
        buffer[at] = 0xC0 | (cp >> 6)
        buffer[at + 1] = 0x80 | (cp & 0x3F)
        return at + 2
    if cp < 0x10000:
        buffer[at] = 0xE0 | (cp >> 12)
        buffer[at + 1] = 0x80 | ((cp >> 6) & 0x3F)
        buffer[at + 2] = 0x80 | (cp & 0x3F)
        return at + 3
    buffer[at] = 0xF0 | (cp >> 18)
    buffer[at + 1] = 0x80 | ((cp >> 12) & 0x3F)
    buffer[at + 2] = 0x80 | ((cp >> 6) & 0x3F)
    buffer[at + 3] = 0x80 | (cp & 0x3F)
    return at + 4


@njit(cache=True)
def token_kernel(
    codepoints: npt.NDArray[np.uint32], classes: npt.NDArray[np.uint8], seed: int
) -> npt.NDArray[np.uint32]:
    """xxh32 of every token's UTF-8 bytes, in reading order.

    Args:
        codepoints: The (normalised, case-folded) text as code points.
        classes: The class table: ``classes[cp]`` is SEPARATOR, WORD or SINGLE.
        seed: The xxh32 seed.
    """
    n = len(codepoints)
    out = np.empty(n, dtype=np.uint32)
    buffer = np.empty(4 * n + 4, dtype=np.uint8)
    useed = np.uint64(seed) & _M32
    count = 0
    length = 0  # bytes of the word being read; 0 when outside a word
    for i in range(n):
        cp = int(codepoints[i])
        kind = classes[cp]
        if kind == WORD:
            length = _put_utf8(buffer, length, cp)
            continue
        if length:
            out[count] = _xxh32(buffer, length, useed)
            count += 1
            length = 0
        if kind == SINGLE:
            end = _put_utf8(buffer, 0, cp)
            out[count] = _xxh32(buffer, end, useed)
            count += 1
    if length:
        out[count] = _xxh32(buffer, length, useed)
        count += 1
    return out[:count]


@njit(cache=True)
def shingle_kernel(tokens: npt.NDArray[np.uint32], k: int) -> npt.NDArray[np.uint32]:
    """Combine each run of ``k`` token hashes into a shingle hash.

    ``h = t0; h = h * MIX ^ t1; ...`` in 32-bit arithmetic, as
    :func:`provenance.shingle.shingle_hashes` defines it. ``k`` is at most
    ``len(tokens)``.
    """
    count = len(tokens) - k + 1
    out = np.empty(count, dtype=np.uint32)
    for i in range(count):
        h = np.uint64(tokens[i])
        for offset in range(1, k):
            h = ((h * _MIX) & _M32) ^ np.uint64(tokens[i + offset])
        out[i] = h
    return out


@njit(cache=True)
def minhash_kernel(
    shingles: npt.NDArray[np.uint32],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    block: int,
) -> npt.NDArray[np.uint32]:
    """Minimum permuted value of every block of ``block`` shingles.

    Each shingle hash goes through MurmurHash3's 32-bit finaliser and then
    every permutation ``h -> a*h + b (mod 2**32)``: datasketch's affine32
    scheme. Row ``r`` of the result is the signature of shingles
    ``[r*block, (r+1)*block)`` (the last block may be shorter).
    """
    n = len(shingles)
    perms = len(a)
    rows = (n + block - 1) // block
    out = np.full((rows, perms), np.uint32(0xFFFFFFFF), dtype=np.uint32)
    # 64-bit arithmetic masked to 32 bits: numba widens 32-bit integers in
    # arithmetic, and the mask keeps exactly the wrapped 32-bit result.
    wide_a = a.astype(np.uint64)
    wide_b = b.astype(np.uint64)
    for i in range(n):
        h = np.uint64(shingles[i])
        h ^= h >> np.uint64(16)
        h = (h * np.uint64(0x85EBCA6B)) & _M32
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(0xC2B2AE35)) & _M32
        h ^= h >> np.uint64(16)
        row = out[i // block]
        for j in range(perms):
            v = np.uint32((wide_a[j] * h + wide_b[j]) & _M32)
            if v < row[j]:
                row[j] = v
    return out
