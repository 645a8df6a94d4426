"""Sentence-level claims: is a sentence evidence of deployment, of hype (which kind), or neither?

The label records the kind of evidence a sentence rests on (see the README, "Signals"):

* ``deployment``: operating at the publication date (usage counts, adopters, measured outcomes,
  layoffs done, a rule in force);
* ``hype`` with a subtype: ``announcement``, ``forecast``, ``funding``, ``benchmark``, ``proposal``;
* ``neither``: context, analysis, opinion, market moves.

How: cue lexicons give each class a score; modality and tense move scores (``will``/``plans to``
turn an operating verb into an announcement, ``could``/``may`` into a forecast); traps override:
pilots, previews and betas are never deployment; chips "in production" is manufacturing; a rule
that "took effect" on a date after the publication date is still a proposal; a benchmark restated
as productivity stays a benchmark; market moves (share prices) are neither. Attribution
(``self_reported`` / ``independent``) is read from reporting phrases; vendor-reported deployment
keeps its label with a lower confidence.

The lexicons memorise phrasing: where they find no claim, a learned model over grammatical
features (``bot.pipeline.claim_model``) may still find one (see :func:`classify_sentence`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.pipeline import claim_cues as cue
from bot.pipeline import claim_events as ev
from bot.pipeline.claim_context import mask_non_claims
from bot.pipeline.claim_dates import date_ahead, find_dates
from bot.pipeline.claim_model import load_claim_model, sentence_features

_F = re.IGNORECASE

# ---------------------------------------------------------------- sentence splitting

_ABBREV = (
    r"(?:U\.S|U\.K|U\.N|E\.U|Inc|Corp|Ltd|Co|Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e|No|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est)"
)
_BOUNDARY = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREV_END = re.compile(r"(?:^|\W)" + _ABBREV + r"\.$")
_INITIAL_END = re.compile(r"\b[A-Z]\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (lines are split first, then on .!?)."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        line_start, line = m.start(), m.group()
        start = 0
        for b in _BOUNDARY.finditer(line):
            before = line[: b.start()]
            if _ABBREV_END.search(before) or _INITIAL_END.search(before):
                continue
            if line[start : b.start()].strip():
                spans.append((line_start + start, line_start + b.start()))
            start = b.end()
        if line[start:].strip():
            spans.append((line_start + start, line_start + len(line.rstrip())))
    return spans


@dataclass
class Claim:
    """The classification of one sentence."""

    text: str
    label: str  # deployment | hype | neither
    subtype: str | None
    confidence: float
    attribution: str | None = None
    cues: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    start: int = 0
    end: int = 0

    def as_evidence(self) -> dict[str, object]:
        """The JSON form used in ``evidence`` lists."""
        out: dict[str, object] = {
            "text": self.text,
            "label": self.label,
            "subtype": self.subtype,
            "confidence": round(self.confidence, 3),
        }
        if self.attribution:
            out["attribution"] = self.attribution
        return out


HYPE_SUBTYPES = ("announcement", "forecast", "funding", "benchmark", "proposal")
# when two classes tie, the more specific reading wins
_PRIORITY = {
    "proposal": 0.06,
    "benchmark": 0.05,
    "funding": 0.04,
    "forecast": 0.03,
    "deployment": 0.02,
    "announcement": 0.01,
}
THRESHOLD = 1.0
RESCUE_MIN = 0.6  # chosen by cross-validation on the training sentences (scripts/train_claims.py)


def _hits(pattern: re.Pattern[str], s: str) -> list[str]:
    if not pattern.groups:  # findall gives the whole matches then, without a Python loop
        return pattern.findall(s)
    return [m.group(0) for m in pattern.finditer(s)]


def classify_sentence(
    sentence: str, published: date | None = None, *, title: bool = False
) -> Claim:
    """Label one sentence as deployment, hype (with subtype) or neither, with confidence and cues.

    The rules (:func:`rule_claim`) read the cues and handle the traps. Where they find no claim,
    the learned model (``bot.pipeline.claim_model``: tense, modality, time markers, quantities,
    word stems) may still find one, if its probability for deployment or for hype is the largest
    of the three and at least ``RESCUE_MIN``. Market moves stay neither.
    """
    rule = rule_claim(sentence, published, title=title)
    if rule.label != "neither" or len(rule.text.split()) < 3 or rule.cues == ["question"]:
        return rule
    model = load_claim_model()
    if model is None or any(c.startswith("market:") for c in rule.cues):
        return rule
    low = rule.text.lower()
    p = model.predict(sentence_features(low, published))
    hype = {k: v for k, v in p.items() if k in HYPE_SUBTYPES}
    groups = {"deployment": p["deployment"], "hype": sum(hype.values()), "neither": p["neither"]}
    label = max(groups, key=lambda k: groups[k])
    if label == "neither" or groups[label] < RESCUE_MIN:
        return rule
    conf = min(groups[label], 0.9)  # the model's probability: rescued claims weigh less
    cues = [*rule.cues, f"model:{label}:{groups[label]:.2f}"]
    attribution = _attribution(low)
    if label == "deployment":
        if attribution == "self_reported":
            conf *= 0.85
        return Claim(rule.text, "deployment", None, round(conf, 3), attribution, cues, rule.scores)
    subtype = max(hype, key=lambda k: hype[k])
    return Claim(rule.text, "hype", subtype, round(conf, 3), attribution, cues, rule.scores)


def rule_claim(sentence: str, published: date | None = None, *, title: bool = False) -> Claim:
    """The rules alone: cue lexicons, modality and tense, and the traps."""
    s = " ".join(sentence.split())
    if len(s.split()) < 3:
        return Claim(s, "neither", None, 0.5)
    if s.endswith(("?", '?"', "?”", "?’", "?*")) and _QUESTION.search(s):
        return Claim(s, "neither", None, 0.8, cues=["question"])
    raw = s.lower()
    low = mask_non_claims(s, raw)  # cue words in non-claim roles ("he adds") are blanked
    usage, operating = _hits(cue.USAGE, low), _hits(cue.OPERATING, low)
    if operating and not cue.TECH_CONTEXT.search(low):  # "people take medicines every day": a habit
        operating = [h for h in operating if not h.startswith("every ")]
    usage += ev.COUNTED_USE.findall(low)
    future_access = ev.FUTURE_ACCESS.search(low)
    outcome, work = _hits(cue.OUTCOME, low), _hits(cue.WORK_DONE, low)
    in_force, pilot = _hits(cue.IN_FORCE, low), _hits(cue.PILOT, low) + ev.TRIAL_FORM.findall(low)
    manuf = _hits(cue.MANUFACTURING, low) if cue.CHIP_CONTEXT.search(low) else []
    future, hedge = _hits(cue.FUTURE, low), _hits(cue.HEDGE, low) + _hits(cue.HEDGE_MAY, s)
    if cue.IMMEDIATE.search(low):
        future = []
    if future_access and future:  # "will be given access": the usage it counts starts later
        usage = []
    announce = _hits(cue.ANNOUNCE, low) + _hits(cue.ANNOUNCE_WORK, low)
    forecast = _hits(cue.FORECAST, low)
    funding, money = _hits(cue.FUNDING, low), _hits(cue.MONEY, low)
    bench, proposal = (
        _hits(cue.BENCHMARK, low),
        _hits(cue.PROPOSAL, low) + ev.BILL_TEXT.findall(low),
    )
    market = _hits(cue.MARKET, low)
    if market and ev.DEAL_STOCK.search(low):  # "in cash and stock": deal terms, no market move
        market = [m for m in market if m not in ("stock", "stocks", "shares")]
    cues: list[str] = []

    dep_usage = 1.2 * min(len(usage), 2) + 1.0 * min(len(operating), 2)
    if cue.USAGE_REACHED.search(low) or cue.USAGE_ACTIVITY.search(low):
        dep_usage += 1.2
    if ev.USERS_PAYING.search(low):  # "passed 90,000 paying subscribers": a user base reached
        dep_usage += 1.2
    nominal = ev.OUTCOME_NOMINAL.search(low)  # "food waste down 12 percent"
    dep_outcome = 1.0 if outcome or nominal or cue.REVERSE_OUTCOME.search(low) else 0.0
    dep_work = 1.3 * min(len(work), 2)
    if ev.WITHDRAWN.search(low):  # "stopped using its grading tool": the use was real, and ended
        dep_work += 1.3
    weak_force = {"signed", "signs", "approved", "restricted"}
    authority = cue.AUTHORITY.search(low)
    if authority:  # a court or regulator approving or ordering is an enacted action
        weak_force = set()
        proposal += _hits(cue.AUTHORITY_DOCUMENT, low)
    dep_force = sum(0.6 if c in weak_force else 1.2 for c in in_force[:2])
    if cue.FINE_LEVIED.search(low):
        dep_force += 1.2
    # rulings, sanctions, revocations, criminal cases, regulators' suits: enacted actions
    acting = [cue.ENFORCED]  # the patterns that apply to this sentence
    if any(t in low for t in _CRIMINAL_WORDS) and cue.TECH_CONTEXT.search(low):
        acting.append(cue.CRIMINAL)
    if authority:
        acting += [cue.ENFORCED_BY, ev.AUTHORITY_ACTS]
    enforced = [hit for p in acting for hit in _hits(p, low)]
    if any(t in low for t in _SUIT_WORDS) and cue.REGULATOR_ACTS.search(low):
        acting.append(cue.REGULATOR_ACTS)
        enforced.append("regulator_action")
    dep_force += 1.2 * min(len(enforced), 2)
    exec_order = bool(cue.EXEC_ORDER.search(low))
    if exec_order:  # executive orders bind on signing
        dep_force += 1.0
    revenue = 1.0 if cue.REVENUE.search(low) else 0.0  # products sold: measured adoption
    sc = {
        "announcement": min(sum(0.5 if a in cue.ANNOUNCE_NOUNS else 1.0 for a in announce), 2.0),
        "forecast": 1.2 * min(len(forecast), 2),
        "funding": (0.8 * min(len(funding), 3) + (0.7 if money else 0.0)) if funding else 0.0,
        "benchmark": 1.1 * min(len(bench), 3),
        "proposal": 1.1 * min(len(proposal), 2),
    }
    if (
        ev.PRICED_DEAL.search(low)
        and (money or ev.LOCAL_MONEY.search(low))
        and not enforced
        and not cue.FINE_LEVIED.search(low)
    ):  # "bought Voxia for 14 billion pesos", "is putting C$480 million into": money moved
        sc["funding"] += 1.2
        cues.append("funding:priced_deal")
    if enforced:  # "announced the arrest of two men over chips valued at $X": no money raised
        sc["funding"] *= 0.3
    elif ev.CAPACITY.search(low) and ev.CAPACITY_DEAL.search(low):
        sc["funding"] += 1.0  # "partnered with Google to develop a gigawatt-scale campus"
        cues.append("funding:capacity_deal")
    if ev.QUALIFYING.search(low):  # "passed the quality testing for HBM3e": tested, not adopted
        sc["announcement"] += 1.2
        cues.append("announce:qualifying")
    if ev.DELAYED.search(low) and ev.LAUNCH_WORDS.search(low):
        # "pushed the rollout back to 2027": a launch delayed is announced
        sc["announcement"] += 1.2
        cues.append("announce:delayed")
    if bench and cue.EVAL_CONTEXT.search(
        low
    ):  # benchmark restated as productivity stays a benchmark
        dep_outcome = 0.0
        cues.append("trap:benchmark_restated")
    if market:  # share prices and market value are market moves, not adoption or funding
        dep_outcome = 0.0
        dep_usage *= 0.5
        sc["funding"] *= 0.4
        sc["benchmark"] *= 0.5
        sc["announcement"] *= 0.4
        sc["forecast"] *= 0.4
    if cue.KILLED.search(low):  # a vetoed or withdrawn bill is no longer a proposal
        sc["proposal"] = 0.0
    dates = find_dates(s) if in_force or proposal else []  # dates matter only for rules
    later = [d for d in dates if published is not None and d > published]
    if exec_order and not later:  # plans, hedges and frameworks in a signed order are its content
        future, hedge = [], []
        sc["proposal"] = 0.0
    if in_force or (proposal and dates):
        if later:  # "took effect on <date after publication>": scheduled, not in force
            sc["proposal"] += 1.5 + dep_force
            dep_force = 0.0
            cues.append(f"trap:effective_after_publication:{later[0].isoformat()}")
        elif future or (published is None and dates and not _past(s)):
            sc["proposal"] += 0.5 * dep_force + (0.6 if future else 0.0)
            dep_force *= 0.3 if future else 0.8
    if (
        published
        and not (in_force or proposal)
        and cue.LAW.search(low)
        and (cue.EFFECT_DATE.search(low) or ev.LAW_FROM.search(low))
        and date_ahead(s, published)
    ):  # "the rule, adopted in January, applies only from September 1, 2026": scheduled
        sc["proposal"] += 1.5 + dep_force + 0.5 * dep_usage
        dep_force = dep_usage = 0.0
        cues.append("trap:effective_after_publication")
    dep = dep_usage + dep_outcome + dep_work + dep_force + revenue
    if (
        not usage
        and (ev.RESEARCH_SETTING.search(low) or ev.STUDY_FOUND.search(low))
        and (dep > 0 or ev.RESULT_FIGURE.search(low))
    ):
        # "cut simulated energy use by 27 percent", "in laboratory tests": research, not a product
        sc["benchmark"] += 1.2 + 0.5 * dep
        dep = 0.0
        cues.append("trap:research_setting")
    if published and ev.AVAILABLE_ON.search(low) and date_ahead(s, published):
        # "becomes available to customers on September 15": announced, not yet running
        sc["announcement"] += 1.5 + 0.5 * dep
        dep = 0.0
        cues.append("trap:available_after_publication")
    if pilot and (usage or operating) and not future and cue.TRIAL_DONE.search(low):
        pilot = []  # "after a successful pilot, rolled out to all staff": the rollout is the claim
    if pilot:
        sc["announcement"] += 1.5 + 0.5 * dep
        dep = 0.0
        cues.append("trap:pilot_or_preview")
    if manuf:
        sc["announcement"] += 1.5
        dep = 0.0
        cues.append("trap:manufacturing_not_adoption")
    if future and not usage and cue.CURRENT_THEN_PLAN.search(low):
        future = []  # "has deployed X and plans to ramp": the state holds, the plan is added
    if enforced and (future or hedge):
        # "reversed a ruling that suggested a jury would ...", "fined OpenAI, which might appeal":
        # a plan or hedge after the enforcement action is about something else; the action is done
        acted = _first(low, acting)
        if future and _first(low, (cue.FUTURE,)) > acted:
            future = []
        if hedge and min(_first(low, (cue.HEDGE,)), _first(s, (cue.HEDGE_MAY,))) > acted:
            hedge = []
    if future and not usage:
        moved = dep * 0.75
        dep -= moved
        if hedge or forecast:
            sc["forecast"] += 0.6 * moved + 0.4
        elif cue.LAW.search(low) and (proposal or in_force or re.search(r"\brequir", s)):
            sc["proposal"] += 0.8 * moved + 1.0
        else:
            sc["announcement"] += 0.8 * moved + (0.6 if announce else 0.0)
    if hedge and not usage:  # "could cut costs by 40%": a hypothetical outcome is a forecast
        sc["forecast"] += 0.9 * dep + (0.4 if forecast else 0.2 if dep else 0.0)
        # "could generate 7.5 gigawatts", "may soon arrive"
        if not market and (cue.HEDGED_QUANTITY.search(low) or cue.HEDGED_SOON.search(low)):
            sc["forecast"] += 1.0
        dep *= 0.3
    quiet = max(sc.values()) < THRESHOLD and dep < THRESHOLD
    if future and not hedge and quiet and cue.INTENT.search(low):
        sc["announcement"] += 1.0  # "intends to integrate", "will be available": announced
    elif future and not hedge and quiet and not market and "?" not in s:
        will = cue.MAIN_WILL.search(low)
        if (
            will and not _SUBORDINATE.search(low, 0, will.start()) and cue.TECH_CONTEXT.search(low)
        ):  # "the system will determine a user's age": announced (or forecast) all the same
            sc[_will_kind(will, bool(funding), bool(proposal))] += 1.0
    if title and cue.TITLE_FUTURE.search(low) and not cue.IMMEDIATE.search(low):
        sc["announcement"] += 1.0  # headline "X to do Y": announced, not done
        dep *= 0.3
    sc["deployment"] = dep
    best = max(sc, key=lambda k: sc[k] + _PRIORITY[k])
    ranked = sorted(sc.values(), reverse=True)
    top, second = ranked[0], ranked[1]
    for name, hits in (
        ("usage", usage),
        ("operating", operating),
        ("outcome", outcome),
        ("work", work),
        ("in_force", in_force),
        ("enforced", enforced),
        ("announce", announce),
        ("forecast", forecast),
        ("funding", funding),
        ("benchmark", bench),
        ("proposal", proposal),
        ("future", future),
        ("hedge", hedge),
        ("market", market),
    ):
        if hits:
            cues.append(f"{name}:{hits[0]}")
    if top < THRESHOLD:  # not a claim: attribution does not apply
        conf = 0.5 + 0.4 * (1.0 - top / THRESHOLD)
        return Claim(s, "neither", None, round(conf, 3), None, cues, sc)
    attribution = _attribution(raw)
    conf = 0.55 + 0.4 * (top - second) / (top + 0.5)
    if best == "deployment":
        if attribution == "self_reported":
            conf *= 0.85
        return Claim(s, "deployment", None, round(min(conf, 0.95), 3), attribution, cues, sc)
    return Claim(s, "hype", best, round(min(conf, 0.95), 3), attribution, cues, sc)


# "how quickly companies will adopt": a "will" inside a subordinate clause is no claim (but "said
# that it will" reports an announcement)
_SUBORDINATE = re.compile(
    r"\b(?:how|whether|(?<!said )(?<!says )(?<!announced )(?<!confirmed )(?<!stated )that|who|what|"
    r"when|if|why|where)\b(?:\s+[\w'’-]+){0,3}\s*$"
)
_PARTICIPLE = re.compile(r"(?:ed|en|wn|ne|ht|able)$")


def _will_kind(will: re.Match[str], funding: bool, proposal: bool) -> str:
    """The hype subtype of a main-clause "will": money -> funding, a bill -> proposal, "will be"
    with a noun or adjective ("will be remarkable") -> forecast, else an announcement."""
    if funding:
        return "funding"
    if proposal:
        return "proposal"
    text = will.group(0)
    if " be " in text + " " and " able to " not in text and not _PARTICIPLE.search(will.group(1)):
        return "forecast"
    return "announcement"


_PAST = re.compile(r"\b(?:was|were|had|did|took|came|entered|became|began|started|\w+ed)\b", _F)


# cheap tests before the criminal-case and regulator-suit patterns (most sentences have neither)
# a direct question asserts nothing: "But is Gemini 2.5 Pro really the model that can challenge
# ChatGPT?", "...: can Samsung's next phone beat the iPhone X?" (the question is the whole sentence
# or its last clause after a colon or dash; "..., because why not?" is a tail, not the question)
_QUESTION = re.compile(
    r"(?:^|[:;—–]\s*|\s-\s)(?:[\"“‘'*]\s*)?(?:(?:but|and|so|yet|or)\s+)?(?:what|why|how|who|which|where|when|is|are|was|"
    r"were|can|could|will|would|does|do|did|should|has|have)\b[^:;—–?]*\?[\s\"”’'*]*$",
    re.IGNORECASE,
)
_CRIMINAL_WORDS = ("arrest", "indict", "convict", "guilty", "sentenced", "charged with")
_SUIT_WORDS = ("sue", "suing", "action against", "filed")


def _first(low: str, patterns: Sequence[re.Pattern[str]]) -> int:
    """Where the first match of any of ``patterns`` starts (len(low) if none does)."""
    starts = [m.start() for m in (p.search(low) for p in patterns) if m]
    return min(starts, default=len(low))


def _past(s: str) -> bool:
    return bool(_PAST.search(s))


def _attribution(s: str) -> str | None:
    if cue.INDEPENDENT.search(s):
        return "independent"
    if cue.SELF.search(s):
        return "self_reported"
    return None


def classify_sentences(text: str, published: date | None = None) -> list[Claim]:
    """Claims for every sentence of ``text`` (with character offsets)."""
    out = []
    for a, b in split_sentences(text):
        c = classify_sentence(text[a:b], published)
        c.start, c.end = a, b
        out.append(c)
    return out


_CAUSAL = re.compile(
    r"\b(?:increas|reduc|caus|lead|leads|led|improv|prevent|boost|cut|drive|driv|lower|rais|"
    r"protect|trigger|doubl|halv|cure|eliminat|transform|replac)\w*\b",
    re.IGNORECASE,
)
_CORRELATIONAL = re.compile(
    r"\b(?:associated|association|linked|link|correlat\w*|tied to|related to|relationship|"
    r"connected|in line with)\b",
    re.IGNORECASE,
)
_WEASEL = re.compile(
    r"\b(?:suggests?|suggested|appears?|appeared|seems?|seemed|indicates?|believed|thought to|"
    r"reportedly|allegedly|arguably|some|many|most|several|various|numerous|often|usually|generally|"
    r"widely|probably|unclear|uncertain|may(?! \d)|might|could|possibly|possible|potentially|likely|"
    r"perhaps|considered|regarded as|claimed|claims|critics|experts|it is said|is said to|"
    r"tend to|tends to)\b",
    re.IGNORECASE,
)


def hedge_count(sentence: str) -> int:
    """Number of hedging or weasel cues ("may", "suggests", "some experts") in a sentence."""
    return len(_WEASEL.findall(sentence))


def claim_strength(sentence: str) -> float:
    """How strongly a sentence asserts its claim, 0 (hedged/correlational) to 1 (direct causal)."""
    causal = len(_CAUSAL.findall(sentence))
    corr = len(_CORRELATIONAL.findall(sentence))
    score = 0.5 + 0.25 * min(causal, 2) - 0.25 * min(corr, 2) - 0.15 * min(hedge_count(sentence), 3)
    return round(min(max(score, 0.0), 1.0), 3)
