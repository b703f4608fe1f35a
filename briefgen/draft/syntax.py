"""What the parse adds to one source: entity types, negated words, bodies that speak, roles and affiliations.

Everything here reads spaCy Docs and returns plain data, so analysed sources cross process boundaries cheaply.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from briefgen.draft.actors import Gazetteer, fold
from briefgen.draft.attribution import Extract, Person, Statement
from briefgen.draft.segment import Unit
from briefgen.draft.stance import HALT

# verbs whose subject states a view or acts on one (lemmas)
VIEW_LEMMAS = {
    "say", "tell", "state", "warn", "argue", "insist", "claim", "announce", "add", "admit", "accept", "urge",
    "call", "demand", "propose", "suggest", "threaten", "vote", "back", "support", "oppose", "reject", "refuse",
    "welcome", "criticise", "criticize", "condemn", "attack", "pledge", "vow", "promise", "plan", "want",
    "insist", "agree", "disagree", "believe", "fear", "favour", "favor", "endorse", "resist", "dismiss",
    "object", "deny", "defend", "describe", "brand", "accuse", "push", "press", "campaign", "strike",
    "boycott", "challenge", "question", "doubt", "hope", "expect", "predict", "recommend", "ask", "seek",
    "quote", "accept", "refuse", "repeal", "scrap", "ballot", "vote", "threaten", "condemn", "decide", "worry",
}
REFUSAL = {"refuse", "decline", "fail", "reject", "oppose", "resist"}
# bodies named by a common noun that act in public life everywhere (not a topic's vocabulary)
INSTITUTIONS = {"government": "Government", "ministers": "Government", "cabinet": "Government",
                "police": "Police", "unions": "Unions", "parliament": "Parliament", "opposition": "Opposition"}
INSTITUTION_KIND = {"Government": "state", "Parliament": "government body"}
ORG_LABELS = {"ORG", "NORP", "GPE"}
# nouns of a view held somewhere ("scepticism in France")
ATTITUDES = {"scepticism", "skepticism", "opposition", "support", "resistance", "concern", "doubt", "anger",
             "hostility", "unease", "reluctance", "disquiet", "alarm", "enthusiasm", "reservation", "backing"}
SPOKES = {"spokesman", "spokeswoman", "spokesperson", "representative"}
# nouns heading a body's name when a name or place qualifies them ("the UN refugees agency", "the home affairs committee")
BODY_HEADS = {"agency", "committee", "commission", "council", "union", "association", "federation", "authority",
              "watchdog", "regulator", "inquiry", "tribunal", "court", "board", "institute", "confederation",
              "group", "campaign", "alliance", "lobby", "coalition", "forum", "society", "trust", "foundation"}
POSTNOMINAL = {"qc", "kc", "mp", "mep", "msp", "am", "obe", "mbe", "cbe", "kbe"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "baroness", "baron", "professor"}


@dataclass
class Reading:
    """What the parse says about one source."""

    labels: dict[str, Counter] = field(default_factory=dict)  # folded entity text -> entity labels
    kinds: dict[str, str] = field(default_factory=dict)  # entity speaker name -> actor kind
    roles: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # folded person name -> (role, affiliation)
    terms: Counter = field(default_factory=Counter)  # content lemmas and entity names: what the source is about
    short: dict[str, str] = field(default_factory=dict)  # folded initials ("acpo") -> the body's name in this source
    options: list = field(default_factory=list)  # grouping.Phrase: what someone wants, proposes, backs or opposes
    risks: list = field(default_factory=list)  # grouping.Item, titled cause → consequence
    questions: list = field(default_factory=list)  # grouping.Item, titled as a question
    rhetorical: set = field(default_factory=set)  # (unit index, offset just after its '?') of a rhetorical question


def _strip_the(text: str) -> str:
    t = text.strip()
    for art in ("the ", "The "):
        if t.startswith(art):
            t = t[len(art):]
    for poss in ("'s", "’s"):
        if t.endswith(poss):
            t = t[: -len(poss)]
    return t.strip()


_AGENT = ("ers", "ors", "er", "or")


def is_negated(tok: Any) -> bool:
    """True when a word is negated ("would not back") or governed by a refusal ("refused to back")."""
    seen = 0
    t = tok
    while t is not None and seen < 4:
        if any(c.dep_ == "neg" for c in t.children):
            return True
        if t.lemma_ == "want" and any(c.lower_ == "longer" and any(g.dep_ == "neg" for g in c.children)
                                      for c in t.children):
            # "no longer wants to own it": a wish given up (the negation sits on the adverb of time)
            return True
        if t.i != tok.i and t.lemma_ in REFUSAL:
            return True
        if t.dep_ in ("xcomp", "conj") and t.head.i != t.i:
            t = t.head
            seen += 1
            continue
        break
    return False


# prepositions whose object is a view met or faced, not held ("defended it against criticism", "despite protests")
_FACED = {"against", "despite", "amid", "amidst", "notwithstanding"}


def _others_view(t: Any) -> bool:
    """A stance-looking word that states no view of the speaker's: a view faced, or 'suggest' reporting a clause."""
    if t.pos_ == "NOUN" and t.dep_ == "pobj" and t.head.lower_ in _FACED:
        return True
    if t.lower_ in ("open", "ready", "willing") and t.pos_ == "ADJ":
        # "the law was open to different interpretations": a thing that is open to something holds no view
        v, hops = t, 0
        while hops < 4 and v.dep_ in ("acomp", "conj", "xcomp") and v.head.i != v.i and \
                not any(c.dep_ == "nsubj" for c in v.children):
            v, hops = v.head, hops + 1
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is not None and subj.pos_ == "NOUN" and not subj.ent_type_ and subj.tag_ == "NN":
            return True
    if t.lemma_ == "benefit" and t.pos_ == "NOUN" and any(c.dep_ in ("compound", "amod") for c in t.children):
        return True  # "retirement benefits": a payment, not a good thing said of a plan
    if t.lower_ == "back" and t.pos_ in ("ADV", "ADP", "PART"):
        return True  # "we will come back and hunt": a particle of motion, not the verb of support
    if t.tag_ == "MD" and t.dep_ == "aux" and any(c.i < t.i and (c.tag_ == "WRB" or
                                                    c.dep_ == "mark" and c.lower_ in ("whether", "if"))
                                                   for c in t.head.children):
        # "no instructions on how they should deal with hunters": an 'ought' inside a question asks, it backs nothing
        # ("what should be the case" is a free relative, not a question: 'what' is left out)
        return True
    if _in_question(t):
        return True
    if t.lemma_ == "want" and not any(c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "AUX") and
                                      c.lemma_ not in _NOT_A_COURSE and not _conveys(c) for c in t.children):
        # wanting backs a course of action only when what is wanted is one ("wants to impose a curfew", "want
        # the government to withdraw it"); wanting a thing ("want more money") or to learn something backs nothing
        return True
    # "documents suggested he branded it…": with a clause after it, 'suggest' reports and backs nothing
    return t.pos_ == "VERB" and t.lemma_ == "suggest" and any(c.dep_ == "ccomp" for c in t.children)


