"""Chicago notes and bibliography entries: full form first, short form after, punctuation in place."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.compose.citations import (
    NoteMaker,
    bibliography_entry,
    bibliography_key,
    format_date,
    full_note,
    invert_name,
    short_note,
    short_title,
    surname,
)
from briefgen.brief.models import Citation, Source
from briefgen.outline import Emph, Link, plain_text

GULIYEVA = Source(
    id="caliber", title="Ukraine Pushes for Foreign Troops in Peacekeeping Role",
    authors=["Vafa Guliyeva"], outlet="Caliber.Az", published=dt.date(2025, 2, 13),
    url="https://caliber.az/en/post/x", path="a.txt",
)
WIRE = Source(id="newsbg", title="Europe discusses troops for Ukraine", outlet="News.bg",
              derived_from="Reuters", published=dt.date(2025, 2, 11), path="b.txt")
UNTITLED = Source(id="mfa", title="[Statement of the Ministry of Foreign Affairs]", path="c.txt",
                  accessed=dt.date(2025, 2, 19))


def text(inlines) -> str:
    return plain_text(inlines)


def test_full_note_for_a_signed_news_article_follows_chicago():
    assert text(full_note(GULIYEVA)) == (
        "Vafa Guliyeva, “Ukraine Pushes for Foreign Troops in Peacekeeping Role,” Caliber.Az, "
        "February 13, 2025, https://caliber.az/en/post/x."
    )


def test_outlet_is_italic_and_url_is_a_hyperlink():
    nodes = full_note(GULIYEVA)
    assert any(isinstance(n, Emph) and text(n.children) == "Caliber.Az" for n in nodes)
    links = [n for n in nodes if isinstance(n, Link)]
    assert [link.url for link in links] == ["https://caliber.az/en/post/x"]


def test_short_note_is_surname_and_at_most_four_significant_words():
    assert text(short_note(GULIYEVA)) == "Guliyeva, “Ukraine Pushes for Foreign Troops.”"


def test_unsigned_note_starts_with_the_title_and_names_the_wire():
    assert text(full_note(WIRE)) == "“Europe discusses troops for Ukraine,” News.bg (Reuters report), February 11, 2025."
    assert text(short_note(WIRE)) == "“Europe discusses troops for Ukraine.”"


def test_bracketed_title_has_no_quotation_marks_and_undated_source_shows_nd_and_access_date():
    assert text(full_note(UNTITLED)) == (
        "[Statement of the Ministry of Foreign Affairs], n.d., accessed February 19, 2025."
    )
    assert text(short_note(UNTITLED)) == "[Statement of the Ministry of Foreign Affairs]."


def test_title_ending_in_question_mark_takes_no_extra_comma_or_period():
    src = Source(id="q", title="Will Europe Send Troops?", outlet="Example", published=dt.date(2025, 1, 2), path="q")
    assert text(full_note(src)) == "“Will Europe Send Troops?” Example, January 2, 2025."
    assert text(short_note(src)) == "“Will Europe Send Troops?”"


def test_note_maker_gives_full_form_first_then_short_and_separates_sources_with_semicolons():
    maker = NoteMaker([GULIYEVA, WIRE])
    first = text(maker.paragraph([Citation(source="caliber", quote="We discuss foreign troops")]))
    second = text(maker.paragraph([Citation(source="caliber", quote="a dozen countries"),
                                   Citation(source="newsbg", quote="up to 30,000 troops", locator="para. 3")]))
    assert first.startswith("Vafa Guliyeva, “Ukraine Pushes")
    assert first.endswith(": “We discuss foreign troops.”")
    assert second == (
        "Guliyeva, “Ukraine Pushes for Foreign Troops”: “a dozen countries”; "
        "“Europe discusses troops for Ukraine,” News.bg (Reuters report), February 11, 2025, para. 3: "
        "“up to 30,000 troops.”"
    )


def test_always_full_style_repeats_the_full_note():
    maker = NoteMaker([GULIYEVA], style="always-full")
    one = text(maker.paragraph([Citation(source="caliber", quote="x")]))
    two = text(maker.paragraph([Citation(source="caliber", quote="x")]))
    assert one == two and one.startswith("Vafa Guliyeva, “Ukraine Pushes for Foreign Troops in Peacekeeping Role,”")


def test_quotes_can_be_left_out_of_notes():
    maker = NoteMaker([GULIYEVA], quotes=False)
    out = text(maker.paragraph([Citation(source="caliber", quote="secret words")]))
    assert "secret words" not in out and out.endswith("https://caliber.az/en/post/x.")


def test_without_quotes_a_source_cited_twice_in_one_note_is_named_once():
    maker = NoteMaker([GULIYEVA], quotes=False)
    out = text(maker.paragraph([Citation(source="caliber", quote="one"), Citation(source="caliber", quote="two")]))
    assert out.count("Guliyeva") == 1 and ";" not in out
    with_quotes = text(NoteMaker([GULIYEVA]).paragraph([Citation(source="caliber", quote="one"),
                                                         Citation(source="caliber", quote="two")]))
    assert with_quotes.count("Guliyeva") == 2


def test_quote_already_ending_a_sentence_gets_no_second_period():
    maker = NoteMaker([GULIYEVA])
    out = text(maker.paragraph([Citation(source="caliber", quote="They agreed.")]))
    assert out.endswith("“They agreed.”")


def test_bibliography_entry_inverts_the_first_author_and_sorts_by_surname_or_title():
    assert text(bibliography_entry(GULIYEVA)) == (
        "Guliyeva, Vafa. “Ukraine Pushes for Foreign Troops in Peacekeeping Role.” Caliber.Az, "
        "February 13, 2025. https://caliber.az/en/post/x."
    )
    assert text(bibliography_entry(UNTITLED)) == (
        "[Statement of the Ministry of Foreign Affairs]. n.d. Accessed February 19, 2025."
    )
    keys = sorted([GULIYEVA, WIRE, UNTITLED], key=bibliography_key)
    assert [s.id for s in keys] == ["newsbg", "caliber", "mfa"]


def test_several_authors_in_notes_and_bibliography():
    two = Source(id="t", title="A Title", authors=["Ann Lee", "Bo Park"], path="t", published=dt.date(2024, 5, 1))
    four = two.model_copy(update={"authors": ["Ann Lee", "Bo Park", "Cy Ho", "Di Ma"]})
    assert text(full_note(two)).startswith("Ann Lee and Bo Park, “A Title,”")
    assert text(short_note(four)) == "Lee et al., “Title.”"
    assert text(bibliography_entry(two)).startswith("Lee, Ann, and Bo Park. “A Title.”")


def test_names_with_particles_and_suffixes():
    assert surname("Ursula von der Leyen") == "von der Leyen"
    assert surname("Martin Luther King Jr.") == "King"
    assert invert_name("Ursula von der Leyen") == "von der Leyen, Ursula"


def test_dates_do_not_depend_on_the_locale():
    assert format_date(dt.date(2025, 12, 1)) == "December 1, 2025"


MINOR = {"a", "an", "the", "of", "for", "and", "or", "nor", "but", "to", "in", "on", "at", "by", "with",
         "from", "as", "vs", "vs.", "into", "over", "per", "via"}


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=120))
def test_short_title_never_has_more_than_four_significant_words(title):
    if not title.strip():
        return
    short = short_title(title)
    words = [w for w in short.strip("[]").split() if w.lower() not in MINOR]
    assert len(words) <= 4


def _untitled(sid: str, description: str, **kw) -> Source:
    return Source(id=sid, title=f"[Untitled article: {description}]", path=f"{sid}.txt", **kw)


def test_untitled_sources_are_described_from_their_metadata_without_brackets():
    src = _untitled("a", "foreign troops idea gains ground in Ukraine", outlet="News.bg",
                    published=dt.date(2024, 12, 14), url="https://news.bg/x")
    assert text(full_note(src)) == ("Untitled article: foreign troops idea gains ground in Ukraine, News.bg, "
                                    "December 14, 2024, https://news.bg/x.")
    assert text(short_note(src)) == "News.bg, Foreign troops idea gains."
    assert "[" not in text(bibliography_entry(src))


def test_no_two_sources_share_a_short_form_in_a_brief():
    sources = [
        _untitled("a", "foreign troops idea gains ground in Ukraine", published=dt.date(2024, 12, 14)),
        _untitled("b", "Zelenskyy proposes foreign troops in Ukraine until NATO membership"),
        _untitled("c", "European countries discuss deploying troops to Ukraine", outlet="News.bg"),
        _untitled("d", "European countries discuss deploying troops to Ukraine", outlet="News.bg"),
        Source(id="e", title="Ukraine Pushes for Foreign Troops in Peacekeeping Role", path="e"),
        Source(id="f", title="Ukraine Pushes for Foreign Troops in Peacekeeping Role, Part Two", path="f"),
    ]
    maker = NoteMaker(sources, quotes=False)
    for s in sources:  # first notes are the full form
        maker.paragraph([Citation(source=s.id, quote="q")])
    shorts = [text(maker.paragraph([Citation(source=s.id, quote="q")])) for s in sources]
    assert len(set(shorts)) == len(shorts), shorts
    assert not any(s.startswith("[Untitled") for s in shorts)
    # a short form is cut between words, never inside one
    for s, short in zip(sources, shorts):
        known = f"{s.title} {s.outlet or ''} {s.id} December 14 2024".lower().split()
        for word in short.rstrip(".").replace(",", " ").split():
            assert word.strip("“”[].").lower() in [k.strip("[]:,") for k in known], (word, s.title)


def test_a_title_made_from_the_file_name_is_never_printed_as_a_title():
    src = Source(id="z", title="Zelenskyy merz troops until nato", title_from_file_name=True,
                 path="sources/zelenskyy-merz-troops-until-nato.txt")
    for note in (full_note(src), short_note(src), bibliography_entry(src)):
        assert "Zelenskyy merz troops" not in text(note)
        assert "zelenskyy-merz-troops-until-nato.txt" in text(note)


def test_nested_quotations_alternate_double_and_single_marks():
    maker = NoteMaker([GULIYEVA])
    note = text(maker.paragraph([Citation(source="caliber", quote="Ukraine is ready to talk about “anything that works”.")]))
    assert "“Ukraine is ready to talk about ‘anything that works’.”" in note
    note = text(maker.paragraph([Citation(source="caliber", quote='He said "no" to the allies’ plan')]))
    assert "“He said ‘no’ to the allies’ plan.”" in note
