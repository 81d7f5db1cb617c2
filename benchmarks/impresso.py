"""Agreement with an established text-reuse tool on a real reprint corpus.

The impresso 1900 data (``../shared/data/impresso_passim_1900``) holds passages
of two Swiss newspapers that passim, an alignment-based reuse detector, grouped
into reprint clusters: real reprints, noisy OCR, and boilerplate clusters
(death notices share a template). Every passage is ingested as a plain-text
record (outlet = newspaper, published_at = issue date) and provenance's stories
are compared with passim's clusters: pairwise precision, recall and F1 of
"same cluster", the adjusted Rand index, and how often the story's origin is a
passage of the earliest issue date of its passim cluster.

passim's clusters are not human labels: read these figures as agreement, not
accuracy. Pairwise figures are dominated by passim's few huge template
clusters (one death-notice cluster has 296 passages), which provenance by
design does not treat as copies; the figures on clusters of 2-5 passages speak
of reprints proper. Baseline in the same run: every passage its own story (what a
system that links nothing would score).

Run: ``python benchmarks/impresso.py [--clusters 800]``.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from provenance.eval.corpus import shared_data_dir
from provenance.eval.scorer import adjusted_rand_index
from provenance.export import export_stories
from provenance.service import ingest_path


def _records(clusters: int, seed: int) -> tuple[list[dict[str, str]], dict[str, tuple[int, str]]]:
    path = shared_data_dir() / "impresso_passim_1900" / "passim_output_clusters.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    ids = sorted({r["cluster"] for r in rows})
    chosen = set(random.Random(seed).sample(ids, min(clusters, len(ids))))
    records, truth = [], {}
    for row in rows:
        if row["cluster"] not in chosen:
            continue
        # A passage is a span of a content item: the item id and its offsets name it.
        url = f"https://{row['series'].lower()}.test/{row['id']}/{row['begin']}-{row['end']}"
        records.append(
            {
                "url": url,
                "text": row["text"],
                "outlet": row["series"],
                "published_at": f"{row['date']}T06:00:00Z",
            }
        )
        truth[url] = (int(row["cluster"]), str(row["date"]))
    random.Random(seed).shuffle(records)
    return records, truth


def _pairs(groups: dict[object, list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}  # type: ignore[misc]


def _agreement(stories: dict[str, int], truth: dict[str, tuple[int, str]]) -> dict[str, float]:
    true_groups: dict[object, list[str]] = defaultdict(list)
    pred_groups: dict[object, list[str]] = defaultdict(list)
    for url, (cluster, _) in truth.items():
        true_groups[cluster].append(url)
        pred_groups[stories.get(url, hash(url))].append(url)  # missing: its own story
    true_pairs, pred_pairs = _pairs(true_groups), _pairs(pred_groups)
    hits = len(true_pairs & pred_pairs)
    precision = hits / len(pred_pairs) if pred_pairs else 1.0
    recall = hits / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    cells = Counter((str(truth[u][0]), str(stories.get(u, u))) for u in truth)
    return {"precision": precision, "recall": recall, "f1": f1, "ari": adjusted_rand_index(cells)}


def main() -> None:
    """Ingest the sample, compare with passim, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=800)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records, truth = _records(args.clusters, args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="provenance-impresso-"))
    path = workdir / "impresso.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    db_url = f"sqlite:///{workdir / 'db.sqlite'}"
    started = time.perf_counter()
    report = ingest_path(path, db_url=db_url)
    elapsed = time.perf_counter() - started
    stories: dict[str, int] = {}
    origins_right = origins = 0
    for raw in export_stories(db_url=db_url):
        story: dict[str, Any] = dict(raw)
        urls = [a["url"] for a in story["articles"]]
        for url in urls:
            stories[url] = int(story["story_id"])
        known = [u for u in urls if u in truth]
        if len(known) >= 2 and story["origin_url"] in truth:
            cluster = Counter(truth[u][0] for u in known).most_common(1)[0][0]
            earliest = min(d for c, d in truth.values() if c == cluster)
            origins += 1
            origins_right += truth[story["origin_url"]][1] == earliest
    ours = _agreement(stories, truth)
    alone = _agreement({}, truth)
    sizes = Counter(c for c, _ in truth.values())
    small = {u: v for u, v in truth.items() if sizes[v[0]] <= 5}
    small_ours = _agreement(stories, small)
    print(
        f"passages: {len(records)} in {len(set(c for c, _ in truth.values()))} passim clusters; "
        f"ingested in {elapsed:.1f} s ({report.stored / elapsed:.1f}/s), {report.empty} too short"
    )
    rows = (
        ("provenance", ours),
        ("  clusters of 2-5 only", small_ours),
        ("baseline: nothing linked", alone),
    )
    for name, figures in rows:
        print(
            f"{name:26} P {figures['precision']:.3f}  R {figures['recall']:.3f}  "
            f"F1 {figures['f1']:.3f}  ARI {figures['ari']:.3f}"
        )
    share = origins_right / origins if origins else 0.0
    print(f"origin is from the cluster's earliest issue: {share:.3f} of {origins} stories")
    print(
        json.dumps(
            {
                "agreement": ours,
                "small_clusters": small_ours,
                "earliest_origin_share": round(share, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
