"""Cues for the events a claim sentence reports, beyond the word lexicons of ``claim_cues``.

Each pattern names a kind of event that briefing.md gives a label, worded without the stock cue
words (issue 4, classifier ``signals-12``; written from the errors on the dev pages and the
self-written sentences of ``tests/data/written_claims.jsonl``, which are dev rows since):

* a transaction with a price ("bought Voxia for 14 billion pesos", "agreed to pay NT$11 billion
  for a plant", "is putting C$480 million into"): funding, like a round or a valuation;
* a result obtained in a research setting (a simulation, a laboratory test, a backtest, a paper,
  a prototype, a held-out test set): a benchmark, even when it is worded as an outcome;
* availability on a date after the publication ("becomes available on September 15"): announced;
* a launch pushed back ("pushed the rollout back to 2027", "has slipped to the spring"): announced;
* what an authority does (a warning issued, a penalty imposed, a service suspended, a person
  charged or sentenced, a settlement struck) and a tool withdrawn from use: enacted actions.
* compute capacity in a deal is funding; a trial named by its participants, an invite-only app
  and a chip in qualification are announced; "the study also found" is a result (benchmark);
* deployment evidence without digits or outcome verbs ("hundreds of nurses ... are using",
  "food waste down 12 percent", "passed 90,000 paying subscribers").

Patterns are lower-case: callers match them against the lower-cased, masked sentence.
"""

from __future__ import annotations

import re

from bot.pipeline.claim_dates import MONTH_NAME as _MONTH


class Cue:
    """A pattern searched only when one of its needles is in the sentence: Python's regular
    expressions scan every position for alternations, and most sentences hold none of these words,
    so a substring test first keeps the classifier above 200 articles a second."""

    def __init__(self, pattern: str, *needles: str) -> None:
        self.pattern = re.compile(pattern)
        self.needles = needles

    def search(self, low: str) -> re.Match[str] | None:
        """The first match in the lower-cased sentence, or None."""
        if self.needles and not any(n in low for n in self.needles):
            return None
        return self.pattern.search(low)

    def findall(self, low: str) -> list[str]:
        """Every match (the whole match: the patterns have no groups)."""
        if self.needles and not any(n in low for n in self.needles):
            return []
        return [m.group(0) for m in self.pattern.finditer(low)]


