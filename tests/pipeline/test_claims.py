"""Sentence claims: every trap of briefing.md, dates, attribution, and a floor on the fixture."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.pipeline.claim_dates import find_dates
from bot.pipeline.claims import (
    claim_strength,
    classify_sentence,
    classify_sentences,
    rule_claim,
    split_sentences,
)

DATA = Path(__file__).resolve().parents[1] / "data"
FIXTURE = [json.loads(line) for line in (DATA / "fixture_claims.jsonl").read_text().splitlines()]


def _label(text: str, published: str | None = None) -> tuple[str, str | None]:
    c = classify_sentence(text, date.fromisoformat(published) if published else None)
    return c.label, c.subtype


def _assert_rule_label(text: str, expected: str | None) -> None:
    """The rules' label: None = neither, "deployment", or a hype subtype."""
    c = rule_claim(text, date(2026, 3, 15))
    if expected is None:
        assert c.label == "neither", c.cues
    elif expected == "deployment":
        assert c.label == "deployment", c.cues
    else:
        assert (c.label, c.subtype) == ("hype", expected), c.cues


def test_fixture_accuracy_floor() -> None:
    # measured 172/172 (1.000) on the self-written fixture; pinned slightly below
    hits = sum(_label(f["text"], f["published"]) == (f["label"], f["subtype"]) for f in FIXTURE)
    assert hits / len(FIXTURE) >= 0.94


@pytest.mark.parametrize(
    "text",
    [
        "The bank is piloting an AI agent with 50 traders.",
        "The insurer ran a proof-of-concept of the claims model with 2,000 customers.",
        "The coding agent is available in beta to 10,000 developers.",
        "The assistant launched in preview and already handles support chats for testers.",
    ],
)
def test_pilot_poc_beta_preview_are_not_deployment(text: str) -> None:
    assert _label(text) == ("hype", "announcement")


def test_chips_in_full_production_is_manufacturing_not_adoption() -> None:
    c = classify_sentence("The company said its new GPUs are in full production.")
    assert (c.label, c.subtype) == ("hype", "announcement")
    assert "trap:manufacturing_not_adoption" in c.cues
    # without a chip context "in production at" an adopter is deployment
    assert _label("The bank runs the fraud model in production at all branches.")[0] == (
        "deployment"
    )


def test_past_tense_rule_effective_after_publication_is_still_proposal() -> None:
    text = "The state's AI disclosure law took effect on January 1, 2027."
    assert _label(text, "2026-05-01") == ("hype", "proposal")
    assert _label(text, "2027-03-01")[0] == "deployment"


def test_benchmark_restated_as_productivity_stays_benchmark() -> None:
    c = classify_sentence(
        "In internal tests, the model made programmers 40% more productive on a coding benchmark."
    )
    assert (c.label, c.subtype) == ("hype", "benchmark")
    # the same outcome measured at an adopter is deployment
    assert _label("After rollout, the help desk cut average handling time by 22% in six months.")[
        0
    ] == ("deployment")


def test_vendor_reported_outcome_is_deployment_with_lower_confidence() -> None:
    vendor = classify_sentence(
        "According to the company, its agent resolved 1.2 million tickets last quarter."
    )
    independent = classify_sentence(
        "An independent audit found the agent resolved 1.2 million tickets last quarter."
    )
    assert vendor.label == independent.label == "deployment"
    assert vendor.attribution == "self_reported"
    assert independent.attribution == "independent"
    assert vendor.confidence < independent.confidence


@pytest.mark.parametrize(
    ("text", "subtype"),
    [
        ("The startup raised $300 million at a $4 billion valuation.", "funding"),
        ("Analysts expect AI spending to reach $2 trillion by 2030.", "forecast"),
        ("Lawmakers proposed a bill that would require AI audits.", "proposal"),
        ("The lab unveiled a new model codenamed Orion.", "announcement"),
        ("The model scored 88% on MMLU, beating rivals.", "benchmark"),
    ],
)
def test_hype_subtypes(text: str, subtype: str) -> None:
    assert _label(text) == ("hype", subtype)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ok",
        "Shares of the chipmaker fell 8% on Monday.",
        "What the new rules mean for small developers, explained.",
    ],
)
def test_neither(text: str) -> None:
    assert _label(text)[0] == "neither"


