"""Survey answers flagged for safeguarding are withheld in results and exports exactly as the
feedback inbox withholds them (same rule, same words), and typed (unredacted) free text leaves
only with the permission that lets the inbox show original text, never for an anonymous
survey (issue 18, finding 4)."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from feedback.models import FeedbackItem
from feedback.selectors import SAFEGUARDING_WITHHELD
from portal.models import AccessLogEntry
from portal.roles import Role
from portal.services import user_assign_role
from surveys import services
from surveys.models import Answer
from tests.auth import sign_in
from tests.people import named_survey, run_on_commit

pytestmark = pytest.mark.django_db

DISCLOSURE = "She has started cutting herself and says she wants to die."
PHONE = "07700 900123"
ORDINARY = f"The annual review was fine, ring me on {PHONE} about transport."


def _answer(survey, comment):
    """Submit a response and feed its free text to feedback, with analysis run (eager Celery)."""
    response = services.response_start(survey=survey)
    services.response_save_answers(response=response, values={"rating": "good", "comment": comment})
    run_on_commit(services.response_submit, response=response)
    run_on_commit(services.answers_feed_feedback, response_id=response.pk)
    answer = Answer.objects.get(response=response, question_key="comment")
    return FeedbackItem.objects.get(source_ref=f"surveys.answer:{answer.pk}")


@pytest.fixture(params=["named", "anonymous"])
def survey(request, db):
    survey = named_survey()
    if request.param == "anonymous":
        survey.anonymous = True
        survey.save()
    flagged = _answer(survey, DISCLOSURE)
    ordinary = _answer(survey, ORDINARY)
    assert flagged.safeguarding and not ordinary.safeguarding  # the real pipeline decided
    return survey


def _client(make_user, *roles) -> Client:
    user = make_user(roles[0], totp=True)
    for role in roles[1:]:
        user_assign_role(user=user, role=role)
    client = Client()
    sign_in(client, user)
    return client


def _results(client, survey) -> str:
    response = client.get(f"/admin/survey-tools/{survey.pk}/results/")
    assert response.status_code == 200
    return response.content.decode()


def _exports(client, survey) -> dict[str, str]:
    """Each export's cells joined into one text (CSV and XLSX)."""
    out = {}
    response = client.get(f"/admin/survey-tools/{survey.pk}/export.csv")
    assert response.status_code == 200
    out["csv"] = "\n".join(
        "|".join(row) for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    )
    response = client.get(f"/admin/survey-tools/{survey.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    out["xlsx"] = "\n".join("|".join("" if v is None else str(v) for v in row) for row in sheet.values)
    return out


@pytest.mark.parametrize("role", [Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR])
def test_flagged_answer_is_withheld_from_results_and_exports(make_user, survey, role):
    client = _client(make_user, role)
    html = _results(client, survey)
    assert "cutting herself" not in html and "wants to die" not in html
    assert SAFEGUARDING_WITHHELD in html
    assert "annual review was fine" in html and PHONE not in html  # others: redacted, as before
    for fmt, text in _exports(client, survey).items():
        assert "cutting herself" not in text and "wants to die" not in text, fmt
        assert SAFEGUARDING_WITHHELD in text, fmt
        assert "annual review was fine" in text and PHONE not in text, fmt
    # The same words the inbox shows this role for the same item.
    inbox = client.get("/admin/feedback/").content.decode()
    assert SAFEGUARDING_WITHHELD in inbox and "cutting herself" not in inbox


def test_an_administrator_cannot_get_an_unredacted_export(make_user, survey):
    client = _client(make_user, Role.ADMINISTRATOR)
    for fmt, text in _exports(client, survey).items():
        assert PHONE not in text and "cutting herself" not in text, fmt
    # Invitation and account columns still come with a named survey, and that is recorded.
    entries = AccessLogEntry.objects.filter(action="export_personal")
    if survey.anonymous:
        assert not entries.exists()
    else:
        assert entries.count() == 2
        assert {e.detail["unredacted_text"] for e in entries} == {False}


def test_the_safeguarding_lead_reads_flagged_answers_as_in_the_inbox(make_user, survey):
    # The safeguarding lead holds no survey permissions: no results, no exports.
    lead = _client(make_user, Role.SAFEGUARDING_LEAD)
    for path in (f"/admin/survey-tools/{survey.pk}/results/", f"/admin/survey-tools/{survey.pk}/export.csv"):
        assert lead.get(path).status_code in (302, 403)
    # Someone who may read original text in the inbox and also works with surveys reads the
    # flagged answer (redacted, as the inbox lists it) in results.
    both = _client(make_user, Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD)
    html = _results(both, survey)
    assert "cutting herself" in html and PHONE not in html
    exports = _exports(both, survey)
    if survey.anonymous:
        # Never typed text from an anonymous survey, whoever asks; nothing personal is recorded.
        for fmt, text in exports.items():
            assert "cutting herself" in text and PHONE not in text, fmt
        assert not AccessLogEntry.objects.filter(action="export_personal").exists()
    else:
        for fmt, text in exports.items():
            assert "cutting herself" in text and PHONE in text, fmt
        entries = AccessLogEntry.objects.filter(action="export_personal")
        assert entries.count() == 2 and {e.detail["unredacted_text"] for e in entries} == {True}
