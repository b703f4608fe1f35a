"""Quote matching: verbatim, forgiving only whitespace, quote-mark and dash variants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
import pytest
from hypothesis import strategies as st

from briefgen.brief.grounding import _CHAR_MAP, SourceText, normalize

TEXT = "He said:  “We cannot\n  give up” — never.  The end's near."


def test_exact_quote_is_found_with_offsets():
    m = SourceText(TEXT).find("We cannot give up")
    assert m is not None
    assert TEXT[m.start : m.end] == "We cannot\n  give up"


def test_curly_vs_straight_quotes_and_dashes_are_forgiven():
    m = SourceText(TEXT).find('"We cannot give up" - never.')
    assert m is not None
    assert TEXT[m.start : m.end] == "“We cannot\n  give up” — never."


def test_apostrophe_variants_are_forgiven():
    assert SourceText(TEXT).find("The end’s near.") is not None


def test_changed_letter_is_not_forgiven():
    assert SourceText(TEXT).find("We cannot give in") is None


def test_case_is_not_forgiven():
    assert SourceText(TEXT).find("we cannot give up") is None


def test_missing_comma_is_not_forgiven():
    src = SourceText("on land, in the sky and at sea")
    assert src.find("on land in the sky and at sea") is None


def test_nearest_passage_points_at_the_changed_quote():
    near = SourceText(TEXT).nearest("We cannot give in")
    assert "cannot" in near.text and "give" in near.text
    assert 0.8 < near.score < 1.0


def test_nearest_on_unrelated_text_scores_low():
    near = SourceText("Completely different words about fishing quotas.").nearest("zzzz qqqq xxxx")
    assert near.score < 0.3


# Text with the characters that normalisation touches, mixed with ordinary letters.
_alphabet = st.sampled_from(list("abcXYZ ,.\n\t\u00a0\u2018\u2019\u201c\u201d'\"-\u2013\u2014\u2212Жж"))


@given(st.text(alphabet=_alphabet, min_size=1, max_size=200), st.data())
@settings(max_examples=300, deadline=None)
def test_any_substring_of_the_source_is_found_and_maps_back(text, data):
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i + 1, len(text)))
    quote = text[i:j]
    if not normalize(quote).strip():
        return
    m = SourceText(text).find(quote)
    assert m is not None
    # The span found reads the same as the quote once normalised (and is a real slice of the text).
    assert normalize(text[m.start : m.end]).strip() == normalize(quote).strip()


@given(st.text(max_size=300), st.text(min_size=1, max_size=80))
@settings(max_examples=200, deadline=None)
def test_find_and_nearest_never_crash_on_any_unicode(text, quote):
    src = SourceText(text)
    m = src.find(quote)
    if m is not None:
        assert 0 <= m.start <= m.end <= len(text)
    near = src.nearest(quote)
    assert 0.0 <= near.score <= 1.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\t\u00a0'\"-") + [chr(c) for c in _CHAR_MAP]) | st.characters(),
               max_size=40))
def test_folding_touches_exactly_the_forgiven_characters(text):
    from briefgen.brief.grounding import _fold

    assert _fold(text) == text.translate(_CHAR_MAP)


def _long_source(words: int, seed: int = 5) -> str:
    import random

    vocab = ("the a of and minister said troops would could alliance ceasefire border talks force mission "
             "guarantee security Europe Kyiv Moscow Brussels Washington deploy plan peace observers").split()
    rng = random.Random(seed)
    return " ".join(rng.choice(vocab) for _ in range(words))


@pytest.mark.parametrize("where", [0.0, 0.37, 1.0])
def test_in_a_long_source_the_nearest_passage_is_still_the_changed_quote(where):
    planted = "Officials in Reykjavik quietly proposed a maritime monitoring arrangement for the Baltic corridor"
    before = _long_source(int(200_000 * where))
    text = f"{before} {planted}. {_long_source(200_000 - len(before.split()), seed=6)}"
    src = SourceText(text)
    assert len(src._word_starts()) * len(planted) > 300_000  # the long-source path, not every window
    near = src.nearest(planted.replace("quietly proposed", "openly suggested"))
    assert "Reykjavik" in near.text and "Baltic" in near.text
    assert 0.75 < near.score < 1.0
    exact = src.nearest(planted)
    assert exact.score == 1.0 and text[exact.start:exact.end].startswith("Officials in Reykjavik")
