"""Who said what: speech and view verbs in every order, pronoun and role follow-ons, continued quotations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from briefgen.draft.actors import (Gazetteer, Mention, affiliation_of, entities, find_people, fold,
                                   role_after, role_before)
from briefgen.draft.segment import Unit, _tokens, segment, tokens

SPEECH = {"said", "says", "say", "told", "tells", "stated", "noted", "stressed", "stresses",
          "added", "adds", "declared", "declares", "explained", "explains", "argued", "argues", "emphasized",
          "emphasised", "emphasizes", "warned", "warns", "insisted", "insists", "claimed",
          "announced", "announces", "acknowledged", "acknowledges", "admitted", "suggested", "suggesting",
          "suggests", "responded", "replied", "wrote", "writes", "posted", "tweeted", "revealed", "reveals",
          "expressed", "expresses", "stating", "saying", "highlighting", "underlined", "underscored",
          "confirmed", "confirms", "complained", "described", "cautioned", "urged", "urges", "proposed",
          "proposes", "predicted"}
VIEW = {"support", "supports", "supported", "back", "backs", "backed", "oppose", "opposes", "opposed",
        "reject", "rejects", "rejected", "rejecting", "welcome", "welcomes", "welcomed", "favour", "favours",
        "favor", "favors", "believe", "believes", "believed", "think", "thinks", "view", "views", "viewed",
        "demand", "demands", "demanded", "maintain", "maintains", "maintained", "insist", "push", "pushes",
        "pushing", "pushed", "propose", "call", "calls", "called", "want", "wants", "wanted", "prefer",
        "prefers", "refuse", "refuses", "refused", "committed", "agreed", "agree", "agrees", "dismissed",
        "dismisses", "ruled", "rules", "endorsed", "endorses", "objected", "fears", "feared", "hopes",
        "hoped", "doubts", "intends", "seeks"}
STATE_ADJ = {"skeptical", "sceptical", "confident", "optimistic", "pessimistic", "open", "opposed", "ready",
             "willing", "reluctant", "cautious", "wary", "against", "unwilling", "prepared", "keen", "determined"}
NOUNS = {"proposal", "plan", "remarks", "statement", "position", "view", "views", "opposition", "embrace",
         "support", "rejection", "idea", "call", "offer", "initiative", "stance", "pursuit", "aspirations",
         "demand", "demands", "insistence", "objection", "objections", "suggestion", "warning", "comments"}
PASSIVE = {"proposed", "suggested", "launched", "floated", "backed", "supported", "rejected", "opposed",
           "put", "advanced", "championed", "endorsed", "raised", "welcomed", "criticised", "criticized"}
COLLECTIVE = {"officials", "official", "government", "authorities", "leadership", "diplomats", "leaders",
              "side", "administration", "ministry", "parliament", "lawmakers"}
SKIP = {"also", "however", "has", "have", "had", "is", "was", "were", "are", "will", "would", "could",
        "repeatedly", "consistently", "recently", "categorically", "firmly", "already", "again", "then",
        "later", "since", "on", "in", "over", "the", "last", "days", "year", "not", "never", "newly",
        "reportedly", "publicly", "previously", "strongly", "clearly", "indeed", "further", "now", "been",
        "once", "openly", "explicitly", "s", "he", "has", "issued", "statements", "by", "a", "an", "debate",
        "significant", "ignited", "this", "week", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "still", "even", "just", "first", "long", "for", "years", "months"}
PRONOUNS = {"he", "she", "he's", "she's"}
_PREP_BEFORE = re.compile(r"\b(?:to|of|in|at|with|without|from|for|on|into|about|against|between|over|than|including)\s+(?:the\s+)?$",
                          re.I)
_RELUCTANCE = re.compile(r"\b(reluctance|resistance|opposition|support|scepticism|skepticism|hesitation|"
                         r"enthusiasm|readiness|willingness)\s+(?:among|from|in|by|of)\s+[^.;“”\"]{0,60}?"
                         r"\bincluding\s+(?:the\s+)?")
_CLAUSE = re.compile(r",\s+(?:while|whereas|but)\s+|;\s+|\s+while\s+(?=[A-Z])")
_KNOWN_AS = re.compile(r"((?:an?|the)\s+[^,.;“”\"]{3,80}?)\s+known\s+as\s+[‘'\"“]?([A-Z][\w\-]+)[’'\"”]?")
_VOICE = re.compile(r"\b(?:an?|one|another)\s+((?:senior\s+|former\s+|top\s+)?(?:[A-Z][\w\-]+\s+)?"
                    r"(?:official|diplomat|source|analyst|expert|blogger|officer|commander|adviser|advisor|"
                    r"aide|lawmaker|negotiator))\b")


@dataclass
class Person:
    """A named person in one source, with what the text says about them."""

    key: str
    name: str
    role: str | None = None
    affiliation: str | None = None
    org_hint: str | None = None
    via_person: str | None = None
    aliases: set[str] = field(default_factory=set)
    described: bool = False


@dataclass
class Statement:
    """One attributed statement: who, the clause cited, how it was attributed."""

    speaker: tuple[str, str]  # ("person", key) | ("entity", name) | ("voice", name)
    unit: Unit
    start: int  # clause span, unit-relative
    end: int
    verb: str
    how: str
    confidence: float
    verb_at: int = -1  # unit-relative offset of the attributing word
    backup: bool = True  # include the few words before the verb ("has not committed")

    @property
    def text(self) -> str:
        """The cited clause, verbatim."""
        return self.unit.text[self.start:self.end]

    @property
    def stance_text(self) -> str:
        """The words that carry the speaker's view: after a view word up to the clause end, else the clause."""
        a, b = self.stance_span
        return self.unit.text[a:b]

    @property
    def stance_negated(self) -> frozenset[int]:
        """Offsets, relative to stance_text, of the words the parse marks as negated."""
        a, b = self.stance_span
        return frozenset(i - a for i in getattr(self.unit, "negated", ()) if a <= i < b)

    @property
    def stance_inert(self) -> frozenset[int]:
        """Offsets, relative to stance_text, of stance-looking words the parse shows state no stance."""
        a, b = self.stance_span
        return frozenset(i - a for i in getattr(self.unit, "inert", ()) if a <= i < b)

    @property
    def stance_span(self) -> tuple[int, int]:
        """Where stance_text lies in the unit."""
        if self.verb_at < 0:
            return self.start, self.end
        t = self.unit.text
        if self.verb in NOUNS:  # "Ruritania's opposition to …": the noun and what follows it closely
            piece = t[self.verb_at:self.verb_at + 45]
            piece = piece.rsplit(" ", 1)[0] if len(piece) == 45 else piece
            return self.verb_at, self.verb_at + len(piece)
        after = re.match(r"[\w’'-]*\W*", t[self.verb_at:self.end])
        if self.verb.lower() in SPEECH and self.end > self.verb_at and \
                not any(ch.isalnum() for ch in t[self.verb_at + after.end():self.end]):
            # "The law is so poorly drafted no-one can define it, MPs say.": the view comes before a verb of saying
            # that ends the sentence
            return self.start, self.end
        back = t[max(0, self.verb_at - 14):self.verb_at] if self.backup else ""
        start = self.verb_at - len(back) + (back.find(" ") + 1 if " " in back else 0)
        end = len(t)
        for rx in (r"[.;]\s", r",\s+(?:although|though|while|but|whereas|which|is gaining)\b", r",\s+is\s"):
            m = re.compile(rx).search(t, self.verb_at)
            if m and m.start() < end:
                end = m.start()
        return start, min(end, self.end if self.end > self.verb_at else end)


