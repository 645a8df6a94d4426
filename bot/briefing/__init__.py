"""The briefing: build a digest from classified stories and render it for terminal, Slack and email.

``build.build_digest`` selects and ranks stories into a JSON-able digest (and stores it);
the ``render_*`` modules turn that one digest into Markdown, plain text, Slack Block Kit and
HTML email. Renderers never read the database: the digest dict is their whole input.
"""

from __future__ import annotations

# The fixed section order (docs/briefing.md); topics outside it follow, alphabetically.
TOPIC_ORDER: tuple[str, ...] = (
    "models",
    "agents",
    "investment",
    "chips",
    "regulation",
    "safety",
    "workforce",
)

TOPIC_TITLES: dict[str, str] = {
    "models": "Models",
    "agents": "Agents",
    "investment": "Investment",
    "chips": "Chips",
    "regulation": "Regulation",
    "safety": "Safety",
    "workforce": "Workforce",
}

LABELS: tuple[str, ...] = ("deployment", "hype", "neither")
SUBTYPES: tuple[str, ...] = ("announcement", "forecast", "funding", "benchmark", "proposal")


def topic_title(topic: str) -> str:
    """The display name of a topic ("models" -> "Models")."""
    return TOPIC_TITLES.get(topic, topic.replace("_", " ").replace("-", " ").title())


def badge_text(label: str | None, subtype: str | None) -> str:
    """The label badge: DEPLOYED, HYPE · FUNDING, ANALYSIS, or UNLABELLED."""
    if label == "deployment":
        return "DEPLOYED"
    if label == "hype":
        return f"HYPE · {subtype.upper()}" if subtype else "HYPE"
    if label == "neither":
        return "ANALYSIS"
    return "UNLABELLED"


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else None (feed links are untrusted)."""
    if not url:
        return None
    url = url.strip()
    lower = url.lower()
    if not (lower.startswith("http://") or lower.startswith("https://")):
        return None
    if any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
        return None
    scheme, rest = url.split(":", 1)
    return scheme.lower() + ":" + rest
