"""Objective suggestions from the plan's own wording, for any plan.

The cue lists in `feedback/data/objective_cues.json` are keyed to one plan's codes (Oxfordshire's
PAP-2024). Another area's plan, loaded from its own file, has other codes and other wording, so
suggestions must also come from what the objectives say: this module compares a feedback text
with each objective's title, impact, sub-theme and priority-area title (TF-IDF over stemmed
words, cosine similarity), and with the feedback staff have confirmed for each objective
(the centroid of those items). Parents and plans use different words for the same thing ("our
caseworker never rings back" / "named workers … the conduit between families and services"),
so both sides are also mapped onto a small SEND vocabulary written for any English local area
(`SEND_VOCABULARY`); it names topics, never objective codes.

Pure and offline (no database, no TextBlob): callers pass `ObjectiveText` rows, built by
`feedback.selectors.analysis_context()` from the current plan, or from a plan file for training.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Topics that feedback and improvement plans both talk about, each with the words people and
# plans use for it. Matched on word stems, so "waiting"/"waited"/"wait" are one phrase.
SEND_VOCABULARY: dict[str, list[str]] = {
    "timeliness": [
        "wait",
        "waiting",
        "waited",
        "weeks",
        "months",
        "delay",
        "delays",
        "delayed",
        "late",
        "overdue",
        "deadline",
        "timescale",
        "timescales",
        "timeframe",
        "timeframes",
        "timely",
        "timeliness",
        "on time",
        "backlog",
        "still no",
        "still waiting",
        "chase",
        "chasing",
        "chased",
        "20 weeks",
    ],
    "ehc process": [
        "ehcp",
        "ehcps",
        "ehc plan",
        "ehc plans",
        "ehcna",
        "ehc needs assessment",
        "needs assessment",
        "statutory assessment",
        "statutory",
        "education health and care",
        "annual review",
        "annual reviews",
        "draft plan",
        "final plan",
        "amendment",
        "amendments",
        "tribunal",
    ],
    "agency advice": [
        "advice",
        "report",
        "reports",
        "educational psychologist",
        "psychologist",
        "ep report",
        "contribution",
        "contributions",
        "agencies",
        "paediatrician",
        "health advice",
        "social care advice",
        "appendix",
        "appendices",
    ],
    "named worker": [
        "named worker",
        "named workers",
        "caseworker",
        "case worker",
        "case officer",
        "key worker",
        "keyworker",
        "sen officer",
        "send officer",
        "lead professional",
        "point of contact",
        "who to contact",
        "one person",
        "conduit",
        "single contact",
    ],
    "communication": [
        "reply",
        "replied",
        "replies",
        "respond",
        "responded",
        "response",
        "email",
        "emails",
        "call back",
        "rang",
        "ring back",
        "phone call",
        "told",
        "update",
        "updates",
        "informed",
        "inform",
        "communicate",
        "communication",
        "communications",
        "kept in the dark",
        "no idea",
        "information sharing",
        "share information",
    ],
    "progress tracking": [
        "what stage",
        "which stage",
        "where it is",
        "where we are",
        "progress",
        "tracker",
        "tracking",
        "track",
        "status",
        "portal",
        "what happens next",
        "decision making",
    ],
    "information access": [
        "local offer",
        "website",
        "information",
        "find out",
        "finding",
        "leaflet",
        "signpost",
        "signposting",
        "directory",
        "easy read",
        "accessible",
        "what is available",
        "what support",
        "contact details",
        "listed",
    ],
    "voice": [
        "listened",
        "listen",
        "listening",
        "heard",
        "views",
        "view",
        "voice",
        "voices",
        "opinion",
        "co-production",
        "coproduction",
        "co-produce",
        "co-produced",
        "coproduced",
        "consulted",
        "involved",
        "feedback",
        "survey",
        "asked us",
        "have a say",
        "lived experience",
        "asks parents",
        "ask parents",
        "asked parents",
        "what we think",
        "what parents think",
        "our say",
        "our opinion",
        "panel",
        "forum",
    ],
    "mental health": [
        "camhs",
        "mental health",
        "anxiety",
        "anxious",
        "depressed",
        "depression",
        "self-harm",
        "self harm",
        "emotional wellbeing",
        "wellbeing",
        "eating disorder",
        "suicidal",
        "counselling",
        "thrive",
        "crisis",
    ],
    "health services": [
        "waiting list",
        "waiting lists",
        "referral",
        "referred",
        "appointment",
        "therapy",
        "speech and language",
        "salt",
        "occupational therapy",
        "physio",
        "physiotherapy",
        "diagnosis",
        "neurodevelopmental",
        "autism assessment",
        "adhd assessment",
        "health",
        "clinic",
        "nhs",
        "gp",
    ],
    "inclusion": [
        "exclusion",
        "exclusions",
        "excluded",
        "exclude",
        "suspended",
        "suspension",
        "suspensions",
        "part-time timetable",
        "part time timetable",
        "reduced timetable",
        "sent home",
        "mainstream",
        "inclusion",
        "inclusive",
        "graduated response",
        "sen support",
        "reasonable adjustments",
        "behaviour",
        "isolation",
        "off-rolled",
        "off rolled",
        "school refusal",
        "attendance",
    ],
    "places and provision": [
        "place",
        "places",
        "special school",
        "specialist provision",
        "specialist school",
        "resource base",
        "resourced provision",
        "alternative provision",
        "out of school",
        "out of county",
        "sufficiency",
        "capacity",
        "placement",
        "placements",
        "independent school",
        "no school",
        "school place",
        "setting",
    ],
    "transition": [
        "transition",
        "transitions",
        "moving up",
        "secondary",
        "year 6",
        "year 11",
        "post-16",
        "post 16",
        "college",
        "adulthood",
        "preparing for adulthood",
        "adult services",
        "sixth form",
        "starting school",
        "early years",
        "move to",
        "next stage",
    ],
    "training": [
        "training",
        "trained",
        "untrained",
        "train",
        "knowledge",
        "cpd",
        "skills",
        "awareness",
        "understand autism",
        "understanding",
        "professional development",
        "workforce",
    ],
    "commissioning": [
        "short breaks",
        "short break",
        "respite",
        "commissioning",
        "commissioned",
        "commission",
        "provider",
        "providers",
        "funding",
        "funded",
        "budget",
        "cuts",
        "direct payments",
        "personal budget",
        "personal assistant",
        "services",
        "service",
        "clubs",
        "club",
        "holiday activities",
        "activities",
        "youth club",
        "summer holidays",
    ],
    "plan quality": [
        "copied",
        "copy and paste",
        "inaccurate",
        "accurate",
        "vague",
        "generic",
        "quality",
        "specific",
        "quantified",
        "outcomes",
        "section f",
        "section b",
        "reflect",
        "audit",
        "audits",
        "wrong name",
        "not specific",
    ],
    "early help": [
        "early help",
        "early intervention",
        "early support",
        "before crisis",
        "family support",
        "parenting",
        "prevention",
        "sooner",
        "earlier",
        "early identification",
        "identified early",
    ],
    "leadership": [
        "leaders",
        "leadership",
        "governance",
        "accountable",
        "accountability",
        "board",
        "director",
        "who is responsible",
        "strategy",
        "strategic",
        "transparent",
        "transparency",
    ],
    "complex needs and crisis": [
        "learning disability",
        "learning disabilities",
        "hospital",
        "admission",
        "inpatient",
        "placement breakdown",
        "residential",
        "cetr",
        "dynamic support",
        "family breakdown",
        "breaking down",
        "at risk",
        "crisis",
        "restraint",
        "complex needs",
    ],
    "joined-up working": [
        "joined up",
        "joined-up",
        "pillar to post",
        "tell our story",
        "repeat",
        "repeating",
        "passed around",
        "passed between",
        "between services",
        "talk to each other",
        "link up",
        "multi-agency",
        "multi agency",
        "together",
        "partnership",
        "coordinated",
        "coordination",
    ],
    "quality assurance": [
        "monitoring",
        "monitor",
        "quality assurance",
        "standards",
        "ofsted",
        "inspection",
        "checked",
        "oversight",
        "review of providers",
    ],
}

# Words that say nothing about which objective a text is about (plans repeat them everywhere).
STOP_WORDS = frozenset(
    """