def _conveys(v: Any) -> bool:
    """True when a verb's object carries a content clause: it conveys a claim ("leave you with the impression that …",
    "send the message that …"), it does not act on anything."""
    objs = [c for c in v.children if c.dep_ == "dobj"] + \
        [g for c in v.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
    return any(k.dep_ in ("acl", "ccomp") and any(m.dep_ == "mark" and m.lower_ == "that" for m in k.children)
               for o in objs for k in o.children)


# what a wish can be for without backing a course of action: to learn or perceive ("wanted to know whether …"), to
# speak ("I don't want to speculate"), or to go on as now ("we want to continue providing the service")
_NOT_A_COURSE = {"know", "see", "hear", "learn", "find", "understand", "ask", "say", "tell", "comment", "speculate",
                 "continue", "remain", "stay"}
# dependencies that start a clause of their own: the climb to a word's clause stops at them
_CLAUSE_DEPS = {"ccomp", "advcl", "relcl", "ROOT", "csubj", "parataxis", "acl"}


def _in_question(t: Any) -> bool:
    """True when a word lies in an embedded yes/no question ("declined to say whether he backed the plans")."""
    v, hops = t, 0
    while hops < 6 and v.dep_ not in _CLAUSE_DEPS and v.head.i != v.i:
        v, hops = v.head, hops + 1
    # 'whether' always asks; 'if' asks only in a complement clause ("asked if he would back it"), not in a
    # condition ("if he backs it, we will too")
    return v.dep_ == "ccomp" and any(c.dep_ == "mark" and (c.lower_ == "whether" or c.lower_ == "if")
                                     for c in v.children)


def _view_subjects(ut: list[tuple[int, Any]], quoted: list[tuple[int, int]] = ()) -> dict[int, tuple[str, bool]]:
    """Verbs with a subject of their own, named or plural: whose view they state.

    'The five unions which met Mr Prescott want…': 'want' is the unions' view, whoever the sentence is filed under.
    """
    out = {}
    pos = {t.i: rel for rel, t in ut}
    for rel, t in ut:
        if t.pos_ != "VERB":
            continue  # the subject of an evaluation ("the limits were a shambles") is its target, not its holder
        v = t
        # "was planning to cut", "is right to reject": the subject of the verb the word completes
        while v.dep_ in ("xcomp", "acomp", "conj", "attr") and v.head.i != v.i and v.head.i in pos and \
                not any(c.dep_ in ("nsubj", "nsubjpass") for c in v.children):
            v = v.head
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is not None and t.lemma_ == "want" and subj.lower_ in ("he", "she", "they") and \
                any(a <= rel < b for a, b in quoted):
            # in quoted words the speaker is 'I' or 'we': "what they want to impose" is someone else's wish
            out[rel] = (subj.text, True)
            continue
        if subj is None or subj.pos_ == "PRON" or subj.i not in pos or subj.tag_ in ("WP", "WDT"):
            continue
        # a verb of wanting always names the holder of the wish in its subject, whatever noun it is ("the government
        # wants to move on", said by someone else)
        named = subj.pos_ == "PROPN" or bool(subj.ent_type_) or subj.tag_ == "NNS" or \
            subj.pos_ == "NOUN" and t.lemma_ == "want"
        # the subject's own words and its conjuncts ("Italy and Germany"), not a clause about it ("which met X")
        skip = {x.i for c in subj.subtree if c.dep_ in ("relcl", "acl", "prep", "appos") and c.i != subj.i
                for x in c.subtree}
        out[rel] = (" ".join(x.text for x in subj.subtree if x.i not in skip), named)
    return out


def read(ex: Extract, text: str, docs: list[tuple[int, Any]], gz: Gazetteer, sid: str = "") -> Reading:
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
        for name in _capital_runs(doc):
            words = [w for w in name.split() if w.lower() not in ("of", "and", "for")]
            # "Acpo" for the Association of Chief Police Officers, "PCS" for the … Services Union
            for part in (words, words[:-1] if len(words) >= 4 else []):
                if len(part) >= 3:
                    r.short.setdefault("".join(w[0] for w in part).lower(), name)
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
        # "the fight against terrorism": 'against' inside a noun phrase is no opposition of the speaker's
        # "hunt supporters", "protesters": a noun naming people who hold a view states none for the speaker
        u.inert = frozenset(rel for rel, t in ut if t.lower_ == "against" and t.head.pos_ in ("NOUN", "PROPN")
                            or t.pos_ == "NOUN" and t.tag_ in ("NN", "NNS") and t.lower_.endswith(_AGENT)
                            or _others_view(t))
        # finite verbs and participles only: a gerund ("banning hunting") is a fine object
        u.verbs = frozenset(rel for rel, t in ut if t.tag_ in ("VBD", "VBZ", "VBP", "VBN", "MD"))
        u.nouns = frozenset(rel for rel, t in ut if t.pos_ in ("NOUN", "PROPN") or t.tag_ == "VBG")
        u.people = frozenset(rel for rel, t in ut if t.ent_type_ == "PERSON")
        u.bodies = frozenset(rel for rel, t in ut if t.ent_type_ in ("ORG", "FAC", "GPE"))
        u.past = frozenset(rel for rel, t in ut if t.tag_ == "VBD")
        # a noun or a past participle qualifying a noun names a kind of thing ("target seats", "targeted screening")
        u.modifiers = frozenset(rel for rel, t in ut if t.head.pos_ in ("NOUN", "PROPN") and (
            t.dep_ == "compound" and t.pos_ == "NOUN" or t.dep_ == "amod" and t.tag_ == "VBN"))
        u.effects = frozenset(rel for rel, t in ut if t.pos_ == "VERB" and (_defines_people(t) or _effect(t)))
        u.describing = frozenset(rel for rel, t in ut if t.pos_ in ("ADJ", "ADV", "PRON", "DET") and not t.ent_type_)
        u.subjects = _view_subjects(ut, u.quoted)
        _roles(u, ut, gz, r)
        _check_subjects(ex, u, ut, gz)
        _bodies(ex, u, ut, gz, r)
        if ut:
            r.options += proposals(sid, u, ut)
            rk, qs = items(sid, u, ut)
            r.risks += rk
            r.questions += qs
            r.rhetorical |= {(u.index, rel + 1) for rel, t in ut if t.text == "?" and _rhetorical(_question_words(t))}
    return r


def _capital_runs(doc: Any) -> list[str]:
    """Names of three or more capitalised words, 'of', 'and' or 'for' allowed inside ("Association of Chief …")."""
    out, run = [], []
    for t in list(doc) + [None]:
        if t is not None and t.text[:1].isupper() and t.is_alpha and t.ent_type_ != "PERSON" and not (
                not run and t.is_sent_start and t.pos_ != "PROPN"):
            run.append(t)
            continue
        if t is not None and run and t.lower_ in ("of", "and", "for"):
            run.append(t)
            continue
        while run and run[-1].lower_ in ("of", "and", "for"):
            run.pop()
        if sum(1 for x in run if x.text[:1].isupper()) >= 3:
            out.append(doc[run[0].i:run[-1].i + 1].text)
        run = []
    return out


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
        if not role and ent.start > lo:  # a title the parser did not attach: the nouns just before the name
            k, last = ent.start, None
            while k > max(lo, ent.start - 6) and (doc[k - 1].is_space or (
                    doc[k - 1].pos_ in ("NOUN", "PROPN", "ADJ") and doc[k - 1].ent_type_ != "PERSON")):
                k -= 1
                if last is None and not doc[k].is_space:
                    last = doc[k]
                if doc[k].is_sent_start:
                    break
            while k < ent.start and doc[k].is_space:
                k += 1
            if last is not None and any(doc[j].pos_ == "NOUN" for j in range(k, ent.start)):
                role = _span_text(u, ut, doc[k], last)
                ents = [e for e in doc.ents if k <= e.start and e.end <= ent.start]
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
        if not role or len(role) > 120 or all(w.lower().rstrip(".") in HONORIFICS for w in role.split()):
            continue  # "Mr" is no role
        aff = _affiliation(role, gz, ents)
        key = fold(_strip_the(ent.text))
        old = r.roles.get(key)
        if old is None or (old[1] is None and aff):
            r.roles[key] = (role, aff)


def _subjects(t: Any) -> list[Any]:
    """A subject and the subjects coordinated with it ("The UK, France and Germany want")."""
    out, todo = [], [t]
    while todo:
        x = todo.pop(0)
        out.append(x)
        # "X, Y and Z": conjuncts, and names the parser hung as appositions of a name
        todo += [c for c in x.children if c.dep_ == "conj" or (
            c.dep_ == "appos" and c.ent_type_ == "PERSON" and x.ent_type_ == "PERSON")]
    return out


# plural nouns naming people who take sides; with a party, a state or a pro-/anti- word they name a group
# (a state's officials, diplomats or leaders speak for the state, so they are not here)
PEOPLE = {"mp", "member", "rebel", "backbencher", "peer", "councillor", "activist", "campaigner", "supporter",
          "protester", "opponent", "critic", "voter", "lawmaker", "senator", "mep", "farmer", "worker", "employer",
          "resident", "parent", "doctor", "nurse", "teacher", "group", "union"}
GROUP_MODS = {"senior", "leading", "rebel", "backbench", "grassroots", "moderate", "hardline", "some", "many"}


def _group(t: Any, gz: Gazetteer) -> str | None:
    """'Labour MPs', 'anti-hunt campaigners', 'senior Tories': a named section of people (not the whole party)."""
    if t.tag_ not in ("NNS", "NNPS"):
        return None
    mods = [c for c in t.lefts if c.dep_ in ("amod", "compound", "nmod")]
    if not mods:
        return None
    first = min((c.left_edge for c in mods), key=lambda c: c.i)
    words = t.doc[first.i:t.i + 1].text
    if t.lemma_.lower() in PEOPLE or t.lower_ in PEOPLE:
        if any(how == "name" or gz.kind(name) in ("party", "state") for m in mods
               for _, _, name, how in gz.find(m.text)) or re.search(r"\b(?:pro|anti)\s*-", words):
            return words
        return None
    hit = gz.lookup(t.text)
    if hit and gz.kind(hit[0]) == "party" and any(m.lower_ in GROUP_MODS - {"some", "many"} for m in mods):
        return " ".join(w for w in words.split() if w.lower() not in ("some", "many"))
    return None


def _name_part(ent: Any, gz: Gazetteer) -> str:
    """A person entity without the titles and party or state words the model took into it ("Lib Dem MP Lembit Opik")."""
    covered = [(a, b) for a, b, _, _ in gz.find(ent.text)]
    toks = list(ent)
    k = 0
    while k < len(toks) - 2 and (toks[k].lower_.rstrip(".") in gz.title_words or any(
            a <= toks[k].idx - ent.start_char < b for a, b in covered)):
        k += 1
    return ent.text if k == 0 else ent.doc[ent.start + k:ent.end].text


def _postnominal_name(t: Any) -> list[Any]:
    """'Guy Mansfield QC' as tokens when t is the letters after a full name the parse hangs on them, else []."""
    names = [c for c in t.lefts if c.dep_ == "compound" and c.is_title and c.pos_ == "PROPN"]
    if len(names) < 2 or names[-1].i != t.i - 1 or any(n.lower_ in HONORIFICS for n in names[:1]) and len(names) < 3:
        return []
    return [*names, t]


def _named_appos(t: Any) -> Any | None:
    """A person named in apposition to a subject ("The chairman of the Bar Council, Guy Mansfield QC")."""
    for c in t.rights:
        if c.dep_ != "appos":
            continue
        if c.ent_type_ == "PERSON" or (c.lower_ in POSTNOMINAL and len(_postnominal_name(c)) >= 3):
            return c
    return None


def _speaker_of(t: Any, gz: Gazetteer, surnames: set[str], people: dict,
                covering: dict[int, str] | None = None) -> tuple[tuple[str, str], str] | None:
    """Who a subject token names: a person, a body (party, state, organisation), an institution, a spokesman's body."""
    group = _group(t, gz)
    if group:
        return ("entity", group), "organisation"  # a group: the brief's kinds count it with organisations
    ap = _named_appos(t)
    if ap is not None and t.ent_type_ != "PERSON":  # "The Attorney General, Lord Goldsmith, has …"
        return _speaker_of(ap, gz, surnames, people, covering)
    if covering and t.i in covering:  # the gazetteer's longest form wins ("Liberal Democrats", not "Democrats")
        name = covering[t.i]
        return ("entity", name), gz.kind(name)
    if t.lemma_ in SPOKES:  # "a spokesman for Unison", "Unison's spokesman": the body speaks
        owner = [c for c in t.children if c.dep_ == "poss"]
        owner += [g for c in t.children if c.dep_ == "prep" and c.lower_ in ("for", "of") for g in c.children
                  if g.dep_ == "pobj"]
        owner = [o for o in owner if o.ent_type_ in ORG_LABELS or o.ent_type_ == "PERSON"]  # "Tony Blair's spokesman"
        return _speaker_of(owner[0], gz, surnames, people, covering) if owner else None
    ent = next((e for e in t.doc.ents if e.start <= t.i < e.end), None) if t.ent_type_ else None
    last = ent.end - 1 - (ent[-1].tag_ == "POS") if ent is not None else -1  # "Tony Blair's": Blair
    if ent is not None and ent.label_ == "PERSON" and len(ent) >= 2 and t.i == last:
        name = _strip_the(_name_part(ent, gz))
        key = fold(name)
        if key not in people:  # a full name the hand-written finder missed: register it
            people[key] = Person(key, name, aliases={name})
        return ("person", key), "person"
    if ent is not None and ent.label_ == "PERSON" and len(ent) == 1:
        hon = next((c for c in t.lefts if c.dep_ == "compound" and c.lower_.rstrip(".") in HONORIFICS), None)
        if hon is not None:  # "Lord Goldsmith": an honorific and a surname name one person
            name = f"{hon.text} {t.text}"
            key = fold(name)
            if key not in people and fold(t.text) not in surnames:
                people[key] = Person(key, name, aliases={name})
            elif key not in people:
                key = next(k for k, p in people.items() if fold(p.name).split()[-1] == fold(t.text))
            return ("person", key), "person"
    if t.lemma_ in BODY_HEADS and t.pos_ == "NOUN" and t.tag_ == "NN" and ent is None:
        mods = [c for c in t.lefts if c.dep_ in ("compound", "poss", "amod", "nmod")]
        if any(c.ent_type_ in ORG_LABELS or c.pos_ == "PROPN" for m in mods for c in m.subtree):
            first = min((c.left_edge for c in mods), key=lambda c: c.i)
            return ("entity", t.doc[first.i:t.i + 1].text), "organisation"  # "the UN refugees agency"
    if t.lower_ in POSTNOMINAL and len(_postnominal_name(t)) >= 3:
        name = " ".join(x.text for x in _postnominal_name(t))  # "Guy Mansfield QC": a full name and letters
        people.setdefault(fold(name), Person(fold(name), name, aliases={name}))
        return ("person", fold(name)), "person"
    if ent is not None and ent.label_ in ORG_LABELS:
        surface = _strip_the(ent.text)
        doc = t.doc
        if ent.start >= 2 and doc[ent.start - 1].lower_ == "and" and doc[ent.start - 2].is_title and \
                doc[ent.start - 2].ent_type_ in ("", ent.label_) and doc[ent.start - 2].pos_ in ("PROPN", "ADJ"):
            surface = _strip_the(doc[ent.start - 2:ent.end].text)  # "the Public and Commercial Services Union"
        if ent.label_ == "ORG" and fold(ent[-1].text.split("-")[-1]) in gz.title_words:
            # "the Conservative Party Co-Chairman": a title, whose holder speaks for the body it names
            hit = next((name for _, _, name, how in gz.find(surface) if how == "name"), None)
            return (("entity", hit), gz.kind(hit)) if hit else None
        if fold(surface) in surnames:
            return None  # "Clarke said": a person named before, whatever the entity type says
        hit = gz.lookup(surface)
        if hit:
            return ("entity", hit[0]), gz.kind(hit[0])
        if ent.label_ == "ORG":
            return ("entity", surface), "organisation"
        return None  # a demonym or place not known as a state
    if t.lower_ in INSTITUTIONS and t.tag_ in ("NN", "NNS"):
        mod = [c for c in t.lefts if c.dep_ in ("compound", "amod") and c.ent_type_ in ORG_LABELS]
        if mod:  # "Labour ministers", "Tory MPs": the party
            hit = gz.lookup(mod[0].text)
            if hit:
                return ("entity", hit[0]), gz.kind(hit[0])
        name = INSTITUTIONS[t.lower_]
        return ("entity", name), INSTITUTION_KIND.get(name, "organisation")
    return None


_WORDY = ("subject before verb", "subject after verb", "pronoun (previous speaker)", "pronoun (last person named)")


def _core(subj: Any) -> str:
    """The words that name a subject: its head and the compounds, titles and determiners before it."""
    toks = [subj] + [c for c in subj.lefts if c.dep_ in ("compound", "amod", "det", "poss", "nmod", "flat")]
    toks += [g for c in subj.lefts if c.dep_ in ("compound", "poss") for g in c.lefts if g.dep_ == "compound"]
    for ap in (c for c in subj.rights if c.dep_ == "appos"):  # "president Chris Fox": the name in apposition
        toks += [ap] + [c for c in ap.lefts if c.dep_ in ("compound", "flat")]
    return " ".join(t.text for t in sorted(toks, key=lambda t: t.i))


def _names_speaker(core: str, st: Statement, ex: Extract, gz: Gazetteer) -> bool:
    """True when a subject's naming words could be the statement's speaker (its surname, its body's name)."""
    kind, ident = st.speaker
    words = set(fold(core).split())
    if kind == "person":
        p = ex.people.get(ident)
        names = [p.name, *p.aliases] if p else [ident]
        # any word of the name: the model may read a surname such as "May" as a verb and leave "Helen" the subject
        return any(w in words for n in names for w in fold(n).split() if len(w) >= 3 and w not in HONORIFICS)
    if kind == "voice":
        return True
    return any(name == ident for _, _, name, _ in gz.find(core)) or bool(set(fold(ident).split()) & words)


def _check_subjects(ex: Extract, u: Unit, ut: list[tuple[int, Any]], gz: Gazetteer) -> None:
    """Drop a speaker the wording rules took from beside a reporting verb when the parse gives that verb another
    subject ("the Cabinet Office said it was reviewing the Scheme": not the Scheme; "X, from the Y union, said": X)."""
    if not ut:
        return
    drop = []
    instead: dict[int, tuple[str, str]] = {}  # a dropped statement -> the person the parse names instead
    surnames = {fold(p.name).split()[-1] for p in ex.people.values() if fold(p.name)}
    for st in ex.statements:
        if st.unit is not u or not st.how.startswith(_WORDY):
            continue
        verbs = [t for rel, t in ut if t.lower_ == st.verb and st.start <= rel < st.end and t.pos_ in ("VERB", "AUX")]
        if len(verbs) != 1:
            continue
        subj = next((c for c in verbs[0].children if c.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is not None and subj.i < verbs[0].i and st.how.startswith("subject after verb") and \
                subj.tag_ not in ("WP", "WDT"):
            drop.append(st)  # "They said they would press Labour": the subject is written before the verb
            continue
        if subj is None or subj.pos_ == "PRON" or subj.tag_ in ("WP", "WDT"):
            continue
        if st.speaker[0] == "entity" and _group(subj, gz):
            drop.append(st)  # "Labour MPs could oppose": some of the party's members, not the party
            continue
        if _names_speaker(_core(subj), st, ex, gz):
            continue
        if st.speaker[0] == "person" and any(t.ent_type_ == "PERSON" and _names_speaker(t.text, st, ex, gz)
                                             for t in subj.subtree):
            continue  # a person named inside a misparsed subject ("Association … president Chris Fox said")
        drop.append(st)
        found = _speaker_of(subj, gz, surnames, ex.people)
        if found is not None and found[0][0] == "person":
            instead[id(st)] = found[0]
    if not drop:
        return
    # what followed on from a wrong speaker ("He said: …", a quotation continued) goes to the person the parse
    # names instead ("But Penny Little, who …, said …. …, she said"), or goes with it
    order = sorted((s for s in ex.statements if "(parse)" not in s.how), key=lambda s: (s.unit.index, s.start))
    gone = {id(d) for d in drop}
    for d in drop:
        after = False
        for s in order:
            if s is d:
                after = True
                continue
            if not after or s.unit.index < d.unit.index:
                continue
            if s.speaker != d.speaker or not s.how.startswith(("pronoun (previous speaker)", "continued quotation")):
                break
            if id(d) in instead:
                s.speaker = instead[id(d)]
            else:
                gone.add(id(s))
    ex.statements[:] = [s for s in ex.statements if id(s) not in gone]


def _bodies(ex: Extract, u: Unit, ut: list[tuple[int, Any]], gz: Gazetteer, r: Reading) -> None:
    """Subjects of a view verb that the wording rules did not attribute become speakers: bodies, people, conjuncts."""
    have = {s.speaker for s in ex.statements if s.unit is u}
    people_here = {s.speaker[1].split()[-1] for s in ex.statements if s.unit is u and s.speaker[0] == "person"}
    pos = {t.i: rel for rel, t in ut}
    surnames = {fold(p.name).split()[-1] for p in ex.people.values() if fold(p.name)}
    covering: dict[int, str] = {}
    for a, b, name, how in gz.find(u.text):
        if how == "name" and not gz.is_media(name):
            covering.update({t.i: name for rel, t in ut if a <= rel < b})
    for rel, t in ut:  # a body's initials used as its name, once the source has spelt the name out
        if len(t.text) >= 2 and t.text[:1].isupper() and t.lower_ in r.short and t.i not in covering and \
                fold(t.text) not in surnames and fold(r.short[t.lower_]) != t.lower_:
            covering[t.i] = r.short[t.lower_]
    for rel, t in ut:
        if t.lemma_ in ATTITUDES and t.pos_ == "NOUN" and not (u.quoted and any(a <= rel < b for a, b in u.quoted)):
            # "there is scepticism in France", "disquiet among senior Tories": the place or body holds the view
            for prep in (c for c in t.children if c.dep_ == "prep" and c.lower_ in ("in", "among", "within")):
                for obj in (c for c in prep.children if c.dep_ == "pobj"):
                    for x in _subjects(obj):
                        found = _speaker_of(x, gz, surnames, ex.people, covering)
                        if found is None or found[0][0] != "entity" or found[0] in have or gz.is_media(found[0][1]):
                            continue
                        have.add(found[0])
                        r.kinds[found[0][1]] = found[1] or "organisation"
                        ex.statements.append(Statement(found[0], u, 0, len(u.text), t.text.lower(),
                                                       f"'{t.lemma_}' in a body or place (parse)", 0.5, pos.get(t.i, -1)))
        if t.dep_ not in ("nsubj", "nsubjpass") or t.head.pos_ not in ("VERB", "AUX"):
            continue
        named = t.ent_type_ in ("PERSON", "ORG") or t.lemma_ in SPOKES or _named_appos(t) is not None
        if t.head.lemma_ not in VIEW_LEMMAS and not (named and t.dep_ == "nsubj"):
            continue  # a named person who acts in the story is a party to it; a body must state a view
        if u.quoted and any(a <= rel < b for a, b in u.quoted):
            continue  # a subject inside a quotation is the speaker's, not the article's
        for subj in _subjects(t):
            found = _speaker_of(subj, gz, surnames, ex.people, covering)
            if found is None:
                continue
            speaker, kind = found
            ap = _named_appos(subj)
            if speaker[0] == "person" and ap is not None and subj.pos_ == "NOUN" and speaker[1] in ex.people:
                # the subject is the person's title: "The chairman of the Bar Council, Guy Mansfield QC"
                keep = [x for x in subj.subtree if x.i < ap.left_edge.i and x.dep_ != "punct"]
                keep = [x for x in keep if not (x.dep_ == "det" and x.head.i == subj.i)]
                role = _span_text(u, ut, keep[0], keep[-1]) if keep else ""
                if role and len(role) <= 120:
                    ents = [e for e in subj.doc.ents if keep[0].i <= e.start and e.end <= keep[-1].i + 1]
                    r.roles.setdefault(fold(ex.people[speaker[1]].name), (role, _affiliation(role, gz, ents)))
            if speaker in have or (speaker[0] == "person" and speaker[1].split()[-1] in people_here):
                continue
            if speaker[0] == "entity" and gz.is_media(speaker[1]):
                continue
            have.add(speaker)
            if speaker[0] == "entity":
                r.kinds[speaker[1]] = kind or "organisation"
            verb_at = pos.get(t.head.i, -1)
            ex.statements.append(Statement(speaker, u, 0, len(u.text), t.head.text.lower(),
                                           f"subject of '{t.head.lemma_}' (parse)", 0.6, verb_at))


# --------------------------------------------------------------------------- risks and open questions as items

MODALS = {"could", "would", "might", "may", "will"}
# verbs of consequence: what a threat does (general, not any one subject's vocabulary)
CONSEQUENCE = {"lead", "result", "cause", "mean", "force", "hit", "cost", "damage", "undermine", "embarrass",
               "disrupt", "harm", "threaten", "spark", "trigger", "push", "drive", "close", "lose", "fail", "suffer",
               "face", "increase", "rise", "destroy", "hurt", "prevent", "stop", "block", "delay", "collapse",
               "kill", "erode", "intrude", "worsen", "weaken", "endanger", "jeopardise", "jeopardize", "backfire",
               "alienate", "provoke", "escalate", "spill", "strike", "walk", "drop", "fall", "pay", "end",
               # breaking a rule or a commitment is a harm of its own ("the plans would contravene EU policy")
               "breach", "violate", "contravene", "infringe"}
# adjectives that judge an outcome harmful, costly, unworkable or worse (by lemma: "worse" is "bad"): said of what
# a change would be or would make ("a delay would be disastrous", "might make integration difficult")
HARMFUL = {"bad", "difficult", "hard", "impossible", "disastrous", "catastrophic", "damaging", "harmful", "dangerous",
           "devastating", "costly", "expensive", "unworkable", "unaffordable", "unsustainable", "unfair", "unjust",
           "ineffective", "counterproductive", "risky", "unsafe", "illegal", "unlawful", "detrimental", "fatal",
           "chaotic", "ruinous", "crippling", "disruptive"}
# nouns that judge an outcome a harm, said of what a change would be ("would be a waste of money")
HARM_NOUN = {"disaster", "catastrophe", "mistake", "waste", "failure", "blow", "nightmare", "fiasco", "burden",
             "setback", "error"}
# epistemic adjectives: what a noun they qualify names may happen ("faces a possible rebellion")
POSSIBLE = {"possible", "potential", "likely", "probable"}
# adjectives of worry that take a clause, as the warning verbs do ("some are worried that X might …")
WORRIED = {"worried", "concerned", "afraid", "fearful", "anxious", "alarmed", "nervous"}
WARNING = {"warn", "fear", "caution", "predict", "threaten", "worry"}
UNCERTAIN = {"unclear", "uncertain", "undecided", "unknown", "unresolved"}
# intentions and decisions not yet carried out ("hoping to strike a deal", "is considering an appeal"); an
# expectation ("is expected to attend") is left out: it states a forecast as likely, it marks nothing as open
PENDING = {"hope", "plan", "aim", "intend", "consider", "review", "decide", "consult", "seek"}
MAX_SIDE = 14  # words on each side of a risk title


# guesses and hopes reported with no one named ("it is hoped that …", "it is thought …")
SUPPOSE = {"hope", "think", "expect", "believe", "fear", "rumour", "rumor", "speculate", "suggest"}
# decisions under way: someone is weighing a thing ("looking at the idea of a levy", "reviewing the scheme")
CONSIDER = {"consider", "review", "examine", "study", "explore", "weigh", "look", "reconsider"}
SAY = {"say", "announce", "state", "tell", "insist", "confirm", "add", "claim", "admit", "warn", "argue"}

# processes whose outcome is not known while they run
DECIDING = {"decide", "vote", "ballot", "consult", "resume", "negotiate", "rule", "review", "debate", "consider",
            "determine", "judge", "talk", "discuss", "assess", "examine", "investigate", "hear"}


def _decision_ahead(v: Any) -> bool:
    """True when a future verb, or what it starts or serves, is a decision or a process still to run."""
    near = [v] + [c for c in v.children if c.dep_ in ("xcomp", "advcl") and c.pos_ == "VERB"]
    return any(_lemma(x) in DECIDING for x in near)


def _not_pending(v: Any) -> bool:
    """True when an intention or decision verb reports nothing still open: denied ("did not think he intended
    to"), put as a condition ("unless they intended to"), told in the past perfect (a plan overtaken by events:
    "had initially hoped to"), a decision already taken ("had decided to", "finally decided to"), or a clause that
    picks people out by their plan ("anyone planning to move here")."""
    if _defines_people(v):
        return True
    if any(c.dep_ == "neg" for c in v.children) or v.dep_ in ("ccomp", "xcomp") and any(
            c.dep_ == "neg" for c in v.head.children):
        return True
    if v.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in v.children):
        return True
    perfect = v.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in v.children)
    if perfect and any(c.dep_ == "aux" and c.lower_ == "had" for c in v.children):
        return True
    return _lemma(v) == "decide" and (v.tag_ == "VBD" or perfect)


def _lemma(t: Any) -> str:
    """A verb's lemma, with the small model's slip on 'hope' put right ('hoped' read as 'hop')."""
    if t.lemma_ == "hop" and t.lower_ in ("hoped", "hoping", "hopes"):
        return "hope"
    return t.lemma_


def _subject(v: Any) -> Any | None:
    """A verb's subject, through coordination ("said it was reviewing X and hoped to …"); a body's 'it' or 'they'
    in its own reported words is the body ("the Cabinet Office said it was reviewing …")."""
    t, subj = v, None
    for _ in range(4):
        subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")), None)
        if subj is not None or t.dep_ != "conj" or t.head.i == t.i:
            break
        t = t.head
    if subj is not None and subj.lower_ in ("it", "they"):
        h = subj.head
        while h.dep_ in ("conj", "xcomp") and h.head.i != h.i:
            h = h.head
        if h.dep_ == "ccomp" and _lemma(h.head) in SAY:
            rep = next((c for c in h.head.children if c.dep_ == "nsubj"), None)
            if rep is not None and rep.pos_ in ("PROPN", "NOUN") and \
                    (rep.tag_ in ("NNS", "NNPS")) == (subj.lower_ == "they"):
                return rep
    return subj


def _who(u: Unit, pos: dict[int, int], subj: Any) -> str:
    """The words naming a subject, lower-cased unless a name."""
    who = _words(u, pos, list(subj.subtree), 10)
    if who.startswith("The "):  # "the Lib Dems": the article is not part of the name
        return "t" + who[1:]
    first = min(subj.subtree, key=lambda t: t.i)  # "Mr Ebbers' trial": the name opens the words, not the head
    named = subj.ent_type_ or subj.pos_ == "PROPN" or first.ent_type_ or first.pos_ == "PROPN"
    return who if (named or not who) else who[:1].lower() + who[1:]


def _words(u: Unit, pos: dict[int, int], toks: list[Any], limit: int = MAX_SIDE, clause: bool = False) -> str:
    """The text of some tokens of one unit, from the first to the last, cut to a number of words (or a clause)."""
    toks = sorted((t for t in toks if t.i in pos and not t.is_space), key=lambda t: t.i)
    if clause:  # up to the first comma, dash or semicolon after the first word
        cut = next((k for k, t in enumerate(toks) if k and (t.text in (",", ";", ":", "(") or (
            t.text in ("-", "–", "—") and toks[k - 1].whitespace_))), None)  # "co-ordinate" is one word
        toks = toks[:cut] if cut else toks
    if not toks:
        return ""
    text = u.text[pos[toks[0].i]:pos[toks[-1].i] + len(toks[-1].text)]
    words = " ".join(text.split()).strip(" ,;:-–—\"“”'‘’()")
    ws = words.split()
    return " ".join(ws[:limit]).rstrip(" ,;:") + ("…" if len(ws) > limit else "")


def _subtree_without(t: Any, drop: set[int]) -> list[Any]:
    return [x for x in t.subtree if x.i not in drop]


def _if_clause(v: Any) -> Any | None:
    for c in v.children:
        if c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in c.children):
            return c
    return None


