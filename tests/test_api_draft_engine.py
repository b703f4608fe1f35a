"""`briefgen.draft(..., engine="llm")`: the library call drafts with a model server as the command line does
(a real chat-completions server on 127.0.0.1 replaying scripted answers), with the same settings."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import briefgen
from briefgen.cli import main
from briefgen.draft.llm import DraftIncomplete
from briefgen.errors import BriefgenWarning, InputError
from test_draft_llm import (Script, Server, cite, env, good_answer, ok, small_budget,  # noqa: F401 - fixtures
                            sources, split_answers)

# what verification dropped is issued as a warning; the first test reads them, the others need not show them
pytestmark = pytest.mark.filterwarnings("ignore::briefgen.errors.BriefgenWarning")


def grounded(brief) -> None:
    """The brief passes its strict check, and every quote is verbatim in the file its source names."""
    report = briefgen.check(brief)
    assert report.ok(strict=True), [p.format() for p in report.problems]
    paths = {s.id: Path(s.path) for s in brief.sources}
    for _, c in brief.iter_citations():
        assert c.quote in paths[c.source].read_text(encoding="utf-8")


def test_the_llm_engine_from_the_library_gives_a_checked_brief_and_warns_what_it_dropped(sources, env, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.chdir(tmp_path)
    answer = good_answer()
    answer["options"][0]["citations"].append(cite("funding", "An invented sentence about the monitors here."))
    script = Script([ok(answer)])
    with Server(script) as server, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        brief = briefgen.draft([sources], engine="llm", llm_url=server.url, llm_model="api-model",
                               llm_cache=tmp_path / "answers")
    assert script.requests[0]["model"] == "api-model"  # the argument wins over [llm] model in the config
    grounded(brief)
    assert [a.name for a in brief.actors] == ["Karl Brenner", "Olga Marsh"]
    assert {s.path for s in brief.sources} == {"sources/border.txt", "sources/funding.txt"}
    dropped = [str(w.message) for w in caught if issubclass(w.category, BriefgenWarning)]
    assert any(m.startswith("dropped: ") and "An invented sentence" in m for m in dropped)
    assert any(m.startswith("note: ") and "funding" in m for m in dropped)  # the injection text is flagged
    assert "invented" not in yaml.safe_dump(brief.model_dump(mode="json"))
    assert list((tmp_path / "answers").rglob("*.json"))  # stored where the caller said


def test_the_library_reuses_the_cache_and_no_cache_asks_again(sources, env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    script = Script([ok(good_answer()), ok(good_answer())])
    with Server(script) as server:
        first = briefgen.draft([sources], engine="llm", llm_url=server.url, llm_cache=tmp_path / "c")
        again = briefgen.draft([sources], engine="llm", llm_url=server.url, llm_cache=tmp_path / "c")
        assert len(script.requests) == 1
        fresh = briefgen.draft([sources], engine="llm", llm_url=server.url, llm_cache=tmp_path / "c",
                               no_cache=True)
        assert len(script.requests) == 2
    assert first.model_dump() == again.model_dump() == fresh.model_dump()


def test_the_key_comes_from_the_variable_the_caller_names(sources, env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("API_LLM_KEY", raising=False)
    with pytest.raises(InputError, match="API_LLM_KEY .*is not set"):
        briefgen.draft([sources], engine="llm", llm_url="http://127.0.0.1:9/v1", llm_key_env="API_LLM_KEY")
    with pytest.raises(InputError, match="never the key itself") as info:
        briefgen.draft([sources], engine="llm", llm_url="http://127.0.0.1:9/v1", llm_key_env="sk-live 42")
    assert "sk-live" not in str(info.value)
    monkeypatch.setenv("API_LLM_KEY", "sk-api-secret")
    script = Script([ok(good_answer())])
    with Server(script) as server:
        brief = briefgen.draft([sources], engine="llm", llm_url=server.url, llm_key_env="API_LLM_KEY",
                               llm_cache=tmp_path / "c")
    assert script.headers[0]["authorization"] == "Bearer sk-api-secret"
    assert "sk-api" not in yaml.safe_dump(brief.model_dump(mode="json"))


def test_a_failed_request_raises_with_the_partial_brief(sources, env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small_budget(env)
    first, _ = split_answers()
    script = Script([ok(first), {"status": 500, "body": {"error": "down"}}, {"status": 500, "body": {}},
                     {"status": 500, "body": {}}])
    with Server(script) as server, pytest.raises(DraftIncomplete) as info:
        briefgen.draft([sources], engine="llm", llm_url=server.url, llm_cache=tmp_path / "c")
    assert "request 2 of 2" in str(info.value) and "partial" in str(info.value)
    partial = info.value.partial
    assert partial is not None and [a.name for a in partial.actors] == ["Karl Brenner", "Olga Marsh"]
    grounded(partial)
    assert info.value.result.requests == 2 and info.value.result.answered == 1


def test_nothing_verified_raises_without_a_brief(sources, env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invented = {"actors": [{"id": "x", "name": "Karl Brenner", "kind": "person",
                            "citations": [cite("border", "Brenner said the dam must be bombed at once.")]}],
                "positions": [{"actor": "x", "about": "the dam", "stance": "support", "summary": "Bomb it.",
                               "citations": [cite("border", "Brenner said the dam must be bombed at once.")]}]}
    with Server(Script([ok(invented)])) as server, pytest.raises(DraftIncomplete, match="no proposed item") as info:
        briefgen.draft([sources], engine="llm", llm_url=server.url, llm_cache=tmp_path / "c")
    assert info.value.partial is None


def test_the_engine_and_its_settings_are_checked(sources, tmp_path):
    with pytest.raises(InputError, match="engine must be 'offline' or 'llm'"):
        briefgen.draft([sources], engine="gpt")
    with pytest.raises(InputError, match="llm_url, no_cache need engine='llm'"):
        briefgen.draft([sources], llm_url="http://127.0.0.1:9/v1", no_cache=True)


def test_a_user_gazetteer_joins_names_in_the_model_engine_merge(sources, env, tmp_path):
    small_budget(env)
    first, second = split_answers()
    first["actors"].append({"id": "nc", "name": "Nordic Council", "kind": "international organisation",
                            "citations": [cite("border", "Norwegian Foreign Minister Karl Brenner said on Monday")]})
    first["positions"].append({"actor": "nc", "about": "monitors", "stance": "support", "summary": "Backs it.",
                               "citations": [cite("border", "Norwegian Foreign Minister Karl Brenner said")]})
    second["actors"].append({"id": "nrd", "name": "Norden", "kind": "international organisation",
                             "citations": [cite("funding", "Karl Brenner repeated that Norway would contribute")]})
    second["positions"].append({"actor": "nrd", "about": "mission", "stance": "support", "summary": "Backs it.",
                                "citations": [cite("funding", "Karl Brenner repeated that Norway would contribute")]})
    extra = tmp_path / "gazetteer.yaml"
    extra.write_text("organisations:\n  - {name: Nordic Council, aliases: [Norden], kind: international "
                     "organisation}\n", encoding="utf-8")
    names = {}
    for label, args in (("without", []), ("with", ["--gazetteer", str(extra)])):
        out = tmp_path / f"{label}.yaml"
        with Server(Script([ok(first), ok(second)])) as server:
            result = CliRunner().invoke(main, ["draft", str(sources), "-o", str(out), "--engine", "llm",
                                               "--llm-url", server.url, "--no-cache", *args])
        assert result.exit_code == 0, result.output
        names[label] = [a["name"] for a in yaml.safe_load(out.read_text(encoding="utf-8"))["actors"]]
    assert names["without"] == ["Karl Brenner", "Olga Marsh", "Nordic Council", "Norden"]
    assert names["with"] == ["Karl Brenner", "Olga Marsh", "Nordic Council"]
