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
    [used] = find_figures("The assistant now serves 3 million users every week.")
    assert kind_for("deployment", None, used) == "deployed"
    [fig] = find_figures("The company raised $2 billion.")
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


def test_a_deployed_story_does_not_make_its_plans_deployed() -> None:
    [plan] = find_figures("Microsoft plans to invest over $80 billion this fiscal year.")
    assert kind_for("deployment", None, plan) == "funding"
    [future] = find_figures("The market is expected to reach 40% adoption by 2030.")
    assert kind_for("deployment", None, future) == "forecast"
    [done] = find_figures("The bank cut 4,000 jobs last quarter.")
    assert kind_for("deployment", None, done) == "deployed"


def test_years_are_not_counts_and_lines_are_sentences() -> None:
    assert find_figures("The 2025 layoffs came after 2026 layoffs were ruled out.") == []
    figs = find_figures(
        "Headline without a full stop\nThe model scores 96.6% accuracy on the test."
    )
    assert [f.sentence for f in figs] == ["The model scores 96.6% accuracy on the test."]


def test_three_different_values_are_not_called_a_contradiction() -> None:
    src = {k: {"name": k, "url": f"https://{k}.example"} for k in "abc"}
    mixed = {
        "a": find_figures("The firm cut 4,000 jobs."),
        "b": find_figures("The firm cut 6,000 jobs."),
        "c": find_figures("The firm cut 9,000 jobs."),
    }
    assert find_contradictions(mixed, src) == []
    rounded = {
        "a": find_figures("It is valued at $5 trillion."),
        "b": find_figures("It is valued at $5.05 trillion."),
    }
    assert find_contradictions(rounded, src) == []


def test_market_value_swings_are_not_funding() -> None:
    [fig] = find_figures("A selloff wiped out $357 billion in value on Thursday.")
    assert fig.measure is None and kind_for("neither", None, fig) is None
    # nor a forecast or a deployment when the story around it is one
    assert kind_for("hype", "forecast", fig) is None
    assert kind_for("deployment", None, fig) is None
    [cap] = find_figures("Its shares jumped 12% after the launch, lifting its market value.")
    assert kind_for("hype", "announcement", cap) is None
    [rout] = find_figures("The only bigger one-day valuation destruction was a $593 billion rout.")
    assert kind_for("hype", "forecast", rout) is None
    [round_] = find_figures(
        "The company raised $2 billion in a round that values its shares highly."
    )
    assert kind_for("hype", "funding", round_) == "funding"