@dataclass
class Extract:
    """Everything found in one source."""

    units: list[Unit]
    people: dict[str, Person]
    statements: list[Statement]
    entity_names: set[str]


def _person_key(name: str) -> str:
    return fold(name)


def _surname(name: str) -> str:
    parts = fold(name).split()
    return parts[-1] if parts else ""


def _register(people: dict[str, Person], m: Mention, text: str, mask: str, gz: Gazetteer) -> str | None:
    """Add a full-name person mention to the register, with role and affiliation; return its key."""
    role_b, rb_start = role_before(mask, m.start, gz)
    if role_b is None and mask[:m.start].rstrip().endswith(","):
        prev = mask[:m.start].rstrip()[:-1]
        mm = re.search(r"\b(?:the|a|an)\s+([^,.;:“”\"]{3,80})$", prev)
        if mm and any(w.lower().rstrip(".") in gz.title_words for w in mm.group(1).split()):
            role_b, rb_start = mm.group(1).strip(), mm.start(1)
    role_a, _ = role_after(mask, m.start + len(m.surface), gz)
    role = role_a or role_b
    aff, org = affiliation_of(role_a, gz) if role_a else (None, None)
    if aff is None and role_b:
        aff, org2 = affiliation_of(role_b, gz)
        org = org or org2
    via = None
    for r in (role_a, role_b):
        if r:
            pm = re.search(r"([A-Z][\w\-]+)[’']s\s+(?:office|administration|government|cabinet|team|party)", r)
            if pm and not gz.lookup(pm.group(1)):
                via = pm.group(1)
    key = _person_key(m.name)
    p = people.get(key)
    if p is None:
        p = people[key] = Person(key, m.name)
    p.aliases.add(m.name)
    if role and (p.role is None or (aff and not p.affiliation)):
        p.role = _clean_role(role)
    if aff and not p.affiliation:
        p.affiliation = aff
    p.org_hint = p.org_hint or org
    p.via_person = p.via_person or via
    m.role, m.affiliation = role, aff
    if role_b:
        m.start = min(m.start, rb_start) if rb_start < m.start else m.start
    return key


