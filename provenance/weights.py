"""The weights of the tracer's evidence, fitted on generated networks with ground truth.

Two sets: :data:`ORIGIN_WEIGHTS` pick a story's origin, :data:`WEIGHTS` pick each
copy's parent once the origin is settled. Each kind of evidence is described in
:mod:`provenance.evidence`. Both are maximum-likelihood fits, refitted by the
benchmarks named below; paste their output here.
"""

from __future__ import annotations

__all__ = ["ORIGIN_WEIGHTS", "WEIGHTS"]

#: Weights that pick the origin, fitted by ``python benchmarks/fit_origin.py``
#: on generated networks (seeds 201-208): a softmax over each story's candidate
#: origins of their best trees' scores (:func:`provenance.trace.choose_origin`)
#: is the fitted probability of each. ``held`` (the share of a copy's text the
#: candidate holds) is what tells a full article from a teaser cut from it when
#: neither has a date to trust. Leaked boilerplate, links to the outlet and
#: shared edits fit to 0: once the rest is known they add nothing to which
#: member came first (they still weigh in each copy's parent, :data:`WEIGHTS`).
#: They stay in the mapping so that a refit can bring them back.
ORIGIN_WEIGHTS: dict[str, float] = {
    "date_order": 1.895,  # times the dates' trust
    "first_seen": 0.748,
    "proximity": 1.045,  # times the dates' trust and closeness in time
    "declared_source": 2.227,
    "canonical": 0.959,
    "link": 1.891,
    "outlet_link": 0.0,
    "leaked_boilerplate": 0.0,
    "similarity": 0.226,  # times text similarity (0..1)
    "nearest_text": 1.024,  # times closeness to the nearest member (0..1)
    "truncated": 0.221,
    "partial_parent": -8.0,  # a rule: a quoting article is no full copy's source
    "shared_edits": 0.0,  # times min(1, edits / 12)
    "from_origin": 1.232,
    "held": 1.058,  # share of v's shingles found in u
    "credits_member": 1.449,  # v names, links or has as canonical another member
}
#: Weights that pick each copy's parent once the origin is known, fitted by
#: ``python benchmarks/fit_weights.py`` on generated networks (seeds 201-208,
#: L2 penalty 1e-6 chosen by leave-one-seed-out accuracy) and checked on other
#: seeds by ``benchmarks/evaluate.py``: a softmax of the edge scores over a
#: copy's candidate parents is the fitted probability of each, so the best
#: tree is the likeliest one. ``surplus`` fits near a hard rule: a copy holding
#: origin text its candidate lacks did not copy that candidate.
WEIGHTS: dict[str, float] = {
    "date_order": 0.0,  # times the dates' trust
    "first_seen": 2.579,
    "proximity": 0.0,  # times the dates' trust and closeness in time
    "seen_proximity": 0.0,  # closeness of first-seen times
    # How long after u v appeared, one indicator per band of the lag profile of
    # copying (provenance.evidence.LAG_BANDS): by trusted dates to the minute
    # (else first-seen times), and by first-seen times alone.
    "lag_20m": -1.445,
    "lag_1h": 1.035,
    "lag_2h": 1.616,
    "lag_4h": 0.422,
    "lag_6h": 0.654,
    "lag_8h": 0.668,
    "lag_24h": 1.049,
    "lag_48h": 0.503,
    "lag_96h": 0.002,
    "lag_more": -1.653,
    "seen_lag_20m": 0.597,
    "seen_lag_1h": 2.037,
    "seen_lag_2h": 2.299,
    "seen_lag_4h": 0.766,
    "seen_lag_6h": 0.609,
    "seen_lag_8h": 0.714,
    "seen_lag_24h": 0.596,
    "seen_lag_48h": -0.464,
    "seen_lag_96h": 0.089,
    "seen_lag_more": -5.689,
    "declared_source": 0.467,
    "canonical": 0.0,  # names the original, not the source; one to a copy is names_intermediate
    "link": 0.965,
    "outlet_link": 0.0,
    "leaked_boilerplate": 8.184,
    "similarity": 0.0,  # times text similarity (0..1)
    "held": 8.617,  # share of v's shingles found in u
    "nearest_text": 2.201,  # times closeness to the nearest member (0..1)
    "same_title": 1.903,  # v runs u's headline word for word
    "truncated": 0.0,
    "partial_parent": -8.0,  # a rule, not fitted: quotes are never the source of a full copy
    # second pass
    "shared_edits": 0.389,  # times min(1, edits / 12)
    "shared_omissions": 1.596,  # share of v's omissions from the origin u shares
    "surplus": -29.92,  # share of v's origin text that u lacks
    "names_intermediate": 3.081,  # v names or links u, a copy
    "shared_title_edit": 0.0,  # v runs u's headline, which is not the origin's
    "from_origin": 1.798,
    "origin_seen_late": 3.469,  # the origin's first-seen time came after a copy's
}