def test_other_language_is_not_a_claim_and_does_not_crash() -> None:
    assert _label("Der Hund schläft im Garten und die Sonne scheint.")[0] == "neither"


def test_split_sentences_keeps_abbreviations_and_offsets() -> None:
    text = "The U.S. agency fined Acme Inc. on Monday. It paid $1.5 million.\nNew line here"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "The U.S. agency fined Acme Inc. on Monday.",
        "It paid $1.5 million.",
        "New line here",
    ]
    claims = classify_sentences(text)
    assert [(c.start, c.end) for c in claims] == spans


def test_find_dates() -> None:
    s = "Rules apply from August 2, 2026, others from 2 August 2027 and by end of 2028."
    assert find_dates(s) == [date(2026, 8, 2), date(2027, 8, 2), date(2028, 12, 31)]
    assert find_dates("in May 2025 the bill passed") == [date(2025, 5, 1)]


def test_claim_strength_orders_causal_above_correlational_above_hedged() -> None:
    causal = claim_strength("Exercise reduces depression risk in older adults.")
    corr = claim_strength("Exercise is associated with lower depression risk in older adults.")
    hedged = claim_strength("Exercise may possibly be linked to lower depression risk.")
    assert causal > corr > hedged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a main-clause "will" about a product or feature is announced without an announcement word
        (
            "The redesigned billing app will flag unusual invoices for the finance team.",
            "announcement",
        ),
        ("Its new grid will be the backbone of the region's AI economy.", "forecast"),
        # a "will" in a subordinate clause, or about a person, is no claim
        ("Analysts differ on how fast hospitals will adopt the scheduling tool.", None),
        ("The chairman will retire next spring.", None),
        # a model ranked against rival models is a benchmark claim, whatever the verb
        ("Reviewers found the Orchid-2 model well ahead of GPT-5 on legal drafting.", "benchmark"),
        # a signed executive order binds on signing, whatever frameworks it asks for
        (
            "The president signed an executive order directing agencies to draft a framework for"
            " AI procurement.",
            "deployment",
        ),
        # a state that already holds, with a plan added, is still deployment
        (
            "Veltra has already deployed 3,000 sorting robots and plans to double the fleet.",
            "deployment",
        ),
    ],
)
def test_issue4_round3_classes(text: str, expected: str | None) -> None:
    c = rule_claim(text, date(2026, 3, 15))  # the rules (the model may still rescue a neither)
    label, subtype = c.label, c.subtype
    if expected is None:
        assert label == "neither"
    elif expected == "deployment":
        assert label == "deployment"
    else:
        assert (label, subtype) == ("hype", expected)


