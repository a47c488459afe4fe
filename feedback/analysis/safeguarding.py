"""The safeguarding screen: hand-written patterns for risks to a child, and how they combine
with the trained screen (`feedback.learning`). Recall first: a person reviews every alert."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --------------------------------------------------------------------------------------------
# The patterns
# --------------------------------------------------------------------------------------------

_P = r"(?:him|her|them|me|myself|himself|herself|themselves|themself|my child|my son|my daughter)"
_SELF = r"(?:myself|himself|herself|themselves|themself|themselfs)"
_KID = (
    r"(?:he|she|they|my (?:son|daughter|child|boy|girl|kid)|our (?:son|daughter|child)|"
    r"the child|the young person|i)"
)
SAFEGUARDING_PATTERNS: dict[str, list[str]] = {
    "self-harm or suicide": [
        r"self[- ]?harm",
        r"\bsuicid",
        r"\b(?:kill|hurt|harm|cut|cutting|hurting|harming|hang|strangl\w*|starv\w*|burn\w*)\s+" + _SELF,
        r"\b(?:cuts|scars|marks|burns)\s+on\s+(?:his|her|their|my)\s+(?:arms?|legs?|wrists?|body|thighs?)",
        r"\b(?:want|wants|wanted|wanting)\s+to\s+(?:die|end it|"
        r"end (?:his|her|their|my) life|not be here|disappear forever)",
        r"\b(?:take|took|taking|end|ended|ending)\s+(?:his|her|their|my)\s+own\s+life",
        r"\bend(?:ing)? it all\b",
        r"\boverdos",
        r"\bligature",
        r"\bbetter off dead\b",
        r"\bbetter off without (?:him|her|them|me)\b",
        r"\b(?:not|no longer|doesn'?t|does not|don'?t|didn'?t|isn'?t)\s+(?:want|wanting|wish|wishing)\s+to\s+"
        r"(?:be alive|live|be here|wake up|exist|be around)",
        r"\bno (?:point|reason) (?:in )?(?:living|being alive|being here|going on)",
        r"\b(?:nobody|no one|no-one) would (?:miss|care if)",
        r"\bwhat'?s the point of (?:living|being alive|me)",
        r"\bwish(?:es|ed)? (?:he|she|they|i) (?:was|were|had never been) (?:dead|born|not born)",
        r"\b(?:talk|talks|talked|talking|spoke|speaks|speaking) about (?:dying|death|killing|ending)",
        r"\b(?:said|says|told (?:me|us|staff|the teacher))\s+(?:that\s+)?(?:he|"
        r"she|they|i)\s+(?:wants?|wanted) to die",
        r"\bhead[- ]?bang\w*.*\b(?:bleed|blood|injur)",
        r"\bpills?\b.*\b(?:took|swallow)",
        r"\bjump(?:ed|ing)? (?:off|in front of)",
        r"\b(?:happier|better off|better) (?:if|without) (?:i|"
        r"he|she|they) (?:was|were|wasn'?t|weren'?t|am|is)\b"
        r"(?:\s+(?:dead|gone|not here|here|around|never born))?",
        r"\b(?:goodbye|suicide) (?:letter|note|message)s?\b",
        r"\b(?:i|he|she|they)\s+(?:cut|cuts|burn|burns|scratch|scratches|hit|hits)\s+(?:my|his|her|their)\s+"
        r"(?:arms?|wrists?|legs?|thighs?|skin|stomach)\b",
        r"\b(?:started|starting|been|is|was|keeps|kept|back to)\s+cutting(?:\s+again)?\b",
        r"\bcutting again\b",
        r"\b(?:want|wants|wanna|wanted)\s+to\s+d[iy]s+ap+e+a?r\b",
        r"\b(?:talk|talks|talked|talking|think|thinks|thinking|thought|thoughts) (?:about|"
        r"of) (?:ending it|ending (?:his|her|their|my) life|not being here|dying)",
        r"\b(?:nobody|no one|no-one|noone) would (?:miss|notice|care)\b",
        r"\b(?:stopped|stops|refus\w+ to|won'?t) eat(?:ing)?\b(?! (?:at school|"
        r"lunch|school dinners|in the canteen))",
        r"\bbang\w* (?:his|her|their|my) head\b[^.]*\b(?:bleed|blood|injur|until|bruis)",
    ],
    "abuse": [
        r"\babus(?:e|ed|ing|er|ive)\b(?!\s+(?:of (?:power|process|the system)|(?:our|my|the|their|your) "
        r"(?:patience|trust|position|power|goodwill|system|time)))",
        r"\b(?:hits|hit|hitting|beat|beats|beating|punch\w*|kick\w*|slap\w*|smack\w*|chok\w*|strangl\w*|"
        r"shak(?:e|es|ing|en)|burn(?:t|ed|s)?|grab\w*|drag\w*|pinch\w*|throttl\w*)\s+" + _P + r"\b"
        r"(?!\s+(?:up|out|off|with information))",
        r"\b(?:bruis\w*|black eye|broken (?:arm|wrist|bone|rib))",
        r"\b(?:touch|touched|touching|touches)\s+"
        + _P
        + r"\s+(?:inappropriately|in (?:a|the) wrong|down there|private)",
        r"\binappropriate(?:ly)? touch",
        r"\bsexual(?:ly)?\s+(?:abus|assault|touch|harass)",
        r"\b(?:rape|raped|molest\w*)",
        r"\b(?:domestic (?:abuse|violence)|violence at home|violent at home)",
        r"\b(?:scared|afraid|frightened|terrified|too scared) (?:to go|of going) home\b",
        r"\b(?:scared|afraid|frightened|terrified) of (?:his|her|their|my) (?:dad|father|mum|mother|"
        r"stepdad|step-dad|stepfather|stepmum|uncle|brother|partner|carer|mum's boyfriend|mum'?s partner)",
        r"\b(?:locked|shut) (?:him|her|them) in\b",
        r"\blocked in (?:his|her|their) (?:room|bedroom)",
        r"\b(?:dad|father|mum|mother|stepdad|step-dad|stepfather|uncle|boyfriend|partner|carer)\s+"
        r"(?:hurts|hits|beats|hurt|hit)\b",
        r"\bhurt(?:s|ing)? (?:him|her|them) (?:at home|when)",
        r"\bmarks on (?:his|her|their) (?:neck|face|body|back)",
        r"\bnot safe at home\b",
        r"\bunsafe at home\b",
        r"\b(?:doesn'?t|does not|don'?t) feel safe\b",
        r"\brestrain(?:ed|ing|t)\b.*\b(?:hurt|injur|bruis|floor|pinned)",
        r"\bpinned (?:him|her|them) (?:down|to)",
        r"\block(?:s|ed|ing)? (?:him|her|them|me) (?:in|up|out)\b",
        r"\bthrow\w* (?:stuff|things|\w+) at (?:me|him|her|them)\b",
        r"\b(?:dad|mum|father|mother|stepdad|step-dad|ex|boyfriend|partner|"
        r"uncle)\b[^.]{0,40}\b(?:drunk|high|off (?:his|her) face)\b",
        r"\bthreaten\w* to (?:take|snatch|hurt|harm) (?:the|my|"
        r"our|his|her) (?:kids|children|child|son|daughter|baby)",
        r"\b(?:don'?t|dont|doesn'?t|doesnt|do not|does not|never) want(?:s)? to go home\b",
        r"\btouch(?:es|ed|ing)? me\b",
        r"\b(?:someone|somebody|a man|an adult|he|she) (?:keeps )?touch(?:es|ed|ing)\b",
        r"\b(?:shouts|screams|yells) (?:at me|at him|at her)\b[^.]{0,40}\b(?:drunk|hits|hurts|scared)",
    ],
    "neglect": [
        r"\bneglect(?:ed|ing)?\b(?!\s+(?:by the (?:system|council|la|"
        r"local authority)|(?:his|her|their) (?:needs|education)))",
        r"\b(?:not|never|hasn'?t|haven'?t|isn'?t|wasn'?t)\s+(?:been\s+)?(?:fed|eaten (?:for|in) days)",
        r"\bno food (?:at home|in the house)",
        r"\b(?:always|constantly|often) hungry\b",
        r"\bhungry all the time\b",
        r"\bleft (?:alone|on (?:his|her|their) own) (?:at home|"
        r"for (?:hours|days|the weekend|the night)|overnight)",
        r"\b(?:nobody|no one|no-one) (?:is )?(?:looking after|feeding|caring for) (?:him|her|them)\b",
        r"\b(?:same|dirty|filthy) clothes (?:for|every) (?:days|day)",
        r"\bsleeping rough\b",
        r"\b(?:kicked|thrown) out of (?:home|the house)",
        r"\b(?:left|leaves|leave|leaving) (?:(?:him|her|them) )?(?:alone|on (?:his|her|their) own)\b"
        r"(?!\s+(?:to (?:get on|do|work|play|choose)|in (?:the|a) (?:quiet|calm|sensory)))",
        r"\b(?:taken off|taken away from) (?:me|us|her|him)\b",
        r"\btaken into care\b",
        r"\bcereal for (?:every|each|all) meals?\b",
        r"\bnothing to eat\b",
        r"\b(?:same|soiled|dirty) (?:pad|nappy|nappies)\b",
        r"\bsame pad all day\b",
    ],
    "going missing": [
        r"\b(?:he|she|they|i|son|daughter|child|boy|girl|kid|kids|children|he'?s|she'?s|they'?ve|has|have|had)\s+"
        r"(?:\w+\s+)?(?:gone|went|goes|going|go|been|was|is|reported)\s+missing\b"
        r"(?!\s+(?:from|out of) (?:lessons?|class(?:es)?|"
        r"the classroom|assembly|registration|school work|out))",
        r"\b(?:ran|run|runs|running|runned)\s+away\b(?!\s+from (?:the|a|an) (?!home|house|care|foster))",
        r"\b(?:didn'?t|did not|doesn'?t|does not|hasn'?t|has not|never) (?:come|came) (?:back )?home\b",
        r"\bout all night\b",
        r"\bmissing from (?:home|care)\b",
        r"\bdisappear(?:s|ed)? for (?:hours|days)\b",
        r"\bstay(?:s|ed|ing)? out (?:all night|until|till) ",
        r"\bpolice (?:found|brought) (?:him|her|them)",
    ],
    "exploitation": [
        r"\bexploit(?:ed|ation|ing)\b(?!.*\bopportunit)",
        r"\bcounty lines\b",
        r"\bgroom(?:ed|ing)\b",
        r"\b(?:older|adult|grown) (?:men|man|boys|lads|guys|friends|people|girls)\b.*\b(?:car|money|gifts?|"
        r"drugs?|drink|alcohol|phone|parties|party|trainers|clothes|picks? (?:him|her|them) up)",
        r"\b(?:carrying|selling|dealing|holding|moving) (?:drugs|weed|packages|parcels)",
        r"\b(?:new|expensive) (?:phone|trainers|clothes)\b.*\b(?:can'?t|"
        r"won'?t|doesn'?t|refuses to) (?:explain|say|tell)",
        r"\b(?:money|cash|gifts?)\b.*\b(?:won'?t|can'?t|doesn'?t|"
        r"refuses to) (?:say|tell|explain) (?:where|who)",
        r"\b(?:send|sent|sending|asked for|asking for)\s+(?:\w+\s)?(?:nudes|naked|intimate|explicit)\b",
        r"\b(?:man|men|someone|somebody|stranger|adult)\s+(?:\w+\s){0,3}online\b.*\b(?:meet|photos?|pictures|secret|talk)",
        r"\bsextort",
        r"\bchild sexual exploitation\b|\bCSE\b|\bCCE\b",
    ],
    "direct risk": [
        r"\b(?:child|he|she|they|my son|my daughter) (?:is|are) (?:in danger|at risk of (?:harm|abuse))",
        r"\bat risk of (?:harm|abuse|exploitation|significant harm)\b",
        r"\bsafeguarding (?:concern|issue|risk)",
        r"\bthreaten(?:ed|s|ing)? to (?:kill|hurt|stab|harm) (?:him|her|them|me|himself|herself|myself)",
        r"\b(?:knife|knives|weapon)\b.*\b(?:carr|threat|bring|took|takes)",
    ],
}
# Figures of speech people use about services, not children: never alert on these alone.
FIGURES_OF_SPEECH = [
    r"\b(?:killing|kill|killed) me\b",
    r"\bit'?s killing\b",
    r"\bdriving me (?:mad|crazy|insane)",
    r"\bcould (?:scream|cry|kill)",
    r"\bwant(?:ed)? to (?:scream|cry|tear my hair)",
    r"\bpulling my hair out",
    r"\bbanging (?:my|our) heads? against",
    r"\bhead against a brick wall",
]
# One alternation per risk: a single pass over the text instead of one per pattern.
_SAFEGUARDING = {
    reason: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE)
    for reason, pats in SAFEGUARDING_PATTERNS.items()
}
_FIGURES = [re.compile(p, re.IGNORECASE) for p in FIGURES_OF_SPEECH]
_NEGATED = re.compile(
    r"\b(?:no|not|never|without|any) (?:signs? of |concerns? (?:about|of) |history of )?$", re.IGNORECASE
)


@dataclass
class Safeguarding:
    """The screen's finding. `evidence` holds the phrases the patterns matched (taken from the
    original text: the caller redacts them before storing); `score`/`threshold` are the trained
    screen's; `raised_by` says which part raised the flag ("patterns", "model" or both)."""

    flagged: bool
    reasons: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    score: float | None = None
    threshold: float | None = None
    raised_by: list[str] = field(default_factory=list)
    model_terms: list[str] = field(default_factory=list)
    model_version: str = ""


