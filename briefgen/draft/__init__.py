"""Drafting a grounded brief from source articles: actors, positions, options, risks, open questions."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from briefgen.brief import models as m
from briefgen.draft.actors import (HONORIFIC, POSTNOMINAL, Gazetteer, entity_key, fold, load_gazetteer,
                                   name_form_groups, name_parts, same_people)
from briefgen.draft.attribution import Extract, Person, Statement, extract
from briefgen.draft.grouping import (Group, Item, Phrase, described, find_options, find_questions, find_risks,
                                     group_items, group_options, premod_stems, stem)
from briefgen.draft.grouping import FUNCTION
from briefgen.draft import nlp as language
from briefgen.draft.debates import group as group_debates
from briefgen.draft.stance import HALT, classify, combine
from briefgen.draft.syntax import Reading, read
from briefgen.errors import InputError
from briefgen.fileio import write_text_atomic
from briefgen.draft.segment import MAX_UNIT
from briefgen.sources.readers import (SourceDoc, SourceReadError, coerce_date, detect_metadata, expand_paths,
                                      read_source, sidecar_metadata, source_row, title_from_filename)

MAX_QUOTE = 420
MAX_OPTIONS = 8
MAX_RISKS = 14
MAX_QUESTIONS = 12
LOW = 0.5
MAX_DEBATES = 8
MAX_ANALYSED = 200_000  # characters of one source that are analysed (a long news feature is ~30,000)
_RUN_ON = re.compile(r"[^.!?\n]{%d}" % MAX_UNIT)


@dataclass
class Analysed:
    """One source read and analysed."""

    sid: str
    doc: SourceDoc
    meta: dict[str, Any]
    ex: Extract
    phrases: list[Phrase]
    risks: list[Item]
    questions: list[Item]
    reading: Reading = field(default_factory=Reading)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """A drafted brief plus the reasons behind each item (written as comments)."""

    brief: dict[str, Any]
    notes: dict[tuple[str, int], str] = field(default_factory=dict)
    docs: list[Analysed] = field(default_factory=list)
    model: str = ""
    warnings: list[str] = field(default_factory=list)


def slug(text: str, limit: int = 40) -> str:
    """A readable id from text: ascii, lower case, hyphens."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > limit:
        s = s[:limit].rsplit("-", 1)[0]
    return s or "item"


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, text: str) -> str:
        """A new unique id made from text."""
        base = slug(text)
        ident, n = base, 2
        while ident in self.used:
            ident = f"{base}-{n}"
            n += 1
        self.used.add(ident)
        return ident


# --------------------------------------------------------------------------- per source


def _analyse(args: tuple[str, Path, dict[str, Any], str | None, str]) -> Analysed | str:
    sid, path, side, gazetteer, model = args
    gz = load_gazetteer(gazetteer)
    nlp = language.load(model)
    try:
        doc = read_source(path)
    except SourceReadError as exc:
        if str(exc).endswith(": is empty"):  # nothing to read is worth a warning, not a failed draft
            return f"source {path} has no text and was left out"
        raise
    meta = detect_metadata(doc.text[doc.body_start:], path)
    meta.update({k: v for k, v in doc.meta.items() if v})
    meta.update({k: v for k, v in side.items() if v})
    # a source longer than any article is read up to a cap: time and memory stay bounded, and a warning says so
    text = doc.text[:doc.body_start + MAX_ANALYSED]
    docs = language.parse_text(nlp, text, doc.body_start)
    ex = extract(text, doc.body_start, gz, docs)
    reading = read(ex, doc.text, docs, gz, sid)
    ex.statements.sort(key=lambda st: (st.unit.index, st.start))
    warnings = []
    if _RUN_ON.search(doc.text, doc.body_start):
        warnings.append(f"source {sid} has passages of over {MAX_UNIT} characters without a sentence end; they were "
                        "cut into pieces, so who said what there is uncertain")
    if len(doc.text) > len(text):
        warnings.append(f"source {sid} is longer than {MAX_ANALYSED:,} characters; only its beginning was analysed")
    if not any(u.text.strip() and any(ch.isalpha() for ch in u.text) for u in ex.units):
        warnings.append(f"source {sid} has no words to analyse")
    phrases, risks, questions = [], [], []
    parsed_risks = {it.unit.index: it for it in reading.risks}
    parsed_questions = {it.unit.index: it for it in reading.questions}
    phrases += reading.options
    for u in ex.units:
        phrases += find_options(sid, u)
        # a unit's risk: the wording cues choose the span, the parse writes it as cause → consequence
        found = find_risks(sid, u)
        for it in found:
            if u.index in parsed_risks:
                it.title = parsed_risks[u.index].title
        # found by the parse alone: ranked after the items both agree on
        risks += found or [replace(it, score=it.score * 0.85) for it in reading.risks if it.unit is u]
        # a unit's open question: asked in the text, or made a question by the parse; a statement is not one
        found, points = [], []
        for it in find_questions(sid, u):
            if "?" in it.cues and (u.index, it.end) in reading.rhetorical:
                # a point made as a question ("Would you …?", "Wouldn't this …?") leaves nothing open
                points.append(it)
                continue
            if "?" in it.cues:
                it.title = " ".join(it.text.split())
            elif u.index in parsed_questions:
                it.title = parsed_questions[u.index].title
            else:
                continue
            found.append(it)
        questions += found or [it for it in reading.questions if it.unit is u and not any(
            p.start < it.end and it.start < p.end for p in points)]  # nor does a clause inside such a question
    return Analysed(sid, doc, meta, ex, phrases, risks, questions, reading, warnings)


