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
  no paragraph breaks at all. A text longer than half a window also files its
  **lead** (its first half window) as a passage of its own: a teaser of one or
  two sentences is shorter than a window, so even whole inside the original's
  first window it shares at most its length over the window's (a 16-shingle
  teaser, J = 0.4, which the passage table mostly misses), while against the
  original's lead it scores 0.8.

LSH only proposes candidates; :mod:`provenance.match` verifies them on the real
shingle sets. Shingle hashes are already 32-bit hash values, so MinHash takes
them as they are: datasketch's affine32 scheme pre-mixes integer input with
MurmurHash3's finaliser and then permutes it, exactly what
``MinHash(scheme="affine32").update_batch(shingles)`` computes. The
permutations run in a compiled kernel (:mod:`provenance.kernels`) that keeps
the minimum of every half-window block, so each shingle is permuted once: the
document signature is the minimum over all blocks, a passage two adjacent ones.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash, MinHashLSH

from provenance import kernels

__all__ = ["Fingerprint", "FingerprintOptions", "LSHIndex", "fingerprint_shingles", "signature"]

_SCHEME = "affine32"


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


@dataclass(frozen=True)
class Fingerprint:
    """Signatures of one text.

    Attributes:
        shingles: The shingle hashes in reading order.
        signature: The document MinHash.
        passage_values: The rows of ``num_perm`` hash values filed in the
            passage table: one per overlapping window, in reading order, then,
            for a text longer than half a window, one for its lead (the first
            half window).
    """

    shingles: npt.NDArray[np.uint32]
    signature: LeanMinHash
    passage_values: npt.NDArray[np.uint32]

    @cached_property
    def passages(self) -> tuple[LeanMinHash, ...]:
        """The passage signatures as datasketch objects, for the LSH tables.

        Built on first use rather than with the fingerprint: datasketch
        validates every hash array it is given (a range check and a copy,
        some microseconds each), which cost more than computing the values
        themselves, and only the in-memory LSH index needs the objects.
        """
        return tuple(_lean(row, self.signature.seed) for row in self.passage_values)

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


def _lean(hashvalues: npt.NDArray[np.uint32], seed: int) -> LeanMinHash:
    return LeanMinHash(seed=seed, hashvalues=hashvalues, scheme=_SCHEME)


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
    values = np.ascontiguousarray(shingles, dtype=np.uint32)
    a, b = _permutations(opts)
    # Minimum of each half-window block; a passage is two adjacent blocks.
    blocks = kernels.minhash_kernel(values, a, b, max(1, opts.passage // 2))
    windows = blocks if len(blocks) == 1 else np.minimum(blocks[:-1], blocks[1:])
    if len(blocks) > 1:
        windows = np.vstack([windows, blocks[:1]])  # the lead, for teasers of it
    return Fingerprint(
        shingles=values,
        signature=_lean(blocks.min(axis=0), opts.seed),
        passage_values=windows,
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
    return _lean(values, opts.seed)


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
        keys = [f"{article_id}:{i}" for i in range(len(fingerprint.passage_values))]
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
