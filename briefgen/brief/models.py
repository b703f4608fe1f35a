"""The pydantic models of a policy brief: every claim points at a verbatim quote in a named source."""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from functools import cache
from typing import Annotated, Any, Iterator

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from briefgen.brief.sections import CITED_FIELDS

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
Id = Annotated[
    str,
    Field(
        pattern=ID_PATTERN,
        description="A short readable identifier: lower-case letters, digits, '.', '_' or '-'.",
        examples=["caliber-2025-02", "zelenskyy"],
    ),
]


class _Model(BaseModel):
    """Base model: unknown fields are rejected, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True, defer_build=True)


# --------------------------------------------------------------------------- vocabularies


class SourceKind(str, Enum):
    """What kind of document a source is."""

    news_article = "news article"
    wire = "wire"
    official_statement = "official statement"
    transcript = "transcript"
    think_tank_report = "think-tank report"
    academic = "academic"
    government_document = "government document"
    opinion = "opinion"
    blog = "blog"
    social_media = "social media"
    other = "other"


class ActorKind(str, Enum):
    """What kind of actor holds a position."""

    state = "state"
    government_body = "government body"
    international_organisation = "international organisation"
    party = "party"
    person = "person"
    organisation = "organisation"
    armed_group = "armed group"
    media = "media"


class Stance(str, Enum):
    """An actor's stance toward an option or issue."""

    support = "support"
    oppose = "oppose"
    conditional = "conditional"
    mixed = "mixed"
    neutral = "neutral"
    unclear = "unclear"


class Likelihood(str, Enum):
    """ICD 203 estimative terms (first column); the alternative words are accepted on input."""

    almost_no_chance = "almost no chance"
    very_unlikely = "very unlikely"
    unlikely = "unlikely"
    roughly_even_chance = "roughly even chance"
    likely = "likely"
    very_likely = "very likely"
    almost_certain = "almost certain"

    @property
    def alternative(self) -> str:
        """The ICD 203 alternative wording of this term."""
        return _LIKELIHOOD_ALTERNATIVE[self]

    @property
    def probability(self) -> str:
        """The probability range the term stands for."""
        return _LIKELIHOOD_RANGE[self]

    @property
    def scale(self) -> int:
        """The 1–5 value of the term on a risk scale."""
        return _LIKELIHOOD_SCALE[self]


_LIKELIHOOD_ALTERNATIVE = {
    Likelihood.almost_no_chance: "remote",
    Likelihood.very_unlikely: "highly improbable",
    Likelihood.unlikely: "improbable",
    Likelihood.roughly_even_chance: "roughly even odds",
    Likelihood.likely: "probable",
    Likelihood.very_likely: "highly probable",
    Likelihood.almost_certain: "nearly certain",
}
_LIKELIHOOD_RANGE = {
    Likelihood.almost_no_chance: "1–5 %",
    Likelihood.very_unlikely: "5–20 %",
    Likelihood.unlikely: "20–45 %",
    Likelihood.roughly_even_chance: "45–55 %",
    Likelihood.likely: "55–80 %",
    Likelihood.very_likely: "80–95 %",
    Likelihood.almost_certain: "95–99 %",
}
_LIKELIHOOD_SCALE = {
    Likelihood.almost_no_chance: 1,
    Likelihood.very_unlikely: 1,
    Likelihood.unlikely: 2,
    Likelihood.roughly_even_chance: 3,
    Likelihood.likely: 4,
    Likelihood.very_likely: 5,
    Likelihood.almost_certain: 5,
}
_LIKELIHOOD_INPUT = {term.value: term.value for term in Likelihood} | {
    alt: term.value for term, alt in _LIKELIHOOD_ALTERNATIVE.items()
}


def _likelihood_words(value: Any) -> Any:
    """Accept either ICD 203 column (any case, hyphens or spaces) and store the first column."""
    if isinstance(value, str):
        key = re.sub(r"[\s_-]+", " ", value.strip().lower())
        return _LIKELIHOOD_INPUT.get(key, value)
    return value


LikelihoodTerm = Annotated[Likelihood, BeforeValidator(_likelihood_words)]


