"""Extractive summaries: sentences taken verbatim from the articles, the central lead first."""

from __future__ import annotations

from bot.briefing.summary import summarize_story


def test_picks_the_lead_most_outlets_agree_on() -> None:
    texts = [
        "By Jane Doe. The weather was fine in the city on the day of the event, the organisers noted. "
        "Acme released a new reasoning model for enterprise customers on Tuesday.",
        "Acme released a new reasoning model aimed at enterprise customers. Pricing was not disclosed.",
        "The new reasoning model from Acme targets enterprise customers, the company said today.",
    ]
    summary = summarize_story("Acme releases reasoning model for enterprises", texts)
    assert summary.startswith("Acme released a new reasoning model")
    assert "weather" not in summary
    assert all(s.strip(". ") in " ".join(texts) for s in summary.split(". ") if s)


def test_single_article_uses_its_first_real_sentences() -> None:
    text = ("Photo: Reuters. The regulator opened an investigation into the chatbot maker's data "
            "practices on Monday. It could fine the company up to 4% of its annual turnover. "
            "A decision is expected next year after a consultation.")  # fmt: skip
    summary = summarize_story("Regulator investigates chatbot maker", [text])
    assert summary.startswith("The regulator opened an investigation")
    assert "Photo" not in summary
    assert len(summary) <= 420


def test_empty_texts_give_empty_summary() -> None:
    assert summarize_story("Headline", ["", "short"]) == ""


def test_a_photo_caption_at_the_top_is_never_the_summary() -> None:
    texts = [
        "FILE - In this Jan. 5, 2024, file photo, the Acme logo is seen at its headquarters in "
        "Harbor City. Acme released a new reasoning model for enterprise customers on Tuesday.",
        "Engineers test a server rack at the Acme lab in Harbor City last year. (Photo: Acme)\n"
        "Acme released a new reasoning model aimed at enterprise customers.",
    ]
    summary = summarize_story("Acme releases reasoning model", texts)
    assert summary.startswith("Acme released a new reasoning model")
    assert "file photo" not in summary and "server rack" not in summary
