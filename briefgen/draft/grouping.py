"""Finding options, risks and open questions in statement units, and grouping them across sources by wording."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from briefgen.draft.segment import Unit

FUNCTION = {
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or", "but", "that",
    "this", "these", "those", "is", "are", "was", "were", "be", "been", "being", "it", "its", "as", "into",
    "any", "such", "their", "his", "her", "our", "we", "they", "he", "she", "which", "who", "whom", "than",
    "not", "no", "so", "if", "would", "could", "should", "will", "can", "may", "might", "must", "has", "have",
    "had", "do", "does", "did", "also", "more", "most", "some", "other", "own", "there", "about", "after",
    "before", "until", "while", "when", "where", "what", "how", "why", "all", "each", "both", "one", "two",
    "said", "says", "told", "very", "just", "only", "even", "still", "then", "now", "up", "out", "over",
    "further", "potential", "possible", "possibility", "future", "new", "current", "within", "without",
    "between", "among", "per", "via", "once", "since", "because", "though", "although", "however",
}
ACTION = re.compile(
    r"\b(deploy(?:ing|ment of|ed)?|send(?:ing)?|sent|station(?:ing)?|host(?:ing)?|presence of|establish(?:ing|ment of)?|"
    r"creat(?:e|ing|ion of)|impos(?:e|ing|ition of)|lift(?:ing)?|introduc(?:e|ing|tion of)|join(?:ing)?|"
    r"admission of|admit(?:ting)?|grant(?:ing)?|provid(?:e|ing)|offer(?:ing)?|set(?:ting)? up|"
    r"withdraw(?:al|ing)? from|pull(?:ing)? out of|"
    r"withdraw(?:al of|ing)?|suspend(?:ing)?|ban(?:ning)?|expan(?:d|ding|sion of)|extend(?:ing)?|"
    r"delay(?:ing)? on|delay(?:ing)?)\s+", re.I)
# verbs of giving, whose bare object ("provide help", "offer support") is too general to be a course of action
_GIVING = re.compile(r"(?:provid|offer|grant|giv)", re.I)
PROPOSAL = re.compile(r"\b(proposal|plan|idea|option|offer|initiative|suggestion|concept|scheme)s?\s+"
                      r"(?:is\s+|was\s+)?(?:to|of|for|that)\b", re.I)
_PROPOSAL_TO = re.compile(r"\b(?:proposal|plan|idea|option|offer|initiative|suggestion|scheme|decision|bid)s?"
                          r"\s+to\s+([a-z]+)\s+", re.I)
INSTRUMENT = {"mission", "missions", "force", "forces", "operation", "operations", "membership", "agreement",
              "agreements", "guarantee", "guarantees", "coalition", "deal", "treaty", "ceasefire", "sanctions",
              "mandate", "talks", "negotiations", "framework", "fund", "tariffs", "tariff", "tax", "ban",
              "reform", "programme", "program", "package", "zone", "corridor", "referendum",
              "embargo", "blockade", "loan", "aid", "accession", "settlement", "truce", "contingent"}
# words that may join two nouns inside one option phrase ("peace or ceasefire negotiations")
JOINERS = {"or", "and"}
NOT_HEAD = {"issue", "way", "time", "country", "part", "thing", "question", "number", "role", "idea",
            "option", "options", "area", "areas", "point", "points", "year", "years", "month", "months",
            "day", "days", "week", "weeks", "side", "sides", "statement", "statements", "region", "process",
            "details", "detail", "matter", "concept", "importance", "situation", "strategy", "debate",
            "impression", "complexity", "end", "place", "case", "result", "effort", "efforts", "goal",
            "goals", "form", "approach", "interview", "conference", "plan", "proposal", "security",
            "support", "intention", "remarks", "view", "leaders", "officials", "meeting", "discussions"}
STOP_NP = FUNCTION | {"to", "under", "within", "during", "against", "across", "in", "on", "onto", "toward",
                      "towards", "capable", "able", "like", "including", "especially", "particularly"}
_WORD = re.compile(r"[A-Za-zÀ-ÿ][\w'’\-]*")

RISK_STRONG = re.compile(
    r"\b(threat\w*|risk\w*|danger\w*|escalat\w*|provocation\w*|veto|obstacle\w*|target\w*|ignor\w*|"
    r"insufficient|negatively|undermin\w*|inability|unable|retaliat\w*|combatants?|invasion|invade\w*|"
    r"incursion\w*|aggression|attack\w*|collapse\w*|casualt\w*|vulnerab\w*|sufficient to deter|"
    r"not (?:be )?enough|lack\w*|advance\w*|bombing|killed|wounded|would require|poses?|reluctan\w*|"
    r"deter\w*|hostilit\w*|trigger\w*|countermeasure\w*|backlash|shortage\w*|disrupt\w*|crisis|"
    r"recession|inflation|hurt\w*|harm\w*|damag\w*|fears?|higher \w+ (?:prices|bills|costs)|"
    r"raise \w+ prices)\b", re.I)
RISK_WEAK = re.compile(r"\b(war|conflict|challeng\w*|complex\w*|costs?|hesitat\w*|reluctan\w*|fail\w*|difficult\w*|"
                       r"problem\w*|concern\w*|pressure|dilemma|impression|could|might|may|would)\b", re.I)
THREAT_NOUN = re.compile(r"\b(threats?|risks?|dangers?|obstacles?|challenges?|veto|provocations?|"
                         r"vulnerabilit\w+)\b", re.I)
MODAL = re.compile(r"\b(could|would|might|may|can|will|future|potential|if|unless|once)\b", re.I)
QUESTION = re.compile(
    r"\?|\b(unclear|uncertain\w*|undecided|too early|not yet (?:clear|decided|known)|remains to be seen|"
    r"open question|key question|whether|dilemma|clarity|clear understanding|speculat\w*|unknown|"
    r"unanswered|premature|no decision|(?:lack of|no) consensus|differences over|undetermined|"
    r"rumou?rs?|what happens|at what point)\b", re.I)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude, predictable stem for grouping (case-folded, plural and common suffixes removed)."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"'s$", "", w)
    for suf, rep in (("ies", "y"), ("ing", ""), ("ment", ""), ("ers", "er"), ("es", "e"), ("s", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            if suf == "s" and w.endswith("ss"):
                break
            return w[: len(w) - len(suf)] + rep
    return w


def content_stems(text: str) -> set[str]:
    """The content-word stems of a text."""
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in FUNCTION and len(w) > 2}


@dataclass
class Phrase:
    """An option phrase found in a unit."""

    source: str
    unit: Unit
    np: str  # the noun phrase, verbatim
    surface: str  # action + noun phrase, verbatim
    head: str  # stem of the head noun
    mods: set[str]
    proposal: bool
    action: bool = False  # found as the object of a proposal verb ("impose a tax")
    named: bool = False  # the policy word is part of a body's name ("the International Monetary Fund")
    put_forward: bool = False  # the object of a verb of proposing or promising ("plans a snap election")


@dataclass
class Group:
    """Items of one kind grouped across sources."""

    key: str
    members: list = field(default_factory=list)
    stems: Counter = field(default_factory=Counter)

    @property
    def sources(self) -> set[str]:
        """The sources the members come from."""
        return {m.source for m in self.members}


def _np_after(text: str, pos: int) -> tuple[str, int] | None:
    """The noun phrase starting at pos: up to five words, stopping at function words and punctuation."""
    words = []
    end = pos
    for m in _WORD.finditer(text, pos):
        gap = text[end:m.start()].strip(" “”\"‘’'")
        # "the 1951 Convention": a year or a count before the first word does not end the phrase
        if gap and (words or not re.fullmatch(r"\d[\d.,]*", gap)):
            break
        w = m.group(0)
        lw = w.lower()
        if not words and lw in ("a", "an", "the", "any", "such", "more", "some", "its", "their", "our"):
            end = m.end()
            continue
        if lw in JOINERS and words:
            nxt = _WORD.match(text, m.end() + 1)
            if nxt and nxt.group(0).lower() not in STOP_NP:
                continue
        if lw in STOP_NP or lw.endswith("ly"):
            break
        words.append(m)
        end = m.end()
        if len(words) >= 5:
            break
    if not words:
        return None
    # "coalition of the willing": keep a short 'of' complement of an instrument noun
    return text[words[0].start():words[-1].end()], words[-1].end()


def _np_before(text: str, pos: int, verbs: frozenset[int] = frozenset()) -> str | None:
    """Up to three modifier words right before an instrument noun, plus the noun (a verb ends the modifiers)."""
    left = text[:pos]
    ms = list(_WORD.finditer(left))[-3:]
    keep = []
    for m in reversed(ms):
        if left[m.end():(keep[0].start() if keep else pos)].strip(" “”\"‘’'"):
            break
        lw = m.group(0).lower()
        if lw in STOP_NP or lw.endswith(("ly", "ed")) or lw in ("through", "across", "via", "like", "per") \
                or m.start() in verbs:
            break
        if m.start() > 0 and text[m.start() - 1] in "'’" or not m.group(0)[:1].isalpha():
            break  # "Radio 4's Today": the tail of a possessive is no modifier
        keep.insert(0, m)
    return text[keep[0].start():pos] if keep else None


PRONOUN_OBJECTS = {"them", "it", "this", "that", "these", "those", "him", "her", "us", "rid", "one"}
POSSESSIVE = {"its", "their", "his", "her", "our", "my", "your"}
BROADCAST = {"programme", "program", "show"}


# nouns of feeling or doubt: one raises, lifts or voices them ("raised concerns", "lift spirits"), which states a
# view or a mood, not a course of action
FEELING = {"concern", "hope", "fear", "doubt", "worry", "anxiety", "question", "spirit", "eyebrow", "alarm",
           "expectation", "suspicion", "morale"}


def junk_option(phrase: str, head: str) -> bool:
    """A phrase that is no option: a pronoun for an object, a feeling, or a broadcast's name ("Today programme")."""
    words = _WORD.findall(phrase)
    if not words or words[-1].lower() in PRONOUN_OBJECTS:
        return True
    if stem(words[-1]) in FEELING or stem(head) in FEELING:
        return True
    if len(words) <= 2 and words[0].lower() in POSSESSIVE:
        return True  # "its people": a pronoun and a noun point back at something, they name no course of action
    if re.search(r"(?:['’]s|s['’])$", words[-1]):
        return True  # "hold Mr Blair's": a phrase cut at a possessive has lost the thing possessed
    if words[-1].lower() in BROADCAST and all(w[:1].isupper() for w in words[:-1]):
        return True
    return False


