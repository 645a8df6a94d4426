"""Article and story labels from sentence claims: the evidence behind deployment versus hype.

Article: every sentence is a claim (``bot.pipeline.claims``); the title counts 2.5 times, body
sentences 1.5 / (1 + 0.3 * position) (at least 0.25), since news states its facts first. Deployment
and hype evidence (weight x confidence) are summed; the larger wins if it reaches 0.9, else
``neither``. The hype subtype is the subtype with the most evidence; evidence lists up to three
sentences. A law signed in one sentence and dated in another is judged across sentences: an
effective date after the publication date (or, without one, after the latest date the text reports
as past) makes it a proposal. A text of one sentence (a claim to label, a headline alone) takes that
sentence's label, confidence and evidence: the 0.9 threshold is for articles.

Story: articles vote with their confidence; relevance and primary topic by majority.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import numpy as np

from bot.pipeline.claim_cues import EFFECT_DATE, FUTURE, LAW_PASSED
from bot.pipeline.claim_dates import find_dates
from bot.pipeline.claims import _PAST as PAST
from bot.pipeline.claims import Claim, classify_sentence, split_sentences
from bot.store.models import ArticleSignal

MAX_TEXT_CHARS = 20_000  # long texts: claims come from the opening, where news puts its facts
MAX_SENTENCES = 80
LABEL_MIN_EVIDENCE = 0.9
# claims only the learned model found (the rules saw none) are less precise on real articles:
# they count at this share of their weight (chosen on the train split's article labels)
RESCUED_WEIGHT = 0.25
# an article about a trial says so in its headline or its first sentences
LEAD_SENTENCES = 3
PILOT_TRAP = "trap:pilot_or_preview"
_ENACTED_CUES = ("in_force:", "enforced:", "work:")  # done whatever the trial: fines, laws, layoffs
_OWN_TIME = re.compile(r"\b(?:now|today|currently|this (?:week|month|year))\b", re.IGNORECASE)
BEYOND_TRIAL = re.compile(
    r"\b(?:generally available|general availability|rolled out|rolls out|"
    r"(?:after|following|since) (?:the|a|its|their) (?:[\w-]+ ){0,2}(?:pilot|trial|beta|preview)s?)\b"
)


def as_date(published: Any) -> date | None:
    """A publication date from a date, datetime, ISO 8601 or RFC 822 string; None if unreadable."""
    if published is None or published == "":
        return None
    if isinstance(published, datetime):
        return published.date()
    if isinstance(published, date):
        return published
    raw = str(published).strip()
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        pass
    try:  # RFC 822, as feeds write it: "Tue, 10 Mar 2026 08:00:00 GMT"
        return parsedate_to_datetime(raw).date()
    except (TypeError, ValueError, IndexError):
        return None


def document_claims(
    title: str | None, text: str, published: Any = None
) -> tuple[Claim | None, list[Claim], date | None]:
    """The headline's claim, every sentence's claim read in its article's context, and the date used.

    Each sentence is classified alone (``classify_sentence``, offsets into ``text`` in
    ``start``/``end``), then the article's context applies (:func:`in_context`): a pilot, trial or
    preview named in the headline or opening covers the usage and outcome figures reported under it.
    """
    pub = as_date(published)
    body = text[:MAX_TEXT_CHARS]
    spans = split_sentences(body)[:MAX_SENTENCES]
    ref = pub or infer_reference_date([body[a:b] for a, b in spans])
    head_text = title.strip() if title and title.strip() else None
    head = classify_sentence(head_text, ref, title=True) if head_text else None
    claims = []
    for a, b in spans:
        c = classify_sentence(body[a:b], ref)
        c.start, c.end = a, b
        claims.append(c)
    lead = [c for c in claims if head is None or c.text != head.text][:LEAD_SENTENCES]
    if _about_a_trial(head, lead):
        claims = [in_context(c) for c in claims]
    else:  # a trial reported further down: the figures of the very next sentence are the trial's
        claims = [
            in_context(c) if i and _trial_figure(claims[i - 1], c) else c
            for i, c in enumerate(claims)
        ]
    return head, claims, ref


def _trial_figure(before: Claim, claim: Claim) -> bool:
    """A usage or outcome figure right after a sentence that reports a pilot or trial.

    "We've run 2 public pilots of GOV.UK Chat. More than 10,000 users asked 26,000 questions.":
    the count is the pilots'. Not when the sentence dates itself ("now", "today", "currently").
    """
    return (
        PILOT_TRAP in before.cues
        and any(c.startswith(("usage:", "outcome:")) for c in claim.cues)
        and not _OWN_TIME.search(claim.text)
    )


def _about_a_trial(head: Claim | None, lead: Sequence[Claim]) -> bool:
    """The headline or the opening sentences report a pilot, trial, beta or preview."""
    return any(PILOT_TRAP in c.cues for c in ([head] if head else []) + list(lead))


def in_context(claim: Claim) -> Claim:
    """A claim of an article about a trial: usage and outcomes reported under it are the trial's.

    briefing.md: pilots, trials, betas and previews are not deployment. "20,000 employees took
    part", "adoption peaked at 71%", "saved 43 minutes a day" in an article whose headline or
    opening is a trial describe that trial: an announcement, or a benchmark for a measured outcome
    (a result not yet in a product). Enacted actions (a fine, a law in force, layoffs done) and a
    sentence that itself says the product went beyond the trial (rolled out, generally available)
    keep their label.
    """
    if (
        claim.label != "deployment"
        or any(c.startswith(_ENACTED_CUES) for c in claim.cues)
        or BEYOND_TRIAL.search(claim.text.lower())
    ):
        return claim
    outcome = any(c.startswith("outcome:") for c in claim.cues)
    return replace(
        claim,
        label="hype",
        subtype="benchmark" if outcome else "announcement",
        confidence=round(min(claim.confidence, 0.7), 3),
        cues=[*claim.cues, "trap:pilot_context"],
    )


def label_article(title: str | None, text: str, published: Any = None) -> dict[str, Any]:
    """The article's label, subtype, confidence, attribution and evidence from its sentence claims."""
    head, claims, ref = document_claims(title, text, published)
    body_claims = [c for c in claims if head is None or c.text != head.text]
    if len(body_claims) + (head is not None) == 1:
        # one sentence is the whole text (a claim to label, a headline alone): its claim is the
        # label. The evidence threshold below is for articles, where one weak line must not decide
        return _lone_label(head or body_claims[0])
    weighted: list[tuple[float, Claim]] = []
    if head is not None:
        weighted.append((2.5, head))
    for i, claim in enumerate(claims):
        if head is not None and claim.text == head.text:
            continue
        w = max(1.5 / (1.0 + 0.3 * i), 0.25)
        weighted.append((w * RESCUED_WEIGHT if _rescued(claim) else w, claim))
    body = text[:MAX_TEXT_CHARS]
    sentences = [body[c.start : c.end] for c in claims]
    weighted.extend(_law_timing(([head.text] if head else []) + sentences, ref))
    if _is_market_story(weighted[:6], has_title=head is not None):
        return {
            "label": "neither",
            "subtype": None,
            "confidence": 0.7,
            "evidence": [],
            "attribution": None,
        }
    dep = sum(w * c.confidence for w, c in weighted if c.label == "deployment")
    by_sub: dict[str, float] = defaultdict(float)
    for w, c in weighted:
        if c.label == "hype" and c.subtype:
            by_sub[c.subtype] += w * c.confidence
    hype = sum(by_sub.values())
    if max(dep, hype) < LABEL_MIN_EVIDENCE:
        return {
            "label": "neither",
            "subtype": None,
            "confidence": round(0.5 + 0.3 * (1 - max(dep, hype)), 3),
            "evidence": [],
            "attribution": None,
        }
    label = "deployment" if dep >= hype else "hype"
    subtype = None if label == "deployment" else max(by_sub, key=lambda k: by_sub[k])
    confidence = 0.5 + 0.45 * abs(dep - hype) / (dep + hype + 0.5)
    chosen = [
        (w * c.confidence, c) for w, c in weighted if c.label == label and c.subtype == subtype
    ]
    chosen.sort(key=lambda p: -p[0])
    attributions = Counter(c.attribution for _, c in chosen if c.attribution)
    attribution = attributions.most_common(1)[0][0] if attributions else None
    if label == "deployment" and attribution == "self_reported":
        confidence *= 0.9
    return {
        "label": label,
        "subtype": subtype,
        "confidence": round(min(confidence, 0.95), 3),
        "evidence": list(dict.fromkeys(c.text for _, c in chosen))[:3],  # a sentence once
        "attribution": attribution,
    }


