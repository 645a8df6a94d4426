"""Figures found in text: money, percentages, counts, their measure, and contradictions."""

from __future__ import annotations

from bot.briefing.figures import find_contradictions, find_figures, kind_for


def test_money_percent_and_counts_are_normalised() -> None:
    figs = find_figures(
        "The startup raised $1.5bn at a valuation of $20 billion. Revenue grew 40 percent. "
        "It now has 3,000 employees and 2 million users."
    )
    got = {(f.text, f.value, f.unit, f.measure) for f in figs}
    assert ("$1.5bn", 1.5e9, "USD", "funding") in got
    assert ("$20 billion", 2e10, "USD", "valuation") in got
    assert ("40 percent", 40.0, "percent", "growth") in got
    assert ("3,000 employees", 3000.0, "employees", "employees") in got
    assert ("2 million users", 2e6, "users", "users") in got


def test_years_and_versions_are_not_figures() -> None:
    assert find_figures("In 2025 the lab released GPT-5.1 and version 3.2 of its tools.") == []


def test_kind_follows_the_story_label() -> None:
    [fig] = find_figures("The company raised $2 billion.")
    assert kind_for("deployment", None, fig) == "deployed"
    assert kind_for("hype", "forecast", fig) == "forecast"
    assert kind_for("hype", "proposal", fig) == "announced"
    assert kind_for("neither", None, fig) == "funding"


def test_contradiction_needs_different_values_for_the_same_measure() -> None:
    src = {
        "a": {"name": "A", "url": "https://a.example"},
        "b": {"name": "B", "url": "https://b.example"},
    }
    same = {
        "a": find_figures("Acme raised $2 billion."),
        "b": find_figures("Acme raised $2 billion in funding."),
    }
    assert find_contradictions(same, src) == []
    other_measure = {
        "a": find_figures("Acme raised $2 billion."),
        "b": find_figures("Acme is valued at $9 billion."),
    }
    assert find_contradictions(other_measure, src) == []
    differ = {
        "a": find_figures("The firm cut 1,000 jobs."),
        "b": find_figures("The firm cut 1,200 jobs."),
    }
    [item] = find_contradictions(differ, src)
    assert [c["value"] for c in item["claims"]] == ["1,000 jobs", "1,200 jobs"]
