"""Question kinds: how each is asked, checked and shown, working on a version's frozen
definition (plain dicts), so answering never depends on the editable questions.

Input names: `q-<key>` for the answer, `q-<key>-other` for "other, please say",
`q-<key>-day|month|year` for dates, `q-<key>-<item>` for each matrix statement or ranked item.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils.text import slugify

from . import conf

OTHER = "other"
NUMBER_RE = re.compile(r"^[-+]?\d{1,15}(\.\d{1,6})?$")


class Kind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTIPLE = "multiple", "Multiple choice"
    LIKERT = "likert", "Agree / disagree (5 points)"
    RATING = "rating", "Rating scale"
    YES_NO = "yes_no", "Yes / no"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    SHORT_TEXT = "short_text", "Short text"
    LONG_TEXT = "long_text", "Long text"
    RANKING = "ranking", "Ranking"
    MATRIX = "matrix", "Matrix of agree / disagree statements"


class ConditionOp(models.TextChoices):
    EQUALS = "equals", "equals"
    ANY_OF = "any_of", "is any of"
    ANSWERED = "answered", "was answered"


CHOICE_KINDS = {Kind.SINGLE, Kind.MULTIPLE, Kind.LIKERT, Kind.RATING, Kind.YES_NO}
TEXT_KINDS = {Kind.SHORT_TEXT, Kind.LONG_TEXT}
RADIO_KINDS = {Kind.SINGLE, Kind.LIKERT, Kind.RATING, Kind.YES_NO}

LIKERT = [
    ("strongly_agree", "Strongly agree", "I agree a lot"),
    ("agree", "Agree", "I agree"),
    ("neither", "Neither agree nor disagree", "Not sure"),
    ("disagree", "Disagree", "I do not agree"),
    ("strongly_disagree", "Strongly disagree", "I do not agree at all"),
]
LIKERT_POSITIVE = ["strongly_agree", "agree"]
# Pictures are always paired with words: a face alone would be meaning carried by image only.
FACES = [("😞", "Very unhappy"), ("🙁", "Unhappy"), ("😐", "OK"), ("🙂", "Happy"), ("😀", "Very happy")]
YES_NO = [("yes", "Yes", "Yes"), ("no", "No", "No")]


def option(value: str, label: str, easy_label: str = "", symbol: str = "") -> dict:
    return {"value": value, "label": label, "easy_label": easy_label or label, "symbol": symbol}


def options_from_lines(text: str) -> list[dict]:
    """Editors write one option per line, optionally `Label | easy-read label`."""
    out, seen = [], set()
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        label, _, easy = line.partition("|")
        label = label.strip()
        value = slugify(label)[:60] or f"option-{len(out) + 1}"
        while value in seen or value == OTHER:
            value = f"{value}-{len(out) + 1}"
        seen.add(value)
        out.append(option(value, label, easy.strip()))
    return out


def question_options(q: dict) -> list[dict]:
    """The options a respondent picks from (matrix columns for a matrix)."""
    kind = q["kind"]
    if kind in (Kind.LIKERT, Kind.MATRIX):
        return [option(v, label, easy) for v, label, easy in LIKERT]
    if kind == Kind.YES_NO:
        return [option(v, label, easy) for v, label, easy in YES_NO]
    if kind == Kind.RATING:
        points = int(q.get("scale_points") or 5)
        if q.get("pictorial") and points == 5:
            return [option(str(i + 1), f"{i + 1} – {word}", word, face)
                    for i, (face, word) in enumerate(FACES)]
        return [option(str(i), str(i), str(i)) for i in range(1, points + 1)]
    opts = list(q.get("options") or [])
    if kind in (Kind.SINGLE, Kind.MULTIPLE) and q.get("allow_other"):
        opts.append(option(OTHER, "Other", "Something else"))
    return opts


def default_positive(q: dict) -> list[str]:
    """Answers that count as satisfied for a KPI, when the editor named none."""
    if q.get("positive"):
        return list(q["positive"])
    if q["kind"] in (Kind.LIKERT, Kind.MATRIX):
        return list(LIKERT_POSITIVE)
    if q["kind"] == Kind.RATING:
        points = int(q.get("scale_points") or 5)
        return [str(points - 1), str(points)]
    if q["kind"] == Kind.YES_NO:
        return ["yes"]
    return []


def label_for(q: dict, value: str, easy: bool = False) -> str:
    for opt in question_options(q):
        if opt["value"] == value:
            return opt["easy_label"] if easy else opt["label"]
    for stmt in q.get("statements") or []:
        if stmt["value"] == value:
            return stmt["easy_label"] if easy else stmt["label"]
    return value


def is_answered(value) -> bool:
    return value not in (None, "", [], {})


# ---------------------------------------------------------------------------------------------
# Conditions
# ---------------------------------------------------------------------------------------------

def condition_met(condition: dict | None, answers: dict) -> bool:
    if not condition or not condition.get("key"):
        return True
    value = answers.get(condition["key"])
    op = condition.get("op") or ConditionOp.EQUALS
    if op == ConditionOp.ANSWERED:
        return is_answered(value)
    wanted = set(condition.get("values") or [])
    if op == ConditionOp.EQUALS:
        wanted = set(list(condition.get("values") or [])[:1])
    if isinstance(value, list):
        return bool(wanted & set(value))
    return value in wanted


def visible_questions(definition: dict, answers: dict) -> list[dict]:
    """Questions shown for these answers, in order. A condition looks only at answers to
    questions that are themselves shown, so hiding one question hides what depends on it."""
    shown: dict = {}
    out = []
    for q in definition["questions"]:
        if condition_met(q.get("show_if"), shown):
            out.append(q)
            if q["key"] in answers:
                shown[q["key"]] = answers[q["key"]]
    return out


def pages(definition: dict) -> list[list[dict]]:
    grouped: dict[int, list[dict]] = {}
    for q in definition["questions"]:
        grouped.setdefault(q["page"], []).append(q)
    return [grouped[n] for n in sorted(grouped)]


def visible_pages(definition: dict, answers: dict) -> list[tuple[int, list[dict]]]:
    """(page number, visible questions) for every page that has a question to show."""
    keys = {q["key"] for q in visible_questions(definition, answers)}
    out = []
    for page in pages(definition):
        qs = [q for q in page if q["key"] in keys]
        if qs:
            out.append((page[0]["page"], qs))
    return out


def prune(definition: dict, answers: dict) -> dict:
    """Keep only answers to shown questions (plus their "other" text): anything else, such as
    an answer to a question a later change hid, is discarded, never stored."""
    kept = {}
    for q in visible_questions(definition, answers):
        key = q["key"]
        if is_answered(answers.get(key)):
            kept[key] = answers[key]
            other_key = f"{key}.other"
            chosen = answers[key] if isinstance(answers[key], list) else [answers[key]]
            if OTHER in chosen and answers.get(other_key):
                kept[other_key] = answers[other_key]
    return kept


# ---------------------------------------------------------------------------------------------
# Parsing what was typed
# ---------------------------------------------------------------------------------------------

class Parsed:
    """The outcome of reading one question from a POST: the value, the error and what to show
    again in the inputs."""

    def __init__(self):
        self.value = None
        self.other = ""
        self.error = ""
        self.raw: dict = {}


def _clean_text(text: str, *, limit: int, name: str) -> tuple[str, str]:
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        return text.replace("\x00", ""), (
            f"{name} contains a character we cannot save (a null character). "
            "We have removed it: check your answer and try again")
    if len(text) > limit:
        return text, f"{name} must be {limit:,} characters or fewer (you have {len(text):,})"
    return text, ""


def text_limit(q: dict) -> int:
    return conf.long_text_max() if q["kind"] == Kind.LONG_TEXT else conf.short_text_max()


def parse(q: dict, post) -> Parsed:
    """Read one question's answer from a QueryDict. Never raises on bad input."""
    p = Parsed()
    kind, name = q["kind"], f"q-{q['key']}"
    required = q.get("required")
    options = {o["value"] for o in question_options(q)}
    if kind in RADIO_KINDS:
        value = (post.get(name) or "").strip()
        p.raw[name] = value
        if value and value not in options:
            p.error = "Select one of the options shown"
        elif not value and required:
            p.error = "Select an answer" if kind != Kind.YES_NO else "Select yes or no"
        else:
            p.value = value or None
    elif kind == Kind.MULTIPLE:
        values = [v for v in post.getlist(name) if v]
        p.raw[name] = values
        if any(v not in options for v in values):
            p.error = "Select from the options shown"
        elif not values and required:
            p.error = "Select at least one option"
        else:
            p.value = [o["value"] for o in question_options(q) if o["value"] in values] or None
    elif kind == Kind.NUMBER:
        text = (post.get(name) or "").strip().replace(",", "")
        p.raw[name] = text.replace("\x00", "")
        if not text:
            if required:
                p.error = "Enter a number"
        else:
            try:
                # Plain digits only: exponents like 1e999999 would expand to a million digits.
                if not NUMBER_RE.match(text):
                    raise InvalidOperation
                number = Decimal(text)
            except InvalidOperation:
                p.error = "Enter a number, like 3 or 12"
            else:
                lo, hi = q.get("min"), q.get("max")
                if lo is not None and number < Decimal(str(lo)):
                    p.error = f"Enter a number that is {lo} or more"
                elif hi is not None and number > Decimal(str(hi)):
                    p.error = f"Enter a number that is {hi} or less"
                else:
                    p.value = format(number.normalize(), "f")
    elif kind == Kind.DATE:
        parts = {part: (post.get(f"{name}-{part}") or "").strip().replace("\x00", "")[:10]
                 for part in ("day", "month", "year")}
        p.raw.update({f"{name}-{k}": v for k, v in parts.items()})
        if not any(parts.values()):
            if required:
                p.error = "Enter a date"
        elif not all(parts.values()):
            missing = [k for k, v in parts.items() if not v]
            p.error = f"The date must include a {' and '.join(missing)}"
        else:
            try:
                year = int(parts["year"])
                if not 1900 <= year <= 2100:
                    raise ValueError
                p.value = dt.date(year, int(parts["month"]), int(parts["day"])).isoformat()
            except ValueError:
                p.error = "The date must be a real date, like 27 3 2024"
    elif kind in TEXT_KINDS:
        text, error = _clean_text(post.get(name) or "", limit=text_limit(q), name="Your answer")
        p.raw[name] = text
        if error:
            p.error = error
        elif not text and required:
            p.error = "Enter your answer"
        else:
            p.value = text or None
    elif kind == Kind.RANKING:
        items = [o["value"] for o in q.get("options") or []]
        ranks = {}
        for item in items:
            raw = (post.get(f"{name}-{item}") or "").strip()
            p.raw[f"{name}-{item}"] = raw
            if raw:
                ranks[item] = raw
        if not ranks:
            if required:
                p.error = "Give each item a number to put them in order"
        else:
            try:
                numbers = {item: int(r) for item, r in ranks.items()}
            except ValueError:
                numbers = None
            if (numbers is None or len(ranks) != len(items)
                    or sorted(numbers.values()) != list(range(1, len(items) + 1))):
                p.error = f"Give each item a different number from 1 to {len(items)}"
            else:
                p.value = sorted(items, key=lambda i: numbers[i])
    elif kind == Kind.MATRIX:
        value, missing = {}, False
        for stmt in q.get("statements") or []:
            raw = (post.get(f"{name}-{stmt['value']}") or "").strip()
            p.raw[f"{name}-{stmt['value']}"] = raw
            if raw and raw not in options:
                p.error = "Select one of the options shown for each statement"
            elif raw:
                value[stmt["value"]] = raw
            else:
                missing = True
        if not p.error:
            if required and missing:
                p.error = "Select an answer for each statement"
            else:
                p.value = value or None
    if kind in (Kind.SINGLE, Kind.MULTIPLE) and q.get("allow_other"):
        text, error = _clean_text(post.get(f"{name}-other") or "", limit=conf.short_text_max(),
                                  name="What you typed for other")
        # Kept even when the choice itself has an error (say "other" was typed but no option
        # picked), so the page comes back with what the person wrote.
        p.raw[f"{name}-other"] = text
        chosen = p.value if isinstance(p.value, list) else [p.value]
        if not p.error and OTHER in chosen:
            if error:
                p.error = error
            elif not text:
                p.error = "Tell us what you mean by other"
            else:
                p.other = text
    return p


