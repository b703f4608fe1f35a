"""Finding actors in text: the gazetteer (states, capitals, demonyms, metonyms, organisations), people and roles."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from briefgen.brief.briefio import BriefFileError, read_brief_file
from briefgen.draft.segment import ABBREVIATIONS, Token, tokens
from briefgen.errors import InputError

DATA = Path(__file__).resolve().parent.parent / "data" / "gazetteer.yaml"

# Capitalised words that start sentences or clauses and are never part of a name.
STOP_CAPS = {
    "the", "a", "an", "and", "or", "but", "however", "while", "when", "if", "as", "at", "in", "on", "of",
    "for", "to", "by", "from", "with", "this", "that", "these", "those", "there", "their", "they", "it",
    "its", "he", "she", "his", "her", "we", "our", "i", "you", "my", "your", "until", "during", "after",
    "before", "since", "although", "though", "because", "therefore", "meanwhile", "according", "even",
    "so", "yet", "also", "still", "what", "who", "why", "how", "where", "which", "whether", "not", "no",
    "yes", "all", "some", "any", "each", "both", "few", "many", "most", "more", "other", "another",
    "such", "one", "two", "three", "first", "last", "new", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", "today", "tomorrow", "yesterday",
    "without", "within", "over", "under", "amid", "amidst", "despite", "between", "among", "into",
    "once", "then", "now", "here", "about", "above", "again", "against", "along", "around", "away",
    "otherwise",
    "air", "defence",
    "defense", "western", "eastern", "northern", "southern", "allied", "allies", "west", "east",
    "north", "south", "europe", "european", "europeans", "euro-atlantic", "president-elect", "current", "prime", "deputy", "foreign", "affairs", "committee",
    "parliament", "office", "government", "ministry", "council", "security", "state", "states",
    "national", "international", "federal", "republic", "union", "party", "army", "forces", "force",
    "navy", "military", "press", "news", "network", "agency", "agreements",
    "agreement", "war", "peace", "plan", "proposal", "mission", 
}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A name folded for comparison: no accents, lower case, doubled letters and y/i endings merged."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[’'`]s\b", "", s)
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = re.sub(r"(iy|iy|yi|ij|yy|ii)\b", "y", s)
    s = re.sub(r"(.)\1+", r"\1", s)
    s = s.replace("ks", "x")
    return " ".join(s.split())


@dataclass
class Entry:
    """A gazetteer entry: a state or an organisation."""

    name: str
    kind: str  # "state", "international organisation", "organisation"
    forms: set[str] = field(default_factory=set)
    demonyms: set[str] = field(default_factory=set)


@dataclass
class Gazetteer:
    """The world knowledge used to recognise actors (bundled file plus user extensions)."""

    entries: dict[str, Entry]
    media: set[str]
    titles: list[str]
    role_groups: dict[str, list[str]]
    surface: dict[str, tuple[str, str]] = field(default_factory=dict)  # form -> (entry name, how)
    lower_ok: set[str] = field(default_factory=set)
    title_words: set[str] = field(default_factory=set)
    regex: re.Pattern[str] | None = None
    offices: list[str] = field(default_factory=list)
    departments: set[str] = field(default_factory=set)

    def build(self) -> "Gazetteer":
        """Index every surface form for fast look-up."""
        self.surface.clear()
        for e in self.entries.values():
            for f in e.forms:
                self.surface.setdefault(f, (e.name, "name"))
            for d in e.demonyms:
                self.surface.setdefault(d, (e.name, "demonym"))
        forms = sorted(self.surface, key=len, reverse=True)
        self.regex = re.compile(r"(?<![\w])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w])",
                                re.IGNORECASE)
        self.title_words = {w.lower().rstrip(".") for t in self.titles for w in t.split()}
        self.title_words |= {t.lower() for t in self.titles}
        self._lower = {f.lower(): f for f in forms}
        self._max_words = max((len(f.split()) for f in forms), default=1)
        first: dict[str, set[int]] = {}
        for f in forms:
            parts = f.split()
            first.setdefault(_POSS.sub("", parts[0]).rstrip(".").lower(), set()).add(len(parts))
        self._first = {k: sorted(v, reverse=True) for k, v in first.items()}
        return self

    def lookup(self, form: str) -> tuple[str, str] | None:
        """The (entry name, 'name'|'demonym') a surface form stands for."""
        hit = self.surface.get(form)
        if hit:
            return hit
        orig = self._lower.get(form.lower())
        if orig and orig in self.lower_ok:
            return self.surface[orig]
        return None

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Gazetteer mentions in text: (start, end, entry name, how); lower-case capitals accepted."""
        cache = self.__dict__.setdefault("_cache", {})
        hit = cache.get(text)
        if hit is None:
            if len(cache) > 4096:
                cache.clear()
            hit = cache[text] = self._find(text)
        return list(hit)

    def _find(self, text: str) -> list[tuple[int, int, str, str]]:
        words = [(m.start(), m.end()) for m in _GZ_WORD.finditer(text)]
        out = []
        i = 0
        n = len(words)
        first = self._first
        while i < n:
            hit = None
            w0 = _POSS.sub("", text[words[i][0]:words[i][1]]).rstrip(".").lower()
            lengths = first.get(w0)
            if not lengths:
                i += 1
                continue
            for k in lengths:
                if k > n - i:
                    continue
                a, b = words[i][0], words[i + k - 1][1]
                if k > 1 and any(text[words[j][1]:words[j + 1][0]] != " " for j in range(i, i + k - 1)):
                    continue
                form = text[a:b]
                for cand, end in ((form, b), (form.rstrip("."), b - (len(form) - len(form.rstrip(".")))),
                                  (_POSS.sub("", form), a + len(_POSS.sub("", form)))):
                    found = self._match(cand)
                    if found:
                        hit = (a, end, found[0], found[1], k)
                        break
                if hit:
                    break
            if hit:
                out.append(hit[:4])
                i += hit[4]
            else:
                i += 1
        return out

    def _match(self, form: str) -> tuple[str, str] | None:
        hit = self.surface.get(form)
        if hit is not None:
            return hit
        orig = self._lower.get(form.lower())
        if orig is None:
            return None
        if form.lower() in ("us", "un", "eu", "who", "au") and form != form.upper():
            return None
        if form[:1].isupper() or orig in self.lower_ok:
            if form[:1].isupper() and form.isupper() and not orig.isupper() and len(form) > 3:
                return self.surface[orig]
            if form[:1].isupper() and form != orig and not form.isupper() and form.lower() != orig.lower():
                return None
            return self.surface[orig]
        return None

    def is_media(self, name: str) -> bool:
        """True for news outlets and wire services (never actors)."""
        return name in self.media or bool(re.search(r"\.[a-z]{2,4}$", name, re.I))

    def kind(self, name: str) -> str:
        """The actor kind of an entry."""
        e = self.entries.get(name)
        return e.kind if e else "organisation"