def _modal_frame(v: Any) -> Any | None:
    """The verb that puts v in a modal or future frame: v itself ("could hit"), or the verb whose 'likely to',
    'bound to' or 'going to' v completes ("would be more likely to drive", "is going to be bled"); else None."""
    t = v
    for _ in range(4):
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in t.children):
            return t
        if t.lemma_ == "go" and t.tag_ == "VBG" and any(c.dep_ == "aux" and c.lemma_ == "be" for c in t.children) \
                and any(c.dep_ == "xcomp" for c in t.children):
            return t  # "is going to be bled": a future ("is going to the shops" is not)
        if t.dep_ != "xcomp" or t.head.i == t.i:
            return None
        h = t.head
        if h.pos_ == "ADJ" and h.lemma_ in POSSIBLE | {"bound"} and h.dep_ == "acomp":
            t = h.head  # "would be likely to drive": the modal sits on the copula
        elif h.lemma_ == "go" and h.tag_ == "VBG":
            t = h
        else:
            return None
    return None


# verbs of saying and knowing: "it would be hard to say" judges a claim, not an outcome
_JUDGE_CLAIM = {"say", "tell", "know", "predict", "imagine", "see", "believe", "argue", "disagree", "deny", "ignore"}


def _harm_predicate(v: Any) -> bool:
    """True when a modal copula or 'make' says an outcome would be harmful ("a delay would be disastrous",
    "would be a costly scheme", "might make integration difficult"); a negated one says the opposite."""
    if any(c.dep_ == "neg" for c in v.children) or _modal_frame(v) is None:
        return False
    if v.lemma_ in ("be", "become", "prove"):
        for c in v.children:
            if c.dep_ == "acomp" and c.lemma_.lower() in HARMFUL:
                return not any(x.dep_ == "xcomp" and x.lemma_ in _JUDGE_CLAIM for x in (*c.children, *v.children))
            if c.dep_ == "attr" and c.pos_ == "NOUN" and not any(x.dep_ == "det" and x.lower_ == "no"
                                                                  for x in c.children):
                if c.lemma_ in HARM_NOUN or any(x.dep_ == "amod" and x.lemma_.lower() in HARMFUL for x in c.children):
                    return True
        return False
    if v.lemma_ == "make":
        # the parse may take a comparative for an adverb ("make deliveries harder": advmod)
        return any(c.lemma_.lower() in HARMFUL and (c.dep_ in ("ccomp", "oprd", "xcomp", "acomp") and c.pos_ == "ADJ"
                                                    or c.dep_ == "advmod" and c.tag_ in ("RBR", "JJR"))
                   for c in v.children)
    return False


