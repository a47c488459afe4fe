"""Subject access and erasure (privacy.subject_access): the export holds everything about one
person from every app and nothing about anyone else; erasure removes or anonymises all of it,
row by row, and leaves other people alone; the self-service pages and the officer's commands."""

import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from cms.models import NewsletterSubscription
from feedback.models import AuditEntry, FeedbackItem, FeedbackOriginal, SafeguardingAlert
from portal.models import AccessLogEntry, User
from portal.roles import Role
from privacy.subject_access import (
    StaffAccountRefused,
    subject_data_erase,
    subject_data_export,
    subject_data_json,
    subject_for_email,
    subject_for_user,
)
from surveys.models import Answer, Invitation, Response
from tests import people
from tests.auth import sign_in
from tests.factories import PASSWORD
from youthforum.models import ConsentRequest, Dot, Member, TermsComment, View

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(db):
    return people.named_survey()


@pytest.fixture
def place(db):
    return people.forum()


@pytest.fixture
def moderator(make_user):
    return make_user(Role.ENGAGEMENT_TEAM)


@pytest.fixture
def alice(survey):
    return people.parent("alicezq", survey=survey, totp=True)


@pytest.fixture
def bob(survey):
    return people.parent("bobxv", survey=survey)


def _survey_item(response):
    answer = Answer.objects.get(response=response, question_key="comment")
    return FeedbackItem.objects.get(source_ref=f"surveys.answer:{answer.pk}")


def _snapshot(person) -> dict:
    """Everything of one person's that erasure of someone else must not touch."""
    return {
        "user": User.objects.filter(pk=person.user.pk).values().first(),
        "emails": list(EmailAddress.objects.filter(user=person.user).values()),
        "originals": list(FeedbackOriginal.objects.filter(contact_email=person.email).values()),
        "items": list(FeedbackItem.objects.filter(original__contact_email=person.email).values()),
        "survey_item": FeedbackItem.objects.filter(pk=_survey_item(person.response).pk).values().first(),
        "response": Response.objects.filter(pk=person.response.pk).values().first(),
        "answers": list(Answer.objects.filter(response=person.response).values()),
        "invitation": Invitation.objects.filter(pk=person.invitation.pk).values().first(),
        "draft": Response.objects.filter(pk=person.draft.pk).values().first(),
        "child": Member.objects.filter(pk=person.child.pk).values().first(),
        "consents": list(ConsentRequest.objects.filter(email=person.email).values()),
        "newsletter": list(NewsletterSubscription.objects.filter(email=person.email).values()),
    }


# --- Export --------------------------------------------------------------------------------


def test_export_holds_everything_about_the_person_and_nothing_about_others(alice, bob):
    doc = subject_data_export(subject=subject_for_user(alice.user))
    text = subject_data_json(subject=subject_for_user(alice.user))
    assert json.loads(text)["account"]["email"] == alice.email
    # Account, roles, addresses and that two-factor sign-in is set up (never its secret).
    account = doc["account"]
    assert account["first_name"] == "Firstalicezq" and account["roles"] == ["Parent or carer"]
    assert account["email_addresses"] == [{"email": alice.email, "verified": True, "primary": True}]
    assert [a["type"] for a in account["two_factor_authentication"]] == ["TOTP Authenticator"]
    assert alice.user.totp_secret not in text
    # Feedback given with her email, and what her survey answer became, with the originals.
    items = {i["id"]: i for i in doc["feedback"]["items"]}
    assert items[alice.feedback.pk]["original_text"] == "The school transport for alicezq is always late."
    assert items[alice.feedback.pk]["contact_name"] == "Name alicezq"
    assert items[_survey_item(alice.response).pk]["original_text"] == "Survey words alicezq"
    # The safeguarding disclosure is listed but its text is held back for the officer to review.
    assert "withheld" in items[alice.safeguarding_item.pk]
    assert "cutting herself" not in text and doc["feedback"]["withheld_for_safeguarding"] == 1
    # Surveys: the invitation with the name and reference staff gave, the response and the draft.
    assert doc["surveys"]["invitations"][0]["reference"] == "EHCNA-alicezq"
    answers = [a for r in doc["surveys"]["responses"] for a in r["answers"]]
    assert {"question": "Tell us more", "answer": "Survey words alicezq"} in answers
    assert {"question": "How was it?", "answer": "Good"} in answers
    assert {"question": "Tell us more", "answer": "Draft words alicezq"} in answers
    # Youth forum: she is the contact for her child, and gave consent.
    contact = doc["youth_forum"]["contact_for_members"]
    assert [(c["nickname"], c["consent_requests"][0]["name_given"]) for c in contact] == [
        ("Kidalicezq", "Parent alicezq")
    ]
    assert doc["youth_forum"]["membership"] is None
    assert doc["newsletter"][0]["email"] == alice.email and doc["newsletter"][0]["confirmed_at"]
    assert alice.subscription.confirm_token not in text  # tokens would let anyone change it
    # Nothing of Bob's: his tag appears nowhere, nor his email.
    assert "bobxv" not in text


