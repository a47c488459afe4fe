"""Fixtures for the survey tests: a small survey built through the services, and the four
demo templates with their seeded responses."""

import io

import pytest

from surveys.models import Audience
from surveys.questions import Kind


@pytest.fixture
def simple_survey(db):
    from surveys.services import survey_create

    return survey_create(
        title="Short test survey",
        slug="short-test",
        audience=Audience.PARENT_CARER,
        intro="A short survey.",
        privacy_notice="We keep answers for 2 years.",
        questions=[
            {
                "key": "colour",
                "kind": Kind.SINGLE,
                "text": "Pick a colour",
                "options": "Red\nBlue\nGreen",
                "allow_other": True,
            },
            {
                "key": "why-blue",
                "kind": Kind.SHORT_TEXT,
                "text": "Why blue?",
                "show_if_key": "colour",
                "show_if_op": "equals",
                "show_if_values": "Blue",
            },
            {"key": "agree", "kind": Kind.LIKERT, "text": "Things are good"},
            {
                "key": "count",
                "kind": Kind.NUMBER,
                "text": "How many?",
                "required": False,
                "min_value": 0,
                "max_value": 100,
                "same_page_as_previous": True,
            },
            {"key": "when", "kind": Kind.DATE, "text": "When?", "required": False},
            {"key": "comment", "kind": Kind.LONG_TEXT, "text": "Anything else?", "required": False},
        ],
    )


@pytest.fixture
def demo(plan):
    from surveys import demo as surveys_demo

    surveys_demo.load(io.StringIO())
    return surveys_demo