def test_age_group_is_not_a_usage_count() -> None:
    c = classify_sentence("The app plans to offer a gentler mode for under-18 users.")
    assert c.label == "hype"
    assert not any(k.startswith("usage:") for k in c.cues)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cue words in another sense are no claim (self-written after round 4 of real dev labels)
        ("Shortly after takeoff, the pilots of the flight saw a sparrow in the cockpit.", None),
        ("The two defendants opted for a jury trial instead of a settlement.", None),
        ("She opened her electric bill and found a charge of $9,000.", None),
        ("Polling released alongside the report showed most voters distrust chatbots.", None),
        ("The mayor is scheduled to meet the startup's founders on Friday.", None),
        ("Emails obtained by reporters reveal tensions between the two founders.", None),
        # ... while the same words in their claim sense still count
        ("The airline is piloting an AI rebooking agent at three airports.", "announcement"),
        ("The county will vote on the data-centre bill next month.", "proposal"),
        # an enacted change reported by the company itself
        (
            "Norvale has completed a restructuring into a holding company, the firm announced on"
            " Monday.",
            "deployment",
        ),
        (
            "The insurer has completed the rollout of its claims agent to every region.",
            "deployment",
        ),
        ("Acme raised $40 million in a Series B round, the company announced.", "funding"),
    ],
)
def test_issue4_round4_other_senses(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # enforcement and court actions are enacted (self-written after the collected pages' dev split)
        (
            "An appeals court sanctioned the lawyer $8,000 for citing cases a chatbot invented.",
            "deployment",
        ),
        (
            "Three men were arrested for smuggling restricted GPUs to a shell company in Macau.",
            "deployment",
        ),
        ("The governor revoked the state's 2024 order on AI procurement.", "deployment"),
        ("The judge dismissed the authors' claims against the model maker.", "deployment"),
        (
            "The data regulator's investigation concluded that the face-search app broke the law.",
            "deployment",
        ),
        ("The trade regulator sued Brightpath over its 'AI lawyer' marketing.", "deployment"),
        # a plan or hedge after the action is about something else
        (
            "A circuit judge reversed an earlier ruling that said a jury would decide the case.",
            "deployment",
        ),
        (
            "The watchdog charged the chatbot maker 12 million euros, though it may appeal.",
            "deployment",
        ),
        # an action taken "to ban" is done, not planned
        ("The platform has taken action to ban AI-generated ads for medicines.", "deployment"),
        # ... while a possible or proposed action is not
        ("Some lawyers argue the ruling could be overturned on appeal.", None),
        # an arrest outside technology news is no AI-industry action
        ("A man was arrested for running a fake lottery scheme in Ohio.", None),
        # trialled is a trial; performance that beats rivals is a benchmark
        ("A triage assistant is being trialled at two hospitals in Leeds.", "announcement"),
        (
            "The new model delivers performance that surpasses larger rivals on coding tasks.",
            "benchmark",
        ),
        # other senses: an earnings date, human capital, a legal victory, an arena that is no leaderboard
        ("Velto is scheduled to release its second-quarter results on August 3.", None),
        ("Adoption depends on human capital more than on the tools themselves.", None),
        ("Pressmark scores a major legal victory over a data-scraping startup.", "deployment"),
        ("The chip rivalry has moved into a new geopolitical arena.", None),
        ("Industry leaders maintain an optimistic outlook despite the slowdown.", None),
        # round 2 of the collected pages: awaited is no forecast, a capitalised name is no cue,
        # a bill through one chamber or an amendment vote is a proposal, one voted out is not
        ("The long-anticipated labelling rules took effect on Monday.", "deployment"),
        ("China enforces its labelling rules for AI-generated video.", "deployment"),
        ("Critics of the RAISE Act say its reporting duties are vague.", None),
        ("Chatbot disclosure bill passes Senate, heads to governor", "proposal"),
        (
            "Peers voted 212-140 to back an amendment requiring AI firms to list training data.",
            "proposal",
        ),
        ("The Senate voted 99-1 to remove the moratorium provision from the budget bill.", None),
        # a regulator named by its acronym; an investigation it opens; usage growth; an estimate
        ("The CMA opened an investigation into the chipmaker's cloud partnership.", "deployment"),
        ("The ICO concluded that the school's face-scanning app broke the law.", "deployment"),
        ("Usage of the assistant tripled across the company's phones last quarter.", "deployment"),
        ("The fund estimated that 40% of jobs worldwide are exposed to AI.", "forecast"),
    ],
)
def test_issue4_collected_pages_round(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # commentary on an event already reported is no new claim (self-written after the round-3
        # dev pages)
        ("The proposal reflects a wider shift in where data centres get built.", None),
        ("Analysts say the debut of the new memory chip strengthens Korvel's position.", None),
        ("The crackdown showcases the power of cross-border police cooperation.", None),
        ("The plan to reopen the coal plant has revived residents' concerns.", None),
        # ... while the event itself still is one
        ("Korvel unveiled its new memory chip on Tuesday.", "announcement"),
        # a person's departure, an acquired firm that carries on, an idiom
        ("Its chief scientist announced that she was leaving the lab after nine years.", None),
        ("Brightpath will continue operating as an independent company after the deal.", None),
        ("Households risk footing the bill for the new power lines.", None),
        # a hedged quantity is a projection; a duration is not
        ("The four new plants could generate about 3 gigawatts of power.", "forecast"),
        ("The assistant might save each nurse two hours a shift.", "forecast"),
        ("Running the simulation could take several days, the researcher said.", None),
        # a warning is a forecast only when it predicts something
        ("The regulator warned that clinics using the tool risk fines.", None),
        ("Economists warned that the tools could displace a million clerks.", "forecast"),
        # a direct question asserts nothing
        ("But is Velto's new model really the one that can beat its rivals?", None),
        ("The test results are in: can the chip beat the market leader?", None),
        # money infused is funding
        ("The $80 million infusion is the largest in the sector this year.", "funding"),
        # an installed base reached is deployment; a plan to reach one is not
        ("Last year Velto brought its assistant to more than 90 million phones.", "deployment"),
        ("Velto plans to bring its assistant to 300 million phones by 2027.", "forecast"),
        # a small group of testers is a preview; "up to 30 times faster" in vendor tests a benchmark
        (
            "The memory feature is available to a small group of testers ahead of a wider launch.",
            "announcement",
        ),
        (
            "The chip runs up to 30 times faster than its predecessor in the vendor's tests.",
            "benchmark",
        ),
        # a trap word denied claims no trap
        ("The assistant is now out of beta and used by 40,000 lawyers.", "deployment"),
    ],
)
def test_issue4_pages_round3_dev(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # self-written after the round-4 dev pages: an adverb between "has" and the verb
        (
            "Doctors at Valemont Hospital have quietly implemented a triage model in the ER.",
            "deployment",
        ),
        # a pilot left behind is no trap
        (
            "Lenders have moved beyond pilot projects, with the model now approving 8,000 loans a week.",
            "deployment",
        ),
        ("Lenders are still running pilot projects with the model.", "announcement"),
        # a use counted in words
        (
            "The robots now sort parcels thousands of times a day at the Ostrava depot.",
            "deployment",
        ),
        # a regulator named in full, an open federal probe
        (
            "The Federal Aviation Administration opened an investigation into the drone maker.",
            "deployment",
        ),
        ("Korvel faces a federal investigation into its driver-assist software.", "deployment"),
        # no claim: a time reference, a role in training, a span of delay, "serves as", an adjective
        ("Two years after Velto launched its chatbot, surveys still find few regular users.", None),
        ("Memory chips play a central role in training large models.", None),
        ("Every day of delay in diagnosis raises the risk, the study says.", None),
        ("The demo serves as a reminder of how far speech models have come.", None),
        ("Analysts point to the operational costs of running such a large fleet.", None),
        # what follows "whether" is asked, not asserted
        (
            "The report raises pointed questions about whether firms that cite AI for layoffs are honest.",
            None,
        ),
        ("It is unclear whether the assistant will ship in Europe this year.", None),
        # raising questions, concerns or the stakes is no fundraising, with or without an adjective
        ("The report raises pointed concerns about the training data.", None),
        ("The dispute raised the stakes for both labs.", None),
        # the question words do not hide a claim made before them
        (
            "Brightpath laid off 300 staff, raising questions about whether more cuts will follow.",
            "deployment",
        ),
    ],
)
def test_issue4_pages_round4_dev(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # round 8 (US federal releases, dev pages): rulemaking and inquiry notices ask for comment
        (
            "The Notice of Inquiry seeks to better understand the implications of emerging AI "
            "technologies for unwanted robocalls.",
            "proposal",
        ),
        ("The FCC adopted a Notice of Inquiry on AI-generated robocalls.", "proposal"),
        ("The agency published a request for public comment on the draft guidance.", "proposal"),
        ("The commission is soliciting comments on the use of AI in hiring.", "proposal"),
        # the reporter's stock phrase is no consultation
        ("The company did not respond to a request for comment.", None),
        (
            "GSA is working towards offering the tool as a shared service to other agencies in the "
            "near future.",
            "announcement",
        ),
        ("We hope to see more of this in the near future.", None),
    ],
)
def test_issue4_federal_releases_dev(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # round 9 (UK and EU releases, dev pages)
        ("Millions of people in the UK take several medicines every day.", None),
        ("Agents at the bank handle refunds with the assistant every day.", "deployment"),
        ("The regulator will expand its AI testing programme to ten more firms.", "announcement"),
        # round 10 (GAO, Australian and New Zealand government, dev pages)
        ("Agencies must now report every AI system they use to the regulator.", "deployment"),
        ("We must now act on AI safety.", None),
        (
            "While not mandated, corporate entities are encouraged to apply the AI policy.",
            "proposal",
        ),
        # an authority's non-binding document (round 9 dev); a company's is not a proposal
        (
            "The Commission has published a template to help AI model providers summarise their "
            "training data.",
            "proposal",
        ),
        ("The regulator issued guidance on AI chatbots.", "proposal"),
        ("OpenAI published guidance on how to use its API.", None),
    ],
)
def test_issue4_open_pages_dev(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # signals-17, from dev rows (open pages round 10, real feeds dev, self-written dev)
        (
            "Last week saw the launch of the AI Plan for the Australian Public Service.",
            "announcement",
        ),
        ("Since the launch of ChatGPT in 2022, schools have struggled to set rules.", None),
        ("Some analysts believe a new browser war may soon arrive.", "forecast"),
        ("Gemini 3 was released in two operational modes.", "announcement"),
        (
            "Bank regulators asked for comments on how lenders should validate generative models.",
            "proposal",
        ),
        ("The company did not respond when asked for comment.", None),
        ("The agency is seeking feedback from staff to refine the tool.", None),
        (
            "G7 ministers endorsed principles for AI in government that carry no legal force.",
            "proposal",
        ),
        ("A Senate committee recommended that Parliament create an AI ombudsperson.", "proposal"),
        ("The ministry floated export-licensing rules for advanced AI servers.", "proposal"),
        (
            "Grantley Insurance is in talks to put Tessary's claims model into its home unit.",
            "announcement",
        ),
        ("A leaked roadmap shows Vestry preparing an autonomous support tier.", "announcement"),
        ("Chatbot leaked users' chat histories through a prompt injection bug", None),
        ("The CEO said a tax-filing agent is coming in the first half.", "announcement"),
    ],
)
def test_signals_17_cues(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # signals-18, from dev rows of open-page round 12 (self-written in the same shapes)
        ("The tool runs on a single laptop with no network connection.", None),
        ("The assistant runs on Azure and answers 2 million questions a month.", "deployment"),
        ("Veldt is an offline-capable AI framework for field teams.", None),
        ("The startup released an open-source agent framework.", "announcement"),
        ("The ministry published a voluntary AI framework for schools.", "proposal"),
        ("The model is already supporting operations across three hospitals.", "deployment"),
        ("The triage tool is already helping 2,000 patients a week.", "deployment"),
    ],
)
def test_signals_18_cues(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # signals-19, from dev rows of collected-pages round 8 (self-written in the same shapes)
        (
            "Coding agents are now responsible for a third of the fixes merged at Pellet.",
            "deployment",
        ),
        ("The co-op is using AI to route its delivery vans around road works.", "deployment"),
        ("The state's new inference cluster is already online in Ohio.", "deployment"),
        (
            "Nora, the bot that handles refund requests for Brisk Air, answers in seconds.",
            "deployment",
        ),
        ("Some 4,000 call-centre staff have lost their jobs since the bot arrived.", "deployment"),
        ("Regulators are using the new rules to fine companies.", None),
        ("The startup will soon be using AI to sort parcels.", "forecast"),
    ],
)
def test_signals_19_cues(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)


