"""Cue lexicons and date finding for claim classification (see ``bot.pipeline.claims``)."""

from __future__ import annotations

import re

_F = 0  # patterns are lower-case; callers match against text.lower() (faster than IGNORECASE)

# ---------------------------------------------------------------- cue lexicons


def _re(*parts: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(parts) + r")\b", _F)


NUM = r"\d[\d,.]*\s*(?:%|percent|million|billion|thousand|k|m|bn)?"
MONEY = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*\s*(?:trillion|billion|million|bn|m|b|k)?\b)|"
    r"(?:\b\d[\d,.]*\s*(?:trillion|billion|million|bn)\s*(?:dollars|euros|usd|eur)?)|"
    r"(?:\b(?:trillions|billions|millions|hundreds of millions|tens of billions) of "
    r"(?:dollars|euros|pounds|yuan))",
    _F,
)

PILOT = _re(
    r"pilot(?:s|ing|ed)?",
    r"proof[- ]of[- ]concept",
    r"pocs?",
    r"beta",
    r"preview(?:s|ed|ing)?",
    r"early access",
    r"waitlist",
    r"trials?",
    r"trialling",
    r"trialled",
    r"trialed",
    r"being tested",
    r"trialing",
    r"(?:in|limited|internal|closed) testing",
    r"(?:testing|test|trial) phase",
    r"remains? in (?:testing|development|beta|preview)",
    r"no (?:release|launch) date",
    r"experimental (?:feature|version|mode|release)",
    r"testing (?:it|the|a)",
    r"sandbox",
    r"(?:testing|test) (?:programmes?|programs?|schemes?)",
    r"limited release",
    r"research preview",
    # "available to a small group of testers ahead of a broader release": not yet generally used
    r"(?:small|select|limited) (?:group|number|set) of (?:testers|users|customers|developers|partners)",
    r"ahead of (?:a |its |the )?(?:broader|wider|general|full) (?:release|launch|rollout|availability)",
)
MANUFACTURING = _re(
    r"in (?:full |volume |mass )?production",
    r"(?:started|starts|began|begins|enter(?:s|ed)?) "
    r"(?:full |volume |mass )?production",
    r"ramp(?:s|ing|ed)? (?:up )?production",
    r"production ramp",
    r"(?:mass|volume|full) production",
    r"shipping samples",
    r"taped? out",
    r"sampling to customers",
)
CHIP_CONTEXT = _re(
    r"chips?",
    r"gpus?",
    r"accelerators?",
    r"semiconductors?",
    r"wafers?",
    r"silicon",
    r"rubin",
    r"blackwell",
    r"hbm\d?",
    r"processors?",
    r"cpus?",
    r"superchips?",
    r"fabs?",
)
FUTURE = _re(
    r"will",
    r"won't",
    r"plans? to",
    r"planned",
    r"planning to",
    r"aims? to",
    r"set to",
    r"slated",
    r"scheduled",
    r"upcoming",
    r"coming (?:soon|months|weeks|year)",
    r"intends? to",
    r"going to",
    r"is to",
    r"are to",
    r"later this (?:year|month|quarter)",
    r"next (?:year|month|quarter|week)",
    r"to (?:launch|add|roll out|release|begin|start|ban|cut|eliminate|invest|build|pour|introduce|"
    r"restrict|block|require|deploy|ship|open|implement|integrate|adopt)",
    r"would(?! have)",  # "would have needed" is a counterfactual past, not a plan
    r"starting (?:in|on|from|next)",
    r"in the coming",
    r"in the near future",
    r"soon",
)
# "a new browser war may soon arrive": a hedged near future is a projection
HEDGED_SOON = re.compile(r"\b(?:could|may|might) (?:very |well |also )?soon\b", _F)
HEDGE = _re(r"could", r"might", r"potentially", r"possibly", r"likely", r"perhaps", r"stand to")
# a hedged quantity is a projection: "the 10 plants could generate approximately 7.5 gigawatts",
# "might save each nurse two hours a shift", "potentially lifting performance by up to 69%" (not a
# duration: "could take several days")
HEDGED_QUANTITY = re.compile(
    r"\b(?:could|might|may|potentially|possibly|likely to)\s+(?!take\b|last\b)(?:[\w'’-]+\s+){1,5}?"
    r"(?:by |to |of )?(?:up to |about |approximately |around |roughly |nearly |almost |more than |over |"
    r"as much as |as many as |at least )?"
    r"(?:[$€£]\s?\d|(?:\d[\d,.]*\s*|(?:two|three|four|five|six|seven|eight|nine|ten|several|"
    r"hundreds of|thousands of|millions of|billions of) )(?:%|percent|x\b|times\b|trillion|billion|"
    r"million|thousand|gigawatts?|gw\b|megawatts?|mw\b|jobs|hours|minutes|days|weeks|dollars))",
    _F,
)
FORECAST = _re(
    r"forecasts? (?:that|\d|of|a)",
    r"forecasts",
    r"forecasted",
    r"projects (?:that|\d)",
    r"projected",
    r"projections?",
    r"predict(?:s|ed)? (?:that|\w+ will|\d)",
    r"expected (?:to|by|in|later|next|within|that)",
    r"expects?",
    r"estimates? (?:that|show)",
    r"estimated (?:that|\d)",
    r"by (?:the )?(?:19|20)\d\d",
    r"cagr",
    # guidance, not mood ("an optimistic outlook" is no projection)
    r"(?:raised|raises|cut|cuts|lowered|lowers|boosted|issued|gave|revenue|sales|growth|earnings|annual|"
    r"full-year|demand|spending) outlook",
    r"outlook (?:for|of) (?:\$|\d|growth|revenue|sales|spending|demand)",
    # a warning is a forecast only when it predicts ("warned that it could destroy"); "warned that
    # firms using the service risk penalties" is a complaint or a caution, not a projection
    r"warn(?:s|ed)? (?:of|that)(?=[^.;]*\b(?:will|would|could|might|may|soon|potentially|"
    r"likely)\b)",
    r"promised?",
    r"promises",
    r"will (?:grow|be worth|double|triple|transform|replace|reshape|cure)",
    r"will (?:reach|hit|surpass|top|exceed) (?:\$|€|£|\d|about|around|nearly|more than|over)",
    r"could (?:reach|hit|grow|double|top|surpass|add|replace|automate)",
    r"anticipated?",
    r"estimates? (?=(?:the|that|it|ai|a|an|\w+ will))",
    r"will cost",
    r"(?:could|will|may|might) be worth",
    r"by the end of the (?:decade|year|century)",
    r"(?:set|poised|on track|expected|forecast|projected|likely) to (?:double|triple|grow|rise|reach|hit|surpass|top|exceed|increase|fall|decline|quadruple)",
    r"(?:over|for|in|within) the next (?:\w+ )?(?:years|decade)",
    r"(?:is|are) expected\b",
    r"would (?:create|add|generate|bring|produce|save|reach|double|triple) (?:[\w$€£,.-]+ ){0,3}\d",
    r"on track to",
    r"is poised to",
    r"are poised to",
)
FUNDING = _re(
    r"rais(?:e|ed|es|ing)(?! (?:(?:[a-z]+ )?(?:concerns?|questions?|doubts?|fears?|eyebrows|alarms?)|the (?:bar|stakes)))",
    r"funding",
    r"fund(?:raise|raiser|raising)",
    r"series [a-h]",
    r"valuations?",
    r"valued",
    r"invest(?:s|ed|ing|ment|ments)?",
    r"investors?",
    r"stake",
    r"pledg(?:e|es|ed|ing)",
    r"commit(?:s|ted|ment|ments)?",
    r"backers?",
    r"backed",
    r"round",
    r"capital",
    r"(?:cash )?infusion",
    r"cash injection",
    r"joint venture",
    r"acqui(?:re|res|red|ring|sition)",
    r"buy(?:s|ing)? out",
    r"spend(?:s|ing)?",
    r"capex",
    r"bet",
    r"pour(?:s|ing)?",
    r"shareholders?",
    r"financing",
    r"financed",
    r"funded by",
    r"secured",
    r"debt",
    r"deals?",
    r"contracts?",
    r"agreements?",
)
BENCHMARK = _re(
    r"benchmarks?",
    r"scored?",
    r"scores",
    r"scoring",
    r"leaderboards?",
    r"elo",
    r"outperform(?:s|ed|ing)?",
    r"beats?",
    r"state[- ]of[- ]the[- ]art",
    r"sota",
    r"swe-?bench(?: verified)?",
    r"mmlu(?:-pro)?",
    r"mmmu(?:-pro)?",
    r"gpqa(?: diamond)?",
    r"arc-agi(?:-\d)?",
    r"humaneval",
    r"lmarena",
    # the leaderboard, not the word ("a pivotal technological arena")
    r"(?:chatbot|lm|text|webdev|vision|copilot|search) arena",
    r"arena (?:leaderboard|elo|scores?|rankings?)",
    r"aime",
    r"humanity's last exam",
    r"codeforces",
    r"matharena",
    r"topped",
    r"tops",
    r"first model to",
    r"up to \d+(?:\.\d+)?x",
    r"up to \d+(?:\.\d+)? times (?:faster|more|better|cheaper|higher|lower|as)",
    r"in (?:the )?(?:vendor's|vendor’s|company's|company’s|its own|internal) tests",
    r"\d+(?:\.\d+)?x (?:faster|more|better|cheaper)",
    r"evals?",
    r"evaluations? (?:show|found|suggest)",
    r"best (?:coding |reasoning )?model",
    r"supremacy",
    r"in (?:internal |lab |controlled )?tests",
    r"tested on",
    r"on par with (?:gpt|claude|gemini)",
    r"performs? comparably",
    r"trails?",
    r"own evaluations?",
    r"\d+(?:\.\d+)?\s?(?:%|percent) of (?:[\w-]+ ){0,3}(?:questions|problems|tasks|test cases|issues|exam)",
    r"correctly",
    r"simulated (?:\w+ )?environments?",
    r"researchers (?:wrote|say|said|note|noted)",
    r"(?:published|released|posted) (?:a |the |new )?(?:paper|study|preprint|research)",
    r"(?:in|a) (?:lab|laboratory|controlled) (?:study|studies|setting|experiment)",
    r"as accurately as",
    r"(?:matched|matches|outperformed|rivals?|rivalled|beat) (?:human )?(?:experts|doctors|dermatologists|radiologists|humans|professionals|clinicians)",
    r"researchers (?:showed|found|report|reported|demonstrated)",
    r"(?:paper|preprint) (?:shows|finds|reports|claims)",
    r"accuracy (?:of|on)",
    r"\d+(?:\.\d+)?\s?(?:%|percent) accuracy",
    r"\d+(?:\.\d+)?\s?(?:%|percent) on",
    # a model ranked against rival models, whatever the verb
    r"(?:ahead of|behind|trails?|trailing|leads?|beats?|beating|outpac(?:e|es|ed|ing)|falls? short of|on par with|"
    r"comparabl[ey] (?:to|with)|surpass(?:es|ed|ing)?|edges? out) [\"“”']?\s?(?:[\w.'’-]+ ){0,3}(?:gpt-?[\w.]*|claude|gemini|"
    r"llama|deepseek|grok|qwen|rival models|proprietary models|(?:openai|google|anthropic)[’']s models)",
    r"in (?:their|its|our) (?:own )?testing",
    r"tokens (?:per|a) second",
    # "achieving performance that surpasses leading models"
    r"(?:performance|results?|scores?) (?:that |which )?(?:surpass|exceed|outperform|beat|match|rival)(?:es|s|ed|ing)?",
)
PROPOSAL = _re(
    r"bills?",
    r"proposals?",
    r"propos(?:e|es|ed|ing)",
    r"(?:a|the|its) draft",
    # a bill through one chamber is still a proposal: "passes House, heads to Senate"
    r"pass(?:es|ed) (?:the )?(?:state |full )?(?:house|senate|assembly|lower house|upper house|committee)",
    r"heads? to (?:the )?(?:state )?(?:senate|house|assembly|governor)",
    r"(?:voted|votes|vote) (?:[\w-]+ ){0,3}(?:for|to support|to back|in favou?r of|to approve|to insert) (?:an? |the )?"
    r"(?:\w+ )?amendments?",
    r"draft (?:law|bill|rules?|regulations?|guidelines?|legislation|proposals?|framework|code|act)",
    r"consultations?",
    # US rulemaking and inquiry notices ask for comment: nothing binds yet
    r"notices? of (?:proposed rule ?making|inquiry)",
    r"a?nprms?",
    # a formal request, not the reporter's "did not respond to a request for comment"
    r"(?:issue[sd]?|issuing|publish(?:es|ed)?|release[sd]?|open(?:s|ed)?|launch(?:es|ed)?) (?:an? |its )?"
    r"(?:formal )?requests? for (?:public )?(?:comments?|information|input)",
    r"requests? for public (?:comments?|input)",
    r"(?:seeks?|seeking|sought|invites?|invited|inviting|solicits?|soliciting) (?:public )?(?:comments?|input)",
    # "regulators asked for comments on ...", not the reporter's "when asked for comment"; feedback
    # from the public or an industry, not "seeking feedback from staff"
    r"(?:asked|asks|asking) (?:for )?(?:public |industry |stakeholder )?(?:comments|input)",
    r"(?:seeks?|seeking|sought|invites?|invited|inviting|solicits?|soliciting|asked for|asks for) "
    r"(?:public|industry|stakeholder) feedback",
    # a recommendation to a legislature or government: "recommended that Parliament create ..."
    r"recommend(?:s|ed)? that (?:the )?(?:parliament|congress|government|lawmakers|legislators|legislature|"
    r"ministers?|regulators?|commission|council|state)",
    r"floated (?:[\w-]+ ){0,3}(?:rules?|regulations?|legislation|a law|a ban|a levy|a tax)",
    r"comment period",
    r"frameworks?",
    r"code of practice",
    r"guidelines?",
    r"voluntary",
    r"non-binding",
    r"not (?:legally )?(?:mandated|mandatory|binding)",
    r"(?:no|without) (?:legal|binding) (?:force|effect)",
    r"would (?:require|delay|ban|prohibit|preempt)",
    r"legislative",
    r"lawmakers",
    r"delay(?:s|ed|ing)?",
    r"postpone(?:s|d|ment)?",
    r"omnibus",
    r"recommendations?",
    r"white paper",
    r"call(?:s|ed|ing)? for",
    r"treat(?:y|ies)",
    r"urg(?:e|es|ed)",
)
# a non-binding document an authority puts out ("the Commission has published a template to help
# providers ..."); counted only with an authority in the sentence: a company's strategy is no proposal
AUTHORITY_DOCUMENT = _re(
    r"(?:publish(?:es|ed)?|present(?:s|ed)?|release[sd]?|issue[sd]?|unveil(?:s|ed)?) (?:an? |its |the |new |"
    r"updated |draft |final ){0,3}(?:templates?|guidance|codes? of (?:practice|conduct)|roadmaps?|strategy|"
    r"principles)",
)
ANNOUNCE_WORK = _re(
    r"showed off",
    r"shows off",
    r"prototypes?",
    r"concept (?:car|device|model)",
    r"(?:is|are|was|has been|have been) (?:developing|building|working on)",
    r"letters? of intent",
    r"memorand(?:um|a) of understanding",
    r"targets? (?:19|20)\d\d",
    r"reportedly",
    r"reports? (?:say|said|suggest)",
    r"(?:people|sources|persons) familiar",
    r"sources said",
    r"gave no (?:release )?date",
    r"in talks (?:to|with|over|about)",
    # a leaked product plan ("a leaked roadmap shows ..."), not a leak of users' data
    r"leaked (?:internal )?(?:roadmaps?|memos?|documents?|slides|screenshots?|images?|specs?|"
    r"specifications|details|builds?|benchmarks?|plans?|code names?|versions?)",
    r"leaks? (?:suggests?|shows?|reveals?|indicates?)",
    r"coming (?:in (?:the )?(?:first|second|third|fourth) (?:half|quarter)|in (?:early |late |mid-)?20\d\d|"
    r"(?:this|next) (?:spring|summer|autumn|fall|winter|year|month))",
    r"no release date",
)
ANNOUNCE = _re(
    # "last week saw the launch of the AI Plan": the launch as the event reported, not background
    r"(?:saw|marked|marks|celebrated|celebrates) the (?:official |formal |public )?launch",
    r"unveil(?:s|ed|ing)?",
    r"announc(?:e|es|ed|ing|ement|ements)",
    r"launch(?:es|ed|ing)?",
    r"introduc(?:e|es|ed|ing)",
    r"releas(?:e|es|ed|ing)",
    r"debut(?:s|ed)?",
    r"reveal(?:s|ed)?",
    r"codenamed",
    r"rumou?r(?:s|ed)?",
    r"teas(?:e|es|ed|er)",
    r"showcas(?:e|es|ed)",
    r"demo(?:s|ed|nstrat(?:e|ed|ion))?",
    r"unleash(?:es|ed)?",
    r"roadmap",
    r"keynote",
    r"new (?:model|models|chip|chips|feature|features|version|platform|tool|tools)",
    r"rolling out",
    r"roll out",
    r"in training",
    r"planned for",
    r"under development",
    r"in development",
    r"(?:going to|will) start",
    r"start (?:using|augmenting|deploying|rolling)",
    r"to add",
    r"adds?",
    r"added",
)
USAGE_ACTIVITY = re.compile(
    # (not a share: "35 percent a year earlier")
    r"\d[\d,.]*\s*(?:million|billion|thousand|k)?\s+(?!percent\b|per cent\b|points?\b)(?:[\w-]+\s+){0,3}"
    r"(?:a|per|each|every) (?:day|week|month|year|morning)\b|"
    r"\d[\d,.]*\s*(?:million|billion|thousand|k)?\s*(?:paid |daily |weekly |monthly )?(?:rides|trips|deliveries|transactions|calls|messages|searches|images|documents|claims|orders|loans|scans|diagnoses|prescriptions|lines of code|queries|tasks|reviews)\b|"
    # "doing this thousands of times a day"
    r"\b(?:dozens|hundreds|thousands|millions|billions) of (?:times|rides|trips|deliveries|calls|claims|"
    r"orders|queries|tasks) (?:a|per|each|every) (?:day|week|month|hour)\b|"
    # "with usage tripling across the Galaxy S series": measured growth of use
    r"\busage (?:of (?:[\w'’-]+ ){1,4})?(?:has |have )?(?:doubl|tripl|quadrupl|grew|grow|rose|rising|jump|surg|soar)\w*",
    _F,
)
USAGE = re.compile(
    # "under-18 users" is an age group; the lookahead first, so the lookbehinds run only at digits
    r"(?=\d)(?<![\d.,])(?<!under-)(?<!under )(?<!over-)(?<!aged )"
    r"\d[\d,.]*\+?\s*(?:million|billion|thousand|k|m|bn)?\+?\s*(?:weekly |monthly |daily )?"
    r"(?:active )?(?:users|customers|developers|subscribers|conversations|queries|requests|contacts|interactions|sessions|"
    r"patient visits|visits|chats|physicians|clinicians|doctors|employees use|enterprises|"
    r"businesses|organizations|companies use|tickets|cases)\b",
    _F,
)
OPERATING = _re(
    r"now (?:handles?|handling|powers?|powering|serves?|serving|resolves?|runs?|used|uses|"
    r"available|generally available|live|in use|processes|answers|writes|does)",
    r"(?:is|are) (?:now )?(?:handling|powering|serving|running|in use|used by|live)",
    r"in production (?:at|by|for|use|across)",
    r"production (?:system|use|deployment)",
    r"generally available",
    r"general availability",
    r"deployed",
    r"deploys",
    r"deploying",
    r"adopted",
    r"has been using",
    r"have been using",
    r"uses",
    r"used by",
    r"relies on",
    r"live (?:for|in|across|on)",
    r"handle[sd]? (?:\d|more than|over|about|around|nearly|half|most|all|the bulk|every)",
    r"processed",
    r"resolves?",
    r"resolved",
    r"serves",
    r"served",
    r"serving",
    r"powers",
    r"powering",
    r"rolled out",
    r"rolls out",
    r"handling",
    r"oversees",
    r"(?:is|are) (?:now |already )?responsible for",
    # present progressive use: "John Deere is using AI to help farmers", "banks are using agents to"
    r"(?:is|are|has been|have been) (?:now |already )?using (?:[\w-]+ ){0,3}?(?:ai|artificial intelligence|"
    r"models?|chatbots?|agents?|copilots?|assistants?|tools?|systems?) to",
    r"already (?:online|live|operational)",
    # a chatbot or agent at work: "the chatbot that handles claims for Lemonade"
    r"handles? (?:[\w-]+ ){0,2}?(?:claims|calls|queries|requests|tickets|orders|payments|transactions|"
    r"chats|conversations|enquiries|inquiries)",
    r"assisted in",
    r"top of the (?:charts|app store)",
    r"(?:is|are) reaching",
    r"already (?:\w+ )?(?:available|running|used|handling|in use|saving)",
    # "already influencing operations across the Air Force", "already supporting 40,000 patients"
    r"already (?:influencing|supporting|powering|serving|processing|helping) (?:[\w,-]+ ){0,3}?"
    r"(?:operations|missions?|patients|customers|users|staff|clinicians|cases|claims|calls)",
    r"went live",
    r"is available (?:to|for|on)",
    r"are available (?:to|for|on)",
    r"ready for action",
    r"in use",
    r"(?:migrated|moved|switched|shifted) (?:[\w-]+ ){0,4}(?:to|onto)",
    r"already (?:\w+ ){0,2}(?:migrated|moved|switched|deployed|adopted|integrated|rolled out|embedded)",
    r"now (?!that|is the|more|less|than|has|have|is|are|was|were)\w+(?:s|es)",
    r"now (?:write|take|handle|use|run|serve|process|answer|make|do|draft|review|power|resolve|route|screen|monitor|approve|generate|rely|depend)",
    r"switched on",
    r"(?:put|moved|brought|went|go) (?:\w+ ){0,3}into (?:production|service|operation)",
    r"in (?:service|operation)",
    r"operational",
    r"(?:implemented|integrated|integrating|embedded|installed) (?:\w+ ){0,3}(?:into|in|across|at)",
    r"can now",  # "AI systems can now help with pricing": available and in use
    r"(?:have|has) (?:\w+ly )?(?:deployed|adopted|rolled out|implemented|integrated|replaced)",
    r"(?:now|already|daily|routinely) (?:use|uses|rely on|relies on|run|runs)",
    r"every (?:day|morning|week|night|hour)",
    r"in production",
    r"since (?:going|it went) live",
    r"after the (?:rollout|roll-out|deployment|switch|introduction)",
    r"(?:came|come|comes|went) online",
    r"brought online",
    r"(?:teams|staff|employees|doctors|clinicians|engineers|developers|customers|workers|agents|nurses|lawyers|analysts) (?:now |already |routinely )?use",
    r"used the technology",
    r"runs on",
)
OUTCOME = re.compile(
    r"\b(?:reduc(?:ed|es|ing|tion)|(?<!to )reduce|cut(?:s|ting)?|sav(?:ed|es|ing|ings)|drop(?:ped)?|"
    r"lower(?:ed)?|improv(?:ed|ement)|increas(?:ed|e)|boost(?:ed)?|shortened|freed|"
    r"faster|fewer|lifts?|lifted|fell|dropped|declined|shrank|halved|doubled|rose|grew)\b[^.]{0,80}?"
    r"(?:\d|by (?:a|one) (?:third|half|quarter|fifth|tenth)|\b(?:one|two|three|four|five|ten|an?) "
    r"(?:hours?|minutes?|days?|weeks?)\b)",
    _F,
)
WORK_DONE = _re(
    # an enacted change (not "will complete"): "has completed the rollout", "completed a restructuring"
    r"(?:has|have|had) (?:now |already |just )?completed (?:the |its |their |a |an )?(?:[\w-]+ ){0,2}"
    r"(?:rollout|roll-out|deployment|migration|integration|restructuring|reorganization|"
    r"reorganisation|transition)",
    r"laid off",
    r"(?:have|has|had) lost (?:their|his|her) jobs",
    r"lay(?:ing)? off",
    r"lays off",
    r"layoffs?",
    r"job cuts",
    r"axe[sd]?",
    r"slash(?:ed|es)",
    r"shed(?:s|ding)? (?:\w+ )?jobs",
    r"let go",
    r"(?:cut|cuts|cutting|eliminat(?:ed|ing|es)|replaced|reduc(?:ed|ing)) (?:[\w*,.$~-]+ ){0,3}"
    r"(?:jobs|roles|positions|staff|employees|workers|heads|head ?count|workforce)",
    r"replaced (?:by|with)",
    r"were replaced",
    r"been replaced",
    r"notified",
    r"(?:jobs|roles|positions) (?:were |have been )?(?:eliminated|cut)",
    r"rebalance",
    r"(?:team|staff|workforce|head ?count)(?: size)? (?:was|were|has been|had been|have been) "
    r"(?:reduced|cut|halved|trimmed|slashed)",
    r"hired",
    r"redirected to hire",
    # "xAI has taken action to ban hate speech", "took steps to block": the action is done
    r"(?:has|have|had) (?:already )?taken (?:\w+ ){0,2}(?:action|steps|measures)",
    r"took (?:\w+ ){0,2}(?:action|steps|measures)",
    r"(?:managed|was able|were able) to (?:cut|reduce|shrink|halve|trim|slash)",
)
# enforcement and court actions taken: enacted, whoever reports them (issue 4, collected pages)
# a criminal case (counted where the sentence is about technology: TECH_CONTEXT)
CRIMINAL = _re(
    r"arrested",
    r"indicted",
    r"convicted",
    r"pleaded guilty",
    r"sentenced to",
    r"charged with (?:conspir|fraud|violat|illegal|export|money|smuggl|theft|crim|wire|securities|"
    r"mislead|deceiv|making false)\w*",
)
ENFORCED = _re(
    r"sanctioned",
    r"hit with (?:\w+ ){0,2}(?:sanctions?|fines?|penalt(?:y|ies))",
    r"settled (?:\w+ ){0,2}charges",
    r"agreed to (?:repay|refund|settle)",
    r"agreed to pay (?:\w+ ){0,4}(?:fine|penalty|penalties|settlement|damages|restitution)",
    r"(?<!be )revoked",
    r"revokes",
    r"(?<!be )rescinded",
    r"rescinds",
    r"(?<!be )repealed",
    r"repeals",
    r"(?<!be )struck down",
    r"(?<!be )overturned",
    r"blocked access",
    r"legal (?:victory|win|defeat)",
    r"(?:claims|charges|case|lawsuit|suit|motions?|complaint|appeal) (?:were|was|have been|has been|"
    r"had been) (?:dismissed|thrown out)",
    r"dismissed (?:the |a |an |all |most |several |some )?(?:[\w'’-]+ )?(?:case|claims?|lawsuit|suit|charges|"
    r"complaint|appeal|motions?)",
    r"den(?:y|ies|ied) (?:[\w'’-]+ ){0,3}motions?",
    r"reversed (?:an? |the |his |her |its )?(?:earlier |previous |prior |lower[- ]court(?:'s)? )?"
    r"(?:ruling|decision|judgment|order)",
    r"(?:issued|granted|entered|revised) (?:\w+ ){0,2}(?:summary )?judgment",
    r"investigation (?:concluded|found)",
    # "faces a federal investigation": one is open
    r"fac(?:es|ed|ing) (?:a |an )?(?:new |formal |widening |growing )?(?:federal|regulatory|criminal|"
    r"antitrust|government|state|eu|congressional) (?:investigation|probe|inquiry)",
    r"charged (?:\w+ ){0,3}?(?:[$€£]\s?\d|\d[\d,.]* (?:million |billion )?(?:euros|dollars|pounds))",
)
# the same when a court, regulator or prosecutor is the one acting ("the regulator blocked the deal")
ENFORCED_BY = _re(
    # a regulator's investigation opened is an enforcement action
    r"(?:opened|launched|began|started|opens|launches) (?:an? |its )?(?:formal |antitrust |new |in-depth )?"
    r"(?:investigation|inquiry|probe)",
    r"(?<!be )blocked",
    r"blocks",
    r"(?<!be )barred",
    r"(?:found|concluded|held|determined) that",
    r"allow(?:s|ed)? (?:[\w'’-]+ ){0,8}to proceed",
    r"(?<!be )dropped",
    r"drops",
    r"must (?:pay|obtain|stop|remove|honou?r|delete|comply|refund)",
    r"(?:has|have|had) to honou?r",
)
# who sues or takes action for the public: then a suit filed is an enforcement action
REGULATOR_ACTS = re.compile(
    r"\b(?:ftc|sec|doj|justice department|department of justice|attorneys? general|regulators?|"
    r"commission|agency|watchdog|government|feds|prosecutors?)\b[^.]{0,60}?\b(?:sued|sues|suing|"
    r"(?:took|taken|takes) action against|filed (?:a |an )?(?:lawsuit|suit|complaint|charges))\b",
    _F,
)
IN_FORCE = _re(
    r"took effect",
    r"takes effect",
    r"take effect",
    r"taking effect",
    r"came into (?:force|effect)",
    r"comes? into (?:force|effect)",
    r"enter(?:s|ed)? into (?:force|application)",
    r"in force",
    r"enforces",
    r"(?:began|begins|started|starts) enforcing",
    r"enforced (?:from|since|as of|on)",
    r"(?:will be|to be) (?:enforced|applied|applicable)",
    r"(?:has|have) (?:applied|been in force|been in effect|been enforced)",
    r"in effect since",
    r"applied since",
    r"entered into force",
    r"became (?:applicable|effective|law)",
    r"becomes? applicable",
    r"appl(?:y|ies) from",
    r"effective (?:immediately|from|on|as of|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|\d)",
    r"enforcement (?:began|begins|"
    r"has begun|started)",
    r"fined",
    r"fines? (?:of|totall?ing)",
    r"(?:issued|imposed|levied) (?:\w+ ){0,3}(?:penalt(?:y|ies)|sanctions?|injunctions?|fines?)",
    r"issued (?:an? )?(?:emergency )?"
    r"(?:order|fine|ban|penalty)",
    r"banned",
    r"banning",
    r"bans",
    r"approved",
    r"ordered",
    r"ruled",
    r"signed",
    r"signs",
    r"enacted",
    r"enacting",
    r"obligations? (?:apply|applied)",
    r"became applicable",
    r"now apply",
    r"now applies",
    # an obligation that holds now: "agencies must now establish ...", not "we must now act"
    r"(?<!we )(?<!i )(?<!you )must now",
    r"restricted",
    r"prohibited",
)
MARKET = _re(
    r"stock",
    r"stocks",
    r"shares",
    r"share price",
    r"market value",
    r"market cap(?:italization)?",
    r"sell-?off",
    r"wall street",
    r"nasdaq",
    r"s&p",
    r"dow",
    r"trading",
    r"investors (?:reacted|fled)",
    r"wiped",
    r"erased",
    r"plummet(?:ed|s)?",
    r"tumbl(?:e|ed)",
    r"rall(?:y|ied)",
    r"surged? to record",
    r"trillion (?:company|mark|milestone|threshold|club)",
)
EVAL_CONTEXT = _re(
    r"benchmarks?",
    r"in (?:internal |lab |controlled )?(?:tests|testing|evaluations?|trials)",
    r"on (?:swe-?bench|mmlu|gpqa|humaneval|a (?:coding|math) test)",
    r"simulated",
    r"evals?",
    r"lab (?:study|setting)",
    r"test (?:set|suite)",
)
SELF = re.compile(
    r"\b(?:according to (?:the company|(?:its|the) (?:ceo|chief|founder|statement|"
    r"spokes\w+|blog|press release))|the company (?:said|says|reported|reports|claims)|"
    r"(?:ceo|chief executive|founder|spokes(?:person|man|woman)|executive|officer|president)"
    r"\b[^.]{0,80}\b(?:said|says|told|explained|claims|revealed|noted)|(?:said|says|claims|"
    r"claimed|reported|reports) (?:it|the company|that its)|in a (?:blog post|press release|"
    r"statement)|case study|\bwe\b|\bour\b|\b\w+ says\b|\b\w+ said\b|\bclaims?\b)",
    _F,
)
INDEPENDENT = _re(
    r"independent(?:ly)?",
    r"third[- ]party",
    r"audit(?:ed|ors?)?",
    r"peer[- ]reviewed",
    r"(?:a |the )?study (?:by|from|of|published)",
    r"researchers (?:at|from)",
    r"according to (?:data|a study|an analysis|analysts|regulators|filings|a survey)",
    r"verified",
    r"corroborated",
    r"documented",
    r"published in",
)
OPINION = _re(
    r"i think",
    r"we think",
    r"arguably",
    r"should",
    r"must",
    r"opinion",
    r"what (?:this|it) means",
    r"question is",
    r"lessons?",
)