def test_export_includes_staff_notes_on_her_feedback_but_not_who_wrote_them(alice, bob, moderator):
    from feedback.services import feedback_note_add

    feedback_note_add(item=alice.feedback, author=moderator, text="Rang back about the transport.")
    feedback_note_add(item=alice.safeguarding_item, author=moderator, text="Referred to MASH.")
    feedback_note_add(item=bob.feedback, author=moderator, text="Note on someone else's feedback.")
    doc = subject_data_export(subject=subject_for_user(alice.user))
    text = subject_data_json(subject=subject_for_user(alice.user))
    items = {i["id"]: i for i in doc["feedback"]["items"]}
    assert [n["text"] for n in items[alice.feedback.pk]["staff_notes"]] == ["Rang back about the transport."]
    assert "staff_notes" not in items[alice.safeguarding_item.pk]  # withheld with the text
    assert "Referred to MASH" not in text and "someone else" not in text
    assert moderator.email not in text


def test_officer_export_includes_withheld_text(alice):
    doc = subject_data_export(subject=subject_for_email(alice.email), include_withheld=True)
    item = next(i for i in doc["feedback"]["items"] if i["id"] == alice.safeguarding_item.pk)
    assert "cutting herself" in item["original_text"]


def test_member_export_has_views_comments_and_dots(place, moderator, bob):
    young = people.member("mira", place=place, moderator=moderator)
    doc = subject_data_export(subject=subject_for_user(young.user))
    membership = doc["youth_forum"]["membership"]
    assert membership["nickname"] == "Memmira" and membership["contact_email"] == young.email
    assert membership["views"][0]["words"] == "View words mira about buses"
    assert membership["comments_on_terms"][0]["text"] == "Comment words mira"
    assert membership["dots"] == [{"vote": "Priorities", "topic": "Transport", "dots": 2}]
    texts = {i["original_text"] for i in doc["feedback"]["items"]}
    assert {"Comment words mira"} <= texts
    assert any(t.startswith("View words mira") for t in texts)
    assert "bobxv" not in subject_data_json(subject=subject_for_user(young.user))


def test_email_without_an_account_finds_what_is_held_under_it(survey):
    from feedback.services import feedback_ingest

    people.run_on_commit(
        feedback_ingest,
        text="No account here, ring me",
        channel="web_form",
        audience="parent_carer",
        contact_email="Walkin@Example.org",
    )
    subject = subject_for_email("walkin@example.org")
    assert subject.user is None
    doc = subject_data_export(subject=subject)
    assert doc["account"] is None
    assert [i["original_text"] for i in doc["feedback"]["items"]] == ["No account here, ring me"]


def test_unverified_addresses_are_never_matched(alice, make_user):
    """Someone who adds Alice's address to their account without proving it sees nothing."""
    mallory = make_user(Role.PARENT_CARER)
    EmailAddress.objects.create(user=mallory, email=alice.email.upper(), verified=False)
    text = subject_data_json(subject=subject_for_user(mallory))
    assert "alicezq" not in text


# --- Erasure -------------------------------------------------------------------------------


