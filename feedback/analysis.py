"""All text analysis for feedback, in one module: redaction, safeguarding screen, sentiment,
themes, key phrases, objective suggestions, spam/empty detection.

This is the only module that imports TextBlob (house rule), so the analyser can be swapped or
upgraded in one place. It is pure: no database access. Callers pass an `AnalysisContext`
(schools, themes, objective cue profiles, the current plan's objective texts and confirmed
tags, the trained models) built by `feedback.selectors.analysis_context()`.

Since issue 14 the hand-written rules work beside trained models (`feedback.learning`): the
safeguarding patterns OR a trained screen raise an alert, with the evidence of both; sentiment
is a trained model reading TextBlob's polarity among its features; objective suggestions add
the plan's own wording (`feedback.objective_text`), confirmed tags and per-objective models to
the cue lists. Text not in English (lingua-language-detector, models in its wheel) is withheld
and marked for translation instead of being analysed as English.

Everything here works offline. TextBlob features that need NLTK data (`.words`, `.sentences`,
default `.noun_phrases`, `.tags`) are never used: sentiment comes from the pattern analyser whose
lexicon ships in the wheel, noun phrases from the chunks `textblob.en.parse` returns, and first
names from the gazetteer the `gender-guesser` package ships.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .objective_text import ObjectiveMatcher, ObjectiveText

DATA = Path(__file__).resolve().parent / "data"
ANALYSIS_VERSION = 2

# --------------------------------------------------------------------------------------------
# Loading the shipped data files (once per process)
# --------------------------------------------------------------------------------------------


def load_school_file() -> list[tuple[str, str]]:
    """(name, locality) pairs from feedback/data/schools.txt ("Name | locality" per line)."""
    rows = []
    for line in (DATA / "schools.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, locality = line.partition("|")
        rows.append((name.strip(), locality.strip().lower()))
    return rows


def load_theme_file() -> list[dict]:
    return json.loads((DATA / "themes.json").read_text(encoding="utf-8"))


def load_objective_cues() -> dict[str, list[str]]:
    return json.loads((DATA / "objective_cues.json").read_text(encoding="utf-8"))


@functools.cache
def _word_frequency() -> dict[str, int]:
    """Word counts from TextBlob's own spelling list: a word common in English books is an
    ambiguous first name ("Mark", "Grace") when it starts a sentence."""
    import textblob.en

    freq: dict[str, int] = {}
    path = Path(textblob.en.__file__).parent / "en-spelling.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(";;;"):
            continue
        word, _, count = line.partition(" ")
        if count.strip().isdigit():
            freq[word] = int(count)
    return freq


@functools.cache
def _first_names() -> frozenset[str]:
    """Lower-cased first names used in the UK and its communities, from gender-guesser's
    dictionary (frequency columns: Great Britain, Ireland, USA, India, Pakistan, Poland, …)."""
    import gender_guesser

    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    names: set[str] = set()
    for line in path.read_text(encoding="iso-8859-1").splitlines():
        if line[:1] in "#=" or len(line) < 31:
            continue
        name = line[3:29].strip()
        if not name or " " in name or "+" in name or not name.isascii():
            continue
        freqs = line[30:-1]
        # Any country where the name is used: gender-guesser lists only real, attested names.
        if any(ch.strip() for ch in freqs):
            names.add(name.lower())
    extra = DATA / "first_names_extra.txt"
    if extra.exists():
        names.update(w.strip().lower() for w in extra.read_text(encoding="utf-8").split() if w.strip())
    return frozenset(names - NOT_NAMES)


# Capitalised words that gender-guesser lists as names but that, in this county's feedback, are
# almost always something else: months, days, BRAG colours, places, services, roles.
NOT_NAMES = frozenset(
    """
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday christmas easter
red amber green blue grey gray white black brown gold
oxford oxfordshire banbury bicester witney abingdon didcot wantage henley thame carterton wallingford
kidlington chipping norton cowley headington blackbird leys botley summertown kennington
england britain london reading swindon milton keynes wales scotland ireland
send sen senco ehcp ehc camhs nhs ofsted council school college academy year section key stage
dear thanks thank hello hi mum dad mummy daddy nan nana grandma grandad sir madam miss
local offer early help autism adhd speech language therapy therapist worker team
god allah jesus christian muslim
ok okay yes no not all any each every some many much more most other such only own same
so than too very can will just should now also back even still well way
""".split()
)

TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Cllr|Councillor)\.?"
RELATIONS = (
    r"(?:son|daughter|child|kid|boy|girl|grandson|granddaughter|grandchild|nephew|niece|brother|"
    r"sister|stepson|stepdaughter|twins?|husband|wife|partner|friend|foster (?:son|daughter|child)|"
    r"social worker|caseworker|case worker|case officer|named worker|key worker|keyworker|senco|SENCO|"
    r"teacher|TA|paediatrician|therapist|headteacher|head teacher|manager|officer|advisor|adviser|"
    r"coordinator|co-ordinator|practitioner|nurse|doctor|consultant|psychologist)"
)
NAME_TOKEN = r"(?:O'|Mc|Mac)?[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?"  # noqa: S105 - a regex, not a password
# Words that end a surname run: months, days, places and services are capitalised too.
SURNAME_STOP = frozenset(
    """
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
oxford oxfordshire banbury bicester witney abingdon didcot wantage henley thame carterton wallingford
kidlington send sen senco ehcp camhs nhs ofsted council school i year section
""".split()
)
ORG_WORDS = frozenset(
    "school academy college council nhs trust service services team centre center hospital "
    "clinic surgery unit forum board primary secondary infant junior nursery road street lane "
    "avenue close drive way county university partnership house church".split()
)


# --------------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    value: str


PLACEHOLDERS = {
    "name": "[name]",
    "email": "[email]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "address": "[address]",
    "nhs_number": "[NHS number]",
    "date_of_birth": "[date of birth]",
    "pupil_number": "[pupil number]",
    "school": "[school]",
}

EMAIL_RE = re.compile(
    r"[A-Za-z0-9._%+'-]+\s?(?:@|\(at\)|\[at\])\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# UK phone numbers: 0 or +44/0044 then 9–10 more digits, with spaces, dashes, dots or brackets.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d[\d\s().-]{7,14}\d(?![\d])(?:\s?(?:ext\.?|x)\s?\d{1,5})?"
)
NHS_RE = re.compile(r"(?<![\w/])(?:\d{3}[ -]\d{3}[ -]\d{4}|\d{10})(?![\w/])")
NHS_CUE = re.compile(r"\bNHS\b|\bnhs no|\bNHS number", re.IGNORECASE)
POSTCODE_RE = re.compile(
    r"\b(?:GIR\s?0AA|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRVWXY\d]?)\s?\d[ABD-HJLNP-UW-Z]{2})\b",
    re.IGNORECASE,
)
# Oxfordshire outward codes alone ("we live in OX16") still narrow a family down.
OUTWARD_RE = re.compile(r"\b(?:OX|RG|SN|GL|CV|MK|NN|HP)\d{1,2}\b(?!\s?\d[A-Z]{2})")
UPN_RE = re.compile(r"\b[A-HJ-NP-TV-Z]\d{11}[0-9A-HJ-NP-TV-Z]\b")
MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DATE_RE = re.compile(
    r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+\d{{4}}"
    rf"|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2})\b",
    re.IGNORECASE,
)
DOB_CUE = re.compile(r"\b(?:born|d\.?o\.?b\.?|date of birth|birthday|birth date|bday)\b", re.IGNORECASE)
STREET_TYPES = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Dr|Way|Crescent|Cres|Place|Pl|"
    r"Gardens|Gdns|Court|Ct|Terrace|Grove|Hill|Rise|View|Walk|Row|Square|Sq|Mews|Park|"
    r"Green|Meadow|Meadows|Fields|Parade|Gate|End)"
)
ADDRESS_RE = re.compile(
    r"\b(?:(?:Flat|Apartment|Apt|Unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    rf"(?:[A-Z][a-z'-]+\s+){{1,3}}{STREET_TYPES}\b"
)
LIVE_ON_RE = re.compile(
    rf"\b(?:live|lives|living|moved|move)\s+(?:on|at|to|in)\s+((?:[A-Z][a-z'-]+\s+){{1,3}}{STREET_TYPES})\b"
)
SCHOOL_GENERIC_RE = re.compile(
    r"\b((?:St\.?\s|Saint\s)?(?:[A-Z][A-Za-z'’.-]+\s){1,5}"
    r"(?:(?:C\.?\s?of\s?E\.?|CE|C of E|RC|Catholic|Church of England|Community|County|Primary|"
    r"Secondary|Infant|Infants|Junior|Special|Grammar|High|Free|Studio|Nursery|Middle|Upper|Lower|"
    r"Church|Methodist|Baptist|Independent|Preparatory|Prep)\s)*"
    r"(?:School|Academy|College|Infants|Nursery|Primary|Pre-school|Preschool|High))\b"
)
SCHOOL_SUFFIX_RE = re.compile(
    r"\s+(?:(?:C\.? ?of ?E\.?|CE|RC|Catholic|Church of England|Community|Primary|Secondary|Infant|Junior|"
    r"Special)\s+)*(?:School|Academy|College|Primary School|Infant School)$",
    re.IGNORECASE,
)
SCHOOL_LEAD_STOP = frozenset(
    "the a an my our his her their your this that every each any some no special mainstream local "
    "new old primary secondary independent private state grammar free send sen resourced base "
    "oxfordshire oxford county council at in to from for of and but or with by on i we he she they it "
    "year key stage further higher post sixth".split()
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Redaction:
    text: str
    spans: list[Span]

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for span in self.spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
        return counts


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _nhs_checksum_ok(digits: str) -> bool:
    if len(digits) != 10:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


# Compiled once: these run for every word of every text.
_SURNAME_RE = re.compile(r"\s(" + NAME_TOKEN + r")\b")
_TITLE_NAME_RE = re.compile(TITLES + r"\s+((?:[A-Z]\.?\s?)*" + NAME_TOKEN + r")")
_RELATION_RE = re.compile(
    r"\b(?:my|our|his|her|their|the|a|your)\s+(?:\w+\s+)?"
    + RELATIONS
    + r"(?:'s)?,?\s+(?:(?:is|was)\s+(?:called|named)\s+)?([A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)?)\b",
    re.IGNORECASE,
)
_INTRO_RE = re.compile(
    r"\b(?:called|named|name is|name's|names|I'm|I am|"
    r"im|i'm|this is|known as|[Ss]igned|[Ff]rom|for|to|"
    r"dad to|mum to|patient|pupil|student|child is|child:)"
    r"\s+([A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)?)\b",
    re.IGNORECASE,
)
_NAME_SHAPE_RE = re.compile(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)?|[a-z]+(?:-[a-z]+)?")
_WORD_OR_NAME_RE = re.compile(r"\b(" + NAME_TOKEN + r"|[a-z]+)\b")
_DIGIT_NEXT_RE = re.compile(r"\s?\d")
_NAME_PARTS_RE = re.compile(r"[-']")


class Redactor:
    """Finds personal data in text. Build once with the school list, reuse for every text."""

    def __init__(self, school_names: list[str] | None = None):
        self.first_names = _first_names()
        self.freq = _word_frequency()
        variants = set()
        for n in school_names or []:
            n = _squash(n)
            variants.add(n)
            # "St Gregory the Great" for "St Gregory the Great Catholic School": people drop the suffix.
            short = SCHOOL_SUFFIX_RE.sub("", n).strip()
            # Only saints' names: "Chipping Norton" alone is a town, "St Birinus" is the school.
            if (
                short != n
                and len(short.split()) >= 2
                and re.match(r"(?:St\.?|Saint|Blessed|Our Lady)\s", short)
            ):
                variants.add(short)
        names = sorted((v for v in variants if len(v) > 3), key=len, reverse=True)
        self.school_re = None
        if names:
            alternatives = []
            for name in names:
                # "St Mary's" / "St. Mary's" / "Saint Mary's"; curly or missing apostrophes.
                saint = re.match(r"^(?:St\.?|Saint)\s+", name)
                body = name[saint.end() :] if saint else name
                escaped = re.escape(body).replace(r"\ ", r"\s+").replace("'", "['’]?")
                if saint:
                    escaped = r"(?:St\.?|Saint)\s+" + escaped
                alternatives.append(escaped)
            self.school_re = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)

    # -- detectors ------------------------------------------------------------------------
    def find(self, text: str) -> list[Span]:
        spans: list[Span] = []

        def add(kind, start, end):
            # Trim trailing punctuation/space from a match.
            while end > start and text[end - 1] in " ,.;:)":
                end -= 1
            while start < end and text[start] in " ,(":
                start += 1
            if end > start:
                spans.append(Span(kind, start, end, text[start:end]))

        for m in EMAIL_RE.finditer(text):
            add("email", m.start(), m.end())
        for m in UPN_RE.finditer(text):
            add("pupil_number", m.start(), m.end())
        for m in NHS_RE.finditer(text):
            digits = _digits(m.group())
            if digits.startswith("0"):
                continue  # a phone number
            window = text[max(0, m.start() - 40) : m.start()]
            if " " in m.group() or "-" in m.group() or NHS_CUE.search(window) or _nhs_checksum_ok(digits):
                add("nhs_number", m.start(), m.end())
        for m in PHONE_RE.finditer(text):
            digits = _digits(m.group().split("x")[0].split("ext")[0])
            if digits.startswith("44"):
                digits = "0" + digits[2:].lstrip("0")
            if digits.startswith("0044"):
                digits = "0" + digits[4:]
            if 10 <= len(digits) <= 11:
                add("phone", m.start(), m.end())
        for m in POSTCODE_RE.finditer(text):
            add("postcode", m.start(), m.end())
        for m in OUTWARD_RE.finditer(text):
            add("postcode", m.start(), m.end())
        for m in DATE_RE.finditer(text):
            window = text[max(0, m.start() - 45) : m.start()]
            after = text[m.end() : m.end() + 3]
            if DOB_CUE.search(window) or re.match(r"\s?\(?(?:dob|d\.o\.b)", after, re.IGNORECASE):
                add("date_of_birth", m.start(), m.end())
        for m in ADDRESS_RE.finditer(text):
            add("address", m.start(), m.end())
        for m in LIVE_ON_RE.finditer(text):
            add("address", m.start(1), m.end(1))
        if self.school_re is not None:
            for m in self.school_re.finditer(text):
                add("school", m.start(), m.end())
        for m in SCHOOL_GENERIC_RE.finditer(text):
            start = m.start(1)
            words = m.group(1).split()
            # Drop leading words that are not part of a proper name ("the", "my", "Special").
            while words and words[0].lower().strip(".") in SCHOOL_LEAD_STOP:
                start = text.index(words[1], start + len(words[0])) if len(words) > 1 else m.end(1)
                words = words[1:]
            if len(words) >= 2:
                add("school", start, m.end(1))
        spans.extend(self._names(text))
        return _resolve(spans)

    def _is_sentence_start(self, text: str, start: int) -> bool:
        before = text[:start].rstrip(" \t\"'“‘(")
        return not before or before[-1] in ".!?\n:;-–—•*"

    def _is_first_name(self, word: str) -> bool:
        low = word.lower()
        if low in NOT_NAMES:
            return False
        parts = _NAME_PARTS_RE.split(low)
        return low in self.first_names or (
            len(parts) > 1
            and len(parts[0]) > 2
            and parts[0] in self.first_names
            and parts[0] not in NOT_NAMES
        )

    def _names(self, text: str) -> list[Span]:
        spans: list[Span] = []
        taken: set[int] = set()
        surname_re = _SURNAME_RE

        def add(start, end):
            spans.append(Span("name", start, end, text[start:end]))
            taken.update(range(start, end))

        def extend_surname(end: int) -> int:
            # A capitalised word (or two) straight after a first name is a surname.
            for _ in range(2):
                m = surname_re.match(text, end)
                if not m:
                    break
                low = m.group(1).lower()
                if low in ORG_WORDS or low in SURNAME_STOP or self.freq.get(low, 0) > 300:
                    break  # "Sam Has", "Jo And", "Amira School" – not a surname
                end = m.end(1)
            return end

        # Titles: "Mrs Patel", "Dr. A. Jones".
        for m in _TITLE_NAME_RE.finditer(text):
            add(m.start(1), extend_surname(m.end()))
        # Relations and roles: "my son Alfie", "her social worker, Jenny", "my friend daisy".
        for m in _RELATION_RE.finditer(text):
            word = m.group(1)
            if m.start(1) in taken or word.lower() in NOT_NAMES:
                continue
            if not _NAME_SHAPE_RE.fullmatch(word):
                continue  # "AP", "SENCO"
            if (word[0].isupper() and (self._is_first_name(word) or self.freq.get(word.lower(), 0) < 40)) or (
                word[0].islower() and self._is_first_name(word) and self.freq.get(word.lower(), 0) < 5
            ):
                add(m.start(1), extend_surname(m.end(1)))
        for m in _INTRO_RE.finditer(text):
            word = m.group(1)
            if m.start(1) in taken or word.lower() in NOT_NAMES:
                continue
            strong = (
                m.group(0)
                .lower()
                .startswith(("called", "named", "name", "patient", "pupil", "student", "child"))
            )
            if not _NAME_SHAPE_RE.fullmatch(word):
                continue  # "AP", "SENCO"
            if word[0].isupper() and (
                self._is_first_name(word) or strong and self.freq.get(word.lower(), 0) < 3
            ):
                add(m.start(1), extend_surname(m.end(1)))
            elif word[0].islower() and self._is_first_name(word) and self.freq.get(word.lower(), 0) < 5:
                add(m.start(1), m.end(1))
        # Gazetteer: first names anywhere (capitalised; lower case only if never an English word).
        for m in _WORD_OR_NAME_RE.finditer(text):
            if m.start() in taken:
                continue
            word = m.group(1)
            low = word.lower()
            if not self._is_first_name(word):
                continue
            common = self.freq.get(low.split("-")[0], 0)
            if word[0].islower():
                if common <= 2 and len(word) > 3 and low not in NOT_NAMES:
                    add(m.start(), m.end())
                continue
            if _DIGIT_NEXT_RE.match(text[m.end() : m.end() + 2]):
                continue  # "May 2024"
            if common >= 1000:
                continue  # "The", "Will": only a name with context (handled above)
            if self._is_sentence_start(text, m.start()) and common >= 60:
                # "Grace period", "Mark my words" – only a name if a surname follows.
                nxt = surname_re.match(text, m.end())
                if (
                    not nxt
                    or nxt.group(1).lower() in ORG_WORDS
                    or self.freq.get(nxt.group(1).lower(), 0) > 300
                ):
                    continue
            elif common >= 400:
                continue  # very common words that happen to be names
            add(m.start(), extend_surname(m.end()))
        return spans

    def redact(self, text: str) -> Redaction:
        spans = self.find(text)
        out, last = [], 0
        for span in spans:
            out.append(text[last : span.start])
            out.append(PLACEHOLDERS[span.kind])
            last = span.end
        out.append(text[last:])
        return Redaction("".join(out), spans)


PRIORITY = [
    "email",
    "pupil_number",
    "nhs_number",
    "phone",
    "date_of_birth",
    "postcode",
    "address",
    "school",
    "name",
]


def _resolve(spans: list[Span]) -> list[Span]:
    """Drop overlaps: the longer span wins, then the more specific kind."""
    spans = sorted(spans, key=lambda s: (-(s.end - s.start), PRIORITY.index(s.kind)))
    chosen: list[Span] = []
    for span in spans:
        if any(span.start < c.end and c.start < span.end for c in chosen):
            continue
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


# --------------------------------------------------------------------------------------------
# Safeguarding screen
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
# Sentiment
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Key phrases (offline noun phrases from pattern's chunker)
# --------------------------------------------------------------------------------------------

_PHRASE_WORD_RE = re.compile(r"^[\w'-]+$")
PHRASE_STOP = frozenset(
    "i me my we our you your he she they them it this that there what which who "
    "thing things lot lots way time something anything nothing everything one "
    "people".split()
)


def key_phrases(text: str, limit: int = 8) -> list[str]:
    from textblob.en import parse

    tagged = parse(text, chunks=True, relations=False, lemmata=False)
    phrases: list[str] = []
    current: list[tuple[str, str]] = []

    def flush():
        words = [w for w, t in current if t not in ("DT", "PRP", "PRP$", "CD", "WDT", "POS")]
        while words and words[0].lower() in PHRASE_STOP:
            words = words[1:]
        if (
            words
            and any(t.startswith("NN") for _, t in current)
            and not all(w.lower() in PHRASE_STOP for w in words)
        ):
            phrase = " ".join(words).lower().strip(" -'")
            if len(phrase) > 2 and "[" not in phrase and phrase not in phrases:
                phrases.append(phrase)
        current.clear()

    for sentence in tagged.split("\n"):
        for token in sentence.split(" "):
            parts = token.split("/")
            if len(parts) < 3:
                continue
            word, tag, chunk = parts[0], parts[1], parts[2]
            if chunk == "B-NP" or (chunk != "I-NP" and current):
                flush()
            if chunk in ("B-NP", "I-NP") and _PHRASE_WORD_RE.match(word):
                current.append((word, tag))
        flush()
    # Multi-word phrases say more than single nouns.
    phrases.sort(key=lambda p: -len(p.split()))
    return phrases[:limit]


# --------------------------------------------------------------------------------------------
# Themes and objectives
# --------------------------------------------------------------------------------------------


def _keyword_pattern(keyword: str) -> str:
    keyword = keyword.strip().lower()
    stem = keyword.endswith("*")
    body = re.escape(keyword.rstrip("*")).replace(r"\ ", r"[\s-]+")
    return r"\b" + body + (r"\w*" if stem else r"(?:s|es)?\b")


_TOKEN_RE = re.compile(r"[a-z0-9'-]+")


def _tokens(text: str) -> set[str]:
    """Lower-case words of a text, with hyphenated words also split ("part-time" → "part")."""
    tokens = set(_TOKEN_RE.findall(text.lower()))
    for token in list(tokens):
        if "-" in token:
            tokens.update(t for t in token.split("-") if t)
    return tokens


def _gate(keyword: str) -> frozenset[str] | None:
    """Words one of which must be in a text for `keyword` to be able to match it, so most of
    the hundreds of keyword patterns are skipped with a set lookup. None: always try."""
    first = keyword.strip().lower().split()[0] if keyword.strip() else ""
    if not first or first.endswith("*") or not re.fullmatch(r"[a-z0-9'-]+", first):
        return None
    return frozenset({first, first + "s", first + "es"})


def _match_keywords(text: str, tokens: set[str], patterns) -> list[str]:
    return [k for k, gate, p in patterns if (gate is None or gate & tokens) and p.search(text)]


class KeywordIndex:
    """The same matching as `_match_keywords` over a fixed list of (keyword, gate, pattern),
    but looked up from the text's words: only patterns whose gate word occurs are tried, instead
    of checking every gate (hundreds of cues) for every text. Results keep the list's order."""

    def __init__(self, patterns):
        self.patterns = list(patterns)
        self.always = [i for i, (_, gate, _) in enumerate(self.patterns) if gate is None]
        self.by_word: dict[str, list[int]] = {}
        for i, (_, gate, _) in enumerate(self.patterns):
            for word in gate or ():
                self.by_word.setdefault(word, []).append(i)

    def match(self, text: str, tokens: set[str]) -> list[int]:
        candidates = set(self.always)
        for token in tokens:
            hits = self.by_word.get(token)
            if hits:
                candidates.update(hits)
        return [i for i in sorted(candidates) if self.patterns[i][2].search(text)]


