import io

import pytest
from openpyxl import Workbook

from feedback.models import AuditEntry, FeedbackItem, ObjectiveTag, SafeguardingAlert
from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user, client):
    user = make_user(Role.ENGAGEMENT_TEAM, totp=True, organisation="Oxfordshire County Council")
    sign_in(client, user)
    return user


@pytest.fixture
def items(feedback_setup, ingest):
    return [
        ingest(
            text="We waited 40 weeks for the EHCP. Our caseworker Jenny Smith never replies.",
            locality="north",
            contact_email="mum@example.org",
        ),
        ingest(
            text="The SENCO was brilliant and the transition to secondary went well.",
            audience="professional",
            channel="focus_group",
        ),
        ingest(text="She has started cutting herself and says she wants to die."),
    ]


def test_roles_permissions(feedback_setup, make_user):
    lead = make_user(Role.SAFEGUARDING_LEAD)
    team = make_user(Role.ENGAGEMENT_TEAM)
    assert lead.has_perm("feedback.view_original_text")
    assert not team.has_perm("feedback.view_original_text")
    assert team.has_perm("feedback.triage_feedbackitem") and team.has_perm("feedback.change_theme")
    assert not team.has_perm("feedback.view_safeguardingalert")


def test_inbox_lists_redacted_text_and_filters(client, staff, items):
    html = client.get("/admin/feedback/").content.decode()
    assert "Jenny" not in html and "[name]" in html
    assert "mum@example.org" not in html
    assert "cutting" not in html  # safeguarding item text hidden from the engagement team
    assert "referred to the safeguarding lead" in html
    html = client.get("/admin/feedback/?channel=focus_group").content.decode()
    assert (
        f"/admin/feedback/item/{items[1].pk}/" in html and f"/admin/feedback/item/{items[0].pk}/" not in html
    )
    for query in (
        "status=new",
        "audience=professional",
        "objective=PAP3A:1",
        "theme=named+worker",
        "sentiment=negative",
        "analysis_state=failed",
        "locality=north",
        "date_from=2020-01-01&date_to=2100-01-01",
        "q=EHCP",
    ):
        assert client.get(f"/admin/feedback/?{query}").status_code == 200
    html = client.get("/admin/feedback/?objective=PAP3A:1").content.decode()
    assert f"/admin/feedback/item/{items[0].pk}/" in html


def test_item_detail_triage_and_audit(client, staff, items):
    item = items[0]
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "Jenny" not in html and "PAP3A:1" in html
    client.post(
        f"/admin/feedback/item/{item.pk}/", {"action": "set_tags", "objectives": ["PAP3A:1", "PAP2B:2"]}
    )
    confirmed = set(item.objective_tags.filter(state="confirmed").values_list("objective__code", flat=True))
    assert confirmed == {"PAP3A:1", "PAP2B:2"}
    client.post(
        f"/admin/feedback/item/{item.pk}/",
        {
            "action": "triage",
            "status": "actioned",
            "owner": staff.pk,
            "owner_organisation": "OCC SEND",
            "note": "Passed to the SEND casework team",
        },
    )
    item.refresh_from_db()
    assert item.status == "actioned" and item.owner == staff and item.owner_organisation == "OCC SEND"
    assert item.notes.get().text == "Passed to the SEND casework team"
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "History" in html and "actioned" in html
    assert AuditEntry.objects.filter(item=item, actor=staff).count() >= 3


def test_bulk_actions(client, staff, items):
    ids = [items[0].pk, items[1].pk]
    client.post("/admin/feedback/bulk/", {"items": ids, "action": "confirm_tags"})
    assert not ObjectiveTag.objects.filter(item_id__in=ids, state="suggested").exists()
    client.post("/admin/feedback/bulk/", {"items": ids, "action": "assign", "owner": staff.pk})
    client.post("/admin/feedback/bulk/", {"items": ids, "action": "actioned"})
    assert set(FeedbackItem.objects.filter(pk__in=ids).values_list("status", "owner")) == {
        ("actioned", staff.pk)
    }
    response = client.post("/admin/feedback/bulk/", {"items": ids, "action": "closed"}, follow=True)
    assert "Give a reason" in response.content.decode()
    client.post("/admin/feedback/bulk/", {"items": ids, "action": "closed", "close_reason": "Duplicate"})
    assert set(FeedbackItem.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"closed"}


