"""Verification of LSH candidates on the real shingle sets.

LSH signatures only estimate similarity; before two articles are linked we
compare their actual shingle sets, both ways:

* **Jaccard** ``|A∩B| / |A∪B|``: near-duplicates of equal length;
* **containment** ``|A∩B| / |A|`` and ``|A∩B| / |B|``: a truncated repost is
  wholly contained in its original (the other way round is small), an original
  is wholly contained in a copy padded with an intro and a promo footer.

A pair is a *copy* when one text lies mostly inside the other, a *partial*
match when they share a passage of some length but neither holds most of the
other (a quoted paragraph), and no match otherwise. Two articles of one outlet
sharing only its footer fail both tests because the footer is a small part of
each text (and :mod:`provenance.boilerplate` strips it once it is learned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from provenance.models import Match, MatchKind

__all__ = ["MatchOptions", "compare_shingles", "shingle_set"]


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Thresholds of verification.

    Attributes:
        copy_containment: Least share of the smaller text that must lie in the
            other for a copy.
        same_outlet_containment: The same, for two articles of one outlet: an
            outlet seldom copies itself, and its templates (weather, markets,
            notices) share many shingles, so it needs more.
        copy_min_shared: Least number of shared shingles for a copy (guards
            against two very short texts).
        partial_min_shared: Least number of shared shingles for a partial match
            (about two sentences of a quoted passage).
    """

    copy_containment: float = 0.5
    same_outlet_containment: float = 0.8
    copy_min_shared: int = 5
    partial_min_shared: int = 25

    def __post_init__(self) -> None:
        for name in ("copy_containment", "same_outlet_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")


def shingle_set(shingles: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The distinct shingle hashes of a sequence, sorted (the form compared here)."""
    return np.unique(np.asarray(shingles, dtype=np.uint32))


def compare_shingles(
    new: npt.NDArray[np.uint32],
    other: npt.NDArray[np.uint32],
    *,
    other_id: int,
    same_outlet: bool = False,
    options: MatchOptions | None = None,
) -> Match | None:
    """Compare two sorted, distinct shingle sets (see :func:`shingle_set`).

    Args:
        new: The new article's shingle set.
        other: The stored article's shingle set.
        other_id: The stored article's id, carried into the result.
        same_outlet: Whether both articles come from one outlet.
        options: Thresholds.

    Returns:
        The verified match, or ``None`` when the texts do not share enough.
    """
    opts = options or MatchOptions()
    if len(new) == 0 or len(other) == 0:
        return None
    shared = len(np.intersect1d(new, other, assume_unique=True))
    if shared == 0:
        return None
    containment_new = shared / len(new)
    containment_other = shared / len(other)
    jaccard = shared / (len(new) + len(other) - shared)
    needed = opts.same_outlet_containment if same_outlet else opts.copy_containment
    if max(containment_new, containment_other) >= needed and shared >= opts.copy_min_shared:
        kind = MatchKind.COPY
    elif shared >= opts.partial_min_shared and not same_outlet:
        kind = MatchKind.PARTIAL
    else:
        return None
    return Match(
        other_id=other_id,
        kind=kind,
        jaccard=jaccard,
        containment_new=containment_new,
        containment_other=containment_other,
        shared=shared,
    )
