"""`briefgen validate`: schema, references and grounding, each problem with file, line and item."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.brief.check import check_file
from briefgen.cli import main
from conftest import EXAMPLE_BRIEF, EXAMPLE_DIR, MINIMAL_BRIEF

runner = CliRunner()


def run(*args: str):
    return runner.invoke(main, list(args))


def edit(brief_dir: Path, old: str, new: str) -> Path:
    path = brief_dir / "brief.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def assert_clean_failure(result, *fragments: str) -> str:
    output = result.output
    assert result.exit_code != 0
    assert "Traceback" not in output and result.exception is None or isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in output, (fragment, output)
    return output


def test_minimal_brief_validates(brief_dir):
    result = run("validate", str(brief_dir / "brief.yaml"), "--strict")
    assert result.exit_code == 0, result.output
    assert "OK (2 citations grounded, 0 warnings)" in result.output


def test_quote_missing_from_source_is_reported_with_line_and_closest_passage(brief_dir):
    path = edit(brief_dir, "only truly reliable guarantee", "only truly reliable guarantees")
    result = run("validate", str(path))
    out = assert_clean_failure(result, "quote not found in source 'article'", "closest passage",
                               "only truly reliable guarantee")
    line = MINIMAL_BRIEF.splitlines().index(
        '      - {source: article, quote: "it is the only truly reliable guarantee"}') + 1
    assert re.search(rf"brief\.yaml:{line}:\d+: positions\[0\] \(minister\): error: quote not found", out), out
    assert re.search(r"similarity 0\.9\d", out)


def test_unknown_source_id(brief_dir):
    path = edit(brief_dir, "{source: article, quote: \"a small", "{source: artcle, quote: \"a small")
    out = assert_clean_failure(run("validate", str(path)), "unknown source 'artcle'", "did you mean 'article'")
    assert re.search(r"brief\.yaml:\d+:\d+: options\[0\] \(force\): error:", out)


def test_duplicate_id(brief_dir):
    path = edit(brief_dir, "  - id: force\n", "  - id: force\n    title: Twin\n    description: d\n"
                "    citations: [{source: article, quote: \"Officials met\"}]\n  - id: force\n")
    assert_clean_failure(run("validate", str(path)), "duplicate id 'force'")


def test_bad_enum_value_names_field_and_allowed_values(brief_dir):
    path = edit(brief_dir, "stance: oppose", "stance: hostile")
    out = assert_clean_failure(run("validate", str(path)), "`stance`", "'hostile' is not one of")
    assert "'support'" in out


def test_malformed_yaml_names_line_and_column(brief_dir):
    path = edit(brief_dir, "  question: Will the force be deployed?", "  question: [unclosed")
    out = assert_clean_failure(run("validate", str(path)), "is not valid YAML")
    assert re.search(r"brief\.yaml:\d+:\d+: error:", out)


def test_missing_source_file(brief_dir):
    (brief_dir / "article.txt").unlink()
    assert_clean_failure(run("validate", str(brief_dir / "brief.yaml")), "source file not found", "article.txt")


def test_non_utf8_source(brief_dir):
    (brief_dir / "article.txt").write_bytes("Caf\u00e9 au lait".encode("latin-1"))
    assert_clean_failure(run("validate", str(brief_dir / "brief.yaml")), "not UTF-8", "article.txt")


def test_non_utf8_brief(brief_dir):
    (brief_dir / "brief.yaml").write_bytes(MINIMAL_BRIEF.replace("A test", "Caf\u00e9").encode("latin-1"))
    assert_clean_failure(run("validate", str(brief_dir / "brief.yaml")), "brief.yaml:2:", "not UTF-8")


def test_empty_brief_file(tmp_path):
    (tmp_path / "brief.yaml").write_text("\n  \n", encoding="utf-8")
    assert_clean_failure(run("validate", str(tmp_path / "brief.yaml")), "brief.yaml:1:1: error: is empty")


def test_empty_source_file(brief_dir):
    (brief_dir / "article.txt").write_text("  \n", encoding="utf-8")
    assert_clean_failure(run("validate", str(brief_dir / "brief.yaml")), "source file is empty")


def test_missing_brief_file(tmp_path):
    assert_clean_failure(run("validate", str(tmp_path / "nope.yaml")), "nope.yaml:1:1: error: no such file")


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", str(tmp_path / "bomb.yaml"))  # refused at the first alias, never expanded
    assert_clean_failure(result, "bomb.yaml:2:", "aliases are not allowed")


def test_duplicate_yaml_key_is_refused(brief_dir):
    path = edit(brief_dir, "  title: A test brief\n", "  title: A test brief\n  title: Again\n")
    assert_clean_failure(run("validate", str(path)), "has the key 'title' twice")


def test_unknown_field_is_rejected(brief_dir):
    path = edit(brief_dir, "    kind: person\n", "    kind: person\n    nickname: Min\n")
    assert_clean_failure(run("validate", str(path)), "unknown field `nickname`", "actors[0] (minister)")


def test_all_problems_are_reported_in_one_run(brief_dir):
    edit(brief_dir, "stance: oppose", "stance: hostile")
    edit(brief_dir, "{source: article, quote: \"a small", "{source: nowhere, quote: \"a small")
    path = edit(brief_dir, "kind: person", "kind: alien")
    report = check_file(path)
    messages = " | ".join(p.message for p in report.errors)
    assert "'hostile'" in messages and "unknown source 'nowhere'" in messages and "'alien'" in messages


def test_conditional_stance_needs_condition(brief_dir):
    path = edit(brief_dir, "stance: oppose", "stance: conditional")
    assert_clean_failure(run("validate", str(path)), "a conditional stance needs a `condition`")


def test_source_sha256_mismatch_is_an_error(brief_dir):
    path = edit(brief_dir, "    path: article.txt\n", "    path: article.txt\n    sha256: " + "ab" * 32 + "\n")
    assert_clean_failure(run("validate", str(path)), "has changed since its sha256 was recorded")


def test_warnings_fail_only_under_strict(brief_dir):
    path = edit(brief_dir, "sources:\n", "sources:\n  - id: unused\n    title: Unused\n    path: article.txt\n")
    assert run("validate", str(path)).exit_code == 0
    assert_clean_failure(run("validate", str(path), "--strict"), "source 'unused' is never cited",
                         "warnings count as errors with --strict")


def test_single_source_key_judgment_is_a_warning(brief_dir):
    path = edit(brief_dir, "actors:\n", "key_judgments:\n  - id: kj1\n    text: The force is unlikely.\n"
                "    confidence: low\n    citations: [{source: article, quote: \"Officials met\"}]\nactors:\n")
    report = check_file(path)
    assert [p.code for p in report.warnings] == ["single-source"]


def test_json_format_for_machines(brief_dir):
    path = edit(brief_dir, "stance: oppose", "stance: hostile")
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output[: result.output.rindex("}") + 1])
    assert data["ok"] is False and data["errors"] == 1
    assert data["problems"][0]["item"] == "positions[0] (minister)"
    assert data["problems"][0]["line"] > 1


def test_json_brief_file_is_accepted(brief_dir):
    data = yaml.safe_load(MINIMAL_BRIEF)
    data["meta"]["date"] = "2025-02-15"
    (brief_dir / "brief.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    assert run("validate", str(brief_dir / "brief.json"), "--strict").exit_code == 0


def test_invalid_json_names_line(brief_dir):
    (brief_dir / "brief.json").write_text('{\n  "meta": {,\n}', encoding="utf-8")
    assert_clean_failure(run("validate", str(brief_dir / "brief.json")), "brief.json:2:", "not valid JSON")


def test_likelihood_alternative_words_are_accepted(brief_dir):
    path = edit(brief_dir, "actors:\n", "risks:\n  - id: r1\n    title: Ignored force\n    event: The force is ignored.\n"
                "    likelihood: Highly Probable\n    impact: 4\n"
                "    citations: [{source: article, quote: \"a small force could be ignored\"}]\nactors:\n")
    report = check_file(path)
    assert report.ok(), [p.format() for p in report.problems]
    assert report.brief.risks[0].likelihood.value == "very likely"
    assert report.brief.risks[0].score == 20


def test_validate_runs_as_a_module_without_traceback(brief_dir):
    edit(brief_dir, "stance: oppose", "stance: hostile")
    proc = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(brief_dir / "brief.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "'hostile'" in proc.stderr


# ----------------------------------------------------------------------------- the example input

example = pytest.mark.skipif(not EXAMPLE_BRIEF.exists(), reason="example brief not written yet")


@example
def test_example_brief_validates_strictly():
    result = run("validate", str(EXAMPLE_BRIEF), "--strict")
    assert result.exit_code == 0, result.output


@example
def test_example_brief_meets_its_content_targets():
    brief = check_file(EXAMPLE_BRIEF).brief
    assert 3 <= len(brief.key_judgments) <= 5
    assert len(brief.actors) >= 10 and len(brief.positions) >= 10
    assert len(brief.options) >= 4 and all(o.pros and o.cons for o in brief.options)
    assert len(brief.risks) >= 5 and len(brief.open_questions) >= 4
    affiliations = " ".join(f"{a.affiliation} {a.name}" for a in brief.actors)
    for country in ("Ukraine", "France", "United Kingdom", "Russia", "United States", "Italy", "Poland",
                    "Germany"):
        assert country in affiliations, country
    assert any(a.kind.value == "international organisation" or "EU" in (a.affiliation or "")
               or "European Union" in (a.affiliation or "") for a in brief.actors)


@example
def test_example_sources_are_the_seed_texts_unchanged():
    seeds = EXAMPLE_DIR.parent.parent.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("../shared/seeds is not beside the checkout")
    brief = check_file(EXAMPLE_BRIEF).brief
    ours = sorted((EXAMPLE_DIR / s.path).read_bytes() for s in brief.sources)
    assert ours == sorted(p.read_bytes() for p in seeds.glob("*.txt"))


def _example_quotes() -> list[str]:
    if not EXAMPLE_BRIEF.exists():
        return []
    brief = check_file(EXAMPLE_BRIEF).brief
    return sorted({c.quote for _, c in brief.iter_citations()}) if brief else []


@example
@pytest.mark.parametrize("quote", _example_quotes())
def test_changing_one_letter_of_any_example_quote_fails_with_line_and_closest_passage(tmp_path, quote):
    work = tmp_path / "ex"
    shutil.copytree(EXAMPLE_DIR, work)
    text = (work / "brief.yaml").read_text(encoding="utf-8")
    # change one letter inside the quote as written in the file (the file may fold long lines)
    idx = next(i for i, ch in enumerate(quote) if ch.isalpha())
    changed = quote[:idx] + ("x" if quote[idx] != "x" else "y") + quote[idx + 1:]
    head = quote[: max(idx + 12, 20)]
    prefix = next((p for p in ('quote: "', "quote: '", "quote: ") if p + head in text), None)
    assert prefix is not None, "each example quote is written as `quote: ...` on one line"
    text = text.replace(prefix + head, prefix + changed[: len(head)], 1)
    (work / "brief.yaml").write_text(text, encoding="utf-8")
    result = run("validate", str(work / "brief.yaml"))
    assert result.exit_code == 1
    assert re.search(r"brief\.yaml:\d+:\d+: .*error: quote not found in source .*closest passage \(line \d+",
                     result.output), result.output
