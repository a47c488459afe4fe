"""The analysis module on its own: no database, no network."""

import re
import socket

import pytest

from feedback import analysis


@pytest.fixture(scope="module")
def context():
    themes = [
        analysis.ThemeSpec(t["label"], t["keywords"], t["objectives"]) for t in analysis.load_theme_file()
    ]
    return analysis.AnalysisContext(
        school_names=[name for name, _ in analysis.load_school_file()],
        themes=themes,
        objective_cues=analysis.load_objective_cues(),
    )


@pytest.fixture
def no_network(monkeypatch):
    def guard(*args, **kwargs):
        raise AssertionError("analysis tried to use the network")

    monkeypatch.setattr(socket, "socket", guard)
    monkeypatch.setattr(socket, "create_connection", guard)


def test_everything_works_offline(context, no_network):
    result = analysis.analyse("My son Alfie waited 40 weeks and still no plan.", context=context)
    assert result.sentiment.label == "negative" and result.key_phrases


@pytest.mark.parametrize(
    ("text", "secret", "kind"),
    [
        ("Email me at jo.bloggs@example.org please", "jo.bloggs@example.org", "email"),
        ("Call 07700 900123 after 3", "07700 900123", "phone"),
        ("Ring +44 (0)1865 123456", "1865 123456", "phone"),
        ("We are in OX4 1HR now", "OX4 1HR", "postcode"),
        ("NHS number 943 476 5919", "943 476 5919", "nhs_number"),
        ("DOB 12/03/2014", "12/03/2014", "date_of_birth"),
        ("born on 3rd March 2015 in Banbury", "3rd March 2015", "date_of_birth"),
        ("UPN A123456789012 on the form", "A123456789012", "pupil_number"),
        ("We live at 14 Cowley Road", "14 Cowley Road", "address"),
        ("She goes to Cheney School", "Cheney School", "school"),
        ("He is at St. Birinus School", "St. Birinus School", "school"),
        ("My daughter Amelia-Rose loves it", "Amelia-Rose", "name"),
        ("Thanks to Mrs Okonkwo for her help", "Okonkwo", "name"),
        ("Our caseworker Jenny Smith never replies", "Jenny Smith", "name"),
    ],
)
def test_redaction_finds_personal_data(context, text, secret, kind):
    redaction = context.redactor.redact(text)
    assert secret not in redaction.text
    assert any(s.kind == kind for s in redaction.spans), redaction.spans


@pytest.mark.parametrize(
    "keep",
    [
        "20 weeks",
        "Year 6",
        "KS3",
        "PAP2B:2",
        "0-25",
        "Section F",
        "June 2024",
        "Banbury",
        "CAMHS",
        "Amber",
        "the council",
    ],
)
def test_look_alikes_survive(context, keep):
    text = f"After {keep} we heard about {keep} from the council on 12 June 2024 in Banbury."
    assert text == context.redactor.redact(text).text


@pytest.mark.parametrize(
    "text",
    [
        "She has started cutting herself and wrote a goodbye letter.",
        "He says everyone would be better off if he wasn't here.",
        "Her stepdad hits her when he's drunk and she is scared to go home.",
        "He has gone missing three times this month and comes back with cash he won't explain.",
        "Older lads give him money to carry packages. He thinks they're his mates.",
        "My 9 year old is left on his own all weekend with nothing to eat.",
        "i dont want to go home today",
    ],
)
def test_safeguarding_screen_alerts(text):
    assert analysis.safeguarding_screen(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "The waiting list is killing me.",
        "This process is driving me mad, I could scream.",
        "Paperwork went missing again at County Hall.",
        "They cut his hours at the respite centre.",
        "He goes missing from lessons to the sensory room, which is agreed in his plan.",
        "It feels like the system is abusing our patience.",
    ],
)
def test_figures_of_speech_do_not_alert(text):
    assert not analysis.safeguarding_screen(text).flagged


def test_domain_sentiment_fixes_textblob(context):
    sa = analysis.sentiment_analyser()
    assert sa.raw("40 weeks and still no plan").polarity == 0.0
    assert sa.analyse("40 weeks and still no plan").label == "negative"
    assert sa.analyse("The SENCO was brilliant and really helped").label == "positive"
    assert sa.analyse("Best number is 07700 900432 after 2pm.").label == "neutral"


def test_objectives_and_themes_with_reasons(context):
    text = "Our named worker changed again and nobody told us who to contact."
    result = analysis.analyse(text, context=context)
    assert result.objectives[0].code == "PAP2B:2"
    assert "named worker" in result.objectives[0].cues
    assert 0 < result.objectives[0].confidence <= 1
    assert "named worker" in [t.label for t in result.themes]


def test_spam_and_empty(context):
    assert analysis.analyse("n/a", context=context).set_aside == "empty"
    assert analysis.analyse("   ", context=context).set_aside == "empty"
    spam = "cheap casino bonus www.x.example www.y.example"
    assert analysis.analyse(spam, context=context).set_aside == "spam"
    assert analysis.analyse("The taxi was late again.", context=context).set_aside == ""


def test_deterministic(context):
    text = "My son Alfie (DOB 01/02/2015) at Cheney School waited 40 weeks. Call 07700 900123."
    a, b = analysis.analyse(text, context=context), analysis.analyse(text, context=context)
    assert a.redacted_text == b.redacted_text
    assert [(o.code, o.confidence) for o in a.objectives] == [(o.code, o.confidence) for o in b.objectives]


def test_textblob_is_imported_only_in_analysis():
    from pathlib import Path

    package = Path(analysis.__file__).parent  # feedback/analysis/: TextBlob may be used anywhere in it
    offenders = [
        str(p)
        for p in package.parent.rglob("*.py")
        if package not in p.parents and re.search(r"^\s*(?:import|from) textblob", p.read_text(), re.M)
    ]
    assert offenders == []