def _lone_label(claim: Claim) -> dict[str, Any]:
    claimed = claim.label != "neither"
    return {
        "label": claim.label,
        "subtype": claim.subtype,
        "confidence": round(min(claim.confidence, 0.95), 3),
        "evidence": [claim.text] if claimed else [],
        "attribution": claim.attribution if claimed else None,
    }


def _rescued(claim: Claim) -> bool:
    return any(c.startswith("model:") for c in claim.cues)


def _is_market_story(head: Sequence[tuple[float, Claim]], has_title: bool) -> bool:
    """Share prices and market value lead the story: neither adoption nor hype, whatever it mentions."""
    market = [any(c.startswith("market:") for c in claim.cues) for _, claim in head]
    return has_title and bool(market) and market[0] and sum(market) >= 2


def infer_reference_date(sentences: Sequence[str]) -> date | None:
    """Without a publication date: the latest date the text reports as past (a lower bound of "now")."""
    past = [
        d
        for s in sentences
        if not FUTURE.search(s.lower()) and PAST.search(s)
        for d in find_dates(s)
    ]
    return max(past) if past else None


def _law_timing(sentences: Sequence[str], ref: date | None) -> list[tuple[float, Claim]]:
    """Article-level: a law signed in one sentence, its effective date in another."""
    if ref is None or not any(LAW_PASSED.search(s.lower()) for s in sentences):
        return []
    for s in sentences:
        if EFFECT_DATE.search(s.lower()):
            dates = find_dates(s)
            if dates and max(dates) > ref:
                claim = Claim(
                    " ".join(s.split()),
                    "hype",
                    "proposal",
                    0.8,
                    None,
                    [f"trap:effective_after_publication:{max(dates).isoformat()}"],
                )
                return [(3.0, claim)]
            if dates:
                claim = Claim(
                    " ".join(s.split()), "deployment", None, 0.75, None, ["in_force:dated"]
                )
                return [(2.0, claim)]
    return []


