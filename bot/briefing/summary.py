"""Extractive story summaries: the most central lead sentences of a story's articles.

No external service: each article contributes its first few sentences; a sentence scores by how
many of its content words the story's other articles (and the headline) also use, so the lead
that most outlets agree on wins. Ties break by article order and position: deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.briefing.text import clean_text, content_words, shorten, split_sentences
from bot.pipeline.lead import clean_lead

LEAD_SENTENCES = 3
MIN_SENTENCE_CHARS = 40
MAX_SENTENCE_CHARS = 320
MAX_SUMMARY_CHARS = 420
SECOND_SENTENCE_SUPPORT = 0.4


_END = (".", "!", "?", '"', "”", "’", "'", ")")


def _norm(text: str) -> str:
    return " ".join(content_words(text))


_DATELINE = re.compile(
    r"^(?:\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{4})[\s,:–—-]*",
    re.IGNORECASE,
)


def _after_words(sentence: str, words: list[str]) -> str:
    """``sentence`` after the place where ``words`` (its leading content words) end."""
    low, pos = sentence.lower(), 0
    for word in words:
        found = low.find(word, pos)
        if found < 0:
            return sentence
        pos = found + len(word)
    return sentence[pos:].lstrip(" :-–—,.|")


def _leads(raw: str, titles: Sequence[str]) -> list[str]:
    """The first real sentences: paragraphs split on newlines, headline lines and bylines skipped."""
    title_keys = [_norm(t) for t in titles if t and _norm(t)]
    out: list[str] = []
    for paragraph in (raw or "").splitlines():
        paragraph = clean_text(paragraph)
        for sentence in split_sentences(paragraph):
            key = _norm(sentence)
            for (
                tkey
            ) in title_keys:  # "Headline 21 November 2025 Google has ..." -> "Google has ..."
                if key.startswith(tkey) and key != tkey:
                    sentence = _after_words(sentence, tkey.split())
                    key = _norm(sentence)
            sentence = _DATELINE.sub("", sentence)
            if key in title_keys or not sentence.endswith(_END):
                continue  # the headline again, or a headline/dateline fragment
            if len(sentence) < MIN_SENTENCE_CHARS or sentence.count(" ") < 5:
                continue  # bylines, datelines, photo credits
            out.append(shorten(sentence, MAX_SENTENCE_CHARS))
            if len(out) >= LEAD_SENTENCES:
                return out
    return out


def summarize_story(
    headline: str,
    texts: Sequence[str],
    max_sentences: int = 2,
    titles: Sequence[str] = (),
) -> str:
    """One or two sentences taken from ``texts`` (one text per article, best article first);
    ``titles`` are headlines that must not be repeated as the summary."""
    candidates: list[tuple[int, int, str, set[str]]] = []
    doc_words: list[set[str]] = []
    for a_idx, raw in enumerate(texts):
        raw = clean_lead(raw)  # a photo caption describes the picture, not the story
        text = clean_text(raw)
        doc_words.append(set(content_words(text[:3000])))
        for s_idx, sentence in enumerate(_leads(raw, [headline, *titles])):
            candidates.append((a_idx, s_idx, sentence, set(content_words(sentence))))
    if not candidates:
        return ""
    df: Counter[str] = Counter()
    for words in doc_words:
        df.update(words)
    title_words = set(content_words(headline))

    def score(item: tuple[int, int, str, set[str]]) -> float:
        a_idx, s_idx, _sentence, words = item
        if not words:
            return 0.0
        # support from *other* articles, plus the headline; normalised so long sentences don't win
        support = sum(df[w] - (1 if w in doc_words[a_idx] else 0) for w in words)
        support += 2 * len(words & title_words)
        return support / (len(words) ** 0.5) - 0.3 * s_idx

    ranked = sorted(candidates, key=lambda c: (-score(c), c[0], c[1]))
    chosen = [ranked[0]]
    for cand in ranked[1:]:
        if len(chosen) >= max_sentences:
            break
        overlap = len(cand[3] & chosen[0][3]) / max(1, len(cand[3]))
        total = sum(len(c[2]) for c in chosen) + len(cand[2])
        # a second sentence must add something *and* be about the story (supported by others)
        supported = score(cand) >= SECOND_SENTENCE_SUPPORT * score(ranked[0]) > 0
        if overlap < 0.6 and total <= MAX_SUMMARY_CHARS and supported:
            chosen.append(cand)
    if len({c[0] for c in chosen}) == 1:
        chosen.sort(key=lambda c: c[1])  # reading order within one article
    return " ".join(c[2] for c in chosen)