_GZ_WORD = re.compile(r"[^\W_][\w'’.\-]*")
_POSS = re.compile(r"[’']s$")


def _add_entry(entries: dict[str, Entry], item: dict[str, Any], kind: str, lower_ok: set[str]) -> None:
    name = str(item["name"]).strip()
    e = entries.setdefault(name, Entry(name, str(item.get("kind") or kind)))
    e.forms.add(name)
    for key in ("aliases", "metonyms"):
        for f in item.get(key) or []:
            e.forms.add(str(f))
    if item.get("capital"):
        cap = str(item["capital"])
        e.forms.add(cap)
        lower_ok.add(cap)
    for d in item.get("demonyms") or []:
        e.demonyms.add(str(d))


def load_gazetteer(extra: Path | str | None = None) -> Gazetteer:
    """The bundled gazetteer, extended by a user file of the same layout."""
    return _load(str(extra) if extra else None)


@lru_cache(maxsize=8)
def _load(extra: str | None) -> Gazetteer:
    docs = [yaml.safe_load(DATA.read_text(encoding="utf-8"))]
    if extra:
        try:
            data = read_brief_file(extra).data
        except BriefFileError as exc:
            raise InputError(f"cannot read gazetteer {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"gazetteer {extra} must be a mapping (states:, organisations:, titles:, ...)")
        docs.append(data)
    entries: dict[str, Entry] = {}
    media: set[str] = set()
    titles: list[str] = []
    groups: dict[str, list[str]] = {}
    lower_ok: set[str] = set()
    offices: list[str] = []
    departments: set[str] = set()
    for doc in docs:
        try:
            for item in doc.get("states") or []:
                _add_entry(entries, item, "state", lower_ok)
            for item in doc.get("organisations") or doc.get("organizations") or []:
                _add_entry(entries, item, "organisation", lower_ok)
            for item in doc.get("parties") or []:
                _add_entry(entries, item, "party", lower_ok)
            offices += [str(x).lower() for x in doc.get("government_offices") or []]
            departments |= {str(x) for x in doc.get("government_departments") or []}
            media |= {str(x) for x in doc.get("media") or []}
            titles += [str(x) for x in doc.get("titles") or []]
            for k, v in (doc.get("role_groups") or {}).items():
                groups.setdefault(str(k).lower(), []).extend(str(x).lower() for x in v)
        except (TypeError, KeyError, AttributeError) as exc:
            raise InputError(f"gazetteer {extra or DATA} is malformed: {exc}") from None
    return Gazetteer(entries, media, titles, groups, lower_ok=lower_ok, offices=offices,
                     departments=departments).build()


# --------------------------------------------------------------------------- one actor per real-world actor
# The rules that decide when two names are one actor, shared by every drafting engine.


HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Baroness|Professor|Prof)\.?\s", re.I)
POSTNOMINAL = {"qc", "kc", "mp", "mep", "jr", "sr", "obe", "mbe", "cbe"}