def aggregate_story(signals: Sequence[ArticleSignal]) -> dict[str, Any]:
    """A story's relevance, topics, label and evidence from its articles' signals."""
    if not signals:
        return {
            "relevant": None,
            "topics": [],
            "primary_topic": None,
            "label": None,
            "subtype": None,
            "confidence": None,
            "evidence": [],
        }
    relevant = sum(s.relevant for s in signals) * 2 >= len(signals)
    topic_votes: Counter[str] = Counter()
    primary_votes: Counter[str] = Counter()
    for s in signals:
        if s.relevant:
            topic_votes.update(s.topics)
            if s.primary_topic:
                primary_votes[s.primary_topic] += 1
    primary = primary_votes.most_common(1)[0][0] if primary_votes and relevant else None
    topics = [t for t, n in topic_votes.most_common() if n * 2 >= len(signals) or t == primary][:3]
    if primary and primary not in topics:
        topics.insert(0, primary)
    score: dict[tuple[str, str | None], float] = defaultdict(float)
    for s in signals:
        if s.label != "neither":
            score[(s.label, s.subtype)] += s.confidence
    dep = sum(v for (lab, _), v in score.items() if lab == "deployment")
    hype = sum(v for (lab, _), v in score.items() if lab == "hype")
    if not score:
        return {
            "relevant": relevant,
            "topics": topics,
            "primary_topic": primary,
            "label": "neither",
            "subtype": None,
            "confidence": round(float(np.mean([s.confidence for s in signals])), 3),
            "evidence": [],
        }
    label = "deployment" if dep >= hype else "hype"
    subs = {k[1]: v for k, v in score.items() if k[0] == label}
    subtype = max(subs, key=lambda k: subs[k]) if label == "hype" else None
    confidence = round(min(0.95, 0.5 + 0.45 * abs(dep - hype) / (dep + hype + 0.5)), 3)
    evidence: list[dict[str, Any]] = []
    for s in sorted(signals, key=lambda s: -s.confidence):
        if s.label == label and s.subtype == subtype:
            for text in s.evidence[:2]:
                if all(e["text"] != text for e in evidence):  # copies of one wire story
                    evidence.append(
                        {"article_id": s.article_id, "text": text, "attribution": s.attribution}
                    )
    return {
        "relevant": relevant,
        "topics": topics,
        "primary_topic": primary,
        "label": label,
        "subtype": subtype,
        "confidence": confidence,
        "evidence": evidence[:4],
    }
