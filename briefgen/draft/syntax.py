"""What the parse adds to one source: entity types, negated words, bodies that speak, roles and affiliations.

Everything here reads spaCy Docs and returns plain data, so analysed sources cross process boundaries cheaply.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from briefgen.draft.actors import Gazetteer, fold
from briefgen.draft.attribution import Extract, Statement
from briefgen.draft.segment import Unit

# verbs whose subject states a view or acts on one (lemmas)
VIEW_LEMMAS = {
    "say", "tell", "state", "warn", "argue", "insist", "claim", "announce", "add", "admit", "accept", "urge",
    "call", "demand", "propose", "suggest", "threaten", "vote", "back", "support", "oppose", "reject", "refuse",
    "welcome", "criticise", "criticize", "condemn", "attack", "pledge", "vow", "promise", "plan", "want",
    "insist", "agree", "disagree", "believe", "fear", "favour", "favor", "endorse", "resist", "dismiss",
    "object", "deny", "defend", "describe", "brand", "accuse", "push", "press", "campaign", "strike",
    "boycott", "challenge", "question", "doubt", "hope", "expect", "predict", "recommend", "ask", "seek",
}
REFUSAL = {"refuse", "decline", "fail", "reject", "oppose", "resist"}
# bodies named by a common noun that act in public life everywhere (not a topic's vocabulary)
INSTITUTIONS = {"government": "Government", "ministers": "Government", "cabinet": "Government",
                "police": "Police", "unions": "Unions", "parliament": "Parliament", "opposition": "Opposition"}
INSTITUTION_KIND = {"Government": "state", "Parliament": "government body"}
ORG_LABELS = {"ORG", "NORP", "GPE"}


@dataclass
class Reading:
    """What the parse says about one source."""

    labels: dict[str, Counter] = field(default_factory=dict)  # folded entity text -> entity labels
    kinds: dict[str, str] = field(default_factory=dict)  # entity speaker name -> actor kind
    roles: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # folded person name -> (role, affiliation)
    terms: Counter = field(default_factory=Counter)  # content lemmas and entity names: what the source is about


def _strip_the(text: str) -> str:
    t = text.strip()
    for art in ("the ", "The "):
        if t.startswith(art):
            t = t[len(art):]
    for poss in ("'s", "’s"):
        if t.endswith(poss):
            t = t[: -len(poss)]
    return t.strip()


def is_negated(tok: Any) -> bool:
    """True when a word is negated ("would not back") or governed by a refusal ("refused to back")."""
    seen = 0
    t = tok
    while t is not None and seen < 4:
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if t is not tok and t.lemma_ in REFUSAL:
            return True
        if t.dep_ in ("xcomp", "conj") and t.head is not t:
            t = t.head
            seen += 1
            continue
        break
    return False


def read(ex: Extract, text: str, docs: list[tuple[int, Any]], gz: Gazetteer) -> Reading:
    """Enrich one source's extract from its parsed pieces ((offset, Doc) pairs), and say what the parse found."""
    r = Reading()
    toks: list[tuple[int, Any]] = []  # (absolute offset, token)
    for off, doc in docs:
        for ent in doc.ents:
            key = fold(_strip_the(ent.text))
            if key:
                r.labels.setdefault(key, Counter())[ent.label_] += 1
                if ent.label_ not in ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"):
                    r.terms["=" + key] += 1
        toks += [(off + t.idx, t) for t in doc]
        r.terms.update(t.lemma_.lower() for t in doc
                       if t.pos_ in ("NOUN", "PROPN") and t.is_alpha and not t.is_stop and len(t.text) > 2)
    by_unit: list[list[tuple[int, Any]]] = [[] for _ in ex.units]
    ui = 0
    units = ex.units
    for at, t in toks:  # tokens and units are both in text order
        while ui < len(units) and units[ui].end <= at:
            ui += 1
        if ui < len(units) and units[ui].start <= at:
            by_unit[ui].append((at - units[ui].start, t))
    for u, ut in zip(units, by_unit):
        u.negated = frozenset(rel for rel, t in ut if is_negated(t))
        _roles(u, ut, gz, r)
        _bodies(ex, u, ut, gz, r)
    return r


def _span_text(u: Unit, ut: list[tuple[int, Any]], first: Any, last: Any) -> str:
    pos = {t.i: rel for rel, t in ut}
    if first.i not in pos or last.i not in pos:
        return ""
    return u.text[pos[first.i]:pos[last.i] + len(last.text)]