a about above after again all also am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has
have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own
same she should so some such than that the their theirs them themselves then there these they
this those through to too under until up very was we were what when where which while who whom
why will with would you your yours yourself yourselves us get got go going gone went said say
one two three also still even really just much many lot lots thing things way make made
january february march april may june july august september october november december
ensure ensured embed embedded develop developed implement implemented establish established
identify identified improve improved improvement place agreed approach system systems process
processes local area partnership partners children child young people person persons parents
parent carers carer families family send sen support supported need needs service services
""".split()
)
CONCEPT_WEIGHT = 1.5
FIELD_WEIGHTS = {"title": 1.0, "impact": 0.8, "sub_theme": 0.7, "area": 0.5}
_WORD_RE = re.compile(r"[a-z][a-z'-]*[a-z]|[a-z0-9]+")


@dataclass(frozen=True)
class ObjectiveText:
    """One objective's own words: what the plan says it is and what it will change."""

    code: str
    title: str
    impact: str = ""
    sub_theme: str = ""
    area: str = ""


@functools.cache
def _stemmer():
    # NLTK's Porter stemmer is pure code: it needs no downloaded data.
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    return _stemmer().stem(word.strip("'-"))


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("’", "'"))


@functools.cache
def _vocabulary_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First stem → [(phrase stems, topic)], longest phrases first."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for topic, phrases in SEND_VOCABULARY.items():
        for phrase in phrases:
            stems = tuple(stem(w) for w in _words(phrase))
            if stems:
                index[stems[0]].append((stems, topic))
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


