"""Learning from staff (feedback.labels): every triage decision writes a label, the "should have
been flagged" button raises an alert at once, retraining is gated on the held-out figures, and
the admin shows which model version analysed an item.

The sentences here are written for these tests (not taken from any evaluation set)."""

import pytest
from django.core.management import call_command

from feedback import labels, learning
from feedback.models import AnalysisModel, AuditEntry, ObjectiveTag, SafeguardingAlert, StaffLabel
from feedback.services import feedback_tags_confirm, safeguarding_alert_update
from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

ORDINARY = "The EHCP annual review was late again and nobody at the council returned my calls."


@pytest.fixture
def team(make_user):
    return make_user(Role.ENGAGEMENT_TEAM, totp=True)


@pytest.fixture
def lead(make_user):
    return make_user(Role.SAFEGUARDING_LEAD, totp=True)


@pytest.fixture
def item(feedback_setup, ingest):
    return ingest(text=ORDINARY + " Call me on 07700 900123.")


# --- Labels from decisions ------------------------------------------------------------------


def test_confirming_and_rejecting_tags_write_labels(item, team, plan):
    from portal.models import Objective

    codes = list(
        Objective.objects.filter(area__plan__is_current=True)
        .order_by("code")
        .values_list("code", flat=True)[:2]
    )
    ObjectiveTag.objects.filter(item=item).delete()
    ObjectiveTag.objects.create(item=item, objective=Objective.objects.get(code=codes[0]), confidence=0.5)
    ObjectiveTag.objects.create(item=item, objective=Objective.objects.get(code=codes[1]), confidence=0.4)
    feedback_tags_confirm(item=item, actor=team, codes=[codes[0]])
    got = set(StaffLabel.objects.filter(item=item).values_list("kind", "value", "actor"))
    assert got == {
        (StaffLabel.Kind.OBJECTIVE_CONFIRMED, codes[0], team.pk),
        (StaffLabel.Kind.OBJECTIVE_REJECTED, codes[1], team.pk),
    }
    # Saving the same decision again is not a new label.
    feedback_tags_confirm(item=item, actor=team, codes=[codes[0]])
    assert StaffLabel.objects.filter(item=item).count() == 2


def test_confirming_suggestions_writes_labels(item, team):
    suggested = set(
        ObjectiveTag.objects.filter(item=item, state="suggested").values_list("objective__code", flat=True)
    )
    assert suggested, "the pipeline should suggest an objective for this text"
    feedback_tags_confirm(item=item, actor=team)
    assert (
        set(StaffLabel.objects.filter(item=item, kind="objective_confirmed").values_list("value", flat=True))
        == suggested
    )


def test_not_a_concern_closes_the_alert_and_writes_a_label(item, lead):
    alert = SafeguardingAlert.objects.create(item=item, reasons=["test"])
    safeguarding_alert_update(alert=alert, actor=lead, state="acknowledged")
    assert not StaffLabel.objects.exists()  # acknowledging is not a label
    safeguarding_alert_update(alert=alert, actor=lead, state="open", not_a_concern=True)
    alert.refresh_from_db()
    assert alert.state == SafeguardingAlert.State.CLOSED
    assert list(StaffLabel.objects.values_list("kind", "actor")) == [("not_a_concern", lead.pk)]
    assert AuditEntry.objects.filter(item=item, action="alert_updated", changes__outcome="not_a_concern")


def test_alert_page_not_a_concern_button(client, item, lead):
    alert = SafeguardingAlert.objects.create(item=item, reasons=["test"])
    sign_in(client, lead)
    html = client.get(f"/admin/feedback/alerts/{alert.pk}/").content.decode()
    assert 'value="not_a_concern"' in html
    client.post(f"/admin/feedback/alerts/{alert.pk}/", {"state": "open", "outcome": "not_a_concern"})
    alert.refresh_from_db()
    assert alert.state == "closed"
    assert StaffLabel.objects.filter(item=item, kind="not_a_concern").count() == 1


def test_training_rows_use_the_redacted_text(item, team, lead):
    alert = SafeguardingAlert.objects.create(item=item, reasons=["test"])
    safeguarding_alert_update(alert=alert, actor=lead, state="closed", not_a_concern=True)
    rows = labels.labels_for_training()
    assert rows == [{"text": item.redacted_text, "safeguarding": False}]
    assert "07700" not in rows[0]["text"]
    # A later "should have been flagged" overrides the earlier decision.
    labels.item_flag_by_staff(item=item, actor=team)
    assert labels.labels_for_training()[0]["safeguarding"] is True


# --- The "should have been flagged" button ----------------------------------------------------


def test_button_raises_an_alert_and_writes_a_label(client, item, team, django_capture_on_commit_callbacks):
    assert not SafeguardingAlert.objects.filter(item=item).exists()
    sign_in(client, team)
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert 'value="should_have_flagged"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/feedback/item/{item.pk}/", {"action": "should_have_flagged"})
    assert response.status_code == 302
    alert = SafeguardingAlert.objects.get(item=item)
    assert alert.reasons == [labels.FLAGGED_BY_STAFF]
    assert list(StaffLabel.objects.values_list("kind", "actor")) == [("should_have_flagged", team.pk)]
    assert AuditEntry.objects.filter(item=item, action="flagged_by_staff", actor=team).exists()
    item.refresh_from_db()
    assert item.safeguarding


def test_button_on_flagged_item_keeps_the_one_alert(item, team):
    alert = SafeguardingAlert.objects.create(item=item, reasons=["pattern"])
    labels.item_flag_by_staff(item=item, actor=team)
    assert list(SafeguardingAlert.objects.filter(item=item)) == [alert]
    assert SafeguardingAlert.objects.get(item=item).reasons == ["pattern"]
    assert StaffLabel.objects.filter(item=item, kind="should_have_flagged").count() == 1


