"""What a language model is asked to return — a reduced brief, every item with {source, quote} citations —
its JSON Schema, and a tolerant reader of answers (code fences, text around the JSON, trailing commas)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from briefgen.brief import models as m


class _Proposed(BaseModel):
    """A proposed item: unknown keys are ignored (models add them), strings are stripped."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True)
    # what verification and merging found, written as the item's comment in the draft
    _notes: list[str] = PrivateAttr(default_factory=list)


class ProposedCitation(_Proposed):
    """A passage the model says supports the item: a document id and words copied from that document."""

    source: str = Field(min_length=1, description="The id of one of the documents given.")
    quote: str = Field(min_length=1, description="Words copied exactly, character for character, from that "
                                                  "document: one or two whole sentences.")


def _cites() -> Any:
    """The citations field of a proposed item."""
    return Field(default_factory=list, description="Passages that show the item; at least one.")


class ProposedActor(_Proposed):
    """Someone the documents report holding a view."""

    id: str = Field(min_length=1, description="A short id, used by positions.")
    name: str = Field(min_length=1, description="The name as the documents spell it.")
    kind: m.ActorKind
    affiliation: str | None = Field(default=None, description="A country, party or organisation.")
    role: str | None = None
    aliases: list[str] = Field(default_factory=list, description="Other names the documents use for it.")
    citations: list[ProposedCitation] = _cites()


class ProposedPosition(_Proposed):
    """An actor's stance on an option or issue."""

    actor: str = Field(min_length=1, description="The id of an actor listed under `actors`.")
    about: str = Field(min_length=1, description="The id of an option listed under `options`, or an issue in words.")
    stance: m.Stance
    condition: str | None = Field(default=None, description="The condition, when the stance is conditional.")
    summary: str = Field(min_length=1, description="One sentence.")
    citations: list[ProposedCitation] = _cites()


class ProposedOption(_Proposed):
    """A policy option discussed in the documents."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    citations: list[ProposedCitation] = _cites()


class ProposedRisk(_Proposed):
    """Something that could go wrong, as the documents describe it."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    event: str = Field(min_length=1, description="What could happen.")
    likelihood: m.LikelihoodTerm | None = None
    impact: int | None = Field(default=None, ge=1, le=5, description="1 insignificant … 5 severe.")
    options: list[str] = Field(default_factory=list, description="Ids of related options.")
    citations: list[ProposedCitation] = _cites()


class ProposedQuestion(_Proposed):
    """A question the documents leave open."""

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    why: str | None = None
    citations: list[ProposedCitation] = _cites()


class Proposal(_Proposed):
    """A model's answer: the items it proposes for the brief."""

    actors: list[ProposedActor] = Field(default_factory=list)
    positions: list[ProposedPosition] = Field(default_factory=list)
    options: list[ProposedOption] = Field(default_factory=list)
    risks: list[ProposedRisk] = Field(default_factory=list)
    open_questions: list[ProposedQuestion] = Field(default_factory=list)

    def count(self) -> int:
        """How many items the proposal holds."""
        return sum(len(getattr(self, key)) for key in ITEM_MODELS)


ITEM_MODELS: dict[str, type[_Proposed]] = {
    "actors": ProposedActor, "positions": ProposedPosition, "options": ProposedOption,
    "risks": ProposedRisk, "open_questions": ProposedQuestion,
}


def proposal_schema() -> dict[str, Any]:
    """The JSON Schema the model's answer must follow (from the pydantic models above)."""
    return Proposal.model_json_schema()


MAX_ITEMS = 200  # per list and answer: far more than a brief holds, few enough to check quickly


class AnswerError(ValueError):
    """An answer that holds no readable JSON object; ``truncated`` when it stops mid-object."""

    def __init__(self, message: str, truncated: bool = False):
        super().__init__(message)
        self.truncated = truncated


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)


def extract_json(text: str) -> Any:
    """The JSON object in a model's answer, forgiving code fences, text around it and trailing commas."""
    if not text.strip():
        raise AnswerError("the answer is empty")
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = body.find("{")
    if start < 0:
        if "```" in text and not fenced:  # an opened fence never closed
            raise AnswerError("the answer stops inside a code block", truncated=True)
        raise AnswerError("the answer holds no JSON object")
    end, depth_left = _object_end(body, start)
    if end is None:
        raise AnswerError(f"the JSON stops before it is complete ({depth_left} bracket(s) left open)", truncated=True)
    candidate = _drop_trailing_commas(body[start:end])
    try:
        return json.loads(candidate)
    except json.JSONDecodeError as exc:
        raise AnswerError(f"the JSON is malformed ({exc.msg} at character {exc.pos})") from None
    except RecursionError:
        raise AnswerError("the JSON is nested too deeply") from None


def _object_end(text: str, start: int) -> tuple[int | None, int]:
    """The end of the bracketed value opened at ``start`` (strings respected), or (None, open brackets)."""
    depth, in_string, escaped = 0, False, False
    for i in range(start, len(text)):
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            depth += 1
        elif ch in "}]":
            depth -= 1
            if depth == 0:
                return i + 1, 0
    return None, depth


def _drop_trailing_commas(text: str) -> str:
    """Remove a comma that directly precedes a closing bracket (outside strings)."""
    out: list[str] = []
    in_string = escaped = False
    pending: list[str] = []  # a comma and the whitespace after it, held until we see what follows
    for ch in text:
        if in_string:
            out.append(ch)
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if pending:
            if ch.isspace():
                pending.append(ch)
                continue
            if ch in "}]":
                out.extend(pending[1:])
            else:
                out.extend(pending)
            pending = []
        if ch == ",":
            pending = [ch]
            continue
        if ch == '"':
            in_string = True
        out.append(ch)
    out.extend(pending)
    return "".join(out)


def read_proposal(data: Any) -> tuple[Proposal, list[str]]:
    """Validate an answer item by item: a bad item is left out (with the reason) and the rest kept."""
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        raise AnswerError(f"the answer is a JSON {type(data).__name__}, not an object with actors, positions, "
                          "options, risks and open_questions")
    problems: list[str] = []
    proposal = Proposal()
    for key, model in ITEM_MODELS.items():
        raw = data.get(key) or []
        if not isinstance(raw, list):
            problems.append(f"`{key}` is not a list; ignored")
            continue
        if len(raw) > MAX_ITEMS:
            problems.append(f"`{key}` lists {len(raw):,} items; only the first {MAX_ITEMS} are read")
            raw = raw[:MAX_ITEMS]
        for i, entry in enumerate(raw):
            try:
                getattr(proposal, key).append(model.model_validate(entry))
            except ValidationError as exc:
                first = exc.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                problems.append(f"{key}[{i}] does not fit the schema ({where}: {first['msg']}); left out")
    return proposal, problems