def _clean_role(role: str) -> str:
    role = re.sub(r"\s+", " ", role).strip(" ,")
    return role[:1].lower() + role[1:] if role[:2].istitle() and role.split()[0].lower() in ("the", "a", "an") else role


def _resolve_surname(people: dict[str, Person], name: str) -> str | None:
    sur = _surname(name)
    hits = [k for k, p in people.items() if _surname(p.name) == sur and not p.described]
    return hits[0] if len(hits) == 1 else None


def _mentions(unit: Unit, gz: Gazetteer, people: dict[str, Person], named: list[Mention]) -> list[Mention]:
    """Speaker candidates in a unit: people, described voices, states/bodies (not adjectives)."""
    text, mask = unit.text, unit.mask
    found: list[Mention] = []
    role_spans: list[tuple[int, int]] = []
    for m in _KNOWN_AS.finditer(mask):
        role = m.group(1)
        aff, _ = affiliation_of(role, gz)
        key = fold(m.group(2))
        p = people.setdefault(key, Person(key, m.group(2), re.sub(r"^(?:an?|the)\s+", "", role), aff, described=True))
        found.append(Mention(m.start(), m.end(), "person", p.name, surface=m.group(0)))
        role_spans.append((m.start(), m.end()))
    for m in named:
        if any(a <= m.start < b for a, b in role_spans):
            continue
        if m.surname_only:
            key = _resolve_surname(people, m.name)
            if key is None:
                nxt = re.match(r"\s+(?:also\s+|has\s+|had\s+)?(\w+)", mask[m.end:])
                if not (nxt and nxt.group(1).lower() in SPEECH):
                    continue
                # "Shoukry told …": a single name that speaks; other sources may give the full name
                key = fold(m.name)
                people.setdefault(key, Person(key, m.name, aliases={m.name}))
            m.name = people[key].name
        else:
            key = _register(people, m, text, mask, gz)
        m.org_hint = key  # carry the register key
        found.append(m)
        role_spans.append((m.start, m.end))
    for m in _VOICE.finditer(mask):
        if any(a <= m.start() < b for a, b in role_spans):
            continue
        found.append(Mention(m.start(), m.end(), "voice", m.group(1)[:1].upper() + m.group(1)[1:],
                             surface=m.group(0)))
    for e in entities(mask, gz):
        if any(a <= e.start < b for a, b in role_spans):
            continue
        tail = re.match(r"(?:\s+(?:military|senior|top|foreign|defence|defense))?\s+(\w+)", mask[e.end:])
        if tail and tail.group(1).lower() in COLLECTIVE:
            e.end = e.end + tail.end()
        elif e.role == "demonym":
            continue  # "Spanish waters": an adjective, not a speaker
        found.append(e)
    found.sort(key=lambda m: m.start)
    return found