def test_erasure_removes_or_anonymises_everything_and_leaves_others(alice, bob):
    before_bob = _snapshot(bob)
    survey_item = _survey_item(alice.response)
    choice = Answer.objects.get(response=alice.response, question_key="rating")
    report = subject_data_erase(subject=subject_for_user(alice.user))

    assert report["account_deleted"] is True
    assert not User.objects.filter(pk=alice.user.pk).exists()
    assert not EmailAddress.objects.filter(email=alice.email).exists()
    assert not Authenticator.objects.filter(user_id=alice.user.pk).exists()
    # Feedback she gave: text and contact details gone, non-personal analysis kept.
    original = FeedbackOriginal.objects.get(item=alice.feedback)
    assert (original.text, original.contact_email, original.contact_name) == ("", "", "")
    assert original.purged_at is not None
    item = FeedbackItem.objects.get(pk=alice.feedback.pk)
    assert (item.redacted_text, item.key_phrases) == ("", [])
    assert (item.consent_to_quote, item.wants_reply) == (False, False)
    assert item.sentiment and item.channel == "web_form"  # counts for board packs stay true
    assert AuditEntry.objects.filter(item=item, action="erased").count() == 1
    # Under an open safeguarding alert the text stays until the lead closes it, and we say so.
    assert SafeguardingAlert.objects.get(item=alice.safeguarding_item).state == "open"
    assert "cutting herself" in FeedbackOriginal.objects.get(item=alice.safeguarding_item).text
    assert any("safeguarding" in note for note in report["kept"])
    # Surveys: the response is no longer hers and has no free text; choices stay for results.
    response = Response.objects.get(pk=alice.response.pk)
    assert response.respondent_id is None and response.resume_email == ""
    assert response.answers == {"rating": "good"}
    assert list(Answer.objects.filter(response=response).values_list("pk", flat=True)) == [choice.pk]
    survey_item.refresh_from_db()
    assert survey_item.redacted_text == "" and survey_item.original.text == ""
    invitation = Invitation.objects.get(pk=alice.invitation.pk)
    assert (invitation.email, invitation.name, invitation.reference) == ("", "", "")
    assert invitation.personal_data_erased_at is not None
    assert not Response.objects.filter(pk=alice.draft.pk).exists()
    assert not NewsletterSubscription.objects.filter(email=alice.email).exists()
    # Her child's membership is the child's: kept, and reported for the officer to follow up.
    assert Member.objects.filter(pk=alice.child.pk).exists()
    assert any(f"#{alice.child.pk}" in note for note in report["kept"])
    # Nothing of hers is left to export; Bob is exactly as he was.
    left = subject_data_json(subject=subject_for_email(alice.email))
    assert "Survey words alicezq" not in left and "EHCNA-alicezq" not in left
    assert _snapshot(bob) == before_bob


def test_erasing_a_member_erases_membership_and_what_they_wrote(place, moderator, alice):
    young = people.member("mira", place=place, moderator=moderator)
    before = _snapshot(alice)
    view_item = FeedbackItem.objects.get(source_ref=young.extra["view"].source_ref)
    report = subject_data_erase(subject=subject_for_user(young.user))
    assert report["youth_forum"]["members_erased"] == 1 and report["account_deleted"] is True
    assert not User.objects.filter(pk=young.user.pk).exists()
    assert not Member.objects.filter(pk=young.child.pk).exists()
    assert not View.objects.exists() and not TermsComment.objects.exists()
    assert list(Dot.objects.values_list("member_id", flat=True)) == []  # open round: dots go
    view_item.refresh_from_db()
    assert view_item.redacted_text == "" and view_item.source_ref == "" and view_item.original.text == ""
    assert _snapshot(alice) == before


def test_staff_accounts_are_not_erased_by_themselves(make_user):
    staff = make_user(Role.ENGAGEMENT_TEAM)
    with pytest.raises(StaffAccountRefused):
        subject_data_erase(subject=subject_for_user(staff))
    assert User.objects.filter(pk=staff.pk).exists()


# --- Self-service pages --------------------------------------------------------------------


def _signed_in(user, csrf=False) -> Client:
    client = Client()
    if getattr(user, "totp_secret", None):
        sign_in(client, user)  # staff pass the second factor, as the site requires
    else:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.handler.enforce_csrf_checks = csrf
    return client


def test_account_home_offers_download_and_delete(alice, make_user):
    html = _signed_in(alice.user).get("/account/home/").content.decode()
    assert 'action="/account/my-data/"' in html and 'href="/account/delete/"' in html
    staff_html = _signed_in(make_user(Role.ENGAGEMENT_TEAM)).get("/account/home/").content.decode()
    assert 'href="/account/delete/"' not in staff_html and "closed by an administrator" in staff_html