def _faces_possible(v: Any) -> bool:
    """True when someone faces what may come ("faces a possible rebellion"): 'face' (not in the past) with an
    object that a possibility adjective qualifies."""
    if v.lemma_ != "face" or v.tag_ == "VBD" or any(c.dep_ == "neg" for c in v.children):
        return False
    objs = [c for c in v.children if c.dep_ == "dobj"]
    objs += [g for c in v.children if c.dep_ == "prep" and c.lower_ == "with" for g in c.children if g.dep_ == "pobj"]
    return any(x.dep_ == "amod" and x.lemma_.lower() in POSSIBLE for o in objs for x in o.children)


# verbs of loss or failure: a condition that something is lost or fails puts what follows at risk
LOSS = {"lose", "fail", "collapse", "miss", "break", "lapse", "default"}


def _conditional_harm(v: Any) -> bool:
    """True for a modal or future clause under a condition that is a loss or an inability: "if we lose our rebate,
    the taxpayer is going to be bled", "unless it is discussed, the EU would never be able to agree"."""
    cond = _if_clause(v)
    if cond is None or _modal_frame(v) is None:
        return False
    if cond.lemma_ in LOSS and not any(c.dep_ == "neg" for c in cond.children):
        return True
    # a negated ability: "would never be able to", "could not"; a negated plain future is a pledge ("we would not
    # raise taxes if elected"), not a risk
    # a trailing 'if' after a negated verb is often 'whether' ("could not find evidence … or if he was …"): only a
    # condition put first, or an 'unless', is read as one
    fronted = cond.i < v.i or any(c.dep_ == "mark" and c.lower_ == "unless" for c in cond.children)
    if fronted and any(c.dep_ == "neg" for c in v.children):
        return (v.lemma_ == "be" and any(c.dep_ == "acomp" and c.lemma_ == "able" for c in v.children)) or any(
            c.dep_ == "aux" and c.lower_ in ("could", "can", "cannot") for c in v.children)
    return False