def _role_refs(unit: Unit, gz: Gazetteer) -> list[tuple[int, int, str, str | None]]:
    """'the envoy', 'the top French diplomat', "Madrid's ambassador": (start, end, role word, state)."""
    words = "|".join(sorted(gz.role_groups, key=len, reverse=True))
    rx = re.compile(r"\b(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?:top\s+|senior\s+|former\s+)?(?:([A-Z][\w\-]+)\s+)?(" + words +
                    r")\b(?![\w-])|\b([A-Z][\w\-]+)[’']s\s+(?:top\s+)?(" + words + r")\b")
    out = []
    for m in rx.finditer(unit.mask):
        adj = m.group(1) or m.group(3)
        state = None
        if adj:
            hit = gz.lookup(adj)
            if hit is None:
                continue
            state = hit[0]
        out.append((m.start(), m.end(), (m.group(2) or m.group(4)).lower(), state))
    return out


def _between_ok(mask: str, a: int, b: int, limit: int = 7) -> bool:
    if b - a > 300:  # more than a short parenthesis apart: not subject and verb (and keeps long units linear)
        return False
    gap = mask[a:b]
    rel = re.match(r",\s+(?:which|who)\s+", gap)
    if rel:  # "the United States, which has not committed"
        gap = gap[rel.end():]
    if any(ch in gap for ch in ".;:?!“”\"") or gap.count(",") % 2 == 1:
        return False
    words = [t.low for t in tokens(gap)]
    if gap.count(",") >= 2:  # a parenthesis: ", however, has" / ", deputy head of …, stated"
        tail = [t.low for t in tokens(gap[gap.rfind(",") + 1:])]
        return len(words) <= 18 and all(w in SKIP for w in tail)
    return len(words) <= limit and sum(1 for w in words if w not in SKIP) <= 3


def extract(text: str, body_start: int, gz: Gazetteer, docs: list[tuple[int, Any]]) -> Extract:
    """Segment one source along its parse ((offset, Doc) pairs) and attribute its statements to speakers."""
    _tokens.cache_clear()  # caches help within one source only (keeps the benchmark honest)
    gz.__dict__.pop("_cache", None)
    units = segment(text, body_start, docs)
    people: dict[str, Person] = {}
    # 1. register every full-named person first, so later surname-only mentions resolve
    named = [find_people(u.text, u.mask, gz) for u in units]
    for u, found in zip(units, named):  # names inside quotations too: "(Chilean President Ana) Ruiz"
        for m in (find_people(u.text, u.text, gz) if u.quoted else [replace(x) for x in found]):
            if not m.surname_only:
                _register(people, m, u.text, u.text, gz)
    per_unit = [_mentions(u, gz, people, found) for u, found in zip(units, named)]
    statements: list[Statement] = []
    last_person: str | None = None
    last_speaker: tuple[str, str] | None = None
    entity_names: set[str] = set()
    for u, ments in zip(units, per_unit):
        refs = _role_refs(u, gz)
        found_in_unit = False
        for cs, ce in _clauses(u):
            made = _attribute(u, cs, ce, ments, refs, people, gz, last_person, last_speaker)
            for st in made:
                statements.append(st)
                found_in_unit = True
                last_speaker = st.speaker
                if st.speaker[0] == "person":
                    last_person = st.speaker[1]
                else:
                    entity_names.add(st.speaker[1])
        if not found_in_unit and u.all_quoted and last_speaker and statements and \
                statements[-1].unit.index == u.index - 1:
            statements.append(Statement(last_speaker, u, 0, len(u.text), "quote", "continued quotation", 0.6, -1))
        for m in ments:
            if m.kind == "person" and m.org_hint in people:
                last_person = m.org_hint
    return Extract(units, people, statements, entity_names)


