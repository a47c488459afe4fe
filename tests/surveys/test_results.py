"""Results, suppression, KPI values and exports, checked against a seeded set of responses."""

import csv
import io
from collections import Counter
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.disclosure import NOT_SHOWN
from surveys import selectors, services
from surveys.models import Response, Survey
from tests.auth import sign_in


def submit(survey, answers, invitation=None, when=None):
    response = services.response_start(survey=survey, invitation=invitation)
    services.response_save_answers(response=response, values=answers)
    return services.response_submit(response=response, now=when)


@pytest.fixture
def answered(simple_survey):
    """A known set: 6 red, 3 blue (with reasons), 1 other; counts in `agree` known."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    june = datetime(2024, 6, 12, 10, tzinfo=ZoneInfo("Europe/London"))
    for i in range(6):
        submit(simple_survey, {"colour": "red", "agree": "agree", "count": str(i)}, when=june)
    for i in range(3):
        submit(simple_survey, {"colour": "blue", "why-blue": f"Reason {i}", "agree": "disagree"})
    submit(
        simple_survey,
        {
            "colour": "other",
            "colour.other": '=HYPERLINK("http://x")',
            "agree": "strongly_agree",
            "comment": "@SUM(A1) my son Tom",
        },
    )
    return simple_survey


def rows(result, key):
    q = next(q for q in result.questions if q.key == key)
    return {r.label: r.count for r in q.rows}, q


def test_counts_per_option(answered):
    result = selectors.survey_results(survey=answered)
    assert result.responses == 10
    counts, q = rows(result, "colour")
    assert counts == {"Red": 6, "Blue": 3, "Green": 0, "Other": 1}
    assert q.answered == 10 and q.rows[0].percent == 60.0
    counts, _ = rows(result, "agree")
    assert counts["Agree"] == 6 and counts["Disagree"] == 3 and counts["Strongly agree"] == 1
    count_q = next(q for q in result.questions if q.key == "count")
    assert count_q.stats["mean"] == 2.5 and count_q.stats["max"] == 5
    why = next(q for q in result.questions if q.key == "why-blue")
    assert sorted(why.texts) == ["Reason 0", "Reason 1", "Reason 2"]


def test_date_filter(answered):
    june = selectors.Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 30))
    assert selectors.survey_results(survey=answered, filters=june).responses == 6
    professionals = selectors.Filters(audience="professional")
    assert selectors.survey_results(survey=answered, filters=professionals).responses == 0


def test_small_numbers_suppressed_outside_team(answered):
    result = selectors.survey_results(survey=answered, suppress=True)
    counts, colour = rows(result, "colour")
    # Blue 3 and Other 1 are small; together (10 answered - 6 red = 4) they would still be a
    # small number anyone could work out, so Red is not shown either. Nobody chose green: 0.
    assert counts == {"Red": NOT_SHOWN, "Blue": None, "Green": 0, "Other": None}
    assert colour.answered == 10 and [r.percent for r in colour.rows] == [None, None, 0.0, None]
    why = next(q for q in result.questions if q.key == "why-blue")
    assert why.answered is None and why.suppressed and why.texts == []
    assert "min" not in next(q for q in result.questions if q.key == "count").stats
    # The 4 answered today are too few to show anything about.
    today = selectors.Filters(date_from=timezone.localdate())
    tiny = selectors.survey_results(survey=answered, filters=today, suppress=True)
    assert tiny.responses is None and all(q.answered is None for q in tiny.questions)
    # Nobody answered on 1 June: that is shown as 0, not hidden as a small number.
    june = selectors.Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 1))
    empty = selectors.survey_results(survey=answered, filters=june, suppress=True)
    assert empty.responses == 0 and all(q.answered == 0 for q in empty.questions)


def test_multiple_choice_counts_options_not_combinations(db):
    from surveys.models import Audience
    from surveys.questions import Kind

    survey = services.survey_create(
        title="M",
        slug="m",
        audience=Audience.PROFESSIONAL,
        intro="i",
        privacy_notice="p",
        questions=[{"key": "who", "kind": Kind.MULTIPLE, "text": "Who?", "options": "A\nB\nC"}],
    )
    for chosen in (["a", "b"], ["a"], ["b", "c"], ["a", "b", "c"]):
        submit(survey, {"who": chosen})
    counts, q = rows(selectors.survey_results(survey=survey), "who")
    assert counts == {"A": 3, "B": 3, "C": 2}
    assert q.rows[0].percent == 75.0


def test_demo_results_match_seeded_answers(demo):
    """The results page numbers equal an independent count of the stored answers."""
    survey = Survey.objects.get(slug="after-your-ehc-needs-assessment")
    result = selectors.survey_results(survey=survey)
    submitted = Response.objects.filter(survey=survey, status="submitted")
    assert result.responses == submitted.count() == 32
    assert result.invitations == 40 and result.invited_responses == 20 and result.rate == 50.0
    expected = Counter(r.answers["overall"] for r in submitted)
    counts, _ = rows(result, "overall")
    assert {label.split(" – ")[0]: n for label, n in counts.items()} == {
        str(i): expected.get(str(i), 0) for i in range(1, 6)
    }
    matrix = next(q for q in result.questions if q.key == "plan-quality")
    issued = [r for r in submitted if r.answers["outcome"] == "an-ehc-plan-was-issued"]
    assert sum(r.count for r in matrix.matrix[0][1]) == len(issued)
    assert all("plan-quality" not in r.answers for r in submitted if r not in issued)
    june = selectors.Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 30))
    assert selectors.survey_results(survey=survey, filters=june).responses == sum(
        1 for r in submitted if (r.submitted_at.year, r.submitted_at.month) == (2024, 6)
    )


def test_kpi_satisfaction(demo):
    value, n = selectors.kpi_satisfaction(kpi_code="KPI-SATISFACTION-PARENTS")
    good = total = 0
    for survey in Survey.objects.filter(audience="parent_carer"):
        for r in survey.responses.filter(status="submitted"):
            for key in ("kept-informed", "views-heard", "child-views"):
                if key in r.answers:
                    total += 1
                    good += r.answers[key] in ("agree", "strongly_agree")
            total += 1
            good += r.answers["overall"] in ("4", "5")
    assert n == total and value == round(100 * good / total, 1)
    assert selectors.kpi_satisfaction(kpi_code="KPI-SATISFACTION-CYP")[1] == 40


def test_export_csv_and_xlsx(answered, client, make_user):
    header, table = selectors.export_table(survey=answered)
    assert header[:4] == ["Response", "Survey version", "Submitted at", "Audience"]
    assert "Pick a colour [colour]" in header and "Pick a colour – other [colour.other]" in header
    assert len(table) == 10 and "Invitation email" not in header
    other_row = table[-1]
    assert other_row[header.index("Pick a colour [colour]")] == "Other"

    user = make_user("engagement_team", totp=True)
    sign_in(client, user)
    resp = client.get(f"/admin/survey-tools/{answered.pk}/export.csv")
    assert resp.status_code == 200
    lines = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(lines) == 11
    flat = [cell for line in lines for cell in line]
    # Formula-looking answers are neutralised (and free text is redacted for the team).
    assert any(cell.startswith("'=HYPERLINK") for cell in flat)
    assert any(cell.startswith("'@SUM(A1) my son") for cell in flat)
    assert not any(cell.startswith(("=", "@", "+")) for cell in flat)
    resp = client.get(
        f"/admin/survey-tools/{answered.pk}/export.xlsx", {"date_from": "2024-06-01", "date_to": "2024-06-30"}
    )
    sheet = load_workbook(io.BytesIO(resp.content)).active
    values = list(sheet.values)
    assert len(values) == 7  # header + the 6 June responses
    assert values[1][header.index("How many? [count]")] == 0  # numbers stay numbers


def test_export_personal_data_only_for_allowed_roles(simple_survey, client, make_user):
    simple_survey.anonymous = False
    simple_survey.save()
    invitation, _ = services.invitation_create(
        survey=simple_survey, email="p@example.org", reference="EHCNA-77"
    )
    submit(simple_survey, {"colour": "red", "agree": "agree"}, invitation=invitation)
    sign_in(client, make_user("engagement_team", totp=True))
    body = client.get(f"/admin/survey-tools/{simple_survey.pk}/export.csv").content.decode()
    assert "EHCNA-77" not in body and "p@example.org" not in body
    client.logout()  # the sign-in page sends someone already signed in to their home page
    sign_in(client, make_user("administrator", totp=True))
    body = client.get(f"/admin/survey-tools/{simple_survey.pk}/export.csv").content.decode()
    assert "EHCNA-77" in body and "p@example.org" in body
    # Anonymous surveys never link people to answers, whoever asks.
    simple_survey.anonymous = True
    simple_survey.save()
    body = client.get(f"/admin/survey-tools/{simple_survey.pk}/export.csv").content.decode()
    assert "EHCNA-77" not in body


def test_answers_stable_across_versions(answered):
    from surveys.models import Question

    Question.objects.filter(survey=answered, key="colour").update(text="Choose a colour")
    services.survey_publish(survey=answered)
    submit(answered, {"colour": "green", "agree": "agree"})
    header, table = selectors.export_table(survey=answered)
    col = header.index("Choose a colour [colour]")
    assert [row[col] for row in table].count("Red") == 6 and table[-1][col] == "Green"
    assert {row[1] for row in table} == {1, 2}
    counts, _ = rows(selectors.survey_results(survey=answered), "colour")
    assert counts["Green"] == 1 and counts["Red"] == 6
    v1 = selectors.survey_results(survey=answered, filters=selectors.Filters(version=1))
    assert v1.responses == 10


def test_kpi_reading_recorded(demo):
    from surveys.services import kpi_reading_from_surveys

    reading = kpi_reading_from_surveys(
        kpi_code="KPI-SATISFACTION-CYP", on=date(2026, 11, 1), label="November 2026"
    )
    value, n = selectors.kpi_satisfaction(kpi_code="KPI-SATISFACTION-CYP")
    assert float(reading.value) == value and reading.kpi.code == "KPI-SATISFACTION-CYP"
    assert "40 survey answers" in reading.note


def test_free_text_redacted(simple_survey):
    submit(
        simple_survey,
        {"colour": "red", "agree": "agree", "comment": "Email me at jo.bloggs@example.org or 07700 900123"},
    )
    result = selectors.survey_results(survey=simple_survey)
    [text] = next(q for q in result.questions if q.key == "comment").texts
    assert "jo.bloggs@example.org" not in text and "07700 900123" not in text
    assert text.startswith("Email me at ")


def test_export_gives_typed_text_only_to_readers_of_originals_and_never_anonymous(simple_survey, make_user):
    from portal.services import user_assign_role

    submit(simple_survey, {"colour": "red", "agree": "agree", "comment": "Call 07700 900123"})
    lead = make_user("engagement_team")
    user_assign_role(user=lead, role="safeguarding_lead")  # holds feedback.view_original_text
    for user in (None, make_user("engagement_team"), make_user("administrator"), lead):
        header, table = selectors.export_table(survey=simple_survey, user=user)
        col = header.index("Anything else? [comment]")
        assert "07700 900123" not in table[0][col]  # an anonymous survey: never as typed
    simple_survey.anonymous = False
    simple_survey.save()
    for user, typed in (
        (make_user("engagement_team"), False),
        (make_user("administrator"), False),
        (lead, True),
    ):
        header, table = selectors.export_table(survey=simple_survey, user=user)
        assert ("07700 900123" in table[0][col]) is typed