def name_parts(name: str) -> list[str]:
    """A person's name folded, without honorifics in front or post-nominals behind."""
    parts = fold(HONORIFIC.sub("", name.strip())).split()
    while len(parts) > 1 and parts[-1] in POSTNOMINAL:
        parts.pop()
    return parts


def same_people(records: list[tuple[str, str]]) -> list[str]:
    """For each (key, name) record of a person, the key of the person it names.

    Full names with the same surname and first initial are one person (spelling variants:
    Smith / Smyth alike after folding, Jon / John), kept under the longest; a one-word name is
    the person of that surname, else of that first name ("Prime Minister Abiy"), when exactly
    one full name has it.
    """
    full: dict[str, str] = {}
    by_surname: dict[str, list[str]] = defaultdict(list)
    by_first: dict[str, list[str]] = defaultdict(list)
    for key, name in records:
        parts = fold(name).split()
        if len(parts) >= 2 and key not in full:
            full[key] = name
            by_surname[parts[-1]].append(key)
            by_first[parts[0]].append(key)
    out = []
    for key, name in records:
        parts = fold(name).split()
        if key in full:
            cands = [k for k in by_surname.get(parts[-1], []) if k.split()[0][:1] == parts[0][:1]]
            out.append(sorted(cands, key=lambda k: (-len(full[k]), k))[0] if cands else key)
        else:
            cands = by_surname.get(parts[-1] if parts else "", [])
            if not cands and len(parts) == 1:
                cands = by_first.get(parts[0], [])
            out.append(cands[0] if len(cands) == 1 else key)
    return out


def name_form_groups(people: dict[str, tuple[str, int]]) -> list[list[str]]:
    """Keys of persons, each with (name, weight), that are one person across name forms; the one to keep first.

    'Mr Straw', 'Straw' and 'Jack Straw' are one; two different full names never merge, and a
    bare surname two full names share ('Tony Blair', 'Sir Ian Blair': 'Blair') joins neither.
    """
    by_surname: dict[str, list[str]] = defaultdict(list)
    for key, (name, _) in people.items():
        parts = name_parts(name)
        if parts:
            by_surname[parts[-1]].append(key)
    groups = []
    for _, keys in sorted(by_surname.items()):
        if len(keys) < 2:
            continue
        full = {" ".join(name_parts(people[k][0])) for k in keys if len(name_parts(people[k][0])) >= 2}
        if len(full) > 1:
            continue
        groups.append(sorted(keys, key=lambda k: (-len(name_parts(people[k][0])), -people[k][1], k)))
    return groups


