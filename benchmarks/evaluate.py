"""End-to-end accuracy on a generated syndication network with ground truth.

Generates a network (real SemEval and impresso texts from ``../shared/data``),
ingests it into the database given by ``--db``, exports the stories and scores
them: pairwise same-story P/R/F1, ARI, origin and parent accuracy, hard-negative
false links and roundup merges, overall and per language and difficulty tag.

Baseline in the same run: the true clusters with the earliest claimed date as
origin and every other article hung on it ("dates only, perfect clustering"). It
shows how far dates alone go on this network; the system should beat its origin
and parent figures while clustering on its own.

With several seeds, the accuracy rates pooled over all of them, per language
and difficulty (:mod:`provenance.eval.pooled`), and the reliability tables of
all their verdicts together. Last, the issue's quality targets beside the
figures, with how many seeds meet each and the verdict on the pooled figure
(:mod:`provenance.eval.targets`).

Run: ``python benchmarks/evaluate.py --seed 1 --stories 120 --db sqlite:///eval.db``,
or ``--seeds 13,14,15`` for several seeds the weights were not fitted on (the
fits use 201 and up), each in a fresh SQLite file under ``--workdir``. Use a
fresh database: articles already stored are not re-ingested.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from provenance.eval import Scores, Truth, evaluate, generate_network, score
from provenance.eval.calibration import Reliability, chance_line, confidence_pairs, reliability
from provenance.eval.pooled import format_pooled
from provenance.eval.targets import TargetCheck, check_targets, format_checks, pooled_checks

Pairs = list[tuple[float, bool]]  # (confidence, right) of each verdict


def dates_only_baseline(truth: Truth) -> list[dict[str, object]]:
    """Export the true clusters with the earliest-dated article as origin and sole parent."""
    stories = truth.as_export()
    for story in stories:
        articles: list[dict[str, object]] = list(story["articles"])  # type: ignore[call-overload]
        # Undated articles sort last; the crawl clock breaks ties.
        articles.sort(
            key=lambda a: (
                a["published_at"] is None,
                str(a["published_at"] or ""),
                str(a["fetched_at"]),
            )
        )
        origin = str(articles[0]["url"])
        story["origin_url"] = origin
        for article in articles:
            article["parent_url"] = None if article["url"] == origin else origin
            article.pop("credit", None)
    return stories


def evaluate_seed(
    seed: int, stories: int, db_url: str, workdir: Path, languages: list[str] | None
) -> tuple[Scores, list[Reliability], tuple[Pairs, Pairs], Scores]:
    """Run, print and return one seed's scores, reliability tables, verdicts and baseline."""
    scores = evaluate(
        seed=seed, stories=stories, db_url=db_url, workdir=workdir, languages=languages
    )
    print(f"\nsystem, seed {seed} (files in {workdir}):")
    print(scores.format())
    truth = generate_network(seed=seed, stories=stories, languages=languages).truth
    export = [json.loads(line) for line in (workdir / "export.jsonl").open(encoding="utf-8")]
    origin_pairs, parent_pairs = confidence_pairs(export, truth)
    tables = verdict_tables(origin_pairs, parent_pairs)
    for table, pairs in zip(tables, (origin_pairs, parent_pairs), strict=True):
        print()
        print(table.format())
        print(chance_line(pairs))
    baseline = score(dates_only_baseline(truth), truth)
    print("\nbaseline, dates only on perfect clusters:")
    print(baseline.format().splitlines()[2])
    return scores, tables, (origin_pairs, parent_pairs), baseline


def verdict_tables(origin_pairs: Pairs, parent_pairs: Pairs) -> list[Reliability]:
    """The reliability tables of origin and parent verdicts."""
    return [reliability("origin", origin_pairs), reliability("parent", parent_pairs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seeds", help="comma-separated seeds, each in its own database")
    parser.add_argument("--stories", type=int, default=120)
    parser.add_argument("--db", help="SQLAlchemy URL (default: a SQLite file in --workdir)")
    parser.add_argument("--workdir", type=Path, help="where files go (default: a temp folder)")
    parser.add_argument("--languages", help="comma-separated language codes (default: all)")
    parser.add_argument("--json", type=Path, help="also write the scores as JSON here")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")] if args.seeds else [args.seed]
    if args.db and len(seeds) > 1:
        parser.error("--db takes one seed: each seed needs a fresh database")
    root = args.workdir or Path(tempfile.mkdtemp(prefix="provenance-eval-"))
    languages = args.languages.split(",") if args.languages else None
    checks: dict[str, list[TargetCheck]] = {}
    runs: list[Scores] = []
    all_origins: Pairs = []
    all_parents: Pairs = []
    figures: dict[str, object] = {}
    for seed in seeds:
        workdir = root / f"seed-{seed}" if len(seeds) > 1 else root
        workdir.mkdir(parents=True, exist_ok=True)
        db_url = args.db or f"sqlite:///{workdir / 'eval.db'}"
        scores, tables, (origins, parents), baseline = evaluate_seed(
            seed, args.stories, db_url, workdir, languages
        )
        checks[f"seed {seed}"] = check_targets(scores, tables)
        runs.append(scores)
        all_origins += origins
        all_parents += parents
        figures[str(seed)] = {
            "system": scores.to_dict(),
            "baseline": baseline.to_dict(),
            "calibration": {t.name: {"ece": t.ece, "count": t.count} for t in tables},
        }
    pooled = None
    if len(runs) > 1:
        print(f"\nrates pooled over seeds {args.seeds} (cases in brackets):")
        print(format_pooled(runs))
        pooled_tables = verdict_tables(all_origins, all_parents)
        for table in pooled_tables:
            print(f"\npooled over seeds {args.seeds}:")
            print(table.format())
        pooled = pooled_checks(runs, pooled_tables)
    print(
        "\ntargets (figures from the tables above; met = seeds meeting the bound; "
        "verdict on the pooled figure):"
        if pooled
        else "\ntargets (figures from the tables above; met = seeds meeting the bound):"
    )
    print(format_checks(checks, pooled))
    if args.json:
        # One seed keeps the flat layout earlier runs wrote; several are keyed by seed.
        payload = figures[str(seeds[0])] if len(seeds) == 1 else figures
        args.json.write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