def _clauses(u: Unit) -> list[tuple[int, int]]:
    cuts = [0]
    for m in _CLAUSE.finditer(u.mask):
        if m.start() > 15 and len(u.mask) - m.end() > 15:
            cuts.append(m.end())
    spans = []
    for i, a in enumerate(cuts):
        b = cuts[i + 1] if i + 1 < len(cuts) else len(u.text)
        seg = u.text[a:b]
        end = a + len(seg.rstrip(" ,;"))
        if i + 1 < len(cuts):
            # the clause ends where its separator starts
            sep = _CLAUSE.search(u.mask, a)
            end = sep.start() if sep else end
        spans.append((a, end))
    return spans


def _speaker_of(m: Mention) -> tuple[str, str]:
    if m.kind == "person":
        return ("person", m.org_hint or fold(m.name))
    if m.kind == "voice":
        return ("voice", m.name)
    return ("entity", m.name)


def _resolve_role(word: str, state: str | None, people: dict[str, Person], gz: Gazetteer) -> str | None:
    group = gz.role_groups.get(word, [word])
    best = None
    for key, p in people.items():
        role = (p.role or "").lower()
        if any(g in role for g in group) and (state is None or p.affiliation in (None, state)):
            best = key
            if state and p.affiliation is None:
                p.affiliation = state
    return best