def _asked(v: Any) -> bool:
    """True when a verb heads an indirect question ("we don't know over what period they will fall ill", "what it
    will mean for the firm"); a relative clause ("a force which could embarrass the government") asserts."""
    if v.dep_ == "relcl":
        return False
    for c in v.children:
        if c.i > v.i or c.dep_ in ("nsubj", "nsubjpass", "csubj", "advcl"):
            continue  # "when they start, they will be hit": a clause of time or place asks nothing
        if c.dep_ == "mark" and c.lower_ == "whether":
            return True
        # a wh-word opening what comes before the verb ("what it will mean", "over what period it will …"), not one
        # inside a relative clause there ("in the town, which has …")
        for g in c.subtree:
            if g.tag_ in ("WP", "WDT", "WRB"):
                h, rel = g, False
                while h.i != c.i and h.head.i != h.i:
                    rel = rel or h.dep_ == "relcl"
                    h = h.head
                if not rel:
                    return True
    return False


# verbs of spoiling, beside the consequence verbs: "would do nothing to mess up the economy" promises no harm
SPOIL = {"mess", "spoil", "ruin", "wreck", "upset"}


def _futile(v: Any) -> bool:
    """True for a modal 'do nothing / little to' achieve something ("it will do nothing to solve the problems"):
    a measure that fails its aim; doing nothing to harm ("would do nothing to mess up the economy") is a promise."""
    if v.lemma_ != "do" or _modal_frame(v) is None or any(c.dep_ == "neg" for c in v.children):
        return False
    for o in v.children:
        if o.dep_ == "dobj" and o.lower_ in ("nothing", "little"):
            aim = next((c for c in (*o.children, *v.children) if c.dep_ in ("relcl", "acl", "xcomp", "advcl")
                        and c.pos_ == "VERB" and any(x.dep_ == "aux" and x.lower_ == "to" for x in c.children)), None)
            return aim is not None and aim.lemma_ not in CONSEQUENCE | SPOIL
    return False


# verbs of a plain transaction: "people will pay £85 for a card" is a price, not a harm; paying is a consequence
# when something else brings it about ("without it we would pay 14 times as much"), when it is "the price", and
# not paying is a default ("Baikal will not pay when it is supposed to")
TRANSACTION = {"pay"}


def _conditioned(v: Any) -> bool:
    """True when a verb's clause depends on a condition (if, unless, without), is negated, or its object is a
    price or cost."""
    return _if_clause(v) is not None or any(
        c.dep_ == "prep" and c.lower_ == "without" or c.dep_ == "dobj" and c.lemma_ in ("price", "cost")
        or c.dep_ == "neg" for c in v.children)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def risk_title(u: Unit, pos: dict[int, int], v: Any) -> str:
    """'cause → consequence' for a threat verb: the if-clause or the subject leads to what the verb says."""
    cond = _if_clause(v)
    subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    drop = {x.i for x in cond.subtree} if cond is not None else set()
    if cond is not None:
        cause_toks = [x for x in cond.subtree if not (x.dep_ == "mark" and x.head.i == cond.i)]
        effect_toks = _subtree_without(v, drop)
    else:
        cause_toks = list(subj.subtree) if subj is not None else []
        effect_toks = _subtree_without(v, {x.i for x in cause_toks})
        if subj is not None and subj.tag_ in ("WP", "WDT") and v.dep_ == "relcl":
            # "control orders, which would mean house arrest": the cause is the noun the clause hangs on
            within = {x.i for x in v.subtree}
            cause_toks = [x for x in v.head.subtree if x.i not in within and x.i <= v.head.i
                          or x.i == v.head.i] if v.head.pos_ in ("NOUN", "PROPN") else []
    effect_toks = [x for x in effect_toks if not (x.dep_ in ("punct", "mark") and x.head.i == v.i)]
    cause, effect = _words(u, pos, cause_toks), _words(u, pos, effect_toks)
    if not effect or len(effect.split()) < 2:
        return ""
    if not cause or cause.lower() in ("it", "this", "that", "they", "he", "she", "we", "i", "there", "which", "who"):
        return _cap(effect)
    return f"{_cap(cause)} → {effect}"


def _invert(u: Unit, pos: dict[int, int], v: Any, drop: set[int]) -> str:
    """A clause turned into a yes/no question ("objectives could be met" -> "Could objectives be met?")."""
    subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")), None)
    aux = next((c for c in v.lefts if c.dep_ in ("aux", "auxpass") and c.lower_ not in ("to",)), None)
    body = [x for x in v.subtree if x.i not in drop and not (x.dep_ == "mark" and x.head.i == v.i)
            and not (x.dep_ == "punct" and x.head.i == v.i)]
    if subj is None or subj.tag_ in ("WP", "WDT") or v.dep_ == "relcl":  # "who head west": a relative clause
        return ""  # asks nothing
    subj_toks = list(subj.subtree)
    if subj_toks[0].tag_ in ("WP", "WDT") or subj_toks[0].lower_ == "that" and len(subj_toks) == 1:
        return ""  # "which hold on 5 May", "that detain suspects": the subject stands for a noun elsewhere
    rest = [x for x in body if x.i not in {s.i for s in subj_toks} and (aux is None or x.i != aux.i)]
    rest_text = _words(u, pos, [x for x in rest if x.i > subj.i], 20, clause=True)
    subj_text = _words(u, pos, subj_toks, 12, clause=True)  # "the overhaul, due on Thursday,": the head phrase
    if not rest_text or not subj_text:
        return ""
    first = subj_toks[0]  # the word that loses its capital: "Tony Blair" keeps it whatever the head is
    if subj_text.split()[0] in ("The", "A", "An") or (
            subj_text.split()[0] != "I" and not (subj.ent_type_ or subj.pos_ == "PROPN")
            and not (first.ent_type_ or first.pos_ == "PROPN")):
        subj_text = subj_text[:1].lower() + subj_text[1:]
    if aux is not None:
        return f"{_cap(aux.lower_)} {subj_text} {rest_text}?"
    if v.lemma_ == "be":
        return f"{_cap(v.lower_)} {subj_text} {rest_text[len(v.text):].strip()}?" if rest_text.startswith(v.text) else ""
    do = {"VBD": "did", "VBZ": "does", "VBP": "do"}.get(v.tag_)
    if do and rest_text.startswith(v.text):
        return f"{_cap(do)} {subj_text} {v.lemma_}{rest_text[len(v.text):]}?"
    return ""