@dataclass
class ThemeSpec:
    label: str
    keywords: list[str]
    objectives: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.patterns = [
            (k, _gate(k), re.compile(_keyword_pattern(k), re.IGNORECASE)) for k in self.keywords if k.strip()
        ]


@dataclass
class ThemeMatch:
    label: str
    matched: list[str]


@dataclass
class ObjectiveSuggestion:
    code: str
    confidence: float
    cues: list[str]


@dataclass
class AnalysisContext:
    """Everything the pipeline needs from the database, built once and reused.

    `objectives` (the current plan's own wording) and `confirmed` ((code, redacted text) of
    items staff confirmed for an objective) let suggestions work for any plan, not only the one
    the cue list was written for. `models` are the trained models (`feedback.learning.Models`);
    left None, the models trained from the shipped data are used on first need. `learned=False`
    runs the rules alone (training uses it to compute the rule-based features)."""

    school_names: list[str] = field(default_factory=list)
    themes: list[ThemeSpec] = field(default_factory=list)
    objective_cues: dict[str, list[str]] = field(default_factory=dict)
    objective_codes: set[str] | None = None
    objectives: list[ObjectiveText] = field(default_factory=list)
    confirmed: list[tuple[str, str]] = field(default_factory=list)
    models: Any = None
    learned: bool = True

    def __post_init__(self):
        self.redactor = Redactor(self.school_names)
        # Each distinct cue is compiled and matched once, then credited to every objective that
        # lists it; cue_df (how many objectives share a cue) damps generic words.
        self.cue_codes: dict[str, list[str]] = {}
        for code, cues in self.objective_cues.items():
            if self.objective_codes is not None and code not in self.objective_codes:
                continue
            for cue in dict.fromkeys(c.strip().lower() for c in cues if c.strip()):
                self.cue_codes.setdefault(cue, []).append(code)
        self.cue_patterns = [
            (cue, _gate(cue), re.compile(_keyword_pattern(cue), re.IGNORECASE)) for cue in self.cue_codes
        ]
        self.cue_df = {cue: len(codes) for cue, codes in self.cue_codes.items()}
        self.cue_index = KeywordIndex(self.cue_patterns)
        self.theme_index = theme_index(self.themes)
        if self.objectives and self.objective_codes is None:
            self.objective_codes = {o.code for o in self.objectives}
        self.objective_matcher = (
            ObjectiveMatcher(self.objectives, self.confirmed) if self.objectives else None
        )

    def learned_models(self):
        """The trained models, or None when running on rules alone."""
        if not self.learned:
            return None
        if self.models is None:
            from . import learning

            self.models = learning.models_shipped()
        return self.models

    def fusion_weights(self, models) -> dict:
        """How much each objective signal counts: the training plan's weights when the models
        know (most of) this plan's codes, otherwise the weights for a plan they never saw."""
        if models is None:
            return dict(RULE_FUSION)
        known = set(models.ob_codes)
        codes = self.objective_codes
        if codes is None or (known and len(codes & known) >= 0.5 * len(codes)):
            return dict(models.fusion.get("known_plan") or RULE_FUSION)
        return dict(models.fusion.get("any_plan") or RULE_FUSION)


