"""The weights of the tracer's evidence, fitted on generated networks with ground truth.

Two sets: :data:`ORIGIN_WEIGHTS` pick a story's origin, :data:`WEIGHTS` pick each
copy's parent once the origin is settled. Each kind of evidence is described in
:mod:`provenance.evidence`. Both are maximum-likelihood fits, refitted by the
benchmarks named below; paste their output here.
"""

from __future__ import annotations

__all__ = ["ORIGIN_WEIGHTS", "WEIGHTS"]

#: Weights that pick the origin, fitted by ``python benchmarks/fit_origin.py``
#: on generated networks (seeds 201-204): a softmax over each story's candidate
#: origins of their best trees' scores (:func:`provenance.trace.choose_origin`)
#: is the fitted probability of each. Text closeness, leaked boilerplate, links
#: to the outlet and shared edits fit to 0: once the rest is known they add
#: nothing to which member came first (they still weigh in each copy's parent,
#: :data:`WEIGHTS`). They stay in the mapping so that a refit can bring them back.
ORIGIN_WEIGHTS: dict[str, float] = {
    "date_order": 1.222,  # times the dates' trust
    "first_seen": 0.793,
    "proximity": 0.886,  # times the dates' trust and closeness in time
    "declared_source": 3.359,
    "canonical": 0.919,
    "link": 1.827,
    "outlet_link": 0.0,
    "leaked_boilerplate": 0.0,
    "similarity": 0.0,  # times text similarity (0..1)
    "nearest_text": 1.266,  # times closeness to the nearest member (0..1)
    "truncated": 0.797,
    "partial_parent": -8.0,  # a rule: a quoting article is no full copy's source
    "shared_edits": 0.0,  # times min(1, edits / 12)
    "from_origin": 1.531,
}
#: Weights that pick each copy's parent once the origin is known, fitted by
#: ``python benchmarks/fit_weights.py`` on generated networks (seeds 201-204)
#: and checked on other seeds by ``benchmarks/evaluate.py``: a softmax of
#: the edge scores over a copy's candidate parents is the fitted probability
#: of each, so the best tree is the likeliest one.
WEIGHTS: dict[str, float] = {
    "date_order": 0.17,  # times the dates' trust
    "first_seen": 1.552,
    "proximity": 0.0,  # times the dates' trust and closeness in time
    "seen_proximity": 1.082,  # closeness of first-seen times
    # How long after u v appeared, one indicator per band of the lag profile of
    # copying (provenance.evidence.LAG_BANDS): by trusted dates (else
    # first-seen times), and by first-seen times alone.
    "lag_20m": -0.387,
    "lag_1h": 0.504,
    "lag_2h": 1.009,
    "lag_4h": 0.071,
    "lag_6h": 0.094,
    "lag_8h": 0.113,
    "lag_24h": 0.483,
    "lag_48h": 0.072,
    "lag_96h": -0.09,
    "lag_more": -0.703,
    "seen_lag_20m": -0.343,
    "seen_lag_1h": 0.766,
    "seen_lag_2h": 1.417,
    "seen_lag_4h": -0.338,
    "seen_lag_6h": 0.097,
    "seen_lag_8h": 0.156,
    "seen_lag_24h": 0.204,
    "seen_lag_48h": -0.722,
    "seen_lag_96h": -0.065,
    "seen_lag_more": -1.119,
    "declared_source": 0.598,
    "canonical": 0.0,  # names the original, not the source; one to a copy is names_intermediate
    "link": 0.967,
    "outlet_link": 0.0,
    "leaked_boilerplate": 1.405,
    "similarity": 1.399,  # times text similarity (0..1)
    "held": 1.227,  # share of v's shingles found in u
    "nearest_text": 2.579,  # times closeness to the nearest member (0..1)
    "same_title": 1.616,  # v runs u's headline word for word
    "truncated": 0.0,
    "partial_parent": -8.0,  # a rule, not fitted: quotes are never the source of a full copy
    # second pass
    "shared_edits": 0.08,  # times min(1, edits / 12)
    "shared_omissions": 0.871,  # share of v's omissions from the origin u shares
    "surplus": -1.478,  # share of v's origin text that u lacks
    "names_intermediate": 2.183,  # v names or links u, a copy
    "shared_title_edit": 0.0,  # v runs u's headline, which is not the origin's
    "from_origin": 1.704,
    "origin_seen_late": 1.482,  # the origin's first-seen time came after a copy's
}
