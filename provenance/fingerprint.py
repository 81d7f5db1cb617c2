"""MinHash fingerprints and the LSH index that finds candidate copies.

An article gets two kinds of signature, both datasketch MinHashes with 128
permutations and a fixed seed:

* a **document** signature over all its shingles, which finds near-duplicates
  (Jaccard similarity of the whole texts);
* **passage** signatures over overlapping windows of ``passage`` shingles
  (stride half a window), which find *partial* copies: a repost holding the first
  third of the original, a paragraph quoted inside a longer article, or a copy
  wrapped in an editor's intro and a promo footer. Whole-document Jaccard of
  such pairs is low (a third-length copy has J ≈ 0.33), but some window of the
  copy and some window of the original share most of their shingles. Windows,
  not paragraphs, because copies often re-flow paragraphs and many sources have
  no paragraph breaks at all.

LSH only proposes candidates; :mod:`provenance.match` verifies them on the real
shingle sets. Shingle hashes are already xxh32 values, so MinHash uses them as
they are (datasketch's affine32 scheme pre-mixes its input), which gives
exactly the signature ``MinHash(hashfunc=xxh32_intdigest)`` would give over the
shingle strings, at a fraction of the cost. Each window is hashed once and the
document signature is the union of the window signatures.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash, MinHashLSH

__all__ = ["Fingerprint", "FingerprintOptions", "LSHIndex", "fingerprint_shingles", "signature"]

_SCHEME = "affine32"


# MurmurHash3's 32-bit finaliser, which datasketch's affine32 scheme applies to
# every input before its permutations h -> a*h + b (mod 2**32).
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


@dataclass(frozen=True, slots=True)
class FingerprintOptions:
    """Parameters of the MinHash signatures.

    Attributes:
        num_perm: Permutations per signature.
        seed: The permutation seed; changing it invalidates every stored signature.
        passage: Shingles per passage window (stride is half of it).
    """

    num_perm: int = 128
    seed: int = 1
    passage: int = 40

    def __post_init__(self) -> None:
        if self.num_perm < 16:
            raise ValueError("num_perm must be at least 16")
        if self.passage < 2:
            raise ValueError("passage must be at least 2 shingles")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Signatures of one text.

    Attributes:
        shingles: The shingle hashes in reading order.
        signature: The document MinHash.
        passages: One MinHash per overlapping window, in reading order.
    """

    shingles: npt.NDArray[np.uint32]
    signature: LeanMinHash
    passages: tuple[LeanMinHash, ...]

    @property
    def shingle_set(self) -> frozenset[int]:
        """The distinct shingle hashes."""
        return frozenset(int(h) for h in np.unique(self.shingles))


_PERMUTATIONS: dict[tuple[int, int], tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]] = {}


def _permutations(
    options: FingerprintOptions,
) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    # datasketch derives its permutation parameters from the seed; take them
    # from a MinHash once per option set.
    key = (options.num_perm, options.seed)
    if key not in _PERMUTATIONS:
        sketch = MinHash(num_perm=options.num_perm, seed=options.seed, scheme=_SCHEME)
        a, b = sketch.permutations
        _PERMUTATIONS[key] = (a.astype(np.uint32), b.astype(np.uint32))
    return _PERMUTATIONS[key]


def _permuted(
    shingles: npt.NDArray[np.uint32], options: FingerprintOptions
) -> npt.NDArray[np.uint32]:
    """The ``len(shingles) x num_perm`` matrix of permuted hash values.

    This is datasketch's own affine32 arithmetic (``MinHash.update_batch``),
    written out because datasketch reduces the matrix to one signature per
    call, while we need the minimum of every window of it: computing it once
    gives the document and all passage signatures for the price of one.
    ``tests/test_fingerprint.py`` checks it against ``update_batch``.
    """
    a, b = _permutations(options)
    s1, m1, s2, m2 = _FMIX32
    hv = shingles.astype(np.uint32).reshape(-1, 1)
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> s1)
        hv = hv * m1
        hv = hv ^ (hv >> s2)
        hv = hv * m2
        hv = hv ^ (hv >> s1)
        matrix: npt.NDArray[np.uint32] = np.multiply(hv, a)
        np.add(matrix, b, out=matrix)  # in place: the matrix is the big allocation
    return matrix


def _lean(hashvalues: npt.NDArray[np.uint32], options: FingerprintOptions) -> LeanMinHash:
    return LeanMinHash(seed=options.seed, hashvalues=hashvalues, scheme=_SCHEME)