def entity_key(name: str, gz: Gazetteer) -> str:
    """What a state, party or organisation is compared by: its gazetteer entry ('Tories' and
    'Conservative Party' are 'Conservatives'), else its folded name."""
    text = name.strip()
    hit = gz.lookup(text) or gz.lookup(_POSS.sub("", text))
    if hit is None:
        found = gz.find(text)  # "the Tories", "Britain's": the whole name is one gazetteer mention
        if len(found) == 1 and text[:found[0][0]].strip().lower() in ("", "the") \
                and not text[found[0][1]:].strip(" '’s."):
            hit = found[0][2:]
    return "gazetteer:" + hit[0] if hit else fold(text)


# --------------------------------------------------------------------------- mentions


@dataclass
class Mention:
    """A reference to an actor in a unit (offsets relative to the unit)."""

    start: int
    end: int
    kind: str  # "person", "entity", "voice"
    name: str  # person name, entry name, or described voice
    role: str | None = None
    affiliation: str | None = None  # entry name (state/organisation)
    org_hint: str | None = None  # a named institution from the role text
    via_person: str | None = None  # "deputy head of the president's office": affiliation of that person
    surname_only: bool = False
    surface: str = ""


_PARTICLES = {"de", "van", "von", "der", "al", "bin", "la", "le", "da", "di", "del", "du", "ben", "el"}
_ROLE_STOP = re.compile(r"\s(?:said|says|told|stated|noted|added|who|which|that|this|on|since|after|to the|"
                        r"in an|in a|at a|during|when|while|has|had|was|is|will)\b")
_INSTITUTION = re.compile(r"\b([A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)*)\s+(?i:think tank|institute|centre|"
                          r"center|university|foundation|council|party|group)\b")


def _is_name_token(t: Token, gz: Gazetteer) -> bool:
    w = t.text
    if not w[:1].isupper() or w.lower() in STOP_CAPS:
        return False
    if w.isupper() and len(w) > 1 and not w.endswith("."):  # acronyms are not given names
        return False
    if w.lower().rstrip(".") in gz.title_words or w.lower().split("-")[-1] in gz.title_words:
        return False  # "Co-Chairman" is a title too
    if gz.lookup(w) or gz.lookup(_POSS.sub("", w)):
        return False
    return any(ch.islower() for ch in w) and not any(ch.isdigit() for ch in w)


def find_people(text: str, mask: str, gz: Gazetteer) -> list[Mention]:
    """People named in the unmasked part of a unit: two or more name words, or one after a title."""
    toks = tokens(mask)
    out: list[Mention] = []
    caps = sum(1 for t in toks if t.cap)
    if len(toks) >= 4 and caps >= 0.7 * len(toks) and not text.rstrip().endswith((".", "!", "?", "”", '"')):
        return out  # a headline in Title Case: its capitals are not names
    covered = [(s, e) for s, e, _, _ in gz.find(mask)]
    i = 0
    while i < len(toks):
        t = toks[i]
        if not _is_name_token(t, gz):
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and toks[j + 1].start - toks[j].end <= 1 and (
            _is_name_token(toks[j + 1], gz) or _month_surname(toks, j + 1)
            or (toks[j + 1].low in _PARTICLES and j + 2 < len(toks) and _is_name_token(toks[j + 2], gz))
        ) and not mask[toks[j].end:toks[j + 1].start].strip():
            j += 1
            if j - i >= 3:
                break
        lead = next((e for s_, e, _, how in gz.find(mask[t.start:toks[j].end]) if s_ == 0), None)
        if lead is not None and j > i:
            # "Lib Dem Lembit Opik": a party's or a state's short form before the name is a title, not a name
            k = i
            while k < j and toks[k].end <= t.start + lead:
                k += 1
            if k > i and toks[k - 1].end == t.start + lead:
                i, t = k, toks[k]
        words = toks[i : j + 1]
        last = words[-1]
        if any(s < last.end and t.start < e for s, e in covered):
            i = j + 1
            continue
        surface = mask[t.start : last.end]
        name = re.sub(r"[’']s$", "", surface)
        prev = toks[i - 1] if i else None
        after_title = prev is not None and (prev.low.rstrip(".") in gz.title_words or prev.low.endswith("."))
        sentence_start = i == 0 or mask[toks[i - 1].end:t.start].strip() in (".", ":", ";")
        if len(words) >= 2 or after_title:
            out.append(Mention(t.start, t.start + len(name), "person", name, surface=surface))
        else:
            out.append(Mention(t.start, t.start + len(name), "person", name, surname_only=True, surface=surface))
        i = j + 1
    return out


