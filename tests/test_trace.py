"""Origin and copy-tree inference on small literal stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from provenance.evidence import add_second_pass, anchor_origin, collect_evidence
from provenance.models import DATE_TRUST, DateClaim, DateSource, Member, Relation
from provenance.reasons import describe
from provenance.trace import CANDIDATE_ORIGINS, best_tree, choose_origin, trace_story
from provenance.weights import ORIGIN_WEIGHTS, WEIGHTS

T0 = datetime(2024, 5, 17, 8, 0, tzinfo=UTC)


def _date(hours: float, source: DateSource = DateSource.JSONLD) -> tuple[DateClaim, ...]:
    return (DateClaim(T0 + timedelta(hours=hours), source, DATE_TRUST[source]),)


def _member(i: int, outlet: str, shingles: range | list[int], **kw) -> Member:  # type: ignore[no-untyped-def]
    return Member(
        id=i,
        url=f"https://{outlet}.test/a{i}",
        outlet=outlet.title(),
        outlet_domain=f"{outlet}.test",
        shingles=np.unique(np.array(list(shingles), dtype=np.uint32)),
        **kw,
    )


def _parents(members: list[Member]) -> tuple[int, dict[int, int]]:
    trace = trace_story(members)
    return trace.origin_id, {e.child_id: e.parent_id for e in trace.edges}


def test_single_member_is_its_own_origin() -> None:
    trace = trace_story([_member(1, "alpha", range(50))])
    assert trace.origin_id == 1 and trace.edges == () and trace.confidence == 1.0


def test_earliest_trusted_date_is_origin() -> None:
    members = [
        _member(1, "beta", range(100), dates=_date(5)),
        _member(2, "alpha", range(100), dates=_date(0)),
        _member(3, "gamma", range(100), dates=_date(9)),
    ]
    origin, parents = _parents(members)
    assert origin == 2
    assert set(parents) == {1, 3}
    trace = trace_story(members)
    assert 0.5 < trace.confidence <= 1.0
    assert any(e.kind == "earliest_date" for e in trace.origin_evidence)


def test_copied_dates_fall_back_to_declared_source_and_first_seen() -> None:
    same = _date(0)
    members = [
        _member(
            1,
            "copier",
            range(100),
            dates=same,
            first_seen=T0 + timedelta(hours=3),
            declared_sources=("Alpha",),
        ),
        _member(2, "alpha", range(100), dates=same, first_seen=T0 + timedelta(hours=1)),
    ]
    origin, parents = _parents(members)
    assert origin == 2 and parents == {1: 2}


def test_copy_of_a_copy_hangs_under_its_parent() -> None:
    origin_text = list(range(200))
    edited = origin_text[:150] + list(range(1000, 1040))  # the parent's own edit
    grandchild = edited[:140] + list(range(1000, 1040))  # inherits it
    members = [
        _member(1, "alpha", origin_text, dates=_date(0)),
        _member(2, "beta", edited, dates=_date(2)),
        _member(3, "gamma", grandchild, dates=_date(4)),
    ]
    origin, parents = _parents(members)
    assert origin == 1 and parents == {2: 1, 3: 2}


def test_the_origin_roots_the_best_tree_of_all_and_leads_the_runner_up_by_its_margin() -> None:
    # Few enough members that every one is a candidate origin: the choice must
    # agree with trying every member as the root, each with its own second pass.
    origin_text = list(range(200))
    members = [
        _member(1, "beta", origin_text[:150] + list(range(900, 930)), dates=_date(3)),
        _member(2, "alpha", origin_text, first_seen=T0 + timedelta(hours=2)),
        _member(3, "gamma", origin_text[:120], dates=_date(1), declared_sources=("Alpha",)),
        _member(4, "delta", origin_text[:150] + list(range(900, 930)), dates=_date(6)),
    ]
    assert len(members) <= CANDIDATE_ORIGINS
    choice = choose_origin(members)
    ev = collect_evidence(members)
    totals = sorted(
        (best_tree(ev, root, weights=ORIGIN_WEIGHTS)[1], root) for root in range(len(members))
    )
    (second, _), (best, best_root) = totals[-2], totals[-1]
    assert choice.root == best_root
    assert choice.margin == pytest.approx(best - second)
    assert choice.margin > 0
    assert set(choice.parents) == set(range(len(members))) - {choice.root}


def test_a_date_its_own_url_contradicts_loses_to_first_seen() -> None:
    # The copy's metadata claims a day before the origin, but its URL (built
    # from its real publication time) says the same day as the origin's.
    day = DateClaim(datetime(2024, 5, 17, tzinfo=UTC), DateSource.URL, DATE_TRUST[DateSource.URL])

    def story(with_urls: bool) -> list[Member]:
        url_day = (day,) if with_urls else ()
        return [
            _member(1, "alpha", range(100), dates=_date(0) + url_day, first_seen=T0),
            _member(
                2,
                "liar",
                range(100),
                dates=_date(-30) + url_day,
                first_seen=T0 + timedelta(hours=1),
            ),
        ]

    assert _parents(story(with_urls=False))[0] == 2  # the backdated date alone wins
    assert _parents(story(with_urls=True)) == (1, {2: 1})


def test_a_day_from_a_url_is_too_coarse_to_time_a_copy_by() -> None:
    # The copy's only date is its URL's day (midnight); its lag to the origin
    # comes from the first-seen times, not from a midnight eight hours early.
    day = DateClaim(datetime(2024, 5, 17, tzinfo=UTC), DateSource.URL, DATE_TRUST[DateSource.URL])
    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0),
        _member(2, "beta", range(100), dates=(day,), first_seen=T0 + timedelta(hours=3)),
        _member(3, "gamma", range(100), dates=_date(5), first_seen=T0 + timedelta(hours=6)),
    ]
    ev = collect_evidence(members)
    assert ev.lag_hours[0, 1] == pytest.approx(3.0)  # by first-seen
    assert ev.lag_hours[0, 2] == pytest.approx(5.0)  # by the two precise dates
    assert ev.features["lag_4h"][0, 1] == 1.0 and ev.features["lag_6h"][0, 2] == 1.0
    # The plain words say which clock timed each lag.
    ev.weigh(WEIGHTS)
    by_seen = next(e.detail for e in describe(ev, 0, 1) if e.kind == "lag_4h")
    by_dates = next(e.detail for e in describe(ev, 0, 2) if e.kind == "lag_6h")
    assert "by first-seen times" in by_seen and "by dates" in by_dates


def test_a_url_day_orders_dates_only_beyond_its_span() -> None:
    # beta's URL says 17 May: its midnight is not an instant before alpha's
    # 08:00, so the dates leave alpha and beta unordered. A URL day two days
    # later, or a day cut short by the page's first-seen time, does order them.
    def day(d: int) -> DateClaim:
        return DateClaim(
            datetime(2024, 5, d, tzinfo=UTC), DateSource.URL, DATE_TRUST[DateSource.URL]
        )

    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0),
        _member(2, "beta", range(100), dates=(day(17),), first_seen=T0 + timedelta(hours=3)),
        _member(3, "gamma", range(100), dates=(day(17),), first_seen=T0 + timedelta(hours=4)),
        _member(4, "delta", range(100), dates=(day(19),), first_seen=T0 + timedelta(days=2)),
        _member(5, "epsilon", range(100), dates=(day(16),), first_seen=T0 - timedelta(hours=9)),
    ]
    ev = collect_evidence(members)
    order = np.sign(ev.features["date_order"])
    assert order[0, 1] == order[1, 0] == 0  # the day spans alpha's hour
    assert order[1, 2] == 0  # the same day, no sign of copying either
    assert ev.trust[1] == ev.trust[2] == DATE_TRUST[DateSource.URL]
    assert order[0, 3] == 1 and order[3, 0] == -1  # 19 May starts after 08:00 on the 17th
    assert order[4, 0] == 1  # 16 May, seen at 23:00 that day: before alpha
    assert ev.features["proximity"][0, 1] == 0 and ev.features["proximity"][4, 0] == 0


def test_declared_source_beats_a_backdated_copy() -> None:
    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0),
        _member(
            2,
            "liar",
            range(100),
            dates=_date(-5),
            first_seen=T0 + timedelta(hours=6),
            declared_sources=("alpha.test",),
            links=frozenset({"https://alpha.test/a1"}),
        ),
    ]
    origin, parents = _parents(members)
    assert origin == 1 and parents == {2: 1}


def test_a_member_that_credits_another_counts_against_it_only_as_a_root() -> None:
    members = [
        _member(1, "alpha", range(100)),
        _member(2, "beta", range(100), declared_sources=("alpha.test",)),
        _member(3, "gamma", range(100)),
    ]
    ev = collect_evidence(members)
    credits = ev.features["credits_member"]
    # Every edge into beta carries it (so it leaves beta's parent choice alone),
    # and none into the members that credit no one.
    assert credits[:, 1].tolist() == [1.0, 0.0, 1.0]
    assert not credits[:, [0, 2]].any()
    assert ORIGIN_WEIGHTS["credits_member"] > 0 and "credits_member" not in WEIGHTS
    assert trace_story(members).origin_id != 2


def test_partial_member_is_never_a_parent_of_a_copy() -> None:
    members = [
        _member(1, "alpha", range(100), dates=_date(0)),
        _member(
            2, "roundup", list(range(30)) + list(range(5000, 5300)), dates=_date(1), partial=True
        ),
        _member(3, "beta", range(100), dates=_date(2)),
    ]
    trace = trace_story(members)
    edges = {e.child_id: e for e in trace.edges}
    assert trace.origin_id == 1
    assert edges[3].parent_id == 1 and edges[3].relation is Relation.COPY
    assert edges[2].parent_id in (1, 3) and edges[2].relation is Relation.PARTIAL


def test_edge_evidence_and_confidences_are_bounded() -> None:
    members = [
        _member(1, "alpha", range(100), dates=_date(0)),
        _member(2, "beta", range(100), dates=_date(1), canonical_url="https://alpha.test/a1"),
    ]
    trace = trace_story(members)
    (edge,) = trace.edges
    assert edge.parent_id == 1
    kinds = {e.kind for e in edge.evidence}
    assert kinds >= {"canonical", "held"}  # the link, and the text it holds
    # The dates weigh in as the lag between them (a "lag_" band, by trusted dates).
    assert any(kind.startswith("lag_") for kind in kinds)
    assert 0.0 <= edge.confidence <= 1.0 and 0.0 <= trace.confidence <= 1.0
    assert trace.first_published_at == T0


def test_copy_holding_text_a_sibling_lacks_hangs_on_the_origin() -> None:
    # The truncated copy came out just before the full one, but the full copy
    # holds origin text the truncated one lacks: it cannot have come from it.
    members = [
        _member(1, "alpha", range(200), dates=_date(0)),
        _member(2, "beta", range(100), dates=_date(10)),
        _member(3, "gamma", range(200), dates=_date(10.5)),
    ]
    origin, parents = _parents(members)
    assert origin == 1
    assert parents == {2: 1, 3: 1}
    edge = next(e for e in trace_story(members).edges if e.child_id == 3)
    assert all(e.kind != "surplus" for e in edge.evidence)  # its parent lacks nothing


def test_naming_an_intermediate_copy_makes_it_the_parent() -> None:
    # Same text everywhere; gamma names beta, itself a copy, as its source.
    members = [
        _member(1, "alpha", range(150), dates=_date(0)),
        _member(2, "beta", range(150), dates=_date(3)),
        _member(3, "gamma", range(150), dates=_date(30), declared_sources=("Beta",)),
    ]
    origin, parents = _parents(members)
    assert origin == 1 and parents == {2: 1, 3: 2}
    edge = next(e for e in trace_story(members).edges if e.child_id == 3)
    assert {"declared_source", "names_intermediate"} <= {e.kind for e in edge.evidence}


def test_shared_omissions_and_surplus_measure_inherited_cuts() -> None:
    # beta drops shingles 60-99 of the origin; gamma drops the same ones and
    # 150-159 besides; delta keeps everything but 150-159.
    members = [
        _member(1, "alpha", range(160)),
        _member(2, "beta", [*range(60), *range(100, 160)]),
        _member(3, "gamma", [*range(60), *range(100, 150)]),
        _member(4, "delta", range(150)),
    ]
    ev = collect_evidence(members)
    add_second_pass(ev, 0)
    omissions, surplus = ev.features["shared_omissions"], ev.features["surplus"]
    assert omissions[1, 2] == 40 / 50  # gamma shares 40 of its 50 cuts with beta
    assert omissions[3, 2] == 10 / 50  # and 10 with delta
    assert omissions[0, 2] == 0.0  # the origin cuts nothing
    assert surplus[1, 3] == 40 / 150  # delta holds 40 origin shingles beta lacks
    assert surplus[0, 3] == 0.0 and surplus[1, 2] == 0.0


def test_an_origin_found_after_its_copies_loses_its_first_seen_timing() -> None:
    # alpha is dated first but the crawler reached it a day after both copies.
    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0 + timedelta(hours=30)),
        _member(2, "beta", range(100), first_seen=T0 + timedelta(hours=2)),
        _member(3, "gamma", range(100), dates=_date(3), first_seen=T0 + timedelta(hours=3.5)),
    ]
    ev = collect_evidence(members)
    assert ev.features["first_seen"][0, 1] == -1.0  # as the crawler saw it
    # Weighed as a candidate origin, alpha's first-seen row is already cleared;
    # under another candidate it stands.
    add_second_pass(ev, 1)
    assert ev.features["first_seen"][0, 1] == -1.0
    add_second_pass(ev, 0)
    assert not ev.features["first_seen"][0].any()
    assert ev.seen_order[0, 1] == -1.0
    anchor_origin(ev, 0)
    late = ev.features["origin_seen_late"]
    assert late[0].tolist() == [0.0, 1.0, 1.0] and not late[1:].any()
    assert not ev.features["first_seen"][0].any()
    assert not ev.features["seen_proximity"][0].any()
    assert not any(ev.features[k][0].any() for k in ev.features if k.startswith("seen_lag_"))
    # Lags by trusted dates stand: gamma is dated three hours after alpha
    # (band 2-4 h); beta has no date, so its lag came from first-seen times.
    assert ev.features["lag_4h"][0, 2] == 1.0
    assert not any(ev.features[k][0, 1] for k in ev.features if k.startswith("lag_"))
    # The copies' own timing is untouched: beta was seen before gamma.
    assert ev.features["first_seen"][1, 2] == 1.0


def test_an_origin_found_after_its_copies_is_chosen_by_its_dates() -> None:
    # alpha is dated first; the crawler saw its three copies, dated after it,
    # before it. Weighed as the origin, alpha's late first-seen time says
    # nothing of order, so the dates decide.
    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0 + timedelta(hours=10)),
        *(
            _member(i, name, range(100), dates=_date(i), first_seen=T0 + timedelta(hours=i + 0.1))
            for i, name in ((2, "beta"), (3, "gamma"), (4, "delta"))
        ),
    ]
    assert choose_origin(members).root == 0


def test_an_origin_found_late_keeps_no_lag_timed_by_first_seen_for_a_url_dated_copy() -> None:
    # beta's only date is its URL's day: its lag to alpha was timed by the
    # first-seen times, which mean nothing for an origin the crawler found late.
    day = DateClaim(datetime(2024, 5, 17, tzinfo=UTC), DateSource.URL, DATE_TRUST[DateSource.URL])
    members = [
        _member(1, "alpha", range(100), dates=_date(0), first_seen=T0 + timedelta(hours=30)),
        _member(2, "beta", range(100), dates=(day,), first_seen=T0 + timedelta(hours=2)),
        _member(3, "gamma", range(100), dates=_date(33), first_seen=T0 + timedelta(hours=33.5)),
    ]
    ev = collect_evidence(members)
    assert not ev.lag_dated[0, 1] and ev.lag_dated[0, 2]
    add_second_pass(ev, 0)
    anchor_origin(ev, 0)
    assert not any(ev.features[k][0, 1] for k in ev.features if k.startswith("lag_"))
    assert ev.features["lag_48h"][0, 2] == 1.0  # 33 h by the two dates


def test_an_origin_seen_first_keeps_its_timing() -> None:
    members = [
        _member(1, "alpha", range(100), first_seen=T0),
        _member(2, "beta", range(100), first_seen=T0 + timedelta(hours=1.5)),
    ]
    ev = collect_evidence(members)
    add_second_pass(ev, 0)
    anchor_origin(ev, 0)
    assert not ev.features["origin_seen_late"].any()
    assert ev.features["first_seen"][0, 1] == 1.0 and ev.features["seen_lag_2h"][0, 1] == 1.0


def test_pair_counts_match_the_plain_sparse_product() -> None:
    from scipy import sparse

    from provenance.evidence import _cooccurrence

    rng = np.random.default_rng(3)
    # 60 members: 300 shingles most of them hold, 900 each held by a few.
    common = rng.random((60, 300)) < 0.8
    rare = rng.random((60, 900)) < 0.02
    incidence = sparse.csr_matrix(np.hstack([common, rare]).astype(np.float64))
    expected = (incidence @ incidence.T).toarray()
    assert np.array_equal(_cooccurrence(incidence), expected)


def test_credit_labels_judge_what_each_copy_names_against_the_tree() -> None:
    # alpha, a newspaper, runs a Reuters story; the others copy alpha.
    members = [
        _member(1, "alpha", range(200), dates=_date(0), declared_sources=("Reuters",)),
        _member(2, "beta", range(200), dates=_date(2), declared_sources=("Alpha",)),
        _member(3, "gamma", range(200), dates=_date(3), declared_sources=("Reuters",)),
        _member(4, "delta", range(200), dates=_date(4), declared_sources=("Zeta Times",)),
        _member(5, "omega", range(200), dates=_date(5)),
    ]
    trace = trace_story(members)
    assert trace.origin_id == 1
    credit = {e.child_id: e.credit for e in trace.edges}
    assert credit[2] == "credited"  # names its source
    # Reuters came along with alpha's text: gamma says nothing of whom it copied.
    assert credit[3] == "uncredited"
    # delta names an outlet that is neither in the story nor alpha's source.
    assert credit[4] == "miscredited"
    assert credit[5] == "uncredited"