def raw_from_value(q: dict, value, other: str = "") -> dict:
    """What to put back in the inputs for a saved answer."""
    name = f"q-{q['key']}"
    if value is None:
        return {}
    kind = q["kind"]
    if kind == Kind.DATE:
        d = dt.date.fromisoformat(value)
        return {f"{name}-day": str(d.day), f"{name}-month": str(d.month), f"{name}-year": str(d.year)}
    if kind == Kind.RANKING:
        return {f"{name}-{item}": str(i + 1) for i, item in enumerate(value)}
    if kind == Kind.MATRIX:
        return {f"{name}-{k}": v for k, v in value.items()}
    raw = {name: value}
    if other:
        raw[f"{name}-other"] = other
    return raw


def valid_stored(q: dict, value) -> bool:
    """Is a stored value one this question could have produced? Used again at submission so a
    tampered draft cannot store anything the form would refuse."""
    kind = q["kind"]
    options = {o["value"] for o in question_options(q)}
    try:
        if kind in RADIO_KINDS:
            return isinstance(value, str) and value in options
        if kind == Kind.MULTIPLE:
            return isinstance(value, list) and bool(value) and all(v in options for v in value)
        if kind == Kind.NUMBER:
            Decimal(value)
            return isinstance(value, str)
        if kind == Kind.DATE:
            dt.date.fromisoformat(value)
            return True
        if kind in TEXT_KINDS:
            return isinstance(value, str) and "\x00" not in value and len(value) <= text_limit(q)
        if kind == Kind.RANKING:
            items = [o["value"] for o in q.get("options") or []]
            return isinstance(value, list) and sorted(value) == sorted(items)
        if kind == Kind.MATRIX:
            stmts = {s["value"] for s in q.get("statements") or []}
            return isinstance(value, dict) and all(k in stmts and v in options for k, v in value.items())
    except (TypeError, ValueError, InvalidOperation):
        return False
    return False


def display(q: dict, value, other: str = "", easy: bool = False) -> str:
    """An answer in words, for check-your-answers and exports."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    kind = q["kind"]
    if kind == Kind.DATE:
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")
    if kind == Kind.RANKING:
        return "; ".join(f"{i + 1}. {label_for(q, v, easy)}" for i, v in enumerate(value))
    if kind == Kind.MATRIX:
        return "; ".join(f"{label_for(q, k, easy)}: {label_for(q, v, easy)}" for k, v in value.items())
    values = value if isinstance(value, list) else [value]
    words = []
    for v in values:
        if kind in CHOICE_KINDS:
            word = label_for(q, v, easy)
            if v == OTHER and other:
                word = f"{word}: {other}"
            words.append(word)
        else:
            words.append(str(v))
    return "; ".join(words)