@functools.lru_cache(maxsize=100_000)
def _content_stem(word: str) -> str | None:
    """The stem of a word that says something, None for a stop word, a digit or a letter."""
    if word in STOP_WORDS or len(word) < 2 or word.isdigit():
        return None
    s = stem(word)
    return None if s in STOP_WORDS else s


def bag(text: str) -> tuple[dict[str, float], dict[str, str]]:
    """Term counts of a text: content-word stems plus "§topic" terms for every SEND_VOCABULARY
    topic it mentions. Also returns stem → the first word it came from (for showing cues)."""
    words = _words(text)
    stems = [stem(w) for w in words]
    counts: dict[str, float] = {}
    surface: dict[str, str] = {}
    for word in words:
        s = _content_stem(word)
        if s is not None:
            counts[s] = counts.get(s, 0.0) + 1.0
            if s not in surface:
                surface[s] = word
    index = _vocabulary_index()
    topics: set[str] = set()
    for i, s in enumerate(stems):
        entries = index.get(s)
        if not entries:
            continue
        for phrase, topic in entries:
            if topic not in topics and (len(phrase) == 1 or tuple(stems[i : i + len(phrase)]) == phrase):
                topics.add(topic)
                surface.setdefault("§" + topic, topic)
                break
    for topic in topics:
        counts["§" + topic] = counts.get("§" + topic, 0.0) + CONCEPT_WEIGHT
    return counts, surface


