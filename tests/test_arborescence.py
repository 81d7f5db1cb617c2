"""The dense Chu–Liu/Edmonds against networkx's implementation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from provenance.arborescence import best_arborescence


def _total(scores: np.ndarray, parents: dict[int, int]) -> float:
    return float(sum(scores[p, c] for c, p in parents.items()))


def _networkx_best(scores: np.ndarray, root: int | None) -> float:
    graph = nx.DiGraph()
    n = len(scores)
    graph.add_nodes_from(range(n))
    for u in range(n):
        for v in range(n):
            if u != v and np.isfinite(scores[u, v]) and v != root:
                graph.add_edge(u, v, weight=float(scores[u, v]))
    tree = nx.maximum_spanning_arborescence(graph)
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


def test_single_node_and_impossible() -> None:
    assert best_arborescence(np.zeros((1, 1))) == {}
    blocked = np.full((3, 3), -np.inf)
    blocked[0, 1] = 1.0  # node 2 can have no parent and node 0 none either
    assert best_arborescence(blocked) == {}
    with pytest.raises(ValueError):
        best_arborescence(np.zeros((2, 3)))
