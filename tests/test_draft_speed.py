"""Speed of `briefgen draft`: at least 50 articles of ~4 KB per CPU second, growing linearly."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import bench_draft  # noqa: E402


def test_at_least_fifty_articles_per_second_and_linear():
    bench_draft.run(5)
    small = max(bench_draft.run(60) for _ in range(2))
    large = max(bench_draft.run(240) for _ in range(2))
    assert max(small, large) >= 50, (small, large)
    # linear: four times the articles may not cost much more than four times the time
    assert large >= 0.7 * small, (small, large)
