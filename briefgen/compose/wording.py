"""Wording shared by the sections: spaces squashed, conditions as clauses, sentences, lists of names."""

from __future__ import annotations


KIND_PLURAL = {
    "news article": ("news article", "news articles"),
    "wire": ("wire report", "wire reports"),
    "official statement": ("official statement", "official statements"),
    "transcript": ("transcript", "transcripts"),
    "think-tank report": ("think-tank report", "think-tank reports"),
    "academic": ("academic work", "academic works"),
    "government document": ("government document", "government documents"),
    "opinion": ("opinion piece", "opinion pieces"),
    "blog": ("blog post", "blog posts"),
    "social media": ("social media post", "social media posts"),
    "other": ("other source", "other sources"),
}


def squash(text: str) -> str:
    return " ".join(text.split())


def clause(text: str) -> str:
    """A condition as a clause after 'if': no final period, first word lower-cased unless it is a name."""
    text = squash(text).rstrip(".")
    first = text.split(" ")[0]
    if first in LOWER_OK and (len(first) == 1 or first[1].islower()):
        text = text[0].lower() + text[1:]
    return text


# Sentence-initial words that are safe to lower-case (never names): articles, pronouns, conjunctions.
LOWER_OK = {"The", "A", "An", "It", "Its", "They", "Their", "There", "This", "That", "These", "Those", "If",
             "When", "Only", "Once", "As", "After", "Before", "Unless", "Provided", "Both", "Any", "All", "No",
             "He", "She", "We", "Such", "Some", "Each", "Every", "Other"}


def sentence(text: str) -> str:
    """Text ending with sentence punctuation, so a following sentence stays separate."""
    text = squash(text)
    return text if text[-1:] in ".?!…" or not text else text + "."


def list_words(words: list[str]) -> str:
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + f", and {words[-1]}"
