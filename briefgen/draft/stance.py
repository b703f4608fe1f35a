"""Stance of a statement toward an option: support, oppose, conditional (with its condition), mixed, neutral, unclear."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable

_CONDITION = [
    re.compile(r"\b(?:would|will|must)\s+(?:have to|need to)\s+(?:have|get|receive|obtain|win)\s+(?:the\s+)?"
               r"(?:approval|consent|mandate|backing|authori[sz]ation)\s+(?:of|from)\b[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\bonly\s+(?:with|if|when|under|after|once|in the event of)\b[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\bnot\s+without\b[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\bunder the auspices of\b[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\b(?:on (?:one|the) condition|provided that|providing that|unless)\b"
               r"[^,.;:“”\"]{3,80}", re.I),
    # "provided" opening a clause after a comma is the conjunction ("…, provided it sticks with reform"), not the
    # verb ("the firm provided the money") nor a participle ("…, provided by the state")
    re.compile(r"(?<=,\s)provided\b(?!\s+(?:by|for|to|with|in|on|at|under|from|as)\b)[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\bwith(?:out)? (?:a |an |the )?(?:mandate|approval|consent|backing|support|authori[sz]ation)"
               r" (?:of|from)\b[^,.;:“”\"]{3,80}", re.I),
    re.compile(r"\bfor the time being\b[^,.;:“”\"]{0,60}", re.I),
]
# weak conditions count only when the statement is not plainly supportive ("as long as necessary")
_WEAK_CONDITION = re.compile(r"\b(?:as long as|so long as|until|once)\b[^,.;:“”\"]{3,80}", re.I)
_OTHER_SUBJECT = re.compile(r"\b([A-Z][\w’'\-]+)\s+(?:would|will|could|might|may|has|have|had|is|was|are)?\s*"
                            r"(?:probably|likely|also|not|reportedly)?\s*$")
_WITHOUT_NEG = re.compile(
    r"\bwithout\s+((?:an?\s+|the\s+)?[^,.;:“”\"]{2,60}?)\s+(?:would|will|is|are)\s+(?:be\s+)?"
    r"(?:unacceptable|impossible|ruled out|rejected|regarded)|"
    r"\b(?:cannot|can't|can not|won't|will not|would not|refuse to|reluctan\w*|not ready to)\b[^.;:]{0,60}?"
    r"\bwithout\s+((?:an?\s+|the\s+)?[^,.;:“”\"]{2,60})", re.I)

# 'want' backs what is wanted only when that is a course of action; the parse marks the other wishes inert
SUPPORT = re.compile(
    r"\b(support\w*|back(?:s|ed|ing)?|welcom\w*|ready to|ready for|willing to|open to|push(?:es|ed|ing)? for|propos\w*|"
    r"suggest\w*|favou?r\w*|importance|could help|on the table|study and work|work on|can be implemented|"
    r"confiden\w*|we discuss|anything that works|do not discard|could contribute|think about|embrace\w*|"
    r"pursuit|aspirations|intend\w*|indispensable|need|must|should|endors\w*|advocat\w*|call(?:s|ed)? for|"
    r"insist\w*|(?<!not )committed to|in favou?r|urg(?:e|es|ed|ing)|overdue|adopt\w*|approv\w*|go ahead|"
    r"justified|essential|vital|crucial|benefit\w*|defend\w*|determined to|press(?:es|ed|ing)? on|pledg\w*|"
    r"vow\w*|(?:would|will|could) help|the right (?:thing|decision|way|step)|good (?:idea|news|thing)|"
    r"right to|sensible|fair(?:er)?|necessary|(?<!not )convinced|delighted|pleased|hail\w*|praise\w*|"
    r"champion\w*|collective view|want(?:s|ed|ing)?)\b", re.I)
OPPOSE = re.compile(
    r"\b(reject\w*|oppos\w*|against|unacceptable|refus\w*|(?:will|would|won't|cannot|can't) not"
    r" (?:send|deploy|support|accept|allow|join|participate|contribute|commit|be involved|agree)\w*|"
    r"(?:won't|cannot|can't) (?:send|deploy|support|accept|allow|join|participate|contribute|commit|agree)\w*|"
    r"never|nothing will stop|"
    r"non-starter|rul(?:e|ed|es) out|s[ck]eptic\w*|little confidence|no “?practical steps|not committed|"
    r"has not committed|abandon|reluctan\w*|negatively|ignor\w*|dismiss\w*|resist\w*|"
    r"categorically|not a serious|objection\w*|complain\w*|opposition|"
    r"veto\w*|flawed|waste\w*|unjustified|unjust|unfair|unworkable|authoritarian|condemn\w*|criticis\w*|"
    r"criticiz\w*|disquiet|reservations|protest\w*|"
    r"scrap\w*|wrong|mistake|deplor\w*|"
    r"regressive|outrage\w*|anger\w*|angry|furious|dismay\w*|betray\w*|stink\w*|absurd|ridiculous|"
    r"illiberal|draconian|costly|no reason|not up for|vote against|campaign\w* against|unenforceable|"
    r"impossibl[ey]\b(?! to (?:say|tell|know|predict|judge|foresee))|"
    r"defian\w*|defy\w*|boycott\w*|walk out|industrial action|strikes|striking|walkouts?|"
    r"strike(?!\s+(?:a|an|the|at|back|up|down|out|deals?)\b)|"
    r"(?:not|never) (?:be )?(?:necessary|justified|acceptable|needed)|bad (?:law|idea|policy|decision)|disastrous|"
    r"poorly (?:drafted|thought|planned)|overturn\w*|under threat|raw deal|no choice|chip away|pandering|"
    r"prejudice\w*|discriminat\w*|unworkable|ill-?conceived|half-?baked|farcical|shambles)\b", re.I)
# a call to stop, put off or undo a course of action is a stance against it ("should be put on hold")
HALT = re.compile(r"\b(delay\w*|postpon\w*|put on hold|on hold|paus\w*|halt\w*|shelv\w*|ditch\w*|"
                  r"repeal\w*|withdraw\w*|suspend\w*|revers\w*|rethink\w*)\b", re.I)
# a warning of harm to come, with no stance word beside it, is a case against the course of action
HARM = re.compile(r"\b(?:would|could|will|might|may)\s+(?:\w+\s+){0,2}?(?:cause|suffer|harm|damage|hurt|undermine|"
                  r"worsen|exacerbate|backfire|lead to (?:more|higher|greater|increased|fewer|less))\b", re.I)
UNCLEAR = re.compile(r"\b(unclear|uncertain\w*|undecided|too early|premature|remains to be seen|not yet clear)\b", re.I)


_DIRECT = re.compile(r"^(?:not )?(?:support\w*|oppos\w*|back(?:s|ed|ing)?|reject\w*|in favou?r|favou?r\w*|against|"
                     r"welcom\w*|endors\w*|veto\w*|refus\w*|condemn\w*|approv\w*|dismiss\w*)$", re.I)
_THREAT = re.compile(r"\b(?:could|would|will|warn\w*|threat\w*)\b", re.I)
_HAS_NEG = re.compile(r"\b(?:not|never|no)\b|n[’']t\b", re.I)


# "unless X, Y would never happen": a negative outcome after the condition
_NEVER = re.compile(r"^unless\b[^.;]{3,80}?\b(?:would|will|could|can|shall)\s+(?:never|not)\b", re.I)


def _inside(text: str, cue: str, cond: str) -> bool:
    """True when a cue word occurs only inside the condition's words."""
    at = text.find(cond)
    return at >= 0 and cue.lower() in cond.lower() and cue.lower() not in (text[:at] + text[at + len(cond):]).lower()