def _normalise(vec: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {t: v / norm for t, v in vec.items()} if norm else {}


class ObjectiveMatcher:
    """Scores a text against every objective of one plan: `similarity` to the objective's own
    words, and `nearest` to the feedback staff confirmed for it (centroid). Build once per plan
    (the analysis context does), then call `scores(text)` per item."""

    def __init__(self, objectives: list[ObjectiveText], examples: list[tuple[str, str]] = ()):
        self.codes = [o.code for o in objectives]
        known = set(self.codes)
        docs: dict[str, dict[str, float]] = {}
        for o in objectives:
            doc: dict[str, float] = defaultdict(float)
            for name, weight in FIELD_WEIGHTS.items():
                counts, _ = bag(getattr(o, name) or "")
                for term, n in counts.items():
                    doc[term] += weight * (1 + math.log(n)) if n >= 1 else weight * n
            docs[o.code] = dict(doc)
        example_bags = [(code, bag(text)[0]) for code, text in examples if code in known and text.strip()]
        # Document frequency over the plan's objectives (and confirmed items), so words every
        # objective uses ("timely", "support") count for little and distinctive ones for much.
        df: dict[str, int] = defaultdict(int)
        for doc in docs.values():
            for term in doc:
                df[term] += 1
        for _, counts in example_bags:
            for term in counts:
                df[term] += 1
        n_docs = len(docs) + len(example_bags)
        self.idf = {t: math.log((1 + n_docs) / (1 + d)) + 1 for t, d in df.items()}
        self.vectors = {
            code: _normalise({t: w * self.idf[t] for t, w in doc.items()}) for code, doc in docs.items()
        }
        sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for code, counts in example_bags:
            vec = self._vector(counts)
            for t, w in vec.items():
                sums[code][t] += w
        self.centroids = {code: _normalise(dict(vec)) for code, vec in sums.items()}
        self.example_counts = {code: sum(1 for c, _ in example_bags if c == code) for code in self.centroids}
        # Inverted indexes: term → [(code, weight)], so scoring touches only shared terms.
        self._by_term: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, vec in self.vectors.items():
            for t, w in vec.items():
                self._by_term[t].append((code, w))
        self._by_term_nn: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, vec in self.centroids.items():
            for t, w in vec.items():
                self._by_term_nn[t].append((code, w))

    def _vector(self, counts: dict[str, float]) -> dict[str, float]:
        top = max(self.idf.values(), default=1.0)
        # A word no objective (or confirmed item) uses gets the highest weight: it is rare.
        return _normalise(
            {t: (1 + math.log(n) if n >= 1 else n) * self.idf.get(t, top) for t, n in counts.items()}
        )

    def scores(self, text: str) -> tuple[dict[str, float], dict[str, float], dict[str, list[str]]]:
        """(similarity per code, nearness to confirmed feedback per code, shared words for the
        closest codes)."""
        counts, surface = bag(text)
        vec = self._vector(counts)
        sim: dict[str, float] = {}
        for t, w in vec.items():
            for code, ow in self._by_term.get(t, ()):
                sim[code] = sim.get(code, 0.0) + w * ow
        nn: dict[str, float] = {}
        if self._by_term_nn:
            for t, w in vec.items():
                for code, cw in self._by_term_nn.get(t, ()):
                    nn[code] = nn.get(code, 0.0) + w * cw
        words = {}
        for code in sorted(sim, key=lambda c: -sim[c])[:6]:
            doc = self.vectors[code]
            shared = sorted(
                ((w * doc[t], surface.get(t, t)) for t, w in vec.items() if t in doc),
                key=lambda p: (-p[0], p[1]),
            )
            words[code] = [word for _, word in shared[:4]]
        return sim, nn, words


def objectives_from_plan_file(path: Path, plan_code: str | None = None) -> list[ObjectiveText]:
    """The objectives of one plan in a plans.json-format file (the first plan by default), as
    `ObjectiveText` rows: for training and tests, where there is no database."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    plans = data["plans"]
    plan = next((p for p in plans if p["code"] == plan_code), plans[0]) if plan_code else plans[0]
    out = []
    for area in plan["priority_areas"]:
        subs = {s["code"]: s["title"] for s in area.get("sub_themes", [])}
        for o in area.get("objectives", []):
            out.append(
                ObjectiveText(
                    code=o["code"],
                    title=o["title"],
                    impact=o.get("impact", "") or "",
                    sub_theme=subs.get(o.get("sub_theme") or "", ""),
                    area=area["title"],
                )
            )
    return out
