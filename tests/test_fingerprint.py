"""MinHash signatures and the LSH index."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import MinHash

from provenance.fingerprint import FingerprintOptions, LSHIndex, fingerprint_shingles, signature
from provenance.shingle import shingle_hashes

SENTENCE = (
    "the council approved the new budget on tuesday after a long debate about school funding "
    "road repairs and the future of the central library which had faced closure for two years "
    "while residents collected signatures and organised public meetings across the city"
)
WORDS = SENTENCE.split()


def _text(n: int, offset: int = 0) -> str:
    return " ".join(
        WORDS[(offset + i) % len(WORDS)] + str((offset + i) // len(WORDS)) for i in range(n)
    )


def test_signature_matches_datasketch_update_batch() -> None:
    shingles = shingle_hashes(_text(300))
    fp = fingerprint_shingles(shingles)
    reference = MinHash(num_perm=128, seed=1, hashfunc=lambda v: v, scheme="affine32")
    reference.update_batch(shingles.tolist())
    assert np.array_equal(fp.signature.hashvalues, reference.hashvalues)
    window = MinHash(num_perm=128, seed=1, hashfunc=lambda v: v, scheme="affine32")
    window.update_batch(shingles[20:60].tolist())
    assert np.array_equal(fp.passages[1].hashvalues, window.hashvalues)


def test_passage_count_and_short_text() -> None:
    # 296 shingles: 296 / 20 - 1 = 14 windows, then the lead.
    assert len(fingerprint_shingles(shingle_hashes(_text(300))).passages) == 15
    short = fingerprint_shingles(shingle_hashes(_text(10)))
    assert len(short.passages) == 1  # one block: the window is the lead
    with pytest.raises(ValueError, match="empty"):
        fingerprint_shingles(np.empty(0, dtype=np.uint32))


def test_signature_round_trip() -> None:
    fp = fingerprint_shingles(shingle_hashes(_text(100)))
    rebuilt = signature(fp.signature.hashvalues.tolist())
    assert rebuilt.jaccard(fp.signature) == 1.0


def test_options_validate() -> None:
    with pytest.raises(ValueError):
        FingerprintOptions(num_perm=4)
    with pytest.raises(ValueError):
        FingerprintOptions(passage=1)


def test_lsh_finds_truncated_copy_and_not_unrelated_text() -> None:
    original = fingerprint_shingles(shingle_hashes(_text(600)))
    third = fingerprint_shingles(shingle_hashes(_text(200)))  # the first third only
    other = fingerprint_shingles(
        shingle_hashes(" ".join(f"word{i} other{i * 7}" for i in range(300)))
    )
    index = LSHIndex()
    index.insert(1, original)
    index.insert(2, other)
    assert third.signature.jaccard(original.signature) < 0.5  # document LSH alone would miss it
    assert index.candidates(third) == {1}


def test_lsh_finds_a_teaser_of_the_lead_whichever_is_stored_first() -> None:
    original = fingerprint_shingles(shingle_hashes(_text(600)))
    teaser = fingerprint_shingles(shingle_hashes(_text(20)))  # 16 shingles: two short sentences
    windows = original.passages[:-1]
    # Against any whole window the teaser scores under the passage threshold.
    assert max(teaser.passages[0].jaccard(w) for w in windows) < 0.5
    assert teaser.passages[0].jaccard(original.passages[-1]) > 0.6  # the original's lead
    stored_first = LSHIndex()
    stored_first.insert(1, original)
    assert stored_first.candidates(teaser) == {1}
    teaser_first = LSHIndex()
    teaser_first.insert(2, teaser)
    assert teaser_first.candidates(original) == {2}


def test_lsh_finds_copy_inside_a_longer_text() -> None:
    quote = _text(80, offset=30)
    host = (
        " ".join(f"own{i} words{i}" for i in range(200))
        + " "
        + quote
        + " "
        + " ".join(f"tail{i}" for i in range(200))
    )
    index = LSHIndex()
    index.insert(7, fingerprint_shingles(shingle_hashes(_text(400))))
    assert 7 in index.candidates(fingerprint_shingles(shingle_hashes(host)))


def test_lsh_insert_twice_and_remove() -> None:
    fp = fingerprint_shingles(shingle_hashes(_text(100)))
    index = LSHIndex()
    index.insert(3, fp)
    index.insert(3, fp)
    assert len(index) == 1 and 3 in index
    index.remove(3)
    assert 3 not in index and index.candidates(fp) == set()
    index.remove(3)


def test_building_an_index_leaves_the_global_random_state_alone() -> None:
    import random

    state = random.getstate()
    LSHIndex()
    assert random.getstate() == state
