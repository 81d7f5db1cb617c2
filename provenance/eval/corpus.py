"""Base texts for the evaluation generator, read from the shared data sets.

The generator builds its syndication networks on real prose so that the system
is measured on real languages, scripts and noise rather than on lorem ipsum.
Two sources are read at run time from the shared data folder (never copied into
the repository):

* SemEval-2022 Task 8 news pairs: about 1,200 texts in 10 languages. Texts are
  cleaned (mojibake, captcha and paywall pages dropped, cookie and sign-up
  sentences removed), deduplicated by exact hash and by shingle containment, then
  split into sentences and grouped into 3-6 paragraphs. Pairs of the same
  language that annotators scored as the same event (``Overall`` <= 1.5) become
  hard negatives: independent write-ups that must not be linked.
* impresso 1900 reprint clusters (French OCR): one passage per small cluster
  supplies extra French base texts, and the death-notice cluster supplies short
  template articles that share a formula but not their content.

The cleaning, splitting and deduplication rules are :mod:`provenance.eval.cleaning`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from provenance.errors import ConfigError
from provenance.eval.cleaning import (
    CJK,
    Deduplicator,
    clean_text,
    group_paragraphs,
    is_mojibake,
    split_sentences,
)

__all__ = [
    "DATA_ENV_VAR",
    "BaseText",
    "Corpus",
    "clean_text",
    "group_paragraphs",
    "is_mojibake",
    "load_corpus",
    "shared_data_dir",
    "split_sentences",
]

#: Environment variable that overrides where the shared data sets live.
DATA_ENV_VAR = "PROVENANCE_SHARED_DATA"

_SEMEVAL = Path("semeval2022_task8_even") / "pairs.jsonl"
_IMPRESSO = Path("impresso_passim_1900") / "passim_output_clusters.jsonl"

# The impresso cluster of death notices ("font part à leurs amis et connaissances
# de la perte cruelle..."): hundreds of different notices sharing one formula.
_NOTICE_CLUSTER = 84
# Small clusters are reprinted articles; big ones are advertisements run daily.
_MAX_IMPRESSO_CLUSTER = 6
_MAX_IMPRESSO_TEXTS = 80
_RELATED_MAX_OVERALL = 1.5
_BODY_CHARS = 2500
_BODY_CHARS_CJK = 1000


@dataclass(frozen=True, slots=True)
class BaseText:
    """One cleaned real text, ready to be published by a generated outlet.

    Attributes:
        key: A stable id (``semeval:<lang>:<article id>``, ``impresso:<cluster>:<uid>``).
        language: ISO 639-1 code.
        title: A headline taken from the text.
        paragraphs: The body: paragraphs, each a tuple of sentences.
        source: ``semeval`` or ``impresso``.
    """

    key: str
    language: str
    title: str
    paragraphs: tuple[tuple[str, ...], ...]
    source: str

    @property
    def text(self) -> str:
        """The body as plain text, paragraphs separated by blank lines."""
        return "\n\n".join(" ".join(p) for p in self.paragraphs)


@dataclass(frozen=True, slots=True)
class Corpus:
    """The usable base texts, in a stable order.

    Attributes:
        texts: Deduplicated base texts.
        related_pairs: Keys of same-language text pairs that report the same event
            independently (SemEval ``Overall`` <= 1.5): hard negatives.
        notices: Short template texts (impresso death notices), deduplicated.
    """

    texts: tuple[BaseText, ...]
    related_pairs: tuple[tuple[str, str], ...]
    notices: tuple[BaseText, ...]

    def languages(self) -> dict[str, int]:
        """Count the base texts per language, most common first."""
        counts: dict[str, int] = {}
        for text in self.texts:
            counts[text.language] = counts.get(text.language, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def shared_data_dir() -> Path:
    """Return the shared data folder: ``$PROVENANCE_SHARED_DATA`` or ``../shared/data``.

    Raises:
        ConfigError: The folder does not exist.
    """
    override = os.environ.get(DATA_ENV_VAR)
    default = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    path = Path(override) if override else default.resolve()
    if not path.is_dir():
        raise ConfigError(
            f"shared data folder not found at {path}; the evaluation needs the SemEval and "
            f"impresso data sets there, or set {DATA_ENV_VAR} to the folder that holds them"
        )
    return path


def load_corpus(data_dir: Path | None = None) -> Corpus:
    """Load, clean and deduplicate the base texts (cached per folder).

    Args:
        data_dir: The shared data folder; defaults to :func:`shared_data_dir`.

    Returns:
        The corpus.

    Raises:
        ConfigError: The folder or one of its data files is missing.
    """
    return _load_corpus((data_dir or shared_data_dir()).resolve())


@lru_cache(maxsize=4)
def _load_corpus(data_dir: Path) -> Corpus:
    semeval_rows = list(_read_jsonl(data_dir / _SEMEVAL))
    impresso_rows = list(_read_jsonl(data_dir / _IMPRESSO))
    dedup = Deduplicator()
    texts: list[BaseText] = []
    seen: set[str] = set()
    for key, language, raw in _semeval_texts(semeval_rows):
        # An id recurs in several pairs, sometimes scraped differently: first wins.
        base = None if key in seen else _base_text(key, language, raw, "semeval")
        seen.add(key)
        if base is not None and dedup.add(key, base.text):
            texts.append(base)
    for base in _impresso_texts(impresso_rows):
        if dedup.add(base.key, base.text):
            texts.append(base)
    accepted = {t.key for t in texts}
    pairs = []
    for row in semeval_rows:
        ids = _pair_ids(row)
        a, b = f"semeval:{row['lang1']}:{ids[0]}", f"semeval:{row['lang2']}:{ids[1]}"
        same_event = float(str(row["Overall"])) <= _RELATED_MAX_OVERALL
        if same_event and row["lang1"] == row["lang2"] and a != b and {a, b} <= accepted:
            pairs.append((a, b))
    notices = _notices(impresso_rows)
    return Corpus(texts=tuple(texts), related_pairs=tuple(pairs), notices=tuple(notices))


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    if not path.is_file():
        raise ConfigError(f"data file {path} is missing; check {DATA_ENV_VAR} or ../shared/data")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def _pair_ids(row: dict[str, object]) -> tuple[str, str]:
    # Some ids carry a language suffix ("1484188835es"): keep the digits only.
    first, second = str(row["pair_id"]).split("_")
    return re.sub(r"\D", "", first), re.sub(r"\D", "", second)


def _semeval_texts(rows: Iterable[dict[str, object]]) -> Iterator[tuple[str, str, str]]:
    for row in rows:
        ids = _pair_ids(row)
        # The same id names an article and its translations: the language is part of the key.
        yield f"semeval:{row['lang1']}:{ids[0]}", str(row["lang1"]), str(row["text_1"])
        yield f"semeval:{row['lang2']}:{ids[1]}", str(row["lang2"]), str(row["text_2"])


def _impresso_texts(rows: Sequence[dict[str, object]]) -> Iterator[BaseText]:
    clusters: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        clusters.setdefault(int(str(row["cluster"])), []).append(row)
    produced = 0
    for cluster_id in sorted(clusters):
        members = clusters[cluster_id]
        if cluster_id == _NOTICE_CLUSTER or len(members) > _MAX_IMPRESSO_CLUSTER:
            continue
        # The earliest printing is the best stand-in for the article as first set.
        first = min(members, key=lambda r: (str(r["date"]), str(r["id"])))
        raw = _join_ocr_lines(str(first["text"]))
        if not 800 <= len(raw) <= 6000:
            continue
        base = _base_text(f"impresso:{cluster_id}:{first['uid']}", "fr", raw, "impresso")
        if base is not None:
            produced += 1
            yield base
            if produced >= _MAX_IMPRESSO_TEXTS:
                return


def _notices(rows: Iterable[dict[str, object]]) -> list[BaseText]:
    dedup = Deduplicator(threshold=0.5)
    notices = []
    for row in rows:
        if row["cluster"] != _NOTICE_CLUSTER:
            continue
        raw = _join_ocr_lines(str(row["text"]))
        sentences = split_sentences(raw)
        if len(raw) < 250 or len(sentences) < 2:
            continue
        key = f"impresso:{_NOTICE_CLUSTER}:{row['uid']}"
        if dedup.add(key, raw):
            title = " ".join(raw.split()[:6])
            notices.append(BaseText(key, "fr", title, (tuple(sentences),), "impresso"))
    return notices


def _join_ocr_lines(text: str) -> str:
    # Newspaper columns hyphenate at line ends: "fa-\nmilles" is one word.
    text = re.sub(r"-\s*\n\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _base_text(key: str, language: str, raw: str, source: str) -> BaseText | None:
    title, body = _split_title(raw)
    cleaned = clean_text(body)
    if cleaned is None:
        return None
    limit = _BODY_CHARS_CJK if CJK.search(cleaned) else _BODY_CHARS
    sentences, total = [], 0
    for sentence in split_sentences(cleaned):
        if total > limit:
            break
        sentences.append(sentence)
        total += len(sentence)
    if len(sentences) < 3:
        return None
    return BaseText(key, language, title, tuple(group_paragraphs(sentences)), source)


def _split_title(raw: str) -> tuple[str, str]:
    # SemEval runs title and body together: a newline or a double space after
    # the headline is the only trace of the boundary.
    raw = raw.strip()
    for separator in ("\n", "  "):
        head, found, rest = raw.partition(separator)
        if found and 10 <= len(head) <= 200:
            return head.strip(), rest
    first = split_sentences(raw)[0] if raw else raw
    if len(first) <= 150:
        return first.rstrip(".!?。 "), raw[len(first) :]
    words = first.split()
    title = " ".join(words[:10]) if len(words) > 3 else first[:40]
    return title, raw
