"""Evaluate signals (relevance, topics, claim labels, article labels) on the held-out split.

Reads the labelled ids in tests/data/ and the texts they point to in ../shared/data/ai_news
(never committed), plus the committed self-written fixtures, and prints accuracy and macro-F1 per
task next to a baseline measured in the same run (zero-shot prototypes for topics; a keyword rule
for claims). Also reports the proxy sets in ../shared/data/hype and the classification speed.

    .venv/bin/python scripts/eval_signals.py [--shared PATH] [--train] [--no-proxy]

--train refits the topic model (bot/pipeline/topic_weights.npz) on the TRAIN split only (ai_news
train articles, off-topic news from ../shared/data/clustering/giveme5w1h with technology excluded,
and the dev split of the labelled real feed entries).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from signals_agreement import eval_agreement, eval_alone  # noqa: E402
from signals_open import eval_open_pages  # noqa: E402
from signals_probes import (  # noqa: E402
    context_labels,
    eval_feed_claims,
    eval_feed_topics,
    eval_g5_claims,
    eval_page_claims,
    eval_probe_claims,
    feed_topic_training,
    keyword_label,
    print_claim_scores,
    print_context_scores,
    pub_date,
    read_jsonl,
    scores,
)

from bot.pipeline.claims import (  # noqa: E402
    claim_strength,
    classify_sentence,
    hedge_count,
    rule_claim,
    split_sentences,
)
from bot.pipeline.embed import load_embedder  # noqa: E402
from bot.pipeline.signals import _embed_text, classify_texts, label_article  # noqa: E402
from bot.pipeline.topics import (  # noqa: E402
    OFF_TOPIC,
    WEIGHTS_PATH,
    TopicClassifier,
    fit_topic_weights,
    load_taxonomy,
)

DATA = ROOT / "tests" / "data"


def eval_topics(arts, emb, by_id, embedder, train: bool, cache: Path) -> None:
    ids = [a["id"] for a in arts]
    vec = {i: emb[k] for k, i in enumerate(by_id)}
    if train:
        g5 = ROOT.parent / "shared" / "data" / "clustering" / "giveme5w1h" / "articles.jsonl"
        extra_x, extra_y = [], []
        if g5.exists():
            recs = [r for r in read_jsonl(g5) if r.get("category") != "technology"]
            extra_x = list(
                cached_embeddings(
                    embedder,
                    [_embed_text(r["title"], r["text"] or "") for r in recs],
                    cache.with_name(cache.stem + "_g5.npz"),
                )
            )
            extra_y = [OFF_TOPIC] * len(recs)
        feed_x, feed_y = feed_topic_training(
            ROOT.parent / "shared" / "data", embedder, cached_embeddings, cache
        )
        tr = [a for a in arts if a["split"] == "train"]
        x = np.stack([vec[a["id"]] for a in tr] + extra_x + feed_x)
        y = [a["primary_topic"] or OFF_TOPIC for a in tr] + extra_y + feed_y
        info = fit_topic_weights(x, y, embedder.model_id)
        print(f"trained topic model on {info['n']} train vectors -> {info['path']}")
    tax = load_taxonomy()
    test = [a for a in arts if a["split"] == "test"]
    texts = [_embed_text(by_id[a["id"]]["title"], by_id[a["id"]]["text"]) for a in test]
    x = np.stack([vec[a["id"]] for a in test])
    gold = [a["primary_topic"] or OFF_TOPIC for a in test]
    print(
        f"\n== topics and relevance (held-out ai_news articles, n={len(test)}; {len(ids)} labelled)"
    )
    for name, weights in (
        ("baseline zero-shot prototypes", None),
        ("briefing (model+proto+keywords)", WEIGHTS_PATH),
    ):
        clf = TopicClassifier(tax, embedder, weights=weights)
        if weights is None:  # pure zero-shot: nearest prototype including off-topic
            sims = x @ clf.prototypes.T
            pred = [(clf.names + [OFF_TOPIC])[j] for j in sims.argmax(axis=1)]
            rel = [p != OFF_TOPIC for p in pred]
        else:
            res = clf.classify(texts, x)
            pred = [r.primary_topic if r.relevant and r.primary_topic else OFF_TOPIC for r in res]
            rel = [r.relevant for r in res]
        gold_rel = [g != OFF_TOPIC for g in gold]
        off_idx = [k for k, g in enumerate(gold_rel) if not g]
        off_recall = sum(not rel[k] for k in off_idx) / max(len(off_idx), 1)
        print(
            f"  {name:34s} primary topic {scores(gold, pred)} | relevance acc="
            f"{accuracy_score(gold_rel, rel):.3f} off-topic recall={off_recall:.3f} ({len(off_idx)} off-topic)"
        )
    fixture = read_jsonl(DATA / "fixture_articles.jsonl")
    clf = TopicClassifier(tax, embedder)
    res = clf.classify([_embed_text(f.get("title"), f["text"]) for f in fixture])
    gold = [f["primary_topic"] or OFF_TOPIC for f in fixture]
    pred = [r.primary_topic if r.relevant and r.primary_topic else OFF_TOPIC for r in res]
    print(f"  committed fixture (self-written)   primary topic {scores(gold, pred)}")


def eval_claims(by_id) -> None:
    rows = read_jsonl(DATA / "ainews_claims.jsonl")
    print(f"\n== claim sentences ({len(rows)} labelled real sentences; held-out split below)")
    parts = (  # the held-out split, then its first rows and round 4 apart (tests/data/README.md)
        ("test", lambda d: d["split"] == "test"),
        ("test rounds 1-2", lambda d: d["split"] == "test" and d.get("round") != 4),
        ("test round 4", lambda d: d["split"] == "test" and d.get("round") == 4),
        ("train", lambda d: d["split"] == "train"),
    )
    for split, wanted in parts:
        gold, pred, base, rules, gsub, psub, via_cli = [], [], [], [], [], [], []
        in_doc: list[tuple[str, dict, int]] = []  # (article id, article, end): read in context
        for d in rows:
            if not wanted(d):
                continue
            art = by_id[d["article_id"]]
            s = art["text"][d["start"] : d["end"]]
            if hashlib.sha1(s.encode()).hexdigest()[:12] != d["sha1"]:
                raise SystemExit(f"text of {d['article_id']} changed: sentence hash mismatch")
            c = classify_sentence(s, pub_date(art["published"]))
            gold.append(d["label"])
            pred.append(c.label)
            base.append(keyword_label(s))
            rules.append(rule_claim(s, pub_date(art["published"])).label)
            # what `briefing classify` says of the sentence given alone as the text
            via_cli.append(label_article(None, s, art["published"])["label"])
            in_doc.append((d["article_id"], art, d["end"]))
            if d["label"] == "hype" and c.label == "hype":
                gsub.append(d["subtype"])
                psub.append(c.subtype)
        print_claim_scores(split, gold, pred, base, rules)
        print_context_scores(split, gold, pred, context_labels(in_doc, pred))
        clear = [k for k, g in enumerate(gold) if g != "neither"]
        print(
            f"  [{split}] each sentence through `briefing classify`: clear-cut "
            f"{np.mean([via_cli[k] == gold[k] for k in clear]):.3f} (n={len(clear)}), all "
            f"{np.mean([v == g for v, g in zip(via_cli, gold, strict=True)]):.3f}"
        )
        if gsub:
            print(f"  [{split}] hype subtype when both hype   {scores(gsub, psub)}")
    fx = read_jsonl(DATA / "fixture_claims.jsonl")
    gold = [f["label"] + ("/" + f["subtype"] if f.get("subtype") else "") for f in fx]
    pred = []
    for f in fx:
        c = classify_sentence(f["text"], pub_date(f.get("published")))
        pred.append(c.label + ("/" + c.subtype if c.subtype else ""))
    print(f"  committed fixture (self-written, traps), label+subtype {scores(gold, pred)}")


def eval_articles(arts, by_id) -> None:
    print("\n== article labels (deployment / hype / neither)")
    for split in ("test", "train"):
        gold, pred, gs, ps = [], [], [], []
        for a in arts:
            if a["split"] != split or not a["label"]:
                continue
            r = by_id[a["id"]]
            out = label_article(r["title"], r["text"], r["published"])
            gold.append(a["label"])
            pred.append(out["label"])
            if a["label"] == "hype" and out["label"] == "hype":
                gs.append(a["subtype"])
                ps.append(out["subtype"])
        print(
            f"  [{split}] label {scores(gold, pred)} | hype subtype when both hype {scores(gs, ps) if gs else '-'}"
        )


def eval_proxies(shared: Path) -> None:
    hype = shared / "hype"
    print("\n== proxy sets (research use only; read in place, never copied)")
    p = hype / "claim_strength_yu2019_2020"
    if p.exists():
        groups: dict[str, list[float]] = {}
        for name in ("annotated_eureka.csv", "annotated_pubmed.csv"):
            with open(p / name, encoding="utf-8") as fh:
                for row in csv.DictReader(fh):
                    groups.setdefault(row["label"], []).append(claim_strength(row["sentence"]))
        names = {
            "0": "no claim",
            "1": "correlational",
            "2": "conditional causal",
            "3": "direct causal",
        }
        print(
            "  claim_strength_yu2019_2020: mean tagger claim_strength by gold label: "
            + ", ".join(
                f"{names[k]}={statistics.mean(v):.3f} (n={len(v)})"
                for k, v in sorted(groups.items())
            )
        )
        d, c = groups.get("3", []), groups.get("1", [])
        wins = sum(1 for x in d for y in c[:400] if x > y) / max(len(d) * len(c[:400]), 1)
        print(
            f"    direct causal scored stronger than correlational: P(direct > corr) = {wins:.3f}"
        )
    p = hype / "insciout_exaggeration" / "insciout_test.jsonl"
    if p.exists():
        rows = read_jsonl(p)
        ex = [r for r in rows if r["exaggeration_label"] == "exaggerates"]
        stronger = sum(
            claim_strength(r["press_release_conclusion"]) > claim_strength(r["abstract_conclusion"])
            for r in ex
        )
        ge = sum(
            claim_strength(r["press_release_conclusion"])
            >= claim_strength(r["abstract_conclusion"])
            for r in ex
        )
        print(
            f"  insciout (exaggerates, n={len(ex)}): press release rated stronger than paper in "
            f"{stronger / max(len(ex), 1):.3f}, at least as strong in {ge / max(len(ex), 1):.3f}"
        )
    p = hype / "wiki_weasel" / "test.csv"
    if p.exists():
        with open(p, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        gold = [r["label"] == "1" for r in rows]
        pred = [hedge_count(r["text"]) > 0 for r in rows]
        tp = sum(g and q for g, q in zip(gold, pred, strict=True))
        prec = tp / max(sum(pred), 1)
        rec = tp / max(sum(gold), 1)
        print(
            f"  wiki_weasel test (n={len(rows)}, {sum(gold)} uncertain): hedge cue precision={prec:.3f} "
            f"recall={rec:.3f} F1={2 * prec * rec / max(prec + rec, 1e-9):.3f}"
        )


def cached_embeddings(embedder, texts: list[str], cache: Path) -> np.ndarray:
    key = hashlib.sha256(("\x00".join(texts) + embedder.model_id).encode()).hexdigest()
    if cache.exists():
        data = np.load(cache)
        if str(data["key"]) == key:
            print(f"embeddings of {len(texts)} articles read from cache {cache}")
            return data["emb"]
    t0 = time.perf_counter()
    emb = embedder.encode(texts)
    print(
        f"embedded {len(texts)} articles in {time.perf_counter() - t0:.1f} s with {embedder.model_id}"
    )
    np.savez(cache, emb=emb, key=np.array(key))
    return emb


def eval_speed(by_id, emb, embedder) -> None:
    """Articles classified per second once embeddings exist, each of five passes timed on its own
    (this machine's speed swings by a quarter from minute to minute, so the spread is printed), next
    to the keyword rule run over the same articles' sentences in the same passes."""
    import os

    clf = TopicClassifier(load_taxonomy(), embedder)
    items = [
        {"title": r["title"], "text": r["text"], "published": r["published"]}
        for r in by_id.values()
    ]
    ours, base, cpu = [], [], 0.0
    for _ in range(5):
        t0, c0 = time.perf_counter(), time.process_time()
        classify_texts(items, clf, emb)
        ours.append(len(items) / (time.perf_counter() - t0))
        cpu += time.process_time() - c0
        t0 = time.perf_counter()
        for it in items:
            text = it["text"] or ""
            [keyword_label(text[i:j]) for i, j in split_sentences(text)]
        base.append(len(items) / (time.perf_counter() - t0))
    t0 = time.perf_counter()
    embedder.encode([_embed_text(i["title"], i["text"]) for i in items[:64]])
    emb_rate = 64 / (time.perf_counter() - t0)
    load = os.getloadavg()[0]
    print(
        f"\n== speed: {statistics.median(ours):.0f} articles/s wall-clock (median of 5 passes of "
        f"{len(items)}; passes {min(ours):.0f}-{max(ours):.0f}/s), {5 * len(items) / cpu:.0f} articles/s "
        f"of CPU time, classified once embeddings exist (target >= 200/s; load average {load:.1f} on "
        f"{os.cpu_count()} cores) | keyword rule on the same sentences, same passes: "
        f"{statistics.median(base):.0f}/s | embedding them first: {emb_rate:.0f} articles/s"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--train", action="store_true", help="refit the topic model on the train split")
    ap.add_argument("--no-proxy", action="store_true")
    ap.add_argument(
        "--dev-errors", action="store_true", help="list errors on the dev probes and dev pages"
    )
    ap.add_argument(
        "--pages",
        type=Path,
        default=ROOT / "storage" / "collected" / "ai_pages.jsonl",
        help="local copies of the collected AI pages (texts not committed; tests/data/README.md)",
    )
    ap.add_argument(
        "--cache",
        type=Path,
        default=Path("/tmp/briefing_eval_signals_cache.npz"),
        help="embedding cache (keyed by a hash of the texts and the model)",
    )
    args = ap.parse_args()
    src = args.shared / "ai_news" / "articles.jsonl"
    if not src.exists():
        raise SystemExit(f"{src} not found: the labelled texts live in ../shared (use --shared)")
    by_id = {r["id"]: r for r in read_jsonl(src)}
    arts = read_jsonl(DATA / "ainews_articles.jsonl")
    embedder = load_embedder()
    emb = cached_embeddings(
        embedder, [_embed_text(r["title"], r["text"]) for r in by_id.values()], args.cache
    )
    eval_topics(arts, emb, by_id, embedder, args.train, args.cache)
    eval_claims(by_id)
    eval_articles(arts, by_id)
    eval_probe_claims(args.dev_errors)
    eval_probe_claims(
        path=DATA / "written_claims.jsonl",
        what="self-written sentences in news wording without stock cues (session 12; dev since signals-12 rules came from their errors",
    )
    eval_page_claims(args.pages, args.dev_errors)
    eval_open_pages(args.dev_errors)
    eval_agreement(args.shared, args.pages)
    eval_alone(args.pages)
    eval_feed_claims(args.shared)
    eval_g5_claims(args.shared)
    eval_feed_topics(args.shared, embedder, cached_embeddings, args.cache)
    if not args.no_proxy:
        eval_proxies(args.shared)
    eval_speed(by_id, emb, embedder)
    print("\nlabel counts:", dict(Counter(a["label"] for a in arts if a["label"])))


if __name__ == "__main__":
    main()
