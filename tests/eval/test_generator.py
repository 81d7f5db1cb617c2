"""The syndication-network generator: determinism, tree shape, dates, records."""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter
from datetime import datetime
from pathlib import Path

import lxml.html
import pytest

from provenance.errors import ConfigError
from provenance.eval.corpus import DATA_ENV_VAR, shared_data_dir
from provenance.eval.generator import generate_drafts, generate_network
from provenance.eval.scorer import normalize_url
from provenance.eval.timing import delay_density
from provenance.eval.truth import Network, Truth


def _data_dir() -> Path | None:
    # Resolved at import, before the autouse fixture clears PROVENANCE_* variables.
    try:
        return shared_data_dir()
    except ConfigError:
        return None


DATA = _data_dir()
_RECORD_KEYS = {"url", "html", "text", "title", "published_at", "fetched_at", "outlet"}


@pytest.fixture(scope="module")
def data() -> Path:
    if DATA is None:
        message = f"shared data sets not found (../shared/data or ${DATA_ENV_VAR})"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has the data: a missing folder is a broken setup
        pytest.skip(message)
    return DATA


@pytest.fixture(scope="module")
def network(data: Path) -> Network:
    return generate_network(seed=1, stories=200, data_dir=data)


def _dumps(net: Network) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in net.records)


def test_same_seed_same_bytes_other_seed_differs(data: Path) -> None:
    first = generate_network(seed=7, stories=60, data_dir=data)
    again = generate_network(seed=7, stories=60, data_dir=data)
    other = generate_network(seed=8, stories=60, data_dir=data)
    assert _dumps(first) == _dumps(again)
    assert first.truth.to_dict() == again.truth.to_dict()
    assert _dumps(first) != _dumps(other)


def test_asked_for_stories_are_made(data: Path) -> None:
    # How fast the generator is belongs to the benchmarks, not to a test.
    net = generate_network(seed=3, stories=200, data_dir=data)
    assert len(net.truth.stories) == 200


def test_drafts_are_the_networks_stories(network: Network, data: Path) -> None:
    drafts = generate_drafts(seed=1, stories=200, data_dir=data)
    truth = network.truth.articles
    members = [a for story in drafts for a in story.members]
    assert len(members) == len(truth)
    for article in members:
        known = truth[normalize_url(article.url)]
        assert known.story == article.story and known.depth == article.depth
        parent = article.parent.url if article.parent else None
        assert known.parent_url == (normalize_url(parent) if parent else None)
        if article.parent is not None and article.relation == "copy":
            # A copy appears after its parent, within the delays the density covers.
            gap = (article.published - article.parent.published).total_seconds() / 60
            assert delay_density(gap) > 0


def test_delay_density_is_a_density() -> None:
    total = sum(delay_density(minute + 0.5) for minute in range(0, 6 * 24 * 60))
    assert total == pytest.approx(1.0)
    assert delay_density(10) == 0.0 and delay_density(5 * 24 * 60) == 0.0


def test_trees_are_shallow_and_parents_share_the_story(network: Network) -> None:
    truth = network.truth
    for story in truth.stories.values():
        origin = truth.articles[story.origin_url]
        assert origin.is_origin and origin.parent_url is None and origin.depth == 0
    for article in truth:
        assert article.depth <= 2  # origin, copies, copies of copies: three levels
        if article.is_origin:
            assert truth.stories[article.story].origin_url == article.url
            continue
        assert article.parent_url is not None
        parent = truth.articles[article.parent_url]
        assert parent.story == article.story
        assert parent.depth == article.depth - 1
        assert article.relation in ("copy", "partial")
        assert article.attribution in ("credited", "uncredited", "miscredited")
    origins = Counter(a.story for a in truth if a.is_origin)
    assert set(origins.values()) == {1}


