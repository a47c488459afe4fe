"""Text not written in English is routed to a person with the language named and withheld from
everyone who may not read originals: English redaction cannot be trusted on it."""

import pytest

from feedback import analysis
from feedback.analysis import setaside
from feedback.models import FeedbackItem, ItemAnalysis
from portal.roles import Role
from tests.auth import sign_in

# Written for these tests: the same complaint in several languages common in England.
OTHER_LANGUAGES = [
    ("Mój syn Kacper czeka na plan od roku i nikt nie odpowiada na maile.", "pl", "Polish"),
    ("میرا بیٹا چھ مہینے سے سکول نہیں جا رہا اور کوئی مدد نہیں ملی", "ur", "Urdu"),
    ("Fiul meu așteaptă de un an evaluarea și nimeni nu ne răspunde.", "ro", "Romanian"),
    ("Mi hijo no tiene plaza en el colegio desde septiembre.", "es", "Spanish"),
    ("Mon fils attend son plan depuis un an et personne ne répond.", "fr", "French"),
    ("Wiilkayga wuxuu sugayaa qorshaha muddo sanad ah, qofna nagama jawaabin.", "so", "Somali"),
    ("Oğlum bir yıldır okula gidemiyor ve kimse yardım etmiyor.", "tr", "Turkish"),
]


@pytest.mark.parametrize(("text", "code", "name"), OTHER_LANGUAGES)
def test_other_languages_are_detected(text, code, name):
    assert analysis.detect_language(text) == (code, name)


@pytest.mark.parametrize(
    "text",
    [
        "Merci beaucoup",  # short: could be anything, stays English
        "Dziękuję bardzo!",
        "ok",
        "Alfie Kayden SENCO CAMHS EHCP",
        "i run away from home alot. last time the police came and took me back",
        "thx so much 4 the help lol",
        "My son Kacper is in Year 4 and Mrs Wójcik the SENCO is great.",
    ],
)
def test_short_or_english_text_stays_english(text):
    assert analysis.detect_language(text) == analysis.ENGLISH


def test_other_language_is_withheld_not_analysed_as_english():
    context = analysis.AnalysisContext(objective_cues=analysis.load_objective_cues())
    result = analysis.analyse(OTHER_LANGUAGES[0][0], context=context)
    assert result.needs_translation and result.withheld
    assert (result.language, result.language_name) == ("pl", "Polish")
    assert "Kacper" not in result.redacted_text and "Polish" in result.redacted_text
    assert result.sentiment.label == "" and not result.themes and not result.objectives
    assert not result.key_phrases


def test_patterns_still_screen_text_in_another_language():
    context = analysis.AnalysisContext()
    result = analysis.analyse("Mój syn mówi, że chce umrzeć. He said he wants to die.", context=context)
    assert result.safeguarding.flagged


@pytest.mark.django_db
def test_item_is_routed_and_withheld_in_the_inbox(feedback_setup, ingest, client, make_user):
    from feedback import selectors

    item = ingest(text=OTHER_LANGUAGES[0][0], source_ref="surveys.answer:77")
    assert item.analysis_state == FeedbackItem.AnalysisState.DONE
    detail = ItemAnalysis.objects.get(item=item)
    assert (detail.language, detail.language_name, detail.needs_translation) == ("pl", "Polish", True)
    assert item.redacted_text == analysis.withheld_message("Polish")
    assert item.display_text == analysis.withheld_message("Polish")
    assert item.sentiment == "" and not item.objective_tags.exists() and not item.key_phrases
    assert list(selectors.feedback_inbox(filters={"needs_translation": "yes"})) == [item]

    team = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    lead = make_user(Role.SAFEGUARDING_LEAD, totp=True)
    assert selectors.withheld_source_refs(source_refs=["surveys.answer:77"], user=team) == {
        "surveys.answer:77"
    }
    assert selectors.withheld_source_refs(source_refs=["surveys.answer:77"], user=lead) == set()
    sign_in(client, team)
    page = client.get("/admin/feedback/").content.decode()
    assert "written in Polish" in page and "Kacper" not in page and "czeka" not in page
    page = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "Kacper" not in page and "czeka" not in page


def test_detection_needs_no_network(monkeypatch):
    import socket

    def guard(*args, **kwargs):
        raise AssertionError("language detection tried to use the network")

    setaside._language_detector.cache_clear()  # build it again with sockets blocked
    monkeypatch.setattr(socket, "socket", guard)
    monkeypatch.setattr(socket, "create_connection", guard)
    assert analysis.detect_language(OTHER_LANGUAGES[2][0]) == ("ro", "Romanian")
