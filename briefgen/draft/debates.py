"""Telling debates apart: sources grouped by what they are about, so one brief never mixes two debates."""

from __future__ import annotations

import heapq
import math
from collections import Counter
from typing import Sequence

# two sources share a debate when the cosine of their term weights reaches this (measured on news articles:
# articles on one debate score 0.25-0.6, unrelated articles of the same section 0.02-0.15)
LINK = 0.2
TOP_TERMS = 60  # the terms that weigh most in a source describe it; the rest is noise and slows the comparison


def _vectors(term_bags: Sequence[Counter]) -> list[dict[str, float]]:
    n = len(term_bags)
    df: Counter = Counter()
    for bag in term_bags:
        df.update(set(bag))
    out = []
    for bag in term_bags:
        w = {t: (1 + math.log(c)) * math.log((1 + n) / (1 + df[t]) + 1) for t, c in bag.items() if df[t] > 1 or n == 1}
        top = sorted(w.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TERMS]
        norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
        out.append({t: v / norm for t, v in top})
    return out


def similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two normalised term vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def group(term_bags: Sequence[Counter], link: float = LINK) -> list[list[int]]:
    """Indices of the sources grouped by debate (average linkage): largest group first, then by first index."""
    n = len(term_bags)
    vecs = _vectors(term_bags)
    # an inverted index keeps the comparison to pairs that share a weighty term
    index: dict[str, list[int]] = {}
    for i, v in enumerate(vecs):
        for t in v:
            index.setdefault(t, []).append(i)
    sims: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    heap: list[tuple[float, int, int]] = []
    for i, v in enumerate(vecs):
        for j in sorted({j for t in v for j in index[t] if j > i}):
            s_ = similarity(v, vecs[j])
            if s_ > 0:
                sims[i][j] = sims[j][i] = s_
                heap.append((-s_, i, j))
    heapq.heapify(heap)
    members = {i: [i] for i in range(n)}
    while heap:
        neg, i, j = heapq.heappop(heap)
        if -neg < link:
            break
        if i not in members or j not in members or sims[i].get(j) != -neg:
            continue  # a stale pair: one side has merged since
        # merge j into i; the average similarity to every other group follows from the sizes
        ni, nj = len(members[i]), len(members[j])
        members[i] += members.pop(j)
        others = (set(sims[i]) | set(sims[j])) - {i, j}
        sj = sims.pop(j)
        for k in sorted(others):
            val = (ni * sims[i].get(k, 0.0) + nj * sj.get(k, 0.0)) / (ni + nj)
            sims[k].pop(j, None)
            sims[i][k] = sims[k][i] = val
            if val >= link:
                heapq.heappush(heap, (-val, min(i, k), max(i, k)))
        sims[i].pop(j, None)
    return sorted((sorted(g) for g in members.values()), key=lambda g: (-len(g), g[0]))
