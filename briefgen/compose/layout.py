"""Layout settings: which sections a brief shows, in what order, under what headings, and how notes read.

Compose takes every section choice, heading and label from a ``Layout``; writers never see one.
A template fills a ``Layout`` from its ``template.toml``; the defaults suit a policy brief. What
sections exist, and their rules, comes from the section registry (``briefgen.brief.sections``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from briefgen.brief.sections import SECTIONS

# The section registry, seen the way templates and compose look sections up.
SECTION_KEYS: dict[str, str] = {section.key: section.description for section in SECTIONS}
# Headings of sections that DEFAULT_SECTIONS does not list (used when a template gives none).
EXTRA_HEADINGS: dict[str, str] = {s.key: s.heading for s in SECTIONS if not s.default and s.heading}
# Other ways a section can be drawn ('full' is always allowed and is the default).
SECTION_VARIANTS: dict[str, dict[str, str]] = {s.key: dict(s.variants) for s in SECTIONS if s.variants}
# Sections whose items a limit can cut (risks keep the highest scores; the others the first items).
LIMITED_SECTIONS: tuple[str, ...] = tuple(s.key for s in SECTIONS if s.limited)
DEFAULT_SECTIONS: tuple[tuple[str, str], ...] = tuple((s.key, s.heading) for s in SECTIONS if s.default)
DEFAULT_VARIANTS: dict[str, str] = {s.key: s.default_variant for s in SECTIONS if s.default and s.default_variant != "full"}
DEFAULT_LIMITS: dict[str, int] = {s.key: s.default_limit for s in SECTIONS if s.default and s.default_limit}


def default_heading(key: str) -> str:
    """The heading a section gets when a template names none ('' for the title block)."""
    return dict(DEFAULT_SECTIONS).get(key) or EXTRA_HEADINGS.get(key, "")


CITATION_STYLES = ("full-then-short", "always-full")
LIKELIHOOD_COLUMNS = ("term", "alternative")

# Stance colours: a dark text colour (readable on white) and a light fill for table cells.
DEFAULT_STANCE_COLORS: dict[str, str] = {
    "support": "#1E7B34",
    "oppose": "#B3261E",
    "conditional": "#9A6700",
    "mixed": "#6F42C1",
    "neutral": "#57606A",
    "unclear": "#57606A",
}
DEFAULT_STANCE_FILLS: dict[str, str] = {
    "support": "#DCF2E1",
    "oppose": "#F9DEDC",
    "conditional": "#FFF1C7",
    "mixed": "#EBE3F7",
    "neutral": "#EEF0F2",
    "unclear": "#EEF0F2",
}
# Risk bands (BRIEF-STANDARDS: low 1–4, medium 5–10, high >= 12).
DEFAULT_RISK_FILLS: dict[str, str] = {"low": "#C6EFCE", "medium": "#FFEB9C", "high": "#FFC7CE"}

DEFAULT_LABELS: dict[str, str] = {
    "key_question": "Key question",
    "date": "Date",
    "cutoff": "Information cut-off",
    "version": "Version",
    "authors": "Prepared by",
    "organisation": "Organisation",
    "audience": "Audience",
    "marking": "Handling",
    "likelihood": "Likelihood",
    "confidence": "Confidence",
    "actor": "Actor",
    "about": "Option or issue",
    "stance": "Stance",
    "stance_table_caption": "Stances of the actors toward the options and issues",
    "condition": "condition:",
    "no_position": "—",
    "pros": "Pros",
    "cons": "Cons",
    "supporters": "Supporters",
    "conditional_supporters": "Conditional supporters",
    "opponents": "Opponents",
    "none_recorded": "none recorded",
    "feasibility": "Feasibility",
    "issues": "Other issues",
    "risk": "Risk",
    "risk_chain": "Cause → event → consequence",
    "impact": "Impact",
    "score": "Score",
    "mitigation": "Mitigation",
    "indicators": "Indicators",
    "register_caption": "Risk register",
    "heatmap_caption": "Heat map: likelihood × impact",
    "heatmap_corner": "Likelihood ↓ / impact →",
    "likelihood_5": "5 · very likely / almost certain",
    "likelihood_4": "4 · likely",
    "likelihood_3": "3 · roughly even chance",
    "likelihood_2": "2 · unlikely",
    "likelihood_1": "1 · almost no chance / very unlikely",
    "impact_1": "insignificant",
    "impact_2": "minor",
    "impact_3": "moderate",
    "impact_4": "major",
    "impact_5": "severe",
    "low": "low",
    "medium": "medium",
    "high": "high",
    "indicator": "Watch",
    "heatmap_key": "Score = likelihood × impact: low 1–4, medium 5–10, high 12–25.",
    "why": "Why it matters",
    "resolution": "What would resolve it",
    "term": "Term",
    "alternative": "Alternative",
    "probability": "Probability",
    "estimative_caption": "Estimative language (ICD 203)",
    "to": "TO",
    "from": "FROM",
    "memo_date": "DATE",
    "subject": "SUBJECT",
    "approve": "Approve",
    "disapprove": "Disapprove",
    "discuss": "Discuss",
    "decision_blank": "________",
    "option": "Option",
    "options_summary_caption": "Who backs which option",
    "evidence": "Evidence",
    "evidence_heading": "Quoted evidence of the notes",
    "why_short": "Why",
    "resolution_short": "Resolved by",
    "mark_support": "yes",
    "mark_oppose": "no",
    "mark_conditional": "if",
    "mark_mixed": "mixed",
    "mark_neutral": "neutral",
    "mark_unclear": "?",
    "legend_support": "supports",
    "legend_oppose": "opposes",
    "legend_conditional": "supports on a condition (Annex A)",
    "legend_mixed": "mixed",
    "legend_neutral": "neutral",
    "legend_unclear": "unclear",
    "legend_none": "none recorded",
    "confidence_key": (
        "Confidence is stated separately from likelihood: low, moderate or high, "
        "reflecting the quality and corroboration of the sources."
    ),
}


@dataclass(frozen=True)
class Layout:
    """Settings compose reads: sections (key, heading) in order, citation style, colours and labels."""

    sections: tuple[tuple[str, str], ...] = DEFAULT_SECTIONS
    citation_style: str = "full-then-short"  # 'full-then-short' | 'always-full'
    quotes_in_notes: bool = True
    max_note_chars: int = 120  # a longer note leaves its quoted words out (0: no limit)
    stance_colors: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STANCE_COLORS))
    stance_fills: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_STANCE_FILLS))
    risk_fills: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_RISK_FILLS))
    stance_matrix_max_columns: int = 4  # more options/issues than this: one row per position instead
    likelihood_column: str = "term"  # 'term' | 'alternative' (ICD 203: use one column consistently)
    labels: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LABELS))
    header: str = "{title}"  # running head; compose fills {title} {date} {marking} {organisation} {version} {status}
    footer: str = "Page {page} of {pages}"  # {page}/{pages} become page fields in the writers
    limits: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_LIMITS))  # section key -> at most this many items
    variants: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_VARIANTS))  # section key -> a SECTION_VARIANTS name

    def __post_init__(self) -> None:
        """Reject settings compose cannot honour, naming the bad value."""
        for key, _ in self.sections:
            if key not in SECTION_KEYS:
                raise ValueError(f"unknown section {key!r}; known sections: {', '.join(SECTION_KEYS)}")
        keys = [key for key, _ in self.sections]
        if len(set(keys)) != len(keys):
            raise ValueError("a section is listed twice")
        if self.citation_style not in CITATION_STYLES:
            raise ValueError(f"citation_style must be one of {', '.join(CITATION_STYLES)}")
        if self.likelihood_column not in LIKELIHOOD_COLUMNS:
            raise ValueError(f"likelihood_column must be one of {', '.join(LIKELIHOOD_COLUMNS)}")
        for key, limit in self.limits.items():
            if key not in LIMITED_SECTIONS:
                raise ValueError(f"section {key!r} takes no limit; sections with limits: {', '.join(LIMITED_SECTIONS)}")
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise ValueError(f"the limit of section {key!r} must be a whole number of at least 1")
        for key, variant in self.variants.items():
            allowed = ("full", *SECTION_VARIANTS.get(key, {}))
            if variant not in allowed:
                raise ValueError(f"section {key!r} has no variant {variant!r}; choose from {', '.join(allowed)}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layout:
        """A Layout from plain data (e.g. a template's TOML); unknown keys and bad values raise ValueError."""
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown layout setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values = dict(data)
        if "sections" in values:
            sections = []
            for entry in values["sections"]:
                if isinstance(entry, str):
                    entry = (entry, default_heading(entry))
                elif isinstance(entry, dict):
                    entry = (entry.get("key", ""), entry.get("heading", default_heading(entry.get("key", ""))))
                key, heading = entry
                sections.append((str(key), str(heading)))
            values["sections"] = tuple(sections)
        for name, defaults in (("stance_colors", DEFAULT_STANCE_COLORS), ("stance_fills", DEFAULT_STANCE_FILLS),
                               ("risk_fills", DEFAULT_RISK_FILLS), ("labels", DEFAULT_LABELS)):
            if name in values:  # a partial table overrides only the keys it names
                values[name] = {**defaults, **values[name]}
        return cls(**values)

    def limit(self, key: str) -> int | None:
        """The most items a section shows (None: all)."""
        return self.limits.get(key)

    def variant(self, key: str) -> str:
        """How a section is drawn: 'full' or one of its SECTION_VARIANTS."""
        return self.variants.get(key, "full")

    def label(self, key: str) -> str:
        """A label by key, falling back to the default wording."""
        return self.labels.get(key) or DEFAULT_LABELS[key]

    def with_(self, **changes: Any) -> Layout:
        """A copy with some settings changed."""
        return replace(self, **changes)
