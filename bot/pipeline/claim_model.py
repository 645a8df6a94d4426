"""A learned sentence classifier over grammatical and rule features (see ``bot.pipeline.claims``).

The cue lexicons miss claims worded in ways nobody listed ("pharmacists check prescriptions with
the model before every sale"). This model reads what the wording does rather than which words it
uses: tense and aspect (past, perfect, progressive), modality (will, could, may), time markers
(since, so far, next month, a year after the publication date), quantities (counts, money,
percentages), reporting verbs, plus crude word stems and the rule scores themselves. A multinomial
logistic regression over these sparse features gives the label: deployment, one of the five hype
subtypes, or neither. Weights live in ``claim_weights.npz`` (fitted by ``scripts/train_claims.py``
on the train split only); without the file the rules decide alone.

Cost: a handful of regular expressions and one sparse dot product per sentence (no embedding), so
article classification stays well above 200 articles per second.
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

WEIGHTS = Path(__file__).with_name("claim_weights.npz")
CLASSES = ("deployment", "announcement", "forecast", "funding", "benchmark", "proposal", "neither")

_TOKEN = re.compile(r"[a-z][a-z'-]*|\d+(?:[.,]\d+)*|[$€£%]")
_STOP = {"the", "a", "an", "of", "to", "and", "in", "on", "for", "its", "it", "at", "by", "with"}
_NUMBER_WORDS = {
    "million",
    "billion",
    "thousand",
    "hundred",
    "hundreds",
    "dozen",
    "dozens",
    "trillion",
}
_SHARE_WORDS = {
    "percent",
    "half",
    "third",
    "quarter",
    "fifth",
    "twice",
    "doubled",
    "tripled",
    "double",
}
_TIME_NOUNS = {"week", "month", "year", "quarter", "spring", "summer", "autumn", "fall", "winter"}
_IRREGULAR = set(
    [
        "was",
        "were",
        "did",
        "ran",
        "cut",
        "led",
        "sold",
        "found",
        "began",
        "went",
        "took",
        "made",
        "gave",
        "let",
        "paid",
        "spent",
        "brought",
        "built",
        "grew",
        "rose",
        "fell",
        "won",
        "lost",
        "held",
        "hit",
        "put",
        "set",
        "saw",
        "told",
        "wrote",
        "drove",
        "became",
        "came",
        "kept",
        "left",
        "met",
        "sent",
        "shut",
        "shed",
        "laid",
        "quit",
    ]
)
# word cues by grammatical role (sets, not lexicons of claims: tense, modality, time, reporting)
_WORD_CUES = {
    "future_will": {"will", "won't", "shall"},
    "future_going": {"slated", "scheduled", "upcoming"},
    "future_time": {"soon", "eventually", "upcoming"},
    "modal_weak": {"could", "might", "would", "can"},
    "modal_should": {"should", "must", "ought"},
    "present_3s": {"now", "already", "currently", "routinely", "daily"},
    "since": {"since"},
    "report": {
        "said",
        "says",
        "told",
        "reported",
        "disclosed",
        "claims",
        "claim",
        "shows",
        "found",
    },
    "condition": {"if", "whether", "unless"},
    "negation": {"not", "no", "never", "without", "didn't", "hasn't", "haven't", "isn't"},
    "past_irregular": _IRREGULAR,
}
_CUE_OF = {w: name for name, words in _WORD_CUES.items() for w in words}
_BIGRAM_CUES = {
    **{
        f"{a} to": "future_going"
        for a in ("going", "is", "are", "set", "due", "plans", "plan", "aims", "aim")
    },
    **{f"next {t}": "future_time" for t in _TIME_NOUNS},
    **{f"last {t}": "so_far" for t in _TIME_NOUNS},
    "later this": "future_time",
    "one day": "future_time",
    "so far": "so_far",
    "to date": "so_far",
    "according to": "report",
    "has been": "been",
    "have been": "been",
    "every day": "present_3s",
}
_HAVE = {"has", "have", "had"}
_BE = {"is", "are", "am", "was", "were", "being"}
_PARTICIPLE = ("ed", "en", "wn", "ne", "ht", "un", "ld")


@lru_cache(maxsize=50_000)
def _stem(tok: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if tok.endswith(suffix) and len(tok) - len(suffix) >= 4:
            return tok[: -len(suffix)]
    return tok


def sentence_features(low: str, published: date | None) -> dict[str, float]:
    """Sparse features of one lower-cased sentence: grammar, time, quantities and word stems."""
    feats: dict[str, float] = {"bias": 1.0}
    raw = _TOKEN.findall(low)
    years: list[int] = []
    prev = ""
    for i, t in enumerate(raw):
        cue = _CUE_OF.get(t)
        if cue:
            feats["g:" + cue] = 1.0
        if t == "may" and not (i + 1 < len(raw) and raw[i + 1][0].isdigit()):
            feats["g:modal_weak"] = 1.0
        cue = _BIGRAM_CUES.get(f"{prev} {t}")
        if cue:
            feats["g:" + cue] = 1.0
        if t[0].isdigit():
            feats["g:count"] = 1.0
            if len(t) == 4 and t.isdigit() and t[:2] in ("19", "20"):
                years.append(int(t))
                if prev == "in":
                    feats["g:in_year"] = 1.0
                elif prev in ("by", "through"):
                    feats["g:by_year"] = 1.0
            if prev in ("$", "€", "£"):
                feats["g:money"] = 1.0
        elif t in _NUMBER_WORDS:
            feats["g:count"] = 1.0
            if prev[:1].isdigit() and t in ("million", "billion", "trillion"):
                feats["g:money"] = 1.0
        elif t == "%" or t in _SHARE_WORDS:
            feats["g:percent"] = 1.0
        elif t in ("x", "times") and prev[:1].isdigit():
            feats["g:times"] = 1.0
        elif len(t) >= 5 and t.endswith("ed"):
            feats["g:past_ed"] = 1.0
        if prev in _HAVE and t.endswith(_PARTICIPLE) and len(t) > 3:
            feats["g:perfect"] = 1.0
        if prev in _BE and t.endswith("ing") and len(t) > 5:
            feats["g:progressive"] = 1.0
        if prev in ("within", "over") and t in ("years", "months", "decades", "the"):
            feats["g:future_time"] = 1.0
        prev = t
    if '"' in low or "“" in low or "”" in low:
        feats["g:quote"] = 1.0
    if "?" in low:
        feats["g:question"] = 1.0
    if years and published is not None:
        if max(years) > published.year:
            feats["g:year_after_pub"] = 1.0
        elif max(years) < published.year:
            feats["g:year_before_pub"] = 1.0
        else:
            feats["g:year_of_pub"] = 1.0
    toks = [("<n>" if t[0].isdigit() else _stem(t)) for t in raw]
    feats["g:long"] = min(len(toks), 40) / 40.0
    words = [t for t in toks if t not in _STOP]
    for t in words:
        feats["w:" + t] = 1.0
    for a, b in zip(words, words[1:], strict=False):
        feats["b:" + a + "_" + b] = 1.0
    if toks:
        feats["first:" + toks[0]] = 1.0
    return feats


class ClaimModel:
    """The fitted weights: ``predict`` returns class probabilities for one feature dict."""

    def __init__(self, vocab: list[str], W: np.ndarray, b: np.ndarray, classes: list[str]):
        rows = W.astype(float).tolist()
        self.rows = {f: rows[i] for i, f in enumerate(vocab)}  # plain lists: faster than numpy here
        self.b = b.astype(float).tolist()
        self.classes = classes

    def predict(self, feats: dict[str, float]) -> dict[str, float]:
        """Probability of each class."""
        get = self.rows.get
        # features are 0/1 except a few scaled ones: add whole rows, scale only those
        rows = [self.b]
        for f, v in feats.items():
            row = get(f)
            if row is not None:
                rows.append(row if v == 1.0 else [v * r for r in row])
        z = [sum(col) for col in zip(*rows, strict=True)]
        top = max(z)
        e = [math.exp(x - top) for x in z]
        total = sum(e)
        return {c: x / total for c, x in zip(self.classes, e, strict=True)}


_MODEL: dict[str, Any] = {}


def load_claim_model(path: Path = WEIGHTS) -> ClaimModel | None:
    """The model saved at ``path`` (loaded once), or None when there is no weights file."""
    key = str(path)
    if key not in _MODEL:
        model = None
        if path.exists():
            data = np.load(path, allow_pickle=False)
            model = ClaimModel(
                [str(v) for v in data["vocab"]],
                data["W"],
                data["b"],
                [str(c) for c in data["classes"]],
            )
        _MODEL[key] = model
    return _MODEL[key]


def save_claim_model(
    path: Path, vocab: list[str], W: np.ndarray, b: np.ndarray, classes: list[str]
) -> None:
    """Write fitted weights (W: features x classes) and clear the load cache."""
    np.savez(
        path,
        vocab=np.array(vocab),
        W=W.astype(np.float32),
        b=b.astype(np.float32),
        classes=np.array(classes),
    )
    _MODEL.pop(str(path), None)