def _affiliation(role: str, gz: Gazetteer, ents: list[Any]) -> str | None:
    """The party, state or body a role names, else 'government' for an office of the government of the day."""
    low = role.lower()
    for s, e, name, how in gz.find(role):
        before = low[:s]
        if before.rstrip().endswith(("to", "to the")):
            continue  # "ambassador to the UN": not one's own
        return name
    office = any(f" {o} " in f" {low} " for o in gz.offices)
    if office and "shadow" not in low and "former" not in low:
        return "government"
    for ent in ents:
        if ent.label_ == "ORG" and not (office and ent.text in role and len(ent.text.split()) == 1):
            return _strip_the(ent.text)
    return None


def _roles(u: Unit, ut: list[tuple[int, Any]], gz: Gazetteer, r: Reading) -> None:
    """Roles from titles before a name and appositions after it ("Tory leader Michael Howard", "X, head of Y,")."""
    if not ut:
        return
    doc = ut[0][1].doc
    lo, hi = ut[0][1].i, ut[-1][1].i
    for ent in doc.ents:
        if ent.label_ != "PERSON" or not (lo <= ent.start <= hi):
            continue
        head = ent.root
        # the title: the words before the name inside its noun phrase ("shadow home secretary", "Japan's ...")
        left = [t for t in head.lefts if t.i < ent.start and t.dep_ in ("compound", "amod", "poss", "nmod")]
        role, ents = "", []
        if left:
            first = min((t.left_edge for t in left), key=lambda t: t.i)
            if ent.start - 1 >= first.i and first.i >= lo:
                role = _span_text(u, ut, first, doc[ent.start - 1])
                ents = [e for e in doc.ents if first.i <= e.start and e.end <= ent.start]
        if not role:
            ap = [t for t in head.rights if t.dep_ == "appos"]
            if ap and ap[0].right_edge.i <= hi:
                role = _span_text(u, ut, ap[0].left_edge, ap[0].right_edge)
                ents = [e for e in doc.ents if ap[0].left_edge.i <= e.start and e.end <= ap[0].right_edge.i + 1]
            else:  # "Mike Hobday of the League Against Cruel Sports"
                pp = [t for t in head.rights if t.dep_ == "prep" and t.lower_ == "of"]
                if pp and pp[0].right_edge.i <= hi:
                    objs = [e for e in doc.ents if pp[0].i < e.start <= pp[0].right_edge.i and e.label_ == "ORG"]
                    if objs:
                        role = _span_text(u, ut, pp[0], pp[0].right_edge)
                        ents = objs
        role = role.strip(" ,")
        if not role or len(role) > 120:
            continue
        aff = _affiliation(role, gz, ents)
        key = fold(_strip_the(ent.text))
        old = r.roles.get(key)
        if old is None or (old[1] is None and aff):
            r.roles[key] = (role, aff)


def _bodies(ex: Extract, u: Unit, ut: list[tuple[int, Any]], gz: Gazetteer, r: Reading) -> None:
    """Organisations, parties, states and institutions that are the subject of a view verb become speakers."""
    have = {s.speaker for s in ex.statements if s.unit is u}
    pos = {t.i: rel for rel, t in ut}
    surnames = {fold(p.name).split()[-1] for p in ex.people.values() if fold(p.name)}
    for rel, t in ut:
        if t.dep_ not in ("nsubj", "nsubjpass") or t.head.lemma_ not in VIEW_LEMMAS:
            continue
        if u.quoted and any(a <= rel < b for a, b in u.quoted):
            continue  # a subject inside a quotation is the speaker's, not the article's
        name, kind = None, None
        if t.ent_type_ in ORG_LABELS:
            ent = next((e for e in t.doc.ents if e.start <= t.i < e.end), None)
            if ent is None:
                continue
            surface = _strip_the(ent.text)
            if fold(surface) in surnames:
                continue  # "Clarke said": a person named before, whatever the entity type says
            hit = gz.lookup(surface)
            if hit:
                name = hit[0]
                kind = gz.kind(name)
            elif ent.label_ == "ORG":
                name, kind = surface, "organisation"
            else:
                continue  # a demonym or place not known as a state
        elif t.lower_ in INSTITUTIONS and t.tag_ in ("NN", "NNS"):
            mod = [c for c in t.lefts if c.dep_ in ("compound", "amod") and c.ent_type_ in ORG_LABELS]
            if mod:  # "Labour ministers", "Tory MPs": the party
                hit = gz.lookup(mod[0].text)
                if hit:
                    name, kind = hit[0], gz.kind(hit[0])
            if name is None:
                name = INSTITUTIONS[t.lower_]
                kind = INSTITUTION_KIND.get(name, "organisation")
        if not name or gz.is_media(name):
            continue
        speaker = ("entity", name)
        if speaker in have:
            continue
        have.add(speaker)
        r.kinds[name] = kind or "organisation"
        verb_at = pos.get(t.head.i, -1)
        ex.statements.append(Statement(speaker, u, 0, len(u.text), t.head.text.lower(),
                                       f"subject of '{t.head.lemma_}' (parse)", 0.6, verb_at))