HEDGE_MAY = re.compile(r"\bmay\b(?! \d)")  # lower-case only: "May 2025" is a month
LAW = _re(
    r"laws?",
    r"acts?",
    r"rules?",
    r"regulations?",
    r"obligations?",
    r"requirements?",
    r"orders?",
    r"legislation",
    r"bills?",
    r"ordinances?",
    r"statutes?",
)
IMMEDIATE = _re(r"effective immediately", r"with immediate effect", r"from today", r"as of today")
REVERSE_OUTCOME = re.compile(
    r"\d+(?:\.\d+)?\s?(?:%|percent)\s+(?:\w+\s+)?(?:reduction|drop|decrease|increase|cut|fewer|less|"
    r"improvement|savings?|faster|rise|gain)\b",
    _F,
)
ANNOUNCE_NOUNS = {
    "announcement",
    "announcements",
    "release",
    "launch",
    "keynote",
    "roadmap",
    "demo",
}
EXEC_ORDER = re.compile(
    r"\b(?:signed|signs|issued|issues)\b[^.]{0,60}\b(?:executive|preemption|presidential) order\b",
    _F,
)
REVENUE = re.compile(
    r"\b(?:revenue|sales|bookings)\b[^.]{0,40}?\b(?:hit|hits|reached|reach|rose|grew|jumped|totall?ed|"
    r"came in at|of|was|were|delivered|climbed)\b[^.]{0,30}?[$€£]\s?\d",
    _F,
)
TITLE_FUTURE = re.compile(
    r"\b(?:to|will|set to|plans? to)\s+(?:add|launch|block|ban|cut|open|build|release|introduce|roll|"
    r"restrict|require|bring|start|begin|offer|debut|expand|pour|buy|acquire|invest|hire)\b|"
    # a passive headline plan: "Side effects to be predicted by AI", not "needs to be regulated"
    r"(?<!used )(?<!needs )(?<!need )(?<!has )(?<!have )(?<!ought )(?<!likely )\bto be \w+(?:ed|en)\b",
    _F,
)
LAW_PASSED = re.compile(
    r"\b(?:signed|signs|enacted|enacts|passed|passes|adopted|approves|approved)\b[^.]{0,80}"
    r"\b(?:law|act|bill|legislation|regulation|ordinance)\b",
    _F,
)
EFFECT_DATE = re.compile(
    r"\b(?:take|takes|taking|took|go|goes|going|went|come|comes|came|enter|enters|entered) "
    r"(?:into )?(?:effect|force)|\beffective\b|\bappl(?:y|ies|icable) (?:from|on|as of)|\bbegins? "
    r"(?:on|in)|\bstarting\b|\bas of\b|\bcompliance deadline",
    _F,
)
AUTHORITY = _re(
    r"judges?",
    r"courts?",
    r"prosecutors?",
    r"justice department",
    r"department of justice",
    r"attorneys? general",
    r"ftc",
    r"the sec",
    r"government",
    # regulators by their acronyms
    r"cma",
    r"dpc",
    r"ico",
    r"cnil",
    r"fcc",
    r"cfpb",
    r"eeoc",
    r"ofcom",
    r"edpb",
    r"garante",
    r"regulators?",
    r"commission",
    r"nhtsa",
    r"(?:safety|drug|aviation|trade|food) administration",
    r"ministry",
    r"authorit(?:y|ies)",
    r"agency",
    r"tribunal",
    r"watchdog",
    r"commissioners?",  # "the privacy commissioner issued a formal warning"
)
INTENT = re.compile(
    r"\b(?:intends? to|plans? to|will (?:be )?(?:available|launch|ship|roll|release|add|introduce|offer|"
    r"open|begin|start|arrive|expand|integrate|debut)|set to (?:launch|release|begin|open|debut|arrive)|slated|"
    r"scheduled|coming (?:weeks|months|soon)|later this year|next year|will (?:reach|come to|go to|be rolled out to) "
    r"(?:\w+ )?(?:users|customers|subscribers|developers|everyone|all)|"
    # "working towards offering the tool to other agencies in the near future"
    r"(?:offer|launch|releas|roll|ship|expand|open|mak)\w* [^.]{0,80}in the near future)\b",
    _F,
)
USAGE_REACHED = re.compile(
    r"\b(?:users|subscribers|customers|downloads|installs|members|developers)\b[^.]{0,30}\b(?:reached|hit|topped|"
    r"grew to|rose to|passed|surpassed|crossed|exceeded)\b[^.]{0,15}\d|\bdownloaded\b[^.]{0,30}\d[\d,.]*\s*"
    r"(?:million|billion|thousand)?\s*times\b|\d[\d,.]*\s*(?:million|billion|thousand)?\s*(?:downloads|installs)\b"
    # an installed base reached: "brought Galaxy AI to more than 200 million devices", "deployed
    # across 1,400 branches" (a plan to reach them is read as a plan: the future cues still apply)
    r"|\b(?:brought|took|rolled out|deployed|installed|shipped|pushed|extended|expanded)\b[^.]{0,40}?\b(?:to|on|across|in|into) "
    r"(?:more than |over |nearly |about |some |around |almost )?\d[\d,.]*\s*(?:million|billion|thousand|k|m)?\s+"
    r"(?:[\w-]+ )?(?:devices|phones|smartphones|pcs|laptops|vehicles|cars|stores|branches|hospitals|clinics|"
    r"schools|offices|restaurants)\b",
    _F,
)
FINE_LEVIED = re.compile(
    r"\b(?:fines?|penalt(?:y|ies))\b[^.]{0,40}\b(?:levied|imposed|issued|paid|collected|handed)\b",
    _F,
)
KILLED = _re(
    r"vetoe?d",
    r"vetoes",
    r"rejected",
    r"withdr[ae]wn?",
    r"scrapped",
    r"abandoned",
    r"shelved",
    r"voted down",
    r"voted (?:[\w-]+ ){0,2}to (?:remove|strip|kill|drop|reject)",
    r"killed",
)
# "X will <verb>" as the main assertion (not "that/who/how ... will"): something announced or
# forecast even when no announcement word is used ("the system will determine a user's age")
MAIN_WILL = re.compile(
    r"\b(?=will )(?<!\bthat )(?<!\bwho )(?<!\bhow )(?<!\bwhat )(?<!\bwhen )(?<!\bif )(?<!\bwhether )"
    r"will (?:not |no longer |also |soon |now |then |eventually )?(?:be (?:able to )?)?([a-z]+)",
    _F,
)
# "after a successful pilot, the bank rolled out the assistant to 5,000 staff": the trial is over
# and what runs now is the claim (with a usage or operating cue after it; "since the trial began" is
# no end of the trial)
TRIAL_DONE = re.compile(
    r"\b(?:after|following|upon completing|on completion of|having completed|at the end of) "
    r"(?:the |a |an |its |their |his |her )?(?:[\w-]+ ){0,3}?"
    r"(?:pilots?|trials?|betas?|previews?|proofs? of concept|pocs?)\b(?! (?:began|begins|started|starts|is|are|was|were|will|has|have))",
    _F,
)
# "has already deployed X and plans to ramp": the plan is added to a state that already holds
CURRENT_THEN_PLAN = re.compile(
    r"\b(?:already|has|have|are|is|now)\b[^.]{0,60}\b(?:deployed|deploying|using|adopted|running|"
    r"handles?|handling|serves?|serving|operates?|operating)\b[^.]{0,80}\band (?:plans?|aims?|intends?) to\b",
    _F,
)
# what a product or technology claim is about (a future statement needs one: "the CEO will step
# down" or "investors will be watching" announces no product, rule or investment)
TECH_CONTEXT = _re(
    r"ai",
    r"[\w-]*gpt[\w.-]*",
    r"chatbots?",
    r"models?",
    r"systems?",
    r"features?",
    r"apps?",
    r"platforms?",
    r"tools?",
    r"versions?",
    r"products?",
    r"services?",
    r"accounts?",
    r"users?",
    r"notifications?",
    r"controls?",
    r"restrictions?",
    r"bans?",
    r"data(?: cent(?:er|re)s?)?",
    r"chips?",
    r"gpus?",
    r"infrastructure",
    r"compute",
    r"computing",
    r"software",
    r"agents?",
    r"cloud",
    r"api",
    r"robots?",
    r"algorithms?",
    r"deepfakes?",
    r"autonomous",
    r"self-driving",
    r"driverless",
    r"robotaxis?",
    r"devices?",
    r"gigawatts?",
    r"investments?",
    r"funding",
)