def no_object(unit: Unit, at: int, phrase: str, verb_at: int | None = None) -> bool:
    """What follows an action word names no thing acted on, by the parse: the action word is a noun ("chat show
    host Robert …"), the phrase ends on a word that is no noun ("establish whether"), or it names a person."""
    if unit.nouns is None or at < 0:
        return False  # no parse (or no verbatim phrase): the wording rules alone decide
    if verb_at is not None and verb_at in unit.nouns:
        return True
    words = list(_WORD.finditer(phrase))
    if not words:
        return True
    last = words[-1]
    if at + last.start() not in unit.nouns:
        return True
    return at + last.start() in unit.people


def described(p: Phrase) -> bool:
    """A phrase with no action whose first word the parse reads as an adjective, adverb or pronoun ("very bad
    bill", "tough negotiations", "his legal action"): it describes a thing, it names no course of action."""
    u = p.unit
    at = u.text.find(p.np)
    first = _WORD.search(p.np)
    if p.action or p.put_forward or u.nouns is None or at < 0 or first is None:
        return False  # what someone proposes or promises is put forward, however it is described
    return at + first.start() in u.describing


def find_options(source: str, unit: Unit) -> list[Phrase]:
    """Option phrases in a unit: objects of proposal verbs and policy instruments with their modifiers."""
    text = unit.text
    out: list[Phrase] = []
    proposal_here = bool(PROPOSAL.search(text))
    for m in ACTION.finditer(text):
        np = _np_after(text, m.end())
        if not np:
            continue
        phrase, _ = np
        if text.find(phrase, m.end()) in unit.verbs:
            continue  # "the ban came in": the action word is a noun and what follows is its verb, no object
        words = _WORD.findall(phrase)
        head = stem(words[-1])
        if words[-1].lower() in NOT_HEAD or words[-1][:1].isupper() and len(words) == 1 and not words[-1].isupper():
            continue
        if junk_option(phrase, head):
            continue
        if len(words) == 1 and _GIVING.match(m.group(1)) and text[m.end():m.end() + 1].islower():
            continue  # "provide help", "give advice": a verb of giving with a bare common noun names nothing given
        # a bare verb form ("host", "offer") must be read as a verb; "deployment of" is a noun by design
        if m.start() in unit.past:
            continue  # "the earthquake sent huge waves": what was done is reported, nothing is put forward
        if m.start() in unit.effects:
            continue  # "the plans could introduce a free market": an effect of something, not a course of action
        # a gerund's tag is the noun's, too ("withdrawing from": a verb of leaving names what is left after 'from')
        bare = not m.group(1).lower().endswith(("of", "on", "ing")) and "ing " not in m.group(1).lower()
        if no_object(unit, text.find(phrase, m.end()), phrase, m.start() if bare else None):
            continue
        out.append(Phrase(source, unit, phrase, text[m.start():m.end()] + phrase, head,
                          {stem(w) for w in words[:-1]}, True, True))
    for m in _PROPOSAL_TO.finditer(text):  # "the plan to fill the reservoir"
        np = _np_after(text, m.end())
        if not np:
            continue
        phrase = np[0]
        words = _WORD.findall(phrase)
        if words[-1].lower() in NOT_HEAD or stem(words[-1]) in NOT_HEAD or len(words) < 1 \
                or junk_option(phrase, words[-1].lower()) or no_object(unit, text.find(phrase, m.end()), phrase):
            continue  # "a decision to back the plans": a plan is what holds the option, not the option
        if unit.nouns is not None and m.start(1) in unit.describing:
            continue  # "the idea to its people": 'to' is a preposition, and what follows it is no verb
        if text.find(phrase, m.end()) in unit.bodies:
            continue  # "his decision to quit UKIP": a body one joins or leaves is no course of action
        out.append(Phrase(source, unit, phrase, m.group(1) + " " + phrase, stem(words[-1]),
                          {stem(w) for w in words[:-1]}, True, True))
    for m in _WORD.finditer(text):
        lw = m.group(0).lower()
        if lw not in INSTRUMENT:
            continue
        before = _np_before(text, m.start(), unit.verbs)
        phrase = (before or "") + m.group(0)
        tail = re.match(r"\s+of\s+the\s+(\w+)\b", text[m.end():])
        if lw == "coalition" and tail:
            phrase += tail.group(0)
        words = _WORD.findall(phrase)
        if len(words) < 2 and not proposal_here or junk_option(phrase, lw):
            continue
        out.append(Phrase(source, unit, phrase, phrase, stem(lw), {stem(w) for w in words if w.lower() != lw},
                          proposal_here, named=m.start() in unit.bodies))
    return out


