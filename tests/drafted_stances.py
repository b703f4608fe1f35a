"""Drafting one invented article through the real pipeline and reading back each actor's positions."""

from __future__ import annotations

from pathlib import Path

import yaml

from briefgen.draft import draft_to_file


def positions_by_actor(folder: Path, text: str, surname: bool = True) -> dict[str, list[dict]]:
    """Draft ``text`` as the only source in ``folder``; each actor's drafted positions, by surname (or full name)."""
    src = folder / "src"
    src.mkdir()
    (src / "a.txt").write_text(text, encoding="utf-8")
    brief = yaml.safe_load(draft_to_file([src], folder / "brief.yaml").read_text(encoding="utf-8"))
    names = {a["id"]: a["name"].split()[-1] if surname else a["name"] for a in brief["actors"]}
    out: dict[str, list[dict]] = {}
    for p in brief["positions"]:
        out.setdefault(names[p["actor"]], []).append(p)
    return out


def stances_by_actor(folder: Path, text: str, surname: bool = True) -> dict[str, list[str]]:
    """As ``positions_by_actor``, each position's stance only."""
    return {name: [p["stance"] for p in ps] for name, ps in positions_by_actor(folder, text, surname).items()}