def _sentence_span(u: Unit, pos: dict[int, int], sent_toks: list[Any]) -> tuple[int, int]:
    toks = [t for t in sent_toks if t.i in pos]
    a = pos[toks[0].i]
    b = pos[toks[-1].i] + len(toks[-1].text)
    return a, b


def items(sid: str, u: Unit, ut: list[tuple[int, Any]]) -> tuple[list[Any], list[Any]]:
    """Risks (cause → consequence) and open questions (explicit uncertainty, pending decisions) in one unit."""
    from briefgen.draft.grouping import Item, content_stems

    pos = {t.i: rel for rel, t in ut}
    risks, questions = [], []
    sents: dict[int, list[Any]] = {}
    for _, t in ut:
        sents.setdefault(t.sent.start, []).append(t)
    for st in sents.values():
        a, b = _sentence_span(u, pos, st)
        if b - a < 20:
            continue
        risk = question = None
        asked: list[tuple[str, float, list[str]]] = []
        for t in st:
            if risk is None and t.pos_ in ("VERB", "AUX"):
                modal = any(c.dep_ == "aux" and c.lower_ in MODALS for c in t.children)
                if t.lemma_ in WARNING:
                    inner = next((c for c in t.children if c.dep_ == "ccomp"), None)
                    if inner is not None:
                        title = risk_title(u, pos, inner)
                        if title:
                            risk = (title, 0.65, [t.lemma_])
                elif t.lemma_ in TRANSACTION and not _conditioned(t) or _asked(t):
                    pass  # a price is no harm; a reported question asks, it asserts no consequence
                elif modal and t.lemma_ in CONSEQUENCE:
                    title = risk_title(u, pos, t)
                    if title:
                        risk = (title, 0.55, [t.lemma_])
                elif any(x.text == "?" for x in st[-3:]):
                    pass  # a question asks; the rules below read assertions only
                elif t.lemma_ in CONSEQUENCE and _modal_frame(t) is not None:
                    # "would be more likely to drive people to …", "is going to be bled": the modal is up the chain
                    title = risk_title(u, pos, _modal_frame(t))
                    if title:
                        risk = (title, 0.45, [t.lemma_])
                elif _harm_predicate(t) or _faces_possible(t) or _conditional_harm(t) or _futile(t):
                    # read from the grammar of the clause alone, with no warning word: a lead to check
                    title = risk_title(u, pos, t)
                    if title:
                        risk = (title, 0.45, [t.lemma_])
                elif t.lemma_ in ("lead", "result") and t.tag_ != "VBD" and any(
                        c.dep_ == "prep" and c.lower_ in ("to", "in") for c in t.children):
                    title = risk_title(u, pos, t)
                    if title:
                        risk = (title, 0.55, [t.lemma_])
            if risk is None and t.pos_ == "ADJ" and t.lower_ in WORRIED and t.dep_ == "acomp":
                # "some are worried that X might make Y difficult": a worry about what may happen, like 'fear'
                inner = next((c for c in t.children if c.dep_ == "ccomp"), None)
                if inner is not None and _modal_frame(inner) is not None:
                    title = risk_title(u, pos, inner)
                    if title:
                        risk = (title, 0.45, [t.lower_])
            low = t.lower_
            lemma = _lemma(t)
            if low in WH or (low in ("whether", "if") and t.dep_ == "mark") or (
                    low == "that" and t.dep_ == "mark" and t.head.head.lemma_ in DOUBT):
                q = _embedded_question(u, pos, t)
                if q:
                    asked.append((q, 0.75 if low != "if" else 0.6, [low]))
            elif t.lemma_ in ("guarantee", "certain", "sure", "assure") and any(
                    c.dep_ == "neg" for c in (t.children if t.pos_ == "VERB" else t.head.children)):
                # "entry cannot be guaranteed" -> "Can entry be guaranteed?"
                v = t if t.pos_ == "VERB" else t.head
                q = _invert(u, pos, v, {c.i for c in v.children if c.dep_ == "neg"})
                if q:
                    asked.append((q, 0.6, ["not " + t.lemma_]))
            elif lemma in SUPPOSE and t.tag_ == "VBN" and not _quoted(u, pos, t) and any(
                    c.dep_ == "nsubjpass" and c.lower_ == "it" for c in t.children):
                # "it is hoped that longer hours will stagger closing times": a hope or a guess, not a fact
                inner = next((c for c in t.children if c.dep_ == "ccomp"), None)
                # "it is believed more than 270 hunts went out": a guess at what already happened reports an
                # unconfirmed fact; only what is still to come ("will stagger", "could mean") is left open
                if inner is not None and not (inner.tag_ == "VBD" and not any(
                        c.dep_ == "aux" for c in inner.children)):
                    q = _invert(u, pos, inner, {c.i for c in inner.children if c.dep_ == "mark"})
                    if q:
                        asked.append((q, 0.7, [f"it is {t.lower_}"]))
            elif t.dep_ == "aux" and low == "will" and t.head.pos_ == "VERB" and not _quoted(u, pos, t) and \
                    _decision_ahead(t.head):
                # a vote, a ballot, talks or a decision still to come: its outcome is open; a plain future is a statement
                q = _invert(u, pos, t.head, set())
                if q:
                    asked.append((q, 0.45, ["will"]))
            elif lemma in PENDING and t.pos_ == "VERB" and not _quoted(u, pos, t):
                x = next((c for c in t.children if c.dep_ == "xcomp"), None)
                subj = _subject(t)
                if subj is None and t.dep_ == "acl" and t.head.pos_ in ("NOUN", "PROPN"):
                    subj = t.head  # "with the presidency hoping to strike a deal"
                # "which is expected to launch": a relative pronoun stands for a noun elsewhere, it names no one
                if x is not None and subj is not None and subj.lower_ not in ("i", "we", "it", "there") \
                        and subj.tag_ not in ("WP", "WDT") and t.dep_ != "relcl" and not _not_pending(t):
                    what = _words(u, pos, [y for y in x.subtree if y.i > x.i or y.i == x.i and y.lower_ != "to"], 16)
                    who = _who(u, pos, subj)
                    if what and who:
                        asked.append((f"Will {who} {x.lemma_ if x.pos_ == 'VERB' else ''}"
                                      f"{what[len(x.text):] if what.startswith(x.text) else ' ' + what}?".replace("  ", " "),
                                      0.55 if lemma in ("hope", "consider", "review", "decide") else 0.45, [lemma]))
            elif lemma in CONSIDER and t.pos_ == "VERB" and t.tag_ in ("VBG", "VBZ", "VBP", "VB") and \
                    not _quoted(u, pos, t):
                # "the minister is looking at the idea of a levy": a decision still to be taken
                obj = next((c for c in t.children if c.dep_ == "dobj"), None)
                if obj is None:
                    prep = next((c for c in t.children if c.dep_ == "prep" and c.lower_ in ("at", "into")), None)
                    obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
                elif lemma == "look":
                    obj = None
                subj = _subject(t)
                if obj is not None and subj is not None and subj.lower_ not in ("i", "we", "it", "there", "you"):
                    what = _words(u, pos, list(obj.subtree), 14)
                    who = _who(u, pos, subj)
                    if what and who:
                        what = what if (obj.left_edge.ent_type_ or obj.left_edge.pos_ == "PROPN") else \
                            what[:1].lower() + what[1:]
                        asked.append((f"What will {who} decide on {what}?", 0.6, [lemma]))
        question = max(asked, key=lambda q: q[1]) if asked else None
        root = st[0].sent.root
        cue = next((t for t in st if t.lower_ in UNCERTAIN or t.lower_ in ("early", "premature")), None)
        if question is None and cue is not None and cue.head.lemma_ in ("be", "remain", "seem"):
            q = _invert(u, pos, cue.head, set())  # "it is too early to …" -> "Is it too early to …?"
            if q:
                question = (q, 0.5, [cue.lower_])
        span_text = u.text[a:b]
        if risk:
            risks.append(Item(sid, u, a, b, risk[1], risk[2], content_stems(span_text), risk[0]))
        if question:
            questions.append(Item(sid, u, a, b, question[1], question[2], content_stems(span_text), question[0]))
    return risks, questions


WH = {"whether", "how", "what", "who", "when", "which", "why", "where"}
# words that make an embedded clause an open question: not knowing, asking, deciding, doubting
KNOW = {"unclear", "uncertain", "understanding", "clarity", "clear", "know", "ask", "question", "decide",
        "wonder", "doubt", "see", "debate", "depend", "consider", "determine", "discuss", "dilemma", "skepticism",
        "scepticism", "speculate", "undecided", "unknown", "uncertainty", "assess", "review", "examine",
        "investigate", "instruction", "guidance", "decision", "answer", "explanation", "certain", "sure"}
DOUBT = {"speculate", "doubt", "question", "wonder", "rumour", "rumor"}


def _knows(h: Any) -> bool:
    """A word of not knowing or deciding, or a verb completed by one ("remains to be seen", "a matter for debate")."""
    if h.lemma_.lower() in KNOW or h.lower_ in KNOW:
        return True
    for c in h.children:
        if c.dep_ in ("xcomp", "acomp") and (c.lemma_ in KNOW or c.lower_ in KNOW):
            return True
        if c.dep_ == "attr" and h.lemma_ in ("be", "remain") and any(
                g.dep_ == "prep" and any(o.lemma_ in KNOW for o in g.children if o.dep_ == "pobj") for g in c.children):
            return True
    return False


def _question_words(mark: Any) -> list[Any]:
    """The words of the direct question a '?' ends: from the opening quote or the start of the sentence."""
    doc, start = mark.doc, mark.i
    while start > mark.sent.start and doc[start - 1].tag_ != "``" and doc[start - 1].text not in ("?", ".", "!", '"'):
        start -= 1
    return [t for t in doc[start:mark.i] if not t.is_space]