# Without trained models: the cue lists as before, plus the objectives' own wording.
RULE_FUSION = {"cues": 1.0, "similarity": 2.0, "model": 0.0, "nearest": 1.0}


def theme_index(themes: list[ThemeSpec]) -> tuple[KeywordIndex, list[int]]:
    """One index over every theme's keywords, and which theme each entry belongs to."""
    entries, owner = [], []
    for n, theme in enumerate(themes):
        entries += theme.patterns
        owner += [n] * len(theme.patterns)
    return KeywordIndex(entries), owner


def find_themes(text: str, themes: list[ThemeSpec], index=None) -> list[ThemeMatch]:
    """Themes whose keywords occur in the text. `index` (`theme_index(themes)`, which the
    analysis context keeps) makes it faster; the result is the same."""
    tokens = _tokens(text)
    if index is None:
        found = []
        for theme in themes:
            matched = _match_keywords(text, tokens, theme.patterns)
            if matched:
                found.append(ThemeMatch(theme.label, matched))
        return found
    keywords, owner = index
    by_theme: dict[int, list[str]] = {}
    for i in keywords.match(text, tokens):
        by_theme.setdefault(owner[i], []).append(keywords.patterns[i][0])
    return [ThemeMatch(themes[n].label, by_theme[n]) for n in sorted(by_theme)]


