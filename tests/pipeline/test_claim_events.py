"""Event cues of bot/pipeline/claim_events.py, through the sentence classifier (signals-12)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.pipeline.claim_dates import date_ahead
from bot.pipeline.claims import classify_sentence

PUB = date(2025, 6, 10)


def _label(sentence: str, published: date | None = PUB) -> str:
    c = classify_sentence(sentence, published)
    return c.subtype if c.label == "hype" else c.label


@pytest.mark.parametrize(
    ("sentence", "want"),
    [
        # a transaction with a price is money moved: funding
        ("Harbin Robotics bought the Osaka vision startup Kamera for 9 billion yen.", "funding"),
        ("The insurer agreed to pay about R$2 billion for a claims-software maker.", "funding"),
        (
            "The state is putting 900 crore rupees into a public GPU cloud for universities.",
            "funding",
        ),
        ("Norvik agreed to buy the speech startup Tala for an undisclosed sum.", "funding"),
        (
            "The two chip designers agreed to merge in an all-stock deal worth $3 billion.",
            "funding",
        ),
        # a result from a research setting is a benchmark, even worded as an outcome
        ("In a simulation of Lisbon's grid, the model cut peak load by 14 percent.", "benchmark"),
        (
            "The startup says its memory chip ran inference five times faster in laboratory tests.",
            "benchmark",
        ),
        (
            "A paper posted on Monday reports the agent cut debugging time by 30 percent.",
            "benchmark",
        ),
        # available on a date after the publication: announced
        ("The assistant becomes available to business customers on September 1.", "announcement"),
        ("Available from 20 July, the app translates calls between 12 languages.", "announcement"),
        # a launch pushed back: announced
        ("Corvel has pushed the launch of its home robot back to 2027.", "announcement"),
        ("The rollout of the voice assistant has slipped to the autumn.", "announcement"),
        # an authority acting: enacted
        (
            "The data protection commissioner issued a formal warning to the chatbot maker.",
            "deployment",
        ),
        (
            "The competition regulator imposed a $40 million penalty on the GPU reseller.",
            "deployment",
        ),
        (
            "A Seoul court sentenced the developer to two years for selling deepfake apps.",
            "deployment",
        ),
        (
            "The transport ministry suspended the AI ticketing cameras after errors surfaced.",
            "deployment",
        ),
        # a tool withdrawn from use: the use was real
        (
            "The district stopped using its AI proctoring software after complaints from parents.",
            "deployment",
        ),
        # a rule adopted, in force only after the publication date: scheduled
        (
            "The regulation, adopted in March, applies to chatbot makers only from 1 January 2026.",
            "proposal",
        ),
        # a trial named by its people or its form is no deployment
        (
            "Some 62% of participants used the assistant every day during the three months.",
            "announcement",
        ),
        (
            "Staff in nine departments took part in an experiment with the coding assistant.",
            "announcement",
        ),
        ("The invite-only app lets users make videos from text prompts.", "announcement"),
        # a study's finding is a result, and a chip in qualification is tested, not adopted
        ("The study also found that nurses spent 20 percent less time on paperwork.", "benchmark"),
        (
            "Micron's memory has passed the qualification testing for the new accelerator.",
            "announcement",
        ),
        (
            "The chipmaker's HBM4 is still under certification by its largest customer.",
            "announcement",
        ),
        # but a survey's count of adopters is deployment evidence
        ("A survey of 900 firms found 41% have put generative AI into production.", "deployment"),
        # a bill's text under debate
        ("Fines under the substitute text are capped at 2% of national revenue.", "proposal"),
        # a counted adopter without digits; usage that starts later; a launch slowed
        (
            "Hundreds of nurses at Leeds Teaching Hospitals are using an AI scribe to write notes.",
            "deployment",
        ),
        (
            "The trust said 80,000 staff will be given access to the assistant in the spring.",
            "announcement",
        ),
        ("The lab decided to slow the general availability of its new model.", "announcement"),
        # compute capacity in a deal is funding
        (
            "The utility partnered with the cloud firm to develop a 2 GW campus for AI training.",
            "funding",
        ),
        # an enforcement action with a value named stays an enforcement action
        (
            "Prosecutors announced the arrest of three men over AI chips valued at $40 million.",
            "deployment",
        ),
        # measured changes and user bases worded without the usual verbs
        (
            "The retailer runs a demand model in 300 stores and reports food waste down 9 percent.",
            "deployment",
        ),
        ("The AI audiobook service passed 50,000 paying subscribers in May.", "deployment"),
    ],
)
def test_event_cues_give_the_label(sentence: str, want: str) -> None:
    assert _label(sentence) == want


@pytest.mark.parametrize(
    "sentence",
    [
        # money owed or a share moving is no transaction, no delay, no outcome of AI in use
        "She had a full year to pay the entire $284 billion.",
        "Its market share slipped to 31 percent from 35 percent a year earlier.",
        "Analysts asked whether a simulation can ever stand in for real traffic.",
        "He pushed the team back to the office after the holidays.",
        "Critics say the simulation was too simple to be useful.",
        "Among the participants were executives from three chipmakers.",
        "A Louisiana man was arrested for scamming thousands of dollars out of people using a letter.",
        "Thousands of workers protested outside the factory on Monday.",
    ],
)
def test_non_claims_stay_neither(sentence: str) -> None:
    assert _label(sentence) == "neither"


def test_a_date_already_past_is_no_announcement() -> None:
    """Available "from 20 July" is announced before July; in December the product is out."""
    s = "Available from 20 July, the app translates calls between 12 languages."
    assert _label(s, date(2025, 6, 10)) == "announcement"
    assert _label(s, date(2025, 12, 1)) != "announcement"


def test_date_ahead_reads_days_without_a_year_in_the_publication_year() -> None:
    assert date_ahead("arrives in Austria on November 3", date(2025, 9, 1))
    assert not date_ahead("arrives in Austria on November 3", date(2025, 12, 1))
    assert date_ahead("from 2 August 2026", date(2025, 12, 1))
    assert not date_ahead("no date at all", date(2025, 12, 1))