def test_only_triage_roles_see_and_post_the_button(client, item, lead, make_user):
    sign_in(client, lead)  # may view items, may not triage
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert 'value="should_have_flagged"' not in html
    response = client.post(f"/admin/feedback/item/{item.pk}/", {"action": "should_have_flagged"})
    assert response.status_code in (302, 403)  # Wagtail turns PermissionDenied into a redirect
    assert not StaffLabel.objects.exists()
    board = make_user(Role.BOARD_MEMBER, totp=True)
    client.logout()
    sign_in(client, board)
    response = client.post(f"/admin/feedback/item/{item.pk}/", {"action": "should_have_flagged"})
    assert response.status_code in (302, 403)
    assert not StaffLabel.objects.exists()
    assert not SafeguardingAlert.objects.filter(item=item).exists()


def test_button_needs_csrf(client, item, team):
    from django.test import Client

    sign_in(client, team)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the signed-in session, without a CSRF token in the form
    response = strict.post(f"/admin/feedback/item/{item.pk}/", {"action": "should_have_flagged"})
    assert response.status_code == 403
    assert not StaffLabel.objects.exists()


# --- Model version on the admin pages -------------------------------------------------------------


def test_item_and_alert_pages_show_the_model_version(client, item, team, lead):
    version = item.analysis_detail.version
    assert version
    sign_in(client, team)
    assert version in client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    alert = SafeguardingAlert.objects.create(item=item, reasons=["test"])
    client.logout()
    sign_in(client, lead)
    assert version in client.get(f"/admin/feedback/alerts/{alert.pk}/").content.decode()


# --- The adoption gate ----------------------------------------------------------------------------

BASE = {
    "safeguarding_recall": 0.96,
    "safeguarding_false_alarm": 0.08,
    "sentiment_agreement": 0.78,
    "objective_top3": 0.85,
}


@pytest.mark.parametrize(
    "change, adopt",
    [
        ({}, True),
        ({"safeguarding_recall": 0.95}, False),
        ({"safeguarding_recall": 0.99, "safeguarding_false_alarm": 0.09}, True),
        ({"safeguarding_false_alarm": 0.10}, False),
        ({"sentiment_agreement": 0.77, "objective_top3": 0.84}, True),
        ({"sentiment_agreement": 0.75}, False),
        ({"objective_top3": 0.82}, False),
    ],
)
def test_gate_rule(change, adopt):
    ok, refused = labels.retrain_gate(BASE, {**BASE, **change})
    assert ok is adopt and bool(refused) is not adopt


def test_candidate_that_loses_recall_is_refused(feedback_setup, monkeypatch):
    """Deterministic: the candidate's held-out recall is made lower than the current models'."""
    before = set(AnalysisModel.objects.values_list("version", "is_active"))
    real = labels.heldout_figures

    def figures(context):
        out = real(context)
        if context.models.version != learning.models_current().version:
            out["safeguarding_recall"] = (out["safeguarding_recall"] or 0) - 0.05
        return out

    monkeypatch.setattr(labels, "heldout_figures", figures)
    extra = [{"text": "Her dad locks her in the cupboard when she cries.", "safeguarding": True}]
    result = labels.analysis_models_retrain(extra_labels=extra)
    assert not result["adopted"] and "safeguarding recall fell" in result["refused"]
    assert learning.active_version() is None or learning.active_version() != result["candidate_version"]
    stored = AnalysisModel.objects.get(version=result["candidate_version"])
    assert stored.is_active is False
    assert set(AnalysisModel.objects.values_list("version", "is_active")) >= before


def test_poisoned_labels_are_refused_on_the_real_path(feedback_setup):
    """Staff labels that teach that disclosures are not concerns: the real held-out figures
    get worse, and the candidate is refused."""
    disclosures = [
        f"{who} {what}"
        for who in (
            "My son says his stepdad",
            "She told me her uncle",
            "He said the man next door",
            "My daughter says her mum's boyfriend",
            "The boy in my class says his dad",
        )
        for what in (
            "hits him with a belt when he is naughty.",
            "touches her where he shouldn't.",
            "locks them in the shed overnight.",
            "won't feed him if he cries.",
            "tells her she would be better off dead.",
            "burns him with cigarettes.",
            "sends her pictures and says to keep it secret.",
            "punches her in the stomach.",
        )
    ]
    poison = [{"text": t, "safeguarding": False} for t in disclosures] * 12
    result = labels.analysis_models_retrain(extra_labels=poison)
    assert not result["adopted"], result
    assert result["refused"]
    assert not AnalysisModel.objects.filter(version=result["candidate_version"], is_active=True).exists()


def test_candidate_no_worse_is_adopted(feedback_setup, capsys):
    extra = [
        {
            "text": "The new SENCO phoned us back the same day and sorted the transport.",
            "sentiment": "positive",
        },
        {"text": "Her dad locks her in the cupboard when she cries.", "safeguarding": True},
    ]
    result = labels.analysis_models_retrain(extra_labels=extra)
    assert result["adopted"], result
    assert learning.active_version() == result["candidate_version"]
    ok, _ = labels.retrain_gate(result["current"], result["candidate"])
    assert ok


def test_command_prints_figures_and_dry_run_never_adopts(feedback_setup, item, lead, capsys):
    alert = SafeguardingAlert.objects.create(item=item, reasons=["test"])
    safeguarding_alert_update(alert=alert, actor=lead, state="closed", not_a_concern=True)
    call_command("retrain_analysis_models", "--dry-run")
    out = capsys.readouterr().out
    assert "Staff labels: 1" in out
    assert "safeguarding_recall" in out and "objective_top3" in out
    assert AnalysisModel.objects.count() == 0