# money in the currencies the MONEY cue of claim_cues leaves out ("12,000 crore rupees",
# "NT$11 billion" is read there as "$11 billion"), and a price that is not given
LOCAL_MONEY = Cue(
    r"\b\d[\d,.]*\s*(?:crore|lakh|trillion|billion|million|bn)\s+(?:of\s+)?(?:rupees|pesos|yen|yuan|"
    r"won|kronor|krona|kroner|francs|reais|ringgit|riyals|dirhams|rand|naira|pounds|euros|dollars)\b|"
    r"\b\d[\d,.]*\s*crore\b|\b(?:rs\.?|inr|r\$|c\$|a\$|hk\$|s\$|nt\$|chf|sek|₹|₩)\s?\d|"
    r"\bundisclosed (?:sum|amount|price|fee)\b",
    "crore",
    "lakh",
    "illion",
    "bn",
    "rs",
    "inr",
    "$",
    "chf",
    "sek",
    "₹",
    "₩",
    "undisclosed",
)
# money moved for something: a purchase, a merger, a subsidy, money put into a unit or programme
PRICED_DEAL = Cue(
    r"\b(?:bought|buys|buying|to buy|purchased|purchases|to purchase|agreed to (?:buy|pay|acquire|purchase|"
    r"take over|merge|take)|merge (?:with|into)|merged with|take over|took over|injected|"
    r"inject(?:s|ing)?|set aside|sets aside|earmark(?:s|ed|ing)?|allocat(?:ed|es|ing)|putting|puts|"
    r"ploughed|ploughing|sank|subsid(?:y|ies|ised|ized)|grants? of|lease for|signed a lease|"
    r"take capacity|took capacity)\b",
    "bought",
    "buy",
    "purchas",
    "agreed to",
    "merge",
    "take over",
    "took over",
    "inject",
    "set aside",
    "sets aside",
    "earmark",
    "allocat",
    "putting",
    "puts",
    "plough",
    "sank",
    "subsid",
    "grant",
    "lease",
    "capacity",
)
# "cash and stock", "an all-stock deal", "a tender offer": deal terms, not share-price moves
DEAL_STOCK = Cue(
    r"\b(?:cash and stock|cash-and-stock|all-stock|stock (?:deal|transaction|swap)|tender offer)\b",
    "stock",
    "tender",
)
# a result that comes from a research or test setting, not from use in a product
RESEARCH_SETTING = Cue(
    r"\b(?:in (?:a |the )?simulations?|simulated|in (?:a )?simulation of|in (?:laboratory|lab) "
    r"(?:tests?|testing|experiments?|conditions|settings?)|laboratory tests|backtest(?:s|ing|ed)?|"
    r"in a (?:paper|preprint)|paper (?:posted|published|presented)|presented a paper|"
    r"prototype (?:chip|system|device)|in a prototype|on a held-out (?:set|test|data ?set)|"
    r"held-out (?:set|test set)|internal tests|(?:randomi[sz]ed|controlled) (?:study|experiment)|"
    r"test fleet)\b",
    "simulat",
    "lab",
    "backtest",
    "paper",
    "preprint",
    "prototype",
    "held-out",
    "internal tests",
    "randomi",
    "controlled",
    "test fleet",
)
# a figure a research result is stated in ("97 percent", "ten times lower", "by 27 percent")
RESULT_FIGURE = re.compile(
    r"\b\d[\d,.]*\s*(?:%|percent|points?|times|x)\b|\b(?:two|three|four|five|ten|\d+)\s*times\b"
)
# available from a date: announced when that date is after the publication
AVAILABLE_ON = Cue(
    r"\b(?:becomes?|will be|is|are) available\b|\bavailable (?:from|on|starting)\b|\barriv(?:es|e|ing)\b|"
    r"\bgo(?:es)? live\b|\bcan (?:download|buy|order|sign up)\b|\bgoes on sale\b",
    "availab",
    "arriv",
    "live",
    "can ",
    "sale",
)
# a launch or rollout pushed back
DELAYED = Cue(
    r"\b(?:slow|delay|pause|postpone|hold back|held back)(?:s|ed|ing)? (?:[\w'’-]+ ){0,3}?(?:general "
    r"availability|release|launch|rollout)\b|"
    r"\bpush(?:ed|es|ing)? (?:[\w'’-]+ ){0,8}?back (?:to|until|into)\b|"
    r"\bpush(?:ed|es|ing)? (?:[\w'’-]+ ){1,8}?to (?:(?:19|20)\d\d|next year|the (?:spring|summer|autumn|fall|winter))\b|"
    r"\b(?:has |have |had )?slipped (?:to|into|until|back)\b",
    "push",
    "slipped",
    "slow",
    "delay",
    "pause",
    "postpone",
    "hold back",
    "held back",
)
LAUNCH_WORDS = Cue(
    r"\b(?:launch|release|rollout|roll-out|debut|availability|arrival|introduction|go-live|"
    r"delivery|deliveries)\b"
)
# what an authority (claim_cues.AUTHORITY) does: counted as enacted
AUTHORITY_ACTS = re.compile(  # used only with an authority named (claim_cues.AUTHORITY)
    r"\bissued (?:an? )?(?:formal |official |final |written |public )?(?:warning|reprimand|"
    r"enforcement notice|cease-and-desist|notice of violation)\b|"
    r"\b(?:imposed|levied|handed down) (?:an? |the )?(?:[\w$€£.,-]+ ){0,4}?(?:fines?|penalt(?:y|ies)|ban)\b|"
    r"\b(?<!be )(?:suspended|halted)\b|"
    r"\bcharged (?:[\w'’.-]+ ){1,4}?with\b|\bsentenced (?:[\w'’-]+ ){1,4}?to\b|"
    r"\b(?:struck|reached) (?:an? )?(?:[\w$.,-]+ ){0,2}?settlement\b|\bthe arrests? of\b"
)
# a tool taken out of use: the use was real, and its end is an enacted change
WITHDRAWN = Cue(
    r"\b(?:stopped using|switched off|pulled (?:its|the|their) (?:[\w-]+ ){0,3}(?:tool|system|model|"
    r"app|software|chatbot|feature|assistant))\b",
    "stopped using",
    "switched off",
    "pulled",
)
# an effective date the law-effect cue of claim_cues misses: "only from September 1, 2026"
LAW_FROM = Cue(
    r"\b(?:from|starting(?: on| from)?|beginning(?: on)?|as of|effective) (?:"
    + _MONTH
    + r"|\d{1,2} "
    + _MONTH
    + r")\b"
)