def test_original_text_only_for_safeguarding_lead(client, make_user, items):
    item = items[2]
    lead = make_user(Role.SAFEGUARDING_LEAD, totp=True)
    sign_in(client, lead)
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "cutting herself" in html
    alert = SafeguardingAlert.objects.get(item=item)
    assert client.get("/admin/feedback/alerts/").status_code == 200
    assert "cutting herself" in client.get(f"/admin/feedback/alerts/{alert.pk}/").content.decode()
    client.post(f"/admin/feedback/alerts/{alert.pk}/", {"state": "acknowledged", "notes": "Called family"})
    alert.refresh_from_db()
    assert alert.state == "acknowledged" and alert.handled_by == lead


def test_engagement_team_cannot_see_originals_or_alerts(client, staff, items):
    html = client.get(f"/admin/feedback/item/{items[0].pk}/").content.decode()
    assert "mum@example.org" not in html and "Jenny" not in html
    response = client.get("/admin/feedback/alerts/")
    assert response.status_code in (302, 403) and "cutting" not in response.content.decode()


def test_public_roles_cannot_reach_the_inbox(client, make_user, items):
    sign_in(client, make_user(Role.PARENT_CARER))
    assert client.get("/admin/feedback/").status_code in (302, 403)


def test_staff_entry(client, staff, feedback_setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/feedback/new/",
            {
                "text": "Parents at the keep in touch meeting said transport is late.",
                "channel": "keep_in_touch",
                "received_on": "2024-06-12",
                "audience": "parent_carer",
                "locality": "south",
            },
        )
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.entered_by == staff and item.channel == "keep_in_touch" and item.received_at.month == 6
    assert item.analysis_state == "done"


def _csv(text: str):
    f = io.BytesIO(text.encode())
    f.name = "feedback.csv"
    return f


def test_import_with_errors_imports_nothing_unless_asked(client, staff, feedback_setup):
    data = (
        "text,channel,date,audience,locality\n"
        "Transport was late again,phone,2024-06-03,parent_carer,north\n"
        ",email,2024-06-04,parent_carer,\n"
        "Named worker helped,carrier pigeon,31/02/2024,alien,west\n"
        "Good sounding board,Sounding board,05/06/2024,Professional,South\n"
    )
    response = client.post("/admin/feedback/import/", {"file": _csv(data)})
    html = response.content.decode()
    assert FeedbackItem.objects.count() == 0
    assert "Enter the feedback text" in html and "carrier pigeon" in html and "is not a locality" in html
    assert "Nothing was imported" in html
    client.post("/admin/feedback/import/", {"file": _csv(data), "import_valid_rows": "on"})
    assert FeedbackItem.objects.count() == 2
    assert set(FeedbackItem.objects.values_list("channel", flat=True)) == {"phone", "sounding_board"}
    assert all(i.entered_by == staff for i in FeedbackItem.objects.all())


def test_import_xlsx(client, staff, feedback_setup):
    from datetime import date

    book = Workbook()
    sheet = book.active
    sheet.append(["Text", "Channel", "Date", "Audience", "Consent to quote"])
    sheet.append(
        [
            "Focus group: EHCP delays are the biggest worry",
            "focus_group",
            date(2024, 6, 20),
            "parent_carer",
            "yes",
        ]
    )
    sheet.append(
        ["SEND conversation about transition", "send_conversation", "2024-07-01", "young_person", "no"]
    )
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "feedback.xlsx"
    client.post("/admin/feedback/import/", {"file": buf})
    assert FeedbackItem.objects.count() == 2
    assert FeedbackItem.objects.filter(consent_to_quote=True, channel="focus_group").count() == 1


def test_import_rejects_other_files(client, staff, feedback_setup):
    f = io.BytesIO(b"hello")
    f.name = "notes.txt"
    html = client.post("/admin/feedback/import/", {"file": f}).content.decode()
    assert "must be a CSV or an Excel" in html


def test_theme_and_school_snippets_are_editable(client, staff, feedback_setup):
    assert client.get("/admin/snippets/feedback/theme/").status_code == 200
    assert client.get("/admin/snippets/feedback/school/").status_code == 200
    assert client.get("/admin/snippets/feedback/theme/?q=transport").status_code == 200
