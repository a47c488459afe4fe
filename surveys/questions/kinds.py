"""The question kinds, one class each. Adding a kind: a `Kind` value and a registered class
here (plus a migration for the model field's choices)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal, InvalidOperation

from django.db import models

from .. import conf
from .base import OTHER, Parsed, QuestionKind, clean_text, input_id, option, register

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


def _needs_two_options(definition: dict) -> str:
    if len(definition.get("options") or []) < 2:
        return f"Question '{definition['key']}' needs at least two options."
    return ""


# ---------------------------------------------------------------------------------------------
# Choices
# ---------------------------------------------------------------------------------------------


class ChoiceKind(QuestionKind):
    """Answers are option values, asked as radios or checkboxes and counted per option."""

    choice = True

    def word(self, q, value, other, easy):
        word = self.label(q, value, easy)
        if value == OTHER and other:
            word = f"{word}: {other}"
        return word

    def widget(self, q, name, raw, easy):
        chosen = raw.get(name)
        chosen = chosen if isinstance(chosen, list) else [chosen]
        base = input_id(name)
        field = {
            "options": [
                {
                    "id": base if i == 0 else f"{base}-{i + 1}",
                    "value": o["value"],
                    "label": o["easy_label"] if easy else o["label"],
                    "symbol": o.get("symbol", ""),
                    "checked": o["value"] in chosen,
                    "is_other": o["value"] == OTHER,
                }
                for i, o in enumerate(self.options(q))
            ],
            "multiple": False,
            "inline": False,
            "faces": False,
        }
        if q.get("allow_other"):
            field["other"] = {
                "name": f"{name}-other",
                "id": f"{base}-other",
                "value": raw.get(f"{name}-other", ""),
            }
        return field


class OneChoice(ChoiceKind):
    """One option, asked as radios."""

    missing = "Select an answer"

    def read(self, q, post, p, name):
        value = (post.get(name) or "").strip()
        p.raw[name] = value
        if value and value not in self.option_values(q):
            p.error = "Select one of the options shown"
        elif not value and q.get("required"):
            p.error = self.missing
        else:
            p.value = value or None

    def check_stored(self, q, value, options):
        return isinstance(value, str) and value in options

    def summarise(self, q, values, *, tally, suppress):
        return {"rows": tally(Counter(values), self.options(q), len(values))}


class OffersOther:
    """Mixin for editor-written options that may end with "Other, please say"."""

    offers_other = True

    def options(self, q):
        opts = super().options(q)
        if q.get("allow_other"):
            opts.append(option(OTHER, "Other", "Something else"))
        return opts

    def parse(self, q, post) -> Parsed:
        p = super().parse(q, post)
        if q.get("allow_other"):
            self.read_other(post, p, f"q-{q['key']}")
        return p

    @staticmethod
    def read_other(post, p: Parsed, name: str) -> None:
        text, error = clean_text(
            post.get(f"{name}-other") or "", limit=conf.short_text_max(), name="What you typed for other"
        )
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


class AgreeScale:
    """Mixin: the five agree / disagree points."""

    scale = True

    def options(self, q):
        return [option(v, label, easy) for v, label, easy in LIKERT]

    def usual_positive(self, q):
        return list(LIKERT_POSITIVE)


@register
class SingleChoice(OffersOther, OneChoice):
    kind = Kind.SINGLE

    def definition_error(self, definition):
        return _needs_two_options(definition)


@register
class MultipleChoice(OffersOther, ChoiceKind):
    kind = Kind.MULTIPLE

    def definition_error(self, definition):
        return _needs_two_options(definition)

    def read(self, q, post, p, name):
        values = [v for v in post.getlist(name) if v]
        p.raw[name] = values
        options = self.options(q)
        if any(v not in {o["value"] for o in options} for v in values):
            p.error = "Select from the options shown"
        elif not values and q.get("required"):
            p.error = "Select at least one option"
        else:
            p.value = [o["value"] for o in options if o["value"] in values] or None

    def check_stored(self, q, value, options):
        return isinstance(value, list) and bool(value) and all(v in options for v in value)

    def widget(self, q, name, raw, easy):
        return {**super().widget(q, name, raw, easy), "multiple": True}

    def summarise(self, q, values, *, tally, suppress):
        counter = Counter(v for chosen in values for v in set(chosen))
        return {"rows": tally(counter, self.options(q), len(values))}


@register
class Likert(AgreeScale, OneChoice):
    kind = Kind.LIKERT


@register
class Rating(OneChoice):
    kind = Kind.RATING
    scale = True

    def definition_error(self, definition):
        if not 2 <= definition["scale_points"] <= 10:
            return f"Question '{definition['key']}': a rating scale has 2 to 10 points."
        return ""

    def options(self, q):
        points = int(q.get("scale_points") or 5)
        if q.get("pictorial") and points == 5:
            return [
                option(str(i + 1), f"{i + 1} – {word}", word, face) for i, (face, word) in enumerate(FACES)
            ]
        return [option(str(i), str(i), str(i)) for i in range(1, points + 1)]

    def usual_positive(self, q):
        points = int(q.get("scale_points") or 5)
        return [str(points - 1), str(points)]

    def widget(self, q, name, raw, easy):
        field = super().widget(q, name, raw, easy)
        field["inline"] = not q.get("pictorial") and len(field["options"]) <= 10
        field["faces"] = q.get("pictorial")
        return field


@register
class YesNo(OneChoice):
    kind = Kind.YES_NO
    missing = "Select yes or no"

    def options(self, q):
        return [option(v, label, easy) for v, label, easy in YES_NO]

    def usual_positive(self, q):
        return ["yes"]

    def widget(self, q, name, raw, easy):
        return {**super().widget(q, name, raw, easy), "inline": True}


# ---------------------------------------------------------------------------------------------
# Typed answers
# ---------------------------------------------------------------------------------------------


@register
class Number(QuestionKind):
    kind = Kind.NUMBER
    fieldset = False

    def widget(self, q, name, raw, easy):
        return {"value": raw.get(name, "")}

    def read(self, q, post, p, name):
        text = (post.get(name) or "").strip().replace(",", "")
        p.raw[name] = text.replace("\x00", "")
        if not text:
            if q.get("required"):
                p.error = "Enter a number"
            return
        try:
            # Plain digits only: exponents like 1e999999 would expand to a million digits.
            if not NUMBER_RE.match(text):
                raise InvalidOperation
            number = Decimal(text)
        except InvalidOperation:
            p.error = "Enter a number, like 3 or 12"
            return
        lo, hi = q.get("min"), q.get("max")
        if lo is not None and number < Decimal(str(lo)):
            p.error = f"Enter a number that is {lo} or more"
        elif hi is not None and number > Decimal(str(hi)):
            p.error = f"Enter a number that is {hi} or less"
        else:
            p.value = format(number.normalize(), "f")

    def check_stored(self, q, value, options):
        Decimal(value)
        return isinstance(value, str)

    def export_value(self, q, value):
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)

    def summarise(self, q, values, *, tally, suppress):
        numbers = sorted(Decimal(v) for v in values)
        if not numbers:
            return {}
        stats = {
            "mean": round(sum(numbers) / len(numbers), 2),
            "median": numbers[len(numbers) // 2],
            "min": numbers[0],
            "max": numbers[-1],
        }
        if suppress:  # extremes can identify someone
            stats.pop("min")
            stats.pop("max")
        return {"stats": stats}


@register
class Date(QuestionKind):
    kind = Kind.DATE
    PARTS = ("day", "month", "year")

    def widget(self, q, name, raw, easy):
        base = input_id(name)
        return {
            "parts": [
                {
                    "name": f"{name}-{part}",
                    "id": base if part == "day" else f"{base}-{part}",
                    "label": part.capitalize(),
                    "value": raw.get(f"{name}-{part}", ""),
                    "width": 4 if part == "year" else 2,
                }
                for part in self.PARTS
            ]
        }

    def read(self, q, post, p, name):
        parts = {
            part: (post.get(f"{name}-{part}") or "").strip().replace("\x00", "")[:10] for part in self.PARTS
        }
        p.raw.update({f"{name}-{k}": v for k, v in parts.items()})
        if not any(parts.values()):
            if q.get("required"):
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

    def inputs(self, q, name, value, other):
        d = dt.date.fromisoformat(value)
        return {f"{name}-day": str(d.day), f"{name}-month": str(d.month), f"{name}-year": str(d.year)}

    def check_stored(self, q, value, options):
        dt.date.fromisoformat(value)
        return True

    def words(self, q, value, other, easy):
        return dt.date.fromisoformat(value).strftime("%-d %B %Y")


class FreeText(QuestionKind):
    """Typed words: redacted in results, fed to the feedback inbox, erased on request."""

    text = True
    fieldset = False

    def widget(self, q, name, raw, easy):
        return {"value": raw.get(name, "")}

    def read(self, q, post, p, name):
        text, error = clean_text(post.get(name) or "", limit=self.text_limit(q), name="Your answer")
        p.raw[name] = text
        if error:
            p.error = error
        elif not text and q.get("required"):
            p.error = "Enter your answer"
        else:
            p.value = text or None

    def check_stored(self, q, value, options):
        return isinstance(value, str) and "\x00" not in value and len(value) <= self.text_limit(q)


@register
class ShortText(FreeText):
    kind = Kind.SHORT_TEXT


@register
class LongText(FreeText):
    kind = Kind.LONG_TEXT

    def text_limit(self, q):
        return conf.long_text_max()


# ---------------------------------------------------------------------------------------------
# Several answers in one question
# ---------------------------------------------------------------------------------------------


@register
class Ranking(QuestionKind):
    """The editor's options put in order, one number each."""

    kind = Kind.RANKING

    def definition_error(self, definition):
        return _needs_two_options(definition)

    @staticmethod
    def items(q) -> list[dict]:
        return q.get("options") or []

    def widget(self, q, name, raw, easy):
        items, base = self.items(q), input_id(name)
        return {
            "ranked": [
                {
                    "name": f"{name}-{o['value']}",
                    "id": base if i == 0 else f"{base}-{o['value']}",
                    "label": o["easy_label"] if easy else o["label"],
                    "value": raw.get(f"{name}-{o['value']}", ""),
                    "choices": [str(n) for n in range(1, len(items) + 1)],
                }
                for i, o in enumerate(items)
            ]
        }

    def read(self, q, post, p, name):
        items = [o["value"] for o in self.items(q)]
        ranks = {}
        for item in items:
            raw = (post.get(f"{name}-{item}") or "").strip()
            p.raw[f"{name}-{item}"] = raw
            if raw:
                ranks[item] = raw
        if not ranks:
            if q.get("required"):
                p.error = "Give each item a number to put them in order"
            return
        try:
            numbers = {item: int(r) for item, r in ranks.items()}
        except ValueError:
            numbers = None
        if (
            numbers is None
            or len(ranks) != len(items)
            or sorted(numbers.values()) != list(range(1, len(items) + 1))
        ):
            p.error = f"Give each item a different number from 1 to {len(items)}"
        else:
            p.value = sorted(items, key=lambda i: numbers[i])

    def inputs(self, q, name, value, other):
        return {f"{name}-{item}": str(i + 1) for i, item in enumerate(value)}

    def check_stored(self, q, value, options):
        items = [o["value"] for o in self.items(q)]
        return isinstance(value, list) and sorted(value) == sorted(items)

    def words(self, q, value, other, easy):
        return "; ".join(f"{i + 1}. {self.label(q, v, easy)}" for i, v in enumerate(value))

    def summarise(self, q, values, *, tally, suppress):
        items = self.items(q)
        firsts = Counter(v[0] for v in values if v)
        ranks = {o["value"]: [v.index(o["value"]) + 1 for v in values if o["value"] in v] for o in items}
        return {
            "rows": tally(firsts, items, len(values)),
            "stats": {
                "mean_rank": {self.label(q, k): round(sum(x) / len(x), 2) for k, x in ranks.items() if x}
            },
        }