class Confidence(str, Enum):
    """Analytic confidence, separate from likelihood."""

    low = "low"
    moderate = "moderate"
    high = "high"


class Status(str, Enum):
    """Editorial status of a brief."""

    draft = "draft"
    reviewed = "reviewed"
    final = "final"


class TLP(str, Enum):
    """Traffic Light Protocol 2.0 labels."""

    clear = "TLP:CLEAR"
    green = "TLP:GREEN"
    amber = "TLP:AMBER"
    amber_strict = "TLP:AMBER+STRICT"
    red = "TLP:RED"


class Banner(str, Enum):
    """Allow-listed classification-style banners (never invent levels)."""

    unclassified = "UNCLASSIFIED"
    cui = "CUI"
    official = "OFFICIAL"
    official_sensitive = "OFFICIAL-SENSITIVE"
    limited_distribution = "LIMITED DISTRIBUTION"
    internal = "INTERNAL"
    confidential = "CONFIDENTIAL"
    draft = "DRAFT"


# --------------------------------------------------------------------------- building blocks


class Citation(_Model):
    """A pointer to a verbatim quote in a named source."""

    source: Id = Field(description="The id of a source listed under `sources`.")
    quote: str = Field(min_length=1, description="Words copied verbatim from the source's text.")
    locator: str | None = Field(
        default=None, description="Where in the source, e.g. 'para. 4' or 'p. 12'."
    )


Citations = Annotated[list[Citation], Field(default_factory=list)]


def _point_shorthand(value: Any) -> Any:
    """A plain string stands for a point without citations."""
    return {"text": value} if isinstance(value, str) else value


class Point(_Model):
    """A short statement (a pro, a con, a mitigation), optionally cited."""

    text: str = Field(min_length=1)
    citations: Citations


PointItem = Annotated[Point, BeforeValidator(_point_shorthand)]


class Paragraph(_Model):
    """A paragraph of background, every one cited."""

    text: str = Field(min_length=1)
    citations: list[Citation] = Field(min_length=1)


class Marking(_Model):
    """Handling marking: a TLP 2.0 label and/or an allow-listed banner."""

    tlp: TLP | None = None
    banner: Banner | None = None

    @field_validator("tlp", mode="before")
    @classmethod
    def _tlp_case(cls, value: Any) -> Any:
        """TLP labels are written in capitals; accept 'amber' or 'tlp:amber' as typed."""
        if isinstance(value, str):
            text = value.strip().upper().replace(" ", "")
            return text if text.startswith("TLP:") else f"TLP:{text}"
        return value

    def label(self) -> str:
        """The marking as one line, e.g. 'UNCLASSIFIED  TLP:AMBER'."""
        return "  ".join(part.value for part in (self.banner, self.tlp) if part is not None)


# --------------------------------------------------------------------------- the brief's parts


class Source(_Model):
    """A document the brief draws on, with the metadata a reader needs to find it again."""

    id: Id
    title: str = Field(min_length=1)
    title_from_file_name: bool = Field(
        default=False,
        description="The title was made from the file name, not found in the text: notes describe the "
                    "source instead of quoting it as a title.",
    )
    authors: list[str] = Field(default_factory=list, description="Bylines; empty when unsigned.")
    outlet: str | None = Field(default=None, description="Where it appeared, e.g. 'Caliber.Az'.")
    publisher: str | None = None
    derived_from: str | None = Field(
        default=None,
        description="The wire service or outlet whose report this source carries (e.g. 'Reuters').",
    )
    published: dt.date | None = Field(default=None, description="Publication date; omit when unknown.")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    accessed: dt.date | None = None
    kind: SourceKind = SourceKind.news_article
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    path: str = Field(min_length=1, description="The source's text file, relative to the brief file.")
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class Actor(_Model):
    """Someone whose position the brief reports."""

    id: Id
    name: str = Field(min_length=1)
    kind: ActorKind
    affiliation: str | None = Field(
        default=None, description="A country, or the id of another actor (e.g. a government)."
    )
    role: str | None = Field(default=None, description="e.g. 'chairman of the Foreign Affairs Committee'.")
    aliases: list[str] = Field(default_factory=list)


