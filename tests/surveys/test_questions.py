"""Parsing answers from a POST: every bad input gets a clear message, never an exception."""

import pytest
from django.http import QueryDict

from surveys import questions as qs
from surveys.questions import Kind


def post(**data):
    q = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            q.setlist(key, value)
        else:
            q[key] = value
    return q


def make(kind, **extra):
    q = {
        "key": "k",
        "kind": kind,
        "text": "Q",
        "required": True,
        "page": 1,
        "options": qs.options_from_lines("Red\nBlue\nGreen"),
        "statements": [],
        "allow_other": False,
    }
    q.update(extra)
    return q


def test_single_choice_required_and_tampered_value():
    q = make(Kind.SINGLE)
    assert qs.parse(q, post()).error == "Select an answer"
    assert qs.parse(q, post(**{"q-k": "purple"})).error == "Select one of the options shown"
    assert qs.parse(q, post(**{"q-k": "blue"})).value == "blue"


def test_other_needs_text():
    q = make(Kind.SINGLE, allow_other=True)
    assert qs.parse(q, post(**{"q-k": "other"})).error == "Tell us what you mean by other"
    parsed = qs.parse(q, post(**{"q-k": "other", "q-k-other": "Purple"}))
    assert (parsed.value, parsed.other) == ("other", "Purple")


def test_multiple_choice_keeps_option_order_and_rejects_tampering():
    q = make(Kind.MULTIPLE)
    assert qs.parse(q, post(**{"q-k": ["green", "red"]})).value == ["red", "green"]
    assert qs.parse(q, post(**{"q-k": ["red", "x"]})).error


@pytest.mark.parametrize(
    "text,error",
    [
        ("abc", "Enter a number, like 3 or 12"),
        ("1e999999", "Enter a number, like 3 or 12"),
        ("NaN", "Enter a number, like 3 or 12"),
        ("-1", "Enter a number that is 0 or more"),
        ("101", "Enter a number that is 100 or less"),
        ("9" * 40, "Enter a number, like 3 or 12"),
    ],
)
def test_number_errors(text, error):
    q = make(Kind.NUMBER, min=0, max=100)
    assert qs.parse(q, post(**{"q-k": text})).error == error


def test_number_ok():
    assert qs.parse(make(Kind.NUMBER, min=0, max=100), post(**{"q-k": "12.50"})).value == "12.5"


@pytest.mark.parametrize(
    "day,month,year,error",
    [
        ("31", "2", "2024", "The date must be a real date, like 27 3 2024"),
        ("1", "", "2024", "The date must include a month"),
        ("x", "1", "2024", "The date must be a real date, like 27 3 2024"),
        ("1", "1", "99999", "The date must be a real date, like 27 3 2024"),
    ],
)
def test_date_errors(day, month, year, error):
    parsed = qs.parse(make(Kind.DATE), post(**{"q-k-day": day, "q-k-month": month, "q-k-year": year}))
    assert parsed.error == error
    assert parsed.raw["q-k-day"] == day[:10]  # what was typed is kept


def test_date_ok():
    parsed = qs.parse(make(Kind.DATE), post(**{"q-k-day": "3", "q-k-month": "6", "q-k-year": "2024"}))
    assert parsed.value == "2024-06-03"


def test_text_nul_and_oversized():
    q = make(Kind.LONG_TEXT)
    parsed = qs.parse(q, post(**{"q-k": "hello\x00world"}))
    assert "null character" in parsed.error
    assert parsed.raw["q-k"] == "helloworld"
    parsed = qs.parse(q, post(**{"q-k": "x" * 6000}))
    assert parsed.error.startswith("Your answer must be 5,000 characters or fewer")
    assert len(parsed.raw["q-k"]) == 6000  # nothing lost: it is shown again to shorten


def test_ranking_needs_distinct_numbers():
    q = make(Kind.RANKING)
    bad = qs.parse(q, post(**{"q-k-red": "1", "q-k-blue": "1", "q-k-green": "2"}))
    assert bad.error == "Give each item a different number from 1 to 3"
    good = qs.parse(q, post(**{"q-k-red": "3", "q-k-blue": "1", "q-k-green": "2"}))
    assert good.value == ["blue", "green", "red"]


def test_matrix():
    q = make(Kind.MATRIX, statements=qs.options_from_lines("A\nB"))
    assert qs.parse(q, post(**{"q-k-a": "agree"})).error == "Select an answer for each statement"
    assert qs.parse(q, post(**{"q-k-a": "agree", "q-k-b": "nope"})).error
    parsed = qs.parse(q, post(**{"q-k-a": "agree", "q-k-b": "disagree"}))
    assert parsed.value == {"a": "agree", "b": "disagree"}


def test_conditions_and_prune():
    definition = {
        "questions": [
            make(Kind.SINGLE, key="a"),
            make(Kind.SHORT_TEXT, key="b", page=2, show_if={"key": "a", "op": "equals", "values": ["blue"]}),
            make(Kind.SHORT_TEXT, key="c", page=3, show_if={"key": "b", "op": "answered", "values": []}),
            make(
                Kind.SHORT_TEXT,
                key="d",
                page=4,
                show_if={"key": "a", "op": "any_of", "values": ["red", "green"]},
            ),
        ]
    }
    answers = {"a": "blue", "b": "why", "c": "more", "d": "hidden"}
    assert [q["key"] for q in qs.visible_questions(definition, answers)] == ["a", "b", "c"]
    # Changing the first answer hides b, and so c that depends on it: their answers go.
    assert qs.prune(definition, {**answers, "a": "red"}) == {"a": "red", "d": "hidden"}
    assert [n for n, _ in qs.visible_pages(definition, {"a": "red"})] == [1, 4]