def safeguarding_screen(text: str) -> Safeguarding:
    """Errs on the side of alerting: recall must be 1.0; a person reviews every alert."""
    cleaned = text
    for fig in _FIGURES:
        cleaned = fig.sub(" ", cleaned)
    reasons, evidence = [], []
    for reason, pattern in _SAFEGUARDING.items():
        for m in pattern.finditer(cleaned):
            before = cleaned[max(0, m.start() - 25) : m.start()]
            if _NEGATED.search(before) and reason not in ("self-harm or suicide",):
                continue  # "no signs of abuse"
            reasons.append(reason)
            evidence.append(m.group()[:80])
            break
    return Safeguarding(bool(reasons), reasons, evidence, raised_by=["patterns"] if reasons else [])


# --------------------------------------------------------------------------------------------
# With the trained screen (`feedback.learning.Models`, passed in: this module never loads it)
# --------------------------------------------------------------------------------------------

TRAINED_SCREEN = "trained screen"


def combine_screens(patterns: Safeguarding, models, vec) -> Safeguarding:
    """The patterns and the trained screen together: either can raise the alert (recall first:
    a person reviews every alert). Evidence keeps both: the matched phrases, and the model's
    score, threshold, version and the words that weighed most."""
    if models is None:
        return patterns
    score = models.safeguarding_score(vec)
    threshold = models.sg_threshold
    raised_by = list(patterns.raised_by)
    reasons = list(patterns.reasons)
    terms: list[str] = []
    if score >= threshold:
        raised_by.append("model")
        if not reasons:
            reasons.append(TRAINED_SCREEN)
        terms = models.top_terms(vec, models.sg_weights)
    return Safeguarding(
        flagged=bool(raised_by),
        reasons=reasons,
        evidence=list(patterns.evidence),
        score=round(score, 4),
        threshold=round(threshold, 4),
        raised_by=raised_by,
        model_terms=terms,
        model_version=models.version,
    )


def safeguarding_quick_screen(text: str, *, models=None) -> bool:
    """Whether `analyse()` would flag this text for safeguarding, cheaply enough to run while the
    person waits (the confirmation page shows crisis numbers when it does; the alert itself is
    raised by the full analysis after commit). The patterns on the original text, and the
    trained screen when its models are already loaded in this process (`models`); redaction and
    the rest of the pipeline are skipped. Errs towards True like the screen it stands for."""
    text = (text or "").replace("\x00", "")
    patterns = safeguarding_screen(text)
    if patterns.flagged or models is None:
        return patterns.flagged
    return combine_screens(patterns, models, models.vectorise(text)).flagged