def _rhetorical(words: list[Any]) -> bool:
    """True for a direct question that makes a point rather than asks: one whose subject is 'you' ("Would you wipe
    somebody's backside for £5?", "If you were running a business, would you …?") or a negative yes/no question,
    which expects the answer yes ("Wouldn't this be a good opportunity … and why do we need …?", "Don't you
    care …?")."""
    if any(t.lower_ == "you" and t.dep_ in ("nsubj", "nsubjpass") for t in words):
        return True
    lead = [t for t in words if t.pos_ not in ("CCONJ", "PUNCT")][:2]  # "But doesn't that lead to …?"
    return len(lead) == 2 and lead[0].tag_ in ("MD", "VBZ", "VBP", "VBD") and lead[1].dep_ == "neg"


def _knows_answer(gov: Any) -> bool:
    """True when the word governing an indirect question says its answer is known ("he knows perfectly well what
    game he is playing", "it is clear what they want"): plain 'know' or 'clear', not denied, not in a modal frame
    or wanted ("will know", "needs to know", "does not know", "it is not clear")."""
    if gov.lemma_ == "know" and gov.pos_ == "VERB":
        frame = gov
    elif gov.lower_ == "clear" and gov.pos_ == "ADJ" and gov.dep_ == "acomp":
        frame = gov.head
    else:
        return False
    if gov.dep_ in ("xcomp", "advcl") or any(c.dep_ == "neg" for c in (*gov.children, *frame.children)):
        return False
    return not any(c.dep_ == "aux" and (c.lower_ in MODALS or c.tag_ == "MD") for c in frame.children)


def _embedded_question(u: Unit, pos: dict[int, int], t: Any) -> str:
    """'unclear where Trump stands' -> 'Where does Trump stand?'; 'whether X could be met' -> 'Could X be met?'."""
    v = t
    while v.pos_ not in ("VERB", "AUX") and v.head.i != v.i:
        v = v.head
    if v.i == t.i or v.dep_ == "relcl":
        return ""
    if t.lower_ in ("whether", "if") and v.dep_ == "advcl" and (v.i < v.head.i or not _knows(v.head)):
        # an adverbial 'if' or 'whether' clause is a condition ("if you come to Norwich, you will see …") or a
        # concession ("you can't chase them, whether it is a fox or a deer"); only the complement of a word of
        # knowing or asking, which follows it, asks ("it remains to be seen if …", "asked if …")
        return ""
    gov, h = None, v.head
    for _ in range(3):
        if _knows(h):
            gov = h
            break
        if h.head.i == h.i:
            break
        h = h.head
    if gov is None and t.lower_ != "whether":  # "whether" asks by itself; "how", "if", "that" need a word of not knowing
        return ""
    if gov is not None and _knows_answer(gov):
        return ""
    if t.lower_ in ("whether", "if", "that"):
        q = _invert(u, pos, v, {t.i})
        if not q and t.lower_ == "whether":
            rest = _words(u, pos, [y for y in v.subtree if y.i > t.i], 20, clause=True)
            q = f"Whether {rest}?" if rest else ""
        return q
    f = t
    while f.head.i != v.i and f.head.i != f.i:
        f = f.head
    fronted = list(f.subtree)
    if f.dep_ in ("nsubj", "nsubjpass"):  # "who guarantees our security"
        body = _words(u, pos, [y for y in v.subtree if y.i >= f.left_edge.i], 20, clause=True)
        return _cap(body) + "?" if body else ""
    inv = _invert(u, pos, v, {y.i for y in fronted})
    front = _words(u, pos, fronted, 8)
    return f"{_cap(front)} {inv[:1].lower()}{inv[1:]}" if inv and front else ""


def _quoted(u: Unit, pos: dict[int, int], t: Any) -> bool:
    rel = pos.get(t.i, -1)
    return any(a <= rel < b for a, b in u.quoted)


PROPOSE = {"want", "urge", "propose", "call", "suggest", "back", "support", "oppose", "reject", "plan", "vow",
           "pledge", "demand", "favour", "favor", "recommend", "push", "seek", "scrap", "block", "veto", "introduce",
           "end", "abolish", "keep", "protect", "cap", "raise", "cut", "delay", "pause", "repeal",
           "accept"}  # consenting to a thing ("may have to accept restrictions") is a view of it


# nouns that report a course of action rather than name it ("back the plans to...", "reject calls for...")
_CONTAINER = {"plan", "proposal", "idea", "call", "demand", "claim", "suggestion", "request", "bid", "move"}
# nouns of doing whose 'of' complement is what is done ("the introduction of fingerprinting")
_DOING = {"introduction", "creation", "extension", "abolition", "removal", "imposition", "expansion", "reduction",
          "withdrawal", "adoption", "establishment", "lifting", "scrapping", "ending", "repeal", "use"}
# verbs of putting forward, whose clause with a modal of obligation or possibility is what they propose
# ("suggested the cash could be shared out", "proposed that councils should scrap the charges")
_PUT_FORWARD = {"suggest", "propose", "urge", "recommend", "demand"}
# verbs of proposing or promising: they put forward what they act on, and are no part of it
_PROPOSING = {"propose", "suggest", "plan", "pledge", "vow"}
# verbs of relation, which say what a thing is, holds or entails ("could mean curfews"), not what is done
_RELATION = {"be", "have", "mean", "include", "involve", "entail", "require", "contain"}
# verbs that act on their object even with a clause beside them (a verb of saying does not)
_ACTS = {"introduce", "end", "abolish", "keep", "protect", "cap", "raise", "cut", "delay", "pause", "repeal",
         "scrap", "block", "veto"}


def _defines_people(v: Any) -> bool:
    """A clause that says which people are meant ("those wanting to join families"): it picks out a group by its
    wish, it puts no course of action forward."""
    hops = 0
    while v.dep_ == "xcomp" and v.head.i != v.i and hops < 3:  # "wanting to join": the wish holds the action
        v, hops = v.head, hops + 1
    h = v.head
    # "those", "anyone": a demonstrative or indefinite pronoun; "a call for him to pause" names someone before
    return v.dep_ == "acl" and h.i != v.i and h.pos_ in ("PRON", "DET") and h.tag_ != "PRP"


# nouns of a means or a manner ("a means to creating a secure society", "its approach to planning for…"): what
# follows 'to' is an end or an activity, not an option
_MEANS = {"means", "way", "step", "key", "route", "path", "contribution", "approach", "method"}


# nouns of a duty or an occasion, whose infinitive says what someone has to or may do ("a responsibility to create
# an environment where…", "more time to sell the idea"), not what is put forward
_DUTY = {"responsibility", "duty", "obligation", "job", "task", "time", "opportunity", "chance"}


def _effect(v: Any) -> bool:
    """A verb that says what something would bring about, not what anyone would do: its subject is a proposal
    ("the plans could introduce…") or a thing that helps ("the checks would help protect…"), it is the purpose of
    a means ("a means to creating…") or what a duty or an occasion calls for ("a responsibility to create…")."""
    if v.dep_ == "pcomp" and v.head.lower_ == "to" and v.head.head.lemma_.lower() in _MEANS:
        return True  # not "opposition to raising the age": what is opposed is the option
    if v.dep_ in ("acl", "relcl") and v.head.lemma_.lower() in _DUTY and any(
            c.dep_ == "aux" and c.lower_ == "to" for c in v.children):
        return True  # "a responsibility to create an environment", "time to sell the idea": a task, not a measure
    t, hops = v, 0
    while hops < 4:
        # the subject nearest the verb (a headline run into the sentence can hang a second one on it)
        subj = max((c for c in t.children if c.dep_ == "nsubj"), key=lambda c: c.i if c.i < t.i else -c.i, default=None)
        if subj is not None:
            common = subj.pos_ == "NOUN" and not subj.ent_type_
            # "the plans include raising the age": what a plan holds is the option, what it does is its effect
            return common and (subj.lemma_.lower() in _CONTAINER and t.i == v.i or t.lemma_ == "help" and t.i != v.i)
        if t.dep_ not in ("xcomp", "conj") or t.head.i == t.i:
            return False
        t, hops = t.head, hops + 1
    return False


_AMOUNT_END = re.compile(r"\s+(?:to|by|of|at|from)\s+[£$€]?\d[\d.,]*\s*(?:%|per ?cent)?$")


# nouns that name persons in general (a named person is the parse's PERSON entity)
_PERSONS = {"people", "person", "man", "woman", "child", "individual", "someone", "anyone", "everyone"}