def premod_stems(p: Phrase) -> set[str]:
    """The stems of the words before a phrase's head, hyphenated words split ("24-hour drinking": 'hour')."""
    out = set()
    for w in _WORD.findall(p.np):
        if stem(w) == p.head:
            break
        out |= {stem(x) for x in re.split(r"[-‐–]", w) if len(x) > 2 and x.lower() not in FUNCTION}
    return out


def group_options(phrases: list[Phrase]) -> list[Group]:
    """Option phrases grouped by head noun; a group whose head modifies another group's phrases joins it."""
    groups: dict[str, Group] = {}
    seen: set[tuple[str, int, str]] = set()
    for p in phrases:
        # one passage naming a thing once is one mention, however many finders saw it (the same Unit object)
        if (p.source, id(p.unit), p.head) in seen:
            continue
        seen.add((p.source, id(p.unit), p.head))
        g = groups.setdefault(p.head, Group(p.head))
        g.members.append(p)
        g.stems.update(p.mods | {p.head})
    pre = {id(p): premod_stems(p) for g in groups.values() for p in g.members}
    # merge "monitor" into "team" when "monitor team" is said (head used as a modifier), and "talks deal"
    # into "talks" when the larger group's head modifies the smaller group's phrases
    for key in sorted(groups, key=lambda k: (len(groups[k].members), k)):
        g = groups.get(key)
        if g is None:
            continue
        for other_key, other in sorted(groups.items(), key=lambda kv: (-len(kv[1].members), kv[0])):
            if other_key == key or len(other.members) < len(g.members):
                continue
            uses = sum(1 for p in other.members if key in p.mods | pre[id(p)])
            used = sum(1 for p in g.members if other_key in pre[id(p)])
            if uses and uses * 3 >= len(other.members) or used and used * 2 >= len(g.members):
                other.members.extend(g.members)
                other.stems.update(g.stems)
                del groups[key]
                break
    return list(groups.values())


