"""AI relevance and topics: taxonomy prototypes + a small trained model + keyword cues.

The taxonomy (``bot/taxonomy.yaml``, or ``BRIEFING_TAXONOMY``) names the topics with a description,
example phrases and keywords. An article's scores combine three parts, per topic ``t``:

    score_t = 0.55 * p_model(t) + 0.30 * p_proto(t) + 0.15 * p_keywords(t)

* ``p_model``: a logistic regression on the article embedding, trained on the labelled train split
  (weights in ``topic_weights.npz``; skipped when the embedder is not the one it was trained on, and
  zero for topics a user added, whose weight then moves to the other two parts);
* ``p_proto``: softmax of cosine similarities to each topic's prototype (mean embedding of its
  description and examples) and to the off-topic prototype;
* ``p_keywords``: share of keyword hits per topic.

``relevant`` needs AI as the subject (an AI term in the headline, or two in the text: a passing
mention of an AI feature in a seller tip is not enough) and the off-topic probability below one half. The
primary topic is the best-scoring topic; others scoring at least a quarter of it (and 0.15) join
``topics`` (at most three).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from threadpoolctl import threadpool_limits

from bot.errors import ConfigError
from bot.pipeline.embed import Embedder

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[1] / "taxonomy.yaml"
WEIGHTS_PATH = Path(__file__).with_name("topic_weights.npz")
OFF_TOPIC = "off_topic"
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class TaxonomyError(ConfigError):
    """The taxonomy file is invalid; the message names the entry and field."""


@dataclass(frozen=True)
class TopicSpec:
    """One topic of the taxonomy."""

    name: str
    description: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """Topics, off-topic examples and the AI terms that gate relevance."""

    topics: tuple[TopicSpec, ...]
    off_topic_examples: tuple[str, ...] = ()
    ai_terms: tuple[str, ...] = ()
    ai_context_terms: tuple[str, ...] = ()
    source: str = ""

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.topics]


def _strings(value: Any, where: str, problems: list[str], required: bool = True) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}: must be a list of strings")
        return ()
    if required and not value:
        problems.append(f"{where}: must not be empty")
    return tuple(v.strip() for v in value)


def parse_taxonomy(data: Any, source: str = "<taxonomy>") -> Taxonomy:
    """Validate a parsed taxonomy document; raise TaxonomyError naming every bad entry and field."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise TaxonomyError(f"{source}: top level must be a mapping with a 'topics' list")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(f"{source}: topics: must be a non-empty list")
    topics: list[TopicSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(raw_topics):
        where = f"topics[{i}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with name, description, examples")
            continue
        unknown = set(entry) - {"name", "description", "examples", "keywords"}
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        name = entry.get("name")
        if not isinstance(name, str) or not _NAME_RE.match(name):
            problems.append(f"{where}.name: must be a lower-case identifier, got {name!r}")
            name = f"?{i}"
        elif name in seen or name == OFF_TOPIC:
            problems.append(f"{where}.name: duplicate or reserved name {name!r}")
        seen.add(name)
        desc = entry.get("description")
        if not isinstance(desc, str) or not desc.strip():
            problems.append(f"{where}.description: must be a non-empty string")
            desc = ""
        examples = _strings(entry.get("examples"), f"{where}.examples", problems)
        keywords = _strings(entry.get("keywords"), f"{where}.keywords", problems, required=False)
        topics.append(TopicSpec(name, desc.strip(), examples, tuple(k.lower() for k in keywords)))
    off = data.get("off_topic") or {}
    if not isinstance(off, dict):
        problems.append("off_topic: must be a mapping with 'examples'")
        off = {}
    off_examples = _strings(off.get("examples"), "off_topic.examples", problems, required=False)
    ai_terms = _strings(data.get("ai_terms"), "ai_terms", problems, required=False)
    context = _strings(data.get("ai_context_terms"), "ai_context_terms", problems, required=False)
    unknown_top = set(data) - {"version", "topics", "off_topic", "ai_terms", "ai_context_terms"}
    if unknown_top:
        problems.append(f"unknown top-level field(s) {', '.join(sorted(unknown_top))}")
    if problems:
        raise TaxonomyError(f"{source}: " + "; ".join(problems))
    return Taxonomy(
        tuple(topics),
        off_examples,
        tuple(t.lower() for t in ai_terms),
        tuple(t.lower() for t in context),
        source,
    )


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy YAML file (None: the bundled default)."""
    p = Path(path) if path else DEFAULT_TAXONOMY
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"BRIEFING_TAXONOMY: file {str(p)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{p}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p}: not valid YAML: {exc}") from None
    return parse_taxonomy(data, str(p))


def _phrase_re(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    # lower-case phrases matched against lower-cased text: twice as fast as IGNORECASE here
    alts = sorted({re.escape(p.lower()) for p in phrases}, key=len, reverse=True)
    return re.compile(r"(?<![\w.])(?:" + "|".join(alts) + r")(?![\w])")


@dataclass
class TopicResult:
    """Relevance and topics of one text."""

    relevant: bool
    topics: list[str]
    primary_topic: str | None
    scores: dict[str, float] = field(default_factory=dict)
    off_topic: float = 0.0


class TopicClassifier:
    """Scores texts against a taxonomy; needs the texts' embeddings (computed or stored)."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, weights: Path | None = WEIGHTS_PATH):
        self.taxonomy = taxonomy
        self.embedder = embedder
        names = taxonomy.names
        protos = []
        for t in taxonomy.topics:
            vecs = embedder.encode([t.description, *t.examples])
            protos.append(vecs.mean(axis=0))
        off = list(taxonomy.off_topic_examples) or ["general news unrelated to technology"]
        protos.append(embedder.encode(off).mean(axis=0))
        p = np.asarray(protos, dtype=np.float32)
        self.prototypes = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)
        self.keyword_res = [_phrase_re(t.keywords) for t in taxonomy.topics]
        self.ai_re = _phrase_re(taxonomy.ai_terms)
        self.context_re = _phrase_re(taxonomy.ai_context_terms)
        self.W: np.ndarray | None = None
        self.model_cols: list[int] = []  # column in the model output for each name, -1 if unknown
        if weights is not None and weights.exists():
            data = np.load(weights, allow_pickle=False)
            if str(data["model_id"]) == embedder.model_id and data["W"].shape[1] == embedder.dim:
                classes = [str(c) for c in data["classes"]]
                self.W, self.b = data["W"], data["b"]
                self.model_cols = [classes.index(n) if n in classes else -1 for n in names]
                self.model_off = classes.index(OFF_TOPIC)
        self.names = names

    def has_ai_term(self, text: str) -> bool:
        """Whether the text mentions any of the taxonomy's AI terms."""
        return self.ai_re is None or bool(self.ai_re.search(text.lower()))

    def is_about_ai(self, text: str, off_topic: float = 1.0) -> bool:
        """AI is the subject, not a passing mention: an AI term in the first line (the headline),
        two in the text, one plus two context terms ("model", "benchmark"), or one and a model
        that is sure the text is on-topic. A seller tip that mentions an AI feature once is not."""
        if self.ai_re is None:
            return True
        text = text.lower()
        hits = len(self.ai_re.findall(text))
        if hits == 0:
            return False
        head = text.split("\n", 1)[0]
        context = len(self.context_re.findall(text)) if self.context_re is not None else 0
        return bool(self.ai_re.search(head)) or hits >= 2 or context >= 2 or off_topic < 0.08

    def keyword_shares(self, text: str) -> np.ndarray:
        """Per topic, its share of all keyword hits in ``text`` (zeros when none)."""
        low = text.lower()
        counts = np.array(
            [len(r.findall(low)) if r is not None else 0 for r in self.keyword_res], dtype=float
        )
        total = counts.sum()
        return counts / total if total else counts

    def classify(self, texts: list[str], vectors: np.ndarray | None = None) -> list[TopicResult]:
        """Relevance and topics for each text; ``vectors`` are their embeddings if already known."""
        if not texts:
            return []
        if vectors is None:
            vectors = self.embedder.encode(texts)
        # products this small gain nothing from BLAS threads, whose busy-waiting afterwards takes
        # a core from the claim rules that run next (scripts/eval_signals.py, "speed")
        with threadpool_limits(1, user_api="blas"):
            sims = vectors @ self.prototypes.T  # (n, k+1), last column is off-topic
            full = _softmax(vectors @ self.W.T + self.b) if self.W is not None else None
        proto = _softmax(sims / 0.05)
        n_topics = len(self.names)
        model_p: np.ndarray | None = None
        if full is not None:
            model_p = np.zeros((len(texts), n_topics + 1))
            for j, col in enumerate(self.model_cols):
                if col >= 0:
                    model_p[:, j] = full[:, col]
            model_p[:, n_topics] = full[:, self.model_off]
        out = []
        for i, text in enumerate(texts):
            kw = self.keyword_shares(text)
            if model_p is not None:
                topic_scores = 0.55 * model_p[i, :n_topics] + 0.30 * proto[i, :n_topics]
                topic_scores += 0.15 * kw
                off = 0.75 * model_p[i, n_topics] + 0.25 * proto[i, n_topics]
                unknown = [j for j, c in enumerate(self.model_cols) if c < 0]
                for j in unknown:  # user-added topic: prototype and keywords only
                    topic_scores[j] = (0.65 * proto[i, j] + 0.35 * kw[j]) * 0.85
            else:
                topic_scores = 0.65 * proto[i, :n_topics] + 0.35 * kw
                off = float(proto[i, n_topics])
            ai = self.is_about_ai(text, float(off))
            relevant = bool(ai and off < 0.5 and len(text.split()) >= 3)
            order = np.argsort(-topic_scores)
            best = float(topic_scores[order[0]])
            chosen = [self.names[j] for j in order if topic_scores[j] >= max(0.25 * best, 0.15)]
            scores = {n: round(float(s), 4) for n, s in zip(self.names, topic_scores, strict=True)}
            out.append(
                TopicResult(
                    relevant=relevant,
                    topics=chosen[:3] if relevant else [],
                    primary_topic=chosen[0] if relevant and chosen else None,
                    scores=scores,
                    off_topic=round(float(off), 4),
                )
            )
        return out


