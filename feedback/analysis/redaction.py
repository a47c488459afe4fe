"""Redaction: finds personal data (names, contact details, addresses, NHS and pupil numbers,
dates of birth, schools) and replaces it with placeholders. First names come from the
gazetteer the `gender-guesser` package ships; how common a word is, from TextBlob's spelling
list (no NLTK data, works offline)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from .data import DATA

# --------------------------------------------------------------------------------------------
# Word lists (loaded once per process)
# --------------------------------------------------------------------------------------------


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
