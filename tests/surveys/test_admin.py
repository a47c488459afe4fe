"""The survey builder and tools in the Wagtail admin, and who may use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from surveys.models import Invitation, Survey, SurveyVersion
from tests.auth import sign_in


@pytest.fixture
def team(client, make_user):
    sign_in(client, make_user("engagement_team", totp=True))
    return client


def _survey_form(**overrides):
    data = {
        "title": "Short breaks survey",
        "slug": "short-breaks",
        "audience": "parent_carer",
        "intro": "About short breaks.",
        "easy_intro": "",
        "privacy_notice": "We keep answers 2 years.",
        "opens_at": "",
        "closes_at": "",
        "anonymous": "on",
        "open_to_anyone": "on",
        "status": "open",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, (key, kind, text, extra) in enumerate(
        [
            ("used", "yes_no", "Have you used short breaks?", {}),
            (
                "rating",
                "likert",
                "Short breaks meet our needs",
                {"show_if_key": "used", "show_if_op": "equals", "show_if_values": "Yes"},
            ),
        ]
    ):
        prefix = f"questions-{i}-"
        data.update(
            {
                f"{prefix}key": key,
                f"{prefix}kind": kind,
                f"{prefix}text": text,
                f"{prefix}required": "on",
                f"{prefix}scale_points": "5",
                f"{prefix}ORDER": str(i + 1),
                f"{prefix}id": "",
                f"{prefix}DELETE": "",
            }
        )
        data.update({f"{prefix}{k}": v for k, v in extra.items()})
    data.update(overrides)
    return data


def test_builder_create_opens_and_publishes(team, plan):
    assert team.get("/admin/snippets/surveys/survey/add/").status_code == 200
    objective = plan.areas.get(code="PAP1").objectives.first()
    resp = team.post(
        "/admin/snippets/surveys/survey/add/", _survey_form(**{"questions-1-objectives": [str(objective.pk)]})
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    survey = Survey.objects.get(slug="short-breaks")
    version = SurveyVersion.objects.get(survey=survey)
    assert survey.status == "open"
    assert [q["key"] for q in version.definition["questions"]] == ["used", "rating"]
    assert version.definition["questions"][1]["show_if"] == {"key": "used", "op": "equals", "values": ["yes"]}
    assert version.definition["questions"][1]["objectives"] == [objective.code]
    # Editing an open survey's question makes version 2; version 1 stays as it was.
    data = _survey_form()
    data.update({"questions-INITIAL_FORMS": "2"})
    for i, q in enumerate(survey.questions.order_by("sort_order")):
        data[f"questions-{i}-id"] = str(q.pk)
    data["questions-0-text"] = "Have you ever used short breaks?"
    resp = team.post(f"/admin/snippets/surveys/survey/edit/{survey.pk}/", data)
    assert resp.status_code == 302
    assert list(survey.versions.values_list("number", flat=True)) == [1, 2]
    assert survey.versions.get(number=1).definition["questions"][0]["text"] == "Have you used short breaks?"


def test_tools_pages_for_team(team, simple_survey):
    assert team.get("/admin/survey-tools/").status_code == 200
    resp = team.get(f"/admin/survey-tools/{simple_survey.pk}/results/?outside_team=on&date_from=nonsense")
    assert resp.status_code == 200 and "Pick a colour" in resp.content.decode()
    resp = team.get(f"/admin/survey-tools/{simple_survey.pk}/invitations/")
    assert resp.status_code == 200


def test_results_page_has_chart_and_table(team, demo):
    survey = Survey.objects.get(slug="young-people")
    html = team.get(f"/admin/survey-tools/{survey.pk}/results/").content.decode()
    assert "<svg" in html and "<table" in html and 'id="response-count">20<' in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_invite_one_and_csv(team, simple_survey, django_capture_on_commit_callbacks):
    url = f"/admin/survey-tools/{simple_survey.pk}/invitations/"
    resp = team.post(url, {"one-submit": "1", "one-email": "", "one-reference": "EHCNA-5"})
    html = resp.content.decode()
    assert 'id="new-link"' in html and Invitation.objects.count() == 1
    upload = SimpleUploadedFile(
        "people.csv", b"email,name,reference\na@example.org,Ann,EHCNA-1\n", content_type="text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        resp = team.post(url, {"csv-submit": "1", "csv-file": upload})
    assert resp.status_code == 302 and Invitation.objects.count() == 2
    bad = SimpleUploadedFile("bad.csv", b"email\nnope\n", content_type="text/csv")
    resp = team.post(url, {"csv-submit": "1", "csv-file": bad}, follow=True)
    assert "is not an email address" in resp.content.decode() and Invitation.objects.count() == 2


def test_status_change(team, simple_survey):
    team.post(f"/admin/survey-tools/{simple_survey.pk}/status/", {"status": "closed"})
    simple_survey.refresh_from_db()
    assert simple_survey.status == "closed"


@pytest.mark.parametrize("role", ["board_member", "parent_carer", "safeguarding_lead"])
def test_others_get_no_raw_data(client, make_user, simple_survey, role):
    sign_in(client, make_user(role, totp=True))
    for path in (
        f"/admin/survey-tools/{simple_survey.pk}/results/",
        f"/admin/survey-tools/{simple_survey.pk}/export.csv",
        f"/admin/survey-tools/{simple_survey.pk}/invitations/",
    ):
        assert client.get(path).status_code in (302, 403)


def test_roles_sync_gives_permissions(db):
    from portal.services import roles_sync
    from tests.factories import user_with_role

    roles_sync()
    team = user_with_role("engagement_team")
    admin = user_with_role("administrator")
    board = user_with_role("board_member")
    assert team.has_perm("surveys.export_responses") and not team.has_perm("surveys.view_personal_data")
    assert admin.has_perm("surveys.view_personal_data") and admin.has_perm("surveys.delete_survey")
    assert not board.has_perm("surveys.view_response") and not board.has_perm("surveys.view_results")


def test_results_escape_editor_and_respondent_text(team, db):
    from surveys import services
    from surveys.models import Audience
    from surveys.questions import Kind

    survey = services.survey_create(
        title="X",
        slug="x",
        audience=Audience.PARENT_CARER,
        intro="i",
        privacy_notice="p",
        questions=[
            {"key": "pick", "kind": Kind.SINGLE, "text": "Pick", "options": "<script>a</script>\nB"},
            {"key": "say", "kind": Kind.SHORT_TEXT, "text": "Say", "required": False},
        ],
    )
    value = survey.current_version().definition["questions"][0]["options"][0]["value"]
    for _ in range(5):
        r = services.response_start(survey=survey)
        services.response_save_answers(response=r, values={"pick": value, "say": "<img src=x>"})
        services.response_submit(response=r)
    html = team.get(f"/admin/survey-tools/{survey.pk}/results/").content.decode()
    assert "<script>a</script>" not in html and "<img src=x>" not in html
    assert "&lt;img src=x&gt;" in html
