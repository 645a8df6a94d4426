"""Figures in story text: money, percentages and counts, for key numbers and contradictions.

A figure is found with regexes, normalised to a value and a unit, and given a *measure* (what it
counts: valuation, funding, revenue, users ...) from the nearest cue word in its sentence. Two
outlets contradict each other when they give different values for the same measure and unit of
the same story; both claims are shown with their sources and never averaged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.briefing.text import clean_text, split_sentences
from bot.pipeline.claim_cues import MARKET

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_WORDS = {
    "trillion": 1e12, "tn": 1e12, "t": 1e12,
    "billion": 1e9, "bn": 1e9, "b": 1e9,
    "million": 1e6, "mn": 1e6, "m": 1e6,
    "thousand": 1e3, "k": 1e3,
}  # fmt: skip
_CURRENCY = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR"}
MONEY = re.compile(
    rf"(?P<cur>US\$|\$|€|£|USD ?|EUR ?)(?P<num>{_NUM})"
    r"(?:\s?(?P<scale>trillion|billion|million|thousand|bn|tn|mn|[tbmk])\b)?",
    re.IGNORECASE,
)
PERCENT = re.compile(rf"(?<![\w.])(?P<num>{_NUM})\s?(?:%|per ?cent\b)", re.IGNORECASE)
_NOUNS = (
    "users|customers|employees|jobs|workers|people|developers|companies|businesses|enterprises|"
    "gpus|chips|accelerators|downloads|subscribers|parameters|tokens|roles|positions|staff|"
    "layoffs|agents|organizations|organisations|engineers|servers|queries|requests|patients|"
    "students|stores|data centers|data centres|megawatts|gigawatts"
)
COUNT = re.compile(
    rf"(?<![\w.$€£-])(?P<num>{_NUM})(?:\s?(?P<scale>trillion|billion|million|thousand)\b)?"
    rf"(?:\s|-)(?:(?:new|more|active|paying|monthly|weekly|daily|full-time)\s)?(?P<noun>{_NOUNS})\b",
    re.IGNORECASE,
)
# measure cue words, checked near the figure (closest wins)
_MEASURES = {
    "valuation": ("valuation", "valued", "values", "worth"),
    "funding": ("raised", "raise", "raises", "round", "funding", "series"),
    "revenue": ("revenue", "sales", "annualized", "annualised", "arr"),
    "investment": ("invest", "investment", "investing", "capex", "spend", "spending", "budget"),
    "fine": ("fine", "fined", "penalty"),
    "market size": ("market",),
    "price": ("price", "priced", "cost", "per month", "per token"),
    "acquisition": ("acquire", "acquisition", "acquired", "buy", "deal"),
    "score": ("accuracy", "score", "benchmark", "pass rate", "success rate"),
    "growth": ("growth", "increase", "rise", "grew", "up", "jump"),
    "decline": ("decline", "drop", "fell", "cut", "down", "reduction"),
    "share": ("share", "of companies", "of respondents", "of workers", "of employees"),
}
KIND_BY_SUBTYPE = {
    "announcement": "announced",
    "proposal": "announced",
    "forecast": "forecast",
    "funding": "funding",
    "benchmark": "benchmark",
}
# a market swing even where a money word ("valuation destruction") sits beside the figure
_MARKET_MOVE = re.compile(
    r"\b(?:rout|sell-?off|wiped out|market (?:value|cap\w*)|share price|stock market|one-day|"
    r"single (?:session|day) (?:drop|loss|fall|gain))\b"
)
_UNIT_RANK = {"USD": 0, "EUR": 0, "GBP": 0, "percent": 1}
WINDOW = 60
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_MONEY_IN = {"funding", "valuation", "investment", "acquisition"}
_NOT_DEPLOYED = [
    ("forecast", re.compile(r"\b(expected|projected|forecasts?|predicts?|estimated to|could reach|"
                            r"will reach|by 20[3-9]\d)\b", re.I)),
    ("funding", re.compile(r"\b(raised?|raising|invest(?:s|ing)?|pledged?|commit(?:s|ted)?)\b", re.I)),
    ("announced", re.compile(r"\b(plans?|planning|planned|will|announced?|unveil(?:s|ed)?|coming|slated)\b", re.I)),
]  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """One figure in one sentence of one article."""

    text: str
    value: float
    unit: str  # USD | EUR | GBP | percent | a counted noun ("employees")
    measure: str | None
    sentence: str
    article_id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """What the figure measures, for comparing outlets."""
        return (self.unit, self.measure or "")


def _number(raw: str) -> float:
    return float(raw.replace(",", ""))


def _measure(sentence: str, start: int, end: int) -> str | None:
    lower = sentence.lower()
    best: tuple[int, str] | None = None
    for measure, cues in _MEASURES.items():
        for cue in cues:
            for m in re.finditer(rf"\b{re.escape(cue)}\b", lower):
                if m.end() <= start:
                    dist = start - m.end()
                elif m.start() >= end:
                    dist = m.start() - end
                else:
                    continue
                if dist <= WINDOW and (best is None or dist < best[0]):
                    best = (dist, measure)
    return best[1] if best else None


def _sentences(text: str) -> list[str]:
    # a line break ends a sentence too: headlines and list items carry no full stop
    return [s for line in text.splitlines() for s in split_sentences(clean_text(line))]


def find_figures(text: str, article_id: int | None = None) -> list[Figure]:
    """All figures in ``text`` (plain text; lines are paragraphs), in reading order."""
    out: list[Figure] = []
    for sentence in _sentences(text):
        spans: list[tuple[int, int]] = []
        for m in MONEY.finditer(sentence):
            cur = _CURRENCY.get(m.group("cur").strip().lower(), "USD")
            scale = _SCALE_WORDS.get((m.group("scale") or "").lower(), 1.0)
            value = _number(m.group("num")) * scale
            measure = _measure(sentence, m.start(), m.end())
            out.append(Figure(m.group(0).strip(), value, cur, measure, sentence, article_id))
            spans.append(m.span())
        for m in PERCENT.finditer(sentence):
            measure = _measure(sentence, m.start(), m.end())
            out.append(
                Figure(
                    m.group(0), _number(m.group("num")), "percent", measure, sentence, article_id
                )
            )
        for m in COUNT.finditer(sentence):
            if any(a <= m.start() < b for a, b in spans) or _YEAR.match(m.group("num")):
                continue  # inside a money figure, or "2025 layoffs" (a year)
            scale = _SCALE_WORDS.get((m.group("scale") or "").lower(), 1.0)
            noun = m.group("noun").lower()
            out.append(
                Figure(
                    m.group(0), _number(m.group("num")) * scale, noun, noun, sentence, article_id
                )
            )
    return out


def kind_for(label: str | None, subtype: str | None, figure: Figure) -> str | None:
    """deployed / announced / forecast / funding / benchmark, from the story's label; a figure
    in a deployed story whose own sentence forecasts, plans or funds is not called deployed, and a
    share-price or market-value move is no key number whatever the story's label."""
    low = figure.sentence.lower()
    if _MARKET_MOVE.search(low) or (figure.measure not in _MONEY_IN and MARKET.search(low)):
        return None  # "a selloff wiped out $357 billion in value": neither adoption nor hype
    if label == "deployment":
        for kind, cues in _NOT_DEPLOYED:
            if cues.search(figure.sentence) or (kind == "funding" and figure.measure in _MONEY_IN):
                return kind
        return "deployed"
    if label == "hype":
        return KIND_BY_SUBTYPE.get(subtype or "", "announced")
    if figure.measure in _MONEY_IN:
        return "funding"
    return None


