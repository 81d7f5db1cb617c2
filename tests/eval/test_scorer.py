"""The scorer, on hand-built truths and exports (no data sets needed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from provenance.eval.scorer import adjusted_rand_index, normalize_url, score
from provenance.eval.truth import Roundup, Truth, TruthArticle, TruthStory

_T = "2024-05-17T08:00:00+00:00"


def _article(url: str, story: str, parent: str | None, depth: int, **kw: object) -> TruthArticle:
    relation = str(kw.get("relation", "origin" if parent is None else "copy"))
    attribution = kw.get("attribution", None if parent is None else "credited")
    return TruthArticle(
        url=url,
        story=story,
        parent_url=parent,
        is_origin=parent is None,
        relation=relation,
        attribution=attribution,  # type: ignore[arg-type]
        language=str(kw.get("language", "en")),
        depth=depth,
        outlet=url.split("/")[2],
        published_at=_T,
        fetched_at=_T,
    )


def _u(name: str) -> str:
    return f"https://www.{name}.test/news/{name}-1"


def _truth() -> Truth:
    """Story A: a0 <- a1 <- a2 and roundup r (quotes A and B); B: b0 <- b1; C: c0 alone."""
    articles = [
        _article(_u("a0"), "A", None, 0),
        _article(_u("a1"), "A", _u("a0"), 1),
        _article(_u("a2"), "A", _u("a1"), 2, attribution="miscredited"),
        _article(_u("r"), "A", _u("a0"), 1, relation="partial", attribution="uncredited"),
        _article(_u("b0"), "B", None, 0, language="de"),
        _article(_u("b1"), "B", _u("b0"), 1, language="de"),
        _article(_u("c0"), "C", None, 0, language="de"),
    ]
    stories = {
        "A": TruthStory("A", _u("a0"), "en", ("depth3", "partial", "roundup"), 4),
        "B": TruthStory("B", _u("b0"), "de", ("hard_negative", "roundup"), 2),
        "C": TruthStory("C", _u("c0"), "de", ("hard_negative", "singleton"), 1),
    }
    return Truth(
        {a.url: a for a in articles}, stories, [("B", "C")], [Roundup(_u("r"), ("A", "B"))], 1
    )


def _story(export: list[dict[str, object]], url: str) -> dict[str, object]:
    for story in export:
        if any(a["url"] == url for a in story["articles"]):  # type: ignore[attr-defined]
            return story
    raise KeyError(url)


def _article_of(export: list[dict[str, object]], url: str) -> dict[str, object]:
    for article in _story(export, url)["articles"]:  # type: ignore[attr-defined]
        if article["url"] == url:
            return article  # type: ignore[no-any-return]
    raise KeyError(url)


def _skipping_intermediate(truth: Truth) -> list[dict[str, object]]:
    """The true export, except that a2 names the origin a0 as its parent, not a1."""
    export = truth.as_export()
    _article_of(export, _u("a2"))["parent_url"] = _u("a0")
    return export


def test_truth_as_export_scores_one_everywhere() -> None:
    truth = _truth()
    scores = score(truth.as_export(), truth)
    for metrics in [scores.overall, *scores.by_language.values(), *scores.by_tag.values()]:
        assert metrics.pair_precision == metrics.pair_recall == metrics.pair_f1 == 1.0
        assert metrics.ari == 1.0
        assert metrics.origin_accuracy in (1.0, None)
        assert metrics.parent_accuracy in (1.0, None)
        assert metrics.credit_accuracy in (1.0, None)
        assert metrics.hard_negative_false_links in (0.0, None)
        assert metrics.roundup_merges == 0
    overall = scores.overall
    assert (overall.origin_n, overall.parent_n, overall.depth3_n, overall.credit_n) == (2, 4, 1, 4)
    assert scores.missing_urls == scores.unknown_urls == 0


def test_merging_two_stories_lowers_precision_and_flags_the_hard_negative() -> None:
    truth = _truth()
    export = truth.as_export()
    b, c = _story(export, _u("b0")), _story(export, _u("c0"))
    b["articles"] += c["articles"]  # type: ignore[operator]
    export.remove(c)
    scores = score(export, truth)
    # Predicted pairs: 6 in A, 3 in B+C; true pairs among them: 6 + 1.
    assert scores.overall.pair_precision == pytest.approx(7 / 9)
    assert scores.overall.pair_recall == 1.0
    assert scores.overall.ari < 1.0
    assert scores.overall.hard_negative_false_links == 1.0
    assert scores.by_language["en"].pair_precision == 1.0
    assert scores.by_language["de"].pair_precision == pytest.approx(1 / 3)


def test_splitting_a_story_lowers_recall() -> None:
    truth = _truth()
    export = truth.as_export()
    a = _story(export, _u("a0"))
    moved = [x for x in a["articles"] if x["url"] == _u("a2")]  # type: ignore[attr-defined]
    a["articles"] = [x for x in a["articles"] if x["url"] != _u("a2")]  # type: ignore[attr-defined]
    export.append({"story_id": "split", "origin_url": _u("a2"), "articles": moved})
    scores = score(export, truth)
    assert scores.overall.pair_precision == 1.0
    assert scores.overall.pair_recall == pytest.approx(4 / 7)  # 3 of A's 6 pairs lost
    assert scores.overall.origin_accuracy == 1.0


def test_a_wrong_origin_costs_one_story_in_two() -> None:
    truth = _truth()
    export = truth.as_export()
    _story(export, _u("a0"))["origin_url"] = _u("a1")
    scores = score(export, truth)
    assert scores.overall.origin_accuracy == pytest.approx(1 / 2)
    assert scores.by_language["de"].origin_accuracy == 1.0


def test_a_missing_origin_article_counts_as_wrong() -> None:
    truth = _truth()
    export = truth.as_export()
    b = _story(export, _u("b0"))
    b["articles"] = [x for x in b["articles"] if x["url"] != _u("b0")]  # type: ignore[attr-defined]
    scores = score(export, truth)
    assert scores.overall.origin_accuracy == pytest.approx(1 / 2)
    assert scores.missing_urls == 1
    assert scores.overall.pair_recall < 1.0


def test_wrong_parents_and_depth3() -> None:
    truth = _truth()
    scores = score(_skipping_intermediate(truth), truth)
    assert scores.overall.parent_accuracy == pytest.approx(3 / 4)
    assert scores.overall.depth3_parent_accuracy == 0.0
    assert scores.by_tag["depth3"].depth3_n == 1


def test_roundup_merge_is_counted() -> None:
    truth = _truth()
    export = truth.as_export()
    a, b = _story(export, _u("a0")), _story(export, _u("b0"))
    a["articles"] += b["articles"]  # type: ignore[operator]
    export.remove(b)
    scores = score(export, truth)
    assert scores.overall.roundup_merges == 1
    assert scores.by_tag["roundup"].roundup_n == 1
    # The roundup alone, sitting with story B, is no merge of the two stories.
    export = truth.as_export()
    a, b = _story(export, _u("a0")), _story(export, _u("b0"))
    roundup = [x for x in a["articles"] if x["url"] == _u("r")]  # type: ignore[attr-defined]
    a["articles"] = [x for x in a["articles"] if x["url"] != _u("r")]  # type: ignore[attr-defined]
    b["articles"] += roundup  # type: ignore[operator]
    assert score(export, truth).overall.roundup_merges == 0


def test_credit_metric_only_when_the_export_has_labels() -> None:
    truth = _truth()
    export = truth.as_export()
    for story in export:
        for article in story["articles"]:  # type: ignore[attr-defined]
            del article["credit"]
    assert score(export, truth).overall.credit_accuracy is None
    labelled = truth.as_export()
    _article_of(labelled, _u("a2"))["credit"] = "credited"
    assert score(labelled, truth).overall.credit_accuracy == pytest.approx(3 / 4)


def test_urls_are_compared_normalised() -> None:
    truth = _truth()
    export = copy.deepcopy(truth.as_export())
    for story in export:
        story["origin_url"] = str(story["origin_url"]).replace("https://www.", "HTTPS://WWW.") + "/"
        for article in story["articles"]:  # type: ignore[attr-defined]
            article["url"] = article["url"].replace(".test/", ".TEST/") + "/#top"
    assert score(export, truth).overall.origin_accuracy == 1.0
    assert normalize_url("HTTPS://Example.TEST/") == "https://example.test/"
    assert normalize_url("https://example.test/a/b/#x") == "https://example.test/a/b"


def test_unknown_export_urls_are_counted_not_scored() -> None:
    truth = _truth()
    export = truth.as_export()
    export.append({"story_id": "x", "origin_url": _u("zz"), "articles": [{"url": _u("zz")}]})
    scores = score(export, truth)
    assert scores.unknown_urls == 1
    assert scores.overall.pair_precision == 1.0


def test_adjusted_rand_index_matches_the_textbook_value() -> None:
    # labels_true = [0, 0, 1, 1], labels_pred = [0, 0, 1, 2]: ARI = 4/7.
    cells = {("0", "0"): 2, ("1", "1"): 1, ("1", "2"): 1}
    assert adjusted_rand_index(cells) == pytest.approx(4 / 7)
    assert adjusted_rand_index({("a", "x"): 3, ("b", "y"): 2}) == 1.0
    assert adjusted_rand_index({("a", "x"): 1, ("b", "y"): 1}) == 1.0
    # Everything merged against a truth of singletons: no better than chance.
    assert adjusted_rand_index({("a", "x"): 1, ("b", "x"): 1, ("c", "x"): 1}) == 0.0


def test_format_and_to_dict(tmp_path: Path) -> None:
    truth = _truth()
    scores = score(truth.as_export(), truth)
    table = scores.format()
    assert "overall" in table and "lang de" in table and "tag depth3" in table
    json.dumps(scores.to_dict())
    truth.save(tmp_path / "truth.json")
    assert Truth.load(tmp_path / "truth.json").to_dict() == truth.to_dict()


def test_export_without_articles_is_rejected() -> None:
    with pytest.raises(ValueError, match="articles"):
        score([{"story_id": "bad"}], _truth())
