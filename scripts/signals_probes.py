"""Unseen-text probes for scripts/eval_signals.py: blind claim probes and real-feed topic labels.

* ``tests/data/probe_claims.jsonl``: self-written claim sentences in news wording, written blind
  (scored before any change to the code). ``split`` = ``heldout`` (never looked at while the code
  changed; only its totals were printed) or ``dev`` (errors looked at).
* ``tests/data/g5tech_claims.jsonl``: claim labels of real 2017-2018 technology news sentences
  (``../shared/data/clustering/giveme5w1h``; ids and offsets only), all held out: scored in total.
  ``tests/data/g5dev_claims.jsonl``: the same for business articles, a dev set (errors looked at).
* ``tests/data/feeds_articles.jsonl``: relevance and primary-topic labels of real feed entries in
  ``../shared/data/feeds/real_feeds`` (texts not committed: ``feed`` file, ``guid_sha1`` of the
  entry's guid, ``text_sha1`` checked here). ``primary_topic`` null on a relevant item means the
  topic is not clear-cut; such items count for relevance only.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import sys
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.pipeline.claims import Claim, classify_sentence, rule_claim  # noqa: E402
from bot.pipeline.evidence import document_claims  # noqa: E402
from bot.pipeline.feeds import parse_feed  # noqa: E402
from bot.pipeline.signals import _embed_text  # noqa: E402
from bot.pipeline.topics import OFF_TOPIC, WEIGHTS_PATH, TopicClassifier, load_taxonomy  # noqa: E402

DATA = ROOT / "tests" / "data"
KEYWORD_RULE = [  # the naive baseline the issue mentions: first keyword family that matches
    (
        "deployment",
        r"\b(deployed|in production|users|customers|laid off|cut|in force|took effect)\b",
    ),
    (
        "hype",
        r"\b(announc|launch|unveil|will|expected|plan|raise|funding|billion|benchmark|bill|propos)",
    ),
]


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON-lines file."""
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def pub_date(value: str | None) -> date | None:
    """The date of an ISO timestamp, or None."""
    try:
        return date.fromisoformat(value[:10]) if value and len(value) >= 10 else None
    except ValueError:
        return None


def keyword_label(sentence: str) -> str:
    """The naive baseline: the first keyword family that matches."""
    for label, pattern in KEYWORD_RULE:
        if re.search(pattern, sentence, re.IGNORECASE):
            return label
    return "neither"


def print_claim_scores(split: str, gold: list, pred: list, base: list, rules: list) -> None:
    """All sentences, clear-cut claims (gold deployment/hype) and rules alone, one line each."""
    clear = [k for k, g in enumerate(gold) if g != "neither"]

    def on_clear(labels: list) -> list:
        return [labels[k] for k in clear]

    print(
        f"  [{split}] all sentences, 3 labels      briefing {scores(gold, pred)} | keyword rule {scores(gold, base)}"
    )
    print(
        f"  [{split}] clear-cut claims (gold D/H) briefing {scores(on_clear(gold), on_clear(pred))}"
        f" | keyword rule {scores(on_clear(gold), on_clear(base))}"
    )
    print(
        f"  [{split}] rules alone (no claim model)  all {scores(gold, rules)} | clear-cut "
        f"{scores(on_clear(gold), on_clear(rules))}"
    )


def claims_in_context(
    title: str | None, text: str, published: str | date | None
) -> dict[int, Claim]:
    """Every sentence's claim read in its document (``bot.pipeline.evidence.document_claims``), by end offset.

    This is how an article's sentences are labelled in the product (evidence and article label); a
    labelled sentence the document pass does not reach (beyond its sentence cap) is left out here,
    and the caller classifies it alone.
    """
    text = _PAGE_DATE_PREFIX.sub(lambda m: " " * len(m.group(0)), text)  # offsets kept
    _, claims, _ = document_claims(title, text, published)
    return {c.end: c for c in claims}