# a measured change worded without an outcome verb: "food waste down 12 percent", "onboarding
# time has fallen from six weeks to three", "click-through 22 percent higher than"
OUTCOME_NOMINAL = Cue(
    r"\b(?:down|up) (?:by )?(?:an average of |about |roughly |nearly |some |almost )?\d[\d,.]*\s*"
    r"(?:%|percent|seconds|minutes|hours|days|points)|"
    r"\b(?:fallen|dropped|risen|shrunk|come down|gone down) from (?:[\w,.-]+ ){1,4}?to\b|"
    r"\b\d[\d,.]*\s*(?:%|percent) (?:higher|lower|faster|fewer|more|less|cheaper|shorter) than\b",
    "down ",
    "up ",
    " from ",
    " than",
)
# a user base reached or paid for: "passed 90,000 paying subscribers", "46,000 merchants now pay for"
USERS_PAYING = Cue(
    r"\b(?:passed|surpassed|topped|crossed|reached|exceeded) (?:more than |over |about |some )?"
    r"\d[\d,.]*\s*(?:million|thousand|k|m)?\s+(?:paying |active |monthly |daily |weekly )?"
    r"(?:users|subscribers|customers|accounts|members)\b|"
    r"\b\d[\d,.]*\s*(?:million|thousand)?\s+(?:[\w-]+ ){0,2}(?:now )?(?:pay|pays|paid) for\b",
    "passed",
    "surpassed",
    "topped",
    "crossed",
    "reached",
    "exceeded",
    "pay",
    "paid",
)
# (signals-12, from the dev pages' claims that three annotators labelled alike, one from the sentence alone)
# a trial named by its people or its form: "39% of participants reported", "took part in an
# exercise", "an invite-only app" (counted with claim_cues.PILOT: not deployment)
TRIAL_FORM = Cue(
    r"\d\s*(?:%|percent) of (?:the )?participants\b|\bparticipants (?:saved|reported|used|spent)\b|"
    r"\btook part in (?:an? |the )?(?:[\w-]+ ){0,2}(?:exercise|experiment|study|trial|test|"
    r"pilot|programme|program)\b|\binvite-only\b|\binvitation-only\b|\bby invitation\b",
    "participants",
    "took part",
    "invit",
)
# a finding of the study an article reports: a result, not operation ("the study also found that
# staff became ..."; not "a survey of 2,000 firms found 38% use it", which counts adopters)
STUDY_FOUND = Cue(
    r"\b(?:the|this|that) (?:[\w-]+ )?(?:study|findings|research)\b[^.]{0,20}?"
    r"\b(?:found|finds|show|shows|showed|suggests?|are clear)\b",
    "study",
    "findings",
    "research",
)
# a chip or product in qualification: tested, not adopted ("passed the quality testing for HBM3e")
QUALIFYING = Cue(
    r"\b(?:passed|failed|passing|failing|underwent|undergoing|cleared) (?:the |its |a |an )?(?:[\w-]+ ){0,3}?"
    r"(?:quality|qualification|certification|validation) (?:tests?|testing|checks?)\b|"
    r"\bunder (?:certification|qualification|validation)\b|\b(?:begun|began|started|starts|begins) "
    r"(?:validating|qualifying|certifying)\b|\breadiness approval\b",
    "test",
    "check",
    "certif",
    "valid",
    "qualif",
    "readiness",
)
# a bill's text under debate: "the substitute text", "amendments pending resolution"
BILL_TEXT = Cue(
    r"\bsubstitute (?:text|bill)\b|\bamendments? pending\b|\bpending (?:approval|resolution|a vote|"
    r"passage)\b",
    "substitute",
    "pending",
)

# a counted adopter using a tool, worded without digits: "hundreds of occupational therapists at
# St Helens Borough Council are using an AI tool"
COUNTED_USE = Cue(
    r"\b(?:hundreds|thousands|millions|tens of thousands|hundreds of thousands) of (?!(?:dollars|euros|pounds|"
    r"yen|yuan|rupees|miles|kilometres|kilometers|hours|times|years|pages|lines|images|documents)\b)"
    r"(?:[\w,'’-]+ ){1,6}?"
    r"(?:are|were|now|have been|had been)? ?(?:using|use|used|rely on|relied on|have adopted|adopted)\b",
    "hundreds",
    "thousands",
    "millions",
)
# usage that starts later: "505,000 clinicians will be given access to Copilot"
FUTURE_ACCESS = Cue(
    r"\bwill (?:be given|get|gain|receive|have|be granted) access\b|\bwill be (?:able to use|rolled out to|"
    r"offered to|available to)\b",
    "will",
)
# compute capacity in a deal: "partnered with Google to develop a gigawatt-scale campus",
# "targets expansion to 5 GW" (briefing.md: capacity commitments are funding)
CAPACITY = Cue(
    r"\b\d[\d,.]*\s?(?:gw|mw|gigawatts?|megawatts?)\b|\bgigawatt-scale\b|\bhyperscale campus\b",
    "gw",
    "mw",
    "gigawatt",
    "megawatt",
    "hyperscale",
)
CAPACITY_DEAL = Cue(
    r"\b(?:partner(?:ed|s|ing)? with|to develop|to build|targets? (?:an? )?expansion|deals?|agreements?|"
    r"lease|commit(?:s|ted|ment)?|signed|agreed)\b",
)