@dataclass
class Item:
    """A risk or open-question candidate: the cited span and how sure we are."""

    source: str
    unit: Unit
    start: int
    end: int
    score: float
    cues: list[str]
    stems: set[str]
    title: str = ""  # the item as written for the brief (a risk's cause -> consequence, a question), if known

    @property
    def text(self) -> str:
        """The cited span, verbatim."""
        return self.unit.text[self.start:self.end]


def _clause_around(text: str, at: int, end: int) -> tuple[int, int]:
    """The sentence around a cue (units may hold several sentences)."""
    s = max(text.rfind(". ", 0, at), text.rfind("? ", 0, at), text.rfind("! ", 0, at))
    s = 0 if s < 0 else s + 2
    e_candidates = [i for i in (text.find(". ", end), text.find("? ", end), text.find("! ", end)) if i >= 0]
    e = min(e_candidates) + 1 if e_candidates else len(text)
    while s < e and text[s].isspace():
        s += 1
    return s, e


_CLAUSE_SEP = re.compile(r",\s+(?:but|while|whereas|and)\s+|;\s+|\s[-–—]\s")


def find_risks(source: str, unit: Unit) -> list[Item]:
    """Risk candidates: sentences with threat, cost or failure language."""
    text = unit.text
    # a cue word in the simple past reports what happened ("attacked the plans"), and one that qualifies a noun
    # names a kind of thing ("target seats", "high-risk areas"): neither is a threat ahead
    strong = [m for m in RISK_STRONG.finditer(text) if m.start() not in unit.past and m.start() not in unit.modifiers]
    weak = list(RISK_WEAK.finditer(text))
    if not strong:
        return []
    threat = THREAT_NOUN.search(text)
    if not (threat or MODAL.search(text)):
        return []  # a past fact ("were killed") is not a risk; a risk looks ahead or names a threat
    score = min(1.0, 0.3 + 0.15 * len({m.group(0).lower() for m in strong}) + 0.05 * len(weak)
                + (0.1 if threat else 0))
    s, e = _clause_around(text, strong[0].start(), strong[0].end())
    if e - s < 25:
        s, e = 0, len(text)
    # start at the clause that holds the cue ("…, but Germany warned that the levy could trigger…")
    cut = max((m.end() for m in _CLAUSE_SEP.finditer(text, s, strong[0].start())), default=s)
    if e - cut >= 25:
        s = cut
    return [Item(source, unit, s, e, score, [m.group(0) for m in strong[:3]], content_stems(text[s:e]))]