def context_labels(items: list[tuple[str, dict, int]], alone: list[str]) -> list[str]:
    """Each labelled sentence's label read in its document: ``items`` are (document id, document
    with ``title``, ``text``, ``published``, the sentence's end offset); a sentence the document
    pass does not reach keeps its label ``alone``. Each document is classified once."""
    docs: dict[str, dict[int, Claim]] = {}
    out = []
    for (key, doc, end), label in zip(items, alone, strict=True):
        if key not in docs:
            docs[key] = claims_in_context(doc.get("title"), doc["text"], doc["published"])
        claim = docs[key].get(end)
        out.append(claim.label if claim else label)
    return out


def print_context_scores(split: str, gold: list, alone: list, in_doc: list) -> None:
    """Clear-cut accuracy and non-claims kept, sentence alone versus read in its document."""
    clear = [k for k, g in enumerate(gold) if g != "neither"]
    neither = [k for k, g in enumerate(gold) if g == "neither"]

    def acc(pred: list, idx: list) -> str:
        return f"{np.mean([pred[k] == gold[k] for k in idx]):.3f}" if idx else "-"

    print(
        f"  [{split}] in its document's context: clear-cut {acc(alone, clear)} -> {acc(in_doc, clear)} "
        f"(n={len(clear)}), non-claims kept neither {acc(alone, neither)} -> {acc(in_doc, neither)} "
        f"(n={len(neither)}), all {acc(alone, list(range(len(gold))))} -> {acc(in_doc, list(range(len(gold))))}"
    )


def scores(gold: list, pred: list) -> str:
    """Accuracy and macro-F1 as printed by the evaluation scripts."""
    if not gold:
        return "n=   0"
    labels = sorted(set(gold))
    f1 = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    return f"n={len(gold):4d}  acc={accuracy_score(gold, pred):.3f}  macroF1={f1:.3f}"


def eval_probe_claims(
    show_errors: bool = False,
    path: Path = DATA / "probe_claims.jsonl",
    what: str = "blind claim probes (self-written, unseen wording",
) -> None:
    """Label accuracy on self-written claim sentences (the blind probes; the written sentences of
    session 12, all one part), per split, next to the keyword rule."""
    rows = read_jsonl(path)
    print(f"\n== {what}; {len(rows)} sentences)")
    for split in ("heldout", "dev", "all"):
        part = [r for r in rows if r.get("split", "all") == split]
        if not part:
            continue
        gold = [r["label"] for r in part]
        claims = [classify_sentence(r["text"], pub_date(r["published"])) for r in part]
        pred = [c.label for c in claims]
        base = [keyword_label(r["text"]) for r in part]
        rules = [rule_claim(r["text"], pub_date(r["published"])).label for r in part]
        gs = [
            r["subtype"]
            for r, c in zip(part, claims, strict=True)
            if r["label"] == c.label == "hype"
        ]
        ps = [
            c.subtype for r, c in zip(part, claims, strict=True) if r["label"] == c.label == "hype"
        ]
        print_claim_scores(split, gold, pred, base, rules)
        print(f"  [{split}] hype subtype when both hype   {scores(gs, ps)}")
        if show_errors and split == "dev":
            for r, c in zip(part, claims, strict=True):
                if (r["label"], r["subtype"]) != (c.label, c.subtype):
                    print(f"    {r['label']}/{r['subtype']} -> {c.label}/{c.subtype} | {r['text']}")