def test_download_is_post_only_signed_in_and_csrf_protected(alice):
    client = _signed_in(alice.user)
    assert client.get("/account/my-data/").status_code == 405
    response = client.post("/account/my-data/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="send-voice-my-data-')
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content)["account"]["email"] == alice.email
    anonymous = Client().post("/account/my-data/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    assert _signed_in(alice.user, csrf=True).post("/account/my-data/").status_code == 403


def test_delete_needs_the_password_then_erases_and_signs_out(alice, bob):
    client = _signed_in(alice.user)
    page = client.get("/account/delete/")
    assert page.status_code == 200 and "Your password" in page.content.decode()
    wrong = client.post("/account/delete/", {"password": "not it"})
    assert wrong.status_code == 200 and "The password is not right" in wrong.content.decode()
    assert User.objects.filter(pk=alice.user.pk).exists()
    done = client.post("/account/delete/", {"password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/account/deleted/"
    assert not User.objects.filter(pk=alice.user.pk).exists()
    assert not NewsletterSubscription.objects.filter(email=alice.email).exists()
    # Signed out: the account pages send them to sign in; the goodbye page is public.
    assert client.get("/account/home/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/account/deleted/").status_code == 200
    assert User.objects.filter(pk=bob.user.pk).exists()


def test_wrong_passwords_are_limited(alice):
    client = _signed_in(alice.user)
    for _ in range(5):
        wrong = client.post("/account/delete/", {"password": "no"})
        assert "The password is not right" in wrong.content.decode()
    blocked = client.post("/account/delete/", {"password": PASSWORD}).content.decode()
    assert "too many times" in blocked
    assert User.objects.filter(pk=alice.user.pk).exists()


def test_delete_refuses_without_csrf_token(alice):
    client = _signed_in(alice.user, csrf=True)
    assert client.post("/account/delete/", {"password": PASSWORD}).status_code == 403
    assert User.objects.filter(pk=alice.user.pk).exists()


def test_delete_is_refused_for_staff_with_an_explanation(make_user):
    staff = make_user(Role.SAFEGUARDING_LEAD, totp=True)
    client = _signed_in(staff)
    page = client.get("/account/delete/")
    assert "You cannot delete a staff account yourself" in page.content.decode()
    client.post("/account/delete/", {"password": PASSWORD})
    assert User.objects.filter(pk=staff.pk).exists()


def test_member_without_password_confirms_with_a_word(place, moderator):
    young = people.member("mira", place=place, moderator=moderator)
    client = _signed_in(young.user)
    assert "Type the word delete" in client.get("/account/delete/").content.decode()
    assert client.post("/account/delete/", {"confirm": "yes"}).status_code == 200
    assert client.post("/account/delete/", {"confirm": " Delete "}).status_code == 302
    assert not Member.objects.filter(pk=young.child.pk).exists()


def test_delete_page_needs_sign_in():
    response = Client().get("/account/delete/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- The officer's commands -----------------------------------------------------------------


def test_export_command_writes_a_private_file_and_is_logged(alice, bob, tmp_path, make_user):
    officer = make_user(Role.ADMINISTRATOR)
    out = tmp_path / "sar.json"
    call_command(
        "subject_access_export",
        alice.email,
        "--out",
        str(out),
        "--by",
        officer.email,
        "--reason",
        "SAR 2026-014",
        stdout=__import__("io").StringIO(),
    )
    doc = json.loads(out.read_text())
    assert doc["account"]["email"] == alice.email and "bobxv" not in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600
    entry = AccessLogEntry.objects.get(action="subject_export")
    assert (entry.actor, entry.object_type, entry.object_id, entry.reason) == (
        officer,
        "portal.user",
        str(alice.user.pk),
        "SAR 2026-014",
    )
    assert alice.email not in json.dumps(entry.detail)


def test_erase_command_needs_yes_refuses_staff_and_erases(alice, bob, make_user):
    import io

    with pytest.raises(CommandError, match="--yes"):
        call_command("subject_erase", alice.email)
    assert User.objects.filter(pk=alice.user.pk).exists()
    out = io.StringIO()
    call_command("subject_erase", alice.email, "--yes", stdout=out)
    assert "Erased." in out.getvalue() and not User.objects.filter(pk=alice.user.pk).exists()
    assert User.objects.filter(pk=bob.user.pk).exists()
    entry = AccessLogEntry.objects.get(action="subject_erase")
    assert entry.object_type == "person" and alice.email not in json.dumps(entry.detail)
    staff = make_user(Role.ENGAGEMENT_TEAM)
    with pytest.raises(CommandError, match="staff account"):
        call_command("subject_erase", staff.email, "--yes", stdout=out)
    call_command("subject_erase", staff.email, "--yes", "--allow-staff", stdout=out)
    assert not User.objects.filter(pk=staff.pk).exists()
