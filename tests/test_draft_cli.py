"""`briefgen draft` end to end: the draft validates under --strict, quotes are verbatim, errors are clear."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.brief.check import check_file
from briefgen.cli import main
from briefgen.draft import draft_to_file

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_SOURCES = REPO / "inputs" / "ukraine-security-guarantees" / "sources"

ARTICLE = """Ministers Weigh a Border Mission

By Ann Lee

Norwegian Foreign Minister Karl Brenner said on Monday that a border mission should be deployed.
“We support the proposal to deploy monitors along the border,” Brenner told reporters.
However, Chilean Prime Minister Olga Marsh has rejected the plan to deploy monitors.
“Monitors without a UN mandate would be unacceptable,” the prime minister said.
The monitors could be attacked if fighting resumes, which would be a serious threat to the ceasefire.
It is still unclear who would pay for the mission.
"""


def _example(tmp_path: Path) -> Path:
    src = tmp_path / "sources"
    shutil.copytree(EXAMPLE_SOURCES, src)
    return src


def test_draft_of_the_example_validates_strict_and_cites_every_source(tmp_path: Path):
    src = _example(tmp_path)
    out = tmp_path / "out" / "brief.yaml"
    result = CliRunner().invoke(main, ["draft", str(src), "-o", str(out), "--title", "T", "--question", "Q?"])
    assert result.exit_code == 0, result.output
    assert f"--allow-outside {src}" in result.output  # its sources are outside the draft's folder
    assert {p.code for p in check_file(out).problems} == {"source-outside"}
    report = check_file(out, allow_outside=[src])
    assert report.ok(strict=True), [p.format() for p in report.problems]
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["meta"]["title"] == "T" and data["meta"]["question"] == "Q?"
    cited = {c["source"] for k, v in data.items() if isinstance(v, list) for i in v for c in i.get("citations", [])}
    assert cited == {s["id"] for s in data["sources"]}
    assert all(s["path"].startswith("../sources/") and len(s["sha256"]) == 64 for s in data["sources"])
    option_ids = {o["id"] for o in data["options"]}
    assert all(p["about"] in option_ids for p in data["positions"])
    assert {p["actor"] for p in data["positions"]} == {a["id"] for a in data["actors"]}


def test_draft_file_has_confidence_comments_and_is_deterministic(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1739577600")
    src = _example(tmp_path)
    a = draft_to_file([src], tmp_path / "a.yaml").read_text(encoding="utf-8")
    b = draft_to_file([src], tmp_path / "b.yaml", jobs=2).read_text(encoding="utf-8")
    assert a == b
    assert "date: '2025-02-15'" in a
    comments = [ln for ln in a.splitlines() if ln.strip().startswith("# confidence")]
    data = yaml.safe_load(a)
    items = sum(len(data.get(k, [])) for k in ("actors", "positions", "options", "risks", "open_questions"))
    assert len(comments) == items


def test_invented_article_gives_actors_stances_options_risks_and_questions(tmp_path: Path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = draft_to_file([tmp_path / "a.txt"], tmp_path / "brief.yaml")
    assert check_file(out).ok(strict=True)
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    actors = {a["name"]: a for a in data["actors"]}
    assert actors["Karl Brenner"]["affiliation"] == "Norway"
    assert actors["Olga Marsh"]["affiliation"] == "Chile"
    stances = {next(a["name"] for a in data["actors"] if a["id"] == p["actor"]): p["stance"] for p in data["positions"]}
    assert stances["Karl Brenner"] == "support"
    assert stances["Olga Marsh"] in ("oppose", "conditional")
    assert any("monitors" in o["title"].lower() for o in data["options"])
    assert any("attacked" in r["event"] for r in data["risks"])
    assert any("pay for the mission" in q["question"] for q in data["open_questions"])
    assert data["sources"][0]["authors"] == ["Ann Lee"]
    assert data["sources"][0]["title"] == "Ministers Weigh a Border Mission"


def test_html_source_is_copied_as_text_beside_the_brief(tmp_path: Path):
    (tmp_path / "a.html").write_text("<html><body><nav>Menu</nav><article><p>"
                                     + ARTICLE.replace("\n", "</p><p>") + "</p></article></body></html>",
                                     encoding="utf-8")
    out = draft_to_file([tmp_path / "a.html"], tmp_path / "out" / "brief.yaml")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["sources"][0]["path"] == "brief.sources/a.txt"
    assert check_file(out).ok(strict=True)


def test_unreadable_source_gives_one_clear_error_naming_the_file(tmp_path: Path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    result = CliRunner().invoke(main, ["draft", str(bad), "-o", str(tmp_path / "b.yaml")])
    assert result.exit_code == 1
    assert "broken.pdf" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["draft", str(tmp_path / "missing.txt")])
    assert result.exit_code == 1 and "missing.txt" in result.output


def test_help_text():
    result = CliRunner().invoke(main, ["draft", "--help"])
    assert result.exit_code == 0 and "--gazetteer" in result.output and "--jobs" in result.output


WORDS = ["the", "plan", "mission", "deploy", "troops", "said", "Ana Ruiz", "Ruritania", "Moscow", "“", "”", '"',
         "he", "stressed", "could", "threat", "unclear", "whether", "?", ".", ",", "only with", "without",
         "a UN mandate", "rejected", "support", "NATOthe", "missionssaid", "\n", "According to", "Kremlin"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(WORDS), min_size=3, max_size=80))
def test_every_quote_of_any_draft_is_verbatim_and_the_draft_validates(tmp_path: Path, words: list[str]):
    text = " ".join(words) + "."
    folder = tmp_path / str(abs(hash(text)))
    folder.mkdir(exist_ok=True)
    (folder / "a.txt").write_text(text, encoding="utf-8")
    out = draft_to_file([folder / "a.txt"], folder / "brief.yaml")
    report = check_file(out)
    assert not [p for p in report.problems if p.code == "quote-not-found"]
    assert report.ok(strict=True), [p.format() for p in report.problems]


def test_redrafting_a_folder_ignores_the_text_copies_of_earlier_drafts(tmp_path: Path):
    (tmp_path / "a.html").write_text("<p>" + ARTICLE.replace("\n", "</p><p>") + "</p>", encoding="utf-8")
    draft_to_file([tmp_path], tmp_path / "brief.yaml")
    draft_to_file([tmp_path], tmp_path / "brief.yaml")
    data = yaml.safe_load((tmp_path / "brief.yaml").read_text(encoding="utf-8"))
    assert [s["id"] for s in data["sources"]] == ["a"]


def test_name_variants_across_sources_become_one_actor(tmp_path: Path):
    (tmp_path / "one.txt").write_text("Chilean President Ana Ruiz said the plan to build the canal should go ahead.\n",
                                      encoding="utf-8")
    (tmp_path / "two.txt").write_text("President Ruiz said the plan to build the canal was urgent.\n"
                                      "Ruíz also stressed that the canal would be built.\n", encoding="utf-8")
    out = draft_to_file([tmp_path], tmp_path / "brief.yaml")
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    people = [a for a in data["actors"] if a["kind"] == "person"]
    assert [a["name"] for a in people] == ["Ana Ruiz"]
    assert people[0]["affiliation"] == "Chile"
    assert check_file(out).ok(strict=True)
