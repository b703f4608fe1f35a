"""A small brief that uses every section, for the compose, writer and build tests."""

from __future__ import annotations

from pathlib import Path

SOURCES = {
    "caliber.txt": (
        "Ukraine pushes for foreign troops in peacekeeping role\n"
        "“We discuss foreign troops' presence on land, in the sky and at sea,” Zelenskyy said.\n"
        "There is reluctance among some countries, including the UK, to deploy troops without US support.\n"
        "Russia has stated that any foreign troop deployment without a UN mandate would be unacceptable.\n"
    ),
    "newsbg.txt": (
        "Europe discusses troops for Ukraine\n"
        "European officials are discussing a force of up to 30,000 troops, Reuters reported.\n"
        "Moscow rejected the idea of NATO-country troops in Ukraine.\n"
    ),
    "kyiv.txt": (
        "Заява Міністерства закордонних справ України\n"
        "«Ми не можемо відмовитися від членства в НАТО», — заявив міністр.\n"
        "The ministry said Ukraine needs “real guarantees” & not <promises>.\n"
    ),
    "durden.txt": (
        "Russia would accept peacekeepers, says analyst\n"
        "Russia could accept peacekeepers from neutral countries under a UN mandate, the analyst said.\n"
    ),
}

BRIEF = """\
meta:
  title: Security guarantees for Ukraine — «гарантії безпеки»
  question: Will European troops be deployed to Ukraine after a ceasefire?
  date: 2025-02-20
  cutoff: 2025-02-18
  authors: [Ann Analyst, Bob Writer]
  organisation: Policy Unit
  audience: Ministers
  marking: {tlp: amber, banner: UNCLASSIFIED}
  language: en
  keywords: [Ukraine, peacekeeping]
key_judgments:
  - id: kj1
    text: European states are preparing a reassurance force
    likelihood: likely
    confidence: moderate
    citations:
      - {source: newsbg, quote: "a force of up to 30,000 troops"}
      - {source: caliber, quote: "We discuss foreign troops' presence on land"}
  - id: kj2
    text: Russia will reject a force without a UN mandate.
    likelihood: very likely
    confidence: low
    citations:
      - {source: caliber, quote: "any foreign troop deployment without a UN mandate would be unacceptable"}
background:
  - text: Allies met in Brussels to discuss a force.
    citations:
      - {source: caliber, quote: "Ukraine pushes for foreign troops"}
actors:
  - {id: ukraine, name: Ukraine, kind: state}
  - {id: uk, name: United Kingdom, kind: state}
  - {id: russia, name: Russia, kind: state}
  - {id: analyst, name: Dan Durden, kind: person, role: analyst}
options:
  - id: force
    title: European reassurance force
    description: Deploy European troops after a ceasefire.
    pros:
      - text: Deters renewed attack.
        citations: [{source: caliber, quote: "in the sky and at sea"}]
    cons:
      - text: Moscow rejects it.
        citations: [{source: newsbg, quote: "Moscow rejected the idea"}]
      - No US backing yet.
    feasibility: Depends on US support.
  - id: nato
    title: NATO membership
    description: Invite Ukraine to join NATO.
    citations: [{source: kyiv, quote: "Ми не можемо відмовитися від членства в НАТО"}]
positions:
  - actor: ukraine
    about: force
    stance: support
    summary: Kyiv wants foreign troops on land, in the air and at sea.
    citations: [{source: caliber, quote: "We discuss foreign troops' presence"}]
  - actor: uk
    about: force
    stance: conditional
    condition: the US provides a backstop
    summary: London hesitates to deploy without US support.
    citations: [{source: caliber, quote: "including the UK, to deploy troops without US support"}]
  - actor: russia
    about: force
    stance: oppose
    summary: Moscow rejects troops from NATO countries.
    citations: [{source: newsbg, quote: "Moscow rejected the idea of NATO-country troops"}]
  - actor: ukraine
    about: nato
    stance: support
    summary: Kyiv will not give up NATO membership.
    citations: [{source: kyiv, quote: "«Ми не можемо відмовитися від членства в НАТО»"}]
  - actor: analyst
    about: UN-mandated peacekeepers
    stance: mixed
    summary: Russia might accept neutral peacekeepers.
    citations: [{source: durden, quote: "Russia could accept peacekeepers from neutral countries"}]
risks:
  - id: r1
    title: Escalation
    cause: A force deploys without a mandate
    event: Russia targets it
    consequence: direct NATO–Russia clash
    likelihood: unlikely
    impact: 5
    mitigation:
      - text: Seek a UN mandate.
        citations: [{source: durden, quote: "under a UN mandate"}]
    indicators:
      - Russian strikes near deployment areas.
    citations: [{source: caliber, quote: "without a UN mandate"}]
  - id: r2
    title: Hollow guarantee
    description: The force is too small to deter.
    likelihood: roughly even chance
    impact: 4
    citations: [{source: kyiv, quote: "real guarantees"}]
open_questions:
  - id: q1
    question: Will the US provide a backstop?
    why: The UK makes it a condition.
    resolution: A US statement.
    citations: [{source: caliber, quote: "without US support"}]
sources:
  - id: caliber
    title: Ukraine pushes for foreign troops in peacekeeping role as NATO membership remains blocked
    authors: [Vafa Guliyeva]
    outlet: Caliber.Az
    published: 2025-02-13
    url: https://caliber.az/en/post/ukraine-pushes-for-foreign-troops
    path: caliber.txt
  - id: newsbg
    title: Europe discusses troops for Ukraine
    outlet: News.bg
    derived_from: Reuters
    kind: wire
    published: 2025-02-11
    url: https://news.bg/int-politics/europe-troops.html
    path: newsbg.txt
  - id: kyiv
    title: "[Statement of the Ministry of Foreign Affairs of Ukraine]"
    kind: official statement
    language: uk
    accessed: 2025-02-19
    path: kyiv.txt
  - id: durden
    title: Russia would accept peacekeepers, says analyst
    authors: [Dan Durden]
    outlet: Example Times
    published: 2025-02-11
    path: durden.txt
"""

# citation points in BRIEF: kj1, kj2, background, force pro, force con, nato option, 5 positions,
# r1, r1 mitigation, r2, q1
CITATION_POINTS = 15


def make_rich_brief(folder: Path) -> Path:
    """Write the rich brief and its sources into ``folder``; return the brief path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SOURCES.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = folder / "brief.yaml"
    path.write_text(BRIEF, encoding="utf-8")
    return path


from briefgen.compose.layout import Layout  # noqa: E402

# every section drawn in full, each item once (the default policy brief draws a shorter body)
FULL = Layout(sections=(("title", ""), ("key_judgments", "Key judgments"), ("background", "Background"),
                        ("positions", "Positions of the actors"), ("options", "Policy options"),
                        ("recommendations", "Recommendations"), ("risks", "Risks"),
                        ("open_questions", "Open questions and intelligence gaps"), ("source_summary", "Sources"),
                        ("estimative_key", "What we mean when we say"), ("bibliography", "Bibliography")),
              variants={}, limits={}, max_note_chars=0)
