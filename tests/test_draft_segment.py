"""Segmentation of messy article text: the parse's sentences, quotations, glued words; every span verbatim."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.draft import nlp as language
from briefgen.draft.segment import Unit, quoted_spans, segment, tokens


def units_of(text: str) -> list[Unit]:
    """The statement units of a text, segmented along its parse by the installed pipeline."""
    return segment(text, 0, language.parse_text(language.load(), text))


def test_sentences_split_but_not_after_abbreviations_or_initials():
    text = "Amb. Jane Roe spoke on Monday. Mr. J. Smith replied. The U.S. said no."
    units = units_of(text)
    assert [u.text for u in units] == ["Amb. Jane Roe spoke on Monday.", "Mr. J. Smith replied.",
                                       "The U.S. said no."]


def test_no_cut_inside_a_word_nor_after_a_title_and_a_lone_closing_mark_stays_with_its_sentence():
    text = ("The meeting excluded the United States, Caliber.Az reports per foreign media. On Monday the envoy "
            "spoke. Amb. Vassily Nebenzia said such a plan would need approval.")
    assert [u.text for u in units_of(text)] == [
        "The meeting excluded the United States, Caliber.Az reports per foreign media.",
        "On Monday the envoy spoke.", "Amb. Vassily Nebenzia said such a plan would need approval."]
    text = 'He said: "It is working until people drop. "In this century, it is unacceptable."\nNext one here.'
    units = units_of(text)
    assert [u.text for u in units][-1] == "Next one here."
    assert all(any(ch.isalnum() for ch in u.text) for u in units)
    assert units[-2].text.endswith('unacceptable."')


def test_a_quotation_over_several_sentences_stays_one_unit():
    text = "“We will stay. We will not leave. Never,” the minister said. Next sentence here."
    units = units_of(text)
    assert units[0].text == "“We will stay. We will not leave. Never,” the minister said."
    assert units[1].text == "Next sentence here."


def test_quoted_text_is_masked_and_attribution_left_visible():
    text = "“We cannot give up joining the pact, it is the only guarantee“he stressed."
    u = units_of(text)[0]
    assert "he stressed" in u.mask and "cannot" not in u.mask
    assert len(u.mask) == len(u.text)


def test_mistyped_and_missing_closing_quotes_are_tolerated():
    spans = quoted_spans("“Ready to talk about “anything that works”declared the deputy minister")
    assert spans and spans[0][0] == 1
    text = "“Ready to talk about “anything that works”declared the deputy minister"
    assert "declared the deputy minister" not in text[spans[0][0]:spans[0][1]]


def test_glued_words_are_split_for_matching_only():
    words = [t.text for t in tokens("join NATOthe rest, peace missionssaid the envoy")]
    assert words == ["join", "NATO", "the", "rest", "peace", "missions", "said", "the", "envoy"]
    assert [t.text for t in tokens("an unsaid understated word")] == ["an", "unsaid", "understated", "word"]


def test_units_keep_offsets_into_the_source():
    text = "Title line\n\nFirst sentence here. Second one follows.\nThird in a new paragraph."
    for u in units_of(text):
        assert text[u.start:u.end] == u.text
    assert [u.para for u in units_of(text)] == [0, 1, 1, 2]


messy = st.lists(st.sampled_from(list("abcXYZ .,!?;:“”\"‘’'\n-—()") + ["Mr.", "U.S.", " said ", "NATOthe"]),
                 max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(messy)
def test_segmentation_never_crashes_and_every_unit_is_a_verbatim_substring(text: str):
    for u in units_of(text):
        assert text[u.start:u.end] == u.text
        assert u.text.strip() == u.text and u.text
        assert len(u.mask) == len(u.text)
        for a, b in u.quoted:
            assert 0 <= a <= b <= len(u.text)
