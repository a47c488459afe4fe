"""What every question kind shares: the frozen definition it works on (a plain dict, `q`), the
answer read from a POST (`Parsed`), options, and the `QuestionKind` base class with the
behaviour kinds have in common. The kinds themselves are in `kinds.py`, one class each,
registered by their `Kind` value.

Input names: `q-<key>` for the answer, `q-<key>-other` for "other, please say",
`q-<key>-day|month|year` for dates, `q-<key>-<item>` for each matrix statement or ranked item.
"""

from __future__ import annotations

from decimal import InvalidOperation

from django.utils.text import slugify

from .. import conf

OTHER = "other"


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


def is_answered(value) -> bool:
    return value not in (None, "", [], {})


def input_id(name: str) -> str:
    """The HTML id for an input name (dots are not allowed in the ids GOV.UK links to)."""
    return name.replace(".", "-")


class Parsed:
    """The outcome of reading one question from a POST: the value, the error and what to show
    again in the inputs."""

    def __init__(self):
        self.value = None
        self.other = ""
        self.error = ""
        self.raw: dict = {}


def clean_text(text: str, *, limit: int, name: str) -> tuple[str, str]:
    """(the text as it will be kept, an error or ""). Typed text is the same everywhere: line
    endings made plain, surrounding space gone, null characters refused."""
    text = (text or "").replace("\r\n", "\n").strip()
    if "\x00" in text:
        return text.replace("\x00", ""), (
            f"{name} contains a character we cannot save (a null character). "
            "We have removed it: check your answer and try again"
        )
    if len(text) > limit:
        return text, f"{name} must be {limit:,} characters or fewer (you have {len(text):,})"
    return text, ""


# ---------------------------------------------------------------------------------------------
# The base class and the registry
# ---------------------------------------------------------------------------------------------


class QuestionKind:
    """How one kind of question is asked, read back, checked, shown and counted.

    Subclasses set `kind` (a `Kind` value) and override what differs; `register` puts one
    instance of each in `REGISTRY`. The base behaviour is also what an unknown kind gets (say a
    frozen definition from a kind since removed): its own options, no value read, never a
    valid stored answer, shown as plain words.
    """

    kind: str = ""
    choice = False  # the answer is option values, shown by their labels
    text = False  # free text: redacted, fed to the feedback inbox, erased on request
    scale = False  # results read as a distribution along a scale
    fieldset = True  # asked as a group of inputs, not one labelled input
    offers_other = False  # may offer "Other, please say" (`allow_other`)

    # --- Options -------------------------------------------------------------------------

    def options(self, q: dict) -> list[dict]:
        """The options a respondent picks from (matrix columns for a matrix)."""
        return list(q.get("options") or [])

    def option_values(self, q: dict) -> set[str]:
        return {o["value"] for o in self.options(q)}

    def positive(self, q: dict) -> list[str]:
        """Answers that count as satisfied for a KPI: the editor's, or the kind's usual ones."""
        if q.get("positive"):
            return list(q["positive"])
        return self.usual_positive(q)

    def usual_positive(self, q: dict) -> list[str]:
        return []

    def label(self, q: dict, value: str, easy: bool = False) -> str:
        for opt in self.options(q):
            if opt["value"] == value:
                return opt["easy_label"] if easy else opt["label"]
        for stmt in q.get("statements") or []:
            if stmt["value"] == value:
                return stmt["easy_label"] if easy else stmt["label"]
        return value

    def text_limit(self, q: dict) -> int:
        """The most characters a typed answer to this question may have."""
        return conf.short_text_max()

    # --- Publishing ----------------------------------------------------------------------

    def definition_error(self, definition: dict) -> str:
        """Why this question cannot be published as defined, or ""."""
        return ""

    # --- Asking --------------------------------------------------------------------------

    def widget(self, q: dict, name: str, raw: dict, easy: bool) -> dict:
        """What `surveys/_question.html` needs beyond the common keys (`forms.page_fields`)."""
        return {}

    # --- Reading a POST ------------------------------------------------------------------

    def parse(self, q: dict, post) -> Parsed:
        """Read one question's answer from a QueryDict. Never raises on bad input."""
        p = Parsed()
        self.read(q, post, p, f"q-{q['key']}")
        return p

    def read(self, q: dict, post, p: Parsed, name: str) -> None:
        """Fill `p` from the POST: the value, or an error, and `raw` for the inputs."""

    def raw_from_value(self, q: dict, value, other: str = "") -> dict:
        """What to put back in the inputs for a saved answer."""
        if value is None:
            return {}
        return self.inputs(q, f"q-{q['key']}", value, other)

    def inputs(self, q: dict, name: str, value, other: str) -> dict:
        raw = {name: value}
        if other:
            raw[f"{name}-other"] = other
        return raw

    # --- Checking what is stored ----------------------------------------------------------

    def valid_stored(self, q: dict, value) -> bool:
        """Is a stored value one this question could have produced? A value of the wrong
        shape is simply not valid."""
        options = self.option_values(q)
        try:
            return self.check_stored(q, value, options)
        except (TypeError, ValueError, InvalidOperation):
            return False

    def check_stored(self, q: dict, value, options: set[str]) -> bool:
        return False

    # --- Showing -------------------------------------------------------------------------

    def display(self, q: dict, value, other: str = "", easy: bool = False) -> str:
        """An answer in words, for check-your-answers and exports."""
        if not is_answered(value):
            return ""
        return self.words(q, value, other, easy)

    def words(self, q: dict, value, other: str, easy: bool) -> str:
        values = value if isinstance(value, list) else [value]
        return "; ".join(self.word(q, v, other, easy) for v in values)

    def word(self, q: dict, value, other: str, easy: bool) -> str:
        return str(value)

    def export_value(self, q: dict, value):
        """A (not None) answer as a spreadsheet cell."""
        return self.display(q, value)

    # --- Results -------------------------------------------------------------------------

    def summarise(self, q: dict, values: list, *, tally, suppress: bool) -> dict:
        """The `QuestionResult` fields (rows, matrix, stats) for these answers. `tally(counter,
        options, base)` gives the rows for counts (suppressing small ones when asked). Free
        text is left to the caller, which alone knows what must be withheld."""
        return {}


REGISTRY: dict[str, QuestionKind] = {}
UNKNOWN = QuestionKind()


def register(cls: type[QuestionKind]) -> type[QuestionKind]:
    """Class decorator: one instance of each kind, under its `Kind` value."""
    if not cls.kind or cls.kind in REGISTRY:
        raise ValueError(f"Question kind {cls.__name__} needs its own `kind` (got {cls.kind!r})")
    REGISTRY[cls.kind] = cls()
    return cls


def kind_of(q: dict | str) -> QuestionKind:
    """The kind of a question definition (or a `Kind` value)."""
    return REGISTRY.get(q if isinstance(q, str) else q["kind"], UNKNOWN)
