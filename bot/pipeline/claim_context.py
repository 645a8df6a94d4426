"""Cue words that stand in a non-claim grammatical role (see ``bot.pipeline.claims``).

A cue lexicon matches words, not roles. Some cue words often play a role in which they carry no
claim, and :func:`mask_non_claims` blanks them (same length, so offsets do not move) before the
lexicons are read:

* a reporting verb in an attribution clause: "..., he adds." / "..., added Modi, who ..." (``add``
  is an announcement cue only when something is added);
* a reflexive object: "X introduced himself" is not an introduction of a product;
* "calling for X" as background ("a letter calling for a pause", "a researcher calling for
  governments to act"): a proposal only when a bill, law, rule or ban is in the clause;
* "every day" as a noun phrase ("every day is different"), "live in" with a person as subject
  ("the place they live in"), "powers" as a noun ("new powers"): no operating product;
* "in training data": about data, not a model being trained.
"""

from __future__ import annotations

import re

# the cheap test: a sentence without any of these words is returned unchanged
_TRIGGERS = ("add", "call", "every ", "live ", "powers", "self", "selves", "in training")

_REPORTING_ADD = re.compile(
    # "he adds", "she added", "He added that ..."
    r"\b(?:[Hh]e|[Ss]he)\s+(adds|added)\b"
    # "..., added Modi, who ...", "... ,” adds the spokesperson"
    r"|[,\"”’]\s*(adds|added)\s+(?:[A-Z]|the\b|a\b|an\b|he\b|she\b)"
    # "..., the company added." / "..., Smith adds": the verb ends the sentence, no object
    r"|(?<!was )(?<!were )(?<!been )(?<!be )(?<!is )(?<!are )(?<!being )\b(adds|added)\s*[.\"”’]*\s*$"
)
_REFLEXIVE = re.compile(
    r"\b(introduc\w*|reveal\w*|launch\w*|unveil\w*|present\w*)\s+"
    r"(?:himself|herself|themselves|myself|ourselves|itself)\b",
    re.IGNORECASE,
)
_CALL_FOR = re.compile(r"\bcall(?:s|ed|ing)? for\b", re.IGNORECASE)
_INSTRUMENT = re.compile(
    r"\b(?:laws?|acts?|rules?|regulations?|legislation|bills?|ordinances?|statutes?|bans?|"
    r"treat(?:y|ies)|directives?|proposals?|amendments?)\b",
    re.IGNORECASE,
)
_NOUN_ROLE = re.compile(
    r"\b(every (?:day|morning|week|night|hour))\s+(?:is|was|brings|brought|feels|felt|seems|"
    r"seemed|looks|looked|has|had|becomes|became)\b"
    r"|\b(?:i|we|you|they|people|who|families|residents)\s+(live (?:in|on|for))\b"
    r"|\b(?:new|sweeping|emergency|broad|broader|legal|additional|extra|expanded|special|"
    r"investigative|regulatory|greater|more|its|their|his|her|with)\s+(powers)\b"
    r"|\b(in training) (?:data|sets?|corpora|material)\b",
    re.IGNORECASE,
)


def _blank(chars: list[str], m: re.Match[str]) -> None:
    for g in range(1, (m.lastindex or 0) + 1):
        if m.group(g) is not None:
            a, b = m.span(g)
            chars[a:b] = " " * (b - a)


def mask_non_claims(s: str, low: str) -> str:
    """``low`` (``s.lower()``) with cue words in non-claim roles replaced by spaces."""
    if len(low) != len(s) or not any(t in low for t in _TRIGGERS):
        return low
    chars: list[str] | None = None
    for pat in (_REPORTING_ADD, _REFLEXIVE, _NOUN_ROLE):
        for m in pat.finditer(s):
            chars = chars if chars is not None else list(low)
            _blank(chars, m)
    for m in _CALL_FOR.finditer(s):
        window = s[max(0, m.start() - 50) : m.end() + 40]
        if not _INSTRUMENT.search(window):
            chars = chars if chars is not None else list(low)
            chars[m.start() : m.end()] = " " * (m.end() - m.start())
    return low if chars is None else "".join(chars)
