"""The dense Chu–Liu/Edmonds against networkx's implementation and the textbook version."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from provenance import arborescence
from provenance.arborescence import best_arborescence

_NONE = -np.inf


def _total(scores: np.ndarray, parents: dict[int, int]) -> float:
    return float(sum(scores[p, c] for c, p in parents.items()))


def _networkx_best(scores: np.ndarray, root: int | None) -> float | None:
    """networkx's best total, or ``None`` when it finds no spanning arborescence."""
    graph = nx.DiGraph()
    n = len(scores)
    graph.add_nodes_from(range(n))
    for u, v in zip(*np.nonzero(np.isfinite(scores)), strict=True):
        if u != v and v != root:
            graph.add_edge(int(u), int(v), weight=float(scores[u, v]))
    try:
        tree = nx.maximum_spanning_arborescence(graph)
    except nx.NetworkXException:
        return None
    return float(sum(scores[u, v] for u, v in tree.edges()))


def _is_arborescence(parents: dict[int, int], n: int, root: int | None) -> bool:
    roots = [v for v in range(n) if v not in parents]
    if len(roots) != 1 or (root is not None and roots != [root]):
        return False
    for v in range(n):  # every node reaches the root without a cycle
        seen, node = set(), v
        while node in parents:
            if node in seen:
                return False
            seen.add(node)
            node = parents[node]
    return True


def _textbook_edmonds(w: np.ndarray, root: int) -> np.ndarray | None:
    """One cycle per level, the matrix rebuilt each time: the version ties are held to.

    The first cycle is the one reached from the lowest node that does not reach
    the root; the folded cycle becomes the last row and column.
    """
    n = len(w)
    incoming = w.copy()
    incoming[:, root] = _NONE
    parent = np.argmax(incoming, axis=0)
    if not np.all(np.isfinite(incoming[parent, np.arange(n)])[np.arange(n) != root]):
        return None
    parent[root] = -1
    cycle = _first_cycle(parent, root)
    if cycle is None:
        return parent
    keep = [v for v in range(n) if v not in cycle]
    c = len(keep)
    small = np.full((c + 1, c + 1), _NONE)
    small[:c, :c] = w[np.ix_(keep, keep)]
    gains = w[np.ix_(keep, cycle)] - w[parent[cycle], cycle]
    small[:c, c] = gains.max(axis=1)
    leaving = w[np.ix_(cycle, keep)]
    small[c, :c] = leaving.max(axis=0)
    np.fill_diagonal(small, _NONE)
    sub = _textbook_edmonds(small, keep.index(root))
    if sub is None:
        return None
    for i, v in enumerate(keep):
        p = int(sub[i])
        parent[v] = -1 if p == -1 else cycle[leaving[:, i].argmax()] if p == c else keep[p]
    parent[cycle[gains[sub[c]].argmax()]] = keep[sub[c]]
    return parent


def _first_cycle(parent: np.ndarray, root: int) -> list[int] | None:
    settled = {root}
    for start in range(len(parent)):
        path: list[int] = []
        node = start
        while node not in settled and node not in path:
            path.append(node)
            node = int(parent[node])
        if node not in settled:
            return path[path.index(node) :]
        settled.update(path)
    return None


def _bracket(n: int, seed: int) -> np.ndarray:
    """Nested two-cycles: each node's best parents are in its sibling block at every level.

    Node v has one candidate parent in the block it would merge with at each
    level of a binary bracket, scored higher the lower the level. Siblings pick
    each other (two-cycles), folded pairs pick their sibling pair, and so on up.
    """
    rng = np.random.default_rng(seed)
    scores = np.full((n, n), _NONE)
    for v in range(n):
        for level in range(n.bit_length()):
            block = (v ^ (1 << level)) >> level << level
            u = block + int(rng.integers(0, 1 << level))
            if u < n:
                scores[u, v] = 10.0 * (n.bit_length() - level) + int(rng.integers(0, 3))
    return scores


@pytest.mark.parametrize("seed", range(30))
def test_matches_networkx_on_random_dense_graphs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 12))
    scores = rng.normal(size=(n, n))
    if seed % 3 == 0:  # some impossible edges
        scores[rng.random((n, n)) < 0.3] = -np.inf
        scores[0, 1:] = rng.normal(size=n - 1)  # keep a spanning tree possible
    np.fill_diagonal(scores, -np.inf)
    parents = best_arborescence(scores)
    assert _is_arborescence(parents, n, None)
    assert _total(scores, parents) == pytest.approx(_networkx_best(scores, None))


@pytest.mark.parametrize("seed", range(10))
def test_forced_root(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(3, 10))
    scores = rng.normal(size=(n, n))
    root = int(rng.integers(0, n))
    parents = best_arborescence(scores, root=root)
    assert _is_arborescence(parents, n, root)
    assert _total(scores, parents) == pytest.approx(_networkx_best(scores, root))


@st.composite
def _problems(draw: st.DrawFn) -> tuple[np.ndarray, int | None]:
    """Dense matrices with impossible edges, repeated scores and an optional root."""
    n = draw(st.integers(2, 9))
    values = st.one_of(
        st.just(_NONE), st.integers(-2, 2).map(float), st.floats(-5.0, 5.0, allow_nan=False)
    )
    scores = draw(arrays(np.float64, (n, n), elements=values))
    return scores, draw(st.none() | st.integers(0, n - 1))


@settings(max_examples=300, deadline=None)
@given(_problems())
def test_total_equals_networkx(problem: tuple[np.ndarray, int | None]) -> None:
    scores, root = problem
    parents = best_arborescence(scores, root=root)
    expected = _networkx_best(scores, root)
    if expected is None:
        assert parents == {}
    else:
        assert _is_arborescence(parents, len(scores), root)
        assert _total(scores, parents) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(40))
def test_ties_break_as_in_the_textbook_version(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(2, 40))
    scores = rng.integers(0, 3, size=(n, n)).astype(float)  # few values: ties everywhere
    if seed % 2:
        scores[rng.random((n, n)) < 0.4] = _NONE
    root = int(rng.integers(0, n)) if seed % 3 == 0 else None
    parents = best_arborescence(scores, root=root)
    monkeypatch.setattr(arborescence, "_edmonds", _textbook_edmonds)
    assert best_arborescence(scores, root=root) == parents


def test_many_two_cycles_give_an_optimal_spanning_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 300
    scores = _bracket(n, seed=3)
    best_in = np.argmax(scores, axis=0)
    assert np.count_nonzero(best_in[best_in] == np.arange(n)) >= 200  # 100+ two-cycles
    parents = best_arborescence(scores)
    assert _is_arborescence(parents, n, None)
    assert _total(scores, parents) == pytest.approx(_networkx_best(scores, None))
    monkeypatch.setattr(arborescence, "_edmonds", _textbook_edmonds)
    assert best_arborescence(scores) == parents


def test_single_node_and_impossible() -> None:
    assert best_arborescence(np.zeros((1, 1))) == {}
    blocked = np.full((3, 3), -np.inf)
    blocked[0, 1] = 1.0  # node 2 can have no parent and node 0 none either
    assert best_arborescence(blocked) == {}
    with pytest.raises(ValueError):
        best_arborescence(np.zeros((2, 3)))