def proposals(sid: str, u: Unit, ut: list[tuple[int, Any]]) -> list[Any]:
    """What is put forward or fought over: the objects and infinitives of propose/back/oppose verbs."""
    from briefgen.draft.grouping import Phrase, junk_option, no_object, stem

    pos = {t.i: rel for rel, t in ut}
    out = []
    for _, v in ut:
        if v.pos_ != "VERB" or v.lemma_ not in PROPOSE or _defines_people(v) or _effect(v):
            continue
        comp = next((c for c in v.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
        clause = next((c for c in v.children if c.dep_ == "ccomp"), None)
        if comp is None and clause is not None and clause.pos_ == "VERB" and v.lemma_ in _PUT_FORWARD and any(
                c.dep_ == "aux" and c.lower_ in _OUGHT | {"could"} for c in clause.children) and \
                clause.lemma_ not in _RELATION:
            comp = clause  # "suggested the cash could be shared out": what ought to be done is put forward
        elif comp is None and clause is not None and clause.pos_ == "VERB" and v.lemma_ == "want" and any(
                c.dep_ == "aux" and c.lower_ == "to" for c in clause.children) and clause.lemma_ not in _RELATION:
            comp = clause  # "wants the scheme to be scrapped": what is wanted done is put forward
        obj = next((c for c in (comp or v).children if c.dep_ in ("dobj", "pobj", "nsubjpass")), None)
        light = None
        if obj is None and comp is not None and comp.lemma_ == "come":
            # "wants the rebate to come to an end": a light verb and an event noun are that event's verb ("end")
            to = next((c for c in comp.children if c.dep_ == "prep" and c.lower_ == "to"), None)
            event = next((c for c in to.children if c.dep_ == "pobj" and c.pos_ == "NOUN"), None) \
                if to is not None else None
            subj = next((c for c in comp.children if c.dep_ == "nsubj" and c.pos_ == "NOUN"), None)
            if event is not None and subj is not None:
                obj, light = subj, event.lemma_.lower()
        if obj is None and comp is None:
            prep = next((c for c in v.children if c.dep_ == "prep" and c.lower_ == "for"), None)  # "call for X"
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if clause is not None and comp is not clause and v.lemma_ not in _ACTS and not (
                obj is not None and obj.dep_ == "dobj" and obj.head.i == v.i):
            continue  # a clause reported ("suggested he branded it"); an object named ("urged an increase") stays
        if any(c.dep_ == "mark" and c.lower_ in ("whether", "if") or c.dep_ == "advmod" and c.lower_ == "how"
               for c in v.children):
            continue  # "whether privacy would be protected": what is asked about is not put forward  # "documents suggested (that) X branded it…": a verb of saying reports, it proposes nothing
        inner_verb = None
        if obj is None or obj.pos_ not in ("NOUN", "PROPN") or obj.lemma_.lower() in _CONTAINER:
            # "back the plans to introduce ID cards": the plan's own complement is the option
            inner = next((c for c in obj.children if c.dep_ in ("acl", "prep")), None) if obj is not None else None
            obj = next((c for c in inner.subtree if c.dep_ in ("dobj", "pobj") and c.pos_ == "NOUN"), None) \
                if inner is not None else None
            if obj is None:
                continue
            if inner.pos_ == "VERB" and obj.head.i == inner.i:
                inner_verb = inner  # "veto any bid to reduce the rebate": the course of action is 'reduce'
        elif obj.lemma_.lower() in _DOING:
            # "backed the introduction of 24-hour drinking": what is introduced is the option's subject
            of = next((c for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            inner = next((c for c in of.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")), None) \
                if of is not None else None
            if inner is not None:
                obj = inner
        if v.lemma_ == "accept" and any(c.dep_ == "poss" for c in obj.children):
            continue  # "accept Syria's denials", "people's frustration": what someone says or feels is no measure
        if obj.lemma_.lower() in _PERSONS:
            continue  # "accept people being persecuted", "keep out people": persons are no course of action
        if obj.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or (
                obj.i + 1 < len(obj.doc) and not obj.whitespace_ and obj.doc[obj.i + 1].text in ("-", "–")):
            continue  # a person or body is no course of action; "ex-" is a fragment of a title
        # a participle or relative clause after the object describes it ("the rebate secured in 1984")
        drop = {x.i for c in obj.rights if c.dep_ in ("relcl", "acl") for x in c.subtree}
        phrase_toks = [t for t in obj.subtree if t.dep_ not in ("relcl", "punct") and t.i >= obj.left_edge.i
                       and t.i not in drop]
        np = _words(u, pos, [t for t in phrase_toks if t.dep_ != "det" or t.i != obj.left_edge.i], 7, clause=True)
        # "an increase to 1.26%": an amount closing the phrase is no word, the noun before it is checked
        bare_np = _AMOUNT_END.sub("", np)
        if not np or junk_option(np, obj.lemma_) or no_object(u, u.text.find(np), bare_np or np):
            continue
        # a verb of taking a view or of putting forward ("propose control orders", "plan a pay rise") is no part of
        # the course of action: the title is what it acts on
        verb = inner_verb or (comp if comp is not None else (
            v if v.lemma_ not in ("back", "support", "oppose", "reject", "want", "urge", "call", "demand", "favour",
                                  "favor", "seek", "push", "recommend", "veto", "block") and
            v.lemma_ not in _PROPOSING else None))
        # "write off the debt": the particle is part of the verb, "write the debt" says something else
        prt = next((c.lower_ for c in verb.children if c.dep_ == "prt"), None) if verb is not None else None
        surface = f"{verb.lemma_} {prt + ' ' if prt else ''}{np}" if verb is not None else np
        if light:
            surface = f"{light} {np}"
        mods = {stem(w) for w in np.split()[:-1]}
        out.append(Phrase(sid, u, np, surface, stem(obj.text), mods, True, verb is not None,
                          put_forward=verb is None and v.lemma_ in _PROPOSING))
    out += _asked_for(sid, u, ut)
    out += _ought_to_be(sid, u, ut)
    out += _needed(sid, u, ut)
    return out


# nouns of quantity ("a lot of", "a number of"): they head an amount, not a thing put forward
_QUANTITY = {"lot", "amount", "number", "plenty", "bit", "range", "majority", "quantity"}


def _needed(sid: str, u: Unit, ut: list[tuple[int, Any]]) -> list[Any]:
    """A thing said to be needed for a purpose ("new powers are needed to close disorderly pubs"): it is put
    forward, whoever puts it."""
    from briefgen.draft.grouping import Phrase, junk_option, no_object, stem

    pos = {t.i: rel for rel, t in ut}
    out = []
    for _, t in ut:
        if t.pos_ != "NOUN" or t.ent_type_ or t.i not in pos or t.lemma_.lower() in _QUANTITY or (
                t.lemma_ == "deal" and any(c.lower_ in ("great", "good") for c in t.children)):
            continue  # "a lot of work is needed": an amount of something, no measure put forward
        needed = t.dep_ == "nsubjpass" and t.head.lemma_ == "need" and not is_negated(t.head)
        purpose = next((c for c in t.head.children if c.dep_ in ("advcl", "xcomp") and c.pos_ == "VERB" and any(
            a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None) if needed else None
        if purpose is None:
            continue
        drop = {x.i for c in t.rights if c.dep_ in ("relcl", "acl") for x in c.subtree}
        # "spending too much and lower taxes": a conjunction before the noun ends its phrase on the left
        start = max((x.i + 1 for x in t.subtree if x.i < t.i and x.dep_ == "cc"), default=t.left_edge.i)
        np = _words(u, pos, [x for x in t.subtree if x.i not in drop and x.dep_ != "punct" and x.i >= start
                             and not (x.dep_ == "det" and x.i == start)], 7, clause=True)
        if not np or junk_option(np, t.lemma_) or no_object(u, u.text.find(np), np):
            continue
        # the purpose says what the thing is for: "new powers to close disorderly pubs"
        what = _words(u, pos, list(purpose.subtree), 8, clause=True)
        surface = f"{np} {what}" if what else np
        out.append(Phrase(sid, u, np, surface, stem(t.text), {stem(w) for w in np.split()[:-1]}, True, False,
                          put_forward=True))
    return out


# modals of obligation: "there should be X" puts X forward; "there could be X" only foresees it
_OUGHT = {"should", "must", "ought"}


def _ought_to_be(sid: str, u: Unit, ut: list[tuple[int, Any]]) -> list[Any]:
    """'There should be a one-day strike': what ought to exist is put forward (not when it is denied: 'no')."""
    from briefgen.draft.grouping import Phrase, junk_option, no_object, stem

    pos = {t.i: rel for rel, t in ut}
    out = []
    for _, t in ut:
        if t.lemma_ != "be" or not any(c.dep_ == "expl" for c in t.children) or is_negated(t) or not any(
                c.dep_ == "aux" and c.lower_ in _OUGHT for c in t.children):
            continue
        # the last noun is the head; a hyphenated word the parse cut ("co-ordinated") can leave a first one
        attrs = [c for c in t.children if c.dep_ == "attr" and c.pos_ == "NOUN" and not c.ent_type_]
        obj = attrs[-1] if attrs else None
        if obj is None or any(c.dep_ == "det" and c.lower_ == "no" for a in attrs for c in a.children):
            continue
        drop = {x.i for c in obj.rights if c.dep_ in ("relcl", "acl") for x in c.subtree}
        first = attrs[0].left_edge
        span = [x for x in t.doc[first.i:obj.right_edge.i + 1] if x.i not in drop]
        np = _words(u, pos, [x for x in span if not (x.dep_ == "det" and x.i == first.i)], 7, clause=True)
        if not np or junk_option(np, obj.lemma_) or no_object(u, u.text.find(np), np):
            continue
        out.append(Phrase(sid, u, np, np, stem(obj.text), {stem(w) for w in np.split()[:-1]}, True, False))
    return out


# nouns of asking for something ("his call for a pause", "demands for an inquiry"): what follows 'for' is put forward
_ASKING = {"call", "demand", "plea", "appeal", "request", "push", "clamour"}


def _asked_for(sid: str, u: Unit, ut: list[tuple[int, Any]]) -> list[Any]:
    """Options named as what a call or a demand is for, whoever makes it and whatever verb reports it."""
    from briefgen.draft.grouping import Phrase, junk_option, no_object, stem

    pos = {t.i: rel for rel, t in ut}
    out = []
    for _, t in ut:
        if t.pos_ != "NOUN" or t.lemma_.lower() not in _ASKING:
            continue
        if t.tag_ == "NN" and not any(c.dep_ in ("det", "poss") for c in t.children):
            continue  # "demand for asylum", "call for evidence": a bare singular is a quantity or a notice, no plea
        prep = next((c for c in t.children if c.dep_ == "prep" and c.lower_ == "for"), None)
        obj = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if obj is None or obj.pos_ != "NOUN" or obj.ent_type_ or obj.lemma_.lower() in _ASKING:
            continue
        if HALT.match(obj.lower_):
            continue  # "a call for a pause", "demands for a delay": a halt of an option is a view of it, no new one
        drop = {x.i for c in obj.rights if c.dep_ in ("relcl", "acl") for x in c.subtree}
        toks_np = [x for x in obj.subtree if x.i not in drop and x.dep_ != "punct"
                   and not (x.dep_ == "det" and x.i == obj.left_edge.i)]
        np = _words(u, pos, toks_np, 7, clause=True)
        if not np or junk_option(np, obj.lemma_) or no_object(u, u.text.find(np), np):
            continue
        # a lone word says too little for a title: the call itself is named with it ("call for pause")
        surface = np if len(np.split()) > 1 else f"{t.lemma_.lower()} for {np}"
        out.append(Phrase(sid, u, np, surface, stem(obj.text), {stem(w) for w in np.split()[:-1]}, True, False))
    return out