class Position(_Model):
    """An actor's stance on an option or a named issue, with evidence."""

    actor: Id
    about: str = Field(min_length=1, description="An option id, or a named issue in words.")
    stance: Stance
    condition: str | None = Field(default=None, description="The condition, when the stance is conditional.")
    summary: str = Field(min_length=1, description="One sentence.")
    citations: list[Citation] = Field(min_length=1)

    @model_validator(mode="after")
    def _condition_with_conditional(self) -> Position:
        """A conditional stance must say its condition."""
        if self.stance is Stance.conditional and not self.condition:
            raise ValueError("a conditional stance needs a `condition`")
        return self


class Option(_Model):
    """A policy option on the table."""

    id: Id
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    pros: list[PointItem] = Field(default_factory=list)
    cons: list[PointItem] = Field(default_factory=list)
    feasibility: str | None = None
    citations: Citations


def risk_band(score: int) -> str:
    """'low' (1–4), 'medium' (5–10) or 'high' (>= 12), as BRIEF-STANDARDS defines the bands."""
    if score <= 4:
        return "low"
    if score <= 10:
        return "medium"
    return "high"


class Risk(_Model):
    """Something that could go wrong: cause → event → consequence."""

    id: Id
    title: str = Field(min_length=1)
    cause: str | None = None
    event: str | None = None
    consequence: str | None = None
    description: str | None = None
    likelihood: LikelihoodTerm
    impact: int = Field(ge=1, le=5, strict=True, description="1 insignificant … 5 severe.")
    mitigation: list[PointItem] = Field(default_factory=list)
    indicators: list[PointItem] = Field(default_factory=list)
    options: list[Id] = Field(default_factory=list, description="Ids of related options.")
    citations: list[Citation] = Field(min_length=1)

    @model_validator(mode="after")
    def _event_or_description(self) -> Risk:
        """A risk says what happens: an event, or a description."""
        if not (self.event or self.description):
            raise ValueError("a risk needs an `event` (cause → event → consequence) or a `description`")
        return self

    @property
    def score(self) -> int:
        """Likelihood (1–5) × impact (1–5)."""
        return self.likelihood.scale * self.impact


class OpenQuestion(_Model):
    """An intelligence gap: the question, why it matters, what would resolve it."""

    id: Id
    question: str = Field(min_length=1)
    why: str | None = Field(default=None, description="Why it matters.")
    resolution: str | None = Field(default=None, description="What would resolve it.")
    citations: list[Citation] = Field(min_length=1)


class KeyJudgment(_Model):
    """A bottom-line judgment, with likelihood and confidence kept apart."""

    id: Id
    text: str = Field(min_length=1)
    likelihood: LikelihoodTerm | None = None
    confidence: Confidence
    citations: list[Citation] = Field(min_length=1)


class Recommendation(_Model):
    """An optional recommendation, possibly tied to options."""

    text: str = Field(min_length=1)
    options: list[Id] = Field(default_factory=list)
    citations: Citations


class BriefMeta(_Model):
    """The title block and document properties."""

    title: str = Field(min_length=1)
    question: str = Field(min_length=1, description="The key question the brief answers.")
    date: dt.date
    cutoff: dt.date | None = Field(default=None, description="Information cut-off date.")
    authors: list[str] = Field(default_factory=list)
    organisation: str | None = None
    audience: str | None = None
    version: str = "1.0"
    status: Status = Status.draft
    marking: Marking = Field(default_factory=Marking)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    subject: str | None = None
    keywords: list[str] = Field(default_factory=list)