def figure_context(fig: Figure, limit: int = 180) -> str:
    """The figure's sentence, cut to ``limit`` characters around the figure."""
    sentence = fig.sentence
    if len(sentence) <= limit:
        return sentence
    at = max(0, sentence.find(fig.text))
    start = max(0, min(at - limit // 3, len(sentence) - limit + 1))
    piece = sentence[start : start + limit - 2]
    if start > 0:
        piece = "…" + piece[piece.find(" ") + 1 :]
    return piece[: piece.rfind(" ")] + "…" if start + limit - 2 < len(sentence) else piece


def best_figure(figures: list[Figure]) -> Figure | None:
    """The figure most worth a key-number slot: money before percentages before counts."""
    ranked = [f for f in figures if f.value > 0 and not (f.unit == "percent" and f.value > 1000)]
    if not ranked:
        return None
    return min(
        enumerate(ranked),
        key=lambda p: (_UNIT_RANK.get(p[1].unit, 2), p[1].measure is None, p[0]),
    )[1]


SAME_VALUE_TOLERANCE = 0.05  # "$1.99bn" and "$2 billion" are one figure, rounded
COMPARABLE_RATIO = 3.0  # beyond this a value is a different quantity or a parse slip


def _differ(a: float, b: float) -> bool:
    return abs(a - b) > SAME_VALUE_TOLERANCE * max(abs(a), abs(b))


def _value_groups(values: list[float]) -> int:
    """How many distinct values, counting values within the rounding tolerance as one."""
    groups = 0
    last: float | None = None
    for value in sorted(values):
        if last is None or _differ(last, value):
            groups += 1
            last = value
    return groups


def find_contradictions(
    figures_by_outlet: dict[str, list[Figure]], sources: dict[str, dict[str, str]]
) -> list[dict[str, Any]]:
    """Claims where outlets give different values for the same measure (each outlet unambiguous)."""
    per_key: dict[tuple[str, str], dict[str, Figure]] = {}
    for outlet in sorted(figures_by_outlet):
        by_key: dict[tuple[str, str], list[Figure]] = {}
        for fig in figures_by_outlet[outlet]:
            if fig.measure is None or fig.measure in {"growth", "decline"}:
                continue  # "up 20%" compares against different baselines; too ambiguous
            by_key.setdefault(fig.key, []).append(fig)
        for key, figs in by_key.items():
            values = {round(f.value, 6) for f in figs}
            if len(values) == 1:  # an outlet citing two values for one measure is ambiguous
                per_key.setdefault(key, {})[outlet] = figs[0]
    out: list[dict[str, Any]] = []
    for (unit, measure), claims in sorted(per_key.items()):
        mid = sorted(c.value for c in claims.values())[len(claims) // 2]
        claims = {
            o: f
            for o, f in claims.items()
            if mid / COMPARABLE_RATIO <= f.value <= mid * COMPARABLE_RATIO
        }
        # exactly two readings of one figure is a disagreement; three or more different values
        # usually means the "same measure" counts different things (or the story is mixed)
        if len(claims) < 2 or _value_groups([c.value for c in claims.values()]) != 2:
            continue
        out.append(
            {
                "measure": measure,
                "unit": unit,
                "claims": [
                    {
                        "value": fig.text,
                        "normalized": fig.value,
                        "sentence": fig.sentence,
                        "source": sources[outlet],
                    }
                    for outlet, fig in sorted(claims.items())
                ],
            }
        )
    return out
