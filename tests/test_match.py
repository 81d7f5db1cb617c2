"""Verification of candidate pairs on real shingle sets."""

from __future__ import annotations

import numpy as np
import pytest

from provenance.match import MatchOptions, compare_shingles, shingle_set
from provenance.models import MatchKind


def _set(values: range | list[int]) -> np.ndarray:
    return shingle_set(np.array(list(values), dtype=np.uint32))


def test_truncated_copy_is_a_copy() -> None:
    match = compare_shingles(_set(range(100)), _set(range(300)), other_id=9)
    assert match is not None and match.kind is MatchKind.COPY
    assert match.containment_new == 1.0
    assert match.containment_other == pytest.approx(1 / 3)
    assert match.jaccard == pytest.approx(1 / 3)
    assert match.similarity == 1.0 and match.other_id == 9


def test_copy_with_added_boilerplate_is_a_copy() -> None:
    match = compare_shingles(
        _set(list(range(200)) + list(range(1000, 1080))), _set(range(200)), other_id=1
    )
    assert match is not None and match.kind is MatchKind.COPY
    assert match.containment_other == 1.0


def test_quoted_passage_is_partial() -> None:
    host = list(range(5000, 5400)) + list(range(40))
    match = compare_shingles(_set(host), _set(range(300)), other_id=2)
    assert match is not None and match.kind is MatchKind.PARTIAL
    assert match.shared == 40


def test_shared_footer_is_not_a_match() -> None:
    footer = list(range(9000, 9020))
    a = _set(list(range(0, 150)) + footer)
    b = _set(list(range(500, 650)) + footer)
    assert compare_shingles(a, b, other_id=3) is None


def test_same_outlet_needs_more() -> None:
    a = _set(range(100))
    b = _set(list(range(40, 100)) + list(range(700, 740)))
    assert compare_shingles(a, b, other_id=4) is not None
    assert compare_shingles(a, b, other_id=4, same_outlet=True) is None


def test_empty_and_disjoint() -> None:
    assert compare_shingles(_set([]), _set(range(10)), other_id=1) is None
    assert compare_shingles(_set(range(10)), _set(range(20, 30)), other_id=1) is None


def test_options_validate() -> None:
    with pytest.raises(ValueError):
        MatchOptions(copy_containment=0)
