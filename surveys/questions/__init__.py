"""Question kinds: how each is asked, checked and shown, working on a version's frozen
definition (plain dicts), so answering never depends on the editable questions.

Each kind is one class in `kinds.py` (the shared behaviour is `base.QuestionKind`), found by
its `Kind` value with `kind_of(q)`. The functions below are the interface the rest of the
project uses; each hands the question to its kind.
"""

from __future__ import annotations

from .base import (
    OTHER,
    REGISTRY,
    Parsed,
    QuestionKind,
    clean_text,
    input_id,
    is_answered,
    kind_of,
    option,
    options_from_lines,
)
from .conditions import ConditionOp, condition_met, pages, prune, visible_pages, visible_questions
from .kinds import FACES, LIKERT, LIKERT_POSITIVE, NUMBER_RE, YES_NO, Kind, OneChoice

__all__ = [
    "CHOICE_KINDS",
    "FACES",
    "LIKERT",
    "LIKERT_POSITIVE",
    "NUMBER_RE",
    "OTHER",
    "RADIO_KINDS",
    "REGISTRY",
    "TEXT_KINDS",
    "YES_NO",
    "ConditionOp",
    "Kind",
    "Parsed",
    "QuestionKind",
    "clean_text",
    "condition_met",
    "default_positive",
    "display",
    "input_id",
    "is_answered",
    "kind_of",
    "label_for",
    "option",
    "options_from_lines",
    "pages",
    "parse",
    "prune",
    "question_options",
    "raw_from_value",
    "text_limit",
    "valid_stored",
    "visible_pages",
    "visible_questions",
]

# Groups of kinds, read off the kind classes (for code that asks "is this free text?" of a
# bare kind value; with a definition, ask `kind_of(q)`).
CHOICE_KINDS = frozenset(k for k, kind in REGISTRY.items() if kind.choice)
TEXT_KINDS = frozenset(k for k, kind in REGISTRY.items() if kind.text)
RADIO_KINDS = frozenset(k for k, kind in REGISTRY.items() if isinstance(kind, OneChoice))


def question_options(q: dict) -> list[dict]:
    """The options a respondent picks from (matrix columns for a matrix)."""
    return kind_of(q).options(q)


def default_positive(q: dict) -> list[str]:
    """Answers that count as satisfied for a KPI, when the editor named none."""
    return kind_of(q).positive(q)


def label_for(q: dict, value: str, easy: bool = False) -> str:
    return kind_of(q).label(q, value, easy)


def text_limit(q: dict) -> int:
    return kind_of(q).text_limit(q)


def parse(q: dict, post) -> Parsed:
    """Read one question's answer from a QueryDict. Never raises on bad input."""
    return kind_of(q).parse(q, post)


def raw_from_value(q: dict, value, other: str = "") -> dict:
    """What to put back in the inputs for a saved answer."""
    return kind_of(q).raw_from_value(q, value, other)


def valid_stored(q: dict, value) -> bool:
    """Is a stored value one this question could have produced? Used again at submission so a
    tampered draft cannot store anything the form would refuse."""
    return kind_of(q).valid_stored(q, value)


def display(q: dict, value, other: str = "", easy: bool = False) -> str:
    """An answer in words, for check-your-answers and exports."""
    return kind_of(q).display(q, value, other, easy)