SAFEGUARDING_OBJECTIVES = {
    # A child at risk is, in plan terms, a mental-health or family-breakdown matter.
    "self-harm or suicide": {"PAP4C:1": 1.2},
    "abuse": {"PAP4C:3": 1.0},
    "neglect": {"PAP4C:3": 1.0},
    "going missing": {"PAP4C:3": 1.0},
    "exploitation": {"PAP4C:3": 0.8},
    "direct risk": {"PAP4C:3": 0.6},
}


def cue_scores(
    text: str,
    context: AnalysisContext,
    themes: list[ThemeMatch],
    safeguarding: Safeguarding | None = None,
) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Score each objective by the cue phrases found, plus the themes linked to it, plus the
    safeguarding screen (the hand-written signals; they apply to plans whose codes they name).

    A cue's weight grows with its length (a phrase says more than a word) and shrinks with the
    number of objectives that share it (like inverse document frequency), so a generic word such
    as "weeks" nudges several objectives a little and "named worker" points firmly at one."""
    scores: dict[str, float] = {}
    cues: dict[str, list[str]] = {}
    for i in context.cue_index.match(text, _tokens(text)):
        cue = context.cue_patterns[i][0]
        weight = (0.45 + 0.25 * (len(cue.split()) - 1)) / math.sqrt(context.cue_df[cue])
        for code in context.cue_codes[cue]:
            scores[code] = scores.get(code, 0.0) + weight
            cues.setdefault(code, []).append(cue)
    spec_by_label = {t.label: t for t in context.themes}
    for match in themes:
        spec = spec_by_label.get(match.label)
        if spec is None:
            continue
        for code in spec.objectives:
            if context.objective_codes is not None and code not in context.objective_codes:
                continue
            scores[code] = scores.get(code, 0.0) + 0.2
            cues.setdefault(code, []).append(f"theme: {match.label}")
    for reason in safeguarding.reasons if safeguarding else []:
        for code, weight in SAFEGUARDING_OBJECTIVES.get(reason, {}).items():
            if context.objective_codes is None or code in context.objective_codes:
                scores[code] = scores.get(code, 0.0) + weight
                cues.setdefault(code, []).append(f"safeguarding: {reason}")
    return scores, cues


def suggest_objectives(
    text: str,
    context: AnalysisContext,
    themes: list[ThemeMatch],
    safeguarding: Safeguarding | None = None,
    limit: int = 5,
    *,
    models=None,
    vec=None,
) -> list[ObjectiveSuggestion]:
    """Rank the current plan's objectives for a (redacted) text; confidence = 1 - e^(-score).

    The score adds, with weights chosen by cross-validation (`feedback.learning`):
    the cue/theme/safeguarding signals (`cue_scores`), the text's similarity to each
    objective's own wording and to the feedback staff confirmed for it
    (`feedback.objective_text`), and the trained per-objective models where they know the code.
    The cues say which signals counted ("wording: …", "like confirmed feedback", "trained …")."""
    weights = context.fusion_weights(models)
    base, base_cues = cue_scores(text, context, themes, safeguarding)
    scores = {code: weights["cues"] * v for code, v in base.items()}
    cues = {code: list(v) for code, v in base_cues.items()}
    codes = context.objective_codes
    if context.objective_matcher is not None:
        sim, nearest, words = context.objective_matcher.scores(text)
        for code, value in sim.items():
            add = weights["similarity"] * value
            scores[code] = scores.get(code, 0.0) + add
            if add >= 0.05 and words.get(code):
                cues.setdefault(code, []).append("wording: " + ", ".join(words[code][:3]))
        for code, value in nearest.items():
            add = weights["nearest"] * value
            scores[code] = scores.get(code, 0.0) + add
            if add >= 0.05:
                cues.setdefault(code, []).append(f"like confirmed feedback ({value:.2f})")
    if models is not None and weights["model"]:
        for code, p in models.objective_scores(vec if vec is not None else models.vectorise(text)).items():
            if codes is not None and code not in codes:
                continue
            scores[code] = scores.get(code, 0.0) + weights["model"] * p
            if p >= 0.3:
                cues.setdefault(code, []).append(f"trained model ({p:.2f})")
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        ObjectiveSuggestion(code, round(1 - math.exp(-score), 3), cues.get(code, [])[:6])
        for code, score in ranked[:limit]
        if score >= 0.15
    ]


# --------------------------------------------------------------------------------------------
# Spam and empty content
# --------------------------------------------------------------------------------------------

SPAM_RE = re.compile(
    r"\b(?:viagra|cialis|casino|crypto(?:currency)?|bitcoin|forex|betting|payday loan|loans?\b.*\bapprov|"
    r"seo services|backlinks?|click here|buy now|free money|work from home and earn|earn \$|"
    r"escort|porn|xxx|replica watches|weight loss pills|promo code|discount code|visit my (?:site|website))",
    re.IGNORECASE,
)
URL_RE = re.compile(r"https?://|www\.", re.IGNORECASE)
EMPTY_RE = re.compile(
    r"^(?:n/?a|none|nothing|no|nope|no comment|no comments|nil|-+|\.+|\?+|test|testing|asdf\w*|"
    r"not applicable|nothing to add|nothing else|no thanks|ok|okay)[.!]*$",
    re.IGNORECASE,
)


def set_aside(text: str) -> str:
    stripped = text.strip()
    letters = re.findall(r"[A-Za-z]", stripped)
    if not stripped or len(letters) < 3 or EMPTY_RE.match(stripped):
        return "empty"
    if re.search(r"(.)\1{9,}", stripped) and len(set(stripped)) < 6:
        return "empty"
    if SPAM_RE.search(stripped) or len(URL_RE.findall(stripped)) >= 2:
        return "spam"
    if re.search(r"[\u0400-\u04FF\u4e00-\u9fff]{8,}", stripped) and URL_RE.search(stripped):
        return "spam"
    return ""


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------

# Languages commonly written in England besides English, that lingua-language-detector ships
# models for (it works offline). Restricting the set makes detection faster and surer.
LANGUAGES = {
    "ENGLISH": "English", "POLISH": "Polish", "URDU": "Urdu", "PUNJABI": "Punjabi",
    "BENGALI": "Bengali", "ARABIC": "Arabic", "ROMANIAN": "Romanian", "PORTUGUESE": "Portuguese",
    "SPANISH": "Spanish", "FRENCH": "French", "SOMALI": "Somali", "LITHUANIAN": "Lithuanian",
    "TURKISH": "Turkish", "GUJARATI": "Gujarati", "ITALIAN": "Italian", "GERMAN": "German",
    "PERSIAN": "Persian", "CHINESE": "Chinese", "TAMIL": "Tamil", "HINDI": "Hindi",
    "UKRAINIAN": "Ukrainian", "RUSSIAN": "Russian", "ALBANIAN": "Albanian", "BULGARIAN": "Bulgarian",
    "HUNGARIAN": "Hungarian", "SLOVAK": "Slovak", "CZECH": "Czech", "LATVIAN": "Latvian",
    "VIETNAMESE": "Vietnamese", "GREEK": "Greek",
}
# Left out on purpose: languages whose short samples look like English text-speak to the detector
# (Welsh, Tagalog, Shona, Yoruba, Swahili, Dutch) and are rarely written to an English council.
ENGLISH = ("en", "English")
_LETTER_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# Fewer words than this, or too few of them unknown to English, and the text stays English:
# "Merci beaucoup" or a list of names could be anything, and English is the safe reading
# only because a short text in another language still reaches a person through triage.
MIN_WORDS_FOR_LANGUAGE = 4
# Tags, entities, and any token holding code punctuation (=, brackets, slashes: attributes,
# URLs, script) carry no language.
_NOT_PROSE_RE = re.compile(r"<[^>]*>?|&#?\w+;|\S*[=(){}\[\]<>/\\|`]\S*")
MIN_CONFIDENCE = 0.6
# A text this share of whose words are English words is English without asking the detector
# (most feedback; the detector is slower). French and Spanish share many words with English
# word lists, so the bar is high and the rest is left to the detector.
ENGLISH_SHARE = 0.85
SHORT_TEXT_WORDS = 8


@functools.cache
def _english_words() -> frozenset[str]:
    """Words of English books (TextBlob's spelling list) and the local words in NOT_NAMES."""
    return frozenset(w.lower() for w in _word_frequency()) | NOT_NAMES | {"i'm", "don't", "can't", "won't"}


@functools.cache
def _language_detector():
    """Built once per process; lingua ships its language models in the wheel (no download).
    Low-accuracy mode (trigram models only) loads in half a second instead of ten or more and
    tells these languages apart on a sentence; the texts it sees are never very short (below)."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in LANGUAGES if hasattr(Language, name)]
    builder = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detect_language(text: str) -> tuple[str, str]:
    """(ISO 639-1 code, English name) of the language a text is written in. Most feedback is
    plainly English and is recognised from its words alone; only the rest goes to lingua.
    Short or ambiguous texts count as English. Markup, code and addresses are no language at
    all: they are taken out first, so pasted HTML is never "routed for translation"."""
    words = _LETTER_WORD_RE.findall(_NOT_PROSE_RE.sub(" ", text))
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return ENGLISH
    english = _english_words()
    # Acronyms ("EHCP", "SENCO") and capitalised words English does not know (names, places)
    # say nothing about the language.
    counted = []
    for w in words:
        low = w.lower().replace("’", "'")
        if (w.isupper() and len(w) > 1) or (w[0].isupper() and low not in english):
            continue
        counted.append(low)
    if len(counted) < MIN_WORDS_FOR_LANGUAGE:
        return ENGLISH
    known = sum(1 for w in counted if w in english)
    if known >= ENGLISH_SHARE * len(counted):
        return ENGLISH
    if len(counted) < SHORT_TEXT_WORDS and known >= 0.5 * len(counted):
        return ENGLISH  # "thx so much 4 the help lol": too little to go on, and half English
    values = _language_detector().compute_language_confidence_values(text)
    if not values:
        return ENGLISH
    top = values[0]
    name = top.language.name
    if name == "ENGLISH" or top.value < MIN_CONFIDENCE:
        return ENGLISH
    return top.language.iso_code_639_1.name.lower(), LANGUAGES.get(name, name.title())


def withheld_message(language_name: str) -> str:
    """What everyone but the safeguarding lead sees instead of text in another language."""
    return (
        f"(Withheld: this feedback is written in {language_name}. It needs translating by a person "
        "before it can be read here; redaction only works on English.)"
    )


# --------------------------------------------------------------------------------------------
# The pipeline
# --------------------------------------------------------------------------------------------


@dataclass
class AnalysisResult:
    redacted_text: str
    spans: list[Span]
    safeguarding: Safeguarding
    sentiment: SentimentResult
    themes: list[ThemeMatch]
    key_phrases: list[str]
    objectives: list[ObjectiveSuggestion]
    set_aside: str
    language: str = "en"
    language_name: str = "English"
    needs_translation: bool = False
    version: str = ""

    @property
    def redaction_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for span in self.spans:
            counts[span.kind] = counts.get(span.kind, 0) + 1
        return counts

    @property
    def withheld(self) -> bool:
        """No text of the item is shown (redaction could not be trusted on it)."""
        return self.needs_translation


@functools.cache
def sentiment_analyser() -> SentimentAnalyser:
    return SentimentAnalyser()


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


def analyse(text: str, *, context: AnalysisContext) -> AnalysisResult:
    """Run every step on one text. Deterministic: the same text, context and models give the
    same result. Text in another language is not analysed as English: it is withheld and
    marked for translation (the patterns still run on it: a risk written partly in English
    must not be lost)."""
    text = (text or "").replace("\x00", "")
    models = context.learned_models()
    version = f"{ANALYSIS_VERSION}+{models.version if models is not None else 'rules'}"
    aside = set_aside(text)
    # Safeguarding runs on the original: redaction must never hide a risk.
    patterns = safeguarding_screen(text)
    code, name = ENGLISH if aside else detect_language(text)
    if code != "en":
        return AnalysisResult(
            withheld_message(name), [], patterns, SentimentResult(0.0, 0.0, "", 0.0), [], [], [], aside,
            language=code, language_name=name, needs_translation=True, version=version,
        )
    redaction = context.redactor.redact(text)
    # The models read the redacted text (names and contact details are noise to them), once.
    vec = models.vectorise(redaction.text) if models is not None else None
    screen = combine_screens(patterns, models, vec)
    sentiment = sentiment_analyser().analyse(redaction.text, at_risk=screen.flagged, models=models, vec=vec)
    themes = find_themes(redaction.text, context.themes, context.theme_index)
    without_placeholders = re.sub(r"\[[^\]]+\]", ",", redaction.text)
    phrases = key_phrases(without_placeholders) if not aside else []
    objectives = []
    if not aside:
        objectives = suggest_objectives(redaction.text, context, themes, screen, models=models, vec=vec)
    return AnalysisResult(
        redaction.text, redaction.spans, screen, sentiment, themes, phrases, objectives, aside,
        version=version,
    )
