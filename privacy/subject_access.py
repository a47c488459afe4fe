"""Subject access and erasure: everything the platform holds about one person, as a JSON
document, and the erasure of all of it (UK GDPR articles 15 and 17).

Used by the self-service pages on the account home (`privacy.views.account_data_download`,
`account_delete`) and by the data protection officer's commands (`subject_access_export`,
`subject_erase`). This module only gathers and delegates: each app reads and erases its own
data (`feedback`, `surveys`, `youthforum`, `cms` selectors and services), as retention does.

Who a person is: their account (if any) and the email addresses they have proved are theirs
(verified in allauth). Data held under an email without an account (feedback contact details,
survey invitations, newsletter sign-ups) is found by the officer's commands, which take the
email the officer has checked. Unverified addresses are never used to match: anyone can type
someone else's email into a form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

import cms.selectors
import cms.services
import feedback.selectors
import feedback.services
import surveys.selectors
import surveys.services
import youthforum.selectors
import youthforum.services
from portal.models import User
from portal.roles import Role, user_is_staff_role, user_roles

ABOUT = (
    "This is all the personal data the SEND Voice platform holds about you, found by your "
    "account and the email addresses you have confirmed. Feedback you gave without leaving an "
    "email address, and answers to anonymous surveys, cannot be linked to you, so they are not "
    "here (and we could not find them to delete them either). Some feedback text may be held "
    "back under our safeguarding duty: the file says where, and how to ask for it."
)


@dataclass
class Subject:
    """One person: their account (or None) and the emails that are provably theirs."""

    user: User | None
    emails: list[str] = field(default_factory=list)


def subject_for_user(user: User) -> Subject:
    """The signed-in person: their account and its verified addresses."""
    from allauth.account.models import EmailAddress

    emails = list(EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True))
    return Subject(user=user, emails=sorted({e.lower() for e in emails}))


def subject_for_email(email: str) -> Subject:
    """For the data protection officer, who has checked the person's identity: the account
    with this address (primary or another verified one), and data held under the address even
    when there is no account."""
    from allauth.account.models import EmailAddress

    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
        user = address.user if address else None
    subject = subject_for_user(user) if user is not None else Subject(user=None)
    if email and email not in subject.emails:
        subject.emails.append(email)
    return subject


def _account(user: User | None) -> dict | None:
    if user is None:
        return None
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "organisation": user.organisation,
        "created_at": user.created_at,
        "last_signed_in_at": user.last_login,
        "roles": sorted(Role(r).label for r in user_roles(user)),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Whether two-factor sign-in is set up, and when: never the secrets themselves.
        "two_factor_authentication": [
            {"type": a.get_type_display(), "created_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }


def subject_data_export(*, subject: Subject, include_withheld: bool = False) -> dict:
    """Everything held about the person, as plain data (see `subject_data_json`).

    `include_withheld` adds the text of feedback flagged for safeguarding: only for the data
    protection officer, who decides what may be released.
    """
    doc: dict = {
        "generated_at": timezone.now(),
        "about": ABOUT,
        "emails_searched": subject.emails,
        "account": _account(subject.user),
    }
    refs: list[str] = []
    data = surveys.selectors.survey_subject_data(user=subject.user, emails=subject.emails)
    refs += data.pop("feedback_refs")
    doc["surveys"] = data
    data = youthforum.selectors.member_subject_data(user=subject.user, emails=subject.emails)
    refs += data.pop("feedback_refs")
    doc["youth_forum"] = data
    doc["feedback"] = feedback.selectors.feedback_subject_data(
        emails=subject.emails, source_refs=refs, include_withheld=include_withheld
    )
    doc["newsletter"] = cms.selectors.newsletter_subject_data(emails=subject.emails)
    return doc


def subject_data_json(*, subject: Subject, include_withheld: bool = False) -> str:
    """The export as a JSON document (dates in ISO 8601, UTF-8 text as written)."""
    return json.dumps(
        subject_data_export(subject=subject, include_withheld=include_withheld),
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        indent=2,
    )


class StaffAccountRefused(PermissionDenied):
    """Staff accounts are not erased by the person themselves: what they did (triage, who saw
    an original text) must stay attributable. An administrator closes the account."""


def may_self_erase(user: User) -> bool:
    return not (user.is_staff or user.is_superuser or user_is_staff_role(user))


@transaction.atomic
def subject_data_erase(*, subject: Subject, allow_staff: bool = False) -> dict:
    """Delete or anonymise everything held about the person, in one transaction.

    Each app erases what it owns: survey responses lose their link to the person and their free
    text (choice answers stay for results), invitations lose the email, youth forum membership
    is erased with everything the member wrote, feedback given with their email loses its text
    and contact details (its non-personal analysis stays, as under retention), newsletter
    sign-ups are deleted, and finally the account, its email addresses and authenticators.
    Feedback under an open safeguarding alert keeps its text until the alert is closed.

    Returns a report of counts, plus `kept`: what was deliberately not erased, and why.
    Raises StaffAccountRefused for staff accounts unless `allow_staff` (the officer's command).
    """
    user = subject.user
    if user is not None and not allow_staff and not may_self_erase(user):
        raise StaffAccountRefused("Staff accounts are closed by an administrator.")
    report: dict = {"kept": []}
    report["surveys"] = surveys.services.survey_subject_erase(user=user, emails=subject.emails)
    result = youthforum.services.member_subject_erase(user=user, emails=subject.emails)
    report["kept"] += result.pop("kept")
    report["youth_forum"] = result
    result = feedback.services.feedback_subject_erase(emails=subject.emails)
    report["feedback"] = result
    if result["kept_for_safeguarding"]:
        report["kept"].append(
            f"{result['kept_for_safeguarding']} feedback item(s) under an open safeguarding alert keep "
            "their text until the safeguarding lead closes the alert."
        )
    report["newsletter_deleted"] = cms.services.newsletter_subject_erase(emails=subject.emails)
    report["account_deleted"] = False
    if user is not None and User.objects.filter(pk=user.pk).exists():
        # A youth forum member's account went with the membership.
        user.delete()
        report["account_deleted"] = True
    elif user is not None:
        report["account_deleted"] = True
    return report


# --- The data protection officer's requests (the management commands) ------------------------


def _officer_record(
    *, action: str, subject: Subject, screen: str, actor_label: str, reason: str, detail: dict
) -> None:
    from portal.models import AccessLogEntry
    from portal.services import access_log_record

    actor = User.objects.filter(email__iexact=actor_label).first() if "@" in actor_label else None
    access_log_record(
        actor=actor,
        actor_label=actor_label or screen,
        action=getattr(AccessLogEntry.Action, action),
        object_type="portal.user" if subject.user else "person",
        object_id=subject.user.pk if subject.user else "",
        screen=screen,
        reason=reason,
        detail=detail,
    )


def officer_export(*, email: str, include_withheld: bool = False, by: str = "", reason: str = "") -> str:
    """A subject access export for the data protection officer (`manage.py
    subject_access_export`), recorded in the access log without the person's email."""
    subject = subject_for_email(email)
    body = subject_data_json(subject=subject, include_withheld=include_withheld)
    _officer_record(
        action="SUBJECT_EXPORT",
        subject=subject,
        screen="manage.py subject_access_export",
        actor_label=by,
        reason=reason,
        detail={"include_withheld": include_withheld, "has_account": subject.user is not None},
    )
    return body


@transaction.atomic
def officer_erase(*, email: str, allow_staff: bool = False, by: str = "", reason: str = "") -> dict:
    """Erasure for the data protection officer (`manage.py subject_erase`), recorded in the
    access log with the counts (never the person's email)."""
    subject = subject_for_email(email)
    had_account = subject.user is not None
    user_pk = subject.user.pk if had_account else None
    report = subject_data_erase(subject=subject, allow_staff=allow_staff)
    counts = {k: v for k, v in report.items() if k != "kept"}
    counts["kept"] = len(report["kept"])
    _officer_record(
        action="SUBJECT_ERASE",
        subject=Subject(user=None),
        screen="manage.py subject_erase",
        actor_label=by,
        reason=reason,
        detail={"account": user_pk, **counts},
    )
    return report