def condition_of(text: str) -> str | None:
    """The condition a statement sets, in the source's words (or 'only with X' for 'not … without X')."""
    m = _WITHOUT_NEG.search(text)
    if m:
        obj = (m.group(1) or m.group(2) or "").strip()
        if obj:
            return "only with " + obj
    for rx in _CONDITION:
        m = rx.search(text)
        if m:
            return " ".join(m.group(0).split()).rstrip(" ,")
    return None


def _own(text: str, m: re.Match[str], names: set[str], own: frozenset[int] = frozenset()) -> bool:
    """False when the cue belongs to someone else named just before it ("Ruritania would probably oppose").

    ``own`` holds the offsets of words whose parsed subject is the speaker: those are the speaker's whatever name
    stands before them ("the unions which met Mr Prescott want").
    """
    if m.start() in own:
        return True
    before = _OTHER_SUBJECT.search(text[max(0, m.start() - 40):m.start()])
    if not before:
        return True
    # a possessive ending comes off ("Britain's"); a plural's 's' stays ("MPs", "Tories" are names as written)
    word = re.sub(r"[’'](?:s)?$", "", before.group(1).lower())
    return word in names or word in ("i", "we", "it", "this", "that", "there", "they", "he", "she")


def classify(text: str, speaker_names: Iterable[str] = (), negated: frozenset[int] = frozenset(),
             inert: frozenset[int] = frozenset(),
             own: frozenset[int] = frozenset()) -> tuple[str, str | None, list[str]]:
    """The stance a text expresses, its condition, and the cue words that decided it.

    ``negated`` holds the offsets of words the parse marks as negated: a support word there ("would not
    back", "refused to support") counts as opposition; ``own`` holds the offsets of words whose parsed subject is
    the speaker.
    """
    names = {w.lower() for n in speaker_names for w in n.split()}
    cond = condition_of(text)
    sup, opp = [], []
    for m in SUPPORT.finditer(text):
        if not _own(text, m, names, own) or m.start() in inert:
            continue
        # a cue that already spells its negation ("do not discard") is not flipped again
        if any(m.start() <= i < m.end() for i in negated) and not _HAS_NEG.search(m.group(0)):
            opp.append("not " + m.group(0))
        else:
            sup.append(m.group(0))
    opp += [m.group(0) for m in OPPOSE.finditer(text) if _own(text, m, names, own) and m.start() not in inert]
    unc = [m.group(0) for m in UNCLEAR.finditer(text)]
    halt = [m.group(0) for m in HALT.finditer(text) if _own(text, m, names, own)
            and not any(m.start() <= i < m.end() for i in negated)]
    if halt and sup and not opp:
        # "X should be delayed": backing a halt is opposing what it halts
        sup, opp = [], [f"{c} + {halt[0]}" for c in sup[:2]]
    elif halt and opp and not sup:
        # "rejected calls for the change to be delayed": refusing a halt is backing what it halts
        sup, opp = [f"{c} + {halt[0]}" for c in opp[:2]], []
    if cond is None and not sup:
        weak = _WEAK_CONDITION.search(text)
        if weak and (opp or unc):
            cond = " ".join(weak.group(0).split()).rstrip(" ,")
    before = text[:text.lower().find("unless")] if cond else ""
    if cond and cond.lower().startswith("unless") and _THREAT.search(before or text) and not _HAS_NEG.search(before):
        # "there could be further walkouts unless the government rethinks": a threat, opposition with a condition
        # ("we will not send troops unless the UN backs it" is a condition)
        return "oppose", None, ["threat " + cond]
    demand = _NEVER.search(text[text.lower().find("unless"):]) if cond and cond.lower().startswith("unless") else None
    if demand:
        # "unless it is put up for discussion, there will never be agreement": a demand for what follows 'unless'
        return "support", None, ["demands: " + " ".join(demand.group(0).split()[:-2])]
    if cond and sup and not opp and all(_inside(text, c, cond) for c in sup):
        # "one can only have balance if we put the cheque back on the table": the condition is what is asked for
        return "support", None, sup[:3]
    if cond:
        return "conditional", cond, [cond]
    if sup and opp:
        # a direct stance verb on one side only outweighs evaluative words on the other; a clear majority too
        ss, so = sum(bool(_DIRECT.search(c)) for c in sup), sum(bool(_DIRECT.search(c)) for c in opp)
        if ss and not so or len(sup) >= 2 * len(opp) + 1 and not so:
            return "support", None, sup[:3]
        if so and not ss or len(opp) >= 2 * len(sup) + 1 and not ss:
            return "oppose", None, opp[:3]
        return "mixed", None, sup[:2] + opp[:2]
    if sup and unc:
        return "mixed", None, sup[:2] + unc[:1]
    if sup:
        return "support", None, sup[:3]
    if opp:
        return "oppose", None, opp[:3]
    if unc:
        return "unclear", None, unc[:2]
    harm = HARM.search(text)
    if harm and _own(text, harm, names):
        return "oppose", None, ["warns: " + " ".join(harm.group(0).split())]
    # no stance words: the text does not show where the speaker stands (not a declared neutrality)
    return "unclear", None, []


def combine(stances: list[tuple[str, str | None]]) -> tuple[str, str | None]:
    """One stance from several statements by the same actor on the same option."""
    labels = Counter(s for s, _ in stances)
    conds = [c for s, c in stances if s == "conditional" and c]
    if conds:
        return "conditional", conds[0]
    firm = {k for k in labels if k in ("support", "oppose", "mixed")}
    if {"support", "oppose"} <= firm and "mixed" not in firm:
        # statements two to one for a side: that side; closer than that: mixed
        if labels["support"] >= 2 * labels["oppose"]:
            return "support", None
        if labels["oppose"] >= 2 * labels["support"]:
            return "oppose", None
    if "mixed" in firm or {"support", "oppose"} <= firm:
        return "mixed", None
    if firm:
        return firm.pop(), None
    if "neutral" in labels:
        return "neutral", None
    return "unclear", None
