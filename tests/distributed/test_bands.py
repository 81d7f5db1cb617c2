"""Band keys propose exactly the candidates of the in-memory LSH index."""

from __future__ import annotations

import numpy as np

from provenance.distributed.bands import band_keys, band_layout
from provenance.eval.generator import generate_network
from provenance.fingerprint import LSHIndex, fingerprint_shingles
from provenance.shingle import shingle_hashes


def test_the_layout_is_datasketch_s_for_the_index_thresholds() -> None:
    layout = band_layout()
    assert layout.document[0] * layout.document[1] <= 128
    assert layout.passage[0] * layout.passage[1] <= 128


def test_shared_band_keys_are_the_lsh_index_candidates() -> None:
    texts = [
        str(r.get("text") or r.get("html")) for r in generate_network(seed=5, stories=12).records
    ]
    prints = [fingerprint_shingles(shingle_hashes(t)) for t in texts if len(shingle_hashes(t)) > 8]
    index = LSHIndex()
    keys = [set(band_keys(fp)) for fp in prints]
    for n, fp in enumerate(prints):
        index.insert(n, fp)
    for n, fp in enumerate(prints):
        shared = {m for m, other in enumerate(keys) if keys[n] & other}
        assert shared == index.candidates(fp), n


def test_keys_are_sorted_distinct_signed_64_bit() -> None:
    fp = fingerprint_shingles(np.arange(1, 300, dtype=np.uint32))
    keys = band_keys(fp)
    assert keys == sorted(set(keys))
    assert all(-(1 << 63) <= k < (1 << 63) for k in keys)