def _attribute(u: Unit, cs: int, ce: int, ments: list[Mention], refs, people, gz, last_person, last_speaker):
    mask = u.mask
    toks = [t for t in tokens(mask[cs:ce])]
    out: list[Statement] = []
    ms = [m for m in ments if cs <= m.start < ce]

    def add(speaker, verb, how, conf, at=-1):
        """Record a statement by this speaker (once per clause)."""
        if speaker and all(s.speaker != speaker for s in out):
            out.append(Statement(speaker, u, cs, ce, verb, how, conf, at))

    def subject_before(pos: int, limit: int = 7):
        """The speaker written before a verb: a name, a pronoun or a role follow-on."""
        cands = [m for m in ms if m.end <= pos and _between_ok(mask, m.end, pos, limit)
                 and not _PREP_BEFORE.search(mask[max(0, m.start - 12):m.start])]
        pron = [t for t in toks if t.low in PRONOUNS and cs + t.end <= pos and _between_ok(mask, cs + t.end, pos, 3)]
        rr = [r for r in refs if r[1] <= pos and cs <= r[0] and _between_ok(mask, r[1], pos, 4)]
        best = max(cands, key=lambda m: m.end, default=None)
        if rr and (best is None or rr[-1][1] > best.end):
            key = _resolve_role(rr[-1][2], rr[-1][3], people, gz)
            if key:
                return ("person", key), 0.75, "role follow-on"
            if rr[-1][3]:
                return ("entity", rr[-1][3]), 0.55, "role of a state"
        if pron and (best is None or cs + pron[-1].end > best.end):
            in_unit = [m for m in ms if m.kind == "person" and m.end <= cs + pron[-1].start]
            if in_unit:
                return _speaker_of(in_unit[-1]), 0.7, "pronoun (same sentence)"
            if last_speaker and last_speaker[0] == "person":
                return last_speaker, 0.7, "pronoun (previous speaker)"
            if last_person:
                return ("person", last_person), 0.55, "pronoun (last person named)"
            return None
        if best is not None:
            # "France and Italy are pushing": both subjects
            return _speaker_of(best), 0.9 if best.kind == "person" else 0.8, "subject before verb"
        return None

    def subject_after(pos: int, limit: int = 12):
        """The speaker written after a verb ("said the envoy", "according to X")."""
        for m in ms:
            if m.start >= pos:
                gap = mask[pos:m.start]
                if len(tokens(gap)) <= limit and not any(ch in gap for ch in ".;?!“”\""):
                    return _speaker_of(m), 0.9 if m.kind == "person" else 0.75, "subject after verb"
                break
        for r in refs:
            if r[0] >= pos and len(tokens(mask[pos:r[0]])) <= 3:
                key = _resolve_role(r[2], r[3], people, gz)
                if key:
                    return ("person", key), 0.7, "role follow-on"
        m = re.match(r"\s*(?:also\s+)?(he|she)\b", mask[pos:])
        if m:
            if last_speaker and last_speaker[0] == "person":
                return last_speaker, 0.7, "pronoun (previous speaker)"
        return None

    speech_hits = []
    view_hits = []
    for i, t in enumerate(toks):
        at = cs + t.start
        low = t.low
        if low == "according" and i + 1 < len(toks) and toks[i + 1].low == "to":
            r = subject_after(cs + toks[i + 1].end, 4)
            if r:
                speech_hits.append((r, "according to", at))
            continue
        if low in PASSIVE and i + 1 < len(toks) and toks[i + 1].low == "by":
            r = subject_after(cs + toks[i + 1].end, 3)
            if r:
                view_hits.append((r, low, at))
            continue
        if low in SPEECH and low.endswith("ing") and speech_hits:
            continue  # "…,” the minister added, further highlighting …": the same speaker
        if low in SPEECH:
            r = subject_before(at)
            if (r is None or (r and r[2] == "pronoun (last person named)")) and low not in ("told", "tells"):
                r2 = subject_after(cs + t.end)
                r = r2 or r
            if r:
                speech_hits.append((r, low, at))
            continue
        if low in PASSIVE and i + 1 < len(toks) and toks[i + 1].low == "by":
            r = subject_after(cs + toks[i + 1].end, 3)
            if r:
                view_hits.append((r, low, at))
            continue
        if low in NOUNS:
            prev = mask[max(0, at - 40):at]
            pm = re.search(r"[’']s\s+(?:[\w\-]+\s+){0,2}$", prev)
            if pm:
                owner_end = at - len(pm.group(0))
                cand = [m for m in ms if m.end == owner_end or m.end + 2 == owner_end + 2 and
                        mask[m.end:owner_end + 2] in ("’s", "'s")]
                cand = [m for m in ms if m.start < owner_end <= m.end + 2 and m.end <= owner_end + 2]
                r = (_speaker_of(cand[-1]), 0.65, "possessive") if cand else None
                if r:
                    view_hits.append((r, low, at))
                    continue
                continue
            if i + 1 < len(toks) and toks[i + 1].low in ("by", "from"):
                r = subject_after(cs + toks[i + 1].end, 5)
                if r:
                    view_hits.append((r, low, at))
                continue
        if low in VIEW or (low in STATE_ADJ and i > 0 and toks[i - 1].low in ("is", "was", "are", "remains",
                                                                              "were", "indeed", "not")):
            r = subject_before(at)
            if r:
                view_hits.append((r, low, at))
    for m in _RELUCTANCE.finditer(mask, cs, ce):
        owner = [x for x in ms if x.start == m.end()]
        if owner:
            view_hits.append(((_speaker_of(owner[0]), 0.6, "named among"), m.group(1).lower(), m.start()))
    hits = speech_hits or view_hits
    for (speaker, conf, how), verb, at in hits:
        add(speaker, verb, how + f" ('{verb}')", conf if speech_hits else conf - 0.1,
            -1 if (verb in SPEECH and not how.startswith("subject after verb ('" + verb) or verb == "according to")
            and verb not in PASSIVE else at)
    # coordinated subjects: "France and Italy are pushing"
    for st in list(out):
        if st.how.startswith("subject before"):
            for m in ms:
                nxt = mask[m.end:m.end + 6]
                if nxt.startswith(" and ") and _speaker_of(m) != st.speaker:
                    following = [x for x in ms if x.start > m.end and _speaker_of(x) == st.speaker]
                    if following and following[0].start - m.end <= 6:
                        add(_speaker_of(m), st.verb, st.how, st.confidence - 0.05, st.verb_at)
                        out[-1].backup = False
    return out
