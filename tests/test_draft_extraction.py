"""Attribution, actors and stance on invented text (no names from the example articles)."""

from __future__ import annotations

import pytest

from briefgen.draft import nlp as language
from briefgen.draft.actors import fold, load_gazetteer
from briefgen.draft.attribution import Extract
from briefgen.draft.attribution import extract as extract_parsed
from briefgen.draft.stance import classify, combine
from briefgen.errors import InputError

GZ = load_gazetteer()


def extract(text: str, body_start: int, gz) -> Extract:
    """The extract of a text, segmented along its parse by the installed pipeline."""
    return extract_parsed(text, body_start, gz, language.parse_text(language.load(), text, body_start))


def speakers(text: str) -> list[tuple[str, str]]:
    ex = extract(text, 0, GZ)
    out = []
    for st in ex.statements:
        kind, key = st.speaker
        out.append((ex.people[key].name if kind == "person" else key, st.text))
    return out


def person(text: str, name: str):
    return extract(text, 0, GZ).people[fold(name)]


@pytest.mark.parametrize("text, who", [
    ("Marta Kallio said the border mission should go ahead.", "Marta Kallio"),
    ("The mission should go ahead, said Marta Kallio, a senior adviser.", "Marta Kallio"),
    ("According to Marta Kallio, the mission should go ahead.", "Marta Kallio"),
    ("Marta Kallio told reporters the mission should go ahead.", "Marta Kallio"),
    ("Marta Kallio stressed that the mission should go ahead.", "Marta Kallio"),
    ("“The mission should go ahead,” Marta Kallio said.", "Marta Kallio"),
    ("“The mission should go ahead,” also stressed Marta Kallio.", "Marta Kallio"),
    ("The mission should go aheadsaid Marta Kallio on Monday.", "Marta Kallio"),
])
def test_speech_verbs_in_every_order(text: str, who: str):
    assert [s for s, _ in speakers(text)] == [who]


def test_pronoun_and_role_follow_ons_resolve_to_the_right_person():
    text = ("Chilean ambassador Pedro Soto spoke first. Irene Dupont, an analyst at the Lisbon Centre, listened.\n"
            "“Only with a ceasefire can we accept,” the envoy said.\n"
            "Irene Dupont said the talks had stalled. “It is too early,” she added.\n")
    got = speakers(text)
    assert ("Pedro Soto", "“Only with a ceasefire can we accept,” the envoy said.") in got
    assert got[-1][0] == "Irene Dupont"


def test_pronoun_prefers_the_last_speaker_over_a_person_merely_mentioned():
    text = ("Ana Ruiz said talks would start soon. She will meet Paul Berg next week.\n"
            "“We are ready,” she said.")
    assert speakers(text)[-1][0] == "Ana Ruiz"


def test_capitals_metonyms_and_collective_demonyms_map_to_states():
    got = {s for s, _ in speakers("The Kremlin rejected the proposal. Washington said it would wait. "
                                  "Danish officials support the border mission. Kyiv welcomed the plan.")}
    assert got == {"Russia", "United States", "Denmark", "Ukraine"}


def test_demonym_as_adjective_is_not_a_speaker():
    assert speakers("Russian aggression continued, the report said.") == []


def test_roles_give_affiliation_and_institution():
    p = person("Finnish Foreign Minister Marta Kallio said no.", "Marta Kallio")
    assert (p.role, p.affiliation) == ("Finnish Foreign Minister", "Finland")
    q = person("Tomas Brandt, a senior adviser at the Baltic Policy Institute in Vilnius, said no.", "Tomas Brandt")
    assert q.affiliation == "Lithuania" and q.org_hint == "Baltic Policy Institute"
    r = person("Ana Ruiz, ambassador to the UN, said no.", "Ana Ruiz")
    assert r.affiliation is None  # the body one is sent to is not one's own


def test_described_voice_known_as():
    got = speakers("“It will fail,” said the Latvian officer and military blogger known as ‘Kestrel’.")
    assert got[0][0] == "Kestrel"
    assert person("“It will fail,” said the Latvian officer known as ‘Kestrel’.", "Kestrel").affiliation == "Latvia"


def test_name_variants_fold_together():
    assert fold("Zelenskyy") == fold("Zelensky") == fold("Zelenskiy")
    assert fold("Mélnik") == fold("Melnik")


def test_continued_quotation_keeps_its_speaker():
    text = "“We will go,” Ana Ruiz said.\n“And we will stay until the job is done.”\n"
    assert [s for s, _ in speakers(text)] == ["Ana Ruiz", "Ana Ruiz"]


@pytest.mark.parametrize("text, stance, condition", [
    ("We support the mission.", "support", None),
    ("They categorically rejected the plan.", "oppose", None),
    ("Deployment without a UN mandate would be unacceptable.", "conditional", "only with a UN mandate"),
    ("Allies are reluctant to deploy without US support.", "conditional", "only with US support"),
    ("We will take part only with a UN mandate.", "conditional", "only with a UN mandate"),
    ("We could contribute, but it is too early for commitments.", "mixed", None),
    ("It is unclear what happens next.", "unclear", None),
    # no stance words: the text does not show a position, which is not a declared neutrality
    ("The meeting took place in the afternoon.", "unclear", None),
])
def test_stance_labels_and_conditions(text, stance, condition):
    label, cond, _ = classify(text)
    assert label == stance
    if condition:
        assert cond == condition


def test_a_cue_belonging_to_someone_else_is_not_the_speakers_stance():
    assert classify("Ruritania would probably oppose the plan", ["Ana Ruiz"])[0] == "unclear"
    assert classify("Ruritania would probably oppose the plan", ["Ruritania"])[0] == "oppose"


def test_combining_statements():
    assert combine([("support", None), ("oppose", None)]) == ("mixed", None)
    assert combine([("support", None), ("conditional", "only with X")]) == ("conditional", "only with X")
    assert combine([("neutral", None), ("support", None)]) == ("support", None)


def test_user_gazetteer_extends_the_bundled_one(tmp_path):
    g = tmp_path / "g.yaml"
    g.write_text("states:\n  - {name: Ruritania, demonyms: [Ruritanian], capital: Strelsau}\n", encoding="utf-8")
    gz = load_gazetteer(g)
    assert gz.lookup("Strelsau") == ("Ruritania", "name") and gz.lookup("Kyiv")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yaml"):
        load_gazetteer(bad)
