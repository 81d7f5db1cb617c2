"""LSH band keys of a fingerprint: the shared index's unit of storage and of locking.

datasketch's :class:`~datasketch.MinHashLSH` files a signature under one hash
table per band (``r`` consecutive hash values); two signatures are candidates
exactly when some band is equal. Here each band becomes one signed 64-bit key,
the xxh64 of (table, band number, band values), so that the index is a plain
``(band_key, article_id)`` table: the candidates of an article are the articles
sharing any of its keys, as in :class:`provenance.fingerprint.LSHIndex` (up to
64-bit collisions, which verification on the real shingles removes anyway).
Band counts come from datasketch for the same thresholds, so the embedded and
the distributed modes propose the same candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import xxhash
from datasketch import MinHashLSH

from provenance.fingerprint import Fingerprint

__all__ = ["BandLayout", "band_keys", "band_layout"]

_DOCUMENT, _PASSAGE = 0, 1
_SIGN = 1 << 63


@dataclass(frozen=True, slots=True)
class BandLayout:
    """How a signature is cut into bands, per table.

    Attributes:
        document: ``(bands, rows)`` of the document table.
        passage: ``(bands, rows)`` of the passage table.
    """

    document: tuple[int, int]
    passage: tuple[int, int]


@lru_cache(maxsize=8)
def band_layout(
    num_perm: int = 128, document_threshold: float = 0.3, passage_threshold: float = 0.5
) -> BandLayout:
    """The band layout datasketch picks for these thresholds (as :class:`LSHIndex` does)."""
    document = MinHashLSH(threshold=document_threshold, num_perm=num_perm)
    passage = MinHashLSH(threshold=passage_threshold, num_perm=num_perm)
    return BandLayout((document.b, document.r), (passage.b, passage.r))


def _keys(values: npt.NDArray[np.uint32], table: int, bands: int, rows: int) -> list[int]:
    raw = np.ascontiguousarray(values[: bands * rows], dtype="<u4").reshape(bands, rows)
    keys = []
    for band in range(bands):
        digest = xxhash.xxh64_intdigest(raw[band].tobytes(), seed=table * 1024 + band)
        keys.append(digest - _SIGN)  # into PostgreSQL's signed BIGINT range
    return keys


def band_keys(fingerprint: Fingerprint, *, layout: BandLayout | None = None) -> list[int]:
    """Every distinct band key of a fingerprint's document and passage signatures, sorted.

    Sorted because locks on them are taken in this order, which is what keeps
    two workers from deadlocking on each other's keys.

    Args:
        fingerprint: The article's fingerprint.
        layout: The band layout (default: :func:`band_layout` for 128 permutations).

    Returns:
        The keys, ascending.
    """
    layout = layout or band_layout(len(fingerprint.signature.hashvalues))
    found = set(_keys(fingerprint.signature.hashvalues, _DOCUMENT, *layout.document))
    for values in fingerprint.passage_values:
        found.update(_keys(values, _PASSAGE, *layout.passage))
    return sorted(found)
