"""Fingerprint throughput: our path against the naive datasketch loop, same run, same texts.

Naive: tokenise, join each 5-token shingle, ``MinHash()`` (default SHA-1 hash,
128 permutations) and ``update()`` once per shingle — what a first attempt
writes. Ours: :func:`provenance.shingle.shingle_hashes` (xxh32 tokens combined
into shingle hashes) and :func:`provenance.fingerprint.fingerprint_shingles`
(document signature *and* every passage signature, each shingle permuted once),
both in compiled kernels. The kernels' first call in a process loads them from
numba's on-disk cache (or compiles them after an install); that one-off cost is
printed apart and left out of the throughput.

Run: ``python benchmarks/fingerprint.py [--texts 600] [--repeat 3]``. The ratio is
what counts; absolute figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from datasketch import MinHash

from provenance.fingerprint import fingerprint_shingles
from provenance.shingle import shingle_hashes, tokenize

_DATA = (
    Path(__file__).resolve().parents[1].parent
    / "shared"
    / "data"
    / "semeval2022_task8_even"
    / "pairs.jsonl"
)


def load_texts(limit: int) -> list[str]:
    """Real multilingual news texts (both sides of each SemEval pair)."""
    texts: list[str] = []
    with _DATA.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            texts.extend(t for t in (row["text_1"], row["text_2"]) if t and len(t) > 200)
            if len(texts) >= limit:
                break
    return texts[:limit]


def naive(texts: Sequence[str]) -> None:
    """The naive loop: one ``update()`` per shingle with datasketch's default hash."""
    for text in texts:
        tokens = tokenize(text)
        sketch = MinHash(num_perm=128)
        for i in range(max(1, len(tokens) - 4)):
            sketch.update(" ".join(tokens[i : i + 5]).encode("utf-8"))


def ours(texts: Sequence[str]) -> None:
    """Our path, passages included."""
    for text in texts:
        shingles = shingle_hashes(text)
        if len(shingles):
            fingerprint_shingles(shingles)


def ours_with_objects(texts: Sequence[str]) -> None:
    """Our path plus a datasketch ``LeanMinHash`` for every passage.

    The in-memory LSH tables of the embedded mode need those objects (the
    distributed mode's band keys read the values directly); datasketch checks
    every array it is handed, which costs more than computing it.
    """
    for text in texts:
        shingles = shingle_hashes(text)
        if len(shingles):
            _ = fingerprint_shingles(shingles).passages


def _best(run: Callable[[Sequence[str]], None], texts: Sequence[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print texts/s of both paths and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    texts = load_texts(args.texts)
    start = time.perf_counter()
    ours(texts[:1])
    first_call = time.perf_counter() - start
    shingles = sum(len(shingle_hashes(t)) for t in texts)
    t_naive = _best(naive, texts, args.repeat)
    t_ours = _best(ours, texts, args.repeat)
    t_objects = _best(ours_with_objects, texts, args.repeat)
    print(f"texts: {len(texts)}  shingles: {shingles}  first call: {first_call:.2f} s")
    rows = (
        ("naive datasketch loop", t_naive),
        ("provenance", t_ours),
        ("+ passage objects", t_objects),
    )
    for name, seconds in rows:
        print(
            f"{name:22}: {len(texts) / seconds:9.1f} texts/s  {shingles / seconds:11.0f} shingles/s"
            f"  {t_naive / seconds:6.1f}x naive"
        )
    print(
        json.dumps(
            {
                "naive_texts_per_s": round(len(texts) / t_naive, 1),
                "ours_texts_per_s": round(len(texts) / t_ours, 1),
                "speedup": round(t_naive / t_ours, 2),
                "speedup_with_passage_objects": round(t_naive / t_objects, 2),
                "first_call_s": round(first_call, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