_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"}


def _month_surname(toks: list[Token], k: int) -> bool:
    """'Theresa May': a month's name right after a given name, with no day number after it, is a surname."""
    t = toks[k]
    return t.low in _MONTHS and t.text[:1].isupper() and not (
        k + 1 < len(toks) and toks[k + 1].text[:1].isdigit())


def role_before(mask: str, start: int, gz: Gazetteer) -> tuple[str | None, int]:
    """Role words written just before a name ("Polish Prime Minister", "political analyst"), and where they start."""
    off = max(0, start - 160)
    toks = [Token(t.text, t.start + off, t.end + off) for t in tokens(mask[off:start])]
    k = len(toks)
    taken: list[Token] = []
    while k > 0:
        t = toks[k - 1]
        gap = mask[t.end : (taken[0].start if taken else start)].strip()
        if gap == "." and t.low in ABBREVIATIONS:
            gap = ""
        if gap not in ("", ",") or (gap == "," and taken):
            break
        low = t.low.rstrip(".")
        base = re.sub(r"[’']s$", "", t.text)
        modifier = t.cap and taken and taken[0].low.rstrip(".") in gz.title_words and low not in STOP_CAPS
        if low in gz.title_words or gz.lookup(base) or modifier or low in (
                "of", "the", "and", "top", "senior", "former", "outgoing", "newly", "elected", "acting"):
            taken.insert(0, t)
            k -= 1
            continue
        break
    while taken and taken[0].low in ("of", "the", "and"):
        taken.pop(0)
    if not taken:
        return None, start
    s = taken[0].start
    for a, b, _, _ in gz.find(mask[off:start]):
        if off + a < s < off + b:  # "Lib Dem MP": the party's short form is part of the title
            s = off + a
    return mask[s:start].strip(" ,"), s


def role_after(mask: str, end: int, gz: Gazetteer) -> tuple[str | None, int]:
    """An appositive role after a name: ", chairman of the Foreign Affairs Committee of …,"."""
    m = re.match(r",\s+((?:an?|the)\s+)?([^,.;:“”\"]{2,120})", mask[end:])
    if not m:
        return None, end
    phrase = m.group(2)
    first = phrase.split()[0].lower().rstrip(".") if phrase.split() else ""
    ok = first in gz.title_words or (len(phrase.split()) > 1 and phrase.split()[1].lower() in gz.title_words)
    ok = ok or bool(re.match(r"(?:deputy|international|senior|former|political|security|military|"
                             r"\w+ security)\b", phrase, re.I))
    if not ok:
        return None, end
    cut = _ROLE_STOP.search(" " + phrase)
    if cut:
        phrase = phrase[: max(0, cut.start() - 1)]
    words = phrase.split()
    if len(words) > 14:
        phrase = " ".join(words[:14])
    phrase = phrase.strip()
    if not phrase:
        return None, end
    role = ((m.group(1) or "") + phrase).strip()
    return role, end + m.start(2) + len(phrase)


def affiliation_of(role: str | None, gz: Gazetteer) -> tuple[str | None, str | None]:
    """The state or organisation a role names (demonym, country, capital, body), and a named institution."""
    if not role:
        return None, None
    hits = gz.find(role)
    inst = _INSTITUTION.search(role)
    org = inst.group(0).removeprefix("the ").strip() if inst and not gz.lookup(inst.group(1)) else None
    if hits:
        # "ambassador to the UN": the body one is sent to is not one's own
        for s, e, name, how in hits:
            if re.search(r"\bto\s+(?:the\s+)?$", role[:s]):
                continue
            return name, org
    return None, org


def entities(mask: str, gz: Gazetteer) -> list[Mention]:
    """States and organisations mentioned in the unmasked text (capitals, demonyms, metonyms mapped)."""
    out = []
    for s, e, name, how in gz.find(mask):
        if gz.is_media(name):
            continue
        out.append(Mention(s, e, "entity", name, affiliation=name, surface=mask[s:e] + ("" if how == "name" else ""),
                           role="demonym" if how == "demonym" else None))
    return out