class Brief(_Model):
    """A whole policy brief."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,
        json_schema_extra={"title": "briefgen brief file"},
    )

    meta: BriefMeta
    key_judgments: list[KeyJudgment] = Field(default_factory=list)
    background: list[Paragraph] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    positions: list[Position] = Field(default_factory=list)
    options: list[Option] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    # the brief file this brief was read from: source paths are relative to its folder
    _file: Any = PrivateAttr(default=None)

    @property
    def file(self) -> Any:
        """The brief file this brief was read from (a Path), or None for a brief built in memory."""
        return self._file

    # ----------------------------------------------------------------- derived views

    def source(self, source_id: str) -> Source:
        """The source with this id."""
        return self._index("sources")[source_id]

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return self._index("actors")[actor_id]

    def option(self, option_id: str) -> Option | None:
        """The option with this id, or None when ``about`` names an issue."""
        return self._index("options").get(option_id)

    def _index(self, field: str) -> dict[str, Any]:
        return {item.id: item for item in getattr(self, field)}

    def positions_on(self, option_id: str) -> list[Position]:
        """Positions about one option, in file order."""
        return [p for p in self.positions if p.about == option_id]

    def supporters(self, option_id: str) -> list[Actor]:
        """Actors who support the option (derived from positions, never typed twice)."""
        return self.stances().supporters(option_id)

    def opponents(self, option_id: str) -> list[Actor]:
        """Actors who oppose the option."""
        return self.stances().opponents(option_id)

    def conditional_supporters(self, option_id: str) -> list[tuple[Actor, str]]:
        """Actors who support the option only under a condition, with the condition."""
        return self.stances().conditional_supporters(option_id)

    def stances(self) -> Stances:
        """Who supports, opposes or conditionally supports every option, worked out in one pass.

        Take it once when asking about many options: asking the brief option by option reads every
        position each time.
        """
        return Stances(self)

    def iter_citations(self) -> Iterator[tuple[tuple[str | int, ...], Citation]]:
        """Yield ``(location, citation)`` for every citation in reading order, location being a field path.

        The only walker of citations: which lists carry them comes from the section registry, the
        order from this model's fields. Items a partial check could not read (None) are skipped.
        """
        for field in _cited_fields():
            points = CITED_FIELDS[field]
            for i, item in enumerate(getattr(self, field) or ()):
                if item is None:
                    continue
                for j, citation in enumerate(item.citations):
                    yield (field, i, "citations", j), citation
                for sub in points:
                    for k, point in enumerate(getattr(item, sub) or ()):
                        for j, citation in enumerate(point.citations):
                            yield (field, i, sub, k, "citations", j), citation

    def citation_points(self) -> int:
        """How many places in the brief carry citations (each becomes one note)."""
        points = 0
        for field in _cited_fields():
            for item in getattr(self, field):
                points += bool(item.citations)
                for sub in CITED_FIELDS[field]:
                    points += sum(bool(point.citations) for point in getattr(item, sub))
        return points


@cache
def _cited_fields() -> tuple[str, ...]:
    """The brief's lists that carry citations, in the order the model declares them."""
    return tuple(name for name in Brief.model_fields if name in CITED_FIELDS)


class Stances:
    """Supporters, conditional supporters and opponents of every option (a snapshot of the brief)."""

    def __init__(self, brief: Brief):
        actors = {a.id: a for a in brief.actors}
        self._support: dict[str, dict[str, Actor]] = {}
        self._oppose: dict[str, dict[str, Actor]] = {}
        self._conditional: dict[str, list[tuple[Actor, str]]] = {}
        for p in brief.positions:
            actor = actors.get(p.actor)
            if actor is None:
                continue
            if p.stance is Stance.support:
                self._support.setdefault(p.about, {}).setdefault(p.actor, actor)
            elif p.stance is Stance.oppose:
                self._oppose.setdefault(p.about, {}).setdefault(p.actor, actor)
            elif p.stance is Stance.conditional:
                self._conditional.setdefault(p.about, []).append((actor, p.condition or ""))

    def supporters(self, option_id: str) -> list[Actor]:
        """Actors who support the option, each once, in file order."""
        return list(self._support.get(option_id, {}).values())

    def opponents(self, option_id: str) -> list[Actor]:
        """Actors who oppose the option, each once, in file order."""
        return list(self._oppose.get(option_id, {}).values())

    def conditional_supporters(self, option_id: str) -> list[tuple[Actor, str]]:
        """Actors who support the option only under a condition, with the condition, in file order."""
        return list(self._conditional.get(option_id, []))