def fingerprint_shingles(
    shingles: npt.NDArray[np.uint32], *, options: FingerprintOptions | None = None
) -> Fingerprint:
    """Compute the document and passage signatures of a shingle sequence.

    Args:
        shingles: Shingle hashes in reading order (see :func:`shingle_hashes`).
        options: Signature parameters.

    Returns:
        The fingerprint.

    Raises:
        ValueError: If ``shingles`` is empty: an empty text has no fingerprint.
    """
    opts = options or FingerprintOptions()
    if len(shingles) == 0:
        raise ValueError("cannot fingerprint an empty text")
    matrix = _permuted(np.asarray(shingles, dtype=np.uint32), opts)
    half = max(1, opts.passage // 2)
    # Minimum of each half-window block; a passage is two adjacent blocks.
    blocks = np.minimum.reduceat(matrix, np.arange(0, len(matrix), half), axis=0)
    windows = blocks if len(blocks) == 1 else np.minimum(blocks[:-1], blocks[1:])
    return Fingerprint(
        shingles=np.asarray(shingles, dtype=np.uint32),
        signature=_lean(blocks.min(axis=0), opts),
        passages=tuple(_lean(row, opts) for row in windows),
    )


def signature(
    hashvalues: Iterable[int], *, options: FingerprintOptions | None = None
) -> LeanMinHash:
    """Rebuild a stored signature from its hash values.

    Args:
        hashvalues: The ``num_perm`` hash values.
        options: The parameters it was made with.

    Returns:
        The signature as a :class:`datasketch.LeanMinHash`.
    """
    opts = options or FingerprintOptions()
    values = np.fromiter(hashvalues, dtype=np.uint32)
    return LeanMinHash(seed=opts.seed, hashvalues=values, scheme=_SCHEME)


def _table(threshold: float, num_perm: int) -> MinHashLSH:
    """A datasketch LSH table, leaving the global ``random`` state as it found it.

    datasketch names every table with the global ``random`` module, even in
    memory. A service building its index in a worker thread would otherwise
    shift the generator under whoever else in the process relies on it (a
    seeded run, a property-based test generating data in another thread).
    """
    state = random.getstate()
    try:
        return MinHashLSH(threshold=threshold, num_perm=num_perm)
    finally:
        random.setstate(state)


class LSHIndex:
    """Candidate search over document and passage signatures.

    Two datasketch :class:`~datasketch.MinHashLSH` tables in memory: one over
    document signatures, one over passage signatures. A query returns the ids
    of stored articles that share either a document band or a passage band.

    Args:
        num_perm: Permutations per signature (must match the fingerprints).
        document_threshold: Jaccard threshold of the document table.
        passage_threshold: Jaccard threshold of the passage table.
    """

    def __init__(
        self,
        *,
        num_perm: int = 128,
        document_threshold: float = 0.3,
        passage_threshold: float = 0.5,
    ) -> None:
        self._documents = _table(document_threshold, num_perm)
        self._passages = _table(passage_threshold, num_perm)
        self._passage_keys: dict[int, list[str]] = {}

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._passage_keys

    def __len__(self) -> int:
        return len(self._passage_keys)

    def insert(self, article_id: int, fingerprint: Fingerprint) -> None:
        """Index an article's signatures (a second insert of one id is ignored)."""
        if article_id in self._passage_keys:
            return
        self._documents.insert(article_id, fingerprint.signature)
        keys = [f"{article_id}:{i}" for i in range(len(fingerprint.passages))]
        with self._passages.insertion_session() as session:
            for key, sketch in zip(keys, fingerprint.passages, strict=True):
                session.insert(key, sketch)
        self._passage_keys[article_id] = keys

    def remove(self, article_id: int) -> None:
        """Forget an article (re-fingerprinted or deleted); unknown ids are ignored."""
        keys = self._passage_keys.pop(article_id, None)
        if keys is None:
            return
        self._documents.remove(article_id)
        for key in keys:
            self._passages.remove(key)

    def candidates(self, fingerprint: Fingerprint) -> set[int]:
        """Ids of indexed articles that may share text with ``fingerprint``."""
        found: set[int] = {int(k) for k in self._documents.query(fingerprint.signature)}
        for sketch in fingerprint.passages:
            keys: list[Any] = self._passages.query(sketch)
            found.update(int(str(key).split(":", 1)[0]) for key in keys)
        return found