def test_outlets_differ_within_a_story(network: Network) -> None:
    for urls in network.truth.members().values():
        copies = [
            network.truth.articles[u]
            for u in urls
            if network.truth.articles[u].relation != "partial"
        ]
        outlets = [a.outlet for a in copies]
        assert len(outlets) == len(set(outlets))


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def test_date_tags_match_the_dates(network: Network) -> None:
    truth = network.truth
    for story_id, urls in truth.members().items():
        tags = truth.stories[story_id].tags
        origin = truth.articles[truth.stories[story_id].origin_url]
        copies = [truth.articles[u] for u in urls if u != origin.url]
        claimed = [_instant(c.published_at) for c in copies]
        assert ("no_dates" in tags) == any(a.published_at is None for a in [origin, *copies])
        seen = datetime.fromisoformat(origin.fetched_at)
        inverted = any(datetime.fromisoformat(c.fetched_at) < seen for c in copies)
        assert ("inverted_first_seen" in tags) == inverted
        first = _instant(origin.published_at)
        if first is not None:
            assert ("copied_dates" in tags) == (first in claimed)
            assert ("backdated" in tags) == any(d is not None and d < first for d in claimed)
    counts = Counter(t for s in truth.stories.values() for t in s.tags)
    for tag in ("copied_dates", "backdated", "no_dates", "inverted_first_seen", "depth3"):
        assert counts[tag] >= 2, tag


def test_structure_tags(network: Network) -> None:
    truth = network.truth
    counts = Counter(t for s in truth.stories.values() for t in s.tags)
    assert counts["hard_negative"] >= 10
    assert counts["template"] >= 6
    assert counts["partial"] >= 3
    assert counts["intermediate_attribution"] >= 2
    assert truth.roundups
    assert truth.hard_negatives
    for first, second in truth.hard_negatives:
        assert first != second
        assert truth.stories[first].language == truth.stories[second].language
    for roundup in truth.roundups:
        article = truth.articles[roundup.url]
        assert article.relation == "partial" and article.story == roundup.stories[0]
    sizes = Counter(s.size for s in truth.stories.values())
    assert sizes[1] >= 40  # many singletons
    assert max(sizes) >= 15  # and a few big stories


def test_languages_present_and_filter(network: Network, data: Path) -> None:
    languages = {s.language for s in network.truth.stories.values()}
    assert {"en", "de", "es", "fr", "it", "ru", "zh", "pl", "tr", "ar"} <= languages
    only = generate_network(seed=2, stories=30, languages=["zh", "ru"], data_dir=data)
    assert {a.language for a in only.truth} == {"zh", "ru"}
    with pytest.raises(ValueError, match="unknown languages"):
        generate_network(seed=2, stories=5, languages=["xx"], data_dir=data)
    with pytest.raises(ValueError, match="positive"):
        generate_network(seed=2, stories=0, data_dir=data)


def test_records_reveal_no_truth(network: Network) -> None:
    truth_urls = set(network.truth.articles)
    assert {r["url"] for r in network.records} == truth_urls
    for record in network.records:
        assert set(record) <= _RECORD_KEYS
        assert ("html" in record) != ("text" in record)
        assert "story" not in record and "parent" not in record
    text_share = sum("text" in r for r in network.records) / len(network.records)
    assert 0.2 <= text_share <= 0.45
    # Arrival order is shuffled: neighbours rarely belong to one story.
    stories = [network.truth.articles[str(r["url"])].story for r in network.records]
    same = sum(a == b for a, b in itertools.pairwise(stories))
    assert same / len(stories) < 0.25


def test_urls_are_in_normal_form(network: Network) -> None:
    for url in network.truth.articles:
        assert url == normalize_url(url)
        assert url.startswith("https://") and ".test/" in url
        assert "#" not in url and "utm_" not in url


def test_html_records_parse_and_carry_metadata(network: Network) -> None:
    pages = [r for r in network.records if "html" in r]
    with_ld = 0
    for record in pages:
        tree = lxml.html.fromstring(str(record["html"]))
        assert tree.xpath("//p")
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            data = json.loads(script.text)
            assert data["@type"] == "NewsArticle"
            assert data["publisher"]["name"]
            with_ld += 1
    assert with_ld >= 20
    bare = [r for r in pages if 'property="og:site_name"' not in str(r["html"])]
    assert bare, "some outlets publish bare pages without metadata"


def test_text_records_carry_their_fields(network: Network) -> None:
    for record in network.records:
        if "text" not in record:
            continue
        article = network.truth.articles[str(record["url"])]
        assert record["outlet"] == article.outlet
        assert record["title"]
        if article.published_at is None:
            assert "published_at" not in record
        else:
            assert _instant(str(record["published_at"])) == _instant(article.published_at)


def test_write_and_load_round_trip(network: Network, tmp_path: Path) -> None:
    articles, truth_path = network.write(tmp_path / "out")
    lines = articles.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(network.records)
    assert json.loads(lines[0]) == network.records[0]
    loaded = Truth.load(truth_path)
    assert loaded.to_dict() == network.truth.to_dict()