def test_a_passive_headline_plan_is_announced() -> None:
    pub = date(2025, 10, 22)
    plan = rule_claim(
        "Side effects to be predicted by AI before reaching patients", pub, title=True
    )
    assert (plan.label, plan.subtype) == ("hype", "announcement"), plan.cues
    opinion = rule_claim("Why AI needs to be regulated", pub, title=True)
    assert opinion.label == "neither", opinion.cues


def test_a_question_is_not_rescued_by_the_claim_model() -> None:
    c = classify_sentence("Will Velto's assistant ever reach a billion users?", date(2026, 3, 15))
    assert c.label == "neither" and c.cues == ["question"]


def test_a_consultation_on_barring_is_not_an_enforcement_action() -> None:
    c = classify_sentence(
        "The regulator is consulting on whether chatbots should be barred from giving loan advice.",
        date(2026, 3, 15),
    )
    assert c.label != "deployment", c.cues


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # self-written (session 12): a trial that is over, with what runs since, is deployment
        (
            "After a successful pilot, the bank rolled out the assistant to 5,000 staff.",
            "deployment",
        ),
        (
            "Following a six-month trial, the hospital deployed the tool in all 12 wards.",
            "deployment",
        ),
        # the trial's own results, a trial still going on and a rollout still planned are not
        ("After the trial, 80% of participants said they wanted to keep using it.", "announcement"),
        ("After the trial was extended, 400 staff used the tool.", "announcement"),
        ("Following the pilot, the bank will roll out the tool to 5,000 staff.", "announcement"),
    ],
)
def test_a_trial_that_is_over_is_no_trap(text: str, expected: str | None) -> None:
    _assert_rule_label(text, expected)
