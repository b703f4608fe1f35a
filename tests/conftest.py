"""Shared fixtures: small real briefs and source files on disk."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis profiles. "repeatable" (the default, and what CI uses) draws the same examples on every
# machine and run and keeps no example database, so the README's test command passes or fails the
# same way everywhere. "explore" draws fresh random examples, many more of them, and remembers
# failures in .hypothesis/: HYPOTHESIS_PROFILE=explore python -m pytest
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "inputs" / "ukraine-security-guarantees"
EXAMPLE_BRIEF = EXAMPLE_DIR / "brief.yaml"

SOURCE_TEXT = (
    "Officials met in Brussels on Monday.\n"
    "“We cannot give up joining the alliance, since it is the only truly reliable guarantee,” "
    "the minister said.\n"
    "Critics warned that a small force could be ignored — or worse.\n"
)

MINIMAL_BRIEF = """\
meta:
  title: A test brief
  question: Will the force be deployed?
  date: 2025-02-15
actors:
  - id: minister
    name: The Minister
    kind: person
    affiliation: Ruritania
positions:
  - actor: minister
    about: force
    stance: oppose
    summary: The minister prefers alliance membership.
    citations:
      - {source: article, quote: "it is the only truly reliable guarantee"}
options:
  - id: force
    title: Deploy a force
    description: Station a small force.
    citations:
      - {source: article, quote: "a small force could be ignored"}
sources:
  - id: article
    title: Officials meet
    path: article.txt
"""


@pytest.fixture
def no_user_config(tmp_path_factory, monkeypatch):
    """Never read the real user's config file, SMTP password or SOURCE_DATE_EPOCH; an empty config stands in."""
    empty = tmp_path_factory.mktemp("config") / "config.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_CONFIG", str(empty))
    monkeypatch.delenv("BRIEFGEN_SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def brief_dir(tmp_path: Path) -> Path:
    """A folder with a minimal valid brief (brief.yaml) and its one source (article.txt)."""
    (tmp_path / "article.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(MINIMAL_BRIEF, encoding="utf-8")
    return tmp_path


def write(path: Path, text: str) -> Path:
    """Write dedented UTF-8 text and return the path."""
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
