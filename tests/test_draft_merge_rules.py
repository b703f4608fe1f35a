"""Both drafting engines decide alike when two names are one actor and two options one option: the same
sources drafted offline (spaCy) and with the model engine (a scripted server on 127.0.0.1, one request per
source) give the same actors and options merged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.draft.actors import entity_key, load_gazetteer, name_form_groups, name_parts, same_people
from briefgen.draft.llm_merge import fold, merge_proposals
from briefgen.draft.llm_proposal import read_proposal
from test_draft_llm import Script, Server, assert_grounded, cite, env, ok  # noqa: F401 - env is a fixture

TONY = """Blair Presses On With Identity Cards

Prime Minister Tony Blair said on Monday that the government would introduce ID cards for every adult.

"We support the plan to introduce ID cards because they will protect people against identity fraud," Tony Blair told reporters.
"""
MR_BLAIR = """Critics Question the Card Scheme

Mr Blair said the national identity card scheme would be in place by 2010.

"The identity card scheme is the right answer to a real problem," Mr Blair told MPs.
"""
SIR_IAN = """Police Chief Backs the Card Scheme

Sir Ian Blair, the Metropolitan Police Commissioner, said the identity card scheme would help the police.

"We support the identity card scheme because it will help us fight terrorism," Sir Ian Blair said.
"""
TORIES = """Tories Oppose Identity Cards

The Tories said on Monday that they would oppose the plan to introduce ID cards.

"We oppose ID cards because they will cost billions," the Tories said in a statement.
"""
CONSERVATIVES = """Conservatives Restate Their Opposition

The Conservative Party said the identity card scheme was a waste of money.

"The Conservative Party opposes the identity card scheme," the party said on Tuesday.
"""
CLARKE = """Ministers Back Identity Cards

Home Secretary Charles Clarke said on Monday that the government would introduce ID cards for every adult.

"We will introduce ID cards because they protect people against identity fraud," Charles Clarke told reporters.
"""
LIBERTY = """Liberty Attacks the Card Plan

Shami Chakrabarti, the director of Liberty, said compulsory ID cards would change the relationship between citizen and state.

"We oppose compulsory ID cards, which would cost billions," Shami Chakrabarti said on Tuesday.
"""

# long enough that two sources do not fit in one request of the smallest budget
FILLER = "\n" + " ".join(["The papers were read late into the evening in the rooms of the building."] * 8) + "\n"


def actor(ident: str, name: str, kind: str, quote: str, source: str, stance: str,
          aliases: list[str] | None = None) -> dict[str, Any]:
    """One request's answer: an actor named as its source names it, with a position citing its words."""
    return {"actors": [{"id": ident, "name": name, "kind": kind, "aliases": aliases or [],
                        "citations": [cite(source, quote)]}],
            "positions": [{"actor": ident, "about": "identity cards", "stance": stance,
                           "summary": f"{name} on identity cards.", "citations": [cite(source, quote)]}]}


