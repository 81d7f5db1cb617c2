"""Evaluation harness: synthetic syndication networks with ground truth, and a scorer.

:func:`generate_network` publishes real base texts (read at run time from the
shared data sets, see :mod:`provenance.eval.corpus`) through about thirty
generated outlets, with repost trees, edits, misleading attribution and dates,
partial quotes and hard negatives. :func:`score` compares the system's story
export with the :class:`Truth`; :func:`evaluate` runs the whole loop against a
database.
"""

from __future__ import annotations

from provenance.eval.corpus import BaseText, Corpus, load_corpus, shared_data_dir
from provenance.eval.generator import generate_network
from provenance.eval.run import evaluate
from provenance.eval.scorer import Metrics, Scores, adjusted_rand_index, normalize_url, score
from provenance.eval.truth import Network, Roundup, Truth, TruthArticle, TruthStory

__all__ = [
    "BaseText",
    "Corpus",
    "Metrics",
    "Network",
    "Roundup",
    "Scores",
    "Truth",
    "TruthArticle",
    "TruthStory",
    "adjusted_rand_index",
    "evaluate",
    "generate_network",
    "load_corpus",
    "normalize_url",
    "score",
    "shared_data_dir",
]