@register
class Matrix(AgreeScale, QuestionKind):
    """Statements, each answered on the agree / disagree scale."""

    kind = Kind.MATRIX

    def definition_error(self, definition):
        if not definition.get("statements"):
            return f"Question '{definition['key']}' needs at least one statement."
        return ""

    def widget(self, q, name, raw, easy):
        options = self.options(q)
        rows = []
        for s_index, stmt in enumerate(q.get("statements") or []):
            row_name = f"{name}-{stmt['value']}"
            row_id = input_id(name) if s_index == 0 else input_id(row_name)
            rows.append(
                {
                    "label": stmt["easy_label"] if easy else stmt["label"],
                    "name": row_name,
                    "options": [
                        {
                            "id": row_id if i == 0 else f"{input_id(row_name)}-{i + 1}",
                            "value": o["value"],
                            "label": o["easy_label"] if easy else o["label"],
                            "checked": raw.get(row_name) == o["value"],
                        }
                        for i, o in enumerate(options)
                    ],
                }
            )
        return {"rows": rows}

    def read(self, q, post, p, name):
        options = self.option_values(q)
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
        if p.error:
            return
        if q.get("required") and missing:
            p.error = "Select an answer for each statement"
        else:
            p.value = value or None

    def inputs(self, q, name, value, other):
        return {f"{name}-{k}": v for k, v in value.items()}

    def check_stored(self, q, value, options):
        stmts = {s["value"] for s in q.get("statements") or []}
        return isinstance(value, dict) and all(k in stmts and v in options for k, v in value.items())

    def words(self, q, value, other, easy):
        return "; ".join(f"{self.label(q, k, easy)}: {self.label(q, v, easy)}" for k, v in value.items())

    def summarise(self, q, values, *, tally, suppress):
        options = self.options(q)
        matrix = []
        for stmt in q.get("statements") or []:
            column = [v.get(stmt["value"]) for v in values if isinstance(v, dict) and v.get(stmt["value"])]
            matrix.append((stmt["label"], tally(Counter(column), options, len(column))))
        return {"matrix": matrix}