def feed_entries(shared: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    base = shared / "feeds" / "real_feeds" / "benchmark_data"
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for f in sorted(base.glob("*.gz")):
        try:
            feed = parse_feed(gzip.decompress(f.read_bytes()), url="https://example.invalid/")
        except Exception:  # noqa: BLE001  a feed that does not parse has no labels
            continue
        for e in feed.entries:
            gh = hashlib.sha1((e.guid or e.url or e.title or "").encode()).hexdigest()[:12]
            text = e.content or e.summary or ""
            th = hashlib.sha1(f"{e.title or ''}\n{text}".encode()).hexdigest()[:12]
            out[(f.name, gh)] = (e.title or "", text, th)
    return out


def eval_feed_claims(shared: Path) -> None:
    """Claim labels of real sentences from the labelled feed entries (mostly non-claims)."""
    entries = feed_entries(shared)
    if not entries:
        return
    rows = read_jsonl(DATA / "feeds_claims.jsonl")
    print(
        f"\n== real-feed claim sentences ({len(rows)} labelled, sentences of relevant feed entries)"
    )
    for split in ("heldout", "dev"):
        gold, pred, rules, base = [], [], [], []
        for d in rows:
            if d["split"] != split:
                continue
            _, text, _ = entries[(d["feed"], d["guid_sha1"])]
            s = text[d["start"] : d["end"]]
            if hashlib.sha1(s.encode()).hexdigest()[:12] != d["sha1"]:
                raise SystemExit(
                    f"text of feed entry {d['guid_sha1']} changed: sentence hash mismatch"
                )
            gold.append(d["label"])
            pred.append(classify_sentence(s).label)
            rules.append(rule_claim(s).label)
            base.append(keyword_label(s))
        clear = [k for k, g in enumerate(gold) if g != "neither"]
        neither = [k for k, g in enumerate(gold) if g == "neither"]
        print(
            f"  [{split}] all {scores(gold, pred)} | rules alone {scores(gold, rules)} | keyword rule "
            f"{scores(gold, base)}"
        )
        print(
            f"  [{split}] clear-cut acc={np.mean([gold[k] == pred[k] for k in clear]):.3f} (n={len(clear)}; rules alone "
            f"{np.mean([gold[k] == rules[k] for k in clear]):.3f}) | non-claims kept neither "
            f"{np.mean([pred[k] == 'neither' for k in neither]):.3f} (n={len(neither)}; rules alone "
            f"{np.mean([rules[k] == 'neither' for k in neither]):.3f})"
        )


def _labelled_feed_inputs(shared: Path) -> list[dict]:
    labels = read_jsonl(DATA / "feeds_articles.jsonl")
    entries = feed_entries(shared)
    if not entries:
        return []
    for lab in labels:
        title, text, th = entries[(lab["feed"], lab["guid_sha1"])]
        if th != lab["text_sha1"]:
            raise SystemExit(f"text of feed entry {lab['guid_sha1']} changed: hash mismatch")
        lab["_in"] = _embed_text(title, text)
    return labels


def feed_topic_training(
    shared: Path, embedder, cached_embeddings, cache: Path
) -> tuple[list, list]:
    """Vectors and labels of the DEV split of the labelled feed entries (topic-model training);
    relevant entries without a clear-cut topic are left out."""
    labels = _labelled_feed_inputs(shared)
    if not labels:
        return [], []
    emb = cached_embeddings(
        embedder, [lab["_in"] for lab in labels], cache.with_name(cache.stem + "_feeds.npz")
    )
    keep = [
        k
        for k, lab in enumerate(labels)
        if lab["split"] == "dev" and (lab["primary_topic"] or not lab["relevant"])
    ]
    return [emb[k] for k in keep], [labels[k]["primary_topic"] or OFF_TOPIC for k in keep]


def eval_feed_topics(shared: Path, embedder, cached_embeddings, cache: Path) -> None:
    """Relevance and primary topic on labelled real feed entries (a harder, non-ai_news set)."""
    labels = _labelled_feed_inputs(shared)
    if not labels:
        print("\n== real-feed topics: ../shared/data/feeds/real_feeds not found, skipped")
        return
    emb = cached_embeddings(
        embedder, [lab["_in"] for lab in labels], cache.with_name(cache.stem + "_feeds.npz")
    )
    tax = load_taxonomy()
    print(f"\n== real-feed articles (relevance and primary topic; {len(labels)} labelled entries)")
    for name, weights in (("zero-shot prototypes", None), ("briefing", WEIGHTS_PATH)):
        clf = TopicClassifier(tax, embedder, weights=weights)
        for split in ("heldout", "dev"):
            idx = [k for k, lab in enumerate(labels) if lab["split"] == split]
            x = emb[idx]
            if weights is None:
                sims = x @ clf.prototypes.T
                pred = [(clf.names + [OFF_TOPIC])[j] for j in sims.argmax(axis=1)]
                rel = [p != OFF_TOPIC for p in pred]
            else:
                res = clf.classify([labels[k]["_in"] for k in idx], x)
                rel = [r.relevant for r in res]
                pred = [
                    r.primary_topic if r.relevant and r.primary_topic else OFF_TOPIC for r in res
                ]
            gold_rel = [labels[k]["relevant"] for k in idx]
            off = [j for j, g in enumerate(gold_rel) if not g]
            on = [j for j, g in enumerate(gold_rel) if g]
            off_rec = sum(not rel[j] for j in off) / max(len(off), 1)
            on_rec = sum(rel[j] for j in on) / max(len(on), 1)
            topical = [
                j
                for j, k in enumerate(idx)
                if labels[k]["primary_topic"] or not labels[k]["relevant"]
            ]
            gt = [labels[idx[j]]["primary_topic"] or OFF_TOPIC for j in topical]
            pt = [pred[j] for j in topical]
            print(
                f"  [{split}] {name:22s} relevance acc={accuracy_score(gold_rel, rel):.3f} off-topic recall="
                f"{off_rec:.3f} ({len(off)}) on-topic recall={on_rec:.3f} ({len(on)}) | primary topic"
                f" incl. off-topic {scores(gt, pt)}"
            )


def eval_g5_claims(shared: Path) -> None:
    """Claim labels of real 2017-18 news sentences outside the AI domain: technology articles (all
    held out) and business articles (dev: errors looked at, trains the claim model)."""
    src = shared / "clustering" / "giveme5w1h" / "articles.jsonl"
    if not src.exists():
        return
    by_id = {r["id"]: r for r in read_jsonl(src)}
    for split, name, title in (
        ("heldout", "g5tech_claims.jsonl", "technology news 2017-18 (giveme5w1h, all held out"),
        ("dev", "g5dev_claims.jsonl", "business news 2017-18 (giveme5w1h, dev"),
    ):
        gold, pred, rules = [], [], []
        for d in read_jsonl(DATA / name):
            art = by_id[d["id"]]
            s = (art["text"] or "")[d["start"] : d["end"]]
            if hashlib.sha1(s.encode()).hexdigest()[:12] != d["sha1"]:
                raise SystemExit(f"text of giveme5w1h {d['id']} changed: sentence hash mismatch")
            pub = pub_date(art.get("date_publish"))
            gold.append(d["label"])
            pred.append(classify_sentence(s, pub).label)
            rules.append(rule_claim(s, pub).label)
        clear = [k for k, g in enumerate(gold) if g != "neither"]
        neither = [k for k, g in enumerate(gold) if g == "neither"]
        print(f"\n== {title}; {len(gold)} sentences)")
        print(f"  [{split}] all {scores(gold, pred)} | rules alone {scores(gold, rules)}")
        print(
            f"  [{split}] clear-cut acc={np.mean([gold[k] == pred[k] for k in clear]):.3f} (n={len(clear)}; rules "
            f"alone {np.mean([gold[k] == rules[k] for k in clear]):.3f}) | non-claims kept neither "
            f"{np.mean([pred[k] == 'neither' for k in neither]):.3f} (n={len(neither)})"
        )


_PAGE_DATE_PREFIX = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")  # the stored copies' metadata line


def local_pages(pages: Path) -> dict[str, dict]:
    """The pages of the local file ``pages`` whose text is the one labelled (its hash matches the index).

    A page that is missing, or whose text differs (a live page re-fetched later can change), is left
    out with its sentences: the labels were written against the stored copy.
    """
    if not pages.exists():
        return {}
    index = {r["page_id"]: r["text_sha1"] for r in read_jsonl(DATA / "pages_index.jsonl")}
    return {
        r["page_id"]: r
        for r in read_jsonl(pages)
        if index.get(r["page_id"]) == hashlib.sha1(r["text"].encode()).hexdigest()[:12]
    }


def page_claim_rows(
    pages: Path,
    split: str | None = None,
    labels: Path = DATA / "pages_claims.jsonl",
    by_id: dict[str, dict] | None = None,
) -> list[tuple[str, date | None, dict]]:
    """(sentence, publication date, label row) of the collected AI pages present locally.

    The texts are copies of public web pages, kept out of the repository (``pages`` is a local
    JSON-lines file of ``page_id``, ``url``, ``title``, ``published``, ``text``); the committed
    labels point into them by offsets and are checked by hash. Rows labelled ``unclear`` are skipped.
    ``labels`` and ``by_id`` (pages by id, instead of reading ``pages``) serve other page sets.
    """
    by_id = local_pages(pages) if by_id is None else by_id
    out = []
    for d in read_jsonl(labels):
        page = by_id.get(d["page_id"])
        if page is None or d["label"] == "unclear" or (split and d["split"] != split):
            continue
        s = page["text"][d["start"] : d["end"]]
        if hashlib.sha1(s.encode()).hexdigest()[:12] != d["sha1"]:
            raise SystemExit(f"{pages}: sentence hash mismatch in page {d['page_id']}")
        out.append((_PAGE_DATE_PREFIX.sub("", s), pub_date(page["published"]), d))
    return out


def eval_page_claims(pages: Path, show_errors: bool = False) -> None:
    """Claim labels of real AI-industry pages collected for issue 4 (316 pages in eight rounds, 2024-2026), per split
    and per collection round."""
    rows = page_claim_rows(pages)
    if not rows:
        print(
            f"\n== collected AI pages: no page texts in {pages}, skipped (see tests/data/README.md)"
        )
        return
    n_index = len(read_jsonl(DATA / "pages_index.jsonl"))
    pages_by_id = local_pages(pages)
    print(
        f"\n== collected AI-industry pages, 2024-2026 ({len(rows)} labelled sentences; the texts of "
        f"{len(pages_by_id)} of the {n_index} pages are in {pages})"
    )
    # round 2 (51 pages) was collected after the first signals-8 changes and scored first with
    # them; round 3 (25 pages) was scored only with the final signals-8 (its dev errors gave
    # signals-9); round 4 was collected after signals-9 and scored first with it (its dev errors
    # gave signals-10); round 5 was scored only with the final signals-10: no rule came from it;
    # round 6 (pilots and rollouts; safety and chips) was scored only with the final signals-11, and
    # round 7 (trials, previews and rollouts outside the UK) too; round 8 (session 18: AI in
    # operation in companies, public bodies and industry) was scored once with signals-18.
    # Round 1 rows carry no "round"; the later rounds present locally are read from the rows.
    later = sorted({r[2]["round"] for r in rows if r[2].get("round", 1) > 1})
    for rnd in (None, *later):
        for name in ("heldout", "dev"):
            part = [r for r in rows if r[2]["split"] == name and rnd in (None, r[2].get("round"))]
            split = name if rnd is None else f"{name} round {rnd}"
            if part:
                score_page_part(split, part, pages_by_id, show_errors and split == "dev")


def score_page_part(
    split: str, part: list[tuple[str, date | None, dict]], pages_by_id: dict, show_errors: bool
) -> None:
    """Print the claim scores of labelled page sentences ``part`` ((sentence, date, label row) as from
    ``page_claim_rows``): alone and read in their page, non-claims kept, hype subtypes; with
    ``show_errors`` also each wrong sentence."""
    gold = [d["label"] for _, _, d in part]
    claims = [classify_sentence(s, pub) for s, pub, _ in part]
    pred = [c.label for c in claims]
    base = [keyword_label(s) for s, _, _ in part]
    rules = [rule_claim(s, pub).label for s, pub, _ in part]
    print_claim_scores(split, gold, pred, base, rules)
    items = [(d["page_id"], pages_by_id[d["page_id"]], d["end"]) for _, _, d in part]
    print_context_scores(split, gold, pred, context_labels(items, pred))
    neither = [k for k, g in enumerate(gold) if g == "neither"]
    both = [
        (d["subtype"], c.subtype)
        for (_, _, d), c in zip(part, claims, strict=True)
        if d["label"] == c.label == "hype"
    ]
    print(
        f"  [{split}] non-claims kept neither {np.mean([pred[k] == 'neither' for k in neither]):.3f} "
        f"(n={len(neither)}) | hype subtype when both hype {scores([g for g, _ in both], [p for _, p in both])}"
    )
    if show_errors:
        for (s, _, d), c in zip(part, claims, strict=True):
            if d["label"] != c.label:
                print(f"    {d['label']}/{d['subtype']} -> {c.label}/{c.subtype} {c.cues} | {s}")