def find_questions(source: str, unit: Unit) -> list[Item]:
    """Open-question candidates: questions asked, and what the text calls unclear, undecided or too early."""
    text = unit.text
    out = []
    for m in QUESTION.finditer(text):
        cue = m.group(0)
        if cue == "?":
            s = max(text.rfind(". ", 0, m.start()), text.rfind("? ", 0, m.start()), text.rfind("“", 0, m.start()),
                    text.rfind('"', 0, m.start()))
            s = 0 if s < 0 else s + 1
            while s < m.start() and not text[s].isalnum():
                s += 1
            e = m.end()
            score = 0.8
        else:
            s, e = _clause_around(text, m.start(), m.end())
            if cue.lower() == "whether" and len(text[m.end():e].split()) < 5:
                continue  # "whether 20 years or more": a conjunction, not a question
            score = 0.75 if cue.lower() in ("unclear", "undecided", "too early", "key question", "whether",
                                            "open question", "uncertain", "uncertainty", "dilemma") else 0.5
        if e - s < 12:
            continue
        if out and out[-1].start <= s < out[-1].end:
            continue
        out.append(Item(source, unit, s, e, score, [cue], content_stems(text[s:e])))
    return out


def group_items(items: list[Item], threshold: float = 0.25) -> list[Group]:
    """Items grouped by word overlap (Jaccard of content stems), comparing only groups that share a stem."""
    groups: list[Group] = []
    index: dict[str, list[int]] = defaultdict(list)
    for it in sorted(items, key=lambda i: -i.score):
        cands = Counter()
        for s in it.stems:
            for gi in index.get(s, ())[:50]:
                cands[gi] += 1
        best, best_sim = None, 0.0
        for gi, _ in cands.most_common(10):
            g = groups[gi]
            rep = g.members[0].stems
            sim = len(rep & it.stems) / max(1, len(rep | it.stems))
            if sim > best_sim:
                best, best_sim = gi, sim
        if best is not None and best_sim >= threshold and all(
                m.unit is not it.unit or m.source != it.source for m in groups[best].members):
            groups[best].members.append(it)
        else:
            groups.append(Group(str(len(groups)), [it], Counter(it.stems)))
            best = len(groups) - 1
            for s in it.stems:
                index[s].append(best)
    return groups


def title_phrase(title: str, source: str = "") -> Phrase | None:
    """The option phrase an option's title names, found as in a source ("Deploy border monitors": monitors).

    The first phrase the source rules find (a proposal verb's object first); else the noun phrase
    the title opens with. None for a title with no words.
    """
    unit = Unit(0, len(title), title, 0, mask=title)
    found = find_options(source, unit)
    if found:
        return found[0]
    np = _np_after(title, 0)
    if not np:
        return None
    words = _WORD.findall(np[0])
    return Phrase(source, unit, np[0], np[0], stem(words[-1]), {stem(w) for w in words[:-1]}, False)
