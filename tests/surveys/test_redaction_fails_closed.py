"""Privacy fails closed: if redaction raises, free text (answers to text questions and "other,
please say") is withheld in results and exports with a clear message, never shown as typed;
retention leaves it for the next run rather than losing it."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from feedback import services as feedback_services
from surveys import selectors, services
from surveys.models import Answer, Response
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

COMMENT = "Email me at jo.bloggs@example.org or ring 07700 900123"
OTHER_TEXT = "Ask Jo Bloggs at 12 Acacia Avenue"
RAW = ("jo.bloggs@example.org", "07700 900123", "Acacia Avenue", "Jo Bloggs")


@pytest.fixture
def answered(simple_survey):
    response = services.response_start(survey=simple_survey)
    services.response_save_answers(
        response=response,
        values={"colour": "other", "colour.other": OTHER_TEXT, "agree": "agree", "comment": COMMENT},
    )
    services.response_submit(response=response)
    return simple_survey


@pytest.fixture
def redaction_down(monkeypatch):
    def broken(text):
        raise RuntimeError("the school list could not be loaded")

    monkeypatch.setattr(feedback_services, "redact_text", broken)


def _no_raw(text: str) -> None:
    for raw in RAW:
        assert raw not in text


def test_results_withhold_text_that_cannot_be_redacted(answered, redaction_down):
    result = selectors.survey_results(survey=answered)
    texts = {q.key: q.texts for q in result.questions if q.texts}
    assert texts == {"comment": [selectors.REDACTION_FAILED], "colour.other": [selectors.REDACTION_FAILED]}


def test_exports_withhold_text_that_cannot_be_redacted(answered, redaction_down, make_user):
    for user in (None, make_user("engagement_team"), make_user("administrator")):
        header, table = selectors.export_table(survey=answered, user=user)
        [row] = table
        assert row[header.index("Anything else? [comment]")] == selectors.REDACTION_FAILED
        assert row[header.index("Pick a colour – other [colour.other]")] == selectors.REDACTION_FAILED
        _no_raw(repr(row))


def test_admin_screens_show_and_export_the_withheld_message(answered, redaction_down, make_user):
    client = Client()
    sign_in(client, make_user("engagement_team", totp=True))
    html = client.get(f"/admin/survey-tools/{answered.pk}/results/").content.decode()
    assert selectors.REDACTION_FAILED in html
    _no_raw(html)
    response = client.get(f"/admin/survey-tools/{answered.pk}/export.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert selectors.REDACTION_FAILED in text
    _no_raw(text)
    response = client.get(f"/admin/survey-tools/{answered.pk}/export.xlsx")
    assert response.status_code == 200
    cells = [str(v) for row in load_workbook(io.BytesIO(response.content)).active.values for v in row]
    assert selectors.REDACTION_FAILED in cells
    _no_raw(" ".join(cells))
    assert list(csv.reader(io.StringIO(text)))  # still a well-formed file


def test_retention_keeps_text_for_the_next_run_when_redaction_fails(answered, redaction_down):
    later = timezone.now() + timedelta(days=3650)
    with pytest.raises(RuntimeError):
        services.free_text_redact(before=later, now=later)
    response = Response.objects.get(survey=answered)
    assert response.free_text_redacted_at is None
    assert response.answers["comment"] == COMMENT
    assert Answer.objects.get(question_key="comment").text == COMMENT