def draft_both(tmp_path: Path, env: Path, texts: dict[str, str], answers: list[dict[str, Any]]
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The offline draft and the model-engine draft (one request per source) of the same folder."""
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text + FILLER, encoding="utf-8")
    offline = tmp_path / "offline.yaml"
    result = CliRunner().invoke(main, ["draft", str(folder), "-o", str(offline), "--one-brief", "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    env.write_text(env.read_text(encoding="utf-8") + "context_tokens = 1024\nmax_tokens = 256\n", encoding="utf-8")
    script = Script([ok(a) for a in answers])
    llm = tmp_path / "llm.yaml"
    with Server(script) as server:
        result = CliRunner().invoke(main, ["draft", str(folder), "-o", str(llm), "--engine", "llm",
                                           "--llm-url", server.url])
    assert result.exit_code == 0, result.output
    assert len(script.requests) == len(texts)  # one request per source: the merge joins separate answers
    return yaml.safe_load(offline.read_text(encoding="utf-8")), assert_grounded(llm)


def which(draft: dict[str, Any], name: str) -> int:
    """The index of the draft's actor that bears this name (as its name or an alias, titles aside)."""
    gz = load_gazetteer()
    want = {" ".join(name_parts(name)), entity_key(name, gz)}
    hits = [i for i, a in enumerate(draft["actors"])
            if want & {k for n in [a["name"], *a.get("aliases", [])] for k in (" ".join(name_parts(n)),
                                                                               entity_key(n, gz))}]
    assert len(hits) == 1, (name, draft["actors"])
    return hits[0]


def same_in_both(offline: dict[str, Any], llm: dict[str, Any], a: str, b: str) -> bool:
    """Whether a and b are one actor, asserting both engines say the same."""
    merged_offline = which(offline, a) == which(offline, b)
    merged_llm = which(llm, a) == which(llm, b)
    assert merged_offline == merged_llm, (a, b, offline["actors"], llm["actors"])
    return merged_llm


def test_a_title_and_surname_is_the_one_full_name_in_both_engines(tmp_path, env):
    offline, llm = draft_both(tmp_path, env, {"a": TONY, "b": MR_BLAIR}, [
        actor("tb", "Tony Blair", "person", "Prime Minister Tony Blair said on Monday", "a", "support"),
        actor("mb", "Mr Blair", "person", "Mr Blair said the national identity card scheme would be in place",
              "b", "support")])
    assert same_in_both(offline, llm, "Tony Blair", "Mr Blair")
    assert len(llm["actors"]) == len(offline["actors"]) == 1


def test_two_people_who_share_a_surname_stay_two_in_both_engines(tmp_path, env):
    # the model gives each the bare surname as an alias: a shared alias must not make them one person
    offline, llm = draft_both(tmp_path, env, {"a": TONY, "b": SIR_IAN}, [
        actor("tb", "Tony Blair", "person", "Prime Minister Tony Blair said on Monday", "a", "support",
              aliases=["Blair"]),
        actor("ib", "Sir Ian Blair", "person", "Sir Ian Blair, the Metropolitan Police Commissioner, said", "b",
              "support", aliases=["Blair"])])
    assert not same_in_both(offline, llm, "Tony Blair", "Sir Ian Blair")
    assert len(llm["actors"]) == len(offline["actors"]) == 2


def test_party_short_forms_are_one_party_in_both_engines(tmp_path, env):
    offline, llm = draft_both(tmp_path, env, {"a": TORIES, "b": CONSERVATIVES}, [
        actor("tories", "Tories", "party", "The Tories said on Monday that they would oppose the plan", "a",
              "oppose"),
        actor("cp", "Conservative Party", "party", "The Conservative Party opposes the identity card scheme", "b",
              "oppose")])
    assert same_in_both(offline, llm, "Tories", "Conservative Party")
    assert len(llm["actors"]) == len(offline["actors"]) == 1


def test_an_option_named_in_two_sources_is_one_option_in_both_engines(tmp_path, env):
    first = actor("cc", "Charles Clarke", "person", "Home Secretary Charles Clarke said on Monday", "a", "support")
    first["options"] = [{"id": "cards", "title": "Introduce ID cards", "description": "Cards for every adult.",
                         "citations": [cite("a", "the government would introduce ID cards for every adult")]}]
    first["positions"][0]["about"] = "cards"
    second = actor("sc", "Shami Chakrabarti", "person", "We oppose compulsory ID cards, which would cost billions",
                   "b", "oppose")
    second["options"] = [{"id": "compulsory", "title": "Compulsory ID cards", "description": "Cards for all.",
                          "citations": [cite("b", "said compulsory ID cards would change the relationship")]}]
    second["positions"][0]["about"] = "compulsory"
    offline, llm = draft_both(tmp_path, env, {"a": CLARKE, "b": LIBERTY}, [first, second])
    card_options = [o for o in offline["options"] if "card" in o["title"].lower()]
    assert len(card_options) == 1 and {c["source"] for c in card_options[0]["citations"]} == {"a", "b"}
    assert [o["title"] for o in llm["options"]] == ["Introduce ID cards"]
    assert {c["source"] for c in llm["options"][0]["citations"]} == {"a", "b"}
    assert {p["about"] for p in llm["positions"]} == {llm["options"][0]["id"]}


# --------------------------------------------------------------------------- the shared rules themselves


@pytest.mark.parametrize("names, groups", [
    (["Tony Blair", "Mr Blair"], [[0, 1]]),
    (["Tony Blair", "Sir Ian Blair", "Mr Blair"], [[0], [1], [2]]),  # 'Mr Blair' could be either
    (["Jack Straw", "Straw", "Mr Straw", "Jack Straw MP"], [[0, 1, 2, 3]]),
    (["George W. Bush", "George Bush"], [[0, 1]]),  # same surname and first initial
    (["Olga Marsh", "Karl Brenner"], [[0], [1]]),
])
def test_person_name_forms_group_alike_in_both_engines(names, groups):
    proposal = {"actors": [{"id": f"a{i}", "name": n, "kind": "person"} for i, n in enumerate(names)]}
    # the model engine: one actor per answer, merged
    merged = merge_proposals([read_proposal({"actors": [a]})[0] for a in proposal["actors"]])
    forms = [{fold(n) for n in [a.name, *a.aliases]} for a in merged.actors]
    got: dict[int, list[int]] = {}
    for i, n in enumerate(names):
        got.setdefault(next(j for j, f in enumerate(forms) if fold(n) in f), []).append(i)
    assert sorted(got.values()) == groups
    # the offline rules on the same names: each name a person record, then name forms
    keys = [" ".join(name_parts(n)) for n in names]
    resolved = same_people(list(zip(keys, names)))
    final = {k: k for k in resolved}
    for group in name_form_groups({k: (names[keys.index(k)], 1) for k in dict.fromkeys(resolved)}):
        final.update({k: group[0] for k in group})
    offline: dict[str, list[int]] = {}
    for i, k in enumerate(resolved):
        offline.setdefault(final[k], []).append(i)
    assert sorted(offline.values()) == groups


def test_gazetteer_forms_fold_to_one_entry():
    gz = load_gazetteer()
    assert entity_key("Tories", gz) == entity_key("Conservative Party", gz) == entity_key("the Tories", gz)
    assert entity_key("Labour", gz) != entity_key("Conservatives", gz)
    assert entity_key("Friends of the Earth", gz) == entity_key("friends of the  earth", gz)


def test_options_of_one_answer_stay_apart():
    # the model told them apart in one answer; across answers the same head noun joins them
    one = {"options": [{"id": "a", "title": "Impose sanctions", "description": "x"},
                       {"id": "b", "title": "Targeted sanctions", "description": "y"}]}
    assert len(merge_proposals([read_proposal(one)[0]]).options) == 2
    other = {"options": [{"id": "c", "title": "Tougher sanctions", "description": "z"}]}
    merged = merge_proposals([read_proposal(one)[0], read_proposal(other)[0]])
    assert [o.title for o in merged.options] == ["Impose sanctions", "Targeted sanctions"]