def analyse_sources(paths: list[Path], gazetteer: Path | str | None = None, jobs: int = 1,
                    progress: Callable[[Iterable], Iterable] | None = None,
                    exclude: list[Path] | None = None, model: str | None = None) -> list[Analysed]:
    """Read and analyse every source (in parallel with jobs > 1), in a stable order."""
    model = language.choose_model(model)
    files = [f for f in expand_paths(paths)
             if not any(ex in f.resolve().parents for ex in (exclude or []))]
    if not files:
        raise InputError("no source files to draft from")
    side = sidecar_metadata(files)
    ids = _Ids()
    tasks = []
    for f in files:
        tasks.append((ids.make(_source_id(f)), f, side.get(f.resolve(), {}),
                      str(gazetteer) if gazetteer else None, model))
    if gazetteer:
        load_gazetteer(gazetteer)  # fail early with a clear message
    language.load(model)  # fail early with a clear message (and workers forked after this share the loaded model)
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            it = pool.map(_analyse, tasks, chunksize=max(1, len(tasks) // (jobs * 4)))
            results = list(progress(it) if progress else it)
    else:
        it = map(_analyse, tasks)
        results = list(progress(it) if progress else it)
    docs = [r for r in results if isinstance(r, Analysed)]
    skipped = [r for r in results if isinstance(r, str)]
    if not docs:
        raise InputError("no text to draft from: " + "; ".join(skipped))
    docs[0].warnings[:0] = skipped
    return docs


def _source_id(path: Path) -> str:
    stem = re.sub(r"^\d{4}-\d{2}-\d{2}[-_]", "", path.stem)
    return slug(stem, 36)


# --------------------------------------------------------------------------- quotes


def _quote(text: str, start: int, end: int) -> str:
    """A verbatim span, trimmed of edge spaces and cut at a word boundary when too long."""
    span = text[start:end].strip()
    if len(span) > MAX_QUOTE:
        cut = span[:MAX_QUOTE]
        cut = cut[: cut.rfind(" ")] if " " in cut else cut
        span = cut.rstrip(" ,;:")
    return span


def _locator(a: Analysed, unit, start: int = 0) -> str:
    page = a.doc.page_at(unit.start + start)
    return f"p. {page}" if page else f"para. {unit.para + 1}"


def _cite(a: Analysed, unit, start: int, end: int) -> dict[str, Any]:
    return {"source": a.sid, "quote": _quote(unit.text, start, end), "locator": _locator(a, unit, start)}


# --------------------------------------------------------------------------- actors across sources


@dataclass
class ActorAcc:
    """An actor gathered across sources."""

    key: str
    name: str
    kind: str
    role: str | None = None
    affiliation: str | None = None
    aliases: set[str] = field(default_factory=set)
    statements: list[tuple[Analysed, Statement]] = field(default_factory=list)
    how: Counter = field(default_factory=Counter)
    inferred: bool = False
    office: bool = False


_OFFICE = re.compile(r"\b(president|prime minister|minister|chancellor|ambassador|amb\.|envoy|secretary|"
                     r"spokes\w+|premier|king|queen)\b", re.I)
_SPEAKS_FOR = re.compile(r"\s+(?:will|would|is|was|has|must|cannot|can|shall)\b")


def _merge_people(docs: list[Analysed]) -> dict[tuple[str, str], str]:
    """Map (source id, person key) to a global person key; name variants and surnames merged."""
    records = [(a.sid, key, p.name) for a in docs for key, p in a.ex.people.items()]
    merged = same_people([(key, name) for _, key, name in records])
    return {(sid, key): to for (sid, key, _), to in zip(records, merged)}


def _gather_actors(docs: list[Analysed], gz: Gazetteer) -> dict[str, ActorAcc]:
    pmap = _merge_people(docs)
    people_info: dict[str, list[Person]] = defaultdict(list)
    for a in docs:
        for key, p in a.ex.people.items():
            people_info[pmap[(a.sid, key)]].append(p)
    actors: dict[str, ActorAcc] = {}
    for a in docs:
        for st in a.ex.statements:
            kind, ident = st.speaker
            if kind == "person":
                gkey = "p:" + pmap.get((a.sid, ident), ident)
                if gkey not in actors:
                    infos = people_info.get(gkey[2:]) or [a.ex.people.get(ident)]
                    infos = [i for i in infos if i]
                    name = max((i.name for i in infos), key=lambda n: (len(n.split()) >= 2, n.endswith("yy"), len(n)))
                    acc = actors[gkey] = ActorAcc(gkey, name, "person")
                    acc.aliases = {i.name for i in infos} - {name}
                    acc.role = next((i.role for i in infos if i.role and i.affiliation), None) or \
                        next((i.role for i in infos if i.role), None)
                    acc.affiliation = next((i.affiliation for i in infos if i.affiliation), None)
                    if acc.affiliation is None:
                        via = next((i.via_person for i in infos if i.via_person), None)
                        if via:
                            target = [ps for k, ps in people_info.items() if k.split()[-1] == fold(via).split()[-1]]
                            acc.affiliation = next((p.affiliation for ps in target for p in ps if p.affiliation), None)
                    if acc.affiliation is None and acc.role and _OFFICE.search(acc.role):
                        acc.inferred = True  # decided once all statements are known
                    if acc.affiliation is None:
                        acc.affiliation = next((i.org_hint for i in infos if i.org_hint and
                                                i.org_hint[:1].isupper()), None)
            elif kind == "voice":
                gkey = f"v:{a.sid}:{ident}"
                if gkey not in actors:
                    actors[gkey] = ActorAcc(gkey, ident, "person")
                    actors[gkey].role = ident.lower()
            else:
                if gz.is_media(ident):
                    continue
                gkey = "e:" + ident
                if gkey not in actors:
                    actors[gkey] = ActorAcc(gkey, ident, a.reading.kinds.get(ident) or gz.kind(ident))
            actors[gkey].statements.append((a, st))
            actors[gkey].how[st.how] += 1
    _merge_name_forms(actors)
    for key in list(actors):
        acc = actors[key]
        if acc.kind != "person" or key.startswith("v:"):
            continue
        verdict = _person_or_not(acc, docs, gz)
        if verdict is None:
            del actors[key]
            continue
        if verdict != "person":
            acc.kind = verdict
            acc.role = acc.affiliation = None
            same = next((k for k, o in actors.items() if k != key and o.kind != "person"
                         and entity_key(o.name, gz) == entity_key(acc.name, gz)), None)
            if same:  # the body was also found under its own name: one actor
                actors[same].statements += acc.statements
                actors[same].how.update(acc.how)
                del actors[key]
            continue
        _trim_to_entity(acc, docs)
        bare = " ".join(w for w in acc.name.split() if fold(w) not in POSTNOMINAL or w == acc.name.split()[0])
        if bare != acc.name:  # "Guy Mansfield QC" is Guy Mansfield
            acc.aliases.add(acc.name)
            acc.name = bare
            acc.aliases.discard(bare)
        for a in docs:
            for n in (acc.name, *sorted(acc.aliases)):
                hint = a.reading.roles.get(fold(n)) or a.reading.roles.get(" ".join(name_parts(n)))
                if hint:
                    acc.role = acc.role or hint[0]
                    if hint[1] and not acc.affiliation:
                        if hint[1] == "government":  # only when nothing more precise is found below
                            acc.office = True
                            continue
                        acc.affiliation = hint[1]
                        acc.how["affiliation from the title or apposition (parse)"] += 1
    _merge_name_forms(actors)
    for key in [k for k, acc in actors.items() if acc.kind == "person" and _is_reporter(acc, gz)]:
        del actors[key]  # the journalist who reports the debate is not a party to it
    _merge_bodies(actors, docs, gz)
    spelt = {k: v for a in docs for k, v in a.reading.short.items()}
    for acc in actors.values():  # an affiliation written as initials is spelt out when a source spells it
        if acc.affiliation and acc.affiliation.lower() in spelt and acc.affiliation.isupper():
            acc.affiliation = spelt[acc.affiliation.lower()]
    for acc in actors.values():
        if acc.inferred and acc.affiliation is None:
            # an office holder speaking of what a state "will" or "is ready" to do speaks for that state
            said = Counter()
            for _, st in acc.statements:
                for s_, e_, name, how in gz.find(st.text):
                    if how == "name" and gz.kind(name) == "state" and \
                            _SPEAKS_FOR.match(st.text[e_:e_ + 30]):
                        said[name] += 1
            if said:
                acc.affiliation = said.most_common(1)[0][0]
                acc.how["affiliation inferred from the state the statements speak for"] += 1
        if acc.office and acc.affiliation is None:
            acc.affiliation = "government"
            acc.how["affiliation from an office of the government (parse)"] += 1
    # a name already known as a person's ("Mr Cable") is that person, whatever a lone clause made of it
    known = {fold(n): k for k, acc in actors.items() if acc.kind == "person" for n in (acc.name, *acc.aliases)}
    for key in [k for k, acc in actors.items() if acc.kind != "person" and acc.name not in gz.entries]:
        owner = known.get(fold(actors[key].name))
        if owner is not None and owner != key and owner in actors:
            _absorb(actors[owner], actors.pop(key))
    return actors


_DEPARTMENT = re.compile(r"^(?:the\s+)?(?:Ministry|Department)\s+(?:of|for)\s", re.I)
# "the Labour government", "Labour ministers": the party in office (not "a future Tory government")
_IN_OFFICE = r"(?<![\w-])(?:[Tt]he|[Aa])\s+((?:[\w.\-]+\s+)?)({forms})\s+(government|administration)\b|(?<![\w-])({forms})\s+ministers\b"
_NOT_NOW = {"previous", "former", "last", "next", "future", "new", "past", "old", "incoming"}


def _absorb(target: ActorAcc, other: ActorAcc) -> None:
    """Fold one actor's names, statements and titles into another's."""
    target.aliases |= other.aliases | {other.name}
    target.aliases.discard(target.name)
    target.statements += other.statements
    target.how.update(other.how)
    target.role = target.role or other.role
    target.affiliation = target.affiliation or other.affiliation


def _party_in_office(docs: list[Analysed], gz: Gazetteer) -> dict[str, str]:
    """Parties the sources call the government ("the Labour government", "Labour ministers"): name -> that phrase."""
    out: dict[str, str] = {}
    for name in sorted(n for n, e in gz.entries.items() if e.kind == "party"):
        e = gz.entries[name]
        forms = sorted(e.forms | e.demonyms, key=len, reverse=True)
        rx = re.compile(_IN_OFFICE.format(forms="|".join(re.escape(f) for f in forms)))
        for a in docs:
            for m in rx.finditer(a.doc.text):
                if m.group(2) and m.group(1).strip().lower() in _NOT_NOW:
                    continue
                if m.group(2) and m.group(0)[:1] in "Aa" and not m.group(1).strip():
                    continue  # "a Labour government": one that may come, not the one in office
                out.setdefault(name, f"{m.group(2)} {m.group(3)}" if m.group(2) else f"{m.group(4)} government")
                break
            if name in out:
                break
    return out


def _merge_bodies(actors: dict[str, ActorAcc], docs: list[Analysed], gz: Gazetteer) -> None:
    """One actor per body: a bare head word joins the one full name it shortens ("Commission", "European
    Commission"); the government's departments and the party the sources call the government join the government."""
    bodies = sorted(k for k, a in actors.items() if a.kind != "person")

    def names(a: ActorAcc) -> set[str]:
        entry = gz.entries.get(a.name)
        return {a.name, *a.aliases, *(entry.forms if entry else ())}

    for key in bodies:
        acc = actors.get(key)
        if acc is None or acc.name in gz.entries:
            continue
        words = fold(acc.name).split()
        if len(words) == 1:  # "Commission" for the European Commission
            owners = sorted(k for k in bodies if k != key and k in actors and any(
                len(n.split()) >= 2 and fold(n).split()[-1] == words[0] for n in names(actors[k])))
        else:  # "Welsh Local" cut from the Welsh Local Government Association
            owners = sorted(k for k in bodies if k != key and k in actors and any(
                len(fold(n).split()) > len(words) and fold(n).split()[:len(words)] == words for n in names(actors[k])))
        if len(owners) == 1:
            _absorb(actors[owners[0]], actors.pop(key))
    governing = _party_in_office(docs, gz)
    for party, phrase in governing.items():
        if "e:" + party in actors:
            actors["e:" + party].aliases.add(phrase)
    family = [k for k in ("e:Government",) if k in actors]
    family += [k for k in sorted(actors) if k not in family and actors[k].kind != "person" and
               (actors[k].name in gz.departments or _DEPARTMENT.match(actors[k].name))]
    family += ["e:" + p for p in governing if "e:" + p in actors]
    if len(family) >= 2:
        target = actors[family[0]]
        for k in family[1:]:
            _absorb(target, actors.pop(k))


_NON_PERSON = {"ORG": "organisation", "NORP": "organisation", "FAC": None, "GPE": None, "LOC": None,
               "PRODUCT": None, "WORK_OF_ART": None, "LAW": None, "EVENT": None}


_REPORTER = re.compile(r"\b(correspondent|reporter|editor|journalist|presenter|anchor|columnist|commentator|"
                       r"interviewer|broadcaster)\b", re.I)


def _is_reporter(acc: ActorAcc, gz: Gazetteer) -> bool:
    """A person whose title makes them the reporter of the story (a correspondent, an editor of an outlet)."""
    return bool(acc.role and _REPORTER.search(acc.role)) or bool(acc.affiliation and gz.is_media(acc.affiliation))


_ROLE_END = re.compile(r"(?:\b(?:of|and|or|the|a|an|to|for|in|on|at|by|with|where|who|which|that|as|from)|['’]s?)$",
                       re.I)


def _fragment_role(role: str) -> bool:
    """A role cut from its sentence: it ends on a function word or a possessive ("House of", "prime minister and",
    "Labour's"), it is a number ("54"), or it runs into the next sentence ("… the European Union In his speech")."""
    words = role.split()
    return bool(_ROLE_END.search(role) or not any(ch.isalpha() for ch in role)
                or any(w[:1].isupper() and w.lower() in FUNCTION and not w.isupper() for w in words[1:]))


def _person_or_not(acc: ActorAcc, docs: list[Analysed], gz: Gazetteer) -> str | None:
    """'person' when the model reads the name as a person (or a title says so), a kind when it reads a body, else None."""
    labels: Counter = Counter()
    for a in docs:
        for n in (acc.name, *acc.aliases):
            labels.update(a.reading.labels.get(fold(n), Counter()))
    described = any(p.described for a in docs for p in a.ex.people.values() if p.name in (acc.name, *acc.aliases))
    if labels["PERSON"] or described or any(HONORIFIC.match(n) for n in (acc.name, *acc.aliases)) or any(
            len(n.split()) >= 3 and fold(n.split()[-1]) in POSTNOMINAL for n in (acc.name, *acc.aliases)):
        return "person"  # "Guy Mansfield QC": letters after a full name are a person's
    other = [lab for lab, _ in labels.most_common() if lab in _NON_PERSON]
    if other:
        return _NON_PERSON[other[0]]
    # not tagged at all: a full name with a title or role stays, a lone capitalised word does not
    return "person" if len(acc.name.split()) >= 2 and acc.role else None


def _trim_to_entity(acc: ActorAcc, docs: list[Analysed]) -> None:
    """'Chief Executive Maeve Sherlock' -> 'Maeve Sherlock' when the model reads only the last words as the person."""
    words = acc.name.split()
    if len(words) < 3 or any(a.reading.labels.get(fold(acc.name), Counter())["PERSON"] for a in docs):
        return
    for k in (2, 3):
        tail = " ".join(words[-k:])
        if k < len(words) and any(a.reading.labels.get(fold(tail), Counter())["PERSON"] for a in docs):
            acc.aliases.add(acc.name)
            acc.role = acc.role or " ".join(words[:-k])
            acc.name = tail
            return


_STRONG_STANCE = re.compile(r"^(?:not )?(?:support\w*|oppos\w*|back(?:s|ed|ing)?|reject\w*|in favou?r|favou?r\w*|"
                            r"against|welcom\w*|endors\w*|veto\w*|refus\w*|condemn\w*|cannot accept)$", re.I)


def _actor_confidence(acc: ActorAcc, docs: list[Analysed], gz: Gazetteer) -> float:
    """How sure the actor is a real, named party to the debate: the model confirms the name, it speaks often."""
    names = (acc.name, *acc.aliases)
    labels: Counter = Counter()
    for a in docs:
        for n in names:
            labels.update(a.reading.labels.get(fold(n), Counter()))
    n_src = len({a.sid for a, _ in acc.statements})
    by_parse_only = all("(parse)" in st.how for _, st in acc.statements)
    if acc.kind == "person":
        conf = 0.4 + (0.2 if labels["PERSON"] and len(acc.name.split()) >= 2 else 0) + (0.1 if acc.role else 0)
    else:
        known = acc.name in gz.entries or labels["ORG"] or labels["NORP"] or labels["GPE"]
        conf = 0.35 + (0.15 if known else 0) - (0.1 if by_parse_only else 0)
    conf += 0.1 * (len(acc.statements) >= 2) + 0.1 * (n_src >= 2) + 0.05 * (len(acc.statements) >= 4)
    return round(min(0.95, conf), 2)


def _position_confidence(stance: str, stmts: list, option_named: bool) -> float:
    """How sure the stance is: explicit stance verbs in the actor's own attributed words, repeated, on a named option."""
    cues = {c for s in stmts for c in s[4]}
    if stance in ("unclear", "neutral"):
        return 0.3
    if stance == "mixed":
        return 0.4
    strong = [c for c in cues if _STRONG_STANCE.match(c.strip())]
    direct = [s for s in stmts if not s[1].how.startswith(("pronoun", "continued", "named among"))]
    conf = 0.4 + (0.15 if strong else 0) + (0.1 if direct else 0) + (0.1 if len(stmts) >= 2 else 0)
    conf += 0.05 if option_named else -0.05
    if stance == "conditional":
        conf -= 0.05
    return round(min(0.9, conf), 2)


def _inherit_stances(actors: list[dict[str, Any]], positions: list[dict[str, Any]],
                     notes: dict[tuple[str, int], str]) -> None:
    """A member whose own words show no stance is marked with the stance of the party or body it belongs to (LOW)."""
    by_name = {fold(a["name"]): a for a in actors}
    for a in actors:
        by_name.update({fold(x): a for x in a.get("aliases", [])})
    firm = {}
    for p in positions:
        if p["stance"] in ("support", "oppose"):
            firm.setdefault((p["actor"], p["about"]), p["stance"])
    for a in actors:
        home = by_name.get(fold(a.get("affiliation") or ""))
        mine = [i for i, p in enumerate(positions) if p["actor"] == a["id"]]
        if home is None or home is a or not mine or any(positions[i]["stance"] != "unclear" for i in mine):
            continue
        for i in mine:
            p = positions[i]
            stance = firm.get((home["id"], p["about"]))
            if stance:
                p["stance"] = stance
                p["summary"] = (f"{a['name']} {'supports' if stance == 'support' else 'opposes'} this as {home['name']} "
                                f"does; the cited words show no stance of their own.")
                notes[("positions", i)] = (f"confidence 0.35 LOW - check first: stance of {home['name']}, which "
                                           f"{a['name']} belongs to; the actor's own words show none")
    # the other way: a body whose own words show none speaks through its members, when they agree
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in actors:
        home = by_name.get(fold(a.get("affiliation") or ""))
        if home is not None and home is not a:
            members[home["id"]].append(a)
    for body in actors:
        mine = [i for i, p in enumerate(positions) if p["actor"] == body["id"]]
        if not members.get(body["id"]) or not mine or any(positions[i]["stance"] != "unclear" for i in mine):
            continue
        for i in mine:
            p = positions[i]
            said = {firm[(m["id"], p["about"])] for m in members[body["id"]] if (m["id"], p["about"]) in firm}
            if len(said) == 1:
                stance = said.pop()
                who = sorted(m["name"] for m in members[body["id"]] if firm.get((m["id"], p["about"])) == stance)
                p["stance"] = stance
                p["summary"] = (f"{body['name']} {'supports' if stance == 'support' else 'opposes'} this as its "
                                f"members {', '.join(who[:3])} do; the cited words show no stance of its own.")
                notes[("positions", i)] = (f"confidence 0.35 LOW - check first: stance of {body['name']}'s "
                                           f"{'members' if len(who) > 1 else 'member'} {', '.join(who[:3])}; "
                                           f"its own words show none")


_FLIP = {"support": "oppose", "oppose": "support"}


def _merge_name_forms(actors: dict[str, ActorAcc]) -> None:
    """One actor per person across name forms: 'Mr Straw', 'Straw' and 'Jack Straw' merge; two full names never do."""
    people = {key: (acc.name, len(acc.statements)) for key, acc in actors.items()
              if acc.kind == "person" and not key.startswith("v:")}
    for keys in name_form_groups(people):
        target = actors[keys[0]]
        for k in keys[1:]:
            other = actors.pop(k)
            target.aliases |= other.aliases | {other.name}
            target.statements += other.statements
            target.how.update(other.how)
            target.role = target.role or other.role
            target.affiliation = target.affiliation or other.affiliation
            target.office = target.office or other.office
            target.inferred = target.inferred or other.inferred
        target.aliases.discard(target.name)


# --------------------------------------------------------------------------- assembling the brief


_TRAILING = re.compile(r"(?:\s+(?:and|or|of|to|the|a|an|for|with|in|on|by|from|that))+$", re.I)


def _option_title(g: Group) -> str:
    counts = Counter(_TRAILING.sub("", p.surface.strip()) for p in g.members)
    action = {p.surface.strip() for p in g.members if p.action}
    # the title names the course of action itself, not a call to halt it ("law change", not "delay law change")
    best = max(counts.items(), key=lambda kv: (not HALT.match(kv[0]) and not _KEEP.match(kv[0]),
                                               len(kv[0].split()) > 1, kv[0] in action, kv[1],
                                               len(kv[0].split()) <= 6, len(kv[0]), kv[0]))[0]
    # a phrase cut inside a quotation keeps one quote mark ('Plan even bigger "cuts'): a title is no quotation,
    # so a mark left without its pair goes
    if best.count('"') % 2 or best.count("“") != best.count("”"):
        best = re.sub(r"\s*[\"“”]\s*", lambda q: " " if q.group(0).strip() != q.group(0) else "", best).strip()
    return best[:1].upper() + best[1:]


# verbs of change: an option titled with one alters what it names, so keeping that thing opposes it
_REMOVE = {"reduce", "cut", "end", "abolish", "scrap", "lift", "remove", "ban", "cap", "close", "withdraw", "axe",
           "curb", "limit", "restrict", "lower", "halve", "drop", "phase", "outlaw", "prohibit"}
_CHANGE = _REMOVE | {"raise", "increase", "extend", "replace", "reform", "change", "overhaul", "privatise",
                     "privatize", "nationalise", "nationalize"}
_KEEP = re.compile(r"\b(?:keep|keeps|kept|keeping|protect\w*|retain\w*|preserv\w*|maintain\w*|safeguard\w*)\b", re.I)
# backing the thing itself rather than its change ("support for hunting" against "banning hunting")
_FOR_THING = re.compile(r"\b(?:support\w* (?:for|of)|backing for|in favou?r of|defen[cs]e of|case for)\b", re.I)


def _change_verb(word: str, verbs: set[str] = _CHANGE) -> bool:
    """True for a verb of change in any of its forms ("banning", "raises", "cut")."""
    w = word.lower()
    forms = {w, w[:-1], w[:-2], w[:-3], w[:-3] + "e", w[:-4]} if len(w) > 4 else {w, w[:-1]}
    return bool(forms & verbs)


def _keeps(text: str, things: set[str], removal: bool) -> str | None:
    """The words that speak of keeping a thing a change option alters ("keeps the rebate"), or of backing a thing
    that the option would remove ("support for hunting" against a ban)."""
    if not things:
        return None
    for rx in (_KEEP, _FOR_THING) if removal else (_KEEP,):
        for m in rx.finditer(text):
            for w in re.findall(r"[\w'’£%.-]+", text[m.end():m.end() + 60])[:5]:
                if _change_verb(w):
                    break  # "support for banning hunting" backs the change
                if stem(w) in things:
                    return m.group(0)
    return None


# words that point back at a course of action already named ("the plans", "it", "the bill")
_ANAPHORA = {"it", "this", "that", "they", "them", "these", "those", "plan", "proposal", "scheme", "policy", "law",
             "bill", "act", "measure", "idea", "move", "change", "legislation", "reform", "system", "deal", "decision",
             "regulation", "rule", "programme", "program", "initiative", "step", "option", "offer", "strategy",
             "process", "approach", "effort", "mission", "project", "arrangement", "framework", "solution"}
_DIRECT_CUE = re.compile(r"^(?:not )?(?:support\w*|oppos\w*|back(?:s|ed|ing)?|reject\w*|in favou?r|favou?r\w*|against|"
                         r"welcom\w*|endors\w*|veto\w*|refus\w*|condemn\w*|approv\w*|dismiss\w*|scrap\w*|"
                         r"strike\w*|striking|boycott\w*|protest\w*|warns: .*)\b", re.I)


def _refers(text: str, words: set[str]) -> bool:
    """True when a statement names the option (a word of it) or points back at a course of action."""
    for w in re.findall(r"[\w’'-]+", text):
        lw = w.lower()
        if lw in _ANAPHORA or stem(lw) in _ANAPHORA or stem(w) in words or any(
                stem(x) in words for x in re.split(r"[-‐–]", w) if len(x) > 2):
            return True
    return False


def _others_words(st: Statement, own: set[str]) -> frozenset[int]:
    """Offsets in a statement's stance text of words whose subject is someone else, named or plural
    ("the unions which met Mr Prescott want…" filed under Prescott)."""
    a, b = st.stance_span
    out = set()
    for rel, (subject, named) in getattr(st.unit, "subjects", {}).items():
        # function words ("the") name no one: "the government" is not "the Conservative Party"
        if a <= rel < b and named and not ((set(fold(subject).split()) - FUNCTION) & own):
            out.add(rel - a)
    return frozenset(out)


def _own_words(st: Statement, own: set[str]) -> frozenset[int]:
    """Offsets in a statement's stance text of words whose parsed subject is the speaker ("the unions which met
    Mr Prescott want…" filed under the unions), whatever name stands just before them."""
    a, b = st.stance_span
    out = set()
    for rel, (subject, _) in getattr(st.unit, "subjects", {}).items():
        # the head word of the subject or of one of its conjuncts ("the UK, France and Sweden"): an English noun
        # phrase without its clauses ends in its head, so a shared modifier ("European") makes no match
        heads = {p.split()[-1] for p in re.split(r"\s*,\s*|\s+(?:and|or)\s+", fold(subject)) if p.split()}
        if a <= rel < b and heads & own:
            out.add(rel - a)
    return frozenset(out)


def _option_score(g: Group, headlines: dict[str, set[str]] | None = None) -> float:
    """How central an option is: the sources naming it, its mentions, proposals of it and headlines naming it."""
    score = 2.0 * len(g.sources) + len(g.members) + sum(1 for p in g.members if p.proposal)
    if headlines:
        # a headline names what its article is about: an option its headline names is what is being debated
        words = {g.key} | {w for p in g.members for w in premod_stems(p)}
        score += 3.0 * sum(1 for sid, hw in headlines.items() if hw & words)
    return score


def _headline_stems(a: Analysed) -> set[str]:
    """The content stems of a source's headline (its title, else the file name), hyphenated words split."""
    title = str(a.meta.get("title") or title_from_filename(a.doc.path))
    return {stem(x) for w in re.findall(r"[\w’'-]+", title) for x in re.split(r"[-‐–]", w)
            if len(x) > 2 and x.lower() not in FUNCTION}


def build_draft(docs: list[Analysed], title: str | None = None, question: str | None = None,
                gazetteer: Path | str | None = None, base: Path | None = None,
                source_paths: dict[str, str] | None = None) -> Draft:
    """Turn analysed sources into brief data (ready to validate) and the reasons for each item."""
    gz = load_gazetteer(gazetteer)
    notes: dict[tuple[str, int], str] = {}
    ids = _Ids()

    # 1. options: phrases grouped by head noun, ranked by spread across sources
    groups = [g for g in group_options([p for a in docs for p in a.phrases])
              if (len(g.members) >= 2 or any(p.proposal for p in g.members))
              # a lone noun ("Deal", "Scheme") names no course of action, nor do words that only describe a thing,
              # nor a body's name ("International Monetary Fund") when the policy word is never used outside one
              and len(_option_title(g).split()) >= 2 and not all(described(p) for p in g.members)
              and not all(p.named for p in g.members)]
    headlines = {a.sid: _headline_stems(a) for a in docs}
    groups.sort(key=lambda g: (-_option_score(g, headlines), g.key))
    groups = groups[:MAX_OPTIONS]
    by_sid = {a.sid: a for a in docs}
    options: list[dict[str, Any]] = []
    option_units: dict[str, set[tuple[str, int]]] = {}
    option_heads: dict[str, set[str]] = {}
    option_words: dict[str, set[str]] = {}  # the stems that name an option
    option_verbs: dict[str, str] = {}  # the verb an option's title starts with, when it names an action
    option_removes: set[str] = set()  # options that take something away ("Ban hunting", "End the rebate")
    for g in groups:
        oid = ids.make(_option_title(g))
        cites, seen_units = [], set()
        for p in sorted(g.members, key=lambda p: (not p.proposal, p.source, p.unit.index)):
            if (p.source, p.unit.index) in seen_units:
                continue
            seen_units.add((p.source, p.unit.index))
        per_source: dict[str, int] = Counter()
        heading = _option_title(g)
        # the passages that name the option as its title does come first, then those that propose it
        for p in sorted(g.members, key=lambda p: (_TRAILING.sub("", p.surface.strip()).lower() != heading.lower(),
                                                  not p.action, not p.proposal, p.source, p.unit.index)):
            if per_source[p.source] >= 2 or len(cites) >= 5:
                continue
            at = p.unit.text.find(p.np)
            at = at if at >= 0 else p.unit.text.find(p.surface)
            s, e = _sentence_span(p.unit.text, max(0, at))
            c = _cite(by_sid[p.source], p.unit, s, e)
            if any(c["source"] == x["source"] and c["quote"] == x["quote"] for x in cites):
                continue
            cites.append(c)
            per_source[p.source] += 1
        phrases = [ph for ph, _ in Counter(p.surface.strip() for p in g.members).most_common(4)]
        # an option is surest when several sources name it and someone proposes it in so many words
        conf = min(0.9, 0.2 + 0.12 * len(g.sources) + 0.02 * len(g.members) + (0.1 if any(p.proposal for p in g.members) else 0))
        options.append({"id": oid, "title": _option_title(g),
                        "description": "Discussed in the sources as: " + "; ".join(f"“{x}”" for x in phrases) + ".",
                        "citations": cites})
        option_units[oid] = seen_units
        if any(p.action and _TRAILING.sub("", p.surface.strip()).lower() == heading.lower() for p in g.members):
            option_verbs[oid] = heading.split()[0].lower()
        option_words[oid] = {g.key} | {w for p in g.members for w in premod_stems(p) | {p.head}} | \
            {stem(w) for w in re.findall(r"[\w’'-]+", heading) if w.lower() not in FUNCTION}
        if _change_verb(heading.split()[0]):
            if _change_verb(heading.split()[0], _REMOVE):
                option_removes.add(oid)
            # what the change alters: the nouns its phrases act on, not the change itself ("ban")
            option_heads[oid] = {h for h in {g.key} | {p.head for p in g.members if p.action} if not _change_verb(h)}
        notes[("options", len(options) - 1)] = (
            f"confidence {conf:.2f}{' LOW - check first' if conf < LOW else ''}: {len(g.members)} mentions in "
            f"{len(g.sources)} source(s), grouped on the word '{g.key}'")

    # 2. actors and positions
    actors_acc = _gather_actors(docs, gz)
    top_option = options[0]["id"] if options else None
    actor_rows, positions = [], []
    ranked = sorted(actors_acc.values(), key=lambda x: (-len(x.statements), -len({a.sid for a, _ in x.statements}),
                                                       x.name))
    for acc in ranked:
        per_option: dict[str, list[tuple[Analysed, Statement, str, str | None, list[str]]]] = defaultdict(list)
        home = acc.affiliation or (acc.name if acc.kind != "person" else None)
        entry = gz.entries.get(home) if home else None
        own_names = [acc.name, *acc.aliases, *([home] if home else []), *(entry.forms if entry else [])]
        own_folded = {w for n in own_names for w in fold(n).split() if len(w) > 1}
        for a, st in acc.statements:
            oid = _option_for(a, st, option_units) or top_option
            inert = st.stance_inert | _others_words(st, own_folded)
            verb = option_verbs.get(oid)
            if verb:
                # the option's own verb names the course of action ("if ministers scrap the scheme"), not a view of it
                inert = inert | {m.start() for m in re.finditer(r"\b" + re.escape(verb[:4]) + r"\w*", st.stance_text,
                                                                re.I)}
            label, cond, cues = classify(st.stance_text, own_names, st.stance_negated, inert,
                                         _own_words(st, own_folded))
            if label in ("support", "oppose", "mixed") and not any(_DIRECT_CUE.search(c) or " + " in c for c in cues) \
                    and not _refers(st.stance_text, option_words.get(oid, set()) | option_words.get(top_option, set())):
                # evaluative words ("fair", "needed") about something the statement does not tie to the option
                label, cond, cues = "unclear", None, [f"{c} (not about the option)" for c in cues]
            keep = _keeps(st.stance_text, option_heads.get(oid, set()), oid in option_removes)
            if keep and label in _FLIP:
                # "essential that Britain keeps the rebate": backing the thing kept is opposing the change to it
                label, cues = _FLIP[label], [f"{c} + {keep}" for c in cues]
            per_option[oid or "the issues under discussion"].append((a, st, label, cond, cues))
        if not per_option:
            continue
        aid = ids.make(acc.name)
        row: dict[str, Any] = {"id": aid, "name": acc.name, "kind": acc.kind}
        if acc.kind == "person" and acc.affiliation:
            row["affiliation"] = acc.affiliation
        if acc.role and not _fragment_role(acc.role):
            row["role"] = acc.role
        if acc.kind != "person" and acc.name in gz.entries:
            # the short forms the sources use for this body ("UK", "Tories") are its aliases
            said = " ".join(dict.fromkeys(st.unit.text for _, st in acc.statements))
            acc.aliases |= {f for f in gz.entries[acc.name].forms if f != acc.name and len(f) > 1
                            and re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", said)}
        if acc.aliases:
            row["aliases"] = sorted(acc.aliases)
        actor_conf = _actor_confidence(acc, docs, gz)
        actor_rows.append(row)
        notes[("actors", len(actor_rows) - 1)] = (
            f"confidence {actor_conf:.2f}{' LOW - check first' if actor_conf < LOW else ''}: "
            f"{len(acc.statements)} attributed statement(s); " + ", ".join(f"{h} x{n}" for h, n in acc.how.most_common(3)))
        firm = {"conditional": 0, "support": 0, "oppose": 0, "mixed": 1, "unclear": 2, "neutral": 2}
        # the clearest stance first: a firm one before a divided or unclear one, then the most said about
        order = sorted(per_option.items(), key=lambda kv: (
            firm[combine([(s[2], s[3]) for s in kv[1]])[0]], -len(kv[1]), kv[0]))
        labels = {kv[0]: combine([(s[2], s[3]) for s in kv[1]])[0] for kv in order}
        if any(lab in ("support", "oppose", "conditional", "mixed") for lab in labels.values()):
            # where the actor's words show a stance, the options they comment on without one add nothing
            order = [kv for kv in order if labels[kv[0]] not in ("unclear", "neutral")]
        for about, stmts in order:
            stance, cond = combine([(s[2], s[3]) for s in stmts])
            cites, seen = [], set()
            for a, st, *_ in stmts[:4]:
                c = _cite(a, st.unit, st.start, st.end)
                if (c["source"], c["quote"]) not in seen and c["quote"]:
                    seen.add((c["source"], c["quote"]))
                    cites.append(c)
            otitle = next((o["title"] for o in options if o["id"] == about), about)
            if HALT.search(otitle) and stance in _FLIP:
                # stances are read toward the course of action; an option that is itself a halt is its reverse
                stance = _FLIP[stance]
            pos: dict[str, Any] = {"actor": aid, "about": about, "stance": stance}
            if stance == "conditional":
                pos["condition"] = cond
            pos["summary"] = _summary(acc.name, stance, cond, otitle)
            pos["citations"] = cites
            positions.append(pos)
            cues = sorted({c for s in stmts for c in s[4]})[:4]
            conf = _position_confidence(stance, stmts, about == _option_for(stmts[0][0], stmts[0][1], option_units))
            notes[("positions", len(positions) - 1)] = (
                f"confidence {conf:.2f}{' LOW - check first' if conf < LOW else ''}: stance from "
                + (", ".join(f"'{c}'" for c in cues) if cues else "no stance words (unclear)")
                + ("" if about == _option_for(stmts[0][0], stmts[0][1], option_units)
                   else "; option not named in the statement, linked to the main option"))

    _inherit_stances(actor_rows, positions, notes)

    # 3. risks and open questions
    risks = _items_block(docs, [r for a in docs for r in a.risks], "risks", ids, notes, MAX_RISKS,
                         [o["id"] for o in options], option_units)
    questions = _items_block(docs, [q for a in docs for q in a.questions], "open_questions", ids, notes,
                             MAX_QUESTIONS, [], option_units)

    # 4. sources and meta
    sources = []
    for a in docs:
        meta = a.meta
        s = source_row(a.sid, a.doc, meta, (source_paths or {}).get(a.sid))
        sources.append(s)
        notes[("sources", len(sources) - 1)] = "metadata: " + (
            "; ".join(f"{k} from {'the text' if k in detect_metadata(a.doc.text[a.doc.body_start:], a.doc.path) else 'front matter or sources.yaml'}"
                      for k in ("title", "authors", "published", "outlet") if k in meta) or "none found in the text")
        if "title" not in meta:
            notes[("sources", len(sources) - 1)] += "; title made from the file name"
    dates = [coerce_date(s.get("published")) for s in sources if s.get("published")]
    today = _today()
    meta_out: dict[str, Any] = {
        "title": title or (f"Draft brief: {options[0]['title']}" if options else "Draft brief"),
        "question": question or (f"Who supports and who opposes “{options[0]['title']}”, and on what conditions?"
                                 if options else "Which options are on the table, and who supports them?"),
        "date": today.isoformat(),
    }
    if dates:
        meta_out["cutoff"] = max(d for d in dates if d).isoformat()
    meta_out["status"] = "draft"

    # 5. key judgments only where at least two independent sources agree
    kjs = _key_judgments(options, positions, actor_rows, sources)

    brief: dict[str, Any] = {"meta": meta_out}
    if kjs:
        brief["key_judgments"] = kjs
    brief.update({"actors": actor_rows, "positions": positions, "options": options, "risks": risks,
                  "open_questions": questions, "sources": sources})
    _cite_every_source(brief, docs)
    return Draft(brief, notes, docs)


def _today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def _sentence_span(text: str, at: int) -> tuple[int, int]:
    s = max(text.rfind(". ", 0, at), text.rfind("? ", 0, at), text.rfind("! ", 0, at))
    s = 0 if s < 0 else s + 2
    ends = [i for i in (text.find(". ", at), text.find("? ", at), text.find("! ", at)) if i >= 0]
    e = min(ends) + 1 if ends else len(text)
    return s, e


def _option_for(a: Analysed, st: Statement, option_units: dict[str, set[tuple[str, int]]]) -> str | None:
    key = (a.sid, st.unit.index)
    for oid, units in option_units.items():
        if key in units:
            return oid
    # the option named in the paragraph's previous or next unit
    for delta in (-1, 1):
        k2 = (a.sid, st.unit.index + delta)
        idx = st.unit.index + delta
        if 0 <= idx < len(a.ex.units) and a.ex.units[idx].para == st.unit.para:
            for oid, units in option_units.items():
                if k2 in units:
                    return oid
    return None


_STANCE_WORDS = {"support": "supports", "oppose": "opposes", "mixed": "is divided on",
                 "neutral": "comments without taking sides on", "unclear": "takes no clear position on"}


def _summary(name: str, stance: str, cond: str | None, title: str) -> str:
    t = title[:1].lower() + title[1:] if not title[:2].isupper() else title
    if stance == "conditional":
        return f"{name} supports {t} on a condition: {cond}."
    return f"{name} {_STANCE_WORDS[stance]} {t}."


def _items_block(docs, items, kind, ids, notes, limit, option_ids, option_units) -> list[dict[str, Any]]:
    by_sid = {a.sid: a for a in docs}
    groups = group_items(items)
    if kind == "risks":
        groups.sort(key=lambda g: (-(len(g.sources) * 0.5 + sum(i.score for i in g.members)), g.key))
    else:  # a question the text marks as open comes before a plain future tense repeated in several sources
        groups.sort(key=lambda g: (-(max(i.score for i in g.members) + 0.1 * len(g.sources)), g.key))
    out = []
    for g in groups[:limit]:
        lead: Item = max(g.members, key=lambda i: i.score)
        text = " ".join(lead.text.split())
        cites, seen = [], set()
        for it in sorted(g.members, key=lambda i: -i.score)[:4]:
            c = _cite(by_sid[it.source], it.unit, it.start, it.end)
            if c["quote"] and (c["source"], c["quote"]) not in seen:
                seen.add((c["source"], c["quote"]))
                cites.append(c)
        # one source's wording is a lead to check; the same risk or question in several sources is a finding
        conf = min(0.9, 0.6 * max(i.score for i in g.members) + 0.12 * len(g.sources))
        short = _shorten(text, 14)
        if kind == "risks":
            likelihood, impact = _likelihood(text)
            title = lead.title or short
            row = {"id": ids.make("risk-" + _shorten(title, 8)), "title": title, "event": text, "likelihood": likelihood,
                   "impact": impact}
            opts = sorted({oid for oid, units in option_units.items()
                           for it in g.members if (it.source, it.unit.index) in units})
            if opts:
                row["options"] = opts[:3]
        else:
            row = {"id": ids.make("q-" + short), "question": lead.title or _as_question(lead)}
        row["citations"] = cites
        out.append(row)
        notes[(kind, len(out) - 1)] = (
            f"confidence {conf:.2f}{' LOW - check first' if conf < LOW else ''}: cue words "
            + ", ".join(f"'{c}'" for c in sorted({c for i in g.members for c in i.cues})[:4])
            + f"; {len(g.members)} passage(s) in {len(g.sources)} source(s)"
            + ("; likelihood and impact read from the wording only - assess them" if kind == "risks" else ""))
    return out


_DATELINE = re.compile(r"^\W*(?:(?:date|published|updated|posted)\s*:?\s*[\d\-/.,: ]{6,}|"
                       r"by\s+[A-Z][\w.\-]+(?:\s+[A-Z][\w.\-]+){0,3}\s*[,|-]|"
                       r"[A-Z][A-Z .]{2,}(?:,\s*[A-Z][\w .]+)?\s*(?:\([^)]{1,40}\))?\s*[-–—]+)\s*")


def _shorten(text: str, words: int) -> str:
    text = _DATELINE.sub("", text, count=1) or text  # a dateline or byline is not part of what happened
    ws = text.split()
    s = " ".join(ws[:words]).rstrip(" ,;:")
    return s + ("…" if len(ws) > words else "")


def _likelihood(text: str) -> tuple[str, int]:
    low = text.lower()
    if re.search(r"\b(will|would|certainly|most certainly)\b", low):
        lk = "likely"
    elif re.search(r"\b(probably|likely)\b", low):
        lk = "likely"
    elif re.search(r"\b(could|might|may|potential|possible)\b", low):
        lk = "roughly even chance"
    else:
        lk = "roughly even chance"
    impact = 4 if re.search(r"\b(war|invasion|attack|killed|target|aggression|collapse)\w*", low) else 3
    return lk, impact


def _as_question(item: Item) -> str:
    text = " ".join(item.text.split())
    if text.endswith("?"):
        return text
    m = re.search(r"\bwhether\b(.+)", text, re.I)
    if m:
        rest = m.group(1).strip().rstrip(".")
        return "Whether " + rest + "?"
    return "Open: " + text


def _key_judgments(options, positions, actors, sources) -> list[dict[str, Any]]:
    origin = {s["id"]: (s.get("derived_from") or s["id"]).lower() for s in sources}
    out = []
    names = {a["id"]: a["name"] for a in actors}
    for o in options[:2]:
        independent = {origin[c["source"]] for c in o["citations"]}
        if len(independent) < 2:
            continue
        sup = sorted({names[p["actor"]] for p in positions if p["about"] == o["id"] and p["stance"] == "support"})
        opp = sorted({names[p["actor"]] for p in positions if p["about"] == o["id"] and p["stance"] == "oppose"})
        con = sorted({names[p["actor"]] for p in positions if p["about"] == o["id"] and p["stance"] == "conditional"})
        parts = [f"“{o['title']}” is discussed in {len(independent)} independent sources"]
        if sup:
            parts.append("supported by " + ", ".join(sup[:5]))
        if con:
            parts.append("supported on conditions by " + ", ".join(con[:5]))
        if opp:
            parts.append("opposed by " + ", ".join(opp[:5]))
        out.append({"id": "kj-" + o["id"][:76], "text": "; ".join(parts) + ".",
                    "confidence": "moderate" if len(independent) >= 3 else "low",
                    "citations": o["citations"][:4]})
    return out


def _cite_every_source(brief: dict[str, Any], docs: list[Analysed]) -> None:
    """A source no item cites still gets cited: its first sentence becomes background, so nothing is unused."""
    used = set()
    for key in ("key_judgments", "positions", "options", "risks", "open_questions"):
        for item in brief.get(key, []):
            used |= {c["source"] for c in item["citations"]}
    background = []
    for a in docs:
        if a.sid in used:
            continue
        units = [u for u in a.ex.units if len(u.text.split()) >= 6] or a.ex.units
        if not units:
            continue
        u = units[0]
        c = _cite(a, u, 0, len(u.text))
        background.append({"text": f"Source '{a.sid}' reports: {_shorten(c['quote'], 30)}", "citations": [c]})
    if background:
        brief["background"] = background
        order = ["meta", "key_judgments", "background", "actors", "positions", "options", "risks",
                 "open_questions", "sources"]
        items = {k: brief.pop(k) for k in list(brief)}
        brief.update({k: items[k] for k in order if k in items})


# --------------------------------------------------------------------------- writing


def to_yaml(draft: Draft) -> str:
    """The brief as YAML, each item preceded by a comment with its confidence and the reason."""
    out = ["# Draft brief written by `briefgen draft`: every item cites verbatim quotes; check items marked LOW first.",
           "# Run `briefgen validate --strict` after editing."]
    if draft.model:
        out.append(f"# Language model: spaCy pipeline {draft.model}.")
    out += [f"# WARNING: {' '.join(w.split())}" for w in draft.warnings]
    for key, value in draft.brief.items():
        if not isinstance(value, list) or not value:
            if value != []:
                out.append(_dump({key: value}).rstrip())
            continue
        out.append(f"{key}:")
        for i, item in enumerate(value):
            note = draft.notes.get((key, i))
            if note:
                out.append(f"  # {note}")
            body = _dump([item]).rstrip().splitlines()
            out.extend("  " + ln for ln in body)
    return "\n".join(out) + "\n"


# libyaml's emitter writes the same bytes as PyYAML's pure-Python one, several times faster.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def draft_brief(paths: list[Path | str], title: str | None = None, question: str | None = None,
                gazetteer: Path | str | None = None, jobs: int = 1, base: Path | None = None,
                progress: Callable[[Iterable], Iterable] | None = None,
                exclude: list[Path] | None = None, model: str | None = None) -> Draft:
    """Analyse sources and draft one brief from all of them (source paths relative to ``base``)."""
    return draft_debates(paths, title, question, gazetteer, jobs, base, progress, exclude, model, split=False)[0]


def draft_debates(paths: list[Path | str], title: str | None = None, question: str | None = None,
                  gazetteer: Path | str | None = None, jobs: int = 1, base: Path | None = None,
                  progress: Callable[[Iterable], Iterable] | None = None,
                  exclude: list[Path] | None = None, model: str | None = None, split: bool = True,
                  topic: str | None = None, max_debates: int = MAX_DEBATES) -> list[Draft]:
    """Analyse sources, tell their debates apart and draft one brief per debate (largest first).

    With ``split`` off every source goes into one brief (with a warning when they hold several debates);
    with a ``topic`` only the debate that matches it best is drafted.
    """
    model = language.choose_model(model)
    docs = analyse_sources([Path(p) for p in paths], gazetteer, jobs, progress, exclude, model)
    if not docs:
        raise InputError("no sources given")
    base = (base or Path.cwd()).resolve()
    rel = {a.sid: _relpath(a.doc.path, base) for a in docs if a.doc.native_text}
    groups = [[docs[i] for i in g] for g in group_debates([a.reading.terms for a in docs])]
    warnings = [w for a in docs for w in a.warnings]
    if topic:
        words = {w for w in re.findall(r"[a-z0-9]+", topic.lower()) if len(w) > 2}
        best = max(groups, key=lambda g: (sum(c for a in g for t, c in a.reading.terms.items()
                                               if any(w in t.split() or t.lstrip("=").startswith(w) for w in words)),
                                          len(g)))
        if len(groups) > 1:
            left = [a.sid for g in groups if g is not best for a in g]
            warnings.append(f"the sources hold {len(groups)} debates; --topic kept the one of {len(best)} source(s) "
                            f"and left out {len(left)}: {', '.join(left[:12])}{' …' if len(left) > 12 else ''}")
        groups = [best]
    elif not split:
        if len(groups) > 1:
            warnings.append(f"the sources hold {len(groups)} debates that this one brief mixes: " + "; ".join(
                ", ".join(a.sid for a in g[:4]) + (" …" if len(g) > 4 else "") for g in groups[:6])
                + " - use --topic or let draft write one brief per debate")
        groups = [docs]
    elif len(groups) > max_debates:
        left = [a.sid for g in groups[max_debates:] for a in g]
        warnings.append(f"the sources hold {len(groups)} debates; the {max_debates} largest are drafted, "
                        f"{len(left)} source(s) left out: {', '.join(left[:12])}{' …' if len(left) > 12 else ''}")
        groups = groups[:max_debates]
    out = []
    label = language.label(language.load(model))
    for k, g in enumerate(groups):
        g = sorted(g, key=lambda a: docs.index(a))  # sources in the order they were given
        d = build_draft(g, title if len(groups) == 1 else None, question if len(groups) == 1 else None,
                        gazetteer, base, rel)
        d.model = label
        d.warnings = list(warnings)
        if len(groups) > 1:
            d.warnings.insert(0, f"debate {k + 1} of {len(groups)} found in the sources ({len(g)} source(s))")
        out.append(d)
    return out


def _relpath(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path.resolve(), base)).as_posix()


def debate_path(out_path: Path, k: int) -> Path:
    """Where the k-th debate's brief goes: the path given for the first, 'brief.2.yaml' beside it for the next."""
    return out_path if k == 0 else out_path.with_name(f"{out_path.stem}.{k + 1}{out_path.suffix}")


def draft_to_files(paths: list[Path | str], out_path: Path | str, title: str | None = None,
                   question: str | None = None, gazetteer: Path | str | None = None, jobs: int = 1,
                   progress: Callable[[Iterable], Iterable] | None = None, model: str | None = None,
                   split: bool = True, topic: str | None = None) -> list[tuple[Path, Draft]]:
    """Draft one brief per debate found in the sources and write them (plus text copies of non-text sources)."""
    out_path = Path(out_path)
    base = out_path.resolve().parent
    # the text copies of earlier drafts are outputs, never sources
    exclude = [p.resolve() for p in out_path.parent.glob(f"{out_path.stem}*.sources") if p.is_dir()]
    exclude.append((out_path.parent / (out_path.stem + ".sources")).resolve())
    drafts = draft_debates(paths, title, question, gazetteer, jobs, base, progress, exclude, model, split, topic)
    written = []
    for k, draft in enumerate(drafts):
        target_path = debate_path(out_path, k)
        text_dir = target_path.parent / (target_path.stem + ".sources")
        for a, src in zip(draft.docs, draft.brief["sources"]):
            if not a.doc.native_text:
                target = text_dir / f"{a.sid}.txt"
                write_text_atomic(target, a.doc.text)
                src["path"] = _relpath(target, base)
        write_text_atomic(target_path, to_yaml(draft))
        written.append((target_path, draft))
    return written


def draft_to_file(paths: list[Path | str], out_path: Path | str, title: str | None = None,
                  question: str | None = None, gazetteer: Path | str | None = None, jobs: int = 1,
                  progress: Callable[[Iterable], Iterable] | None = None, model: str | None = None) -> Path:
    """Draft from source files or folders and write the brief (further debates go to 'brief.2.yaml'...)."""
    return draft_to_files(paths, out_path, title, question, gazetteer, jobs, progress, model)[0][0]


__all__ = ["draft_to_file", "draft_to_files", "draft_debates", "debate_path", "draft_brief", "build_draft", "analyse_sources", "to_yaml", "Draft", "Analysed"]
