"""Sentiment: TextBlob's pattern analyser (its lexicon ships in the wheel) plus domain cues,
or the trained sentiment model when there is one."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

NEGATIVE_CUES = [
    r"\bstill (?:no|not|waiting|haven'?t|hasn'?t|nothing)\b",
    r"\b\d+\s+(?:weeks|months|years)\b.*\b(?:still|no|wait|late|without)",
    r"\b(?:waiting|waited|wait)\b.*\b(?:weeks|months|years|ages|forever)\b",
    r"\bno (?:plan|reply|response|answer|support|help|one|contact|"
    r"communication|update|provision|school place|place)\b",
    r"\b(?:never|nobody|no one|no-one)\b",
    r"\b(?:chase|chasing|chased)\b",
    r"\bignored\b",
    r"\b(?:fight|fighting|battle|battling|struggle|struggling|struggled)\b",
    r"\b(?:exhausted|exhausting|overwhelmed|frustrat\w*|"
    r"let down|failed|failing|fobbed off|lost|broken|worse)\b",
    r"\b(?:excluded|exclusion|out of school|not in school|refused|refusal|rejected|turned down)\b",
    r"\b(?:late|overdue|delay|delayed|delays|missed|deadline)\b",
    r"\b(?:hard|difficult|impossible|confusing|stress\w*|anxious|anxiety|upset|distress\w*)\b",
    r"\b(?:doesn'?t|don'?t|didn'?t|isn'?t|wasn'?t|can'?t|cannot|won'?t|haven'?t|"
    r"hasn'?t) (?:work|help|listen|respond|reply|get|know|understand|meet|care|happen|seem)",
    r"\bnot (?:good enough|listened|heard|happy|met|being met|followed|acceptable|fit for purpose)\b",
    r"\b(?:lack of|cut|cuts|scrapped|cancelled|postponed|no-show)\b",
    r"\b(?:disgrace|shocking|appalling|awful|terrible|useless|joke|nightmare|horrendous)\b",
    r"\bkilling me\b",
    r"\bnever (?:heard|got|received)\b",
    r"\b(?:torture|death of me|dying to hear|the end of me|at breaking point|on our knees|in the dark)\b",
    r"\b(?:concern|concerns|concerned|worried|worry|worrying|scared|frightened|terrified)\b",
    r"\b(?:backlog|full|not eligible|ineligible|can'?t meet (?:his|her|their)? ?needs?|"
    r"wrong|mistake|error)\b",
    r"\b(?:suspension|suspensions|suspended|sent home|send (?:him|her|them) home|part-time timetable)\b",
    r"\b(?:again|for ages|every time|each time|twice|three times|four times|\d+ times)\b",
    r"\b(?:pillar to post|passed (?:from|around)|fobbed|shouldn'?t have to|why should|how (?:can|is) that)\b",
    r"\b(?:don'?t|dont|do not) (?:like|want|know (?:who|what|where|why))\b",
    r"\bnot (?:issued|received|delivered|eligible|updated|known|available|sure who)\b",
    r"\b(?:missing|unexplained|lost|losing)\b",
]
POSITIVE_CUES = [
    r"\bthank(?:s| you)\b",
    r"\b(?:brilliant|fantastic|amazing|excellent|wonderful|great|lovely|outstanding|superb)\b",
    r"\b(?:helpful|supportive|kind|caring|patient|responsive|approachable)\b",
    r"\b(?:listened|understood|valued|heard|included)\b",
    r"\b(?:made a (?:real |huge |big )?difference|life[- ]changing|"
    r"so much better|much better|really good|really helped)\b",
    r"\b(?:grateful|happy|pleased|delighted|relieved|thrilled)\b",
    r"\b(?:finally|at last) (?:got|have|received|has)\b",
    r"\b(?:on time|within (?:the )?\d+ weeks|quickly|promptly|straight away)\b",
    r"\b(?:improv\w*|progress|thriving|settled|enjoys?|loves?)\b",
    r"\b(?:game[- ]changer|positive|encouraging|reassur\w*|explained|plain english|easy to)\b",
    r"\b(?:rang|called|got back to) (?:me|us) (?:back )?(?:within|the same|straight)",
    r"\b(?:reduction in|fewer) (?:suspensions|exclusions|waits?|delays?)\b",
    r"\b(?:i like|we like|i liked|we liked|works? (?:really )?well|worked (?:really )?well|keep it)\b",
]
# Politeness and sign-offs that TextBlob reads as praise ("Best number is…", "Thanks").
POLITENESS_RE = re.compile(
    r"\b(?:best (?:number|time|way|email)|many thanks|thanks in advance|kind regards|"
    r"best wishes|thank you in advance)\b",
    re.IGNORECASE,
)
_NEG = [re.compile(p, re.IGNORECASE) for p in NEGATIVE_CUES]
_POS = [re.compile(p, re.IGNORECASE) for p in POSITIVE_CUES]


@dataclass
class SentimentResult:
    polarity: float
    subjectivity: float
    label: str
    textblob_polarity: float
    probabilities: dict[str, float] = field(default_factory=dict)


def sentiment_label(polarity: float) -> str:
    if polarity <= -0.1:
        return "negative"
    if polarity >= 0.1:
        return "positive"
    return "neutral"


class SentimentAnalyser:
    """TextBlob's pattern analyser (built once) plus domain cues it misses. With trained models
    (`feedback.learning`), TextBlob's polarity and the cue counts are features beside the
    n-grams and the model decides the label; without, the rule below does."""

    def __init__(self):
        from textblob.en.sentiments import PatternAnalyzer

        self._analyser = PatternAnalyzer()

    def raw(self, text: str):
        return self._analyser.analyze(text)

    def _textblob(self, text: str):
        """(raw result, polarity with sign-offs removed): "Best number is…" is not praise."""
        raw = self._analyser.analyze(text)
        plain = POLITENESS_RE.sub(" ", text)
        base = self._analyser.analyze(plain).polarity if plain != text else raw.polarity
        return raw, base

    def rule_polarity(self, text: str, base: float | None = None) -> float:
        """The hand-written rule: TextBlob misses the obvious in this domain ("40 weeks and still
        no plan" scores 0), so the domain cues weigh more than its lexicon."""
        if base is None:
            base = self._textblob(text)[1]
        neg = sum(1 for p in _NEG if p.search(text))
        pos = sum(1 for p in _POS if p.search(text))
        return max(-1.0, min(1.0, 0.5 * base + 0.25 * pos - 0.25 * neg))

    def features(self, text: str, *, at_risk: bool = False, _parts=None) -> list[float]:
        """What the trained sentiment model reads besides the n-grams (`feedback.learning`):
        TextBlob's polarity and subjectivity, and the safeguarding flag. The domain cue counts
        were dropped as features: with the n-grams they added nothing in cross-validation and
        cost more time than the rest of the sentiment step."""
        raw, base = _parts or self._textblob(text)
        return [base, raw.subjectivity, float(at_risk)]

    def analyse(self, text: str, *, at_risk: bool = False, models=None, vec=None) -> SentimentResult:
        raw, base = self._textblob(text)
        probabilities: dict[str, float] = {}
        if models is not None:
            extras = self.features(text, at_risk=at_risk, _parts=(raw, base))
            vec = vec if vec is not None else models.vectorise(text)
            label, probabilities = models.sentiment(vec, extras)
            polarity = probabilities["positive"] - probabilities["negative"]
        else:
            polarity = self.rule_polarity(text, base)
            label = sentiment_label(polarity)
        if at_risk:
            polarity = min(polarity, -0.5)  # a child at risk is never good news
            label = "negative"
        polarity = max(-1.0, min(1.0, polarity))
        return SentimentResult(
            round(polarity, 4),
            round(raw.subjectivity, 4),
            label,
            raw.polarity,
            {k: round(v, 4) for k, v in probabilities.items()},
        )


@functools.cache
def sentiment_analyser() -> SentimentAnalyser:
    """One analyser per process: building TextBlob's lexicon is the slow part."""
    return SentimentAnalyser()