def _softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_topic_weights(
    vectors: np.ndarray, labels: list[str], model_id: str, path: Path = WEIGHTS_PATH
) -> dict[str, Any]:
    """Train the topic model (multinomial logistic regression) and save its weights to ``path``."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    clf.fit(vectors, labels)
    classes = np.array([str(c) for c in clf.classes_])
    np.savez(
        path,
        W=clf.coef_.astype(np.float32),
        b=clf.intercept_.astype(np.float32),
        classes=classes,
        model_id=np.array(model_id),
    )
    return {"classes": classes.tolist(), "n": len(labels), "path": str(path)}


_CLASSIFIERS: dict[tuple[str, float, int], TopicClassifier] = {}


def get_topic_classifier(embedder: Embedder, taxonomy_path: str | None = None) -> TopicClassifier:
    """A topic classifier for ``embedder`` and taxonomy, built once (again if the file changes)."""
    path = Path(taxonomy_path) if taxonomy_path else DEFAULT_TAXONOMY
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0  # load_taxonomy reports the missing file
    key = (str(path), mtime, id(embedder))
    clf = _CLASSIFIERS.get(key)
    if clf is None or clf.embedder is not embedder:
        clf = TopicClassifier(load_taxonomy(path), embedder)
        _CLASSIFIERS[key] = clf
    return clf
